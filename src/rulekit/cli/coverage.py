"""`rulekit coverage POLICY EVENTS`: the transitions and rules a real history exercises."""

from __future__ import annotations

from typing import Any

import click

from rulekit.cli.common import lang_option, policy_path_option
from rulekit.cli.engine_options import (
    as_of_value,
    guarded,
    history_options,
    replay_history,
    text_or_json,
)
from rulekit.report import json_doc


@click.command("coverage")
@click.argument("policy")
@click.argument("events", type=click.Path(dir_okay=False))
@history_options
@lang_option
@text_or_json()
@policy_path_option
def command(
    policy: str,
    events: str,
    as_of: str | None,
    people: str | None,
    sheet: str | None,
    skip_bad_rows: bool,
    fmt: str,
    policy_path: tuple[str, ...],
) -> None:
    """Replay EVENTS under POLICY and list, for each transition, the times it was taken and
    refused, and for each rule the times it fired (an action ran or an alert was raised at
    --as-of); then those the history never exercises. Exit 0 whatever the coverage."""
    as_of = as_of_value(as_of)

    def work() -> Any:
        from rulekit.analysis.coverage import Coverage

        result = replay_history(
            policy,
            events,
            as_of=as_of,
            people=people,
            sheet=sheet,
            skip_bad_rows=skip_bad_rows,
            policy_path=policy_path,
        )
        cov = Coverage.of(result.world.program.policy)
        cov.add(result)
        return result, cov

    result, cov = guarded(work)
    if fmt == "json":
        doc = {"as_of": result.iso(result.as_of), "counts": result.document()["counts"]}
        doc.update(cov.document())
        json_doc.write(doc)
        return
    from rulekit.testing.compare import short_instant

    click.echo(
        f"{cov.policy_id} {cov.version} over {events} as of "
        f"{short_instant(result.iso(result.as_of) or '')}: {result.counts_line()}"
    )
    click.echo("")
    width = max([len("transition"), *(len(t) for t in cov.transitions)])
    click.echo(f" {'transition':<{width}}  {'taken':>7}  {'refused':>7}")
    for t in cov.transitions:
        taken, refused = cov.taken.get(t, 0), cov.refused.get(t, 0)
        mark = "   never taken" if not taken else ""
        click.echo(f" {t:<{width}}  {taken:>7,}  {refused:>7,}{mark}")
    from rulekit.cli.engine_options import report_labels

    click.echo(refusals_line(result, sum(cov.refused.values()), report_labels(result)))
    if cov.rules:
        click.echo("")
        width = max([len("rule"), *(len(r) for r in cov.rules)])
        click.echo(f" {'rule':<{width}}  {'fired':>7}")
        for r in cov.rules:
            if not cov.rules_tracked:
                click.echo(f" {r:<{width}}  {'?':>7}")
                continue
            n = cov.times_fired(r)
            click.echo(f" {r:<{width}}  {n:>7,}{'   never fired' if not n else ''}")
    click.echo("")
    click.echo(cov.transitions_line())
    click.echo(cov.rules_line())


def refusals_line(result: Any, by_transition: int, labels: Any) -> str:
    """What the refused column counts, and every refusal of the replay by reason."""

    total = len(result.rejected)
    line = (
        f" refused: {by_transition:,} of the {total:,} refused events would have taken a "
        f"transition above; {total - by_transition:,} matched none"
    )
    if total:
        reasons = sorted(result.rejected.reasons().items(), key=_most)
        line += "\n refused by reason: " + " · ".join(
            f"{labels.reason(k)} {n:,}" for k, n in reasons
        )
    return line


def _most(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]
