"""Cell values as text and as JSON, the same way for every writer.

Text: None is "", dates and times `.isoformat()` (an aware datetime keeps its offset),
booleans "true"/"false", floats as `repr` (exact: reads back as the same float), lists and
dicts as JSON (non-ASCII kept), anything else `str()`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def to_text(value: Any) -> str:
    """The text of a cell, for formats that hold only text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return to_json(value)
    return str(value)


def json_default(value: Any) -> Any:
    """`default=` for json.dumps: dates and times as ISO 8601, anything else as its text."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    return str(value)


def to_json(value: Any) -> str:
    """Compact JSON with non-ASCII characters kept as they are."""
    return json.dumps(value, ensure_ascii=False, default=json_default, separators=(",", ":"))
