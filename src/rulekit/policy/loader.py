"""Reading policies: a file or an `ID@MAJOR` reference → the merged document → the checked model.

Each file is parsed on its own (positions, duplicate keys, DSL version), its `extends:` chain
is followed on the policy path and merged, and the result is validated as a whole.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from rulekit.diagnostics import Diagnostic, DiagnosticError, one_of
from rulekit.policy import search
from rulekit.policy.overlay import merge
from rulekit.policy.yamlsrc import Document, parse_yaml, read_text
from rulekit.record import Record
from rulekit.source import Span

MAX_CHAIN = 16


class Resolved(Record):
    """A policy document after its overlays are merged, with the files it was made from."""

    __slots__ = ("document", "files")

    def __init__(self, document: Document, files: list[str] | None = None) -> None:
        self.document = document
        self.files: list[str] = [] if files is None else files


def _top_span(doc: Document) -> Span:
    return doc.span(()) or Span(doc.source.name if doc.source else "?", 1, 1, 1, 1)


def read_file(path: str) -> Document:
    """Read and parse one policy file, checking it is a policy of a DSL version we speak."""
    return parse_document(read_text(path), path)


def parse_document(text: str, path: str) -> Document:
    """Parse a policy's text (named `path` in diagnostics) and check its DSL version."""
    from rulekit.policy.values import DSL_VERSION

    doc, problems = parse_yaml(text, path)
    if doc is None or any(d.is_error for d in problems):
        raise DiagnosticError(problems)
    if not isinstance(doc.data, dict):
        raise DiagnosticError(
            [
                Diagnostic(
                    "RK007",
                    "this file is not a policy: it should be a mapping that starts with "
                    "`rulekit: 1`",
                    _top_span(doc),
                    hint="see docs/policy-language.md for the shape of a policy",
                )
            ]
        )
    if "rulekit" not in doc.data:
        raise DiagnosticError(
            [
                Diagnostic(
                    "RK007",
                    "this file is not a policy: it has no `rulekit:` key",
                    Span(path, 1, 1, 1, 2),
                    hint=f"start the file with `rulekit: {DSL_VERSION}`",
                )
            ]
        )
    version = doc.data["rulekit"]
    if type(version) is not int or version != DSL_VERSION:
        raise DiagnosticError(
            [
                Diagnostic(
                    "RK008",
                    f"this file is written for DSL version `{version}`; this rulekit reads "
                    f"version {DSL_VERSION}"
                    if type(version) is int
                    else f"`rulekit:` must be the DSL version number, {DSL_VERSION}; "
                    f"`{version}` is not a DSL version",
                    doc.span(("rulekit",)),
                    hint=f"write `rulekit: {DSL_VERSION}`, or upgrade rulekit to read this file",
                )
            ]
        )
    return doc


def locate(ref: str, policy_path: Sequence[str | os.PathLike[str]] = ()) -> str:
    """Turn a command-line policy argument (a path or `ID@MAJOR`) into a file path."""
    if os.path.exists(ref) or not search.Reference.parse(ref):
        return ref
    parsed = search.Reference.parse(ref)
    assert parsed is not None
    dirs = search.search_path(policy_path)
    found, seen = search.find(parsed, dirs)
    if found is None:
        raise DiagnosticError([_not_found(parsed, seen, dirs, None)])
    return str(found)


def _not_found(
    ref: search.Reference, seen: list[str], dirs: list[Path], span: Span | None
) -> Diagnostic:
    if seen:
        hint = f"versions of `{ref.id}` on the policy path: {one_of(sorted(set(seen)))}"
    else:
        where = ", ".join(str(d) for d in dirs)
        hint = f"searched {where}; add a directory with --policy-path or RULEKIT_POLICY_PATH"
        import difflib

        close = difflib.get_close_matches(ref.id, search.ids(dirs), n=1, cutoff=0.6)
        if close:
            hint = f"did you mean `{str(ref).replace(ref.id, close[0], 1)}`? ({hint})"
    return Diagnostic("RK501", f"no policy `{ref}` on the policy path", span, hint=hint)


def resolve(
    path: str, policy_path: Sequence[str | os.PathLike[str]] = (), *, text: str | None = None
) -> Resolved:
    """Read `path` (or take its `text`) and every base it extends; return the merged document."""
    chain: list[tuple[str, Document]] = []
    current = path
    while True:
        if text is not None and not chain:
            doc = parse_document(text, current)
        elif not chain:
            doc = read_file(current)
        else:
            doc = _read_base(current, chain[-1][1])
        chain.append((current, doc))
        assert isinstance(doc.data, dict)
        base_ref = doc.data.get("extends")
        if base_ref is None:
            break
        span = doc.span(("extends",))
        base_path = _base_file(base_ref, current, policy_path, span)
        if any(os.path.realpath(base_path) == os.path.realpath(p) for p, _ in chain):
            names = " → ".join([*(p for p, _ in chain), base_path])
            raise DiagnosticError(
                [Diagnostic("RK502", f"policies extend each other in a cycle: {names}", span)]
            )
        if len(chain) >= MAX_CHAIN:
            raise DiagnosticError(
                [Diagnostic("RK502", f"more than {MAX_CHAIN} policies extend each other", span)]
            )
        current = base_path
    merged = chain[-1][1]
    for _, doc in reversed(chain[:-1]):
        merged = merge(merged, doc)
    return Resolved(merged, [p for p, _ in chain])


_POLICY_KEY = re.compile(r"^rulekit\s*:", re.MULTILINE)


def _read_base(path: str, overlay: Document) -> Document:
    """Read the base an overlay extends. Its diagnostics are shown (with its lines) only if it
    is a policy: a file that is not one (`extends: ../../secret.yaml`) is reported at the
    overlay's `extends`, without a word of its content."""
    try:
        return read_file(path)
    except DiagnosticError as exc:
        if any(d.code in ("RK001", "RK002") for d in exc.diagnostics):
            what = "cannot be read"
        else:
            try:
                head = read_text(path)[:65536]
            except DiagnosticError:
                head = ""
            if _POLICY_KEY.search(head):
                raise  # a policy with errors: its own diagnostics say where
            what = "is not a policy (it has no `rulekit:` key)"
        raise DiagnosticError(
            [
                Diagnostic(
                    "RK503",
                    f"the base `{path}` {what}",
                    overlay.span(("extends",)),
                    hint="`extends` names a policy: ID@MAJOR on the policy path, or a policy "
                    "file in the overlay's folder",
                )
            ]
        ) from None


def _inside(folder: str, path: str) -> bool:
    """True if `path` (links resolved) is `folder` or under it."""
    root = os.path.realpath(folder)
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _base_file(
    ref: object, current: str, policy_path: Sequence[str | os.PathLike[str]], span: Span | None
) -> str:
    if not isinstance(ref, str) or not ref.strip():
        raise DiagnosticError(
            [
                Diagnostic(
                    "RK503",
                    "`extends` must name a policy as ID@MAJOR or a relative file path",
                    span,
                    hint="write `extends: 4321-dcbao@1`",
                )
            ]
        )
    parsed = search.Reference.parse(ref)
    if parsed is None:
        if ref.endswith((".yaml", ".yml")):
            folder = os.path.dirname(current) or "."
            candidate = os.path.normpath(os.path.join(folder, ref))
            if os.path.isabs(ref) or not _inside(folder, candidate):
                raise DiagnosticError(
                    [
                        Diagnostic(
                            "RK503",
                            f"`{ref}` is outside the overlay's folder",
                            span,
                            hint="a base named by its file must be in the overlay's folder or "
                            "below it; name other bases as ID@MAJOR on the policy path",
                        )
                    ]
                )
            if os.path.exists(candidate):
                return candidate
            raise DiagnosticError(
                [Diagnostic("RK501", f"the base policy file `{ref}` does not exist", span)]
            )
        raise DiagnosticError(
            [
                Diagnostic(
                    "RK503",
                    f"`{ref}` is not a policy reference",
                    span,
                    hint=f"name the base with its major version: `{ref.split('@')[0]}@1`",
                )
            ]
        )
    dirs = search.search_path([os.path.dirname(current) or ".", *policy_path])
    found, seen = search.find(parsed, dirs)
    if found is None:
        raise DiagnosticError([_not_found(parsed, seen, dirs, span)])
    return str(found)
