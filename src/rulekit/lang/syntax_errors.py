"""Turn Lark's parse errors into sentences for the people who write policies.

The explanation looks at the offending token, the tokens before it and what the parser
expected, and names the mistake in plain words: a missing value, an unclosed bracket, a
single `=`, a state name such as `O+` that needs quotes.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from rulekit.timeutil import UNITS_HINT


class Tok(NamedTuple):
    """A token read before the error: its terminal name, text and offsets."""

    type: str
    value: str
    start: int
    end: int


#: (start, end, message, hint)
Explanation = tuple[int, int, str, str | None]

_VALUES = {"NAME", "NUMBER", "PERCENT", "DURATION", "DATETIME", "STRING", "NULL", "TRUE", "FALSE"}
_OPERAND_START = _VALUES | {"LPAR", "LSQB", "MINUS", "NOT"}
_ARITH = {"PLUS", "MINUS", "STAR", "SLASH"}
_OPENERS = {"LPAR": ")", "LSQB": "]"}
_CLOSERS = {"RPAR": "(", "RSQB": "["}
_FULL_WIDTH = {
    "，": ",",
    "（": "(",
    "）": ")",
    "【": "[",
    "】": "]",
    "［": "[",
    "］": "]",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "＝": "=",
    "！": "!",
    "＞": ">",
    "＜": "<",
    "＋": "+",
    "－": "-",
    "．": ".",
    "。": ".",
}
_WORD_OPS = {"is": "==", "equals": "==", "eq": "==", "AND": "and", "OR": "or", "NOT": "not"}


def _describe(tok: Tok) -> str:
    return "the end of the condition" if tok.type == "$END" else f"`{tok.value}`"


def _operator_message(tok: Tok) -> tuple[str, str | None]:
    """What is missing after the operator `tok` when no value follows it."""
    if tok.type == "COMP_OP":
        return "a comparison needs a value on its right", None
    if tok.type in ("AND", "OR"):
        return f"`{tok.value}` needs a condition on both sides", None
    if tok.type == "NOT":
        return "`not` needs a condition after it", None
    if tok.type == "IN":
        return "`in` needs a list on its right", "for example: state in [A, B]"
    if tok.type in _ARITH:
        return f"`{tok.value}` needs a value on both sides", None
    if tok.type == "DOT":
        return "a name must follow the `.`", "for example: next_stage.target"
    if tok.type == "COMMA":
        return "a value must follow the comma", None
    return f"a value is missing after `{tok.value}`", None


def _open_brackets(tokens: list[Tok]) -> list[Tok]:
    stack: list[Tok] = []
    for tok in tokens:
        if tok.type in _OPENERS:
            stack.append(tok)
        elif tok.type in _CLOSERS and stack and stack[-1].type == _CLOSERS_TYPE[tok.type]:
            stack.pop()
    return stack


_CLOSERS_TYPE = {"RPAR": "LPAR", "RSQB": "LSQB"}


def _bare_word(tokens: list[Tok]) -> str | None:
    """If the last tokens are a word glued to an operator (`O+`), return that text."""
    if len(tokens) >= 2:
        word, op = tokens[-2], tokens[-1]
        if op.type in _ARITH and word.type == "NAME" and word.end == op.start:
            return word.value + op.value
    return None


def _unexpected_character(text: str, pos: int) -> Explanation:
    ch = text[pos] if pos < len(text) else ""
    if ch in ("'", '"'):
        hint: str | None = f"add the closing {ch} at the end of the text"
        return pos, pos + 1, "this string is never closed (a quote is missing)", hint
    if ch == "=":
        return pos, pos + 1, "use `==` to compare (a single `=` is not an operator)", None
    if ch == "!":
        hint = "write `!=` for 'is not equal to', or `not` before a condition to negate it"
        return pos, pos + 1, "unexpected character `!`", hint
    if ch in ("&", "|"):
        word = "and" if ch == "&" else "or"
        return pos, pos + 1, f"unexpected character `{ch}`", f"write `{word}`"
    if ch in _FULL_WIDTH:
        hint = f"this is a full-width character; type the plain `{_FULL_WIDTH[ch]}` instead"
        return pos, pos + 1, f"unexpected character `{ch}`", hint
    hint = None
    if pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] == "_"):
        start = pos
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_+-"):
            start -= 1
        end = pos
        while end < len(text) and not text[end].isspace() and text[end] not in ",)]":
            end += 1
        word = text[start:end].replace("'", "\\'")
        hint = f"`{text[start:end]}` is not a plain name; quote it: '{word}'"
    shown = ch if ch.isprintable() else repr(ch)
    return pos, pos + 1, f"unexpected character `{shown}`", hint


def explain(text: str, exc: Any, tokens: list[Tok]) -> Explanation:
    """Explain a Lark `UnexpectedInput` raised while parsing `text`.

    Args:
        text: The condition being parsed.
        exc: The Lark exception (UnexpectedCharacters, UnexpectedToken or UnexpectedEOF).
        tokens: The tokens before the error position.

    Returns:
        (start, end, message, hint) with offsets into `text`.
    """
    token = getattr(exc, "token", None)
    if token is None:
        pos = getattr(exc, "pos_in_stream", None)
        if isinstance(pos, int) and 0 <= pos < len(text):
            return _unexpected_character(text, pos)
        token_type, value, start, end = "$END", "", len(text), len(text)
    else:
        token_type = str(token.type)
        value = str(token)
        start = token.start_pos if isinstance(token.start_pos, int) else len(text)
        end = token.end_pos if isinstance(token.end_pos, int) else start
        if token_type == "$END":
            start = end = len(text)
    tok = Tok(token_type, value, start, end)
    expected = set(getattr(exc, "expected", None) or ())
    return _explain_token(tok, tokens, expected)


def _explain_token(tok: Tok, before: list[Tok], expected: set[str]) -> Explanation:
    want_value = bool(expected & _VALUES) or not before
    prev = before[-1] if before else None
    opened = _open_brackets(before)

    if tok.type == "$END":
        if opened and (prev is None or prev.type not in _ARITH | {"COMP_OP", "AND", "OR"}):
            if prev is None or prev.type not in ("IN", "NOT", "DOT"):
                return opened[-1].start, opened[-1].end, "this bracket is never closed", None
        if prev is not None and want_value:
            word = _bare_word(before)
            if word:
                return _quote_it(prev, word)
            message, hint = _operator_message(prev)
            return prev.start, prev.end, message, hint
        if prev is not None and prev.type == "NOT":
            hint = "for example: state not in [A, B]"
            return prev.start, prev.end, "`not in` needs a list on its right", hint
        return tok.start, tok.end, "the condition ends too early", None

    word = _bare_word(before) if want_value else None
    if word and prev is not None and tok.type not in _OPERAND_START:
        return _quote_it(prev, word)
    if tok.type in _CLOSERS:
        if not opened:
            return tok.start, tok.end, "this bracket has no matching opening bracket", None
        if opened[-1].type != _CLOSERS_TYPE[tok.type]:
            closer = _OPENERS[opened[-1].type]
            hint = f"the `{opened[-1].value}` before it is closed with `{closer}`"
            return tok.start, tok.end, "this bracket does not match the opening one", hint
    if tok.type in _CLOSERS or tok.type == "COMMA":
        if want_value and prev is not None:
            if prev.type == "LPAR" and tok.type == "RPAR":
                return prev.start, tok.end, "empty brackets: put a condition or value inside", None
            if prev.type in ("LPAR", "LSQB", "COMMA") and tok.type == "COMMA":
                return tok.start, tok.end, "a value must come before the comma", None
            message, hint = _operator_message(prev)
            return prev.start, prev.end, message, hint
        if tok.type == "COMMA":
            message = "a comma can only separate list items [a, b] or function arguments"
            return tok.start, tok.end, message, None

    if tok.type in ("AND", "OR") and want_value:
        return tok.start, tok.end, f"`{tok.value}` needs a condition on both sides", None
    if tok.type in ("COMP_OP", "IN") and want_value:
        return tok.start, tok.end, "a comparison needs a value on its left", None
    if tok.type in ("COMP_OP", "IN"):
        hint = "join them with `and`: a < b and b < c"
        return tok.start, tok.end, "comparisons cannot be chained", hint
    if tok.type in _ARITH | {"DOT"} and want_value:
        message, hint = _operator_message(tok)
        return tok.start, tok.end, message, hint

    if tok.type in _OPERAND_START and not want_value:
        message = "two values follow each other without an operator between them"
        return tok.start, tok.end, message, _two_values_hint(prev, tok)

    where = f"`{prev.value}`" if prev is not None else "the start"
    return tok.start, tok.end, f"unexpected {_describe(tok)} after {where}", None


def _quote_it(op: Tok, word: str) -> Explanation:
    message = f"`{op.value}` is an operator and needs a value on its right"
    return op.start, op.end, message, f"`{word}` is not a plain name; quote it: '{word}'"


def _two_values_hint(prev: Tok | None, tok: Tok) -> str | None:
    if tok.type == "NAME" and tok.value in _WORD_OPS:
        return f"write `{_WORD_OPS[tok.value]}`"
    if prev is not None and prev.type == "NUMBER" and tok.type == "NAME" and prev.end == tok.start:
        if "." in prev.value and tok.value in ("mo", "y"):
            return "months and years must be whole numbers: 1mo, 2y"
        return UNITS_HINT
    if tok.type == "NOT":
        return "to test a list, write `x not in [a, b]`; to negate, put `not` first"
    if prev is not None and prev.type in ("NAME", "STRING") and tok.type in ("NAME", "STRING"):
        return "join conditions with `and` or `or`; quote text that contains spaces"
    return None
