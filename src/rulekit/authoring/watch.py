"""`rulekit validate --watch`: check the policies again each time one of their files is saved.

The directories of the files named (and the `--policy-path` directories, where the bases of
overlays live) are watched with watchfiles; a change to a YAML file there re-runs the very
same `rulekit validate` and prints its diagnostics anew (the screen is cleared first when
the output is a terminal). Ctrl-C stops; the exit status is that of the last check.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click

Changes = Iterable[set[tuple[Any, str]]]


def watched_dirs(files: Sequence[str], policy_path: Sequence[str] = ()) -> list[str]:
    """The directories to watch: those of the files named, and the policy path."""
    dirs: list[str] = []
    for item in [*files, *policy_path]:
        if os.path.isdir(item):
            path = item
        elif os.path.exists(item) or item.endswith((".yaml", ".yml")):
            path = os.path.dirname(os.path.abspath(item))
        else:
            continue  # an ID@MAJOR reference: found on the policy path
        path = os.path.abspath(path)
        if os.path.isdir(path) and path not in dirs:
            dirs.append(path)
    env = os.environ.get("RULEKIT_POLICY_PATH", "")
    dirs += [os.path.abspath(p) for p in env.split(":") if os.path.isdir(p)]
    return dirs or [os.getcwd()]


def is_policy_change(path: str) -> bool:
    """Whether a changed file can change a check's outcome (a YAML file)."""
    return path.endswith((".yaml", ".yml"))


def watch_validate(
    files: Sequence[str],
    policy_path: Sequence[str],
    check: Callable[[], int],
    *,
    changes: Changes | None = None,
    clear: bool = False,
) -> int:
    """Run `check` (one `rulekit validate` of `files`, returning its exit status) now and
    after each saved change; return the last status.

    `changes` (batches of (change, path) pairs) replaces the file watcher, for tests.
    """
    status = _survive(check)
    if changes is None:
        changes = _watch(watched_dirs(files, policy_path))
    try:
        for batch in changes:
            paths = sorted({os.path.relpath(p) for _, p in batch if is_policy_change(p)})
            if not paths:
                continue
            if clear:
                click.clear()
            stamp = time.strftime("%H:%M:%S")
            click.echo(f"--- {stamp}: {', '.join(paths)} changed; checking again", err=True)
            status = _survive(check)
    except KeyboardInterrupt:
        pass
    return status


def _survive(check: Callable[[], int]) -> int:
    """Run one check; a check that fails unexpectedly is reported and the watch goes on."""
    try:
        return check()
    except Exception as exc:  # the watch must outlive any one input
        click.echo(
            f"rulekit: this check failed ({type(exc).__name__}: {exc}); still watching", err=True
        )
        return 2


class Folders:
    """The watched folders, each held open: a folder deleted (and perhaps made again, even
    under the same inode number, which cannot be reused while it is held) is noticed."""

    def __init__(self, dirs: list[str]) -> None:
        self.dirs = dirs
        self.fds: dict[str, int] = {}
        for d in dirs:
            try:
                self.fds[d] = os.open(d, os.O_RDONLY)
            except OSError:
                pass

    def present(self) -> list[str]:
        """The folders that exist now."""
        return [d for d in self.dirs if os.path.isdir(d)]

    def changed(self) -> bool:
        """True if a folder held is gone or replaced, or a missing one has appeared."""
        for d in self.dirs:
            fd = self.fds.get(d)
            try:
                now = os.stat(d)
            except OSError:
                return True
            if fd is None:
                return True
            held = os.fstat(fd)
            if held.st_nlink == 0 or (held.st_dev, held.st_ino) != (now.st_dev, now.st_ino):
                return True
        return False

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()


def _watch(dirs: list[str], poll: float = 0.5) -> Changes:  # pragma: no cover - a person saves
    from watchfiles import watch

    click.echo(f"watching {', '.join(os.path.relpath(d) for d in dirs)} (Ctrl-C stops)", err=True)
    back = False  # the folders came back: check them once the new watcher runs
    while True:
        folders = Folders(dirs)
        try:
            present = folders.present()
            if present:
                try:
                    for batch in watch(
                        *present, raise_interrupt=False, yield_on_timeout=True, rust_timeout=1000
                    ):
                        if back:  # a file saved before the watcher started is checked too
                            back = False
                            yield {("changed", os.path.join(d, "policy.yaml")) for d in dirs}
                        if batch:
                            yield {(change, path) for change, path in batch}
                        if folders.changed():
                            break  # a folder was deleted, or deleted and made again: watch anew
                    else:
                        return
                except OSError:  # a folder vanished under the watcher ("No path was found")
                    pass
        finally:
            folders.close()
        gone = [d for d in dirs if not os.path.isdir(d)]
        if gone:
            click.echo(
                f"rulekit: {', '.join(os.path.relpath(d) for d in gone)} was deleted; waiting "
                "for it to come back",
                err=True,
            )
            while any(not os.path.isdir(d) for d in dirs):
                time.sleep(poll)
        click.echo("rulekit: the folders are back; watching again", err=True)
        back = True
