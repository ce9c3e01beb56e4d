"""The HTML report of `rulekit sweep --html`: heatmaps per objective over the first two varied
entries, the ranked table, escaping, an atomic write, and a real render in headless Chromium
(skipped when no chromium is on PATH)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rulekit import api
from rulekit.sweep import html as report
from rulekit.sweep.result import SweepResult
from rulekit.sweep.run import axes, ranking, sweep
from rulekit.tables import read_table
from tests.browser import chromium, png
from tests.sweep.conftest import AS_OF

WIDTH, HEIGHT = 1400, 1800
LIMITS = "quota.limit=4,-1,12"
WINDOWS = "transitions.lapse.after=20d,60d,120d"
MESSAGE = "rules.overdue.message=<b>&{customer}</b>,plain"


@pytest.fixture(scope="module")
def result(history: Path, baseline: Path) -> SweepResult:
    policy = api.load(str(baseline))
    grid_axes = axes(policy, [LIMITS, WINDOWS, MESSAGE])
    return sweep(
        policy,
        read_table(history),
        api._instant(AS_OF, policy),
        grid_axes,
        workers=1,
        rank_by=ranking(policy, "expected_signings - 0.1*refused"),
    )


@pytest.fixture(scope="module")
def page(result: SweepResult) -> str:
    return report.render_html(result)


def svg(page: str, chart_id: str) -> str:
    found = re.search(rf'<svg id="{chart_id}".*?</svg>', page, re.S)
    assert found, chart_id
    ET.fromstring(found.group(0))  # well-formed
    return found.group(0)


def test_self_contained(page: str) -> None:
    lowered = page.lower()
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "http://" not in lowered and "https://" not in lowered
    for reference in ("<link", "<img", "<iframe", "@import", " src=", "xlink:href"):
        assert reference not in lowered
    assert page.count("<svg ") == 5  # four objectives and the score


def test_a_heatmap_per_objective_over_the_first_two_entries(result: SweepResult, page: str) -> None:
    for name in ("expected_signings", "lapses", "refused", "changed", "score"):
        chart = svg(page, f"heatmap-{name}")
        assert chart.count('<rect class="cell"') == 9  # 3 limits × 3 windows
        assert chart.count(f'fill="{report.INVALID}"') == 3  # quota.limit=-1
        for label in (">4<", ">12<", ">20d<", ">120d<", "quota.limit →", "lapse.after ↓"):
            assert label in chart
    # each cell is the best of the two message variants: its tooltip names that candidate
    lapses = svg(page, "heatmap-lapses")
    shown = report.cells(result)
    for row in shown.values():
        assert f"rules.overdue.message={report.esc(row.params[MESSAGE.split('=')[0]])}" in lapses
    values = [row.objectives()["lapses"] for row in shown.values() if row.valid]
    assert f'fill="{report.colour(1.0)}"' in lapses and f'fill="{report.colour(0.0)}"' in lapses
    assert max(values) > min(values)


def test_ranked_table(result: SweepResult, page: str) -> None:
    table = page[page.index('<table id="table-candidates"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 1 + len(result.rows) == 19
    ranked = result.ranked()
    scores = [r.score for r in ranked if r.score is not None]
    assert scores == sorted(scores, reverse=True)
    first = table.index("<tbody>")
    assert f'data-v="{ranked[0].score!r}"' in table[first : first + 600]
    assert table.count('class="invalid"') == 6 and "RK104" in table


def test_user_text_is_escaped(page: str) -> None:
    assert "<b>&{customer}</b>" not in page
    assert "&lt;b&gt;&amp;{customer}&lt;/b&gt;" in page


def test_written_atomically(result: SweepResult, tmp_path: Path) -> None:
    target = tmp_path / "sweep.html"
    target.write_text("old", encoding="utf-8")
    report.write_html(result, str(target))
    assert target.read_text(encoding="utf-8") == report.render_html(result)
    assert [p.name for p in tmp_path.iterdir()] == ["sweep.html"]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def test_real_browser_screenshot(result: SweepResult, tmp_path: Path) -> None:
    exe = chromium.find()
    if exe is None:
        pytest.skip("no chromium on PATH (apt-get install -y chromium) for the browser test")
    page, shot = tmp_path / "sweep.html", tmp_path / "sweep.png"
    report.write_html(result, str(page))
    done = chromium.screenshot(exe, page, shot, size=(WIDTH, HEIGHT))
    assert shot.exists(), done.stderr[-2000:]
    assert png.size(shot) == (WIDTH, HEIGHT)
    image = png.read(shot)
    colours = image.colours()
    assert len(colours) > 200, "the page looks blank"
    high, low, invalid = _rgb(report.colour(1.0)), _rgb(report.colour(0.0)), _rgb(report.INVALID)
    cell = (report.CELL_W - 2) * (report.CELL_H - 2)
    # every heatmap has its darkest and lightest cells and three invalid ones, drawn full size
    assert colours[high] > 0.5 * cell * 4, colours[high]
    assert colours[invalid] > 0.8 * cell * 3 * 5, colours[invalid]
    assert colours[low] > 0.5 * cell * 4
    # the heatmaps sit side by side: the darkest colour appears in both halves of the page
    left = image.colours((0, 0, WIDTH // 2, HEIGHT))
    right = image.colours((WIDTH // 2, 0, WIDTH, HEIGHT))
    assert left[high] > cell / 2 and right[high] > cell / 2
