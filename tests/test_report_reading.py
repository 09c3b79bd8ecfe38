"""The run report read as a reviewer reads it: the HTML parsed (unique ids, every figure embedded,
every section of the contents there, nothing fetched from elsewhere), and what it says checked on
a tiny scenario whose answers are known: a movement always refused, a truck held by a closure of
its checkpoint, a truck that arrives at night at a post open by day."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import at, checkpoint, hold, movement, run_config, scenario

from sim.analysis.report_sections import SECTIONS
from sim.app.run import execute
from sim.config.schema import ClosureWindow
from sim.results.files import read_table


class Page(HTMLParser):
    """Every start tag with its attributes, the text of each element with an id, and the text of
    each section (from its heading to the next)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text_of: dict[str, str] = {}
        self.section: dict[str, str] = {}
        self._open: list[str | None] = []
        self._details: list[bool] = []  # per open element: a closed <details>
        self._section: str | None = None
        self.collapsed: set[str] = set()  # ids of elements inside a closed <details>
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "h2":
            self._section = attrs.get("id")
            self.section[self._section] = ""
        if tag not in ("img", "br", "meta", "input", "hr"):
            self._open.append(attrs.get("id"))
            self._details.append(tag == "details" and "open" not in attrs)
            if attrs.get("id") and any(self._details[:-1]):
                self.collapsed.add(attrs["id"])
            if attrs.get("id"):
                self.text_of[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if tag not in ("img", "br", "meta", "input", "hr") and self._open:
            self._open.pop()
            self._details.pop()

    def handle_data(self, data):
        if self._section:
            self.section[self._section] += data
        for element in filter(None, self._open):
            self.text_of[element] += data

    def all(self, tag: str) -> list[dict]:
        return [attrs for t, attrs in self.tags if t == tag]


def known() -> object:
    """a -1 h- b -1 h- c, checkpoint b open 08:00-20:00 and closed from 30 h to 100 h: `refused` is
    always refused at a; `night` reaches b at 02:00 and waits for 08:00; `closed` reaches b at 31 h,
    inside the closure, and waits to its end."""
    s = scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(0.5, hours="08:00-20:00")},
        movements={
            "refused": movement(["a", "b", "c"], hold=hold("a", 2.0, refusal_probability=1.0)),
            "night": movement(["a", "b", "c"], departure=at(1.0)),
            "closed": movement(["a", "b", "c"], departure=at(30.0)),
        },
    )
    s.checkpoints["b"].closures = {"shut": ClosureWindow(start=at(30.0), duration_h=70.0)}
    return s


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reading") / "run"
    execute(run_config(known(), replications=20), folder, scenario_name="known", config_yaml="x: 1\n")
    return folder


@pytest.fixture(scope="module")
def page(folder) -> Page:
    return Page((folder / "report.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def md(folder) -> str:
    return (folder / "report.md").read_text(encoding="utf-8")


def test_every_id_is_unique(page):
    ids = [attrs["id"] for _, attrs in page.tags if "id" in attrs]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_every_figure_is_embedded_and_nothing_is_fetched(folder, page):
    images = page.all("img")
    assert len(images) == len(list(folder.glob("*.png"))) > 0
    assert all(img["src"].startswith("data:image/png;base64,") for img in images)
    assert not page.all("link") and not page.all("script") and not page.all("iframe")


def test_every_section_of_the_contents_is_there_and_every_link_lands(page):
    ids = {attrs.get("id") for _, attrs in page.tags}
    contents = [a["href"][1:] for a in page.all("a") if a.get("href", "").startswith("#")]
    assert {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in SECTIONS} <= set(contents)
    assert set(contents) <= ids


def test_a_refused_run_is_counted_as_refused_in_the_brief(page, md):
    brief = page.text_of["brief"]
    row = brief[brief.index("movement via a, b, c") :]
    assert "Refused" in brief and "100.0%" in row
    answers = page.text_of["answers"]
    # Its median lies beyond the horizon because it was refused, not because it is slow.
    assert "100.0% of replications did not deliver in the 10.0 days it had" in answers
    assert "(100.0% refused)" in answers
    assert "(100.0% refused)" in md


def test_a_closure_wait_is_labelled_closure_and_a_night_wait_opening_hours(folder):
    trace = read_table(folder / "timeline.csv")
    why = dict(zip(trace["movement"].tolist(), trace["waiting_for"].tolist()))
    assert why == {"night": "opening_hours", "closed": "closure"}
    closed = read_table(folder / "closed.csv")
    assert ("closure", 30.0, 100.0) in zip(
        closed["kind"].tolist(), closed["start_h"].tolist(), closed["end_h"].tolist()
    )


def test_the_scenario_card_and_the_assumed_values_are_collapsed(page):
    assert {"card", "assumed-values"} <= page.collapsed
    assert not {"brief", "results", "times", "checkpoint-results"} & page.collapsed  # the answers stay open


def test_structure_is_not_counted_as_assumption(page):
    said = " ".join(page.section["assumptions"].split())
    counted = re.search(r"(\d+) parameter value\(s\) rest on a stated ASSUMPTION and (\d+) have no source", said)
    assert counted, said[:300]
    # The tiny scenario gives no source for anything; its route ends, routes and flags are structure.
    assert "describe the scenario's structure or a switch" in said
    assert "legs.a_b.start" not in page.text_of["assumed-values"]
    assert "movements.refused.route" not in page.text_of["assumed-values"]


def test_every_page_links_back_to_the_contents_and_markdown_links_the_config(page, md):
    assert any(a.get("href") == "#contents" and "to-contents" in a.get("class", "") for a in page.all("a"))
    assert "[config.yaml](config.yaml)" in md and md.count("[↑ Contents](#contents)") == len(SECTIONS)


def test_deliveries_say_how_replications_split_between_nothing_part_and_all(page):
    # `refused` never delivers; `night` and `closed` always do: 2 of 3 movements' tonnes, every time.
    said = " ".join(page.section["deliveries-and-needs"].split())
    assert "0.0% of replications delivered nothing, 100.0% part of what was sent and 0.0% all of it" in said


def test_a_convoy_queueing_behind_itself_is_said_where_it_can_happen(folder):
    # Every movement here is one truck at a one-lane checkpoint: no convoy queues behind itself.
    assert "queues behind itself" not in (folder / "report.md").read_text(encoding="utf-8")
