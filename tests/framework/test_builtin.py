"""Tests of the built-in frameworks, and of pwt-demo on the bundled PWT 9.1 extract."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest
import yaml

from nqpf import Panel
from nqpf.framework import list_builtin, load_framework, prepare

BUILTINS = list_builtin()
PWT_CSV = resources.files("nqpf.datasets") / "pwt91_demo.csv"


def test_the_three_builtins_exist():
    assert {"nqpf-three-elements", "hqd-five-concepts", "pwt-demo"} <= set(BUILTINS)


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_loads_with_unique_ids_and_parsed_directions(name):
    fw = load_framework(name)
    assert fw.id == name
    ids = [fw.id] + [n.id for n in fw.nodes] + fw.indicator_ids
    assert len(ids) == len(set(ids))
    raw = yaml.safe_load((resources.files("nqpf.framework") / "builtin" / f"{name}.yaml")
                         .read_text(encoding="utf-8"))
    raw_dirs = [
        i["direction"]
        for d in raw["dimensions"]
        for n in d.get("children", [d])
        for i in n["indicators"]
    ]
    assert [i.direction for i in fw.indicators] == [1 if s == "+" else -1 for s in raw_dirs]
    assert all(i.unit for i in fw.indicators), "every built-in indicator has a unit"
    assert all(i.source for i in fw.indicators), "every built-in indicator names a source"
    # round trip through the YAML writer
    assert load_framework(yaml.safe_load(fw.to_yaml())) == fw


@pytest.mark.parametrize("name", BUILTINS)
def test_render_tree_shows_names_in_both_languages(name):
    fw = load_framework(name)
    zh, en = fw.render_tree("zh"), fw.render_tree("en")
    for node in fw.nodes:
        assert node.name_zh in zh and node.name_en in en
    for ind in fw.indicators:
        assert f"{ind.sign} {ind.name_zh} [{ind.id}]" in zh
        assert f"{ind.sign} {ind.name_en} [{ind.id}]" in en
    assert len(zh.splitlines()) == 1 + len(fw.nodes) + len(fw.indicators)


def test_three_elements_structure():
    fw = load_framework("nqpf-three-elements")
    assert fw.unit_kind == "province"
    assert [d.id for d in fw.dimensions] == ["labourers", "means_of_labour", "objects_of_labour"]
    for d in fw.dimensions:
        assert 2 <= len(d.children or []) <= 3
    assert fw.indicator("energy_intensity").direction == -1
    assert fw.indicator("rd_intensity").formula() == "rd_expenditure / gdp * 100"
    assert fw.indicator("patents_per_10k").denominator == "pop"


def test_hqd_structure():
    fw = load_framework("hqd-five-concepts")
    assert [d.id for d in fw.dimensions] == [
        "innovation", "coordination", "green", "openness", "sharing",
    ]
    assert all(3 <= len(d.indicators or []) <= 5 for d in fw.dimensions)
    costs = {i.id for i in fw.indicators if i.direction == -1}
    assert {"urban_rural_income_ratio", "energy_intensity", "engel"} <= costs


def _pwt() -> pd.DataFrame:
    with PWT_CSV.open("rb") as fh:
        return pd.read_csv(fh)


def test_pwt_demo_uses_only_series_of_the_demo_csv():
    fw = load_framework("pwt-demo")
    assert fw.unit_kind == "country"
    assert set(fw.required_series()) <= set(_pwt().columns)


def test_pwt_demo_prepares_on_the_bundled_csv():
    df = _pwt()
    panel = Panel.from_wide(df.drop(columns="country"), unit="isocode", period="year")
    fw = load_framework("pwt-demo")
    out = prepare(panel, fw)
    assert out.indicators == tuple(fw.indicator_ids)
    assert out.meta["framework"] == "pwt-demo"
    chn = df[(df["isocode"] == "CHN") & (df["year"] == 2017)].iloc[0]
    lp = out.frame("labour_productivity").loc["CHN", 2017]
    assert lp == pytest.approx(chn["rgdpo"] / chn["emp"], rel=1e-12)
    assert lp == pytest.approx(18383840 / 791.692, rel=1e-12)  # the CSV row, by hand
    gpc = out.frame("gdp_per_capita").loc["CHN", 2017]
    assert gpc == pytest.approx(np.log(chn["rgdpe"] / chn["pop"]), rel=1e-12)
    assert out.frame("human_capital").loc["CHN", 2017] == pytest.approx(chn["hc"])
    # missing cells in the data stay missing, nothing else does
    n_missing_ctfp = int(df["ctfp"].isna().sum())
    assert int(np.isnan(out.frame("tfp_level").to_numpy()).sum()) == n_missing_ctfp
