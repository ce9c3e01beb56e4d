"""What the hostile-input tests share: running the CLI in-process and as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from rulekit.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent.parent
POLICY = str(ROOT / "policy" / "4321-dcbao.yaml")

HISTORY = """at,customer,type,actor,stage,to
2026-01-01 09:00,C1,archive,wang,,
2026-01-02,C1,promote,wang,D,
2026-01-03,C2,archive,admin,,
"""


def invoke(*args: str) -> tuple[int, str, str]:
    """Run `rulekit ARGS` in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def run_cli(*args: str, timeout: float = 60, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run `rulekit ARGS` as a subprocess (the console script's entry point)."""
    options: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    options.update(kwargs)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", "from rulekit.cli.main import main; main()", *args],
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        **options,
    )


def no_traceback(stderr: str) -> bool:
    return "Traceback" not in stderr
