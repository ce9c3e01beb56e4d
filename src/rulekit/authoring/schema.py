"""The JSON Schema of policy files, generated from the DSL's pydantic models.

Editors use it to complete keys and flag typos as you type (docs/editor.md): VS Code's YAML
extension and JetBrains IDEs read the `# yaml-language-server: $schema=...` header line. The
models give the structure; the shorthands their validators accept (`region: string`,
`from: A`, `do: release`, `30d`, `38%`) are added as alternatives; titles and descriptions
come from the reference (docs/policy-language.md, mirrored in DESCRIPTIONS and checked
against it by the tests). A file with `extends` is an overlay: every key is optional there
and `null` deletes an entry. The shipped copy is schema/policy.schema.json.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

#: The file `rulekit init` writes next to a client's policy.yaml (`render()`), and the first
#: line of that policy.yaml which points editors at it (docs/editor.md).
SCHEMA_FILE = "policy.schema.json"
HEADER = f"# yaml-language-server: $schema={SCHEMA_FILE}"

#: model name -> the reference section whose table describes its keys.
SECTIONS = {
    "Policy": "Top-level keys",
    "FieldSpec": "fields",
    "EventSpec": "events",
    "StageSpec": "stages",
    "Target": "stages",
    "StateSpec": "states",
    "TransitionSpec": "transitions",
    "QuotaSpec": "quota",
    "RankSpec": "priority",
    "RuleSpec": "rules",
    "CounterSpec": "counters",
    "NamedQuotaSpec": "quotas",
    "MetricSpec": "metrics",
    "TargetChoice": "Targets that depend on the customer",
}

#: (model, key) -> description, from the reference's tables (markdown removed).
DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("Policy", "rulekit"): "the DSL version, `1`. Another value is refused (RK008).",
    ("Policy", "id"): "the policy's id: letters, digits, `-`, `_`, `.` (Chinese allowed).",
    ("Policy", "version"): "semver `MAJOR.MINOR.PATCH` of this policy. Overlays extend `ID@MAJOR`.",
    (
        "Policy",
        "extends",
    ): "the base policy: `ID@MAJOR`, `ID@X.Y.Z` or a relative `file.yaml`. See overlays.",
    ("Policy", "title"): "a human title.",
    ("Policy", "description"): "free text.",
    ("Policy", "timezone"): "IANA name (default `UTC`). Dates without an offset are in this zone.",
    ("Policy", "fields"): "typed fields records and events carry.",
    ("Policy", "events"): "the event types of a history.",
    ("Policy", "stages"): "the objective stage path, in order.",
    ("Policy", "cycle"): "the duration capability targets are counted over (`100d`).",
    ("Policy", "states"): "every state a customer can be in.",
    ("Policy", "transitions"): "the edges of the state graph.",
    ("Policy", "quota"): "the sales-right quota.",
    ("Policy", "priority"): "the pursuit order of each rep's customers.",
    ("Policy", "overdue"): "the number of days a customer is overdue.",
    ("Policy", "forecast"): "the expected-signings value of a customer.",
    ("Policy", "rules"): "alerts and actions.",
    ("TargetChoice", "resume"): (
        "`furthest_stage`: the state named after the furthest stage whose flag is 1 (stage C "
        "→ state C; a stage without a state of its name, such as O, is passed over for the one "
        "before it). Combine with `clear_stages: false`, so the flags stay with the customer."
    ),
    ("TargetChoice", "case"): (
        "an expression giving text, computed against the customer as it is before the move "
        "(`team(owner)` before a release clears the owner)"
    ),
    ("TargetChoice", "map"): "the state for each value of `case`",
    ("TargetChoice", "else"): "the state when neither `resume` nor `map` gives one (required)",
    ("Policy", "params"): "named constants conditions and messages share (`params.NAME`).",
    ("FieldSpec", "type"): (
        "`string`, `number`, `bool`, `date`, `datetime`, `duration` or `list` (a list of text)"
    ),
    (
        "FieldSpec",
        "column",
    ): "the column name in the client's tables, if it differs from the field's name",
    ("FieldSpec", "format"): (
        "for a `date` or `datetime` field or core column (`at`, `state_since`, `D_at`...): how "
        "its texts spell a date, in Python's `strptime` directives (`%d/%m/%Y %H:%M`). Needed "
        "only where a date puts the day or the month first (`1/5/2026`); ISO dates, "
        "`2026/1/5 9:00`, `2026-1-5 9:00:00`, `2026年1月5日` and Excel serial numbers are read "
        "without it. A field with a `format` and no `type` is a `datetime`."
    ),
    ("FieldSpec", "title"): "a label for reports",
    ("FieldSpec", "default"): "the value of a record that has none",
    ("EventSpec", "title"): "a label",
    ("EventSpec", "promotes"): (
        "`true`: the event's `stage` column names a stage; applying it sets that stage's "
        "flag to 1 with the event's date. Triggers are then written `on: promote D`."
    ),
    ("EventSpec", "decides"): (
        "`grant` or `deny`: the event decides a pending approval (see `approval` under transitions)"
    ),
    ("EventSpec", "by"): (
        "for a `decides` event: who may send it (`admin`); other events take their roles "
        "from the transitions they trigger"
    ),
    ("EventSpec", "needs"): "columns a row of this type must have",
    ("StageSpec", "name"): "labels (Chinese and English)",
    ("StageSpec", "title"): "labels (Chinese and English)",
    ("StageSpec", "capability"): "labels (Chinese and English)",
    ("StageSpec", "capability_title"): "labels (Chinese and English)",
    ("StageSpec", "requires"): (
        "the stage lock: a condition that must hold for a promotion into this stage; "
        "otherwise the event is refused with `stage_lock`"
    ),
    ("Target", "count"): "promotions to this stage a capable rep makes per cycle",
    ("Target", "reach"): "share of D customers that reach this stage: `38%` or `0.38`",
    ("Target", "days"): "expected days from the previous promotion to this one",
    ("Target", "cost"): "a cost figure carried to reports",
    ("StateSpec", "name"): "labels",
    ("StateSpec", "title"): "labels",
    ("StateSpec", "public"): (
        "`true` for a pool any rep may claim from (claims are refused with `not_public` elsewhere)"
    ),
    (
        "StateSpec",
        "terminal",
    ): "`true` for a state meant to have no way out (otherwise that is RK303)",
    (
        "TransitionSpec",
        "from",
    ): "a state, a list of states, `start` (an unknown customer) or `any` (every state)",
    (
        "TransitionSpec",
        "on",
    ): "the event type, with the stage for a promoting event: `renew`, `promote D`",
    (
        "TransitionSpec",
        "after",
    ): "a duration: the transition fires that long after the customer entered the state",
    ("TransitionSpec", "to"): (
        "the state it leads to, or `same` (stays; `state_since` is kept), or a target that "
        "depends on the customer"
    ),
    ("TransitionSpec", "by"): (
        "who may do it: `rep`, `admin`, `owner`, `anyone`, or a list (`[owner, admin]`). "
        "Default `anyone`."
    ),
    ("TransitionSpec", "approval"): (
        "`admin`: the event only makes the move pending; an admin's `decides: grant` "
        "event completes it, `decides: deny` drops it. `null` (the default): the move is "
        "immediate. A promoting move (`sign: {on: promote O, approval: admin}`) sets its "
        "stage's flag when granted, dated at the grant; while it waits, the owner's own "
        "pending move holds one slot, not two."
    ),
    ("TransitionSpec", "when"): "a condition that must also hold",
    ("TransitionSpec", "set"): (
        "fields to set when the transition is taken: `field: expression`. `owner` and "
        "`pending_owner` may be set too. `null` clears a value."
    ),
    ("TransitionSpec", "clear_stages"): "`true`: every stage flag and date goes back to 0",
    ("TransitionSpec", "title"): "a label",
    ("QuotaSpec", "limit"): "slots per rep",
    ("QuotaSpec", "holds_slot"): (
        "a condition: a customer for which it holds takes a slot of its owner. A pending "
        "approval takes a slot of the pending owner when the state it would lead to holds"
        " one."
    ),
    ("QuotaSpec", "by_team"): "a different limit for the reps of a team (from the people file)",
    ("RankSpec", "among"): "a condition: the customers that get a rank",
    ("RankSpec", "order"): "a list of sort keys, each an expression followed by `asc` or `desc`",
    ("RuleSpec", "when"): "the condition",
    ("RuleSpec", "alert"): "`info`, `warning` or `critical`",
    ("RuleSpec", "message"): "a message template",
    ("RuleSpec", "do"): (
        "an event type to apply (`do: release`), or a routing: `assign` (a rep or "
        "`team:NAME`) and `overflow` (`when`: a condition, `to`: where the lead goes when"
        " it holds)"
    ),
    ("RuleSpec", "title"): "a label",
    ("Policy", "quotas"): "named quotas: ownership and lock caps, per-team and per-rep limits.",
    ("Policy", "counters"): "counts of applied events per rep, owner or customer over a window.",
    ("Policy", "metrics"): "numbers over a population of customers, per rep, team or company.",
    (
        "RuleSpec",
        "schedule",
    ): (
        "when a swept rule runs: `daily at 02:00`, `every 48h`, `weekly on monday at "
        "09:00` (default: daily at 00:00)"
    ),
    (
        "RuleSpec",
        "streak",
    ): (
        "instead of `when`: `{metric, below or above, days}`, an alert when a metric "
        "stays past a threshold for that many checks in a row"
    ),
    (
        "CounterSpec",
        "count",
    ): "an event type or a list of them; `routed` counts the leads a routing rule gave to a rep",
    (
        "CounterSpec",
        "by",
    ): (
        "`actor` (default), `owner` (the customer's owner after the event, or its pending "
        "owner), `customer`, `type` (the event type: `NAME('claim')`), or `all` (one count "
        "for the company, read as `NAME()`)"
    ),
    (
        "CounterSpec",
        "within",
    ): (
        "`day` (default: the calendar day in the policy's timezone), `week` (Monday to "
        "Sunday), or a rolling duration (`24h`, `7d`)"
    ),
    ("CounterSpec", "title"): "a label",
    (
        "NamedQuotaSpec",
        "holds_slot",
    ): "a condition: a customer for which it holds takes a slot of its owner in this quota",
    ("NamedQuotaSpec", "limit"): "the limit of every rep",
    ("NamedQuotaSpec", "by_team"): "the limit of the reps of a team (people file)",
    ("NamedQuotaSpec", "by_rep"): "the limit of one rep",
    (
        "NamedQuotaSpec",
        "pending",
    ): (
        "`true` (default): a pending claim takes a slot of its pending owner, as in "
        "`quota`; `false`: it does not"
    ),
    ("NamedQuotaSpec", "title"): "a label",
    (
        "MetricSpec",
        "share",
    ): "a condition: the metric is the fraction of `among` for which it holds (0..1)",
    ("MetricSpec", "count"): "a condition: the metric is the number of `among` for which it holds",
    (
        "MetricSpec",
        "average",
    ): "a number expression: the metric is its mean over `among` (nulls left out)",
    ("MetricSpec", "among"): "a condition: the population (every customer if omitted)",
    (
        "MetricSpec",
        "per",
    ): (
        "`rep` (grouped by owner), `team` (by the owner's team in the people file) or "
        "`company` (default)"
    ),
    ("MetricSpec", "title"): "a label",
}

_EXTRA = {
    ("StageSpec", "target"): "the stage's capability targets: count, reach, days, cost",
    ("MeasureSpec", "among"): "a condition: the customers that get this number",
    ("MeasureSpec", "value"): "an expression: the number (RK203 if it is not a number)",
    ("ActionSpec", "action"): "an event type to apply to the customer (`do: release`)",
    ("ActionSpec", "assign"): "routing: a rep id or `team:NAME` to give the customer to",
    ("ActionSpec", "overflow"): "routing: where the lead goes when `when` holds for a rep",
    ("OverflowSpec", "when"): "a condition on `rep`, the rep being considered",
    ("OverflowSpec", "to"): "where the lead goes instead: a rep id or `team:NAME`",
    ("ActionSpec", "routes"): "an ordered list of routes: the first that applies and finds a rep",
    ("RouteSpec", "assign"): "a rep id or `team:NAME` to give the lead to",
    ("RouteSpec", "when"): "a condition on the customer: the route applies when it holds",
    ("RouteSpec", "strategy"): "`least_loaded` (default) or `round_robin`",
    ("RouteSpec", "weight"): "a number column of the people file weighting each rep",
    ("RouteSpec", "skip"): "a condition on `rep`: reps for whom it holds are passed over",
    ("StreakSpec", "metric"): "the metric a streak watches",
    ("StreakSpec", "below"): "the threshold the metric stays under (65% or 0.65)",
    ("StreakSpec", "above"): "the threshold the metric stays over",
    ("StreakSpec", "days"): "how many checks in a row raise the alert",
}


def _plain(markdown: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", markdown)
    return text.replace("**", "").strip()


def reference_tables(markdown: str) -> dict[tuple[str, str], str]:
    """(model, key) -> description, read from the reference's key tables."""
    sections: dict[str, list[tuple[str, str]]] = {}
    heading = ""
    for line in markdown.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
        elif line.startswith("| `") and heading:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            sections.setdefault(heading, []).append((cells[0], _plain(cells[-1])))
    out: dict[tuple[str, str], str] = {}
    for model, heading in SECTIONS.items():
        for keys, text in sections.get(heading, []):
            for key in re.findall(r"`([^`]+)`", keys):
                if model == "Target" and key.startswith("target."):
                    out[("Target", key[7:])] = text
                elif model != "Target" and "." not in key:
                    out[(model, key)] = text
    return out


def _models() -> dict[str, Any]:
    from rulekit.policy import models

    names = [*SECTIONS, "MeasureSpec", "ActionSpec", "OverflowSpec", "RouteSpec", "StreakSpec"]
    return {name: getattr(models, name) for name in names}


def _names(item: dict[str, Any], suggest: list[str] | None = None) -> dict[str, Any]:
    one: dict[str, Any] = dict(item)
    if suggest:
        one = {"anyOf": [{"enum": suggest}, one]}
    return {"anyOf": [one, {"type": "array", "items": one, "minItems": 1}]}


def generate(states: list[str] | None = None, stages: list[str] | None = None) -> dict[str, Any]:
    """The schema of policy files; `states`/`stages` (a policy's names) become suggestions."""
    from rulekit.policy.models import FIELD_TYPES, ROLES, Policy
    from rulekit.timeutil import DURATION_RE

    schema = Policy.model_json_schema(by_alias=True)
    defs: dict[str, Any] = schema.pop("$defs")
    defs["Policy"] = schema
    scalar = {"type": ["string", "number", "boolean", "null"]}
    defs["Duration"] = {
        "type": "string",
        "pattern": DURATION_RE.pattern.replace(r"\s*", " *"),
        "description": "a duration: 30d, 2w, 12h, 90min, 10s, 12mo or 1y",
        "examples": ["30d", "90d", "2w", "12mo"],
    }
    defs["Percent"] = {
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": 1},
            {"type": "string", "pattern": r"^ *[0-9]+(\.[0-9]+)? *% *$"},
        ],
        "description": "a percentage: 38% or 0.38",
    }
    roles = {"type": "string", "enum": list(ROLES)}
    state = {"type": "string", "minLength": 1}
    from_names = ["start", "any", *(states or [])]
    to_names = ["same", *(states or [])]

    props = defs["TransitionSpec"]["properties"]
    props["from"] = _names(state, from_names)
    props["to"] = {"anyOf": [{"enum": to_names}, state, {"$ref": "#/$defs/TargetChoice"}]}
    props["by"] = _names(roles)
    props["after"] = {"anyOf": [{"$ref": "#/$defs/Duration"}, {"type": "null"}]}
    props["set"] = {"type": "object", "additionalProperties": scalar}
    props["on"] = {
        "anyOf": [
            {"enum": [f"promote {s}" for s in stages or []]} if stages else state,
            state,
        ]
    }
    ev = defs["EventSpec"]["properties"]
    ev["by"] = {"anyOf": [_names(roles), {"type": "null"}]}
    ev["needs"] = _names({"type": "string"})
    defs["FieldSpec"]["properties"]["default"] = scalar
    defs["FieldSpec"].pop("required", None)  # `at: {format: ...}` is a datetime
    defs["FieldSpec"]["anyOf"] = [{"required": ["type"]}, {"required": ["format"]}]
    defs["Target"]["properties"]["reach"] = {
        "anyOf": [{"$ref": "#/$defs/Percent"}, {"type": "null"}]
    }
    root = defs["Policy"]["properties"]
    root["rulekit"] = {"const": 1}
    root["cycle"] = {"anyOf": [{"$ref": "#/$defs/Duration"}, {"type": "null"}]}
    root["fields"]["additionalProperties"] = {
        "anyOf": [{"$ref": "#/$defs/FieldSpec"}, {"enum": list(FIELD_TYPES)}]
    }
    defs["RuleSpec"]["properties"]["do"] = {
        "anyOf": [
            {"$ref": "#/$defs/ActionSpec"},
            {"type": "string", "minLength": 1},
            {"type": "null"},
        ]
    }
    defs["Schedule"] = {
        "type": "string",
        "pattern": r"^ *(daily|weekly on [A-Za-z]+|every [0-9.]+ *(min|h|d|w|s)) *"
        r"( at [0-9]{1,2}:[0-9]{2})? *$",
        "description": "when a rule runs: daily at 02:00, every 48h, weekly on monday at 09:00",
        "examples": ["daily at 02:00", "every 48h", "weekly on monday at 09:00"],
    }
    for key in ("below", "above"):
        defs["StreakSpec"]["properties"][key] = {
            "anyOf": [{"type": "number"}, {"$ref": "#/$defs/Percent"}, {"type": "null"}]
        }
    defs["CounterSpec"]["properties"]["count"] = _names({"type": "string", "minLength": 1})
    if stages:
        root["stages"]["propertyNames"] = {"anyOf": [{"enum": stages}, {"type": "string"}]}
    if states:
        root["states"]["propertyNames"] = {"anyOf": [{"enum": states}, {"type": "string"}]}

    for model, _ in _models().items():
        for key, prop in defs[model].get("properties", {}).items():
            prop.pop("title", None)
            prop["title"] = key
            text = DESCRIPTIONS.get((model, key)) or _EXTRA.get((model, key))
            if text:
                prop["description"] = text
                prop["markdownDescription"] = text
    defs["Policy"].pop("title", None)

    overlay = {name + "Overlay": _overlay(body) for name, body in defs.items()}
    overlay["PolicyOverlay"]["properties"]["extends"] = {
        "title": "extends",
        "type": "string",
        "minLength": 1,
        "description": DESCRIPTIONS.get(("Policy", "extends"), "the base policy"),
        "examples": ["4321-dcbao@1"],
    }
    overlay["PolicyOverlay"]["required"] = ["rulekit", "id", "version", "extends"]
    for name in ("rulekit", "id", "version"):
        overlay["PolicyOverlay"]["properties"][name] = copy.deepcopy(root[name])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "rulekit policy",
        "description": "A rulekit policy file (docs/policy-language.md). With `extends` it "
        "is an overlay: every key is optional and null deletes an entry.",
        "type": "object",
        "if": {"required": ["extends"]},
        "then": {"$ref": "#/$defs/PolicyOverlay"},
        "else": {"$ref": "#/$defs/Policy"},
        "$defs": dict(sorted({**defs, **overlay}.items())),
    }


def _overlay(body: Any) -> Any:
    """The overlay form of a definition: nothing required, null allowed everywhere."""
    if isinstance(body, dict):
        out = {k: _overlay(v) for k, v in body.items() if k not in ("required", "default")}
        if isinstance(out.get("$ref"), str):
            out["$ref"] += "Overlay"
        if "properties" in body:
            out["properties"] = {
                k: {"anyOf": [_overlay(v), {"type": "null"}]} for k, v in body["properties"].items()
            }
        if isinstance(body.get("additionalProperties"), dict):
            out["additionalProperties"] = {
                "anyOf": [_overlay(body["additionalProperties"]), {"type": "null"}]
            }
        return out
    if isinstance(body, list):
        return [_overlay(v) for v in body]
    return body


def render(schema: dict[str, Any] | None = None) -> str:
    """The schema as the JSON text that is shipped in schema/policy.schema.json."""
    return json.dumps(schema or generate(), ensure_ascii=False, indent=2) + "\n"
