"""`rulekit fmt`: canonical layout, comments kept, idempotent, conditions only re-spaced."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.authoring.fmt import format_text
from rulekit.authoring.fmt_comments import comments_of
from rulekit.authoring.fmt_layout import FmtError, normalise_condition
from rulekit.cli.main import cli
from rulekit.policy.yamlsrc import parse_yaml
from tests.conftest import DEFAULT_POLICY, EXAMPLES

HERE = Path(__file__).resolve().parent / "fmt"
SHIPPED = [DEFAULT_POLICY, *sorted(EXAMPLES.glob("*/policy.yaml"))]


def fmt(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["fmt", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name + "/" + p.name)
def test_shipped_policies_are_already_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text


def test_check_passes_on_every_shipped_policy() -> None:
    code, _, err = fmt("--check", *map(str, SHIPPED))
    assert code == 0, err


def test_messy_policy_is_formatted_to_the_golden_file() -> None:
    messy = (HERE / "messy.yaml").read_text(encoding="utf-8")
    golden = (HERE / "messy.golden.yaml").read_text(encoding="utf-8")
    assert format_text(messy) == golden
    assert sorted(comments_of(golden)) == sorted(comments_of(messy))
    assert len(comments_of(messy)) == 8
    assert format_text(golden) == golden


def test_layout_rules() -> None:
    golden = (HERE / "messy.golden.yaml").read_text(encoding="utf-8")
    lines = golden.splitlines()
    assert lines[0].startswith("# A client overlay")  # the header stays on top
    assert lines[1:5] == ["rulekit: 1", "id: messy", "version: 1.2.0", "extends: 4321-dcbao@1"]
    assert "  budget: {type: number, title: 预算}" in lines  # a short block mapping → flow
    assert '    when: "budget >= 50000 and state in [A, OD]"' in lines  # re-spaced
    assert "  holds_slot: 'state in [new, D, C, B, A, KA]'" in lines  # quotes kept
    assert "    - stage_index desc          # further first" in lines
    assert all(
        not line.startswith("   ") or line.startswith("    ") or ":" not in line[:3]
        for line in lines
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("state in [new,D]", "state in [new, D]"),
        ("  a>=1 and b<2 ", "a >= 1 and b < 2"),
        ('region == "浙江"', 'region == "浙江"'),  # unparse would change the quotes: kept
        ("a and (b and c)", "a and (b and c)"),  # unparse would drop brackets: kept
        ("(a or b) and c", "(a or b) and c"),
        ("state in [new", "state in [new"),  # a syntax error: left for validate to report
    ],
)
def test_conditions_change_only_in_spacing(text: str, expected: str) -> None:
    assert normalise_condition(text, "expr") == expected


def test_sort_keys_are_normalised_with_their_direction() -> None:
    assert normalise_condition("stage_index   desc", "order") == "stage_index desc"
    assert normalise_condition("a+b asc", "order") == "a + b asc"


def test_check_lists_files_that_would_change(tmp_path: Path) -> None:
    messy = tmp_path / "policy.yaml"
    messy.write_text((HERE / "messy.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    before = messy.read_text(encoding="utf-8")
    code, _, err = fmt("--check", str(messy), str(DEFAULT_POLICY))
    assert code == 1
    assert f"would reformat {messy}" in err and str(DEFAULT_POLICY) not in err
    assert messy.read_text(encoding="utf-8") == before


def test_diff_shows_the_change_and_writes_nothing(tmp_path: Path) -> None:
    messy = tmp_path / "policy.yaml"
    messy.write_text("rulekit: 1\nid: x\nversion: 1.0.0\nquota:\n  limit: 3\n", encoding="utf-8")
    code, out, _ = fmt("--diff", str(messy))
    assert code == 0
    assert "-quota:\n-  limit: 3\n+quota: {limit: 3}\n" in out
    assert "quota:\n  limit: 3" in messy.read_text(encoding="utf-8")


def test_fmt_rewrites_in_place_and_reads_stdin(tmp_path: Path) -> None:
    messy = tmp_path / "policy.yaml"
    messy.write_text((HERE / "messy.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = fmt(str(messy))
    assert code == 0 and "reformatted" in err
    assert messy.read_text(encoding="utf-8") == (HERE / "messy.golden.yaml").read_text("utf-8")
    code, out, _ = fmt("-", input=(HERE / "messy.yaml").read_text(encoding="utf-8"))
    assert code == 0 and out == (HERE / "messy.golden.yaml").read_text(encoding="utf-8")


def test_errors_are_messages_with_a_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rulekit: 1\nid: [x\n", encoding="utf-8")
    code, _, err = fmt("--check", str(bad))
    assert code == 2
    assert err.startswith(f"{bad}:") and "YAML syntax error" in err
    assert "Traceback" not in err


def test_anchors_are_refused() -> None:
    with pytest.raises(FmtError, match="anchors"):
        format_text("rulekit: 1\nid: &a x\nversion: *a\n")


def test_block_scalars_and_end_comments_survive() -> None:
    text = (
        "rulekit: 1\nid: x\nversion: 1.0.0\n"
        "description: >   # folded\n  Two lines\n  of text.\n"
        "states:\n    new:      # a comment on a key\n        title: New\n"
        "    L: {public: true,   # the pool\n        title: Pool}\n"
    )
    out = format_text(text)
    assert "description: >   # folded\n  Two lines\n  of text.\n" in out
    assert "  new: {title: New}  # a comment on a key\n" in out
    assert "  L:\n    public: true" in out  # a flow mapping holding a comment → block
    assert "# the pool\n    title: Pool\n" in out
    assert format_text(out) == out


# -- property: generated policies in random layouts ------------------------------------------

NAMES = st.sampled_from(["new", "D", "C", "won", "lost", "pool"])
SCALARS = st.one_of(
    NAMES,
    st.integers(0, 999),
    st.sampled_from(["30d", "38%", "true", "null", "'quoted'", '"double"', "大客户 Key"]),
)


@st.composite
def layouts(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from([2, 3, 4]))
    lines = ["# generated", "rulekit: 1", "id: gen", "version: 1.0.0"]

    def entry(key: str, value: dict[str, object], depth: int) -> None:
        pad = " " * draw(st.integers(1, 4))
        comment = draw(st.sampled_from(["", "", "  # note"]))
        if draw(st.booleans()):
            body = ", ".join(f"{k}:{' ' * draw(st.integers(1, 2))}{v}" for k, v in value.items())
            lines.append(" " * (indent * depth) + f"{key}:{pad}{{{body}}}{comment}")
        else:
            lines.append(" " * (indent * depth) + f"{key}:{comment}")
            for k, v in value.items():
                lines.append(" " * (indent * (depth + 1)) + f"{k}: {v}")
        if draw(st.booleans()):
            lines.append("")

    for section in draw(
        st.lists(
            st.sampled_from(["states", "transitions", "rules"]), min_size=1, max_size=3, unique=True
        )
    ):
        lines.append(f"{section}:")
        if draw(st.booleans()):
            lines.append(" " * indent + "# about " + section)
        for i, name in enumerate(draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))):
            if section == "transitions":
                value: dict[str, object] = {
                    "to": draw(NAMES),
                    "from": draw(st.sampled_from(["[new,D]", "start", "[ D ,  C ]"])),
                    "when": draw(st.sampled_from(['"owner!=null"', "'state in [new,D]'"])),
                }
            elif section == "rules":
                value = {"alert": "info", "when": '"days_in_stage>30"', "title": draw(SCALARS)}
            else:
                value = {"title": draw(SCALARS), "public": draw(st.sampled_from(["true", "false"]))}
            keys = draw(st.permutations(list(value)))
            entry(f"{name}{i}", {k: value[k] for k in keys}, 1)
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layouts())
def test_fmt_is_idempotent_and_keeps_data_and_comments(text: str) -> None:
    once = format_text(text)  # checks itself: same data, same comments
    assert format_text(once) == once
    before, _ = parse_yaml(text, "a")
    after, _ = parse_yaml(once, "b")
    assert before is not None and after is not None
    assert list(before.data) == list(after.data)  # sections keep their order
    assert sorted(comments_of(once)) == sorted(comments_of(text))
    assert all(len(line) <= 100 or "{" not in line for line in once.splitlines())
