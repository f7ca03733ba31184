"""The assessment example (examples/assessment): it validates without data, its framework
passes `nqpf framework check`, and it runs on the real yearbook and CEADs tables of
../shared/data (skipped where that folder is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from clitools import flat, run
from nqpf.framework import load_framework
from nqpf.study.load import load_study

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "assessment"
DATA = Path(os.environ.get("NQPF_SHARED_DATA",
                           Path(__file__).resolve().parents[3] / "shared" / "data"))


def test_the_example_validates_without_data():
    spec = load_study(EXAMPLE / "study.yaml", ["data_dir=/somewhere"]).spec
    a = spec.assessment
    assert (a.period, a.base_year, a.cap, a.level_weight) == (2019, 2015, 1.2, 0.7)
    fw = load_framework(EXAMPLE / "framework.yaml")
    assert fw.class_ids == ["first", "second"] and fw.document == "示例发改〔2019〕1号"
    assert all(i.provider and i.target is not None for i in fw.indicators)
    assert sum(fw.weights("first").values()) == pytest.approx(1.0)
    classes = pd.read_csv(EXAMPLE / "classes.csv")
    assert len(classes) == 30 and (classes["类别"] == "first").sum() == 10
    rc, stdout, stderr = run("framework", "check", EXAMPLE / "framework.yaml")
    assert rc == 0, stderr
    assert "8 indicators (8 with targets), 2 classes" in flat(stdout)


@pytest.mark.skipif(not DATA.exists(), reason="../shared/data not present")
def test_the_example_runs_on_the_yearbook_tables(tmp_path):
    out = tmp_path / "out"
    rc, _, stderr = run("run", EXAMPLE / "study.yaml", "--out", out, "--quiet", "--set",
                        f"data_dir={DATA}")
    assert rc == 0, stderr
    a = pd.read_csv(out / "assessment" / "assessment.csv", encoding="utf-8-sig")
    tot = a[a["level"] == "total"].set_index("unit")
    assert len(tot) == 30 and set(a["period"]) == {2019}
    s = pd.read_csv(out / "assessment" / "indicator_scores.csv", encoding="utf-8-sig")
    bj = s[(s["unit"] == "CN-BJ") & (s["indicator"] == "rd_intensity")].iloc[0]
    # Beijing's R&D intensity (6.31 % in 2019) is far above the class I target 3.0: capped
    assert bj["target"] == ">= 3" and bj["score"] == pytest.approx(120.0)
    assert bj["value"] == pytest.approx(6.31, abs=0.01)
    hb = s[(s["unit"] == "CN-HB") & (s["indicator"] == "rd_intensity")].iloc[0]
    assert hb["target"] == ">= 2.5"  # class II keeps the framework's target
    assert hb["score"] == pytest.approx(100 * min(hb["value"] / 2.5, 1.2))
    fb = pd.read_csv(out / "assessment" / "fixed_base.csv", encoding="utf-8-sig")
    whole = fb[(fb["unit"] == "all") & (fb["level"] == "total")].set_index("period")
    assert whole.loc[2015, "index"] == pytest.approx(100.0)
    assert (out / "assessment" / "assessment.xlsx").is_file()
    assert "考核评价" in (out / "report.html").read_text(encoding="utf-8")
