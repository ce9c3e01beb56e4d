"""`rulekit serve POLICY`: the live decision service and its ledger (SQLite or Postgres)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from rulekit.cli.common import EXIT_INVALID, EXIT_USAGE, policy_path_option
from rulekit.cli.engine_options import PEOPLE, fail, guarded

T = TypeVar("T")

DB = click.option(
    "--db",
    "db",
    metavar="URL",
    help="The ledger: sqlite:///PATH or postgresql://user:password@host/name "
    "(default: sqlite:///rulekit.db in the current folder).",
)


def ledger_guarded(work: Callable[[], T]) -> T:
    """`guarded` plus the ledger's own errors: a message, a hint, an exit code; no traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    from rulekit.serve.auth import TokenFileError
    from rulekit.serve.database import DatabaseError
    from rulekit.serve.records import LedgerError

    def inner() -> T:
        try:
            return work()
        except DatabaseError as exc:
            fail([f"error: {exc.message}"], EXIT_USAGE, exc.hint)
        except TokenFileError as exc:
            fail([exc.message], EXIT_USAGE, exc.hint)
        except LedgerError as exc:
            fail([f"error: {exc.message}"], EXIT_INVALID, exc.hint)
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None)
            first = (str(orig) if orig is not None else str(exc)).splitlines()[0]
            fail(
                [f"error: the ledger's database: {first}"],
                EXIT_USAGE,
                "check --db: is the server running, the URL, user and password right?",
            )
        raise AssertionError("unreachable")  # pragma: no cover

    result: T = guarded(inner)
    return result


@click.command("serve")
@click.argument("policy")
@DB
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8321, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--tokens",
    type=click.Path(dir_okay=False),
    envvar="RULEKIT_TOKENS",
    help="CSV of token,actor,role (rep, admin or import); also RULEKIT_TOKENS.",
)
@PEOPLE
@click.option(
    "--max-body",
    default=1 << 20,
    show_default=True,
    type=click.IntRange(1024),
    help="Largest request body in bytes (larger: 413).",
)
@policy_path_option
def command(
    policy: str,
    db: str | None,
    host: str,
    port: int,
    tokens: str | None,
    people: str | None,
    max_body: int,
    policy_path: tuple[str, ...],
) -> None:
    """Serve decisions under POLICY over HTTP, keeping every decision in a ledger.

    Events posted to /v1/events are applied or refused at once, first come first served;
    timers fire at their due instants; /console is a small web console. See docs/serve.md.
    """
    import gc

    from rulekit import api
    from rulekit.serve.database import DEFAULT_URL, redact

    gc.enable()  # a long-running process: the one-command reason for turning it off is gone
    from rulekit.serve.server import Settings, prepare, run

    url = db or DEFAULT_URL
    settings = Settings(url, host, port, tokens, people, max_body)
    compiled = ledger_guarded(lambda: api.load(policy, policy_path=policy_path))

    def start() -> Any:
        ledger, known = prepare(compiled, settings)
        return ledger, known

    ledger, known = ledger_guarded(start)
    if not len(known):
        click.echo(
            "warning: no tokens (--tokens or RULEKIT_TOKENS): every request will get 401",
            err=True,
        )
    click.echo(
        f"rulekit serve: {compiled.id} {compiled.version} on http://{host}:{port} · "
        f"ledger {redact(url)} · seq {ledger.seq} · console http://{host}:{port}/console",
        err=True,
    )
    ledger.db.dispose()
    ledger_guarded(lambda: run(compiled, settings))
