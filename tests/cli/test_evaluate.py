"""``nqpf evaluate``: RSR, fuzzy, scatter-degree and time-weighted runs from the command line."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from clitools import flat, run
from nqpf.index.rsr import rsr

FW = {
    "id": "maternal",
    "name_zh": "妇幼保健",
    "dimensions": [
        {
            "id": "care",
            "name_zh": "保健",
            "indicators": [
                {"id": "x1", "name_zh": "产前检查率", "unit": "%", "direction": "+"},
                {"id": "x2", "name_zh": "孕产妇死亡率", "unit": "1/10万", "direction": "-"},
                {"id": "x3", "name_zh": "围产儿死亡率", "unit": "‰", "direction": "-"},
            ],
        }
    ],
}
X1 = [99.54, 96.52, 99.36, 92.83, 91.71, 95.35, 96.09, 99.27, 94.76, 84.80]
X2 = [60.27, 59.67, 43.91, 58.99, 35.40, 44.71, 49.81, 31.69, 22.91, 81.49]
X3 = [16.15, 20.10, 15.60, 17.04, 15.01, 13.93, 17.43, 13.89, 19.87, 23.63]


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for year, scale in ((2021, 1.03), (2022, 1.0)):
        for i, u in enumerate("ABCDEFGHIJ"):
            k = 1.0 if year == 2022 else scale * (1 + 0.01 * rng.normal())
            rows.append({"地区": u, "年份": year, "x1": X1[i] * k, "x2": X2[i] * k,
                         "x3": X3[i] * k})
    data = tmp_path / "data.csv"
    pd.DataFrame(rows).to_csv(data, index=False)
    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump(FW, allow_unicode=True), encoding="utf-8")
    return data, fw


def test_rsr_command_reproduces_the_library(files, tmp_path):
    data, fw = files
    rc, out, err = run("evaluate", "rsr", data, "--framework", fw, "--year", "2022",
                       "--units", "none", "--out", tmp_path / "r")
    assert rc == 0, err
    assert "-0.60855 + 0.22169" in flat(out)
    got = pd.read_csv(tmp_path / "r" / "rsr.csv")
    want = rsr(pd.DataFrame({"x1": X1, "x2": X2, "x3": X3}, index=list("ABCDEFGHIJ")),
               ["+", "-", "-"]).table
    np.testing.assert_allclose(got["RSR_fit"], want["RSR_fit"])
    meta = json.loads((tmp_path / "r" / "rsr.json").read_text("utf-8"))
    assert meta["period"] == 2022
    rc, _, err = run("evaluate", "rsr", data, "--framework", fw, "--year", "1999",
                     "--units", "none", "--out", tmp_path / "r2")
    assert rc == 2 and "--year 1999" in flat(err)


def test_fuzzy_scatter_and_dynamic_commands(files, tmp_path):
    data, fw = files
    std = tmp_path / "std.yaml"
    std.write_text(yaml.safe_dump({
        "grades": ["差", "中", "良", "优"], "scores": [30, 60, 75, 90],
        "standards": {"x1": [85, 90, 95, 99], "x2": [80, 60, 40, 20], "x3": [24, 20, 16, 12]},
        "weights": {"x1": 0.4, "x2": 0.3, "x3": 0.3},
    }, allow_unicode=True), encoding="utf-8")
    rc, out, err = run("evaluate", "fuzzy", data, "--framework", fw, "--standards", std,
                       "--units", "none", "--out", tmp_path / "f")
    assert rc == 0, err
    fz = pd.read_csv(tmp_path / "f" / "fuzzy.csv")
    np.testing.assert_allclose(fz[["差", "中", "良", "优"]].sum(axis=1), 1.0)
    rc, out, err = run("evaluate", "scatter", data, "--framework", fw, "--lambda", "0.3",
                       "--units", "none", "--out", tmp_path / "s")
    assert rc == 0, err
    w = pd.read_csv(tmp_path / "s" / "scatter_weights.csv")
    assert w["weight"].sum() == pytest.approx(1.0)
    rc, out, err = run("evaluate", "dynamic", data, "--framework", fw, "--lambda", "0.2",
                       "--units", "none", "--out", tmp_path / "d")
    assert rc == 0, err
    tw = pd.read_csv(tmp_path / "d" / "time_weights.csv")
    assert tw["time_weight"].iloc[-1] > tw["time_weight"].iloc[0]


def test_bod_command(files, tmp_path):
    data, fw = files
    rc, out, err = run("evaluate", "bod", data, "--framework", fw, "--share-bounds", "0.1,0.6",
                       "--units", "none", "--out", tmp_path / "b")
    assert rc == 0, err
    sc = pd.read_csv(tmp_path / "b" / "bod.csv")
    assert sc["score"].max() == pytest.approx(1.0) and (sc["score"] > 0).all()
    sh = pd.read_csv(tmp_path / "b" / "bod_shares.csv").drop(columns="unit")
    assert (sh.to_numpy() <= 0.6 + 1e-7).all()
