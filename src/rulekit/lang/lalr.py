"""A small LALR parser over the tables Lark built from grammar.lark (`grammar_tables.json`).

Importing Lark and loading its parser is most of what the first condition of a process
costs. This parser reads the same tables and lexes with the same terminals, in the same
order, and hands the callbacks the same children as Lark's tree builder does, so a
condition it parses gives the same tree. It gives up (`GiveUp`) at the first thing it would
have to report (an unknown character, an unexpected token) or that it does not know, and
`rulekit.lang.parser` then asks Lark, whose errors are the ones explained to the user.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, NamedTuple

from rulekit.lang.tables import GRAMMAR, TABLES, grammar_hash


class GiveUp(Exception):
    """The text is not one this parser vouches for: Lark must parse it."""


class Token(str):
    """A token as the callbacks read it: its text, `type`, `start_pos` and `end_pos`."""

    type: str
    start_pos: int
    end_pos: int


class Rule(NamedTuple):
    """How a reduction builds its value (see `rulekit.lang.tables._rule`)."""

    name: str
    origin: str
    size: int
    expand1: bool
    include: tuple[tuple[int, bool, int], ...]
    trailing: int


class Tables(NamedTuple):
    """The grammar's lexer and parse tables, as read from the JSON file."""

    scanner: re.Pattern[str]
    ignore: frozenset[str]
    keywords: dict[str, dict[str, str]]
    rules: tuple[Rule, ...]
    states: tuple[dict[str, tuple[int, int]], ...]
    start: int
    end: int


@lru_cache(maxsize=1)
def tables() -> Tables | None:
    """The tables, or None when they are missing or were made from another grammar."""
    try:
        data = json.loads(TABLES.read_text("utf-8"))
        if data["grammar"] != grammar_hash(GRAMMAR.read_text("utf-8")):
            return None
    except (OSError, ValueError, KeyError):
        return None
    pattern = "|".join(f"(?P<{name}>{regex})" for name, regex in data["terminals"])
    return Tables(
        re.compile(pattern),
        frozenset(data["ignore"]),
        data["keywords"],
        tuple(
            Rule(name, origin, size, expand1, tuple((i, s, n) for i, s, n in include), trailing)
            for name, origin, size, expand1, include, trailing in data["rules"]
        ),
        tuple({k: (a, b) for k, (a, b) in state.items()} for state in data["states"]),
        data["start"],
        data["end"],
    )


class _Splice(list[Any]):
    """The value of a rule Lark inlines into its parent (`__or_test_star_0`...)."""


def _tokens(text: str, t: Tables) -> list[Token]:
    out: list[Token] = []
    pos, size = 0, len(text)
    while pos < size:
        m = t.scanner.match(text, pos)
        if m is None or m.lastgroup is None or m.end() == pos:
            raise GiveUp
        kind = m.lastgroup
        if kind not in t.ignore:
            value = m.group(0)
            tok = Token(value)
            tok.type = t.keywords.get(kind, {}).get(value, kind)
            tok.start_pos, tok.end_pos = pos, m.end()
            out.append(tok)
        pos = m.end()
    return out


def _end_token(tokens: list[Token]) -> Token:
    end = Token("")
    end.type = "$END"
    end.start_pos = tokens[-1].start_pos if tokens else 0
    end.end_pos = tokens[-1].end_pos if tokens else 0
    return end


def _reduce(rule: Rule, children: list[Any], builder: Any) -> Any:
    filtered: list[Any] = []
    for i, splice, nones in rule.include:
        filtered += [None] * nones
        if splice:
            if not isinstance(children[i], _Splice):
                raise GiveUp
            filtered += children[i]
        else:
            filtered.append(children[i])
    filtered += [None] * rule.trailing
    if rule.expand1 and len(filtered) == 1:
        return filtered[0]
    callback = getattr(builder, rule.name, None)
    if callback is not None:
        return callback(filtered)
    if rule.name.startswith("_"):
        return _Splice(filtered)
    raise GiveUp  # Lark would make a Tree: not a shape this parser makes


def parse(text: str, builder: Any) -> Any:
    """The value the builder's callbacks make of `text`; GiveUp if Lark must parse it."""
    t = tables()
    if t is None:
        raise GiveUp
    tokens = _tokens(text, t)
    tokens.append(_end_token(tokens))
    states, values = [t.start], []
    for tok in tokens:
        while True:
            action = t.states[states[-1]].get(tok.type)
            if action is None:
                raise GiveUp
            kind, arg = action
            if kind == 0:  # shift
                if tok.type == "$END":
                    raise GiveUp
                states.append(arg)
                values.append(tok)
                break
            rule = t.rules[arg]
            children = values[len(values) - rule.size :] if rule.size else []
            if rule.size:
                del states[-rule.size :]
                del values[-rule.size :]
            value = _reduce(rule, children, builder)
            goto = t.states[states[-1]].get(rule.origin)
            if goto is None or goto[0] != 0:
                raise GiveUp
            states.append(goto[1])
            values.append(value)
            if tok.type == "$END" and states[-1] == t.end:
                return values[-1]
    raise GiveUp
