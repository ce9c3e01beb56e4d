"""The profile as a table (`--out profile.xlsx` or `.csv`): one row per cycle, subject and stage.

Long format, so a spreadsheet pivots it any way: columns `cycle, cycle_start, cycle_end,
kind (rep/team/all), id, name, team, reps, stage, stage_name, capability, capability_title,
count, target, attainment, conversion, conversion_target, reach, reach_target, median_days,
days_target, days_known, weakest`. Written by the project's table writer (atomically, the
format by the extension).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rulekit.profile.document import rounded
from rulekit.profile.model import Profile, ProfileReport

COLUMNS = [
    "cycle",
    "cycle_start",
    "cycle_end",
    "kind",
    "id",
    "name",
    "team",
    "reps",
    "stage",
    "stage_name",
    "capability",
    "capability_title",
    "count",
    "target",
    "attainment",
    "conversion",
    "conversion_target",
    "reach",
    "reach_target",
    "median_days",
    "days_target",
    "days_known",
    "weakest",
]


def rows(report: ProfileReport) -> Iterator[list[Any]]:
    """The rows of the table, cycles latest first, then reps, teams and the whole run."""
    for c in report.cycles:
        head = [c.cycle.index, report.iso(c.cycle.start), report.iso(c.cycle.end)]
        subjects: list[Profile] = [*c.reps, *c.teams, c.total]
        for p in subjects:
            who = [p.kind, p.id, p.name, p.team, p.reps]
            for f in p.stages:
                s = report.stage(f.stage)
                yield [
                    *head,
                    *who,
                    f.stage,
                    s.label(report.lang),
                    s.capability,
                    s.capability_title,
                    f.count,
                    rounded(f.target),
                    rounded(f.attainment),
                    rounded(f.conversion),
                    rounded(f.conversion_target),
                    rounded(f.reach),
                    rounded(f.reach_target),
                    rounded(f.median_days),
                    rounded(f.days_target),
                    f.days_known,
                    int(p.weakest == f.stage),
                ]


def write_sheet(report: ProfileReport, path: str) -> int:
    """Write the table to `path` (.xlsx, .csv, .tsv, .jsonl, .parquet); return its rows."""
    from rulekit.tables import write_table

    table = list(rows(report))
    write_table(path, COLUMNS, table)
    return len(table)
