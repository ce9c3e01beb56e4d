"""An event of a history, as the engine applies it: when, to which customer, what, by whom."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})


class Event:
    """One event of a history."""

    __slots__ = ("row", "at", "customer", "type", "actor", "stage", "to", "fields")

    def __init__(
        self,
        row: int,
        at: datetime,
        customer: str,
        type: str,
        actor: str,
        stage: str | None = None,
        to: str | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        self.row = row
        self.at = at
        self.customer = customer
        self.type = type
        self.actor = actor
        self.stage = stage
        self.to = to
        self.fields: Mapping[str, Any] = fields or _NO_FIELDS

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the constructor's arguments (a sweep ships a parsed log to its workers)."""
        fields = dict(self.fields) if self.fields else None
        args = (self.row, self.at, self.customer, self.type, self.actor, self.stage, self.to)
        return (Event, (*args, fields))

    def as_mapping(self) -> dict[str, Any]:
        """`event.*` as conditions read it: the core columns and the declared fields (a new
        dict: an Env keeps it while it evaluates, the event does not, to stay small)."""
        return {
            **self.fields,
            "row": self.row,
            "at": self.at,
            "customer": self.customer,
            "type": self.type,
            "actor": self.actor,
            "stage": self.stage,
            "to": self.to,
        }

    def __repr__(self) -> str:
        return f"<Event row {self.row} {self.at:%Y-%m-%d %H:%M} {self.type} {self.customer}>"
