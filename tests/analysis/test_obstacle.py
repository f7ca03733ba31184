"""Obstacle degree on small index results, checked against hand computations."""

import numpy as np
import pandas as pd
import pytest

from nqpf import DataError, Panel
from nqpf.analysis.obstacle import obstacle
from nqpf.index import build_index

FW = {
    "id": "toy",
    "name_zh": "玩具",
    "name_en": "Toy",
    "dimensions": [
        {
            "id": "d1", "name_zh": "一", "weight": 0.6,
            "indicators": [
                {"id": "a", "name_zh": "甲", "unit": "", "direction": "+", "weight": 1},
                {"id": "b", "name_zh": "乙", "unit": "", "direction": "-", "weight": 3},
            ],
        },
        {
            "id": "d2", "name_zh": "二", "weight": 0.4,
            "indicators": [{"id": "c", "name_zh": "丙", "unit": "", "direction": "+"}],
        },
    ],
}

# 3 units x 2 periods; columns a (+), b (-), c (+)
DATA = {
    ("u1", 2020): (1.0, 10.0, 5.0),
    ("u1", 2021): (2.0, 8.0, 6.0),
    ("u2", 2020): (3.0, 6.0, 0.0),
    ("u2", 2021): (4.0, 4.0, 2.0),
    ("u3", 2020): (5.0, 2.0, 3.0),
    ("u3", 2021): (6.0, 0.0, 4.0),
}


def _panel(data=DATA) -> Panel:
    rows = [{"unit": u, "period": t, "a": v[0], "b": v[1], "c": v[2]} for (u, t), v in data.items()]
    return Panel.from_wide(pd.DataFrame(rows), unit="unit", period="period")


def _get(table, unit, period, **kw):
    m = (table.unit == unit) & (table.period == period)
    for k, v in kw.items():
        m &= table[k] == v
    return table[m]


def test_hand_computed_obstacles_with_expert_weights():
    res = build_index(_panel(), FW, weights="expert", explain=True)
    ob = obstacle(res)
    # F = (0.6*0.25, 0.6*0.75, 0.4) = (0.15, 0.45, 0.4)
    # u1 2020: z = (0, 0, 5/6) -> I = (1, 1, 1/6) -> F I = (0.15, 0.45, 0.4/6), sum 2/3
    u1 = _get(ob.table, "u1", 2020).set_index("indicator")
    assert u1["factor"].tolist() == pytest.approx([0.15, 0.45, 0.4])
    assert u1["deviation"].tolist() == pytest.approx([1.0, 1.0, 1 / 6])
    assert u1["obstacle"].tolist() == pytest.approx([22.5, 67.5, 10.0])
    assert u1["dimension"].tolist() == ["d1", "d1", "d2"]
    d = _get(ob.dimension, "u1", 2020).set_index("dimension")["obstacle"]
    assert d["d1"] == pytest.approx(90.0) and d["d2"] == pytest.approx(10.0)
    # u3 2021 is at the top on a and b: all its obstacle is c
    u3 = _get(ob.table, "u3", 2021).set_index("indicator")["obstacle"]
    assert u3.tolist() == pytest.approx([0.0, 0.0, 100.0])
    # every unit-period sums to 100
    sums = ob.table.groupby(["unit", "period"])["obstacle"].sum()
    assert np.allclose(sums, 100.0)
    assert np.allclose(ob.dimension.groupby(["unit", "period"])["obstacle"].sum(), 100.0)


def test_obstacles_split_the_shortfall_of_a_weighted_sum_index():
    res = build_index(_panel(), FW, explain=True)  # entropy weights, weighted sum
    ob = obstacle(res)
    t = ob.table.assign(fi=ob.table["factor"] * ob.table["deviation"])
    fi = t.groupby(["unit", "period"])["fi"].sum()
    idx = res.scores[res.scores.node == "index"].set_index(["unit", "period"])["score"]
    assert np.allclose(fi.sort_index(), 1 - idx.sort_index())
    # F is the indicators' effective weight in the index
    eff = res.weights.set_index("node")["effective_weight"]
    for ind, f in ob.table.groupby("indicator")["factor"].first().items():
        assert f == pytest.approx(eff[ind])


def test_top_obstacles_ranked_with_ties_in_framework_order():
    res = build_index(_panel(), FW, weights="expert", explain=True)
    top = obstacle(res, top=2).top
    u1 = _get(top, "u1", 2020)
    assert u1["rank"].tolist() == [1, 2]
    assert u1["indicator"].tolist() == ["b", "a"]
    assert u1["obstacle"].tolist() == pytest.approx([67.5, 22.5])
    assert len(top) == 6 * 2
    eq = build_index(_panel(), FW, weights="equal", explain=True)
    # equal weights: u1 2020 has I = (1, 1, 1/6): a and b tie, a first (framework order)
    assert _get(obstacle(eq).top, "u1", 2020)["indicator"].tolist()[:2] == ["a", "b"]


def test_tables_and_summary():
    ob = obstacle(build_index(_panel(), FW, weights="expert", explain=True))
    t = ob.tables()
    assert list(t["obstacle"].columns) == ["unit", "period", "indicator", "dimension", "factor",
                                           "deviation", "obstacle"]
    assert set(t) == {"obstacle", "obstacle_dimension", "obstacle_top"}
    assert list(t["obstacle_dimension"].columns) == ["unit", "period", "dimension", "obstacle"]
    assert list(t["obstacle_top"].columns[:5]) == ["unit", "period", "rank", "indicator",
                                                   "dimension"]
    s = ob.summary()
    row = s[(s.period == 2020) & (s.dimension == "d1")].iloc[0]
    expected = ob.dimension[(ob.dimension.period == 2020) & (ob.dimension.dimension == "d1")]
    assert row["mean_obstacle"] == pytest.approx(expected["obstacle"].mean())
    assert ob.plot(2020).axes


def test_subdimensions_roll_up_into_their_dimension():
    fw = {
        "id": "nested", "name_zh": "嵌套", "name_en": "Nested",
        "dimensions": [
            {"id": "d1", "name_zh": "一", "children": [
                {"id": "s1", "name_zh": "子一", "indicators": [
                    {"id": "a", "name_zh": "甲", "unit": "", "direction": "+"},
                    {"id": "b", "name_zh": "乙", "unit": "", "direction": "-"}]},
                {"id": "s2", "name_zh": "子二", "indicators": [
                    {"id": "c", "name_zh": "丙", "unit": "", "direction": "+"}]},
            ]},
            {"id": "d2", "name_zh": "二", "indicators": [
                {"id": "e", "name_zh": "丁", "unit": "", "direction": "+"}]},
        ],
    }
    data = {k: (*v, v[0] * 2 + 1) for k, v in DATA.items()}
    rows = [{"unit": u, "period": t, "a": v[0], "b": v[1], "c": v[2], "e": v[3]}
            for (u, t), v in data.items()]
    panel = Panel.from_wide(pd.DataFrame(rows), unit="unit", period="period")
    ob = obstacle(build_index(panel, fw, weights="equal", explain=True))
    assert ob.table.set_index("indicator").loc["c", "dimension"].iloc[0] == "d1"
    per = ob.table.groupby(["unit", "period", "dimension"])["obstacle"].sum()
    dim = ob.dimension.set_index(["unit", "period", "dimension"])["obstacle"]
    assert np.allclose(dim.sort_index(), per.sort_index())
    # u1 2020: z = (0, 0, 5/6, 0), F = 1/4 each -> I sum = 3 + 1/6; d1 = (2 + 1/6)/(3 + 1/6)
    d = _get(ob.dimension, "u1", 2020).set_index("dimension")["obstacle"]
    assert d["d1"] == pytest.approx(100 * (13 / 6) / (19 / 6))


def test_rebuild_from_the_panel_when_explain_is_missing():
    plain = build_index(_panel(), FW)
    with pytest.raises(DataError, match="explain=True"):
        obstacle(plain)
    with pytest.raises(DataError, match="framework"):
        obstacle(plain, panel=_panel())  # 'toy' is not a built-in framework id
    ob = obstacle(plain, panel=_panel(), framework=FW)
    ref = obstacle(build_index(_panel(), FW, explain=True))
    assert np.allclose(ob.table["obstacle"], ref.table["obstacle"])
    assert ob.params["recomputed_with_explain"] is True
    other = {k: (v[0] ** 2, v[1], v[2]) for k, v in DATA.items()}
    with pytest.raises(DataError, match="do not reproduce"):
        obstacle(plain, panel=_panel(other), framework=FW)


def test_normalisations_off_the_unit_scale_are_refused():
    z = build_index(_panel(), FW, normalise="zscore", weights="equal", explain=True)
    with pytest.raises(DataError, match="'zscore' normalisation"):
        obstacle(z)
    v = build_index(_panel(), FW, normalise="vector", weights="equal", aggregate="topsis",
                    explain=True)
    with pytest.raises(DataError, match="'vector'"):
        obstacle(v)
    base = build_index(_panel(), FW, weights="equal", panel_mode="base-year",
                       base_period=2020, explain=True)
    with pytest.raises(DataError, match="outside \\[0, 1\\].*base-year"):
        obstacle(base)


def test_shifted_scores_and_the_scale_deviation():
    res = build_index(_panel(), FW, weights="expert", shift=("add", 0.01), explain=True)
    with pytest.raises(DataError, match="deviation='scale'"):
        obstacle(res)
    # distance from the top of the shifted scale = 1 - z: the unshifted obstacles
    shifted = obstacle(res, deviation="scale")
    plain = obstacle(build_index(_panel(), FW, weights="expert", explain=True))
    assert np.allclose(shifted.table["obstacle"], plain.table["obstacle"])
    aff = build_index(_panel(), FW, weights="expert", shift=("affine", 0.996, 0.002),
                      explain=True)
    lit = obstacle(aff)  # scores in [0.002, 0.998]: the literature's 1 - z' is allowed
    u1 = _get(lit.table, "u1", 2020)["deviation"].tolist()
    assert u1 == pytest.approx([0.998, 0.998, 1 - (0.996 * 5 / 6 + 0.002)])


def test_missing_cells_are_left_out_and_rows_still_sum_to_100():
    data = dict(DATA)
    data[("u2", 2021)] = (4.0, np.nan, 2.0)
    res = build_index(_panel(data), FW, weights="expert", explain=True)
    ob = obstacle(res)
    assert ob.params["missing_cells"] == 1
    u2 = _get(ob.table, "u2", 2021)
    assert u2["indicator"].tolist() == ["a", "c"]
    assert u2["obstacle"].sum() == pytest.approx(100.0)
    # z_a = 0.6, z_c = 1/3 -> F I = (0.15*0.4, 0.4*2/3)
    fa, fc = 0.15 * 0.4, 0.4 * 2 / 3
    assert u2["obstacle"].tolist() == pytest.approx([100 * fa / (fa + fc), 100 * fc / (fa + fc)])


def test_bad_arguments():
    res = build_index(_panel(), FW, explain=True)
    with pytest.raises(DataError, match="top"):
        obstacle(res, top=0)
    with pytest.raises(DataError, match="deviation"):
        obstacle(res, deviation="sideways")
    with pytest.raises(DataError, match="index result"):
        obstacle(pd.DataFrame())
