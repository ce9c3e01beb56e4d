"""The sweep's law: each candidate's summary and `changed` equal those of `rulekit dry-run` with an
overlay file setting the same entries; its lapses and expected signings equal those of
`replay` and of `run` over the replayed snapshot under that overlay."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from rulekit.cli.main import cli
from tests.sweep.conftest import AS_OF

#: entries a random grid picks from, with values in each entry's own spelling.
POOL: dict[str, list[Any]] = {
    "quota.limit": [3, 6, 12, 40],
    "transitions.lapse.after": ["20d", "45d", "60d", "120d"],
    "transitions.deliver.after": ["10d", "30d", "50d"],
    "stages.C.target.reach": ["20%", "38%", "60%"],
    "transitions.claim.approval": ["admin", None],
}


def invoke(*args: str) -> dict[str, Any]:
    done = CliRunner().invoke(cli, list(args))
    assert done.exit_code == 0, done.stderr + done.stdout
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def spelled(value: Any) -> str:
    return "null" if value is None else str(value)


def overlay_file(folder: Path, baseline: Path, params: dict[str, Any], n: int) -> Path:
    """An overlay extending the baseline that sets each dotted entry, written by hand (in
    `folder`, beside the baseline: a base named by its file must be in the overlay's tree)."""
    data: dict[str, Any] = {"rulekit": 1, "extends": baseline.name}
    for dotted, value in params.items():
        node = data
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    path = folder / f"candidate-{n}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", [1, 2])
def test_each_candidate_is_a_dry_run_of_its_overlay(
    seed: int, history: Path, baseline: Path, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    paths = rng.sample(sorted(POOL), 2)
    values = {p: rng.sample(POOL[p], 2) for p in paths}
    varies = [f"--vary={p}={','.join(spelled(v) for v in values[p])}" for p in paths]
    swept = invoke(
        "sweep", str(baseline), str(history), "--as-of", AS_OF, *varies,
        "--workers", "1", "--format", "json",
    )  # fmt: skip
    assert len(swept["candidates"]) == 4
    grid = [(a, b) for a in values[paths[0]] for b in values[paths[1]]]
    assert [tuple(c["params"].values()) for c in swept["candidates"]] == grid
    keys = ("policy", "counts", "states", "rejected")
    for n, candidate in enumerate(swept["candidates"]):
        assert set(candidate) == {"params", *keys, "expected_signings", "lapses", "changed"}
        policy = overlay_file(baseline.parent, baseline, candidate["params"], n)
        run = invoke(
            "dry-run", "--baseline", str(baseline), "--candidate", str(policy), str(history),
            "--as-of", AS_OF, "--format", "json",
        )  # fmt: skip
        assert {k: swept["baseline"][k] for k in keys} == run["baseline"]
        assert {k: candidate[k] for k in keys} == run["candidate"], candidate["params"]
        assert candidate["changed"] == len(run["changed"])
        snapshot = tmp_path / f"snapshot-{n}.csv"
        replayed = invoke(
            "replay", str(policy), str(history), "--as-of", AS_OF, "--format", "json",
            "--out", str(snapshot),
        )  # fmt: skip
        assert candidate["lapses"] == sum(c["lapses"] for c in replayed["customers"])
        evaluated = invoke("run", str(policy), str(snapshot), "--as-of", AS_OF, "--format", "json")
        total = round(sum(r["expected_signings"] for r in evaluated["reps"]), 6)
        assert candidate["expected_signings"] == pytest.approx(total, abs=1e-6)
