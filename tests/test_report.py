"""The report: report.html and report.md built from a results folder alone, from the same content;
self-contained, escaped, reproducible, and saying what it claims to say."""

from __future__ import annotations

import base64
import csv
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sim.analysis import plots
from sim.analysis.markdown import md_code, md_escape, md_fenced
from sim.analysis.report import content, render_html, render_markdown
from sim.analysis.report_sections import SECTIONS
from sim.app.run import execute
from sim.config.compose import load_run
from sim.config.schema import Flow, Needs
from sim.report import main
from sim.results.files import read_json
from sim.results.status import write_status

NASTY_NAME = '<script>x</script> & "q"'
NASTY_TITLE = "Title with <b>bold</b>"
# Text that would break a Markdown table or paragraph if it were not escaped.
MD_NASTY = "Pipe | cell\nnew line *bold* _it_ `code` [x](http://e.org) <b>b</b> &amp; #"
DEADLINE = "2023-09-20T00:00"
FIGURES = ("delivery_times.png", "checkpoints.png", "timeline.png", "deliveries.png", "against_record.png")
REPORT_FILES = ("report.html", "report.md", *FIGURES)
STRESS_ITEMS = (
    "1.1",
    "1.2",
    "1.3",
    "2.1",
    "2.2",
    "2.3",
    "2.4",
    "2.5.1",
    "2.5.2",
    "2.5.3",
    "2.5.4",
    "2.5.5",
    "3.1",
    "3.2",
    "3.3",
    "3.4",
    "4.1",
    "4.2",
    "4.3",
    "5.1",
    "5.2",
    "5.3",
    "5.4",
    "6.1",
)


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


class Markdown:
    """report.md read the way a GFM renderer reads it: headings, tables (cells split on unescaped
    "|", then unescaped), images and links."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines()
        self.headings = [self.plain(line.lstrip("#").strip()) for line in self.lines if re.match(r"#{1,6} ", line)]
        self.sections = [self.plain(line[3:].strip()) for line in self.lines if line.startswith("## ")]
        self.tables: list[list[list[str]]] = []
        rows: list[list[str]] = []
        for line in [*self.lines, ""]:
            if line.startswith("|"):
                rows.append(self.cells(line))
            elif rows:
                self.tables.append(rows)
                rows = []
        self.images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
        self.anchors = re.findall(r"\]\(#([^)]+)\)", text)

    @staticmethod
    def cells(line: str) -> list[str]:
        raw = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        return [Markdown.plain(cell.replace("\\|", "|")).strip() for cell in raw]

    @staticmethod
    def plain(text: str) -> str:
        """Inline Markdown as its text: backslash escapes undone, code spans' backticks dropped."""
        out, i = [], 0
        while i < len(text):
            fence = re.match(r"`+", text[i:])
            if text[i] == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
            elif fence:
                end = text.find(fence.group(), i + len(fence.group()))
                code = text[i + len(fence.group()) : end]
                out.append(code[1:-1] if code.startswith(" ") and code.endswith(" ") and code.strip() else code)
                i = end + len(fence.group())
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def table_with(self, header: str) -> list[list[str]]:
        """The table whose header row has a cell `header`."""
        return next(t for t in self.tables if header in t[0])

    def section(self, heading: str) -> str:
        start = self.text.index(f"## {heading}\n")
        end = self.text.find("\n## ", start + 1)
        return self.text[start : end if end > 0 else None]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    run = load_run(
        [
            "replications=20",
            f"scenario.movements.rrc_aghdam.name='{NASTY_NAME}'",
            f"scenario.title='{NASTY_TITLE}'",
            f"scenario.movements.icrc_flour_lachin.deadline={DEADLINE}",
        ]
    )
    s = run.scenario
    s.movements["icrc_medical_aghdam"].name = MD_NASTY
    s.flows["daily"] = Flow(
        name="Daily supply trucks",
        trucks=2,
        cargo_t={"food": 40.0},
        route=["goris", "kornidzor", "hakari", "shusha", "stepanakert"],
        first_departure="2023-09-01T06:00",
        last_departure="2023-09-05T06:00",
        every_h=24.0,
    )
    s.needs = Needs(population=120000, kg_per_person_day={"food": 0.555})
    s.sources["start"].source = "javascript:alert(1)"
    s.sources["horizon_days"].note = 'see https://example.org/a"onmouseover="alert(1) and <i>this</i> | x'
    folder = tmp_path_factory.mktemp("report") / "run"
    execute(
        run,
        folder,
        scenario_name="baseline",
        config_yaml="x: 1\n",
        overridden=["checkpoints.hakari.lanes", "movements.icrc_flour_lachin.deadline"],
    )
    return folder


@pytest.fixture(scope="module", autouse=True)
def rebuild(folder, tmp_path_factory):
    """`python -m sim.report` on a copy of the run without its report, as a user would type it, in a
    fresh process (nothing carried over from the process that wrote the run). Started with the
    first test, so that it runs alongside the others."""
    copy = tmp_path_factory.mktemp("rebuild") / "run"
    shutil.copytree(folder, copy)
    for name in REPORT_FILES:
        (copy / name).unlink()
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.report", str(copy)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    yield process, copy
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def summary(folder) -> dict:
    return read_json(folder / "summary.json")


@pytest.fixture(scope="module")
def page(folder) -> Page:
    return Page((folder / "report.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def md(folder) -> Markdown:
    return Markdown((folder / "report.md").read_text(encoding="utf-8"))


def test_both_reports_name_every_movement_and_flow(summary, page, md):
    # execute() calls write_report while status.json still says "running": no complete status needed
    names = {key: m["name"] for key, m in summary["movements"].items()}
    assert {NASTY_NAME, MD_NASTY, "Daily supply trucks"} <= set(names.values())
    assert summary["movements"]["daily"]["departures"] == 5
    results = md.table_with("P(delivered by horizon)")
    assert len(results) == 2 + len(names)
    for (key, name), row in zip(names.items(), results[2:]):
        assert name in page.tables["results"] and key in page.tables["results"]
        assert row[0] == f"{' '.join(name.split())} {key}"  # a line break in a name becomes a space
        assert len(row) == len(results[0])  # a "|" in a name splits no cell
    assert {
        "results",
        "times",
        "dates",
        "trucks",
        "checkpoint-results",
        "deliveries",
        "card",
        "assumed-values",
        "provenance-table",
        "stress",
    } <= set(page.tables)


def test_probabilities_times_and_dates_with_intervals(summary, page, md):
    flour = summary["movements"]["icrc_flour_lachin"]
    row = next(r for r in md.table_with("P(delivered by horizon)") if r[0].endswith("icrc_flour_lachin"))
    p = flour["delivery_probability"]
    assert row[2] == f"{p['estimate']:.1%} [{p['low']:.1%} – {p['high']:.1%}]"
    median = flour["median_delivery_time_h"]
    times = next(r for r in md.table_with("p95") if r[0] == flour["name"])
    assert times[2].startswith(f"{median['estimate']:.1f} h")
    dates = next(r for r in md.table_with("Median date") if r[0] == flour["name"])
    assert dates[1] == "2023-09-18 06:00"  # departure, and the median date is departure + median
    assert re.match(r"2023-09-\d\d \d\d:\d\d", dates[2])
    flow = next(r for r in md.table_with("Median date") if r[0] == "Daily supply trucks")
    assert "departures pooled" in flow[2]
    for label in ("delivered", "refused", "turned back", "not delivered by horizon"):
        assert label in md.table_with("P(delivered by horizon)")[0] and label in page.tables["results"]


def test_deadline_probability_is_reported_where_a_deadline_is_set(summary, page, md):
    flour = summary["movements"]["icrc_flour_lachin"]
    assert flour["deadline_h"] == pytest.approx(42.0)  # 18 Sep 06:00 to 20 Sep 00:00
    p = flour["on_time_probability"]
    expected = f"{p['estimate']:.1%} [{p['low']:.1%} – {p['high']:.1%}] by 2023-09-20 00:00"
    table = md.table_with("P(delivered by deadline)")
    column = table[0].index("P(delivered by deadline)")
    by_key = {row[0].rsplit(" ", 1)[-1]: row[column] for row in table[2:]}
    assert by_key["icrc_flour_lachin"] == expected
    assert {v for k, v in by_key.items() if k != "icrc_flour_lachin"} == {"no deadline"}
    assert f"{p['estimate']:.1%}" in page.tables["results"] and "by 2023-09-20 00:00" in page.tables["results"]
    assert "By its deadline, 2023-09-20 00:00" in md.section("Answers in brief")


def test_figures_are_embedded_in_html_and_linked_from_markdown(folder, page, md):
    images = page.all("img")
    assert [img["alt"] for img in images] and len(images) == len(FIGURES)
    prefix = "data:image/png;base64,"
    for img, name in zip(images, FIGURES):
        png = (folder / name).read_bytes()
        assert png.startswith(b"\x89PNG")
        assert img["src"].startswith(prefix) and base64.b64decode(img["src"].removeprefix(prefix)) == png
    assert md.images == list(FIGURES)
    assert not [a for a in page.all("link") + page.all("script")]  # nothing fetched: opens offline


def test_sections_are_there_and_every_internal_link_lands(page, md):
    ids = {attrs.get("id") for _, attrs in page.tags}
    headings = [attrs["id"] for tag, attrs in page.tags if tag == "h2"]
    assert headings == [re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in SECTIONS]
    assert {a["href"][1:] for a in page.all("a") if a["href"].startswith("#")} <= ids
    assert md.sections == list(SECTIONS)
    assert set(md.anchors) <= {*headings, "contents"}  # GitHub's anchors for the same headings, and the contents


def test_method_states_replications_seed_horizon_and_intervals(summary, md, page):
    for text in (md.section("Method"), "".join(page.text)):
        assert f"{summary['replications']} independent replications" in text
        assert f"seed {summary['seed']}" in text and "70 days" in text
        for words in ("Wilson", "Student t", "order statistics", "not delivered by horizon", "turned back"):
            assert words in text


def test_limitations_and_assumptions_are_derived_from_the_scenario(folder, md, page):
    limitations = md.section("Limitations")
    for words in (
        "Political decisions are random holds",
        "travel together",
        "not lost, spoiled",
        "configures none",
        "not propagated",
    ):
        assert words in limitations
    with (folder / "scenario_card.csv").open(encoding="utf-8") as handle:
        card = list(csv.DictReader(handle))
    assumed = [r["parameter"] for r in card if r["source"] == "ASSUMPTION"]
    assert "checkpoints.hakari.inspection" in assumed
    listed = {row[1].split()[0] for row in md.table_with("Describes")[2:]}  # "x **overridden**" -> "x"
    assert set(assumed) <= listed and all(p in page.tables["assumed-values"] for p in assumed)
    assert {row[1].split()[0] for row in md.table_with("Describes")[2:] if row[3] == "ASSUMPTION"} == set(assumed)
    flour = next(line for line in md.section("Assumptions").splitlines() if "ICRC flour truck" in line)
    assert "Checkpoint Hakari bridge checkpoint" in flour and "inspection" in flour  # on its route
    assert "Askeran" not in flour  # not on its route
    overridden = md.section("Assumptions").split("### Set on the command line")[1]
    assert "checkpoints.hakari.lanes" in overridden and "movements.icrc_flour_lachin.deadline" in overridden


def test_stress_des_checklist_maps_every_item(md, page):
    rows = md.table_with("Where")
    numbers = [row[0].split(" ", 1)[0] for row in rows[2:] if not row[0].startswith("*")]
    assert numbers == list(STRESS_ITEMS)
    assert all(row[2] for row in rows[2:] if not row[0].startswith("*"))  # each says where
    for number in STRESS_ITEMS:
        assert f"{number} " in page.tables["stress"]


def test_deliveries_and_needs(summary, md):
    food = summary["deliveries"]["by_cargo"]["food"]
    row = next(r for r in md.table_with("Person-days covered")[2:] if r[0] == "food")
    assert row[1].startswith(f"{food['tonnes']['estimate']:,.1f} t [")
    per_day = food["tonnes"]["estimate"] / (summary["horizon_h"] / 24)  # runs of different horizons compare
    assert row[2].startswith(f"{per_day:,.2f} t/day [")
    assert row[4].startswith(f"{food['person_days']['estimate']:,.0f} [")
    assert row[6].startswith(f"{food['share_of_need_met']['estimate']:.1%} [")
    assert "Longest spell without any delivery" in md.section("Deliveries and needs")


def test_provenance_names_the_commit_and_where_validation_is(folder, md, page):
    provenance = json.loads((folder / "provenance.json").read_text())
    section = md.section("Provenance")
    assert "docs/validation.md" in section and "docs/validation.md" in page.tables["provenance-table"]
    commit = (provenance.get("git") or {}).get("commit")
    if commit:
        assert commit in section and f"git show {commit}:docs/validation.md" in section
    assert "[config.yaml](config.yaml)" in section and "x: 1" not in md.text  # linked, not inlined
    assert "x: 1" in "".join(page.text)  # report.html, one file, carries it (collapsed)


def test_scenario_text_is_escaped_in_html(page):
    text = "".join(page.text)
    assert NASTY_NAME in text and NASTY_TITLE in text and MD_NASTY in text
    assert not page.all("script") and not page.all("b") and not page.all("i")
    assert "onmouseover" not in {key for _, attrs in page.tags for key in attrs}


def test_scenario_text_is_escaped_in_markdown(md):
    assert not re.search(r"(?<!\\)<(script|b|i)>", md.text)  # no raw HTML from the scenario
    assert md.headings[0] == NASTY_TITLE  # the title is one heading, whole
    assert f"**{NASTY_NAME}**" in Markdown.plain(md.section("Answers in brief"))
    card = md.table_with("Confidence")
    assert all(len(row) == len(card[0]) for row in card)
    horizon = next(row for row in card if row[0] == "horizon_days")
    assert horizon[5] == 'see <https://example.org/a>"onmouseover="alert(1) and <i>this</i> | x'


def test_only_http_urls_become_links(page, md):
    hrefs = [a["href"] for a in page.all("a") if not a["href"].startswith("#")]
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    assert not any(c in h for h in hrefs for c in "\"'<> ")
    assert "https://example.org/a" in hrefs
    assert "javascript:alert(1)" in page.tables["card"]
    own = {"details", "/details", "summary", "/summary", "/a"}  # the page's own collapsed parts and anchor
    autolinks = [a for a in re.findall(r"(?<!\\)<([^<>\s]+)>", md.text) if a not in own]
    assert autolinks and all(a.startswith(("http://", "https://")) for a in autolinks)


def test_card_marks_assumptions_and_overrides(page):
    classes = [set((attrs.get("class") or "").split()) for tag, attrs in page.tags if tag == "tr"]
    assert sum("overridden" in c for c in classes) == 2  # checkpoints.hakari.lanes and the deadline
    assert any("unsourced" in c for c in classes)


def test_markdown_escaping_helpers():
    assert md_escape("a | b\nc") == r"a \| b c"
    assert md_escape("1. not a list") == r"1\. not a list" and md_escape("- no") == r"\- no"
    assert md_escape("# no heading") == r"\# no heading" and md_escape("> no quote") == r"\> no quote"
    assert md_escape("51.3% - 2.0 h") == "51.3% - 2.0 h"  # numbers and dashes stay readable
    assert md_escape("*a* _b_ [c](d) <e> &amp; $x$") == r"\*a\* \_b\_ \[c\](d) \<e> \&amp; \$x\$"
    assert md_code("a|b") == r"`a\|b`" and md_code("x`y") == "``x`y``"
    fenced = md_fenced("a\n```\nb\n", "yaml")
    assert fenced.startswith("````yaml\n") and fenced.endswith("\n````")


def test_precision_of_replications_auto_is_reported(folder, tmp_path, monkeypatch):
    copy = tmp_path / "auto"
    shutil.copytree(folder, copy)
    summary = read_json(copy / "summary.json")
    summary["precision"] = {
        "metric": "mean_delivery_time_h",
        "relative": True,
        "target_half_width": 0.05,
        "achieved_half_width": 0.071,
        "widest": "armenia_convoy",
        "movements": [],
        "met": False,
        "replications": 20,
        "batch": 10,
        "max_replications": 20,
    }
    (copy / "summary.json").write_text(json.dumps(summary))
    for name in ("delivery_times", "checkpoints", "timeline", "deliveries"):  # figures are tested above
        monkeypatch.setattr(plots, name, lambda *args, **kwargs: b"\x89PNG")
    report = content(copy)
    method = Markdown(render_markdown(report)).section("Method")
    assert "replications=auto" in method and "at most 5.0%" in method and "7.1%" in method
    assert "target met: **no**" in method
    assert "target met: <strong>no</strong>" in render_html(report)
    brief = Markdown.plain(Markdown(render_markdown(report)).section("Answers in brief"))
    assert "replications=auto ran 20 replications until every movement's mean delivery time was known within" in brief
    assert "stopped at precision.max_replications=20 short of it" in brief


def test_rebuild_from_the_files_alone_is_byte_identical(folder, rebuild):
    process, copy = rebuild
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert out.split() == [str(copy / "report.html"), str(copy / "report.md")]
    for name in REPORT_FILES:
        assert (copy / name).read_bytes() == (folder / name).read_bytes(), name


def test_figures_drawn_in_other_processes_are_those_drawn_in_turn(folder):
    drawn = {n: content(folder, processes=n)["figures"] for n in (1, 3)}
    assert [f["name"] for f in drawn[1]] == [
        "delivery_times",
        "checkpoints",
        "timeline",
        "deliveries",
        "against_record",
    ]
    assert drawn[3] == drawn[1]  # names, numbers, facts and the PNG bytes


def test_refuses_a_run_that_is_not_complete(folder, tmp_path, capsys):
    incomplete = tmp_path / "incomplete"
    shutil.copytree(folder, incomplete)
    for name in REPORT_FILES:
        (incomplete / name).unlink()
    write_status(incomplete, "running")
    assert main([str(incomplete)]) == 2
    err = capsys.readouterr().err
    assert "not a complete run (status: running)" in err and len(err.strip().splitlines()) == 1
    assert not any((incomplete / name).exists() for name in REPORT_FILES)


def test_refuses_missing_folders_files_and_foreign_content(folder, tmp_path, capsys):
    assert main([str(tmp_path / "nowhere")]) == 2
    partial = tmp_path / "partial"
    shutil.copytree(folder, partial)
    (partial / "timeline.csv").unlink()
    assert main([str(partial)]) == 2
    assert "timeline.csv" in capsys.readouterr().err
    old = tmp_path / "old"
    shutil.copytree(folder, old)
    summary = read_json(old / "summary.json")
    del summary["deliveries"]
    (old / "summary.json").write_text(json.dumps(summary))
    (old / "report.md").unlink()
    assert main([str(old)]) == 2
    assert "deliveries" in capsys.readouterr().err and not (old / "report.md").exists()


def test_reports_are_written_by_path_relative_to_their_folder(folder):
    # report.md links its figures by file name, and neither report names this machine's paths.
    for name in ("report.html", "report.md"):
        text = (folder / name).read_text(encoding="utf-8")
        assert str(Path(folder).parent) not in text


def test_the_answers_say_their_intervals_exclude_parameter_uncertainty_and_how_to_get_it(md, page):
    brief = Markdown.plain(md.section("Answers in brief"))
    assert "95% intervals are Monte-Carlo intervals" in brief
    assert "exclude uncertainty in the assumed parameters" in brief
    assert "python -m sim.uncertainty scenario=baseline gives the total interval" in brief
    assert "python -m sim.uncertainty scenario=baseline" in "".join(page.text)
