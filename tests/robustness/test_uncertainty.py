"""The robustness driver: replications equal single index builds; seeds; dask; the command."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clitools import flat, run
from nqpf import DataError, Panel, Recipe, build_index
from nqpf.framework import load_framework
from nqpf.robustness.uncertainty import (
    Uncertainty,
    _decode,
    _evaluate,
    _Prepared,
    _space,
    expert_leaf_weights,
    robustness,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

FW = {
    "id": "rob",
    "name_zh": "稳健",
    "dimensions": [
        {
            "id": "d1",
            "name_zh": "一",
            "weight": 0.7,
            "indicators": [
                {"id": "a", "name_zh": "甲", "unit": "", "direction": "+", "weight": 1},
                {"id": "b", "name_zh": "乙", "unit": "", "direction": "-", "weight": 1},
                {"id": "c", "name_zh": "丙", "unit": "", "direction": "+", "weight": 2},
            ],
        },
        {
            "id": "d2",
            "name_zh": "二",
            "weight": 0.3,
            "indicators": [
                {"id": "e", "name_zh": "戊", "unit": "", "direction": "+", "weight": 1},
                {"id": "f", "name_zh": "己", "unit": "", "direction": "+", "weight": 1},
            ],
        },
    ],
}


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(11)
    rows = []
    for u in range(12):
        for t in range(2016, 2021):
            rows.append(
                {"unit": f"u{u:02d}", "period": t, **{c: rng.lognormal(0, 0.5) for c in "abcef"}}
            )
    return Panel.from_wide(pd.DataFrame(rows), unit="unit", period="period")


def _fw_without(drop: str) -> dict:
    dims = []
    for d in FW["dimensions"]:
        inds = [i for i in d["indicators"] if i["id"] != drop]
        dims.append({**d, "indicators": inds})
    return {**FW, "dimensions": dims}


def test_expert_leaf_weights_with_an_indicator_left_out():
    fw = load_framework(FW)
    np.testing.assert_allclose(
        expert_leaf_weights(fw), [0.7 / 4, 0.7 / 4, 0.7 / 2, 0.15, 0.15], atol=1e-12
    )
    keep = np.array([True, True, False, True, True])
    np.testing.assert_allclose(expert_leaf_weights(fw, keep), [0.35, 0.35, 0.15, 0.15])
    # leaving out a whole dimension's only indicators gives everything to the other
    fw1 = load_framework(
        {
            **FW,
            "dimensions": [
                FW["dimensions"][0],
                {**FW["dimensions"][1], "indicators": FW["dimensions"][1]["indicators"][:1]},
            ],
        }
    )
    keep = np.array([True, True, True, False])
    np.testing.assert_allclose(expert_leaf_weights(fw1, keep), [0.25, 0.25, 0.5])


@pytest.mark.parametrize(
    "weights,aggregate,drop",
    [
        ("entropy", "sum", None),
        ("critic", "topsis", "b"),
        ("equal", "gra", "e"),
        ("expert", "sum", "c"),
        ("expert+entropy", "topsis", None),
    ],
)
def test_a_replication_equals_a_single_index_build(panel, weights, aggregate, drop):
    fw = load_framework(FW)
    unc = Uncertainty(
        weights=("equal", weights) if weights != "equal" else ("equal", "sd"),
        aggregate=("sum", aggregate) if aggregate != "sum" else ("sum", "topsis"),
        leave_one_out=True,
    )
    recipe = Recipe()
    inds = [i.id for i in fw.indicators]
    space = _space(unc, recipe, len(inds), inds)
    prep = _Prepared(panel, fw, recipe, space, unc)
    ch = {
        "impute": np.zeros(1, int),
        "normalise": np.zeros(1, int),
        "weights": np.array([space.options["weights"].index(weights)]),
        "aggregate": np.array([space.options["aggregate"].index(aggregate)]),
        "leave_one_out": np.array([0 if drop is None else inds.index(drop) + 1]),
        "perturb_u": None,
    }
    got = _evaluate(prep, ch, np.zeros(1, int))[0]
    fw2 = FW if drop is None else _fw_without(drop)
    want = build_index(panel, fw2, weights=weights, aggregate=aggregate).wide()
    np.testing.assert_allclose(got, want.to_numpy(), rtol=1e-10, atol=1e-12)


def test_decode_maps_uniforms_to_alternatives():
    unc = Uncertainty(weights=("entropy", "critic", "equal"), leave_one_out=True, perturb=0.1)
    space = _space(unc, Recipe(), 2, ["x", "y"])
    assert space.names == ["weights", "leave_one_out", "weight_perturbation"]
    assert space.dims == [1, 1, 2]
    U = np.array([[0.0, 0.0, 0.5, 0.5], [0.34, 0.5, 0.1, 0.9], [0.999, 0.99, 0.0, 1.0]])
    ch = _decode(U, space)
    assert ch["weights"].tolist() == [0, 1, 2]
    assert ch["leave_one_out"].tolist() == [0, 1, 2]
    assert ch["perturb_u"].shape == (3, 2)


def test_monte_carlo_tables_seed_and_base_case(panel):
    unc = Uncertainty(
        weights=("entropy", "critic"),
        aggregate=("sum", "topsis"),
        leave_one_out=True,
        perturb=0.2,
        bootstrap=True,
    )
    a = robustness(panel, FW, unc, replications=256, seed=3)
    b = robustness(panel, FW, unc, replications=256, seed=3)
    pd.testing.assert_frame_equal(a.ranks, b.ranks)
    c = robustness(panel, FW, unc, replications=256, seed=4)
    assert not a.ranks["mean_rank"].equals(c.ranks["mean_rank"])
    r = a.ranks
    assert list(r.columns[:6]) == ["unit", "period", "base_rank", "median_rank", "p05", "p95"]
    assert (r["p05"] <= r["median_rank"]).all() and (r["median_rank"] <= r["p95"]).all()
    base = build_index(panel, FW).scores
    base = base[base.node == "index"].set_index(["unit", "period"])["rank"]
    got = r.set_index(["unit", "period"])["base_rank"]
    assert (got == base.reindex(got.index).astype(int)).all()
    assert a.params["replications"] == 256
    assert len(a.shifts) == 256 and (a.shifts["mean_abs_shift"] >= 0).all()


def test_sensitivity_table_and_weight_input_dominates(panel):
    # only the weights vary: all variance of the mean shift is due to them
    unc = Uncertainty(weights=("entropy", "equal"), perturb=0.05)
    res = robustness(panel, FW, unc, replications=512, seed=0, sensitivity=True, n_boot=100)
    s = res.sensitivity
    assert list(s.columns) == [
        "input",
        "target",
        "S1",
        "ST",
        "S1_low",
        "S1_high",
        "ST_low",
        "ST_high",
    ]
    shift = s[s.target == "mean_abs_shift"].set_index("input")
    assert shift.loc["weights", "ST"] > shift.loc["weight_perturbation", "ST"]
    assert res.params["replications"] == 512 * 4


def test_dask_backend_gives_identical_results(panel):
    unc = Uncertainty(weights=("entropy", "critic"), leave_one_out=True, perturb=0.2)
    a = robustness(panel, FW, unc, replications=128, seed=5, chunk=40)
    b = robustness(panel, FW, unc, replications=128, seed=5, chunk=40, backend="dask")
    pd.testing.assert_frame_equal(a.ranks, b.ranks)
    np.testing.assert_array_equal(a.rank_array, b.rank_array)


def test_bad_declarations():
    with pytest.raises(DataError, match="unknown aggregation"):
        Uncertainty(aggregate=("sum", "nope"))
    with pytest.raises(DataError, match="two alternatives"):
        Uncertainty(settings={"structure": ["flat"]})
    with pytest.raises(DataError, match="not both"):
        Uncertainty(perturb=0.1, dirichlet=10)
    with pytest.raises(DataError, match="twice"):
        Uncertainty(weights=("entropy", "entropy"))


def test_incomplete_data_asks_for_imputation(panel):
    v = panel.values.copy()
    v[0, 1, 0] = np.nan
    holed = panel.replace(values=v)
    with pytest.raises(DataError, match="complete data"):
        robustness(holed, FW, Uncertainty(weights=("entropy", "equal")), replications=16)
    res = robustness(
        holed, FW, Uncertainty(impute=("linear",), weights=("entropy", "equal")), replications=16
    )
    assert len(res.ranks) == 60


def test_command_writes_the_files_and_repeats_itself(panel, tmp_path):
    data = tmp_path / "data.csv"
    panel.to_wide().reset_index().to_csv(data, index=False)
    import yaml

    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump(FW, allow_unicode=True), encoding="utf-8")
    args = [
        "robustness",
        data,
        "--framework",
        fw,
        "--weights-options",
        "entropy,critic",
        "--aggregate-options",
        "sum,topsis",
        "--leave-one-out",
        "--perturb",
        "0.2",
        "--replications",
        "64",
        "--seed",
        "9",
        "--sensitivity",
        "--units",
        "none",
    ]
    rc, out, err = run(*args, "--out", tmp_path / "r1")
    assert rc == 0, err
    rc, _, err = run(*args, "--out", tmp_path / "r2")
    assert rc == 0, err
    ranks = pd.read_csv(tmp_path / "r1" / "ranks.csv")
    assert list(ranks.columns[:6]) == ["unit", "period", "base_rank", "median_rank", "p05", "p95"]
    sens = pd.read_csv(tmp_path / "r1" / "sensitivity.csv")
    assert list(sens.columns) == [
        "input",
        "target",
        "S1",
        "ST",
        "S1_low",
        "S1_high",
        "ST_low",
        "ST_high",
    ]
    for f in ("ranks.csv", "sensitivity.csv"):
        assert (tmp_path / "r1" / f).read_bytes() == (tmp_path / "r2" / f).read_bytes()
    assert (tmp_path / "r1" / "figure.png").exists()
    rc, _, err = run(*args, "--out", tmp_path / "r1")
    assert rc == 2 and "--force" in flat(err)


@pytest.mark.skipif(not DATA.exists(), reason="../shared/data not present")
def test_real_panel_base_case_equals_the_plain_index(tmp_path):
    from nqpf import read_panel

    p = read_panel(
        DATA / "china_sti" / "RDIntense.csv",
        unit="province",
        period="year",
        indicator="variables",
        value="value",
        units="province",
    )
    fw = {
        "id": "sti",
        "name_zh": "科技",
        "dimensions": [
            {
                "id": "rd",
                "name_zh": "研发",
                "indicators": [
                    {"id": "v4_ztr_jf_RD", "name_zh": "R&D经费", "unit": "亿元", "direction": "+"},
                    {"id": "v4_ztr_qd_RD", "name_zh": "R&D强度", "unit": "%", "direction": "+"},
                ],
            }
        ],
    }
    unc = Uncertainty(
        impute=("linear+nearest",),
        weights=("entropy", "critic", "equal"),
        aggregate=("sum", "topsis"),
        perturb=0.2,
    )
    res = robustness(p, fw, unc, replications=128, seed=0)
    from nqpf.panel.impute import impute

    plain = build_index(impute(impute(p, "linear"), "nearest"), fw).scores
    plain = plain[plain.node == "index"].set_index(["unit", "period"])["rank"]
    got = res.ranks.set_index(["unit", "period"])["base_rank"]
    assert len(got) == 31 * len(p.periods)
    assert (got == plain.reindex(got.index).astype(int)).all()


def test_resample_units_is_deterministic_and_uniform():
    from nqpf.robustness.uncertainty import resample_units

    a = resample_units(np.array([1, 2, 3]), 31)
    assert a.shape == (3, 31) and a.min() >= 0 and a.max() < 31
    np.testing.assert_array_equal(a, resample_units(np.array([1, 2, 3]), 31))
    np.testing.assert_array_equal(a[1], resample_units(np.array([2]), 31)[0])
    assert not np.array_equal(a[0], a[1])
    big = resample_units(np.arange(2000), 10).ravel()
    counts = np.bincount(big, minlength=10) / big.size
    np.testing.assert_allclose(counts, 0.1, atol=0.01)


def test_no_declaration_runs_the_documented_defaults(panel):
    res = robustness(panel, FW, None, replications=64, seed=2)
    unc = res.params["uncertainty"]
    assert unc["weights"] == ["entropy", "critic", "equal"]
    assert unc["leave_one_out"] and unc["perturb"] == 0.2
    assert any("defaults" in n for n in res.notes)
    # the recipe's own weighting method stays the base alternative
    expert = robustness(panel, FW, Uncertainty(), Recipe(weights="expert"), replications=16)
    assert expert.params["uncertainty"]["weights"] == ["expert", "entropy", "critic", "equal"]
    assert Uncertainty().is_empty and not Uncertainty(bootstrap=True).is_empty


def test_counts_not_a_power_of_two_are_rounded_up_without_a_scipy_warning(panel):
    import warnings

    unc = Uncertainty(weights=("entropy", "equal"), leave_one_out=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = robustness(panel, FW, unc, replications=1000, seed=1)
        sens = robustness(panel, FW, unc, replications=100, seed=1, sensitivity=True, n_boot=20)
    assert res.params["replications"] == 1024 and len(res.shifts) == 1024
    assert any("1000 to 1024" in n for n in res.notes)
    assert sens.params["samples"] == 128 and any("100 to 128" in n for n in sens.notes)


@pytest.mark.parametrize("sensitivity", [False, True])
def test_distinct_design_points_give_the_same_results_as_every_replication(panel, sensitivity):
    unc = Uncertainty(
        weights=("entropy", "critic", "equal"), aggregate=("sum", "topsis"), leave_one_out=True
    )
    kw = dict(replications=256, seed=4, sensitivity=sensitivity, n_boot=20)
    fast = robustness(panel, FW, unc, **kw)
    slow = robustness(panel, FW, unc, distinct=False, **kw)
    # 3 weights x 2 aggregations x (5 + 1) leave-one-out choices at most
    assert fast.params["distinct_points"] <= 36 < fast.params["replications"]
    assert slow.params["distinct_points"] is None
    np.testing.assert_array_equal(fast.rank_array, slow.rank_array)
    pd.testing.assert_frame_equal(fast.ranks, slow.ranks)
    pd.testing.assert_frame_equal(fast.stability, slow.stability)
    pd.testing.assert_frame_equal(fast.shifts, slow.shifts)
    pd.testing.assert_frame_equal(fast.sensitivity, slow.sensitivity)


def test_expanded_percentiles_equal_numpy_on_the_repeated_sample():
    from nqpf.robustness.uncertainty import _expanded_percentiles

    rng = np.random.default_rng(0)
    for R in (7, 333, 1024):
        vals = rng.integers(1, 20, (15, 4, 3))
        counts = np.bincount(rng.integers(0, 15, R), minlength=15)
        got = _expanded_percentiles(vals, counts, (5, 50, 95))
        want = np.percentile(np.repeat(vals, counts, axis=0), [5, 50, 95], axis=0)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("weights", ["entropy", "critic", "sd", "cv"])
def test_left_out_weights_from_full_statistics_equal_recomputing(panel, weights):
    from nqpf.index.weights import weights as compute

    rec = Recipe(shift=("add", 0.01)) if weights == "cv" else Recipe()
    unc = Uncertainty(weights=(weights, "equal"), leave_one_out=True)
    inds = ["a", "b", "c", "e", "f"]
    prep = _Prepared(panel, load_framework(FW), rec, _space(unc, rec, 5, inds), unc)
    Z = prep.cube(0, 0).reshape(-1, 5)
    for loo in range(1, 6):
        keep = np.arange(5) != loo - 1
        want = compute(Z[:, keep], weights, keep_arrays=False).weights
        np.testing.assert_allclose(prep.weights(0, 0, 0, loo)[keep], want, rtol=1e-12)
        assert prep.weights(0, 0, 0, loo)[loo - 1] == 0


def test_zeros_shift_in_the_recipe_reaches_the_replications(panel):
    unc = Uncertainty(weights=("entropy", "equal"), leave_one_out=True)
    rec = Recipe(aggregate="geometric")
    with pytest.raises(DataError, match="zeros='shift'"):
        robustness(panel, FW, unc, rec, replications=16)
    res = robustness(panel, FW, unc, rec.replace(params={"zeros": "shift"}), replications=16)
    ref = build_index(panel, FW, rec.replace(params={"zeros": "shift"}))
    got = res.base_scores.sort_values(["unit", "period"])["score"].to_numpy()
    want = ref.scores[ref.scores["node"] == "index"].sort_values(["unit", "period"])["score"]
    np.testing.assert_allclose(got, want.to_numpy(), rtol=1e-12)


def test_bare_command_runs_the_defaults_and_says_so(panel, tmp_path):
    data = tmp_path / "data.csv"
    panel.to_wide().reset_index().to_csv(data, index=False)
    import yaml

    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump(FW, allow_unicode=True), encoding="utf-8")
    rc, out, err = run("robustness", data, "--framework", fw, "--samples", "100",
                       "--units", "none", "--out", tmp_path / "r")
    assert rc == 0, err
    text = flat(err)
    assert "ran the defaults" in text and "rounded up from 100 to 128" in text
    import json

    meta = json.loads((tmp_path / "r" / "robustness.json").read_text("utf-8"))
    assert meta["replications"] == 128 and meta["uncertainty"]["perturb"] == 0.2


def test_engine_path_hierarchical_settings_and_removed_dimensions(panel):
    unc = Uncertainty(
        aggregate=("sum", "vikor"),
        settings={"structure": ["hierarchical", "flat"], "treat.winmax": [5, 1]},
        remove=("d2",),
    )
    rec = Recipe(weights="equal", treat=True)
    res = robustness(panel, FW, unc, rec, replications=64, seed=3)
    assert res.params["distinct_points"] <= 2 * 2 * 2 * 2
    assert any("index engine" in n for n in res.notes)
    base = build_index(panel, FW, rec.replace(structure="hierarchical"))
    got = res.base_scores.sort_values(["unit", "period"])["score"].to_numpy()
    want = base.scores[base.scores["node"] == "index"].sort_values(["unit", "period"])
    np.testing.assert_allclose(got, want["score"].to_numpy(), rtol=1e-12)
    # a replication equals the index built with its choices
    from nqpf.robustness.settings import with_settings, without_nodes

    ch = _decode(
        __import__("scipy").stats.qmc.Sobol(d=4, scramble=True, seed=3).random(64),
        _space(unc, rec, 5, list("abcef")),
    )
    r = int(np.flatnonzero(ch["remove"] == 1)[0])
    space = _space(unc, rec, 5, list("abcef"))
    pick = {n: space.options[n][int(ch[n][r])] for n in space.categorical}
    fw = without_nodes(load_framework(FW), ["d2"])
    one = build_index(panel, fw, with_settings(
        rec.replace(aggregate=pick["aggregate"]),
        {"structure": pick["structure"], "treat.winmax": pick["treat.winmax"]},
    ))
    rk = one.scores[one.scores["node"] == "index"].pivot(index="unit", columns="period",
                                                         values="rank")
    np.testing.assert_array_equal(res.rank_array[r], rk.to_numpy())
    with pytest.raises(DataError, match="categorical inputs only"):
        robustness(panel, FW, Uncertainty(remove=("d2",), perturb=0.2), rec, replications=8)
    with pytest.raises(DataError, match="unknown node"):
        robustness(panel, FW, Uncertainty(remove=("zz",)), rec, replications=8)
    with pytest.raises(DataError, match="unknown recipe field"):
        robustness(panel, FW, Uncertainty(settings={"nope": [1, 2]}), rec, replications=8)


def test_command_varies_recipe_settings_and_removes_dimensions(panel, tmp_path):
    data = tmp_path / "data.csv"
    panel.to_wide().reset_index().to_csv(data, index=False)
    import yaml

    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump(FW, allow_unicode=True), encoding="utf-8")
    rc, out, err = run("robustness", data, "--framework", fw, "--vary",
                       "structure=flat,hierarchical", "--remove", "d1,d2", "--samples", "32",
                       "--units", "none", "--out", tmp_path / "r")
    assert rc == 0, err
    import json

    meta = json.loads((tmp_path / "r" / "robustness.json").read_text("utf-8"))
    assert meta["uncertainty"]["settings"] == {"structure": ["flat", "hierarchical"]}
    assert meta["uncertainty"]["remove"] == ["d1", "d2"]
    rc, _, err = run("robustness", data, "--framework", fw, "--vary", "structure",
                     "--units", "none", "--out", tmp_path / "r2")
    assert rc == 2 and "--vary" in flat(err)


def test_level_perturbation_by_hand_and_in_replications(panel):
    from nqpf.robustness.uncertainty import _LevelTree

    fw = load_framework(FW)
    tree = _LevelTree(fw, {"dimension": 0.2})
    W = np.array([[0.175, 0.175, 0.35, 0.15, 0.15]])
    # d1 x 1.2, d2 x 0.8: dimension shares 0.84 / 1.08 and 0.24 / 1.08, kept within
    np.testing.assert_allclose(
        tree.perturb(W, np.array([[1.0, 0.0]])),
        [[0.84 / 1.08 / 4, 0.84 / 1.08 / 4, 0.84 / 1.08 / 2, 0.12 / 1.08, 0.12 / 1.08]],
    )
    np.testing.assert_allclose(tree.perturb(W, np.array([[0.5, 0.5]])), W)
    unc = Uncertainty(weights=("expert",), level_perturb={"dimension": 0.3, "indicator": 0.1})
    res = robustness(panel, FW, unc, Recipe(weights="expert"), replications=64, seed=1)
    assert res.params["dims"] == [2 + 5]
    assert res.shifts["mean_abs_shift"].max() > 0
    with pytest.raises(DataError, match="unknown level"):
        Uncertainty(level_perturb={"pillar": 0.1})
