"""`rulekit sweep POLICY EVENTS --vary PATH=VALUES ...`: many candidate policies, one history."""

from __future__ import annotations

from typing import Any

import click

from rulekit.cli.common import EXIT_INVALID, EXIT_USAGE, policy_path_option
from rulekit.cli.engine_options import as_of_value, guarded, history_options, progress, text_or_json
from rulekit.cli.main import Interrupted

EXIT_INTERRUPTED = 130


@click.command("sweep")
@click.argument("policy")
@click.argument("events", type=click.Path(dir_okay=False))
@click.option(
    "--vary",
    "vary",
    multiple=True,
    required=True,
    metavar="PATH=VALUES",
    help="An entry of the resolved policy and its values: quota.limit=30,40,50 or "
    "transitions.lapse.after=30d..120d/15d, or a JSON list for values with commas: "
    'quota.holds_slot=\'["state in [D, C]", "state in [D]"]\' '
    "(repeatable; the grid is their product).",
)
@history_options
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Local worker processes (default: one per core; 1 runs in this process).",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Run the candidates on the Dask scheduler at ADDRESS (tcp://host:8786).",
)
@text_or_json("json prints the sweep document on stdout and nothing else.")
@click.option("--html", "html", type=click.Path(dir_okay=False), help="Also write an HTML report.")
@click.option(
    "--rank-by",
    "rank_by",
    metavar="EXPR",
    help="Rank candidates by an expression of objectives, higher first: -lapses, "
    "expected_signings - 0.1*refused.",
)
@policy_path_option
def command(
    policy: str,
    events: str,
    vary: tuple[str, ...],
    as_of: str | None,
    people: str | None,
    sheet: str | None,
    skip_bad_rows: bool,
    workers: int | None,
    cluster: str | None,
    fmt: str,
    html: str | None,
    rank_by: str | None,
    policy_path: tuple[str, ...],
) -> None:
    """Replay EVENTS under POLICY and under every candidate of a grid: the policy with the
    --vary entries set, each combination in turn. The history is read once and shared by
    every candidate; candidates run on local worker processes or on a Dask cluster. Prints
    each candidate's states, refusals, lapses, expected signings and customers changed
    against POLICY, best first under --rank-by. A candidate whose values make the policy
    invalid is reported with its diagnostics; the others still run."""
    as_of = as_of_value(as_of)
    if workers is not None and cluster is not None:
        raise click.UsageError("give --workers or --cluster, not both")
    prepared = guarded(
        lambda: _prepare(policy, events, vary, as_of, people, sheet, rank_by, policy_path)
    )
    baseline, table, folks, axes, ranking, instant = prepared
    done = [0, 0]

    def work() -> Any:
        from rulekit.sweep.run import sweep

        with progress("candidates", None, enabled=True) as bar:

            def tick(n: int, total: int) -> None:
                done[:] = [n, total]
                if bar is not None:
                    bar(n, total)

            return sweep(
                baseline,
                table,
                instant,
                axes,
                people=folks,
                skip_bad_rows=skip_bad_rows,
                workers=workers,
                cluster=cluster,
                rank_by=ranking,
                progress=tick,
                starting=lambda n: click.echo(
                    f"rulekit: starting {n} local Dask workers; Ctrl-C cancels", err=True
                ),
                started=lambda n: click.echo(
                    f"rulekit: {n} Dask workers up; Ctrl-C cancels", err=True
                ),
            )

    try:
        result = guarded(work)
    except (KeyboardInterrupt, Interrupted):  # Ctrl-C: `main` turns SIGINT into Interrupted
        click.echo(
            f"rulekit: sweep cancelled ({done[0]} of {done[1] or '?'} candidates done); "
            "workers stopped, no result written",
            err=True,
        )
        raise SystemExit(EXIT_INTERRUPTED) from None
    except OSError as exc:  # a cluster that cannot be reached, or local workers not started
        where = f"--cluster {cluster}" if cluster else "local workers"
        click.echo(f"error: {where}: {exc}", err=True)
        hint = (
            "start a scheduler with `dask scheduler` and workers with `dask worker ADDRESS`; "
            "see docs/sweep.md"
            if cluster
            else "run the candidates in this process with --workers 1"
        )
        click.echo(f"hint: {hint}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    _report_invalid(result, axes)
    if html:
        from rulekit.sweep.html import write_html

        write_html(result, html)
        click.echo(f"report: {html}", err=True)
    if fmt == "json":
        from rulekit.report import json_doc

        json_doc.write(result.document())
    else:
        from rich.console import Console

        from rulekit.sweep.text import render

        render(result, Console(highlight=False))
    if result.rows and not any(r.valid for r in result.rows):
        raise SystemExit(EXIT_INVALID)


def _prepare(
    policy: str,
    events: str,
    vary: tuple[str, ...],
    as_of: str | None,
    people: str | None,
    sheet: str | None,
    rank_by: str | None,
    policy_path: tuple[str, ...],
) -> Any:
    """The baseline, the tables, the axes and the ranking; option errors exit 2 with a hint."""
    from rulekit import api
    from rulekit.sweep.errors import OptionError
    from rulekit.sweep.run import axes, ranking
    from rulekit.tables import read_table
    from rulekit.tables.fastcsv import read_table_fast

    baseline = api.load(policy, policy_path=policy_path)
    try:
        grid_axes = axes(baseline, vary)
        rank = ranking(baseline, rank_by)
    except OptionError as exc:
        for line in exc.lines():
            click.echo(line, err=True)
        raise SystemExit(EXIT_USAGE) from None
    table = read_table_fast(events, sheet=sheet)
    folks = read_table(people) if people else None
    return baseline, table, folks, grid_axes, rank, api._instant(as_of, baseline)


def _report_invalid(result: Any, axes: Any) -> None:
    """Each distinct diagnostic of the invalid candidates once, pointing into its --vary."""
    from rulekit.report.diagnostics import read_line, to_text

    bad = result.invalid
    if not bad:
        return
    sources = {a.source.name: a.source.text for a in axes}

    def lines(file: str, line: int) -> str | None:
        return sources[file] if file in sources else read_line(file, line)

    seen: dict[tuple[Any, ...], Any] = {}
    for row in bad:
        for d in row.diagnostics:
            seen.setdefault((d.code, d.message, d.span), d)
    click.echo(to_text(list(seen.values()), lines=lines), err=True)
    click.echo(
        f"{len(bad)} of {len(result.rows)} candidates are invalid policies; "
        "they are listed with null results",
        err=True,
    )
