"""The reference docs name every key of the DSL, every built-in and every diagnostic code; no
source file, doc or --help text cites a document outside the repository."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from rulekit.diagnostics import CODES
from rulekit.lang import BUILTINS
from rulekit.names import RECORD
from rulekit.policy import models

DOCS = Path(__file__).resolve().parent.parent / "docs"


def all_models() -> list[type[BaseModel]]:
    return [
        obj
        for obj in vars(models).values()
        if isinstance(obj, type) and issubclass(obj, models.Strict) and obj is not models.Strict
    ]


def test_every_dsl_key_is_in_the_reference() -> None:
    text = (DOCS / "policy-language.md").read_text(encoding="utf-8")
    missing = []
    for model in all_models():
        for name, info in model.model_fields.items():
            key = info.alias or name
            if model is models.ActionSpec and key == "action":
                continue  # the shorthand `do: release`
            if not any(f"{a}{key}{b}" in text for a in "`." for b in "`."):
                missing.append(f"{model.__name__}.{key}")
    assert missing == []


def test_every_builtin_and_record_name_is_in_the_reference() -> None:
    text = (DOCS / "policy-language.md").read_text(encoding="utf-8")
    assert [f for f in BUILTINS if f"`{f}(" not in text] == []
    assert [n for n in RECORD if f"`{n}`" not in text] == []


def test_every_diagnostic_code_is_documented() -> None:
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    assert [c for c in CODES if c not in text] == []


def test_models_are_plain_data() -> None:
    # every annotation resolves: a typo in a forward reference would only show up at use
    for model in all_models():
        assert typing.get_type_hints(model, include_extras=True)


#: Citations of documents that are not in this repository (the formats are in docs/formats.md,
#: the structure in docs/architecture.md).
OUTSIDE = re.compile(r"CONTRACT|ARCHITECTURE\.md|\.\./shared|/work/shared")
ROOT = DOCS.parent
TEXT_FILES = {".py", ".md", ".lark", ".yaml", ".yml", ".json", ".txt", ".html", ".css", ".js"}


def _citations(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if OUTSIDE.search(line)]


def test_no_file_cites_a_document_outside_the_repository() -> None:
    files = [
        *(p for p in (ROOT / "src").rglob("*") if "__pycache__" not in p.parts),
        *DOCS.rglob("*"),
        ROOT / "README.md",
    ]
    cited = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted(files)
        if path.is_file() and (path.suffix in TEXT_FILES or path.name == "README.md")
        for n in _citations(path.read_text(encoding="utf-8"))
    ]
    assert cited == []


def test_no_help_text_cites_a_document_outside_the_repository() -> None:
    from click.testing import CliRunner

    from rulekit.cli.main import COMMANDS, cli

    runner = CliRunner()
    cited = []
    for args in (["--help"], *([name, "--help"] for name in COMMANDS)):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        if _citations(result.output):
            cited.append(" ".join(args))
    assert cited == []


def test_the_citation_check_sees_a_citation() -> None:
    assert _citations("ok\nthe JSON document of CONTRACT §3\n") == [2]
    assert _citations("see ARCHITECTURE.md") == [1]
    assert _citations("docs/formats.md and docs/architecture.md") == []
