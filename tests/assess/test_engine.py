"""The assessment run: hand-computed totals, invariants, classes and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nqpf
from assesstools import CLASSES
from nqpf.errors import DataError, FrameworkError, NqpfError
from nqpf.framework import Framework


def _total(res, unit, period):
    t = res.totals(period).set_index("unit")
    return t.loc[unit]


def test_hand_computed_level_progress_total(data, fw_dict):
    res = nqpf.assess(data, fw_dict, classes=CLASSES)
    # u1, class A (rd target 3.0), 2020: 2/3, 8/10, 0.5/0.6
    assert _total(res, "u1", 2020)["total_score"] == pytest.approx(
        0.4 * 200 / 3 + 0.2 * 80 + 0.4 * 250 / 3)
    # 2021: level .4*83.33+.2*90+.4*100; progress .4*50+.2*50+.4*100 = 70
    row = _total(res, "u1", 2021)
    assert row["level_score"] == pytest.approx(0.4 * 250 / 3 + 18 + 40)
    assert row["progress_score"] == pytest.approx(70.0)
    assert row["total_score"] == pytest.approx(0.7 * (0.4 * 250 / 3 + 58) + 0.3 * 70)
    assert row["grade"] == "良好"
    # u3 is class B: own weights .3/.3/.4 and the base target 2.5 for rd
    row = _total(res, "u3", 2020)
    assert row["level_score"] == pytest.approx(0.3 * 40 + 0.3 * 40 + 0.4 * 100 * 0.5 / 0.9)
    assert any("no progress score" in n for n in res.notes)
    assert np.isnan(_total(res, "u3", 2020)["progress_score"])


def test_total_is_weighted_sum_of_scores(data, fw_dict):
    res = nqpf.assess(data, fw_dict, classes=CLASSES, level_weight=1.0)
    s = res.indicator_scores
    by_hand = (s["weight"] * s["score"]).groupby([s["unit"], s["period"]]).sum()
    tot = res.totals().set_index(["unit", "period"])["total_score"]
    pd.testing.assert_series_equal(by_hand.sort_index(), tot.sort_index(), check_names=False,
                                   rtol=1e-12)
    assert (s.groupby(["unit", "period"])["weight"].sum() - 1).abs().max() < 1e-12


def test_unit_at_target_gets_full_mark(fw_dict):
    df = pd.DataFrame({"unit": ["a", "b"], "period": [2024, 2024], "rd": [2.5, 1.0],
                       "pat": [10.0, 1.0], "energy": [0.5, 1.0]})
    for rule in ("attainment", "efficacy"):
        res = nqpf.assess(df, fw_dict, rule=rule, unclassed="base", efficacy_range="sample")
        assert _total(res, "a", 2024)["total_score"] == pytest.approx(100.0)
        assert (res.indicator_scores.query("unit == 'a'")["lost_points"].abs() < 1e-12).all()
        assert res.totals(2024)["class"].isna().all()


def test_ranks_in_class_and_diagnosis(data, fw_dict):
    res = nqpf.assess(data, fw_dict, classes=CLASSES, period=2022)
    t = res.totals().set_index("unit")
    assert t.loc["u2", "rank"] == 1 and t.loc["u3", "rank_in_class"] == 1
    d = res.diagnosis.set_index("unit")
    assert d.loc["u3", "n_in_class"] == 1 and d.loc["u1", "n_in_class"] == 2
    # rank change against 2021, scored alike although only 2022 was assessed
    assert d.loc["u1", "previous_rank"] == 2 and d.loc["u1", "rank_change"] == 0
    assert d.loc["u1", "lost_points"] == pytest.approx(
        res.indicator_scores.query("unit == 'u1'")["lost_points"].sum())
    # u3 (class B): pat .3*(100-60) = 12 > energy .4*(100-71.43) = 11.43 > rd .3*(100-64) = 10.8
    assert d.loc["u3", "top_losses"] == "万人专利 (12.00)；单位GDP能耗 (11.43)；研发强度 (10.80)"
    assert list(res.assessment["period"].unique()) == [2022]


def test_deterministic(data, fw_dict):
    a = nqpf.assess(data, fw_dict, classes=CLASSES)
    b = nqpf.assess(data.copy(), fw_dict, classes=CLASSES)
    c = nqpf.assess(data.sample(frac=1, random_state=3), fw_dict, classes=CLASSES)
    for name in ("assessment", "indicator_scores", "diagnosis", "fixed_base"):
        pd.testing.assert_frame_equal(a.to_frame(name), b.to_frame(name))
        keys = [k for k in ("unit", "period", "node", "indicator") if k in a.to_frame(name)]
        pd.testing.assert_frame_equal(
            a.to_frame(name).sort_values(keys).reset_index(drop=True),
            c.to_frame(name).sort_values(keys).reset_index(drop=True))
    assert a.params == c.params


def test_missing_target_best_and_error(fw_dict):
    fw_dict["dimensions"][1]["indicators"][0].pop("target")
    fw_dict.pop("classes")
    df = pd.DataFrame({"unit": ["a", "b"], "period": [1, 1], "rd": [2.5, 2.0],
                       "pat": [10.0, 5.0], "energy": [0.4, 0.8]})
    with pytest.raises(FrameworkError, match="indicator energy has no target"):
        nqpf.assess(df, fw_dict)
    res = nqpf.assess(df, fw_dict, missing_target="best")
    e = res.indicator_scores.set_index(["unit", "indicator"])["score"]
    assert e[("b", "energy")] == pytest.approx(50.0)  # best 0.4 / 0.8
    assert any("best value 0.4" in n for n in res.notes)


def test_progress_from_base_and_quantile_grades(data, fw_dict):
    res = nqpf.assess(data, fw_dict, classes=CLASSES, period=2022, base_year=2020,
                      progress_from="base", grade_method="quantiles",
                      grades=[("A", 0), ("B", 0), ("C", 0)])
    s = res.indicator_scores.set_index(["unit", "indicator"])
    # u1 rd: target 3, 2020 2.0 -> 2022 2.8 closes 0.8 of 1.0
    assert s.loc[("u1", "rd"), "progress"] == pytest.approx(80.0)
    assert sorted(res.totals()["grade"]) == ["A", "B", "C"]


def test_class_errors(data, fw_dict):
    with pytest.raises(DataError, match="defines classes .* no class file"):
        nqpf.assess(data, fw_dict)
    with pytest.raises(DataError, match="unit\\(s\\) without a class: \\['u3'\\]"):
        nqpf.assess(data, fw_dict, classes={"u1": "A", "u2": "A"})
    with pytest.raises(DataError, match="class 'C' of unit 'u3' is not a class"):
        nqpf.assess(data, fw_dict, classes={**CLASSES, "u3": "C"})
    with pytest.raises(DataError, match="unit 'u9' is not in the data"):
        nqpf.assess(data, fw_dict, classes={**CLASSES, "u9": "A"})
    res = nqpf.assess(data, fw_dict, classes={"u1": "A", "u2": "A"}, unclassed="base")
    assert res.classes["u3"] is None


def test_class_file_rows_named(tmp_path, data, fw_dict):
    p = tmp_path / "classes.csv"
    p.write_text("地区,类别\nu1,A\nu2,A\nu3,X\n", encoding="utf-8")
    with pytest.raises(DataError, match="classes.csv, row 4: class 'X' of unit 'u3'"):
        nqpf.assess(data, fw_dict, classes=p)
    p.write_text("地区,类别\nu1,A\nu2,A\nu3,B\n", encoding="utf-8")
    assert nqpf.assess(data, fw_dict, classes=p).classes == CLASSES


def test_missing_values_and_options(data, fw_dict):
    bad = data.copy()
    bad.loc[(bad["unit"] == "u2") & (bad["period"] == 2021), "pat"] = np.nan
    with pytest.raises(DataError, match="u2/2021/pat"):
        nqpf.assess(bad, fw_dict, classes=CLASSES)
    res = nqpf.assess(bad, fw_dict, classes=CLASSES, period=2020, fixed_base=False)
    assert res.fixed_base is None
    with pytest.raises(DataError, match="period 1999 is not in the data"):
        nqpf.assess(data, fw_dict, classes=CLASSES, period=1999)
    with pytest.raises(NqpfError, match="unknown rule"):
        nqpf.assess(data, fw_dict, classes=CLASSES, rule="topsis")
    with pytest.raises(NqpfError, match="level_weight"):
        nqpf.assess(data, fw_dict, classes=CLASSES, level_weight=1.5)


def test_panel_and_framework_object_input(data, fw_dict):
    fw = Framework.from_dict(fw_dict)
    panel = nqpf.read_panel(data, units="none")
    a = nqpf.assess(panel, fw, classes=CLASSES)
    b = nqpf.assess.assess(data, fw_dict, classes=CLASSES)
    pd.testing.assert_frame_equal(a.assessment, b.assessment)
