"""The invalid-policy corpus: every file in tests/invalid/ says which diagnostics it must produce.

Each corpus file starts with comment lines:

    # expect: CODE [FILE:]LINE:COLUMN [fragment]
    # xfail: why          (optional: a known bug in rulekit; a strict xfail until it is fixed)

One `expect` line per diagnostic. FILE (a base name) is given when the diagnostic sits in
another file than the corpus file itself (an overlay's base, the other half of an `extends`
cycle); the fragment must appear in the message or its hint. A file may produce no diagnostic
whose code it does not expect, so warning files (RK302, RK401, RK402) are otherwise valid.
RK001 and RK002 are also produced from files written at run time (see GENERATED_CODES).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.api import validate, validate_report
from rulekit.cli.main import cli
from rulekit.diagnostics import CODES, Diagnostic

CORPUS = Path(__file__).parent / "invalid"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".yml"))

EXPECT = re.compile(
    r"^# expect: (?P<code>RK\d{3}) (?:(?P<file>[^\s:]+):)?(?P<line>\d+):(?P<column>\d+)"
    r"(?: (?P<fragment>.+))?$"
)
XFAIL = re.compile(r"^# xfail: (?P<reason>.+)$")

#: codes that the tests below produce from files written at run time.
GENERATED_CODES = {"RK001", "RK002"}


@dataclass(frozen=True)
class Expected:
    """One diagnostic a corpus file must produce."""

    code: str
    file: str
    line: int
    column: int
    fragment: str | None

    def __str__(self) -> str:
        text = f"{self.code} {self.file}:{self.line}:{self.column}"
        return f"{text} {self.fragment!r}" if self.fragment else text


@dataclass(frozen=True)
class Header:
    """What a corpus file's header comments say."""

    expected: tuple[Expected, ...]
    xfail: str | None


def read_header(path: Path) -> Header:
    """Parse the leading comment lines of a corpus file (bytes may be in any encoding)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    expected: list[Expected] = []
    xfail = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if m := EXPECT.match(line.rstrip()):
            expected.append(
                Expected(
                    m["code"],
                    m["file"] or path.name,
                    int(m["line"]),
                    int(m["column"]),
                    m["fragment"],
                )
            )
        elif m := XFAIL.match(line.rstrip()):
            xfail = m["reason"]
        elif line.startswith("# expect"):
            raise ValueError(f"{path.name}: malformed expect line: {line!r}")
    return Header(tuple(expected), xfail)


def describe(diags: list[Diagnostic]) -> str:
    lines = []
    for d in diags:
        where = f"{Path(d.span.file).name}:{d.span.line}:{d.span.column}" if d.span else "-"
        lines.append(f"  {d.code} {where} {d.message} (hint: {d.hint})")
    return "\n".join(lines) or "  (no diagnostics)"


def text_of(d: Diagnostic) -> str:
    return f"{d.message}; {d.hint}" if d.hint else d.message


def matches(d: Diagnostic, e: Expected) -> bool:
    if d.code != e.code or d.span is None:
        return False
    if (Path(d.span.file).name, d.span.line, d.span.column) != (e.file, e.line, e.column):
        return False
    return e.fragment is None or e.fragment in text_of(d)


def corpus_params() -> list[object]:
    params = []
    for path in FILES:
        header = read_header(path)
        marks = [pytest.mark.xfail(reason=header.xfail, strict=True)] if header.xfail else []
        params.append(pytest.param(path, id=path.name, marks=marks))
    return params


@pytest.fixture(autouse=True)
def _no_policy_path_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # overlays must find `4321-dcbao@1` among the installed policies, not a developer's copy
    monkeypatch.delenv("RULEKIT_POLICY_PATH", raising=False)


def test_corpus_is_not_empty() -> None:
    assert len(FILES) >= len(CODES) - len(GENERATED_CODES)


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_file(path: Path) -> None:
    header = read_header(path)
    assert header.expected, f"{path.name} has no `# expect:` line"
    diags = validate([path])  # must return diagnostics, never raise
    assert all(isinstance(d, Diagnostic) for d in diags)
    for e in header.expected:
        assert any(matches(d, e) for d in diags), (
            f"{path.name}: expected {e}\ngot:\n{describe(diags)}"
        )
    expected_codes = {e.code for e in header.expected}
    surprises = [d for d in diags if d.code not in expected_codes]
    assert not surprises, f"{path.name}: unexpected diagnostics:\n{describe(surprises)}"
    for d in diags:
        assert d.span is not None, f"{path.name}: {d.code} has no location"
        assert d.span.line >= 1 and d.span.column >= 1


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_is_named_after_its_code(path: Path) -> None:
    header = read_header(path)
    prefix = path.name.split("-", 1)[0].upper()
    assert prefix in {e.code for e in header.expected}, f"{path.name}: name it after its code"
    for e in header.expected:
        assert e.code in CODES, f"{path.name}: {e.code} is not a diagnostic code"


def test_every_code_has_a_corpus_file() -> None:
    covered = {e.code for path in FILES for e in read_header(path).expected}
    covered |= GENERATED_CODES
    missing = sorted(set(CODES) - covered)
    assert not missing, f"codes without a file in tests/invalid/: {missing}"


def test_whole_corpus_in_one_call() -> None:
    report = validate_report(FILES)
    codes = {d.code for d in report.diagnostics}
    assert set(CODES) - GENERATED_CODES <= codes
    assert report.unreadable  # the GBK-encoded file
    keys = [d.sort_key() for d in report.diagnostics]
    assert keys == sorted(keys)


# --- files written at run time ------------------------------------------------------------


def only(diags: list[Diagnostic]) -> Diagnostic:
    assert len(diags) == 1, describe(diags)
    return diags[0]


def test_rk001_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"rulekit: 1\nid: demo\nversion: 1.0.0\ntitle: Caf\xe9\n")
    report = validate_report([path])
    d = only(report.diagnostics)
    assert (d.code, d.span.line, d.span.column) == ("RK001", 1, 1)
    assert "not UTF-8" in d.message
    assert report.unreadable


def test_rk001_missing_file(tmp_path: Path) -> None:
    report = validate_report([tmp_path / "nope.yaml"])
    d = only(report.diagnostics)
    assert d.code == "RK001"
    assert "cannot read the file" in d.message
    assert report.unreadable


def test_rk001_directory(tmp_path: Path) -> None:
    d = only(validate([tmp_path]))
    assert d.code == "RK001"


def test_rk002_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    padding = ("# " + "x" * 98 + "\n") * 10_001  # 1,000,100 bytes of comments
    path.write_text("rulekit: 1\nid: demo\nversion: 1.0.0\n" + padding, encoding="utf-8")
    d = only(validate([path]))
    assert (d.code, d.span.line, d.span.column) == ("RK002", 1, 1)
    assert "1,000,000" in d.message


def test_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    head = "rulekit: 2\n"
    path.write_text(head + "#" * (1_000_000 - len(head) - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == 1_000_000
    assert only(validate([path])).code == "RK008"


# --- the command line -----------------------------------------------------------------------

TYPO = CORPUS / "rk101-trasitions-typo.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


def test_cli_json_shape() -> None:
    code, out = run(str(TYPO), "--format", "json")
    assert code == 1
    assert json.loads(out) == {
        "valid": False,
        "diagnostics": [
            {
                "file": str(TYPO),
                "line": 11,
                "column": 1,
                "severity": "error",
                "code": "RK101",
                "message": "unknown key `trasitions` in the policy; did you mean `transitions`?",
            }
        ],
    }


def test_cli_github_annotations() -> None:
    code, out = run(str(TYPO), "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        f"::error file={TYPO},line=11,col=1,endColumn=11,title=RK101::"
        "unknown key `trasitions` in the policy; did you mean `transitions`?"
    ]


def test_cli_text_points_at_the_line() -> None:
    code, out = run(str(TYPO))
    assert code == 1
    assert "error[RK101]: unknown key `trasitions` in the policy" in out
    assert f"--> {TYPO}:11:1" in out
    assert " 11 | trasitions:" in out
    assert "= hint: did you mean `transitions`?" in out


def test_cli_warning_passes_unless_strict() -> None:
    path = CORPUS / "rk302-unreachable-state.yaml"
    code, out = run(str(path), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["valid"] is True
    assert [(d["code"], d["severity"]) for d in data["diagnostics"]] == [("RK302", "warning")]
    code, out = run(str(path), "--format", "json", "--strict")
    assert code == 1
    assert json.loads(out)["valid"] is False


def test_cli_github_warning() -> None:
    path = CORPUS / "rk401-reach-increases.yaml"
    code, out = run(str(path), "--format", "github")
    assert code == 0
    assert out.startswith(f"::warning file={path},line=11,col=23,")


def test_cli_unreadable_file_exits_2() -> None:
    code, out = run(str(CORPUS / "rk001-gbk-encoded.yaml"), "--format", "json")
    assert code == 2
    assert [d["code"] for d in json.loads(out)["diagnostics"]] == ["RK001"]
