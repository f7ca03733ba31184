"""End-to-end tests of ``nqpf demo`` (the bundled demo study on the Penn World Table extract).

``nqpf demo`` runs once in this module, in English, exactly as a user runs it (the whole
study: index, TFP, analyses, robustness, figures, four table formats, report). The checks
recompute the documented recipe by hand from the bundled CSV: linear interpolation of
interior gaps, the framework's ratios and logs, countries complete in every year, min-max
over the pooled panel, entropy weights, weighted sum. A lighter run of the same study in
Chinese (CSV tables only) checks labels and that the shared tables come out byte for byte
the same.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clitools import flat, run
from nqpf.datasets import DEMO_PERIODS, demo_data_path, demo_study_path
from nqpf.errors import DataError
from nqpf.output import prepare_out_dir
from nqpf.report.pdf import chromium_path
from nqpf.study.runner import run_study

FIXED = {"report.html", "tables.xlsx", "manifest.json", "tables", "figures"}
# the Word report where python-docx is installed, the PDF where Chromium is
if importlib.util.find_spec("docx") is not None:
    FIXED.add("report.docx")
if chromium_path() is not None:
    FIXED.add("report.pdf")
PWT_IDS = [
    "human_capital",
    "labour_productivity",
    "labour_share",
    "capital_per_worker",
    "investment_share",
    "capital_depreciation",
    "tfp_level",
    "export_share",
    "gdp_per_capita",
]
LIGHT = ["tfp=null", "robustness=false", "analyses=[]", "outputs.figures=[]",
         "outputs.tables=[csv]"]


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """The demo run once in English into a new folder."""
    out = tmp_path_factory.mktemp("demo") / "nqpf-demo"
    rc, stdout, stderr = run("demo", "--out", out)
    assert rc == 0, stderr
    return {"out": out, "stdout": stdout}


@pytest.fixture(scope="module")
def light_zh(first, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-zh") / "zh"
    return run_study(demo_study_path(), out, lang="zh", overrides=LIGHT)


def _hand_indicators() -> pd.DataFrame:
    raw = pd.read_csv(demo_data_path())
    raw = raw.rename(columns={"isocode": "unit", "year": "period"}).set_index(
        ["unit", "period"]).sort_index()
    series = ["hc", "rgdpo", "emp", "labsh", "cn", "csh_i", "delta", "ctfp", "csh_x", "rgdpe",
              "pop"]
    raw = raw[series].astype(float)
    raw = raw[raw.index.get_level_values("period").isin(DEMO_PERIODS)]
    # linear interpolation of interior gaps, per country and series, in years
    filled = raw.groupby(level="unit", group_keys=False).apply(
        lambda g: g.droplevel("unit").interpolate(method="index", limit_area="inside")
        .set_index(g.index))
    f = filled
    ind = pd.DataFrame(
        {
            "human_capital": f["hc"],
            "labour_productivity": f["rgdpo"] / f["emp"],
            "labour_share": f["labsh"],
            "capital_per_worker": np.log(f["cn"] / f["emp"]),
            "investment_share": f["csh_i"],
            "capital_depreciation": f["delta"],
            "tfp_level": f["ctfp"],
            "export_share": f["csh_x"],
            "gdp_per_capita": np.log(f["rgdpe"] / f["pop"]),
        }
    )
    complete = ind.notna().all(axis=1).groupby(level="unit").all()
    complete &= ind.groupby(level="unit").size() == len(DEMO_PERIODS)
    return ind[ind.index.get_level_values("unit").isin(complete[complete].index)]


def test_writes_the_fixed_names_and_says_where(first):
    out = first["out"]
    assert {p.name for p in out.iterdir()} == FIXED | {".nqpf-files"}  # + the file list
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                     if p.is_file() and p.name != ".nqpf-files")
    assert man["outputs"] == on_disk
    assert man["parameters"]["framework"] == "pwt-demo"
    assert man["parameters"]["periods"] == list(DEMO_PERIODS)
    p = man["parameters"]
    # README: 182 countries in the extract; the demo keeps those with complete data
    assert len(p["units"]) + len(p["units_left_out"]) == 182 and len(p["units"]) >= 100
    assert p["recipe"]["weights"] == "entropy" and p["recipe"]["normalise"] == "minmax"
    assert man["inputs"][0]["path"].endswith("pwt91_demo.csv")
    for stem in ("scores_by_year", "ranks_by_year", "weights", "dimension_scores",
                 "tfp_growth_accounting", "dagum", "robustness_ranks"):
        for ext in ("csv", "tex", "dta"):
            assert (out / "tables" / f"{stem}.{ext}").is_file(), (stem, ext)
    assert (out / "figures" / "index_bump.png").is_file()
    assert (out / "figures" / "index_bump.svg").is_file()
    text = flat(first["stdout"])
    assert f"Report: {out / 'report.html'}" in text
    assert "Country-level NQPF demonstration (PWT 9.1), 2017" in text
    assert "Outputs in" in text and "report.html" in text


def test_outputs_reproduce_the_documented_recipe(first):
    out = first["out"]
    ind = _hand_indicators()
    x = ind
    z = (x - x.min()) / (x.max() - x.min())  # every pwt-demo indicator is a benefit (+)
    p = (z / z.sum()).to_numpy()
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(len(z))
    w_hand = pd.Series((1 - e) / (1 - e).sum(), index=z.columns)

    w = _csv(out / "tables" / "weights.csv")
    w_ind = w[w["level"] == "indicator"].set_index("node")["effective_weight"]
    assert set(w_ind.index) == set(PWT_IDS)
    assert np.allclose(w_ind.loc[w_hand.index], w_hand, atol=1e-10)
    for _parent, g in w.groupby("parent"):
        assert g["weight"].sum() == pytest.approx(1.0, abs=1e-12)

    hand = (z * w_hand).sum(axis=1)
    sc = _csv(out / "tables" / "scores_by_year.csv").set_index("unit")
    assert sorted(sc.index) == sorted(set(ind.index.get_level_values("unit")))
    for t in DEMO_PERIODS:
        got = sc[str(t)]
        want = hand.xs(t, level="period")
        assert np.allclose(got.loc[want.index], want, atol=1e-10)


def test_printed_ranking_is_the_last_year(first):
    rk = _csv(first["out"] / "tables" / "ranks_by_year.csv")
    last = rk.sort_values(str(DEMO_PERIODS[-1]))
    top = last.iloc[0]
    assert top["unit"] in first["stdout"] and top["name"] in first["stdout"]
    assert rk.loc[rk["unit"] == "CHE", "name"].item() == "Switzerland"
    assert sorted(last[str(DEMO_PERIODS[-1])]) == list(range(1, len(rk) + 1))


def test_existing_folder_is_refused_without_force(first):
    before = {p.name: p.stat().st_mtime_ns for p in first["out"].iterdir()}
    rc, _stdout, stderr = run("demo", "--out", first["out"])
    after = {p.name: p.stat().st_mtime_ns for p in first["out"].iterdir()}
    assert rc == 2 and "--force" in stderr and "not empty" in stderr
    assert "Traceback" not in stderr
    assert before == after


def test_chinese_labels_and_identical_numbers(first, light_zh):
    out = light_zh.out_dir
    zh = _csv(out / "tables" / "ranks_by_year.csv")
    en = _csv(first["out"] / "tables" / "ranks_by_year.csv")
    assert list(zh.columns[:2]) == ["unit", "name"]
    shown = next(t for t in light_zh.output.tables() if t.name == "ranks_by_year").frame
    assert list(shown.columns[:2]) == ["地区代码", "名称"]
    names = dict(zip(zh["unit"], zh["name"], strict=True))
    assert names["CHE"] == "瑞士" and names["USA"] == "美国"
    assert zh["unit"].tolist() == en["unit"].tolist()
    assert (zh.iloc[:, 2:].to_numpy() == en.iloc[:, 2:].to_numpy()).all()
    assert light_zh.output.title == "国家层面新质生产力演示研究 (佩恩表 9.1)"


def test_same_study_same_tables(first, tmp_path):
    """The light English run writes the index tables byte for byte as the full run did."""
    res = run_study(demo_study_path(), tmp_path / "en", overrides=LIGHT)
    for name in ("scores_by_year", "ranks_by_year", "weights", "dimension_scores",
                 "index_summary", "coverage"):
        a = (first["out"] / "tables" / f"{name}.csv").read_bytes()
        assert (res.out_dir / "tables" / f"{name}.csv").read_bytes() == a, name


def test_bad_language_is_a_usage_error(tmp_path):
    rc, _, stderr = run("demo", "--out", tmp_path / "x", "--lang", "fr")
    assert rc == 2
    assert "unknown language 'fr'" in stderr
    assert "internal error" not in stderr
    assert not (tmp_path / "x").exists()


def test_prepare_out_dir(tmp_path):
    new = prepare_out_dir(tmp_path / "a" / "b", force=False)
    assert new.is_dir()
    assert prepare_out_dir(new, force=False) == new  # an empty folder is fine
    (new / "keep.txt").write_text("mine")
    with pytest.raises(DataError, match="--force"):
        prepare_out_dir(new, force=False)
    assert prepare_out_dir(new, force=True) == new
    assert (new / "keep.txt").read_text() == "mine"  # force never deletes the user's files
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(DataError, match="not a folder"):
        prepare_out_dir(f, force=True)


def test_bundled_files():
    p = demo_data_path()
    assert p.name == "pwt91_demo.csv" and p.is_file()
    header = p.read_text(encoding="utf-8").splitlines()[0]
    assert "isocode" in header and "year" in header and "ctfp" in header
    s = demo_study_path()
    assert s.name == "demo_study.yaml" and "builtin: pwt91-demo" in s.read_text("utf-8")
