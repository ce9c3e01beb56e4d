"""Reading the service's request bodies: JSON events into rows the engine's reader checks.

An event is `{"customer", "type", "stage"?, "to"?, "fields"?: {...}, ...other columns}`; the
actor is the token's (a body naming another actor is refused), `at` is the service's clock
unless the token may import history.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import orjson

from rulekit.serve.auth import Token
from rulekit.serve.engine_bridge import LiveEngine
from rulekit.serve.history import cell_text
from rulekit.serve.records import Posted

MAX_BATCH = 1000


class RequestError(Exception):
    """A request the service refuses: HTTP status, error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def parse_json(body: bytes) -> Any:
    """The request body as JSON, or a 400."""
    if not body:
        raise RequestError(400, "malformed", "the request has no body; send a JSON object")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise RequestError(400, "malformed", f"the body is not JSON: {exc}") from None


def _cells(item: Any, token: Token, index: str) -> tuple[dict[str, str | None], str | None]:
    """An event object as text cells; also its `at` when given."""
    if not isinstance(item, dict):
        raise RequestError(400, "malformed", f"{index}an event is a JSON object")
    cells: dict[str, str | None] = {}
    at: str | None = None
    for key, value in item.items():
        if key == "fields":
            if not isinstance(value, dict):
                raise RequestError(400, "malformed", f"{index}`fields` is a JSON object")
            for name, v in value.items():
                cells[str(name)] = _scalar(v, f"{index}fields.{name}")
            continue
        if key == "at":
            if token.role != "import":
                raise RequestError(
                    403,
                    "forbidden",
                    f"{index}`at` is the service's clock; only an import "
                    "token may post history with its own `at`",
                )
            at = _scalar(value, f"{index}at")
            continue
        cells[key] = _scalar(value, f"{index}{key}")
    actor = cells.get("actor")
    if token.role == "import":
        if actor is None:
            cells["actor"] = token.actor
    elif actor is not None and actor != token.actor:
        raise RequestError(
            403, "forbidden", f"{index}this token acts as `{token.actor}`, not as `{actor}`"
        )
    else:
        cells["actor"] = token.actor
    return cells, at


def _scalar(value: Any, where: str) -> str | None:
    if isinstance(value, dict | list):
        raise RequestError(400, "malformed", f"`{where}` must be a string, number or boolean")
    return cell_text(value)


def _where(message: str, batch: bool) -> str:
    """The engine's `request...ROW...COLUMN: text` as `COLUMN: text` (`events[i].COLUMN: text`
    in a batch); both `request:1:type: ...` and `request: data row 1, column type: ...`."""
    found = re.match(r"request:(\d+)(?::([^:\s]+))?: (.*)", message, re.S) or re.match(
        r"request: data row (\d+)(?:, column ([^:\s]+))?: (.*)", message, re.S
    )
    if found is None:
        return message.removeprefix("request: ")
    row, column, text = found.groups()
    place = f"events[{int(row) - 1}]" if batch else ""
    if column:
        place = f"{place}.{column}" if place else column
    return f"{place}: {text}" if place else text


def events(body: Any, token: Token, live: LiveEngine, *, batch: bool) -> list[Posted]:
    """The events of a request body, checked by the engine's row reader.

    Raises:
        RequestError: 400 malformed, 403 another actor or an `at` without the import role,
            422 an event the policy cannot read (unknown type, missing column).
    """
    if batch:
        if not isinstance(body, dict) or not isinstance(body.get("events"), list):
            raise RequestError(400, "malformed", 'a batch is {"events": [event, ...]}')
        items = body["events"]
        if len(items) > MAX_BATCH:
            raise RequestError(413, "too_large", f"a batch holds at most {MAX_BATCH} events")
    else:
        items = [body]
    rows, stamps = [], []
    for i, item in enumerate(items):
        cells, at = _cells(item, token, f"events[{i}]: " if batch else "")
        rows.append(cells)
        stamps.append(at)
    given: list[datetime | None] = []
    for i, at in enumerate(stamps):
        if at is None:
            given.append(None)
            continue
        try:
            given.append(live.instant(at).replace(microsecond=0))
        except ValueError as exc:
            raise RequestError(422, "invalid_event", f"events[{i}].at: {exc}") from None
    parsed = live.parse([{**r, "at": "2000-01-01T00:00:00+00:00"} for r in rows], "request")
    if parsed.problems:
        messages = [_where(m, batch) for m in parsed.problems]
        raise RequestError(422, "invalid_event", "; ".join(messages))
    return [
        Posted(cells, event, at)
        for cells, event, at in zip(rows, parsed.events, given, strict=True)
    ]
