"""Gini, Dagum (1997) decomposition and Theil T/L: hand cases, identities, Mexican state data."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.analysis.disparity import DAGUM_COLUMNS, THEIL_COLUMNS, dagum, gini, theil
from nqpf.errors import DataError

# ----------------------------------------------------------------------------- helpers


def frame(values: dict[str, float], period: int = 2020) -> pd.DataFrame:
    return pd.DataFrame(
        {"unit": list(values), "period": period, "value": [float(v) for v in values.values()]}
    )


def brute_gini(y) -> float:
    y = np.asarray(y, dtype=float)
    return float(np.abs(y[:, None] - y[None, :]).sum() / (2 * len(y) ** 2 * y.mean()))


def brute_dagum(y: np.ndarray, g: np.ndarray) -> dict:
    """Straightforward O(n²) Dagum decomposition, written from the 1997 definitions."""
    labels = sorted(set(g), key=lambda a: (y[g == a].mean(), a))  # ascending mean
    mu, n = y.mean(), len(y)
    out = {"G": brute_gini(y), "Gw": 0.0, "Gnb": 0.0, "Gt": 0.0, "pairs": {}}
    for a in labels:
        ya = y[g == a]
        pa, sa = len(ya) / n, len(ya) / n * ya.mean() / mu
        gaa = np.abs(ya[:, None] - ya[None, :]).sum() / (2 * len(ya) ** 2 * ya.mean())
        out["Gw"] += gaa * pa * sa
    for i, j in enumerate(labels):
        for h in labels[:i]:
            yj, yh = y[g == j], y[g == h]
            diff = yj[:, None] - yh[None, :]
            d, p = np.maximum(diff, 0).mean(), np.maximum(-diff, 0).mean()
            gjh = np.abs(diff).sum() / (len(yj) * len(yh) * (yj.mean() + yh.mean()))
            D = (d - p) / (d + p) if d + p > 0 else 0.0
            pj, ph = len(yj) / n, len(yh) / n
            sj, sh = pj * yj.mean() / mu, ph * yh.mean() / mu
            out["Gnb"] += gjh * (pj * sh + ph * sj) * D
            out["Gt"] += gjh * (pj * sh + ph * sj) * (1 - D)
            out["pairs"][(j, h)] = (gjh, D)
    return out


def mean_replaced(y: np.ndarray, g: np.ndarray) -> np.ndarray:
    return pd.Series(y).groupby(g).transform("mean").to_numpy()


# ----------------------------------------------------------------------------- gini


def test_gini_hand():
    # |differences| over unordered pairs of 1,2,3,5: 1+2+4+1+3+2 = 13; G = 26 / (2·16·2.75)
    assert gini([1, 2, 3, 5]) == pytest.approx(13 / 44, abs=1e-15)
    assert gini([3, 3, 3]) == 0.0
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)  # (n − 1)/n for one holder: population form
    assert gini(np.array([[5.0, 1.0], [3.0, 2.0]])) == pytest.approx(13 / 44)


@pytest.mark.parametrize("bad", [[], [1, np.nan], [1, -1, 3], [0, 0], [1, np.inf]])
def test_gini_refuses(bad):
    with pytest.raises(DataError):
        gini(bad)


# ----------------------------------------------------------------------------- Dagum by hand

TOY = {"a": 1, "b": 2, "c": 3, "d": 5}
TOY_G = {"a": "A", "b": "A", "c": "B", "d": "B"}


def test_dagum_toy_from_methods():
    r = dagum(frame(TOY), TOY_G)
    o = r.overall.iloc[0]
    assert list(r.overall.columns[:8]) == DAGUM_COLUMNS
    assert o["gini"] == pytest.approx(13 / 44, abs=1e-15)  # 0.2954545
    assert o["within"] == pytest.approx(3 / 44, abs=1e-15)  # 0.0681818
    assert o["net_between"] == pytest.approx(10 / 44, abs=1e-15)  # 0.2272727
    assert o["transvariation"] == 0.0
    assert o["within_share"] == pytest.approx(3 / 13)
    assert o["net_between_share"] == pytest.approx(10 / 13)
    w = r.within.set_index("group")
    assert list(r.within.columns[:5]) == ["period", "group", "gini", "n", "mean"]
    assert w.loc["A", "gini"] == pytest.approx(1 / 6)  # 2 / (2·4·1.5)
    assert w.loc["B", "gini"] == pytest.approx(1 / 8)  # 4 / (2·4·4)
    assert w.loc["A", "s"] == pytest.approx(0.5 * 1.5 / 2.75)
    assert (w.loc["B", "mean_rank"], w.loc["A", "mean_rank"]) == (1, 2)
    b = r.between.iloc[0]
    assert list(r.between.columns[:5]) == ["period", "group_a", "group_b", "gini", "D"]
    assert (b["group_a"], b["group_b"]) == ("B", "A")
    assert b["gini"] == pytest.approx(10 / 22)  # (2+4+1+3) / (2·2·(1.5+4))
    assert b["D"] == 1.0 and b["p"] == 0.0 and b["d"] == pytest.approx(2.5)


def test_dagum_overlapping_hand_case_and_net_between_identity():
    # A = {1, 4}, B = {2, 5}: μ_A = 2.5, μ_B = 3.5, μ = 3
    g = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    r = dagum(frame({"a1": 1, "a2": 4, "b1": 2, "b2": 5}), g)
    o = r.overall.iloc[0]
    assert o["gini"] == pytest.approx(7 / 24, abs=1e-15)  # 2·14 / (2·16·3)
    w = r.within.set_index("group")["gini"]
    assert w["A"] == pytest.approx(0.3) and w["B"] == pytest.approx(3 / 14)
    b = r.between.iloc[0]
    assert b["group_a"] == "B"
    assert b["d"] == pytest.approx(1.5) and b["p"] == pytest.approx(0.5)  # (1+4+1)/4, 2/4
    assert b["D"] == pytest.approx(0.5) and b["gini"] == pytest.approx(1 / 3)  # 8 / (4·6)
    assert o["within"] == pytest.approx(1 / 8)
    assert o["net_between"] == pytest.approx(1 / 12)
    assert o["transvariation"] == pytest.approx(1 / 12)
    # the mean-replaced data (2.5, 2.5, 3.5, 3.5) has Gini 8 / (2·16·3) = 1/12 = G_nb exactly,
    # while the gross between-group term G_nb + G_t = 1/6 is larger when groups overlap
    assert gini([2.5, 2.5, 3.5, 3.5]) == pytest.approx(o["net_between"], abs=1e-15)
    assert o["net_between"] + o["transvariation"] == pytest.approx(1 / 6)


def test_dagum_group_order_flips_between_periods():
    g = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    df = pd.concat(
        [
            frame({"a1": 1, "a2": 4, "b1": 2, "b2": 5}, 2020),  # B richer
            frame({"a1": 3, "a2": 6, "b1": 1, "b2": 4}, 2021),  # A richer
        ]
    )
    r = dagum(df, g)
    b = r.between.set_index("period")
    assert b.loc[2020, "group_a"] == "B" and b.loc[2021, "group_a"] == "A"
    # 2021: d_AB = ((3−1)+(6−1)+(6−4))/4 = 2.25, p_AB = (4−3)/4 = 0.25, D = 0.8
    assert b.loc[2021, "d"] == pytest.approx(2.25) and b.loc[2021, "p"] == pytest.approx(0.25)
    assert b.loc[2021, "D"] == pytest.approx(0.8)
    ranks = r.within.set_index(["period", "group"])["mean_rank"]
    assert ranks[(2020, "B")] == 1 and ranks[(2021, "A")] == 1
    o = r.overall.set_index("period")
    for period, part in df.groupby("period"):
        y = part["value"].to_numpy()
        gg = part["unit"].map(g).to_numpy()
        # reusing 2020's order in 2021 would make D negative and G_nb < 0: this catches it
        assert o.loc[period, "net_between"] == pytest.approx(gini(mean_replaced(y, gg)), abs=1e-15)
        assert o.loc[period, "net_between"] > 0
    assert (r.between["D"] >= 0).all()
    assert r.matrix(2021, "D").loc["A", "B"] == pytest.approx(0.8)
    m = r.matrix(2021)
    assert list(m.index) == ["A", "B"]
    assert m.loc["A", "A"] == pytest.approx(1 / 6) and m.loc["B", "B"] == pytest.approx(0.3)
    assert m.loc["A", "B"] == m.loc["B", "A"] == pytest.approx(b.loc[2021, "gini"])


def test_dagum_identical_constant_groups_give_D_zero():
    df = frame({"a1": 2, "a2": 2, "b1": 2, "b2": 2, "c1": 1, "c2": 5})
    r = dagum(df, {"a1": "A", "a2": "A", "b1": "B", "b2": "B", "c1": "C", "c2": "C"})
    b = r.between
    ab = b[b["group_a"].isin(["A", "B"]) & b["group_b"].isin(["A", "B"])]
    assert len(ab) == 1 and ab["D"].iloc[0] == 0.0 and ab["gini"].iloc[0] == 0.0
    o = r.overall.iloc[0]
    assert o["gini"] == pytest.approx(o["within"] + o["net_between"] + o["transvariation"])


def test_dagum_single_unit_group_and_text_periods():
    df = frame({"a": 1, "b": 3, "c": 10}).assign(period="2020Q1")
    r = dagum(df, {"a": "A", "b": "A", "c": "S"})
    ref = brute_dagum(np.array([1.0, 3.0, 10.0]), np.array(["A", "A", "S"]))
    o = r.overall.iloc[0]
    assert o["period"] == "2020Q1"
    assert r.within.set_index("group").loc["S", "gini"] == 0.0
    assert o["within"] == pytest.approx(ref["Gw"]) and o["net_between"] == pytest.approx(ref["Gnb"])
    assert o["gini"] == pytest.approx(gini([1, 3, 10]))


# ----------------------------------------------------------------------------- identities


def random_panel(seed: int = 1) -> tuple[pd.DataFrame, dict[str, str]]:
    rng = np.random.default_rng(seed)
    units = [f"u{i:02d}" for i in range(40)]
    groups = {u: "ABCDE"[i % 5] if i < 37 else "E" for i, u in enumerate(units)}
    rows = []
    for t, period in enumerate(range(2001, 2005)):
        shift = {"A": 0.0, "B": 0.3 * t, "C": -0.2 * t, "D": 0.1, "E": 0.5 - 0.3 * t}
        for u in units:
            if period == 2003 and groups[u] == "D":
                continue  # a group absent in one period
            v = round(float(np.exp(rng.normal(shift[groups[u]], 0.6))), 1)  # ties on purpose
            rows.append((u, period, v))
    return pd.DataFrame(rows, columns=["unit", "period", "value"]), groups


def test_dagum_identities_against_brute_force():
    df, groups = random_panel()
    r = dagum(df, groups)
    o = r.overall.set_index("period")
    assert r.overall["groups"].tolist() == [5, 5, 4, 5]
    for period, part in df.groupby("period"):
        y = part["value"].to_numpy()
        g = part["unit"].map(groups).to_numpy()
        ref = brute_dagum(y, g)
        row = o.loc[period]
        assert row["gini"] == pytest.approx(ref["G"], abs=1e-13)
        assert row["gini"] == pytest.approx(gini(y), abs=1e-13)
        assert row["within"] == pytest.approx(ref["Gw"], abs=1e-13)
        assert row["net_between"] == pytest.approx(ref["Gnb"], abs=1e-13)
        assert row["transvariation"] == pytest.approx(ref["Gt"], abs=1e-13)
        assert row["within"] + row["net_between"] + row["transvariation"] == pytest.approx(
            row["gini"], abs=1e-13
        )
        assert row["net_between"] == pytest.approx(gini(mean_replaced(y, g)), abs=1e-13)
        assert row[["within_share", "net_between_share", "transvariation_share"]].sum() == (
            pytest.approx(1.0)
        )
        b = r.between[r.between["period"] == period]
        for _, x in b.iterrows():
            gjh, D = ref["pairs"][(x["group_a"], x["group_b"])]
            assert x["gini"] == pytest.approx(gjh, abs=1e-13)
            assert x["D"] == pytest.approx(D, abs=1e-12)
            assert x["mean_a"] >= x["mean_b"]
            # G_jh · D_jh = (μ_j − μ_h) / (μ_j + μ_h), exact from d − p = μ_j − μ_h
            lhs = x["gini"] * x["D"]
            assert lhs == pytest.approx(
                (x["mean_a"] - x["mean_b"]) / (x["mean_a"] + x["mean_b"]), abs=1e-13
            )
            assert x["d"] - x["p"] == pytest.approx(x["mean_a"] - x["mean_b"], abs=1e-12)
        wt = r.within[r.within["period"] == period]
        assert wt["n"].sum() == len(y)
        assert wt["p"].sum() == pytest.approx(1.0) and wt["s"].sum() == pytest.approx(1.0)


def test_dagum_invariant_to_scale_and_row_order_and_keeps_input():
    df, groups = random_panel(7)
    before = df.copy()
    r1 = dagum(df, groups)
    pd.testing.assert_frame_equal(df, before)
    shuffled = df.sample(frac=1.0, random_state=3).assign(value=lambda d: d["value"] * 1000)
    r2 = dagum(shuffled, groups)
    cols = DAGUM_COLUMNS[1:]
    np.testing.assert_allclose(r1.overall[cols], r2.overall[cols], rtol=1e-12, atol=1e-14)


def test_dagum_refuses_bad_input():
    with pytest.raises(DataError, match=r"unit 'b'.*period 2020"):
        dagum(frame({"a": 1, "b": -1, "c": 3}), {"a": "A", "b": "A", "c": "B"})
    with pytest.raises(DataError, match="period 2020"):
        dagum(frame({"a": 2, "b": 2}), {"a": "A", "b": "B"})
    with pytest.raises(DataError, match="no group"):
        dagum(frame({"a": 1, "b": 2}), {"a": "A"})
    with pytest.raises(DataError, match="grouping"):
        dagum(frame({"a": 1, "b": 2}), None)


def test_dagum_large_panel_is_fast_and_memory_bounded():
    rng = np.random.default_rng(0)
    n, T = 5000, 15
    units = [f"u{i}" for i in range(n)]
    df = pd.DataFrame(
        {
            "unit": np.repeat(units, T),
            "period": np.tile(np.arange(2010, 2010 + T), n),
            "value": rng.lognormal(0, 1, n * T),
        }
    )
    groups = {u: f"g{i % 4}" for i, u in enumerate(units)}
    tracemalloc.start()
    try:
        r = dagum(df, groups)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # one n×n float matrix of a single period would take 200 MB
    assert peak < 60e6
    o = r.overall
    assert len(o) == T
    np.testing.assert_allclose(
        o["within"] + o["net_between"] + o["transvariation"], o["gini"], rtol=1e-12
    )
    first = df[df["period"] == 2010]["value"].to_numpy()
    assert o["gini"].iloc[0] == pytest.approx(gini(first), rel=1e-12)


def test_dagum_plot():
    df, groups = random_panel()
    fig = dagum(df, groups).plot()
    assert len(fig.axes) == 2
    assert len(fig.axes[1].patches) == 3 * 4  # three stacked bars per period


# ----------------------------------------------------------------------------- Theil


def theil_by_hand(y, w, g, kind):
    """Direct sums over units and groups (no vectorisation), Shorrocks (1980)."""
    y, w, g = np.asarray(y, float), np.asarray(w, float), np.asarray(g)
    W = w.sum()
    mu = (w * y).sum() / W

    def ge(yy, ww, m):
        tot = 0.0
        for a, b in zip(yy, ww, strict=True):
            if kind == "T":
                tot += 0.0 if a == 0 else b * (a / m) * math.log(a / m)
            else:
                tot += b * math.log(m / a)
        return tot / ww.sum()

    total = ge(y, w, mu)
    within = between = 0.0
    for grp in sorted(set(g)):
        yy, ww = y[g == grp], w[g == grp]
        mg = (ww * yy).sum() / ww.sum()
        pg = ww.sum() / W
        sg = pg * mg / mu
        if kind == "T":
            within += sg * ge(yy, ww, mg)
            between += sg * math.log(mg / mu)
        else:
            within += pg * ge(yy, ww, mg)
            between += pg * math.log(mu / mg)
    return total, within, between


@pytest.mark.parametrize("kind", ["T", "L"])
def test_theil_hand(kind):
    r = theil(frame(TOY), TOY_G, kind=kind)
    o = r.overall.iloc[0]
    assert list(r.overall.columns[:6]) == THEIL_COLUMNS
    mu = 2.75
    if kind == "T":
        expect = sum(v / mu * math.log(v / mu) for v in TOY.values()) / 4
    else:
        expect = sum(math.log(mu / v) for v in TOY.values()) / 4
    assert o["total"] == pytest.approx(expect, abs=1e-15)
    t, w, b = theil_by_hand(list(TOY.values()), [1] * 4, list(TOY_G.values()), kind)
    assert (o["within"], o["between"]) == (pytest.approx(w, abs=1e-15), pytest.approx(b, abs=1e-15))
    assert o["within"] + o["between"] == pytest.approx(o["total"], abs=1e-15)
    gt = r.groups
    assert list(gt.columns[:7]) == [
        "period",
        "group",
        "n",
        "mean",
        "theil",
        "contribution",
        "share",
    ]
    assert gt["contribution"].sum() == pytest.approx(o["within"])
    assert gt["share"].sum() + o["between_share"] == pytest.approx(1.0)
    assert gt["between_term"].sum() == pytest.approx(o["between"])
    a = gt.set_index("group").loc["A"]
    if kind == "T":  # T_A over {1, 2}: ½[(2/3)ln(2/3) + (4/3)ln(4/3)]
        expect_a = 0.5 * (2 / 3 * math.log(2 / 3) + 4 / 3 * math.log(4 / 3))
        assert a["theil"] == pytest.approx(expect_a)
    else:  # L_A = ½[ln(1.5/1) + ln(1.5/2)]
        assert a["theil"] == pytest.approx(0.5 * (math.log(1.5) + math.log(0.75)))


@pytest.mark.parametrize("kind", ["T", "L"])
def test_theil_weights_equal_replication(kind):
    # a population weight of 3 must equal three copies of the unit
    weighted = theil(frame(TOY), TOY_G, kind=kind, weights={"a": 3, "b": 1, "c": 2, "d": 1})
    copies = frame({"a": 1, "a'": 1, "a''": 1, "b": 2, "c": 3, "c'": 3, "d": 5})
    g = {**TOY_G, "a'": "A", "a''": "A", "c'": "B"}
    replicated = theil(copies, g, kind=kind)
    cols = ["total", "within", "between"]
    np.testing.assert_allclose(weighted.overall[cols], replicated.overall[cols], rtol=1e-13)
    wg = weighted.groups.set_index("group")
    assert wg.loc["A", "weight_share"] == pytest.approx(4 / 7)
    assert wg.loc["A", "mean"] == pytest.approx(5 / 4)  # (3·1 + 2) / 4


def test_theil_weight_forms_agree():
    df = pd.concat([frame(TOY, 2020), frame({k: v + 1 for k, v in TOY.items()}, 2021)])
    w = {"a": 3, "b": 1, "c": 2, "d": 1}
    r1 = theil(df, TOY_G, weights=w)
    r2 = theil(df, TOY_G, weights=pd.DataFrame({"unit": list(w), "weight": list(w.values())}))
    long = pd.DataFrame(
        [(u, p, v) for p in (2020, 2021) for u, v in w.items()],
        columns=["unit", "period", "weight"],
    )
    r3 = theil(df, TOY_G, weights=long)
    r4 = theil(df, TOY_G, weights={(u, p): v for p in ("2020", "2021") for u, v in w.items()})
    for r in (r2, r3, r4):
        pd.testing.assert_frame_equal(r1.overall, r.overall)
    assert r1.params["weights"] == "population weights"


def test_theil_zero_values():
    df = frame({"a": 0, "b": 2, "c": 3, "d": 5})
    r = theil(df, TOY_G, kind="T")  # 0·ln 0 = 0
    t, w, b = theil_by_hand([0, 2, 3, 5], [1] * 4, list(TOY_G.values()), "T")
    assert r.overall["total"].iloc[0] == pytest.approx(t, abs=1e-15)
    assert r.overall["within"].iloc[0] == pytest.approx(w, abs=1e-15)
    with pytest.raises(DataError, match=r"unit 'a'.*period 2020"):
        theil(df, TOY_G, kind="L")
    with pytest.raises(DataError, match=r"unit 'b'.*period 2020"):
        theil(frame({"a": 1, "b": -2}), None)


def test_theil_refuses_bad_weights_and_kind():
    df = frame(TOY)
    with pytest.raises(DataError, match="unit 'd'"):
        theil(df, TOY_G, weights={"a": 1, "b": 1, "c": 1})
    with pytest.raises(DataError, match="lack"):
        theil(df, TOY_G, weights={"a": 1, "b": 1, "c": 1, "d": 1, "Beijing": 2})
    with pytest.raises(DataError, match="positive"):
        theil(df, TOY_G, weights={"a": 1, "b": 0, "c": 1, "d": 1})
    with pytest.raises(DataError, match="kind"):
        theil(df, TOY_G, kind="GE2")
    with pytest.raises(DataError, match="equal"):
        theil(frame({"a": 4, "b": 4}), None)


def test_theil_without_groups():
    r = theil(frame(TOY), None)
    o = r.overall.iloc[0]
    assert o["within"] == pytest.approx(o["total"]) and o["between"] == 0.0
    assert r.groups["group"].tolist() == ["all"] and r.groups["share"].iloc[0] == pytest.approx(1)
    fig = r.plot()
    assert len(fig.axes) == 1


# ----------------------------------------------------------------------------- Mexico (libpysal)

# Published reference values from PySAL's own tests (inequality / giddy): the Gini of
# per-capita GDP 1940 and Theil's T and its between-region part (hanson98 regions) by decade.
PYSAL_GINI_1940 = 0.35372371173452849
PYSAL_THEIL_T = [0.20894344, 0.15222451, 0.10472941, 0.10194725, 0.09560113, 0.10511256, 0.10660832]
PYSAL_THEIL_BG = [0.0345889, 0.02816853, 0.05260921, 0.05931219, 0.03205257, 0.02963731, 0.03635872]
DECADES = list(range(1940, 2010, 10))


@pytest.fixture(scope="module")
def mexico():
    libpysal = pytest.importorskip("libpysal")
    raw = pd.read_csv(libpysal.examples.get_path("mexico.csv"))
    long = raw.melt(
        id_vars=["State"], value_vars=[f"pcgdp{d}" for d in DECADES], value_name="value"
    )
    long["period"] = long["variable"].str.removeprefix("pcgdp").astype(int)
    long = long.rename(columns={"State": "unit"})[["unit", "period", "value"]]
    return long, raw


@pytest.mark.parametrize("scheme", ["hanson98", "inegi", "esquivel99"])
def test_mexico_dagum(mexico, scheme):
    long, raw = mexico
    groups = dict(zip(raw["State"], raw[scheme].astype(int).astype(str), strict=True))
    r = dagum(long, groups)
    o = r.overall.set_index("period")
    assert o.index.tolist() == DECADES
    if scheme == "hanson98":
        assert o.loc[1940, "gini"] == pytest.approx(PYSAL_GINI_1940, abs=1e-12)
    for d in DECADES:
        y = raw[f"pcgdp{d}"].to_numpy()
        g = raw[scheme].astype(int).astype(str).to_numpy()
        assert o.loc[d, "gini"] == pytest.approx(brute_gini(y), abs=1e-13)
        assert o.loc[d, "net_between"] == pytest.approx(gini(mean_replaced(y, g)), abs=1e-13)
        ref = brute_dagum(y, g)
        assert o.loc[d, "within"] == pytest.approx(ref["Gw"], abs=1e-13)
        assert o.loc[d, "transvariation"] == pytest.approx(ref["Gt"], abs=1e-13)
    # the regions' mean order changes between decades in these data: at least one pair flips
    lead = r.between.groupby(["group_a", "group_b"]).size()
    flipped = {(a, b) for a, b in lead.index if (b, a) in lead.index}
    assert flipped


@pytest.mark.parametrize("scheme", ["hanson98", "inegi"])
@pytest.mark.parametrize("kind", ["T", "L"])
def test_mexico_theil(mexico, scheme, kind):
    long, raw = mexico
    groups = dict(zip(raw["State"], raw[scheme].astype(int).astype(str), strict=True))
    r = theil(long, groups, kind=kind)
    o = r.overall.set_index("period")
    for i, d in enumerate(DECADES):
        y = raw[f"pcgdp{d}"].to_numpy()
        g = raw[scheme].astype(int).astype(str).to_numpy()
        t, w, b = theil_by_hand(y, np.ones_like(y), g, kind)
        assert o.loc[d, "total"] == pytest.approx(t, abs=1e-13)
        assert o.loc[d, "within"] == pytest.approx(w, abs=1e-13)
        assert o.loc[d, "between"] == pytest.approx(b, abs=1e-13)
        if kind == "T":
            assert o.loc[d, "total"] == pytest.approx(PYSAL_THEIL_T[i], abs=1e-8)
            if scheme == "hanson98":
                assert o.loc[d, "between"] == pytest.approx(PYSAL_THEIL_BG[i], abs=1e-8)


def test_mexico_theil_against_pysal_inequality_when_installed(mexico):
    inequality = pytest.importorskip("inequality")
    long, raw = mexico
    y = raw[[f"pcgdp{d}" for d in DECADES]].to_numpy()
    reg = raw["hanson98"].to_numpy()
    td = inequality.theil.TheilD(y, reg)
    groups = dict(zip(raw["State"], raw["hanson98"].astype(int).astype(str), strict=True))
    o = theil(long, groups).overall
    np.testing.assert_allclose(o["total"], td.T, atol=1e-12)
    np.testing.assert_allclose(o["between"], td.bg, atol=1e-12)
    np.testing.assert_allclose(o["within"], td.wg, atol=1e-12)


# ---------------------------------------------------------------------- properties

_POS = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(v=_POS, n=st.integers(1, 60))
def test_gini_of_equal_values_is_exactly_zero(v, n):
    assert gini([v] * n) == 0.0


@settings(max_examples=60, deadline=None)
@given(y=st.lists(_POS, min_size=2, max_size=40), c=st.floats(0.01, 100))
def test_gini_bounds_scale_and_permutation_invariance(y, c):
    g = gini(y)
    n = len(y)
    assert 0.0 <= g <= (n - 1) / n + 1e-12
    assert abs(gini([c * v for v in y]) - g) < 1e-9
    assert abs(gini(list(reversed(y))) - g) < 1e-12
