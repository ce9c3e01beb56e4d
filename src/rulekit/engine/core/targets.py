"""Targets that depend on the customer: `to: {case: ..., map: ..., else: ...}` (one pool per
team) and `to: {resume: furthest_stage, else: ...}` (a re-claim that keeps its progress).

The graph checks know every state such a target may lead to (rulekit.graph.build.targets);
here the engine picks one for a customer, against the record as it is before the move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rulekit.lang import Condition


@dataclass(frozen=True, slots=True)
class Choice:
    """How a transition picks its target state for one customer."""

    resume: bool  # the state named after the furthest stage the customer reached
    case: Condition | None  # an expression giving text, looked up in `states`
    states: Mapping[str, str]  # value of `case` -> state
    stage_states: Mapping[int, str]  # 1-based stage index -> the state named after it
    otherwise: str  # `else`: when nothing above gives a state

    def pick(self, flags: list[int], env: Mapping[str, Any]) -> str:
        """The target state of a customer with these stage `flags`, seen through `env`."""
        if self.resume:
            for index in range(len(flags), 0, -1):
                if flags[index - 1] == 1 and index in self.stage_states:
                    return self.stage_states[index]
        if self.case is not None:
            value: Any = self.case(env)
            found = self.states.get(value) if isinstance(value, str) else None
            if found is not None:
                return found
        return self.otherwise
