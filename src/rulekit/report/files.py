"""Writing report files atomically: a temporary file in the same folder, renamed into place
when complete, so a failure (or a reader watching the folder) never sees half a report."""

from __future__ import annotations

import os
from pathlib import Path


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to `path` as UTF-8 with LF line ends, atomically."""
    target = Path(os.fspath(path))
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
