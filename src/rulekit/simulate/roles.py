"""What each event of a policy is for in the simulation (archive, promote, claim, renew...),
read from the policy's transitions rather than assumed."""

from __future__ import annotations

from dataclasses import dataclass, field

from rulekit.engine.core.program import START, Program


@dataclass(slots=True)
class Roles:
    """What each event of the policy is for, read from its transitions."""

    create_rep: str | None = None  # archive by a rep
    create_admin: str | None = None  # archive into the pool by an admin
    promote: str | None = None
    release: str | None = None
    claim: str | None = None
    claim_needs_approval: bool = False
    grant: str | None = None
    deny: str | None = None
    renew: str | None = None
    publish: dict[str, str] = field(default_factory=dict)  # lapsed state -> admin event
    reassign: str | None = None
    activity: str | None = None
    presale: frozenset[str] = frozenset()
    signed: frozenset[str] = frozenset()
    public: frozenset[str] = frozenset()
    renew_span: float = 60.0  # days a signed customer stays renewable
    admin_only: tuple[str, ...] = ()
    others: tuple[str, ...] = ()


def read_roles(program: Program) -> Roles:
    r = Roles(public=program.public_states)
    by_event = program.moves_by_event
    events = sorted(by_event)
    r.admin_only = tuple(e for e in events if program.event_roles.get(e) == frozenset({"admin"}))
    promotes = sorted(program.promotes & set(by_event))
    r.promote = promotes[0] if promotes else None
    presale: set[str] = set()
    sign_targets: set[str] = set()
    for e in promotes:
        for m in by_event[e]:
            presale |= m.sources - {START}
    for e in promotes:
        for m in by_event[e]:
            if m.target is not None and m.target not in presale:
                sign_targets.add(m.target)
    r.presale = frozenset(presale)
    used: set[str] = set(promotes)
    for e in events:
        moves = by_event[e]
        if e in program.decides or e in used:
            continue
        roles = program.event_roles.get(e, frozenset())
        if any(START in m.sources for m in moves):
            if any(m.roles & {"rep", "anyone"} for m in moves):
                r.create_rep = r.create_rep or e
            if any("admin" in m.roles for m in moves):
                r.create_admin = r.create_admin or e
            used.add(e)
        elif "to" in program.needs.get(e, ()) and r.reassign is None:
            r.reassign = e
            used.add(e)
        elif all(m.target is None for m in moves) and roles & {"anyone", "owner", "rep"}:
            if r.activity is None and not program.needs.get(e):
                r.activity = e
                used.add(e)
        elif all(m.sources <= r.public for m in moves) and roles & {"rep", "anyone"}:
            if r.claim is None:
                r.claim = e
                r.claim_needs_approval = any(m.approval for m in moves)
                used.add(e)
        elif any(m.sources & presale and m.target in r.public for m in moves):
            if r.release is None and roles & {"owner", "rep", "anyone"}:
                r.release = e
                used.add(e)
    for e, decision in sorted(program.decides.items()):
        if decision == "grant" and r.grant is None:
            r.grant = e
        elif decision == "deny" and r.deny is None:
            r.deny = e
        used.add(e)
    # signed states: from the signing targets, by timers and owner events, outside the pool
    signed: set[str] = set()
    todo = sorted(sign_targets)
    while todo:
        s = todo.pop()
        if s in signed or s in r.public or s in presale:
            continue
        signed.add(s)
        nxt = [m.target for m in program.timers_from.get(s, ()) if m.target]
        for e in events:
            if e in used and e != r.renew:
                continue
            for m in by_event[e]:
                if s in m.sources and m.target and "owner" in m.roles:
                    nxt.append(m.target)
        todo.extend(sorted(t for t in nxt if t is not None))
    r.signed = frozenset(signed)
    for e in events:
        if e in used:
            continue
        moves = by_event[e]
        if any(m.sources & signed and m.target in signed and "owner" in m.roles for m in moves):
            r.renew = e
            used.add(e)
            break
    # lapsed states: the only event way forward is an admin's
    for s in program.states:
        outs = [
            (e, m)
            for e in events
            for m in by_event[e]
            if s in m.sources and m.target is not None and m.target != s
        ]
        if outs and all(m.roles == frozenset({"admin"}) for _, m in outs):
            if s not in presale and s not in r.public:
                r.publish[s] = sorted(e for e, _ in outs)[0]
                used.update(e for e, _ in outs)
    r.others = tuple(e for e in events if e not in used)
    # how long a signed customer stays renewable: follow the timers through renewable states
    renew_from: frozenset[str] = frozenset()
    if r.renew:
        renew_from = frozenset().union(*(m.sources for m in by_event[r.renew]))
    span, state, seen = 0.0, sorted(sign_targets)[0] if sign_targets else None, set()
    while state is not None and state in renew_from and state not in seen:
        seen.add(state)
        timers = program.timers_from.get(state, ())
        if not timers or timers[0].after is None:
            span += 60.0
            break
        span += timers[0].after.approx_days
        state = timers[0].target
    r.renew_span = span or 60.0
    return r
