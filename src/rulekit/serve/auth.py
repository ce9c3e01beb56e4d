"""Bearer tokens: a CSV file `token,actor,role` with role rep, admin or import.

A rep acts only as itself; admin-only events (approve, reject, publish, reassign...) need an
admin token; an import token may post history with its own `at` and any actor.
"""

from __future__ import annotations

import csv
import hmac
import os
from dataclasses import dataclass

ROLES = ("rep", "admin", "import")
ENV = "RULEKIT_TOKENS"


class TokenFileError(Exception):
    """The tokens file cannot be used: a message with its location, and a hint."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True, slots=True)
class Token:
    token: str
    actor: str
    role: str


class Tokens:
    """The tokens a service accepts."""

    def __init__(self, tokens: list[Token]) -> None:
        self._by_token = {t.token: t for t in tokens}

    def find(self, presented: str) -> Token | None:
        """The token presented, compared in constant time."""
        found = None
        for known, token in self._by_token.items():
            if hmac.compare_digest(known.encode(), presented.encode()):
                found = token
        return found

    def admins(self) -> list[str]:
        return sorted({t.actor for t in self._by_token.values() if t.role == "admin"})

    def __len__(self) -> int:
        return len(self._by_token)


def read_tokens(path: str) -> Tokens:
    """Read a tokens file; every problem is reported with its line.

    Raises:
        TokenFileError: unreadable file, missing columns, bad role, duplicate or short token.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except OSError as exc:
        raise TokenFileError(
            f"{path}: cannot read the tokens file ({exc.strerror})",
            f"give --tokens FILE or set {ENV} to a CSV with the header token,actor,role",
        ) from None
    if not rows or [c.strip() for c in rows[0]][:3] != ["token", "actor", "role"]:
        raise TokenFileError(
            f"{path}:1: the header must be token,actor,role",
            "one line per token, e.g. `s3cret-alice,alice,rep`",
        )
    problems, tokens, seen = [], [], set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cells = [c.strip() for c in row] + ["", "", ""]
        token, actor, role = cells[:3]
        if len(token) < 8:
            problems.append(f"{path}:{line}:token: a token needs at least 8 characters")
        elif token in seen:
            problems.append(f"{path}:{line}:token: this token is listed twice")
        if not actor:
            problems.append(f"{path}:{line}:actor: `actor` is blank")
        if role not in ROLES:
            problems.append(f"{path}:{line}:role: `{role}` is not rep, admin or import")
        seen.add(token)
        tokens.append(Token(token, actor, role))
    if problems:
        raise TokenFileError("\n".join(problems), "fix the lines; the service did not start")
    return Tokens(tokens)


def tokens_path(option: str | None) -> str | None:
    """--tokens, else $RULEKIT_TOKENS."""
    return option or os.environ.get(ENV) or None
