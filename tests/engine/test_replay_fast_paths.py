"""The replay's fast paths give what the plain ones give: instants read by day and clock,
refusal checks planned per event type, cheap undo, a dry-run that reads its history once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import rulekit
from rulekit.analysis.dryrun import dry_run
from rulekit.engine.core import program as programs
from rulekit.engine.core.plan import plans
from rulekit.engine.core.record import Customer
from rulekit.engine.input import cells
from rulekit.engine.input.history import read_events
from rulekit.tables import Table
from rulekit.timeutil import zone
from tests.engine.helpers import SIGNED, events

TEXTS = [
    "2026-03-01 09:30",
    "2026-03-01T09:30",
    "2026-03-01 09:30:15",
    "2026-03-01T23:59:59",
    "2026-03-02 00:00",
    "2024-02-29 12:00",  # a leap day
    "2026-03-29 02:30",  # a DST gap in Europe/Berlin: kept as the wall clock says
    "2026-10-25 02:30",  # a DST fold in Europe/Berlin
    "2026-03-01",
    "2026-03-01 09:30+02:00",
    " 2026-03-01 09:30",
    "2026-03-01 09:30 ",
    "2026-03-01x09:30",  # Python reads any separator: so does the memory (not by day)
    "2026-03-01 9:30:00",  # an unpadded hour, as WPS writes it
    "2026/3/1 9:30",
]
BAD = ["2026-02-30 09:30", "2026-03-01 24:00", "2026-03-01 09:60", "1/3/2026 09:30", "x" * 16]


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/Berlin", "UTC"])
def test_instants_by_day_and_clock_are_instant(tz: str) -> None:
    zone_ = zone(tz)
    read = cells.Instants(zone_)
    for _ in range(2):  # the second round is answered from the memory
        for text in TEXTS:
            want = cells.instant(text, zone_)
            got = read(text)
            assert got == want and got is not None and want is not None
            assert (got.tzinfo, got.fold) == (want.tzinfo, want.fold)
            assert got.replace(tzinfo=None) == want.replace(tzinfo=None), text
        for text in BAD:
            with pytest.raises(cells.CellError):
                read(text)
    # a day and a clock seen apart make a new instant from memory, exactly
    assert read("2026-03-02 09:30:15") == cells.instant("2026-03-02 09:30:15", zone_)


def _table(rows: list[dict[str, str]]) -> Table:
    columns = ["at", "customer", "type", "actor", "stage", "to"]
    return Table("<rows>", None, columns, [[r.get(c) for c in columns] for r in rows], None)


def test_one_string_per_id() -> None:
    program = programs.build(rulekit.load("4321-dcbao@1"))
    table = _table(events(SIGNED))
    table.rows[1][1] = "".join(["C", "1"])  # an equal but distinct str
    log = read_events(table, program, datetime(2027, 1, 1, tzinfo=program.tz))
    assert len({id(e.customer) for e in log.events}) == 1
    assert len({id(e.actor) for e in log.events}) == 1


def test_plans_of_the_default_policy() -> None:
    program = programs.build(rulekit.load("4321-dcbao@1"))
    todo = plans(program)
    assert todo["approve"].unknown_if_new and todo["approve"].role_reason == "not_admin"
    assert todo["archive"].duplicate_if_known and not todo["archive"].unknown_if_new
    assert todo["claim"].only_public and todo["claim"].waits
    assert todo["release"].roles.free == (False, True) and todo["release"].roles.owner
    assert todo["release"].role_reason == "not_owner"
    assert todo["reassign"].names_target and not todo["activity"].names_target
    assert [o.move.name for o in todo["promote"].options["C"]] == ["meet"]
    assert todo["activity"].roles.allow("anyone", False, None)


def test_undo_keeps_what_was_saved() -> None:
    from rulekit.engine.core.effects import add_fields, mark_stage

    program = programs.build(rulekit.load("4321-dcbao@1"))
    c = Customer("C1", "new", 5, None)
    c.fields = {"renewals": 1}
    saved = c.save()
    flags, dates, fields = c.flags, c.dates, c.fields
    mark_stage(program, c, "D", datetime(2026, 1, 1))
    add_fields(c, {"region": "east"})
    assert (flags, fields) == ([0] * 5, {"renewals": 1}) and dates == [None] * 5
    c.restore(saved)
    assert (c.flags, c.dates, c.fields) == ([0] * 5, [None] * 5, {"renewals": 1})


HISTORY = (
    SIGNED
    + """
2026-01-07 C2 archive wang
2026-01-08 C2 promote wang D
2026-01-09 C3 archive li
2026-01-10 C3 release li
2026-01-11 C3 claim wang
2026-01-12 C3 approve admin
2026-01-13 C9 promote li D
2026-01-14 C2 activity li
"""
)


@pytest.mark.parametrize("candidate_text", [
    "quota: {limit: 1}\ntransitions:\n  lapse: {after: 60d}\n",
    "fields:\n  region: {type: string, column: 区域}\n",  # reads the history differently
])  # fmt: skip
def test_dry_run_reads_once_and_agrees_with_two_replays(
    tmp_path: Path, candidate_text: str
) -> None:
    path = tmp_path / "candidate.yaml"
    path.write_text(
        "rulekit: 1\nextends: 4321-dcbao@1\nid: cand\nversion: 1.0.0\n" + candidate_text,
        encoding="utf-8",
    )
    baseline, candidate = rulekit.load("4321-dcbao@1"), rulekit.load(path)
    table = _table(events(HISTORY))
    as_of = datetime(2026, 6, 1, tzinfo=baseline.tz)
    run = dry_run(baseline, candidate, table, as_of)
    a = rulekit.replay(baseline, table, as_of=as_of)
    b = rulekit.replay(candidate, table, as_of=as_of)
    assert run.baseline.document() == a.document()
    assert run.candidate.document() == b.document()
    side = run.document()["candidate"]
    assert side["policy"] == b.document()["policy"] and side["counts"] == b.document()["counts"]
    shared = programs.build(baseline).event_reading() == programs.build(candidate).event_reading()
    assert shared == ("quota" in candidate_text)


def test_quick_set_values_are_the_conditions_values() -> None:
    from rulekit.engine.core.effects import _QUICK
    from rulekit.engine.core.event import Event
    from rulekit.engine.core.record import Env

    policy = rulekit.load("4321-dcbao@1")
    program = programs.build(policy)
    at = datetime(2026, 1, 1, 9, tzinfo=program.tz)
    customer = Customer("C1", "new", 5, at)
    event = Event(3, at, "C1", "reassign", "boss", "D", "li", {"at": "shadowed", "to": "x"})
    quick = [c for c in policy.conditions.values() if c.python_source in _QUICK]
    assert len(quick) == 4  # owner: actor (twice), owner: event.to, last_activity_at: event.at
    for condition in quick:
        for ev, actor in ((event, None), (event, "wang"), (None, "wang"), (None, None)):
            env = Env(program, customer, at, ev, actor)
            assert _QUICK[condition.python_source](ev, actor) == condition(env)
