"""The pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit on a temporary repository;
and `rulekit validate --watch`, the other loop a policy author runs while editing.

pre-commit installs a `language: python` hook by pip-installing the hook repository into a
fresh environment, which needs the package index and takes minutes. The test therefore runs
a copy of the shipped hook definitions with `language: system`, so pre-commit calls the
`rulekit` of this environment: everything else (ids, entries, file patterns, pass/fail and
file rewriting) is what users get.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rulekit.authoring.watch import watch_validate, watched_dirs
from rulekit.cli.validate import command as validate
from tests.conftest import DEFAULT_POLICY, ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
MESSY = ROOT / "tests" / "fmt" / "messy.yaml"
GOLDEN = ROOT / "tests" / "fmt" / "messy.golden.yaml"
TESTS = """policy: policy.yaml
as_of: 2026-03-31
tests:
  one:
    events: |
      at, customer, type, actor
      2026-01-01, C1, archive, wang
    expect: {customers: {C1: {state: new}}}
"""


def test_hooks_file_offers_validate_and_fmt() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    assert set(hooks) == {"rulekit-validate", "rulekit-fmt"}
    assert hooks["rulekit-validate"]["entry"] == "rulekit validate"
    assert hooks["rulekit-fmt"]["entry"] == "rulekit fmt"
    import re

    pattern = re.compile(hooks["rulekit-fmt"]["files"])
    assert pattern.search("policy/4321-dcbao.yaml")
    assert pattern.search("clients/acme/policy.yaml")
    assert pattern.search("clients/acme/proposal.yaml")
    assert pattern.search("clients/acme/proposal-tests.yaml")
    assert pattern.search("clients/acme/tests.yaml")
    assert not pattern.search("clients/acme/notes.yaml")
    assert hooks["rulekit-validate"]["files"] == hooks["rulekit-fmt"]["files"]


def _bin() -> Path:
    return Path(sys.executable).parent


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (_bin() / "pre-commit").exists() and shutil.which("pre-commit") is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[dev]')")
    env = dict(os.environ)
    env.update(
        PATH=f"{_bin()}{os.pathsep}{env.get('PATH', '')}",
        PRE_COMMIT_HOME=str(tmp_path / "cache"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        NO_COLOR="1",
    )
    return env


def git(cwd: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def precommit(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    exe = _bin() / "pre-commit"
    cmd = [str(exe)] if exe.exists() else ["pre-commit"]
    return subprocess.run(
        [*cmd, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_hooks_run_under_pre_commit(tmp_path: Path, env: dict[str, str]) -> None:
    hook_repo = tmp_path / "hooks"
    hook_repo.mkdir()
    text = HOOKS.read_text(encoding="utf-8").replace("language: python", "language: system")
    (hook_repo / ".pre-commit-hooks.yaml").write_text(text, encoding="utf-8")
    git(hook_repo, env, "init", "-q")
    git(hook_repo, env, "add", ".")
    git(hook_repo, env, "commit", "-q", "-m", "hooks")

    client = tmp_path / "client"
    (client / "policy").mkdir(parents=True)
    shutil.copy(DEFAULT_POLICY, client / "policy" / "4321-dcbao.yaml")
    (client / "acme").mkdir()
    policy = client / "acme" / "policy.yaml"
    policy.write_text(MESSY.read_text(encoding="utf-8").replace("messy", "acme"), encoding="utf-8")
    tests = client / "acme" / "tests.yaml"
    tests.write_text(TESTS, encoding="utf-8")
    git(client, env, "init", "-q")
    git(client, env, "add", ".")

    # rulekit-fmt rewrites the messy file, so the hook fails once, then passes.
    first = precommit(client, env, "try-repo", str(hook_repo), "rulekit-fmt", "--all-files")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    expected = GOLDEN.read_text(encoding="utf-8").replace("messy", "acme")
    assert policy.read_text(encoding="utf-8") == expected
    git(client, env, "add", ".")
    second = precommit(client, env, "try-repo", str(hook_repo), "rulekit-fmt", "--all-files")
    assert second.returncode == 0, second.stdout + second.stderr

    # rulekit-validate passes on valid policies and test files (checked as test files) …
    ok = precommit(client, env, "try-repo", str(hook_repo), "rulekit-validate", "--all-files")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    tests.write_text(TESTS.replace("expect:", "expcet:"), encoding="utf-8")
    git(client, env, "add", ".")
    typo = precommit(client, env, "try-repo", str(hook_repo), "rulekit-validate", "--all-files")
    assert typo.returncode == 1 and "did you mean `expect`?" in typo.stdout + typo.stderr
    tests.write_text(TESTS, encoding="utf-8")
    # … and fails, with the diagnostic, on an invalid one.
    policy.write_text(expected.replace("limit: 40", "limit: many"), encoding="utf-8")
    git(client, env, "add", ".")
    bad = precommit(client, env, "try-repo", str(hook_repo), "rulekit-validate", "--all-files")
    assert bad.returncode == 1
    assert "RK103" in bad.stdout


# -- rulekit validate --watch ------------------------------------------------------------------


def test_watch_checks_again_after_each_saved_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    policy.write_text(text, encoding="utf-8")

    def saves() -> object:
        yield {(2, str(tmp_path / "notes.txt"))}  # not YAML: ignored
        policy.write_text(text.replace("limit: 50", "limit: many"), encoding="utf-8")
        yield {(2, str(policy))}
        policy.write_text(text, encoding="utf-8")
        yield {(2, str(policy))}

    def check() -> int:
        try:
            validate.callback((str(policy),), "text", False, False, ())  # type: ignore[misc]
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    status = watch_validate([str(policy)], (), check, changes=saves())  # type: ignore[arg-type]
    out, err = capsys.readouterr()
    assert status == 0
    assert out.count("1 policy valid") == 2 and out.count("RK103") == 1
    assert err.count("changed; checking again") == 2


def test_watched_directories(tmp_path: Path) -> None:
    policy = tmp_path / "a" / "policy.yaml"
    policy.parent.mkdir()
    policy.write_text("x", encoding="utf-8")
    dirs = watched_dirs([str(policy), "4321-dcbao@1"], [str(ROOT / "policy")])
    assert dirs[:2] == [str(policy.parent), str(ROOT / "policy")]
