"""The layout of a results folder: every file a run or sweep writes, named once.

A run's folder holds its tables (one CSV or Parquet file per table of `Records`), its summary, the resolved
config and scenario, provenance, the figures and report, and `status.json`, written last. A
sweep's folder holds one such folder per job (`0/`, `1/`, ...) and the files across jobs.
"""

from __future__ import annotations

from pathlib import Path

from sim.results.records import TABLE_NAMES

# A run's folder
STATUS = "status.json"  # "running" first, "complete" (or "failed", "interrupted") last
SUMMARY = "summary.json"  # the statistics
CONFIG = "config.yaml"  # the resolved config, as Hydra composed it
SCENARIO = "scenario.json"  # the resolved scenario as plain data, and the overridden keys
CARD = "scenario_card.csv"  # every parameter with its source
TIMELINE = "timeline.csv"  # every truck at every checkpoint in one replication
OTHER_TRAFFIC = "other_traffic.csv"  # every other vehicle at every checkpoint in the same replication
STUDIES = "studies.json"  # the sensitivity and uncertainty studies attached to the run (sim.report --study)
VALIDATION = "validation.json"  # the run against the observations of its scenario's record
CLOSED = "closed.csv"  # when each checkpoint was closed in the same replication
PROVENANCE = "provenance.json"  # command, code version, package versions, times
ERROR = "error.txt"  # a sweep job's error
LOG = "sim.log"  # Hydra's log of the job (hydra.job.name); a study's is sensitivity.log or uncertainty.log
REPORT_HTML = "report.html"
REPORT_MD = "report.md"
TABLES = {name: f"{name}.csv" for name in TABLE_NAMES}  # table of `Records` -> its file
PARQUET_TABLES = {name: f"{name}.parquet" for name in TABLE_NAMES}  # ... with `tables.format=parquet`
# What the same seed and config reproduce byte for byte: a run has its tables in one of the formats.
DATA_FILES = (*TABLES.values(), *PARQUET_TABLES.values(), SUMMARY, VALIDATION)
OPTIONAL = (TABLES["passages"], PARQUET_TABLES["passages"])  # data files a run may leave out (`tables.passages=false`)

# A sweep's folder
SWEEP_CONFIG = "multirun.yaml"  # the sweep's config, as Hydra writes it before any job runs
SWEEP_SUMMARY = "summary.csv"
SWEEP_REPLICATIONS = "replications.csv"
SWEEP_REPORT = "sweep_report.html"

# A comparison's folder (`python -m sim.compare`; results/compare/<time>/ by default)
COMPARISON = "compare.html"

# A sensitivity study's folder (`python -m sim.sensitivity`), with CONFIG, PROVENANCE, the report
# and STATUS as for a run
STUDY = "study.json"  # what was varied and why, the method and sizes, the results analysed
DESIGNS = "designs.csv"  # one row per design point: its parameter values and results
INDICES = "indices.csv"  # one row per method, result, parameter and index, with its interval
INTERVALS = "intervals.csv"  # uncertainty propagation: per result, Monte-Carlo-only and total intervals


def table_path(folder: Path, name: str) -> Path:
    """Where the run in `folder` wrote its table `name`: the Parquet file if there is one, else
    the CSV file (which a run without that table has not written)."""
    parquet = folder / PARQUET_TABLES[name]
    return parquet if parquet.is_file() else folder / TABLES[name]


def holds(folder: Path, name: str) -> bool:
    """Whether `folder` holds the file `name`; a table named by its CSV file (TABLES) is held in
    either format."""
    tables = {csv: PARQUET_TABLES[table] for table, csv in TABLES.items()}
    return (folder / name).is_file() or (name in tables and (folder / tables[name]).is_file())


def data_files(folder: Path) -> list[str]:
    """The data files (DATA_FILES) the run in `folder` has or should have: its tables in the
    format of its movements table, those a run may leave out only if they are there."""
    tables = PARQUET_TABLES if table_path(folder, "movements").name == PARQUET_TABLES["movements"] else TABLES
    wanted = (*tables.values(), SUMMARY, VALIDATION)
    return [name for name in wanted if name not in OPTIONAL or (folder / name).is_file()]
