"""`rulekit dry-run --baseline P1 --candidate P2 EVENTS`: what a policy change would have done."""

from __future__ import annotations

from typing import Any

import click

from rulekit.cli.common import lang_option, note_read, policy_path_option
from rulekit.cli.engine_options import (
    as_of_value,
    check_output,
    guarded,
    history_options,
    text_or_json,
    writing,
)
from rulekit.report import json_doc


@click.command("dry-run")
@click.option("--baseline", required=True, help="The policy in force (path or ID@MAJOR).")
@click.option("--candidate", required=True, help="The proposed policy (path or ID@MAJOR).")
@click.argument("events", type=click.Path(dir_okay=False))
@history_options
@lang_option
@text_or_json("json prints the dry-run document (docs/formats.md) on stdout and nothing else.")
@click.option("--html", "html", type=click.Path(dir_okay=False), help="Also write an HTML report.")
@click.option("--first", default=20, show_default=True, help="Changed customers shown in text.")
@policy_path_option
def command(
    baseline: str,
    candidate: str,
    events: str,
    as_of: str | None,
    people: str | None,
    sheet: str | None,
    skip_bad_rows: bool,
    fmt: str,
    html: str | None,
    first: int,
    policy_path: tuple[str, ...],
) -> None:
    """Replay EVENTS under the baseline and the candidate policy and report the differences:
    customers by state, refusals by reason, slots per rep, and every customer that ends in a
    different state or with a different owner."""
    as_of = as_of_value(as_of)
    check_output("--html", html, [baseline, candidate, events, people], [".html", ".htm"])

    def work() -> Any:
        from rulekit import api
        from rulekit.analysis.dryrun import dry_run
        from rulekit.tables import read_table
        from rulekit.tables.fastcsv import read_table_fast

        a = api.load(baseline, policy_path=policy_path)
        b = api.load(candidate, policy_path=policy_path)
        table = read_table_fast(events, sheet=sheet)
        note_read(table)
        return dry_run(
            a,
            b,
            table,
            api._instant(as_of, a),
            people=read_table(people) if people else None,
            skip_bad_rows=skip_bad_rows,
        )

    result = guarded(work)
    from rulekit.cli.common import CHOICES
    from rulekit.report.labels import Labels

    world = result.candidate.world
    labels = Labels(CHOICES.lang, result.candidate_policy, world.people if world else None)
    if html:
        from rulekit.report.html import write_html

        with writing(html):
            write_html(result, html, labels)
        click.echo(f"report: {html}", err=True)
    if fmt == "json":
        json_doc.write(result.document())
        return
    from rulekit.cli.common import console
    from rulekit.report.dryrun_text import render

    render(result, console(), first=first, labels=labels)
