"""`rulekit run POLICY RECORDS --as-of T`: evaluate a snapshot of records (docs/formats.md)."""

from __future__ import annotations

from typing import Any

import click

from rulekit.cli.common import note_read, policy_path_option
from rulekit.cli.engine_options import (
    as_of_value,
    check_output,
    emit,
    guarded,
    input_options,
    table_extensions,
)
from rulekit.report.alerts import wants_alerts


@click.command("run")
@click.argument("policy")
@click.argument("records", type=click.Path(dir_okay=False))
@input_options
@click.option(
    "--engine",
    type=click.Choice(["row", "columnar", "auto"]),
    default="auto",
    show_default=True,
    help="auto: polars where it can, the row engine elsewhere; columnar: the same, with a "
    "note on stderr when it falls back; row: one customer at a time.",
)
@policy_path_option
def command(
    policy: str,
    records: str,
    as_of: str | None,
    people: str | None,
    sheet: str | None,
    fmt: str,
    out: str | None,
    with_alerts: bool,
    with_fields: bool,
    raw_cells: bool,
    engine: str,
    policy_path: tuple[str, ...],
) -> None:
    """Evaluate the RECORDS snapshot under POLICY at --as-of.

    Fires the timers due by --as-of, then computes each customer's stage, priority, overdue
    days, next timer and violations, and each rep's slots, expected signings and funnel.
    """
    as_of = as_of_value(as_of)
    check_output("--out", out, [policy, records, people], table_extensions())

    if engine != "row" and (with_alerts or (out and wants_alerts(out))):
        # every alert with its message: the row engine's per-customer state
        if engine == "columnar":
            click.echo("rulekit: the alerts use the row engine", err=True)
        engine = "row"

    def work(engine: str) -> Any:
        from rulekit import api
        from rulekit.tables import read_table
        from rulekit.tables.fastcsv import read_table_fast

        table = (read_table if engine == "row" else read_table_fast)(records, sheet=sheet)
        note_read(table)
        return api.run(
            policy,
            table,
            as_of=as_of,
            people=people,
            policy_path=policy_path,
            sheet=sheet,
            engine=engine,
        )

    def text_work() -> Any:
        """The text report counts the alerts: with polars where it can (see
        engine/columnar/alerts.py), else with the row engine."""
        from rulekit.engine.columnar.alerts import NotColumnar

        result = work(engine)
        if result.world is None:
            try:
                result.alert_stubs()
            except NotColumnar as exc:
                if engine == "columnar":
                    click.echo(f"rulekit: the alerts use the row engine ({exc})", err=True)
                return work("row")
        return result

    result = guarded(text_work if fmt == "text" else lambda: work(engine))
    emit(result, fmt, out, with_alerts, with_fields, raw_cells=raw_cells)
