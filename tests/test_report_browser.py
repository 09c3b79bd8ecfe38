"""The reports as a browser shows them: report.html of the baseline and the sweep report of a
two-way sweep rendered by headless Chromium (Debian's `chromium`) in a 1280 px window. Each page
lays out within the window (no table scrolled sideways or clipped), and a screenshot of each is
kept beside the test's folder for a person to look at. Skipped where Chromium is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_sim

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH = 1280
# Run in the page once it has loaded: the page's width, and the id of every table in a scrolling
# box that is wider than the box (a table the reader would have to scroll sideways).
PROBE = """<script>
window.addEventListener("load", () => {
  const wide = [...document.querySelectorAll(".scroll")].filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => (e.querySelector("table") || e).id || "?");
  document.body.setAttribute("data-page-width", document.documentElement.scrollWidth);
  document.body.setAttribute("data-too-wide", wide.join(" "));
});
</script>"""

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")]


def browser(*args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    return subprocess.run([*command, f"--window-size={WIDTH},2400", *args], capture_output=True, text=True, timeout=180)


def laid_out(page: Path) -> dict[str, str]:
    """The probe's findings on `page` as Chromium lays it out at 1280 px."""
    probed = page.with_name(page.stem + ".probe.html")
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    body = re.search(r"<body[^>]*>", browser("--dump-dom", probed.as_uri()).stdout)
    assert body, "Chromium gave no page"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group()))


def screenshot(page: Path, out: Path) -> Path:
    browser(f"--screenshot={out}", page.as_uri())
    assert out.read_bytes().startswith(b"\x89PNG")
    return out


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("browser")
    run = run_sim("scenario=corridor_closure", "replications=200", "hydra.run.dir=run", cwd=root)
    assert run.returncode == 0, run.stderr
    sweep = run_sim(
        "-m",
        "scenario=baseline,corridor_closure",
        "scenario.checkpoints.hakari.lanes=1,2",
        "replications=100",
        "hydra.sweep.dir=sweep",
        cwd=root,
    )
    assert sweep.returncode == 0, sweep.stderr
    return {"run": root / "run" / "report.html", "sweep": root / "sweep" / "sweep_report.html"}


@pytest.mark.parametrize("name", ["run", "sweep"])
def test_the_page_fits_a_1280_px_window(pages, name):
    found = laid_out(pages[name])
    assert found["page-width"] == str(WIDTH)
    assert found["too-wide"] == "", f"tables wider than the window: {found['too-wide']}"
    shot = screenshot(pages[name], pages[name].with_name(f"{name}_1280.png"))
    print(f"screenshot: {shot}")  # to look at: pytest -m slow -s tests/test_report_browser.py
