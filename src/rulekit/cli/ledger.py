"""`rulekit ledger init|import|export|status`: the service's ledger from the command line."""

from __future__ import annotations

import json
import sys

import click

from rulekit.cli.common import policy_path_option
from rulekit.cli.engine_options import PEOPLE, SHEET, text_or_json
from rulekit.cli.serve import DB, ledger_guarded


@click.group("ledger")
def command() -> None:
    """Create, fill, export and inspect the ledger of `rulekit serve`."""


@command.command("init")
@DB
def init(db: str | None) -> None:
    """Create the ledger's tables (or bring them up to date)."""
    from rulekit.serve import migrate
    from rulekit.serve.database import DEFAULT_URL, connect, redact

    def work() -> bool:
        return migrate.upgrade(connect(db or DEFAULT_URL))

    done = ledger_guarded(work)
    state = "created" if done else "already up to date"
    click.echo(f"ledger {redact(db or DEFAULT_URL)}: schema {migrate.head()} {state}", err=True)


@command.command("import")
@click.argument("policy")
@click.argument("events", type=click.Path(dir_okay=False))
@DB
@PEOPLE
@SHEET
@policy_path_option
def import_(
    policy: str,
    events: str,
    db: str | None,
    people: str | None,
    sheet: str | None,
    policy_path: tuple[str, ...],
) -> None:
    """Append a history file's EVENTS to the ledger, decided under POLICY.

    The events go in time order after the ledger's last entry; refused events are logged
    with their reason, timers due between them fire and are logged.
    """
    from rulekit import api
    from rulekit.serve.history import Imported, import_history
    from rulekit.serve.server import open_ledger

    def work() -> Imported:
        compiled = api.load(policy, policy_path=policy_path)
        ledger = open_ledger(db, people)
        ledger.start(compiled)
        return import_history(ledger, events, sheet)

    done = ledger_guarded(work)
    click.echo(
        f"imported {done.events:,} events ({done.applied:,} applied, {done.refused:,} refused);"
        f" the log ends at seq {done.last_seq:,}",
        err=True,
    )


@command.command("export")
@DB
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE (default: stdout).")
@click.option(
    "--people-out",
    type=click.Path(dir_okay=False),
    help="Also write the people the service runs with (for `rulekit replay --people`).",
)
def export(db: str | None, out: str | None, people_out: str | None) -> None:
    """Write the log's events as an event history CSV that `rulekit replay` reads."""
    from rulekit.serve.history import export_people, export_rows, write_csv
    from rulekit.serve.server import open_ledger

    def work() -> str:
        ledger = open_ledger(db)
        columns, rows = export_rows(ledger)
        text = write_csv(out, columns, rows)
        if people_out:
            write_csv(people_out, *export_people(ledger))
        if out:
            click.echo(f"wrote {len(rows):,} events to {out}", err=True)
        return text

    text = ledger_guarded(work)
    if not out:
        sys.stdout.write(text)


@command.command("status")
@DB
@text_or_json()
def status(db: str | None, fmt: str) -> None:
    """Show the policy versions, the log's length and the current state's size."""
    from rulekit.serve.database import DEFAULT_URL, redact
    from rulekit.serve.history import status as read_status
    from rulekit.serve.server import open_ledger

    found = ledger_guarded(lambda: read_status(open_ledger(db)))
    if fmt == "json":
        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=2) + "\n")
        return
    click.echo(f"ledger   {redact(db or DEFAULT_URL)}")
    for v in found["policies"]:
        click.echo(
            f"policy   #{v['number']} {v['id']} {v['version']} from seq {v['from_seq']} "
            f"(deployed {v['deployed_at']})"
        )
    e = found["entries"]
    click.echo(
        f"log      seq {found['seq']:,} · {e['event']:,} events ({found['refused']:,} refused)"
        f" · {e['timer']:,} timers · {e['rule']:,} rule actions · last {found['last_at'] or '—'}"
    )
    click.echo(f"state    {found['customers']:,} customers · {found['reps']:,} reps")
