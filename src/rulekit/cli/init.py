"""`rulekit init CLIENT`: scaffold a client folder (see rulekit.authoring.scaffold)."""

from __future__ import annotations

import click

from rulekit.cli.common import EXIT_USAGE


@click.command("init")
@click.argument("client")
@click.option(
    "--dir",
    "parent",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The folder to create CLIENT/ in.",
)
def command(client: str, parent: str) -> None:
    """Create the folder CLIENT/ with `policy.yaml` (an overlay of 4321-dcbao@1 with id
    CLIENT, its common tailorings as comments), `tests.yaml` (two passing tests),
    `history.csv` (a sample history) and `README.md` (the commands to use them). Refuses
    to write into a folder that exists and is not empty (exit 2)."""
    from rulekit.authoring.scaffold import ScaffoldError, create

    try:
        folder = create(client, parent)
    except ScaffoldError as exc:
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"hint: {exc.hint}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    click.echo(f"created {folder}/: policy.yaml, tests.yaml, history.csv, README.md")
    click.echo("next:")
    click.echo(f"  cd {folder}")
    click.echo("  rulekit validate policy.yaml")
    click.echo("  rulekit test")
