"""Write the condition grammar's LALR tables to `grammar_tables.json`, for `rulekit.lang.lalr`.

    python -m rulekit.lang.tables          # after editing grammar.lark

Lark builds the tables from grammar.lark; this module copies out what parsing a valid
condition needs: the lexer's terminals in the order it tries them, the keywords it tells
apart from names, the parse table with its states numbered in a canonical order, and for
each rule how Lark shapes the children it hands to the callback. The file is deterministic
(tests/lang/test_lalr.py checks it equals a fresh copy), and it carries the grammar's hash:
tables that do not match grammar.lark are never used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rulekit.digest import sha256_hex

HERE = Path(__file__).resolve().parent
GRAMMAR = HERE / "grammar.lark"
TABLES = HERE / "grammar_tables.json"


def grammar_hash(text: str) -> str:
    """The hash that ties the tables to the grammar they were made from."""
    return sha256_hex(text.encode("utf-8"))


def generate() -> dict[str, Any]:
    """The tables of grammar.lark, as Lark builds them."""
    from lark import Lark
    from lark.parse_tree_builder import maybe_create_child_filter
    from lark.parsers.lalr_analysis import Shift

    text = GRAMMAR.read_text("utf-8")
    lark = Lark(
        text,
        parser="lalr",
        lexer="basic",
        propagate_positions=True,
        keep_all_tokens=True,
        maybe_placeholders=True,
    )
    lexer = lark.parser.lexer
    scanner = lexer.scanner
    if lexer.g_regex_flags or any(t.pattern.flags for t in scanner.terminals):
        raise SystemExit("the fast parser reads no regex flags")
    keywords = {
        name: {t.pattern.value: t.name for t in callback.scanner.terminals}
        for name, callback in sorted(lexer.callback.items())
    }
    table = lark.parser.parser.parser.parse_table
    (start,) = table.start_states.values()
    (end,) = table.end_states.values()
    numbers = _canonical(table.states, start)
    rules: list[Any] = []
    rule_numbers: dict[Any, int] = {}
    states: list[dict[str, list[int]]] = [{} for _ in numbers]
    for old, new in sorted(numbers.items(), key=lambda kv: kv[1]):
        for symbol, (action, arg) in sorted(table.states[old].items()):
            if action is Shift:
                states[new][symbol] = [0, numbers[arg]]
                continue
            if arg not in rule_numbers:
                rule_numbers[arg] = len(rules)
                rules.append(_rule(arg, maybe_create_child_filter))
            states[new][symbol] = [1, rule_numbers[arg]]
    return {
        "grammar": grammar_hash(text),
        "terminals": [[t.name, t.pattern.to_regexp()] for t in scanner.terminals],
        "ignore": sorted(lexer.ignore_types),
        "keywords": keywords,
        "rules": rules,
        "states": states,
        "start": numbers[start],
        "end": numbers[end],
    }


def _canonical(states: dict[int, dict[str, Any]], start: int) -> dict[int, int]:
    """Number the states in the order a walk from `start` meets them (symbols sorted)."""
    from lark.parsers.lalr_analysis import Shift

    numbers = {start: 0}
    queue = [start]
    while queue:
        state = queue.pop(0)
        for _, (action, arg) in sorted(states[state].items()):
            if action is Shift and arg not in numbers:
                numbers[arg] = len(numbers)
                queue.append(arg)
    for state in sorted(states):  # states no shift reaches (none in an LALR table)
        numbers.setdefault(state, len(numbers))
    return numbers


def _rule(rule: Any, child_filter: Any) -> list[Any]:
    """[callback name, origin, length, expand a single child, [[index, splice, nones]...],
    trailing nones]: what Lark's tree builder does with the rule's children."""
    options = rule.options
    made = child_filter(rule.expansion, options.keep_all_tokens, False, options.empty_indices)
    if made is None:
        include = [[i, False, 0] for i in range(len(rule.expansion))]
        trailing = 0
    elif made.func.__name__ == "ChildFilterLALR":
        include = [[i, bool(splice), nones] for i, splice, nones in made.args[0]]
        trailing = made.args[1]
    else:  # ChildFilterLALR_NoPlaceholders
        include = [[i, bool(splice), 0] for i, splice in made.args[0]]
        trailing = 0
    name = rule.alias or options.template_source or rule.origin.name
    expand1 = bool(options.expand1 and not rule.alias)
    return [name, rule.origin.name, len(rule.expansion), expand1, include, trailing]


def main() -> None:
    """Write grammar_tables.json next to grammar.lark."""
    TABLES.write_text(json.dumps(generate(), sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
