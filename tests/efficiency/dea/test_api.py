"""dea() on panels: matching by id, frontiers, results, files and every bad-input message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficiency.dea._cases import random_data
from nqpf.efficiency.dea import DEASpec, dea, solve
from nqpf.errors import DataError
from nqpf.panel.core import Panel

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"  # tests/efficiency/dea -> /work


def make_panel(n_units: int = 12, years=(2018, 2019, 2020), seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i, t in enumerate(years):
        X, Y, B = random_data(n_units, m=2, s1=1, s2=1, seed=seed + i)
        for u in range(n_units):
            rows.append({"unit": f"u{u:02d}", "period": t, "k": X[u, 0], "l": X[u, 1],
                         "gdp": Y[u, 0] * (1 + 0.05 * i), "co2": B[u, 0]})
    df = pd.DataFrame(rows)
    return df.iloc[rng.permutation(len(df))].reset_index(drop=True)


@pytest.fixture(scope="module")
def panel():
    return make_panel()


def test_contemporaneous_equals_solve_per_period(panel):
    r = dea(panel, ["k", "l"], "gdp", "co2", model="sbm")
    assert list(r.efficiency.columns[:6]) == ["unit", "period", "efficiency", "status",
                                              "frontier", "super"]
    assert r.efficiency["period"].tolist() == sorted(r.efficiency["period"].tolist())
    sub = panel[panel["period"] == 2019].sort_values("unit")
    X, Y, B = sub[["k", "l"]].to_numpy(), sub[["gdp"]].to_numpy(), sub[["co2"]].to_numpy()
    direct = solve(X, Y, B, X, Y, B, DEASpec("sbm")).efficiency
    got = r.efficiency[r.efficiency["period"] == 2019]["efficiency"].to_numpy()
    np.testing.assert_allclose(got, direct, atol=1e-12)


def test_rows_matched_by_id_not_order(panel):
    a = dea(panel, ["k", "l"], "gdp", "co2", model="super-sbm", frontier="global")
    b = dea(panel.iloc[::-1], ["k", "l"], "gdp", "co2", model="super-sbm", frontier="global")
    pd.testing.assert_frame_equal(a.efficiency, b.efficiency)
    eff = a.efficiency
    assert (eff.loc[eff["super"], "efficiency"] >= 1).all()


def test_long_table_and_panel_inputs_agree(panel):
    wide = dea(panel, ["k", "l"], "gdp", model="ccr", frontier="sequential")
    long = panel.melt(id_vars=["unit", "period"], var_name="indicator", value_name="value")
    lr = dea(long, ["k", "l"], "gdp", model="ccr", frontier="sequential")
    p = Panel.from_wide(panel, unit="unit", period="period")
    pr = dea(p, ["k", "l"], "gdp", model="ccr", frontier="sequential")
    for other in (lr, pr):
        np.testing.assert_allclose(other.efficiency["efficiency"], wide.efficiency["efficiency"])


def test_frontier_order_and_unbalanced_panel(panel):
    unb = panel.drop(index=panel.index[(panel["unit"] == "u03") & (panel["period"] == 2019)])
    c = dea(unb, ["k", "l"], "gdp", model="ccr").efficiency
    s = dea(unb, ["k", "l"], "gdp", model="ccr", frontier="sequential").efficiency
    g = dea(unb, ["k", "l"], "gdp", model="ccr", frontier="global").efficiency
    assert len(c) == len(panel) - 1
    assert not ((c["unit"] == "u03") & (c["period"] == 2019)).any()
    # larger reference sets can only lower input-oriented CRS scores
    assert (s["efficiency"] <= c["efficiency"] + 1e-9).all()
    assert (g["efficiency"] <= s["efficiency"] + 1e-9).all()
    assert np.allclose(c[c["period"] == 2018]["efficiency"], s[s["period"] == 2018]["efficiency"])
    w = dea(unb, ["k", "l"], "gdp", model="ccr", frontier="window", window=2).efficiency
    assert (w["efficiency"] >= s["efficiency"] - 1e-9).all()


def test_peers_slacks_targets_summary_and_nddf(panel):
    r = dea(panel, ["k", "l"], "gdp", "co2", model="sbm", frontier="global", peers=True)
    p = r.peers
    assert list(p.columns) == ["unit", "period", "peer_unit", "peer_period", "lambda"]
    eff = r.efficiency.set_index(["unit", "period"])["efficiency"]
    for _, row in p.head(20).iterrows():  # every peer is efficient
        assert eff[(row["peer_unit"], row["peer_period"])] == pytest.approx(1.0, abs=1e-7)
    assert set(r.slacks.columns) == {"unit", "period", "k", "l", "gdp", "co2"}
    np.testing.assert_allclose(r.targets["k"], panel.sort_values(["period", "unit"])["k"]
                               .to_numpy() - r.slacks["k"].to_numpy(), atol=1e-9)
    s = r.summary()
    assert s["n"].tolist() == [12, 12, 12] and s["n_efficient"].sum() >= 1
    assert s["mean"].between(0, 1).all()
    nd = dea(panel, ["k", "l"], "gdp", "co2", model="nddf", direction="proportional")
    assert list(nd.betas.columns) == ["unit", "period", "k", "l", "gdp", "co2"]
    np.testing.assert_allclose(nd.betas[["k", "l", "gdp", "co2"]].mean(axis=1),
                               nd.efficiency["beta"], atol=1e-12)


def test_write_never_overwrites(panel, tmp_path):
    r = dea(panel, ["k", "l"], "gdp", "co2", model="sbm", peers=True)
    files = r.write(tmp_path / "out")
    assert {"efficiency.csv", "slacks.csv", "targets.csv", "summary.csv", "spec.json",
            "peers.csv"} <= {p.name for p in files}
    back = pd.read_csv(tmp_path / "out" / "efficiency.csv")
    np.testing.assert_allclose(back["efficiency"], r.efficiency["efficiency"])
    spec = json.loads((tmp_path / "out" / "spec.json").read_text(encoding="utf-8"))
    assert spec["params"]["spec"]["model"] == "sbm" and spec["params"]["bad"] == ["co2"]
    with pytest.raises(DataError, match="not empty"):
        r.write(tmp_path / "out")
    assert r.write(tmp_path / "out", overwrite=True)


def test_cooper_rule_warning_and_infeasible_warning():
    df = make_panel(n_units=5, years=(2020,))
    r = dea(df, ["k", "l"], "gdp", "co2", model="super-sbm", rts="vrs")
    assert any("Cooper's rule of thumb" in w for w in r.warnings)
    if (r.efficiency["status"] == "infeasible").any():
        assert any("infeasible" in w for w in r.warnings)


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (lambda d: d.assign(k=d["k"].where(d.index != 4)), {}, r"missing values \(unit 'u"),
        (lambda d: d.assign(l=-d["l"]), {}, r"negative value .* column 'l' at unit"),
        (lambda d: d.assign(k=d["k"].where(d.index != 2, 0.0)), {}, "zero input in column 'k'"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), {}, r"share a \(unit, period\)"),
        (lambda d: d.assign(gdp=d["gdp"].astype(str).where(d.index != 1, "n/a?")), {},
         "not numbers"),
        (lambda d: d, {"outputs": "gpd"}, "did you mean 'gdp'"),
        (lambda d: d, {"unit": "region"}, "key column 'region'"),
        (lambda d: d, {"bad": "k"}, "more than one role"),
        (lambda d: d, {"frontier": "window"}, "needs window=W"),
        (lambda d: d, {"model": "sbn"}, "unknown DEA model"),
        (lambda d: d, {"model": "ddf", "direction": np.ones((3, 4))}, "per-unit directions"),
    ],
)
def test_bad_input_messages(panel, change, kwargs, message):
    args = {"inputs": ["k", "l"], "outputs": "gdp", "bad": "co2"} | kwargs
    with pytest.raises(DataError, match=message):
        dea(change(panel), **args)


def test_dropna_drops_with_note(panel):
    d = panel.copy()
    d.loc[d.index[4], "k"] = np.nan
    r = dea(d, ["k", "l"], "gdp", "co2", dropna=True)
    assert len(r.efficiency) == len(panel) - 1
    assert any("dropped 1 observation" in w for w in r.warnings)


def test_radial_zero_input_allowed(panel):
    d = panel.assign(k=panel["k"].where(panel.index != 2, 0.0))
    r = dea(d, ["k", "l"], "gdp", model="ccr")
    assert (r.efficiency["status"] == "optimal").all()


@pytest.mark.skipif(not DATA.exists(), reason="../shared/data not present")
def test_real_pwt_owid_global_sbm_with_co2():
    # Penn World Table 10.01 (Feenstra et al. 2015) capital, employment and GDP with
    # Our World in Data CO2 for 2012-2014: global SBM with CO2 as the bad output
    pwt = pd.read_csv(DATA / "pwt" / "pwt1001.csv", encoding="utf-8-sig",
                      usecols=["countrycode", "year", "rgdpna", "rnna", "emp"])
    co2 = pd.read_csv(DATA / "owid_co2" / "owid-co2-data_2020-12-09.csv",
                      usecols=["iso_code", "year", "co2"])
    df = pwt.merge(co2, left_on=["countrycode", "year"], right_on=["iso_code", "year"])
    df = df[df["year"].between(2012, 2014)].dropna(subset=["rgdpna", "rnna", "emp", "co2"])
    df = df[(df[["rgdpna", "rnna", "emp", "co2"]] > 0).all(axis=1)]
    r = dea(df, ["rnna", "emp"], "rgdpna", "co2", unit="countrycode", period="year",
            model="super-sbm", frontier="global")
    e = r.efficiency
    assert len(e) > 300 and (e["status"] == "optimal").all()
    assert e.loc[~e["super"], "efficiency"].between(0, 1).all()
    assert (e.loc[e["super"], "efficiency"] >= 1).all() and e["super"].sum() >= 2
    full = dea(df, ["rnna", "emp"], "rgdpna", "co2", unit="countrycode", period="year",
               model="super-sbm", frontier="global", reduce=False)
    np.testing.assert_allclose(full.efficiency["efficiency"], e["efficiency"], atol=1e-8)


def test_dea_resolves_unit_names_as_the_index_does():
    from nqpf.panel import read_panel

    df = pd.DataFrame({
        "province": ["上海", "北京", "Guangdong"], "year": 2020,
        "x1": [2.0, 4.0, 4.0], "x2": [3.0, 1.0, 4.0], "y": 1.0,
    })
    res = dea(df, ["x1", "x2"], "y", model="ccr", unit="province", period="year")
    assert res.efficiency["unit"].tolist() == ["CN-BJ", "CN-GD", "CN-SH"]
    assert res.efficiency.set_index("unit")["efficiency"].round(6).to_dict() == {
        "CN-BJ": 1.0, "CN-GD": 0.625, "CN-SH": 1.0
    }
    assert set(read_panel(df).units) == set(res.efficiency["unit"])  # the two join
    kept = dea(df, ["x1", "x2"], "y", model="ccr", unit="province", period="year",
               units="none")
    assert sorted(kept.efficiency["unit"]) == ["Guangdong", "上海", "北京"]


def test_dea_keeps_firm_names_and_refuses_a_misspelt_province():
    from nqpf.errors import UnitNameError

    df = pd.DataFrame({"unit": ["A", "B", "C"], "period": 2020, "x": [1.0, 2.0, 4.0],
                       "y": [1.0, 1.0, 1.0]})
    assert dea(df, "x", "y", model="ccr").efficiency["unit"].tolist() == ["A", "B", "C"]
    df["unit"] = ["上海", "北京", "上海x"]
    with pytest.raises(UnitNameError, match="上海x"):
        dea(df, "x", "y", model="ccr")
    df["unit"] = ["上海", "Shanghai", "北京"]
    with pytest.raises(DataError, match="CN-SH"):
        dea(df, "x", "y", model="ccr")
    with pytest.raises(DataError, match="units must be"):
        dea(df, "x", "y", units="cities")


def test_result_html_summary_and_plot():
    df = pd.DataFrame({"unit": list("ABCABC"), "period": [2020] * 3 + [2021] * 3,
                       "x": [1.0, 2.0, 4.0, 1.0, 1.5, 4.0], "y": 1.0})
    r = dea(df, "x", "y", model="ccr")
    html = r._repr_html_()
    assert "DEAResult" in html and "radial" in html and "By period" in html
    fig = r.plot()
    assert fig.axes[0].get_ylabel() == "efficiency"
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2020", "2021"]
    assert r.to_frame() is r.efficiency
