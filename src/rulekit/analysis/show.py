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

#: annotations line up after the longest line up to this width; a longer line gets its
#: annotation two spaces after its end.
MAX_ANNOTATION_COLUMN = 60
_DIM, _RESET = "\x1b[2m", "\x1b[0m"
_PLAIN_KEY = re.compile(r"^[^.\[\]\"\s]+$")
_PLAIN_TEXT_KEY = re.compile(r"^[A-Za-z_][\w+\-]*$")


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
    """`path` relative to the current directory (`../acme/policy.yaml` too, when shorter
    than the absolute path); a policy installed with rulekit as its reference,
    `4321-dcbao@1`, not the install path."""
    if path.startswith("<"):
        return path  # "<text>": a policy given as text
    full = os.path.abspath(path)
    installed = _installed_reference(full)
    if installed is not None:
        return installed
    here = os.path.abspath(cwd or os.getcwd())
    try:
        relative = os.path.relpath(full, here)
    except ValueError:  # another drive
        return path
    return relative if len(relative) <= len(full) else full


def _installed_reference(full: str) -> str | None:
    """`ID@MAJOR` for a policy file installed with rulekit, else None."""
    import re
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "policies"
    file = Path(full)
    if file.parent != folder:
        return None
    try:
        text = file.read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(r"^version:\s*[\"']?(\d+)\.", text, re.MULTILINE)
    return f"{file.stem}@{found.group(1)}" if found else None


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


def _documents(policy: CompiledPolicy) -> list[Document | None]:
    """Each file of the chain as parsed on its own (None for a policy given as text)."""
    from rulekit.diagnostics import DiagnosticError
    from rulekit.policy.loader import read_file

    out: list[Document | None] = []
    for path in policy.files:
        try:
            out.append(None if path.startswith("<") else read_file(path))
        except DiagnosticError:  # pragma: no cover - it was just read to compile the policy
            out.append(None)
    return out


def chain(policy: CompiledPolicy, cwd: str | None = None) -> list[PolicyFile]:
    """The policy's files with the id and version each declares (the policy's own first)."""
    out = [PolicyFile(display_file(policy.files[0], cwd), policy.id, policy.version)]
    for path, doc in zip(policy.files[1:], _documents(policy)[1:], strict=True):
        data = doc.data if doc is not None and isinstance(doc.data, dict) else {}
        out.append(
            PolicyFile(
                display_file(path, cwd), str(data.get("id", "?")), str(data.get("version", "?"))
            )
        )
    return out


_MISSING = object()


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def removed(policy: CompiledPolicy, cwd: str | None = None) -> list[Leaf]:
    """The entries an overlay deletes with `null` (`claim: {approval: null}`), with where."""
    docs = _documents(policy)
    out: list[Leaf] = []
    for i, doc in enumerate(docs[:-1]):
        if doc is None:
            continue
        for path, located in doc.positions.items():
            if not path or _get(doc.data, path) is not None:
                continue
            if _get(policy.document.data, path) is not _MISSING:
                continue  # a null value, or put back by an overlay above
            if all(d is None or _get(d.data, path) is _MISSING for d in docs[i + 1 :]):
                continue  # nothing to delete
            span = located.span
            out.append(Leaf(path, None, display_file(span.file, cwd), span.line, span.column))
    return out


def chain_text(files: list[PolicyFile]) -> str:
    """`acme-valves 2.1.0 (…/policy.yaml) extends 4321-dcbao 1.0.0 (…/4321-dcbao.yaml)`."""
    return " extends ".join(str(f) for f in files)


# -- YAML scalars, written so that rulekit reads them back as the same values -----------------


def _reads_back(text: str) -> bool:
    """True if rulekit's YAML reader takes `text`, written plain, as that same text."""
    from rulekit.policy.yamlsrc import _Builder

    node = yaml.ScalarNode("tag:yaml.org,2002:str", text, style=None)
    value: object = _Builder.scalar(node)
    return value == text


class _Dumper(yaml.SafeDumper):
    """A safe dumper that never writes anchors and quotes text rulekit would read otherwise."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style: str | None = None
    if "\n" in text.rstrip("\n"):
        style = "|"  # lines: kept as they are
    elif text.endswith("\n") and text.strip():
        style = ">"  # one paragraph (as `description: >` reads): folded to the width
    elif not _reads_back(text):
        style = "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.SequenceNode:
    """A list of scalars on one line (`from: [OD, O+, R]`), others as blocks."""
    return dumper.represent_sequence(
        "tag:yaml.org,2002:seq", items, flow_style=_is_leaf(items) and bool(items)
    )


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


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
        width=88,
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
        "removed": [
            {k: v for k, v in leaf.as_json().items() if k != "value"}
            for leaf in removed(policy, cwd)
        ],
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
        items = [(f"{_key(k)}:", v, (*path, k)) for k, v in value.items()]
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


def _key(key: str) -> str:
    """A key as rulekit's YAML reads it: `on` stays plain (rulekit keys are never booleans)."""
    return key if _PLAIN_TEXT_KEY.match(key) else flow(key)


def header(policy: CompiledPolicy, cwd: str | None = None) -> list[str]:
    """The id, version and title, and the chain of files."""
    title = f" · {policy.title}" if policy.title else ""
    return [f"{policy.id} {policy.version}{title}", chain_text(chain(policy, cwd))]


def to_text(policy: CompiledPolicy, *, color: bool = False, cwd: str | None = None) -> str:
    """The resolved policy as YAML-like text, each leaf annotated with its `file:line`."""
    rows = list(_rows(policy.document, policy.document.data or {}, (), 0, cwd))
    gone = removed(policy, cwd)
    if gone:
        rows += [_Row("# removed by an overlay (`null`):")]
        rows += [_Row(f"#   {leaf.dotted}", f"{leaf.file}:{leaf.line}") for leaf in gone]
    widths = [display_width(r.text) for r in rows if r.where]
    column = max((w for w in widths if w <= MAX_ANNOTATION_COLUMN), default=0) + 2
    lines = [*header(policy, cwd), ""]
    for row in rows:
        if row.where is None:
            lines.append(row.text)
            continue
        gap = " " * max(2, column - display_width(row.text))
        where = f"{_DIM}{row.where}{_RESET}" if color else row.where
        lines.append(f"{row.text}{gap}{where}")
    return "\n".join(lines) + "\n"
