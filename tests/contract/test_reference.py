"""Hand-derived scenarios for the reference (one per row of CONTRACT section 2's table, per
refusal reason, per point decided), so that the reference itself can be trusted."""

from __future__ import annotations

import inspect
from collections import Counter
from typing import Any

import pytest

from tests.contract.generate import (
    EVENT_HEADER,
    Case,
    gen_case,
    gen_history,
    gen_snapshot,
    overlay_yaml,
    spell,
    to_csv,
)
from tests.contract.reference import (
    DEFAULT,
    RECORD_COLUMNS,
    BadRows,
    Policy,
    fmt,
    parse_instant,
    read_csv,
    replay,
    run,
)

FAST = Policy(id="checker-overlay", quota_limit=2, claim_approval=False)
SMALL = Policy(id="checker-overlay", quota_limit=2)


def E(at: str, customer: str, typ: str, actor: str, stage: str = "", to: str = "") -> dict:
    return {"at": at, "customer": customer, "type": typ, "actor": actor, "stage": stage, "to": to}


#: every scenario below, recorded as a Case so that test_contract can replay it on the engine
RECORDED: list[tuple[str, Case]] = []


def _record(kind: str, table: str, as_of: str, policy: Policy, **kw: Any) -> None:
    names = [f.function for f in inspect.stack() if f.function.startswith("test_")]
    name = names[0] if names else "scenario"
    RECORDED.append((name, Case(seed=-1, kind=kind, policy=policy, table=table, as_of=as_of, **kw)))


def R(
    events: list[dict],
    as_of: str = "2027-01-01",
    policy: Policy = DEFAULT,
    people: list[dict[str, str]] | None = None,
    skip_bad_rows: bool = False,
) -> dict[str, Any]:
    people_csv = to_csv(["id", "name", "team", "role"], people) if people is not None else None
    rows = [dict(e, row=i) for i, e in enumerate(events, start=1)]
    try:
        doc = replay(rows, as_of, policy, people, skip_bad_rows)
    except BadRows:
        _record(
            "replay",
            to_csv(EVENT_HEADER, events),
            as_of,
            policy,
            people=people_csv,
            skip_bad_rows=skip_bad_rows,
            expect_invalid=True,
        )
        raise
    _record(
        "replay",
        to_csv(EVENT_HEADER, events),
        as_of,
        policy,
        people=people_csv,
        skip_bad_rows=skip_bad_rows,
    )
    return doc


def RUN(records: list[dict], as_of: str, policy: Policy = DEFAULT) -> dict[str, Any]:
    _record("run", to_csv(list(RECORD_COLUMNS), records), as_of, policy)
    return run(records, as_of, policy)


def cust(doc: dict[str, Any], cid: str) -> dict[str, Any]:
    (c,) = [c for c in doc["customers"] if c["customer"] == cid]
    return c


def rep(doc: dict[str, Any], r: str) -> dict[str, Any]:
    (x,) = [x for x in doc["reps"] if x["rep"] == r]
    return x


def reasons(doc: dict[str, Any]) -> list[tuple[int, str]]:
    return [(x["row"], x["reason"]) for x in doc["rejected"]]


def flags(*ones: str) -> dict[str, int]:
    return {s: int(s in ones) for s in "DCBAO"}


# a customer c1 of r1 brought to A on 2026-03-01..05
TO_A = [
    E("2026-03-01T09:00", "c1", "archive", "r1"),
    E("2026-03-02T09:00", "c1", "promote", "r1", "D"),
    E("2026-03-03T09:00", "c1", "promote", "r1", "C"),
    E("2026-03-04T09:00", "c1", "promote", "r1", "B"),
    E("2026-03-05T09:00", "c1", "promote", "r1", "A"),
]
SIGNED = TO_A + [E("2026-03-06T09:00", "c1", "promote", "r1", "O")]


# --------------------------------------------------------------------------- instants


def test_instant_spellings() -> None:
    t = parse_instant("2026-03-01T09:30:00+08:00")
    for s in [
        "2026-03-01T09:30",
        "2026-03-01 09:30",
        "2026-03-01 09:30:00",
        "2026-03-01T01:30Z",
        "2026-03-01T01:30:00+00:00",
        "2026-03-01 10:30:00+09:00",
    ]:
        assert parse_instant(s) == t, s
    assert fmt(parse_instant("2026-03-01")) == "2026-03-01T00:00:00+08:00"
    assert fmt(parse_instant("2026-02-28T16:00Z")) == "2026-03-01T00:00:00+08:00"
    for bad in ["2026-13-01", "yesterday", "", "2026-02-30", "2026-3-1"]:
        assert parse_instant(bad) is None, bad


# --------------------------------------------------------------------------- section 2 table


def test_archive_by_rep() -> None:
    doc = R([E("2026-03-01 09:30:00", "c1", "archive", "r1")], "2026-03-01T10:00")
    assert cust(doc, "c1") == {
        "customer": "c1",
        "state": "new",
        "owner": "r1",
        "pending_owner": None,
        "flags": flags(),
        "stage": None,
        "state_since": "2026-03-01T09:30:00+08:00",
        "lapses": 0,
        "renewals": 0,
        "holds_slot": True,
    }
    assert doc["reps"] == [{"rep": "r1", "slots_used": 1, "slot_limit": 50}]
    assert doc["policy"] == {"id": "4321-dcbao", "version": "1.0.0"}
    assert doc["as_of"] == "2026-03-01T10:00:00+08:00"
    assert doc["counts"] == {"events": 1, "applied": 1, "rejected": 0, "timers": 0}


def test_archive_by_admin() -> None:
    doc = R([E("2026-03-01", "c1", "archive", "admin")])
    c = cust(doc, "c1")
    assert (c["state"], c["owner"], c["holds_slot"]) == ("L", None, False)
    assert c["state_since"] == "2026-03-01T00:00:00+08:00"
    assert doc["reps"] == []


def test_claim_pending_holds_a_slot() -> None:
    doc = R([E("2026-03-01", "c1", "archive", "admin"), E("2026-03-02T10:00", "c1", "claim", "r2")])
    c = cust(doc, "c1")
    assert (c["state"], c["owner"], c["pending_owner"], c["holds_slot"]) == ("L", None, "r2", True)
    assert c["state_since"] == "2026-03-01T00:00:00+08:00"  # a pending claim keeps the state
    assert rep(doc, "r2")["slots_used"] == 1


def test_approve_resets_flags_and_reject_clears() -> None:
    ev = TO_A + [
        E("2026-03-10", "c1", "release", "r1"),
        E("2026-03-11", "c1", "claim", "r2"),
        E("2026-03-12", "c1", "reject", "admin"),
        E("2026-03-13", "c1", "claim", "r3"),
        E("2026-03-14T08:00", "c1", "approve", "admin"),
    ]
    doc = R(ev)
    c = cust(doc, "c1")
    assert c["state"] == "new" and c["owner"] == "r3" and c["pending_owner"] is None
    assert c["flags"] == flags() and c["stage"] is None
    assert c["state_since"] == "2026-03-14T08:00:00+08:00"
    assert [r["rep"] for r in doc["reps"]] == ["r1", "r2", "r3"]
    assert [rep(doc, r)["slots_used"] for r in ("r1", "r2", "r3")] == [0, 0, 1]
    mid = R(ev[:8])  # after the reject
    c = cust(mid, "c1")
    assert (c["state"], c["pending_owner"], c["stage"]) == ("L", None, "A")
    assert rep(mid, "r2")["slots_used"] == 0


def test_promote_path_and_sign_frees_slot() -> None:
    doc = R(TO_A)
    c = cust(doc, "c1")
    assert (c["state"], c["stage"], c["flags"]) == ("A", "A", flags(*"DCBA"))
    assert c["state_since"] == "2026-03-05T09:00:00+08:00"
    assert rep(doc, "r1")["slots_used"] == 1
    doc = R(SIGNED, "2026-03-10")
    c = cust(doc, "c1")
    assert (c["state"], c["stage"], c["holds_slot"]) == ("OD", "O", False)
    assert rep(doc, "r1")["slots_used"] == 0
    assert doc["counts"] == {"events": 6, "applied": 6, "rejected": 0, "timers": 0}


def test_renew_in_od_and_r() -> None:
    doc = R(SIGNED + [E("2026-03-07", "c1", "renew", "r1")], "2026-03-08")
    c = cust(doc, "c1")
    assert (c["state"], c["renewals"], c["state_since"]) == ("O+", 1, "2026-03-07T00:00:00+08:00")
    # OD from 03-06 09:00 -> R at 04-05 09:00; renew in R at 05-01
    doc = R(SIGNED + [E("2026-05-01", "c1", "renew", "r1")], "2026-05-02")
    c = cust(doc, "c1")
    assert (c["state"], c["renewals"]) == ("O+", 1)
    assert doc["counts"]["timers"] == 1


def test_timers_od_r_e_with_due_instants() -> None:
    # OD at 2026-03-06 09:00 -> R at 04-05 09:00 -> E at 07-04 09:00
    doc = R(SIGNED, "2026-08-01")
    c = cust(doc, "c1")
    assert (c["state"], c["lapses"], c["state_since"]) == ("E", 1, "2026-07-04T09:00:00+08:00")
    assert doc["counts"]["timers"] == 2
    doc = R(SIGNED, "2026-04-05T09:00")  # as-of exactly at the due instant: fires
    c = cust(doc, "c1")
    assert (c["state"], c["state_since"]) == ("R", "2026-04-05T09:00:00+08:00")
    doc = R(SIGNED, "2026-04-05T08:59:59")  # one second before: does not
    assert cust(doc, "c1")["state"] == "OD"
    assert doc["counts"]["timers"] == 0


def test_publish_and_reclaim_cycle() -> None:
    ev = SIGNED + [
        E("2026-08-01", "c1", "publish", "admin"),
        E("2026-08-02", "c1", "claim", "r2"),
        E("2026-08-03", "c1", "approve", "admin"),
    ]
    doc = R(ev[:-2], "2026-08-01T12:00")
    c = cust(doc, "c1")
    assert (c["state"], c["owner"], c["stage"], c["lapses"]) == ("L", None, "O", 1)
    assert c["flags"] == flags(*"DCBAO")
    doc = R(ev)
    c = cust(doc, "c1")
    assert (c["state"], c["owner"], c["stage"], c["lapses"]) == ("new", "r2", None, 1)


def test_release_by_owner_and_by_admin() -> None:
    doc = R(TO_A[:3] + [E("2026-03-04", "c1", "release", "r1")])
    c = cust(doc, "c1")
    assert (c["state"], c["owner"], c["stage"]) == ("L", None, "C")
    assert c["state_since"] == "2026-03-04T00:00:00+08:00"
    assert rep(doc, "r1")["slots_used"] == 0
    doc = R(TO_A[:2] + [E("2026-03-04", "c1", "release", "admin")])
    assert cust(doc, "c1")["state"] == "L"


def test_reassign_moves_the_slot() -> None:
    doc = R(TO_A[:2] + [E("2026-03-04", "c1", "reassign", "admin", to="r9")])
    c = cust(doc, "c1")
    assert (c["owner"], c["state"], c["state_since"]) == ("r9", "D", "2026-03-02T09:00:00+08:00")
    assert [(x["rep"], x["slots_used"]) for x in doc["reps"]] == [("r1", 0), ("r9", 1)]


def test_activity_by_anyone() -> None:
    doc = R(
        [
            E("2026-03-01", "c1", "archive", "r1"),
            E("2026-03-02", "c1", "activity", "r5"),
            E("2026-03-02", "c1", "activity", "admin"),
            E("2026-03-02", "zz", "activity", "r1"),
        ]
    )
    assert reasons(doc) == [(4, "unknown_customer")]
    assert doc["counts"] == {"events": 4, "applied": 3, "rejected": 1, "timers": 0}
    assert [x["rep"] for x in doc["reps"]] == ["r1", "r5"]


# --------------------------------------------------------------------------- refusal reasons


def test_unknown_customer_comes_first() -> None:
    doc = R(
        [
            E("2026-03-01", "c9", "promote", "r1", "D"),
            E("2026-03-01", "c9", "approve", "r1"),
            E("2026-03-01", "c9", "reassign", "r1", to="r2"),
        ]
    )
    assert reasons(doc) == [
        (1, "unknown_customer"),
        (2, "unknown_customer"),
        (3, "unknown_customer"),
    ]
    assert [x["rep"] for x in doc["reps"]] == ["r1", "r2"]  # refused rows and targets count


def test_duplicate_customer_leaves_first_owner() -> None:
    doc = R([E("2026-03-01", "c1", "archive", "r1"), E("2026-03-02", "c1", "archive", "admin")])
    assert reasons(doc) == [(2, "duplicate_customer")]
    assert cust(doc, "c1")["owner"] == "r1"


def test_not_admin() -> None:
    ev = [E("2026-03-01", "c1", "archive", "admin"), E("2026-03-02", "c1", "claim", "r1")]
    doc = R(
        ev
        + [
            E("2026-03-03", "c1", "approve", "r1"),
            E("2026-03-03", "c1", "reject", "r2"),
            E("2026-03-03", "c1", "publish", "r1"),  # not E either: not_admin first
            E("2026-03-03", "c1", "reassign", "r1", to="r1"),  # L too: not_admin first
        ]
    )
    assert reasons(doc) == [(3, "not_admin"), (4, "not_admin"), (5, "not_admin"), (6, "not_admin")]


def test_not_owner() -> None:
    doc = R(
        SIGNED[:2]
        + [
            E("2026-03-03", "c1", "promote", "r2", "C"),
            E("2026-03-03", "c1", "promote", "admin", "C"),
            E("2026-03-03", "c1", "release", "r2"),
            E("2026-03-03", "c1", "renew", "admin"),
            E("2026-03-04", "c2", "archive", "admin"),
            E("2026-03-05", "c2", "promote", "r1", "D"),  # L customer by a rep
            E("2026-03-05", "c2", "renew", "r1"),
            E("2026-03-05", "c2", "release", "r1"),
        ]
    )
    assert [r for _, r in reasons(doc)] == ["not_owner"] * 7


def test_not_public_claim_pending_no_pending_claim() -> None:
    doc = R(
        [
            E("2026-03-01", "c1", "archive", "r1"),
            E("2026-03-02", "c1", "claim", "r2"),
            E("2026-03-02", "c1", "approve", "admin"),
            E("2026-03-03", "c2", "archive", "admin"),
            E("2026-03-04", "c2", "claim", "r2"),
            E("2026-03-04", "c2", "claim", "r3"),
            E("2026-03-04", "c2", "claim", "r2"),
            E("2026-03-04", "c2", "claim", "admin"),
        ]
    )
    assert reasons(doc) == [
        (2, "not_public"),
        (3, "no_pending_claim"),
        (6, "claim_pending"),
        (7, "claim_pending"),
        (8, "claim_pending"),
    ]
    assert cust(doc, "c2")["pending_owner"] == "r2"


def test_stage_skipped_and_invalid_transition_of_promote() -> None:
    doc = R(
        TO_A[:2]
        + [
            E("2026-03-03", "c1", "promote", "r1", "B"),  # D -> B: skipped
            E("2026-03-03", "c1", "promote", "r1", "D"),  # current stage
            E("2026-03-03", "c1", "promote", "r1", "O"),  # skipped
            E("2026-03-04", "c2", "archive", "r1"),
            E("2026-03-04", "c2", "promote", "r1", "C"),
        ]
    )
    assert reasons(doc) == [
        (3, "stage_skipped"),
        (4, "invalid_transition"),
        (5, "stage_skipped"),
        (7, "stage_skipped"),
    ]
    doc = R(SIGNED + [E("2026-03-07", "c1", "promote", "r1", "O")])
    assert reasons(doc) == [(7, "invalid_transition")]
    doc = R(SIGNED + [E("2026-03-07", "c1", "promote", "r1", "D")])
    assert reasons(doc) == [(7, "invalid_transition")]


def test_invalid_transition_others() -> None:
    doc = R(
        SIGNED
        + [
            E("2026-03-07", "c1", "release", "r1"),  # signed
            E("2026-03-07", "c1", "release", "admin"),
            E("2026-03-07", "c1", "publish", "admin"),  # not E
            E("2026-03-08", "c2", "archive", "r1"),
            E("2026-03-08", "c2", "renew", "r1"),  # new
            E("2026-03-09", "c3", "archive", "admin"),
            E("2026-03-09", "c3", "reassign", "admin", to="r1"),  # L
            E("2026-03-09", "c3", "claim", "admin"),  # admin claim
            E("2026-03-09", "c3", "release", "admin"),  # L
        ]
    )
    assert [r for _, r in reasons(doc)] == ["invalid_transition"] * 7


def test_quota_exceeded_archive_claim_reassign() -> None:
    base = [E("2026-03-01", "a", "archive", "r1"), E("2026-03-01", "b", "archive", "r1")]
    doc = R(base + [E("2026-03-02", "c", "archive", "r1")], policy=SMALL)
    assert reasons(doc) == [(3, "quota_exceeded")]
    assert [c["customer"] for c in doc["customers"]] == ["a", "b"]  # refused archive: unknown
    assert doc["reps"] == [{"rep": "r1", "slots_used": 2, "slot_limit": 2}]
    doc = R(
        base
        + [
            E("2026-03-02", "p", "archive", "admin"),
            E("2026-03-03", "p", "claim", "r1"),
            E("2026-03-03", "p", "claim", "r2"),
            E("2026-03-04", "x", "archive", "r2"),  # r2: 1 pending + 1 owned = 2
            E("2026-03-05", "y", "archive", "r2"),
            E("2026-03-05", "x", "reassign", "admin", to="r1"),  # r1 full
            E("2026-03-05", "a", "reassign", "admin", to="r1"),  # to the current owner
        ],
        policy=SMALL,
    )
    assert reasons(doc) == [(4, "quota_exceeded"), (7, "quota_exceeded"), (8, "quota_exceeded")]
    assert doc["counts"] == {"events": 9, "applied": 6, "rejected": 3, "timers": 0}


def test_quota_signed_reassign_and_freed_slot() -> None:
    p = Policy(id="checker-overlay", quota_limit=1)
    doc = R(
        SIGNED
        + [
            E("2026-03-07", "c2", "archive", "r2"),
            E("2026-03-08", "c1", "reassign", "admin", to="r2"),  # signed: no slot
            E("2026-03-09", "c3", "archive", "r1"),  # r1's slot freed by signing
            E("2026-03-10", "c3", "reassign", "admin", to="r2"),  # r2 full
        ],
        policy=p,
    )
    assert reasons(doc) == [(10, "quota_exceeded")]
    assert cust(doc, "c1")["owner"] == "r2"
    assert [(x["rep"], x["slots_used"], x["slot_limit"]) for x in doc["reps"]] == [
        ("r1", 1, 1),
        ("r2", 1, 1),
    ]


def test_refusal_order_quota_is_last() -> None:
    doc = R(
        [
            E("2026-03-01", "a", "archive", "r1"),
            E("2026-03-01", "b", "archive", "r1"),
            E("2026-03-02", "a", "archive", "r1"),  # duplicate before quota
        ],
        policy=SMALL,
    )
    assert reasons(doc) == [(3, "duplicate_customer")]


# --------------------------------------------------------------------------- order and timers


def test_timer_fires_before_event_at_its_due_instant() -> None:
    # OD at 03-06 09:00; due 04-05 09:00 -> R, then the renew from R
    doc = R(SIGNED + [E("2026-04-05T09:00", "c1", "renew", "r1")], "2026-04-06")
    c = cust(doc, "c1")
    assert (c["state"], c["state_since"], c["renewals"]) == ("O+", "2026-04-05T09:00:00+08:00", 1)
    assert doc["counts"]["timers"] == 1
    # R ends at 07-04 09:00: a renew at that instant comes too late
    doc = R(SIGNED + [E("2026-07-04T01:00Z", "c1", "renew", "r1")], "2026-07-05")
    assert reasons(doc) == [(7, "invalid_transition")]
    assert cust(doc, "c1")["state"] == "E" and doc["counts"]["timers"] == 2
    doc = R(SIGNED + [E("2026-07-04T08:59:59", "c1", "renew", "r1")], "2026-07-05")
    assert cust(doc, "c1")["state"] == "O+" and doc["counts"]["timers"] == 1


def test_renew_restarts_o_plus() -> None:
    ev = SIGNED + [
        E("2026-03-20", "c1", "renew", "r1"),
        E("2026-04-10", "c1", "renew", "r1"),
    ]
    doc = R(ev, "2026-05-09T23:59:59")  # 30 days from 04-10 00:00 is 05-10 00:00
    c = cust(doc, "c1")
    assert (c["state"], c["renewals"], c["state_since"]) == ("O+", 2, "2026-04-10T00:00:00+08:00")
    doc = R(ev, "2026-05-10")
    c = cust(doc, "c1")
    assert (c["state"], c["state_since"]) == ("R", "2026-05-10T00:00:00+08:00")


def test_file_order_breaks_ties_across_spellings() -> None:
    doc = R(
        [
            E("2026-03-01", "c1", "archive", "admin"),
            E("2026-03-02T01:00Z", "c1", "claim", "r2"),
            E("2026-03-02 09:00", "c1", "claim", "r1"),
            E("2026-03-01T23:00:00Z", "c1", "claim", "r3"),  # 03-02 07:00 local: first
        ]
    )
    assert cust(doc, "c1")["pending_owner"] == "r3"
    assert reasons(doc) == [(2, "claim_pending"), (3, "claim_pending")]
    assert [x["at"] for x in doc["rejected"]] == ["2026-03-02T09:00:00+08:00"] * 2


def test_events_at_and_after_as_of() -> None:
    doc = R(
        [
            E("2026-03-01T10:00", "c1", "archive", "r1"),
            E("2026-03-01T10:00:01", "c2", "archive", "r2"),
            E("2026-03-01T09:00", "c3", "archive", "r3"),
        ],
        "2026-03-01T10:00:00",
    )
    assert [c["customer"] for c in doc["customers"]] == ["c1", "c3"]
    assert [x["rep"] for x in doc["reps"]] == ["r1", "r3"]
    assert doc["counts"] == {"events": 2, "applied": 2, "rejected": 0, "timers": 0}


def test_sorting_is_by_string() -> None:
    doc = R(
        [
            E("2026-03-01", "c9", "archive", "r10"),
            E("2026-03-01", "c10", "archive", "r9"),
            E("2026-03-01", "007", "archive", "r9"),
        ]
    )
    assert [c["customer"] for c in doc["customers"]] == ["007", "c10", "c9"]
    assert [x["rep"] for x in doc["reps"]] == ["r10", "r9"]


# --------------------------------------------------------------------------- people


def test_people_file_roles() -> None:
    people = [
        {"id": "mgr", "name": "M", "team": "", "role": "admin"},
        {"id": "r1", "name": "R", "team": "t", "role": "rep"},
        {"id": "idle", "name": "I", "team": "t", "role": "rep"},
    ]
    ev = [
        E("2026-03-01", "c1", "archive", "mgr"),
        E("2026-03-02", "c1", "claim", "r1"),
        E("2026-03-03", "c1", "approve", "admin"),  # not listed: a rep
        E("2026-03-04", "c1", "approve", "mgr"),
        E("2026-03-05", "c2", "archive", "admin"),  # a rep's archive
    ]
    doc = R(ev, people=people)
    assert reasons(doc) == [(3, "not_admin")]
    assert cust(doc, "c2")["owner"] == "admin"
    assert [(x["rep"], x["slots_used"]) for x in doc["reps"]] == [
        ("admin", 1),
        ("idle", 0),
        ("r1", 1),
    ]
    doc = R(ev)  # without people: `mgr` is a rep, `admin` the admin
    assert reasons(doc) == [(2, "not_public"), (3, "no_pending_claim"), (4, "not_admin")]
    assert cust(doc, "c1")["owner"] == "mgr" and cust(doc, "c2")["state"] == "L"
    assert [x["rep"] for x in doc["reps"]] == ["mgr", "r1"]


# --------------------------------------------------------------------------- malformed rows


def test_malformed_rows() -> None:
    ev = [
        E("2026-03-01", "c1", "archive", "r1"),
        E("2026-13-01", "c1", "activity", "r1"),
        E("2026-03-02", "", "activity", "r1"),
        E("2026-03-02", "c1", "call", "r1"),
        E("2026-03-02", "c1", "promote", "r1", "X"),
        E("2026-03-02", "c1", "reassign", "admin"),
        E("2026-03-02", "c1", "activity", ""),
        E("2026-03-03", "c1", "promote", "r1", "D"),
        E("2026-03-02", "c1", "call", "r7"),  # a rep seen only on a bad row
        E("2027-03-02", "c1", "call", "r8"),  # a bad row after as-of
    ]
    with pytest.raises(BadRows) as info:
        R(ev)
    assert [r for r, _ in info.value.rows] == [2, 3, 4, 5, 6, 7, 9, 10]
    doc = R(ev, "2026-12-31", skip_bad_rows=True)
    assert reasons(doc) == [(n, "bad_row") for n in (2, 3, 4, 5, 6, 7, 9)]
    assert [x["rep"] for x in doc["reps"]] == ["r1", "r7"]
    assert doc["rejected"][0] == {
        "row": 2,
        "at": None,
        "customer": "c1",
        "type": "activity",
        "actor": "r1",
        "reason": "bad_row",
    }
    assert doc["rejected"][1]["customer"] is None
    assert doc["counts"] == {"events": 9, "applied": 2, "rejected": 7, "timers": 0}
    assert cust(doc, "c1")["state"] == "D"


# --------------------------------------------------------------------------- overlays


def test_overlay_claim_without_approval_and_timers() -> None:
    p = Policy(
        id="checker-overlay",
        quota_limit=3,
        claim_approval=False,
        deliver_days=20,
        redeliver_days=20,
        lapse_days=60,
    )
    ev = SIGNED + [E("2026-09-01", "c1", "publish", "admin"), E("2026-09-02", "c1", "claim", "r2")]
    doc = R(ev, policy=p)
    c = cust(doc, "c1")
    assert (c["state"], c["owner"], c["pending_owner"], c["flags"]) == ("new", "r2", None, flags())
    assert c["lapses"] == 1 and c["state_since"] == "2026-09-02T00:00:00+08:00"
    doc = R(SIGNED, "2026-05-25T09:00", policy=p)  # 03-06 +20d = 03-26, +60d = 05-25
    c = cust(doc, "c1")
    assert (c["state"], c["state_since"]) == ("E", "2026-05-25T09:00:00+08:00")
    assert doc["policy"] == {"id": "checker-overlay", "version": "1.0.0"}
    assert doc["reps"][0]["slot_limit"] == 3
    y = overlay_yaml(p)
    assert (
        "quota: {limit: 3}" in y and "claim: {approval: null}" in y and "lapse: {after: 60d}" in y
    )


def test_overlay_immediate_claim_quota() -> None:
    doc = R(
        [
            E("2026-03-01", "a", "archive", "r1"),
            E("2026-03-01", "b", "archive", "r1"),
            E("2026-03-01", "p", "archive", "admin"),
            E("2026-03-02", "p", "claim", "r1"),
            E("2026-03-03", "p", "claim", "r2"),
        ],
        policy=FAST,
    )
    assert reasons(doc) == [(4, "quota_exceeded")]
    assert cust(doc, "p")["owner"] == "r2"


# --------------------------------------------------------------------------- run


def REC(customer: str, state: str, owner: str = "r1", ones: str = "", **kw: str) -> dict:
    rec = {"customer": customer, "owner": owner, "state": state, "state_since": "2026-03-01"}
    for s in "DCBAO":
        rec[s] = "1" if s in ones else "0"
        rec[f"{s}_at"] = ""
    rec.update(kw)
    return rec


def test_run_stage_gap_priority_overdue() -> None:
    recs = [
        REC("n1", "new", state_since="2026-05-01T08:00"),
        REC("n2", "new", state_since="2026-05-01T09:00"),
        REC("d1", "D", ones="D", D_at="2026-03-22T10:00"),  # 40 days: overdue 1
        REC("d2", "D", ones="D", D_at="2026-03-22T10:00:01"),  # 39 days and 23:59:59: 0
        REC("b1", "B", ones="DCB", B_at="2026-04-01"),
        REC("g1", "B", ones="DB", D_at="2026-02-01", B_at="2026-04-20"),  # gap: stage D
        REC("o1", "OD", ones="DCBAO", state_since="2026-01-01"),
        REC("x1", "A", owner="r2", ones="DCBA", A_at="2026-04-01"),
    ]
    doc = RUN(recs, "2026-05-01T10:00")
    by = {c["customer"]: c for c in doc["customers"]}
    assert by["g1"]["stage"] == "D" and by["g1"]["violations"] == ["stage_skipped"]
    assert by["b1"]["violations"] == []
    assert [by[k]["priority"] for k in ("b1", "g1", "d1", "d2", "n1", "n2")] == [1, 2, 3, 4, 5, 6]
    assert by["o1"]["priority"] is None and by["x1"]["priority"] == 1
    # overdue: n1 0 whole days (2h), d1 40-39 = 1, d2 0, b1 30-24 = 6, g1 (state B) 11-24 -> 0
    assert [by[k]["overdue_days"] for k in ("n1", "d1", "d2", "b1", "g1", "x1", "o1")] == [
        0,
        1,
        0,
        6,
        0,
        3,
        None,
    ]
    assert doc["counts"] == {"events": 0, "applied": 0, "rejected": 0, "timers": 2}  # o1 -> R -> E
    assert by["o1"]["state"] == "E" and by["o1"]["lapses"] == 1 and by["o1"]["due"] is None


def test_run_new_overdue_from_first_full_day() -> None:
    recs = [
        REC("a", "new", state_since="2026-04-30T10:00"),
        REC("b", "new", state_since="2026-04-30T10:00:01"),
    ]
    doc = RUN(recs, "2026-05-01T10:00")
    assert [c["overdue_days"] for c in doc["customers"]] == [1, 0]


def test_run_timers_and_due() -> None:
    recs = [
        REC("a", "OD", ones="DCBAO", state_since="2026-04-01T10:00"),  # due 05-01 10:00: fires
        REC("b", "OD", ones="DCBAO", state_since="2026-04-01T10:00:01"),
        REC("c", "R", ones="DCBAO", state_since="2026-02-01", lapses="2"),  # 90d: 05-02
        REC("d", "O+", ones="DCBAO", state_since="2026-01-01", renewals="1"),  # R 01-31, E 05-01
    ]
    doc = RUN(recs, "2026-05-01T10:00")
    by = {c["customer"]: c for c in doc["customers"]}
    assert (by["a"]["state"], by["a"]["state_since"]) == ("R", "2026-05-01T10:00:00+08:00")
    assert by["a"]["due"] == {"to": "E", "at": "2026-07-30T10:00:00+08:00"}
    assert by["b"]["state"] == "OD"
    assert by["b"]["due"] == {"to": "R", "at": "2026-05-01T10:00:01+08:00"}
    assert by["c"]["state"] == "R" and by["c"]["due"]["at"] == "2026-05-02T00:00:00+08:00"
    assert (by["d"]["state"], by["d"]["lapses"], by["d"]["renewals"]) == ("E", 1, 1)
    assert by["d"]["state_since"] == "2026-05-01T00:00:00+08:00"
    assert doc["counts"]["timers"] == 3


def test_run_reps_signings_funnel_over_quota() -> None:
    recs = [
        REC("a", "new"),
        REC("b", "C", ones="DC", C_at="2026-04-01"),
        REC("c", "A", ones="DCBA", A_at="2026-04-01"),
        REC("d", "R", ones="DCBAO", state_since="2026-04-01"),
        REC("e", "L", owner="", ones="DC", pending_owner="r1"),
        REC("f", "B", owner="r2", ones="DB", B_at="2026-04-01"),  # gap: stage D
    ]
    doc = RUN(recs, "2026-05-01", policy=Policy(id="checker-overlay", quota_limit=3))
    r1, r2 = doc["reps"]
    assert r1["rep"] == "r1" and r1["slots_used"] == 4 and r1["slot_limit"] == 3
    assert r1["violations"] == ["over_quota"]
    # 0.06 + 6/38 + 6/18 = 0.06 + 0.157894737 + 0.333333333 = 0.551228070...
    assert r1["expected_signings"] == 0.551228
    assert r1["funnel"] == {"new": 1, "D": 0, "C": 1, "B": 0, "A": 1, "O": 1}
    assert r2["expected_signings"] == round(6 / 28, 6) and r2["funnel"]["D"] == 1
    assert r2["violations"] == []
    by = {c["customer"]: c for c in doc["customers"]}
    assert by["e"]["holds_slot"] is True and by["e"]["priority"] is None
    assert by["e"]["stage"] == "C"


def test_run_tie_break_by_id_and_state_since_for_new() -> None:
    recs = [
        REC("z", "D", ones="D", D_at="2026-04-01"),
        REC("y", "D", ones="D", D_at="2026-04-01"),
        REC("m", "new", state_since="2026-04-01"),
    ]
    doc = RUN(recs, "2026-05-01")
    assert [(c["customer"], c["priority"]) for c in doc["customers"]] == [
        ("m", 3),
        ("y", 1),
        ("z", 2),
    ]


# --------------------------------------------------------------------------- generator


def test_generator_is_deterministic_and_parses() -> None:
    for seed in range(12):
        a, b = gen_case(seed), gen_case(seed)
        assert a.table == b.table and a.as_of == b.as_of and a.people == b.people
        assert parse_instant(a.as_of) is not None
        rows = read_csv(a.table)
        assert rows
        if a.kind == "run":
            assert 5 <= len(rows) <= 60
            run(rows, a.as_of, a.policy)


def test_spell_round_trips() -> None:
    import random

    rng = random.Random(1)
    t = parse_instant("2026-03-01T00:00")
    assert t is not None
    seen = {spell(t, rng) for _ in range(200)}
    assert "2026-03-01" in seen and "2026-02-28T16:00Z" in seen and "2026-03-01 00:00:00" in seen


def test_generator_coverage() -> None:
    """Across 120 seeds the histories hit every refusal reason and every event type applied,
    events at as-of and after it, timer chains, and the snapshots hit gaps and over-quota."""
    seen: Counter[str] = Counter()
    for seed in range(120):
        case = gen_history(seed)
        rows = read_csv(case.table)
        people = read_csv(case.people) if case.people else None
        as_of = parse_instant(case.as_of)
        assert as_of is not None
        ats = [parse_instant(r["at"]) for r in rows]
        seen["at_as_of"] += any(t == as_of for t in ats)
        seen["after_as_of"] += any(t is not None and t > as_of for t in ats)
        seen["people"] += people is not None
        try:
            doc = replay(rows, case.as_of, case.policy, people, case.skip_bad_rows)
        except BadRows:
            seen["exit1"] += 1
            continue
        for r in doc["rejected"]:
            seen[r["reason"]] += 1
        seen["timers>=2"] += doc["counts"]["timers"] >= 2
        for c in doc["customers"]:
            seen["state:" + c["state"]] += 1
            seen["pending"] += c["pending_owner"] is not None
        seen["at_limit"] += any(x["slots_used"] == x["slot_limit"] for x in doc["reps"])
    for key in [
        "unknown_customer",
        "duplicate_customer",
        "not_admin",
        "not_owner",
        "not_public",
        "claim_pending",
        "no_pending_claim",
        "stage_skipped",
        "invalid_transition",
        "quota_exceeded",
        "bad_row",
        "exit1",
        "at_as_of",
        "after_as_of",
        "people",
        "timers>=2",
        "pending",
        "at_limit",
    ] + [f"state:{s}" for s in ["new", "D", "C", "B", "A", "OD", "O+", "R", "E", "L"]]:
        assert seen[key] > 0, key
    snap: Counter[str] = Counter()
    for seed in range(60):
        case = gen_snapshot(seed)
        doc = run(read_csv(case.table), case.as_of, case.policy)
        snap["gap"] += any(c["violations"] for c in doc["customers"])
        snap["over"] += any(r["violations"] for r in doc["reps"])
        snap["timers"] += doc["counts"]["timers"] > 0
    assert snap["gap"] and snap["over"] and snap["timers"]


def test_default_policy_constant() -> None:
    assert DEFAULT.is_default and DEFAULT.quota_limit == 50 and DEFAULT.lapse_days == 90
