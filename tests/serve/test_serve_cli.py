"""`rulekit ledger ...` and `rulekit deploy`, in process: messages, exit codes, the switch."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit import api
from rulekit.cli.main import cli
from rulekit.serve.records import LedgerError
from rulekit.serve.server import open_ledger
from tests.conftest import overlay
from tests.serve.helpers import POLICY


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def history(path: Path) -> Path:
    """S1 signed 100 days ago (R since 70), S2 signed 50 days ago (R since 20), N1 new."""
    now = datetime.now().replace(second=0, microsecond=0)
    rows = []
    for cid, days in (("S1", 100), ("S2", 50)):
        rows.append([now - timedelta(days=days + 5), cid, "archive", "amy", ""])
        rows += [[now - timedelta(days=days), cid, "promote", "amy", s] for s in "DCBAO"]
    rows.append([now - timedelta(days=1), "N1", "archive", "amy", ""])
    rows.append([now - timedelta(days=1), "N1", "archive", "bo", ""])  # refused: duplicate
    rows.sort(key=lambda r: r[0])
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["at", "customer", "type", "actor", "stage"])
        w.writerows([[r[0].strftime("%Y-%m-%d %H:%M"), *r[1:]] for r in rows])
    return path


def test_ledger_commands_and_a_deploy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    code, _, err = invoke("ledger", "init", "--db", url)
    assert code == 0 and "created" in err
    code, _, err = invoke("ledger", "import", POLICY, str(history(tmp_path / "h.csv")), "--db", url)
    assert code == 0 and "imported 14 events (13 applied, 1 refused)" in err, err
    code, out, _ = invoke("ledger", "status", "--db", url, "--format", "json")
    status = json.loads(out)
    assert status["entries"] == {"event": 14, "timer": 2, "rule": 0} and status["refused"] == 1
    assert [p["version"] for p in status["policies"]] == ["1.0.0"]
    code, out, _ = invoke("ledger", "export", "--db", url)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "at,customer,type,actor,stage,to" and len(lines) == 15

    candidate = tmp_path / "shorter.yaml"
    candidate.write_text(overlay("transitions:\n  lapse: {after: 45d}\n", version="1.1.0"))
    code, out, err = invoke("deploy", str(candidate), "--db", url, "--format", "json")
    assert code == 0 and "nothing changed" in err
    report = json.loads(out)
    assert {c["customer"] for c in report["changed"]} == {"S1"}
    assert (
        len(json.loads(invoke("ledger", "status", "--db", url, "--format", "json")[1])["policies"])
        == 1
    )

    code, _, err = invoke("deploy", str(candidate), "--db", url, "--yes")
    assert code == 0 and "switched to client 1.1.0 (policy #2)" in err, err
    ledger = open_ledger(url)
    with pytest.raises(LedgerError) as refused:
        ledger.start(api.load(POLICY))  # `serve` of the old version is refused
    assert refused.value.code == "policy_mismatch"
    ledger.start(api.load(str(candidate)))
    doc = ledger.view(lambda live, at: live.document(at))
    states = {c["customer"]: c["state"] for c in doc["customers"]}
    assert states == {"S1": "E", "S2": "R", "N1": "new"} and doc["policy"]["version"] == "1.1.0"
    entries = ledger.entries(0, 100)
    lapse = [e for e in entries if e["customer"] == "S1" and e["type"] == "lapse"]
    assert len(lapse) == 1 and lapse[0]["policy_version"] == "1.1.0"
    assert {e["policy_version"] for e in entries if e["kind"] == "event"} == {"1.0.0"}
    ledger.db.dispose()


def test_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    code, _, err = invoke("ledger", "status", "--db", "mysql://x@y/z")
    assert code == 2 and "SQLite or Postgres" in err and "Traceback" not in err
    code, _, err = invoke("ledger", "status", "--db", f"sqlite:///{tmp_path}/no/such/dir/l.db")
    assert code == 2 and "does not exist" in err
    code, _, err = invoke("ledger", "export", "--db", f"sqlite:///{tmp_path}/empty.db")
    assert code == 1 and "no policy yet" in err and "hint:" in err
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "at,customer,type,actor\n2026-01-01,c1,teleport,amy\nnot a date,c2,archive,amy\n"
    )
    code, _, err = invoke(
        "ledger", "import", POLICY, str(bad), "--db", f"sqlite:///{tmp_path}/l.db"
    )
    assert code == 1 and "bad.csv" in err and "teleport" in err and "not a date" in err
    tokens = tmp_path / "tokens.csv"
    tokens.write_text("token,actor,role\nshort,amy,rep\nlong-enough-1,bo,boss\n")
    code, _, err = invoke(
        "serve", POLICY, "--db", f"sqlite:///{tmp_path}/s.db", "--tokens", str(tokens)
    )
    assert code == 2 and "tokens.csv:2:token" in err and "tokens.csv:3:role" in err
