"""The web console: its content, admin-only decisions, and a real render in headless Chromium."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from rulekit import api
from rulekit.serve.app import Service, build
from rulekit.serve.server import Settings, prepare
from tests.browser import chromium, png
from tests.serve.helpers import POLICY, token, write_tokens

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

WIDTH, HEIGHT = 1200, 1400


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    tokens = write_tokens(tmp_path / "tokens.csv", ["alice", "bob"])
    ledger, known = prepare(
        api.load(POLICY), Settings(f"sqlite:///{tmp_path / 'l.db'}", tokens=str(tokens))
    )
    with TestClient(build(Service(ledger, known))) as c:
        full = [{"customer": f"A{i:02d}", "type": "archive"} for i in range(50)]
        c.post("/v1/events:batch", headers=token("alice"), json={"events": full}).raise_for_status()
        for cid in ("P1", "P2", "P3"):
            c.post("/v1/events", headers=token("admin"), json={"customer": cid, "type": "archive"})
        c.post("/v1/events", headers=token("bob"), json={"customer": "P1", "type": "claim"})
        c.post("/v1/events", headers=token("bob"), json={"customer": "B1", "type": "archive"})
        c.post(
            "/v1/events",
            headers=token("bob"),
            json={"customer": "B1", "type": "promote", "stage": "D"},
        )
        yield c
    ledger.db.dispose()


def test_console_shows_pool_claims_and_pursuit_lists(client: TestClient) -> None:
    assert client.get("/console").status_code == 401
    page = client.get("/console", params={"token": "tok-admin-0"}).text
    assert "Public pool (3)" in page and "Pending claims (1)" in page
    assert 'alice · slots <span class="full">50 / 50</span>' in page
    assert 'value="approve"' in page  # an admin may decide
    rep_page = client.get("/console", params={"token": "tok-bob-0000"}).text
    assert 'value="approve"' not in rep_page and "bob · slots" in rep_page


def test_console_decisions_need_an_admin(client: TestClient) -> None:
    form = {"customer": "P1", "type": "approve"}
    refused = client.post("/console/decide", data=form, params={"token": "tok-bob-0000"})
    assert refused.status_code == 403
    done = client.post(
        "/console/decide", data=form, params={"token": "tok-admin-0"}, follow_redirects=False
    )
    assert done.status_code == 303 and "done" in done.headers["location"]
    assert client.get("/v1/customers/P1", headers=token("bob")).json()["owner"] == "bob"
    login = client.post("/console/login", data={"token": "tok-admin-0"}, follow_redirects=False)
    assert login.status_code == 303 and "httponly" in login.headers["set-cookie"].lower()


def test_console_in_a_real_browser(client: TestClient, tmp_path: Path) -> None:
    exe = chromium.find()
    if exe is None:
        pytest.skip("no chromium on PATH (apt-get install -y chromium) for the browser test")
    page, shot = tmp_path / "console.html", tmp_path / "console.png"
    page.write_text(client.get("/console", params={"token": "tok-admin-0"}).text, encoding="utf-8")
    done = chromium.screenshot(exe, page, shot, size=(WIDTH, HEIGHT))
    assert shot.exists(), done.stderr[-2000:]
    assert png.size(shot) == (WIDTH, HEIGHT)
    image = png.read(shot)
    colours = image.colours()
    assert len(colours) > 100, "the page looks blank"
    assert colours[(0xF0, 0xF4, 0xF8)] > 2000, "no table headers drawn"
    red = sum(n for (r, g, b), n in colours.items() if r > 150 and g < 80 and b < 80)
    assert red > 20, "a full rep's slots are not shown in red"
