"""`rulekit simulate POLICY --out FILE`: write a realistic, seeded event history for a policy."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import click

from rulekit.cli.common import policy_path_option
from rulekit.cli.engine_options import check_output, guarded, progress, writing

FORMATS = (".csv", ".tsv", ".xlsx", ".jsonl", ".ndjson", ".parquet", ".pq")


#: CSV, TSV and JSON Lines are written as the rows come; XLSX and Parquet are built in memory
STREAMED = (".csv", ".tsv", ".jsonl", ".ndjson")
#: the most customers one run writes to a file built in memory (XLSX, Parquet)
MAX_IN_MEMORY = 1_000_000
#: the most customers one run simulates at all: the engine keeps a record of each (about a
#: kilobyte)
MAX_CUSTOMERS = 100_000_000


def _start(text: str, days: int) -> datetime:
    from rulekit.timeutil import MAX_YEAR, MIN_YEAR

    try:
        begin = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"`{text}` is not a date (write 2026-01-01)", param_hint="--start"
        ) from None
    # the history must read back: every instant in the years rulekit takes
    if begin.year < MIN_YEAR or begin.year + days // 365 + 2 > MAX_YEAR:
        raise click.BadParameter(
            f"the history from {text} over {days:,} days leaves the years rulekit reads "
            f"({MIN_YEAR} to {MAX_YEAR})",
            param_hint="--start",
        )
    return begin


def _check_path(path: str, option: str, encoding: str) -> None:
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in FORMATS:
        raise click.BadParameter(
            f"cannot write {suffix or 'a file without extension'}; use one of {', '.join(FORMATS)}",
            param_hint=option,
        )
    if encoding != "utf-8" and suffix not in (".csv", ".tsv"):
        raise click.BadParameter(
            f"--encoding {encoding} applies to .csv files only, not {suffix}", param_hint=option
        )


@click.command("simulate")
@click.argument("policy")
@click.option("--reps", type=click.IntRange(1), default=20, show_default=True, help="Reps.")
@click.option(
    "--customers",
    type=click.IntRange(1),
    default=2000,
    show_default=True,
    help="Distinct customers archived over the period.",
)
@click.option(
    "--start", default="2026-01-01", show_default=True, help="First day (policy's timezone)."
)
@click.option("--days", type=click.IntRange(1), default=365, show_default=True, help="Days.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "--noise",
    type=click.FloatRange(0, 0.5),
    default=0.03,
    show_default=True,
    help="Share of deliberately wrong events (refused on replay).",
)
@click.option(
    "--admin",
    "admins",
    multiple=True,
    help="An admin's id (repeatable; default: admin).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="The history to write: .csv, .xlsx, .jsonl or .parquet.",
)
@click.option(
    "--people-out",
    type=click.Path(dir_okay=False),
    help="Also write the people (id, name, team, role) to FILE.",
)
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "gb18030"]),
    default="utf-8",
    show_default=True,
    help="CSV encoding: utf-8 (with BOM) or gb18030 (no BOM, as Chinese Excel saves).",
)
@policy_path_option
def command(
    policy: str,
    reps: int,
    customers: int,
    start: str,
    days: int,
    seed: int,
    noise: float,
    admins: tuple[str, ...],
    out: str,
    people_out: str | None,
    encoding: str,
    policy_path: tuple[str, ...],
) -> None:
    """Write a realistic, seeded event history for POLICY to --out.

    Reps archive, promote along the policy's stage path, release and renew; admins decide
    claims, publish lapsed customers and reassign; a --noise share of the events is wrong on
    purpose so that every refusal reason shows. The same seed writes the same file. CSV, TSV
    and JSON Lines are written as the rows come, so memory does not grow with the file.
    """
    begin = _start(start, days)
    _check_size(customers, out)
    _check_path(out, "--out", encoding)
    check_output("--out", out, [policy])
    if people_out:
        _check_path(people_out, "--people-out", encoding)
        check_output("--people-out", people_out, [policy, out])

    def work() -> Any:
        from rulekit import api
        from rulekit.simulate.simulator import Simulator
        from rulekit.simulate.world import PEOPLE_COLUMNS
        from rulekit.simulate.writer import write_rows

        compiled = api.load(policy, policy_path=policy_path)
        clock = time.perf_counter()
        sim = Simulator(compiled, reps, customers, begin, days, seed, admins or ("admin",), noise)
        with progress("simulating", days, enabled=True) as tick, writing(out):
            write_rows(out, sim.columns, _rows(sim, days, tick), encoding)
        if people_out:
            with writing(people_out):  # a failure names the file that failed
                write_rows(people_out, PEOPLE_COLUMNS, sim.people_rows, encoding)
        return sim, time.perf_counter() - clock

    sim, took = guarded(work)
    reasons = sim.refusals()
    refused = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))
    click.echo(
        f"wrote {sim.n_rows:,} events for {sim.archived:,} customers and {reps} reps "
        f"({sim.start:%Y-%m-%d} to {sim.end:%Y-%m-%d}, as-of {sim.end:%Y-%m-%d}) to {out} "
        f"in {took:.1f}s; the engine refused {reasons.total():,} "
        f"({refused or 'none'})",
        err=True,
    )


def _rows(sim: Any, days: int, tick: Callable[[int, int], None] | None) -> Iterator[dict[str, Any]]:
    """The simulated rows as they come, moving the progress bar (in days)."""
    for rows in sim.chunks():
        yield from rows
        if tick is not None:
            tick(sim.days_done, days)


def _check_size(customers: int, out: str) -> None:
    if customers > MAX_CUSTOMERS:
        raise click.BadParameter(
            f"at most {MAX_CUSTOMERS:,} customers in one run (the engine keeps a record of "
            "each, about a kilobyte)",
            param_hint="--customers",
        )
    suffix = os.path.splitext(out)[1].lower()
    if customers > MAX_IN_MEMORY and suffix not in STREAMED:
        raise click.BadParameter(
            f"at most {MAX_IN_MEMORY:,} customers in a {suffix} file (it is built in memory); "
            f"write {', '.join(STREAMED)} for more",
            param_hint="--customers",
        )
