"""The history a sweep's candidates share: compact bytes to ship to workers, and each process's
event logs read from them.

A worker does not receive parsed events (a million Python objects pickle to tens of
megabytes and unpickle slowly); it receives the history's table as bytes, once: the CSV
file's own bytes when the table was read from one, else the table pickled, compressed either
way. It reads them into an event log once per way of reading events
(`Program.event_reading`: candidates that vary numbers, durations or rules read alike), with
the same `read_table_fast` and `read_events` a replay uses; every later candidate on that
worker with that reading takes the same log. A process keeps the logs of one history at a
time: a worker given another history drops the first's.

In the process that runs a sweep, `Shared.here` wraps the table already read, and the logs
that process has read are handed over with `keep`, so running candidates in-process reads
nothing twice either.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import threading
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rulekit.engine.core import collector
from rulekit.engine.core.program import Program
from rulekit.engine.input.event_rows import EventLog
from rulekit.engine.input.history import read_events
from rulekit.tables.fastcsv import TextFrame, read_table_fast
from rulekit.tables.model import Table

#: zlib's fastest level: a CSV history shrinks about fivefold at several hundred MB/s.
_LEVEL = 1


@dataclass(frozen=True)
class Shared:
    """A history's table, to read events from here or in another process.

    `kind` is "here" (the table in this process: `table`, never shipped), "file" (`data` is
    the compressed bytes of the CSV file the table was read from) or "table" (`data` is the
    table pickled and compressed). `digest` names the content: equal digests, equal events.
    """

    digest: str
    name: str  # the table's file as given, for messages
    kind: str
    data: bytes = b""
    table: Table | TextFrame | None = field(default=None, compare=False, repr=False)

    @classmethod
    def here(cls, table: Table | TextFrame) -> Shared:
        return cls(f"here-{uuid.uuid4().hex}", table.path, "here", table=table)

    def packed(self) -> Shared:
        """This history as bytes for other processes (itself if it is already)."""
        if self.kind != "here":
            return self
        assert self.table is not None
        kind, raw = "table", b""
        if isinstance(self.table, TextFrame) and os.path.isfile(self.table.path):
            with open(self.table.path, "rb") as fh:  # the file read_table_fast read
                kind, raw = "file", fh.read()
        if kind == "table":
            raw = pickle.dumps(self.table, protocol=pickle.HIGHEST_PROTOCOL)
        data = zlib.compress(raw, _LEVEL)
        digest = hashlib.sha256(kind.encode() + data).hexdigest()
        return Shared(digest, self.name, kind, data)

    @contextmanager
    def opened(self) -> Iterator[Table | TextFrame]:
        """The table, as `read_table_fast` read it (a "file" is written to a temporary
        directory for as long as it is open: reading events may go back to the file)."""
        if self.table is not None:
            yield self.table
            return
        raw = zlib.decompress(self.data)
        if self.kind == "table":
            yield pickle.loads(raw)  # bytes this module pickled, in a process of the sweep
            return
        with tempfile.TemporaryDirectory(prefix="rulekit-sweep-") as tmp:
            path = os.path.join(tmp, os.path.basename(self.name) or "history.csv")
            with open(path, "wb") as fh:
                fh.write(raw)
            del raw
            yield read_table_fast(path)


_lock = threading.Lock()
_logs: dict[str, list[tuple[Any, str, EventLog]]] = {}  # digest -> (reading, as-of, log)


def event_log(shared: Shared, program: Program, as_of: datetime) -> EventLog:
    """The events `program` reads from the shared history, read once in this process."""
    reading, when = program.event_reading(), repr(as_of)
    with _lock:  # a worker with several threads reads the history once, not once per thread
        held = _held(shared)
        for known, at, log in held:
            if at == when and known == reading:
                return log
        with shared.opened() as table, collector.paused():
            log = read_events(table, program, as_of)
        held.append((reading, when, log))
        return log


def keep(shared: Shared, program: Program, as_of: datetime, log: EventLog) -> None:
    """Hand over a log this process has read from `shared`'s table for `program`."""
    with _lock:
        _held(shared).append((program.event_reading(), repr(as_of), log))


def forget(shared: Shared) -> None:
    """Drop the logs read from `shared` in this process."""
    with _lock:
        _logs.pop(shared.digest, None)


def _held(shared: Shared) -> list[tuple[Any, str, EventLog]]:
    held = _logs.get(shared.digest)
    if held is None:
        _logs.clear()  # one history at a time
        held = _logs[shared.digest] = []
    return held
