"""The `rulekit` click group. Subcommands are imported only when run, to keep start-up fast."""

from __future__ import annotations

import importlib

import click

#: command name -> (module under rulekit.cli, one-line help shown by `rulekit --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "Check policy files: structure, conditions, state graph."),
    "replay": ("replay", "Replay an event history into a snapshot."),
    "run": ("run", "Evaluate a snapshot of customer records."),
    "simulate": ("simulate", "Write a realistic, seeded event history for a policy."),
    "explain": ("explain", "Show one customer's path through a history, step by step."),
    "profile": (
        "profile",
        "Profile each rep's promotions per stage and cycle against the policy's targets.",
    ),
    "dry-run": ("dryrun", "Replay a history under two policies and compare the outcomes."),
    "sweep": (
        "sweep",
        "Replay a history under many candidate policies (a grid of values) and rank them.",
    ),
    "diff": ("diff", "Show what changes between two resolved policies."),
    "test": ("test", "Run a policy's YAML test files."),
    "coverage": (
        "coverage",
        "List the transitions and rules a history exercises, and those it never does.",
    ),
    "init": ("init", "Scaffold a client folder: an overlay, a test file, a sample history."),
    "schema": ("schema", "Print the JSON Schema of policy files, for editors."),
    "fmt": ("fmt", "Lay out policy files canonically, keeping their comments."),
    "serve": ("serve", "Serve live decisions over HTTP, with a ledger (SQLite or Postgres)."),
    "ledger": ("ledger", "Create, import, export and inspect the ledger of `serve`."),
    "deploy": ("deploy", "Dry-run the ledger under a new policy version, then switch to it."),
    "show": (
        "show",
        "Print the resolved policy with where each value was set; draw its state graph.",
    ),
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"rulekit.cli.{COMMANDS[cmd_name][0]}")
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rulekit", prog_name="rulekit")
def cli() -> None:
    """rulekit: versioned sales-method policies, validated, replayed and dry-run.

    Every command that reads a policy takes a file path or an id with a version
    range (4321-dcbao@1), looked up on the policy path.
    """
