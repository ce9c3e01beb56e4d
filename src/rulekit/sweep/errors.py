"""A usage error in a sweep's option text (`--vary`, `--rank-by`), with the column it is at."""

from __future__ import annotations

from rulekit.source import caret_line


class OptionError(ValueError):
    """`text` given to `option` is wrong at columns [column, end) (1-based, code points)."""

    def __init__(
        self,
        option: str,
        text: str,
        column: int,
        message: str,
        *,
        end: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.option, self.text, self.column = option, text, max(1, column)
        self.end = max(self.column + 1, end if end is not None else self.column + 1)
        self.message, self.hint = message, hint
        super().__init__(f"{option} (column {self.column}): {message}")

    def lines(self) -> list[str]:
        """The message, the option's text with a caret under the fault, and the hint."""
        out = [
            f"error: {self.option} (column {self.column}): {self.message}",
            f"  | {self.text}",
            f"  | {caret_line(self.text, self.column, self.end - self.column)}",
        ]
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out
