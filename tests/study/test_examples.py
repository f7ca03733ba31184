"""The example studies under examples/: both validate; the Chinese provinces study runs on
the real yearbook and CEADs tables of ../shared/data (skipped where that folder is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clitools import flat, run
from nqpf.datasets import demo_study_path
from nqpf.study.load import load_study

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
CHINA = EXAMPLES / "china_provinces" / "study.yaml"


def test_the_demo_example_is_the_bundled_demo_study():
    assert (EXAMPLES / "demo" / "study.yaml").read_bytes() == demo_study_path().read_bytes()
    assert (EXAMPLES / "demo" / "README.md").is_file()


def test_the_china_example_validates_without_data():
    s = load_study(CHINA, ["data_dir=/somewhere"])
    spec = s.spec
    assert spec.lang == "zh" and spec.groups == "cn-four-regions"
    assert spec.data[0].yearbook[0] == "/somewhere/china_sti/RDIntense.csv"
    assert spec.data[1].ceads == "/somewhere/china_co2/provinces_co2_1998_2019.csv"
    assert [d.id for d in spec.derive] == ["gdp"]
    assert spec.tfp.dea.bad == ["co2"] and spec.tfp.dea.index == "gml"
    assert spec.outputs.maps.china == "/somewhere/geo/china_provinces_cn-atlas.geojson"
    assert (EXAMPLES / "china_provinces" / "README.md").is_file()


@pytest.fixture(scope="module")
def china(tmp_path_factory):
    if not DATA.exists():
        pytest.skip("../shared/data not present")
    out = tmp_path_factory.mktemp("china") / "out"
    rc, stdout, stderr = run(
        "run", CHINA, "--out", out, "--quiet", "--set", f"data_dir={DATA}",
        "--set", "robustness.replications=128", "--set", "outputs.figures=[png]",
        "--set", "outputs.tables=[csv]", "--set", "analyses.markov=false",
    )
    assert rc == 0, stderr
    return {"out": out, "stdout": stdout}


def test_china_provinces_end_to_end(china):
    out = china["out"]
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    p = man["parameters"]
    assert len(p["units"]) == 30 and p["units_left_out"] == ["CN-XZ"]  # no CEADs for Tibet
    assert p["periods"] == list(range(2011, 2020))
    assert len(man["inputs"]) == 9  # six tables, the dictionary, CEADs, the map
    sc = pd.read_csv(out / "tables" / "scores_by_year.csv", encoding="utf-8-sig")
    assert list(sc.columns[:2]) == ["unit", "name"]  # CSV files keep the ids for scripts
    by = sc.set_index("unit")
    assert by.loc["CN-BJ", "name"] == "北京"
    assert by["2019"].idxmax() == "CN-BJ"  # Beijing leads, as every provincial study finds
    assert by[[str(t) for t in range(2011, 2020)]].stack().between(0, 1).all()
    # the report is in Chinese, and so are the closing lines of the console
    assert f"报告: {out / 'report.html'}" in flat(china["stdout"])
    assert "Report:" not in china["stdout"]


def test_china_indicators_come_from_the_yearbook_values(china):
    """R&D intensity is read as published: Beijing 2019 is 6.31 % (China S&T yearbook)."""
    raw = pd.read_csv(DATA / "china_sti" / "RDIntense.csv")
    bj = raw[(raw["variables"] == "v4_ztr_qd_RD") & (raw["year"] == 2019)
             & (raw["province"].str.replace(r"\s", "", regex=True) == "北京")]["value"].item()
    cov = pd.read_csv(china["out"] / "tables" / "coverage.csv", encoding="utf-8-sig")
    row = cov.set_index("indicator").loc["rd_intensity"]
    assert row["max"] == pytest.approx(raw[(raw["variables"] == "v4_ztr_qd_RD")
                                        & raw["year"].between(2011, 2019)
                                        & ~raw["province"].str.contains("全国|地区")]
                                    ["value"].max())
    assert row["max"] >= bj


def test_china_disparity_and_spatial_sections(china):
    out = china["out"]
    d = pd.read_csv(out / "tables" / "dagum.csv", encoding="utf-8-sig")
    parts = d["within"] + d["net_between"] + d["transvariation"]
    assert np.allclose(parts, d["gini"], atol=1e-12)  # Dagum's components sum to G
    w = pd.read_csv(out / "tables" / "dagum_within.csv", encoding="utf-8-sig")
    assert set(w["group"]) == {"Eastern", "Central", "Western", "Northeastern"} or set(
        w["group"]) == {"东部", "中部", "西部", "东北"}
    moran = pd.read_csv(out / "tables" / "moran.csv", encoding="utf-8-sig")
    assert set(moran["period"]) == set(range(2011, 2020))
    assert (out / "figures" / "lisa_map.png").is_file()
    assert (out / "figures" / "index_map.png").is_file()
