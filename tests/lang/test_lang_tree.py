"""The syntax tree's nodes behave as the frozen dataclasses they were: equal and hashed by
their fields but not their offsets, shown the same way, immutable, copied and pickled."""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass, field

import pytest

from rulekit.lang import ast
from rulekit.lang.parser import parse


@dataclass(frozen=True, slots=True)
class Binary:
    """What `ast.Binary` was."""

    op: str
    left: object
    right: object
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


def test_equal_and_hashed_by_fields_not_offsets() -> None:
    a = ast.Binary("+", ast.Name("x", 0, 1), ast.Literal(1, "number", 4, 5), 0, 5)
    b = ast.Binary("+", ast.Name("x"), ast.Literal(1, "number"))
    assert a == b and hash(a) == hash(b)
    assert a != ast.Binary("-", ast.Name("x"), ast.Literal(1, "number"))
    assert a != ast.Compare("+", ast.Name("x"), ast.Literal(1, "number"))
    assert ast.Name("x") != "x" and ast.Name("x") != Binary("+", 1, 2)
    assert len({a, b, ast.Name("x")}) == 2


def test_shown_as_the_dataclass_was() -> None:
    node = ast.Binary("+", ast.Name("x", 0, 1), ast.Literal(1.5, "number", 4, 7), 0, 7)
    was = Binary("+", ast.Name("x", 0, 1), ast.Literal(1.5, "number", 4, 7), 0, 7)
    assert repr(node) == repr(was)
    assert repr(ast.Name("x", 0, 1)) == "Name(name='x', start=0, end=1)"


def test_immutable() -> None:
    node = ast.Name("x")
    with pytest.raises(AttributeError):
        node.name = "y"
    with pytest.raises(AttributeError):
        node.start = 3
    with pytest.raises(AttributeError):
        del node.end
    with pytest.raises(AttributeError):
        node.other = 1


def test_copied_pickled_and_moved() -> None:
    tree, problems = parse("stage_index >= 2 and not (owner in ['a', 'b']) or -x * 3 > f(30d)")
    assert tree is not None and problems == []
    for other in (copy.copy(tree), copy.deepcopy(tree), pickle.loads(pickle.dumps(tree))):
        assert other == tree and repr(other) == repr(tree)
    moved = tree.spanning(3, 9)
    assert moved == tree and (moved.start, moved.end) == (3, 9)
    assert (tree.start, tree.end) != (3, 9)


def test_fields_in_order() -> None:
    assert ast.Binary.fields == ("op", "left", "right", "start", "end")
    assert ast.Literal.fields == ("value", "kind", "start", "end")
    assert ast.Not.fields == ("operand", "start", "end")
