import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataError
from nqpf.panel.core import Panel
from nqpf.panel.impute import impute, impute_report

NAN = np.nan


def _series(values, periods, unit="a", ind="x"):
    """A one-unit, one-indicator panel."""
    v = np.asarray(values, dtype=float).reshape(1, -1, 1)
    return Panel(v, (unit,), tuple(periods), (ind,))


def _row(p, u=0, k=0):
    return p.values[u, :, k]


# ---------------------------------------------------------------------- linear
def test_linear_respects_uneven_years():
    # 2010 -> 10, 2013 -> 40: 2012 lies 2/3 of the way, so 10 + 30 * 2/3 = 30
    p = _series([10, NAN, 40], (2010, 2012, 2013))
    q = impute(p, "linear")
    assert _row(q)[1] == pytest.approx(30.0)


def test_linear_on_text_periods_uses_positions():
    p = _series([10, NAN, 40], ("2010Q1", "2010Q3", "2010Q4"))
    assert _row(impute(p, "linear"))[1] == pytest.approx(25.0)


def test_linear_fills_interior_only():
    p = _series([NAN, 2, NAN, NAN, 8, NAN], range(2010, 2016))
    q = impute(p, "linear")
    np.testing.assert_allclose(_row(q)[1:5], [2, 4, 6, 8])
    assert np.isnan(_row(q)[0]) and np.isnan(_row(q)[5])
    assert q.imputed[0, :, 0].tolist() == [False, False, True, True, False, False]
    step = q.meta["steps"][-1]
    assert step == {
        "step": "impute", "method": "linear", "cells": 2, "indicators": ["x"],
        "limit": None, "left_missing": 2,
    }


# ---------------------------------------------------------------------- growth
def test_growth_interior_geometric_and_trailing_average_growth():
    p = _series([100, NAN, 121, NAN], (2010, 2011, 2012, 2013))
    q = impute(p, "growth")
    # interior: sqrt(100 * 121) = 110; g = (121/100)^(1/2) - 1 = 0.1; trailing 121 * 1.1
    np.testing.assert_allclose(_row(q), [100, 110, 121, 133.1])


def test_growth_leading_backward_from_first_observation():
    p = _series([NAN, 100, NAN, 121], (2010, 2011, 2012, 2013))
    q = impute(p, "growth")
    np.testing.assert_allclose(_row(q), [100 / 1.1, 100, 110, 121])


def test_growth_rate_is_per_year_with_uneven_periods():
    # 2010 -> 100, 2012 -> 121: g = 10 % a year; 2015 is 3 years after 2012
    p = _series([100, 121, NAN], (2010, 2012, 2015))
    assert _row(impute(p, "growth"))[2] == pytest.approx(121 * 1.1**3)


def test_growth_undefined_raises_naming_unit_and_indicator():
    p = _series([100, NAN, 0, NAN], range(2010, 2014), unit="北京", ind="rd")
    with pytest.raises(DataError) as e:
        impute(p, "growth")
    msg = str(e.value)
    assert "'北京'" in msg and "'rd'" in msg and "linear" in msg and "nearest" in msg
    assert "≤ 0" in msg and "2012" in msg
    one = _series([NAN, 5, NAN], range(2010, 2013))
    with pytest.raises(DataError, match="1 observed value"):
        impute(one, "growth")


def test_growth_skip_leaves_undefined_series_missing_and_counts_them():
    v = np.array([[[100.0], [NAN], [121.0]], [[-1.0], [NAN], [3.0]]])
    p = Panel(v, ("a", "b"), (2010, 2011, 2012), ("x",))
    q = impute(p, "growth", on_undefined="skip")
    assert q.values[0, 1, 0] == pytest.approx(110.0)
    assert np.isnan(q.values[1, 1, 0]) and not q.imputed[1, 1, 0]
    step = q.meta["steps"][-1]
    assert step["cells"] == 1
    assert step["skipped_series"] == 1 and step["skipped_cells"] == 1
    assert step["skipped"][0]["unit"] == "b"


def test_growth_ignores_series_without_gaps_even_if_nonpositive():
    v = np.array([[[0.0], [1.0]], [[2.0], [NAN]]])
    p = Panel(v, ("a", "b"), (2010, 2011), ("x",))
    # unit "a" has a zero but nothing to fill; unit "b" has one value: undefined -> skip
    q = impute(p, "growth", on_undefined="skip")
    assert q.meta["steps"][-1]["skipped"] == [
        {"unit": "b", "indicator": "x", "reason": "1 observed value"}
    ]


# ---------------------------------------------------------------------- linear_extrapolate
def test_linear_extrapolate_uses_two_nearest_points_and_counts_negatives():
    p = _series([NAN, 10, 4, NAN, NAN], range(2010, 2015))
    q = impute(p, "linear_extrapolate")
    # slope -6 from (2011, 10), (2012, 4): 2010 -> 16, 2013 -> -2, 2014 -> -8, both set to 0
    # because the observed series is non-negative
    np.testing.assert_allclose(_row(q), [16, 10, 4, 0, 0])
    step = q.meta["steps"][-1]
    assert step["negative_cells"] == 2 and step["clamped_cells"] == 2 and step["cells"] == 3


def test_linear_extrapolate_edges_from_the_nearest_pair_not_the_ends():
    p = _series([NAN, 1, NAN, 3, 10, NAN], range(2010, 2016))
    q = impute(p, "linear_extrapolate")
    # leading from (2011, 1), (2013, 3): slope 1 -> 0; trailing from (2013, 3), (2014, 10): 17
    np.testing.assert_allclose(_row(q), [0, 1, 2, 3, 10, 17])


def test_linear_extrapolate_single_observation_leaves_edges_missing():
    p = _series([NAN, 5, NAN], range(2010, 2013))
    q = impute(p, "linear_extrapolate")
    assert np.isnan(_row(q)[[0, 2]]).all()
    assert q.meta["steps"][-1]["edge_cells_unfilled"] == 2


# ---------------------------------------------------------------------- nearest
def test_nearest_tie_takes_earlier_period():
    p = _series([1, NAN, NAN, NAN, 5], range(2010, 2015))
    np.testing.assert_allclose(_row(impute(p, "nearest")), [1, 1, 1, 5, 5])


def test_nearest_uses_year_distance_and_fills_edges():
    p = _series([NAN, 1, NAN, 5, NAN], (2008, 2010, 2011, 2015, 2016))
    # 2011 is 1 year from 2010 and 4 from 2015
    np.testing.assert_allclose(_row(impute(p, "nearest")), [1, 1, 1, 5, 5])


# ---------------------------------------------------------------------- group_mean
def _group_panel():
    v = np.full((4, 2, 1), NAN)
    v[:, 0, 0] = [NAN, 2, 4, 100]
    v[:, 1, 0] = [1, 3, 5, NAN]
    return Panel(v, ("a", "b", "c", "d"), (2019, 2020), ("x",))


def test_group_mean_within_group_and_period():
    p = _group_panel()
    q = impute(p, "group_mean", groups={"a": "east", "b": "east", "c": "east", "d": "west"})
    assert q.values[0, 0, 0] == pytest.approx(3.0)  # mean of b, c in 2019; d excluded
    assert np.isnan(q.values[3, 1, 0])  # west has no other value in 2020
    step = q.meta["steps"][-1]
    assert step["cells"] == 1 and step["no_group_value_cells"] == 1


def test_group_mean_needs_every_unit_in_groups():
    with pytest.raises(DataError, match=r"\['c', 'd'\]"):
        impute(_group_panel(), "group_mean", groups={"a": 1, "b": 1, "zz": 2})
    with pytest.raises(DataError, match="groups"):
        impute(_group_panel(), "group_mean")


# ---------------------------------------------------------------------- mean / median
def test_mean_and_median_of_own_series():
    p = _series([1, NAN, 2, 9, NAN], range(2010, 2015))
    np.testing.assert_allclose(_row(impute(p, "mean")), [1, 4, 2, 9, 4])
    np.testing.assert_allclose(_row(impute(p, "median")), [1, 2, 2, 9, 2])


# ---------------------------------------------------------------------- limit, subset
def test_limit_leaves_longer_runs_missing():
    p = _series([1, NAN, NAN, 4, NAN, 6], range(2010, 2016))
    q1 = impute(p, "linear", limit=1)
    assert np.isnan(_row(q1)[[1, 2]]).all()
    assert _row(q1)[4] == pytest.approx(5.0)
    q2 = impute(p, "linear", limit=2)
    np.testing.assert_allclose(_row(q2), [1, 2, 3, 4, 5, 6])
    assert q1.meta["steps"][-1]["limit"] == 1


def test_limit_counts_edge_runs_too():
    p = _series([NAN, NAN, 3, NAN], range(2010, 2014))
    q = impute(p, "nearest", limit=1)
    assert np.isnan(_row(q)[:2]).all() and _row(q)[3] == 3


def test_indicator_subset_leaves_others_untouched():
    v = np.array([[[1.0, 1.0], [NAN, NAN], [3.0, 3.0]]])
    p = Panel(v, ("a",), (2010, 2011, 2012), ("x", "y"))
    q = impute(p, "linear", indicators=["y"])
    assert np.isnan(q.values[0, 1, 0]) and q.values[0, 1, 1] == pytest.approx(2.0)
    assert q.imputed[0, :, 0].sum() == 0 and q.imputed[0, 1, 1]
    assert q.meta["steps"][-1]["indicators"] == ["y"]


# ---------------------------------------------------------------------- mask, immutability
def test_input_unchanged_and_mask_accumulates():
    p0 = _series([NAN, 2, NAN, 4, NAN], range(2010, 2015))
    p0 = p0.replace(meta={"steps": [{"step": "read"}]})
    before = p0.values.copy()
    q1 = impute(p0, "linear")
    q2 = impute(q1, "nearest")
    np.testing.assert_array_equal(p0.values, before)
    assert not p0.imputed.any()
    assert p0.meta["steps"] == [{"step": "read"}]
    assert q1.imputed[0, :, 0].tolist() == [False, False, True, False, False]
    assert q2.imputed[0, :, 0].tolist() == [True, False, True, False, True]
    np.testing.assert_allclose(_row(q2), [2, 2, 3, 4, 4])
    assert [s.get("method") for s in q2.meta["steps"]] == [None, "linear", "nearest"]
    assert len(q1.meta["steps"]) == 2
    assert not q2.values.flags.writeable


def test_mask_is_true_exactly_at_filled_cells():
    rng = np.random.default_rng(0)
    v = rng.uniform(1, 10, (5, 6, 3))
    v[rng.random(v.shape) < 0.3] = NAN
    p = Panel(v, tuple("abcde"), tuple(range(2010, 2016)), ("x", "y", "z"))
    q = impute(p, "linear_extrapolate")
    filled = np.isnan(p.values) & ~np.isnan(q.values)
    np.testing.assert_array_equal(q.imputed, filled)
    obs = ~np.isnan(p.values)
    np.testing.assert_array_equal(q.values[obs], p.values[obs])
    assert q.meta["steps"][-1]["cells"] == int(filled.sum())


def test_impute_report_lists_filled_cells():
    v = np.array([[[1.0], [NAN], [3.0]], [[NAN], [5.0], [NAN]]])
    p = Panel(v, ("a", "b"), (2010, 2011, 2012), ("x",))
    rep = impute_report(impute(p, "nearest"))
    assert list(rep.columns) == ["unit", "period", "indicator", "value"]
    got = list(rep.itertuples(index=False, name=None))
    assert got == [("a", 2011, "x", 1.0), ("b", 2010, "x", 5.0), ("b", 2012, "x", 5.0)]
    assert impute_report(p).empty


def test_bad_options_raise():
    p = _series([1, NAN, 3], range(2010, 2013))
    with pytest.raises(DataError, match="unknown imputation method"):
        impute(p, "spline")
    with pytest.raises(DataError, match="unknown indicator"):
        impute(p, "linear", indicators=["nope"])
    for bad in (0, -1, 1.5, True):
        with pytest.raises(DataError, match="limit"):
            impute(p, "linear", limit=bad)


def test_imputes_a_panel_read_from_a_long_table():
    df = pd.DataFrame(
        {"unit": ["a"] * 3, "period": ["2010年", "2011年", "2012年"], "indicator": ["x"] * 3,
         "value": ["10", "—", "30"]}
    )
    q = impute(Panel.from_long(df), "linear")
    assert q.values[0, 1, 0] == pytest.approx(20.0)


def test_linear_extrapolate_keeps_a_non_negative_series_at_or_above_zero():
    p = impute(_series([np.nan, 100, 50, 20, np.nan, np.nan], range(2015, 2021)),
               "linear_extrapolate")
    np.testing.assert_allclose(_row(p), [150, 100, 50, 20, 0, 0])  # not -10, -40
    step = p.meta["steps"][-1]
    assert step["negative_cells"] == 2 and step["clamped_cells"] == 2
    q = impute(_series([np.nan, 10, -5], (1, 2, 3)), "linear_extrapolate")
    assert _row(q)[0] == 25.0  # a series that is negative somewhere is not clamped
