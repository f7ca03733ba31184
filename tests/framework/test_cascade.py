"""Cascaded frameworks: a city extends the province."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import nqpf
from nqpf.errors import FrameworkError
from nqpf.framework import load_framework

PROVINCE = {
    "id": "prov", "name_zh": "省考核", "version": "2024", "dimensions": [
        {"id": "inno", "name_zh": "创新", "indicators": [
            {"id": "rd", "name_zh": "研发强度", "direction": "+", "target": 2.5, "weight": 0.5,
             "mandatory": True},
            {"id": "pat", "name_zh": "专利", "direction": "+", "target": 10, "weight": 0.2}]},
        {"id": "green", "name_zh": "绿色", "indicators": [
            {"id": "energy", "name_zh": "能耗", "direction": "-", "target": 0.5,
             "weight": 0.3}]}],
}


def _write(tmp_path, child):
    (tmp_path / "prov.yaml").write_text(yaml.safe_dump(PROVINCE, allow_unicode=True),
                                        encoding="utf-8")
    p = tmp_path / "city.yaml"
    p.write_text(yaml.safe_dump(child, allow_unicode=True), encoding="utf-8")
    return p


def test_no_overrides_equals_parent(tmp_path):
    p = _write(tmp_path, {"id": "city", "name_zh": "市考核", "extends": "prov.yaml"})
    city, prov = load_framework(p), load_framework(tmp_path / "prov.yaml")
    assert city.dimensions == prov.dimensions
    assert city.extends == "prov.yaml" and city.id == "city"
    df = pd.DataFrame({"unit": ["a", "b"], "period": [1, 1], "rd": [2.0, 3.0],
                       "pat": [5.0, 12.0], "energy": [0.6, 0.4]})
    ra, rb = nqpf.assess(df, city), nqpf.assess(df, prov)
    pd.testing.assert_frame_equal(ra.to_frame("totals"), rb.to_frame("totals"))


def test_overrides_applied(tmp_path):
    p = _write(tmp_path, {
        "id": "city", "name_zh": "市考核", "extends": "prov.yaml",
        "targets": {"rd": 3.0, "energy": "<= 0.4"},
        "weights": {"pat": 0.1, "energy": 0.3},
        "add": [{"node": "inno", "indicators": [
            {"id": "uni", "name_zh": "独角兽", "direction": "+", "target": 2, "weight": 0.1}]}],
    })
    fw = load_framework(p)
    assert fw.indicator("rd").target_text() == ">= 3"
    assert fw.indicator("energy").target_text() == "<= 0.4"
    assert fw.weights() == pytest.approx({"rd": 0.5, "pat": 0.1, "uni": 0.1, "energy": 0.3})
    d = nqpf.framework.diff(load_framework(tmp_path / "prov.yaml"), fw)
    assert set(d.loc[d["change"] == "added", "indicator"]) == {"uni"}
    changed = d[d["change"] == "changed"].set_index(["indicator", "field"])
    assert changed.loc[("rd", "target"), "new"] == ">= 3"
    assert changed.loc[("pat", "weight"), "old"] == pytest.approx(0.2)


@pytest.mark.parametrize(("child", "message"), [
    ({"remove": ["rd"]}, "indicator rd is mandatory in prov and cannot be removed"),
    ({"targets": {"gdp": 3}}, r"targets names indicator\(s\) \['gdp'\]"),
    ({"add": [{"node": "open", "indicators": []}]}, "add names node 'open'"),
    ({"weights": {"pat": 0.3}}, "weights sum to 1.1 after the changes"),
    ({"remove": ["energy"]}, "leaves node green without indicators"),
    ({"dimensions": []}, "not its dimensions"),
    ({"extends": "nowhere.yaml"}, "parent framework 'nowhere.yaml' not found"),
])
def test_cascade_errors(tmp_path, child, message):
    p = _write(tmp_path, {"id": "city", "name_zh": "市", "extends": "prov.yaml", **child})
    with pytest.raises(FrameworkError, match=message):
        load_framework(p)


def test_cycle(tmp_path):
    (tmp_path / "a.yaml").write_text("id: a\nname_zh: a\nextends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: b\nname_zh: b\nextends: a.yaml\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="cycle: a.yaml -> b.yaml -> a.yaml"):
        load_framework(tmp_path / "a.yaml")
