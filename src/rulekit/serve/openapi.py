"""The service's OpenAPI 3.1 description, served at `/openapi.json`."""

from __future__ import annotations

from typing import Any


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rulekit")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    str(code): _json(_ref("Error"), text)
    for code, text in (
        (400, "malformed request (not JSON, wrong shape, an `at` out of order)"),
        (401, "no token, or an unknown one"),
        (403, "the token may not do this (another actor, an admin-only event, an `at`)"),
        (413, "the body is too large"),
        (422, "an event the policy cannot read (unknown type, missing column)"),
    )
}

NULLABLE_TEXT = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "Event": {
        "type": "object",
        "required": ["customer", "type"],
        "properties": {
            "customer": {"type": "string"},
            "type": {"type": "string", "examples": ["archive", "claim", "promote", "approve"]},
            "stage": {"type": "string", "description": "for `promote`: D, C, B, A or O"},
            "to": {"type": "string", "description": "for `reassign`: the new owner"},
            "actor": {"type": "string", "description": "if given, the token's actor"},
            "at": {"type": "string", "description": "import tokens only: when it happened"},
            "fields": {"type": "object", "description": "event fields conditions may read"},
        },
        "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
    },
    "Customer": {
        "type": "object",
        "properties": {
            "customer": {"type": "string"},
            "state": {"type": "string"},
            "owner": NULLABLE_TEXT,
            "pending_owner": NULLABLE_TEXT,
            "flags": {"type": "object", "additionalProperties": {"enum": [0, 1]}},
            "stage": NULLABLE_TEXT,
            "state_since": NULLABLE_TEXT,
            "lapses": {"type": "number"},
            "renewals": {"type": "number"},
            "holds_slot": {"type": "boolean"},
            "priority": {"type": ["integer", "null"]},
            "overdue_days": {"type": ["integer", "null"]},
            "due": {"type": ["object", "null"]},
            "violations": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Result": {
        "type": "object",
        "required": ["seq", "at", "applied", "reason", "customer"],
        "properties": {
            "seq": {"type": "integer"},
            "at": {"type": "string"},
            "applied": {"type": "boolean"},
            "reason": NULLABLE_TEXT,
            "customer": {"oneOf": [_ref("Customer"), {"type": "null"}]},
        },
    },
    "Rep": {
        "type": "object",
        "properties": {
            "rep": {"type": "string"},
            "slots_used": {"type": "integer"},
            "slot_limit": {"type": ["integer", "null"]},
            "expected_signings": {"type": "number"},
            "funnel": {"type": "object"},
            "violations": {"type": "array", "items": {"type": "string"}},
            "pursuit": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Entry": {
        "type": "object",
        "properties": {
            "seq": {"type": "integer"},
            "at": {"type": "string"},
            "kind": {"enum": ["event", "timer", "rule"]},
            "customer": {"type": "string"},
            "type": {"type": "string"},
            "actor": NULLABLE_TEXT,
            "applied": {"type": "boolean"},
            "reason": NULLABLE_TEXT,
            "policy_version": {"type": "string"},
        },
    },
}


def _get(summary: str, schema: dict[str, Any], *params: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": list(params),
            "responses": {"200": _json(schema, "OK"), **ERRORS},
        }
    }


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "integer"}}


def document() -> dict[str, Any]:
    """The OpenAPI document."""
    post = {
        "summary": "Post one event; `at` is the service's clock at commit",
        "requestBody": {"required": True, **_json(_ref("Event"), "the event")},
        "responses": {"200": _json(_ref("Result"), "applied or refused"), **ERRORS},
    }
    batch_body = {
        "type": "object",
        "required": ["events"],
        "properties": {"events": {"type": "array", "items": _ref("Event"), "maxItems": 1000}},
    }
    batch = {
        "summary": "Post events in order, in one transaction",
        "requestBody": {"required": True, **_json(batch_body, "the events")},
        "responses": {
            "200": _json(
                {"type": "object", "properties": {"results": {"items": _ref("Result")}}},
                "each applied or refused, in order",
            ),
            **ERRORS,
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "rulekit decision service",
            "version": _version(),
            "description": "Enforces a rulekit policy as reps act; every decision is logged.",
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1/events": {"post": post},
            "/v1/events:batch": {"post": batch},
            "/v1/customers/{id}": _get("A customer as of now", _ref("Customer"), _path_param("id")),
            "/v1/reps/{rep}": _get("A rep and its pursuit list", _ref("Rep"), _path_param("rep")),
            "/v1/snapshot": _get("The replay document as of now", {"type": "object"}),
            "/v1/log": _get(
                "Log entries after a seq",
                {"type": "object", "properties": {"entries": {"items": _ref("Entry")}}},
                _query("after"),
                _query("limit"),
            ),
            "/v1/alerts": _get("The rules' alerts as of now", {"type": "object"}),
            "/healthz": {
                "get": {
                    "summary": "Liveness (no token)",
                    "security": [],
                    "responses": {"200": _json({"type": "object"}, "OK")},
                }
            },
        },
    }
