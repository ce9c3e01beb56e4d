"""`rulekit validate FILE... [--format F] [--strict]` without click: most of the start-up of
a plain validation was importing click and building its commands (docs/performance.md).

`read` accepts only the plainest arguments; anything else (another command, `--help`,
`--watch`, `--policy-path`, `--`, an unknown option, a missing value, no file) is left to
click, as are streams click would rewrap (`rulekit.cli.terminal.plain_stream`) and shell
completion. What the fast path prints and its exit code are click's (tests compare the two).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

FORMATS = ("text", "json", "github", "gitlab")
#: the variable that asks click for shell completion (`_RULEKIT_COMPLETE=bash_source`)
COMPLETE_VAR = "_RULEKIT_COMPLETE"


def read(args: Sequence[str]) -> tuple[tuple[str, ...], str, bool] | None:
    """(files, format, strict) of `validate` arguments click would read the same way, or None
    to let click read them."""
    if len(args) < 2 or args[0] != "validate":
        return None
    files: list[str] = []
    fmt, strict = "text", False
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--strict":
            strict = True
        elif arg == "--format":
            fmt = next(rest, "")
            if fmt not in FORMATS:
                return None
        elif arg.startswith("--format="):
            fmt = arg.removeprefix("--format=")
            if fmt not in FORMATS:
                return None
        elif arg.startswith("-"):
            return None
        else:
            files.append(arg)
    return (tuple(files), fmt, strict) if files else None


def validate(args: Sequence[str]) -> None:
    """Run `rulekit validate` if `read` accepts `args` (raises SystemExit with its exit code);
    return without doing anything otherwise."""
    from rulekit.cli.terminal import plain_stream

    found = read(args)
    if found is None or COMPLETE_VAR in os.environ:
        return
    if not (plain_stream(sys.stdout) and plain_stream(sys.stderr)):
        return
    from rulekit.cli.terminal import Pacified, echo
    from rulekit.cli.validate_run import run

    files, fmt, strict = found
    try:
        run(files, fmt, strict, (), echo)
    except OSError as exc:  # as click's main: a closed pipe ends the command quietly, exit 1
        import errno

        if exc.errno != errno.EPIPE:
            raise
        sys.stdout, sys.stderr = Pacified(sys.stdout), Pacified(sys.stderr)
        raise SystemExit(1) from None
