"""Comparing what a test expects with what the engine gave: the mismatches, values compared
as instants and numbers, and shown as a consultant would write them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rulekit.testing.cases import (
    ALERT_KEYS,
    CUSTOMER_FIELDS,
    REFUSED_KEYS,
    TestCase,
    TestFileError,
    nearest,
)

if TYPE_CHECKING:
    from rulekit.engine.result.result import Result


@dataclass(slots=True)
class Mismatch:
    """One expected value that differs from what the engine gave."""

    section: str  # customers, refused, reps, alerts, counts
    key: str | None  # the customer, rep, row...
    field: str | None
    expected: Any
    got: Any
    message: str

    def as_json(self) -> dict[str, Any]:
        """The mismatch as JSON."""
        return {
            "section": self.section,
            "key": self.key,
            "field": self.field,
            "expected": self.expected,
            "got": self.got,
            "message": self.message,
        }


def compare(case: TestCase, result: Result) -> list[Mismatch]:
    """Every difference between what `case` expects and `result`."""
    expect = case.expect
    out: list[Mismatch] = []
    doc = result.document()
    if "customers" in expect:
        out += _customers(case, result, doc, expect["customers"] or {})
    if "refused" in expect:
        out += _refused(result, doc, expect["refused"])
    if "reps" in expect:
        out += _reps(case, result, doc, expect["reps"] or {})
    if "alerts" in expect:
        out += _alerts(result, expect["alerts"])
    if "alerts_absent" in expect:
        out += _alerts_absent(result, expect["alerts_absent"])
    if "counts" in expect:
        for name, want in expect["counts"].items():
            got = doc["counts"].get(name)
            if not same(want, got, result):
                out.append(
                    Mismatch(
                        "counts",
                        None,
                        name,
                        want,
                        got,
                        f"counts: {name} expected {show(want)}, got {show(got, result)}",
                    )
                )
    return out


#: what the record remembers of its owners (not in the JSON document)
PAST: dict[str, Any] = {
    "owned_since": lambda c, result: result.iso(c.owned_since),
    "previous_owners": lambda c, result: [rep for rep, _ in c.past],
}


def _customers(
    case: TestCase, result: Result, doc: dict[str, Any], expect: dict[str, Any]
) -> list[Mismatch]:
    rows = {row["customer"]: row for row in doc["customers"]}
    extras = {c.customer: c.fields for c in result.customers}
    assert result.world is not None
    policy_fields = list(result.world.program.policy.model.fields)
    known = [*CUSTOMER_FIELDS, *policy_fields]
    out: list[Mismatch] = []
    for raw_id, fields in expect.items():
        cid = str(raw_id)
        row = rows.get(cid)
        if fields is None:
            if row is not None:
                out.append(
                    Mismatch(
                        "customers",
                        cid,
                        None,
                        None,
                        row["state"],
                        f"customer {cid}: expected unknown, got state {row['state']}",
                    )
                )
            continue
        for name in fields:
            if name not in known:
                near = nearest(str(name), known)
                raise TestFileError(
                    case.where("expect", "customers", raw_id, name),
                    f"unknown customer field `{name}`",
                    f"did you mean `{near}`?" if near else f"the fields are {', '.join(known)}",
                )
        if row is None:
            out.append(
                Mismatch(
                    "customers",
                    cid,
                    None,
                    fields,
                    None,
                    f"customer {cid}: expected {show(fields)}, but it is unknown "
                    "(never archived, or its archive was refused)",
                )
            )
            continue
        for name, want in fields.items():
            if name in row:
                got = row[name]
            elif name in PAST:
                got = PAST[name](result.world.customers[cid], result)
            else:
                value = extras.get(cid, {}).get(name)
                got = result.iso(value) if isinstance(value, datetime) else value
            out += _field("customers", f"customer {cid}", cid, name, want, got, result)
    return out


def _field(
    section: str, who: str, key: str, name: str, want: Any, got: Any, result: Result
) -> list[Mismatch]:
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for sub, w in want.items():
            g = got.get(str(sub))
            if not same(w, g, result):
                out.append(
                    Mismatch(
                        section,
                        key,
                        f"{name}.{sub}",
                        w,
                        g,
                        f"{who}: {name}.{sub} expected {show(w)}, got {show(g, result)}",
                    )
                )
        return out
    if same(want, got, result):
        return []
    return [
        Mismatch(
            section,
            key,
            name,
            want,
            got,
            f"{who}: {name} expected {show(want)}, got {show(got, result)}",
        )
    ]


def _reps(
    case: TestCase, result: Result, doc: dict[str, Any], expect: dict[str, Any]
) -> list[Mismatch]:
    rows = {row["rep"]: row for row in doc["reps"]}
    out: list[Mismatch] = []
    for raw_id, fields in expect.items():
        rep = str(raw_id)
        row = rows.get(rep)
        if row is None:
            out.append(
                Mismatch(
                    "reps",
                    rep,
                    None,
                    fields,
                    None,
                    f"rep {rep}: not known to the run (no event by or for this rep)",
                )
            )
            continue
        for name, want in fields.items():
            if name not in row:
                raise TestFileError(
                    case.where("expect", "reps", raw_id, name),
                    f"`{name}` is reported for snapshots (`records`) only",
                    "use `records:` instead of `events:`, or drop this field",
                )
            out += _field("reps", f"rep {rep}", rep, name, want, row[name], result)
    return out


def _refusal_label(item: dict[str, Any]) -> str:
    parts = []
    if "row" in item:
        parts.append(f"row {item['row']}")
    who = " ".join(str(item[k]) for k in ("customer", "type") if k in item)
    if who:
        parts.append(who)
    if "actor" in item:
        parts.append(f"by {item['actor']}")
    if "at" in item:
        parts.append(f"at {item['at']}")
    return " ".join(parts) or "a row"


def _refused(result: Result, doc: dict[str, Any], expect: list[dict[str, Any]]) -> list[Mismatch]:
    got = list(doc["rejected"])
    used: set[int] = set()
    out: list[Mismatch] = []

    def matches(item: dict[str, Any], row: dict[str, Any], keys: Iterable[str]) -> bool:
        return all(same(item[k], row.get(k), result) for k in keys if k in item)

    for item in expect:
        full = next(
            (i for i, r in enumerate(got) if i not in used and matches(item, r, REFUSED_KEYS)),
            None,
        )
        if full is not None:
            used.add(full)
            continue
        ident = [k for k in REFUSED_KEYS if k not in ("reason", "quota")]
        near = next(
            (i for i, r in enumerate(got) if i not in used and matches(item, r, ident)), None
        )
        label = _refusal_label(item)
        if near is not None and "reason" in item:
            used.add(near)
            reason = got[near]["reason"]
            out.append(
                Mismatch(
                    "refused",
                    label,
                    "reason",
                    item["reason"],
                    reason,
                    f"refused {label}: reason expected {item['reason']}, got {reason}",
                )
            )
        else:
            want = f" ({item['reason']})" if "reason" in item else ""
            out.append(
                Mismatch(
                    "refused",
                    label,
                    None,
                    item,
                    None,
                    f"refused {label}: expected refused{want}, but it was not refused",
                )
            )
    for i, row in enumerate(got):
        if i in used:
            continue
        label = f"row {row['row']} {row['customer']} {row['type']} by {row['actor']}"
        out.append(
            Mismatch(
                "refused",
                f"row {row['row']}",
                "reason",
                None,
                row["reason"],
                f"refused {label}: not expected, got {row['reason']}",
            )
        )
    return out


def _alerts(result: Result, expect: list[dict[str, Any]]) -> list[Mismatch]:
    rows = [{k: getattr(a, k) for k in ALERT_KEYS} for a in result.alerts]
    out: list[Mismatch] = []
    for item in expect:
        if any(all(same(item[k], r.get(k), result) for k in item) for r in rows):
            continue
        label = " ".join(f"{k} {item[k]}" for k in ALERT_KEYS if k in item)
        seen = [r for r in rows if "customer" in item and r["customer"] == str(item["customer"])]
        got = ", ".join(f"{r['rule']} ({r['level']})" for r in seen) or "none"
        who = f" for {item['customer']}" if "customer" in item else ""
        out.append(
            Mismatch(
                "alerts",
                str(item.get("customer")) if "customer" in item else None,
                None,
                item,
                got,
                f"alerts: expected {label}, not raised (alerts{who}: {got})",
            )
        )
    return out


def _alerts_absent(result: Result, expect: list[dict[str, Any]]) -> list[Mismatch]:
    """Each entry must match no alert raised at as-of."""
    rows = [{k: getattr(a, k) for k in ALERT_KEYS} for a in result.alerts]
    out: list[Mismatch] = []
    for item in expect:
        hits = [r for r in rows if all(same(item[k], r.get(k), result) for k in item)]
        if not hits:
            continue
        label = " ".join(f"{k} {item[k]}" for k in ALERT_KEYS if k in item)
        got = ", ".join(f"{r['rule']} ({r['level']}) for {r['customer']}" for r in hits)
        out.append(
            Mismatch(
                "alerts_absent",
                str(item.get("customer")) if "customer" in item else None,
                None,
                item,
                got,
                f"alerts_absent: expected no alert {label}, but raised: {got}",
            )
        )
    return out


def same(want: Any, got: Any, result: Result | None = None) -> bool:
    """True if an expected value equals the engine's (instants as instants, numbers as numbers)."""
    if want is None or got is None:
        return want is None and got is None
    if isinstance(got, bool) or isinstance(want, bool):
        return bool(_bool(want) == _bool(got))
    if isinstance(got, list):
        wants = want if isinstance(want, list) else [want]
        return sorted(str(w) for w in wants) == sorted(str(g) for g in got)
    if isinstance(got, dict):
        if not isinstance(want, dict):
            return False
        return all(same(w, got.get(str(k)), result) for k, w in want.items())
    if isinstance(got, int | float) and not isinstance(want, dict | list):
        try:
            return abs(float(want) - float(got)) < 1e-6
        except (TypeError, ValueError):
            return False
    if str(want) == str(got):
        return True
    if result is not None and isinstance(got, str):
        a, b = _instant(str(want), result), _instant(got, result)
        return a is not None and a == b
    return False


def _bool(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    if isinstance(value, int):
        return bool(value)
    return value


def _instant(text: str, result: Result) -> datetime | None:
    from rulekit.timeutil import parse_instant

    if len(text) < 10 or not text[:4].isdigit() or text[4] != "-":
        return None
    try:
        return parse_instant(text, result.tz)
    except ValueError:
        return None


def show(value: Any, result: Result | None = None) -> str:
    """A value as a consultant would write it in the test file."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v, result)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v, result) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if result is not None and isinstance(value, str) and _instant(value, result) is not None:
        return short_instant(value)
    return str(value)


def short_instant(text: str) -> str:
    """`2026-01-31T09:00:00+08:00` as `2026-01-31 09:00`, a midnight as `2026-01-31`."""
    day, _, rest = text.partition("T")
    clock = rest[:5]
    return day if not clock or clock == "00:00" else f"{day} {clock}"
