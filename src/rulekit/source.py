"""Source text and positions: spans, line/column lookup, and carets that stay right under CJK text.

Columns are 1-based and count code points (as the JSON output promises); only the caret drawn
under a source line accounts for display width (an East Asian wide character is two columns).
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass

from rulekit.record import Record


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based line and column of its start and end (end exclusive)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def shifted(self, line: int, column: int, end_line: int, end_column: int) -> Span:
        """Return a span in the same file at the given positions."""
        return Span(self.file, line, column, end_line, end_column)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class SourceText(Record):
    """The text of one file with a line index, to turn offsets into line and column."""

    __slots__ = ("name", "text", "_starts")
    unshown = ("_starts",)

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        starts = [0]
        found = self.text.find("\n")
        while found >= 0:
            starts.append(found + 1)
            found = self.text.find("\n", found + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based (line, column) of a code-point offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        """Return the span of the code-point offsets [start, end)."""
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end))
        return Span(self.name, line, col, end_line, end_col)

    def line_text(self, line: int) -> str:
        """Return the text of a 1-based line, without its line break."""
        if line < 1 or line > len(self._starts):
            return ""
        start = self._starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)].rstrip("\r")


def display_width(text: str) -> int:
    """Return how many terminal columns `text` takes (wide and full-width characters count 2)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def caret_line(line_text: str, column: int, length: int = 1) -> str:
    """Return the spaces and carets that underline `length` characters from 1-based `column`.

    Tabs are kept as tabs so the caret lines up whatever the terminal's tab width is.
    """
    before = line_text[: max(0, column - 1)]
    pad = "".join("\t" if ch == "\t" else " " * display_width(ch) for ch in before)
    marked = line_text[max(0, column - 1) : max(0, column - 1) + max(1, length)]
    width = max(1, display_width(marked)) if marked else 1
    return pad + "^" * width
