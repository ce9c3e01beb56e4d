"""A condition that selects customers, decided once per state when it reads nothing else.

`holds_slot`, `priority.among`, `overdue.among` and `forecast.among` are usually
`state in [...]`: evaluated millions of times, they are worth a table per state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from rulekit.lang.runtime import truth

if TYPE_CHECKING:
    from rulekit.lang import Condition


class _Stateful(Protocol):
    @property
    def state(self) -> str: ...


class StateEnv(Protocol):
    """What a selector reads: an env (a mapping for the condition) with its customer's state;
    `record.Env` is one."""

    @property
    def customer(self) -> _Stateful: ...


class Selector:
    """`truth(condition(env))`, memoised by state when the condition reads only `state`.

    `by_state` is that memo (state -> answer, filled as states are seen), or None when the
    condition reads more than the state: a hot loop may look a state up in it before building
    an Env, and call the selector on a miss.
    """

    __slots__ = ("condition", "_fn", "by_state")

    def __init__(self, condition: Condition) -> None:
        self.condition = condition
        self._fn: Callable[[Any], Any] = condition.fn
        self.by_state: dict[str, bool] | None = {} if condition.names <= {"state"} else None

    def __call__(self, env: StateEnv) -> bool:
        memo = self.by_state
        if memo is None:
            return truth(self._fn(env))
        state = env.customer.state
        held = memo.get(state)
        if held is None:
            held = memo[state] = truth(self._fn(env))
        return held
