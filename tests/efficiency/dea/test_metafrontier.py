"""Metafrontier: group/meta efficiency, TGR, the Oh & Lee (2010) index and its parts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.efficiency.dea.metafrontier import metafrontier, metafrontier_productivity
from nqpf.errors import DataError


def panel(n=18, T=3, seed=4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"unit": np.repeat([f"u{i:02d}" for i in range(n)], T),
                       "period": np.tile(np.arange(2011, 2011 + T), n)})
    k = len(df)
    df["k"] = rng.uniform(1, 10, k)
    df["l"] = rng.uniform(1, 10, k)
    df["grp"] = df["unit"].map(lambda u: "ABC"[int(u[1:]) * 3 // n])
    level = df["grp"].map({"A": 1.0, "B": 0.8, "C": 0.6})
    df["y"] = level * df.k**0.5 * df.l**0.4 * rng.uniform(0.5, 1, k) * (1.04 ** (df.period - 2011))
    df["co2"] = df["y"] * rng.uniform(0.3, 1, k)
    return df


def test_hand_example_one_input_one_output():
    # group A: (x, y) = (1, 1), (2, 1); group B: (1, 2), (2, 2). CCR input efficiency is
    # the output/input ratio over the best ratio of the reference set: A's best is 1,
    # the metafrontier's 2, so A's TGR is 1/2 and B's 1.
    df = pd.DataFrame({"unit": ["a1", "a2", "b1", "b2"], "period": 2020,
                       "x": [1.0, 2, 1, 2], "y": [1.0, 1, 2, 2]})
    r = metafrontier(df, "x", "y", groups={"a1": "A", "a2": "A", "b1": "B", "b2": "B"},
                     model="ccr")
    e = r.efficiency.set_index("unit")
    np.testing.assert_allclose(e["group_efficiency"], [1, 0.5, 1, 0.5], atol=1e-12)
    np.testing.assert_allclose(e["meta_efficiency"], [0.5, 0.25, 1, 0.5], atol=1e-12)
    np.testing.assert_allclose(e["tgr"], [0.5, 0.5, 1, 1], atol=1e-12)
    s = r.summary()
    assert s.set_index("group").loc["A", "tgr"] == pytest.approx(0.5)


@pytest.mark.parametrize("model,bad,rts", [("ccr", None, None), ("bcc", None, None),
                                           ("sbm", "co2", "crs"), ("sbm", "co2", "vrs"),
                                           ("ddf", "co2", "crs"), ("nddf", "co2", "vrs")])
def test_invariants(model, bad, rts):
    df = panel()
    r = metafrontier(df, ["k", "l"], ["y"], bad, groups="grp", model=model, rts=rts)
    e = r.efficiency
    assert (e["status"] == "optimal").all()
    assert (e["tgr"] <= 1 + 1e-9).all() and (e["tgr"] > 0).all()
    np.testing.assert_allclose(e["meta_efficiency"], e["group_efficiency"] * e["tgr"],
                               rtol=1e-12)
    assert (e["meta_efficiency"] <= e["group_efficiency"] + 1e-9).all()
    # the best group (A) defines most of the metafrontier
    means = r.summary().groupby("group")["tgr"].mean()
    assert means["A"] > means["C"]


@pytest.mark.parametrize("model,bad", [("ccr", None), ("bcc", None), ("ddf", "co2"),
                                       ("sbm", "co2")])
def test_index_decomposition_multiplies_out(model, bad):
    df = panel()
    r = metafrontier_productivity(df, ["k", "l"], ["y"], bad, groups="grp", model=model)
    i = r.index
    assert (i["status"] == "optimal").all() and len(i) == 18 * 2
    np.testing.assert_allclose(i["index"], i["ec"] * i["bpc"] * i["tgc"], rtol=1e-12)
    lv = r.levels
    assert (lv["tgr"] <= 1 + 1e-9).all()
    # contemporaneous ⊆ intertemporal ⊆ global technology: efficiencies fall in that order
    assert (lv["e_intertemporal"] <= lv["e_contemporaneous"] + 1e-9).all()
    assert (lv["e_global"] <= lv["e_intertemporal"] + 1e-9).all()
    # the index is the ratio of global-frontier efficiencies
    g = lv.set_index(["unit", "period"])["e_global"]
    row = i.iloc[0]
    assert row["index"] == pytest.approx(g[(row["unit"], row["period"])]
                                         / g[(row["unit"], row["period_from"])])
    assert r.summary()["group"].tolist()[:2] == ["A", "A"]


def test_groups_errors():
    df = panel(n=6, T=2)
    with pytest.raises(DataError, match="no group"):
        metafrontier(df, ["k", "l"], "y", groups={"u00": "A"}, model="ccr")
    with pytest.raises(DataError, match="not a column"):
        metafrontier(df, ["k", "l"], "y", groups="region", model="ccr")
    moved = df.copy()
    moved.loc[0, "grp"] = "Z"
    with pytest.raises(DataError, match="change group"):
        metafrontier(moved, ["k", "l"], "y", groups="grp", model="ccr")
    with pytest.raises(DataError, match="metafrontier takes model"):
        metafrontier(df, ["k", "l"], "y", groups="grp", model="super-sbm")
    table = pd.DataFrame({"unit": df["unit"].unique(), "group": "G"})
    r = metafrontier(df, ["k", "l"], "y", groups=table, model="ccr")
    np.testing.assert_allclose(r.efficiency["tgr"], 1.0)  # one group: it is the metafrontier
