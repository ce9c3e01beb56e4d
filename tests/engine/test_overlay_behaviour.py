"""An overlay changes behaviour with no code change: quota, timer lengths, claims, stage locks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import overlay
from tests.engine.helpers import SIGNED, customer, reasons, replay


def test_checker_overlay_spellings(write: Callable[..., Path]) -> None:
    policy = write(
        overlay(
            """
            quota: {limit: 30}
            transitions: {claim: {approval: null}, deliver: {after: 20d},
                          redeliver: {after: 20d}, lapse: {after: 60d}}
            """
        )
    )
    # OD for 20 days (01-06 → 01-26), R for 60 days (→ 03-27)
    base = replay(SIGNED, as_of="2026-03-27")
    tailored = replay(SIGNED, as_of="2026-03-27", policy=policy)
    assert customer(base, "C1")["state"] == "R"
    c1 = customer(tailored, "C1")
    assert (c1["state"], c1["state_since"]) == ("E", "2026-03-27T00:00:00+08:00")
    assert tailored["reps"][0]["slot_limit"] == 30
    # a claim takes effect at once: owner, state new, flags reset, a slot taken
    claims = "2026-01-01 C2 archive admin\n2026-01-02 C2 claim li\n2026-01-03 C2 approve admin\n"
    doc = replay(claims, policy=policy)
    c2 = customer(doc, "C2")
    assert (c2["state"], c2["owner"], c2["pending_owner"]) == ("new", "li", None)
    assert reasons(doc) == [(3, "no_pending_claim")]


def test_quota_limit_of_thirty(write: Callable[..., Path]) -> None:
    policy = write(overlay("quota: {limit: 30}\n"))
    history = "\n".join(f"2026-01-01 C{i:02d} archive wang" for i in range(31))
    doc = replay(history, policy=policy)
    assert reasons(doc) == [(31, "quota_exceeded")]
    assert doc["reps"] == [{"rep": "wang", "slots_used": 30, "slot_limit": 30}]
    assert reasons(replay(history)) == []


def test_team_limits_from_the_people_file(write: Callable[..., Path], tmp_path: Path) -> None:
    policy = write(overlay("quota: {by_team: {key: 1}}\n"))
    people = tmp_path / "people.csv"
    people.write_text("id,name,team,role\nwang,王,key,rep\nli,李,,rep\nboss,老板,,admin\n")
    history = """
    2026-01-01 C1 archive wang
    2026-01-02 C2 archive wang
    2026-01-03 C3 archive li
    2026-01-04 C4 archive li
    2026-01-05 C1 reassign boss li
    2026-01-06 C5 archive admin
    """
    doc = replay(history, policy=policy, people=str(people))
    # `admin` is a rep when a people file does not list it as an admin
    assert reasons(doc) == [(2, "quota_exceeded")]
    assert {r["rep"]: (r["slots_used"], r["slot_limit"]) for r in doc["reps"]} == {
        "admin": (1, 50),
        "li": (3, 50),
        "wang": (0, 1),
    }
