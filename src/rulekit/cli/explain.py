"""`rulekit explain POLICY EVENTS --customer ID`: one customer's path, step by step."""

from __future__ import annotations

from typing import Any

import click

from rulekit.cli.common import EXIT_INVALID, lang_option, policy_path_option
from rulekit.cli.engine_options import (
    as_of_value,
    guarded,
    history_options,
    replay_history,
    text_or_json,
)
from rulekit.report import json_doc


@click.command("explain")
@click.argument("policy")
@click.argument("events", type=click.Path(dir_okay=False))
@click.option("--customer", required=True, help="The customer id to follow.")
@history_options
@lang_option
@text_or_json()
@policy_path_option
def command(
    policy: str,
    events: str,
    customer: str,
    as_of: str | None,
    people: str | None,
    sheet: str | None,
    skip_bad_rows: bool,
    fmt: str,
    policy_path: tuple[str, ...],
) -> None:
    """Replay EVENTS under POLICY and show every event and timer of one customer: the
    transition taken or the reason it was refused, values set, slots, and the next timer."""
    as_of = as_of_value(as_of)

    def work() -> Any:
        from rulekit.analysis.explain import Explanation

        result = replay_history(
            policy,
            events,
            as_of=as_of,
            people=people,
            sheet=sheet,
            skip_bad_rows=skip_bad_rows,
            policy_path=policy_path,
            watch=customer,
        )
        assert result.world is not None
        return Explanation(customer, result, result.world.steps)

    explanation = guarded(work)
    if not explanation.steps and explanation.final() is None:
        unknown(customer, explanation.result)
    if fmt == "json":
        json_doc.write(explanation.document())
    else:
        from rulekit.cli.engine_options import report_labels

        click.echo("\n".join(explanation.lines(report_labels(explanation.result))))


def unknown(customer: str, result: Any) -> None:
    """No event names `customer`: exit 1, naming the closest id (case ignored first)."""
    import difflib

    from rulekit.cli.engine_options import fail

    ids = sorted(
        {c.customer for c in result.customers} | {r.customer for r in result.rejected if r.customer}
    )
    lowered = {c.lower(): c for c in ids}
    match = lowered.get(customer.lower())
    if match is None:
        close = difflib.get_close_matches(customer, ids, n=1, cutoff=0.5)
        match = close[0] if close else None
    message = f"no customer {customer} in the history"
    if match is not None:
        message += f"; did you mean {match}?"
    elif ids:
        message += f" (its {len(ids):,} customers run from {ids[0]} to {ids[-1]})"
    fail([message], EXIT_INVALID)
