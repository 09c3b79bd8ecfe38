"""`python -m sim.fit`: delay distributions fitted to observed durations, right-censored or not.

The fit must recover known parameters, agree with scipy.stats' own maximum likelihood on censored
data, and write a fragment that a scenario accepts and runs; bad input must be refused in one line.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from conftest import REPOSITORY, run_sim
from scipy import integrate, optimize, stats

from sim.analysis.fit_ranking import bootstrap, goodness_of_fit, kaplan_meier, ks_distance
from sim.analysis.fitting import Durations, FitError, fit
from sim.app.fit import InputError, check_delay, main
from sim.config.card import scenario_card
from sim.config.compose import load_run
from sim.config.schema import Confidence, Delay, Distribution, Source
from sim.config.validate import check
from sim.simulate.replications import simulate

EPISODES = REPOSITORY / "scenarios" / "records" / "suspension_episodes_2023.csv"
Z90 = 1.2815515655446004

# Known delays in the simulator's terms, and the same as scipy distributions.
KNOWN = {
    "lognormal": ({"median_h": 24.0, "p90_h": 96.0}, stats.lognorm(math.log(4) / Z90, scale=24.0)),
    "gamma": ({"mean_h": 48.0, "sd_h": 30.0}, stats.gamma((48 / 30) ** 2, scale=30**2 / 48)),
}


def sample(dist, n: int, censored_share: float, seed: int) -> Durations:
    """`n` durations drawn from `dist`; with `censored_share`, each is watched for a follow-up time
    drawn uniformly on (0, L) (episodes starting at random before the record ends), L set so that
    that share is still ongoing when the record ends."""
    rng = np.random.default_rng(seed)
    durations = dist.rvs(size=n, random_state=rng)
    if censored_share == 0:
        return Durations(durations, np.zeros(n, dtype=bool))
    length = optimize.brentq(lambda L: integrate.quad(dist.sf, 0, L)[0] / L - censored_share, 1e-3, 1e5)
    follow_up = rng.uniform(0, length, n)
    return Durations(np.minimum(durations, follow_up), follow_up < durations)


# --- The fit itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("family", ["lognormal", "gamma"])
@pytest.mark.parametrize("censored_share", [0.0, 0.2])
def test_known_parameters_lie_within_their_bootstrap_intervals(family, censored_share):
    # 1,000 durations, 200 resamples, one fixed seed. The 99% intervals, so that a correct fit misses
    # by chance about once in 50 seeds for the pair, not once in 10 as with the 95% ones the fragment
    # gives (their coverage is the slow test below).
    truth, dist = KNOWN[family]
    d = sample(dist, 1000, censored_share, seed=0)
    assert abs(d.censored.mean() - censored_share) < 0.04  # 3 binomial sd
    intervals = bootstrap(d, family, 200, np.random.default_rng(1), level=0.99).intervals
    for name, value in truth.items():
        low, high = intervals[name]
        assert low <= value <= high, (name, value, intervals[name])
        assert high - low < 0.3 * value  # and the intervals are tight enough to mean something


@pytest.mark.parametrize("family", ["lognormal", "gamma"])
def test_treating_censored_durations_as_ended_misses_the_known_parameters(family):
    # The same samples and intervals as above: what the censoring handling is for.
    truth, dist = KNOWN[family]
    d = sample(dist, 1000, 0.2, seed=0)
    ended = Durations(d.hours, np.zeros(len(d), dtype=bool))
    naive = bootstrap(ended, family, 200, np.random.default_rng(1), level=0.99).intervals
    assert any(not low <= truth[name] <= high for name, (low, high) in naive.items())


@pytest.mark.slow
@pytest.mark.parametrize("family", ["lognormal", "gamma"])
@pytest.mark.parametrize("censored_share", [0.0, 0.2])
def test_the_95_percent_intervals_cover_the_known_parameters_about_95_percent_of_the_time(family, censored_share):
    truth, dist = KNOWN[family]
    covered = {name: 0 for name in truth}
    samples = 40
    for seed in range(samples):
        d = sample(dist, 200, censored_share, seed=seed)
        for name, (low, high) in bootstrap(d, family, 200, np.random.default_rng(seed)).intervals.items():
            covered[name] += low <= truth[name] <= high
    # 0.95 expected; 0.85 is 3 binomial sd below it (percentile intervals of 200 durations run a little short).
    assert all(c / samples >= 0.85 for c in covered.values()), covered


@pytest.mark.parametrize(
    ("family", "reference"), [("lognormal", stats.lognorm), ("gamma", stats.gamma), ("exponential", stats.expon)]
)
def test_the_fit_is_scipy_s_maximum_likelihood_on_censored_data(family, reference):
    d = sample(stats.lognorm(1.0, scale=10.0), 60, 0.2, seed=3)
    ours = fit(d, family)
    theirs = reference.fit(stats.CensoredData.right_censored(d.hours, d.censored), floc=0)
    loglik = reference.logpdf(d.ended, *theirs).sum() + reference.logsf(d.hours[d.censored], *theirs).sum()
    assert ours.loglik >= loglik - 1e-6  # at least as high a maximum
    assert ours.cdf(np.array([5.0, 20.0])) == pytest.approx(reference.cdf([5.0, 20.0], *theirs), rel=1e-3)


def test_the_exponential_mean_is_the_total_time_watched_over_the_durations_that_ended():
    d = Durations([2.0, 4.0, 6.0, 8.0], [False, True, False, True])
    assert fit(d, "exponential").parameters["mean_h"] == pytest.approx(20.0 / 2)


def test_lognormal_parameters_are_written_as_median_and_p90():
    d = Durations(np.exp([0.0, 1.0, 2.0, 3.0, 4.0]), np.zeros(5, dtype=bool))
    mu, sigma = 2.0, np.std([0.0, 1.0, 2.0, 3.0, 4.0])  # the lognormal's closed-form maximum
    fitted = fit(d, "lognormal").parameters
    assert fitted["median_h"] == pytest.approx(math.exp(mu), rel=1e-5)
    assert fitted["p90_h"] == pytest.approx(math.exp(mu + Z90 * sigma), rel=1e-5)


def test_kaplan_meier_keeps_a_censored_duration_at_risk_until_it_is_last_seen():
    # 4 at risk: one ends at 1 (S = 3/4); one is last seen at 2; of the 2 left, one ends at 3 (S = 3/8).
    times, before, after = kaplan_meier(Durations([3.0, 1.0, 2.0, 4.0], [False, False, True, False]))
    assert times.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert after.tolist() == [0.25, 0.25, 0.625, 1.0]
    assert before.tolist() == [0.0, 0.25, 0.25, 0.625]


def test_without_censoring_the_test_is_scipy_s_goodness_of_fit_test():
    d = sample(stats.lognorm(0.8, scale=5.0), 40, 0.0, seed=4)
    fitted = fit(d, "lognormal")
    statistic, p = goodness_of_fit(d, fitted, 999, np.random.default_rng(5))
    scipy = stats.goodness_of_fit(
        stats.lognorm, d.hours, known_params={"loc": 0}, statistic="ks", n_mc_samples=999, rng=6
    )
    assert statistic == pytest.approx(scipy.statistic, rel=1e-6)
    assert statistic == pytest.approx(ks_distance(d, fitted))
    assert abs(p - scipy.pvalue) < 0.06  # two Monte Carlo estimates of one p-value (sd about 0.015 each)


def test_the_test_rejects_a_family_that_does_not_fit():
    d = sample(stats.uniform(100, 10), 100, 0.2, seed=7)  # 100-110 h: nothing like an exponential
    assert goodness_of_fit(d, fit(d, "exponential"), 200, np.random.default_rng(8))[1] < 0.01


def test_a_fit_needs_as_many_distinct_ended_durations_as_parameters():
    d = Durations([5.0, 5.0, 7.0, 9.0, 11.0], [False, False, True, True, True])
    assert fit(d, "exponential").parameters["mean_h"] == pytest.approx(37.0 / 2)
    with pytest.raises(FitError, match="lognormal: needs at least 2 distinct durations"):
        fit(d, "lognormal")


# --- The command ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def episodes_fit(tmp_path_factory):
    """`python -m sim.fit` on the shipped suspension episodes, as a user types it: its folder."""
    folder = tmp_path_factory.mktemp("fit")
    done = run_sim(
        str(EPISODES),
        *("--column", "duration_days", "--censored-column", "censored", "--unit", "d"),
        *("--out", "suspensions.yaml", "--resamples", "200"),
        cwd=folder,
        module="sim.fit",
    )
    assert done.returncode == 0, done.stderr
    assert "Chosen: " in done.stdout
    return folder


def test_the_command_writes_a_fragment_and_its_figure(episodes_fit):
    text = (episodes_fit / "suspensions.yaml").read_text(encoding="utf-8")
    assert (episodes_fit / "suspensions.png").read_bytes().startswith(b"\x89PNG")
    fragment = yaml.safe_load(text)
    assert set(fragment) == {"delay", "source"}
    assert fragment["delay"]["dist"] in ("lognormal", "gamma", "exponential")
    assert "6 durations, 2 right-censored" in text
    for family in ("lognormal", "gamma", "exponential"):  # the AIC table, one row each
        assert f"\n# {family} " in text
    assert "95% bootstrap intervals" in text and "p (GoF)" in text


def test_a_fragment_written_by_the_fitter_validates_and_runs_in_a_scenario(episodes_fit):
    fragment = yaml.safe_load((episodes_fit / "suspensions.yaml").read_text(encoding="utf-8"))
    fields = dict(fragment["delay"])
    run = load_run(["scenario=corridor_closure", "replications=20"])
    path = "checkpoints.hakari.random_closures.duration"
    run.scenario.checkpoints["hakari"].random_closures.duration = Delay(dist=Distribution(fields.pop("dist")), **fields)
    source = fragment["source"]
    run.scenario.sources[path] = Source(source["source"], Confidence(source["confidence"]), source["note"])
    check(run)
    records = simulate(run.scenario, seed=1, replications=run.replications)
    assert sorted(set(records.movements["replication"])) == list(range(20))
    card = {row["parameter"]: row for row in scenario_card(run.scenario)}
    assert card[path]["note"].startswith("lognormal fitted by maximum likelihood")


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    data = tmp_path / "waits.csv"
    data.write_text("wait\n" + "\n".join(f"{h:.3f}" for h in sample(KNOWN["gamma"][1], 20, 0, 9).hours) + "\n")
    outputs = []
    for name in ("a", "b"):
        assert main([str(data), "--column", "wait", "--out", str(tmp_path / f"{name}.yaml"), "--resamples", "100"]) == 0
        outputs.append(((tmp_path / f"{name}.yaml").read_bytes(), (tmp_path / f"{name}.png").read_bytes()))
    assert outputs[0] == outputs[1]


def test_family_writes_the_family_asked_for(tmp_path):
    out = tmp_path / "f.yaml"
    args = [str(EPISODES), "--column", "duration_days", "--censored-column", "censored", "--unit", "d"]
    assert main([*args, "--out", str(out), "--family", "exponential", "--resamples", "100"]) == 0
    total_h = (30 + 96 + 3 + 10 + 60 + 281) * 24
    assert yaml.safe_load(out.read_text())["delay"] == {"dist": "exponential", "mean_h": float(f"{total_h / 4:.4g}")}


GOOD = "episode,days,ongoing\n" + "".join(
    f"e{i},{d},{c}\n" for i, (d, c) in enumerate([(3, "no"), (10, "no"), (30, "no"), (60, "yes"), (5, "no"), (8, "No")])
)


@pytest.mark.parametrize(
    ("csv_text", "options", "message"),
    [
        (None, [], "no such file"),
        (GOOD, ["--column", "hours"], "--column hours: no such column in"),
        (GOOD, ["--censored-column", "still"], "--censored-column still: no such column"),
        (GOOD.replace("e2,30", "e2,thirty"), [], "line 4: days='thirty' is not a number"),
        (GOOD.replace("e2,30", "e2,0"), [], "line 4: days=0: a duration must be a finite number > 0"),
        (GOOD.replace("e2,30", "e2,"), [], "line 4: days='' is not a number"),
        (GOOD.replace("60,yes", "60,maybe"), [], "line 5: ongoing='maybe': must be true or false"),
        ("days,ongoing\n3,no\n4,no\n", [], "2 durations in days; at least 5 are needed"),
        (GOOD, ["--unit", "w"], "argument --unit: invalid choice: 'w'"),
        (GOOD, ["--resamples", "10"], "--resamples=10: must be >= 100"),
        (GOOD, ["--out", "f.png"], "the fragment is YAML"),
        (GOOD.replace("no", "yes").replace("No", "yes"), [], "no family gives a finite fit"),
    ],
)
def test_bad_input_is_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, csv_text, options, message):
    data = tmp_path / "durations.csv"
    if csv_text is not None:
        data.write_text(csv_text)
    args = [str(data), "--column", "days", "--censored-column", "ongoing", "--out", str(tmp_path / "f.yaml")]
    try:
        status = main([*args, *(options if "--resamples" in options else [*options, "--resamples", "100"])])
    except SystemExit as exit_:  # argparse's own errors
        status = exit_.code
    error = capsys.readouterr().err
    assert status == 2
    assert message in error and error.count("\n") == 1, error
    assert not (tmp_path / "f.yaml").exists() and not (tmp_path / "f.png").exists()


def test_a_fitted_delay_beyond_the_simulator_s_bounds_is_refused():
    with pytest.raises(InputError, match=r"delay.p90_h=200000: beyond the simulator's bound of 100000 h"):
        check_delay({"dist": "lognormal", "median_h": 1000.0, "p90_h": 2e5})
