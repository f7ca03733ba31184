"""Index variants side by side, strengths and weaknesses, the outranking matrix."""

import numpy as np
import pandas as pd
import pytest

from nqpf import DataError, Panel, Recipe, build_index
from nqpf.index.insight import compare_variants, outranking, strengths_weaknesses

FW = {"id": "ins", "name_zh": "洞察", "dimensions": [
    {"id": "d1", "name_zh": "一", "indicators": [
        {"id": "a", "name_zh": "甲", "unit": "", "direction": "+"},
        {"id": "b", "name_zh": "乙", "unit": "", "direction": "-"}]},
    {"id": "d2", "name_zh": "二", "indicators": [
        {"id": "c", "name_zh": "丙", "unit": "", "direction": "+"}]}]}


@pytest.fixture
def panel():
    v = np.array([[[3.0, 1.0, 5.0]], [[1.0, 2.0, 9.0]], [[2.0, 3.0, 1.0]], [[4.0, 4.0, 2.0]]])
    return Panel(v, ("w", "x", "y", "z"), (2022,), ("a", "b", "c"))


def test_compare_variants_ranks_and_shifts(panel):
    a = build_index(panel, FW, Recipe(weights="equal"))
    b = build_index(panel, FW, Recipe(weights="critic"))
    t = compare_variants({"equal": a, "critic": b})
    ra = a.scores[a.scores["node"] == "index"].set_index("unit")["rank"]
    rb = b.scores[b.scores["node"] == "index"].set_index("unit")["rank"]
    got = t.set_index("unit")
    assert (got["shift:critic"] == (ra - rb).reindex(got.index)).all()
    assert t.attrs["mean_abs_shift"]["critic"] == pytest.approx(float((ra - rb).abs().mean()))
    assert list(t["rank:equal"]) == sorted(t["rank:equal"])
    with pytest.raises(DataError, match="two"):
        compare_variants({"a": a})


def test_strengths_and_weaknesses_by_rank(panel):
    res = build_index(panel, FW, Recipe(weights="equal"))
    sw = strengths_weaknesses(res, panel, top=1, framework=FW)
    w = sw[sw["unit"] == "w"].set_index("kind")
    # w: a = 3 (2nd), b = 1 is best for a cost indicator (1st), c = 5 (2nd)
    assert w.loc["strength", "indicator"] == "b" and w.loc["strength", "rank"] == 1
    assert w.loc["weakness", "rank"] == 2
    x = sw[sw["unit"] == "x"].set_index("kind")
    assert x.loc["strength", "indicator"] == "c" and x.loc["weakness", "indicator"] == "a"


def test_outranking_matrix_by_hand():
    X = pd.DataFrame({"a": [3.0, 1.0, 3.0], "b": [1.0, 2.0, 2.0]}, index=["p", "q", "r"])
    M, dom = outranking(X, directions=[1, -1], weights=[0.75, 0.25])
    # p vs q: a 3 > 1 (0.75); b cost 1 < 2 (0.25) -> 1.0
    assert M.loc["p", "q"] == pytest.approx(1.0)
    # p vs r: a tie (0.375); b 1 < 2 wins (0.25) -> 0.625
    assert M.loc["p", "r"] == pytest.approx(0.625)
    np.testing.assert_allclose(M.to_numpy() + M.to_numpy().T, 1.0)
    assert dom.to_dict() == {"p": 2, "q": 0, "r": 1}


def test_index_command_screens_units_and_writes_the_profile(panel, tmp_path):
    import yaml

    from clitools import flat, run

    v = panel.values.copy()
    v[1, 0, :2] = np.nan
    p = panel.replace(values=v)
    data = tmp_path / "data.csv"
    p.to_wide().reset_index().to_csv(data, index=False)
    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump(FW, allow_unicode=True), encoding="utf-8")
    rc, _, err = run("index", data, "--framework", fw, "--weights", "equal", "--screen", "0.66",
                     "--profile", "--units", "none", "--lang", "en", "--out", tmp_path / "o")
    assert rc == 0, err
    assert "1 unit(s) dropped" in flat(err) and "x (33%" in flat(err)
    sc = pd.read_csv(tmp_path / "o" / "scores.csv")
    assert "x" not in set(sc["unit"])
    M = pd.read_csv(tmp_path / "o" / "outranking.csv").set_index("unit")
    np.testing.assert_allclose(M.drop(columns="dominance").to_numpy()
                               + M.drop(columns="dominance").to_numpy().T, 1.0)
    assert (tmp_path / "o" / "framework.png").stat().st_size > 10_000
    sw = pd.read_csv(tmp_path / "o" / "strengths_weaknesses.csv")
    assert set(sw["kind"]) == {"strength", "weakness"}


def test_index_command_compares_variants(panel, tmp_path):
    import yaml

    from clitools import flat, run

    data = tmp_path / "data.csv"
    panel.to_wide().reset_index().to_csv(data, index=False)
    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump(FW, allow_unicode=True), encoding="utf-8")
    alt = tmp_path / "critic.yaml"
    alt.write_text("weights: critic\n", encoding="utf-8")
    rc, _, err = run("index", data, "--framework", fw, "--weights", "equal", "--compare", alt,
                     "--units", "none", "--lang", "en", "--out", tmp_path / "o")
    assert rc == 0, err
    assert "mean absolute rank shift against the base recipe: critic" in flat(err)
    v = pd.read_csv(tmp_path / "o" / "variants.csv")
    assert list(v.columns) == ["unit", "rank:base", "rank:critic", "shift:critic"]
