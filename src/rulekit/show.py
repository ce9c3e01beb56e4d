"""`rulekit show`: the resolved policy (after its overlays) with the file and line of every value.

A *leaf* is a value that one file sets as a whole: a scalar, a list of scalars (an overlay
replaces a list, it never merges one) or an empty mapping. Leaves are listed in document
order, which is the policy's order: a base's keys first, then the keys an overlay adds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from rulekit.policy.yamlsrc import Document, Path
from rulekit.source import display_width

if TYPE_CHECKING:
    from rulekit.compiler import CompiledPolicy

#: annotations start at this column at most; a longer line gets its annotation two spaces after.
MAX_ANNOTATION_COLUMN = 72
_DIM, _RESET = "\x1b[2m", "\x1b[0m"
_PLAIN_KEY = re.compile(r"^[^.\[\]\"\s]+$")


@dataclass(frozen=True, slots=True)
class Leaf:
    """One value of the resolved policy and where it was set."""

    path: Path
    value: Any
    file: str | None
    line: int | None
    column: int | None

    @property
    def dotted(self) -> str:
        """The path as text: `quota.limit`, `transitions.renew.from`, `priority.order[0]`."""
        return dotted(self.path)

    def as_json(self) -> dict[str, Any]:
        """The leaf as a JSON object: path, value, file, line, column."""
        return {
            "path": self.dotted,
            "value": self.value,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }


@dataclass(frozen=True, slots=True)
class PolicyFile:
    """One file of a policy's chain: the policy itself, then each base it extends."""

    path: str
    id: str
    version: str

    def __str__(self) -> str:
        return f"{self.id} {self.version} ({self.path})"


def dotted(path: Path) -> str:
    """Join a path: keys with dots, list indexes in brackets; odd keys are quoted."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out


def display_file(path: str, cwd: str | None = None) -> str:
    """`path` relative to the current directory when it lies under it, else as it is."""
    if path.startswith("<"):
        return path  # "<text>": a policy given as text
    here = os.path.abspath(cwd or os.getcwd())
    full = os.path.abspath(path)
    if os.path.commonpath([here, full]) == here:
        return os.path.relpath(full, here)
    return path


def _is_leaf(value: Any) -> bool:
    if isinstance(value, dict):
        return not value
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return True


def leaves(doc: Document, cwd: str | None = None) -> list[Leaf]:
    """Every leaf of the document, in document order, with the file and line that set it."""
    return list(_walk(doc, doc.data, (), cwd))


def _walk(doc: Document, value: Any, path: Path, cwd: str | None) -> Iterator[Leaf]:
    if path and _is_leaf(value):
        yield _leaf(doc, path, value, cwd)
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _walk(doc, child, (*path, key), cwd)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _walk(doc, child, (*path, i), cwd)


def _leaf(doc: Document, path: Path, value: Any, cwd: str | None) -> Leaf:
    span = doc.span(path)
    if span is None:
        return Leaf(path, value, None, None, None)
    return Leaf(path, value, display_file(span.file, cwd), span.line, span.column)


def chain(policy: CompiledPolicy, cwd: str | None = None) -> list[PolicyFile]:
    """The policy's files with the id and version each declares (the policy's own first)."""
    from rulekit.diagnostics import DiagnosticError
    from rulekit.policy.loader import read_file

    out = [PolicyFile(display_file(policy.files[0], cwd), policy.id, policy.version)]
    for path in policy.files[1:]:
        try:
            data = read_file(path).data
        except DiagnosticError:  # pragma: no cover - it was just read to compile the policy
            data = {}
        out.append(
            PolicyFile(
                display_file(path, cwd), str(data.get("id", "?")), str(data.get("version", "?"))
            )
        )
    return out


def chain_text(files: list[PolicyFile]) -> str:
    """`acme-valves 2.1.0 (…/policy.yaml) extends 4321-dcbao 1.0.0 (…/4321-dcbao.yaml)`."""
    return " extends ".join(str(f) for f in files)


# -- YAML scalars, written so that rulekit reads them back as the same values -----------------


def _reads_back(text: str) -> bool:
    """True if rulekit's YAML reader takes `text`, written plain, as that same text."""
    from rulekit.policy.yamlsrc import _Builder

    node = yaml.ScalarNode("tag:yaml.org,2002:str", text, style=None)
    return _Builder.scalar(node) == text


class _Dumper(yaml.SafeDumper):
    """A safe dumper that never writes anchors and quotes text rulekit would read otherwise."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style: str | None = None
    if "\n" in text.rstrip("\n") or (text.endswith("\n") and text.strip()):
        style = "|"
    elif not _reads_back(text):
        style = "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def flow(value: Any) -> str:
    """A scalar or list of scalars as one line of YAML (`30`, `'100'`, `[OD, O+, R]`)."""
    if isinstance(value, str) and "\n" in value:
        value = " ".join(value.split())
    out: str = yaml.dump(
        value, Dumper=_Dumper, default_flow_style=True, allow_unicode=True, width=1_000_000
    )
    return out.removesuffix("\n...\n").rstrip("\n")


def to_yaml(policy: CompiledPolicy, cwd: str | None = None) -> str:
    """The resolved policy as one plain YAML file, keys in the policy's order."""
    head = [
        f"# {policy.id} {policy.version}, resolved by `rulekit show --format yaml` from:",
        *(f"#   {f}" for f in chain(policy, cwd)),
    ]
    body: str = yaml.dump(
        policy.document.data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return "\n".join(head) + "\n" + body


def to_json(policy: CompiledPolicy, cwd: str | None = None) -> dict[str, Any]:
    """The policy's identity, its files and every leaf with the file and line that set it."""
    files = chain(policy, cwd)
    return {
        "policy": {"id": policy.id, "version": policy.version, "title": policy.title},
        "files": [f.path for f in files],
        "chain": [{"file": f.path, "id": f.id, "version": f.version} for f in files],
        "values": [leaf.as_json() for leaf in leaves(policy.document, cwd)],
    }


# -- text: YAML-like lines with `file:line` at the right ---------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    text: str
    where: str | None = None


def _rows(doc: Document, value: Any, path: Path, indent: int, cwd: str | None) -> Iterator[_Row]:
    pad = "  " * indent
    items: list[tuple[str, Any, Path]]
    if isinstance(value, dict):
        items = [(f"{flow(k)}:", v, (*path, k)) for k, v in value.items()]
    else:
        items = [("-", v, (*path, i)) for i, v in enumerate(value)]
    for label, child, child_path in items:
        if not _is_leaf(child):
            yield _Row(f"{pad}{label}")
            yield from _rows(doc, child, child_path, indent + 1, cwd)
            continue
        leaf = _leaf(doc, child_path, child, cwd)
        where = f"{leaf.file}:{leaf.line}" if leaf.file else None
        lines = child.rstrip("\n").split("\n") if isinstance(child, str) else []
        if len(lines) > 1:  # a multi-line text: a literal block
            yield _Row(f"{pad}{label} |", where)
            yield from (_Row(f"{pad}  {line}".rstrip()) for line in lines)
        else:
            yield _Row(f"{pad}{label} {flow(child)}", where)


def header(policy: CompiledPolicy, cwd: str | None = None) -> list[str]:
    """The id, version and title, and the chain of files."""
    title = f" · {policy.title}" if policy.title else ""
    return [f"{policy.id} {policy.version}{title}", chain_text(chain(policy, cwd))]


def to_text(policy: CompiledPolicy, *, color: bool = False, cwd: str | None = None) -> str:
    """The resolved policy as YAML-like text, each leaf annotated with its `file:line`."""
    rows = list(_rows(policy.document, policy.document.data or {}, (), 0, cwd))
    widths = [display_width(r.text) for r in rows if r.where]
    column = min(max(widths, default=0), MAX_ANNOTATION_COLUMN) + 2
    lines = [*header(policy, cwd), ""]
    for row in rows:
        if row.where is None:
            lines.append(row.text)
            continue
        gap = " " * max(2, column - display_width(row.text))
        where = f"{_DIM}{row.where}{_RESET}" if color else row.where
        lines.append(f"{row.text}{gap}{where}")
    return "\n".join(lines) + "\n"
