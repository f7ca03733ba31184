"""Tests of the Saltelli design and the Sobol index estimators."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from nqpf.errors import DataError
from nqpf.robustness import sensitivity
from nqpf.robustness.sensitivity import saltelli_design, sobol_indices

A_ISH, B_ISH = 7.0, 0.1


def ishigami(u: np.ndarray) -> np.ndarray:
    x = -np.pi + 2.0 * np.pi * u
    return np.sin(x[:, 0]) + A_ISH * np.sin(x[:, 1]) ** 2 + B_ISH * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_analytic() -> tuple[np.ndarray, np.ndarray]:
    """Analytic indices (Ishigami & Homma 1990; e.g. Saltelli et al. 2010, §5)."""
    a, b, pi = A_ISH, B_ISH, np.pi
    v = a**2 / 8 + b * pi**4 / 5 + b**2 * pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    s1 = np.array([v1, v2, 0.0]) / v
    st = np.array([v1 + v13, v2, v13]) / v
    return s1, st


def linear(u: np.ndarray, c: np.ndarray) -> np.ndarray:
    return u @ c


# --------------------------------------------------------------------- design


def test_design_is_split_sobol_sequence():
    des = saltelli_design(["norm", "weights", "agg"], [1, 3, 1], 64, seed=5)
    big = qmc.Sobol(d=10, scramble=True, **sensitivity._rng_kwarg(5)).random_base2(6)
    np.testing.assert_array_equal(des.A, big[:, :5])
    np.testing.assert_array_equal(des.B, big[:, 5:])
    assert des.blocks == [slice(0, 1), slice(1, 4), slice(4, 5)]
    assert (des.n, des.n_inputs, des.n_columns, des.n_runs) == (64, 3, 5, 64 * 5)
    assert not des.A.flags.writeable
    assert ((des.A >= 0) & (des.A < 1)).all()


def test_design_matrix_takes_whole_block_from_b():
    des = saltelli_design(["a", "w", "c"], [1, 3, 1], 8, seed=0)
    m = des.matrix()
    n = 8
    assert m.shape == (8 * 5, 5)
    np.testing.assert_array_equal(m[:n], des.A)
    np.testing.assert_array_equal(m[n : 2 * n], des.B)
    ab_w = m[3 * n : 4 * n]  # AB for input "w" (second input)
    np.testing.assert_array_equal(ab_w[:, 1:4], des.B[:, 1:4])
    np.testing.assert_array_equal(ab_w[:, [0, 4]], des.A[:, [0, 4]])
    ab_c = m[4 * n :]
    np.testing.assert_array_equal(ab_c[:, 4], des.B[:, 4])
    np.testing.assert_array_equal(ab_c[:, :4], des.A[:, :4])


def test_design_split_round_trip_with_trailing_dims():
    des = saltelli_design(["a", "b"], [1, 1], 4, seed=0)
    y = np.arange(des.n_runs * 6, dtype=float).reshape(des.n_runs, 2, 3)
    ya, yb, yab = des.split(y)
    assert ya.shape == (4, 2, 3) and yb.shape == (4, 2, 3) and yab.shape == (2, 4, 2, 3)
    np.testing.assert_array_equal(ya, y[:4])
    np.testing.assert_array_equal(yab[1], y[12:16])
    with pytest.raises(DataError, match="n_runs = 16"):
        des.split(np.zeros(15))


def test_design_same_seed_same_points_and_unscrambled_starts_at_zero():
    d1 = saltelli_design(["a", "b"], [1, 2], 32, seed=3)
    d2 = saltelli_design(["a", "b"], [1, 2], 32, seed=3)
    d3 = saltelli_design(["a", "b"], [1, 2], 32, seed=4)
    np.testing.assert_array_equal(d1.matrix(), d2.matrix())
    assert not np.array_equal(d1.A, d3.A)
    plain = saltelli_design(["a", "b"], [1, 2], 32, seed=0, scramble=False)
    np.testing.assert_array_equal(plain.A[0], 0.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 1000}, "use n = 1024"),
        ({"n": 3}, "use n = 4"),
        ({"n": 1}, "power of 2"),
        ({"names": ["a", "a"]}, "appears twice"),
        ({"dims": [1]}, "dims has 1"),
        ({"dims": [1, 0]}, "owns 0 columns"),
        ({"seed": -1}, "non-negative"),
    ],
)
def test_design_rejects_bad_arguments(kwargs, match):
    args = {"names": ["a", "b"], "dims": [1, 1], "n": 16, "seed": 0} | kwargs
    with pytest.raises(DataError, match=match):
        saltelli_design(**args)


# ----------------------------------------------------------------- estimators


def test_estimators_by_hand():
    # n = 2, one input: f_A = (1, 3), f_B = (2, 4), f_AB = (2, 3).
    # Pooled mean 2.5, V = var(1, 3, 2, 4; ddof 0) = 1.25; D = f_AB - f_A = (1, 0).
    # Saltelli 2010 (centred): mean((f_B - 2.5) D) = mean(-0.5, 0) = -0.25 -> S1 = -0.2.
    # Jansen ST: mean(D^2) / (2V) = 0.5 / 2.5 = 0.2.
    # Jansen S1: (V - mean((f_B - f_AB)^2) / 2) / V = (1.25 - 0.25) / 1.25 = 0.8.
    # Sobol 2007 ST: mean((f_A - 2.5)(f_A - f_AB)) / V = mean(1.5, 0) / 1.25 = 0.6.
    des = saltelli_design(["x"], [1], 2, seed=0)
    y = np.array([1.0, 3.0, 2.0, 4.0, 2.0, 3.0])
    r = sobol_indices(y, des, n_boot=20, max_width=10.0)
    np.testing.assert_allclose([r.S1[0], r.ST[0]], [-0.2, 0.2], rtol=1e-12)
    r2 = sobol_indices(y, des, n_boot=20, estimator_s1="jansen", estimator_st="sobol2007")
    np.testing.assert_allclose([r2.S1[0], r2.ST[0]], [0.8, 0.6], rtol=1e-12)
    assert r2.params["estimator_st"] == "sobol2007"


def test_ishigami_recovered_at_n_8192_quickly():
    s1_true, st_true = ishigami_analytic()
    assert s1_true == pytest.approx([0.3139, 0.4424, 0.0], abs=1e-4)
    assert st_true == pytest.approx([0.5576, 0.4424, 0.2437], abs=1e-4)
    start = time.perf_counter()
    des = saltelli_design(["x1", "x2", "x3"], [1, 1, 1], 2**13, seed=1)
    res = sobol_indices(ishigami(des.matrix()), des)
    assert time.perf_counter() - start < 3.0
    np.testing.assert_allclose(res.S1, s1_true, atol=0.03)
    np.testing.assert_allclose(res.ST, st_true, atol=0.03)
    assert res.warnings == []
    assert (res.S1_low <= res.S1).all()
    assert (res.S1_high >= res.S1).all()


def test_ishigami_intervals_contain_analytic_values_at_n_4096():
    s1_true, st_true = ishigami_analytic()
    des = saltelli_design(["x1", "x2", "x3"], [1, 1, 1], 2**12, seed=1)
    res = sobol_indices(ishigami(des.matrix()), des, n_boot=500, conf=0.95, seed=0)
    assert ((res.S1_low <= s1_true) & (s1_true <= res.S1_high)).all()
    assert ((res.ST_low <= st_true) & (st_true <= res.ST_high)).all()


def test_alternative_estimators_agree_on_ishigami():
    s1_true, st_true = ishigami_analytic()
    des = saltelli_design(["x1", "x2", "x3"], [1, 1, 1], 2**13, seed=2)
    y = ishigami(des.matrix())
    res = sobol_indices(y, des, n_boot=50, estimator_s1="jansen", estimator_st="sobol2007")
    np.testing.assert_allclose(res.S1, s1_true, atol=0.04)
    np.testing.assert_allclose(res.ST, st_true, atol=0.04)


def test_linear_model_indices_are_squared_coefficient_shares():
    c = np.array([1.0, 2.0, 3.0])
    des = saltelli_design(["a", "b", "c"], [1, 1, 1], 2**12, seed=7)
    res = sobol_indices(linear(des.matrix(), c), des)
    expected = c**2 / (c**2).sum()  # (1, 4, 9) / 14
    np.testing.assert_allclose(res.S1, expected, atol=0.02)
    np.testing.assert_allclose(res.ST, expected, atol=0.02)
    assert res.warnings == []


def test_linear_model_warns_at_small_n():
    c = np.array([1.0, 2.0, 3.0])
    des = saltelli_design(["a", "b", "c"], [1, 1, 1], 16, seed=7)
    res = sobol_indices(linear(des.matrix(), c), des)
    assert any(w.startswith("N too small: increase samples") for w in res.warnings)
    assert "(now 16)" in res.warnings[0]


def test_block_input_is_one_input():
    # y = s * x with s = u1 + u2 + u3 (block of 3 columns), x uniform: E s = 1.5,
    # Var s = 1/4, E x = 1/2, Var x = 1/12. V_s = Var(s) (E x)^2 = 1/16,
    # V_x = (E s)^2 Var(x) = 3/16, V_sx = Var(s) Var(x) = 1/48, V = 13/48.
    des = saltelli_design(["block", "x"], [3, 1], 2**13, seed=11)
    u = des.matrix()
    y = u[:, :3].sum(axis=1) * u[:, 3]
    res = sobol_indices(y, des, n_boot=100)
    v = 13 / 48
    np.testing.assert_allclose(res.S1, [(1 / 16) / v, (3 / 16) / v], atol=0.03)
    np.testing.assert_allclose(res.ST, [(1 / 16 + 1 / 48) / v, (3 / 16 + 1 / 48) / v], atol=0.03)


def test_same_seed_identical_and_bootstrap_seed_moves_only_intervals():
    des = saltelli_design(["x1", "x2", "x3"], [1, 1, 1], 256, seed=1)
    y = ishigami(des.matrix())
    r1 = sobol_indices(y, des, n_boot=200, seed=3)
    r2 = sobol_indices(y, des, n_boot=200, seed=3)
    r3 = sobol_indices(y, des, n_boot=200, seed=4)
    for col in ("S1", "ST", "S1_low", "S1_high", "ST_low", "ST_high"):
        np.testing.assert_array_equal(getattr(r1, col), getattr(r2, col))
    assert r1.warnings == r2.warnings
    np.testing.assert_array_equal(r1.S1, r3.S1)
    assert not np.array_equal(r1.S1_low, r3.S1_low)


def test_bootstrap_equals_explicit_resampling():
    des = saltelli_design(["x1", "x2", "x3"], [1, 1, 1], 64, seed=1)
    y = ishigami(des.matrix())
    n_boot, n = 40, 64
    res = sobol_indices(y, des, n_boot=n_boot, conf=0.9, seed=9)
    idx = np.random.default_rng(9).integers(0, n, size=(n_boot, n))
    ya, yb, yab = des.split(y)
    s1b, stb = [], []
    for rows in idx:  # the reference: one resample at a time, same rows for A, B and AB
        fa, fb, fab = ya[rows], yb[rows], yab[:, rows]
        pooled = np.concatenate([fa, fb])
        v, c = pooled.var(), pooled.mean()
        s1b.append(((fb - c) * (fab - fa)).mean(axis=1) / v)
        stb.append(((fa - fab) ** 2).mean(axis=1) / (2 * v))
    q1 = np.quantile(np.array(s1b), [0.05, 0.95], axis=0)
    qt = np.quantile(np.array(stb), [0.05, 0.95], axis=0)
    np.testing.assert_allclose([res.S1_low, res.S1_high], q1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose([res.ST_low, res.ST_high], qt, rtol=1e-9, atol=1e-12)


def test_vectorised_targets_equal_separate_calls():
    c = np.array([1.0, 2.0, 3.0])
    des = saltelli_design(["a", "b", "c"], [1, 1, 1], 512, seed=2)
    u = des.matrix()
    y = np.column_stack([ishigami(u), linear(u, c)])
    both = sobol_indices(y, des, n_boot=100, seed=1, target_names=["ish", "lin"])
    assert both.S1.shape == (3, 2) and both.constant_targets.shape == (2,)
    for t in range(2):
        one = sobol_indices(y[:, t], des, n_boot=100, seed=1)
        assert one.S1.shape == (3,) and one.constant_targets.shape == ()
        for col in ("S1", "ST", "S1_low", "S1_high", "ST_low", "ST_high"):
            np.testing.assert_allclose(getattr(both, col)[:, t], getattr(one, col), atol=1e-12)


def test_constant_target_gets_zero_and_flag_not_nan():
    des = saltelli_design(["x1", "x2", "x3"], [1, 1, 1], 256, seed=1)
    y = np.column_stack([np.full(des.n_runs, 1.0), ishigami(des.matrix())])
    res = sobol_indices(y, des, n_boot=100)
    np.testing.assert_array_equal(res.constant_targets, [True, False])
    for col in ("S1", "ST", "S1_low", "S1_high", "ST_low", "ST_high"):
        arr = getattr(res, col)
        assert np.isfinite(arr).all()
        np.testing.assert_array_equal(arr[:, 0], 0.0)
    assert res.ST[:, 1].sum() > 0.9
    single = sobol_indices(np.full(des.n_runs, 4.0), des, n_boot=10)
    assert bool(single.constant_targets) and single.warnings == []


def test_indices_do_not_depend_on_output_shift():
    des = saltelli_design(["x1", "x2", "x3"], [1, 1, 1], 256, seed=1)
    y = ishigami(des.matrix())
    r0 = sobol_indices(y, des, n_boot=100)
    r1 = sobol_indices(y + 1e4, des, n_boot=100)
    for col in ("S1", "ST", "S1_low", "S1_high", "ST_low", "ST_high"):
        np.testing.assert_allclose(getattr(r1, col), getattr(r0, col), atol=1e-8)


def test_warnings_for_s1_above_st_and_negative_s1():
    # Outputs that no model on a Saltelli design gives: f_AB = f_A + e f_B with
    # independent standard normal f_A, f_B. Then S1 -> e (V = 1) and ST -> e^2 / 2.
    des = saltelli_design(["p", "q"], [1, 1], 4096, seed=0)
    rng = np.random.default_rng(1)
    fa, fb = rng.standard_normal(4096), rng.standard_normal(4096)
    up = np.concatenate([fa, fb, fa + 0.5 * fb, fa + 0.5 * fb])
    r_up = sobol_indices(up, des, n_boot=200)
    np.testing.assert_allclose(r_up.S1, [0.5, 0.5], atol=0.05)
    np.testing.assert_allclose(r_up.ST, [0.125, 0.125], atol=0.02)
    assert any(w.startswith("S1 exceeds ST") and "2 of 2 pairs" in w for w in r_up.warnings)
    down = np.concatenate([fa, fb, fa - 0.5 * fb, fa])
    r_down = sobol_indices(down, des, n_boot=200)
    assert r_down.S1[0] == pytest.approx(-0.5, abs=0.05)
    neg = [w for w in r_down.warnings if w.startswith("negative S1")]
    assert len(neg) == 1 and "1 of 2 pairs" in neg[0] and "'p'" in neg[0]


def test_warnings_are_summarised_over_many_targets():
    des = saltelli_design(["a", "b"], [1, 1], 16, seed=0)
    u = des.matrix()
    rng = np.random.default_rng(0)
    y = u @ rng.uniform(0.5, 2.0, size=(2, 300))
    res = sobol_indices(y, des, n_boot=100)
    wide = [w for w in res.warnings if w.startswith("N too small")]
    assert len(wide) == 1 and len(res.warnings) <= 4
    assert wide[0].count("width") == 1 + sensitivity._N_EXAMPLES  # "wider" + the examples


def test_to_frame_layout():
    des = saltelli_design(["a", "b"], [1, 1], 64, seed=0)
    u = des.matrix()
    y = np.column_stack([u[:, 0], u[:, 0] + 2 * u[:, 1], u[:, 1]])
    res = sobol_indices(y, des, n_boot=50)
    df = res.to_frame(target_names=["t1", "t2", "t3"])
    assert list(df.columns) == [
        "input",
        "target",
        "S1",
        "ST",
        "S1_low",
        "S1_high",
        "ST_low",
        "ST_high",
    ]
    assert df["input"].tolist() == ["a"] * 3 + ["b"] * 3
    assert df["target"].tolist() == ["t1", "t2", "t3"] * 2
    np.testing.assert_array_equal(df["ST"].to_numpy(), res.ST.reshape(-1))
    # input a explains all of target t1 and none of t3
    assert df.loc[0, "ST"] == pytest.approx(1.0, abs=0.05)
    assert df.loc[2, "ST"] == pytest.approx(0.0, abs=1e-12)
    assert res.to_frame()["target"].tolist() == [0, 1, 2] * 2
    assert isinstance(sobol_indices(u[:, 0], des, n_boot=10).to_frame(), pd.DataFrame)
    with pytest.raises(DataError, match="2 labels"):
        res.to_frame(target_names=["x", "y"])


def test_bad_outputs_and_options_raise():
    des = saltelli_design(["a", "b"], [1, 1], 8, seed=0)
    y = np.zeros(des.n_runs)
    y[17] = np.nan  # row 17 = block AB_a, sample 1
    with pytest.raises(DataError, match=r"row 17 \(block AB_a, sample 1\)"):
        sobol_indices(y, des)
    with pytest.raises(DataError, match="n_runs = 32"):
        sobol_indices(np.zeros(31), des)
    with pytest.raises(DataError, match="estimator_s1"):
        sobol_indices(np.zeros(32), des, estimator_s1="sobol")
    with pytest.raises(DataError, match="conf"):
        sobol_indices(np.zeros(32), des, conf=95)
    with pytest.raises(DataError, match=r"\(n_runs, T\)"):
        sobol_indices(np.zeros((32, 2, 2)), des)


def test_output_varying_in_one_sample_warns_about_constant_resamples():
    # Only sample 3 of A differs: V = var of 31 ones and one 2 = 31/1024, and
    # D = f_AB - f_A is -1 at sample 3 for both inputs, so Jansen ST = (1/16) / (2V) = 32/31.
    des = saltelli_design(["a", "b"], [1, 1], 16, seed=0)
    y = np.ones(des.n_runs)
    y[3] = 2.0
    res = sobol_indices(y, des, n_boot=200, target_names=["Beijing"])
    np.testing.assert_allclose(res.ST, [32 / 31, 32 / 31], rtol=1e-12)
    assert not res.constant_targets
    assert np.isfinite(res.S1_low).all() and (res.S1_low == 0.0).all()
    msgs = [w for w in res.warnings if "constant output" in w]
    assert len(msgs) == 1 and "'Beijing'" in msgs[0]
