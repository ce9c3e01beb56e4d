"""Writing a JSON document on stdout: two-space indent, UTF-8 text as it is, one final newline.

orjson encodes a replay's document (100,000 customers) about ten times faster than the
standard library; the text is the same as `json.dumps(doc, ensure_ascii=False, indent=2)`
but for the spelling of floats in exponent form (`1e-06` there, `1e-6` here: the same
number). A value JSON cannot hold (NaN, infinity, an integer beyond 64 bits) is written as
the standard library writes it, never as invalid JSON: such a document falls back to it with
NaN and infinity as null.
"""

from __future__ import annotations

import json
import math
import sys
from typing import IO, Any

import orjson

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def encode(doc: Any) -> bytes:
    """The document as UTF-8 bytes, with a final newline."""
    try:
        return orjson.dumps(doc, default=_refuse, option=_OPTIONS) + b"\n"
    except orjson.JSONEncodeError:  # an integer beyond 64 bits
        text = json.dumps(_finite(doc), ensure_ascii=False, indent=2, allow_nan=False)
        return text.encode("utf-8") + b"\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def write(doc: Any, stream: IO[str] | None = None) -> None:
    """Write the document to `stream` (stdout by default) as one JSON text."""
    out = stream if stream is not None else sys.stdout
    data = encode(doc)
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(data.decode("utf-8"))
        return
    out.flush()
    buffer.write(data)
    buffer.flush()
