"""What a run delivered over its replications: tonnes per cargo type (and still usable, for
cargo that loses value), the need met, the cumulative tonnes by day and the longest spell without
a delivery; and the counts the check against the record shares (person-days lived, days without
delivery). Each column of a long run's kept deliveries is made once, in the narrowest type that
serves, and the longest gaps a block of replications at a time."""

from __future__ import annotations

import math

import numpy as np

from sim.analysis.intervals import mean_interval
from sim.results.records import Records


def summarise_deliveries(records: Records, needs: dict | None, cargo_types: dict[str, dict]) -> dict:
    """Tonnes delivered per cargo type (and, for cargo that loses value, the tonnes still usable);
    with `needs`, person-days of need covered (by usable tonnes) and the share of the horizon's
    need met; the cumulative tonnes by day, and the longest spell without any delivery. Each a
    mean over replications with its interval (the daily tonnes with a 5-95% band across
    replications)."""
    needs = needs or {"population": None, "kg_per_person_day": {}}
    reps = records.replications
    first = int(records.movements["replication"].min()) if len(records.movements["replication"]) else 0
    days = int(math.ceil(records.horizon_h / 24.0))
    horizon_days = records.horizon_h / 24.0
    # Each column made once and held in the narrowest type that serves (a long run's kept table
    # makes a column anew at each look-up; a million replications' deliveries are 3.6 million
    # rows): the cargo names only until each cargo's rows are known.
    deliveries = records.deliveries
    time_h, tonnes = deliveries["time_h"], deliveries["tonnes"]
    index_type = np.int32 if reps < 2**31 else np.int64
    rep_index = np.subtract(deliveries["replication"], first, dtype=index_type, casting="unsafe")
    cargo = deliveries["cargo"]
    cargo_names = list(dict.fromkeys([*needs["kg_per_person_day"], *distinct(cargo)]))
    rows_of = {name: cargo == name for name in cargo_names}
    del cargo
    changes_h = needs.get("changes_h", [])
    population = needs["population"]
    need_person_days = population_days(population, changes_h, records.horizon_h) if population else None
    by_cargo = {}
    for cargo_name, rows in rows_of.items():
        tonnes_of = np.bincount(rep_index[rows], weights=tonnes[rows], minlength=reps)
        result = {"tonnes": mean_interval(tonnes_of)}
        if cargo_name in cargo_types:
            usable_share = usable(cargo_types[cargo_name], age_days(records, time_h, rows))
            tonnes_of = np.bincount(rep_index[rows], weights=tonnes[rows] * usable_share, minlength=reps)
            result["usable_tonnes"] = mean_interval(tonnes_of)
        kg = needs["kg_per_person_day"].get(cargo_name)
        if kg and needs["population"]:
            person_days = tonnes_of * 1000.0 / kg
            result["person_days"] = mean_interval(person_days)
            result["share_of_need_met"] = mean_interval(person_days / need_person_days)
        by_cargo[cargo_name] = result
    del rows_of
    by_day = cumulative_tonnes_by_day(rep_index, day_numbers(time_h, days), tonnes, reps, days)
    gaps_days = longest_gaps_in_blocks_h(rep_index, time_h, reps, records.horizon_h) / 24.0
    return {
        "population": needs["population"],
        "population_changes_h": changes_h,
        "need_person_days": need_person_days,
        "mean_population": need_person_days / horizon_days if need_person_days is not None else None,
        "kg_per_person_day": needs["kg_per_person_day"],
        "cargo_types": cargo_types,
        "by_cargo": by_cargo,
        "cumulative_tonnes_by_day": by_day,
        "longest_gap_days": mean_interval(gaps_days),
    }


def distinct(column: np.ndarray) -> list:
    """The distinct values of a column in the order they first appear, a block of rows at a time
    (not the whole column as one Python list: 29 MB for a million replications' deliveries)."""
    found: dict = {}
    for start in range(0, len(column), _ROWS_AT_A_TIME):
        found.update(dict.fromkeys(column[start : start + _ROWS_AT_A_TIME].tolist()))
    return list(found)


_ROWS_AT_A_TIME = 1 << 16


def day_numbers(time_h: np.ndarray, days: int) -> np.ndarray:
    """The day (0, 1, ...) of each time, in the smallest integer type that holds them; times after
    the last day's start in the last day."""
    day = time_h // 24.0
    np.minimum(day, days - 1, out=day)  # in place: a million replications' deliveries take 29 MB a column
    return day.astype(np.min_scalar_type(max(days - 1, 0)))


def cumulative_tonnes_by_day(
    rep_index: np.ndarray, day: np.ndarray, tonnes: np.ndarray, reps: int, days: int
) -> list[dict]:
    """Tonnes delivered from the start to the end of each day (the last day ends at the horizon):
    the mean over replications and the 5-95% band. `rep_index`, `day` and `tonnes`: each
    delivery's replication (from 0), day (`day_numbers`) and tonnes."""
    # One day at a time, each day's deliveries in the order they came, not a replications x days
    # matrix (560 MB at a million replications of a 70-day horizon); each day's tonnes summed
    # apart, then added, as a cumulative sum would.
    cumulative, today, by_day = np.zeros(reps), np.empty(reps), []
    for d in range(days):
        today[:] = 0.0
        on_day = day == d
        np.add.at(today, rep_index[on_day], tonnes[on_day])
        cumulative += today  # from +0.0: the first day's tonnes exactly
        by_day.append(
            {
                "day": d + 1,
                "mean": float(cumulative.mean()),
                "p5": float(np.percentile(cumulative, 5)),
                "p95": float(np.percentile(cumulative, 95)),
            }
        )
    return by_day


def age_days(records: Records, time_h: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Days from loading (the movement's departure) to delivery, of the deliveries in `rows`
    (`time_h`: the deliveries' times)."""
    movements = records.movements
    # A movement's departure is the same in every replication, and every replication has a row of
    # each movement: the first replication's rows are enough.
    first = movements["replication"] == movements["replication"][0] if len(movements["replication"]) else []
    departure_h = dict(zip(movements["movement"][first].tolist(), movements["departure_h"][first].tolist()))
    # Movement by movement, not by sorting the names (a sort of millions of strings).
    names, loaded_h = records.deliveries["movement"][rows], np.full(int(np.count_nonzero(rows)), np.nan)
    for key, h in departure_h.items():
        loaded_h[names == key] = h
    return (time_h[rows] - loaded_h) / 24.0


def usable(cargo_type: dict, age_days: np.ndarray) -> np.ndarray:
    """The share of a tonne still usable after `age_days`: what a daily loss leaves, and nothing
    past the shelf life."""
    share = (1.0 - cargo_type["loss_per_day"]) ** age_days
    shelf_life_days = cargo_type["shelf_life_days"]
    return share if shelf_life_days is None else np.where(age_days <= shelf_life_days, share, 0.0)


def population_days(population: int, changes_h: list[list[float]], horizon_h: float) -> float:
    """Person-days lived from the start to the horizon: `population` until the first change, then
    in a straight line to each change's population over its period [start_h, end_h] (a step
    where the two are equal), constant in between."""
    vertices = [(-math.inf, float(population))]
    for start_h, end_h, after in changes_h:
        vertices += [(start_h, vertices[-1][1]), (end_h, float(after))]
    vertices.append((math.inf, vertices[-1][1]))
    total_h = 0.0
    for (t0, p0), (t1, p1) in zip(vertices, vertices[1:]):
        a, b = max(t0, 0.0), min(t1, horizon_h)
        if b > a:  # then t1 > t0: a line, or a constant (the open ends are constant)
            slope = 0.0 if p0 == p1 else (p1 - p0) / (t1 - t0)
            total_h += (b - a) * (p0 + slope * ((a + b) / 2.0 - t0) if slope else p0)
    return total_h / 24.0


def days_without_delivery(
    replication: np.ndarray, time_h: np.ndarray, replications: np.ndarray, begin_h: float, days: int
) -> np.ndarray:
    """Per replication of `replications` (their numbers), how many of the `days` days from
    `begin_h` saw no delivery; `replication` and `time_h`: the deliveries."""
    inside = (time_h >= begin_h) & (time_h < begin_h + 24.0 * days)
    day = ((time_h[inside] - begin_h) // 24.0).astype(np.int64)
    numbers = replication[inside].astype(np.int64)
    # One (replication, day) code per delivery; the distinct codes are the days with a delivery.
    with_delivery = np.bincount(
        np.unique(numbers * days + day) // days, minlength=int(replications.max(initial=-1)) + 1
    )
    return (days - with_delivery[replications.astype(np.int64)]).astype(float)


def longest_gaps_in_blocks_h(rep_index: np.ndarray, time_h: np.ndarray, reps: int, horizon_h: float) -> np.ndarray:
    """`longest_gaps_h`, a block of replications at a time where the deliveries are in replication
    order (as a run writes them): the same numbers, with the sort's working arrays (40 bytes a
    delivery) for one block only."""
    if np.any(rep_index[1:] < rep_index[:-1]):
        return longest_gaps_h(rep_index, time_h, reps, horizon_h)
    gaps = np.empty(reps)
    bounds = np.searchsorted(rep_index, np.arange(0, reps + _REPLICATIONS_AT_A_TIME, _REPLICATIONS_AT_A_TIME))
    for start, (begin, end) in zip(range(0, reps, _REPLICATIONS_AT_A_TIME), zip(bounds, bounds[1:])):
        block = min(_REPLICATIONS_AT_A_TIME, reps - start)
        gaps[start : start + block] = longest_gaps_h(rep_index[begin:end] - start, time_h[begin:end], block, horizon_h)
    return gaps


_REPLICATIONS_AT_A_TIME = 1 << 16


def longest_gaps_h(rep_index: np.ndarray, time_h: np.ndarray, reps: int, horizon_h: float) -> np.ndarray:
    """Per replication, the longest time from the start, between deliveries, or to the horizon
    without any delivery."""
    # One sort of all deliveries by replication and time, not one scan of them per replication
    # (which made a million replications take hours): each gap is then a difference of
    # neighbours, taken as the same floats `np.diff` takes of each replication's sorted times.
    order = np.lexsort((time_h, rep_index))
    reps_sorted, times = rep_index[order], time_h[order]
    del order  # a million replications' deliveries: each such array is 28 MB
    first = np.ones(len(times), bool)
    first[1:] = reps_sorted[1:] != reps_sorted[:-1]
    last = np.roll(first, -1)  # the next delivery is another replication's first (or there is none)
    gaps = np.full(reps, horizon_h)  # a replication without deliveries: from the start to the horizon
    gaps[reps_sorted[first]] = -np.inf  # each replication with deliveries once (they are sorted)
    np.maximum.at(gaps, reps_sorted[first], times[first] - 0.0)
    within = ~first[1:]  # a delivery after another of its replication
    np.maximum.at(gaps, reps_sorted[1:][within], np.diff(times)[within])
    np.maximum.at(gaps, reps_sorted[last], horizon_h - times[last])
    return gaps
