"""The conformance report as a browser shows it: headless Chromium renders the page, and the
tests read back the DOM it built and the pixels it painted.

Why a real browser: an HTML validator proves the markup is well formed, not that the page
paints the matrix a reader looks at. Chromium's ``--dump-dom`` gives the document after
parsing (what a reader's browser made of the markup), ``--screenshot`` what it painted; the
PNG is decoded here (the standard library has no image reader) so a test can ask whether each
verdict's cell colour is on screen.

On a CI run (``CI=true``) a missing Chromium is a failure, not a skip: ``.ci/run`` installs it
from the OS packages, and a report check that silently stops running proves nothing.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

TIMEOUT = 90
# Pixels of one colour that make a painted cell (a cell is about 60 x 25 CSS pixels, drawn at half scale).
MIN_AREA = 150
# The report's cell background per verdict state (reporting/html.py CSS).
STATE_COLOURS = {
    "pass": (0xDA, 0xFB, 0xE1),
    "fail": (0xFF, 0xD8, 0xD3),
    "warn": (0xFF, 0xF1, 0xC2),
    "skip": (0xF2, 0xF3, 0xF5),
    "xfail": (0xE6, 0xDC, 0xFD),
}


def chromium() -> str:
    """The Chromium executable; skips the test without one, fails it on CI."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "headless Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{message}; .ci/run installs it on CI, so the report check must not be skipped")
        pytest.skip(message)
    return found


@dataclass
class Rendering:
    dom: str
    width: int
    height: int
    pixels: bytes  # RGB, row after row

    def visible_states(self) -> set[str]:
        """The verdict states whose cell colour covers a cell-sized area of the screenshot."""
        counts: dict[bytes, int] = {}
        for offset in range(0, len(self.pixels), 3):
            key = self.pixels[offset : offset + 3]
            counts[key] = counts.get(key, 0) + 1
        return {state for state, colour in STATE_COLOURS.items() if counts.get(bytes(colour), 0) >= MIN_AREA}


def render(page: Path, workdir: Path, width: int = 1200, height: int = 1600) -> Rendering:
    """Render ``page`` in headless Chromium: its DOM and a screenshot of the top of the page, painted at
    half scale (a quarter of the pixels to decode in pure Python; cell colours stay exact inside)."""
    executable = chromium()
    common = [
        executable,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={workdir / 'chromium-profile'}",
        "--force-device-scale-factor=0.5",
    ]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=TIMEOUT)
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = workdir / "report.png"
    painted = subprocess.run(
        [*common, f"--window-size={width},{height}", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert painted.returncode == 0 and shot.is_file(), painted.stderr[-2000:]
    decoded_width, decoded_height, pixels = decode_png(shot.read_bytes())
    return Rendering(dom.stdout, decoded_width, decoded_height, pixels)


def decode_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, chunks, header = 8, [], b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, (depth, colour_type, interlace)
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    previous = bytearray(stride)
    rgb = bytearray()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, channels)
        rgb += line if channels == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3)
        previous = line
    return width, height, bytes(rgb)


def _unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> None:
    if kind == 0:
        return
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = previous[i]
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
        else:
            corner = previous[i - bpp] if i >= bpp else 0
            estimate = left + up - corner
            pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
            line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF


def cell_states(dom: str) -> list[str]:
    """The verdict state of every matrix cell in the DOM Chromium built."""
    return re.findall(r'<td class="st st-(\w+)"', dom)


PROBE = """
<script>
(function(){
  var result = (function(){ %s })();
  document.documentElement.setAttribute("data-probe", JSON.stringify(result));
})();
</script>
"""


def evaluate(
    page: Path, workdir: Path, script: str, fragment: str = "", width: int = 1280, height: int = 800
) -> object:
    """The JSON value ``script`` (a function body) returns in ``page``, after the page's own script ran,
    laid out in a ``width`` x ``height`` window and opened with ``#fragment``.

    Chromium has no command-line switch to evaluate a script, so a copy of the page gets the script
    appended at the end of its body (after the page's own) and its result is read back from the
    DOM that ``--dump-dom`` prints."""
    executable = chromium()
    document = page.read_text(encoding="utf-8")
    probe = workdir / f"probe-{page.stem}.html"
    probe.write_text(document.replace("</body>", PROBE % script + "</body>", 1), encoding="utf-8")
    url = probe.as_uri() + (f"#{fragment}" if fragment else "")
    dom = subprocess.run(
        [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={workdir / 'chromium-profile'}",
            f"--window-size={width},{height}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    match = re.search(r'<html[^>]*\sdata-probe="([^"]*)"', dom.stdout)
    assert match is not None, dom.stdout[:2000]
    return json.loads(html.unescape(match.group(1)))
