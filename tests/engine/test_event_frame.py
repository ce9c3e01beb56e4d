"""Events read column-wise from a CSV file are the row reader's, row for row, bad rows too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulekit
from rulekit.api import _instant
from rulekit.engine.core import program as programs
from rulekit.engine.input.errors import InputError
from rulekit.engine.input.event_frame import read_event_frame
from rulekit.engine.input.event_rows import EventLog
from rulekit.engine.input.history import read_events
from rulekit.tables import read_table
from rulekit.tables.fastcsv import read_text_frame

DEFAULT = programs.build(rulekit.load("4321-dcbao@1"))
FIELDS = programs.build(rulekit.load(Path("examples/jinghua-env/policy.yaml")))
AS_OF = "2026-06-30"

ATS = st.sampled_from(
    ["2026-01-02 09:30", "2026-01-02T09:30:15", "2026-02-03", "2026-03-04 10:00:00+05:00",
     "2026-13-01", "2026-07-01 08:00", "  2026-01-05 10:00 ", "", "yesterday", "2026-1-2"]
)  # fmt: skip
TYPES = st.sampled_from(
    ["archive", "claim", "approve", "promote", "reassign", "renew", "teleport", "", " promote"]
)
CELLS = st.sampled_from(["", "C1", "C2", " C3 ", "王", "rep1", "admin", "D", "O", "X", "rep2"])
FLAGS = st.sampled_from(["", "", "1", "0", "maybe"])


@st.composite
def rows(draw: Any) -> list[list[str]]:
    n = draw(st.integers(1, 25))
    return [
        [draw(ATS), draw(CELLS), draw(TYPES), draw(CELLS), draw(CELLS), draw(CELLS), draw(FLAGS)]
        for _ in range(n)
    ]


def log_of(log: EventLog) -> tuple[Any, ...]:
    events = [
        (e.row, e.at, e.at.tzinfo, e.customer, e.type, e.actor, e.stage, e.to, dict(e.fields))
        for e in log.events
    ]
    bad = [(b.row, b.problems, b.at, b.customer, b.type, b.actor, b.late) for b in log.bad]
    return events, bad, log.ignored


def write(path: Path, header: list[str], body: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *body]) + "\n", encoding="utf-8")
    return path


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=rows(), fields=st.booleans(), as_of=st.sampled_from([AS_OF, "2026-01-02T01:30Z"]))
def test_same_log_as_the_row_reader(
    tmp_path: Path, body: list[list[str]], fields: bool, as_of: str
) -> None:
    program = FIELDS if fields else DEFAULT
    header = ["at", "customer", "type", "actor", "stage", "to", "call_recording"]
    path = write(tmp_path / "history.csv", header, body)
    source = read_text_frame(path)
    assert source is not None
    at = _instant(as_of, program.policy)
    by_frame = read_event_frame(source, program, at)
    assert by_frame is not None
    table = read_table(path)
    by_rows = read_events(table, program, at)
    assert log_of(by_frame) == log_of(by_rows)
    if by_rows.bad:  # the messages name the same lines
        assert by_frame.lines == table.lines


def test_declines_without_a_required_column(tmp_path: Path) -> None:
    path = write(tmp_path / "h.csv", ["at", "customer", "type"], [["2026-01-02", "C1", "archive"]])
    source = read_text_frame(path)
    assert source is not None
    assert read_event_frame(source, DEFAULT, _instant(AS_OF, DEFAULT.policy)) is None
    with pytest.raises(InputError, match="`actor` is missing"):
        read_events(source, DEFAULT, _instant(AS_OF, DEFAULT.policy))  # the row reader's error


def test_replay_of_a_csv_file_reads_it_column_wise(tmp_path: Path) -> None:
    body = [["2026-01-02 09:30", "C1", "archive", "rep1", "", ""],
            ["2026-01-03 09:30", "C1", "promote", "rep1", "D", ""],
            ["2026-01-04", "C2", "claim", "rep2", "", ""]]  # fmt: skip
    path = write(tmp_path / "h.csv", ["at", "customer", "type", "actor", "stage", "to"], body)
    fast = rulekit.replay("4321-dcbao@1", path, as_of=AS_OF)
    rows_read = rulekit.replay("4321-dcbao@1", read_table(path), as_of=AS_OF)
    assert fast.document() == rows_read.document()
    assert [(c.customer, c.state) for c in fast.customers] == [("C1", "D")]
    assert [r.reason for r in fast.rejected] == ["unknown_customer"]


def test_daylight_saving_times_read_as_the_row_reader(tmp_path: Path) -> None:
    from tests.conftest import overlay

    policy_file = tmp_path / "ny.yaml"
    policy_file.write_text(overlay("timezone: America/New_York\n"))
    program = programs.build(rulekit.load(policy_file))
    times = ["2026-03-08 01:59", "2026-03-08 02:30", "2026-03-08 03:00", "2026-11-01 01:30",
             "2026-11-01 00:59", "2026-11-01 02:00", "2026-11-01", "2026-03-08"]  # fmt: skip
    body = [[t, f"C{i}", "archive", "rep1", "", ""] for i, t in enumerate(times)]
    path = write(tmp_path / "h.csv", ["at", "customer", "type", "actor", "stage", "to"], body)
    source = read_text_frame(path)
    assert source is not None
    at = _instant("2026-12-31", program.policy)
    by_frame = read_event_frame(source, program, at)
    assert by_frame is not None
    table = read_table(path)
    by_rows = read_events(table, program, at)
    assert log_of(by_frame) == log_of(by_rows)
    if by_rows.bad:  # the messages name the same lines
        assert by_frame.lines == table.lines
    assert len(by_frame.events) == len(times)  # the gap's 02:30 too, by the row reader


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=rows(),
    regions=st.lists(st.sampled_from(["", "华东", " 华北 ", "  ", "3"]), min_size=25, max_size=25),
    budgets=st.lists(st.sampled_from(["", "", "12.5", "abc"]), min_size=25, max_size=25),
)
def test_text_fields_read_column_wise_as_the_row_reader_reads_them(
    tmp_path: Path, body: list[list[str]], regions: list[str], budgets: list[str]
) -> None:
    """`region` (a text field) stays on the column-wise path; `budget` (a number) sends its
    row to the row reader; both give the row reader's events and fields."""
    header = ["at", "customer", "type", "actor", "stage", "to", "flag", "region", "budget"]
    body = [[*row, regions[i], budgets[i]] for i, row in enumerate(body)]
    path = write(tmp_path / "history.csv", header, body)
    source = read_text_frame(path)
    assert source is not None
    at = _instant(AS_OF, DEFAULT.policy)
    by_frame = read_event_frame(source, DEFAULT, at)
    assert by_frame is not None
    assert log_of(by_frame) == log_of(read_events(read_table(path), DEFAULT, at))


TRICKY_ATS = st.sampled_from(
    ["2026-01-02 09:30", "2026-01-02T09:30:00Z", "2026-01-02 09:30:00+08:00",
     "2026-01-02T01:30:00-05:00", "2026-02-03", " 2026-02-03 ", "46027", "46027.375",
     "2026年1月5日", "2026年1月5日 9:00", "2026/1/5 9:00", "2026.1.5", "2026-02-30",
     "2026-02-28 24:00", "0999-01-01", "9999-01-01 00:00", "", "  ", "2026-01-02 09:30:59.5",
     "2026-06-30 23:59:59", "2026-07-01 00:00"]
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ats=st.lists(TRICKY_ATS, min_size=1, max_size=30),
    as_of=st.sampled_from([AS_OF, "2026-01-02T01:30Z", "2026-06-30T23:59:59+08:00"]),
)
def test_tricky_instants_read_as_the_row_reader(tmp_path: Path, ats: list[str], as_of: str) -> None:
    """Offsets, `Z`, bare dates, blanks, impossible dates, Excel serials and 年月日 texts: the
    column-wise reader gives the row reader's instants, late rows and problems."""
    body = [[t, f"C{i % 3}", "archive", "rep1", "", ""] for i, t in enumerate(ats)]
    path = write(tmp_path / "h.csv", ["at", "customer", "type", "actor", "stage", "to"], body)
    source = read_text_frame(path)
    assert source is not None
    at = _instant(as_of, DEFAULT.policy)
    by_frame = read_event_frame(source, DEFAULT, at)
    assert by_frame is not None
    table = read_table(path)
    assert log_of(by_frame) == log_of(read_events(table, DEFAULT, at))


@pytest.mark.parametrize("customers", [3, 5000])
def test_many_rows_read_as_the_row_reader(tmp_path: Path, customers: int) -> None:
    """Enough rows for the reader's ways of reading a text column (few distinct texts, or
    mostly distinct ones) and one mapping per combination of field values."""
    import random

    rng = random.Random(customers)
    kinds = ["archive", "claim", "promote", "reassign", "teleport", ""]
    body = [
        [
            f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)} {rng.randint(10, 23)}:"
            f"{rng.randint(10, 59)}",
            f"C{rng.randrange(customers)}",
            rng.choice(kinds),
            rng.choice(["rep1", "rep2", "admin", " rep3 "]),
            rng.choice(["", "D", "O", "X"]),
            rng.choice(["", "rep2"]),
            rng.choice(["", "华东", " 华北 ", "  "]),
            rng.choice(["", "化工", "制造"]),
        ]
        for _ in range(6000)
    ]
    header = ["at", "customer", "type", "actor", "stage", "to", "region", "industry"]
    path = write(tmp_path / "h.csv", header, body)
    source = read_text_frame(path)
    assert source is not None
    at = _instant(AS_OF, DEFAULT.policy)
    by_frame = read_event_frame(source, DEFAULT, at)
    assert by_frame is not None
    by_rows = read_events(read_table(path), DEFAULT, at)
    assert log_of(by_frame) == log_of(by_rows)
    assert any(e.fields for e in by_frame.events) and by_frame.ignored
    texts: dict[str, str] = {}
    for e in by_frame.events:  # one text object per distinct rep and type
        assert texts.setdefault(e.actor, e.actor) is e.actor
        assert texts.setdefault(e.type, e.type) is e.type
        if customers < 10:  # and per id where the ids repeat
            assert texts.setdefault(e.customer, e.customer) is e.customer
