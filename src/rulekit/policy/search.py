"""The policy path: where `extends: ID@MAJOR` and references like `4321-dcbao@1` are found.

Directories are searched in order: those given with `--policy-path`, those in the
RULEKIT_POLICY_PATH environment variable (separated by the OS path separator), then the
policies installed with rulekit. Within the first directory that has a matching id, the
highest version of the requested major wins.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from rulekit.record import FrozenRecord
from rulekit.safeio import is_regular_file

_REF = re.compile(r"^(?P<id>[^@\s/\\]+)@(?P<version>\d+(?:\.\d+){0,2})$")
_HEAD = re.compile(r"^(id|version)\s*:\s*['\"]?([^'\"#\s]+)", re.MULTILINE)


class Reference(FrozenRecord):
    """A policy named by id and version: `4321-dcbao@1` (any 1.x.y) or `4321-dcbao@1.2.0`."""

    __slots__ = ("id", "version")
    id: str
    version: str

    def __init__(self, id: str, version: str) -> None:
        self._set(id, version)

    @classmethod
    def parse(cls, text: str) -> Reference | None:
        """Parse `ID@MAJOR` or `ID@X.Y.Z`; None if `text` is not of that form."""
        m = _REF.match(text.strip())
        return cls(m["id"], m["version"]) if m else None

    def matches(self, version: str) -> bool:
        """True if a policy of `version` satisfies this reference."""
        want = self.version.split(".")
        have = version.split("-", 1)[0].split(".")
        return have[: len(want)] == want

    def __str__(self) -> str:
        return f"{self.id}@{self.version}"


def installed_dir() -> Path:
    """The directory of the policies shipped with rulekit."""
    return Path(__file__).resolve().parent.parent / "policies"


def search_path(extra: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """The directories to search, in order."""
    dirs = [Path(p) for p in extra]
    env = os.environ.get("RULEKIT_POLICY_PATH", "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs.append(installed_dir())
    return dirs


def _head(path: Path) -> tuple[str, str] | None:
    """The id and version a policy file declares near its top; None for anything else (a FIFO
    or a device named *.yaml is never opened for reading, so a lookup never blocks)."""
    if not is_regular_file(path):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            text = os.read(fd, 4096).decode("utf-8-sig", "ignore")
        finally:
            os.close(fd)
    except OSError:
        return None
    found: dict[str, str] = {m.group(1): m.group(2) for m in _HEAD.finditer(text)}
    if "id" in found and "version" in found:
        return found["id"], found["version"]
    return None


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("-", 1)[0].split("."))
    except ValueError:
        return (-1,)


def find(ref: Reference, dirs: Iterable[Path]) -> tuple[Path | None, list[str]]:
    """Find the file of `ref`: (its path or None, the versions seen of that id)."""
    seen: list[str] = []
    for directory in dirs:
        candidates: list[tuple[tuple[int, ...], Path]] = []
        if not directory.is_dir():
            continue
        files = sorted(
            [*directory.glob("*.yaml"), *directory.glob("*.yml"), *directory.glob("*/policy.yaml")]
        )
        for file in files:
            head = _head(file)
            if head is None or head[0] != ref.id:
                continue
            seen.append(head[1])
            if ref.matches(head[1]):
                candidates.append((_version_key(head[1]), file))
        if candidates:
            return max(candidates)[1], seen
    return None, seen


def ids(dirs: Iterable[Path]) -> list[str]:
    """The ids of the policies on the policy path (for a did-you-mean)."""
    found: set[str] = set()
    for directory in dirs:
        if not directory.is_dir():
            continue
        for file in [*directory.glob("*.yaml"), *directory.glob("*.yml")]:
            head = _head(file)
            if head is not None:
                found.add(head[0])
    return sorted(found)
