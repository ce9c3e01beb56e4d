"""Which encoding a text table is in, found without being told.

Chinese Excel saves CSV in the ANSI code page (GBK, of which GB18030 is a superset), CRMs
export UTF-8, and Excel's "CSV UTF-8" adds a BOM. In order:

1. a UTF-8 BOM: "utf-8-sig" (a UTF-16 BOM, as Excel's "Unicode Text" writes: "utf-16");
2. bytes that are valid UTF-8: "utf-8" (pure ASCII is reported as "utf-8");
3. bytes that are mostly valid UTF-8 with a few invalid sequences (a damaged or truncated
   UTF-8 file, or a GBK fragment pasted into one): an error naming the first bad byte,
   rather than reading the whole file as GB18030 mojibake;
4. bytes that are valid GB18030: "gb18030", unless some lines are clearly UTF-8 (they hold
   a valid UTF-8 sequence of three bytes or more, as CJK text in UTF-8 does) and others are
   not UTF-8 at all: such a file mixes two encodings (rows pasted from two exports), and
   reading it as either would turn one part into mojibake, so it is an error naming the
   first line in the other encoding;
5. anything else: an error naming the byte offset (and line) of the first undecodable byte.

A GB18030 file whose bytes happen to also be valid UTF-8 is read as UTF-8; that needs every
Chinese character in the file to form a valid UTF-8 sequence, which only happens for a
handful of characters, never for real text.
"""

from __future__ import annotations

import codecs

from rulekit.tables.model import TableError

UTF8_SIG = "utf-8-sig"
UTF8 = "utf-8"
GB18030 = "gb18030"
UTF16 = "utf-16"


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """Return the text of `data` and the encoding it was found to be in."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data, UTF8_SIG, path), UTF8_SIG
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, UTF16, path), UTF16
    try:
        return data.decode(UTF8), UTF8
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if _mostly_utf8(data):
        raise _error(data, utf8_error, path, UTF8)
    text = _decode(data, GB18030, path)
    mixed = _mixed_lines(data)
    if mixed is not None:
        utf8_line, other_line = mixed
        first, second = sorted((utf8_line, other_line))
        kinds = {utf8_line: "UTF-8", other_line: "GB18030/GBK"}
        raise TableError(
            path,
            f"the file mixes two encodings: line {first} is {kinds[first]} but line {second} "
            f"is {kinds[second]} (the first line in another encoding)",
            "rows were pasted from files saved in different encodings; re-save the whole file "
            "as CSV UTF-8",
        )
    return text, GB18030


def _mixed_lines(data: bytes) -> tuple[int, int] | None:
    """(a line that is clearly UTF-8, a line that is not UTF-8) if the file has both, else None.

    A line is clearly UTF-8 when it decodes as UTF-8 and holds a character of three bytes or
    more (U+0800 and up: all CJK text); lines of two-byte sequences only are left out, since a
    few GBK characters happen to form them (the famous 联通)."""
    utf8_line = other_line = None
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            decoded = line.decode(UTF8)
        except UnicodeDecodeError:
            other_line = other_line or number
        else:
            if utf8_line is None and any(ord(ch) >= 0x800 for ch in decoded):
                utf8_line = number
        if utf8_line is not None and other_line is not None:
            return utf8_line, other_line
    return None


def _mostly_utf8(data: bytes) -> bool:
    """True when the valid non-ASCII UTF-8 characters outnumber the invalid bytes 4 to 1."""
    text = data.decode(UTF8, "replace")
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii - bad >= 4 * bad


def _decode(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _error(data, exc, path, encoding) from None


def _error(data: bytes, exc: UnicodeDecodeError, path: str, tried: str) -> TableError:
    offset = exc.start
    line = data.count(b"\n", 0, offset) + 1
    where = f"byte {offset} (line {line}: {data[offset : offset + 4].hex(' ')})"
    if tried == GB18030:
        message = f"cannot read the text: {where} is neither UTF-8 nor GB18030/GBK"
        hint = "save the file as CSV UTF-8, or as CSV in the Chinese (GBK) code page"
    elif tried == UTF8:
        message = f"invalid UTF-8 at {where}; the rest of the file is UTF-8"
        hint = "the file looks damaged there; re-save it as CSV UTF-8"
    else:
        message = f"invalid {tried.upper()} at {where}, although the file starts with its BOM"
        hint = "re-save the file as CSV UTF-8"
    return TableError(path, message, hint)
