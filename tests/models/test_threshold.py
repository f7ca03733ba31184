import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataError
from nqpf.models.simulate import threshold_panel
from nqpf.models.threshold import _Engine, lr_critical_value, threshold

HANSEN = dict(
    y="i", regime="c1", q="d1", controls=["q1", "q2", "q3", "d1", "qd1"], unit="id", time="year"
)


def test_critical_value_is_hansens():
    # Hansen (1999), eq. 16: c(0.95) = -2 log(1 - sqrt(0.95)) = 7.35
    assert lr_critical_value(0.95) == pytest.approx(7.352, abs=1e-3)


def test_hansen_single_threshold(hansen1999):
    # Hansen (1999, Table 2): single threshold at d1 = 0.0157 on his 393-point grid
    r = threshold(hansen1999, **HANSEN, grid=400, bootstrap=0)
    assert r.thresholds[0] == pytest.approx(0.0157, abs=5e-5)
    lo, hi = r.ci[0]
    assert lo < 0.0157 < hi
    assert r.n_obs == 7910 and r.n_units == 565 and r.balanced
    # the same point is the minimiser over every distinct value
    full = threshold(hansen1999, **HANSEN, grid=None, bootstrap=0)
    assert full.thresholds[0] == pytest.approx(0.0157, abs=5e-5)


def test_cumulative_sum_ssr_matches_direct_regressions(hansen1999):
    d = hansen1999[hansen1999["id"] <= 60]
    r = threshold(d, **HANSEN, n_thresholds=2, grid=50, bootstrap=0)
    prof = r.profiles[1]  # second threshold, given the refined first
    g1 = r.thresholds[0]
    units = pd.factorize(d["id"])[0]
    for g in prof["gamma"].to_numpy()[::7]:
        lo = sorted([g1, g])
        cols = [d[c].to_numpy() for c in HANSEN["controls"]]
        qv, z = d["d1"].to_numpy(), d["c1"].to_numpy()
        cols += [z * (qv <= lo[0]), z * ((qv > lo[0]) & (qv <= lo[1])), z * (qv > lo[1])]
        x = np.column_stack(cols)
        xw = x - pd.DataFrame(x).groupby(units).transform("mean").to_numpy()
        yw = d["i"].to_numpy() - d.groupby("id")["i"].transform("mean").to_numpy()
        b, *_ = np.linalg.lstsq(xw, yw, rcond=None)
        ssr = float(((yw - xw @ b) ** 2).sum())
        got = float(prof.loc[prof["gamma"] == g, "SSR"].iloc[0])
        assert got == pytest.approx(ssr, rel=1e-9)


def test_simulated_double_threshold_recovered():
    # known thresholds -0.5 and 0.6, slopes 1, 2, 0.5; 120 units x 15 years
    d = threshold_panel(120, 15, thresholds=(-0.5, 0.6), slopes=(1.0, 2.0, 0.5), sigma=0.3)
    r = threshold(d, "y", "z", "q", ["x"], n_thresholds=2, bootstrap=[99, 99], seed=1)
    g = sorted(r.thresholds)
    assert g[0] == pytest.approx(-0.5, abs=0.05) and g[1] == pytest.approx(0.6, abs=0.05)
    assert r.tests[0].pvalue < 0.01 and r.tests[1].pvalue < 0.01
    coef = r.coef["coef"]
    assert coef["z_r1"] == pytest.approx(1.0, abs=0.05)
    assert coef["z_r2"] == pytest.approx(2.0, abs=0.05)
    assert coef["z_r3"] == pytest.approx(0.5, abs=0.05)
    assert coef["x"] == pytest.approx(0.5, abs=0.03)
    assert set(r.test_table().columns) >= {"F", "p-value", "crit90", "crit95", "crit99"}


def test_no_threshold_is_not_rejected_too_often():
    d = threshold_panel(40, 10, thresholds=(), slopes=(1.0,), seed=3)
    r = threshold(d, "y", "z", "q", ["x"], bootstrap=199, seed=2)
    assert r.tests[0].pvalue > 0.05


def test_unbalanced_panel_runs_and_is_documented():
    d = threshold_panel(60, 12, thresholds=(0.2,), slopes=(1.0, 2.5), sigma=0.3, seed=4)
    d = d.drop(index=d.sample(frac=0.1, random_state=0).index)
    r = threshold(d, "y", "z", "q", ["x"], bootstrap=49)
    assert not r.balanced
    assert r.thresholds[0] == pytest.approx(0.2, abs=0.08)
    assert any("unbalanced" in n for n in r.notes)
    wild = threshold(d, "y", "z", "q", ["x"], bootstrap=49, scheme="wild")
    assert wild.tests[0].pvalue < 0.05


def test_bootstrap_rows_come_from_units_of_equal_length():
    from nqpf.models.threshold import _bootstrap_errors

    unit = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    resid = np.array([1.0, 2, 3, 10, 20, 100, 200, 300])
    e = _bootstrap_errors(resid, unit, 50, np.random.default_rng(0), "resample")
    # unit 1 (2 periods) can only get its own vector; units 0 and 2 swap whole vectors
    assert (e[3:5] == resid[3:5, None]).all()
    for b in range(50):
        assert tuple(e[0:3, b]) in {(1, 2, 3), (100, 200, 300)}


def test_few_distinct_values_rejected():
    d = threshold_panel(20, 5, seed=5)
    d["q"] = (d["q"] > 1.2).astype(float)  # two values, about 12 % ones
    with pytest.raises(DataError, match="too few distinct values"):
        threshold(d, "y", "z", "q", ["x"], trim=0.2, bootstrap=0)
    d["q"] = (d["q"] > 0).astype(float)
    with pytest.raises(DataError, match="too few distinct values"):
        threshold(d, "y", "z", "q", ["x"], n_thresholds=2, bootstrap=0)


def test_collinear_control_named():
    d = threshold_panel(20, 5, seed=6)
    d["x2"] = 2 * d["x"]
    with pytest.raises(DataError, match="'x2' is collinear"):
        threshold(d, "y", "z", "q", ["x", "x2"], bootstrap=0)


def test_lr_figure_draws(tmp_path):
    d = threshold_panel(30, 10, thresholds=(0.0,), slopes=(1.0, 2.0), seed=7)
    r = threshold(d, "y", "z", "q", ["x"], bootstrap=0)
    fig = r.plot()
    ax = fig.axes[0]
    assert ax.lines[1].get_ydata()[0] == pytest.approx(7.352, abs=1e-3)
    fig.savefig(tmp_path / "lr.png")


def test_engine_cross_products_match_explicit():
    rng = np.random.default_rng(0)
    unit = np.repeat(np.arange(5), [3, 4, 5, 4, 3])
    z = rng.normal(size=(len(unit), 2))
    q = rng.normal(size=len(unit))
    eng = _Engine(rng.normal(size=len(unit)), rng.normal(size=(len(unit), 1)), z, q, unit)
    for g in np.sort(q)[2:-2]:
        zw = eng.indicator_block(g)
        pos = np.searchsorted(eng.qs, g, side="right")
        np.testing.assert_allclose(eng.cum_p[pos], zw.T @ zw, atol=1e-10)


def test_two_regime_regressors_and_time_effects():
    rng = np.random.default_rng(80)
    d = threshold_panel(60, 10, thresholds=(0.3,), slopes=(1.0, 2.0), sigma=0.3, seed=8)
    d["z2"] = rng.normal(size=len(d))
    year_effect = d["year"].map(dict(zip(range(2000, 2010), rng.normal(0, 2, 10), strict=True)))
    d["y"] = d["y"] + np.where(d["q"] <= 0.3, -0.5, 0.5) * d["z2"] + year_effect
    r = threshold(d, "y", ["z", "z2"], "q", ["x"], time_effects=True, bootstrap=49)
    assert r.thresholds[0] == pytest.approx(0.3, abs=0.05)
    c = r.coef["coef"]
    assert c["z_r1"] == pytest.approx(1.0, abs=0.06) and c["z_r2"] == pytest.approx(2.0, abs=0.06)
    assert c["z2_r1"] == pytest.approx(-0.5, abs=0.06)
    assert c["z2_r2"] == pytest.approx(0.5, abs=0.06)
    assert r.tests[0].pvalue < 0.05
    assert r.estimates().effects == {"unit": True, "time": True}
