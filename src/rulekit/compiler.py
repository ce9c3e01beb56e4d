"""The policy compiler: file → merged document → model → conditions → graph → CompiledPolicy.

Each stage returns diagnostics instead of raising on user input; a policy with errors compiles
to None. The CompiledPolicy is immutable and is all an engine needs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import cached_property
from typing import TYPE_CHECKING, Any

from rulekit.diagnostics import Diagnostic, DiagnosticError, did_you_mean, one_of
from rulekit.policy.yamlsrc import Document, Path
from rulekit.record import FrozenRecord

if TYPE_CHECKING:
    import networkx as nx

    from rulekit.graph.build import StateGraph
    from rulekit.lang import Condition, Scope, Template
    from rulekit.policy.loader import Resolved
    from rulekit.policy.models import Policy

ORDER_DIRECTIONS = ("asc", "desc")


class SortKey(FrozenRecord):
    """One key of the priority order: an expression and its direction (nulls sort last)."""

    __slots__ = ("expression", "descending")
    expression: Condition
    descending: bool

    def __init__(self, expression: Condition, descending: bool) -> None:
        self._set(expression, descending)


@dataclass(frozen=True)
class CompiledPolicy:
    """A checked, compiled policy: what the engine runs.

    Attributes:
        model: The merged policy as validated models.
        document: The merged document with the position of every value (for `show`).
        files: The files it was made from, the policy first, then the bases it extends.
        states: The state graph as states and edges (what the engine and checks read).
        tz: The policy's timezone.
        conditions: Every compiled condition and expression, by its path in the policy.
        templates: Every compiled message template, by path.
        order: The priority order's keys.
        warnings: The warnings found while compiling.
    """

    model: Policy
    document: Document
    files: tuple[str, ...]
    states: StateGraph
    tz: tzinfo
    conditions: Mapping[Path, Condition]
    templates: Mapping[Path, Template]
    order: tuple[SortKey, ...] = ()
    warnings: tuple[Diagnostic, ...] = field(default=())

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The state graph as a networkx MultiDiGraph (built on first use)."""
        return self.states.to_networkx()

    @property
    def id(self) -> str:
        """The policy's id."""
        return self.model.id

    @property
    def version(self) -> str:
        """The policy's version."""
        return self.model.version

    @property
    def title(self) -> str | None:
        """The policy's title."""
        return self.model.title

    def condition(self, *path: str | int) -> Condition | None:
        """The compiled condition at `path` (e.g. "quota", "holds_slot"), if any."""
        return self.conditions.get(tuple(path))

    def __repr__(self) -> str:
        return f"<CompiledPolicy {self.id}@{self.version} from {self.files[0]}>"


def _resolved(
    path: str, policy_path: Sequence[str | os.PathLike[str]], text: str | None = None
) -> Resolved:
    """The merged document of a policy file or `ID@MAJOR` reference, or of `text` (named
    `path`); raises DiagnosticError."""
    from rulekit.policy.loader import locate, resolve

    if text is not None:
        return resolve(path, policy_path, text=text)
    return resolve(locate(path, policy_path), policy_path)


def compile_policy(
    path: str, *, policy_path: Sequence[str | os.PathLike[str]] = ()
) -> tuple[CompiledPolicy | None, list[Diagnostic]]:
    """Compile a policy file or `ID@MAJOR` reference; never raises on bad input."""
    try:
        resolved = _resolved(path, policy_path)
    except DiagnosticError as exc:
        return None, exc.diagnostics
    return compile_document(resolved.document, tuple(resolved.files))


def check_policy(
    path: str, *, policy_path: Sequence[str | os.PathLike[str]] = (), text: str | None = None
) -> list[Diagnostic]:
    """The diagnostics `compile_policy` (or with `text`, `compile_text`) gives, found without
    making pydantic's models of a plainly valid policy: `rulekit validate` and editors need
    no more, and importing pydantic would be most of their time."""
    try:
        resolved = _resolved(path, policy_path, text)
    except DiagnosticError as exc:
        return exc.diagnostics
    return _compile(resolved.document, tuple(resolved.files), check_only=True)[1]


def compile_text(
    text: str, name: str = "<text>", *, policy_path: Sequence[str | os.PathLike[str]] = ()
) -> tuple[CompiledPolicy | None, list[Diagnostic]]:
    """Compile a policy given as text (an editor buffer); `name` is used in diagnostics."""
    try:
        resolved = _resolved(name, policy_path, text)
    except DiagnosticError as exc:
        return None, exc.diagnostics
    return compile_document(resolved.document, tuple(resolved.files))


def compile_document(
    doc: Document, files: tuple[str, ...]
) -> tuple[CompiledPolicy | None, list[Diagnostic]]:
    """Compile a merged policy document."""
    return _compile(doc, files, check_only=False)


def _compile(
    doc: Document, files: tuple[str, ...], *, check_only: bool
) -> tuple[CompiledPolicy | None, list[Diagnostic]]:
    """Compile `doc`; `check_only`: the model of a plainly valid document may be the light
    path's stand-in (`rulekit.policy.light`), for its diagnostics alone."""
    from rulekit.graph import build, checks, pool_checks
    from rulekit.policy import light
    from rulekit.timeutil import zone

    policy: Any = light.build(doc.data)
    if policy is not None and not check_only:
        from rulekit.policy.fastpath import to_model

        policy = to_model(policy)
    if policy is None:
        from pydantic import ValidationError

        from rulekit.policy.models import Policy

        try:
            policy = Policy.model_validate(doc.data)
        except ValidationError as exc:
            from rulekit.policy.schema_errors import diagnostics_from

            return None, diagnostics_from(exc, doc, Policy) + _conditions_despite(exc, doc)
    diags = _check_names(policy, doc)
    tz = zone(policy.timezone)
    conditions, templates, order, found = _compile_conditions(policy, doc, tz)
    diags += found
    graph = build.build(policy)
    diags += checks.check(policy, graph, doc)
    diags += pool_checks.check(policy, doc)
    if any(d.is_error for d in diags):
        return None, diags
    compiled = CompiledPolicy(
        policy, doc, files, graph, tz, conditions, templates, tuple(order), tuple(diags)
    )
    return compiled, diags


def _conditions_despite(error: Any, doc: Document) -> list[Diagnostic]:
    """The condition errors of a policy whose structure has errors too, so that one run of
    `validate` reports both: the keys and values in error are left out of a copy of the
    document (a few rounds, as leaving one out may reveal another) and the conditions of
    what remains are checked. Nothing if the rest is still not a policy."""
    import copy

    from pydantic import ValidationError

    from rulekit.policy.models import Policy
    from rulekit.timeutil import zone

    data = copy.deepcopy(doc.data)
    for _ in range(5):
        for problem in error.errors():
            loc = tuple(problem["loc"])
            if problem.get("type") == "missing":  # leave out what needs the missing key
                loc = loc[:-1]
            if not loc or not _drop(data, loc):
                return []
        try:
            policy = Policy.model_validate(data)
        except ValidationError as again:
            error = again
            continue
        except Exception:  # noqa: BLE001 - a best effort: the structure errors stand alone
            return []
        try:
            found = _compile_conditions(policy, doc, zone(policy.timezone))[3]
        except Exception:  # noqa: BLE001
            return []
        return [d for d in found if d.code.startswith("RK2")]
    return []


def _drop(data: Any, loc: tuple[Any, ...]) -> bool:
    """Delete the value at `loc` (pydantic's error location) from nested dicts and lists;
    False if there is nothing there to delete."""
    parent = data
    for key in loc[:-1]:
        if isinstance(parent, dict) and key in parent:
            parent = parent[key]
        elif isinstance(parent, list) and isinstance(key, int) and key < len(parent):
            parent = parent[key]
        else:
            return _drop(data, loc[:-1]) if len(loc) > 1 else False
    if isinstance(parent, dict) and loc and loc[-1] in parent:
        del parent[loc[-1]]
        return True
    if len(loc) > 1:  # a union's branch name ends the location: drop its owner
        return _drop(data, loc[:-1])
    return False


def _check_names(policy: Policy, doc: Document) -> list[Diagnostic]:
    """Declared fields must not hide computed names; a core column may only be mapped.

    `fields: {owner: {type: string, column: 负责人}}` reads the client's 负责人 column as the
    core `owner` column; its type must be the core column's.
    """
    from rulekit.names import CORE_COLUMNS, FIELD_TYPES, RECORD, STAGE_OBJECTS

    reserved = (
        set(RECORD) | set(STAGE_OBJECTS) | {"event", "stages", "now", "tz", "params"}
    ) - set(CORE_COLUMNS)
    out = []
    for name, spec in policy.fields.items():
        core = CORE_COLUMNS.get(name)
        if name in reserved:
            message = f"`{name}` is computed by rulekit; a field cannot use that name"
        elif core is not None and FIELD_TYPES[spec.type] != core:
            message = f"`{name}` is a core column of type {core}; it cannot be declared {spec.type}"
        else:
            continue
        out.append(
            Diagnostic(
                "RK104",
                message,
                doc.key_span(("fields", name)),
                hint="pick another name; to read a client's column as a core one, give only "
                "`column:` (and the core type)",
            )
        )
    return out + _check_params(policy, doc)


def _check_params(policy: Policy, doc: Document) -> list[Diagnostic]:
    """Each parameter is a plain value with a name conditions can write (RK110)."""
    import re

    from rulekit.names import param_value

    out = []
    for name, raw in policy.params.items():
        if not re.fullmatch(r"[^\W\d]\w*", name):
            message = f"parameter `{name}` is not a name a condition can write"
            hint = "use letters, digits and `_`, starting with a letter: `cooldown_days`"
            span = doc.key_span(("params", name))
        elif param_value(raw) is None:
            message = f"parameter `{name}` must be a number, a duration, a date, true/false or text"
            hint = "for example `cooldown: 30d` or `max_claims: 5`"
            span = doc.span(("params", name))
        else:
            continue
        out.append(Diagnostic("RK110", message, span, hint=hint))
    return out


class _Conditions:
    """Collects the compiled conditions and templates of a policy, and their diagnostics."""

    def __init__(self, policy: Policy, doc: Document, tz: tzinfo, scope: Scope) -> None:
        self.policy, self.doc, self.tz, self.scope = policy, doc, tz, scope
        self.conditions: dict[Path, Condition] = {}
        self.templates: dict[Path, Template] = {}
        self.diags: list[Diagnostic] = []

    def _locate(self, path: Path, text: str) -> Any:
        loc = self.doc.positions.get(path)
        if loc is None:
            span = self.doc.span(path)
            return lambda s, e: span
        return loc.locate(text)

    def condition(self, path: Path, text: str | None, expect: Any = "bool") -> Condition | None:
        from rulekit.lang import BOOL, compile_condition

        if text is None:
            return None
        wanted = BOOL if expect == "bool" else expect
        cond, diags = compile_condition(
            text, self.scope, self._locate(path, text), expect=wanted, tz=self.tz
        )
        self.diags += diags
        if cond is not None:
            self.conditions[path] = cond
        return cond

    def value(self, path: Path, value: Any, expect: Any) -> None:
        if value is None or isinstance(value, bool | int | float):
            return  # a YAML literal: null, a number or true/false
        self.condition(path, str(value), expect)

    def template(self, path: Path, text: str | None) -> None:
        from rulekit.lang import compile_template

        if text is None:
            return
        tpl, diags = compile_template(text, self.scope, self._locate(path, text), tz=self.tz)
        self.diags += diags
        if tpl is not None:
            self.templates[path] = tpl


def _compile_conditions(
    policy: Policy, doc: Document, tz: tzinfo
) -> tuple[dict[Path, Condition], dict[Path, Template], list[SortKey], list[Diagnostic]]:
    from rulekit.lang import NUMBER, STRING
    from rulekit.names import FIELD_TYPES, SETTABLE_CORE, scope_for

    c = _Conditions(policy, doc, tz, scope_for(policy))
    for name, stage in policy.stages.items():
        c.condition(("stages", name, "requires"), stage.requires)
    settable = {**SETTABLE_CORE, **{n: FIELD_TYPES[f.type] for n, f in policy.fields.items()}}
    for name, t in policy.transitions.items():
        c.condition(("transitions", name, "when"), t.when)
        case = getattr(t.to, "case", None)
        if case is not None:
            c.condition(("transitions", name, "to", "case"), case, STRING)
        for target, value in t.set.items():
            path = ("transitions", name, "set", target)
            if target not in settable:
                c.diags.append(
                    Diagnostic(
                        "RK105",
                        f"transition `{name}` sets `{target}`, which is not a field",
                        doc.key_span(path),
                        hint=did_you_mean(target, settable)
                        or f"declare it under `fields:`; settable are {one_of(sorted(settable))}",
                    )
                )
                continue
            c.value(path, value, settable[target])
    if policy.quota is not None:
        c.condition(("quota", "holds_slot"), policy.quota.holds_slot)
    order: list[SortKey] = []
    if policy.priority is not None:
        c.condition(("priority", "among"), policy.priority.among)
        for i, item in enumerate(policy.priority.order):
            key = _sort_key(c, ("priority", "order", i), item)
            if key is not None:
                order.append(key)
    for section in ("overdue", "forecast"):
        measure = getattr(policy, section)
        if measure is not None:
            c.condition((section, "among"), measure.among)
            c.condition((section, "value"), measure.value, NUMBER)
    for name, rule in policy.rules.items():
        c.condition(("rules", name, "when"), rule.when)
        if rule.streak is None:
            c.template(("rules", name, "message"), rule.message)
        if rule.do is not None and rule.do.overflow is not None:
            c.condition(("rules", name, "do", "overflow", "when"), rule.do.overflow.when)
    _pool_conditions(c, policy)
    return c.conditions, c.templates, order, c.diags


def _pool_conditions(c: _Conditions, policy: Policy) -> None:
    """The conditions of named quotas, routes and metrics, and streak messages."""
    from rulekit.lang import NUMBER, STRING, Scope

    for name, quota in policy.quotas.items():
        c.condition(("quotas", name, "holds_slot"), quota.holds_slot)
    for name, metric in policy.metrics.items():
        c.condition(("metrics", name, "among"), metric.among)
        expect = NUMBER if metric.kind == "average" else "bool"
        c.condition(("metrics", name, metric.kind), metric.expression, expect)
    streak_scope = Scope(
        names={"group": STRING, "value": NUMBER, "days": NUMBER, "metric": STRING},
        functions=c.scope.functions,
    )
    for name, rule in policy.rules.items():
        if rule.streak is not None and rule.message is not None:
            general, c.scope = c.scope, streak_scope
            c.template(("rules", name, "message"), rule.message)
            c.scope = general
        for i, route in enumerate(rule.do.routes or () if rule.do is not None else ()):
            c.condition(("rules", name, "do", "routes", i, "when"), route.when)
            c.condition(("rules", name, "do", "routes", i, "skip"), route.skip)


def _sort_key(c: _Conditions, path: Path, item: str) -> SortKey | None:
    from rulekit.lang import Kind

    text, _, direction = item.rstrip().rpartition(" ")
    if direction not in ORDER_DIRECTIONS:
        text, direction = item, "asc"
    cond = c.condition(path, text, None)
    if cond is None:
        return None
    if cond.type.kind in (Kind.BOOL, Kind.LIST, Kind.OBJECT):
        c.diags.append(
            Diagnostic(
                "RK203",
                f"a priority key must be text, a number, a date or a duration; "
                f"`{text}` is {cond.type.article()}",
                c.doc.span(path),
                hint="write an expression and a direction: `stage_index desc`",
            )
        )
        return None
    return SortKey(cond, direction == "desc")
