"""Who is who: reps and admins, and their teams (the optional people file).

Without a people file, the actor `admin` is the one admin and everyone else is a rep of no
team. With one, an actor it does not list is a rep, and `admin` is an admin only if listed so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

_NONE: Mapping[str, str | None] = MappingProxyType({})

ROLES = ("rep", "admin")


@dataclass(frozen=True, slots=True)
class Person:
    """One row of the people file."""

    id: str
    name: str | None
    team: str | None
    role: str
    attributes: Mapping[str, str | None] = field(default_factory=lambda: _NONE)  # other columns


@dataclass(slots=True)
class People:
    """The people of a run."""

    listed: dict[str, Person] = field(default_factory=dict)
    from_file: bool = False

    def is_admin(self, actor: str | None) -> bool:
        """True if `actor` acts as an admin."""
        if actor is None:
            return False
        if not self.from_file:
            return actor == "admin"
        person = self.listed.get(actor)
        return person is not None and person.role == "admin"

    def team(self, rep: str) -> str | None:
        """The rep's team, if the people file gives one."""
        person = self.listed.get(rep)
        return person.team if person is not None else None

    def view(self, who: str | None) -> dict[str, Any] | None:
        """`person(who)` as conditions read it: id, name, team, role, admin and the people
        file's other columns; None for nobody. An actor the file does not list is a rep."""
        if who is None:
            return None
        person = self.listed.get(who)
        if person is None:
            return {"id": who, "name": None, "team": None, "role": "rep",
                    "admin": self.is_admin(who)}  # fmt: skip
        return {
            **person.attributes,
            "id": person.id,
            "name": person.name,
            "team": person.team,
            "role": person.role,
            "admin": person.role == "admin",
        }

    def reps(self) -> list[str]:
        """The reps the people file lists."""
        return [p.id for p in self.listed.values() if p.role == "rep"]
