"""rulekit: a declarative rules engine for B2B sales organisations.

    import rulekit
    policy = rulekit.load("4321-dcbao@1")
    problems = rulekit.validate(["clients/acme/policy.yaml"])

Heavy modules are imported on first use, so `import rulekit` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rulekit.api import PolicyError, load, replay, run, validate
    from rulekit.compiler import CompiledPolicy
    from rulekit.diagnostics import Diagnostic

__all__ = ["CompiledPolicy", "Diagnostic", "PolicyError", "load", "replay", "run", "validate"]

_LAZY = {
    "load": "rulekit.api",
    "validate": "rulekit.api",
    "replay": "rulekit.api",
    "run": "rulekit.api",
    "PolicyError": "rulekit.api",
    "CompiledPolicy": "rulekit.compiler",
    "Diagnostic": "rulekit.diagnostics",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rulekit' has no attribute {name!r}")
