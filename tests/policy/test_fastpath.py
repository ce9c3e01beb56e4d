"""The fast path that makes policy models without pydantic's validators (`rulekit.policy.fastpath`).

It must make exactly what `Policy.model_validate` makes (values, types, which fields were set)
or give up: over every policy of the project, over the invalid corpus, and over thousands of
seeded mutations of the valid policies (a key dropped or added, a value of another type).
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from rulekit.diagnostics import DiagnosticError
from rulekit.policy import fastpath
from rulekit.policy.loader import resolve
from rulekit.policy.models import Policy
from tests.conftest import python_output

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    ROOT / "policy",
    ROOT / "examples",
    ROOT / "src" / "rulekit" / "policies",
    ROOT / "tests",
]


def _documents() -> list[tuple[str, Any]]:
    found = []
    for folder in SOURCES:
        for path in sorted(folder.rglob("*.yaml")):
            try:
                found.append((str(path.relative_to(ROOT)), resolve(str(path)).document.data))
            except DiagnosticError:
                continue
    return found


DOCUMENTS = _documents()


def _slow(data: Any) -> Policy | None:
    try:
        return Policy.model_validate(data)
    except ValidationError:
        return None


def _same(a: Any, b: Any, where: str = "policy") -> None:
    """Equal values of equal types, and models with the same fields set, all the way down."""
    assert type(a) is type(b), where
    if isinstance(a, BaseModel):
        assert a.model_fields_set == b.model_fields_set, where
        for name in type(a).model_fields:
            _same(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def _check(data: Any) -> bool:
    """Compare the fast path with pydantic on `data`; True if the fast path made the model."""
    fast = fastpath.build(Policy, data)
    slow = _slow(data)
    if fast is None:
        return False
    assert slow is not None, "the fast path accepted what pydantic rejects"
    _same(fast, slow)
    return True


def test_every_valid_policy_of_the_project_takes_the_fast_path() -> None:
    valid = [(name, data) for name, data in DOCUMENTS if _slow(data) is not None]
    assert len(valid) > 20
    missed = [name for name, data in valid if not _check(data)]
    assert missed == []


def test_the_invalid_corpus_never_passes_the_fast_path_wrongly() -> None:
    for _, data in DOCUMENTS:
        _check(data)


_ODD_VALUES: list[Any] = [
    None, True, 0, -1, 3, 2.5, "", "x", "30d", "38%", "1.0.0", "state == new", [], ["a"],
    [1], {}, {"x": 1}, {"on": "promote"},
]  # fmt: skip


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


def _mutate(data: Any, rng: random.Random) -> Any:
    data = copy.deepcopy(data)
    path = rng.choice(_paths(data))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    move = rng.randrange(3)
    if move == 0 and isinstance(parent, dict):
        del parent[path[-1]]
    elif move == 1 and isinstance(parent, dict):
        parent[rng.choice(["extra", "else", "from", "from_", "title", "by"])] = rng.choice(
            _ODD_VALUES
        )
    else:
        parent[path[-1]] = copy.deepcopy(rng.choice(_ODD_VALUES))
    return data


@pytest.mark.parametrize("seed", range(4))
def test_mutated_policies_agree_with_pydantic(seed: int) -> None:
    rng = random.Random(seed)
    valid = [data for _, data in DOCUMENTS if _slow(data) is not None]
    taken = 0
    for _ in range(500):
        taken += _check(_mutate(rng.choice(valid), rng))
    assert taken > 50  # many mutations are still valid policies: the path is exercised


def test_validating_the_default_policy_builds_no_pydantic_validator() -> None:
    """The fast path is what `rulekit validate` uses: pydantic's validators and serializers
    of the policy models stay unbuilt."""
    code = (
        "from pydantic import BaseModel\n"
        "from rulekit.api import validate_report\n"
        "from rulekit.policy import models, pool_models\n"
        "assert not validate_report(['policy/4321-dcbao.yaml']).diagnostics\n"
        "kinds = [v for m in (models, pool_models) for v in vars(m).values()]\n"
        "built = [k.__name__ for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)\n"
        "         and k.__pydantic_complete__]\n"
        "print(built)\n"
    )
    assert python_output(code) == "[]"
