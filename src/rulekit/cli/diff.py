"""`rulekit diff P1 P2`: what changes from one resolved policy to another."""

from __future__ import annotations

from typing import Any

import click

from rulekit.cli.common import policy_path_option
from rulekit.cli.engine_options import guarded, text_or_json
from rulekit.report import json_doc


@click.command("diff")
@click.argument("old")
@click.argument("new")
@text_or_json(
    "text: one change a line (`quota.limit 50 → 30`, with where it is set); json: "
    '{"old", "new", "changes": [{"path", "kind", "old", "new", "file", "line"}]} on stdout.'
)
@click.option("--identity", is_flag=True, help="Also show id, version and title changes.")
@policy_path_option
def command(old: str, new: str, fmt: str, identity: bool, policy_path: tuple[str, ...]) -> None:
    """Compare two policies (paths or ID@MAJOR) after their overlays are merged: numbers,
    conditions, transitions and rules added, removed or changed. Exit 0 whether or not they
    differ."""

    def work() -> Any:
        from rulekit import api
        from rulekit.analysis.diff import diff

        a = api.load(old, policy_path=policy_path)
        b = api.load(new, policy_path=policy_path)
        return a, b, diff(a, b, identity=identity)

    a, b, items = guarded(work)
    if fmt == "json":
        doc = {
            "old": {"id": a.id, "version": a.version},
            "new": {"id": b.id, "version": b.version},
            "changes": [d.as_json() for d in items],
        }
        json_doc.write(doc)
        return
    click.echo(f"{a.id} {a.version} → {b.id} {b.version}: {len(items)} change(s)")
    for d in items:
        where = f"   ({d.span.file}:{d.span.line})" if d.span else ""
        click.echo(f"  {d.describe()}{where}")
