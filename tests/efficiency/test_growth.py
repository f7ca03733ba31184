"""Growth accounting: perpetual inventory, initial stocks, Solow residual, decomposition."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.efficiency.growth import GrowthResult, growth_accounting
from nqpf.errors import DataError
from nqpf.panel.core import Panel

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # tests/efficiency -> /work
PWT = DATA / "pwt" / "pwt1001.csv"


def _table(**cols: list[float]) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    return pd.DataFrame({"unit": ["A"] * n, "period": list(range(2000, 2000 + n)), **cols})


# ------------------------------------------------------------------ perpetual inventory
def test_pim_by_hand_three_periods() -> None:
    df = _table(y=[1.0, 2.0, 3.0], l=[1.0, 1.0, 1.0], i=[10.0, 20.0, 30.0])
    r = growth_accounting(
        df,
        output="y",
        investment="i",
        labour="l",
        labour_share=0.5,
        depreciation=0.1,
        initial=100.0,
    )
    # K0 = 100; K1 = 0.9*100 + 20 = 110; K2 = 0.9*110 + 30 = 129
    assert r.capital_stock["capital"].tolist() == pytest.approx([100.0, 110.0, 129.0])
    assert r.capital_stock["period"].tolist() == [2000, 2001, 2002]
    assert r.params["initial_stock"] == {"A": 100.0}
    assert r.params["capital_source"] == "perpetual inventory"


def test_initial_growth_rule_by_hand() -> None:
    # investment grows 10 % a year: g = (12.1/10)^(1/2) - 1 = 0.1; K0 = 10/(0.1 + 0.1) = 50
    df = _table(y=[1.0, 2.0, 3.0], l=[1.0, 1.0, 1.0], i=[10.0, 11.0, 12.1])
    r = growth_accounting(
        df,
        output="y",
        investment="i",
        labour="l",
        labour_share=0.5,
        depreciation=0.1,
        initial="growth",
        init_years=5,
    )
    assert r.params["initial_investment_growth"]["A"] == pytest.approx(0.1)
    # K1 = 0.9*50 + 11 = 56; K2 = 0.9*56 + 12.1 = 62.5
    assert r.capital_stock["capital"].tolist() == pytest.approx([50.0, 56.0, 62.5])


def test_initial_growth_rule_uses_first_init_years_only() -> None:
    # first 2 periods: g = 20/10 - 1 = 1.0, later investment ignored; K0 = 10/(1 + 0.096)
    df = _table(y=[1.0, 2.0, 3.0], l=[1.0, 1.0, 1.0], i=[10.0, 20.0, 5.0])
    r = growth_accounting(
        df, output="y", investment="i", labour="l", labour_share=0.5, init_years=2
    )
    assert r.params["initial_investment_growth"]["A"] == pytest.approx(1.0)
    assert r.capital_stock["capital"].iloc[0] == pytest.approx(10.0 / 1.096)


def test_initial_ratio_and_mapping_rules() -> None:
    df = pd.concat(
        [
            _table(y=[1.0, 2.0], l=[1.0, 1.0], i=[10.0, 20.0]),
            _table(y=[1.0, 2.0], l=[1.0, 1.0], i=[4.0, 8.0]).assign(unit="B"),
        ]
    )
    r = growth_accounting(
        df,
        output="y",
        investment="i",
        labour="l",
        labour_share=0.5,
        initial="ratio",
        depreciation=0.05,
    )
    k = r.capital_stock.set_index(["unit", "period"])["capital"]
    assert k[("A", 2000)] == pytest.approx(100.0)  # Young: 10 / 0.1
    assert k[("B", 2000)] == pytest.approx(40.0)
    assert k[("A", 2001)] == pytest.approx(0.95 * 100 + 20)
    r2 = growth_accounting(
        df,
        output="y",
        investment="i",
        labour="l",
        labour_share=0.5,
        initial={"A": 7.0, "B": 3.0},
        depreciation=0.0,
    )
    k2 = r2.capital_stock.set_index(["unit", "period"])["capital"]
    assert k2[("A", 2001)] == pytest.approx(27.0)
    assert k2[("B", 2001)] == pytest.approx(11.0)
    with pytest.raises(DataError, match="no initial capital stock for unit 'B'"):
        growth_accounting(
            df, output="y", investment="i", labour="l", labour_share=0.5, initial={"A": 7.0}
        )


# ------------------------------------------------------------------ decomposition
def test_fixed_share_by_hand() -> None:
    df = _table(y=[100.0, 110.0], k=[200.0, 240.0], l=[50.0, 55.0])
    r = growth_accounting(df, output="y", capital="k", labour="l", labour_share=0.6)
    d = r.growth_decomposition.iloc[0]
    assert d["period"] == 2001
    assert d["g_output"] == pytest.approx(math.log(1.1))
    assert d["contrib_capital"] == pytest.approx(0.4 * math.log(1.2))
    assert d["contrib_labour"] == pytest.approx(0.6 * math.log(1.1))
    assert d["contrib_tfp"] == pytest.approx(0.4 * math.log(1.1 / 1.2))
    assert d["share_capital"] == pytest.approx(0.4 * math.log(1.2) / math.log(1.1))
    t = r.tfp
    la0 = math.log(100) - 0.4 * math.log(200) - 0.6 * math.log(50)
    la1 = math.log(110) - 0.4 * math.log(240) - 0.6 * math.log(55)
    assert t["log_tfp"].tolist() == pytest.approx([la0, la1])
    assert t["tfp_level"].tolist() == pytest.approx([math.exp(la0), math.exp(la1)])
    assert math.isnan(t["tfp_growth"].iloc[0])
    assert t["tfp_growth"].iloc[1] == pytest.approx(la1 - la0)
    assert r.params["capital_source"] == "given"


def test_tornqvist_share_by_hand() -> None:
    df = _table(y=[100.0, 110.0], k=[200.0, 240.0], l=[50.0, 55.0], s=[0.6, 0.7])
    r = growth_accounting(df, output="y", capital="k", labour="l", labour_share="s")
    d = r.growth_decomposition.iloc[0]
    # alpha_bar = 1 - (0.6 + 0.7)/2 = 0.35
    assert d["contrib_capital"] == pytest.approx(0.35 * math.log(1.2))
    assert d["contrib_labour"] == pytest.approx(0.65 * math.log(1.1))
    ca = math.log(1.1) - 0.35 * math.log(1.2) - 0.65 * math.log(1.1)
    assert d["contrib_tfp"] == pytest.approx(ca)
    # level chained from the first period (alpha_0 = 0.4)
    la0 = math.log(100) - 0.4 * math.log(200) - 0.6 * math.log(50)
    assert r.tfp["log_tfp"].tolist() == pytest.approx([la0, la0 + ca])
    direct = math.log(110) - 0.3 * math.log(240) - 0.7 * math.log(55)
    assert abs(direct - (la0 + ca)) > 0.05  # the period-by-period formula would differ


def test_identity_exact_and_summary() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for u in ("A", "B", "C"):
        y = np.exp(np.cumsum(rng.normal(0.05, 0.03, 8))) * 100
        rows.append(
            pd.DataFrame(
                {
                    "unit": u,
                    "period": range(2010, 2018),
                    "y": y,
                    "i": np.exp(np.cumsum(rng.normal(0.06, 0.05, 8))) * 20,
                    "l": np.exp(np.cumsum(rng.normal(0.01, 0.01, 8))) * 50,
                    "s": rng.uniform(0.4, 0.6, 8),
                }
            )
        )
    df = pd.concat(rows, ignore_index=True)
    r = growth_accounting(df, output="y", investment="i", labour="l", labour_share="s")
    d = r.growth_decomposition
    parts = d["contrib_capital"] + d["contrib_labour"] + d["contrib_tfp"]
    assert np.abs(parts - d["g_output"]).max() < 1e-15
    shares = d["share_capital"] + d["share_labour"] + d["share_tfp"]
    assert np.allclose(shares, 1.0, atol=1e-12)
    assert len(d) == 3 * 7
    # tfp_growth equals the decomposition residual and the change in the chained level
    t = r.tfp.dropna()
    assert np.allclose(t["tfp_growth"].to_numpy(), d["contrib_tfp"].to_numpy(), atol=0)
    lvl = r.tfp.groupby("unit")["log_tfp"].diff().dropna().to_numpy()
    assert np.allclose(lvl, d["contrib_tfp"].to_numpy(), atol=1e-12)
    s = r.summary().set_index("unit")
    a = d[d["unit"] == "A"]
    assert s.loc["A", "contrib_tfp"] == pytest.approx(a["contrib_tfp"].mean())
    assert s.loc["A", "share_tfp"] == pytest.approx(a["contrib_tfp"].mean() / a["g_output"].mean())
    assert s.loc["A", "n_growth"] == 7
    frame = r.to_frame()
    assert {"capital", "log_tfp", "g_output"} <= set(frame.columns) and len(frame) == 24


def test_panel_tidy_and_wide_inputs_agree() -> None:
    wide = _table(y=[100.0, 110.0, 125.0], k=[200.0, 240.0, 250.0], l=[50.0, 55.0, 56.0])
    kw = dict(output="y", capital="k", labour="l", labour_share=0.5)
    a = growth_accounting(wide, **kw)
    tidy = wide.melt(id_vars=["unit", "period"], var_name="indicator", value_name="value")
    b = growth_accounting(tidy, **kw)
    c = growth_accounting(Panel.from_wide(wide), **kw)
    for other in (b, c):
        pd.testing.assert_frame_equal(a.growth_decomposition, other.growth_decomposition)
    renamed = wide.rename(columns={"unit": "iso", "period": "year"})
    e = growth_accounting(renamed, unit="iso", period="year", **kw)
    pd.testing.assert_frame_equal(a.tfp, e.tfp)
    assert wide.columns.tolist() == ["unit", "period", "y", "k", "l"]  # input untouched


def test_zero_output_growth_gives_missing_shares() -> None:
    df = _table(y=[100.0, 100.0], k=[200.0, 240.0], l=[50.0, 55.0])
    d = growth_accounting(df, output="y", capital="k", labour="l", labour_share=0.5)
    row = d.growth_decomposition.iloc[0]
    assert row["g_output"] == 0.0 and math.isnan(row["share_tfp"])


# ------------------------------------------------------------------ errors
def test_errors_name_unit_and_period() -> None:
    kw = dict(output="y", capital="k", labour="l", labour_share=0.5)
    bad = _table(y=[100.0, 0.0], k=[1.0, 2.0], l=[1.0, 1.0])
    with pytest.raises(DataError, match=r"output 'y' is zero or negative.*A 2001"):
        growth_accounting(bad, **kw)
    bad = _table(y=[100.0, 1.0], k=[1.0, 2.0], l=[-1.0, 1.0])
    with pytest.raises(DataError, match=r"labour 'l'.*A 2000"):
        growth_accounting(bad, **kw)
    bad = _table(y=[1.0, 2.0], i=[1.0, 0.0], l=[1.0, 1.0])
    with pytest.raises(DataError, match=r"investment 'i'.*A 2001"):
        growth_accounting(bad, output="y", investment="i", labour="l", labour_share=0.5)
    ok = _table(y=[1.0, 2.0], k=[1.0, 2.0], l=[1.0, 1.0], s=[0.5, 1.2])
    with pytest.raises(DataError, match=r"outside \(0, 1\).*A 2001"):
        growth_accounting(ok, output="y", capital="k", labour="l", labour_share="s")
    with pytest.raises(DataError, match=r"outside \(0, 1\)"):
        growth_accounting(ok, output="y", capital="k", labour="l", labour_share=60.0)
    with pytest.raises(DataError, match="exactly one of capital"):
        growth_accounting(ok, output="y", capital="k", investment="k", labour="l", labour_share=0.5)
    with pytest.raises(DataError, match="labour_share is required"):
        growth_accounting(ok, output="y", capital="k", labour="l")
    with pytest.raises(DataError, match=r"series \['z'\]"):
        growth_accounting(ok, output="z", capital="k", labour="l", labour_share=0.5)


def test_missing_periods_inside_a_series_are_named() -> None:
    kw = dict(output="y", investment="i", labour="l", labour_share=0.5)
    gap = _table(y=[1.0, 2.0, 3.0, 4.0], i=[1.0, np.nan, 1.0, 1.0], l=[1.0] * 4)
    with pytest.raises(DataError, match=r"unit 'A', series 'i': missing periods \[2001\]"):
        growth_accounting(gap, **kw)
    skip = pd.DataFrame(
        {
            "unit": "A",
            "period": [2000, 2001, 2003],
            "y": [1.0, 2.0, 3.0],
            "i": [1.0, 1.0, 1.0],
            "l": [1.0, 1.0, 1.0],
        }
    )
    with pytest.raises(DataError, match=r"missing periods \[2002\]"):
        growth_accounting(skip, **kw)
    # leading/trailing missing values only shorten the unit's sample
    edge = _table(y=[np.nan, 2.0, 3.0, 4.0], i=[1.0, 1.0, 1.0, 1.0], l=[1.0] * 4)
    r = growth_accounting(edge, **kw, initial=10.0, depreciation=0.0)
    assert r.capital_stock["period"].tolist() == [2000, 2001, 2002, 2003]
    assert r.tfp["period"].tolist() == [2001, 2002, 2003]
    assert r.capital_stock["capital"].tolist() == pytest.approx([10.0, 11.0, 12.0, 13.0])


def test_growth_rule_with_collapsing_investment_is_refused() -> None:
    df = _table(y=[1.0, 2.0], i=[10.0, 1.0], l=[1.0, 1.0])
    with pytest.raises(DataError, match="g \\+ delta"):
        growth_accounting(df, output="y", investment="i", labour="l", labour_share=0.5)


def test_write_refuses_to_overwrite(tmp_path: Path) -> None:
    df = _table(y=[100.0, 110.0], k=[200.0, 240.0], l=[50.0, 55.0])
    r = growth_accounting(df, output="y", capital="k", labour="l", labour_share=0.5)
    assert isinstance(r, GrowthResult)
    names = [p.name for p in r.write(tmp_path / "out")]
    assert names == [
        "capital_stock.csv",
        "tfp.csv",
        "growth_decomposition.csv",
        "growth_accounting.json",
    ]
    back = pd.read_csv(tmp_path / "out" / "growth_decomposition.csv", encoding="utf-8-sig")
    assert back["contrib_tfp"].iloc[0] == pytest.approx(0.5 * math.log(1.1 / 1.2))
    meta = json.loads((tmp_path / "out" / "growth_accounting.json").read_text("utf-8"))
    assert meta["params"]["labour_share"] == 0.5
    with pytest.raises(DataError, match="exists"):
        r.write(tmp_path / "out")
    assert [p.name for p in r.write(tmp_path / "out", overwrite=True)] == names


# ------------------------------------------------------------------ real data
@pytest.mark.skipif(not PWT.exists(), reason="../shared/data not present")
def test_pwt_tfp_growth_matches_rtfpna() -> None:
    """China and the USA, 2000–2019, Penn World Table 10.01 (Feenstra et al. 2015).

    PWT's ``rtfpna`` is a Törnqvist index with ``labsh`` shares, capital services ``rkna`` and
    labour ``emp * avh * hc``. With ``rnna`` and raw ``emp`` (the brief's inputs) the yearly
    growth rates still track it (correlation > 0.8, mean absolute difference < 1 point),
    the gap being human capital, hours and stock vs services. With PWT's own inputs the
    residual reproduces ``rtfpna`` growth to 0.1 point on average.
    """
    cols = ["countrycode", "year", "rgdpna", "rnna", "rkna", "emp", "avh", "hc", "labsh", "rtfpna"]
    df = pd.read_csv(PWT, encoding="utf-8-sig", usecols=cols)
    df = df[df["countrycode"].isin(["CHN", "USA"]) & df["year"].between(2000, 2019)]
    df = df.assign(emp_hc=df["emp"] * df["hc"], hours_hc=df["emp"] * df["avh"] * df["hc"])
    df = df.sort_values(["countrycode", "year"])
    pwt_g = df.groupby("countrycode")["rtfpna"].transform(lambda s: np.log(s).diff())
    ref = pd.DataFrame({"unit": df["countrycode"], "period": df["year"], "pwt": pwt_g})

    def compare(capital: str, labour: str) -> dict[str, tuple[float, float]]:
        r = growth_accounting(
            df,
            output="rgdpna",
            capital=capital,
            labour=labour,
            labour_share="labsh",
            unit="countrycode",
            period="year",
        )
        t = r.tfp.merge(ref, on=["unit", "period"]).dropna()
        out = {}
        for u, g in t.groupby("unit"):
            assert len(g) == 19
            out[u] = (
                float(np.corrcoef(g["tfp_growth"], g["pwt"])[0, 1]),
                float((g["tfp_growth"] - g["pwt"]).abs().mean()),
            )
        return out

    for corr, mad in compare("rnna", "emp").values():
        assert corr > 0.8 and mad < 0.01
    for corr, mad in compare("rnna", "emp_hc").values():
        assert corr > 0.8 and mad < 0.006
    for corr, mad in compare("rkna", "hours_hc").values():
        assert corr > 0.99 and mad < 0.001


def test_units_resolved_to_ids() -> None:
    df = pd.concat(
        [
            _table(y=[1.0, 2.0], k=[1.0, 2.0], l=[1.0, 1.0]).assign(unit="北京"),
            _table(y=[1.0, 2.0], k=[1.0, 2.0], l=[1.0, 1.0]).assign(unit="全国"),
        ]
    )
    r = growth_accounting(
        df, output="y", capital="k", labour="l", labour_share=0.5, units="province"
    )
    assert r.tfp["unit"].unique().tolist() == ["CN-BJ"]  # the national aggregate is dropped


def test_command_writes_the_tables(tmp_path):
    from clitools import flat, run

    df = pd.DataFrame(
        {
            "unit": ["a"] * 3 + ["b"] * 3,
            "period": [2000, 2001, 2002] * 2,
            "y": [100.0, 110.0, 121.0, 50.0, 52.0, 54.08],
            "k": [200.0, 210.0, 220.5, 80.0, 84.0, 88.2],
            "l": [10.0, 10.0, 10.0, 5.0, 5.0, 5.0],
        }
    )
    data = tmp_path / "d.csv"
    df.to_csv(data, index=False)
    rc, out, err = run(
        "growth-accounting",
        data,
        "--output",
        "y",
        "--labour",
        "l",
        "--capital",
        "k",
        "--labour-share",
        "0.6",
        "--out",
        tmp_path / "g",
    )
    assert rc == 0, err
    dec = pd.read_csv(tmp_path / "g" / "growth_decomposition.csv")
    row = dec[(dec.unit == "a") & (dec.period == 2001)].iloc[0]
    assert row["contrib_capital"] == pytest.approx(0.4 * np.log(210 / 200))
    assert row["g_output"] == pytest.approx(
        row["contrib_capital"] + row["contrib_labour"] + row["contrib_tfp"]
    )
    rc, _, err = run(
        "growth-accounting", data, "--output", "y", "--labour", "l", "--out", tmp_path / "h"
    )
    assert rc == 2 and "--capital" in flat(err)
