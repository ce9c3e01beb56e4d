"""The HTTP service: Starlette routes over the ledger, bearer-token auth, a timer scheduler.

Every route runs the ledger in a worker thread (the ledger is synchronous and takes its own
locks); the scheduler is a background task that fires due timers every `tick` seconds.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rulekit.serve import console
from rulekit.serve import requests as bodies
from rulekit.serve.ledger import LedgerError, Outcome, now_s
from rulekit.serve.openapi import document as openapi_document
from rulekit.serve.requests import RequestError
from rulekit.serve.service import JSON, Service, error

__all__ = ["Service", "build"]


def outcome(o: Outcome, iso: Callable[[Any], str]) -> dict[str, Any]:
    return {
        "seq": o.seq,
        "at": iso(o.at),
        "applied": o.applied,
        "reason": o.reason,
        "customer": o.customer,
    }


Handler = Callable[[Service, Request], Awaitable[Response]]


def route(service: Service, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint: errors become `{"error", "message"}` answers."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(service, request)
        except RequestError as exc:
            return error(exc.status, exc.code, exc.message)
        except LedgerError as exc:
            status = 400 if exc.code == "out_of_order" else 503
            return error(status, exc.code, exc.message)
        except SQLAlchemyError as exc:
            print(f"rulekit serve: database error: {exc.__class__.__name__}", file=sys.stderr)
            return error(503, "unavailable", "the ledger's database did not answer; try again")
        except Exception as exc:  # a bug: one line on stderr, a JSON answer, the engine rebuilt
            print(f"rulekit serve: {request.url.path}: {exc!r}", file=sys.stderr)
            return error(500, "internal", "the service failed on this request; nothing was written")

    return endpoint


async def post_events(service: Service, request: Request, batch: bool) -> Response:
    token = service.authenticate(request)
    body = bodies.parse_json(await service.body(request))
    ledger = service.ledger
    live = ledger.live
    if live is None:
        live = await run_in_threadpool(ledger.engine)
    posted = bodies.events(body, token, live, batch=batch)
    now = now_s()
    for p in posted:
        if token.role != "admin" and live.admin_only(p.event.type):
            raise RequestError(
                403, "forbidden", f"only an admin may {p.event.type}; this token is a {token.role}"
            )
        if p.at is not None and p.at > now + timedelta(seconds=5):
            raise RequestError(400, "future", "`at` is in the future; post history up to now")
    outcomes = await run_in_threadpool(ledger.post, posted)
    iso = live.iso
    if batch:
        return JSON({"results": [outcome(o, iso) for o in outcomes]})
    return JSON(outcome(outcomes[0], iso))


async def post_one(service: Service, request: Request) -> Response:
    return await post_events(service, request, False)


async def post_batch(service: Service, request: Request) -> Response:
    return await post_events(service, request, True)


async def customer(service: Service, request: Request) -> Response:
    service.authenticate(request)
    cid = request.path_params["id"]
    found = await run_in_threadpool(service.ledger.view, lambda live, at: live.customer(cid, at))
    if found is None:
        raise RequestError(404, "not_found", f"no customer `{cid}` in the ledger")
    return JSON(found)


async def rep(service: Service, request: Request) -> Response:
    service.authenticate(request)
    name = request.path_params["rep"]
    found = await run_in_threadpool(service.ledger.view, lambda live, at: live.rep(name, at))
    if found is None:
        raise RequestError(404, "not_found", f"no rep `{name}` in the ledger")
    found.pop("customers", None)
    return JSON(found)


async def snapshot(service: Service, request: Request) -> Response:
    service.authenticate(request)
    doc = await run_in_threadpool(service.ledger.view, lambda live, at: live.document(at))
    return JSON(doc)


async def alerts(service: Service, request: Request) -> Response:
    service.authenticate(request)
    found = await run_in_threadpool(
        service.ledger.view, lambda live, at: {"as_of": live.iso(at), "alerts": live.alerts(at)}
    )
    return JSON(found)


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise RequestError(400, "malformed", f"`{name}` is a whole number from {low} to {high}")
    return int(text)


async def log(service: Service, request: Request) -> Response:
    service.authenticate(request)
    after = _int(request, "after", 0, 0, 1 << 62)
    limit = _int(request, "limit", 100, 1, 1000)
    entries = await run_in_threadpool(service.ledger.entries, after, limit)
    return JSON({"entries": entries})


async def healthz(service: Service, request: Request) -> Response:
    live = await run_in_threadpool(service.ledger.engine)
    policy = {"id": live.compiled.id, "version": live.compiled.version}
    return JSON({"ok": True, "policy": policy, "seq": service.ledger.seq})


async def openapi(service: Service, request: Request) -> Response:
    return JSON(openapi_document())


async def scheduler(service: Service) -> None:
    """Fire due timers every `tick` seconds (exactly once: under the ledger's write lock)."""
    while True:
        await asyncio.sleep(service.tick)
        try:
            await run_in_threadpool(service.ledger.sync)
        except (SQLAlchemyError, LedgerError) as exc:
            print(f"rulekit serve: scheduler: {exc.__class__.__name__}: {exc}", file=sys.stderr)


def build(service: Service) -> Starlette:
    """The Starlette application of a service."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(service.ledger.sync)  # timers due while down fire now
        task = asyncio.create_task(scheduler(service))
        try:
            yield
        finally:
            task.cancel()

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = {404: "not_found", 405: "method_not_allowed"}.get(status, "error")
        return error(status, code, f"{request.method} {request.url.path}: {code.replace('_', ' ')}")

    routes = [
        Route("/v1/events", route(service, post_one), methods=["POST"]),
        Route("/v1/events:batch", route(service, post_batch), methods=["POST"]),
        Route("/v1/customers/{id}", route(service, customer), methods=["GET"]),
        Route("/v1/reps/{rep}", route(service, rep), methods=["GET"]),
        Route("/v1/snapshot", route(service, snapshot), methods=["GET"]),
        Route("/v1/log", route(service, log), methods=["GET"]),
        Route("/v1/alerts", route(service, alerts), methods=["GET"]),
        Route("/healthz", route(service, healthz), methods=["GET"]),
        Route("/openapi.json", route(service, openapi), methods=["GET"]),
        *console.routes(service),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: not_found},
    )
