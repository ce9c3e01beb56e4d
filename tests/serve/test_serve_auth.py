"""The service's auth and request checks, in process: 401, 403, 400, 413, 422, nothing written."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette suggests httpx2; httpx is what it runs on here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from rulekit import api
from rulekit.serve.app import Service, build
from rulekit.serve.server import Settings, prepare
from tests.serve.helpers import POLICY, token, write_tokens

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    tokens = write_tokens(tmp_path / "tokens.csv", ["alice", "bob"])
    settings = Settings(f"sqlite:///{tmp_path / 'ledger.db'}", tokens=str(tokens))
    ledger, known = prepare(api.load(POLICY), settings)
    with TestClient(build(Service(ledger, known, max_body=4096))) as c:
        yield c
    ledger.db.dispose()


def seq(client: TestClient) -> int:
    entries = client.get("/v1/log", headers=token("admin")).json()["entries"]
    return len(entries)


def test_a_rep_posts_as_itself(client: TestClient) -> None:
    answer = client.post(
        "/v1/events", headers=token("alice"), json={"customer": "c1", "type": "archive"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["applied"] is True and body["reason"] is None and body["seq"] == 1
    assert body["customer"]["owner"] == "alice" and body["customer"]["priority"] == 1


@pytest.mark.parametrize(
    ("headers", "body", "status", "code"),
    [
        ({}, {"customer": "c1", "type": "archive"}, 401, "unauthorized"),
        (
            {"Authorization": "Bearer nope-nope-nope"},
            {"customer": "c1", "type": "archive"},
            401,
            "unauthorized",
        ),
        (token("alice"), {"customer": "c1", "type": "archive", "actor": "bob"}, 403, "forbidden"),
        (token("alice"), {"customer": "c1", "type": "approve"}, 403, "forbidden"),
        (
            token("alice"),
            {"customer": "c1", "type": "archive", "at": "2026-01-01"},
            403,
            "forbidden",
        ),
        (token("alice"), {"customer": "c1", "type": "teleport"}, 422, "invalid_event"),
        (token("alice"), {"customer": "c1", "type": "promote"}, 422, "invalid_event"),
        (token("alice"), {"type": "archive"}, 422, "invalid_event"),
        (token("alice"), ["not", "an", "object"], 400, "malformed"),
        (token("alice"), {"customer": {"nested": 1}, "type": "archive"}, 400, "malformed"),
    ],
)
def test_refused_requests_write_nothing(
    client: TestClient, headers: dict[str, str], body: object, status: int, code: str
) -> None:
    answer = client.post("/v1/events", headers=headers, json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == code and answer.json()["message"]
    if status == 422:
        assert answer.json()["message"].split(":")[0] in ("type", "stage", "customer")
    assert seq(client) == 0


def test_malformed_json_and_oversized_bodies(client: TestClient) -> None:
    bad = client.post("/v1/events", headers=token("alice"), content=b'{"customer": ')
    assert bad.status_code == 400 and "not JSON" in bad.json()["message"]
    big = client.post(
        "/v1/events",
        headers=token("alice"),
        json={"customer": "c1", "type": "archive", "note": "x" * 5000},
    )
    assert big.status_code == 413 and big.json()["error"] == "too_large"
    empty = client.post("/v1/events", headers=token("alice"))
    assert empty.status_code == 400
    assert seq(client) == 0


def test_an_admin_approves_and_a_refusal_is_a_result(client: TestClient) -> None:
    admin, alice = token("admin"), token("alice")
    assert client.post(
        "/v1/events", headers=admin, json={"customer": "p1", "type": "archive"}
    ).json()["applied"]
    claim = client.post(
        "/v1/events", headers=alice, json={"customer": "p1", "type": "claim"}
    ).json()
    assert claim["applied"] and claim["customer"]["pending_owner"] == "alice"
    again = client.post(
        "/v1/events", headers=token("bob"), json={"customer": "p1", "type": "claim"}
    ).json()
    assert again == {**again, "applied": False, "reason": "claim_pending"}
    done = client.post(
        "/v1/events", headers=admin, json={"customer": "p1", "type": "approve"}
    ).json()
    assert done["applied"] and done["customer"]["owner"] == "alice"
    log = client.get("/v1/log?after=1&limit=2", headers=alice).json()["entries"]
    assert [e["seq"] for e in log] == [2, 3] and log[1]["reason"] == "claim_pending"
    assert log[1]["kind"] == "event" and log[1]["policy_version"] == "1.0.0"


def test_reads_batch_and_unknowns(client: TestClient) -> None:
    alice = token("alice")
    batch = client.post(
        "/v1/events:batch",
        headers=alice,
        json={
            "events": [
                {"customer": "b1", "type": "archive"},
                {"customer": "b1", "type": "archive"},
                {"customer": "b1", "type": "promote", "stage": "D"},
            ]
        },
    ).json()["results"]
    assert [r["reason"] for r in batch] == [None, "duplicate_customer", None]
    bad = client.post(
        "/v1/events:batch",
        headers=alice,
        json={"events": [{"customer": "b2", "type": "archive"}, {"customer": "b2", "type": "x"}]},
    )
    assert bad.status_code == 422 and bad.json()["message"].startswith("events[1].type: ")
    assert [r["seq"] for r in batch] == [1, 2, 3]
    assert client.get("/v1/customers/b1", headers=alice).json()["stage"] == "D"
    assert client.get("/v1/customers/zz", headers=alice).status_code == 404
    rep = client.get("/v1/reps/alice", headers=alice).json()
    assert rep["pursuit"] == ["b1"] and rep["slots_used"] == 1 and rep["slot_limit"] == 50
    assert client.get("/v1/reps/nobody", headers=alice).status_code == 404
    assert client.get("/v1/alerts", headers=alice).json()["alerts"] == []
    assert client.get("/v1/log?limit=0", headers=alice).status_code == 400
    assert client.get("/v1/nothing", headers=alice).json()["error"] == "not_found"
    assert client.get("/healthz").json()["ok"] is True
    spec = client.get("/openapi.json").json()
    assert "/v1/events:batch" in spec["paths"] and spec["openapi"].startswith("3.")
    snap = client.get("/v1/snapshot", headers=alice).json()
    assert snap["counts"] == {"events": 3, "applied": 2, "rejected": 1, "timers": 0}
    assert snap["rejected"][0]["row"] == 2


def test_import_token_posts_history_in_order(client: TestClient) -> None:
    imp = token("import")
    first = client.post(
        "/v1/events",
        headers=imp,
        json={"customer": "h1", "type": "archive", "actor": "alice", "at": "2026-01-05T09:00"},
    )
    assert first.status_code == 200 and first.json()["at"].startswith("2026-01-05T09:00:00")
    late = client.post(
        "/v1/events",
        headers=imp,
        json={"customer": "h2", "type": "archive", "actor": "alice", "at": "2026-01-04T09:00"},
    )
    assert late.status_code == 400 and late.json()["error"] == "out_of_order"
    assert seq(client) == 1
