"""Profile `rulekit.engine.runner.run` over a generated snapshot (where does the time go?).

python benchmarks/profile_run.py [--records 100000] [--top 25] [--sort tottime]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    args = parser.parse_args()
    import rulekit
    from rulekit.api import _instant
    from rulekit.engine import runner
    from rulekit.tables import Table

    columns, rows = data.snapshot(args.records, max(100, args.records // 100), seed=1)
    policy = rulekit.load("4321-dcbao@1")
    as_of = _instant(data.AS_OF, policy)
    table = Table("<snapshot>", None, columns, rows, None)
    profile = cProfile.Profile()
    profile.runcall(runner.run, policy, table, as_of)
    stats = pstats.Stats(profile)
    stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
