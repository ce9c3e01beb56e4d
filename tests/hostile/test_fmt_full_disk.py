"""Issue 13, item 1: `fmt` on a full disk leaves the policy as it was. The fault is real and
independent of how the file is written: the child process may write at most half the policy's
size (RLIMIT_FSIZE; a write past it fails with EFBIG, as a full disk fails with ENOSPC)."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

MESSY = Path(__file__).resolve().parent.parent / "fmt" / "messy.yaml"


def test_item1_fmt_on_a_full_disk_keeps_the_policy(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    original = MESSY.read_bytes()
    policy.write_bytes(original)
    room = len(original) // 2

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failing write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    proc = subprocess.run(
        [sys.executable, "-c", "from rulekit.cli.main import main; main()", "fmt", str(policy)],
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
        timeout=120,
    )
    after = policy.read_bytes()
    # before: the policy was rewritten in place and cut short (and still validated)
    assert after == original, f"the policy was changed: {len(after):,} of {len(original):,} bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy.yaml"]  # no temporary left
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "cannot write the file (File too large)" in proc.stderr
    assert "0 file(s) reformatted, 0 unchanged, 1 not written" in proc.stderr
