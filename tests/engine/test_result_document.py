"""A result's document made a chunk at a time: the same text as the whole document, and the
customer rows made from the same states agree with it."""

from __future__ import annotations

from pathlib import Path

import pytest

import rulekit
from rulekit.engine.result.chunked import Chunked
from rulekit.engine.result.result import Result
from rulekit.report import json_doc
from rulekit.tables.writer import write_table
from rulekit.timeutil import format_instant

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
QUOTAS = EXAMPLES / "pool-rules" / "per-rep-limits"  # named quotas: refusals name theirs
ACME = EXAMPLES / "acme-valves"


def replays() -> list[Result]:
    quotas = rulekit.replay(
        QUOTAS / "policy.yaml",
        QUOTAS / "history.csv",
        as_of="2026-02-03",
        people=QUOTAS / "people.csv",
    )
    acme = rulekit.replay(
        ACME / "policy.yaml", ACME / "history.xlsx", as_of="2027-01-01", people=ACME / "people.csv"
    )
    return [quotas, acme]


@pytest.mark.parametrize("fields", [False, True])
@pytest.mark.parametrize("chunk", [1, 2, 7, 4096])
def test_chunk_by_chunk_the_same_text(fields: bool, chunk: int) -> None:
    for result in replays():
        whole = json_doc.encode(result.document(fields=fields))
        lazy = result.document(fields=fields, lazy=True)
        assert isinstance(lazy["customers"], Chunked)
        assert b"".join(json_doc.pieces(lazy, chunk)) == whole


def test_a_run_of_the_row_engine_chunk_by_chunk(tmp_path: Path) -> None:
    snapshot = tmp_path / "customers.csv"
    replayed = rulekit.replay(
        ACME / "policy.yaml", ACME / "history.xlsx", as_of="2026-10-01", people=ACME / "people.csv"
    )
    columns, rows = replayed.customer_table()
    write_table(snapshot, columns, rows)
    result = rulekit.run(ACME / "policy.yaml", snapshot, as_of="2026-10-01", engine="row")
    assert any(c["due"] for c in result.document()["customers"])
    whole = json_doc.encode(result.document())
    assert b"".join(json_doc.pieces(result.document(lazy=True), 3)) == whole


def test_rows_agree_with_the_document() -> None:
    for result in replays():
        doc = result.document()
        assert result.customer_count == len(doc["customers"])
        for row, entry in zip(result.customers, doc["customers"], strict=True):
            assert entry["customer"] == row.customer
            assert entry["state"] == row.state and entry["owner"] == row.owner
            assert entry["flags"] == row.flags and entry["stage"] == row.stage
            since = row.state_since
            assert entry["state_since"] == (format_instant(since, result.tz) if since else None)
            assert (entry["lapses"], entry["renewals"]) == (row.lapses, row.renewals)
        for refused, entry in zip(result.rejected, doc["rejected"], strict=True):
            assert entry["at"] == (format_instant(refused.at, result.tz) if refused.at else None)
    first = replays()[1].customers[0]
    first.flags["D"] = 7  # each row has its own dicts
    assert replays()[1].customers[0].flags is not first.flags


def test_chunked_reads_as_a_list() -> None:
    made: list[tuple[int, int]] = []

    def make(start: int, stop: int) -> list[int]:
        made.append((start, stop))
        return list(range(start, stop))

    items = Chunked(5, make)
    assert len(items) == 5 and list(items) == [0, 1, 2, 3, 4]
    assert items[1:3] == [1, 2] and items[-1] == 4 and items[::2] == [0, 2, 4]
    assert items[4:2] == [] and items[3:99] == [3, 4]
    with pytest.raises(IndexError):
        items[5]
    made.clear()
    assert items[2:4] == [2, 3] and made == [(2, 4)]  # one slice made, nothing more
