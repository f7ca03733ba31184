"""Cross-check of the productivity indices and SBM against DEAPack (test-only, GPL).

DEAPack (``deapack``) implements the same models independently: the FGNZ (1994) Malmquist
index (output-oriented, CRS), the Chung–Färe–Grosskopf (1997) ML index and Oh's (2010) GML
index (both CRS, weakly disposable bads, ``g = (0, y, -b)``), the Chambers–Färe–Grosskopf
(1996) Luenberger indicator, and Tone's SBM with undesirable outputs. Skipped when deapack
is not installed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

deapack = pytest.importorskip("deapack")

from nqpf.efficiency.dea.models import solve  # noqa: E402
from nqpf.efficiency.dea.productivity import productivity  # noqa: E402
from nqpf.efficiency.dea.spec import DEASpec  # noqa: E402

TOL = 1e-6


def panel(n=12, T=3, seed=11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "unit": np.repeat([f"u{i:02d}" for i in range(n)], T),
            "period": np.tile(np.arange(2011, 2011 + T), n),
        }
    )
    k = len(df)
    df["k"] = rng.uniform(1, 10, k)
    df["l"] = rng.uniform(1, 10, k)
    df["y"] = df.k**0.5 * df.l**0.4 * rng.uniform(0.5, 1, k) * (1 + 0.05 * (df.period - 2011))
    df["co2"] = df.y * rng.uniform(0.3, 1, k)
    # unbalanced, and rows shuffled: both tools must match units by id
    df = df.drop(index=[4, 17, 30]).sample(frac=1.0, random_state=3).reset_index(drop=True)
    return df


def theirs(model, df: pd.DataFrame, bad: bool) -> pd.DataFrame:
    data = deapack.DEAData.from_frame(
        df, inputs=["k", "l"], outputs=["y"], bad_outputs=["co2"] if bad else None,
        dmu="unit", period="period",
    )  # fmt: skip
    res = model.fit(data)
    s = res.summary if isinstance(res.summary, pd.DataFrame) else res.summary()
    s = s.drop(columns=["period"]).rename(columns={"dmu_id": "unit", "comparison_period": "period"})
    return s[["unit", "period", "productivity_change", "efficiency_change", "technical_change"]]


def compare(ours, other) -> int:
    m = ours.index.merge(other, on=["unit", "period"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all(), "both tools must make the same comparisons"
    ok = (m["status"] == "optimal").to_numpy()
    # a failed (infeasible) programme: no index in either tool (DEAPack blanks every component;
    # nqpf keeps EC where the own-period distances exist)
    np.testing.assert_array_equal(~ok, m["productivity_change"].isna().to_numpy())
    assert m.loc[~ok, "index"].isna().all()
    for a, b in (("index", "productivity_change"), ("ec", "efficiency_change"),
                 ("tc", "technical_change")):  # fmt: skip
        np.testing.assert_allclose(m.loc[ok, a], m.loc[ok, b], rtol=0, atol=TOL)
    return len(m)


def test_malmquist_matches_deapack():
    df = panel()
    ours = productivity(df, ["k", "l"], "y", model="ccr", orientation="output")
    n = compare(ours, theirs(deapack.MalmquistProductivityIndex(orientation="output"), df, False))
    assert n == 12 * 2 - 4  # dropped: a middle year (2 comparisons), a first and a last (1 each)


def test_ml_matches_deapack():
    df = panel()
    ours = productivity(df, ["k", "l"], "y", "co2", index="ml", model="ddf")
    compare(ours, theirs(deapack.MalmquistLuenbergerProductivityIndex(), df, True))


def test_gml_matches_deapack():
    df = panel()
    ours = productivity(df, ["k", "l"], "y", "co2", index="gml", model="ddf")
    compare(ours, theirs(deapack.GlobalMalmquistLuenbergerProductivityIndex(), df, True))


def test_luenberger_matches_deapack():
    df = panel()
    ours = productivity(df, ["k", "l"], "y", index="luenberger", model="ddf")
    lu = deapack.LuenbergerProductivityIndicator(
        input_direction="zeros", output_direction="observed"
    )
    compare(ours, theirs(lu, df, False))
    # DEAPack's default direction: the sample means, inputs contracted, outputs expanded
    g = np.r_[-df[["k", "l"]].mean().to_numpy(), df[["y"]].mean().to_numpy()]
    ours = productivity(df, ["k", "l"], "y", index="luenberger", model="ddf", direction=g)
    compare(ours, theirs(deapack.LuenbergerProductivityIndicator(), df, False))


def test_sbm_with_bad_output_matches_deapack():
    df = panel(n=60, T=1).sort_values("unit").reset_index(drop=True)
    X, Y, B = (df[c].to_numpy(float) for c in (["k", "l"], ["y"], ["co2"]))
    ours = solve(X, Y, B, X, Y, B, DEASpec(model="sbm", rts="crs")).efficiency
    data = deapack.DEAData.from_frame(df, inputs=["k", "l"], outputs=["y"], bad_outputs=["co2"])
    res = deapack.UndesirableSlacksBasedDEA(returns_to_scale="crs").fit(data)
    s = res.summary if isinstance(res.summary, pd.DataFrame) else res.summary()
    np.testing.assert_allclose(ours, s["score"].to_numpy(float), rtol=0, atol=TOL)


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_fdh_matches_deapack(orientation):
    df = panel(n=40, T=1, seed=5)
    X, Y = df[["k", "l"]].to_numpy(), df[["y"]].to_numpy()
    ours = solve(X, Y, None, X, Y, None, DEASpec("fdh", orientation=orientation)).efficiency
    data = deapack.DEAData.from_frame(df, inputs=["k", "l"], outputs=["y"], dmu="unit")
    res = deapack.FDH(orientation=orientation).fit(data)
    s = res.summary if isinstance(res.summary, pd.DataFrame) else res.summary()
    np.testing.assert_allclose(ours, s["efficiency"].to_numpy(dtype=float), atol=TOL)


@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_metafrontier_matches_deapack(rts, orientation):
    from nqpf.efficiency.dea.metafrontier import metafrontier

    df = panel(n=24, T=3, seed=4)
    df["grp"] = df["unit"].map(lambda u: "ABC"[int(u[1:]) // 8])
    ours = metafrontier(df, ["k", "l"], ["y"], groups="grp", model="radial", rts=rts,
                        orientation=orientation).efficiency
    data = deapack.DEAData.from_frame(df, inputs=["k", "l"], outputs=["y"], dmu="unit",
                                      period="period", group="grp")
    s = deapack.RadialMetafrontierDEA(orientation=orientation, returns_to_scale=rts).fit(data)
    s = s.summary if isinstance(s.summary, pd.DataFrame) else s.summary()
    s = s.rename(columns={"dmu_id": "unit"})[["unit", "period", "group_efficiency",
                                              "meta_efficiency", "technology_gap_ratio"]]
    s["period"] = s["period"].astype(int)
    m = ours.merge(s, on=["unit", "period"], suffixes=("", "_dp"))
    assert len(m) == len(ours)
    np.testing.assert_allclose(m["group_efficiency"], m["group_efficiency_dp"], atol=TOL)
    np.testing.assert_allclose(m["meta_efficiency"], m["meta_efficiency_dp"], atol=TOL)
    np.testing.assert_allclose(m["tgr"], m["technology_gap_ratio"], atol=TOL)
