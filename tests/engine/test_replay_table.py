"""One hand-derived scenario per row of CONTRACT §2's table, and per refusal reason."""

from __future__ import annotations

from tests.engine.helpers import SIGNED, customer, reasons, replay


def test_archive_by_rep_and_by_admin() -> None:
    doc = replay("2026-01-01 C1 archive wang\n2026-01-01 C2 archive admin", as_of="2026-01-02")
    c1, c2 = customer(doc, "C1"), customer(doc, "C2")
    assert (c1["state"], c1["owner"], c1["holds_slot"]) == ("new", "wang", True)
    assert (c2["state"], c2["owner"], c2["holds_slot"]) == ("L", None, False)
    assert doc["reps"] == [{"rep": "wang", "slots_used": 1, "slot_limit": 50}]


def test_promotions_sign_and_free_the_slot() -> None:
    doc = replay(SIGNED, as_of="2026-01-06T12:00")
    c1 = customer(doc, "C1")
    assert c1["state"] == "OD" and c1["stage"] == "O"
    assert c1["flags"] == {"D": 1, "C": 1, "B": 1, "A": 1, "O": 1}
    assert c1["holds_slot"] is False and doc["reps"][0]["slots_used"] == 0
    assert c1["state_since"] == "2026-01-06T00:00:00+08:00"


def test_timers_od_r_e_with_due_instants() -> None:
    # OD on 01-06 → R on 02-05 (30 days) → E on 05-06 (90 days)
    doc = replay(SIGNED, as_of="2026-05-06")
    c1 = customer(doc, "C1")
    assert (c1["state"], c1["state_since"], c1["lapses"]) == ("E", "2026-05-06T00:00:00+08:00", 1)
    assert doc["counts"]["timers"] == 2
    just_before = replay(SIGNED, as_of="2026-05-05T23:59:59")
    assert customer(just_before, "C1")["state"] == "R"


def test_timer_fires_before_an_event_at_the_same_instant() -> None:
    # the renewal window ends at 2026-05-06 00:00: a renew at that instant is too late
    doc = replay(SIGNED + "2026-05-06 C1 renew wang", as_of="2026-05-07")
    assert reasons(doc) == [(7, "invalid_transition")]
    doc = replay(SIGNED + "2026-05-05T23:59 C1 renew wang", as_of="2026-05-07")
    c1 = customer(doc, "C1")
    assert (c1["state"], c1["renewals"], c1["state_since"]) == (
        "O+",
        1,
        "2026-05-05T23:59:00+08:00",
    )


def test_renew_in_o_plus_restarts_the_window() -> None:
    doc = replay(SIGNED + "2026-01-20 C1 renew wang\n2026-02-10 C1 renew wang", as_of="2026-03-11")
    c1 = customer(doc, "C1")
    # second renewal on 02-10 restarts O+: R only on 03-12
    assert (c1["state"], c1["renewals"]) == ("O+", 2)
    assert (
        customer(replay(SIGNED + "2026-01-20 C1 renew wang", as_of="2026-02-19"), "C1")["state"]
        == "R"
    )


def test_claim_approve_reject_and_slots_of_pending_claims() -> None:
    history = """
    2026-01-01 C1 archive admin
    2026-01-02 C1 claim li
    2026-01-03 C1 claim wang
    2026-01-04 C1 approve admin
    2026-01-05 C2 archive admin
    2026-01-06 C2 claim wang
    2026-01-07 C2 reject admin
    2026-01-08 C2 approve admin
    """
    pending = replay(history, as_of="2026-01-02T12:00")
    assert customer(pending, "C1")["pending_owner"] == "li"
    assert customer(pending, "C1")["holds_slot"] is True
    assert pending["reps"] == [{"rep": "li", "slots_used": 1, "slot_limit": 50}]
    doc = replay(history)
    c1, c2 = customer(doc, "C1"), customer(doc, "C2")
    assert (c1["state"], c1["owner"], c1["pending_owner"]) == ("new", "li", None)
    assert (c2["state"], c2["owner"], c2["pending_owner"]) == ("L", None, None)
    assert reasons(doc) == [(3, "claim_pending"), (8, "no_pending_claim")]


def test_approved_claim_resets_flags_release_keeps_them() -> None:
    history = """
    2026-01-01 C1 archive wang
    2026-01-02 C1 promote wang D
    2026-01-03 C1 promote wang C
    2026-01-04 C1 release wang
    """
    released = replay(history, as_of="2026-01-05")
    assert customer(released, "C1")["stage"] == "C" and customer(released, "C1")["state"] == "L"
    doc = replay(history + "2026-01-05 C1 claim li\n2026-01-06 C1 approve admin")
    c1 = customer(doc, "C1")
    assert c1["flags"] == {"D": 0, "C": 0, "B": 0, "A": 0, "O": 0} and c1["stage"] is None


def test_publish_reassign_activity() -> None:
    history = (
        SIGNED
        + """
    2026-05-07 C1 publish admin
    2026-05-08 C2 archive wang
    2026-05-09 C2 reassign admin li
    2026-05-10 C2 activity zhang
    """
    )
    doc = replay(history)
    c1, c2 = customer(doc, "C1"), customer(doc, "C2")
    assert (c1["state"], c1["owner"], c1["stage"]) == ("L", None, "O")
    assert c2["owner"] == "li"
    reps = {r["rep"]: r["slots_used"] for r in doc["reps"]}
    assert reps == {"li": 1, "wang": 0, "zhang": 0}


def test_every_refusal_reason() -> None:
    history = """
    2026-01-01 C1 promote wang D
    2026-01-02 C1 archive wang
    2026-01-03 C1 archive li
    2026-01-04 C1 reassign wang li
    2026-01-05 C1 promote li D
    2026-01-06 C1 claim li
    2026-01-07 C2 archive admin
    2026-01-08 C2 claim li
    2026-01-09 C2 claim zhao
    2026-01-10 C1 approve admin
    2026-01-11 C1 promote wang C
    2026-01-12 C1 renew wang
    2026-01-13 C2 publish admin
    """
    doc = replay(history)
    assert reasons(doc) == [
        (1, "unknown_customer"),
        (3, "duplicate_customer"),
        (4, "not_admin"),
        (5, "not_owner"),
        (6, "not_public"),
        (9, "claim_pending"),
        (10, "no_pending_claim"),
        (11, "stage_skipped"),
        (12, "invalid_transition"),
        (13, "invalid_transition"),
    ]
    assert doc["counts"] == {"events": 13, "applied": 3, "rejected": 10, "timers": 0}


def test_quota_exceeded_at_the_limit(write) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import overlay

    policy = write(overlay("quota: {limit: 2}\n"))
    history = """
    2026-01-01 C1 archive wang
    2026-01-02 C2 archive wang
    2026-01-03 C3 archive wang
    2026-01-04 C9 archive admin
    2026-01-05 C9 claim wang
    2026-01-06 C1 promote wang D
    2026-01-07 C1 promote wang C
    2026-01-08 C1 promote wang B
    2026-01-09 C1 promote wang A
    2026-01-10 C1 promote wang O
    2026-01-11 C3 archive wang
    2026-01-12 C4 archive li
    2026-01-13 C4 reassign admin wang
    2026-01-14 C1 reassign admin li
    """
    doc = replay(history, policy=policy)
    assert reasons(doc) == [(3, "quota_exceeded"), (5, "quota_exceeded"), (13, "quota_exceeded")]
    assert customer(doc, "C1")["owner"] == "li"  # a signed customer moves freely
    reps = {r["rep"]: r["slots_used"] for r in doc["reps"]}
    assert reps == {"li": 1, "wang": 2}


def test_stage_lock_with_evidence_in_the_event(write) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import overlay

    policy = write(
        overlay(
            """
            fields:
              call_recording: {type: bool}
            stages:
              B: {requires: "event.call_recording == true"}
            """
        )
    )
    history = """
    2026-01-01 C1 archive wang
    2026-01-02 C1 promote wang D
    2026-01-03 C1 promote wang C
    2026-01-04 C1 promote wang B
    2026-01-05 C1 promote wang B call_recording=1
    """
    doc = replay(history, policy=policy)
    assert reasons(doc) == [(4, "stage_lock")]
    assert customer(doc, "C1")["stage"] == "B"
