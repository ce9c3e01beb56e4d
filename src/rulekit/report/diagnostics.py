"""Render diagnostics: text with source line and caret, JSON, GitHub annotations."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence

from rulekit.diagnostics import Diagnostic, Severity
from rulekit.policy.yamlsrc import MAX_FILE_BYTES
from rulekit.safeio import printable, read_capped
from rulekit.source import caret_line

LineReader = Callable[[str, int], str | None]
#: control characters shown as `?` in a quoted source line (one column each, so the caret
#: stays under the right character; tabs are kept for the same reason)
_CONTROL_BUT_TAB = {c: "?" for c in (*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F)}


def read_line(file: str, line: int, _cache: dict[str, list[str]] | None = None) -> str | None:
    """Return line `line` of `file` (1-based), or None if it cannot be read."""
    cache = _LINES if _cache is None else _cache
    if file not in cache:
        try:  # a regular file of policy size only: a device or a FIFO is never read
            cache[file] = read_capped(file, 2 * MAX_FILE_BYTES).decode("utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            cache[file] = []
    lines = cache[file]
    return lines[line - 1] if 0 < line <= len(lines) else None


_LINES: dict[str, list[str]] = {}


def to_text(
    diagnostics: Sequence[Diagnostic],
    *,
    color: bool = False,
    lines: LineReader = read_line,
) -> str:
    """The compiler-style text: header, location, source line, caret, hint."""

    def paint(text: str, fg: str, bold: bool = True) -> str:
        if not color:
            return text
        import click

        return click.style(text, fg=fg, bold=bold)

    out: list[str] = []
    for d in diagnostics[:SHOWN_DIAGNOSTICS]:
        fg = "red" if d.is_error else "yellow"
        message = printable(d.message)
        out.append(paint(f"{d.severity.value}[{d.code}]", fg) + paint(f": {message}", "white"))
        if d.span is None:
            if d.hint:
                out.append(f"   = hint: {d.hint}")
            out.append("")
            continue
        s = d.span
        out.append(paint("  --> ", "blue") + f"{s.file}:{s.line}:{s.column}")
        text = lines(s.file, s.line)
        if text is not None:
            gutter = " " * len(str(s.line))
            length = s.end_column - s.column if s.end_line == s.line else len(text) - s.column + 1
            text, column, length = window(text, s.column, length)
            text = text.translate(_CONTROL_BUT_TAB)
            out.append(paint(f" {gutter} |", "blue"))
            out.append(paint(f" {s.line} |", "blue") + f" {text}")
            out.append(
                paint(f" {gutter} |", "blue")
                + " "
                + paint(caret_line(text, column, max(1, length)), fg)
            )
        if d.note:
            out.append(f"   = note: {printable(d.note)}")
        if d.hint:
            out.append(f"   = hint: {printable(d.hint)}")
        out.append("")
    if len(diagnostics) > SHOWN_DIAGNOSTICS:
        out.append(
            f"… and {len(diagnostics) - SHOWN_DIAGNOSTICS:,} more diagnostics "
            "(--format json lists them all)"
        )
        out.append("")
    return "\n".join(out)


SHOWN = 160  # characters of a source line shown under a diagnostic
SHOWN_DIAGNOSTICS = 100  # diagnostics printed as text; JSON has them all


def window(text: str, column: int, length: int, width: int = SHOWN) -> tuple[str, int, int]:
    """The part of a long source line around `column` (with `…` where it is cut), and the
    column and length of the marked text in it: a one-line 1 MB file is not printed whole."""
    if len(text) <= width:
        return text, column, length
    start = max(0, min(column - 1 - width // 4, len(text) - width))
    end = start + width
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shown = prefix + text[start:end] + suffix
    new_column = column - start + len(prefix)
    return shown, new_column, max(1, min(length, end - (column - 1)))


def summary(diagnostics: Sequence[Diagnostic], files: Sequence[str]) -> str:
    """One closing line: how many errors and warnings in how many files."""
    counts = Counter(d.severity for d in diagnostics)
    e, w = counts[Severity.ERROR], counts[Severity.WARNING]
    if not e and not w:
        return f"{_plural(len(files), 'policy', 'policies')} valid: " + ", ".join(files)
    return f"{_plural(e, 'error')}, {_plural(w, 'warning')} in {_plural(len(files), 'file')}"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def full_message(d: Diagnostic) -> str:
    """The message with its hint, for outputs that have no separate place for one."""
    return f"{d.message}; {d.hint}" if d.hint else d.message


def to_json(diagnostics: Sequence[Diagnostic], valid: bool) -> str:
    """The validate document of docs/formats.md:
    {"valid", "diagnostics": [{file, line, column, severity, code, message}]}."""
    items = []
    for d in diagnostics:
        s = d.span
        items.append(
            {
                "file": s.file if s else None,
                "line": s.line if s else 1,
                "column": s.column if s else 1,
                "severity": d.severity.value,
                "code": d.code,
                "message": full_message(d),
            }
        )
    return json.dumps({"valid": valid, "diagnostics": items}, ensure_ascii=False, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,col=…::message`."""
    out = []
    for d in diagnostics:
        level = "error" if d.is_error else "warning"
        props = []
        if d.span:
            props += [
                f"file={_escape_property(d.span.file)}",
                f"line={d.span.line}",
                f"col={d.span.column}",
            ]
            if d.span.end_line == d.span.line and d.span.end_column > d.span.column:
                props.append(f"endColumn={d.span.end_column}")
        props.append(f"title={_escape_property(d.code)}")
        out.append(f"::{level} {','.join(props)}::{_escape_data(full_message(d))}")
    return "\n".join(out)
