"""The HTML report of `rulekit profile --html`: structure, escaping, offline-ness, and a real
render in headless Chromium (skipped when no chromium is on PATH)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rulekit import api
from rulekit.profile import charts
from rulekit.profile.html import render_html, write_html
from rulekit.profile.model import ProfileReport
from rulekit.report import svg
from tests.browser import chromium, png
from tests.conftest import EXAMPLES

CLIENT = EXAMPLES / "jinghua-env"


@pytest.fixture(scope="module")
def report() -> ProfileReport:
    return api.profile(
        str(CLIENT / "policy.yaml"),
        str(CLIENT / "history.csv"),
        as_of="2027-01-01",
        people=str(CLIENT / "people.csv"),
        cycles=2,
        lang="en",
    )


def charts_in(page: str) -> dict[str, str]:
    """Every `<svg id=...>` of the page; each must be well-formed XML."""
    found = {}
    for match in re.finditer(r'<svg id="([^"]+)".*?</svg>', page, re.S):
        ET.fromstring(match.group(0))
        found[match.group(1)] = match.group(0)
    return found


def test_one_chart_per_rep_and_the_team_distribution(report: ProfileReport) -> None:
    page = render_html(report)
    found = charts_in(page)
    reps = report.current.reps
    assert len(reps) == 20
    assert [k for k in found if k.startswith("chart-rep-")] == [f"chart-rep-{i}" for i in range(20)]
    assert "chart-distribution" in found
    assert len([k for k in found if k.startswith("chart-team-")]) == len(report.current.teams) == 3
    first = found["chart-rep-0"]
    assert first.count('<rect class="bar') == 5 and first.count('class="target"') == 5
    assert first.count('class="bar weak"') == (1 if reps[0].weakest else 0)
    assert found["chart-distribution"].count('<circle class="dot"') == 20 * 5
    assert 'id="table-trend"' in page  # --cycles 2: every rep per cycle


def test_page_is_self_contained_and_escaped(tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    history.write_text(
        "at,customer,type,actor,stage\n"
        "2026-01-01,c1,archive,<script>alert(1)</script>,\n"
        "2026-01-02,c1,promote,<script>alert(1)</script>,D\n",
        encoding="utf-8",
    )
    target = tmp_path / "p.html"
    write_html(
        api.profile("4321-dcbao@1", str(history), as_of="2026-02-01", lang="zh"), str(target)
    )
    text = target.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text and "能力定性" in text and "获客能力" in text
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)" in text
    lowered = text.lower()
    for reference in ("http://", "https://", "<link", "<img", "@import", " src=", "xlink:href"):
        assert reference not in lowered, reference
    assert not list(tmp_path.glob(".*.tmp"))


# -- the real browser ------------------------------------------------------------------------

WIDTH, HEIGHT = 1400, 3200


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def test_real_browser_screenshot(report: ProfileReport, tmp_path: Path) -> None:
    exe = chromium.find()
    if exe is None:
        pytest.skip("no chromium on PATH (apt-get install -y chromium) for the browser test")
    page, shot = tmp_path / "profile.html", tmp_path / "profile.png"
    write_html(report, str(page))
    done = chromium.screenshot(exe, page, shot, size=(WIDTH, HEIGHT))
    assert shot.exists(), f"no screenshot: {done.stderr[-2000:]}"
    image = png.read(shot)
    colours = image.colours()
    assert len(colours) > 200 and colours.most_common(1)[0][1] < 0.9 * WIDTH * HEIGHT
    bars, targets = _rgb(svg.CAND), _rgb(svg.LIMIT)
    median, weak = _rgb(charts.MEDIAN), _rgb(charts.WEAK)
    assert colours[bars] > 5000, "no bullet bars"
    assert colours[targets] > 1000, "no target marks"
    assert colours[median] > 300, "no median bars in the distribution"
    assert colours[weak] > 200, "no weakest-stage bar"
    # the distribution sits above the reps' bullet charts
    rows_with = [y for y in range(HEIGHT) if bytes(median) in image.rows[y]]
    rows_bars = [y for y in range(HEIGHT) if bytes(bars) in image.rows[y]]
    assert rows_with and rows_bars and min(rows_with) < max(rows_bars)


def test_dry_run_report_has_the_profile_section() -> None:
    from rulekit.analysis.dryrun import dry_run
    from rulekit.report.html import render_html as dry_run_html
    from rulekit.tables import read_table

    client = EXAMPLES / "lanxin-saas"
    a, b = api.load(str(client / "policy.yaml")), api.load(str(client / "proposal.yaml"))
    run = dry_run(
        a,
        b,
        read_table(str(client / "history.csv")),
        api._instant("2027-01-01", a),
        people=read_table(str(client / "people.csv")),
    )
    assert run.profiles is not None
    page = dry_run_html(run)
    section = re.search(r'<section class="panel" id="profile">.*?</section>', page, re.S)
    assert section is not None
    assert section.group(0).count("<tr>") == 1 + 5  # the head and a row per stage
    stages = run.profiles.stages()
    assert [s.stage for s in stages] == ["D", "C", "B", "A", "O"]
    assert (
        stages[1].baseline == 116 and stages[1].candidate == 61
    )  # C: fewer under 14-day recycling
