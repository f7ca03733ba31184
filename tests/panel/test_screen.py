"""Screening units by data availability; group-median imputation."""

import numpy as np
import pytest

from nqpf import DataError, Panel
from nqpf.panel.impute import impute
from nqpf.panel.screen import screen_units, unit_summary


def _panel():
    v = np.arange(4 * 2 * 3, dtype=float).reshape(4, 2, 3) + 1
    v[1, 0, :2] = np.nan  # unit b: 1 of 3 observed in 2020
    v[2, 1, 0] = np.nan  # unit c: 2 of 3 in 2021
    v[3, :, 1] = 0.0  # unit d: zeros
    return Panel(v, ("a", "b", "c", "d"), (2020, 2021), ("x", "y", "z"))


def test_unit_summary_counts():
    s = unit_summary(_panel()).set_index(["unit", "period"])
    assert s.loc[("b", 2020), "observed"] == 1
    assert s.loc[("c", 2021), "share"] == pytest.approx(2 / 3)
    assert s.loc[("d", 2020), "zeros"] == 1


def test_screen_by_period_all_and_zeros():
    kept, removed = screen_units(_panel())
    assert kept.units == ("a", "c", "d") and removed["unit"].tolist() == ["b"]
    assert removed["worst_period"].tolist() == [2020]
    assert kept.meta["screened"]["removed"] == ["b"]
    kept, removed = screen_units(_panel(), 0.8, by="all")  # b: 4/6, c: 5/6
    assert removed["unit"].tolist() == ["b"]
    kept, removed = screen_units(_panel(), zeros_missing=True, min_share=0.7)
    assert set(removed["unit"]) == {"b", "c", "d"}
    with pytest.raises(DataError, match="no unit"):
        screen_units(_panel().replace(values=np.full((4, 2, 3), np.nan)))


def test_group_median_fills_with_the_median_of_the_group():
    v = np.array([[[1.0]], [[2.0]], [[100.0]], [[np.nan]], [[5.0]]])
    p = Panel(v, ("a", "b", "c", "d", "e"), (2020,), ("x",))
    groups = {"a": "g", "b": "g", "c": "g", "d": "g", "e": "h"}
    med = impute(p, "group_median", groups=groups)
    mean = impute(p, "group_mean", groups=groups)
    assert med.values[3, 0, 0] == 2.0 and mean.values[3, 0, 0] == pytest.approx(103 / 3)
    with pytest.raises(DataError, match="group_median"):
        impute(p, "group_median")
