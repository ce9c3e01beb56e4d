"""Issue 13, item 13, end to end: `rulekit validate --watch` whose folder is deleted and made
again says so, and goes on checking what the new folder holds."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

OVERLAY = "rulekit: 1\nid: client\nversion: 1.0.0\nextends: 4321-dcbao@1\n"
BROKEN = "rulekit: 1\nid: x\nversion: [\n"


def _wait_for(proc: subprocess.Popen[bytes], log: Path, text: str, count: int = 1) -> None:
    """Wait (at most a minute: a bound, not a speed) until `text` is `count` times in `log`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if log.read_text(encoding="utf-8").count(text) >= count:
            return
        time.sleep(0.1)
    out, err = ((log.parent / n).read_text(encoding="utf-8") for n in ("out.txt", "err.txt"))
    raise AssertionError(
        f"no {text!r} (x{count}) from the watch (exit {proc.poll()}):\n"
        f"--- stdout\n{out}--- stderr\n{err}"
    )


def test_item13_the_watch_follows_its_folder_deleted_and_made_again(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    folder.mkdir()
    policy = folder / "policy.yaml"
    valid = OVERLAY
    policy.write_text(valid, encoding="utf-8")
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from rulekit.cli.main import main; main()"]
            + ["validate", "--watch", "client/policy.yaml"],
            stdout=stdout,
            stderr=stderr,
            cwd=tmp_path,
        )
    try:
        _wait_for(proc, out, "1 policy valid")
        _wait_for(proc, err, "watching client")
        shutil.rmtree(folder)
        _wait_for(proc, err, "client was deleted; waiting for it to come back")
        folder.mkdir()  # made again, then the policy saved into it
        policy.write_text(valid, encoding="utf-8")
        _wait_for(proc, err, "the folders are back; watching again")
        _wait_for(proc, out, "1 policy valid", 2)  # the new folder's policy is checked
        policy.write_text(BROKEN, encoding="utf-8")
        _wait_for(proc, out, "error[RK003]")  # and so is the next save
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in err.read_text(encoding="utf-8")
