"""A Ctrl-C during a sweep on Dask: the workers' part and the scheduler's loggers.

Local workers ignore SIGINT, but polars installs its own handler in them and aborts a running
query with KeyboardInterrupt; the sweep treats that as a cancel, and the worker neither dies
nor prints a traceback. The scheduler runs in the sweep's process: its reports of connections
dropped while a cancelled sweep shuts down stay silent, also when `distributed` is imported
only once the sweep has started.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any, cast

import pytest

from rulekit.sweep import work
from rulekit.sweep.execute import execute
from rulekit.sweep.work import History, Task, WorkerInterrupted, run_candidate_on_worker


class _Unread:
    """A history that no task reads (the replay is replaced in these tests)."""

    def packed(self) -> _Unread:
        return self


def _interrupted(history: Any, task: Task) -> Any:
    raise KeyboardInterrupt


def test_an_interrupt_in_a_worker_is_the_tasks_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(work, "run_candidate", _interrupted)
    with pytest.raises(WorkerInterrupted, match="candidate 3 interrupted"):
        run_candidate_on_worker(cast(History, _Unread()), Task(3, cast(Any, None)))


@pytest.fixture()
def threads_client() -> Iterator[Any]:
    """A Dask client whose workers are threads of this process (they see monkeypatches)."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
        ) as local,
        Client(local) as client,
    ):
        yield client


def test_an_interrupted_worker_cancels_the_sweep_and_lives_on(
    monkeypatch: pytest.MonkeyPatch, threads_client: Any
) -> None:
    monkeypatch.setattr(work, "run_candidate", _interrupted)
    tasks = [Task(i, cast(Any, None)) for i in range(4)]
    with pytest.raises(KeyboardInterrupt):
        execute(cast(History, _Unread()), tasks, cluster=threads_client)
    assert threads_client.submit(sum, [1, 2], pure=False).result(timeout=30) == 3


def test_the_scheduler_stays_silent_when_distributed_is_imported_late() -> None:
    """`distributed` sets its loggers' levels when it is first imported: silencing them
    before that import would be undone by it."""
    script = textwrap.dedent(
        """
        import logging, sys
        from rulekit.sweep.execute import _quiet
        assert "distributed" not in sys.modules
        with _quiet():
            import distributed
            level = logging.getLogger("distributed.scheduler").getEffectiveLevel()
            print(level > logging.CRITICAL)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
