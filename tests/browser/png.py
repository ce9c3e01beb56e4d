"""A tiny PNG reader (stdlib only) for checking browser screenshots.

Reads 8-bit RGB or RGBA, non-interlaced PNGs, as headless Chromium writes them, into rows of
(r, g, b) pixels. Not a general decoder: palettes, 16-bit and Adam7 are refused.
"""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SIGNATURE = b"\x89PNG\r\n\x1a\n"

Pixel = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Image:
    """Decoded pixels: `rows[y]` is the bytes of row y, 3 bytes (R, G, B) per pixel."""

    width: int
    height: int
    rows: list[bytes]

    def pixel(self, x: int, y: int) -> Pixel:
        """The colour at (x, y)."""
        row = self.rows[y]
        return row[3 * x], row[3 * x + 1], row[3 * x + 2]

    def colours(self, box: tuple[int, int, int, int] | None = None) -> Counter[Pixel]:
        """How many pixels of each colour in `box` = (left, top, right, bottom), exclusive."""
        left, top, right, bottom = box or (0, 0, self.width, self.height)
        out: Counter[Pixel] = Counter()
        for y in range(top, bottom):
            row = self.rows[y]
            seg = row[3 * left : 3 * right]
            out.update(zip(seg[0::3], seg[1::3], seg[2::3], strict=True))
        return out


def size(path: Path) -> tuple[int, int]:
    """(width, height) from the IHDR chunk, without decoding."""
    data = path.read_bytes()[:24]
    if data[:8] != SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def read(path: Path) -> Image:
    """Decode an 8-bit RGB(A), non-interlaced PNG (alpha is dropped)."""
    data = path.read_bytes()
    if data[:8] != SIGNATURE:
        raise ValueError(f"{path} is not a PNG file")
    pos, idat, header = 8, bytearray(), b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, {interlace=}")
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(bytes(idat))
    rows: list[bytes] = []
    prev = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = _unfilter(raw[start], raw[start + 1 : start + 1 + stride], prev, bpp)
        rows.append(line if bpp == 3 else _drop_alpha(line))
        prev = line
    return Image(width, height, rows)


def _drop_alpha(line: bytes) -> bytes:
    out = bytearray(len(line) // 4 * 3)
    out[0::3], out[1::3], out[2::3] = line[0::4], line[1::4], line[2::4]
    return bytes(out)


def _unfilter(kind: int, line: bytes, prev: bytes, bpp: int) -> bytes:
    """Undo one scanline's filter (PNG spec §9)."""
    if kind == 0:
        return line
    if kind == 2:  # up
        return bytes((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
    out = bytearray(line)
    n = len(out)
    if kind == 1:  # sub
        for i in range(bpp, n):
            out[i] = (out[i] + out[i - bpp]) & 0xFF
    elif kind == 3:  # average
        for i in range(n):
            left = out[i - bpp] if i >= bpp else 0
            out[i] = (out[i] + ((left + prev[i]) >> 1)) & 0xFF
    elif kind == 4:  # paeth
        for i in range(n):
            a = out[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            out[i] = (out[i] + pred) & 0xFF
    else:
        raise ValueError(f"bad PNG filter type {kind}")
    return bytes(out)
