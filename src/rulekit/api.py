"""The library surface: load and validate policies (replay and run arrive with the engine)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rulekit.compiler import CompiledPolicy, compile_policy, compile_text
from rulekit.diagnostics import Diagnostic, DiagnosticError

PathLike = str | os.PathLike[str]


class PolicyError(Exception):
    """A policy could not be loaded; `diagnostics` says why and where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        lines = [f"{d.span}: {d.code} {d.message}" if d.span else d.message for d in diagnostics]
        super().__init__("invalid policy:\n" + "\n".join(lines))


@dataclass(slots=True)
class ValidateReport:
    """What `validate` found over several files."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    unreadable: bool = False


def load(policy: PathLike, *, policy_path: Sequence[PathLike] = ()) -> CompiledPolicy:
    """Load, check and compile a policy file or reference (`4321-dcbao@1`).

    Raises:
        PolicyError: the policy has errors (warnings do not stop loading).
    """
    compiled, diags = compile_policy(os.fspath(policy), policy_path=policy_path)
    if compiled is None:
        raise PolicyError([d for d in diags if d.is_error] or diags)
    return compiled


def validate(
    paths: Iterable[PathLike], *, policy_path: Sequence[PathLike] = ()
) -> list[Diagnostic]:
    """Check policy files; return every diagnostic (errors and warnings), sorted by place."""
    return validate_report(paths, policy_path=policy_path).diagnostics


def validate_text(
    text: str, name: str = "<text>", *, policy_path: Sequence[PathLike] = ()
) -> list[Diagnostic]:
    """Check a policy given as text (an editor's buffer); `name` labels the diagnostics."""
    return sorted(compile_text(text, name, policy_path=policy_path)[1], key=Diagnostic.sort_key)


def validate_report(
    paths: Iterable[PathLike], *, policy_path: Sequence[PathLike] = ()
) -> ValidateReport:
    """Check policy files; also say whether a file could not be read at all."""
    report = ValidateReport()
    seen: set[tuple[object, ...]] = set()
    for path in paths:
        try:
            _, diags = compile_policy(os.fspath(path), policy_path=policy_path)
        except DiagnosticError as exc:  # pragma: no cover - compile_policy returns these
            diags = exc.diagnostics
        for d in diags:
            key = (d.code, d.message, d.span)
            if key not in seen:
                seen.add(key)
                report.diagnostics.append(d)
            if d.code == "RK001":
                report.unreadable = True
    report.diagnostics.sort(key=Diagnostic.sort_key)
    return report
