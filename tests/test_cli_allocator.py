"""The console script tells polars' allocator to give freed pages back at once, before polars
loads, and leaves a setting of the environment's own alone."""

from __future__ import annotations

import os
import subprocess
import sys

from rulekit.cli.main import ALLOCATOR
from tests.conftest import ROOT

_SHOW = """
import os, sys
import rulekit.cli.main as cli
loaded = 'polars' in sys.modules
try:
    cli.main(['--version'])
except SystemExit:
    pass
print(loaded, os.environ.get('_RJEM_MALLOC_CONF'))
"""


def _shown(env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", _SHOW], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1].split(" ", 1)


def test_the_allocator_is_told_before_polars_loads() -> None:
    env = {k: v for k, v in os.environ.items() if k != ALLOCATOR[0]}
    assert _shown(env) == ["False", ALLOCATOR[1]]  # not loaded yet: the setting takes


def test_a_setting_of_the_environment_is_kept() -> None:
    env = {**os.environ, ALLOCATOR[0]: "dirty_decay_ms:5000"}
    assert _shown(env) == ["False", "dirty_decay_ms:5000"]
