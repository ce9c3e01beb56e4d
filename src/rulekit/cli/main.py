"""The `rulekit` console script: `rulekit validate` with plain arguments runs without click
(`rulekit.cli.fast`), everything else through the click group of `rulekit.cli.group`."""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import Any, NoReturn


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. A BaseException that is not a KeyboardInterrupt, so click
    does not turn it into `Aborted!` and exit 1, and every `with` block on the way out (the
    atomic writer's among them) cleans up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: polars' jemalloc: freed pages go back to the system at once (see `main`)
ALLOCATOR = ("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise Interrupted(signum)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that flushing it at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> Any:
    """Entry point of the `rulekit` console script.

    The process runs one command and exits: Python's cyclic garbage collector would only
    walk, again and again, the millions of objects a large replay keeps alive until the end
    (a tenth of a 1M-event replay's time). Reference counting still frees what is dropped.

    Polars' memory allocator (jemalloc) is told to give the pages polars frees back to the
    system at once (`ALLOCATOR`, unless the environment sets `_RJEM_MALLOC_CONF` itself): by
    default it keeps them for ten seconds, for polars alone, and a replay's peak memory held
    the frames it had read and let go (70 MB of 310 at 100k customers, 220 of 720 MB at 1M
    events). The setting is read when polars loads, after this; the sweep's workers inherit it.

    Ctrl-C (SIGINT) exits 130 and SIGTERM 143, after removing any half-written file; a failure
    to write stdout (a full disk, a closed pipe) is a message on stderr and exit 2.
    """
    gc.disable()
    os.environ.setdefault(*ALLOCATOR)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    code: Any = 0
    try:
        try:
            code = _run(argv)
        except SystemExit as exc:
            code = exc.code
        sys.stdout.flush()
    except Interrupted as exc:
        _silence_stdout()
        sys.stderr.write("\nrulekit: interrupted; nothing was written\n")
        raise SystemExit(128 + exc.signum) from None
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(EXIT_USAGE) from None
    except OSError as exc:
        _silence_stdout()
        sys.stderr.write(f"rulekit: cannot write the output ({exc.strerror or exc})\n")
        raise SystemExit(EXIT_USAGE) from None
    raise SystemExit(code)


EXIT_USAGE = 2


def _run(argv: Sequence[str] | None) -> Any:
    """Run the command: `rulekit validate` with plain arguments by the fast path (it raises
    SystemExit), anything else by click."""
    from rulekit.cli import fast

    fast.validate(sys.argv[1:] if argv is None else argv)
    from rulekit.cli.group import cli

    return cli.main(args=argv, prog_name="rulekit")


def __getattr__(name: str) -> Any:
    """`cli`, `COMMANDS` and `LazyGroup` are `rulekit.cli.group`'s (imported when asked for,
    so that the fast path does not import click)."""
    if name in ("cli", "COMMANDS", "LazyGroup"):
        from rulekit.cli import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    main()
