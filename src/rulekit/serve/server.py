"""Opening a ledger (connect, migrate, check the policy) and running the service on uvicorn."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import select

from rulekit.serve import migrate
from rulekit.serve.auth import Tokens, read_tokens
from rulekit.serve.database import DEFAULT_URL, connect
from rulekit.serve.engine_bridge import CompiledPolicy, load_people, people_from_rows
from rulekit.serve.ledger import Ledger
from rulekit.serve.tables import meta


def open_ledger(
    url: str | None, people: str | None = None, admins: list[str] | None = None
) -> Ledger:
    """Connect to a ledger and bring its schema up to date (created on first use).

    Without a people file or admin tokens, the people the service last ran with (kept in the
    ledger) are used, so that `ledger export` and `deploy` see the same admins.

    Raises:
        DatabaseError: a bad URL or a missing folder. TableError/InputError: the people file.
    """
    db = connect(url or DEFAULT_URL)
    migrate.upgrade(db)
    if people is None and not admins:
        with db.connect() as conn:
            conn = conn.execution_options(reading=True)
            kept = conn.execute(select(meta.c.value).where(meta.c.key == "people")).scalar()
        if kept is not None:
            return Ledger(db, people_from_rows(orjson.loads(kept)))
    return Ledger(db, load_people(people, admins or []))


@dataclass(frozen=True, slots=True)
class Settings:
    """How `rulekit serve` runs."""

    url: str
    host: str = "127.0.0.1"
    port: int = 8321
    tokens: str | None = None
    people: str | None = None
    max_body: int = 1 << 20
    tick: float = 1.0


def prepare(policy: CompiledPolicy, settings: Settings) -> tuple[Ledger, Tokens]:
    """Read the tokens, open the ledger, record or check the policy, catch up."""
    tokens = read_tokens(settings.tokens) if settings.tokens else Tokens([])
    ledger = open_ledger(settings.url, settings.people, tokens.admins())
    ledger.start(policy)
    ledger.sync()  # timers that fell due while the service was down fire now, in order
    return ledger, tokens


def run(policy: CompiledPolicy, settings: Settings) -> None:
    """Serve until interrupted."""
    import uvicorn

    from rulekit.serve.app import Service, build

    ledger, tokens = prepare(policy, settings)
    service = Service(ledger, tokens, max_body=settings.max_body, tick=settings.tick)
    uvicorn.run(
        build(service),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
