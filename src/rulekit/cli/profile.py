"""`rulekit profile POLICY INPUT --as-of T`: each rep's capability profile against the targets."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from rulekit.cli.common import EXIT_INVALID, EXIT_USAGE, policy_path_option
from rulekit.cli.engine_options import (
    AS_OF,
    PEOPLE,
    SHEET,
    SKIP_BAD_ROWS,
    as_of_value,
    fail,
    guarded,
    text_or_json,
)


@click.command("profile")
@click.argument("policy")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@AS_OF
@PEOPLE
@SHEET
@SKIP_BAD_ROWS
@click.option(
    "--input",
    "kind",
    type=click.Choice(["auto", "history", "records"]),
    default="auto",
    show_default=True,
    help="What INPUT is: an event history (replayed), a snapshot of records (evaluated; "
    "promotions from the *_at dates), or auto: a history if it has `at` and `type` columns, "
    "a snapshot if it has `customer` and `state`.",
)
@click.option(
    "--cycles",
    "before",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also profile the N cycles before the one ending at --as-of.",
)
@click.option("--rep", help="Profile this rep only (and the rep's team).")
@text_or_json("json prints the profile document (docs/profile.md) on stdout and nothing else.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Also write the profile as a table: .xlsx, .csv, .tsv, .jsonl or .parquet.",
)
@click.option("--html", "html", type=click.Path(dir_okay=False), help="Also write an HTML report.")
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    help="Labels in English or Chinese (default: RULEKIT_LANG, else the locale, else en).",
)
@policy_path_option
def command(
    policy: str,
    input_path: str,
    as_of: str | None,
    people: str | None,
    sheet: str | None,
    skip_bad_rows: bool,
    kind: str,
    before: int,
    rep: str | None,
    fmt: str,
    out: str | None,
    html: str | None,
    lang: str | None,
    policy_path: tuple[str, ...],
) -> None:
    """Profile each rep's capability: promotions per stage in the policy's cycle ending at
    --as-of (and the --cycles N before it) against the stages' target counts, stage-to-stage
    conversion against the target reach, median days between promotions against the target
    days, and the weakest capability; per rep, per team (--people) and for all reps.

    A cycle holds the instants t with start < t <= end, in the policy's timezone.
    """
    as_of = as_of_value(as_of)

    def work() -> Any:
        from rulekit import api

        return api.profile(
            policy,
            input_path,
            as_of=as_of,
            people=people,
            cycles=before,
            rep=rep,
            kind=kind,
            lang=lang,
            skip_bad_rows=skip_bad_rows,
            policy_path=policy_path,
            sheet=sheet,
        )

    from rulekit.profile.build import ProfileError

    try:
        report = guarded(work)
    except ProfileError as exc:
        fail([f"error: {exc.message}"], EXIT_INVALID if exc.invalid else EXIT_USAGE, exc.hint)
    _write(report, out, html)
    if fmt == "json":
        from rulekit.profile.document import document

        sys.stdout.write(json.dumps(document(report), ensure_ascii=False, indent=2) + "\n")
        return
    from rich.console import Console

    from rulekit.profile.text import lines

    console = Console(highlight=False, soft_wrap=True)
    for text in lines(report):
        console.print(text)


def _write(report: Any, out: str | None, html: str | None) -> None:
    from pathlib import Path

    from rulekit.tables import TableError

    for target in (out, html):
        if target and not Path(target).resolve().parent.is_dir():
            fail(
                [f"{target}: cannot write: the folder {Path(target).parent} does not exist"],
                EXIT_USAGE,
                "create the folder first, or write the file somewhere else",
            )
    try:
        if out:
            from rulekit.profile.sheet import write_sheet

            n = write_sheet(report, out)
            click.echo(f"wrote {n:,} rows to {out}", err=True)
        if html:
            from rulekit.profile.html import write_html

            write_html(report, html)
            click.echo(f"report: {html}", err=True)
    except TableError as exc:
        fail([f"{exc.path}: {exc.message}"], EXIT_USAGE, exc.hint)
    except Exception as exc:  # OSError, or a writer's own error (xlsxwriter's FileCreateError)
        fail(
            [f"{out or html}: cannot write: {getattr(exc, 'strerror', None) or exc}"],
            EXIT_USAGE,
            "check that the folder is writable and the file is not open in another program",
        )
