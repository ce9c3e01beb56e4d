"""`rulekit schema`: print the JSON Schema of policy files, for editors and CI."""

from __future__ import annotations

import sys

import click

from rulekit.cli.common import EXIT_INVALID, EXIT_OK, policy_path_option
from rulekit.cli.engine_options import check_output, guarded, writing


@click.command("schema")
@click.option(
    "--policy",
    "policy",
    default=None,
    help="A policy (path or ID@MAJOR) whose state and stage names the schema suggests.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="Write to this file, not stdout."
)
@click.option(
    "--check",
    is_flag=True,
    help="With --output: write nothing, exit 1 if the file is not the current schema.",
)
@policy_path_option
def command(
    policy: str | None, output: str | None, check: bool, policy_path: tuple[str, ...]
) -> None:
    """Print the JSON Schema of the policy DSL (JSON Schema 2020-12), generated from the
    models, with the reference's descriptions. Point your editor at it with a first line
    `# yaml-language-server: $schema=<path or URL>` (docs/editor.md)."""
    from rulekit.authoring.schema import generate, render

    if not check:
        check_output("--output", output, [policy])
    states: list[str] | None = None
    stages: list[str] | None = None
    if policy is not None:
        from rulekit import api

        compiled = guarded(lambda: api.load(policy, policy_path=policy_path))
        states = list(compiled.model.states)
        stages = list(compiled.model.stages)
    text = render(generate(states=states, stages=stages))
    if output is None:
        sys.stdout.write(text)
        return
    if check:
        try:
            with open(output, encoding="utf-8") as fh:
                current = fh.read()
        except OSError:
            current = None
        if current != text:
            click.echo(f"{output} is not the current schema; run `rulekit schema -o {output}`")
            raise SystemExit(EXIT_INVALID)
        raise SystemExit(EXIT_OK)
    from rulekit.safeio import write_text_atomic

    with writing(output):
        write_text_atomic(output, text)
