"""End-to-end tests of ``nqpf demo`` (the main job on the bundled Penn World Table extract).

The demo runs twice in this module (about 4 s each): once in English into a new folder,
then again into the same folder with ``--force --lang zh``. Every test reads those two
runs' outputs; the checks recompute the documented recipe (min-max over the pooled panel,
entropy weights, weighted sum) from ``indicators.csv`` by hand.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clitools import flat, run
from nqpf.demo import DEMO_PERIODS, demo_data_path
from nqpf.errors import DataError
from nqpf.output import prepare_out_dir

#: the files README.md lists for the demo folder
README_FILES = {
    "validation.csv",
    "indicators.csv",
    "scores.csv",
    "weights.csv",
    "index.xlsx",
    "recipe.json",
    "ranking.csv",
    "demo.json",
    "kernel",
    "typology",
}
PWT_IDS = {
    "human_capital",
    "labour_productivity",
    "labour_share",
    "capital_per_worker",
    "investment_share",
    "capital_depreciation",
    "tfp_level",
    "export_share",
    "gdp_per_capita",
}








@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """The demo run once in English into a new folder."""
    out = tmp_path_factory.mktemp("demo") / "nqpf-demo"
    rc, stdout, stderr = run("demo", "--out", out)
    assert rc == 0, stderr
    return {
        "out": out,
        "stdout": stdout,
        "scores_bytes": (out / "scores.csv").read_bytes(),
        "ranking": pd.read_csv(out / "ranking.csv"),
    }


@pytest.fixture(scope="module")
def refused(first):
    """A second run into the same, now non-empty folder, without --force."""
    before = {p.name: p.stat().st_mtime_ns for p in first["out"].iterdir()}
    rc, stdout, stderr = run("demo", "--out", first["out"])
    after = {p.name: p.stat().st_mtime_ns for p in first["out"].iterdir()}
    return rc, stderr, before, after


@pytest.fixture(scope="module")
def again_zh(first, refused):
    """The demo again into the same folder with --force, Chinese labels."""
    rc, stdout, stderr = run("demo", "--out", first["out"], "--force", "--lang", "zh")
    assert rc == 0, stderr
    return {"out": first["out"], "stdout": stdout}


def test_writes_the_files_readme_lists(first):
    out = first["out"]
    assert {p.name for p in out.iterdir()} == README_FILES
    manifest = json.loads((out / "demo.json").read_text("utf-8"))
    # the manifest lists every file of the folder, itself included
    assert set(manifest["files"]) == README_FILES
    assert manifest["framework"] == "pwt-demo"
    assert manifest["periods"] == [2005, 2017]
    # README: 182 countries in the extract; the demo keeps those with complete data
    assert manifest["units"] + len(manifest["units_left_out"]) == 182
    assert manifest["units"] >= 100
    assert manifest["recipe"]["weights"] == "entropy"
    assert manifest["recipe"]["aggregate"] == "sum"
    assert manifest["recipe"]["normalise"] == "minmax"
    assert "Outputs in" in first["stdout"] and "ranking.csv" in first["stdout"]


def test_ranking_columns_and_ranks(first):
    rk = first["ranking"]
    manifest = json.loads((first["out"] / "demo.json").read_text("utf-8"))
    assert list(rk.columns) == ["unit", "name", "score", "rank"]
    n = len(rk)
    assert n == manifest["units"]
    assert rk["rank"].tolist() == list(range(1, n + 1))
    assert rk["unit"].is_unique
    assert (np.diff(rk["score"].to_numpy()) <= 0).all()
    assert rk.loc[rk["unit"] == "CHE", "name"].item() == "Switzerland"
    # the printed table leads with the rank-1 country of ranking.csv
    top = rk.iloc[0]
    assert top["unit"] in first["stdout"] and top["name"] in first["stdout"]
    assert "Country-level NQPF demonstration (PWT 9.1), 2017" in flat(first["stdout"])
    # ranking.csv is the last year of scores.csv, node "index"
    sc = pd.read_csv(first["out"] / "scores.csv")
    last = sc[(sc["node"] == "index") & (sc["period"] == DEMO_PERIODS[-1])].set_index("unit")
    assert np.allclose(rk.set_index("unit")["score"], last.loc[rk["unit"], "score"])
    assert (rk.set_index("unit")["rank"] == last.loc[rk["unit"], "rank"]).all()


def test_scores_in_unit_interval(first):
    sc = pd.read_csv(first["out"] / "scores.csv")
    assert list(sc.columns) == ["unit", "period", "node", "score", "rank", "level"]
    assert set(sc["node"]) == {"index", "labourers", "means_of_labour", "objects_of_labour"}
    assert sc["score"].notna().all()  # only countries with complete data are kept
    assert sc["score"].between(0.0, 1.0).all()
    assert set(sc["period"]) == set(DEMO_PERIODS)
    # ranks within each node and period run 1..n
    for (_node, _period), g in sc.groupby(["node", "period"]):
        assert sorted(g["rank"]) == list(range(1, len(g) + 1))


def test_weights_sum_to_one(first):
    w = pd.read_csv(first["out"] / "weights.csv")
    assert list(w.columns[:3]) == ["parent", "node", "weight"]
    ind = w[w["level"] == "indicator"]
    assert set(ind["node"]) == PWT_IDS
    assert ind["effective_weight"].sum() == pytest.approx(1.0, abs=1e-12)
    for parent, g in w.groupby("parent"):
        assert g["weight"].sum() == pytest.approx(1.0, abs=1e-12), parent
    # effective weight = local weight × the parent's effective weight
    eff = dict(zip(w["node"], w["effective_weight"], strict=True))
    eff["index"] = 1.0
    for row in w.itertuples():
        assert row.effective_weight == pytest.approx(row.weight * eff[row.parent], abs=1e-12)


def test_outputs_reproduce_the_documented_recipe(first):
    """Min-max over the pooled panel, entropy weights (0·ln 0 = 0), weighted sum."""
    out = first["out"]
    ind = pd.read_csv(out / "indicators.csv")
    assert list(ind.columns) == ["unit", "period", "indicator", "value", "imputed"]
    assert set(ind["indicator"]) == PWT_IDS
    x = ind.pivot_table(index=["unit", "period"], columns="indicator", values="value")
    z = (x - x.min()) / (x.max() - x.min())  # every pwt-demo indicator is a benefit (+)
    p = (z / z.sum()).to_numpy()
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(len(z))
    w_hand = pd.Series((1 - e) / (1 - e).sum(), index=z.columns)

    w = pd.read_csv(out / "weights.csv")
    w_ind = w[w["level"] == "indicator"].set_index("node")["effective_weight"]
    assert np.allclose(w_ind.loc[w_hand.index], w_hand, atol=1e-12)

    sc = pd.read_csv(out / "scores.csv")
    idx = sc[sc["node"] == "index"].set_index(["unit", "period"])["score"]
    hand = (z * w_hand).sum(axis=1)
    assert np.allclose(idx.loc[hand.index], hand, atol=1e-12)
    # a dimension's score uses its indicators' local weights
    lab = w[w["parent"] == "labourers"].set_index("node")["weight"]
    hand_lab = (z[lab.index] * lab).sum(axis=1)
    got_lab = sc[sc["node"] == "labourers"].set_index(["unit", "period"])["score"]
    assert np.allclose(got_lab.loc[hand_lab.index], hand_lab, atol=1e-12)


def test_existing_folder_is_refused_without_force(refused):
    rc, stderr, before, after = refused
    assert rc == 2
    assert "--force" in stderr
    assert "not empty" in stderr
    assert "Traceback" not in stderr
    assert before == after  # nothing was rewritten


def test_force_and_chinese_labels(again_zh, first):
    out = again_zh["out"]
    assert {p.name for p in out.iterdir()} == README_FILES
    rk = pd.read_csv(out / "ranking.csv")
    names = dict(zip(rk["unit"], rk["name"], strict=True))
    assert names["CHE"] == "瑞士"
    assert names["USA"] == "美国"
    # the printed ranking shows the Chinese name of the first country, and the zh title
    assert names[rk["unit"].iloc[0]] in again_zh["stdout"]
    assert "国家层面新质生产力演示框架(PWT 9.1), 2017" in flat(again_zh["stdout"])
    # same order as the English run
    assert rk["unit"].tolist() == first["ranking"]["unit"].tolist()


def test_deterministic(again_zh, first):
    assert (again_zh["out"] / "scores.csv").read_bytes() == first["scores_bytes"]


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


def test_demo_data_path_is_the_bundled_csv():
    p = demo_data_path()
    assert p.name == "pwt91_demo.csv" and p.is_file()
    header = p.read_text(encoding="utf-8").splitlines()[0]
    assert "isocode" in header and "year" in header and "ctfp" in header
