"""Input errors: a table the engine cannot use. Each message is `file:row:column: message`."""

from __future__ import annotations


class InputError(Exception):
    """The input is invalid (exit 1): every problem found, not just the first.

    `bad_rows` is true when the problems are malformed rows (which `--skip-bad-rows` can step
    over); `hint` says how to fix the input.
    """

    def __init__(self, messages: list[str], *, bad_rows: bool = True, hint: str | None = None):
        self.messages = messages
        self.bad_rows = bad_rows
        self.hint = hint
        super().__init__("\n".join(messages))
