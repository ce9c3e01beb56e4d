"""A result's document made a chunk at a time: the same text as the whole document, and the
customer rows made from the same states agree with it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
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


def snapshot(tmp_path: Path) -> Path:
    """ACME's customers on 2026-10-01 as a snapshot file (due timers among them)."""
    path = tmp_path / "customers.csv"
    replayed = rulekit.replay(
        ACME / "policy.yaml", ACME / "history.xlsx", as_of="2026-10-01", people=ACME / "people.csv"
    )
    write_table(path, *replayed.customer_table())
    return path


@pytest.mark.parametrize("engine", ["row", "columnar"])
def test_a_run_chunk_by_chunk(tmp_path: Path, engine: str) -> None:
    result = rulekit.run(
        ACME / "policy.yaml", snapshot(tmp_path), as_of="2026-10-01", engine=engine
    )
    assert any(c["due"] for c in result.document()["customers"])
    for fields in (False, True):
        whole = json_doc.encode(result.document(fields=fields))
        lazy = result.document(fields=fields, lazy=True)
        assert b"".join(json_doc.pieces(lazy, 3)) == whole


COLUMNS = ("customer", "state", "owner", "pending_owner", "state_since", "lapses", "renewals")


def test_columns_without_the_rows(tmp_path: Path) -> None:
    """What a dry-run counts and compares, read without making the rows: the rows' values."""
    path = snapshot(tmp_path)
    runs = [rulekit.run(ACME / "policy.yaml", path, as_of="2026-10-01", engine="columnar")]
    for result in [*replays(), *runs]:
        columns = {name: result.customer_column(name) for name in (*COLUMNS, "holds_slot")}
        assert result.rows is None  # no rows made for them
        for name, values in columns.items():
            assert values == [getattr(c, name) for c in result.customers]


def test_each_document_its_own_objects() -> None:
    result = replays()[1]
    one, two = result.document(), result.document()
    flags = one["customers"][0]["flags"]
    flags[next(iter(flags))] = 9
    assert 9 not in two["customers"][0]["flags"].values()
    assert 9 not in result.customers[0].flags.values()


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


def test_customers_in_customer_order_whatever_order_they_came_in() -> None:
    """A replay's customers are laid out in the order the world made them and then sorted:
    they come out in customer order (code points), each with its own values."""
    rng = random.Random(3)
    ids = [f"C{n}" for n in range(40)] + ["b7", "Ä1", "a", "Z", "C3x"]
    rng.shuffle(ids)
    start = datetime(2026, 1, 1, 9, 0)
    rows = []
    for n, cid in enumerate(ids):
        at = start + timedelta(hours=n)
        rows.append({"at": at.isoformat(" "), "customer": cid, "type": "archive",
                     "actor": f"r{n % 3}"})  # fmt: skip
        if n % 2:
            rows.append({"at": (at + timedelta(minutes=5)).isoformat(" "), "customer": cid,
                         "type": "promote", "actor": f"r{n % 3}", "stage": "D"})  # fmt: skip
    result = rulekit.replay("4321-dcbao@1", rows, as_of="2026-03-01")
    assert result.world is not None
    made = result.world.customers
    assert list(made) != sorted(made)  # the world holds them out of order
    assert result.customer_column("customer") == sorted(made)
    assert [c["customer"] for c in result.document()["customers"]] == sorted(made)
    for row in result.customers:
        c = made[row.customer]
        assert (row.state, row.owner, row.state_since) == (c.state, c.owner, c.state_since)
        assert row.flags == dict(zip(("D", "C", "B", "A", "O"), c.flags, strict=True))
