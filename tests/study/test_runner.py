"""The study runner on a small hand-checkable study: numbers, sections, files, manifest.

The data: six units over three years, four series. The framework derives x1 per head
(derive: x1 / pop), keeps x2 (benefit) and y (cost); unit F has no y at all and is left out
under the complete-case policy; unit B lacks x2 in 2021, filled by linear interpolation.
With min-max over the pooled panel, equal weights and the weighted sum, every score is
recomputed by hand below.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataError
from nqpf.study.load import study_from_text
from nqpf.study.runner import run_study

UNITS = ["A", "B", "C", "D", "E", "F"]
YEARS = [2020, 2021, 2022]
X1 = {"A": [10, 12, 14], "B": [20, 22, 30], "C": [5, 6, 9], "D": [8, 8, 8], "E": [30, 33, 35],
      "F": [1, 2, 3]}
POP = {"A": [1, 1, 2], "B": [2, 2, 2], "C": [1, 1, 1], "D": [4, 4, 4], "E": [3, 3, 5],
       "F": [1, 1, 1]}
X2 = {"A": [0.1, 0.2, 0.3], "B": [0.5, None, 0.9], "C": [0.4, 0.4, 0.5], "D": [0.2, 0.1, 0.3],
      "E": [0.6, 0.7, 0.8], "F": [0.1, 0.1, 0.1]}
Y = {"A": [5, 4, 3], "B": [2, 2, 1], "C": [9, 8, 8], "D": [4, 5, 6], "E": [1, 1, 2],
     "F": [None, None, None]}

STUDY = """\
title: {zh: 小型研究, en: Small study}
lang: en
seed: 3
data:
  - file: data.csv
    layout: wide
    unit: unit
    period: year
    units: none
derive:
  - {id: x1_pc, series: x1, denominator: pop}
framework:
  id: small
  name_zh: 小框架
  name_en: Small framework
  dimensions:
    - id: d1
      name_zh: 维度一
      name_en: Dimension one
      indicators:
        - {id: i1, name_zh: 人均x1, name_en: x1 per head, unit: x, direction: "+",
           series: x1_pc}
        - {id: i2, name_zh: x2, name_en: x2, unit: share, direction: "+", series: x2}
    - id: d2
      name_zh: 维度二
      name_en: Dimension two
      indicators:
        - {id: i3, name_zh: y, name_en: y, unit: t, direction: "-", series: y}
groups: groups.csv
cleaning: {impute: linear, complete: units, min_units: 3}
index: {normalise: minmax, weights: equal, aggregate: sum}
analyses:
  theil:
  kernel:
  coupling:
  typology: {k: 2}
  moran:
outputs: {figures: [], tables: [csv], top: 3}
"""


def _write_data(folder: Path) -> None:
    rows = []
    for u in UNITS:
        for k, t in enumerate(YEARS):
            rows.append({"unit": u, "year": t, "x1": X1[u][k], "pop": POP[u][k],
                         "x2": X2[u][k], "y": Y[u][k]})
    pd.DataFrame(rows).to_csv(folder / "data.csv", index=False)
    pd.DataFrame({"unit": UNITS, "group": ["g1", "g1", "g1", "g2", "g2", "g2"]}).to_csv(
        folder / "groups.csv", index=False)


def _study(folder: Path, text: str = STUDY, **kw):
    (folder / "study.yaml").write_text(text, encoding="utf-8")
    return study_from_text(text, where=str(folder / "study.yaml"), base_dir=folder, **kw)


def _hand_scores() -> pd.DataFrame:
    units = UNITS[:5]  # F has no y: left out
    rows = []
    for u in units:
        for k, t in enumerate(YEARS):
            x2 = X2[u][k]
            if x2 is None:  # linear interpolation between the neighbours
                x2 = (X2[u][k - 1] + X2[u][k + 1]) / 2
            rows.append({"unit": u, "period": t, "i1": X1[u][k] / POP[u][k], "i2": x2,
                         "i3": Y[u][k]})
    d = pd.DataFrame(rows).set_index(["unit", "period"])
    z = (d - d.min()) / (d.max() - d.min())
    z["i3"] = 1 - z["i3"]  # a cost: (max - x) / (max - min)
    z["d1"] = (z["i1"] + z["i2"]) / 2
    z["d2"] = z["i3"]
    z["index"] = (z["i1"] + z["i2"] + z["i3"]) / 3
    return z


@pytest.fixture(scope="module")
def run1(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    _write_data(folder)
    steps = []
    res = run_study(_study(folder), folder / "out",
                    progress=lambda s, d, t: steps.append((s, d, t)))
    return {"folder": folder, "res": res, "steps": steps, "out": folder / "out"}


def test_scores_match_the_hand_computation(run1):
    out = run1["out"]
    hand = _hand_scores()
    sc = pd.read_csv(out / "tables" / "scores_by_year.csv", encoding="utf-8-sig")
    assert list(sc.columns) == ["unit", "name", "2020", "2021", "2022"]
    assert sc["unit"].tolist() == UNITS[:5]
    for t in YEARS:
        got = sc.set_index("unit")[str(t)]
        want = hand.xs(t, level="period")["index"]
        assert np.allclose(got.loc[want.index], want, atol=1e-12)
    rk = pd.read_csv(out / "tables" / "ranks_by_year.csv", encoding="utf-8-sig")
    last = hand.xs(2022, level="period")["index"].rank(ascending=False, method="min")
    assert (rk.set_index("unit")["2022"].loc[last.index] == last.astype(int)).all()
    dims = pd.read_csv(out / "tables" / "dimension_scores.csv", encoding="utf-8-sig")
    dims = dims.set_index(["unit", "period"])
    assert np.allclose(dims["d1"].loc[hand.index], hand["d1"], atol=1e-12)
    assert np.allclose(dims["d2"].loc[hand.index], hand["d2"], atol=1e-12)
    w = pd.read_csv(out / "tables" / "weights.csv", encoding="utf-8-sig")
    ind = w[w["level"] == "indicator"].set_index("node")["effective_weight"]
    assert np.allclose(ind.loc[["i1", "i2", "i3"]], 1 / 3, atol=1e-12)


def test_cleaning_is_reported(run1):
    res = run1["res"]
    cov = pd.read_csv(run1["out"] / "tables" / "coverage.csv", encoding="utf-8-sig")
    cov = cov.set_index("indicator")
    assert cov.loc["i2", "imputed"] == 1 and cov.loc["i1", "imputed"] == 0
    assert (cov["observed"] == 15).all()
    assert cov.loc["i1", "max"] == pytest.approx(15.0)  # B 2022: 30 / 2
    m = res.manifest["parameters"]
    assert m["units_left_out"] == ["F"] and m["imputed_cells"] == 1
    assert m["units"] == UNITS[:5] and m["periods"] == YEARS
    fw = next(s for s in res.output.sections if s.key == "framework")
    text = " ".join(fw.paragraphs)
    assert "Units left out for incomplete data (1): F." in text
    assert "1 cells imputed" in text


def test_sections_in_report_order_and_the_skipped_spatial_analysis(run1):
    out = run1["res"].output
    assert [s.key for s in out.sections] == [
        "summary", "framework", "weights", "index", "dimensions", "disparity", "dynamics",
        "spatial", "coupling", "types"]
    spatial = next(s for s in out.sections if s.key == "spatial")
    assert spatial.tables == [] and len(spatial.notes) == 1
    assert spatial.notes[0].startswith("moran: not run; no spatial weights for these units")
    assert out.title == "Small study" and out.lang == "en"
    names = {t.name for t in out.tables()}
    assert {"theil", "kernel_peaks", "coupling", "typology", "framework"} <= names
    # coupling of d1 and d2 per unit-period; typology with k = 2 over the 5 units
    coup = pd.read_csv(run1["out"] / "tables" / "coupling.csv", encoding="utf-8-sig")
    assert len(coup) == 15
    typ = pd.read_csv(run1["out"] / "tables" / "typology.csv", encoding="utf-8-sig")
    assert typ["type"].nunique() == 2


def test_theil_groups_come_from_the_groups_file(run1):
    th = pd.read_csv(run1["out"] / "tables" / "theil_groups.csv", encoding="utf-8-sig")
    assert set(th["group"]) == {"g1", "g2"}


def test_files_manifest_and_progress(run1):
    res, out = run1["res"], run1["out"]
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                     if p.is_file() and p.name != ".nqpf-files")  # the folder's own file list
    assert on_disk == res.manifest["outputs"] == res.files
    assert {"report.html", "manifest.json"} <= set(on_disk)
    assert not (out / "tables.xlsx").exists()  # outputs.tables: [csv]
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    data = run1["folder"] / "data.csv"
    inp = {i["path"]: i for i in man["inputs"]}
    assert inp["data.csv"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert inp["data.csv"]["bytes"] == data.stat().st_size
    assert inp["groups.csv"]["role"] == "groups"
    assert man["seeds"]["study"] == 3 and man["lang"] == "en"
    assert man["study"]["resolved"]["framework"]["id"] == "small"
    assert man["parameters"]["recipe"]["weights"] == "equal"
    assert set(man["timings"]) >= {"data", "cleaning", "index", "theil", "report"}
    assert {"numpy", "pandas", "scipy", "highspy"} <= set(man["packages"])
    steps = [s for s, _d, _t in run1["steps"]]
    assert steps[:3] == ["data", "cleaning", "index"] and steps[-2:] == ["report", "done"]
    assert run1["steps"][-1][1] == run1["steps"][-1][2]


def test_same_inputs_same_tables(run1):
    again = run1["folder"] / "again"
    run_study(_study(run1["folder"]), again)
    first = sorted((run1["out"] / "tables").glob("*.csv"))
    assert len(first) > 10
    for p in first:
        assert (again / "tables" / p.name).read_bytes() == p.read_bytes(), p.name


def test_non_empty_folder_is_refused_without_force(run1):
    with pytest.raises(DataError, match="--force"):
        run_study(_study(run1["folder"]), run1["out"])


def test_a_failing_section_is_named(tmp_path):
    _write_data(tmp_path)
    text = STUDY.replace("  theil:\n", "  dagum: {groups: cn-four-regions}\n")
    with pytest.raises(DataError, match=r"^study section analyses.dagum.groups: .*no group"):
        run_study(_study(tmp_path, text), tmp_path / "o")
    text = STUDY.replace("series: x2}", "series: x_2}")
    with pytest.raises(DataError, match=r"study section cleaning: series x_2 \(did you mean "
                                        r"'x2'\?\) are named by the framework"):
        run_study(_study(tmp_path, text), tmp_path / "o2")
    text = STUDY.replace("min_units: 3", "min_units: 6")
    with pytest.raises(DataError, match="only 5 unit.s. have complete data"):
        run_study(_study(tmp_path, text), tmp_path / "o3")


def test_chinese_report_and_figures(tmp_path):
    _write_data(tmp_path)
    text = STUDY.replace("figures: []", "figures: [png]").replace("  moran:\n", "")
    res = run_study(_study(tmp_path, text), tmp_path / "zh", lang="zh")
    out = res.output
    assert out.lang == "zh" and out.title == "小型研究"
    assert [s.title for s in out.sections][:4] == ["主要发现", "指标体系与数据", "指标权重",
                                                   "综合指数结果"]
    # the CSV files keep nqpf's column names for scripts; the report and workbook read Chinese
    sc = pd.read_csv(tmp_path / "zh" / "tables" / "scores_by_year.csv", encoding="utf-8-sig")
    assert list(sc.columns[:2]) == ["unit", "name"]
    shown = next(t for t in out.tables() if t.name == "scores_by_year").frame
    assert list(shown.columns[:2]) == ["地区代码", "名称"]
    figs = {f.name for f in out.figures()}
    assert {"index_trend_by_group", "index_bump", "dimension_heatmap", "kernel_density"} <= figs
    for f in out.figures():
        assert set(f.paths) == {"png"} and Path(f.paths["png"]).stat().st_size > 1000
    html = (tmp_path / "zh" / "report.html").read_text("utf-8")
    assert 'lang="zh' in html and "综合指数结果" in html
