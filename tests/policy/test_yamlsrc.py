"""Positioned YAML: values, YAML 1.2 scalars, duplicate keys, tags, aliases, offsets in strings."""

from __future__ import annotations

from rulekit.policy.yamlsrc import MAX_NODES, parse_yaml


def test_keys_are_never_booleans_and_values_follow_yaml_1_2() -> None:
    doc, problems = parse_yaml("on: yes\noff: [true, FALSE, ~, 3, 2.5, 1.0.0, '7']\n", "p.yaml")
    assert problems == []
    assert doc is not None
    assert doc.data == {"on": "yes", "off": [True, False, None, 3, 2.5, "1.0.0", "7"]}


def test_positions_of_keys_and_values() -> None:
    doc, _ = parse_yaml("a:\n  bb: 12\n", "p.yaml")
    assert doc is not None
    span = doc.span(("a", "bb"))
    key = doc.key_span(("a", "bb"))
    assert (span.line, span.column) == (2, 7)
    assert (key.line, key.column, key.end_column) == (2, 3, 5)


def test_offsets_inside_a_double_quoted_string_after_chinese_text() -> None:
    text = "rules:\n  r:\n    when: \"region == '浙江' and nosuchfield > 3\"\n"
    doc, _ = parse_yaml(text, "p.yaml")
    assert doc is not None
    value = doc.data["rules"]["r"]["when"]
    start = value.index("nosuchfield")
    span = doc.positions[("rules", "r", "when")].locate(value)(start, start + 11)
    # UX.md: the JSON reports column 31 (characters) for this line
    assert (span.line, span.column, span.end_column) == (3, 31, 42)


def test_offsets_inside_single_quoted_and_block_strings() -> None:
    text = "a: 'it''s x > 1'\nb: |\n  state == D and\n  foo > 3\n"
    doc, _ = parse_yaml(text, "p.yaml")
    assert doc is not None
    a = doc.data["a"]
    span = doc.positions[("a",)].locate(a)(a.index("x"), a.index("x") + 1)
    assert (span.line, span.column) == (1, 11)
    b = doc.data["b"]
    span = doc.positions[("b",)].locate(b)(b.index("foo"), b.index("foo") + 3)
    assert (span.line, span.column) == (4, 3)


def test_duplicate_key_is_reported_at_the_second_key() -> None:
    _, problems = parse_yaml("quota:\n  limit: 1\n  limit: 2\n", "p.yaml")
    assert [(d.code, d.span.line, d.span.column) for d in problems if d.span] == [("RK004", 3, 3)]
    assert "line 2" in (problems[0].hint or "")


def test_unknown_tags_and_merge_keys_are_refused() -> None:
    _, problems = parse_yaml("a: !!python/object:os.system x\n", "p.yaml")
    assert [d.code for d in problems] == ["RK006"]
    _, problems = parse_yaml("base: &b {x: 1}\nc:\n  <<: *b\n", "p.yaml")
    assert [d.code for d in problems] == ["RK006"]


def test_alias_bomb_is_refused() -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    doc, problems = parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert doc is None
    assert [d.code for d in problems] == ["RK005"]
    assert f"{MAX_NODES:,}" in problems[0].message


def test_syntax_error_has_a_position() -> None:
    doc, problems = parse_yaml("a: [1, 2\nb: 3\n", "p.yaml")
    assert doc is None
    assert problems[0].code == "RK003"
    assert problems[0].span is not None and problems[0].span.line >= 1
