"""`rulekit deploy NEW_POLICY --db URL [--yes]`: dry-run the ledger under a new policy, switch."""

from __future__ import annotations

import sys
from typing import Any

import click

from rulekit.cli.common import policy_path_option
from rulekit.cli.engine_options import PEOPLE, text_or_json
from rulekit.cli.serve import DB, ledger_guarded


@click.command("deploy")
@click.argument("new_policy")
@DB
@PEOPLE
@click.option("--yes", is_flag=True, help="Switch the ledger to NEW_POLICY after the dry run.")
@text_or_json("json prints the dry-run document on stdout and nothing else.")
@policy_path_option
def command(
    new_policy: str,
    db: str | None,
    people: str | None,
    yes: bool,
    fmt: str,
    policy_path: tuple[str, ...],
) -> None:
    """Replay the ledger's own history under the policy in force and under NEW_POLICY, print
    the differences, and with --yes make NEW_POLICY the policy in force from now on.

    Live customers are carried over as they are; their timers are recomputed from
    `state_since` under the new durations; the log names the version of every later entry.
    """
    from rulekit import api
    from rulekit.serve import deploy
    from rulekit.serve.engine_bridge import render_dry_run
    from rulekit.serve.server import open_ledger

    def work() -> tuple[Any, Any, Any]:
        compiled = api.load(new_policy, policy_path=policy_path)
        ledger = open_ledger(db, people)
        return ledger, compiled, deploy.dry_run(ledger, compiled)

    ledger, compiled, report = ledger_guarded(work)
    text = render_dry_run(report, fmt)
    (sys.stdout.write if fmt == "json" else click.echo)(text)
    if not yes:
        click.echo("dry run only: nothing changed (add --yes to switch)", err=True)
        return
    done = ledger_guarded(lambda: deploy.switch(ledger, compiled))
    click.echo(
        f"switched to {compiled.id} {compiled.version} (policy #{done.number}) from seq "
        f"{done.from_seq:,}; {done.customers:,} customers carried over",
        err=True,
    )
