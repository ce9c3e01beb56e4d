"""Checks of single values that stand in for a regex (compiling it cost every process)."""

from __future__ import annotations

import re
import sys

from rulekit.policy.values import is_policy_id

#: the pattern policy ids were checked with before `is_policy_id`
POLICY_ID = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][\w.\-\u4e00-\u9fff]*$")


def test_is_policy_id_is_the_regex_for_every_character() -> None:
    """Each code point as the first character and as a later one."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    first = set(re.findall(r"[A-Za-z0-9\u4e00-\u9fff]", every))
    rest = set(re.findall(r"[\w.\-\u4e00-\u9fff]", every))
    assert {c for c in every if is_policy_id(c)} == first
    assert {c for c in every if is_policy_id("a" + c)} == rest
    assert {c for c in first if is_policy_id(c + "a")} == first  # a valid rest after each


def test_is_policy_id_on_whole_ids() -> None:
    texts = [
        "",
        "4321-dcbao",
        "acme.valves_2",
        "浙江-客户",
        "a b",
        "a@1",
        "a\n",
        "-a",
        "_a",
        "x" * 99,
    ]
    for text in texts:
        assert is_policy_id(text) == bool(POLICY_ID.fullmatch(text)), text
    assert is_policy_id("4321-dcbao") and is_policy_id("浙江") and not is_policy_id("a\n")
