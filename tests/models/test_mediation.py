import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataError
from nqpf.models.mediation import _bc_interval, mediation, moderation
from nqpf.models.simulate import mediation_data


def _panel(d: pd.DataFrame, n_units: int = 100) -> pd.DataFrame:
    d = d.copy()
    d["unit"] = np.arange(len(d)) % n_units
    d["year"] = np.arange(len(d)) // n_units
    return d


def test_known_indirect_effect_recovered():
    # a = 0.5, b = 0.4: indirect 0.2, direct 0.3, total 0.5
    d = _panel(mediation_data(4000, seed=1))
    r = mediation(d, "y", "x", "m", ["w"], effects="none", reps=400, seed=3)
    e = r.effects
    ind = e.loc["indirect: x -> m -> y"]
    assert ind["estimate"] == pytest.approx(0.2, abs=0.03)
    assert ind["bc_lower"] < 0.2 < ind["bc_upper"]
    assert e.loc["direct: x -> y", "estimate"] == pytest.approx(0.3, abs=0.04)
    # total = direct + indirect exactly (OLS identity) and equals step 1's coefficient
    assert e.loc["total effect", "estimate"] == pytest.approx(
        r.steps[0].coef.loc["x", "coef"], rel=1e-8
    )
    assert r.sobel.iloc[0]["p"] < 1e-6
    assert len(r.steps) == 3


def test_chain_effects_sum_and_recover():
    rng = np.random.default_rng(5)
    n = 3000
    x = rng.normal(size=n)
    m1 = 0.6 * x + rng.normal(size=n)
    m2 = 0.3 * x + 0.5 * m1 + rng.normal(size=n)
    y = 0.2 * x + 0.4 * m1 + 0.5 * m2 + rng.normal(size=n)
    d = _panel(pd.DataFrame({"x": x, "m1": m1, "m2": m2, "y": y}))
    r = mediation(d, "y", "x", ["m1", "m2"], effects="none", reps=300)
    e = r.effects["estimate"]
    assert e["indirect: x -> m1 -> m2 -> y"] == pytest.approx(0.6 * 0.5 * 0.5, abs=0.03)
    assert e["indirect: x -> m1 -> y"] == pytest.approx(0.24, abs=0.04)
    assert e["total indirect"] == pytest.approx(
        e["indirect: x -> m1 -> y"]
        + e["indirect: x -> m2 -> y"]
        + e["indirect: x -> m1 -> m2 -> y"]
    )


def test_fixed_effect_mediation_runs_with_cluster_bootstrap():
    d = _panel(mediation_data(1500, seed=2), 50)
    d["y"] += d["unit"] * 0.1
    r = mediation(d, "y", "x", "m", effects="twoway", reps=200)
    assert r.effects.loc["indirect: x -> m -> y", "estimate"] == pytest.approx(0.2, abs=0.05)
    assert any("50 clusters" in n for n in r.notes)


def test_bias_corrected_interval_is_percentile_when_unbiased():
    draws = np.random.default_rng(0).normal(size=20001)
    lo, hi = _bc_interval(draws, 0.0, 0.95)
    assert lo == pytest.approx(-1.96, abs=0.05) and hi == pytest.approx(1.96, abs=0.05)
    lo2, hi2 = _bc_interval(draws, 0.5, 0.95)  # estimate above the median: shift up
    assert lo2 > lo and hi2 > hi


def test_moderation_simple_slopes():
    rng = np.random.default_rng(1)
    n = 3000
    x, z = rng.normal(size=n), rng.normal(1.0, 2.0, size=n)
    y = 1.0 * x + 0.5 * z + 0.3 * (x * z) + rng.normal(size=n)
    d = _panel(pd.DataFrame({"x": x, "z": z, "y": y}))
    r = moderation(d, "y", "x", "z", effects="none", vce="robust")
    s = r.slopes.set_index("moderator_level")["slope"]
    # slope of x is 1 + 0.3 z: at the mean (1) 1.3, at mean -/+ 1 SD (2) 0.7 and 1.9
    assert s["mean"] == pytest.approx(1.3, abs=0.05)
    assert s["mean -1 SD"] == pytest.approx(0.7, abs=0.08)
    assert s["mean +1 SD"] == pytest.approx(1.9, abs=0.08)


def test_bad_input():
    d = _panel(mediation_data(300))
    with pytest.raises(DataError, match="appears twice"):
        mediation(d, "y", "x", "x")
    with pytest.raises(DataError, match="unknown variable"):
        mediation(d, "y", "x", "nope")
    d["m2"] = d["m"] * 2
    with pytest.raises(DataError, match="collinear"):
        mediation(d, "y", "x", ["m", "m2"], effects="none", reps=50)
