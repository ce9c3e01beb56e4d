"""Where a sweep's candidates run: in this process one by one, on local worker processes (a Dask
LocalCluster) or on a Dask distributed scheduler at an address.

The shared history goes to the workers once, as compact bytes (`History.packed`,
`Client.scatter(..., broadcast=True)`); each task names it and carries one candidate.
Outcomes come back in any order and are put in grid order. Interrupting (Ctrl-C) at any point,
also while local workers start, cancels what is pending and stops a cluster this module
started.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from rulekit.sweep.work import (
    History,
    Outcome,
    Task,
    WorkerInterrupted,
    run_candidate,
    run_candidate_on_worker,
)

Progress = Callable[[int, int], None]


def cores() -> int:
    """The processor cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def execute(
    history: History,
    tasks: Sequence[Task],
    *,
    workers: int | None = None,
    cluster: Any = None,
    progress: Progress | None = None,
    started: Callable[[int], None] | None = None,
    starting: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Run every task; return the outcomes in task order. `starting(n)` is called when n local
    Dask workers start, `started(workers)` once the Dask workers are up.

    `cluster`: None (local), a scheduler address (`tcp://host:8786`) or a `distributed.Client`.
    `workers`: local worker processes when `cluster` is None; None means one per core, 1 runs
    the tasks in this process.
    """
    if progress is not None:
        progress(0, len(tasks))
    if cluster is None:
        n = min(workers or cores(), len(tasks))
        if n <= 1:
            return _in_process(history, tasks, progress)
    with ExitStack() as stack:
        stack.enter_context(_quiet())
        client = _client(stack, cluster, n if cluster is None else 0, starting)
        if started is not None:
            started(len(client.scheduler_info().get("workers", {})))
        return _on_dask(client, history.packed(), tasks, progress)


def _in_process(
    history: History, tasks: Sequence[Task], progress: Progress | None
) -> list[Outcome]:
    out = []
    for done, task in enumerate(tasks, 1):
        out.append(run_candidate(history, task))
        if progress is not None:
            progress(done, len(tasks))
    return out


#: the loggers of the scheduler and its event loop in this process: a cancelled sweep's
#: shutdown drops connections, which they report (at CRITICAL, with tracebacks); a sweep
#: reports its own failures through the exceptions it raises
_QUIET_LOGGERS = ("asyncio", "distributed", "tornado")


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the reports of connections dropped while a cancelled sweep shuts down. After
    a Ctrl-C they stay silent: the scheduler's threads may still report after the sweep has
    let go of them, while the process ends."""
    import distributed  # noqa: F401 - importing it sets these levels: first, then silence them

    loggers = [logging.getLogger(name) for name in _QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    yield  # an exception (Ctrl-C, a cluster lost) goes on with the loggers silent
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def _client(
    stack: ExitStack, cluster: Any, local_workers: int, starting: Callable[[int], None] | None
) -> Any:
    from distributed import Client

    if isinstance(cluster, Client):
        return cluster
    if cluster is not None:
        return stack.enter_context(Client(str(cluster), timeout="20s"))
    return _local(stack, local_workers, starting)


def _local(stack: ExitStack, local_workers: int, starting: Callable[[int], None] | None) -> Any:
    """A LocalCluster of worker processes that ignore Ctrl-C (where processes can be forked
    from a server: not on Windows), started while this process still answers it."""
    import multiprocessing

    import dask
    from distributed import Client, LocalCluster

    if "forkserver" in multiprocessing.get_all_start_methods():
        method = {"distributed.worker.multiprocessing-method": "forkserver"}
        stack.enter_context(dask.config.set(method))
        _forkserver_ignoring_ctrl_c()
    if starting is not None:
        starting(local_workers)

    def start(inner: ExitStack) -> Any:
        local = inner.enter_context(
            LocalCluster(
                n_workers=local_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.CRITICAL,
            )
        )
        client = Client(local)  # not entered: its context belongs to the thread that enters it
        inner.callback(client.close)
        return client

    return _interruptible(stack, start)


def _forkserver_ignoring_ctrl_c() -> None:
    """Start the process that forks the local workers (once per process) with SIGINT ignored:
    it and every worker it forks keep ignoring it, so a terminal's Ctrl-C, sent to the whole
    process group, reaches only this process, which cancels the tasks and stops the workers.
    Only the start of that one process is shielded from Ctrl-C, not the workers' start."""
    from multiprocessing import forkserver

    from distributed.utils import get_mp_context

    get_mp_context()  # names the modules the server loads once for every worker
    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def _interruptible(stack: ExitStack, start: Callable[[ExitStack], Any]) -> Any:
    """`start(inner)` run in a helper thread while this thread waits, answering Ctrl-C: on
    Ctrl-C the start is let finish (a starting cluster cannot be stopped halfway), what it
    started is closed, and the interrupt goes on. What it returns is closed with `stack`."""
    inner = ExitStack()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["made"] = start(inner)
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc

    thread = threading.Thread(target=run, name="rulekit sweep start", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.1)
    except BaseException:
        thread.join()  # a second Ctrl-C leaves it: the workers end with this process
        inner.close()
        raise
    if "error" in box:
        inner.close()
        raise box["error"]
    stack.enter_context(inner)
    return box["made"]


def _on_dask(
    client: Any, history: History, tasks: Sequence[Task], progress: Progress | None
) -> list[Outcome]:
    from distributed import as_completed

    shared = client.scatter(history, broadcast=True, hash=False)
    run = uuid.uuid4().hex[:12]
    futures = [
        client.submit(
            run_candidate_on_worker,
            shared,
            task,
            key=f"rulekit-sweep-{run}-{task.index}",
            pure=False,
        )
        for task in tasks
    ]
    outcomes: dict[int, Outcome] = {}
    try:
        for done, future in enumerate(as_completed(futures), 1):
            try:
                outcome: Outcome = future.result()
            except WorkerInterrupted:  # a Ctrl-C reached the workers: the sweep is cancelled
                raise KeyboardInterrupt from None
            outcomes[outcome.index] = outcome
            if progress is not None:
                progress(done, len(tasks))
    except BaseException:
        client.cancel([*futures, shared], force=True)
        raise
    finally:
        del futures
    client.cancel([shared])
    return [outcomes[task.index] for task in tasks]
