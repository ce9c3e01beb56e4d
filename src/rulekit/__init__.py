"""rulekit: a declarative rules engine for B2B sales organisations.

    import rulekit
    policy = rulekit.load("4321-dcbao@1")                  # or a path; PolicyError if invalid
    problems = rulekit.validate(["clients/acme/policy.yaml"])   # list[Diagnostic]
    result = rulekit.replay(policy, "history.csv", as_of="2026-06-30", people="people.csv")
    snapshot = rulekit.run(policy, "records.xlsx", as_of="2026-06-30")
    compared = rulekit.dry_run("policy.yaml", "proposal.yaml", "history.csv", as_of="2026-06-30")
    path = rulekit.explain(policy, "history.csv", "C00015", as_of="2026-06-30")
    changes = rulekit.diff("policy.yaml", "proposal.yaml")
    report = rulekit.profile(policy, "history.csv", as_of="2026-06-30")   # capability profiles

The public API:

- load, validate: policies (CompiledPolicy; Diagnostic)
- replay, run: a history, a snapshot (Result: .document(), .customers_frame(), ...)
- dry_run, explain, diff: what `rulekit dry-run`, `explain` and `diff` print
- PolicyError (a policy is invalid), InputError (a table has malformed rows),
  TableError (a table cannot be read)
- profile: each rep's capability profile (`rulekit profile`); `rulekit.profile` is also the
  package of that name, made callable

Heavy modules are imported on first use, so `import rulekit` stays cheap.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rulekit.api import (
        PolicyError,
        diff,
        dry_run,
        explain,
        load,
        profile,
        replay,
        run,
        sweep,
        validate,
    )
    from rulekit.compiler import CompiledPolicy
    from rulekit.diagnostics import Diagnostic
    from rulekit.engine.input.errors import InputError
    from rulekit.tables.model import TableError

__all__ = [
    "CompiledPolicy",
    "Diagnostic",
    "InputError",
    "PolicyError",
    "TableError",
    "diff",
    "dry_run",
    "explain",
    "load",
    "profile",
    "replay",
    "run",
    "sweep",
    "validate",
]

_LAZY = {
    "load": "rulekit.api",
    "validate": "rulekit.api",
    "replay": "rulekit.api",
    "run": "rulekit.api",
    "dry_run": "rulekit.api",
    "explain": "rulekit.api",
    "diff": "rulekit.api",
    "profile": "rulekit.api",
    "PolicyError": "rulekit.api",
    "CompiledPolicy": "rulekit.compiler",
    "Diagnostic": "rulekit.diagnostics",
    "InputError": "rulekit.engine.input.errors",
    "TableError": "rulekit.tables.model",
}


class SweepModule(types.ModuleType):
    """`rulekit.sweep` is the sweep package and, called, the library's `rulekit.sweep(...)`
    (`rulekit.api.sweep`): a submodule would otherwise hide a function of the same name."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from rulekit.api import sweep

        return sweep(*args, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "sweep":
        import importlib

        return importlib.import_module("rulekit.sweep")
    if name in _LAZY:
        import importlib

        if name == "profile":  # the package, made callable as the function when imported
            return importlib.import_module("rulekit.profile")
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rulekit' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API with the module's own names: lazy loading hides nothing."""
    return sorted({*globals(), *__all__})


class _ProfilePackage(types.ModuleType):
    """`rulekit.profile` is both the package and the library call `rulekit.api.profile`.

    Python binds a subpackage to its name in the parent once imported, so the name cannot be
    a plain function: the package calls the function instead.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from rulekit.api import profile

        return profile(*args, **kwargs)


def _callable_package(module: types.ModuleType) -> None:
    """Make the package `rulekit.profile` callable (it calls this at import)."""
    module.__class__ = _ProfilePackage
