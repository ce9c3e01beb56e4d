"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from rulekit.cli.terminal import EXIT_INVALID as EXIT_INVALID
from rulekit.cli.terminal import EXIT_OK as EXIT_OK
from rulekit.cli.terminal import EXIT_USAGE as EXIT_USAGE
from rulekit.cli.terminal import stderr_is_tty as stderr_is_tty
from rulekit.cli.terminal import stdout_is_tty as stdout_is_tty

F = TypeVar("F", bound=Callable[..., Any])


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


_VERBOSE: list[bool] = [False]


def _set_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    _VERBOSE[0] = bool(value)


def verbose_option(fn: F) -> F:
    """`-v`: say how each input table was read (its encoding and delimiter)."""
    return click.option(
        "-v",
        "--verbose",
        is_flag=True,
        expose_value=False,
        callback=_set_verbose,
        help="Say how each input file was read: its encoding and delimiter, its rows.",
    )(fn)


def note_read(table: Any) -> None:
    """With -v: `crm.csv: GB18030, separated by `;`, 2,615 data rows` on stderr."""
    if not _VERBOSE[0]:
        return
    from rulekit.tables.header import delimiter_name

    parts = []
    encoding = getattr(table, "encoding", None)
    if encoding:
        parts.append(_ENCODINGS.get(encoding, encoding))
    delimiter = getattr(table, "delimiter", None)
    if delimiter:
        parts.append(f"separated by {delimiter_name(delimiter)}")
    sheet = getattr(table, "sheet", None)
    if sheet:
        parts.append(f"sheet {sheet}")
    frame = getattr(table, "frame", None)
    rows = frame.height if frame is not None else len(getattr(table, "rows", []))
    parts.append(f"{rows:,} data rows")
    click.echo(f"{table.path}: read as {', '.join(parts)}", err=True)


_ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a BOM",
    "utf-16": "UTF-16 (with its BOM)",
    "gb18030": "GB18030",
}


@dataclass(slots=True)
class ReportChoices:
    """How a text or HTML report is shown: --lang, --width, --rep, --state, --limit."""

    lang: str | None = None
    width: int | None = None
    reps: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    limit: int = 5


CHOICES = ReportChoices()


def _choose(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        setattr(CHOICES, name, tuple(value) if isinstance(value, tuple | list) else value)

    return store


LANG_HELP = (
    "The report's language: zh or en (default: RULEKIT_LANG, else the system's locale). "
    "State and stage names come from the policy."
)
WIDTH_HELP = (
    "Wrap text at N columns (default: the terminal's width, else COLUMNS, else 80 when piped)."
)


def lang_option(fn: F) -> F:
    """`--lang zh|en` and `--width N`: every text and HTML report."""
    fn = click.option(
        "--width", type=click.IntRange(40, 400), metavar="N", expose_value=False,
        callback=_choose("width"), help=WIDTH_HELP,
    )(fn)  # fmt: skip
    return click.option(
        "--lang", type=click.Choice(["zh", "en"]), expose_value=False,
        callback=_choose("lang"), help=LANG_HELP,
    )(fn)  # fmt: skip


def focus_options(fn: F) -> F:
    """`--rep`, `--state`, `--limit`: what the text report of replay and run shows."""
    fn = click.option(
        "--limit", type=click.IntRange(1), default=5, show_default=True, expose_value=False,
        callback=_choose("limit"), help="Customers shown per rep in run's pursuit list.",
    )(fn)  # fmt: skip
    fn = click.option(
        "--state", "states", multiple=True, expose_value=False, callback=_choose("states"),
        help="Show only customers in STATE (repeatable).",
    )(fn)  # fmt: skip
    return click.option(
        "--rep", "reps", multiple=True, expose_value=False, callback=_choose("reps"),
        help="Show only REP's row, customers and alerts (repeatable).",
    )(fn)  # fmt: skip


def text_width() -> int | None:
    """--width, else COLUMNS, else None on a terminal (rich measures it), else 80."""
    if CHOICES.width:
        return CHOICES.width
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) >= 20:
        return int(columns)
    return None if sys.stdout.isatty() else 80


def console() -> Any:
    """A rich Console on stdout at the chosen width."""
    from rich.console import Console

    return Console(highlight=False, width=text_width())
