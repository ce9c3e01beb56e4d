"""Input errors: a table the engine cannot use. Each message is `file:row:column: message`."""

from __future__ import annotations


class InputError(Exception):
    """The input is invalid (exit 1): every problem found, not just the first."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))
