"""The HTML report: built from a results folder alone, self-contained, escaped, reproducible."""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from sim.config import load_run
from sim.report import main
from sim.results import read_json, write_status
from sim.run import execute

NASTY_NAME = '<script>x</script> & "q"'
NASTY_TITLE = "Title with <b>bold</b>"


class Page(HTMLParser):
    """Start tags with their attributes, text per table id, and all text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.tables: dict[str, str] = {}
        self.text: list[str] = []
        self._table: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
            self.tables[self._table] = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        self.text.append(data)
        if self._table:
            self.tables[self._table] += data

    def all(self, tag: str) -> list[dict]:
        return [attrs for t, attrs in self.tags if t == tag]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    run = load_run(
        [
            "replications=20",
            f"scenario.movements.rrc_aghdam.name='{NASTY_NAME}'",
            f"scenario.title='{NASTY_TITLE}'",
        ]
    )
    sources = run.scenario.sources
    sources["start"].source = "javascript:alert(1)"
    sources["horizon_days"].note = 'see https://example.org/a"onmouseover="alert(1) and <i>this</i>'
    folder = tmp_path_factory.mktemp("report") / "run"
    execute(run, folder, scenario_name="baseline", config_yaml="x: 1\n", overridden=["checkpoints.hakari.lanes"])
    return folder


@pytest.fixture(scope="module")
def page(folder) -> Page:
    return Page((folder / "report.html").read_text(encoding="utf-8"))


def test_results_table_names_every_movement(folder, page):
    # execute() calls write_report while status.json still says "running": no complete status needed
    movements = read_json(folder / "summary.json")["movements"]
    assert NASTY_NAME in {m["name"] for m in movements.values()}
    for m in movements.values():
        assert m["name"] in page.tables["results"]
    assert {"results", "checkpoints", "card", "provenance"} <= set(page.tables)


def test_figures_are_embedded_and_written(folder, page):
    sources = [img["src"] for img in page.all("img")]
    assert len(sources) == 2
    prefix = "data:image/png;base64,"
    for src, name in zip(sources, ["delivery_times.png", "checkpoints.png"]):
        assert src.startswith(prefix)
        assert base64.b64decode(src.removeprefix(prefix)) == (folder / name).read_bytes()
        assert (folder / name).read_bytes().startswith(b"\x89PNG")


def test_scenario_text_is_escaped(page):
    text = "".join(page.text)
    assert NASTY_NAME in text and NASTY_TITLE in text
    assert not page.all("script") and not page.all("b") and not page.all("i")
    assert "onmouseover" not in {key for _, attrs in page.tags for key in attrs}


def test_only_http_urls_become_links(page):
    hrefs = [a["href"] for a in page.all("a")]
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    assert not any(c in h for h in hrefs for c in "\"'<> ")
    assert "https://example.org/a" in hrefs
    assert "javascript:alert(1)" in page.tables["card"]


def test_card_marks_assumptions_and_overrides(page):
    classes = [set((attrs.get("class") or "").split()) for attrs in page.all("tr")]
    assert sum("overridden" in c for c in classes) == 1  # checkpoints.hakari.lanes
    assert any("unsourced" in c for c in classes)


def test_rebuild_is_byte_identical_and_needs_a_complete_run(folder, tmp_path):
    before = {name: (folder / name).read_bytes() for name in ("report.html", "delivery_times.png", "checkpoints.png")}
    incomplete = tmp_path / "incomplete"
    shutil.copytree(folder, incomplete)
    (incomplete / "report.html").unlink()
    write_status(incomplete, "running")

    def sim_report(path):  # both at once: most of the time is Python importing the package
        return subprocess.Popen([sys.executable, "-m", "sim.report", str(path)], stderr=subprocess.PIPE, text=True)

    rebuild, refuse = sim_report(folder), sim_report(incomplete)
    rebuild_err, refuse_err = rebuild.communicate()[1], refuse.communicate()[1]
    assert rebuild.returncode == 0, rebuild_err
    assert {name: (folder / name).read_bytes() for name in before} == before
    assert refuse.returncode == 2
    assert "Traceback" not in refuse_err and len(refuse_err.strip().splitlines()) == 1
    assert not (incomplete / "report.html").exists()


def test_refuses_missing_folders_and_files(folder, tmp_path, capsys):
    assert main([str(tmp_path / "nowhere")]) == 2
    partial = tmp_path / "partial"
    shutil.copytree(folder, partial)
    (partial / "movements.csv").unlink()
    assert main([str(partial)]) == 2
    assert "movements.csv" in capsys.readouterr().err
