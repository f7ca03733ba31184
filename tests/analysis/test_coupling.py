"""Coupling coordination degree: hand values, the Wang et al. (2021) variant, levels, errors."""

import math

import numpy as np
import pandas as pd
import pytest

from nqpf import DataError, Panel
from nqpf.analysis.coupling import (
    coordination_levels,
    coupling,
    coupling_degree,
    level_of,
)
from nqpf.index import build_index


def _wide(**systems):
    n = len(next(iter(systems.values())))
    df = pd.DataFrame({"unit": [f"u{i}" for i in range(n)], "period": [2020] * n})
    for k, v in systems.items():
        df[k] = v
    return df


def _row(res, unit):
    return res.table.set_index("unit").loc[unit]


def test_two_systems_hand_values():
    res = coupling(_wide(nqpf=[0.5, 0.2, 0.3], hqd=[0.5, 0.8, 0.6]))
    a, b, c = _row(res, "u0"), _row(res, "u1"), _row(res, "u2")
    # equal levels: C = 1, T = 0.5, D = sqrt(0.5)
    assert a["C"] == pytest.approx(1.0, abs=1e-15)
    assert a["T"] == pytest.approx(0.5)
    assert a["D"] == pytest.approx(math.sqrt(0.5))
    # (0.2, 0.8): C = 2*sqrt(0.16)/1.0 = 0.8; D = sqrt(0.8*0.5) = sqrt(0.4)
    assert b["C"] == pytest.approx(0.8)
    assert b["D"] == pytest.approx(math.sqrt(0.4))
    # (0.3, 0.6): 2*sqrt(0.18)/0.9
    assert c["C"] == pytest.approx(0.942809, abs=1e-6)
    assert c["T"] == pytest.approx(0.45)
    assert list(res.table.columns[:4]) == ["unit", "period", "U_nqpf", "U_hqd"]


def test_three_systems_hand_values():
    # (0.2, 0.4, 0.8): geometric mean 0.4, arithmetic mean 1.4/3 -> C = 1.2/1.4
    res = coupling(_wide(a=[0.2], b=[0.4], c=[0.8]))
    r = _row(res, "u0")
    assert r["C"] == pytest.approx(6 / 7)
    assert r["T"] == pytest.approx(1.4 / 3)
    assert r["D"] == pytest.approx(math.sqrt(0.4))
    assert r["level"] == 7 and r["level_zh"] == "初级协调"


def test_contribution_weights_enter_T_only():
    res = coupling(_wide(a=[0.2], b=[0.8]), alpha={"a": 0.25, "b": 0.75})
    r = _row(res, "u0")
    assert r["C"] == pytest.approx(0.8)  # unchanged by alpha
    assert r["T"] == pytest.approx(0.25 * 0.2 + 0.75 * 0.8)
    assert r["D"] == pytest.approx(math.sqrt(0.8 * 0.65))
    with pytest.raises(DataError, match="sum to 1"):
        coupling(_wide(a=[0.2], b=[0.8]), alpha=[0.5, 0.6])
    with pytest.raises(DataError, match="missing"):
        coupling(_wide(a=[0.2], b=[0.8]), alpha={"a": 1.0})


def test_wang2021_variant_hand_values():
    res = coupling(_wide(a=[0.3, 0.2, 0.5], b=[0.6, 0.8, 0.5]), variant="wang2021")
    # (0.3, 0.6): sqrt[(1 - 0.3) * 0.3/0.6] = sqrt(0.35)
    assert _row(res, "u0")["C"] == pytest.approx(0.591608, abs=1e-6)
    # (0.2, 0.8): sqrt[(1 - 0.6) * 0.25] = sqrt(0.1)
    assert _row(res, "u1")["C"] == pytest.approx(math.sqrt(0.1))
    assert _row(res, "u2")["C"] == pytest.approx(1.0)
    # three systems (0.2, 0.4, 0.8): pairwise |diffs| 0.2 + 0.6 + 0.4 = 1.2 over 1 + 2 = 3
    # pairs -> 0.6; product of U/max = 0.25 * 0.5 * 1 = 0.125, to the power 1/(n-1) = 1/2
    c3 = coupling_degree(np.array([[0.2, 0.4, 0.8]]), "wang2021")[0]
    assert c3 == pytest.approx(math.sqrt(0.6 * math.sqrt(0.125)))
    assert res.params["variant"] == "wang2021"


def test_common_mistakes_differ_from_the_standard_form():
    U = np.array([[0.3, 0.6], [0.5, 0.5], [0.1, 0.9]])
    C = coupling_degree(U)
    u1, u2 = U[:, 0], U[:, 1]
    # the equivalent written form {U1 U2 / [(U1+U2)/2]^2}^(1/2) is the same number
    assert np.allclose(C, np.sqrt(u1 * u2 / ((u1 + u2) / 2) ** 2))
    # dropping the coefficient n caps C at 0.5 for two systems
    wrong = np.sqrt(u1 * u2 / (u1 + u2) ** 2)
    assert wrong.max() == pytest.approx(0.5) and np.allclose(C, 2 * wrong)
    # pairwise-sums three-system form reaches 1.5 at equal levels; the standard gives 1
    e = np.array([[0.4, 0.4, 0.4]])
    pairwise = 3 * (0.4**3 / (0.8 * 0.8 * 0.8)) ** (1 / 3)
    assert pairwise == pytest.approx(1.5)
    assert coupling_degree(e)[0] == pytest.approx(1.0)
    # every C lies in [0, 1]
    rng = np.random.default_rng(0)
    for n in (2, 3, 5):
        R = rng.uniform(0, 1, size=(200, n))
        for v in ("standard", "wang2021"):
            c = coupling_degree(R, v)
            assert ((c >= 0) & (c <= 1)).all()


def test_levels_table_and_band_closure():
    lv = coordination_levels()
    assert len(lv) == 10
    assert lv.iloc[0]["name_zh"] == "极度失调" and lv.iloc[0]["name_en"] == "extreme imbalance"
    assert lv.iloc[9]["name_zh"] == "优质协调"
    assert lv.iloc[9]["name_en"] == "high-quality coordination"
    assert set(lv["stage_en"][:5]) == {"imbalanced decline"}
    assert set(lv["stage_zh"][5:]) == {"协调发展"}
    assert lv.iloc[0]["interval"] == "[0.0, 0.1)" and lv.iloc[9]["interval"] == "[0.9, 1.0]"
    right = coordination_levels("right")
    assert right.iloc[0]["interval"] == "[0.0, 0.1]" and right.iloc[1]["interval"] == "(0.1, 0.2]"
    d = np.array([0.0, 0.1, 0.5, 0.55, 0.9, 1.0])
    assert level_of(d, "left").tolist() == [1, 2, 6, 6, 10, 10]
    assert level_of(d, "right").tolist() == [1, 1, 5, 6, 9, 10]


def test_tables_and_summary():
    res = coupling(_wide(a=[0.5, 0.2], b=[0.5, 0.8]))
    t = res.tables()
    assert set(t) == {"coupling", "coupling_levels"}
    for col in ("unit", "period", "U_a", "U_b", "C", "T", "D", "level", "level_zh"):
        assert col in t["coupling"].columns
    s = res.summary()
    assert s.loc[0, "D_mean"] == pytest.approx((math.sqrt(0.5) + math.sqrt(0.4)) / 2)
    fig = res.plot(units=["u0"])
    assert fig.axes


def test_levels_outside_unit_interval_are_an_error_unless_normalised():
    with pytest.raises(DataError, match=r"system 'a' is 1.4 for unit 'u1', period 2020.*\[0, 1\]"):
        coupling(_wide(a=[0.2, 1.4, 0.6], b=[0.1, 0.2, 0.3]))
    with pytest.raises(DataError, match=r"system 'b' is -0.1"):
        coupling(_wide(a=[0.2, 0.4, 0.6], b=[0.1, -0.1, 0.3]))
    df = _wide(a=[0.2, 1.4, 0.6], b=[10.0, 20.0, 30.0])
    res = coupling(df, normalise=True)
    # min-max over the pooled panel: a -> (0, 1, 1/3), b -> (0, 0.5, 1)
    assert res.table["U_a"].tolist() == pytest.approx([0.0, 1.0, 1 / 3])
    assert res.table["U_b"].tolist() == pytest.approx([0.0, 0.5, 1.0])
    # u0 is 0 on both systems: C set to 0 by convention, and listed
    assert _row(res, "u0")["C"] == 0.0 and _row(res, "u0")["D"] == 0.0
    assert res.params["all_zero"] == [("u0", 2020)]
    assert df["a"].tolist() == [0.2, 1.4, 0.6]  # input untouched
    with pytest.raises(DataError, match="same value"):
        coupling(_wide(a=[0.5, 0.5], b=[0.1, 0.2]), normalise=True)


def test_mapping_of_tables_and_join_rules():
    a = pd.DataFrame({"unit": ["x", "y", "x", "y"], "period": [2020, 2020, 2021, 2021],
                      "value": [0.2, 0.4, 0.3, 0.5]})
    b = pd.DataFrame({"unit": ["x", "y", "x"], "period": [2020, 2020, 2021],
                      "node": "index", "score": [0.8, 0.4, 0.6]})
    with pytest.raises(DataError, match=r"unit 'y', period 2021 has none for \['hqd'\]"):
        coupling({"nqpf": a, "hqd": b})
    res = coupling({"nqpf": a, "hqd": b}, join="inner")
    assert len(res.table) == 3 and res.params["dropped"] == 1
    x20 = res.table[(res.table.unit == "x") & (res.table.period == 2020)].iloc[0]
    assert x20["C"] == pytest.approx(0.8)
    with pytest.raises(DataError, match="at least two systems"):
        coupling({"only": a})


def test_dimensions_of_an_index_result_are_the_systems():
    rows = [
        {"unit": u, "period": 2020, "a": a, "b": b}
        for u, a, b in [("u1", 1.0, 5.0), ("u2", 2.0, 3.0), ("u3", 4.0, 1.0)]
    ]
    panel = Panel.from_wide(pd.DataFrame(rows), unit="unit", period="period")
    fw = {
        "id": "two", "name_zh": "二", "name_en": "Two",
        "dimensions": [
            {"id": "da", "name_zh": "甲", "indicators": [
                {"id": "a", "name_zh": "甲", "unit": "", "direction": "+"}]},
            {"id": "db", "name_zh": "乙", "indicators": [
                {"id": "b", "name_zh": "乙", "unit": "", "direction": "+"}]},
        ],
    }
    res = coupling(build_index(panel, fw, weights="equal"))
    assert res.systems == ["da", "db"]
    # min-max: da = (0, 1/3, 1), db = (1, 0.5, 0); u2: C = 2 sqrt(1/6) / (5/6)
    assert _row(res, "u2")["C"] == pytest.approx(2 * math.sqrt(1 / 6) / (5 / 6))
    assert _row(res, "u1")["C"] == 0.0
