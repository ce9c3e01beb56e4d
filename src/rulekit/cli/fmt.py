"""`rulekit fmt [--check] [--diff] FILE...`: rewrite policy files in their canonical layout."""

from __future__ import annotations

import difflib
import sys

import click

from rulekit.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE


@click.command("fmt")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print the changes.")
def command(files: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Lay out policy FILES canonically: key order of the reference, two-space indent, flow
    style for short mappings, conditions re-spaced; comments are kept (docs/formatting.md).

    Rewrites the files that change, unless --check or --diff. `-` reads standard input and
    writes the result to standard output. Exit 0 when done (with --check: when nothing would
    change), 1 when --check finds a file to change, 2 when a file cannot be read or formatted.
    """
    from rulekit.authoring.fmt import format_text
    from rulekit.authoring.fmt_layout import FmtError

    changed: list[str] = []
    unwritten = 0  # files that would change but could not be written
    failed = False
    for path in files:
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                from rulekit.safeio import read_capped

                text = read_capped(path, 2_000_000).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"{path}: error: cannot read the file ({exc})", err=True)
            failed = True
            continue
        try:
            result = format_text(text, path)
        except FmtError as exc:
            click.echo(f"{path}:{exc.line}:{exc.column}: error: {exc.message}", err=True)
            failed = True
            continue
        if path == "-" and not (check or show_diff):
            sys.stdout.write(result)
            continue
        if result == text:
            continue
        changed.append(path)
        if show_diff:
            diff = difflib.unified_diff(
                text.splitlines(keepends=True),
                result.splitlines(keepends=True),
                fromfile=f"{path} (original)",
                tofile=f"{path} (formatted)",
            )
            sys.stdout.write("".join(diff))
        if check:
            click.echo(f"would reformat {path}", err=True)
        elif not show_diff:
            from rulekit.safeio import write_text_atomic

            try:  # a full disk or a kill leaves the policy as it was, never cut short
                write_text_atomic(path, result)
            except OSError as exc:
                click.echo(
                    f"{path}: error: cannot write the file ({exc.strerror or exc})", err=True
                )
                changed.pop()
                unwritten += 1
                failed = True
                continue
            click.echo(f"reformatted {path}", err=True)
    if check and changed:
        click.echo(f"{len(changed)} file(s) would be reformatted", err=True)
    elif not check and not show_diff and files != ("-",):
        unchanged = len(files) - len(changed) - unwritten
        left = f", {unwritten} not written (left as they were)" if unwritten else ""
        click.echo(f"{len(changed)} file(s) reformatted, {unchanged} unchanged{left}", err=True)
    if failed:
        raise SystemExit(EXIT_USAGE)
    raise SystemExit(EXIT_INVALID if check and changed else EXIT_OK)
