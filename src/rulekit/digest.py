"""SHA-256 without importing hashlib: the checks that tie the shipped tables to their sources
(`rulekit.policy.light`, `rulekit.lang.lalr`) run in every process that reads a policy, and
hashlib loads OpenSSL and makes a constructor for every algorithm first (~3 ms)."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any


@cache
def _sha256() -> Any:
    """CPython's own SHA-256 (the module hashlib falls back to; `_sha2` from Python 3.12),
    else hashlib's."""
    for name in ("_sha256", "_sha2"):
        try:
            return importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
    import hashlib

    return hashlib.sha256


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data` in hex, as `hashlib.sha256(data).hexdigest()`."""
    return str(_sha256()(data).hexdigest())
