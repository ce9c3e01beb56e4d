"""Headless Chromium screenshots for tests: find the browser, render a local file, offline."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser")


def find() -> str | None:
    """The Chromium executable on PATH, or None."""
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(
    exe: str, page: Path, png: Path, *, size: tuple[int, int] = (1400, 2400), timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Render `page` (a local file) headless into `png`, with no network features on."""
    with tempfile.TemporaryDirectory(prefix="rulekit-chromium-") as profile:
        command = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={size[0]},{size[1]}",
            f"--screenshot={png}",
            page.resolve().as_uri(),
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
