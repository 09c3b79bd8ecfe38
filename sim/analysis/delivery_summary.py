"""What a run delivered over its replications: tonnes per cargo type (and still usable, for
cargo that loses value), the need met, the cumulative tonnes by day and the longest spell without
a delivery; and the counts the check against the record shares (person-days lived, days without
delivery). A long run's kept deliveries are read a block of replications at a time, and only what
the daily tonnes need of every row is held whole."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import numpy as np

from sim.analysis.intervals import mean_interval
from sim.results.kept import ROWS_AT_A_TIME, read_rows, row_count
from sim.results.records import Records


def summarise_deliveries(records: Records, needs: dict | None, cargo_types: dict[str, dict]) -> dict:
    """Tonnes delivered per cargo type (and, for cargo that loses value, the tonnes still usable);
    with `needs`, person-days of need covered (by usable tonnes) and the share of the horizon's
    need met; the cumulative tonnes by day, and the longest spell without any delivery. Each a
    mean over replications with its interval (the daily tonnes with a 5-95% band across
    replications)."""
    needs = needs or {"population": None, "kg_per_person_day": {}}
    reps = records.replications
    first = first_replication(records.movements)
    days = int(math.ceil(records.horizon_h / 24.0))
    horizon_days = records.horizon_h / 24.0
    deliveries = records.deliveries
    index_type = np.int32 if reps < 2**31 else np.int64
    rep_index = np.empty(row_count(deliveries), index_type)
    for begin in range(0, len(rep_index), ROWS_AT_A_TIME):  # not the whole column in its own type
        end = begin + ROWS_AT_A_TIME
        np.subtract(read_rows(deliveries, "replication", begin, end), first, out=rep_index[begin:end], casting="unsafe")
    # Per replication, summed a block of replications at a time from the rows of that block only
    # (a million replications' deliveries are 3.6 million rows, each float column 29 MB); what the
    # daily tonnes need of every row is held whole: its replication, day and tonnes.
    day = np.empty(len(rep_index), np.min_scalar_type(max(days - 1, 0)))
    tonnes = np.empty(len(rep_index), np.float32)  # float64 once a block has a value float32 can't hold exactly
    gaps_h = np.empty(reps)
    tonnes_of = {name: np.zeros(reps) for name in needs["kg_per_person_day"]}
    usable_of = {name: np.zeros(reps) for name in cargo_types}
    departure_h = departures_h(records.movements) if cargo_types else {}
    for start, size, begin, end in replication_blocks(rep_index, reps):
        at, time_h = rep_index[begin:end] - start, read_rows(deliveries, "time_h", begin, end)
        tonnes_in = read_rows(deliveries, "tonnes", begin, end)
        if tonnes.dtype != tonnes_in.dtype and not np.array_equal(tonnes_in.astype(tonnes.dtype), tonnes_in):
            tonnes = tonnes.astype(tonnes_in.dtype)
        tonnes[begin:end] = tonnes_in
        day[begin:end] = day_numbers(time_h, days)
        gaps_h[start : start + size] = longest_gaps_h(at, time_h, size, records.horizon_h)
        cargo = read_rows(deliveries, "cargo", begin, end)
        movement = read_rows(deliveries, "movement", begin, end) if cargo_types else None  # once a block
        for name in distinct(cargo):
            tonnes_of.setdefault(name, np.zeros(reps))
        for name, of in tonnes_of.items():
            rows = cargo == name
            of[start : start + size] = np.bincount(at[rows], weights=tonnes_in[rows], minlength=size)
            if name in cargo_types:
                loaded_h = departure_of(movement[rows], departure_h)
                usable_share = usable(cargo_types[name], (time_h[rows] - loaded_h) / 24.0)
                usable_of[name][start : start + size] = np.bincount(
                    at[rows], weights=tonnes_in[rows] * usable_share, minlength=size
                )
    changes_h = needs.get("changes_h", [])
    population = needs["population"]
    need_person_days = population_days(population, changes_h, records.horizon_h) if population else None
    by_cargo = {
        name: cargo_statistics(of, usable_of.get(name), needs["kg_per_person_day"].get(name), need_person_days)
        for name, of in tonnes_of.items()
    }
    longest_gap_days = mean_interval(gaps_h / 24.0)
    del tonnes_of, usable_of, gaps_h
    by_day = cumulative_tonnes_by_day(rep_index, day, tonnes, reps, days)
    return {
        "population": needs["population"],
        "population_changes_h": changes_h,
        "need_person_days": need_person_days,
        "mean_population": need_person_days / horizon_days if need_person_days is not None else None,
        "kg_per_person_day": needs["kg_per_person_day"],
        "cargo_types": cargo_types,
        "by_cargo": by_cargo,
        "cumulative_tonnes_by_day": by_day,
        "longest_gap_days": longest_gap_days,
    }


def first_replication(movements: Mapping[str, np.ndarray]) -> int:
    """The number of the run's first replication (0 for a run without any), its column read a
    block of rows at a time."""
    blocks = range(0, row_count(movements), ROWS_AT_A_TIME)
    return min((int(read_rows(movements, "replication", b, b + ROWS_AT_A_TIME).min()) for b in blocks), default=0)


def cargo_statistics(
    tonnes: np.ndarray,
    usable_tonnes: np.ndarray | None,
    kg_per_person_day: float | None,
    need_person_days: float | None,
) -> dict:
    """What one cargo type's tonnes per replication (and, for cargo that loses value, its usable
    tonnes) say: their means, and given the ration and the need, the person-days covered by what
    was usable and the share of the need met."""
    result = {"tonnes": mean_interval(tonnes)}
    if usable_tonnes is not None:
        tonnes = usable_tonnes
        result["usable_tonnes"] = mean_interval(tonnes)
    if kg_per_person_day and need_person_days is not None:
        person_days = tonnes * 1000.0 / kg_per_person_day
        result["person_days"] = mean_interval(person_days)
        result["share_of_need_met"] = mean_interval(person_days / need_person_days)
    return result


def replication_blocks(rep_index: np.ndarray, reps: int) -> Iterator[tuple[int, int, int, int]]:
    """(first replication, replications, first row, row after the last) of each block of
    replications of the rows `rep_index` (each row's replication, from 0): blocks of
    `_REPLICATIONS_AT_A_TIME` where the rows are in replication order (as a run writes them),
    else one block of all."""
    if np.any(rep_index[1:] < rep_index[:-1]):
        yield 0, reps, 0, len(rep_index)
        return
    starts = range(0, reps, _REPLICATIONS_AT_A_TIME)
    bounds = np.searchsorted(rep_index, [*starts, reps]).tolist()
    for start, begin, end in zip(starts, bounds, bounds[1:]):
        yield start, min(_REPLICATIONS_AT_A_TIME, reps - start), begin, end


_REPLICATIONS_AT_A_TIME = 1 << 12  # a block's rows and the sort of its longest gaps: about 1 MB


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


def departures_h(movements: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Each movement's departure (when its cargo was loaded), in hours."""
    # A movement's departure is the same in every replication, and every replication has a row of
    # each movement: the first replication's rows are enough.
    replication = movements["replication"]
    first = replication == replication[0] if len(replication) else []
    return dict(zip(movements["movement"][first].tolist(), movements["departure_h"][first].tolist()))


def departure_of(movement: np.ndarray, departure_h: dict[str, float]) -> np.ndarray:
    """The departure (`departures_h`) of the movement of each delivery of `movement`."""
    # Movement by movement, not by sorting the names (a sort of millions of strings).
    found = np.full(len(movement), np.nan)
    for key, h in departure_h.items():
        found[movement == key] = h
    return found


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
