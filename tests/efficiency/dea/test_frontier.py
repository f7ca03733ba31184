"""Reference sets of each frontier type."""

from __future__ import annotations

import pytest

from nqpf.efficiency.dea import reference_periods, reference_rows
from nqpf.errors import DataError

ROWS = [2001, 2000, 2002, 2000, 2003, 2001, 2002]  # unsorted, two units some years
PERIODS = [2000, 2001, 2002, 2003]


def test_contemporaneous_sequential_global():
    assert reference_rows(ROWS, "contemporaneous", 2001).tolist() == [0, 5]
    assert reference_rows(ROWS, "sequential", 2001).tolist() == [0, 1, 3, 5]
    assert reference_rows(ROWS, "sequential", 2000).tolist() == [1, 3]
    assert reference_rows(ROWS, "global", 2000).tolist() == list(range(7))


def test_window_ends_at_t_and_is_shorter_at_the_start():
    assert reference_periods(PERIODS, "window", 2002, window=2) == [2001, 2002]
    assert reference_periods(PERIODS, "window", 2003, window=3) == [2001, 2002, 2003]
    assert reference_periods(PERIODS, "window", 2000, window=3) == [2000]
    assert reference_rows(ROWS, "window", 2002, window=2).tolist() == [0, 2, 5, 6]


def test_biennial_pairs_t_and_next_last_uses_previous():
    assert reference_periods(PERIODS, "biennial", 2000) == [2000, 2001]
    assert reference_periods(PERIODS, "biennial", 2003) == [2002, 2003]
    assert reference_periods([2000], "biennial", 2000) == [2000]
    assert reference_rows(ROWS, "biennial", 2002).tolist() == [2, 4, 6]


def test_text_periods_and_errors():
    assert reference_periods(["a", "b", "c"], "sequential", "b") == ["a", "b"]
    with pytest.raises(DataError, match="choose one of: contemporaneous"):
        reference_rows(ROWS, "rolling", 2000)
    with pytest.raises(DataError, match="needs window=W"):
        reference_rows(ROWS, "window", 2000)
    with pytest.raises(DataError, match="only used with frontier='window'"):
        reference_rows(ROWS, "global", 2000, window=2)
    with pytest.raises(DataError, match="period 1999 is not in the data"):
        reference_rows(ROWS, "global", 1999)
