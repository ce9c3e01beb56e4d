"""What the policy says about each event type, worked out once per run for the replay loop.

The refusal checks of rulekit.engine.replay depend on the event type, the customer's state,
whether the actor is an admin and whether the actor owns the customer. Everything that
depends on the type alone, or on the type and the state, is decided here once: the loop then
reads booleans instead of walking transitions and role sets for every event.
"""

from __future__ import annotations

from dataclasses import dataclass

from rulekit.engine.core.program import START, Move, Program


@dataclass(frozen=True, slots=True)
class Roles:
    """A set of roles (`by`), ready to check: `free[admin]` says whether an admin (True) or a
    rep (False) passes whoever owns the customer; `owner` whether the owner passes."""

    free: tuple[bool, bool]
    owner: bool

    @classmethod
    def of(cls, roles: frozenset[str]) -> Roles:
        """The check for `roles` (anyone, admin, rep, owner)."""
        anyone = "anyone" in roles
        return cls((anyone or "rep" in roles, anyone or "admin" in roles), "owner" in roles)

    def allow(self, actor: str, admin: bool, owner: str | None) -> bool:
        """True if `actor` matches one of the roles for a customer owned by `owner`."""
        return self.free[admin] or (self.owner and owner is not None and owner == actor)


@dataclass(frozen=True, slots=True)
class Option:
    """A transition an event may take from one state, with its role check."""

    move: Move
    roles: Roles


@dataclass(frozen=True, slots=True)
class EventPlan:
    """The checks of one event type, in the order of rulekit.engine.replay's reasons."""

    kind: str
    decides: str | None  # "grant" or "deny" for an event that decides a pending claim
    unknown_if_new: bool  # refused as unknown_customer when the customer is not known
    duplicate_if_known: bool  # refused as duplicate_customer when it is
    roles: Roles  # who may send it at all
    role_reason: str | None  # the reason when `roles` refuses: not_admin, not_owner or none
    only_public: bool  # every transition leaves a public state: not_public elsewhere
    waits: bool  # a transition needs approval: claim_pending while a claim waits
    promotes: bool
    names_target: bool  # the event `needs` a `to` (its target is a rep of the run)
    options: dict[str, tuple[Option, ...]]  # state (START for a new customer) -> transitions


def plan(program: Program, kind: str) -> EventPlan:
    """The plan of event type `kind` (a type the policy does not know gets one too)."""
    moves = program.moves_by_event.get(kind, [])
    decides = program.decides.get(kind)
    roles = program.approver_roles if decides else program.event_roles.get(kind, frozenset())
    if roles == {"admin"}:
        role_reason: str | None = "not_admin"
    elif "owner" in roles:
        role_reason = "not_owner"
    else:
        role_reason = None
    public = program.public_states
    options = {
        state: tuple(Option(m, Roles.of(m.roles)) for m in moves if state in m.sources)
        for state in {s for m in moves for s in m.sources}
    }
    return EventPlan(
        kind=kind,
        decides=decides,
        unknown_if_new=bool(decides) or not any(START in m.sources for m in moves),
        duplicate_if_known=bool(moves) and all(m.sources == {START} for m in moves),
        roles=Roles.of(roles),
        role_reason=role_reason,
        only_public=bool(moves) and all(m.sources <= public for m in moves),
        waits=any(m.approval for m in moves),
        promotes=kind in program.promotes,
        names_target="to" in program.needs.get(kind, ()),
        options=options,
    )


def plans(program: Program) -> dict[str, EventPlan]:
    """The plan of every event type of the policy."""
    return {kind: plan(program, kind) for kind in program.moves_by_event.keys() | program.decides}
