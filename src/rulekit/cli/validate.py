"""`rulekit validate FILE...`: check policies; text, JSON or GitHub annotations; exit 0/1/2."""

from __future__ import annotations

import click

from rulekit.cli.common import policy_path_option, stdout_is_tty
from rulekit.cli.validate_run import run


@click.command("validate")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "gitlab"]),
    default="text",
    show_default=True,
    help="text for people, json for programs (docs/formats.md), github for Actions annotations, "
    "gitlab for a GitLab code quality report.",
)
@click.option("--strict", is_flag=True, help="Warnings make the policy invalid too.")
@click.option(
    "--watch", is_flag=True, help="Check again each time a policy file is saved (Ctrl-C stops)."
)
@policy_path_option
def command(
    files: tuple[str, ...], fmt: str, strict: bool, watch: bool, policy_path: tuple[str, ...]
) -> None:
    """Check policy FILES (paths or ID@MAJOR references).

    Exit 0 when every file is valid, 1 when one has errors (or warnings with --strict),
    2 when a file cannot be read.
    """
    if watch:
        from rulekit.authoring.watch import watch_validate

        def check() -> int:
            try:
                command.callback(files, fmt, strict, False, policy_path)  # type: ignore[misc]
            except SystemExit as exc:
                return int(exc.code or 0)
            return 0

        raise SystemExit(watch_validate(files, policy_path, check, clear=stdout_is_tty()))
    run(files, fmt, strict, policy_path, lambda message, err: click.echo(message, err=err))
