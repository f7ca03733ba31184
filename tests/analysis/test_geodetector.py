"""Geographical detector: hand-derived q, its F-test, the detectors and the discretisations."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nqpf.analysis.geodetector import (
    discretise,
    ecological_detector,
    factor_detector,
    geodetector,
    interaction_detector,
    optimal_discretisation,
    q_statistic,
    risk_detector,
)
from nqpf.errors import DataError

# The ten observations of the example of the R package GD (Song et al. 2020), worked by hand:
# stratum d = 1.2 1.5 2.1 1.2 1.5 1.9 (mean 1.5667), c = 3.3 3.6 4.3 2.8 (mean 3.5);
# SST = 10.824, SSW = 0.673333 + 1.18 = 1.853333, q = 1 - SSW/SST.
Y = [1.2, 1.5, 2.1, 3.3, 3.6, 4.3, 1.2, 1.5, 1.9, 2.8]
X = ["d", "d", "d", "c", "c", "c", "d", "d", "d", "c"]
Q = 1 - (0.673333333333333 + 1.18) / 10.824


def test_q_by_hand():
    assert q_statistic(Y, X) == pytest.approx(Q, abs=1e-12)
    assert pytest.approx(0.828776, abs=1e-6) == Q


def test_factor_test_by_hand():
    res = factor_detector(Y, pd.DataFrame({"x": X})).iloc[0]
    f = 8 * Q / (1 - Q)
    # λ = (Σ Ȳh² − (Σ √Nh Ȳh)² / N) / σ², σ² = SST / N
    m_d, m_c = 9.4 / 6, 3.5
    lam = (m_d**2 + m_c**2 - (np.sqrt(6) * m_d + 2 * m_c) ** 2 / 10) / 1.0824
    assert res["F"] == pytest.approx(f, rel=1e-12)
    assert res["lambda"] == pytest.approx(lam, rel=1e-12)
    assert res["p_value"] == pytest.approx(stats.ncf.sf(f, 1, 8, lam), rel=1e-12)
    assert res["strata"] == 2 and res["n"] == 10


def test_q_limits():
    y = np.array([1.0, 1.0, 2.0, 2.0, 5.0, 5.0])
    assert q_statistic(y, ["a", "a", "b", "b", "c", "c"]) == 1.0
    assert factor_detector(y, {"x": ["a", "a", "b", "b", "c", "c"]})["p_value"].iloc[0] == 0.0
    # equal stratum means: q = 0
    assert q_statistic([1, 3, 1, 3], ["a", "a", "b", "b"]) == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(DataError, match="constant"):
        q_statistic([2, 2, 2], ["a", "b", "a"])


def test_missing_values_drop_the_observation():
    y = Y + [np.nan, 7.0]
    x = X + ["c", None]
    assert q_statistic(y, x) == pytest.approx(Q, abs=1e-12)


def test_interaction_types_and_refinement():
    rng = np.random.default_rng(3)
    n = 400
    a = rng.integers(0, 3, n)
    b = rng.integers(0, 4, n)
    y = a * 1.0 + (b == 2) * 2.0 * (a == 1) + rng.normal(0, 0.3, n)
    res = interaction_detector(y, {"a": a, "b": b})
    r = res.iloc[0]
    assert r["q_interaction"] >= max(r["q_1"], r["q_2"]) - 1e-12  # overlay refines strata
    assert r["type"] in ("enhance_bi", "enhance_nonlinear")
    assert r["type_zh"] in ("双因子增强", "非线性增强")
    # an additive design of independent factors: nearly q1 + q2 and never weaker
    y2 = a * 1.0 + b * 1.0
    r2 = interaction_detector(y2, {"a": a, "b": b}).iloc[0]
    assert r2["q_interaction"] == pytest.approx(1.0)


def test_risk_detector_is_welch():
    res = risk_detector(Y, {"x": X}).iloc[0]
    d = [1.2, 1.5, 2.1, 1.2, 1.5, 1.9]
    c = [3.3, 3.6, 4.3, 2.8]
    ref = stats.ttest_ind(c, d, equal_var=False)  # strata sorted: c before d
    assert res["t"] == pytest.approx(ref.statistic, rel=1e-12)
    assert res["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    assert bool(res["significant"])


def test_risk_detector_singleton_stratum_untested():
    res = risk_detector([1, 2, 3, 9], {"x": ["a", "a", "a", "b"]})
    assert np.isnan(res["p_value"].iloc[0])


def test_ecological_detector_by_hand():
    x1 = X
    x2 = ["u", "u", "v", "v", "u", "v", "u", "v", "u", "v"]
    res = ecological_detector(Y, {"x1": x1, "x2": x2})
    y = np.array(Y)
    g = pd.Series(y).groupby(np.array(x2))
    ssw2 = float(((y - g.transform("mean").to_numpy()) ** 2).sum())
    ssw1 = 0.673333333333333 + 1.18
    row = res[(res["factor_1"] == "x1") & (res["factor_2"] == "x2")].iloc[0]
    assert row["F"] == pytest.approx(ssw1 / ssw2, rel=1e-9)
    assert row["p_value"] == pytest.approx(stats.f.sf(ssw1 / ssw2, 9, 9), rel=1e-9)


def _brute_jenks_ssw(v, k):
    v = np.sort(v)
    best = np.inf
    for cuts in combinations(range(1, len(v)), k - 1):
        parts = np.split(v, cuts)
        best = min(best, sum(((p - p.mean()) ** 2).sum() for p in parts))
    return best


@pytest.mark.parametrize("k", [2, 3, 4])
def test_natural_breaks_are_optimal(k):
    v = np.array([1.0, 1.3, 2.2, 2.4, 5.0, 5.1, 5.3, 9.0, 9.7, 14.0, 2.0, 7.5])
    codes = discretise(v, "natural", k)
    ssw = sum(((v[codes == c] - v[codes == c].mean()) ** 2).sum() for c in range(k))
    assert ssw == pytest.approx(_brute_jenks_ssw(v, k), rel=1e-12)
    # classes are ordered by value
    assert all(v[codes == c].max() < v[codes == c + 1].min() for c in range(k - 1))


def test_discretisations():
    v = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0])
    assert list(discretise(v, "equal", 2)) == [0, 0, 0, 0, 0, 1]  # break at 16.5
    # breaks 2, 4, 8, 16 between 1 and 32
    assert list(discretise([1.0, 3, 5, 9, 17, 32], "geometric", 5)) == [0, 1, 2, 3, 4, 4]
    assert list(discretise(v, "quantile", 3)) == [0, 0, 1, 1, 2, 2]
    s = discretise(v, "sd", 4)  # breaks mean - sd, mean, mean + sd
    m, sd = v.mean(), v.std()
    raw = np.searchsorted([m - sd, m, m + sd], v, side="left")  # class 0 empty: renumbered
    assert list(s) == list(np.unique(raw, return_inverse=True)[1])
    with pytest.raises(DataError, match="positive"):
        discretise([-1.0, 2.0, 3.0], "geometric", 2)
    with pytest.raises(DataError, match="unknown discretisation"):
        discretise(v, "jenks", 2)
    with pytest.raises(DataError, match="at least 2"):
        discretise(v, "equal", 1)
    assert list(discretise([1.0, np.nan, 3.0], "equal", 2)) == [0, -1, 1]


def test_opgd_picks_the_best_q():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 300)
    y = np.where(x < 3, 1.0, np.where(x < 7, 4.0, 2.0)) + rng.normal(0, 0.2, 300)
    codes, table = optimal_discretisation(y, x, ks=range(3, 6))
    assert q_statistic(y, codes) == pytest.approx(table["q"].max(), abs=1e-12)
    assert len(table) == 5 * 3


def test_geodetector_end_to_end():
    rng = np.random.default_rng(1)
    n = 200
    df = pd.DataFrame(
        {
            "x1": rng.uniform(0, 1, n),
            "zone": rng.choice(["east", "west"], n),
            "noise": rng.uniform(0, 1, n),
        }
    )
    df["y"] = 3 * (df["x1"] > 0.5) + 2 * (df["zone"] == "east") + rng.normal(0, 0.3, n)
    res = geodetector(df, "y", ["x1", "zone", "noise"], categorical=["zone"], ks=range(2, 6))
    f = res.factor.set_index("factor")
    assert f.loc["x1", "q"] > f.loc["zone", "q"] > f.loc["noise", "q"]
    assert f.loc["x1", "p_value"] < 1e-6 and f.loc["noise", "p_value"] > 0.01
    assert set(res.tables()) >= {"geodetector_factor", "geodetector_interaction"}
    m = res.interaction_matrix()
    assert m.loc["x1", "zone"] == m.loc["zone", "x1"]
    assert res.discretisation.set_index("factor").loc["zone", "method"] == "categorical"


def test_geodetector_bad_input():
    df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": ["a", "b", "a", "b"]})
    with pytest.raises(DataError, match="unknown factor"):
        geodetector(df, "y", ["z"])
    with pytest.raises(DataError, match="not numbers"):
        geodetector(df, "y", ["x"])
    with pytest.raises(DataError, match="unknown variable"):
        geodetector(df, "v", ["x"])
