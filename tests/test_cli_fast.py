"""`rulekit validate` without click (`rulekit.cli.fast`): the same bytes on stdout and stderr
and the same exit code as the click command, for every argument list either reads; click
is not imported on the fast path; anything else is left to click."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rulekit.cli.fast import read
from tests.conftest import ROOT

#: the console script's entry point, and the same with the fast path switched off
FAST = "import sys; from rulekit.cli.main import main; main(sys.argv[1:])"
CLICK = (
    "import sys; from rulekit.cli import fast; fast.validate = lambda args: None; "
    "from rulekit.cli.main import main; main(sys.argv[1:])"
)

INVALID = "tests/invalid"
PLAIN = [
    ["validate", "policy/4321-dcbao.yaml"],
    ["validate", "examples/acme-valves/proposal.yaml"],
    ["validate", "examples/pool-rules"],
    ["validate", "4321-dcbao@1"],
    ["validate", "4321-dcbao@9"],
    ["validate", "no/such/policy.yaml"],
    ["validate", INVALID],
    ["validate", "--strict", INVALID],
    ["validate", f"{INVALID}/rk302-unreachable-state.yaml", "--strict"],
    ["validate", f"{INVALID}/rk001-gbk-encoded.yaml", "policy/4321-dcbao.yaml"],
    ["validate", "--format", "json", INVALID],
    ["validate", "--format=json", "policy/4321-dcbao.yaml"],
    ["validate", "--format", "github", INVALID],
    ["validate", "--format", "gitlab", f"{INVALID}/rk202-overlay-rule.yaml"],
    ["validate", "--format", "text", "--format", "github", f"{INVALID}/rk303-dead-end-state.yaml"],
    ["validate", "tests/policy-tests/malformed", "policy/4321-dcbao.yaml"],
    ["validate", "tests/policy-tests/acme"],
    ["validate", "README.md"],
    ["validate", ""],
]
LEFT_TO_CLICK = [
    ["validate"],
    ["validate", "--strict"],
    ["validate", "--format", "JSON", "policy/4321-dcbao.yaml"],
    ["validate", "--format"],
    ["validate", "--format="],
    ["validate", "-h"],
    ["validate", "--help", "policy/4321-dcbao.yaml"],
    ["validate", "--", "policy/4321-dcbao.yaml"],
    ["validate", "-", "policy/4321-dcbao.yaml"],
    ["validate", "--stric", "policy/4321-dcbao.yaml"],
    ["validate", "--policy-path", "policy", "4321-dcbao@1"],
    ["validate", "--watch", "policy/4321-dcbao.yaml"],
    ["--help"],
    ["--version"],
    ["show", "policy/4321-dcbao.yaml"],
    ["validat", "policy/4321-dcbao.yaml"],
    [],
]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "_RULEKIT_COMPLETE")}


def _run(
    code: str, args: list[str], env: dict[str, str] | None = None, stdout: Any = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    """Run `code` (FAST or CLICK) with `args` in the project folder; stderr is captured."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env or _env(),
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=False,
    )


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_the_fast_path_prints_what_click_prints(args: list[str]) -> None:
    assert read(args) is not None
    fast, slow = _run(FAST, args), _run(CLICK, args)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )
    assert fast.stdout or fast.stderr


@pytest.mark.parametrize("args", LEFT_TO_CLICK, ids=" ".join)
def test_other_arguments_are_left_to_click(args: list[str]) -> None:
    assert read(args) is None


def test_left_to_click_gives_clicks_messages() -> None:
    fast, slow = _run(FAST, ["validate", "--stric", "x.yaml"]), _run(CLICK, ["validate"])
    assert fast.returncode == slow.returncode == 2
    assert fast.stderr.startswith(b"Usage: rulekit validate") and b"--stric" in fast.stderr
    assert slow.stderr.startswith(b"Usage: rulekit validate") and b"FILES" in slow.stderr


def test_the_fast_path_does_not_import_click(tmp_path: Path) -> None:
    seen = tmp_path / "modules"
    code = (
        "import atexit, sys; "
        f"atexit.register(lambda: open({str(seen)!r}, 'w').write(' '.join(sys.modules))); " + FAST
    )
    for args in (["policy/4321-dcbao.yaml"], ["examples/acme-valves/proposal.yaml"]):
        assert _run(code, ["validate", *args]).returncode == 0
        modules = set(seen.read_text().split())
        assert "rulekit.cli.validate_run" in modules
        # nor what a valid policy does not need: hashlib (rulekit.digest), the test files'
        # reader, difflib (hints), calendar (months), decimal
        unneeded = {"click", "hashlib", "rulekit.testing.cases", "difflib", "calendar", "decimal"}
        assert modules & unneeded == set()
    assert _run(code, ["validate", "--policy-path", "policy", "4321-dcbao@1"]).returncode == 0
    assert "click" in seen.read_text().split()


@pytest.mark.parametrize(
    "args",
    [["validate", "policy/4321-dcbao.yaml"], ["validate", f"{INVALID}/rk101-trasitions-typo.yaml"]],
    ids=" ".join,
)
def test_on_a_closed_pipe_as_click(args: list[str]) -> None:
    """stdout's reader is gone before anything is written: exit 1, as click's main does."""
    outcomes = []
    for code in (FAST, CLICK):
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            done = _run(code, args, stdout=write_end)
        finally:
            os.close(write_end)
        outcomes.append((done.returncode, done.stderr))
    assert outcomes[0] == outcomes[1]


def test_with_colour_on_a_terminal_as_click() -> None:
    """On a terminal the text has click's colours (click.style), and they are kept."""
    import pty

    outputs = []
    for code in (FAST, CLICK):
        main, child = pty.openpty()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", code, "validate", f"{INVALID}/rk101-trasitions-typo.yaml"],
                cwd=ROOT,
                env=_env(),
                stdout=child,
                stderr=subprocess.PIPE,
            )
            os.close(child)
            chunks = []
            while True:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # the terminal closed with the process
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            assert proc.wait() == 1
        finally:
            os.close(main)
        outputs.append(b"".join(chunks))
    assert b"\033[" in outputs[0]
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_streams_click_would_rewrap_are_left_to_click(encoding: str) -> None:
    args = ["validate", f"{INVALID}/rk202-unknown-name-after-chinese.yaml"]
    env = {**_env(), "PYTHONIOENCODING": encoding}
    fast, slow = _run(FAST, args, env), _run(CLICK, args, env)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )


@pytest.mark.parametrize("fmt", ["github", "text"])
def test_colour_codes_in_a_policy_are_stripped_as_click_does(tmp_path: Path, fmt: str) -> None:
    """A key and a condition with escape sequences: github's messages carry them raw, and
    off a terminal click removes them."""
    path = tmp_path / "policy.yaml"
    path.write_text(
        "rulekit: 1\nid: client\nversion: 1.0.0\nextends: 4321-dcbao@1\n"
        '"bad\\e[1mkey\\e[0m": 1\nrules:\n  r:\n    when: "nosuch\\e[2J > 1"\n    alert: info\n',
        encoding="utf-8",
    )
    args = ["validate", "--format", fmt, str(path)]
    fast, slow = _run(FAST, args), _run(CLICK, args)
    assert b"badkey" in fast.stdout or fmt == "text"  # text shows them as `\x1b`
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )


def test_stdout_and_stderr_interleave_as_with_click() -> None:
    """The test files' errors (stderr) come before the summary (stdout) on one pipe."""
    args = ["validate", "tests/policy-tests/malformed", "policy/4321-dcbao.yaml"]
    fast, slow = (
        subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        for code in (FAST, CLICK)
    )
    assert b"error: test" in fast.stdout
    assert (fast.returncode, fast.stdout) == (slow.returncode, slow.stdout)
