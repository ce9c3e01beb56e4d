"""`rulekit explain POLICY EVENTS --customer ID`: one customer's path, step by step."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from rulekit.cli.common import policy_path_option
from rulekit.cli.engine_options import as_of_value, guarded


@click.command("explain")
@click.argument("policy")
@click.argument("events", type=click.Path(dir_okay=False))
@click.option("--customer", required=True, help="The customer id to follow.")
@click.option("--as-of", "as_of", metavar="T", help="Replay up to this instant (default: now).")
@click.option("--people", type=click.Path(dir_okay=False), help="People file.")
@click.option("--sheet", help="The XLSX sheet to read.")
@click.option("--skip-bad-rows", is_flag=True, help="Go on past malformed rows.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
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
        from rulekit import api
        from rulekit.engine import runner
        from rulekit.explain import Explanation
        from rulekit.tables import read_table

        compiled = api.load(policy, policy_path=policy_path)
        result = runner.replay(
            compiled,
            read_table(events, sheet=sheet),
            api._instant(as_of, compiled),
            people=read_table(people) if people else None,
            skip_bad_rows=skip_bad_rows,
            watch=customer,
        )
        assert result.world is not None
        return Explanation(customer, result, result.world.steps)

    explanation = guarded(work)
    if fmt == "json":
        sys.stdout.write(json.dumps(explanation.document(), ensure_ascii=False, indent=2) + "\n")
    else:
        click.echo("\n".join(explanation.lines()))
