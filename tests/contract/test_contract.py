"""The real `rulekit replay` / `rulekit run` against the independent reference, ~100 seeds.

Skipped (with the reason) while the commands do not exist. Only inputs whose expected result
does not rest on an open point of the contract are generated here (`ambiguous=False`); the
full mix runs with `python -m tests.contract.harness --seeds 500`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract import test_reference as hand
from tests.contract.generate import Case, gen_case
from tests.contract.harness import check, command_available

SEEDS = range(100)
_available: dict[str, bool] = {}


def _has(command: str) -> bool:
    if command not in _available:
        _available[command] = command_available(command)
    return _available[command]


@pytest.mark.parametrize("seed", SEEDS)
def test_engine_matches_reference(seed: int, tmp_path: Path) -> None:
    case = gen_case(seed, ambiguous=False)
    if not _has(case.kind):
        pytest.skip(f"`rulekit {case.kind} --help` fails: the command does not exist yet")
    diffs = check(case, tmp_path)
    if diffs:
        shown = "\n".join(f"  {d}" for d in diffs[:15])
        more = f"\n  ... and {len(diffs) - 15} more" if len(diffs) > 15 else ""
        pytest.fail(f"{case.describe()}: {len(diffs)} differences\n{shown}{more}", pytrace=False)


def _hand_scenarios() -> list[tuple[str, Case]]:
    """Every hand-derived scenario of test_reference, recorded by running its tests."""
    hand.RECORDED.clear()
    for name in dir(hand):
        if name.startswith("test_") and not name.startswith("test_generator"):
            getattr(hand, name)()
    out = list(hand.RECORDED)
    hand.RECORDED.clear()
    return out


HAND = _hand_scenarios()


@pytest.mark.parametrize(
    "case", [c for _, c in HAND], ids=[f"{n}-{i}" for i, (n, _) in enumerate(HAND)]
)
def test_hand_scenario_on_engine(case: Case, tmp_path: Path) -> None:
    if not _has(case.kind):
        pytest.skip(f"`rulekit {case.kind} --help` fails: the command does not exist yet")
    diffs = check(case, tmp_path)
    if diffs:
        shown = "\n".join(f"  {d}" for d in diffs[:15])
        pytest.fail(f"{len(diffs)} differences\n{shown}\n--- input:\n{case.table}", pytrace=False)
