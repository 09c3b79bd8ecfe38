"""Deliveries and needs as the report states them: tonnes per cargo type, the person-days and share
of need they cover, the total over time and the longest spell without a delivery, formatted."""

from __future__ import annotations

import numpy as np

from sim.analysis.formatting import between, between_with_unit, percent
from sim.analysis.movement_facts import MovementFacts


def deliveries_results(d: dict, horizon_h: float, movements: MovementFacts) -> dict:
    """The section's table rows and facts; `d`: the deliveries of summary.json; `movements`: the
    movements table's facts, for how the replications split between nothing, part and all delivered."""
    population = d["mean_population"]  # the population over the horizon, where it changes
    daily = d["cumulative_tonnes_by_day"]
    gap = d["longest_gap_days"]
    return {
        "population": f"{population:,.0f}" if population else None,
        "population_changes": bool(d["population_changes_h"]),
        "perishable": bool(d["cargo_types"]),
        "horizon_days": f"{horizon_h / 24:g}",
        "rows": [
            _cargo(cargo, c, d["kg_per_person_day"].get(cargo), population, horizon_h / 24.0)
            for cargo, c in d["by_cargo"].items()
        ],
        "total": None
        if not daily
        else {
            "mean": f"{daily[-1]['mean']:,.1f} t",
            "band": _amount_interval(daily[-1]["p5"], daily[-1]["p95"], " t", 1),
        },
        "gap": {"value": _amount(gap["estimate"], " d", 1), "ci": _amount_interval(gap["low"], gap["high"], " d", 1)},
        "split": all_or_nothing(movements),
    }


def all_or_nothing(movements: MovementFacts) -> dict | None:
    """The share of replications that delivered none, part or all of the tonnes they sent by the
    horizon (formatted); None without any movement."""
    sent, delivered = movements.sent_t, movements.delivered_t
    recorded = ~np.isnan(sent)  # replications with a movement
    if not recorded.any():
        return None
    sent, delivered = sent[recorded], delivered[recorded]
    none, every = delivered <= 0, delivered >= sent - 1e-9
    return {
        "none": percent(none.mean()),
        "all": percent((every & ~none).mean()),
        "part": percent((~none & ~every).mean()),
    }


def _cargo(cargo: str, c: dict, kg: float | None, population: float | None, horizon_days: float) -> dict:
    """One cargo type's row; person-days and shares only where the scenario states a need for it.
    Tonnes also per day of the horizon, so that runs of different horizons compare."""
    t = c["tonnes"]
    per_day = {k: None if t[k] is None else t[k] / horizon_days for k in ("estimate", "low", "high")}
    row = {
        "cargo": cargo,
        "tonnes": _amount(t["estimate"], " t", 1),
        "tonnes_ci": _amount_interval(t["low"], t["high"], " t", 1),
        "per_day": _amount(per_day["estimate"], " t/day", 2),
        "per_day_ci": _amount_interval(per_day["low"], per_day["high"], " t/day", 2),
        "usable": "as delivered",
        "usable_ci": "",
        "ration": f"{kg:g} kg" if kg else "no need stated",
        "person_days": "n/a",
        "person_days_ci": "",
        "days": "n/a",
        "share": "n/a",
        "share_ci": "",
    }
    if "usable_tonnes" in c:
        u = c["usable_tonnes"]
        row.update(usable=_amount(u["estimate"], " t", 1), usable_ci=_amount_interval(u["low"], u["high"], " t", 1))
    if "person_days" in c:
        person_days, share = c["person_days"], c["share_of_need_met"]
        row.update(
            person_days=_amount(person_days["estimate"], "", 0),
            person_days_ci=_amount_interval(person_days["low"], person_days["high"], "", 0),
            days=f"{person_days['estimate'] / population:.1f} d" if population else "n/a",
            share=percent(share["estimate"]),
            share_ci=between(share["low"], share["high"], percent),
        )
    return row


def _amount(value: float | None, unit: str, digits: int) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}{unit}"


def _amount_interval(low: float | None, high: float | None, unit: str, digits: int) -> str:
    return between_with_unit(low, high, lambda v: f"{v:,.{digits}f}", unit)
