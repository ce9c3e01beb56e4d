"""What `rulekit validate` does once its arguments are read, by click (`rulekit.cli.validate`)
or by the fast path (`rulekit.cli.fast`): check the files, print the outcome, exit 0/1/2."""

from __future__ import annotations

from collections.abc import Callable

from rulekit.cli.terminal import EXIT_INVALID, EXIT_OK, EXIT_USAGE, stdout_is_tty

#: `click.echo(message, err=...)` or its click-free twin `rulekit.cli.terminal.echo`
Echo = Callable[[str, bool], None]


def run(
    files: tuple[str, ...], fmt: str, strict: bool, policy_path: tuple[str, ...], echo: Echo
) -> None:
    """Check `files` (paths, folders or ID@MAJOR references) and print the outcome in `fmt`;
    raises SystemExit with the exit code."""
    from rulekit.api import validate_report
    from rulekit.report import diagnostics as render

    policies, test_files, test_errors = sort_out(files)
    files = tuple(policies + test_files)
    report = validate_report(policies, policy_path=policy_path)
    diags = report.diagnostics
    valid = not test_errors and not any(d.is_error or (strict and not d.is_error) for d in diags)
    for line in test_errors:
        echo(line, True)
    if fmt == "json":
        echo(render.to_json(diags, valid), False)
    elif fmt == "github":
        if diags:
            echo(render.to_github(diags), False)
    elif fmt == "gitlab":
        from rulekit.report.gitlab import to_gitlab

        echo(to_gitlab(diags, files[0]), False)
    else:
        if diags:
            echo(render.to_text(diags, color=stdout_is_tty()), False)
        if test_errors:
            n = sum(1 for line in test_errors if ": error: " in line)
            echo(f"{n} error{'s' if n != 1 else ''} in test files; see above", False)
        elif test_files and not diags:
            n, m = len(policies), len(test_files)
            echo(
                f"{n} polic{'y' if n == 1 else 'ies'} and {m} test file{'s' if m != 1 else ''}"
                f" valid: {', '.join(files)}",
                False,
            )
        else:
            echo(render.summary(diags, list(files)), False)
    if report.unreadable:
        raise SystemExit(EXIT_USAGE)
    raise SystemExit(EXIT_OK if valid else EXIT_INVALID)


def sort_out(names: tuple[str, ...]) -> tuple[list[str], list[str], list[str]]:
    """(the policies, the test files, the test files' errors) among `names`: a folder gives
    the YAML files in it (recursively, hidden folders left out); a file with a top-level
    `tests:` key is a test file, checked as one (its format, and its policy's existence)."""
    from pathlib import Path

    from rulekit.testing.detect import SKIP_DIRS, looks_like_test_file

    files: list[str] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = sorted(
                p
                for p in [*path.rglob("*.yaml"), *path.rglob("*.yml")]
                if not any(part.startswith(".") or part in SKIP_DIRS for part in p.parts[:-1])
            )
            files += [str(p) for p in found]
        else:
            files.append(name)
    policies, tests, errors = [], [], []
    for name in files:
        path = Path(name)
        if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
            policies.append(name)
        elif _readable(path) and looks_like_test_file(path):
            tests.append(name)
            from rulekit.testing.cases import TestFileError, load

            try:
                tf = load(path)
            except TestFileError as exc:
                errors += exc.lines()
                continue
            if tf.policy and not tf.policy.count("@") and not (tf.folder / tf.policy).exists():
                errors.append(f"{name}: error: its policy `{tf.policy}` is not a file")
        else:
            policies.append(name)
    return policies, tests, errors


def _readable(path: object) -> bool:
    """True if the file reads as UTF-8 (else `validate` reports it as a policy: RK001)."""
    from pathlib import Path

    try:
        Path(str(path)).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    return True
