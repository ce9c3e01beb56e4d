"""`rulekit replay POLICY EVENTS --as-of T`: replay a history into a snapshot (docs/formats.md)."""

from __future__ import annotations

from typing import Any

import click

from rulekit.cli.common import policy_path_option
from rulekit.cli.engine_options import (
    SKIP_BAD_ROWS,
    as_of_value,
    check_output,
    emit,
    guarded,
    input_options,
    progress,
    replay_history,
    table_extensions,
)


@click.command("replay")
@click.argument("policy")
@click.argument("events", type=click.Path(dir_okay=False))
@input_options
@SKIP_BAD_ROWS
@policy_path_option
def command(
    policy: str,
    events: str,
    as_of: str | None,
    people: str | None,
    sheet: str | None,
    fmt: str,
    out: str | None,
    with_alerts: bool,
    with_fields: bool,
    raw_cells: bool,
    skip_bad_rows: bool,
    policy_path: tuple[str, ...],
) -> None:
    """Replay the EVENTS history under POLICY up to --as-of.

    Events are applied in time order (file order breaks ties); timers due at an instant fire
    before the events at that instant, and up to --as-of. Refused events are results, not
    failures (exit 0); malformed rows are input errors (exit 1) unless --skip-bad-rows.
    """
    as_of = as_of_value(as_of)
    check_output("--out", out, [policy, events, people], table_extensions())

    def work() -> Any:
        with progress("replaying", None, enabled=fmt == "text") as tick:
            return replay_history(
                policy,
                events,
                as_of=as_of,
                people=people,
                sheet=sheet,
                skip_bad_rows=skip_bad_rows,
                policy_path=policy_path,
                progress=tick,
            )

    result = guarded(work)
    emit(result, fmt, out, with_alerts, with_fields, raw_cells=raw_cells)
