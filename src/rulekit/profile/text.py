"""The terminal report of `rulekit profile`: one line per rep (and per team) with a bar per
stage against its target and the weakest capability, then the stage table (count, conversion,
reach and median days against their targets) of the whole run, or of the rep with `--rep`.

Bars fill to the target (a full bar is 100% or more); green at or above target, yellow from
half of it, red below half.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.markup import escape as esc

from rulekit.profile.model import CycleProfiles, Profile, ProfileReport, StageFigure
from rulekit.report.labels import label

BLOCKS = " ▏▎▍▌▋▊▉█"
BAR = 6


def bar(attainment: float | None, width: int = BAR) -> str:
    """A bar of `width` cells filled to min(attainment, 1), in eighths, coloured."""
    if attainment is None:
        return "[dim]" + "·" * width + "[/]"
    eighths = round(min(max(attainment, 0.0), 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    body = "█" * full + (BLOCKS[part] if part else "")
    body += "·" * (width - len(body))
    colour = "green" if attainment >= 1 else "yellow" if attainment >= 0.5 else "red"
    return f"[{colour}]{body}[/]"


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal cells (Chinese is 2 cells wide)."""
    return text + " " * max(0, width - cell_len(text))


def percent(value: float | None) -> str:
    """A ratio as a whole percentage, or an em dash."""
    return "—" if value is None else f"{value * 100:.0f}%"


def days(value: float | None) -> str:
    """Days to one decimal, or an em dash."""
    return "—" if value is None else f"{value:.1f}"


def target_text(value: float | None) -> str:
    """A target count: whole numbers without decimals."""
    if value is None:
        return "—"
    return f"{value:g}"


def weakest_text(report: ProfileReport, p: Profile) -> str:
    """`weakest C 互动价值 32%`, or a note that no stage is below target."""
    lang = report.lang
    if p.weakest is None:
        return f"[green]{label('none_below', lang)}[/]"
    s = report.stage(p.weakest)
    name = s.capability_label(lang) or s.label(lang)
    att = percent(p.figure(p.weakest).attainment)
    return f"{label('weakest', lang)} [bold]{esc(s.code)} {esc(name)}[/] {att}"


def _numbers(f: StageFigure) -> str:
    return f"{f.count}/{target_text(f.target)}"


def _stage_cell(f: StageFigure, width: int) -> str:
    return f"{esc(f.stage)} {bar(f.attainment)} {pad(_numbers(f), width)}"


def line(report: ProfileReport, p: Profile, who: int, team: int, numbers: int = 7) -> str:
    """One subject's line: who, team, a bar per stage, the weakest capability."""
    if p.kind == "rep":
        head = pad(esc(p.id + (f" {p.name}" if p.name else "")), who)
        head += "  " + pad(esc(p.team or "—"), team)
    elif p.kind == "team":
        head = pad(esc(p.id), who) + "  " + pad(f"{p.reps} {label('reps', report.lang)}", team)
    else:
        head = pad(label("all", report.lang), who) + "  " + pad(f"{p.reps}", team)
    cells = "  ".join(_stage_cell(f, numbers) for f in p.stages)
    return f"{head}  {cells}  {weakest_text(report, p)}"


def stage_table(report: ProfileReport, p: Profile) -> list[str]:
    """The stage figures of one profile against the targets, one line per stage."""
    lang = report.lang
    heads = [
        label("stage", lang),
        label("capability", lang),
        f"{label('count', lang)}/{label('target', lang)}",
        label("conversion", lang),
        label("reach", lang),
        label("median_days", lang),
    ]
    rows = []
    for f in p.stages:
        s = report.stage(f.stage)
        first, second = (
            (s.capability, s.capability_title)
            if lang == "zh"
            else (s.capability_title, s.capability)
        )
        capability = " ".join(x for x in (first, second) if x) or "—"
        rows.append(
            [
                f"{s.code} {s.label(lang)}",
                capability,
                f"{f.count}/{target_text(f.target)} ({percent(f.attainment)})",
                f"{percent(f.conversion)} ({percent(f.conversion_target)})",
                f"{percent(f.reach)} ({percent(f.reach_target)})",
                f"{days(f.median_days)} ({days(f.days_target)}) n={f.days_known}",
            ]
        )
    widths = [max(cell_len(r[i]) for r in [heads, *rows]) for i in range(len(heads))]
    out = ["  ".join(pad(esc(h), w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    out += [
        "  ".join(pad(esc(c), w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return out


def _widths(profiles: Sequence[Profile], report: ProfileReport) -> tuple[int, int]:
    who = [cell_len(p.id + (f" {p.name}" if p.name else "")) for p in profiles]
    who.append(cell_len(label("all", report.lang)))
    team = [cell_len(p.team or "—") for p in profiles] + [8]
    return max(who), max(team)


def cycle_lines(report: ProfileReport, c: CycleProfiles, *, detail: bool) -> list[str]:
    """The lines of one cycle: reps, teams, the whole run, and (detail) the stage table."""
    lang = report.lang
    out = [
        f"[bold]{label('cycle', lang)} {c.cycle.index}[/] ({esc(str(report.length))}): "
        f"{esc(report.iso(c.cycle.start))} < t ≤ {esc(report.iso(c.cycle.end))} · "
        f"{c.promotions:,} {label('promotions', lang)}"
    ]
    who, team = _widths([*c.reps, *c.teams], report)
    shown = [*c.reps, *c.teams, c.total]
    numbers = max(len(_numbers(f)) for p in shown for f in p.stages) if c.total.stages else 0
    out += [line(report, p, who, team, numbers) for p in c.reps]
    if c.teams:
        out.append("")
        out += [line(report, p, who, team, numbers) for p in c.teams]
    if len(c.reps) != 1:
        out.append(line(report, c.total, who, team, numbers))
    if c.unattributed:
        loose = " · ".join(f"{k} {v}" for k, v in c.unattributed.items())
        out.append(f"[dim]{label('unattributed', lang)}: {esc(loose)}[/]")
    if detail:
        subject = c.reps[0] if len(c.reps) == 1 else c.total
        out.append("")
        out.append(f"[bold]{esc(subject.id if subject.kind != 'all' else label('all', lang))}[/]")
        out += stage_table(report, subject)
    return out


def lines(report: ProfileReport) -> list[str]:
    """Every line of the report (rich markup)."""
    lang = report.lang
    kind = label("history" if report.mode == "replay" else "snapshot", lang)
    targets = " · ".join(f"{s.code} {target_text(s.count)}" for s in report.stages)
    out = [
        f"[bold]{label('profile', lang)}[/] · {esc(report.policy_id)} {esc(report.policy_version)}"
        f" · {kind} {esc(report.path)} · {label('as_of', lang)} {esc(report.iso(report.as_of))}",
        f"{label('target', lang)} / {label('rep', lang)} / {label('cycle', lang)}: {targets}",
        "",
    ]
    for c in report.cycles:
        out += cycle_lines(report, c, detail=c.cycle.index == 0)
        out.append("")
    return out[:-1]
