"""``nqpf tfp``: DEA efficiency and productivity indices from the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clitools import flat, run
from nqpf.efficiency.dea.productivity import productivity

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"  # tests/efficiency/dea -> /work


def synthetic(tmp_path: Path, n=10, T=3) -> Path:
    rng = np.random.default_rng(5)
    df = pd.DataFrame(
        {
            "region": np.repeat([f"r{i:02d}" for i in range(n)], T),
            "year": np.tile(np.arange(2015, 2015 + T), n),
        }
    )
    k = len(df)
    df["K"] = rng.uniform(1, 10, k)
    df["L"] = rng.uniform(1, 10, k)
    df["Y"] = df.K**0.5 * df.L**0.4 * rng.uniform(0.5, 1, k) * (1 + 0.05 * (df.year - 2015))
    df["CO2"] = df.Y * rng.uniform(0.3, 1, k)
    path = tmp_path / "panel.csv"
    df.to_csv(path, index=False)
    return path


BASE = ["--inputs", "K,L", "--outputs", "Y", "--unit", "region", "--period", "year"]


def test_sbm_gml_end_to_end(tmp_path):
    data = synthetic(tmp_path)
    out = tmp_path / "out"
    rc, so, se = run("tfp", data, *BASE, "--bad", "CO2", "--model", "sbm", "--index", "gml",
                     "--out", out)  # fmt: skip
    assert rc == 0, se
    assert {"efficiency.csv", "productivity.csv", "cumulative.csv"} <= {
        p.name for p in out.iterdir()
    }
    got = pd.read_csv(out / "productivity.csv", encoding="utf-8-sig")
    ref = productivity(pd.read_csv(data), ["K", "L"], "Y", "CO2", unit="region", period="year",
                       index="gml", model="sbm")  # fmt: skip
    np.testing.assert_allclose(got["index"], ref.index["index"], rtol=1e-12)
    np.testing.assert_allclose(got["ec"] * got["bpc"], got["index"], rtol=1e-12)
    eff = pd.read_csv(out / "efficiency.csv", encoding="utf-8-sig")
    assert len(eff) == 30 and (eff["efficiency"] <= 1 + 1e-9).all()
    assert "Productivity index (gml, sbm)" in flat(so)


def test_malmquist_deap_example(tmp_path):
    # Coelli (1996) DEAP 2.1 example 4; year 2, output-orientated: effch / pech as printed
    rows = [(1, 2), (2, 4), (3, 3), (4, 5), (5, 6)], [(1, 2), (3, 4), (4, 3), (3, 5), (5, 5)]
    df = pd.DataFrame(
        [{"firm": f"f{i + 1}", "yr": t + 1, "y": y, "x": x}
         for t, d in enumerate(rows) for i, (y, x) in enumerate(d)]
    )  # fmt: skip
    df.to_csv(tmp_path / "eg4.csv", index=False)
    rc, so, se = run("tfp", tmp_path / "eg4.csv", "--inputs", "x", "--outputs", "y",
                     "--unit", "firm", "--period", "yr", "--model", "bcc",
                     "--index", "malmquist", "--out", tmp_path / "o")  # fmt: skip
    assert rc == 0, se
    got = pd.read_csv(tmp_path / "o" / "productivity.csv", encoding="utf-8-sig")
    np.testing.assert_allclose(got["ec"], [0.750, 1.125, 1.000, 0.5625, 0.900], atol=1e-9)
    np.testing.assert_allclose(got["pec"], [1.000, 11 / 9, 1.000, 0.650, 1.000], atol=1e-9)
    np.testing.assert_allclose(got["index"], [1.000, 1.500, 4 / 3, 0.750, 1.200], atol=1e-9)


def test_unknown_column_and_bad_choice(tmp_path):
    data = synthetic(tmp_path)
    rc, _, se = run("tfp", data, "--inputs", "K,Labour", "--outputs", "Y", "--unit", "region",
                    "--period", "year", "--index", "ml", "--model", "ddf",
                    "--out", tmp_path / "o")  # fmt: skip
    assert rc == 2
    assert "Labour" in flat(se)
    rc, _, se = run("tfp", data, *BASE, "--index", "tfp", "--out", tmp_path / "o2")
    assert rc == 2 and "unknown index" in flat(se)
    rc, _, se = run("tfp", data, *BASE, "--bad", "CO2", "--index", "gml",
                    "--frontier", "sequential", "--out", tmp_path / "o3")  # fmt: skip
    assert rc == 2 and "global frontier" in flat(se)


def test_non_empty_out_refused_without_force(tmp_path):
    data = synthetic(tmp_path)
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    rc, _, se = run("tfp", data, *BASE, "--model", "ccr", "--out", out)
    assert rc == 2 and "--force" in flat(se)
    assert not (out / "efficiency.csv").exists()
    rc, _, se = run("tfp", data, *BASE, "--model", "ccr", "--out", out, "--force")
    assert rc == 0, se
    assert (out / "efficiency.csv").exists() and (out / "notes.txt").read_text() == "keep me"


@pytest.mark.skipif(not DATA.exists(), reason="../shared/data not present")
def test_countries_sbm_gml_real_data(tmp_path):
    # PWT 10.01 (Feenstra, Inklaar & Timmer 2015): capital rnna, employment emp, real GDP
    # rgdpna; OWID CO2 (Our World in Data, 2020-12-09 release): co2. 2010-2017.
    pwt = pd.read_csv(DATA / "pwt" / "pwt1001.csv", encoding="utf-8-sig",
                      usecols=["countrycode", "year", "rgdpna", "rnna", "emp"])  # fmt: skip
    co2 = pd.read_csv(DATA / "owid_co2" / "owid-co2-data_2020-12-09.csv",
                      usecols=["iso_code", "year", "co2"])  # fmt: skip
    df = pwt.merge(co2, left_on=["countrycode", "year"], right_on=["iso_code", "year"])
    df = df[df["year"].between(2010, 2017)].drop(columns="iso_code")
    df = df.dropna()
    df = df[df["countrycode"].isin(sorted(df["countrycode"].unique())[:40])]
    df.to_csv(tmp_path / "countries.csv", index=False)
    rc, so, se = run("tfp", tmp_path / "countries.csv", "--inputs", "rnna,emp",
                     "--outputs", "rgdpna", "--bad", "co2", "--unit", "countrycode",
                     "--period", "year", "--model", "sbm", "--index", "gml",
                     "--out", tmp_path / "o")  # fmt: skip
    assert rc == 0, se
    got = pd.read_csv(tmp_path / "o" / "productivity.csv", encoding="utf-8-sig")
    assert len(got) >= 40 * 7 - 10
    assert (got["status"] == "optimal").all()  # the global frontier cannot be infeasible
    np.testing.assert_allclose(got["index"], got["ec"] * got["bpc"], rtol=1e-10)
    cum = pd.read_csv(tmp_path / "o" / "cumulative.csv", encoding="utf-8-sig")
    chn = got[got["unit"] == "CHN"]["index"].prod()
    last = cum[(cum["unit"] == "CHN") & (cum["period"] == 2017)]["cumulative"].iloc[0]
    assert last == pytest.approx(chn, rel=1e-10)


def test_direction_weights_groups_bootstrap(tmp_path):
    data = synthetic(tmp_path)
    df = pd.read_csv(data)
    groups = tmp_path / "groups.csv"
    pd.DataFrame({"unit": [f"r{i:02d}" for i in range(10)],
                  "group": ["east"] * 5 + ["west"] * 5}).to_csv(groups, index=False)
    out = tmp_path / "o1"
    rc, so, se = run("tfp", data, *BASE, "--bad", "CO2", "--model", "nddf",
                     "--direction", "-1,-1,1,-1", "--weights", "0.25,0.25,0.5,1",
                     "--groups", groups, "--index", "gml", "--out", out)  # fmt: skip
    assert rc == 0, se
    eff = pd.read_csv(out / "efficiency.csv", encoding="utf-8-sig")
    from nqpf.efficiency.dea import dea

    ref = dea(df, ["K", "L"], "Y", "CO2", unit="region", period="year", model="nddf",
              frontier="global", direction=[-1, -1, 1, -1], weights=[0.25, 0.25, 0.5, 1])
    np.testing.assert_allclose(eff["beta"], ref.efficiency["beta"], rtol=1e-9)
    mf = pd.read_csv(out / "metafrontier.csv", encoding="utf-8-sig")
    assert (mf["tgr"] <= 1 + 1e-9).all() and set(mf["group"]) == {"east", "west"}
    np.testing.assert_allclose(mf["meta_efficiency"], mf["group_efficiency"] * mf["tgr"])
    mi = pd.read_csv(out / "metafrontier_index.csv", encoding="utf-8-sig")
    np.testing.assert_allclose(mi["index"], mi["ec"] * mi["bpc"] * mi["tgc"], rtol=1e-9)
    assert "Metafrontier: mean TGR by group" in flat(so)
    out2 = tmp_path / "o2"
    rc, so, se = run("tfp", data, *BASE, "--model", "bcc", "--frontier", "contemporaneous",
                     "--bootstrap", "50", "--seed", "7", "--out", out2)  # fmt: skip
    assert rc == 0, se
    b = pd.read_csv(out2 / "bootstrap.csv", encoding="utf-8-sig")
    assert len(b) == 30 and (b["lower"] <= b["upper"]).all()
    assert "Simar-Wilson bootstrap (B=50, seed=7)" in flat(so)
    # bad input: a model the bootstrap cannot take, a malformed direction
    rc, so, se = run("tfp", data, *BASE, "--model", "sbm", "--bootstrap", "50",
                     "--out", tmp_path / "o3")  # fmt: skip
    assert rc != 0 and "radial" in flat(se) and "Traceback" not in se
    rc, so, se = run("tfp", data, *BASE, "--bad", "CO2", "--model", "ddf", "--direction",
                     "up", "--out", tmp_path / "o4")  # fmt: skip
    assert rc != 0 and "--direction" in flat(se)


def test_nondiscretionary_input(tmp_path):
    data = synthetic(tmp_path)
    out = tmp_path / "nd"
    rc, so, se = run("tfp", data, *BASE, "--model", "ccr", "--orientation", "in",
                     "--frontier", "contemporaneous", "--nondiscretionary", "L",
                     "--out", out)  # fmt: skip
    assert rc == 0, se
    from nqpf.efficiency.dea import dea

    got = pd.read_csv(out / "efficiency.csv", encoding="utf-8-sig")
    plain = dea(pd.read_csv(data), ["K", "L"], "Y", unit="region", period="year",
                model="ccr", frontier="contemporaneous")
    # fixing L can only lower the radial input score (theta contracts K alone)
    assert (got["efficiency"] <= plain.efficiency["efficiency"] + 1e-9).all()
    rc, so, se = run("tfp", data, *BASE, "--model", "ccr", "--nondiscretionary", "X",
                     "--out", tmp_path / "nd2")  # fmt: skip
    assert rc != 0 and "not among the inputs" in flat(se)
