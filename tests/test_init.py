"""`rulekit init CLIENT`: the scaffold validates, its tests pass, and nothing is overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def client(tmp_path: Path) -> Path:
    code, out, err = invoke("init", "acme", "--dir", tmp_path)
    assert code == 0, err
    assert "created" in out
    return tmp_path / "acme"


def test_files(client: Path) -> None:
    assert sorted(p.name for p in client.iterdir()) == [
        "README.md",
        "history.csv",
        "policy.schema.json",
        "policy.yaml",
        "tests.yaml",
    ]
    policy = (client / "policy.yaml").read_text(encoding="utf-8")
    # editors validate and complete the overlay against the schema beside it
    assert policy.startswith("# yaml-language-server: $schema=policy.schema.json\n")
    assert '"$schema"' in (client / "policy.schema.json").read_text(encoding="utf-8")
    assert 'id: "acme"' in policy
    assert "version: 0.1.0" in policy
    assert "extends: 4321-dcbao@1" in policy
    for tailoring in ("# quota: {limit: 30}", "#   lapse: {after: 60d}", "approval: null", "do:"):
        assert tailoring in policy
    rows = (client / "history.csv").read_text(encoding="utf-8").strip().splitlines()[1:]
    assert 25 <= len(rows) <= 35
    types = {row.split(",")[2] for row in rows}
    assert {"archive", "promote", "claim", "approve", "release"} <= types
    assert any(row.endswith(",O") for row in rows)  # a signing
    readme = (client / "README.md").read_text(encoding="utf-8")
    for command in ("rulekit validate", "rulekit test", "rulekit replay", "rulekit dry-run"):
        assert command in readme


def test_scaffold_validates(client: Path) -> None:
    code, out, err = invoke("validate", client / "policy.yaml", "--format", "json")
    assert code == 0, out + err
    assert json.loads(out)["valid"] is True


def test_scaffold_tests_pass(client: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(client)
    code, out, err = invoke("test")
    assert code == 0, out + err
    assert out.strip().splitlines()[-1] == "2 tests, 2 passed, 0 failed"


def test_scaffold_tests_pass_from_outside(client: Path) -> None:
    code, out, err = invoke("test", client.parent, "--coverage")
    assert code == 0, out + err
    assert "transitions covered" in out


def test_uncommented_tailorings_validate(client: Path) -> None:
    lines = (client / "policy.yaml").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# quota"))
    opened = [
        line[2:]
        if i >= start and line.startswith(("# quota", "# transitions", "# rules", "#  "))
        else line
        for i, line in enumerate(lines)
    ]
    (client / "tailored.yaml").write_text("\n".join(opened) + "\n", encoding="utf-8")
    code, out, err = invoke("validate", client / "tailored.yaml")
    assert code == 0, out + err


def test_refuses_a_non_empty_folder(client: Path) -> None:
    before = (client / "policy.yaml").read_text(encoding="utf-8")
    (client / "policy.yaml").write_text(before + "# mine\n", encoding="utf-8")
    code, _, err = invoke("init", "acme", "--dir", client.parent)
    assert code == 2
    assert "not empty" in err and "hint:" in err
    assert (client / "policy.yaml").read_text(encoding="utf-8").endswith("# mine\n")


def test_an_empty_folder_is_fine(tmp_path: Path) -> None:
    (tmp_path / "beta").mkdir()
    code, _, err = invoke("init", "beta", "--dir", tmp_path)
    assert code == 0, err
    assert (tmp_path / "beta" / "tests.yaml").exists()


@pytest.mark.parametrize("name", ["a b", "x@1", "../up", ""])
def test_bad_names(tmp_path: Path, name: str) -> None:
    code, _, err = invoke("init", name, "--dir", tmp_path)
    assert code == 2
    assert "cannot name a client" in err
    assert list(tmp_path.iterdir()) == []


def test_default_dir_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("init", "浙江客户")
    assert code == 0, err
    code, out, err = invoke("validate", Path("浙江客户") / "policy.yaml")
    assert code == 0, out + err
