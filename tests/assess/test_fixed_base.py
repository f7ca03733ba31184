"""Fixed-base and chained indices: hand-computed values and the invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.assess.fixed_base import fixed_base, rebase
from nqpf.errors import DataError
from nqpf.framework import Framework


def _fw() -> Framework:
    return Framework.from_dict({"id": "f", "name_zh": "f", "dimensions": [
        {"id": "a", "name_zh": "A", "weight": 0.6, "indicators": [
            {"id": "x", "name_zh": "x", "direction": "+"},
            {"id": "y", "name_zh": "y", "direction": "+"}]},
        {"id": "b", "name_zh": "B", "weight": 0.4, "indicators": [
            {"id": "z", "name_zh": "z", "direction": "-"}]}]})


def _values() -> np.ndarray:
    # 2 units x 3 periods x 3 indicators
    return np.array([
        [[10.0, 5.0, 2.0], [12.0, 5.5, 1.6], [15.0, 6.0, 1.0]],
        [[20.0, 4.0, 4.0], [18.0, 5.0, 5.0], [22.0, 6.0, 4.0]],
    ])


def test_hand_computed_indices_and_contributions():
    fb = fixed_base(_values(), ["u1", "u2"], [2020, 2021, 2022], _fw())
    u1 = fb[(fb["unit"] == "u1") & (fb["period"] == 2021)].set_index("node")
    # x: 120, y: 110, z (cost): 2/1.6*100 = 125; weights x .3, y .3, z .4
    assert u1.loc["x", "index"] == pytest.approx(120.0)
    assert u1.loc["z", "index"] == pytest.approx(125.0)
    assert u1.loc["a", "index"] == pytest.approx(115.0)
    assert u1.loc["f", "index"] == pytest.approx(0.3 * 120 + 0.3 * 110 + 0.4 * 125)
    assert u1.loc["x", "contribution_points"] == pytest.approx(0.3 * 20)
    assert u1.loc["z", "contribution_points"] == pytest.approx(0.4 * 25)
    assert u1.loc["f", "contribution_share"] == pytest.approx(100.0)
    # the whole: index of the cross-unit mean (x: 15 -> 15)
    whole = fb[(fb["unit"] == "all") & (fb["period"] == 2021)].set_index("node")
    assert whole.loc["x", "index"] == pytest.approx(100.0)


@pytest.mark.parametrize("chained", [False, True])
def test_contributions_sum_to_change_of_total(chained):
    fb = fixed_base(_values(), ["u1", "u2"], [2020, 2021, 2022], _fw(), chained=chained)
    for (unit, period), g in fb.groupby(["unit", "period"]):
        if period == 2020:
            assert g["contribution_points"].isna().all()
            continue
        total = fb[(fb["unit"] == unit) & (fb["level"] == "total")].set_index("period")["index"]
        change = total[period] - total[period - 1]
        ind = g[g["level"] == "indicator"]["contribution_points"].sum()
        dims = g[g["level"] == "dimension"]["contribution_points"].sum()
        assert abs(ind - change) < 1e-12
        assert abs(dims - change) < 1e-12
        assert g[g["level"] == "indicator"]["contribution_share"].sum() == pytest.approx(100.0)


def test_chained_equals_fixed_base_for_one_indicator_and_hand_value():
    fb = fixed_base(_values(), ["u1", "u2"], [2020, 2021, 2022], _fw(), chained=True)
    u1 = fb[(fb["unit"] == "u1") & (fb["node"] == "f")].set_index("period")["index"]
    link1 = 0.3 * 1.2 + 0.3 * 1.1 + 0.4 * 1.25
    link2 = 0.3 * 15 / 12 + 0.3 * 6 / 5.5 + 0.4 * 1.6
    assert u1[2021] == pytest.approx(100 * link1)
    assert u1[2022] == pytest.approx(100 * link1 * link2)


def test_rebasing_keeps_ratios():
    periods = [2020, 2021, 2022]
    a = fixed_base(_values(), ["u1", "u2"], periods, _fw())
    b = fixed_base(_values(), ["u1", "u2"], periods, _fw(), base=2021)
    ia = a[a["level"] == "indicator"].set_index(["unit", "node", "period"])["index"]
    ib = b[b["level"] == "indicator"].set_index(["unit", "node", "period"])["index"]
    ratio_a = ia.xs(2022, level="period") / ia.xs(2020, level="period")
    ratio_b = ib.xs(2022, level="period") / ib.xs(2020, level="period")
    pd.testing.assert_series_equal(ratio_a, ratio_b, rtol=1e-12)
    r = rebase(a, 2021)
    assert np.allclose(r[r["period"] == 2021]["index"], 100.0)
    ka = a.set_index(["unit", "node", "period"])["index"]
    kr = r.set_index(["unit", "node", "period"])["index"]
    np.testing.assert_allclose(
        (kr.xs(2022, level="period") / kr.xs(2020, level="period")).to_numpy(),
        (ka.xs(2022, level="period") / ka.xs(2020, level="period")).to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(r["contribution_share"].dropna(),
                               a["contribution_share"].dropna(), rtol=1e-12)


def test_bad_input_names_unit_and_indicator():
    v = _values().copy()
    v[1, 0, 2] = np.nan
    with pytest.raises(DataError, match="base period 2020 is missing for unit 'u2', indicator 'z'"):
        fixed_base(v, ["u1", "u2"], [2020, 2021, 2022], _fw())
    v = _values().copy()
    v[0, 1, 0] = -1.0
    with pytest.raises(DataError, match="'x' is -1 for unit 'u1', period 2021.*positive"):
        fixed_base(v, ["u1", "u2"], [2020, 2021, 2022], _fw())
    with pytest.raises(DataError, match="base year 2019 is not among"):
        fixed_base(_values(), ["u1", "u2"], [2020, 2021, 2022], _fw(), base=2019)
