"""An independent reference of `rulekit replay` and `rulekit run` for the default policy.

Written from /work/shared/CONTRACT.md only (sections 1-4), to be compared field by field with
the real engine. It hard-codes the default policy `4321-dcbao@1` (quota 50, OD/O+ 30 days,
R 90 days, path D,C,B,A,O with target days D0 C39 B10 A24 O27 and reach D100% C38% B28% A18%
O6%, timezone Asia/Shanghai) and takes the few overlay knobs the checker uses as parameters
(`Policy.quota_limit`, `claim_approval`, `deliver_days`, `redeliver_days`, `lapse_days`).

Plain on purpose: every customer is a small mutable record, every rule one `if`.

Open points
-----------
Where the contract is silent or ambiguous, this reference chooses as follows. Each choice is a
place where the real engine may legitimately differ; the harness reports such differences
under the field names given here.

 1. `holds_slot` of an `L` customer with a pending claim is **true**: the pending claim holds a
    slot (of the claimant), so the sum of `holds_slot` equals the sum of `slots_used`. It is
    true for an owned customer in new..A, false otherwise.
 2. `priority`, `overdue_days` and `due` are JSON **null** for customers they do not apply to
    (priority/overdue: any state outside new..A, or a new..A record without owner for
    priority); never 0.
 3. `due` (run only, not defined in section 2) is the customer's next *timed* transition after
    the timers fired: `{"to": "R", "at": state_since + 30d}` for OD and O+, `{"to": "E", "at":
    state_since + 90d}` for R, null for every other state (pre-sale stage targets are reported
    through `overdue_days`, not `due`).
 4. `funnel` always lists all six keys `new, D, C, B, A, O`, zero counts included. It counts
    every customer the rep owns, in any state (signed customers count under `O`, an owned
    record is counted by its *flags* stage, `new` when the flags give none).
 5. `reps` rows in `run` always carry `violations`: `[]`, or `["over_quota"]` when
    `slots_used > slot_limit`. `reps` rows in `replay` carry no `violations` key (nor
    `expected_signings`/`funnel`). Customer `violations` in `run` hold only `stage_skipped`
    (over_quota is reported on the rep's row only).
 6. Bad rows (`--skip-bad-rows`) are listed in `rejected` **first, in file order**, before the
    refusals of the replay (they are rejected while reading). Their `at` is the normalised
    instant when it parses, else null (not the raw text: the field holds instants);
    `customer`, `type`, `actor` are the raw cell text, null when blank. They count in
    `counts.events` and `counts.rejected` (so events = applied + rejected always holds).
 7. A bad row whose `at` parses and is after `--as-of` is ignored like any later event (not
    listed, not counted) with `--skip-bad-rows`. Without `--skip-bad-rows` every malformed row
    makes the file invalid (exit 1), whatever its `at`.
 8. The actor of a bad row listed in `rejected` is a known rep (unless blank or an admin):
    "every actor who is not an admin (refused rows too)" read literally, bad rows being rows
    of `rejected`. (First choice was "no"; the engine said "yes" and the literal reading
    favours it.) A bad row's `to` is not read (the row is not an event).
 9. Events after `--as-of` contribute nothing, not even their actors to `reps`.
10. Targets of *refused* `reassign` events are listed in `reps` too ("every reassign target").
11. The order of timers of different customers due at the same instant is unobservable (timed
    transitions never change slots), so it is not specified here; a customer's chain of
    timers (OD -> R -> E) fires in order, each at its own due instant.
12. `row` is the 1-based data row: the first line after the header is row 1 (blank lines are
    never generated).
13. `as_of` in the output is printed like every instant: `YYYY-MM-DDTHH:MM:SS+08:00`.
14. `policy` in the output is `{"id", "version"}` of the policy named on the command line (an
    overlay prints its own id and version, not the base's).
15. A `claim` by an admin is checked in the contract's order: a non-`L` customer gives
    `not_public`, a pending claim gives `claim_pending`, otherwise `invalid_transition`.
16. `promote`: `stage_skipped` is judged against the flags' current stage (none -> next is D);
    for a signed customer every stage is the current or an earlier one, so
    `invalid_transition`. The default policy has no evidence requirement: `stage_lock`
    never occurs.
17. `approve` never checks the quota (the pending claim already holds the slot). With
    `claim_approval=False` the claim itself is checked against the quota and takes effect at
    once (owner = claimant, state new, flags and dates reset, state_since = at).
18. `reassign` to the current owner is applied (counts as applied, changes nothing).
    `reassign` leaves `state_since` unchanged.
19. Customers are sorted by id as plain strings (code point order: "c10" < "c9"); reps too.
    Ids are strings: "007" stays "007".
20. `run` without a people file: every owner and pending owner is a rep, listed in `reps`.
21. Snapshot: blank flag = 0, blank lapses/renewals = 0. A missing promotion date (flag 1,
    blank `*_at`) falls back to `state_since`, both for the `priority` tie-break and for
    `overdue_days` of a D..A record.
22. `expected_signings` is computed exactly (fractions) and rounded half-even to 6 decimals;
    a rep with no pre-sale customer has 0.0.
23. `counts.events` in replay = well-formed events at or before as-of + listed bad rows.
24. Refusal reasons for events on an unknown customer: `unknown_customer` comes first for
    every type but `archive` (even an admin-only event by a rep).
25. With `claim: {approval: null}` the `approve`/`reject` events stay admin-only: by a rep
    they are `not_admin` (the contract lists them as admin-only events), by an admin
    `no_pending_claim` (nothing can be pending). An earlier engine build said
    `no_pending_claim` for a rep too.
26. A `reassign` to an admin (or to any id) makes that id the owner; it is listed in `reps`
    ("every reassign target, every owner") and its slots count against the limit like a
    rep's. An earlier engine build left admins out of `reps`.
27. A snapshot record with a `pending_owner` under a policy without claim approval still
    holds a slot of the pending owner (the record says a claim is pending). An earlier
    engine build ignored `pending_owner` there.
28. Without `--skip-bad-rows`, every row of the file is checked, so a malformed row after
    as-of still gives exit 1 (see 7). An earlier engine build ignored it and exited 0.

`ambiguous=False` in generate.py keeps the generated inputs away from 7, 8, 21 (missing dates,
blank lapses), 25, 26 and 27, so that `test_contract.py` fails only on clearer points.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
STAGES = ("D", "C", "B", "A", "O")
PRESALE = ("new", "D", "C", "B", "A")
SIGNED = ("OD", "O+", "R", "E")
STATES = ("new", "D", "C", "B", "A", "OD", "O+", "R", "E", "L")
TARGET_DAYS = {"D": 0, "C": 39, "B": 10, "A": 24, "O": 27}
REACH = {"D": 100, "C": 38, "B": 28, "A": 18, "O": 6}
EVENT_TYPES = (
    "archive",
    "claim",
    "approve",
    "reject",
    "promote",
    "renew",
    "release",
    "publish",
    "reassign",
    "activity",
)
ADMIN_ONLY = ("approve", "reject", "publish", "reassign")
DAY = timedelta(days=1)
EVENT_COLUMNS = ("at", "customer", "type", "actor", "stage", "to")
RECORD_COLUMNS = (
    "customer",
    "owner",
    "state",
    "D",
    "C",
    "B",
    "A",
    "O",
    "D_at",
    "C_at",
    "B_at",
    "A_at",
    "O_at",
    "state_since",
    "lapses",
    "renewals",
    "pending_owner",
    "last_activity_at",
)


@dataclass(frozen=True)
class Policy:
    """The default policy, with the overlay knobs the checker uses."""

    id: str = "4321-dcbao"
    version: str = "1.0.0"
    quota_limit: int = 50
    claim_approval: bool = True
    deliver_days: int = 30
    redeliver_days: int = 30
    lapse_days: int = 90

    @property
    def is_default(self) -> bool:
        return self == Policy()

    def timer(self, state: str) -> tuple[str, timedelta] | None:
        """The timed transition out of `state`: (target state, duration), or None."""
        if state == "OD":
            return "R", timedelta(days=self.deliver_days)
        if state == "O+":
            return "R", timedelta(days=self.redeliver_days)
        if state == "R":
            return "E", timedelta(days=self.lapse_days)
        return None


DEFAULT = Policy()

# --------------------------------------------------------------------------- instants

_INSTANT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?)?$"
)


def parse_instant(text: str | None) -> datetime | None:
    """An ISO 8601 instant as the contract allows it, or None if it does not parse."""
    if text is None:
        return None
    m = _INSTANT.match(text.strip())
    if not m:
        return None
    y, mo, d, hh, mm, ss, off = m.groups()
    if off is None:
        tz: Any = TZ
    elif off == "Z":
        tz = UTC
    else:
        sign = 1 if off[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(off[1:3]), minutes=int(off[4:6])))
    try:
        return datetime(
            int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=tz
        )
    except ValueError:
        return None


def fmt(t: datetime | None) -> str | None:
    """An instant as printed by rulekit: ISO 8601, seconds, +08:00."""
    if t is None:
        return None
    return t.astimezone(TZ).isoformat(timespec="seconds")


def whole_days(since: datetime, until: datetime) -> int:
    """Complete 24-hour periods from `since` to `until` (negative if since is later)."""
    return (until - since) // DAY


def blank(value: Any) -> bool:
    return value is None or str(value).strip() == ""


def text_or_none(value: Any) -> str | None:
    return None if blank(value) else str(value)


# --------------------------------------------------------------------------- tables


def read_csv(text: str) -> list[dict[str, str]]:
    """Rows of a CSV text as dicts, each with its 1-based data row under `row`."""
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    for i, r in enumerate(reader, start=1):
        d = {k: (v if v is not None else "") for k, v in r.items() if k is not None}
        d["row"] = i  # type: ignore[assignment]
        rows.append(d)
    return rows


def people_roles(people: list[dict[str, str]] | None) -> tuple[set[str], list[str]]:
    """(admin ids, rep ids listed) from a people table; no table: the one admin `admin`."""
    if people is None:
        return {"admin"}, []
    admins = {p["id"] for p in people if (p.get("role") or "").strip() == "admin"}
    reps = [p["id"] for p in people if (p.get("role") or "").strip() != "admin"]
    return admins, reps


# --------------------------------------------------------------------------- customers


@dataclass
class Customer:
    id: str
    state: str
    owner: str | None
    since: datetime
    pending: str | None = None
    flags: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    dates: dict[str, datetime | None] = field(default_factory=lambda: dict.fromkeys(STAGES))
    lapses: int = 0
    renewals: int = 0
    last_activity: datetime | None = None

    def stage_index(self) -> int:
        """Index of the furthest stage in the unbroken run of 1s from D; -1 for none."""
        i = -1
        for k, s in enumerate(STAGES):
            if self.flags[s] != 1:
                break
            i = k
        return i

    def stage(self) -> str | None:
        i = self.stage_index()
        return None if i < 0 else STAGES[i]

    def has_gap(self) -> bool:
        seen_zero = False
        for s in STAGES:
            if self.flags[s] != 1:
                seen_zero = True
            elif seen_zero:
                return True
        return False

    def holds_slot(self) -> bool:
        return (self.state in PRESALE and self.owner is not None) or self.pending is not None


class Engine:
    """The customers of one replay (or one snapshot) and the rules that change them."""

    def __init__(self, policy: Policy, admins: set[str]):
        self.policy = policy
        self.admins = admins
        self.customers: dict[str, Customer] = {}
        self.timers = 0
        self.fired: list[tuple[datetime, str, str, str]] = []  # (due, customer, from, to)

    # -- helpers
    def is_admin(self, actor: str) -> bool:
        return actor in self.admins

    def slots(self, rep: str) -> int:
        n = 0
        for c in self.customers.values():
            if c.owner == rep and c.state in PRESALE:
                n += 1
            if c.pending == rep:
                n += 1
        return n

    def over_limit_with_one_more(self, rep: str) -> bool:
        return self.slots(rep) + 1 > self.policy.quota_limit

    # -- timers
    def fire_timers(self, until: datetime) -> None:
        """Fire every timed transition due at or before `until`, each at its due instant."""
        for cid in sorted(self.customers):
            c = self.customers[cid]
            while True:
                t = self.policy.timer(c.state)
                if t is None:
                    break
                to, duration = t
                due = c.since + duration
                if due > until:
                    break
                self.fired.append((due, cid, c.state, to))
                c.state = to
                c.since = due
                if to == "E":
                    c.lapses += 1
                self.timers += 1

    def next_due(self, c: Customer) -> tuple[str, datetime] | None:
        t = self.policy.timer(c.state)
        if t is None:
            return None
        return t[0], c.since + t[1]

    # -- events
    def refusal(self, ev: dict[str, Any]) -> str | None:
        """The reason an event is refused (the first that applies), or None."""
        typ, cid, actor = ev["type"], ev["customer"], ev["actor"]
        admin = self.is_admin(actor)
        c = self.customers.get(cid)
        if typ == "archive":
            if c is not None:
                return "duplicate_customer"
            if not admin and self.over_limit_with_one_more(actor):
                return "quota_exceeded"
            return None
        if c is None:
            return "unknown_customer"
        if typ in ADMIN_ONLY and not admin:
            return "not_admin"
        if typ in ("promote", "renew") and actor != c.owner:
            return "not_owner"
        if typ == "release" and not admin and actor != c.owner:
            return "not_owner"
        if typ == "claim":
            if c.state != "L":
                return "not_public"
            if c.pending is not None:
                return "claim_pending"
            if admin:
                return "invalid_transition"
            if self.over_limit_with_one_more(actor):
                return "quota_exceeded"
            return None
        if typ in ("approve", "reject"):
            if c.pending is None:
                return "no_pending_claim"
            return None
        if typ == "promote":
            want = STAGES.index(ev["stage"])
            cur = c.stage_index()
            if want > cur + 1:
                return "stage_skipped"
            if want <= cur or c.state not in PRESALE:
                return "invalid_transition"
            return None
        if typ == "renew":
            return None if c.state in ("OD", "O+", "R") else "invalid_transition"
        if typ == "release":
            return None if c.state in PRESALE else "invalid_transition"
        if typ == "publish":
            return None if c.state == "E" else "invalid_transition"
        if typ == "reassign":
            if c.state == "L":
                return "invalid_transition"
            to = ev["to"]
            if c.state in PRESALE and to != c.owner and self.over_limit_with_one_more(to):
                return "quota_exceeded"
            return None
        return None  # activity: by anyone on a known customer

    def apply(self, ev: dict[str, Any]) -> None:
        typ, cid, actor, at = ev["type"], ev["customer"], ev["actor"], ev["at"]
        if typ == "archive":
            if self.is_admin(actor):
                self.customers[cid] = Customer(cid, "L", None, at)
            else:
                self.customers[cid] = Customer(cid, "new", actor, at)
            return
        c = self.customers[cid]
        if typ == "claim":
            if self.policy.claim_approval:
                c.pending = actor
            else:
                self._grant(c, actor, at)
        elif typ == "approve":
            assert c.pending is not None
            self._grant(c, c.pending, at)
        elif typ == "reject":
            c.pending = None
        elif typ == "promote":
            s = ev["stage"]
            c.flags[s] = 1
            c.dates[s] = at
            c.state = "OD" if s == "O" else s
            c.since = at
        elif typ == "renew":
            c.state = "O+"
            c.renewals += 1
            c.since = at
        elif typ in ("release", "publish"):
            c.state = "L"
            c.owner = None
            c.since = at
        elif typ == "reassign":
            c.owner = ev["to"]
        elif typ == "activity":
            c.last_activity = at

    @staticmethod
    def _grant(c: Customer, owner: str, at: datetime) -> None:
        c.owner = owner
        c.pending = None
        c.state = "new"
        c.since = at
        c.flags = dict.fromkeys(STAGES, 0)
        c.dates = dict.fromkeys(STAGES)

    # -- output
    def customer_doc(self, c: Customer) -> dict[str, Any]:
        return {
            "customer": c.id,
            "state": c.state,
            "owner": c.owner,
            "pending_owner": c.pending,
            "flags": dict(c.flags),
            "stage": c.stage(),
            "state_since": fmt(c.since),
            "lapses": c.lapses,
            "renewals": c.renewals,
            "holds_slot": c.holds_slot(),
        }


# --------------------------------------------------------------------------- replay


class BadRows(Exception):
    """The event table has malformed rows and --skip-bad-rows was not given (exit 1)."""

    def __init__(self, rows: list[tuple[int, str]]):
        super().__init__(f"{len(rows)} malformed rows")
        self.rows = rows


def malformed(row: dict[str, Any]) -> str | None:
    """Why an event row is malformed, or None."""
    if parse_instant(row.get("at")) is None:
        return "unparseable at"
    for col in ("customer", "type", "actor"):
        if blank(row.get(col)):
            return f"blank {col}"
    typ = row["type"]
    if typ not in EVENT_TYPES:
        return f"unknown event type {typ!r}"
    if typ == "promote" and (row.get("stage") or "") not in STAGES:
        return "promote without a stage of the path"
    if typ == "reassign" and blank(row.get("to")):
        return "reassign without to"
    return None


def replay(
    rows: list[dict[str, Any]],
    as_of: str | datetime,
    policy: Policy = DEFAULT,
    people: list[dict[str, str]] | None = None,
    skip_bad_rows: bool = False,
) -> dict[str, Any]:
    """The `replay --format json` document for event rows (dicts with a `row` number)."""
    as_of_t = as_of if isinstance(as_of, datetime) else parse_instant(as_of)
    assert as_of_t is not None, f"bad as-of {as_of!r}"
    admins, people_reps = people_roles(people)

    good: list[dict[str, Any]] = []
    bad: list[tuple[dict[str, Any], str]] = []
    for r in rows:
        why = malformed(r)
        if why is None:
            ev = dict(r)
            ev["at"] = parse_instant(r["at"])
            good.append(ev)
        else:
            bad.append((r, why))
    if bad and not skip_bad_rows:
        raise BadRows([(r["row"], why) for r, why in bad])

    rejected: list[dict[str, Any]] = []
    for r, _why in bad:
        t = parse_instant(r.get("at"))
        if t is not None and t > as_of_t:
            continue
        rejected.append(
            {
                "row": r["row"],
                "at": fmt(t),
                "customer": text_or_none(r.get("customer")),
                "type": text_or_none(r.get("type")),
                "actor": text_or_none(r.get("actor")),
                "reason": "bad_row",
            }
        )
    n_bad = len(rejected)
    reps: set[str] = set(people_reps)
    for x in rejected:
        if x["actor"] is not None and x["actor"] not in admins:
            reps.add(x["actor"])

    events = sorted((e for e in good if e["at"] <= as_of_t), key=lambda e: (e["at"], e["row"]))
    eng = Engine(policy, admins)
    applied = 0
    for ev in events:
        eng.fire_timers(ev["at"])
        if not eng.is_admin(ev["actor"]):
            reps.add(ev["actor"])
        if ev["type"] == "reassign":
            reps.add(ev["to"])
        reason = eng.refusal(ev)
        if reason is None:
            eng.apply(ev)
            applied += 1
        else:
            rejected.append(
                {
                    "row": ev["row"],
                    "at": fmt(ev["at"]),
                    "customer": ev["customer"],
                    "type": ev["type"],
                    "actor": ev["actor"],
                    "reason": reason,
                }
            )
    eng.fire_timers(as_of_t)

    for c in eng.customers.values():
        for who in (c.owner, c.pending):
            if who is not None:
                reps.add(who)
    return {
        "policy": {"id": policy.id, "version": policy.version},
        "as_of": fmt(as_of_t),
        "customers": [eng.customer_doc(eng.customers[k]) for k in sorted(eng.customers)],
        "reps": [
            {"rep": r, "slots_used": eng.slots(r), "slot_limit": policy.quota_limit}
            for r in sorted(reps)
        ],
        "rejected": rejected,
        "counts": {
            "events": len(events) + n_bad,
            "applied": applied,
            "rejected": len(rejected),
            "timers": eng.timers,
        },
    }


def replay_engine(
    rows: list[dict[str, Any]],
    as_of: datetime,
    policy: Policy = DEFAULT,
    admins: set[str] | None = None,
) -> Engine:
    """The engine after a replay of well-formed rows (used by the generator)."""
    eng = Engine(policy, admins if admins is not None else {"admin"})
    evs = []
    for r in rows:
        if malformed(r) is None:
            ev = dict(r)
            ev["at"] = parse_instant(r["at"])
            if ev["at"] <= as_of:
                evs.append(ev)
    for ev in sorted(evs, key=lambda e: (e["at"], e["row"])):
        eng.fire_timers(ev["at"])
        if eng.refusal(ev) is None:
            eng.apply(ev)
    eng.fire_timers(as_of)
    return eng


# --------------------------------------------------------------------------- run


def record_to_customer(rec: dict[str, Any]) -> Customer:
    c = Customer(
        id=str(rec["customer"]),
        state=str(rec["state"]).strip(),
        owner=text_or_none(rec.get("owner")),
        since=parse_instant(rec.get("state_since")),  # type: ignore[arg-type]
        pending=text_or_none(rec.get("pending_owner")),
    )
    for s in STAGES:
        v = rec.get(s)
        c.flags[s] = 1 if (not blank(v) and int(float(str(v))) == 1) else 0
        c.dates[s] = parse_instant(rec.get(f"{s}_at")) if not blank(rec.get(f"{s}_at")) else None
    c.lapses = 0 if blank(rec.get("lapses")) else int(float(str(rec["lapses"])))
    c.renewals = 0 if blank(rec.get("renewals")) else int(float(str(rec["renewals"])))
    la = rec.get("last_activity_at")
    c.last_activity = None if blank(la) else parse_instant(la)
    return c


def round6(x: Fraction) -> float:
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return float(d.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN))


def run(
    records: list[dict[str, Any]],
    as_of: str | datetime,
    policy: Policy = DEFAULT,
) -> dict[str, Any]:
    """The `run --format json` document for snapshot records."""
    as_of_t = as_of if isinstance(as_of, datetime) else parse_instant(as_of)
    assert as_of_t is not None, f"bad as-of {as_of!r}"
    eng = Engine(policy, set())
    for rec in records:
        c = record_to_customer(rec)
        eng.customers[c.id] = c
    eng.fire_timers(as_of_t)

    # priority: ranks inside each owner's pre-sale customers
    ranks: dict[str, int] = {}
    by_owner: dict[str, list[Customer]] = {}
    for c in eng.customers.values():
        if c.state in PRESALE and c.owner is not None:
            by_owner.setdefault(c.owner, []).append(c)

    def key(c: Customer) -> tuple[Any, ...]:
        i = c.stage_index()
        when = c.dates[STAGES[i]] if i >= 0 else c.since
        return (-i, when or c.since, c.id)

    for group in by_owner.values():
        for rank, c in enumerate(sorted(group, key=key), start=1):
            ranks[c.id] = rank

    def overdue(c: Customer) -> int | None:
        if c.state == "new":
            return max(0, whole_days(c.since, as_of_t) - TARGET_DAYS["D"])
        if c.state in ("D", "C", "B", "A"):
            nxt = STAGES[STAGES.index(c.state) + 1]
            since = c.dates[c.state] or c.since
            return max(0, whole_days(since, as_of_t) - TARGET_DAYS[nxt])
        return None

    customers = []
    for cid in sorted(eng.customers):
        c = eng.customers[cid]
        doc = eng.customer_doc(c)
        nd = eng.next_due(c)
        doc["priority"] = ranks.get(cid)
        doc["overdue_days"] = overdue(c)
        doc["due"] = None if nd is None else {"to": nd[0], "at": fmt(nd[1])}
        doc["violations"] = ["stage_skipped"] if c.has_gap() else []
        customers.append(doc)

    reps: set[str] = set()
    for c in eng.customers.values():
        for who in (c.owner, c.pending):
            if who is not None:
                reps.add(who)
    rep_docs = []
    for r in sorted(reps):
        used = eng.slots(r)
        total = Fraction(0)
        funnel = dict.fromkeys(("new",) + STAGES, 0)
        for c in eng.customers.values():
            if c.owner != r:
                continue
            funnel[c.stage() or "new"] += 1
            if c.state in PRESALE:
                s = "D" if c.state == "new" else c.state
                total += Fraction(REACH["O"], REACH[s])
        rep_docs.append(
            {
                "rep": r,
                "slots_used": used,
                "slot_limit": policy.quota_limit,
                "expected_signings": round6(total),
                "funnel": funnel,
                "violations": ["over_quota"] if used > policy.quota_limit else [],
            }
        )
    return {
        "policy": {"id": policy.id, "version": policy.version},
        "as_of": fmt(as_of_t),
        "customers": customers,
        "reps": rep_docs,
        "rejected": [],
        "counts": {"events": 0, "applied": 0, "rejected": 0, "timers": eng.timers},
    }
