"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def policy_path_option(fn: F) -> F:
    """`--policy-path DIR` (repeatable): where `ID@MAJOR` references are looked up."""
    return click.option(
        "--policy-path",
        "policy_path",
        multiple=True,
        type=click.Path(file_okay=False),
        help="Directory to search for policies named as ID@MAJOR (repeatable); "
        "RULEKIT_POLICY_PATH is searched after these.",
    )(fn)


def stderr_is_tty() -> bool:
    """True when messages go to a terminal (colour and progress bars are welcome)."""
    return sys.stderr.isatty() and os.environ.get("NO_COLOR") is None


def stdout_is_tty() -> bool:
    """True when stdout is a terminal."""
    return sys.stdout.isatty() and os.environ.get("NO_COLOR") is None
