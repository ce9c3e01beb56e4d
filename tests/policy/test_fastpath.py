"""The fast path that makes policy models without pydantic's validators (`rulekit.policy.fastpath`,
on the light path of `rulekit.policy.light`).

It must make exactly what `Policy.model_validate` makes (values, types, which fields were set)
or give up: over every policy of the project, over the invalid corpus, and over thousands of
seeded mutations of the valid policies (a key dropped or added, a value of another type). The
light path's plan must be the one the models give, and `rulekit validate` must not import
pydantic for a valid policy.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from rulekit.diagnostics import DiagnosticError
from rulekit.policy import fastpath, light, light_plan
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
        _same_parts(a, b, where, _same, type(a).model_fields)
    else:
        _same_parts(a, b, where, _same)


def _same_parts(a: Any, b: Any, where: str, same: Any, names: Iterable[str] | None = None) -> None:
    """`same` over the attributes `names` of two models, or the items of two dicts or lists;
    two other values are equal."""
    if names is not None:
        for name in names:
            same(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    else:
        assert type(a) is type(b) and a == b, where


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
    """The fast path is what loading a policy uses: pydantic's validators and serializers
    of the policy models stay unbuilt."""
    code = (
        "from pydantic import BaseModel\n"
        "from rulekit.api import load\n"
        "from rulekit.policy import models, pool_models\n"
        "load('policy/4321-dcbao.yaml')\n"
        "kinds = [v for m in (models, pool_models) for v in vars(m).values()]\n"
        "built = [k.__name__ for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)\n"
        "         and k.__pydantic_complete__]\n"
        "print(built)\n"
    )
    assert python_output(code) == "[]"


@pytest.mark.parametrize("target", ["policy/4321-dcbao.yaml", "examples/acme-valves/proposal.yaml"])
def test_validate_of_a_valid_policy_imports_no_pydantic_polars_or_networkx(target: str) -> None:
    code = (
        "import sys\n"
        "from rulekit.cli.main import main\n"
        "try:\n"
        f"    main(['validate', '{target}'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "heavy = ('pydantic', 'polars', 'networkx', 'lark')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    assert python_output(code).splitlines()[-1] == "[]"


def test_validate_of_an_invalid_policy_still_reports_pydantic_errors() -> None:
    data = copy.deepcopy(dict(DOCUMENTS)["policy/4321-dcbao.yaml"])
    data["version"] = "one"
    assert light.build(data) is None
    assert _slow(data) is None


def test_the_light_plan_is_the_one_the_models_give() -> None:
    """After editing the models, `python -m rulekit.policy.light_plan` writes it again."""
    fresh = light_plan.render(light_plan.generate())
    assert light.PLAN.read_text("utf-8") == fresh, "run: python -m rulekit.policy.light_plan"


def test_a_plan_of_other_sources_is_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    data = dict(DOCUMENTS)["policy/4321-dcbao.yaml"]
    assert light.build(data) is not None
    light._plan.cache_clear()
    light._made.cache_clear()
    monkeypatch.setattr(light, "sources_hash", lambda: "0" * 64)
    try:
        assert light.build(data) is None
    finally:
        light._plan.cache_clear()
        light._made.cache_clear()


def _same_light(stand_in: Any, model: Any, where: str = "policy") -> None:
    """A light stand-in reads as its model: fields, which were set, properties."""
    if isinstance(stand_in, light.Light):
        assert type(stand_in).__name__ == type(model).__name__, where
        assert stand_in.model_fields_set == model.model_fields_set, where
        names = [n for n in dir(type(stand_in)) if isinstance(getattr(type(stand_in), n), property)]
        _same_parts(stand_in, model, where, _same_light, [*type(model).model_fields, *names])
    else:
        _same_parts(stand_in, model, where, _same_light)


def test_light_stand_ins_read_as_the_models() -> None:
    checked = 0
    for _, data in DOCUMENTS:
        slow = _slow(data)
        stand_in = light.build(data)
        if slow is not None and stand_in is not None:
            _same_light(stand_in, slow)
            checked += 1
    assert checked > 20
