"""What the ledger writes and answers: errors, posted events and their outcomes, instants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.engine import Row

from rulekit.serve.engine_bridge import CompiledPolicy, Event


class LedgerError(Exception):
    """The ledger cannot do what was asked: a message and a hint (no traceback for users)."""

    def __init__(self, message: str, hint: str | None = None, code: str = "ledger") -> None:
        super().__init__(message)
        self.message, self.hint, self.code = message, hint, code


class OutOfOrder(LedgerError):
    """A posted `at` is before the last entry of the log (nothing was written)."""


@dataclass(frozen=True, slots=True)
class Posted:
    """An event to write: its text cells (for the log and exports) and its parsed form."""

    cells: Mapping[str, str | None]  # customer, type, actor, stage, to and other fields
    event: Event
    at: datetime | None = None  # given by an import; None: the service's clock


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a posted event."""

    seq: int
    at: datetime
    applied: bool
    reason: str | None
    customer: dict[str, Any] | None


def utc(at: datetime) -> str:
    """The log's form of an instant: ISO 8601 in UTC, to the second (sorts as text)."""
    return at.astimezone(UTC).isoformat(timespec="seconds")


def from_utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def now_s() -> datetime:
    """The service's clock, to the second (the precision of exported instants)."""
    return datetime.now(UTC).replace(microsecond=0)


def policy_source(compiled: CompiledPolicy) -> tuple[str, str]:
    """(name, text) of the policy file a compiled policy was loaded from."""
    name = compiled.files[0]
    return name, Path(name).read_text(encoding="utf-8")


@dataclass(slots=True)
class Pending:
    """A request waiting for the group commit."""

    posted: list[Posted]
    now: datetime | None
    outcomes: list[Outcome] = field(default_factory=list)
    error: BaseException | None = None
    done: bool = False


CORE_CELLS = ("at", "customer", "type", "actor", "stage", "to")


def cells_of(row: Row[Any]) -> dict[str, str | None]:
    """An event entry of the log as the text cells of a history row."""
    out: dict[str, str | None] = {
        "at": row.at,
        "customer": row.customer,
        "type": row.type,
        "actor": row.actor,
        "stage": row.stage,
        "to": row.target,
    }
    out.update(orjson.loads(row.fields))
    return out
