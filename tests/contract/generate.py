"""Seeded random histories and snapshots for the contract checker.

`gen_case(seed)` returns a `Case`: a replay case (an event CSV, an optional people CSV, an
as-of) or a run case (a records CSV, an as-of), under the default policy or an overlay. The
histories are driven by the reference engine's live state so that they hit every row of the
contract's section 2 table, every refusal reason, timer boundaries (events and as-of exactly at
a due instant, events exactly at and after as-of), quota edges (small limits), reassign edge
cases, pending claims, release/publish/re-claim cycles and `activity`.

With `ambiguous=False` the generator avoids the inputs whose expected result rests on an open
point of the contract (bad rows with --skip-bad-rows, snapshot records with missing dates).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from tests.contract.reference import (
    PRESALE,
    RECORD_COLUMNS,
    STAGES,
    TARGET_DAYS,
    TZ,
    Engine,
    Policy,
    fmt,
    parse_instant,
)

EVENT_HEADER = ["at", "customer", "type", "actor", "stage", "to"]


@dataclass
class Case:
    seed: int
    kind: str  # "replay" or "run"
    policy: Policy
    table: str  # CSV text (events or records)
    as_of: str
    people: str | None = None
    skip_bad_rows: bool = False
    expect_invalid: bool = False  # malformed rows without --skip-bad-rows: exit 1
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        p = self.policy
        pol = "default" if p.is_default else f"overlay{p}"
        extra = " people" if self.people else ""
        extra += " skip-bad-rows" if self.skip_bad_rows else ""
        extra += " expect-exit-1" if self.expect_invalid else ""
        extra += f" format={self.table_format}"
        return f"seed={self.seed} {self.kind} {pol} as_of={self.as_of}{extra}"

    @property
    def table_format(self) -> str:
        from tests.contract.harness import TABLE_FORMATS

        return TABLE_FORMATS[self.seed % len(TABLE_FORMATS)] if self.seed >= 0 else "csv"


# --------------------------------------------------------------------------- spellings


def spell(t: datetime, rng: random.Random) -> str:
    """One of the spellings the contract allows for instant `t`."""
    local = t.astimezone(TZ)
    utc = t.astimezone(UTC)
    options: list[str] = []
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        options += [local.strftime("%Y-%m-%d")] * 2
    if local.second == 0:
        options += [
            local.strftime("%Y-%m-%dT%H:%M"),
            local.strftime("%Y-%m-%d %H:%M"),
            local.strftime("%Y-%m-%dT%H:%M+08:00"),
            utc.strftime("%Y-%m-%dT%H:%MZ"),
        ]
    options += [
        local.strftime("%Y-%m-%dT%H:%M:%S"),
        local.strftime("%Y-%m-%d %H:%M:%S"),
        local.strftime("%Y-%m-%d %H:%M:%S"),
        local.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        utc.strftime("%Y-%m-%d %H:%M:%S+00:00"),
        t.astimezone(timezone(timedelta(hours=9))).strftime("%Y-%m-%dT%H:%M:%S+09:00"),
    ]
    s = rng.choice(options)
    assert parse_instant(s) == t, (s, t)
    return s


def to_csv(header: list[str], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in header})
    return buf.getvalue()


def customer_ids(rng: random.Random, n: int) -> list[str]:
    """Distinct customer ids, sometimes in styles that expose non-string sorting/reading."""
    style = rng.choice(["plain", "plain", "mixed", "numeric"])
    out: list[str] = []
    while len(out) < n:
        k = len(out) + 1
        if style == "plain":
            cid = f"c{k:03d}"
        elif style == "numeric":
            cid = rng.choice([str(k), f"{k:04d}", str(k * 10)])
        else:
            cid = rng.choice([f"c{k}", f"C{k}", f"客户{k}", f"0{k}", f"x-{k}"])
        if cid not in out:
            out.append(cid)
    return out


def pick_policy(rng: random.Random) -> Policy:
    r = rng.random()
    if r < 0.35:
        return Policy()
    if r < 0.65:
        return Policy(
            id="checker-overlay",
            quota_limit=rng.choice([2, 3, 3, 4]),
            claim_approval=False,
            deliver_days=20,
            redeliver_days=20,
            lapse_days=60,
        )
    if r < 0.85:
        return Policy(id="checker-overlay", quota_limit=rng.choice([3, 4, 5]))
    return Policy(
        id="checker-overlay",
        quota_limit=rng.choice([3, 50]),
        deliver_days=rng.choice([20, 30]),
        redeliver_days=rng.choice([20, 10]),
        lapse_days=rng.choice([60, 90]),
        claim_approval=rng.random() < 0.5,
    )


# --------------------------------------------------------------------------- histories


def _next_dues(eng: Engine) -> list[datetime]:
    out = []
    for c in eng.customers.values():
        nd = eng.next_due(c)
        if nd is not None:
            out.append(nd[1])
    return sorted(out)


def gen_history(seed: int, ambiguous: bool = True) -> Case:
    rng = random.Random(seed)
    policy = pick_policy(rng)
    n_reps = rng.randint(3, 8)
    reps = [rng.choice(["r", "rep", "销售"]) + str(i) for i in range(1, n_reps + 1)]
    reps = list(dict.fromkeys(reps))
    n_customers = rng.randint(5, 60)
    n_events = rng.randint(20, 400)
    ids = customer_ids(rng, n_customers + 5)
    pool_ids, ghost_ids = ids[:n_customers], ids[n_customers:]

    # people: none, or a table with its own admins (and `admin` listed as admin, rep, or not)
    people_rows: list[dict[str, str]] | None = None
    admins = {"admin"}
    admin_actors = ["admin"]
    if rng.random() < 0.4:
        people_rows = [{"id": r, "name": r.upper(), "team": "t1", "role": "rep"} for r in reps]
        people_rows.append({"id": "idle-rep", "name": "Idle", "team": "t2", "role": "rep"})
        people_rows.append({"id": "mgr", "name": "Manager", "team": "", "role": "admin"})
        admins = {"mgr"}
        how = rng.choice(["admin", "rep", "absent"])
        if how != "absent":
            people_rows.append({"id": "admin", "name": "Admin", "team": "", "role": how})
        if how == "admin":
            admins.add("admin")
        admin_actors = sorted(admins)
        rng.shuffle(people_rows)
    # actors that are "admin" by name but a rep under this people file
    fake_admins = ["admin"] if "admin" not in admins else []

    eng = Engine(policy, admins)
    t = datetime(rng.choice([2025, 2026]), rng.randint(1, 12), rng.randint(1, 28), tzinfo=TZ)
    if rng.random() < 0.5:
        t += timedelta(hours=rng.randint(8, 18), minutes=rng.choice([0, 0, 15, 30, 45]))
    rows: list[dict[str, Any]] = []
    next_new = 0

    def rep() -> str:
        return rng.choice(reps + fake_admins)

    def admin() -> str:
        return rng.choice(admin_actors)

    def anyone() -> str:
        return rng.choice(reps + admin_actors + ["outsider"])

    for _ in range(n_events):
        # --- time step
        r = rng.random()
        dues = [d for d in _next_dues(eng) if d >= t]
        if r < 0.12 and dues:
            t = rng.choice(dues[:3])  # exactly at a timer's due instant
        elif r < 0.22:
            pass  # same instant as the previous event
        elif r < 0.75:
            t += timedelta(minutes=rng.randint(1, 600))
        elif r < 0.92:
            t += timedelta(days=rng.randint(1, 12), seconds=rng.choice([0, 0, 0, 17]))
        else:
            t += timedelta(days=rng.randint(15, 100))
        eng.fire_timers(t)

        # --- pick an event
        cs = list(eng.customers.values())
        by_state: dict[str, list[Any]] = {}
        for c in cs:
            by_state.setdefault(c.state, []).append(c)
        presale = [c for c in cs if c.state in PRESALE]
        signed = [c for c in cs if c.state in ("OD", "O+", "R")]
        public = by_state.get("L", [])
        pending = [c for c in cs if c.pending is not None]
        ev: dict[str, Any] = {"stage": "", "to": ""}
        choices = [
            ("archive", 14 if next_new < len(pool_ids) else 1),
            ("archive_dup", 1),
            ("claim", 6 if public else 0),
            ("claim_odd", 1),
            ("decide", 5 if pending else 0),
            ("decide_odd", 1),
            ("promote", 22 if presale else 0),
            ("promote_odd", 3),
            ("renew", 5 if signed else 0),
            ("renew_odd", 1),
            ("release", 4 if presale else 0),
            ("release_odd", 1),
            ("publish", 5 if by_state.get("E") else 0),
            ("publish_odd", 1),
            ("reassign", 4),
            ("activity", 4),
            ("unknown", 1),
        ]
        kind = rng.choices([k for k, _ in choices], [w for _, w in choices])[0]
        known = cs or None
        if kind == "archive" or not known:
            if next_new < len(pool_ids):
                cid = pool_ids[next_new]
                next_new += 1
            else:
                cid = rng.choice(pool_ids)
            ev.update(type="archive", customer=cid, actor=rep() if rng.random() < 0.7 else admin())
        elif kind == "archive_dup":
            ev.update(type="archive", customer=rng.choice(cs).id, actor=anyone())
        elif kind == "claim":
            c = rng.choice(public)
            actor = rep() if rng.random() < 0.9 else admin()
            ev.update(type="claim", customer=c.id, actor=actor)
        elif kind == "claim_odd":
            ev.update(type="claim", customer=rng.choice(cs).id, actor=anyone())
        elif kind == "decide":
            c = rng.choice(pending)
            actor = admin() if rng.random() < 0.85 else rep()
            ev.update(type=rng.choice(["approve", "approve", "reject"]), customer=c.id, actor=actor)
        elif kind == "decide_odd":
            # approve/reject by a rep when claims need no approval: an open point
            actor = anyone() if (ambiguous or policy.claim_approval) else admin()
            ev.update(
                type=rng.choice(["approve", "reject"]), customer=rng.choice(cs).id, actor=actor
            )
        elif kind == "promote":
            c = rng.choice(presale)
            i = c.stage_index()
            stage = STAGES[min(i + 1, 4)]
            actor = c.owner if (c.owner and rng.random() < 0.9) else anyone()
            ev.update(type="promote", customer=c.id, actor=actor, stage=stage)
        elif kind == "promote_odd":
            c = rng.choice(cs)
            actor = c.owner if (c.owner and rng.random() < 0.6) else anyone()
            ev.update(type="promote", customer=c.id, actor=actor, stage=rng.choice(STAGES))
        elif kind == "renew":
            c = rng.choice(signed)
            actor = c.owner if (c.owner and rng.random() < 0.9) else anyone()
            ev.update(type="renew", customer=c.id, actor=actor)
        elif kind == "renew_odd":
            c = rng.choice(cs)
            ev.update(type="renew", customer=c.id, actor=c.owner or anyone())
        elif kind == "release":
            c = rng.choice(presale)
            r2 = rng.random()
            actor = (c.owner or rep()) if r2 < 0.6 else (admin() if r2 < 0.85 else rep())
            ev.update(type="release", customer=c.id, actor=actor)
        elif kind == "release_odd":
            c = rng.choice(cs)
            ev.update(type="release", customer=c.id, actor=rng.choice([c.owner or rep(), admin()]))
        elif kind == "publish":
            c = rng.choice(by_state["E"])
            ev.update(type="publish", customer=c.id, actor=admin() if rng.random() < 0.9 else rep())
        elif kind == "publish_odd":
            ev.update(type="publish", customer=rng.choice(cs).id, actor=anyone())
        elif kind == "reassign":
            c = rng.choice(cs)
            r2 = rng.random()
            if r2 < 0.15 and c.owner:
                to = c.owner
            elif r2 < 0.2:
                to = "newcomer"
            elif r2 < 0.23 and ambiguous:
                to = admin()  # an admin as the new owner (open point 26)
            else:
                # prefer a rep at (or one below) the limit, to hit the quota edge
                full = [x for x in reps if eng.slots(x) >= policy.quota_limit - 1]
                to = rng.choice(full) if (full and rng.random() < 0.5) else rng.choice(reps)
            actor = admin() if rng.random() < 0.85 else rep()
            ev.update(type="reassign", customer=c.id, actor=actor, to=to)
        elif kind == "activity":
            cid = rng.choice(cs).id if rng.random() < 0.85 else rng.choice(ghost_ids)
            ev.update(type="activity", customer=cid, actor=anyone())
        else:  # an event on a customer never archived
            typ = rng.choice(
                ["claim", "approve", "promote", "renew", "release", "publish", "reassign"]
            )
            ev.update(type=typ, customer=rng.choice(ghost_ids), actor=anyone())
            if typ == "promote":
                ev["stage"] = rng.choice(STAGES)
            if typ == "reassign":
                ev["to"] = rng.choice(reps)
        if ev["type"] == "reassign" and not ev["to"]:
            ev["to"] = rng.choice(reps)
        ev["at"] = t
        ev["row"] = len(rows) + 1
        rows.append(ev)
        if eng.refusal(ev) is None:
            eng.apply(ev)

    # --- as-of: at an event, at a timer's due instant, after the last event
    last = rows[-1]["at"]
    mode = rng.choice(["event", "event", "due", "due", "after", "last"])
    as_of = last + timedelta(days=rng.randint(0, 150), hours=rng.randint(0, 23))
    if mode == "event":
        as_of = rng.choice(rows[len(rows) // 2 :])["at"]
    elif mode == "last":
        as_of = last
    elif mode == "due":
        dues = _next_dues(eng)
        # a due instant still ahead, or one fired during the history
        if dues and rng.random() < 0.5:
            as_of = rng.choice(dues)
        else:
            fired = [f[0] for f in eng.fired]
            if fired:
                as_of = rng.choice(fired)
    # a few events exactly at as-of and after it
    for _ in range(rng.randint(0, 3)):
        cid = rng.choice(pool_ids)
        typ = rng.choice(["activity", "promote", "renew", "release", "archive"])
        late = rng.choice([timedelta(0), timedelta(seconds=1), timedelta(days=2)])
        rows.append(
            {
                "at": as_of + late,
                "customer": cid,
                "type": typ,
                # a rep seen only after as-of must not be listed (open point 9)
                "actor": "late-rep" if (late and ambiguous and rng.random() < 0.5) else rep(),
                "stage": rng.choice(STAGES) if typ == "promote" else "",
                "to": "",
                "row": len(rows) + 1,
            }
        )

    # --- file order: mostly chronological, sometimes shuffled (ties then go by file order)
    if rng.random() < 0.25:
        rng.shuffle(rows)
    elif rng.random() < 0.3:
        for _ in range(len(rows) // 10):
            i = rng.randrange(len(rows) - 1)
            rows[i], rows[i + 1] = rows[i + 1], rows[i]

    out_rows = [dict(r, at=spell(r["at"], rng)) for r in rows]

    # --- malformed rows
    skip = False
    invalid = False
    r = rng.random()
    if r < 0.08 or (ambiguous and r < 0.16):
        skip = r >= 0.08
        invalid = not skip
        early = [r3 for r3 in out_rows if parse_instant(r3["at"]) <= as_of]  # type: ignore[operator]
        for _ in range(rng.randint(1, 4)):
            # a malformed row after as-of: does it still make the file invalid? (open point)
            bad = dict(rng.choice(out_rows if (ambiguous or not early) else early))
            how = rng.choice(
                ["at", "at2", "customer", "actor", "type", "stage", "to", "blanktype", "ghost"]
            )
            if how == "at":
                bad["at"] = "2026-13-01"
            elif how == "at2":
                bad["at"] = "yesterday"
            elif how == "customer":
                bad["customer"] = ""
            elif how == "actor":
                bad["actor"] = ""
            elif how == "ghost":  # a rep seen only on a bad row (open point 8)
                bad.update(actor="ghost-rep", type="call")
            elif how == "type":
                bad["type"] = "call"
            elif how == "blanktype":
                bad["type"] = ""
            elif how == "stage":
                bad.update(type="promote", stage=rng.choice(["", "X", "OD"]))
            else:
                bad.update(type="reassign", to="")
            out_rows.insert(rng.randrange(len(out_rows) + 1), bad)

    header = list(EVENT_HEADER)
    if rng.random() < 0.2:
        header.append("amount")
        for r2 in out_rows:
            r2["amount"] = rng.randint(1, 999)
    if rng.random() < 0.2:
        header = rng.sample(header, len(header))
    people = None
    if people_rows is not None:
        people = to_csv(["id", "name", "team", "role"], people_rows)
    return Case(
        seed=seed,
        kind="replay",
        policy=policy,
        table=to_csv(header, out_rows),
        as_of=spell(as_of, rng),
        people=people,
        skip_bad_rows=skip,
        expect_invalid=invalid,
    )


# --------------------------------------------------------------------------- snapshots


def gen_snapshot(seed: int, ambiguous: bool = True) -> Case:
    rng = random.Random(seed)
    policy = pick_policy(rng)
    reps = [f"r{i}" for i in range(1, rng.randint(3, 8) + 1)]
    ids = customer_ids(rng, rng.randint(5, 60))
    as_of = datetime(2026, rng.randint(1, 12), rng.randint(1, 28), tzinfo=TZ)
    if rng.random() < 0.6:
        as_of += timedelta(hours=rng.randint(0, 23), minutes=rng.choice([0, 30]))
    day = timedelta(days=1)
    sec = timedelta(seconds=1)
    weights = {
        "new": 4,
        "D": 4,
        "C": 3,
        "B": 3,
        "A": 3,
        "OD": 3,
        "O+": 2,
        "R": 3,
        "E": 2,
        "L": 3,
    }
    records = []
    for cid in ids:
        state = rng.choices(list(weights), list(weights.values()))[0]
        rec: dict[str, Any] = {"customer": cid, "state": state}
        if state in PRESALE:
            k = 0 if state == "new" else STAGES.index(state) + 1
        elif state == "L":
            k = rng.randint(0, 5)
        else:
            k = 5
        flags = [1 if i < k else 0 for i in range(5)]
        if rng.random() < 0.12:  # a gap: a 1 after a 0
            i = rng.randrange(5)
            flags[i] = 1 - flags[i]
        # promotion dates, increasing, the last one near a boundary of its target
        last_at = as_of - day * rng.randint(0, 300) - timedelta(minutes=rng.randint(0, 999))
        if state in ("D", "C", "B", "A") and rng.random() < 0.5:
            nxt = STAGES[STAGES.index(state) + 1]
            last_at = (
                as_of
                - day * (TARGET_DAYS[nxt] + rng.choice([0, 1]))
                + rng.choice([timedelta(0), sec, -sec])
            )
        dates: list[datetime | None] = [None] * 5
        cur = last_at
        for i in reversed(range(5)):
            if flags[i]:
                dates[i] = cur
                cur = cur - day * rng.randint(0, 40) - timedelta(hours=rng.randint(0, 30))
        for i, s in enumerate(STAGES):
            rec[s] = str(flags[i])
            blank_date = ambiguous and flags[i] and rng.random() < 0.03
            rec[f"{s}_at"] = "" if (dates[i] is None or blank_date) else spell(dates[i], rng)
        # state_since
        if state == "new":
            since = as_of - rng.choice(
                [day * rng.randint(0, 30), day, day - sec, day + sec, 0 * day]
            )
        elif state in ("D", "C", "B", "A"):
            i = STAGES.index(state)
            since = dates[i] if (dates[i] and rng.random() < 0.8) else last_at - day
        elif state in ("OD", "O+", "R"):
            timer = policy.timer(state)
            assert timer is not None
            d = timer[1]
            since = as_of - rng.choice(
                [
                    d,
                    d - sec,
                    d + sec,
                    day * rng.randint(0, 200),
                    d + timedelta(days=policy.lapse_days),
                    d + timedelta(days=policy.lapse_days) + sec,
                    d + timedelta(days=policy.lapse_days) - sec,
                ]
            )
        else:
            since = as_of - day * rng.randint(0, 400) - timedelta(minutes=rng.randint(0, 999))
        if since is None:
            since = as_of - day
        rec["state_since"] = spell(since, rng)
        # owner / pending owner
        if state == "L":
            rec["owner"] = ""
            # a pending claim in a snapshot of a policy without approval: an open point
            may_pend = ambiguous or policy.claim_approval
            rec["pending_owner"] = rng.choice(reps) if (may_pend and rng.random() < 0.35) else ""
        else:
            # skew owners so that some rep goes over a small limit
            rec["owner"] = rng.choice(reps[:2] if rng.random() < 0.4 else reps)
            rec["pending_owner"] = ""
            if ambiguous and state in PRESALE and rng.random() < 0.02:
                rec["owner"] = ""
        rec["lapses"] = str(rng.randint(0, 3)) if state in ("R", "E", "L") else "0"
        rec["renewals"] = str(rng.randint(0, 3)) if state in ("O+", "R", "E", "L") else "0"
        if ambiguous and rng.random() < 0.05:
            rec["lapses"] = ""
        rec["last_activity_at"] = (
            spell(as_of - day * rng.randint(0, 60), rng) if rng.random() < 0.5 else ""
        )
        rec["region"] = rng.choice(["浙江", "上海", "Jiangsu", ""])
        records.append(rec)
    rng.shuffle(records)
    header = list(RECORD_COLUMNS) + ["region"]
    return Case(
        seed=seed,
        kind="run",
        policy=policy,
        table=to_csv(header, records),
        as_of=spell(as_of, rng),
    )


def gen_case(seed: int, ambiguous: bool = True) -> Case:
    """A replay case for 2 seeds in 3, a run case for the third."""
    if seed % 3 == 2:
        return gen_snapshot(seed, ambiguous)
    return gen_history(seed, ambiguous)


def overlay_yaml(policy: Policy) -> str:
    """The overlay file text for a non-default policy."""
    lines = [
        "rulekit: 1",
        f"id: {policy.id}",
        f"version: {policy.version}",
        "extends: 4321-dcbao@1",
    ]
    if policy.quota_limit != 50:
        lines.append(f"quota: {{limit: {policy.quota_limit}}}")
    parts = []
    if not policy.claim_approval:
        parts.append("claim: {approval: null}")
    if policy.deliver_days != 30:
        parts.append(f"deliver: {{after: {policy.deliver_days}d}}")
    if policy.redeliver_days != 30:
        parts.append(f"redeliver: {{after: {policy.redeliver_days}d}}")
    if policy.lapse_days != 90:
        parts.append(f"lapse: {{after: {policy.lapse_days}d}}")
    if parts:
        lines.append("transitions: {" + ", ".join(parts) + "}")
    return "\n".join(lines) + "\n"


__all__ = ["Case", "gen_case", "gen_history", "gen_snapshot", "overlay_yaml", "spell", "fmt"]
