"""Exit codes, whether the streams are terminals, and `echo` as click writes: no click here,
so that `rulekit validate` can run without importing it (`rulekit.cli.fast`)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def stderr_is_tty() -> bool:
    """True when messages go to a terminal (colour and progress bars are welcome)."""
    return sys.stderr.isatty() and os.environ.get("NO_COLOR") is None


def stdout_is_tty() -> bool:
    """True when stdout is a terminal."""
    return sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def plain_stream(stream: object) -> bool:
    """True when `stream` is a UTF-8 text stream, which `click.echo` writes to as it is (an
    ASCII one it wraps in a UTF-8 writer; others are left to click too)."""
    import codecs
    import io

    if not isinstance(stream, io.TextIOWrapper) or stream.errors is None:
        return False
    try:
        return codecs.lookup(stream.encoding).name == "utf-8"
    except LookupError:
        return False


def echo(message: str, err: bool = False) -> None:
    """`click.echo(message, err=err)` on a plain stream (see `plain_stream`): the message and
    a newline, without colour codes unless the stream is a terminal, flushed."""
    stream: TextIO = sys.stderr if err else sys.stdout
    out = message + "\n"
    if "\033" in out and not _isatty(stream):
        import re

        out = re.sub(r"\033\[[0-?]*[ -/]*[@-~]", "", out)  # click's strip_ansi
    stream.write(out)
    stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except Exception:  # noqa: BLE001 - click's isatty: a stream that cannot tell is not one
        return False


class Pacified:
    """What click's main puts in place of stdout and stderr after a broken pipe: `flush`
    ignores EPIPE (at exit Python flushes them), everything else is the stream's."""

    def __init__(self, wrapped: TextIO) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        import errno

        try:
            self.wrapped.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, attr: str) -> object:
        return getattr(self.wrapped, attr)
