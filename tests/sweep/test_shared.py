"""The history workers receive: compact bytes (the CSV file itself, or the table pickled), read
into events once per process and way of reading, giving the events the file gives."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest

from rulekit import api
from rulekit.engine.core import program as programs
from rulekit.engine.core.people import People
from rulekit.engine.input.history import read_events
from rulekit.sweep import shared as shared_module
from rulekit.sweep.candidates import overlay_document
from rulekit.sweep.grid import entries, parse_axis
from rulekit.sweep.run import axes
from rulekit.sweep.shared import Shared, event_log, forget
from rulekit.sweep.work import History, Task, run_candidate
from rulekit.tables import read_table
from rulekit.tables.fastcsv import TextFrame, read_table_fast
from tests.sweep.conftest import AS_OF


def events(log: Any) -> list[tuple[Any, ...]]:
    return [(e.at, e.customer, e.type, e.actor) for e in log.events]


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the history is read into events through `shared`."""
    calls: list[int] = []

    def reading(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return read_events(*args, **kwargs)

    monkeypatch.setattr(shared_module, "read_events", reading)
    return calls


def test_a_csv_history_ships_as_its_compressed_file(
    history: Path, baseline: Path, tmp_path: Path
) -> None:
    """A fraction of the file's size, and no Event objects; the original file is not needed
    to read it (a worker on another machine has no such file)."""
    copy = tmp_path / "history.csv"
    shutil.copy(history, copy)
    table = read_table_fast(copy)
    assert isinstance(table, TextFrame)
    packed = Shared.here(table).packed()
    assert packed.kind == "file" and packed.table is None
    assert len(pickle.dumps(packed)) < copy.stat().st_size / 2
    copy.unlink()
    policy = api.load(str(baseline))
    program = programs.build(policy)
    as_of = api._instant(AS_OF, policy)
    try:
        shipped = event_log(pickle.loads(pickle.dumps(packed)), program, as_of)
    finally:
        forget(packed)
    assert shipped.events and events(shipped) == events(read_events(table, program, as_of))


def test_events_read_from_the_bytes_are_the_files(history: Path, baseline: Path) -> None:
    policy = api.load(str(baseline))
    program = programs.build(policy)
    as_of = api._instant(AS_OF, policy)
    for table in (read_table_fast(history), read_table(history)):
        packed = pickle.loads(pickle.dumps(Shared.here(table).packed()))
        assert packed.kind == ("file" if isinstance(table, TextFrame) else "table")
        try:
            shipped = event_log(packed, program, as_of)
        finally:
            forget(packed)
        assert events(shipped) == events(read_events(table, program, as_of))


def test_read_once_per_process_and_way_of_reading(
    history: Path, baseline: Path, counted: list[int]
) -> None:
    """Candidates that read events alike share one log; a varied time zone reads again."""
    policy = api.load(str(baseline))
    as_of = api._instant(AS_OF, policy)
    packed = Shared.here(read_table_fast(history)).packed()
    shipped = History(policy.document, policy.files, packed, People(), "h.csv", as_of, False, {})
    limits = axes(policy, ["quota.limit=4,8,12"])[0]
    zones = parse_axis("timezone=Asia/Shanghai,Europe/Berlin", entries(policy.document))
    try:
        for axis in (limits, zones):
            for k in range(len(axis.values)):
                overlay = overlay_document(policy.document, [axis], [k])
                run_candidate(shipped, Task(k, overlay))
    finally:
        forget(packed)
    assert len(counted) == 2
