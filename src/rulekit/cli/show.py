"""`rulekit show POLICY`: the resolved policy with where each value was set; its state graph."""

from __future__ import annotations

import json
from typing import Any

import click

from rulekit.cli.common import policy_path_option, stdout_is_tty
from rulekit.cli.engine_options import guarded


@click.command("show")
@click.argument("policy")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "yaml"]),
    help="text (default): the policy with `file:line` at the right of each value; json: every "
    "value with its file and line; yaml: the merged policy as one plain YAML file.",
)
@click.option(
    "--graph",
    type=click.Choice(["mermaid", "dot"]),
    help="Print the state graph instead: a Mermaid stateDiagram-v2 or a Graphviz digraph.",
)
@policy_path_option
def command(policy: str, fmt: str | None, graph: str | None, policy_path: tuple[str, ...]) -> None:
    """Print POLICY (a path or ID@MAJOR) as resolved after its overlays, each value with the
    file and line that set it; or draw its state graph with --graph."""
    if graph and fmt:
        raise click.UsageError("--graph prints the state graph; it cannot be used with --format")

    def work() -> Any:
        from rulekit import api

        return api.load(policy, policy_path=policy_path)

    compiled = guarded(work)
    if graph == "mermaid":
        from rulekit.graph.draw import to_mermaid

        click.echo(to_mermaid(compiled.states), nl=False)
    elif graph == "dot":
        from rulekit.graph.draw import to_dot

        click.echo(to_dot(compiled.states, compiled.id, compiled.title), nl=False)
    elif fmt == "json":
        from rulekit.analysis.show import to_json

        click.echo(json.dumps(to_json(compiled), ensure_ascii=False, indent=2))
    elif fmt == "yaml":
        from rulekit.analysis.show import to_yaml

        click.echo(to_yaml(compiled), nl=False)
    else:
        from rulekit.analysis.show import to_text

        color = stdout_is_tty()
        click.echo(to_text(compiled, color=color), nl=False, color=color or None)
