"""What the service's routes share: the ledger, the tokens, limits, and JSON answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from rulekit.serve.auth import Token, Tokens
from rulekit.serve.ledger import Ledger
from rulekit.serve.requests import RequestError

MAX_BODY = 1 << 20  # bytes: a request body larger than this is refused with 413


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def error(status: int, code: str, message: str) -> JSON:
    return JSON({"error": code, "message": message}, status_code=status)


@dataclass(slots=True)
class Service:
    """What the routes share."""

    ledger: Ledger
    tokens: Tokens
    max_body: int = MAX_BODY
    tick: float = 1.0  # seconds between scheduler runs

    def authenticate(self, request: Request) -> Token:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise RequestError(401, "unauthorized", "send `Authorization: Bearer TOKEN`")
        token = self.tokens.find(value.strip())
        if token is None:
            raise RequestError(401, "unauthorized", "the token is not known to this service")
        return token

    async def body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            raise RequestError(413, "too_large", f"the body exceeds {self.max_body} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body:
                raise RequestError(413, "too_large", f"the body exceeds {self.max_body} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
