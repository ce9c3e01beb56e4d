"""Diagnostics: what rulekit tells a user about their input, with a stable code and a location.

Every code is listed in CODES with its severity and a one-line title; docs/diagnostics.md has
a bad and a fixed example for each. Codes never change meaning once released.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rulekit.source import Span


class Severity(StrEnum):
    """How bad a diagnostic is: errors make a policy invalid, warnings only with --strict."""

    ERROR = "error"
    WARNING = "warning"


E, W = Severity.ERROR, Severity.WARNING

#: code -> (severity, title). The title is the short name shown in docs and --list-codes.
CODES: dict[str, tuple[Severity, str]] = {
    # files and YAML
    "RK001": (E, "file cannot be read"),
    "RK002": (E, "file too large"),
    "RK003": (E, "YAML syntax error"),
    "RK004": (E, "duplicate key"),
    "RK005": (E, "document too large after expanding aliases"),
    "RK006": (E, "unsupported YAML tag"),
    "RK007": (E, "not a policy document"),
    "RK008": (E, "unsupported DSL version"),
    # the policy's structure
    "RK101": (E, "unknown key"),
    "RK102": (E, "missing key"),
    "RK103": (E, "wrong type of value"),
    "RK104": (E, "invalid value"),
    "RK105": (E, "unknown name in a reference"),
    "RK110": (E, "invalid parameter"),
    # the condition language
    "RK201": (E, "condition syntax error"),
    "RK202": (E, "unknown name"),
    "RK203": (E, "type mismatch"),
    "RK204": (E, "wrong number of arguments"),
    "RK205": (E, "unknown function"),
    "RK206": (E, "unknown attribute"),
    "RK210": (E, "unknown parameter"),
    "RK211": (E, "arguments of different kinds"),
    # the state graph
    "RK301": (E, "undefined state"),
    "RK302": (W, "unreachable state"),
    "RK303": (E, "state with no way out"),
    "RK304": (E, "ambiguous transitions"),
    "RK305": (E, "timer cycle of zero duration"),
    "RK306": (E, "undefined event or stage in a trigger"),
    "RK310": (E, "a target choice that cannot choose"),
    # capability targets
    "RK401": (W, "reach does not decrease along the path"),
    "RK402": (W, "stage days do not add up to the cycle"),
    # pool settings: counters, quotas, metrics, schedules
    "RK601": (E, "counter of an unknown event"),
    "RK602": (E, "name already taken"),
    "RK603": (E, "streak of an unknown metric"),
    "RK604": (W, "schedule without effect"),
    # overlays
    "RK501": (E, "base policy not found"),
    "RK502": (E, "overlays extend each other in a cycle"),
    "RK503": (E, "invalid extends reference"),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about an input, located in a file."""

    code: str
    message: str
    span: Span | None = None
    hint: str | None = None
    note: str | None = None

    @property
    def severity(self) -> Severity:
        """The severity of this diagnostic's code."""
        return CODES[self.code][0]

    @property
    def is_error(self) -> bool:
        """True if this diagnostic makes its input invalid."""
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order diagnostics by file, line, column, then code."""
        if self.span is None:
            return ("", 0, 0, self.code)
        return (self.span.file, self.span.line, self.span.column, self.code)


class DiagnosticError(Exception):
    """Raised inside rulekit to stop a stage that cannot go on; carries its diagnostics."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("; ".join(d.message for d in self.diagnostics))


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return a hint naming the closest of `choices` to `word`, or None if none is close."""
    import difflib  # only when there is a word to correct: it is ~1 ms to import

    options = [c for c in choices if isinstance(c, str)]
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not match:
        lowered = {c.lower(): c for c in options}
        if word.lower() in lowered:
            match = [lowered[word.lower()]]
    return f"did you mean `{match[0]}`?" if match else None


def one_of(choices: Iterable[str], limit: int = 12) -> str:
    """Render a short list of allowed names for a hint: `a`, `b` or `c`."""
    names = [f"`{c}`" for c in choices]
    if len(names) > limit:
        names = names[:limit] + ["…"]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]
