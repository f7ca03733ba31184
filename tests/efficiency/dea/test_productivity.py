"""Productivity indices: published DEAP numbers, hand-derived cases and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.efficiency.dea.productivity import productivity
from nqpf.errors import DataError
from nqpf.panel.core import Panel

# Coelli (1996), "A Guide to DEAP Version 2.1", CEPA Working Paper 96/08, example 4
# (eg4-dta.txt): 5 firms, 3 years, 1 output, 1 input; year 3 repeats year 2. (y, x) per firm.
EG4_Y1 = [(1, 2), (2, 4), (3, 3), (4, 5), (5, 6)]
EG4_Y2 = [(1, 2), (3, 4), (4, 3), (3, 5), (5, 5)]
# eg4-out.txt, output-orientated Malmquist, year 2 (firms 1-5): effch, techch, pech, sech, tfpch
EG4_OUT = {
    "ec": [0.750, 1.125, 1.000, 0.562, 0.900],
    "tc": [1.333, 1.333, 1.333, 1.333, 1.333],
    "pec": [1.000, 1.222, 1.000, 0.650, 1.000],
    "sec": [0.750, 0.920, 1.000, 0.865, 0.900],
    "index": [1.000, 1.500, 1.333, 0.750, 1.200],
}


def eg4() -> pd.DataFrame:
    rows = [
        {"firm": f"firm{i + 1}", "year": t, "y": y, "x": x}
        for t, d in ((1, EG4_Y1), (2, EG4_Y2), (3, EG4_Y2))
        for i, (y, x) in enumerate(d)
    ]
    return pd.DataFrame(rows)


def panel(n=12, T=4, seed=3, bad=True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "unit": np.repeat([f"u{i:02d}" for i in range(n)], T),
            "period": np.tile(np.arange(2001, 2001 + T), n),
        }
    )
    k = len(df)
    df["k"] = rng.uniform(1, 10, k)
    df["l"] = rng.uniform(1, 10, k)
    df["y"] = df.k**0.5 * df.l**0.4 * rng.uniform(0.5, 1, k) * (1 + 0.04 * (df.period - 2001))
    if bad:
        df["co2"] = df.y * rng.uniform(0.3, 1, k)
    return df


def row(res, unit, period) -> pd.Series:
    t = res.index
    return t[(t["unit"] == unit) & (t["period"] == period)].iloc[0]


# ---------------------------------------------------------------------- published: DEAP
def test_deap_eg4_malmquist_as_printed():
    res = productivity(eg4(), "x", "y", unit="firm", period="year", model="bcc")
    assert res.params["orientation"] == "output"
    y2 = res.index[res.index["period"] == 2].set_index("unit")
    y2 = y2.loc[[f"firm{i}" for i in range(1, 6)]]
    for col, printed in EG4_OUT.items():
        np.testing.assert_allclose(y2[col].to_numpy(), printed, atol=1e-3 / 2 + 1e-12)
    # hand-derived exact values: CRS TE = (y/x) / max(y/x); VRS frontier by hand
    f2 = y2.loc["firm2"]
    assert f2["ec"] == pytest.approx(9 / 8, abs=1e-9)  # (3/4 / 4/3) / (2/4 / 1)
    assert f2["tc"] == pytest.approx(4 / 3, abs=1e-9)
    assert f2["pec"] == pytest.approx(11 / 9, abs=1e-9)  # (2/3) / (6/11)
    assert y2.loc["firm4", "pec"] == pytest.approx(0.6 / (12 / 13), abs=1e-9)
    # year 3 repeats year 2: no change
    y3 = res.index[res.index["period"] == 3]
    np.testing.assert_allclose(y3[["index", "ec", "tc", "pec", "sec"]].to_numpy(), 1.0, atol=1e-9)
    # the annual and overall geometric means DEAP prints
    s = res.summary().set_index("period")
    np.testing.assert_allclose(
        s.loc["2", ["ec", "tc", "pec", "sec", "index"]].to_numpy(float),
        [0.844, 1.333, 0.955, 0.883, 1.125], atol=5e-4,
    )  # fmt: skip
    np.testing.assert_allclose(
        s.loc["all", ["ec", "tc", "pec", "sec", "index"]].to_numpy(float),
        [0.918, 1.155, 0.977, 0.940, 1.061], atol=5e-4,
    )  # fmt: skip


def test_deap_eg4_identities():
    res = productivity(eg4(), "x", "y", unit="firm", period="year", model="bcc")
    t = res.index
    np.testing.assert_allclose(t["index"], t["ec"] * t["tc"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(t["ec"], t["pec"] * t["sec"], rtol=0, atol=1e-12)
    # the distances DEAP prints for firm 2: CRS TE 0.5 (yr 1), 0.75 (yr 2 rel. to yr 1)
    e = res.efficiency
    f2 = e[(e["unit"] == "firm2") & (e["rts"] == "crs")]
    keys = zip(f2["period"], f2["reference_period"], strict=True)
    got = dict(zip(keys, f2["distance"], strict=True))
    assert got[(1, "1")] == pytest.approx(0.5)
    assert got[(2, "1")] == pytest.approx(0.75)
    assert got[(1, "2")] == pytest.approx(0.375)
    assert got[(2, "2")] == pytest.approx(0.5625)


def test_crs_orientation_does_not_matter():
    a = productivity(eg4(), "x", "y", unit="firm", period="year", orientation="input")
    b = productivity(eg4(), "x", "y", unit="firm", period="year", orientation="output")
    np.testing.assert_allclose(a.index["index"], b.index["index"], atol=1e-10)
    assert "pec" not in a.index.columns


# ---------------------------------------------------------------------- hand-derived
def test_two_units_two_periods_is_ratio_of_productivities():
    # 1 input, 1 output, CRS: M = (y1/x1) / (y0/x0) for every unit, whatever the frontier
    df = pd.DataFrame(
        {
            "unit": ["A", "B", "A", "B"],
            "period": [1, 1, 2, 2],
            "x": [2.0, 4.0, 2.0, 5.0],
            "y": [2.0, 2.0, 3.0, 4.0],
        }
    )
    res = productivity(df, "x", "y")
    a, b = row(res, "A", 2), row(res, "B", 2)
    assert a["index"] == pytest.approx(1.5, abs=1e-12)
    assert b["index"] == pytest.approx((4 / 5) / (2 / 4), abs=1e-12)
    # frontiers: ratio 1 in period 1, 1.5 in period 2: TC = 1.5 for both
    assert a["tc"] == pytest.approx(1.5) and b["tc"] == pytest.approx(1.5)
    assert a["ec"] == pytest.approx(1.0) and b["ec"] == pytest.approx((0.8 / 1.5) / 0.5)
    for frontier in ("global", "biennial", "sequential"):
        g = productivity(df, "x", "y", frontier=frontier)
        np.testing.assert_allclose(g.index["index"], res.index["index"], atol=1e-12)
    b = productivity(df, "x", "y", frontier="biennial")
    # biennial frontier: ratio 1.5 (A of period 2); EC uses contemporaneous frontiers
    assert row(b, "B", 2)["bpc"] == pytest.approx(1.5, abs=1e-12)


def ml_example() -> pd.DataFrame:
    # 5 units, 1 input (= 1), good output y, bad output b; the ML example data of the
    # DataEnvelopmentAnalysis.jl documentation (Barbero & Zofío)
    Y = [[7, 5, 1, 3, 4], [8, 5.5, 2, 2, 4], [8, 5.5, 2, 2, 4]]
    B = [[2, 5, 3, 3, 2], [1, 3, 2, 4, 1], [0.5, 2, 0.5, 3, 0.5]]
    return pd.DataFrame(
        [
            {"unit": f"d{i + 1}", "period": t + 1, "x": 1.0, "y": Y[t][i], "b": B[t][i]}
            for t in range(3)
            for i in range(5)
        ]
    )


def test_ml_ddf_hand_derived_and_infeasible_flagged():
    res = productivity(ml_example(), "x", "y", "b", index="ml", model="ddf")
    # d5: D^1(o_1) = 3/11 (on d1 = (1, 7, 2): lambda = 1 - beta, 7(1 - beta) >= 4(1 + beta)),
    # D^2(o_2) = 1/3, so MLEC = (14/11) / (4/3) = 21/22
    d5 = row(res, "d5", 2)
    assert d5["ec"] == pytest.approx(21 / 22, abs=1e-9)
    assert row(res, "d4", 2)["ec"] == pytest.approx(119 / 144, abs=1e-9)
    t = res.index
    ok = t["status"] == "optimal"
    np.testing.assert_allclose(t.loc[ok, "index"], t.loc[ok, "ec"] * t.loc[ok, "tc"], atol=1e-12)
    # d2 of period 1, (1, 5, 5), against period 2: any lambda with sum <= 1 has b + y <= 9 < 10 =
    # 5(1 - beta) + 5(1 + beta): the programme is infeasible; reported, never silent
    d2 = row(res, "d2", 2)
    assert d2["status"] == "infeasible"
    assert np.isnan(d2["index"]) and np.isnan(d2["tc"])
    assert d2["ec"] == pytest.approx(1.0)  # EC needs only own-period distances
    assert any("infeasible: 2" in w for w in res.warnings)
    s = res.summary().set_index("period")
    assert s.loc["2", "n_failed"] == 1


# ---------------------------------------------------------------------- invariants
@pytest.mark.parametrize(
    "kw",
    [
        {"index": "gml", "model": "ddf"},
        {"index": "gml", "model": "super-sbm"},
        {"index": "gml", "model": "sbm", "rts": "vrs"},
        {"index": "malmquist", "model": "ccr", "frontier": "global", "bad": None},
    ],
)
def test_global_indices_are_circular(kw):
    kw = dict(kw)
    bad = kw.pop("bad", "co2")
    df = panel(n=10, T=4, bad=bad is not None)
    adj = productivity(df, ["k", "l"], "y", bad, **kw)
    base = productivity(df, ["k", "l"], "y", bad, chain="base", **kw)
    for u in ("u00", "u03", "u07"):
        links = adj.index[adj.index["unit"] == u].set_index("period")["index"]
        fixed = base.index[base.index["unit"] == u].set_index("period")["index"]
        assert fixed.loc[2003] == pytest.approx(links.loc[2002] * links.loc[2003], rel=1e-10)
        assert fixed.loc[2004] == pytest.approx(links.prod(), rel=1e-10)
    t = adj.index
    np.testing.assert_allclose(t["index"], t["ec"] * t["bpc"], rtol=1e-12)
    cum = adj.cumulative.set_index(["unit", "period"])["cumulative"]
    assert cum.loc[("u03", 2004)] == pytest.approx(
        base.index.set_index(["unit", "period"]).loc[("u03", 2004), "index"], rel=1e-10
    )


def test_luenberger_is_additive():
    df = panel(n=10, T=3)
    res = productivity(df, ["k", "l"], "y", "co2", index="luenberger")
    t = res.index
    assert res.params["model"] == "ddf"
    np.testing.assert_allclose(t["index"], t["ec"] + t["tc"], atol=1e-12)
    s = res.summary().set_index("period")
    assert s.loc["2002", "index"] == pytest.approx(t.loc[t["period"] == 2002, "index"].mean())
    cum = res.cumulative.set_index(["unit", "period"])["cumulative"]
    solved = t.groupby("unit")["status"].apply(lambda s: (s == "optimal").all())
    unit = solved[solved].index[0]
    assert cum.loc[(unit, 2001)] == 0.0
    assert cum.loc[(unit, 2003)] == pytest.approx(t[t["unit"] == unit]["index"].sum())
    failed = t[t["status"] != "optimal"]
    if len(failed):  # a failed link leaves the rest of that unit's chain undefined
        f = failed.iloc[0]
        assert np.isnan(cum.loc[(f["unit"], f["period"])])
    g = productivity(df, ["k", "l"], "y", "co2", index="luenberger", frontier="global")
    np.testing.assert_allclose(g.index["index"], g.index["ec"] + g.index["bpc"], atol=1e-12)


@pytest.mark.parametrize(
    "kw",
    [
        {"index": "malmquist", "model": "bcc", "bad": None},
        {"index": "ml", "model": "ddf"},
        {"index": "ml", "model": "sbm"},
        {"index": "gml", "model": "super-sbm"},
        {"index": "luenberger", "model": "nddf"},
        {"index": "ml", "model": "sbm", "frontier": "sequential"},
        {"index": "ml", "model": "ddf", "frontier": "biennial"},
    ],
)
def test_no_change_gives_neutral_index(kw):
    kw = dict(kw)
    bad = kw.pop("bad", "co2")
    one = panel(n=8, T=1, bad=bad is not None)
    df = pd.concat([one.assign(period=p) for p in (2001, 2002, 2003)], ignore_index=True)
    res = productivity(df, ["k", "l"], "y", bad, **kw)
    neutral = 0.0 if kw["index"] == "luenberger" else 1.0
    comps = [c for c in ("index", "ec", "tc", "pec", "sec", "bpc") if c in res.index.columns]
    assert (res.index["status"] == "optimal").all()
    np.testing.assert_allclose(res.index[comps].to_numpy(float), neutral, atol=1e-8)


def test_row_order_and_id_matching():
    df = panel(n=9, T=3)
    a = productivity(df, ["k", "l"], "y", "co2", index="ml", model="sbm")
    shuffled = df.sample(frac=1.0, random_state=7).reset_index(drop=True)
    b = productivity(shuffled, ["k", "l"], "y", "co2", index="ml", model="sbm")
    pd.testing.assert_frame_equal(a.index, b.index, rtol=1e-10)
    pd.testing.assert_frame_equal(a.cumulative, b.cumulative, rtol=1e-10)


def test_unbalanced_panel_has_no_link_across_a_gap():
    df = panel(n=8, T=4)
    gap = df[~((df["unit"] == "u02") & (df["period"] == 2002))]
    res = productivity(gap, ["k", "l"], "y", "co2", index="ml", model="sbm")
    u2 = res.index[res.index["unit"] == "u02"]
    assert u2["period"].tolist() == [2004]  # 2001→2002 and 2002→2003 need 2002
    cum = res.cumulative[res.cumulative["unit"] == "u02"]
    assert cum["period"].tolist() == [2001, 2003, 2004]
    assert cum["cumulative"].iloc[0] == 1.0 and cum["cumulative"].iloc[1:].isna().all()
    # other units: 3 comparisons each
    assert (res.index.groupby("unit").size().drop("u02") == 3).all()


def test_sequential_frontier_has_no_technical_regress():
    df = panel(n=10, T=4, bad=False)
    df.loc[df["period"] == 2003, "y"] *= 0.7  # a bad year: contemporaneous TC < 1
    cont = productivity(df, ["k", "l"], "y", model="ccr")
    seq = productivity(df, ["k", "l"], "y", model="ccr", frontier="sequential")
    assert (cont.index["tc"] < 1 - 1e-6).any()
    assert (seq.index["tc"] >= 1 - 1e-9).all()
    win1 = productivity(df, ["k", "l"], "y", model="ccr", frontier="window", window=1)
    np.testing.assert_allclose(win1.index["index"], cont.index["index"], atol=1e-12)


def test_sbm_cross_period_points_outside_get_super_scores():
    df = panel(n=10, T=2)
    df.loc[df["period"] == 2002, "y"] *= 3.0  # period-2 points lie outside period 1
    res = productivity(df, ["k", "l"], "y", "co2", index="ml", model="sbm")
    e = res.efficiency
    cross = e[(e["period"] == 2002) & (e["reference_period"] == "2001")]
    assert (cross["distance"] > 1).any() and (cross["status"] == "optimal").all()
    assert (res.index["status"] == "optimal").all()
    assert (res.index["tc"] > 1).all()


def test_panel_input_and_progress():
    df = panel(n=6, T=3)
    long = df.melt(["unit", "period"], var_name="indicator", value_name="value")
    p = Panel.from_long(long, unit="unit", period="period", indicator="indicator", value="value")
    seen: list[tuple[int, int]] = []
    a = productivity(
        p, ["k", "l"], "y", "co2", index="gml", progress=lambda d, n: seen.append((d, n))
    )
    b = productivity(df, ["k", "l"], "y", "co2", index="gml")
    np.testing.assert_allclose(a.index["index"], b.index["index"], atol=1e-12)
    assert seen and seen[-1][0] == seen[-1][1]


def test_write_and_refuse_overwrite(tmp_path):
    res = productivity(eg4(), "x", "y", unit="firm", period="year")
    names = res.write(tmp_path / "o")
    assert {"productivity.csv", "cumulative.csv", "distances.csv"} <= {p.name for p in names}
    back = pd.read_csv(tmp_path / "o" / "productivity.csv", encoding="utf-8-sig")
    assert back["index"].round(6).tolist() == res.index["index"].round(6).tolist()
    with pytest.raises(DataError, match="exists"):
        res.write(tmp_path / "o")
    res.write(tmp_path / "o", overwrite=True)


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kw", "msg"),
    [
        ({"index": "tfp"}, "unknown index 'tfp'"),
        ({"index": "gml", "frontier": "contemporaneous"}, "global frontier"),
        ({"index": "luenberger", "model": "sbm"}, "directional distances"),
        ({"index": "ml", "model": "ccr"}, "cannot"),
        ({"index": "malmquist", "model": "ccr", "bad": "co2"}, "no undesirable outputs"),
        ({"index": "ml", "frontier": "window"}, "window >= 1"),
        ({"index": "ml", "window": 3}, "not 'window'"),
        ({"index": "ml", "frontier": "biennial", "chain": "base"}, "adjacent"),
        ({"model": "bcc", "rts": "crs"}, "rts='crs'"),
        ({"orientation": "sideways"}, "unknown orientation"),
    ],
)
def test_refused_combinations(kw, msg):
    kw = dict(kw)
    bad = kw.pop("bad", None)
    with pytest.raises(DataError, match=msg):
        productivity(panel(n=4, T=2), ["k", "l"], "y", bad, **kw)


def test_bad_data_messages():
    df = panel(n=5, T=2)
    with pytest.raises(DataError, match="did you mean co2"):
        productivity(df, ["k", "l"], "y", "co3", index="ml")
    miss = df.copy()
    miss.loc[3, "k"] = np.nan
    with pytest.raises(DataError, match=r"unit 'u01', period 2002, column 'k'.*dropna=True"):
        productivity(miss, ["k", "l"], "y")
    res = productivity(miss, ["k", "l"], "y", dropna=True)
    assert any("dropped" in w for w in res.warnings)
    assert "u01" not in set(res.index["unit"])  # its only comparison needed the dropped row
    neg = df.copy()
    neg.loc[0, "l"] = -1.0
    with pytest.raises(DataError, match="negative value -1 for unit 'u00', period 2001"):
        productivity(neg, ["k", "l"], "y")
    zero = df.copy()
    zero.loc[1, "co2"] = 0.0
    with pytest.raises(DataError, match="zero 'co2' for unit 'u00', period 2002"):
        productivity(zero, ["k", "l"], "y", "co2", index="ml", model="sbm")
    dup = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataError, match="unit 'u00', period 2001 appears more than once"):
        productivity(dup, ["k", "l"], "y")
    single = df[df["period"] == 2001]
    with pytest.raises(DataError, match="at least two periods"):
        productivity(single, ["k", "l"], "y")
