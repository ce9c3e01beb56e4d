"""A small web console, server-rendered HTML with no build step and no script.

`/console` shows the public pool, the pending claims (with approve/reject buttons for admin
tokens), each rep's pursuit list in priority order with slots used/limit, and the alerts of
today. A browser signs in by posting its token to `/console/login` (kept in an HttpOnly,
SameSite=Strict cookie); `?token=` works too, for a wall screen.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from rulekit.serve.auth import Token
from rulekit.serve.engine_bridge import LiveEngine
from rulekit.serve.records import LedgerError, Posted
from rulekit.serve.requests import RequestError
from rulekit.serve.requests import events as read_events
from rulekit.serve.service import Service

COOKIE = "rulekit_token"

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:24px;color:#1f2933;background:#f7f9fb}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:24px 0 8px}
.meta{color:#616e7c;font-size:13px}
section{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:12px 16px;
margin-bottom:16px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e7eb}
th{background:#f0f4f8} .num{text-align:right}
.full{color:#b42318;font-weight:600} .warn{color:#b54708}
form.inline{display:inline} button{font-size:13px;padding:2px 10px;margin-right:4px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
.empty{color:#9aa5b1;font-style:italic}
"""


def _token(service: Service, request: Request) -> Token | None:
    presented = request.query_params.get("token") or request.cookies.get(COOKIE)
    return service.tokens.find(presented) if presented else None


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _decide_buttons(customer: str) -> str:
    c = escape(customer, quote=True)
    return (
        f'<form class="inline" method="post" action="/console/decide">'
        f'<input type="hidden" name="customer" value="{c}">'
        f'<button name="type" value="approve">approve</button>'
        f'<button name="type" value="reject">reject</button></form>'
    )


def page_data(live: LiveEngine, at: datetime) -> dict[str, Any]:
    """What the console shows, read from the engine at `at`."""
    doc = live.document(at)
    public = live.public_states()
    pool = [c for c in doc["customers"] if c["state"] in public]
    pending = [c for c in doc["customers"] if c["pending_owner"] is not None]
    reps = [live.rep(r["rep"], at) for r in doc["reps"]]
    return {
        "as_of": live.iso(at),
        "policy": doc["policy"],
        "pool": pool,
        "pending": pending,
        "reps": [r for r in reps if r is not None],
        "alerts": live.alerts(at),
        "iso": live.iso,
    }


def render(data: dict[str, Any], token: Token, message: str | None = None) -> str:
    """The console page."""
    admin = token.role == "admin"
    pool = _table(
        ["customer", "last stage", "since"],
        [
            [escape(c["customer"]), escape(c["stage"] or "—"), escape(c["state_since"] or "")]
            for c in data["pool"]
        ],
        "the pool is empty",
    )
    pending = _table(
        ["customer", "claimed by", "state", *(["decision"] if admin else [])],
        [
            [
                escape(c["customer"]),
                escape(c["pending_owner"]),
                escape(c["state"]),
                *([_decide_buttons(c["customer"])] if admin else []),
            ]
            for c in data["pending"]
        ],
        "no claim awaits approval",
    )
    cards = []
    for r in data["reps"]:
        limit = r["slot_limit"]
        full = limit is not None and r["slots_used"] >= limit
        slots = f"{r['slots_used']} / {limit if limit is not None else '∞'}"
        rows = [
            [
                str(c["priority"]),
                escape(c["customer"]),
                escape(c["stage"] or "new"),
                str(c["overdue_days"] or 0),
            ]
            for c in r["customers"]
        ]
        cards.append(
            f'<section class="rep"><h2>{escape(r["rep"])} · slots '
            f'<span class="{"full" if full else ""}">{slots}</span></h2>'
            + _table(["#", "customer", "stage", "overdue days"], rows, "nothing to pursue")
            + "</section>"
        )
    alerts = _table(
        ["customer", "rule", "level", "message"],
        [
            [escape(a["customer"]), escape(a["rule"]), escape(a["level"]), escape(a["message"])]
            for a in data["alerts"]
        ],
        "no alerts today",
    )
    policy = data["policy"]
    note = f'<p class="warn">{escape(message)}</p>' if message else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>rulekit console</title><style>{CSS}</style></head><body>"
        f'<h1>rulekit console</h1><p class="meta">{escape(policy["id"])} '
        f"{escape(policy['version'])} · as of {escape(data['as_of'])} · signed in as "
        f"{escape(token.actor)} ({escape(token.role)})</p>{note}"
        f'<section id="pool"><h2>Public pool ({len(data["pool"])})</h2>{pool}</section>'
        f'<section id="claims"><h2>Pending claims ({len(data["pending"])})</h2>{pending}'
        "</section>"
        f'<h2>Pursuit lists</h2><div class="grid" id="reps">{"".join(cards)}</div>'
        f'<section id="alerts"><h2>Alerts today ({len(data["alerts"])})</h2>{alerts}</section>'
        "</body></html>"
    )


LOGIN = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>rulekit console</title>'
    f"<style>{CSS}</style></head><body><h1>rulekit console</h1><section>"
    '<form method="post" action="/console/login"><label>Token <input name="token" '
    'type="password" autocomplete="off"></label> <button>Sign in</button></form>'
    "</section></body></html>"
)


def routes(service: Service) -> list[Route]:
    """The console's routes."""

    async def show(request: Request) -> Response:
        token = _token(service, request)
        if token is None:
            return HTMLResponse(LOGIN, status_code=401)
        data = await run_in_threadpool(service.ledger.view, page_data)
        return HTMLResponse(render(data, token, request.query_params.get("note")))

    async def login(request: Request) -> Response:
        form = parse_qs((await service.body(request)).decode("utf-8", "replace"))
        presented = (form.get("token") or [""])[0]
        if service.tokens.find(presented) is None:
            return HTMLResponse(LOGIN, status_code=401)
        answer = RedirectResponse("/console", status_code=303)
        answer.set_cookie(COOKIE, presented, httponly=True, samesite="strict")
        return answer

    async def decide(request: Request) -> Response:
        token = _token(service, request)
        if token is None:
            return HTMLResponse(LOGIN, status_code=401)
        if token.role != "admin":
            return HTMLResponse("only an admin may approve or reject", status_code=403)
        form = parse_qs((await service.body(request)).decode("utf-8", "replace"))
        kind = (form.get("type") or [""])[0]
        customer = (form.get("customer") or [""])[0]
        if kind not in ("approve", "reject") or not customer:
            return HTMLResponse("send a customer and approve or reject", status_code=400)
        try:
            live = await run_in_threadpool(service.ledger.engine)
            posted: list[Posted] = read_events(
                {"customer": customer, "type": kind}, token, live, batch=False
            )
            done = (await run_in_threadpool(service.ledger.post, posted))[0]
        except (RequestError, LedgerError) as exc:
            return HTMLResponse(escape(exc.message), status_code=400)
        note = f"{kind} {customer}: " + ("done" if done.applied else f"refused ({done.reason})")
        return RedirectResponse(f"/console?note={quote(note)}", status_code=303)

    return [
        Route("/console", show, methods=["GET"]),
        Route("/console/login", login, methods=["POST"]),
        Route("/console/decide", decide, methods=["POST"]),
    ]
