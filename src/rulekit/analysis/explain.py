"""`explain`: one customer's whole path through a replay, step by step, with the reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rulekit.engine.replay.world import Step

if TYPE_CHECKING:
    from rulekit.report.labels import Labels
from rulekit.engine.result.result import Result


@dataclass(slots=True)
class Explanation:
    """The steps of one customer and where it ends."""

    customer: str
    result: Result
    steps: list[Step]

    def final(self) -> dict[str, Any] | None:
        """The customer's row of the replay document, or None if it never became known."""
        for row in self.result.document()["customers"]:
            if row["customer"] == self.customer:
                return dict(row)
        return None

    def next_timer(self) -> tuple[str, str, Any] | None:
        """(transition, to, at) of the next timer, if any."""
        world = self.result.world
        if world is None or self.customer not in world.customers:
            return None
        customer = world.customers[self.customer]
        due = world.timers.due(customer)
        if due is None:
            return None
        move, at = due
        return move.name, move.target or customer.state, at

    def document(self) -> dict[str, Any]:
        """JSON: the steps, the final row and the next timer."""
        iso = self.result.iso
        nxt = self.next_timer()
        return {
            "customer": self.customer,
            "as_of": iso(self.result.as_of),
            "steps": [
                {
                    "at": iso(s.at),
                    "kind": s.kind,
                    "row": s.event.row if s.event else None,
                    "type": s.event.type if s.event else None,
                    "actor": s.event.actor if s.event else None,
                    "stage": s.event.stage if s.event else None,
                    "to": s.event.to if s.event else None,
                    "transition": s.move,
                    "state": s.state,
                    "refused": s.reason,
                    "detail": s.detail or None,
                    "set": {k: _plain(v, iso) for k, v in s.values.items()},
                    "slots": list(s.slots) if s.slots else None,
                }
                for s in self.steps
            ],
            "final": self.final(),
            "next": {"transition": nxt[0], "to": nxt[1], "at": iso(nxt[2])} if nxt else None,
        }

    def lines(self, labels: Labels | None = None) -> list[str]:
        """The path as text lines, one per step, in `labels`' language (English by default)."""
        from rulekit.report.labels import Labels

        iso = self.result.iso
        words = labels if labels is not None else Labels("en")
        out = []
        final = self.final()
        if final is None:
            out.append(words.t("never_archived", customer=self.customer))
        else:
            out.append(
                words.t(
                    "explain_head",
                    customer=self.customer,
                    state=final["state"],
                    since=_short(final["state_since"]),
                    owner=words.person(final["owner"]),
                    lapses=final["lapses"],
                    renewals=final["renewals"],
                )
            )
        out.append("")
        for s in self.steps:
            when = _short(iso(s.at))
            if s.kind == "timer":
                what = "timer"
            elif s.kind == "rule":
                what = s.move or "rule"
            else:
                assert s.event is not None
                arg = f" {s.event.stage}" if s.event.stage else ""
                arg += f" → {s.event.to}" if s.event.to else ""
                what = words.t(
                    "by_actor", what=f"{s.event.type}{arg}", actor=words.person(s.event.actor)
                )
            if s.reason:
                refused = words.t("refused_word")
                outcome = f"{refused:<10} {words.reason(s.reason)}" + (
                    f": {s.detail}" if s.detail else ""
                )
            else:
                label = "by" if s.kind == "rule" else words.t("transition_word")
                outcome = f"→ {s.state:<8} {label} {s.move}"
            extra = []
            if s.slots:
                extra.append(f"slots {s.slots[0]}→{s.slots[1]}")
            for k, v in s.values.items():
                extra.append(f"{k}={'null' if v is None else _plain(v, iso)}")
            out.append(f" {when}  {what:<28} {outcome}  {'  '.join(extra)}".rstrip())
        nxt = self.next_timer()
        if nxt is not None:
            out.append(" " + words.t("next_timer", move=nxt[0], to=nxt[1], at=_short(iso(nxt[2]))))
        return out


def _short(text: str | None) -> str:
    return (text or "")[:16].replace("T", " ")


def _plain(value: Any, iso: Any) -> Any:
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return iso(value)
    return value
