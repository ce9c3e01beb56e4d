"""The HTML report of `rulekit dry-run --html`: page structure, escaping, offline-ness, and a
real render in headless Chromium (skipped when no chromium is on PATH)."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from rulekit import api
from rulekit.analysis.diff import diff
from rulekit.analysis.dryrun import Change, DryRun, dry_run
from rulekit.report import html_flow, svg
from rulekit.report.html import render_html, write_html
from rulekit.report.html_tables import MAX_CHANGED
from rulekit.tables import read_table
from tests.browser import chromium, png
from tests.conftest import EXAMPLES, history_generator, overlay

AS_OF = "2026-06-30"


def _run(events: Path, baseline: str | Path, candidate: str | Path) -> DryRun:
    a, b = api.load(str(baseline)), api.load(str(candidate))
    return dry_run(a, b, read_table(events), api._instant(AS_OF, a))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    generator = history_generator()
    generate, write_csv = generator.generate, generator.write_csv
    path = tmp_path_factory.mktemp("history") / "h.csv"
    write_csv(str(path), generate(8000, 800, reps=12, seed=3))
    return path


@pytest.fixture(scope="module")
def run(history: Path) -> DryRun:
    return _run(history, "4321-dcbao@1", EXAMPLES / "acme-valves" / "policy.yaml")


@pytest.fixture(scope="module")
def page(run: DryRun) -> str:
    return render_html(run)


def chart(page: str, chart_id: str) -> str:
    """The `<svg id=chart_id>` element's text; it must be well-formed XML."""
    found = re.search(rf'<svg id="{chart_id}".*?</svg>', page, re.S)
    assert found, f"no {chart_id}"
    ET.fromstring(found.group(0))
    return found.group(0)


def bars(fragment: str, css: str) -> int:
    return fragment.count(f'<rect class="bar {css}"')


def test_page_is_one_self_contained_utf8_document(run: DryRun, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    write_html(run, str(target))
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text
    assert "Noto Sans CJK SC" in text and "PingFang SC" in text and "Microsoft YaHei" in text
    lowered = text.lower()
    assert "http://" not in lowered and "https://" not in lowered
    for reference in ("<link", "<img", "<iframe", "@import", " src=", "xlink:href", "//cdn"):
        assert reference not in lowered, reference
    assert set(re.findall(r"url\(([^)]*)\)", text)) <= {
        "#arrow-event",
        "#arrow-timer",
        "#arrow-idle",
    }
    assert text.count("<svg ") == 4


def test_header_names_both_policies(run: DryRun, page: str) -> None:
    header = page[page.index("<header") : page.index("</header>")]
    for needle in ("4321-dcbao", "1.0.0", "acme-valves", "2.1.0", "某工业阀门", "2026-06-30"):
        assert needle in header
    assert f"{run.baseline.events:,} events" in header


def test_policy_diff_lines_with_file_and_line(run: DryRun, page: str) -> None:
    items = diff(run.baseline_policy, run.candidate_policy)
    lines = re.findall(r'<li class="diff-item (\w+)">(.*?)</li>', page)
    assert len(lines) == len(items) == 7
    for item, (kind, body) in zip(items, lines, strict=True):
        assert kind == item.kind and svg.esc(item.describe()) in body
    assert "transitions.lapse.after 90d → 60d" in page
    assert re.search(
        r"quota\.limit 50 → 30</code><span class=\"where\">[^<]*policy\.yaml:13<", page
    )
    # a removal has no span in the candidate's value: it points at the overlay's entry
    assert re.search(r"claim\.approval removed.*?policy\.yaml:17<", page)


def test_states_chart_groups_baseline_and_candidate(run: DryRun, page: str) -> None:
    states = run.candidate.world.program.states if run.candidate.world else []
    fragment = chart(page, "chart-states")
    assert bars(fragment, "base") == bars(fragment, "cand") == len(states) == 10
    for state in states:
        assert f">{svg.esc(state)}</text>" in fragment
    count = Counter(c.state for c in run.candidate.customers)["L"]
    assert f"L · candidate acme-valves 2.1.0: {count:,}</title>" in fragment


def test_refusals_chart_has_a_pair_per_reason(run: DryRun, page: str) -> None:
    reasons = {r.reason for r in run.baseline.rejected} | {r.reason for r in run.candidate.rejected}
    fragment = chart(page, "chart-refusals")
    assert bars(fragment, "base") == bars(fragment, "cand") == len(reasons) >= 3
    for reason in reasons:
        assert f">{reason}</text>" in fragment


def test_slots_chart_marks_each_limit(run: DryRun, page: str) -> None:
    fragment = chart(page, "chart-slots")
    reps = {r.rep for r in run.baseline.reps} | {r.rep for r in run.candidate.reps}
    assert bars(fragment, "base") == bars(fragment, "cand") == len(reps) == 12
    assert fragment.count('class="limit"') == 2 * len(reps)
    assert "of 50</title>" in fragment and "of 30</title>" in fragment


def test_flow_chart_counts_transitions_on_edges(run: DryRun, page: str) -> None:
    fragment = chart(page, "chart-flow")
    policy = run.candidate_policy
    same = {n for n, t in policy.model.transitions.items() if t.to == "same"}
    edges = [e for e in policy.states.edges if e.transition not in same]
    assert fragment.count('<path class="edge ') == len(edges)
    timers = sum(1 for e in edges if e.trigger.is_timer)
    assert fragment.count('<path class="edge timer"') == timers == 3
    assert fragment.count('stroke-dasharray="7 4" marker-end') == timers
    taken = run.candidate.world.taken if run.candidate.world else Counter()
    for name in ("lapse", "sign", "claim", "release"):
        assert f'{name} <tspan font-weight="700">{taken[name]:,}</tspan>' in fragment
    assert "release" in fragment and "(5 sources)" in fragment
    assert "state unchanged: reassign" in fragment  # to: same transitions are listed
    assert fragment.count('<g class="node">') == len(policy.states.nodes) == 11
    assert ">公开客户</text>" in fragment


def test_tables(run: DryRun, page: str) -> None:
    for table_id in ("table-states", "table-refusals", "table-slots", "table-changed"):
        assert f'<table id="{table_id}" class="sortable">' in page
    changed = page[page.index('id="table-changed"') :]
    changed = changed[: changed.index("</table>")]
    assert changed.count("<tr>") == 1 + len(run.changed) > 0
    assert 'id="changed-note"' not in page


def test_changed_customers_are_cut_at_2000_with_a_note(run: DryRun) -> None:
    many = [Change(f"X{i:05d}", ("D", "rep1"), ("L", None)) for i in range(MAX_CHANGED + 345)]
    text = render_html(dataclasses.replace(run, changed=many))
    table = text[text.index('id="table-changed"') :]
    assert table[: table.index("</table>")].count("<tr>") == 1 + MAX_CHANGED
    assert ">X01999<" in table and ">X02000<" not in table
    assert 'id="changed-note">Showing the first 2,000 of 2,345 changed customers' in text


def test_user_strings_are_escaped(write: Callable[..., Path], tmp_path: Path) -> None:
    evil = '<script>alert("x")</script>'
    policy = write(overlay(f"title: '{evil} & 测试'\nquota: {{limit: 2}}\n", id="evil"))
    events = tmp_path / "events.csv"
    rows = [
        "at,customer,type,actor,stage,to",
        '2026-01-02 09:00,C1,archive,"rep<y>",,',
        "2026-01-03 09:00,C2,archive,rep'2,,",
        "2026-01-04 09:00,C3,archive,rep'2,,",
        '2026-01-05 09:00,"C<x>&1",archive,rep\'2,,',  # over the candidate's limit of 2
        '2026-01-06 09:00,C1,promote,"rep<y>",D,',
    ]
    events.write_text("\n".join(rows) + "\n", encoding="utf-8")
    text = render_html(_run(events, "4321-dcbao@1", policy))
    assert "<script>alert" not in text and "<x>" not in text and "<y>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 测试" in text
    assert "C&lt;x&gt;&amp;1" in text and "rep&lt;y&gt;" in text and "rep&#x27;2" in text
    for chart_id in ("chart-states", "chart-refusals", "chart-slots", "chart-flow"):
        chart(text, chart_id)  # still well-formed
    assert "quota_exceeded" in chart(text, "chart-refusals")


def test_empty_run_renders(write: Callable[..., Path], tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("at,customer,type,actor,stage,to\n", encoding="utf-8")
    text = render_html(_run(events, "4321-dcbao@1", "4321-dcbao@1"))
    assert "No customer ends differently." in text and ">none</p>" in text
    assert text.count("<svg ") == 4


# -- the real browser ------------------------------------------------------------------------

WIDTH, HEIGHT = 1400, 2400


def _bands(image: png.Image, colours: list[tuple[int, int, int]], gap: int = 60) -> list[range]:
    """Row ranges (separated by > gap rows) that contain pixels of exactly one of `colours`."""
    rows = []
    for y, row in enumerate(image.rows):
        for needle in map(bytes, colours):
            at = row.find(needle)
            while at != -1 and at % 3:
                at = row.find(needle, at + 1)
            if at != -1:
                rows.append(y)
                break
    bands: list[range] = []
    for y in rows:
        if bands and y - bands[-1].stop <= gap:
            bands[-1] = range(bands[-1].start, y + 1)
        else:
            bands.append(range(y, y + 1))
    return bands


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def test_real_browser_screenshot(run: DryRun, tmp_path: Path) -> None:
    exe = chromium.find()
    if exe is None:
        pytest.skip("no chromium on PATH (apt-get install -y chromium) for the browser test")
    page = tmp_path / "report.html"
    shot = tmp_path / "report.png"
    write_html(run, str(page))
    started = time.monotonic()
    done = chromium.screenshot(exe, page, shot, size=(WIDTH, HEIGHT))
    elapsed = time.monotonic() - started
    assert shot.exists(), f"no screenshot after {elapsed:.1f}s: {done.stderr[-2000:]}"
    if os.environ.get("RULEKIT_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["RULEKIT_SCREENSHOT"])
    assert png.size(shot) == (WIDTH, HEIGHT)
    image = png.read(shot)
    everything = image.colours()
    background = everything.most_common(1)[0][1]
    assert len(everything) > 200, "the page looks blank"
    assert background < 0.9 * WIDTH * HEIGHT, "the page looks blank"
    base, cand, limit = _rgb(svg.BASE), _rgb(svg.CAND), _rgb(svg.LIMIT)
    event, timer = _rgb(html_flow.EVENT), _rgb(html_flow.TIMER)
    # bar charts: states and refusals side by side, then slots; both colours in each band
    bands = [b for b in _bands(image, [base, cand]) if len(b) > 150]
    assert len(bands) >= 2, bands
    for band in bands[:2]:
        colours = image.colours((0, band.start, WIDTH, band.stop))
        assert colours[base] > 500 and colours[cand] > 500, band
        assert len(colours) > 20
    slots = image.colours((0, bands[1].start, WIDTH, bands[1].stop))
    assert slots[limit] > 100, "no slot limit markers"
    left = image.colours((0, bands[0].start, WIDTH // 2, bands[0].stop))
    right = image.colours((WIDTH // 2, bands[0].start, WIDTH, bands[0].stop))
    assert left[cand] > 300 and right[cand] > 300, "states and refusals charts side by side"
    # the flow chart: event and timer edges below the bar charts
    flow = [b for b in _bands(image, [event, timer]) if b.start > bands[1].stop]
    assert flow, "no flow chart edges"
    colours = image.colours((0, flow[0].start, WIDTH, flow[-1].stop))
    assert colours[event] > 1000 and colours[timer] > 100
    assert elapsed < 60
