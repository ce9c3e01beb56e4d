"""`rulekit simulate POLICY --out FILE`: write a realistic, seeded event history for a policy."""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import Any

import click

from rulekit.cli.common import policy_path_option
from rulekit.cli.engine_options import check_output, guarded, writing

FORMATS = (".csv", ".tsv", ".xlsx", ".jsonl", ".ndjson", ".parquet", ".pq")


#: the most customers one run writes: the rows are built in memory before they are written
MAX_CUSTOMERS = 1_000_000


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
    purpose so that every refusal reason shows. The same seed writes the same file. The
    summary on stderr comes from replaying the written file.
    """
    begin = _start(start, days)
    if customers > MAX_CUSTOMERS:
        raise click.BadParameter(
            f"at most {MAX_CUSTOMERS:,} customers in one run (the history is built in memory)",
            param_hint="--customers",
        )
    _check_path(out, "--out", encoding)
    check_output("--out", out, [policy])
    if people_out:
        _check_path(people_out, "--people-out", encoding)
        check_output("--people-out", people_out, [policy, out])

    def work() -> Any:
        from rulekit import api
        from rulekit.simulate.simulator import simulate
        from rulekit.simulate.world import PEOPLE_COLUMNS
        from rulekit.simulate.writer import write_rows

        compiled = api.load(policy, policy_path=policy_path)
        clock = time.perf_counter()
        sim = simulate(
            compiled,
            reps=reps,
            customers=customers,
            start=begin,
            days=days,
            seed=seed,
            admins=admins or ("admin",),
            noise=noise,
        )
        generated = time.perf_counter() - clock
        with writing(out):
            write_rows(out, sim.columns, sim.rows, encoding)
        if people_out:
            with writing(people_out):  # a failure names the file that failed
                write_rows(people_out, PEOPLE_COLUMNS, sim.people, encoding)
        clock = time.perf_counter()
        result = api.replay(compiled, out, as_of=sim.end, people=sim.people)
        replayed = time.perf_counter() - clock
        return sim, result.document(), generated, replayed

    sim, doc, generated, replayed = guarded(work)
    reasons: dict[str, int] = {}
    for row in doc["rejected"]:
        reasons[row["reason"]] = reasons.get(row["reason"], 0) + 1
    refused = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))
    click.echo(
        f"wrote {len(sim.rows):,} events for {sim.customers:,} customers and {reps} reps "
        f"({sim.start:%Y-%m-%d} to {sim.end:%Y-%m-%d}, as-of {sim.end:%Y-%m-%d}) to {out} "
        f"in {generated:.1f}s; replayed in {replayed:.1f}s: {doc['counts']['rejected']:,} "
        f"refused ({refused or 'none'})",
        err=True,
    )
