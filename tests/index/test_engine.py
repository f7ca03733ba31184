"""The index engine over a framework tree, checked against independent hand computations."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nqpf import DataError, FrameworkError, Panel
from nqpf.framework import load_framework
from nqpf.index import Recipe, build_index, compare

FW = {
    "id": "toy",
    "name_zh": "玩具",
    "name_en": "Toy",
    "dimensions": [
        {
            "id": "d1",
            "name_zh": "一",
            "name_en": "One",
            "weight": 0.6,
            "indicators": [
                {"id": "a", "name_zh": "甲", "unit": "", "direction": "+", "weight": 1},
                {"id": "b", "name_zh": "乙", "unit": "", "direction": "-", "weight": 3},
            ],
        },
        {
            "id": "d2",
            "name_zh": "二",
            "name_en": "Two",
            "weight": 0.4,
            "indicators": [{"id": "c", "name_zh": "丙", "unit": "", "direction": "+"}],
        },
    ],
}

# 3 units x 2 periods; columns a, b, c
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


def _pooled_minmax(X, dirs):
    lo, hi = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    Z = (X - lo) / (hi - lo)
    return np.where(dirs > 0, Z, 1 - Z)


def _entropy(Z):
    n = Z.shape[0]
    P = Z / Z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        PL = np.where(P > 0, P * np.log(P), 0.0)
    e = -PL.sum(axis=0) / np.log(n)
    d = 1 - e
    return d / d.sum()


def _score(res, node, unit, period):
    s = res.scores
    return s[(s.node == node) & (s.unit == unit) & (s.period == period)]["score"].item()


def test_default_recipe_equals_hand_computed_entropy_sum():
    X = np.array(list(DATA.values()))
    dirs = np.array([1, -1, 1])
    Z = _pooled_minmax(X, dirs)
    w = _entropy(Z)
    res = build_index(_panel(), FW)
    for i, (u, t) in enumerate(DATA):
        assert _score(res, "index", u, t) == pytest.approx(Z[i] @ w, abs=1e-12)
        assert _score(res, "d1", u, t) == pytest.approx(Z[i, :2] @ w[:2] / w[:2].sum(), abs=1e-12)
        assert _score(res, "d2", u, t) == pytest.approx(Z[i, 2], abs=1e-12)
    ww = res.weights.set_index("node")
    assert ww.loc["d1", "weight"] == pytest.approx(w[:2].sum())
    assert ww.loc["a", "effective_weight"] == pytest.approx(w[0])
    # weights sum to 1 under every parent; effective weights of indicators sum to 1
    assert np.allclose(res.weights.groupby("parent")["weight"].sum(), 1.0)
    leaves = res.weights[res.weights.level == "indicator"]
    assert leaves["effective_weight"].sum() == pytest.approx(1.0)


def test_ranks_within_each_period():
    res = build_index(_panel(), FW, weights="equal")
    r = res.ranking(2021)
    assert r["rank"].tolist() == [1, 2, 3]
    # equal weights: u3 2021: a=1, b=(10-0)/10=1, c=4/6 -> d1=1, d2=2/3 -> index=(1+1+2/3)/3
    assert r.iloc[0]["unit"] == "u3"
    assert r.iloc[0]["score"] == pytest.approx((1 + 1 + 4 / 6) / 3)
    ch = res.changes()
    u1 = ch[ch.unit == "u1"].set_index("period")
    assert np.isnan(u1.loc[2020, "score_change"])
    assert u1.loc[2021, "score_change"] == pytest.approx(
        _score(res, "index", "u1", 2021) - _score(res, "index", "u1", 2020)
    )


def test_expert_weights_flat_are_products_of_node_weights():
    res = build_index(_panel(), FW, weights="expert")
    eff = res.weights.set_index("node")["effective_weight"]
    assert eff["a"] == pytest.approx(0.6 * 0.25)
    assert eff["b"] == pytest.approx(0.6 * 0.75)
    assert eff["c"] == pytest.approx(0.4)


def test_expert_weights_missing_is_an_error():
    fw = {**FW, "dimensions": [{**d, "weight": None} for d in FW["dimensions"]]}
    with pytest.raises(FrameworkError, match="without a weight"):
        build_index(_panel(), fw, weights="expert")


def test_ahp_weights_from_pairwise_matrices():
    rec = Recipe(
        weights="ahp",
        ahp={"index": [[1, 3], [1 / 3, 1]], "d1": [[1, 1], [1, 1]], "d2": [[1]]},
    )
    res = build_index(_panel(), FW, rec)
    eff = res.weights.set_index("node")["effective_weight"]
    assert eff["a"] == pytest.approx(0.75 * 0.5)
    assert eff["c"] == pytest.approx(0.25)
    with pytest.raises(DataError, match="no pairwise matrix"):
        build_index(_panel(), FW, Recipe(weights="ahp", ahp={"index": [[1, 3], [1 / 3, 1]]}))


def test_cost_direction_equals_negated_benefit():
    fw2 = {**FW, "dimensions": [dict(FW["dimensions"][0]), FW["dimensions"][1]]}
    inds = [dict(i) for i in fw2["dimensions"][0]["indicators"]]
    inds[1]["direction"] = "+"
    fw2["dimensions"][0]["indicators"] = inds
    neg = {k: (v[0], -v[1], v[2]) for k, v in DATA.items()}
    for w in ("entropy", "critic", "cv", "equal"):
        a = build_index(_panel(), FW, weights=w).scores["score"].to_numpy()
        b = build_index(_panel(neg), fw2, weights=w).scores["score"].to_numpy()
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_rescaling_an_indicator_changes_nothing():
    scaled = {k: (v[0] * 1000, v[1], v[2] / 7) for k, v in DATA.items()}
    for w in ("entropy", "critic", "cv", "sd"):
        a = build_index(_panel(), FW, weights=w)
        b = build_index(_panel(scaled), FW, weights=w)
        np.testing.assert_allclose(a.weights["weight"], b.weights["weight"], atol=1e-12)
        np.testing.assert_allclose(a.scores["score"], b.scores["score"], atol=1e-12)


def test_one_missing_cell_only_touches_its_own_unit_period():
    holed = dict(DATA)
    holed[("u2", 2021)] = (np.nan, 4.0, 2.0)
    res = build_index(_panel(holed), FW, weights="equal")
    s = res.scores
    assert s["score"].notna().all()
    full = build_index(_panel(), FW, weights="equal").scores
    same = ~((s.unit == "u2") & (s.period == 2021))
    # equal weights and pooled min-max: a's range is unchanged (1..6), so others keep their scores
    np.testing.assert_allclose(s[same]["score"], full[same]["score"], atol=1e-12)
    # u2 2021's d1 score uses b alone (renormalised weights)
    assert _score(res, "d1", "u2", 2021) == pytest.approx(0.6)


def test_hierarchical_with_level_overrides():
    rec = Recipe(
        structure="hierarchical",
        weights="equal",
        levels={"index": {"aggregate": "geometric", "weights": "expert"}},
        shift=("add", 0.01),
    )
    res = build_index(_panel(), FW, rec)
    X = np.array(list(DATA.values()))
    Z = _pooled_minmax(X, np.array([1, -1, 1])) + 0.01
    d1 = Z[:, :2].mean(axis=1)
    d2 = Z[:, 2]
    idx = d1**0.6 * d2**0.4
    got = res.scores[res.scores.node == "index"].set_index(["unit", "period"])["score"]
    for i, key in enumerate(DATA):
        assert got[key] == pytest.approx(idx[i], abs=1e-12)
    with pytest.raises(DataError, match="hierarchical"):
        Recipe(levels={"index": {"weights": "equal"}})


def test_topsis_explain_tables_and_per_period_reference():
    res = build_index(_panel(), FW, aggregate="topsis", panel_mode="per-period", explain=True)
    keys = list(res.explain)
    assert "normalised" in keys
    assert any(k.startswith("weights index entropy") for k in keys)
    byunit = res.explain["aggregate index topsis by unit"]
    assert {"unit", "period", "d_plus", "d_minus"} <= set(byunit.columns)
    c = byunit["d_minus"] / (byunit["d_plus"] + byunit["d_minus"])
    got = res.scores[res.scores.node == "index"]["score"].to_numpy()
    np.testing.assert_allclose(c.to_numpy(), got, atol=1e-12)
    ideal = res.explain["aggregate index topsis ideal"]
    assert list(ideal.index) == ["2020", "2021"]


def test_base_year_mode_uses_base_period_statistics():
    res = build_index(_panel(), FW, weights="equal", panel_mode="base-year", base_period=2020)
    # a in 2020 spans 1..5: u3 2021 has a=6 -> (6-1)/4 = 1.25 (above 1 by design)
    norm = build_index(
        _panel(), FW, weights="equal", panel_mode="base-year", base_period=2020, explain=True
    ).explain["normalised"]
    row = norm[(norm.unit == "u3") & (norm.period == 2021)]
    assert row["a"].item() == pytest.approx(1.25)
    assert res.recipe.base_period == 2020
    with pytest.raises(DataError, match="base period"):
        build_index(_panel(), FW, panel_mode="base-year", base_period=1999)


def test_compare_reports_rank_shifts():
    a = build_index(_panel(), FW, weights="equal")
    b = build_index(_panel(), FW, weights="expert")
    cmp = compare(a, b)
    assert set(cmp.columns) >= {"unit", "period", "rank_a", "rank_b", "shift"}
    assert (cmp["shift"] == cmp["rank_a"] - cmp["rank_b"]).all()
    assert cmp.attrs["mean_abs_shift"] == pytest.approx(cmp["shift"].abs().mean())
    assert compare(a, a)["shift"].abs().sum() == 0


def test_variant_rebuilt_from_recipe():
    a = build_index(_panel(), FW, aggregate="gra")
    b = build_index(_panel(), FW, a.recipe)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    assert a.recipe.replace(weights="critic").weights == "critic"
    assert Recipe.from_dict(a.recipe.to_dict()) == a.recipe


def test_write_tables_and_refuse_overwrite(tmp_path):
    res = build_index(_panel(), FW, explain=True)
    res.write(tmp_path)
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert list(scores.columns) == ["unit", "period", "node", "score", "rank", "level"]
    assert set(scores["node"]) == {"index", "d1", "d2"}
    w = pd.read_csv(tmp_path / "weights.csv")
    assert list(w.columns[:3]) == ["parent", "node", "weight"]
    assert (tmp_path / "index.xlsx").exists() and (tmp_path / "explain.xlsx").exists()
    with pytest.raises(DataError, match="exists"):
        res.write(tmp_path)


def test_prepared_panel_and_framework_objects_accepted():
    fw = load_framework(FW)
    a = build_index(_panel(), fw)
    from nqpf.framework import prepare

    b = build_index(prepare(_panel(), fw), fw)
    pd.testing.assert_frame_equal(a.scores, b.scores)


def test_constant_indicator_and_bad_recipe_errors():
    const = {k: (v[0], v[1], 1.0) for k, v in DATA.items()}
    with pytest.raises(DataError, match="c"):
        build_index(_panel(const), FW)
    with pytest.raises(DataError, match="unknown weighting method 'entropie'"):
        Recipe(weights="entropie")
    with pytest.raises(DataError, match="unknown aggregation"):
        Recipe(aggregate="mean")
    with pytest.raises(DataError, match="base_period"):
        Recipe(panel_mode="base-year")


def test_recipe_from_file(tmp_path):
    f = tmp_path / "r.yaml"
    f.write_text("weights: critic\naggregate: topsis\nshift: [add, 0.0001]\n", encoding="utf-8")
    r = Recipe.from_file(f)
    assert (r.weights, r.aggregate, r.shift) == ("critic", "topsis", ("add", 0.0001))
    f.write_text("weigths: critic\n", encoding="utf-8")
    with pytest.raises(DataError, match="weigths"):
        Recipe.from_file(f)


# ---------------------------------------------------------------------- plain DataFrames
def _province_frames():
    import numpy as np

    rng = np.random.default_rng(3)
    provs = ["北京", "上海", "广东", "江苏", "浙江"]
    rows = [(p, y, float(rng.random() + 1), float(rng.random() + 1), float(rng.random() + 1))
            for p in provs for y in range(2016, 2020)]
    wide = pd.DataFrame(rows, columns=["省份", "年份", "rd", "patent", "co2"])
    fw = pd.DataFrame({
        "dimension": ["创新", "创新", "绿色"],
        "indicator": ["rd", "patent", "co2"],
        "direction": ["+", "+", "-"],
    })
    return wide, fw


def test_build_index_on_plain_dataframes_long_wide_and_multiindex():
    from nqpf import build_index, read_panel

    wide, fw = _province_frames()
    want = build_index(read_panel(wide), fw).to_frame()
    long = wide.melt(id_vars=["省份", "年份"], var_name="indicator", value_name="value")
    for df in (wide, long, wide.set_index(["省份", "年份"])):
        got = build_index(df, fw).to_frame()
        pd.testing.assert_frame_equal(got, want)
    assert set(want["unit"]) == {"CN-BJ", "CN-SH", "CN-GD", "CN-JS", "CN-ZJ"}
    assert list(want.columns) == ["unit", "period", "node", "level", "score", "rank"]
    with pytest.raises(DataError, match="Panel or a pandas DataFrame"):
        build_index([1, 2, 3], fw)


def test_result_long_frame_wide_table_html_and_plot():
    from nqpf import build_index

    wide, fw = _province_frames()
    res = build_index(wide, fw, weights="熵权法")
    assert res.recipe.weights == "entropy"
    idx = res.to_frame("index")
    assert len(idx) == 5 * 4 and set(idx["node"]) == {"index"}
    w = res.wide()
    assert w.shape == (5, 4)
    assert w.loc["CN-SH", 2019] == pytest.approx(
        idx.set_index(["unit", "period"]).loc[("CN-SH", 2019), "score"])
    html = res._repr_html_()
    assert "IndexResult" in html and "Ranking, 2019" in html and "CN-SH" in html
    fig = res.plot()
    ax = fig.axes[0]
    assert len(ax.lines) == 5 and ax.get_title() == "composite index"
    assert len(res.plot(units=["CN-SH", "CN-BJ"]).axes[0].lines) == 2
    with pytest.raises(DataError, match="unknown unit"):
        res.plot(units=["CN-XX"])
def test_recipe_reaches_the_coinr_normalisations():
    inds = [{"id": "a", "name_zh": "甲", "unit": "", "direction": "+"},
            {"id": "b", "name_zh": "乙", "unit": "", "direction": "+"}]
    fw = {"id": "n", "name_zh": "标准化",
          "dimensions": [{"id": "d", "name_zh": "一", "indicators": inds}]}
    rng = np.random.default_rng(2)
    p = Panel(rng.lognormal(size=(5, 1, 2)) + 1, tuple("vwxyz"), (2020,), ("a", "b"))
    res = build_index(p, fw, Recipe(normalise="zscore", weights="equal",
                                    params={"zscore_scale": [100, 10]}), explain=True)
    z = res.explain["normalised"][["a", "b"]].to_numpy()
    np.testing.assert_allclose(z.mean(axis=0), 100)
    np.testing.assert_allclose(z.std(axis=0, ddof=1), 10)
    ref = build_index(p, fw, Recipe(normalise="dist2ref", weights="equal",
                                    params={"reference": "x", "cap": True}), explain=True)
    z = ref.explain["normalised"].set_index("unit")[["a", "b"]]
    assert z.max().max() <= 1.0 and np.allclose(z.loc["x"], 1.0)
    with pytest.raises(DataError, match="params.reference"):
        build_index(p, fw, Recipe(normalise="dist2ref", weights="equal"))
    borda = build_index(p, fw, Recipe(normalise="borda", weights="equal"))
    assert borda.scores["score"].max() <= 4
# ---------------------------------------------------------------------- bad input, properties
def _const_first(v):
    v = np.array(v, dtype=float)
    v[:, :, 0] = 5.0  # indicator a does not vary
    return Panel(v, tuple(f"u{i}" for i in range(v.shape[0])), (2020, 2021), ("a", "b", "c"))


def test_critic_with_a_constant_indicator_alone_in_a_dimension_says_so():
    fw = {**FW, "dimensions": [
        {"id": "d1", "name_zh": "一", "indicators": [
            {"id": "a", "name_zh": "甲", "unit": "", "direction": "+"}]},
        {"id": "d2", "name_zh": "二", "indicators": [
            {"id": "b", "name_zh": "乙", "unit": "", "direction": "+"},
            {"id": "c", "name_zh": "丙", "unit": "", "direction": "+"}]},
    ]}
    p = _const_first(np.random.default_rng(3).uniform(1, 2, (6, 2, 3)))
    kw = {"weights": "critic", "params": {"constant": "half"}}
    msg = r"dimension 'd1' gets no weight: its indicator\(s\) \['a'\]"
    with pytest.raises(DataError, match=msg):
        build_index(p, fw, **kw)
    with pytest.raises(DataError, match=r"only 'd2' varies and \['d1'\] are constant"):
        build_index(p, fw, structure="hierarchical", **kw)


def test_overflow_in_minmax_names_the_indicator():
    v = np.random.default_rng(4).uniform(1, 2, (4, 2, 3))
    v[0, :, 1], v[1, :, 1] = 1.7e308, -1.7e308
    p = Panel(v, ("u1", "u2", "u3", "u4"), (2020, 2021), ("a", "b", "c"))
    with pytest.raises(DataError, match=r"minmax normalisation of indicator 'b' overflows"):
        build_index(p, FW)


_CUBE = arrays(np.float64, (5, 2, 3), elements=st.floats(0.01, 1e4, allow_nan=False))


@settings(max_examples=25, deadline=None)
@given(v=_CUBE, c=st.floats(0.1, 100))
def test_index_invariants(v, c):
    v = v + np.arange(5)[:, None, None] * 1e-3  # every indicator varies
    units = tuple(f"u{i}" for i in range(5))
    p = Panel(v, units, (2020, 2021), ("a", "b", "c"))
    res = build_index(p, FW, weights="equal")
    s = res.scores[res.scores["node"] == "index"]
    assert s["score"].between(-1e-12, 1 + 1e-12).all()  # min-max and weighted sum: in [0, 1]
    # min-max makes the index invariant to a change of unit of any indicator
    q = Panel(v * c, units, (2020, 2021), ("a", "b", "c"))
    np.testing.assert_allclose(build_index(q, FW, weights="equal").scores["score"],
                               res.scores["score"], atol=1e-9)
    # ranks follow scores
    for _, g in s.groupby("period"):
        order = g.sort_values("score", ascending=False)["rank"].to_numpy()
        assert (np.diff(order) >= 0).all()


def test_indicator_missing_for_every_unit_in_a_period():
    fw = load_framework(FW)
    data = {k: (v[0], np.nan if k[1] == 2021 else v[1], v[2]) for k, v in DATA.items()}
    with pytest.raises(DataError, match=r"b in 2021.*empty_period: renormalise"):
        build_index(_panel(data), fw, Recipe())
    res = build_index(_panel(data), fw, Recipe(params={"empty_period": "renormalise"}))
    assert res.meta["empty_periods"] == [{"indicator": "b", "period": 2021}]
    assert build_index(_panel(), fw, Recipe()).meta["empty_periods"] == []
