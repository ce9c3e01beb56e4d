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
    status = check()
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
            status = check()
    except KeyboardInterrupt:
        pass
    return status


def _watch(dirs: list[str]) -> Changes:  # pragma: no cover - needs a person saving files
    from watchfiles import watch

    click.echo(f"watching {', '.join(os.path.relpath(d) for d in dirs)} (Ctrl-C stops)", err=True)
    for batch in watch(*dirs, raise_interrupt=False):
        yield {(change, path) for change, path in batch}
