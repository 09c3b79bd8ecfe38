"""The shipped scenario library: every file in scenarios/ composes, validates, runs and cites a
source for what it sets, and each scenario moves results the way its story says it should.

Direction checks compare two scenarios run with the SAME seed. Draws are keyed by movement, leg and
checkpoint names (common random numbers), so the replication-by-replication difference of a result
isolates what the scenario changes; each check is on a 95 % interval of the mean paired difference.
A movement not delivered by the horizon (held, refused, turned back, stuck) counts as delivered at
the horizon in the time comparisons, so that a change cannot look faster by delivering less.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf
from scipy import stats

from sim.config.compose import load_scenario
from sim.config.library import SCENARIO_DIR, load_scenario_file
from sim.config.scenario import Scenario
from sim.simulate.replications import simulate

SEED = 20230726
LEVEL = 0.95
SHIPPED = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
DOCS = Path(__file__).resolve().parent.parent / "docs" / "scenarios.md"
LACHIN = ("armenia_convoy", "icrc_flour_lachin")  # the baseline's movements through the Hakari checkpoint


@cache
def scenario(name: str) -> Scenario:
    """A shipped scenario, composed and validated once per test session."""
    return load_scenario(name)


@cache
def run(name: str, replications: int):
    return simulate(scenario(name), SEED, replications)


def per_replication(records, movement: str, column: str) -> np.ndarray:
    """One movement's values of a column, one per replication in replication order."""
    m = records.movements
    rows = m["movement"] == movement
    order = np.argsort(m["replication"][rows], kind="stable")
    values = m[column][rows][order]
    assert len(values) == records.replications, f"{movement}: not one row per replication"
    return values


def capped_time_h(records, movement: str) -> np.ndarray:
    """Hours from departure to delivery, or to the horizon when not delivered."""
    time_h = per_replication(records, movement, "delivery_time_h")
    to_horizon_h = records.horizon_h - per_replication(records, movement, "departure_h")
    return np.where(np.isnan(time_h), to_horizon_h, time_h)


def mean_capped_time_h(records) -> np.ndarray:
    """Per replication: the mean over all departures of the capped delivery time."""
    m = records.movements
    time_h = np.where(np.isnan(m["delivery_time_h"]), records.horizon_h - m["departure_h"], m["delivery_time_h"])
    r = m["replication"].astype(int)
    return np.bincount(r, weights=time_h, minlength=records.replications) / np.bincount(r)


def delivered(records, movement: str) -> np.ndarray:
    return (per_replication(records, movement, "outcome") == "delivered").astype(float)


def tonnes_delivered(records) -> np.ndarray:
    """Tonnes delivered by the horizon in each replication, over all movements and flows."""
    m = records.movements
    return np.bincount(m["replication"].astype(int), weights=m["delivered_t"], minlength=records.replications)


def paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean of the paired differences a - b and its 95 % Student t interval."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    mean = float(d.mean())
    if len(d) < 2 or np.ptp(d) == 0:
        return mean, mean, mean
    low, high = stats.t.interval(LEVEL, len(d) - 1, loc=mean, scale=stats.sem(d))
    return mean, float(low), float(high)


# --- every file: composes, validates, runs, and says where its values come from -----------------


@pytest.mark.parametrize("name", SHIPPED)
def test_scenario_composes_validates_and_runs(name):
    s = scenario(name)  # composition and validation raise on any problem
    assert s.title.strip() and s.description.strip()
    records = simulate(s, SEED, 4)
    departures = len(set(records.movements["movement"].tolist()))
    assert departures >= 1
    assert len(records.movements["movement"]) == 4 * departures
    assert set(records.movements["outcome"].tolist()) <= {"delivered", "refused", "turned_back", "not_delivered"}
    for column in ("delivered_t", "refused_t", "turned_back_t", "not_delivered_t"):
        assert np.all(records.movements[column] >= 0)
    split = sum(records.movements[f"{o}_t"] for o in ("delivered", "refused", "turned_back", "not_delivered"))
    assert np.allclose(split, records.movements["tonnes"])


@pytest.mark.parametrize("name", [n for n in SHIPPED if n != "baseline"])
def test_scenario_extends_another_through_defaults(name):
    raw = load_scenario_file(SCENARIO_DIR / f"{name}.yaml")
    defaults = list(raw.get("defaults", []))
    assert defaults and defaults[-1] == "_self_", "extend with `defaults: [<scenario>, _self_]`"
    assert all(d in SHIPPED for d in defaults[:-1])
    assert raw.get("title") and raw.get("description"), "a scenario needs its own title and description"


def _set_parameters(node, at: str = ""):
    """Dotted paths of the values a scenario file sets itself (lists and delays count as one)."""
    if isinstance(node, dict) and not ("dist" in node and at):
        for key, value in node.items():
            if not at and key in (
                "defaults",
                "title",
                "description",
                "sources",
                "uncertainty",
                "record",
                "observations",
            ):
                # the record carries its own sources (scenarios/records/); these say how it is used
                continue
            if key in ("name", "sender"):  # labels, not parameters (as in the scenario card)
                continue
            if at.startswith("legs.") and at.count(".") == 1 and key in ("start", "end"):
                continue  # which places a road joins is the network's shape, not a measured value
            yield from _set_parameters(value, f"{at}.{key}" if at else str(key))
    else:
        yield at


@pytest.mark.parametrize("name", [n for n in SHIPPED if n != "baseline"])
def test_every_value_a_file_sets_has_a_source(name):
    raw = load_scenario_file(SCENARIO_DIR / f"{name}.yaml")
    content = OmegaConf.to_container(raw, resolve=False)
    sources = content.get("sources", {})
    unsourced = []
    for path in _set_parameters(content):
        parts = path.split(".")
        if not any(".".join(parts[:n]) in sources for n in range(len(parts), 0, -1)):
            unsourced.append(path)
    assert not unsourced, f"{name}: no entry under sources for {unsourced}"
    for key, source in sources.items():
        assert source["source"] == "ASSUMPTION" or source["source"].startswith(("http://", "https://")), key


def test_every_shipped_scenario_is_in_the_guide():
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in SHIPPED if f"`{name}`" not in text]
    assert not missing, f"docs/scenarios.md does not list {missing}"


# --- directions against the baseline (paired, same seed) ----------------------------------------

N = 256  # the baseline-sized scenarios run about 1,000 replications a second


def test_corridor_closure_delays_the_lachin_road_movements():
    base, closed = run("baseline", N), run("corridor_closure", N)
    for key in LACHIN:
        mean, low, high = paired(capped_time_h(closed, key), capped_time_h(base, key))
        assert low > 0, f"{key}: closure - baseline = {mean:.1f} h [{low:.1f}, {high:.1f}]"
    mean, low, high = paired(delivered(closed, "icrc_flour_lachin"), delivered(base, "icrc_flour_lachin"))
    assert high < 0, f"P(delivered) closure - baseline = {mean:.3f} [{low:.3f}, {high:.3f}]"
    # The closures are at the Hakari checkpoint: the Aghdam road is untouched, draw for draw.
    for key in ("rrc_aghdam", "icrc_medical_aghdam"):
        assert np.allclose(capped_time_h(closed, key), capped_time_h(base, key))


def test_tightened_inspection_is_not_faster():
    base, tight = run("baseline", N), run("tightened_inspection", N)
    for key in LACHIN:
        d = capped_time_h(tight, key) - capped_time_h(base, key)
        mean, low, high = paired(capped_time_h(tight, key), capped_time_h(base, key))
        assert low > 0, f"{key}: tightened - baseline = {mean:.1f} h [{low:.1f}, {high:.1f}]"
        assert d.min() >= -1e-9, f"{key}: faster in some replication ({d.min():.3f} h)"


def test_reopened_extra_lanes_is_not_later_and_the_convoy_is_sooner():
    n = 32  # the 400 t/day flow makes this scenario slower to run
    base, reopened = run("baseline", n), run("reopened_extra_lanes", n)
    for key in LACHIN:
        mean, low, high = paired(capped_time_h(reopened, key), capped_time_h(base, key))
        assert high <= 0.5, f"{key}: reopened - baseline = {mean:.2f} h [{low:.2f}, {high:.2f}]"
    mean, low, high = paired(capped_time_h(reopened, "armenia_convoy"), capped_time_h(base, "armenia_convoy"))
    assert high < 0, f"convoy: reopened - baseline = {mean:.2f} h [{low:.2f}, {high:.2f}]"
    per_day = tonnes_delivered(reopened) / scenario("reopened_extra_lanes").horizon_days
    assert per_day.mean() > 350, f"{per_day.mean():.0f} t/day, target 400"


def test_border_hold_lowers_the_convoys_delivery_probability():
    base, held = run("baseline", N), run("border_hold", N)
    mean, low, high = paired(delivered(held, "armenia_convoy"), delivered(base, "armenia_convoy"))
    assert high < 0, f"P(delivered) border_hold - baseline = {mean:.3f} [{low:.3f}, {high:.3f}]"


def test_aghdam_route_leaves_the_lachin_road_unused():
    records = run("aghdam_route", 16)
    assert not np.isin(records.passages["place"], ["hakari", "kornidzor", "shusha"]).any()
    assert delivered(records, "azrc_flour_aghdam").mean() > 0


def test_dual_route_reroutes_and_delivers_more_often_than_without_the_alternative():
    single = copy.deepcopy(scenario("dual_route"))
    single.movements["icrc_flour_lachin"].alternative_routes = {}
    single.movements["icrc_flour_lachin"].reroute_after_h = None
    dual, without = run("dual_route", N), simulate(single, SEED, N)
    reroutes = per_replication(dual, "icrc_flour_lachin", "reroutes")
    assert (reroutes > 0).any()
    assert not per_replication(without, "icrc_flour_lachin", "reroutes").any()
    key = "icrc_flour_lachin"
    mean, low, high = paired(delivered(dual, key), delivered(without, key))
    assert low > 0, f"P(delivered) with - without the alternative = {mean:.3f} [{low:.3f}, {high:.3f}]"
    # A rerouted truck that was delivered came by the Aghdam road.
    p = dual.passages
    by_aghdam = set(p["replication"][(p["movement"] == key) & (p["place"] == "askeran")].astype(int).tolist())
    rerouted_and_delivered = np.flatnonzero((reroutes > 0) & (delivered(dual, key) == 1))
    assert len(rerouted_and_delivered) and set(rerouted_and_delivered.tolist()) <= by_aghdam


def test_open_corridor_delivers_far_more_than_restricted_access():
    n = 16
    open_t, restricted_t = tonnes_delivered(run("open_corridor_2022", n)), tonnes_delivered(run("restricted_access", n))
    mean, low, high = paired(open_t, restricted_t)
    assert low > 0, f"open - restricted = {mean:.0f} t [{low:.0f}, {high:.0f}]"
    assert open_t.mean() > 5 * restricted_t.mean()
    days = scenario("open_corridor_2022").horizon_days
    assert 350 < open_t.mean() / days < 420  # the calibrated ~400 t/day
    assert 25 < restricted_t.mean() / days < 35  # the calibrated ~31 t/day


@pytest.mark.slow
def test_winter_stress_delivers_later_than_the_open_corridor():
    n = 64
    summer, winter = run("open_corridor_2022", n), run("winter_stress", n)
    mean, low, high = paired(mean_capped_time_h(winter), mean_capped_time_h(summer))
    assert low > 0, f"mean time, winter - open corridor = {mean:.2f} h [{low:.2f}, {high:.2f}]"
    mean, low, high = paired(tonnes_delivered(winter), tonnes_delivered(summer))
    assert mean <= 0, f"tonnes, winter - open corridor = {mean:.0f} t [{low:.0f}, {high:.0f}]"


@pytest.mark.slow
def test_surge_counterflow_priority_gets_aid_through_the_queue_sooner():
    n = 32
    s = copy.deepcopy(scenario("surge_counterflow"))
    for m in s.movements.values():
        m.priority = False
    for checkpoint in s.checkpoints.values():
        checkpoint.aid_priority = False
    with_priority, without = run("surge_counterflow", n), simulate(s, SEED, n)
    for key in ("icrc_lachin_70t", "peacekeeper_convoy"):
        mean, low, high = paired(capped_time_h(with_priority, key), capped_time_h(without, key))
        assert high < 0, f"{key}: priority - none = {mean:.2f} h [{low:.2f}, {high:.2f}]"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["corridor_closure", "tightened_inspection", "dual_route"])
def test_directions_hold_with_many_replications(name):
    n = 2048
    base, other = simulate(scenario("baseline"), SEED, n), simulate(scenario(name), SEED, n)
    for key in LACHIN:
        mean, low, high = paired(capped_time_h(other, key), capped_time_h(base, key))
        if name == "dual_route" and key == "icrc_flour_lachin":
            continue  # a detour can be slower than a short wait; its gain is in deliveries
        assert low > 0, f"{name} {key}: {mean:.1f} h [{low:.1f}, {high:.1f}]"
