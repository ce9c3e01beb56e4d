"""Where candidates run does not change the result: in-process, 2 local workers and a Dask
LocalCluster of 2 workers give the same JSON; Ctrl-C stops the workers and prints nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli
from tests.sweep.conftest import AS_OF

VARY = ["--vary", "quota.limit=4,8,-1", "--vary", "transitions.lapse.after=30d..90d/30d"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield str(local.scheduler_address)


def sweep_json(history: Path, baseline: Path, *where: str, vary: list[str] = VARY) -> str:
    args = ["sweep", str(baseline), str(history), "--as-of", AS_OF, *vary, *where]
    done = CliRunner().invoke(cli, [*args, "--rank-by", "-lapses", "--format", "json"])
    assert done.exit_code == 0, done.stderr
    return done.stdout


def test_workers_1_2_and_a_cluster_give_identical_json(
    history: Path, baseline: Path, cluster: str
) -> None:
    one = sweep_json(history, baseline, "--workers", "1")
    two = sweep_json(history, baseline, "--workers", "2")
    far = sweep_json(history, baseline, "--cluster", cluster)
    assert one == two == far
    document = json.loads(one)
    assert len(document["candidates"]) == 9
    assert sum(c["counts"] is None for c in document["candidates"]) == 3  # quota.limit=-1
    lapses = [c["lapses"] for c in document["candidates"] if c["counts"] is not None]
    assert lapses == sorted(lapses) and len(set(lapses)) > 1  # -lapses: fewest first


def test_candidates_that_read_events_differently_give_identical_json(
    history: Path, baseline: Path, cluster: str
) -> None:
    """A varied time zone changes how the history is read: each worker reads it both ways."""
    vary = ["--vary", "timezone=Asia/Shanghai,Europe/Berlin", "--vary", "quota.limit=4,8"]
    one = sweep_json(history, baseline, "--workers", "1", vary=vary)
    assert one == sweep_json(history, baseline, "--cluster", cluster, vary=vary)
    candidates = json.loads(one)["candidates"]
    assert candidates[0]["states"] != candidates[2]["states"]  # the zone matters


def test_the_history_goes_to_each_worker_once(history: Path, baseline: Path, cluster: str) -> None:
    """The history is scattered (one copy per worker, held by the cluster while tasks run):
    the tasks carry only overlays, and the file is never read by a worker."""
    from distributed import Client

    import rulekit

    moved = history.with_name("moved.csv")
    moved.write_bytes(history.read_bytes())
    with Client(cluster) as client:
        before = client.run(lambda: 1)
        frame = rulekit.sweep(
            str(baseline), str(moved), as_of=AS_OF, vary={"quota.limit": [4, 8]}, cluster=client
        )
        assert set(client.run(lambda: 1)) == set(before)  # the same workers, none restarted
    assert frame.height == 2 and frame["valid"].all()
    assert frame.columns[:3] == ["candidate", "quota.limit", "valid"]


def _marked(mark: str) -> list[int]:
    """The processes whose environment holds `mark` (a test's own: the sweep and its workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as fh:
                    if mark.encode() in fh.read() and _alive(int(entry)):
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _children(pid: int) -> set[int]:
    """Every process descending from `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_the_workers_and_prints_no_result(history: Path, baseline: Path) -> None:
    rulekit = Path(sys.executable).with_name("rulekit")
    many = ["--vary", "quota.limit=2..40/1", "--vary", "transitions.lapse.after=30d,60d"]
    command = [str(rulekit), "sweep", str(baseline), str(history), "--as-of", AS_OF, *many]
    proc = subprocess.Popen(
        [*command, "--workers", "2", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # the workers are up: what Ctrl-C must stop
        if "workers up" in line:
            break
    workers = _children(proc.pid)
    assert len(workers) >= 2, "the local workers did not start"
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert out == ""
    assert "sweep cancelled" in err and "Traceback" not in err
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.2)
    assert not [p for p in workers if _alive(p)], "worker processes left running"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_while_the_workers_start(history: Path, baseline: Path) -> None:
    """Ctrl-C as the local workers start: exit 130, no result, every worker gone."""
    rulekit = Path(sys.executable).with_name("rulekit")
    mark = f"RULEKIT_SWEEP_TEST={uuid.uuid4().hex}"
    command = [str(rulekit), "sweep", str(baseline), str(history), "--as-of", AS_OF, *VARY]
    proc = subprocess.Popen(
        [*command, "--workers", "2", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, mark.split("=")[0]: mark.split("=")[1]},
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "starting 2 local Dask workers" in line:
            break
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    err = "".join(seen) + err
    assert proc.returncode == 130, err
    assert out == ""
    assert "workers up" not in err and "sweep cancelled" in err and "Traceback" not in err
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _marked(mark):
        time.sleep(0.2)
    assert not _marked(mark), "worker processes left running"
