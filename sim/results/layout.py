"""The layout of a results folder: every file a run or sweep writes, named once.

A run's folder holds its tables (one CSV file per table of `Records`), its summary, the resolved
config and scenario, provenance, the figures and report, and `status.json`, written last. A
sweep's folder holds one such folder per job (`0/`, `1/`, ...) and the files across jobs.
"""

from __future__ import annotations

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
# What the same seed and config reproduce byte for byte.
DATA_FILES = (*TABLES.values(), SUMMARY, VALIDATION)
OPTIONAL = (TABLES["passages"],)  # data files a run may leave out (`tables.passages=false`)

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
