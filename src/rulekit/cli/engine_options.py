"""What `replay`, `run` and `explain` share: reading inputs, reporting input errors, outputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from rulekit.cli.common import (
    EXIT_INVALID,
    EXIT_USAGE,
    focus_options,
    lang_option,
    note_read,
    stderr_is_tty,
    verbose_option,
)
from rulekit.report import json_doc

F = TypeVar("F", bound=Callable[..., Any])


AS_OF = click.option(
    "--as-of",
    "as_of",
    metavar="T",
    help="The instant to evaluate at (ISO 8601; a bare date is 00:00 in the policy's "
    "timezone). Default: now.",
)
PEOPLE = click.option(
    "--people",
    type=click.Path(dir_okay=False),
    help="People file: id, name, team, role (rep or admin).",
)
SHEET = click.option("--sheet", help="The XLSX sheet to read (default: the first).")
RAW_CELLS = click.option(
    "--raw-cells",
    "raw_cells",
    is_flag=True,
    help="Write CSV/TSV cells exactly as they are: no leading ' before cells a spreadsheet "
    "would run as formulas (=, +, -, @, tab, CR).",
)
SKIP_BAD_ROWS = click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Report malformed rows as refusals with reason bad_row and go on.",
)


def text_or_json(
    help: str = "json prints one document on stdout and nothing else.",
) -> Callable[[F], F]:
    """--format text|json."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help,
    )


def _apply(fn: F, options: list[Any]) -> F:
    for option in reversed(options):
        fn = option(fn)
    return fn


def history_options(fn: F) -> F:
    """--as-of, --people, --sheet, --skip-bad-rows: what every replaying command reads."""
    return _apply(fn, [AS_OF, PEOPLE, SHEET, SKIP_BAD_ROWS, verbose_option])


def input_options(fn: F) -> F:
    """--as-of, --people, --sheet, --format, --out, --alerts (replay and run)."""
    return _apply(
        fn,
        [
            AS_OF,
            PEOPLE,
            SHEET,
            text_or_json("json prints the document of docs/formats.md on stdout and nothing else."),
            click.option(
                "--out",
                type=click.Path(dir_okay=False),
                help="Also write the customer table to FILE (.csv, .xlsx, .parquet, .jsonl).",
            ),
            RAW_CELLS,
            click.option(
                "--alerts",
                "with_alerts",
                is_flag=True,
                help="Add the rules' alerts to the JSON document (a top-level `alerts` list).",
            ),
            click.option(
                "--fields",
                "with_fields",
                is_flag=True,
                help="Add each customer's policy fields to the JSON document (`fields`).",
            ),
            verbose_option,
            lang_option,
            focus_options,
        ],
    )


def replay_history(
    policy: str,
    events: str,
    *,
    as_of: str | None,
    people: str | None,
    sheet: str | None,
    skip_bad_rows: bool,
    policy_path: tuple[str, ...],
    watch: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Load a policy and the tables named on the command line, and replay them."""
    from rulekit import api
    from rulekit.engine import runner
    from rulekit.tables import read_table
    from rulekit.tables.fastcsv import read_table_fast

    compiled = api.load(policy, policy_path=policy_path)
    table = read_table_fast(events, sheet=sheet)
    note_read(table)
    return runner.replay(
        compiled,
        table,
        api._instant(as_of, compiled),
        people=read_table(people) if people else None,
        skip_bad_rows=skip_bad_rows,
        watch=watch,
        progress=progress,
    )


def fail(messages: list[str], code: int, hint: str | None = None) -> None:
    """Print problems to stderr and exit with `code`."""
    from rulekit.safeio import printable

    for message in messages:  # data quoted in a message never drives the terminal
        click.echo("\n".join(printable(line) for line in message.split("\n")), err=True)
    if hint:
        click.echo(f"hint: {printable(hint)}", err=True)
    raise SystemExit(code)


def guarded(work: Callable[[], Any]) -> Any:
    """Run `work`, turning policy, table and input errors into messages and exit codes."""
    from rulekit.api import PolicyError
    from rulekit.engine.input.errors import InputError
    from rulekit.report.diagnostics import to_text
    from rulekit.tables import TableError

    try:
        return work()
    except PolicyError as exc:
        click.echo(to_text(exc.diagnostics), err=True)
        unreadable = any(d.code == "RK001" for d in exc.diagnostics)
        raise SystemExit(EXIT_USAGE if unreadable else EXIT_INVALID) from None
    except TableError as exc:
        fail([f"{exc.path}: {exc.message}"], EXIT_USAGE, exc.hint)
    except InputError as exc:
        n = len(exc.messages)
        if exc.bad_rows:
            fail(
                [*exc.messages, f"{n} bad row{'s' if n != 1 else ''}; nothing was replayed"],
                EXIT_INVALID,
                exc.hint
                or "fix the rows, or pass --skip-bad-rows to report them as `bad_row` and go on",
            )
        fail(exc.messages, EXIT_INVALID, exc.hint)
    except ValueError as exc:  # a bad --as-of
        fail([f"error: {exc}"], EXIT_USAGE)


def as_of_value(text: str | None) -> str | None:
    """Validate --as-of early so a typo is a usage error (exit 2)."""
    if text is None:
        return None
    from datetime import UTC

    from rulekit.timeutil import parse_instant

    try:
        parse_instant(text, UTC)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None
    return text


def check_output(
    option: str,
    path: str | None,
    inputs: Iterable[str | None],
    extensions: Iterable[str] | None = None,
) -> None:
    """Refuse, before any work, an output that cannot be written: an extension not in
    `extensions`, a missing or read-only folder, or one of the `inputs` (same file, by inode).
    A usage error: exit 2."""
    if path is None:
        return
    from rulekit.safeio import output_problem

    problem = output_problem(path, [p for p in inputs if p], extensions)
    if problem is not None:
        raise click.BadParameter(f"{path}: {problem}", param_hint=option)


def table_extensions() -> list[str]:
    """The extensions --out may have."""
    from rulekit.tables.writer import WRITE_FORMATS

    return list(WRITE_FORMATS)


@contextmanager
def writing(path: str) -> Iterator[None]:
    """Turn a failure to write `path` (a full disk, a folder gone) into a message and exit 2."""
    from rulekit.tables import TableError

    try:
        yield
    except TableError as exc:
        fail([f"{exc.path}: {exc.message}"], EXIT_USAGE, exc.hint)
    except OSError as exc:
        fail([f"{path}: cannot write the file ({exc.strerror or exc})"], EXIT_USAGE)


def emit(
    result: Any,
    fmt: str,
    out: str | None,
    with_alerts: bool = False,
    with_fields: bool = False,
    *,
    raw_cells: bool = False,
) -> None:
    """Print a result as text or JSON, and write --out: the customers, or the alerts and
    refused events for a file named for alerts (`--out alerts.xlsx`)."""
    if out:
        from rulekit.report.alerts import wants_alerts

        if wants_alerts(out) and result.world is not None:
            from rulekit.report.alerts import write

            labels = report_labels(result)
            with writing(out):
                n, m = write(result, out, labels, raw_cells=raw_cells)
            click.echo(labels.t("exported", n=n, m=m, path=out), err=True)
        else:
            from rulekit.report.tables import write_customers

            with writing(out):
                write_customers(result, out, raw_cells=raw_cells)
            click.echo(f"wrote {result.customer_count:,} customers to {out}", err=True)
    if fmt == "json":
        doc = result.document(fields=with_fields, lazy=True)  # written a chunk at a time
        if with_alerts:
            doc["alerts"] = [
                {"customer": a.customer, "rule": a.rule, "level": a.level, "message": a.message}
                | ({"group": a.group} if a.group is not None else {})
                for a in result.alerts
            ]
        json_doc.write(doc)
        return
    from rulekit.cli.common import CHOICES, console
    from rulekit.report.text import Focus, render

    focus = Focus(CHOICES.reps, CHOICES.states, CHOICES.limit, labels=report_labels(result))
    render(result, console(), focus)


def report_labels(result: Any) -> Any:
    """The Labels of a result's report: --lang, its policy's names, its people's names."""
    from rulekit.cli.common import CHOICES
    from rulekit.report.labels import Labels

    world = result.world
    program = world.program if world is not None else result.program
    people = world.people if world is not None else result.people
    return Labels(CHOICES.lang, program.policy if program is not None else None, people)


@contextmanager
def progress(
    label: str, total: int | None, *, enabled: bool
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar on stderr, when enabled and stderr is a terminal."""
    if not enabled or not stderr_is_tty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, all_: bar.update(task, completed=done, total=all_)
