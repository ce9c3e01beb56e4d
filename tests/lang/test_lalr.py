"""The condition parser that runs on Lark's tables without Lark (`rulekit.lang.lalr`).

Its tables must be the ones Lark makes of grammar.lark today, it must give the tree Lark
gives wherever it does not give up, and it must not be used with tables of another grammar.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from rulekit.lang import lalr, tables
from rulekit.lang.parser import _Builder, get_parser
from tests.conftest import python_output

ROOT = Path(__file__).resolve().parents[2]
BUILDER = _Builder()


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _corpus() -> list[str]:
    """Every text of the project's policies and test files: the conditions among them, and
    others (the hostile and invalid corpora are left out: some are built to exhaust a YAML
    reader)."""
    found: set[str] = set()
    for folder in ("policy", "examples", "tests/policy-tests"):
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            try:
                found.update(_texts(yaml.safe_load(path.read_text("utf-8"))))
            except (yaml.YAMLError, UnicodeDecodeError, ValueError):
                continue
    return sorted(t for t in found if len(t) < 2000)


def _lark(text: str) -> str | None:
    try:
        return repr(get_parser().parse(text))
    except Exception:  # noqa: BLE001 - any failure: the fast parser must give up too
        return None


def _fast(text: str) -> str | None:
    try:
        return repr(lalr.parse(text, BUILDER))
    except Exception:  # noqa: BLE001
        return None


def test_the_tables_are_those_lark_makes_of_the_grammar() -> None:
    """Fails after an edit of grammar.lark: run `python -m rulekit.lang.tables`."""
    committed = json.loads(tables.TABLES.read_text("utf-8"))
    assert committed == tables.generate()
    assert tables.TABLES.read_text("utf-8") == json.dumps(committed, sort_keys=True) + "\n"


def test_every_condition_of_the_project_parses_as_lark_parses_it() -> None:
    corpus = _corpus()
    parsed = 0
    for text in corpus:
        fast, slow = _fast(text), _lark(text)
        if slow is not None and text.strip():
            assert fast == slow, text
            parsed += 1
        else:
            assert fast is None, text
    assert parsed > 100


_PIECES = [
    "state", "in", "not", "and", "or", "null", "true", "false", "x.y", "f(", ")", "(", "[", "]",
    ",", "1", "2.5", "1e3", "30d", "12mo", "90min", "38%", "2026-03-01", "2026-03-01T09:30Z",
    "'a'", '"b"', "'\\n'", "+", "-", "*", "/", "==", "!=", "<=", ">", ".", "é", "数", "#", "'",
    "_x", "2x", "  ", "\t",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_random_texts_parse_as_lark_parses_them_or_not_at_all(seed: int) -> None:
    rng = random.Random(seed)
    agreed = 0
    for _ in range(1500):
        joiner = rng.choice([" ", "", " "])
        text = joiner.join(rng.choice(_PIECES) for _ in range(rng.randint(1, 9)))
        fast, slow = _fast(text), _lark(text)
        if fast is not None:
            assert fast == slow, text
            agreed += 1
    assert agreed > 50


def test_tables_of_another_grammar_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grammar = tmp_path / "grammar.lark"
    grammar.write_text(tables.GRAMMAR.read_text("utf-8") + "\n// edited\n", encoding="utf-8")
    monkeypatch.setattr(lalr, "GRAMMAR", grammar)
    lalr.tables.cache_clear()
    try:
        assert lalr.tables() is None
        with pytest.raises(lalr.GiveUp):
            lalr.parse("a > 1", BUILDER)
    finally:
        lalr.tables.cache_clear()


def test_a_valid_condition_is_compiled_without_importing_lark() -> None:
    code = (
        "import sys\n"
        "from rulekit.lang.parser import parse\n"
        "node, problems = parse('state in [new, D] and days_since(x) > 14')\n"
        "assert node is not None and not problems\n"
        "print('lark' in sys.modules)\n"
    )
    assert python_output(code) == "False"
