"""GitLab code quality reports: the JSON list GitLab shows on a merge request's lines.

Each diagnostic becomes `{description, check_name, fingerprint, severity, location: {path,
lines: {begin}}}`. Errors are `major` (they make the policy invalid), warnings `minor`. The
fingerprint is a SHA-256 of file, code, line, column and message, so the same finding keeps
its identity from one pipeline to the next and GitLab can tell new findings from fixed ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from rulekit.diagnostics import Diagnostic
from rulekit.report.diagnostics import full_message

#: rulekit severity -> GitLab severity (info, minor, major, critical, blocker).
SEVERITY = {"error": "major", "warning": "minor"}


def fingerprint(d: Diagnostic, path: str) -> str:
    """A stable id of one finding: the same file, code, place and message give the same id."""
    line, column = (d.span.line, d.span.column) if d.span else (1, 1)
    key = "\0".join([path, d.code, str(line), str(column), full_message(d)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issues(diagnostics: Sequence[Diagnostic], default_path: str = "") -> list[dict[str, Any]]:
    """The code quality issues of `diagnostics`; `default_path` for those without a file."""
    out = []
    for d in diagnostics:
        path = d.span.file if d.span else default_path
        line = d.span.line if d.span else 1
        out.append(
            {
                "description": f"{d.code}: {full_message(d)}",
                "check_name": d.code,
                "fingerprint": fingerprint(d, path),
                "severity": SEVERITY[d.severity.value],
                "location": {"path": path, "lines": {"begin": line}},
            }
        )
    return out


def to_gitlab(diagnostics: Sequence[Diagnostic], default_path: str = "") -> str:
    """The report as JSON text (an empty list when there is nothing to report)."""
    return json.dumps(issues(diagnostics, default_path), ensure_ascii=False, indent=2)
