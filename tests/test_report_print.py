"""The dry-run HTML report prints (print stylesheet, no scroll boxes, cards whole), in
Chinese or English, with the as-of as a date, readable charts when one state dwarfs the
others, a flow diagram that keeps its size at 900 px, and the changed customers as an
embedded CSV link; the printed PDF is checked page by page (headless Chromium, pdftoppm)."""

from __future__ import annotations

import base64
import csv
import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import rulekit
from rulekit.analysis.dryrun import DryRun
from rulekit.report import svg
from rulekit.report.html import render_html
from rulekit.report.labels import Labels
from tests.browser import chromium, png
from tests.conftest import EXAMPLES

T = EXAMPLES / "tutorial"


@pytest.fixture(scope="module")
def run() -> DryRun:
    return rulekit.dry_run(T / "policy.yaml", T / "proposal.yaml", T / "crm-export.xlsx",
                           as_of="2026-06-30", people=T / "people.csv")  # fmt: skip


def test_print_stylesheet(run: DryRun) -> None:
    page = render_html(run)
    media = page[page.index("@media print") :]
    assert ".scroll { max-height: none; overflow: visible;" in media
    assert "break-inside: avoid" in media and ".card" in media
    assert "@page" in page


ZH = ["规则试运行", "截至 2026-06-30", "下载 CSV"]
EN = ["Policy dry-run", "as of 2026-06-30"]


@pytest.mark.parametrize("lang, words", [("zh", ZH), ("en", EN)])
def test_language_and_as_of_date(run: DryRun, lang: str, words: list[str]) -> None:
    page = render_html(run, Labels(lang, run.candidate_policy))
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    for word in words:
        assert word in page
    meta = re.search(r'<div class="meta"[^>]*>(.*?)</div>', page)
    assert meta is not None and "T00:00:00" not in meta.group(1)


def test_changed_customers_csv_is_embedded(run: DryRun) -> None:
    page = render_html(run)
    found = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    assert found is not None and 'download="changed-customers.csv"' in page
    text = base64.b64decode(found.group(1)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "customer" and len(rows) == 1 + len(run.changed) == 45


def test_a_dwarfing_state_breaks_the_axis() -> None:
    series = [svg.Series("a", svg.BASE, "base", [2000, 12, 30, 7])]
    plain = svg.columns("c", ["L", "D", "C", "B"], series)
    broken = svg.columns("c", ["L", "D", "C", "B"], series, broken=True)
    assert 'class="break"' in broken and 'class="break"' not in plain

    def heights(chart: str) -> list[float]:
        return [
            float(h) for h in re.findall(r'<rect class="bar base"[^>]*height="([0-9.]+)"', chart)
        ]

    assert heights(plain)[2] < 5 < 100 < heights(broken)[2]  # C readable once L is cut
    assert ">2,000<" in broken  # the cut column says its value


def test_flow_keeps_its_size_on_screen(run: DryRun) -> None:
    page = render_html(run)
    assert "#flow svg.chart { min-width: 1100px; }" in page


def test_printed_pdf(run: DryRun, tmp_path: Path) -> None:
    exe = chromium.find()
    if exe is None or shutil.which("pdftoppm") is None:
        pytest.skip("no chromium or pdftoppm (apt-get install -y chromium poppler-utils)")
    page, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    page.write_text(render_html(run, Labels("zh", run.candidate_policy)), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="rulekit-chromium-") as profile:
        done = subprocess.run(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={pdf}", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert pdf.exists(), done.stderr[-2000:]
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert 2 <= len(pages) <= 12, len(pages)
    for shot in pages:
        image = png.read(shot)
        assert image.width > image.height  # A4 landscape
        colours = image.colours()
        white = colours.get((255, 255, 255), 0)
        assert white < 0.985 * image.width * image.height, f"{shot.name} is blank"
    # no scroll box cuts the changed customers in print: the last one is on a page
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert run.changed[-1].customer in text and "规则试运行" in text


def test_reps_are_named_in_the_html(run: DryRun) -> None:
    world = run.candidate.world
    assert world is not None
    page = render_html(run, Labels("en", run.candidate_policy, world.people))
    assert "宋晨琳 (rep02)" in page
