"""Shared permission decisions (`decisions`, `hold.decision`): one answer, at one moment, for every
movement waiting on it. Exact timelines in tiny worlds, the correlation of outcomes it makes, the
validation of the keys, and common random numbers (a decision moves no other stream's draws)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import at, delay, fixed, hold, movement, rows, scenario
from scipy import stats

from sim.config.card import scenario_card
from sim.config.compose import load_scenario
from sim.config.schema import Decision, Hold
from sim.config.validate import ConfigError, scenario_problems
from sim.simulate.compile import compile_scenario
from sim.simulate.draws import draw_rows
from sim.simulate.replications import simulate

NAN = math.nan


def shared(*departures: float, decision: Decision | None = None, own_refusal=(), horizon_days: float = 10.0):
    """Movements m0, m1... leaving a at the given hours: a -1h- b (held) -1h- c, every hold on
    the decision `deal` (fixed 5 h from the first arrival, never refused, unless given)."""
    movements = {}
    for i, departure_h in enumerate(departures):
        refusal = own_refusal[i] if i < len(own_refusal) else 0.0
        movements[f"m{i}"] = movement(
            ["a", "b", "c"],
            departure=at(departure_h),
            hold=Hold(place="b", decision="deal", refusal_probability=refusal),
        )
    s = scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0)], movements={"m0": movement(["a", "b", "c"])}, horizon_days=horizon_days
    )
    s.movements = movements
    s.decisions = {"deal": decision or Decision(delay=fixed(5.0))}
    problems = list(scenario_problems(s, "scenario"))
    assert not problems, problems
    return s


def by_movement(records) -> dict[str, dict]:
    """The movements table of one replication: key -> row."""
    table = records.movements
    return {k: {c: table[c][i] for c in table} for i, k in enumerate(table["movement"].tolist())}


def left_b(records, key: str) -> float:
    """When a movement left the hold's place b (its passage's release)."""
    return float(rows(records.passages, movement=key, place="b")["release_h"][0])


# --- exact timelines ---------------------------------------------------------------------------


def test_two_movements_waiting_on_one_decision_get_its_answer_at_the_same_moment():
    # m0 reaches b at 1 and starts the clock: the answer comes at 6. m1 reaches b at 3 and waits too.
    records = simulate(shared(0.0, 2.0), seed=1, replications=1)
    m = by_movement(records)
    assert left_b(records, "m0") == left_b(records, "m1") == 6.0
    assert (m["m0"]["end_h"], m["m1"]["end_h"]) == (7.0, 7.0)
    assert (m["m0"]["delivery_time_h"], m["m1"]["delivery_time_h"]) == (7.0, 5.0)


def test_the_same_moment_holds_to_the_last_bit_for_random_delays():
    s = shared(0.0, 0.3, 2.7, decision=Decision(delay=delay("lognormal", median_h=4.0, p90_h=9.0)))
    records = simulate(s, seed=3, replications=200)
    p = rows(records.passages, place="b")
    for r in range(200):
        released = p["release_h"][p["replication"] == r]
        arrived = p["arrival_h"][p["replication"] == r]
        first = arrived.min()
        answer = released[arrived == first][0]
        waited = arrived < answer  # arrived before the answer: left with it, at the very same float
        assert np.all(released[waited] == answer)
        assert np.all(released[~waited] == arrived[~waited])  # after it: at once


def test_a_movement_arriving_after_the_answer_goes_on_at_once():
    # The answer comes at 6 (m0 reached b at 1); m1 reaches b at 11 and leaves at once.
    records = simulate(shared(0.0, 10.0), seed=1, replications=1)
    assert left_b(records, "m1") == 11.0
    assert by_movement(records)["m1"]["delivery_time_h"] == 2.0


def test_a_refusal_refuses_every_movement_waiting_on_the_decision_and_later_ones_on_arrival():
    s = shared(0.0, 2.0, 10.0, decision=Decision(delay=fixed(5.0), refusal_probability=1.0))
    m = by_movement(simulate(s, seed=1, replications=1))
    assert [m[k]["outcome"] for k in ("m0", "m1", "m2")] == ["refused"] * 3
    assert [m[k]["end_h"] for k in ("m0", "m1", "m2")] == [6.0, 6.0, 11.0]
    assert [m[k]["refused_trucks"] for k in ("m0", "m1", "m2")] == [1, 1, 1]


def test_a_movements_own_refusal_applies_when_the_decision_permits():
    m = by_movement(simulate(shared(0.0, 2.0, own_refusal=(1.0, 0.0)), seed=1, replications=1))
    assert (m["m0"]["outcome"], m["m0"]["end_h"]) == ("refused", 6.0)
    assert (m["m1"]["outcome"], m["m1"]["end_h"]) == ("delivered", 7.0)


def test_a_decision_with_a_fixed_start_answers_at_that_time_plus_its_delay():
    # Its clock starts at 2 (not at m0's arrival at 1): the answer is at 7.
    records = simulate(shared(0.0, decision=Decision(delay=fixed(5.0), starts=at(2.0))), seed=1, replications=1)
    assert left_b(records, "m0") == 7.0
    # Started before the scenario's start, it may have answered before anyone arrives.
    early = Decision(delay=fixed(5.0), starts=at(-10.0))
    records = simulate(shared(0.0, decision=early), seed=1, replications=1)
    assert left_b(records, "m0") == 1.0


def test_an_answer_at_or_after_the_horizon_leaves_every_movement_held():
    s = shared(0.0, 2.0, decision=Decision(delay=fixed(100.0)), horizon_days=2.0)
    m = by_movement(simulate(s, seed=1, replications=1))
    assert [m[k]["outcome"] for k in ("m0", "m1")] == ["not_delivered"] * 2
    assert all(math.isnan(m[k]["delivery_time_h"]) for k in ("m0", "m1"))


def test_a_movement_with_a_decision_never_takes_the_direct_path():
    assert all(m.direct is None for m in compile_scenario(shared(0.0, 2.0)).movements)


# --- correlated outcomes -----------------------------------------------------------------------


def delivered_pair(records, a: str, b: str) -> tuple[np.ndarray, np.ndarray]:
    """Per replication, in replication order: whether each of two movements was delivered."""
    m = records.movements
    out = []
    for key in (a, b):
        keep = m["movement"] == key
        order = np.argsort(m["replication"][keep], kind="stable")
        out.append(m["outcome"][keep][order] == "delivered")
    return out[0], out[1]


def independence_p_value(x: np.ndarray, y: np.ndarray) -> float:
    """Fisher's exact test of independence of two yes/no outcomes over replications."""
    table = [[np.sum(x & y), np.sum(x & ~y)], [np.sum(~x & y), np.sum(~x & ~y)]]
    return float(stats.fisher_exact(table).pvalue)


def test_a_shared_decision_makes_both_delivered_far_likelier_than_the_product_of_the_marginals():
    n = 2000
    s = shared(0.0, 2.0, decision=Decision(delay=fixed(5.0), refusal_probability=0.5))
    x, y = delivered_pair(simulate(s, seed=5, replications=n), "m0", "m1")
    both, product = float(np.mean(x & y)), float(np.mean(x) * np.mean(y))
    assert np.array_equal(x, y)  # one answer for both
    # P(both) ~ 0.5 and the product ~ 0.25: over 20 standard errors of P(both) apart, and dependence
    # beyond any doubt (independence would make a p-value this small once in far more runs than
    # the universe could hold).
    assert abs(both - 0.5) < 0.05 and abs(product - 0.25) < 0.05
    assert independence_p_value(x, y) < 1e-100
    # The same marginals from holds of their own: independent.
    for m in s.movements.values():
        m.hold = hold("b", 5.0, 0.5)
    s.decisions = {}
    x, y = delivered_pair(simulate(s, seed=5, replications=n), "m0", "m1")
    assert abs(np.mean(x & y) - np.mean(x) * np.mean(y)) < 0.03
    assert independence_p_value(x, y) > 1e-4


def test_negotiated_access_correlates_the_movements_on_each_road():
    n = 2000
    records = simulate(load_scenario("negotiated_access"), seed=20230726, replications=n)
    for a, b in (("armenia_convoy", "icrc_flour_lachin"), ("rrc_aghdam", "icrc_medical_aghdam")):
        x, y = delivered_pair(records, a, b)
        both, product = float(np.mean(x & y)), float(np.mean(x) * np.mean(y))
        assert both > product, (a, b, both, product)
        assert independence_p_value(x, y) < 1e-10, (a, b, both, product)
    # The two roads' decisions are independent of each other.
    x, y = delivered_pair(records, "icrc_flour_lachin", "icrc_medical_aghdam")
    assert independence_p_value(x, y) > 1e-4


# --- validation --------------------------------------------------------------------------------


def problems_of(s) -> list[str]:
    return list(scenario_problems(s, "scenario"))


def test_an_unknown_decision_is_refused_naming_the_key_and_the_known_ones():
    s = shared(0.0)
    s.movements["m0"].hold.decision = "dael"
    assert problems_of(s) == ["scenario.movements.m0.hold.decision=dael: unknown decision; known decisions: deal"]
    with pytest.raises(ConfigError, match=r"hold\.decision=nope: unknown decision; known decisions: lachin_road, "):
        load_scenario("negotiated_access", ["scenario.movements.rrc_aghdam.hold.decision=nope"])


def test_a_hold_with_both_its_own_delay_and_a_decision_is_refused():
    s = shared(0.0)
    s.movements["m0"].hold.delay = fixed(1.0)
    [problem] = problems_of(s)
    assert problem.startswith("scenario.movements.m0.hold.delay: a hold waiting on decision deal has no delay")


def test_a_hold_with_neither_delay_nor_decision_is_refused():
    s = shared(0.0)
    s.movements["m0"].hold.decision = None
    [problem] = problems_of(s)
    assert problem.startswith("scenario.movements.m0.hold.delay: is required unless the hold waits on a decision")


@pytest.mark.parametrize(
    ("decision", "key"),
    [
        (Decision(delay=fixed(-1.0)), "scenario.decisions.deal.delay.value_h=-1.0"),
        (Decision(delay=fixed(1.0), refusal_probability=1.5), "scenario.decisions.deal.refusal_probability=1.5"),
        (Decision(delay=fixed(1.0), starts="soon"), "scenario.decisions.deal.starts=soon"),
        (Decision(delay=fixed(1.0), starts="2024-01-01T00:00+04:00"), "scenario.decisions.deal.starts="),
    ],
)
def test_a_decisions_own_values_are_checked(decision, key):
    s = shared(0.0)
    s.decisions["deal"] = decision
    [problem] = problems_of(s)
    assert problem.startswith(key)


def test_a_decision_key_must_be_a_plain_name():
    s = shared(0.0)
    s.decisions = {"Deal": s.decisions["deal"]}
    s.movements["m0"].hold.decision = "Deal"
    assert problems_of(s) == [
        "scenario.decisions.Deal: keys must be lowercase ASCII letters, digits and _, starting with a letter"
    ]


def test_the_scenario_card_lists_a_decisions_parameters_with_their_sources():
    card = {row["parameter"]: row for row in scenario_card(load_scenario("negotiated_access"))}
    assert card["decisions.lachin_road.delay"]["unit"] == "h"
    assert card["decisions.lachin_road.delay"]["source"].startswith("https://")
    assert card["decisions.lachin_road.refusal_probability"]["source"] == "ASSUMPTION"
    assert card["movements.armenia_convoy.hold.decision"]["value"] == "lachin_road"
    assert "movements.armenia_convoy.hold.delay" not in card  # none of its own
    s = shared(0.0, decision=Decision(delay=fixed(1.0), starts=at(3.0)))
    assert {r["parameter"]: r["unit"] for r in scenario_card(s)}["decisions.deal.starts"] == "local datetime"


# --- common random numbers ---------------------------------------------------------------------


def crn_world(with_decision: bool):
    """m_own has a hold of its own, m_free none (on another road); with_decision adds a decision
    and a movement waiting on it."""
    s = scenario(
        legs=[("a", "b", delay("uniform", low_h=1.0, high_h=3.0)), ("b", "c", 1.0), ("d", "c", 2.0)],
        movements={
            "m_own": movement(["a", "b", "c"], hold=hold("b", delay("exponential", mean_h=4.0), 0.3)),
            "m_free": movement(["d", "c"], trucks=2),
        },
    )
    if with_decision:
        s.decisions = {"deal": Decision(delay=delay("exponential", mean_h=6.0), refusal_probability=0.4)}
        s.movements["m_waits"] = movement(["a", "b", "c"], hold=Hold(place="b", decision="deal"))
    assert not problems_of(s)
    return s


def test_adding_a_decision_changes_no_draws_of_the_movements_that_do_not_use_it():
    before, after = compile_scenario(crn_world(False)), compile_scenario(crn_world(True))
    rows_before, rows_after = draw_rows(before, 7, 0, 0, 256), draw_rows(after, 7, 0, 0, 256)
    for i in range(len(before.movements)):
        assert after.movements[i].key == before.movements[i].key
        assert np.array_equal(rows_before[i], rows_after[i])
    a, b = simulate(crn_world(False), 7, 300), simulate(crn_world(True), 7, 300)
    for key in ("m_own", "m_free"):
        for column in ("outcome", "end_h", "delivery_time_h"):
            x, y = rows(a.movements, movement=key)[column], rows(b.movements, movement=key)[column]
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), (key, column)


def test_changing_a_decision_moves_only_its_own_draws():
    s = crn_world(True)
    base = draw_rows(compile_scenario(s), 7, 0, 0, 256)
    s.decisions["deal"].refusal_probability = 0.9
    s.decisions["deal"].delay = delay("exponential", mean_h=60.0)
    changed = draw_rows(compile_scenario(s), 7, 0, 0, 256)
    movements = len(s.movements)
    for i in range(movements):
        assert np.array_equal(base[i], changed[i])
    # The decision's answer reads the same uniform; its delay, the same uniform scaled.
    assert np.array_equal(base[movements][:, 1], changed[movements][:, 1])
    assert np.allclose(changed[movements][:, 0], 10.0 * base[movements][:, 0])


def test_moving_a_movement_onto_a_decision_keeps_its_other_draws():
    own = crn_world(True)
    own.movements["m_waits"].hold = hold("b", 6.0, 0.0)
    plan_own, plan_shared = compile_scenario(own), compile_scenario(crn_world(True))
    table_own = draw_rows(plan_own, 7, 0, 0, 256)[2]
    table_shared = draw_rows(plan_shared, 7, 0, 0, 256)[2]
    m_own, m_shared = plan_own.movements[2], plan_shared.movements[2]
    assert ("hold", "") in m_own.offset and ("hold", "") not in m_shared.offset
    for purpose, start in m_shared.offset.items():
        width = next(d.width for d in m_shared.draws if d.purpose == purpose)
        other = m_own.offset[purpose]
        assert np.array_equal(table_shared[:, start : start + width], table_own[:, other : other + width]), purpose
