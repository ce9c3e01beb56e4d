"""`rulekit test [PATH...]`: run a policy's YAML test files (format: docs/formats.md)."""

from __future__ import annotations

from typing import Any

import click

from rulekit.cli.common import EXIT_USAGE, policy_path_option
from rulekit.cli.engine_options import text_or_json
from rulekit.report import json_doc


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "-k",
    "keywords",
    multiple=True,
    metavar="NAME",
    help="Run only the tests whose name (or file::name) contains NAME (repeatable).",
)
@click.option(
    "--coverage",
    is_flag=True,
    help="Also list the transitions the tests take and never take, and the rules that fire.",
)
@text_or_json(
    "text: a line per test (PASSED, FAILED with each mismatch, SKIPPED with its reason) "
    'and a summary; json: {"tests", "errors", "summary"} on stdout.'
)
@policy_path_option
def command(
    paths: tuple[str, ...],
    keywords: tuple[str, ...],
    coverage: bool,
    fmt: str,
    policy_path: tuple[str, ...],
) -> None:
    """Run the tests of the YAML test files in PATHS (files, or folders searched for
    `*tests.yaml` and `tests/*.yaml`; default: the current folder).

    Each test replays `events` (or evaluates `records`) under the test file's policy and
    compares the customers, refused rows, reps, alerts and counts it expects; only the
    fields written are compared. Exit 0 if every test passed, 1 if one failed (or its
    policy or history is invalid), 2 if a test file cannot be read or is malformed.
    """
    from rulekit.analysis.coverage import of_results
    from rulekit.testing.session import iter_results, run_tests

    session = run_tests(paths or (".",), keywords, policy_path)
    covered = of_results(iter_results(session)) if coverage else []
    counts = session.counts
    if fmt == "json":
        doc: dict[str, Any] = {
            "tests": [r.as_json() for r in session.results],
            "errors": [e.as_json() for e in session.errors],
            "summary": counts,
        }
        if coverage:
            doc["coverage"] = [c.document() for c in covered]
        json_doc.write(doc)
        raise SystemExit(session.exit_code())

    for error in session.errors:
        for line in error.lines():
            click.echo(line, err=True)
    if not session.files and not session.errors:
        where = ", ".join(paths or (".",))
        click.echo(
            f"no test files under {where} (looked for *tests.yaml and tests/*.yaml)", err=True
        )
        raise SystemExit(EXIT_USAGE)
    if not session.results and keywords and not session.errors:
        click.echo(f"no test matches -k {' -k '.join(keywords)}", err=True)
        raise SystemExit(EXIT_USAGE)
    width = max((len(r.case.id) for r in session.results), default=0)
    styles = {"passed": "green", "failed": "red", "error": "red", "skipped": "yellow"}
    for r in session.results:
        word = click.style(r.outcome.upper(), fg=styles[r.outcome], bold=r.outcome != "passed")
        why = f" ({r.case.skip})" if r.outcome == "skipped" else ""
        click.echo(f"{r.case.id:<{width}}  {word}{why}")
        for m in r.mismatches:
            click.echo(f"    {m.message}")
        for cid, line in r.timelines.items():
            label = "timeline" if len(r.timelines) == 1 else f"timeline {cid}"
            click.echo(f"    {label}: {line}")
        if r.error:
            click.echo(f"    {r.error}")
    parts = [f"{counts['tests']} test{'s' if counts['tests'] != 1 else ''}"]
    parts.append(f"{counts['passed']} passed")
    parts.append(f"{counts['failed']} failed")
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} skipped")
    if counts["errors"]:
        parts.append(f"{counts['errors']} could not run")
    if counts["file_errors"]:
        n = counts["file_errors"]
        parts.append(f"{n} bad test file{'s' if n != 1 else ''}")
    if counts["deselected"]:
        parts.append(f"{counts['deselected']} deselected")
    line = ", ".join(parts)
    if len(covered) == 1:
        line += f" · {covered[0].transitions_line()} · {covered[0].rules_line()}"
    click.echo(line)
    if len(covered) > 1:
        for cov in covered:
            click.echo(
                f"  {cov.policy_id} {cov.version}: {cov.transitions_line()} · {cov.rules_line()}"
            )
    raise SystemExit(session.exit_code())
