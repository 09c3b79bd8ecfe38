"""Every file a results folder can hold, as `sim.results.layout` names them, is explained in
results/README.md, the page a user finds beside their results."""

from __future__ import annotations

import re

from conftest import REPOSITORY

from sim.results import layout


def test_results_readme_explains_every_file_of_the_layout():
    readme = (REPOSITORY / "results" / "README.md").read_text(encoding="utf-8")
    names = [v for k, v in vars(layout).items() if k.isupper() and isinstance(v, str)]
    names += list(layout.TABLES.values())
    assert "deliveries.csv" in names and layout.LOG in names
    # The name itself, not the tail of another one (report.html inside sweep_report.html).
    missing = [name for name in names if not re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", readme)]
    assert not missing, f"results/README.md does not explain {missing}"
