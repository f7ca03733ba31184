import numpy as np
import pandas as pd
import pytest

from nqpf import DataError, Panel
from nqpf.panel.core import normalise_period


def _long():
    return pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b", "a"],
            "period": [2019, 2020, 2019, 2020, 2019],
            "indicator": ["x", "x", "x", "x", "y"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )


def test_from_long_builds_cube_with_nan_for_absent_cells():
    p = Panel.from_long(_long())
    assert p.units == ("a", "b")
    assert p.periods == (2019, 2020)
    assert p.indicators == ("x", "y")
    assert p.values[0, 1, 0] == 2.0
    assert p.values[1, 0, 0] == 3.0
    assert p.values[0, 0, 1] == 5.0
    assert np.isnan(p.values[1, 1, 1])
    assert not p.imputed.any()


def test_arrays_are_read_only_and_input_not_changed():
    df = _long()
    before = df.copy()
    p = Panel.from_long(df)
    with pytest.raises(ValueError):
        p.values[0, 0, 0] = 9.0
    pd.testing.assert_frame_equal(df, before)


def test_long_wide_round_trip():
    p = Panel.from_long(_long())
    w = p.to_wide().reset_index()
    q = Panel.from_wide(w, unit="unit", period="period")
    np.testing.assert_array_equal(p.values, q.values)
    back = q.to_long()
    assert len(back) == 5
    assert back.loc[(back.unit == "a") & (back.indicator == "y"), "value"].item() == 5.0


def test_duplicate_keys_are_named():
    df = pd.concat([_long(), _long().iloc[[1]]])
    with pytest.raises(DataError, match=r"unit='a', period=2020, indicator='x'"):
        Panel.from_long(df, source="f.csv")
    p = Panel.from_long(df.assign(value=[1, 2, 3, 4, 5, 8]), duplicates="mean")
    assert p.values[0, 1, 0] == 5.0
    assert (
        Panel.from_long(df.assign(value=[1, 2, 3, 4, 5, 8]), duplicates="last").values[0, 1, 0] == 8
    )


def test_yearbook_values_counted():
    df = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b"],
            "period": ["2019", "2020年", 2019, 2020.0],
            "indicator": "x",
            "value": ["1,234.5", "—", "１２", "abc"],
        }
    )
    p = Panel.from_long(df)
    assert p.periods == (2019, 2020)
    assert p.values[0, 0, 0] == 1234.5
    assert p.values[1, 0, 0] == 12.0
    rep = p.conversions
    assert rep.thousands_separators == 1
    assert rep.full_width == 1
    assert rep.missing_tokens["—"] == 1
    assert rep.non_numeric[0]["raw"] == "abc"
    assert rep.non_numeric[0]["where"]["unit"] == "b"
    assert rep.non_numeric[0]["where"]["row"] == 5


def test_missing_columns_and_empty_labels():
    with pytest.raises(DataError, match="column"):
        Panel.from_long(_long().drop(columns="value"))
    bad = _long()
    bad.loc[2, "unit"] = " "
    with pytest.raises(DataError, match="row 4"):
        Panel.from_long(bad)


def test_sel_merge_and_rename():
    p = Panel.from_long(_long())
    s = p.sel(units=["b"], indicators=["x"])
    assert s.shape == (1, 2, 1)
    assert s.values[0, :, 0].tolist() == [3.0, 4.0]
    with pytest.raises(DataError, match="unknown unit"):
        p.sel(units=["zz"])
    q = Panel.from_long(
        pd.DataFrame({"unit": ["c"], "period": [2021], "indicator": ["x"], "value": [7.0]})
    )
    m = p.merge(q)
    assert m.units == ("a", "b", "c") and m.periods == (2019, 2020, 2021)
    assert m.values[2, 2, 0] == 7.0
    clash = Panel.from_long(
        pd.DataFrame({"unit": ["a"], "period": [2019], "indicator": ["x"], "value": [99.0]})
    )
    with pytest.raises(DataError, match="conflicting"):
        p.merge(clash)
    with pytest.raises(DataError, match="same name"):
        p.rename_units({"a": "z", "b": "z"})
    assert p.rename_units({"a": "A"}).units == ("A", "b")


def test_with_indicator_and_coverage():
    p = Panel.from_long(_long())
    r = p.with_indicator("ratio", p.values[:, :, 0] / 2)
    assert r.indicators[-1] == "ratio"
    assert r.values[1, 1, 2] == 2.0
    cov = p.coverage()
    assert cov.loc["x"].tolist() == [1.0, 1.0]
    assert cov.loc["y"].tolist() == [0.5, 0.0]


def test_normalise_period():
    assert normalise_period([2019, "2020", 2021.0, " 2022年"]) == [2019, 2020, 2021, 2022]
    assert normalise_period(["2019Q1", "2019Q2"]) == ["2019Q1", "2019Q2"]
    with pytest.raises(DataError):
        normalise_period(["2019Q1", None])


def test_infinite_value_rejected():
    with pytest.raises(DataError, match="infinite"):
        Panel(np.array([[[np.inf]]]), ("a",), (2019,), ("x",))
