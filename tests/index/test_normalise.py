"""Normalisation: hand-computed numbers on tiny cubes, panel modes, shifts, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nqpf.errors import DataError
from nqpf.index.normalise import (
    apply_shift,
    column_op,
    column_reduce,
    column_summary,
    normalise,
    parse_shift,
    row_blocks,
)

# A 2 units × 2 periods × 1 indicator cube:
#            t0   t1
#   unit A    1    3
#   unit B    2    5
CUBE = np.array([[[1.0], [3.0]], [[2.0], [5.0]]])


def _v(res):
    return res.values[..., 0]


# ----------------------------------------------------------------------------- min-max modes


def test_minmax_pooled_by_hand():
    # pooled: min 1, max 5 over all four cells -> (x - 1) / 4
    res = normalise(CUBE, [1], "minmax", panel_mode="pooled")
    np.testing.assert_allclose(_v(res), [[0.0, 0.5], [0.25, 1.0]])
    assert res.params["min"].tolist() == [1.0] and res.params["max"].tolist() == [5.0]
    assert res.method == "minmax" and res.panel_mode == "pooled" and res.shift is None


def test_minmax_per_period_by_hand():
    # t0: min 1, max 2 -> A 0, B 1;  t1: min 3, max 5 -> A 0, B 1
    res = normalise(CUBE, [1], "minmax", panel_mode="per-period")
    np.testing.assert_allclose(_v(res), [[0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(res.params["min"], [[1.0], [3.0]])
    np.testing.assert_allclose(res.params["max"], [[2.0], [5.0]])


def test_minmax_base_year_by_hand_exceeds_unit_interval():
    # base t0: min 1, max 2 -> t1 values (3 - 1)/1 = 2 and (5 - 1)/1 = 4, not clipped
    res = normalise(CUBE, [1], "minmax", panel_mode="base-year", base_period=0)
    np.testing.assert_allclose(_v(res), [[0.0, 2.0], [1.0, 4.0]])
    assert res.params["base_period"] == 0
    # base t1: min 3, max 5 -> t0 values (1 - 3)/2 = -1 and (2 - 3)/2 = -0.5
    res1 = normalise(CUBE, [1], "minmax", panel_mode="base-year", base_period=1)
    np.testing.assert_allclose(_v(res1), [[-1.0, 0.0], [-0.5, 1.0]])


def test_minmax_cost_by_hand_and_equals_negated_benefit():
    res = normalise(CUBE, [-1], "minmax")  # (5 - x) / 4
    np.testing.assert_allclose(_v(res), [[1.0, 0.5], [0.75, 0.0]])
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 4, 3)) * [1.0, 100.0, 0.01]
    x[2, 1, 0] = np.nan
    dirs = np.array([-1, 1, -1])
    for mode, base in (("pooled", None), ("per-period", None), ("base-year", 2)):
        a = normalise(x, dirs, "minmax", panel_mode=mode, base_period=base).values
        b = normalise(x * dirs, [1, 1, 1], "minmax", panel_mode=mode, base_period=base).values
        np.testing.assert_array_equal(a, b)  # exactly equal, NaN in the same place


def test_minmax_nan_stays_nan_and_is_ignored():
    x = CUBE.copy()
    x[1, 1, 0] = np.nan  # B, t1 missing -> pooled min 1, max 3
    res = normalise(x, [1], "minmax")
    np.testing.assert_allclose(_v(res), [[0.0, 1.0], [0.5, np.nan]])
    assert res.params["n"].tolist() == [3]


def test_input_not_mutated_and_two_d_input():
    x = CUBE.copy()
    normalise(x, [1], "minmax", shift=("add", 0.01))
    np.testing.assert_array_equal(x, CUBE)
    res = normalise(np.array([[1.0, 10.0], [3.0, 10.5], [2.0, 11.0]]), [1, -1], "minmax")
    assert res.values.shape == (3, 2)
    np.testing.assert_allclose(res.values, [[0.0, 1.0], [1.0, 0.5], [0.5, 0.0]])


# ----------------------------------------------------------------------------- other methods


def test_zscore_pooled_sample_sd():
    # values 1, 3, 2, 5: mean 2.75; squared deviations 3.0625 + 0.0625 + 0.5625 + 5.0625 = 8.75
    # sample sd = sqrt(8.75 / 3)
    sd = math.sqrt(8.75 / 3)
    res = normalise(CUBE, [1], "zscore")
    np.testing.assert_allclose(_v(res), (CUBE[..., 0] - 2.75) / sd)
    assert res.params["ddof"] == 1
    np.testing.assert_allclose(res.params["sd"], [sd])
    cost = normalise(CUBE, [-1], "zscore")
    np.testing.assert_allclose(_v(cost), -(CUBE[..., 0] - 2.75) / sd)


def test_rank_and_percentile_pooled_and_per_period():
    # pooled ranks of 1, 3, 2, 5 are 1, 3, 2, 4 -> rank/n with n = 4
    res = normalise(CUBE, [1], "rank")
    np.testing.assert_allclose(_v(res), [[0.25, 0.75], [0.5, 1.0]])
    pct = normalise(CUBE, [1], "percentile")  # (rank - 1)/(n - 1)
    np.testing.assert_allclose(_v(pct), [[0.0, 2 / 3], [1 / 3, 1.0]])
    cost = normalise(CUBE, [-1], "rank")  # reversed: 5 ranks 1, 1 ranks 4
    np.testing.assert_allclose(_v(cost), [[1.0, 0.5], [0.75, 0.25]])
    per = normalise(CUBE, [1], "rank", panel_mode="per-period")  # n = 2 in each period
    np.testing.assert_allclose(_v(per), [[0.5, 0.5], [1.0, 1.0]])


def test_rank_average_ties_and_base_year():
    x = np.array([[1.0], [2.0], [2.0], [3.0]])  # ranks 1, 2.5, 2.5, 4
    np.testing.assert_allclose(normalise(x, [1], "rank").values[:, 0], [0.25, 0.625, 0.625, 1])
    np.testing.assert_allclose(normalise(x, [1], "percentile").values[:, 0], [0, 0.5, 0.5, 1])
    # base t0 = {1, 2}: 3 and 5 lie above both, mid-rank (2 + 2 + 1)/2 = 2.5 -> 2.5/2 = 1.25;
    # percentile (2.5 - 1)/(2 - 1) = 1.5
    res = normalise(CUBE, [1], "rank", panel_mode="base-year", base_period=0)
    np.testing.assert_allclose(_v(res), [[0.5, 1.25], [1.0, 1.25]])
    pct = normalise(CUBE, [1], "percentile", panel_mode="base-year", base_period=0)
    np.testing.assert_allclose(_v(pct), [[0.0, 1.5], [1.0, 1.5]])
    # a value between base values: base t1 = {3, 5}; 1 and 2 lie below -> mid-rank 0.5
    res1 = normalise(CUBE, [1], "rank", panel_mode="base-year", base_period=1)
    np.testing.assert_allclose(_v(res1), [[0.25, 0.5], [0.25, 1.0]])


def test_log_minmax_by_hand():
    # ln 1 = 0 is the min, ln 5 the max: (ln x) / ln 5
    res = normalise(CUBE, [1], "log")
    np.testing.assert_allclose(_v(res), np.log(CUBE[..., 0]) / math.log(5))
    assert res.params["max_log"].tolist() == pytest.approx([math.log(5)])
    cost = normalise(CUBE, [-1], "log")
    np.testing.assert_allclose(_v(cost), 1 - np.log(CUBE[..., 0]) / math.log(5))
    bad = CUBE.copy()
    bad[0, 1, 0] = 0.0
    with pytest.raises(DataError, match=r"indicator 'gdp'.*<= 0.*period 2021"):
        normalise(bad, [1], "log", names=["gdp"], periods=[2020, 2021])


def test_vector_keeps_cost_values_and_flags_direction():
    root = math.sqrt(1 + 9 + 4 + 25)
    for d in (1, -1):
        res = normalise(CUBE, [d], "vector")
        np.testing.assert_allclose(_v(res), CUBE[..., 0] / root)
        assert res.params["needs_direction"] is True
        assert res.params["directions"].tolist() == [d]
    assert normalise(CUBE, [1], "minmax").params["needs_direction"] is False
    with pytest.raises(DataError, match="vector normalisation needs values >= 0"):
        normalise(-CUBE, [1], "vector")


def test_goalpost_and_target_by_hand():
    res = normalise(CUBE, [1], "goalpost", goalposts=[[0.0, 4.0]])  # x/4 clipped
    np.testing.assert_allclose(_v(res), [[0.25, 0.75], [0.5, 1.0]])
    cost = normalise(CUBE, [-1], "goalpost", goalposts=[[0.0, 4.0]])  # (4 - x)/4 clipped
    np.testing.assert_allclose(_v(cost), [[0.75, 0.25], [0.5, 0.0]])
    tgt = normalise(CUBE, [1], "target", targets=[4.0])  # min(x/4, 1)
    np.testing.assert_allclose(_v(tgt), [[0.25, 0.75], [0.5, 1.0]])
    x = np.array([[0.0], [2.0], [8.0]])
    tc = normalise(x, [-1], "target", targets=[4.0])  # min(4/x, 1); x = 0 scores 1
    np.testing.assert_allclose(tc.values[:, 0], [1.0, 1.0, 0.5])
    with pytest.raises(DataError, match="lo < hi"):
        normalise(CUBE, [1], "goalpost", goalposts=[[4.0, 4.0]])
    with pytest.raises(DataError, match="needs goalposts"):
        normalise(CUBE, [1], "goalpost")
    with pytest.raises(DataError, match="only used by method='goalpost'"):
        normalise(CUBE, [1], "minmax", goalposts=[[0.0, 4.0]])


# ----------------------------------------------------------------------------- shifts


def test_shifts_by_hand():
    z = np.array([[0.0, 0.5], [0.25, 1.0]])
    add = normalise(CUBE, [1], "minmax", shift=("add", 0.01))
    np.testing.assert_allclose(_v(add), z + 0.01)
    assert add.shift == ("add", 0.01)
    resc = normalise(CUBE, [1], "minmax", shift=("rescale", 0.002, 0.998))
    np.testing.assert_allclose(_v(resc), 0.002 + 0.996 * z)
    aff = normalise(CUBE, [1], "minmax", shift=("affine", 0.996, 0.002))
    np.testing.assert_allclose(_v(aff), _v(resc))
    assert _v(aff).max() == pytest.approx(0.998)
    x = CUBE.copy()
    x[0, 0, 0] = np.nan
    assert np.isnan(normalise(x, [1], "minmax", shift=("add", 0.01)).values[0, 0, 0])


def test_shift_validation():
    assert parse_shift(None) is None
    assert parse_shift(["add", "0.0001"]) == ("add", 0.0001)
    np.testing.assert_allclose(apply_shift(np.array([0.0, 1.0]), ("rescale", 1, 3)), [1, 3])
    for bad in (("add", 0), ("add", -1), ("rescale", 1, 1), ("affine", 0, 1), ("mul", 2), "add"):
        with pytest.raises(DataError):
            parse_shift(bad)
    with pytest.raises(DataError, match="shift applies to scores in"):
        normalise(CUBE, [1], "zscore", shift=("add", 0.01))


# ----------------------------------------------------------------------------- errors


def test_constant_reference_set_raises_or_fills():
    x = np.stack([CUBE[..., 0], np.full((2, 2), 7.0)], axis=-1)
    with pytest.raises(DataError, match=r"all equal for indicator 'flat'.*constant='zero'"):
        normalise(x, [1, 1], "minmax", names=["gdp", "flat"])
    half = normalise(x, [1, 1], "minmax", names=["gdp", "flat"], constant="half")
    np.testing.assert_allclose(half.values[..., 1], 0.5)
    np.testing.assert_allclose(half.values[..., 0], [[0.0, 0.5], [0.25, 1.0]])
    assert half.params["constant"] == [("flat", None)]
    # per period: t1 of the first indicator is constant (3, 3); named with its period label
    y = CUBE.copy()
    y[1, 1, 0] = 3.0
    with pytest.raises(DataError, match=r"indicator 'gdp' in period 2021"):
        normalise(y, [1], "minmax", panel_mode="per-period", names=["gdp"], periods=[2020, 2021])
    zero = normalise(y, [1], "minmax", panel_mode="per-period", periods=[2020, 2021],
                     constant="zero")
    np.testing.assert_allclose(_v(zero), [[0.0, 0.0], [1.0, 0.0]])
    assert zero.params["constant"] == [(0, 2021)]


def test_constant_none_means_error():
    with pytest.raises(DataError, match="all equal"):
        normalise(np.ones((3, 2, 1)), [1], "minmax", constant=None)


def test_no_observed_value_in_reference_set_names_indicator_and_period():
    x = CUBE.copy()
    x[:, 1, 0] = np.nan
    with pytest.raises(DataError, match=r"no observed value for indicator 'rd' in period 2021"):
        normalise(x, [1], "minmax", panel_mode="per-period", names=["rd"], periods=[2020, 2021])
    # pooled still works: only t0 is observed
    np.testing.assert_allclose(_v(normalise(x, [1], "minmax")), [[0.0, np.nan], [1.0, np.nan]])


def test_argument_errors():
    with pytest.raises(DataError, match="unknown normalisation method"):
        normalise(CUBE, [1], "softmax")
    with pytest.raises(DataError, match="unknown panel_mode"):
        normalise(CUBE, [1], panel_mode="global")
    with pytest.raises(DataError, match="needs base_period"):
        normalise(CUBE, [1], panel_mode="base-year")
    with pytest.raises(DataError, match="outside 0..1"):
        normalise(CUBE, [1], panel_mode="base-year", base_period=2)
    with pytest.raises(DataError, match="only used with panel_mode='base-year'"):
        normalise(CUBE, [1], base_period=0)
    with pytest.raises(DataError, match=r"direction of indicator 'x' is 0"):
        normalise(CUBE, [0], names=["x"])
    with pytest.raises(DataError, match="directions has 2 entries"):
        normalise(CUBE, [1, 1])
    with pytest.raises(DataError, match="infinite"):
        normalise(CUBE * np.inf, [1])
    with pytest.raises(DataError, match="shape"):
        normalise(np.ones(3), [1])


# ----------------------------------------------------------------------------- fast path


def _big_cube(seed: int) -> np.ndarray:
    """2,500 units x 3 periods x 40 indicators: 300,000 values, more than one row block."""
    rng = np.random.default_rng(seed)
    return rng.lognormal(0.0, 1.0, (2500, 3, 40)) * rng.lognormal(0.0, 2.0, 40)


def _hand_minmax(x: np.ndarray, d: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    lo = np.nanmin(x, axis=axis, keepdims=True)
    hi = np.nanmax(x, axis=axis, keepdims=True)
    return np.where(d > 0, x - lo, hi - x) / (hi - lo)


@pytest.mark.parametrize("mode", ["pooled", "per-period", "base-year"])
def test_complete_fast_path_equals_nan_aware_path(mode):
    # the same cube without and with one NaN in a cell that holds no extreme: every
    # other score must be equal, since the NaN changes no statistic
    x = _big_cube(11)
    d = np.where(np.arange(40) % 5 == 4, -1, 1)
    gap = x.copy()
    gap[1234, 1, 7] = np.nan
    kw = {"base_period": 1} if mode == "base-year" else {}
    fast = normalise(x, d, "minmax", panel_mode=mode, **kw)
    slow = normalise(gap, d, "minmax", panel_mode=mode, **kw)
    assert np.isnan(slow.values[1234, 1, 7]) and not np.isnan(fast.values).any()
    keep = ~np.isnan(gap)
    np.testing.assert_array_equal(fast.values[keep], slow.values[keep])
    np.testing.assert_array_equal(fast.params["min"], slow.params["min"])
    np.testing.assert_array_equal(fast.params["max"], slow.params["max"])
    n_ref = {"pooled": 7500, "per-period": 2500, "base-year": 2500}[mode]
    assert (fast.params["n"] == n_ref).all()
    # and both equal the textbook formula (cost: (max - x)/(max - min)) to rounding
    axis = (0, 1) if mode == "pooled" else (0,)
    ref = x[:, 1:2] if mode == "base-year" else x
    lo, hi = ref.min(axis=axis, keepdims=True), ref.max(axis=axis, keepdims=True)
    want = np.where(d > 0, x - lo, hi - x) / (hi - lo)
    np.testing.assert_allclose(fast.values, want, rtol=0, atol=1e-15)


def test_complete_2d_matrix_and_log_fast_path():
    x = _big_cube(12).reshape(-1, 40)  # the flattened (unit-periods x k) matrix
    d = np.where(np.arange(40) % 3 == 0, -1, 1)
    z = normalise(x, d, "minmax").values
    np.testing.assert_allclose(z, _hand_minmax(x, d, (0,)), rtol=0, atol=1e-15)
    assert z.min() == 0.0 and z.max() == 1.0 and z.flags.writeable
    lz = normalise(x, d, "log").values
    np.testing.assert_allclose(lz, _hand_minmax(np.log(x), d, (0,)), rtol=0, atol=1e-14)
    gap = x.copy()
    gap[5, 3] = np.nan
    lz_gap = normalise(gap, d, "log").values
    keep = ~np.isnan(gap)
    np.testing.assert_array_equal(lz[keep], lz_gap[keep])


def test_read_only_input_is_used_without_change():
    x = _big_cube(13)
    x.flags.writeable = False  # as Panel.values
    before = x.copy()
    res = normalise(x, np.ones(40), "minmax", panel_mode="pooled", shift=("add", 0.01))
    np.testing.assert_array_equal(x, before)
    assert res.values.flags.writeable and not np.shares_memory(res.values, x)
    assert res.values.min() == 0.01 and res.values.max() == 1.01


def test_infinite_value_still_raises_on_large_input():
    x = _big_cube(14)
    x[2000, 2, 9] = -np.inf
    with pytest.raises(DataError, match="indicator 9 has infinite values"):
        normalise(x, np.ones(40), "minmax")


def test_column_helpers_equal_plain_numpy():
    rng = np.random.default_rng(15)
    a = rng.normal(size=(10_007, 13))  # rows not a multiple of any block
    for uf in (np.minimum, np.maximum, np.fmin, np.fmax):
        np.testing.assert_array_equal(column_reduce(uf, a), uf.reduce(a, axis=0))
    np.testing.assert_array_equal(column_reduce(np.add, a), a.sum(axis=0))  # not blocked
    lo, hi, total = column_summary(a)
    np.testing.assert_array_equal(lo, a.min(axis=0))
    np.testing.assert_array_equal(hi, a.max(axis=0))
    np.testing.assert_allclose(total, a.sum(axis=0), rtol=1e-12, atol=1e-12)
    row = rng.normal(size=13)
    for uf in (np.subtract, np.divide):
        np.testing.assert_array_equal(column_op(uf, row)(a), uf(a, row))
    out = a.copy()
    column_op(np.subtract, row)(out, out)  # in place
    np.testing.assert_array_equal(out, a - row)
    # NaN reaches minimum/maximum but not fmin/fmax; infinity reaches one extreme
    b = a.copy()
    b[9_999, 4] = np.nan
    b[17, 6] = np.inf
    lo, hi = column_summary(b, sums=False)
    assert np.isnan(lo[4]) and np.isnan(hi[4]) and hi[6] == np.inf and np.isfinite(lo[6])
    assert np.isfinite(np.delete(lo, [4, 6])).all()
    assert column_reduce(np.fmin, b)[4] == np.nanmin(b[:, 4])
    # blocks of whole rows, about 131,072 values each (at least one row)
    assert [(s.start, s.stop) for s in row_blocks(3, 100_000)] == [(0, 1), (1, 2), (2, 3)]
    assert [(s.start, s.stop) for s in row_blocks(5_000, 40)] == [(0, 3276), (3276, 5000)]
    assert row_blocks(0, 3) == []


# ----------------------------------------------------------------- COINr's normalisations
def _cube():
    x = np.array([[3.0, 10.0], [1.0, 5.0], [3.0, 2.0], [7.0, 4.0]])
    return x[:, None, :]


def test_borda_counts_the_units_below():
    z = normalise(_cube(), [1, -1], "borda").values[:, 0]
    np.testing.assert_array_equal(z[:, 0], [1, 0, 1, 3])  # ties at the lowest rank
    np.testing.assert_array_equal(z[:, 1], [0, 1, 3, 2])  # cost: smaller is better


def test_fraction_of_max_and_distances():
    x = _cube()
    fm = normalise(x, [1, -1], "fracmax").values[:, 0]
    np.testing.assert_allclose(fm[:, 0], [3 / 7, 1 / 7, 3 / 7, 1.0])
    np.testing.assert_allclose(fm[:, 1], [2 / 10, 2 / 5, 1.0, 2 / 4])
    d2m = normalise(x, [1, -1], "dist2max").values
    np.testing.assert_allclose(d2m, normalise(x, [1, -1], "minmax").values, atol=1e-15)
    ref = normalise(x[:, :, :1], [1], "dist2ref", reference=0).values[:, 0, 0]
    np.testing.assert_allclose(ref, 1 - (3 - x[:, 0, 0]) / 2)  # 1 - (x_ref - x)/(x_ref - min)
    # a reference unit at the minimum leaves the distance undefined (unit 0 on the cost one)
    with pytest.raises(DataError, match="minimum"):
        normalise(x, [1, -1], "dist2ref", reference=0)


def test_dist2ref_cap_and_zscore_scale():
    x = _cube()[:, :, :1]
    z = normalise(x, [1], "dist2ref", reference=0).values[:, 0, 0]
    assert z[3] == pytest.approx(1 - (3 - 7) / 2) and z[3] > 1
    zc = normalise(x, [1], "dist2ref", reference=0, cap=True).values[:, 0, 0]
    assert zc.max() == 1.0
    zs = normalise(x, [1], "zscore", zscore_scale=(100, 10)).values[:, 0, 0]
    assert zs.mean() == pytest.approx(100) and zs.std(ddof=1) == pytest.approx(10)
    with pytest.raises(DataError, match="zscore_scale"):
        normalise(x, [1], "minmax", zscore_scale=(0, 1))
