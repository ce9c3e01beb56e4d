"""Turn pydantic's validation errors into diagnostics a consultant can act on.

Each error's `loc` is a path into the policy document; the document's positions give the file,
line and column. Unknown keys get a did-you-mean hint from the keys the model accepts there.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from rulekit.diagnostics import Diagnostic, did_you_mean, one_of
from rulekit.policy.yamlsrc import Document, Path

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value entries)",
    "model_type": "a mapping (key: value entries)",
    "model_attributes_type": "a mapping (key: value entries)",
    "list_type": "a list",
}


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Annotated, Optional and unions removed)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out += _unwrap(arg)
        return out
    return [annotation]


def _keys_of(annotation: Any) -> list[str] | None:
    for kind in _unwrap(annotation):
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return [f.alias or name for name, f in kind.model_fields.items()]
    return None


def model_at(root: type[BaseModel], loc: Path) -> Any:
    """The annotation that describes the value at `loc` under model `root`."""
    annotation: Any = root
    for part in loc:
        nxt = None
        for kind in _unwrap(annotation):
            origin = typing.get_origin(kind)
            if isinstance(kind, type) and issubclass(kind, BaseModel) and isinstance(part, str):
                for name, info in kind.model_fields.items():
                    if part in (name, info.alias):
                        nxt = info.annotation
                        # metadata such as BeforeValidator lives on FieldInfo; keep the type
                        break
            elif origin is dict:
                nxt = typing.get_args(kind)[1]
            elif origin is list:
                nxt = typing.get_args(kind)[0]
            if nxt is not None:
                break
        if nxt is None:
            return None
        annotation = nxt
    return annotation


def _clean_loc(loc: tuple[Any, ...], data: Any) -> Path:
    """Keep the parts of pydantic's `loc` that are keys or indexes of the data.

    pydantic puts the names of union branches and validators into `loc`; walking the data
    tells them apart from real keys. The last part is kept even when absent (a missing key).
    """
    out: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif i < len(loc) - 1:
            continue
        out.append(part)
    return tuple(out)


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path) or "the policy"


def diagnostics_from(
    exc: ValidationError, doc: Document, root: type[BaseModel]
) -> list[Diagnostic]:
    """Map each pydantic error of validating `doc` against `root` to a diagnostic."""
    out: list[Diagnostic] = []
    seen: set[tuple[Path, str]] = set()
    for err in exc.errors(include_url=False):
        loc = _clean_loc(tuple(err["loc"]), doc.data)
        kind = err["type"]
        if (loc, kind) in seen:
            continue
        seen.add((loc, kind))
        out.append(_one(kind, loc, err, doc, root))
    return out


def _one(kind: str, loc: Path, err: Any, doc: Document, root: type[BaseModel]) -> Diagnostic:
    where = _dotted(loc)
    if kind in ("extra_forbidden", "missing") and not loc:
        return Diagnostic("RK104", str(err.get("msg", "invalid value")), doc.span(()))
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _keys_of(model_at(root, loc[:-1])) or []
        return Diagnostic(
            "RK101",
            f"unknown key `{key}` in {_dotted(loc[:-1])}",
            doc.key_span(loc),
            hint=did_you_mean(key, allowed) or f"the keys here are {one_of(allowed, 20)}",
        )
    if kind == "missing":
        missing = str(loc[-1])
        parent = loc[:-1]
        return Diagnostic(
            "RK102",
            f"{_dotted(parent)} needs `{missing}`",
            doc.key_span(parent) if parent else doc.span(()),
            hint=f"add `{missing}:` here",
        )
    span = doc.span(loc)
    if kind in _TYPE_WORDS:
        got = _describe(err.get("input"))
        return Diagnostic("RK103", f"{where} must be {_TYPE_WORDS[kind]}, not {got}", span)
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", "")).replace("'", "`")
        return Diagnostic(
            "RK104",
            f"{where} cannot be `{err.get('input')}`",
            span,
            hint=f"use {expected}" if expected else None,
        )
    message = str(err.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    if kind in ("greater_than_equal", "greater_than"):
        message = f"must be at least {err.get('ctx', {}).get('ge', err.get('ctx', {}).get('gt'))}"
    elif kind in ("too_short", "string_too_short"):
        message = "must not be empty"
    return Diagnostic("RK104", f"{where}: {message}", span)


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text `{value}`" if len(value) < 40 else "a text"
    return f"`{value}`"
