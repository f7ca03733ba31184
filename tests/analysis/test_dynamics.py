"""Kernel density by period and (spatial) Markov chains: hand-computed and published numbers."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from nqpf.analysis.dynamics import kde_bandwidth, kernel_density, markov
from nqpf.errors import DataError

# --------------------------------------------------------------------------------------------
# bandwidth rules
# --------------------------------------------------------------------------------------------

# x = [1, 3, 2, 5]: mean 2.75, squared deviations sum 8.75, sd = sqrt(8.75/3) (ddof 1);
# sorted [1, 2, 3, 5]: type-7 quartiles 1.75 and 3.5, IQR 1.75; median 2.5, absolute
# deviations [1.5, 0.5, 0.5, 2.5], MAD = 1.0.
X4 = [1, 3, 2, 5]
SD4 = math.sqrt(8.75 / 3)


def test_bandwidth_rules_by_hand():
    n5 = 4 ** (-0.2)
    assert kde_bandwidth(X4, "silverman") == pytest.approx(0.9 * min(SD4, 1.75 / 1.34) * n5)
    assert kde_bandwidth(X4, "silverman") == pytest.approx(0.8907662658, abs=1e-9)
    assert kde_bandwidth(X4, "nrd0") == pytest.approx(0.8907662658, abs=1e-9)
    assert kde_bandwidth(X4, "scott") == pytest.approx(SD4 * n5)
    assert kde_bandwidth(X4, "scott") == pytest.approx(1.2942894193, abs=1e-9)
    # MATLAB ksdensity reports a default bandwidth of 1.1901 for [1, 3, 2, 5]
    assert kde_bandwidth(X4, "normal") == pytest.approx((1.0 / 0.6745) * (4 / 12) ** 0.2)
    assert round(kde_bandwidth(X4, "normal"), 4) == 1.1901


def test_scott_is_scipys_rule():
    from scipy.stats import gaussian_kde

    rng = np.random.default_rng(7)
    x = rng.normal(size=37)
    kde = gaussian_kde(x)  # bw_method="scott"
    assert kde_bandwidth(x, "scott") == pytest.approx(kde.factor * np.std(x, ddof=1))


def test_nrd0_fallbacks_follow_r():
    # IQR = 0 -> lo = sd; here var = 7.2/4 = 1.8
    assert kde_bandwidth([2, 2, 2, 2, 5], "nrd0") == pytest.approx(
        0.9 * math.sqrt(1.8) * 5 ** (-0.2)
    )
    # sd = 0 -> lo = |x[1]|, then 1
    assert kde_bandwidth([3, 3, 3], "nrd0") == pytest.approx(0.9 * 3 * 3 ** (-0.2))
    assert kde_bandwidth([0, 0], "nrd0") == pytest.approx(0.9 * 2 ** (-0.2))
    # the plain rules have no fallback: a clear error, never a zero bandwidth
    with pytest.raises(DataError, match="nrd0"):
        kde_bandwidth([2, 2, 2, 2, 5], "silverman")
    with pytest.raises(DataError, match="MAD"):
        kde_bandwidth([2, 2, 2, 2, 5], "normal")
    with pytest.raises(DataError, match="unknown bandwidth rule"):
        kde_bandwidth(X4, "isj")
    with pytest.raises(DataError, match="at least 2"):
        kde_bandwidth([1.0], "scott")


# --------------------------------------------------------------------------------------------
# kernel density
# --------------------------------------------------------------------------------------------


def _two_periods() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    uni = rng.normal(0.45, 0.08, 60)
    bi = np.r_[rng.normal(0.25, 0.03, 40), rng.normal(0.65, 0.03, 20)]
    rows = [(f"U{i:02d}", 2015, v) for i, v in enumerate(uni)]
    rows += [(f"U{i:02d}", 2020, v) for i, v in enumerate(bi)]
    return pd.DataFrame(rows, columns=["unit", "period", "value"]).sample(frac=1, random_state=2)


def test_density_matches_scipy_and_integrates_to_one():
    from scipy.stats import gaussian_kde

    df = _two_periods()
    res = kernel_density(df, bandwidth="scott")
    x15 = df.loc[df["period"] == 2015, "value"].to_numpy()
    assert np.allclose(res.density[0], gaussian_kde(x15)(res.x), atol=1e-12)
    for d in res.density:
        assert np.trapezoid(d, res.x) == pytest.approx(1.0, abs=2e-3)
    # common grid: pooled range padded by 3 times the largest bandwidth
    h = max(res.bandwidths.values())
    assert res.x[0] == pytest.approx(df["value"].min() - 3 * h)
    assert res.x[-1] == pytest.approx(df["value"].max() + 3 * h)
    assert res.x.size == 256
    for kernel in ("gaussian", "epanechnikov"):
        for bounds in (None, (0.0, 1.0)):
            r = kernel_density(df, bandwidth="nrd0", kernel=kernel, bounds=bounds, grid=512)
            for d in r.density:
                assert np.trapezoid(d, r.x) == pytest.approx(1.0, abs=3e-3)


def test_reflection_keeps_mass_inside_bounds():
    rng = np.random.default_rng(3)
    x = np.clip(rng.exponential(0.05, 80), 0, 1)  # piled up at 0
    df = pd.DataFrame({"unit": [f"U{i}" for i in range(80)], "period": 2020, "value": x})
    plain = kernel_density(df, bandwidth=0.03, grid=1024)
    refl = kernel_density(df, bandwidth=0.03, grid=1024, bounds=(0, None))
    assert refl.x[0] == 0.0 and plain.x[0] < 0
    inside = plain.x >= 0
    assert np.trapezoid(plain.density[0][inside], plain.x[inside]) < 0.9
    assert np.trapezoid(refl.density[0], refl.x) == pytest.approx(1.0, abs=2e-3)
    bad = df.assign(value=df["value"] - 0.5)
    with pytest.raises(DataError, match="outside the bounds"):
        kernel_density(bad, bounds=(0, 1))


def test_peaks_and_features():
    df = _two_periods()
    res = kernel_density(df)
    pk = res.tables()["kernel_peaks"].set_index("period")
    assert pk.loc[2015, "n_peaks"] == 1
    assert pk.loc[2020, "n_peaks"] == 2
    assert pk.loc[2020, "main_peak_x"] == pytest.approx(0.25, abs=0.03)  # the larger mode
    assert pk.loc[2020, "tail"] == "right"

    # one near-point mass with h = 1: the standard normal density, peak 1/sqrt(2 pi),
    # full width at half maximum 2 sqrt(2 ln 2)
    pt = pd.DataFrame({"unit": ["a", "b"], "period": [1, 1], "value": [-1e-9, 1e-9]})
    r = kernel_density(pt, bandwidth=1.0, grid=4001).features.iloc[0]
    assert r["n_peaks"] == 1
    assert r["main_peak_x"] == pytest.approx(0.0, abs=2e-3)
    assert r["main_peak_height"] == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-6)
    assert r["half_max_width"] == pytest.approx(2 * math.sqrt(2 * math.log(2)), abs=1e-4)

    # skewness g1 of [0, 0, 0, 1]: m2 = 0.1875, m3 = 0.09375 -> 2/sqrt(3)
    sk = pd.DataFrame({"unit": list("abcd"), "period": 1, "value": [0, 0, 0, 1]})
    f = kernel_density(sk, bandwidth=0.2).features.iloc[0]
    assert f["skewness"] == pytest.approx(2 / math.sqrt(3))
    assert f["tail"] == "right"


def test_kernel_tables_plot_and_errors():
    df = _two_periods()
    res = kernel_density(df, bandwidth="normal", periods=[2020])
    t = res.tables()
    assert set(t) == {"kernel_density", "kernel_bandwidth", "kernel_peaks"}
    assert list(t["kernel_density"].columns) == ["period", "x", "density"]
    assert list(t["kernel_bandwidth"].columns) == ["period", "n", "bandwidth", "rule"]
    bw = t["kernel_bandwidth"].iloc[0]
    x20 = df.loc[df["period"] == 2020, "value"]
    assert bw["n"] == 60 and bw["rule"] == "normal"
    assert bw["bandwidth"] == pytest.approx(kde_bandwidth(x20, "normal"))
    assert res.periods == (2020,)
    assert res.params["sd_ddof"] == 1
    full = kernel_density(df)
    for kind in ("surface", "ridge"):
        fig = full.plot(kind=kind)
        assert len(fig.axes) == 1
    with pytest.raises(DataError, match="surface"):
        full.plot(kind="pie")
    one = pd.concat([df, pd.DataFrame({"unit": ["U00"], "period": [2021], "value": [0.3]})])
    with pytest.raises(DataError, match="period 2021"):
        kernel_density(one)
    with pytest.raises(DataError, match="not in the data"):
        kernel_density(df, periods=[1999])
    with pytest.raises(DataError, match="kernel"):
        kernel_density(df, kernel="box")


# --------------------------------------------------------------------------------------------
# Markov chains
# --------------------------------------------------------------------------------------------

# classes with cutoffs [1.5, 2.5]: value 1 -> low, 2 -> middle, 3 -> high
HAND = {"A": [1, 2, 2, 3], "B": [1, 1, 2, 2], "C": [3, 3, 2, 1]}
YEARS = [2001, 2002, 2003, 2004]


def _panel(series: dict, periods=YEARS, seed: int = 1) -> pd.DataFrame:
    rows = [
        (u, t, v)
        for u, vals in series.items()
        for t, v in zip(periods, vals, strict=True)
        if v is not None
    ]
    df = pd.DataFrame(rows, columns=["unit", "period", "value"])
    return df.sample(frac=1, random_state=seed)  # row order must not matter


def test_markov_by_hand():
    res = markov(_panel(HAND), cutoffs=[1.5, 2.5])
    # A: low->mid, mid->mid, mid->high; B: low->low, low->mid, mid->mid;
    # C: high->high, high->mid, mid->low
    assert res.transitions.tolist() == [[1, 2, 0], [1, 2, 1], [0, 1, 1]]
    assert np.allclose(res.p, [[1 / 3, 2 / 3, 0], [1 / 4, 1 / 2, 1 / 4], [0, 1 / 2, 1 / 2]])
    # pi P = pi: pi1 = 8/3 pi0, pi2 = pi1/2 -> pi = (1/5, 8/15, 4/15)
    assert np.allclose(res.steady_state, [[0.2, 8 / 15, 4 / 15]])
    # mean recurrence times 1/pi; low -> middle: m = 1 + m/3 -> 1.5
    assert np.allclose(np.diag(res.mfpt), [5, 15 / 8, 15 / 4])
    assert res.mfpt[0, 1] == pytest.approx(1.5)
    assert res.labels == ("low", "middle", "high")
    tr = res.tables()["markov_transitions"]
    assert list(tr.columns) == ["lag_class", "from", "to", "count", "probability", "row_total"]
    row = tr[(tr["from"] == "middle") & (tr["to"] == "high")].iloc[0]
    assert (row["lag_class"], row["count"], row["row_total"]) == ("", 1, 4)
    assert row["probability"] == pytest.approx(0.25)
    ss = res.tables()["markov_steady_state"]
    assert ss["probability"].tolist() == pytest.approx([0.2, 8 / 15, 4 / 15])
    s = res.summary().iloc[0]
    assert s["transitions"] == 9
    assert (s["stay"], s["up"], s["down"]) == pytest.approx((4 / 9, 3 / 9, 2 / 9))


def test_markov_k_step_and_time_homogeneity_by_hand():
    res = markov(_panel(HAND), cutoffs=[1.5, 2.5], k=2)
    # 2001->2003: A low->mid, B low->mid, C high->mid; 2002->2004: A mid->high,
    # B low->mid, C high->low
    assert res.transitions.tolist() == [[0, 3, 0], [0, 0, 1], [1, 1, 0]]
    tests = res.tests.set_index("test")
    # Bickenbach-Bode: only the 'high' row differs between the two start periods:
    # Q = 1 * (0.25/0.5 + 0.25/0.5) * 2 = 2; LR = 2 * (ln 2 + ln 2); dof = (2-1)(2-1) = 1
    assert tests.loc["time_homogeneity_Q", "statistic"] == pytest.approx(2.0)
    assert tests.loc["time_homogeneity_LR", "statistic"] == pytest.approx(4 * math.log(2))
    assert tests.loc["time_homogeneity_Q", "dof"] == 1
    assert tests.loc["time_homogeneity_Q", "p_value"] == pytest.approx(0.1572992, abs=1e-6)
    with pytest.raises(DataError, match="at least 5"):
        markov(_panel(HAND), cutoffs=[1.5, 2.5], k=4)


def test_markov_unbalanced_counts_only_observed_pairs():
    gappy = dict(HAND, A=[1, 2, None, 3])
    res = markov(_panel(gappy), cutoffs=[1.5, 2.5])
    # A loses mid->mid (2002->2003) and mid->high (2003->2004)
    assert res.transitions.tolist() == [[1, 2, 0], [1, 1, 0], [0, 1, 1]]
    assert res.params["pairs_missing"] == 2


def test_pooled_cutoffs_differ_from_per_period_ones():
    # every unit doubles its value class: pooled median 4.5 puts 2001 all low, 2002 all high
    df = _panel({"a": [1, 5], "b": [2, 6], "c": [3, 7], "d": [4, 8]}, periods=[2001, 2002])
    res = markov(df, classes=2)
    assert res.cutoffs.tolist() == [4.5]
    per_period = df.groupby("period")["value"].median().tolist()
    assert per_period == [2.5, 6.5]  # per-period quantiles would show no mobility at all
    assert res.transitions.tolist() == [[0, 4], [0, 0]]
    assert res.p.tolist() == [[0.0, 1.0], [0.0, 0.0]]  # empty row reported as 0
    assert res.steady_state.tolist() == [[0.0, 1.0]]  # high absorbing
    cut = res.tables()["markov_cutoffs"]
    assert cut[["class", "lower", "upper", "n"]].values.tolist() == [
        ["low", -np.inf, 4.5, 4],
        ["high", 4.5, np.inf, 4],
    ]


def test_default_quartile_classes_and_errors():
    vals = {f"u{i}": [i, i + 8] for i in range(1, 9)}  # pooled 1..16
    res = markov(_panel(vals, periods=[1, 2]))
    assert res.labels == ("low", "mid-low", "mid-high", "high")
    assert res.cutoffs.tolist() == [4.75, 8.5, 12.25]  # type-7 quartiles of 1..16
    # right-closed classes: exactly at a cutoff belongs to the lower class
    edge = markov(_panel({"a": [1, 2], "b": [2, 3]}, periods=[1, 2]), cutoffs=[2])
    assert edge.classes["class"].tolist() == ["low", "low", "low", "high"]
    ties = _panel({f"u{i}": [1, 1] for i in range(5)} | {"z": [1, 2]}, periods=[1, 2])
    with pytest.raises(DataError, match="coincide"):
        markov(ties)
    with pytest.raises(DataError, match="does not match"):
        markov(_panel(HAND), classes=4, cutoffs=[1.5, 2.5])
    with pytest.raises(DataError, match="increasing"):
        markov(_panel(HAND), cutoffs=[2.5, 1.5])
    with pytest.raises(DataError, match="labels"):
        markov(_panel(HAND), cutoffs=[1.5, 2.5], labels=["a", "b"])
    with pytest.raises(DataError, match="weights"):
        markov(_panel(HAND), cutoffs=[1.5, 2.5], spatial=True)


def test_counts_equal_giddy_markov_on_a_balanced_panel():
    from giddy.markov import Markov

    rng = np.random.default_rng(11)
    y = np.cumsum(rng.normal(size=(25, 9)), axis=1)
    df = pd.DataFrame(
        {"unit": np.repeat([f"r{i:02d}" for i in range(25)], 9), "period": np.tile(range(9), 25),
         "value": y.ravel()}
    )  # fmt: skip
    res = markov(df, classes=4)
    ids = np.searchsorted(res.cutoffs, y, side="left")
    gm = Markov(ids, classes=np.arange(4), summary=False)
    assert np.array_equal(gm.transitions, res.transitions)
    assert np.allclose(gm.p, res.p)


# --------------------------------------------------------------------------------------------
# spatial Markov chains
# --------------------------------------------------------------------------------------------


def test_spatial_lag_rescales_over_observed_neighbours():
    nb = {"A": ["B"], "B": ["A", "C"], "C": ["B"]}
    df = _panel({"A": [1, 1, 3], "B": [2, 3, 3], "C": [None, 3, 1]}, periods=[1, 2, 3])
    res = markov(df, cutoffs=[1.5, 2.5], spatial=True, w=nb)
    lag = res.classes.set_index(["unit", "period"])["lag"]
    assert lag[("B", 1)] == 1.0  # C missing: mean over A only
    assert lag[("B", 2)] == 2.0  # (1 + 3) / 2
    assert lag[("A", 3)] == 3.0 and lag[("C", 3)] == 3.0
    assert res.params["unit_periods_without_lag"] == 0
    # B at period 1: lag class low; transitions from period 1: A low->low (lag middle),
    # B middle->high (lag low)
    low = res.T[res.lag_labels.index("low")]
    assert low.sum() == 1 and low[1, 2] == 1


def test_spatial_markov_reproduces_giddy_documented_example():
    """giddy's Spatial_Markov docstring: US state relative incomes 1929-2009, states48.gal."""
    libpysal = pytest.importorskip("libpysal")
    csv = pd.read_csv(libpysal.examples.get_path("usjoin.csv"))
    years = [str(y) for y in range(1929, 2010)]
    pci = csv[years].to_numpy(float)
    rpci = pci / pci.mean(axis=0)
    names = csv["Name"].tolist()
    gal = libpysal.io.open(libpysal.examples.get_path("states48.gal")).read()
    # the .gal ids are the row numbers of usjoin.csv; give the weights the state names
    nb = {names[int(i)]: [names[int(j)] for j in gal.neighbors[i]] for i in gal.neighbors}
    df = pd.DataFrame(
        {"unit": np.repeat(names, 81), "period": np.tile(range(1929, 2010), 48),
         "value": rpci.ravel()}
    )  # fmt: skip

    # (1) global quintiles for incomes and for the lags
    res = markov(df, classes=5, spatial=True, w=nb, lag_cutoffs="quantiles")
    assert np.allclose(res.cutoffs, [0.83999133, 0.94707545, 1.03242697, 1.14911154])
    assert np.allclose(res.lag_cutoffs, [0.88973386, 0.95891917, 1.01469758, 1.1183566])
    assert np.allclose(
        res.P[0],
        [[0.96341463, 0.0304878, 0.00609756, 0, 0], [0.06040268, 0.83221477, 0.10738255, 0, 0],
         [0, 0.14, 0.74, 0.12, 0], [0, 0.03571429, 0.32142857, 0.57142857, 0.07142857],
         [0, 0, 0, 0.16666667, 0.83333333]],
    )  # fmt: skip
    assert np.allclose(res.p[0], [0.91461837, 0.07503234, 0.00905563, 0.00129366, 0])
    tests = res.tests.set_index("test")
    assert f"{tests.loc['spatial_homogeneity_LR', 'statistic']:.3f}" == "170.659"
    assert f"{tests.loc['spatial_homogeneity_Q', 'statistic']:.3f}" == "200.624"
    assert tests.loc["spatial_homogeneity_Q", "dof"] == 60
    assert np.allclose(
        np.vstack(res.S),
        [[0.43509425, 0.2635327, 0.20363044, 0.06841983, 0.02932278],
         [0.13391287, 0.33993305, 0.25153036, 0.23343016, 0.04119356],
         [0.12124869, 0.21137444, 0.2635101, 0.29013417, 0.1137326],
         [0.0776413, 0.19748806, 0.25352636, 0.22480415, 0.24654013],
         [0.01776781, 0.19964349, 0.19009833, 0.25524697, 0.3372434]],
    )  # fmt: skip
    assert np.allclose(res.F[0][0], [2.29835259, 28.95614035, 46.14285714, 80.80952381,
                                     279.42857143])  # fmt: skip

    # (3) the same user cutoffs for incomes and lags
    res = markov(df, cutoffs=[0.8, 0.9, 1, 1.2], spatial=True, w=nb)
    assert np.allclose(res.P[0][1], [0.10638298, 0.68085106, 0.21276596, 0, 0])
    assert np.allclose(res.P[4][2], [0, 0.06666667, 0.9, 0.03333333, 0])
    assert res.T[4][:2].sum() == 0  # rows without transitions stay 0 in P
    # with empty rows absorbing (fill_empty_classes=True) the first chain has 2 solutions
    assert np.allclose(
        res.S[0],
        [[0.54148249, 0.16780007, 0.24991499, 0.04080245, 0], [0, 0, 0, 0, 1]],
    )
    assert np.allclose(res.S[2], [[0.03607655, 0.22667277, 0.25883041, 0.43607249, 0.04234777]])
    ss = res.tables()["markov_steady_state"]
    assert ss[ss["lag_class"] == "low"]["solution"].max() == 2


def _mexico():
    libpysal = pytest.importorskip("libpysal")
    from libpysal.weights import Rook

    shp = libpysal.examples.get_path("mexicojoin.shp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        w = Rook.from_shapefile(shp, idVariable="NAME")
    db = libpysal.io.open(libpysal.examples.get_path("mexicojoin.dbf"))
    names = db.by_col("NAME")
    years = list(range(1940, 2001, 10))
    Y = np.array([db.by_col(f"PCGDP{y}") for y in years]).T
    df = pd.DataFrame(
        {"unit": np.repeat(names, 7), "period": np.tile(years, 32), "value": Y.ravel()}
    ).sample(frac=1, random_state=5)
    return w, names, Y, df


def test_spatial_markov_on_mexico_matches_giddy_and_keeps_weights():
    from giddy.markov import Spatial_Markov
    from libpysal.weights import W

    w, names, Y, df = _mexico()
    before = {k: list(v) for k, v in w.weights.items()}
    res = markov(df, classes=4, spatial=True, w=w)
    assert w.transform == "O" and {k: list(v) for k, v in w.weights.items()} == before

    # giddy on arrays ordered as the weights, with the weights row-standardised
    y = Y[[names.index(i) for i in w.id_order]]
    wr = W(w.neighbors, id_order=w.id_order)
    wr.transform = "r"
    sm = Spatial_Markov(y, wr, cutoffs=res.cutoffs, lag_cutoffs=res.cutoffs)
    assert np.array_equal(sm.T, res.T)
    assert np.allclose(sm.P, res.P)
    assert np.array_equal(sm.transitions, res.transitions)
    tests = res.tests.set_index("test")
    assert tests.loc["spatial_homogeneity_Q", "statistic"] == pytest.approx(sm.Q)
    assert tests.loc["spatial_homogeneity_LR", "statistic"] == pytest.approx(sm.LR)
    assert tests.loc["spatial_homogeneity_Q", "dof"] == sm.dof_hom
    chi = tests.loc["chi2_lag[low]"]
    assert chi["statistic"] == pytest.approx(sm.chi2[0][0])

    # lag classed by its own pooled quartiles: giddy's default fixed=True
    res2 = markov(df, classes=4, spatial=True, w=w, lag_cutoffs="quantiles")
    sm2 = Spatial_Markov(y, wr, k=4, m=4, fixed=True)
    assert np.allclose(sm2.lag_cutoffs, res2.lag_cutoffs)
    assert np.array_equal(sm2.T, res2.T)

    # a transformed W gives the same result and is left as it was
    wr2 = W(w.neighbors, id_order=w.id_order)
    wr2.transform = "r"
    res3 = markov(df, classes=4, spatial=True, w=wr2)
    assert wr2.transform == "R" and np.array_equal(res3.T, res.T)

    t = res.tables()
    assert set(t) == {
        "markov_cutoffs", "markov_transitions", "markov_steady_state", "markov_mfpt",
        "markov_tests", "markov_classes",
    }  # fmt: skip
    assert list(t["markov_tests"].columns) == ["test", "statistic", "dof", "p_value"]
    assert set(t["markov_transitions"]["lag_class"]) == {"", "low", "mid-low", "mid-high", "high"}
    assert len(res.plot().axes) == 6  # pooled + 4 lag classes + colour bar


def test_spatial_markov_with_province_contiguity():
    from libpysal.weights import W

    from nqpf.datasets.reference import contiguity

    nb = contiguity()
    rng = np.random.default_rng(4)
    provs = sorted(nb)
    y = np.cumsum(rng.normal(size=(31, 8)), axis=1)
    df = pd.DataFrame(
        {"unit": np.repeat(provs, 8), "period": np.tile(range(2015, 2023), 31),
         "value": y.ravel()}
    )  # fmt: skip
    a = markov(df, spatial=True, w=nb)
    b = markov(df, spatial=True, w=W(nb, silence_warnings=True))
    assert np.array_equal(a.T, b.T) and a.T.sum() == 31 * 7
    # the lag of Beijing: mean of Hebei and Tianjin
    cl = a.classes.set_index(["unit", "period"])
    assert cl.loc[("CN-BJ", 2015), "lag"] == pytest.approx(
        (cl.loc[("CN-HE", 2015), "value"] + cl.loc[("CN-TJ", 2015), "value"]) / 2
    )
    # Tibet left out of the data (as many studies do): weights restricted to the data
    no_xz = markov(df[df["unit"] != "CN-XZ"], spatial=True, w=nb)
    assert no_xz.params["weights_units_without_data"] == ["CN-XZ"]
    # without Guangdong, Hainan has no neighbour left: named in the error
    with pytest.raises(DataError, match="CN-HI"):
        markov(df[df["unit"] != "CN-GD"], spatial=True, w=nb)
    # a unit the weights do not know
    extra = pd.concat([df, pd.DataFrame({"unit": ["CN-XX"], "period": [2015], "value": [0.0]})])
    with pytest.raises(DataError, match="CN-XX"):
        markov(extra, spatial=True, w=nb)
    with pytest.raises(DataError, match="not keys"):
        markov(df, spatial=True, w={"CN-BJ": ["CN-ZZ"]})
