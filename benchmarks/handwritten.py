"""The default policy's snapshot evaluation written by hand in plain Python (the baseline).

No rulekit import: this is what a programmer would write for one client's one policy, with the
policy's numbers hard-coded. It reads the same text cells rulekit reads (dates are local to
the policy's timezone, Asia/Shanghai, which has had no daylight saving since 1991, so naive
local datetimes measure the same 24-hour days as rulekit's aware ones).

evaluate(columns, rows, as_of) -> (customers, reps, timers_fired)
  customers: [customer, state, stage, priority, overdue_days, violations, holds_slot,
              state_since, lapses, due] per record, in input order
  reps: {rep: (slots_used, expected_signings, funnel, violations)}
"""

from __future__ import annotations

from datetime import datetime, timedelta
from operator import itemgetter

STAGES = ("D", "C", "B", "A", "O")
LABELS = ("new", "D", "C", "B", "A", "O")  # funnel labels by stage index (0: no stage)
PRE_SALE = {"new": 0, "D": 1, "C": 2, "B": 3, "A": 4}  # state -> its stage index
# days allowed before the NEXT stage's target: new -> D (0), D -> C (39), ...
NEXT_TARGET = {"new": 0, "D": 39, "C": 10, "B": 24, "A": 27}
REACH = (1.0, 0.38, 0.28, 0.18, 0.06)
# expected signings of one customer: reach(O) / reach(the state's stage; D for new)
FORECAST = {s: REACH[4] / REACH[max(i, 1) - 1] for s, i in PRE_SALE.items()}
LIMIT = 50
DAY = timedelta(days=1)
DELIVER = timedelta(days=30)  # OD / O+ -> R
LAPSE = timedelta(days=90)  # R -> E


def _instant(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _stage(flags: tuple[str, ...]) -> tuple[int, bool]:
    """(index of the furthest stage in an unbroken run of 1s from D, a 1 after a 0?)."""
    ones = [f.strip() in ("1", "1.0", "true", "yes") for f in flags]
    stage = 0
    while stage < len(ones) and ones[stage]:
        stage += 1
    return stage, any(ones[stage + 1 :])


def evaluate(
    columns: list[str], rows: list[list[str]], as_of: datetime
) -> tuple[list[list[object]], dict[str, tuple[int, float, dict[str, int], list[str]]], int]:
    """Evaluate a snapshot of customer records at `as_of` (a naive local datetime)."""
    col = {name: i for i, name in enumerate(columns)}
    i_cust, i_owner, i_state = col["customer"], col["owner"], col["state"]
    i_since, i_lapses, i_pending = col["state_since"], col["lapses"], col["pending_owner"]
    get_flags = itemgetter(*(col[s] for s in STAGES))
    stage_of: dict[tuple[str, ...], tuple[int, bool]] = {}  # memo: few distinct flag rows
    i_dates = [col[f"{s}_at"] for s in STAGES]
    used: dict[str, int] = {}
    signings: dict[str, float] = {}
    funnel: dict[str, list[int]] = {}
    pools: dict[str, list[tuple[object, ...]]] = {}
    customers: list[list[object]] = []
    timers = 0
    for row in rows:
        cid = row[i_cust].strip()
        owner = row[i_owner].strip() or None
        state = row[i_state].strip()
        pending = row[i_pending].strip() or None
        flags = get_flags(row)
        known = stage_of.get(flags)
        if known is None:
            known = stage_of[flags] = _stage(flags)
        stage, gap = known
        since = _instant(row[i_since])
        lapses = int(row[i_lapses] or 0)
        # timers due by as-of: OD/O+ -> R after 30 days, R -> E after 90 (lapses + 1)
        if since is not None:
            if (state == "OD" or state == "O+") and since + DELIVER <= as_of:
                state, since = "R", since + DELIVER
                timers += 1
            if state == "R" and since + LAPSE <= as_of:
                state, since = "E", since + LAPSE
                lapses += 1
                timers += 1
        due = None
        if since is not None:
            if state == "OD" or state == "O+":
                due = ("R", since + DELIVER)
            elif state == "R":
                due = ("E", since + LAPSE)
        state_stage = PRE_SALE.get(state)
        holds = owner is not None and state_stage is not None
        if holds:
            used[owner] = used.get(owner, 0) + 1  # type: ignore[index]
        if pending is not None:
            used[pending] = used.get(pending, 0) + 1
        overdue = None
        if state_stage is not None:
            entered = _instant(row[i_dates[state_stage - 1]]) if state_stage else None
            if entered is None:
                entered = since
            if entered is not None:
                overdue = max(0, (as_of - entered) // DAY - NEXT_TARGET[state])
        record: list[object] = [
            cid,
            state,
            STAGES[stage - 1] if stage else None,
            None,
            overdue,
            ["stage_skipped"] if gap else [],
            holds or pending is not None,
            since,
            lapses,
            due,
        ]
        customers.append(record)
        if owner is not None:
            tally = funnel.get(owner)
            if tally is None:
                tally = funnel[owner] = [0, 0, 0, 0, 0, 0]
            tally[stage] += 1
            if state_stage is not None:
                signings[owner] = signings.get(owner, 0.0) + FORECAST[state]
                stage_since = _instant(row[i_dates[stage - 1]]) if stage else None
                if stage_since is None:
                    stage_since = since
                # further stage first (none last), earlier into it first, then the id
                key = (
                    -stage if stage else 1,
                    stage_since is None,
                    stage_since or as_of,
                    cid,
                    record,
                )
                pool = pools.get(owner)
                if pool is None:
                    pools[owner] = [key]
                else:
                    pool.append(key)
    return customers, finish(pools, used, signings, funnel), timers


def finish(
    pools: dict[str, list[tuple[object, ...]]],
    used: dict[str, int],
    signings: dict[str, float],
    funnel: dict[str, list[int]],
) -> dict[str, tuple[int, float, dict[str, int], list[str]]]:
    """Rank each rep's pool (keys: sort key[:4], then the record, whose priority is set) and
    return the reps: (slots_used, expected_signings, funnel, violations)."""
    for pool in pools.values():
        pool.sort(key=lambda k: k[:4])
        for rank, key in enumerate(pool, start=1):
            key[4][3] = rank  # type: ignore[index]
    reps: dict[str, tuple[int, float, dict[str, int], list[str]]] = {}
    for rep in sorted(used.keys() | funnel.keys()):
        n = used.get(rep, 0)
        reps[rep] = (
            n,
            round(signings.get(rep, 0.0), 6),
            dict(zip(LABELS, funnel.get(rep, [0] * 6), strict=True)),
            ["over_quota"] if n > LIMIT else [],
        )
    return reps
