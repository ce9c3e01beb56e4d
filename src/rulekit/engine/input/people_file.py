"""Reading the people file: `id, name, team, role`, every bad row reported."""

from __future__ import annotations

from rulekit.engine.core.people import ROLES, People, Person
from rulekit.engine.input import cells
from rulekit.engine.input.errors import InputError
from rulekit.tables import Table


def read_people(table: Table) -> People:
    """Read `id, name, team, role`; every bad row is reported."""
    index = {name: i for i, name in enumerate(table.columns)}
    problems = []
    if "id" not in index:
        raise InputError([f"{table.path}: the people file needs an `id` column"], bad_rows=False)
    people = People(from_file=True)
    for number, row in enumerate(table.rows, start=1):

        def cell(name: str, row: list[object] = row) -> str | None:
            i = index.get(name)
            return cells.text(row[i]) if i is not None and i < len(row) else None

        pid = cell("id")
        role = (cell("role") or "rep").lower()
        if pid is None:
            problems.append(f"{table.path}:{number}:id: `id` is blank")
            continue
        if role not in ROLES:
            problems.append(f"{table.path}:{number}:role: `{role}` is not a role (rep or admin)")
            continue
        if pid in people.listed:
            problems.append(f"{table.path}:{number}:id: `{pid}` is listed twice")
            continue
        other = {c: cell(c) for c in table.columns if c not in ("id", "name", "team", "role")}
        people.listed[pid] = Person(pid, cell("name"), cell("team"), role, other)
    if problems:
        raise InputError(problems)
    return people
