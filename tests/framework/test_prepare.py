"""Tests of prepare(): derived indicators checked by hand on a 2 units × 2 periods panel."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nqpf import Panel
from nqpf.errors import FrameworkError
from nqpf.framework import Framework, prepare

FW = {
    "id": "toy",
    "name_zh": "玩具",
    "dimensions": [
        {
            "id": "d1",
            "name_zh": "一",
            "indicators": [
                # patents per 10,000 people: patents (件) / pop (万人)
                {"id": "patents_pc", "name_zh": "每万人专利", "unit": "件/万人",
                 "direction": "+", "series": "patents", "denominator": "pop"},
                # ln(GDP per capita in 元): gdp (亿元) / pop (万人) × 1e4
                {"id": "ln_gdp_pc", "name_zh": "人均GDP对数", "unit": "ln(元)",
                 "direction": "+", "series": "gdp", "denominator": "pop", "scale": 1e4,
                 "log": True},
            ],
        },
        {
            "id": "d2",
            "name_zh": "二",
            "indicators": [
                {"id": "gdp", "name_zh": "GDP", "unit": "亿元", "direction": "+"},
            ],
        },
    ],
}

# units A, B; periods 2020, 2021; series pop (万人), gdp (亿元), patents (件)
VALUES = {
    "pop": [[100.0, 200.0], [50.0, 40.0]],
    "gdp": [[1000.0, 3000.0], [250.0, 100.0]],
    "patents": [[500.0, 800.0], [60.0, np.nan]],
}


def _panel(values: dict | None = None, imputed: dict | None = None) -> Panel:
    values = values or VALUES
    names = list(values)
    cube = np.stack([np.asarray(values[k], float) for k in names], axis=2)
    imp = np.zeros(cube.shape, bool)
    for k, cells in (imputed or {}).items():
        for u, t in cells:
            imp[u, t, names.index(k)] = True
    return Panel(cube, ("A", "B"), (2020, 2021), tuple(names), imp,
                 meta={"source": "toy", "steps": [{"step": "read"}]})


def test_values_by_hand():
    out = prepare(_panel(), Framework.from_dict(FW))
    assert out.indicators == ("patents_pc", "ln_gdp_pc", "gdp")
    assert out.units == ("A", "B") and out.periods == (2020, 2021)
    pc = out.frame("patents_pc")
    assert pc.loc["A", 2020] == pytest.approx(5.0)  # 500 / 100
    assert pc.loc["A", 2021] == pytest.approx(4.0)  # 800 / 200
    assert pc.loc["B", 2020] == pytest.approx(1.2)  # 60 / 50
    assert math.isnan(pc.loc["B", 2021])  # missing numerator stays missing
    lg = out.frame("ln_gdp_pc")
    assert lg.loc["A", 2020] == pytest.approx(math.log(100_000.0))  # 1000/100 × 1e4 元
    assert lg.loc["A", 2021] == pytest.approx(math.log(150_000.0))
    assert lg.loc["B", 2020] == pytest.approx(math.log(50_000.0))
    assert lg.loc["B", 2021] == pytest.approx(math.log(25_000.0))
    assert out.frame("gdp").loc["B", 2020] == 250.0  # plain copy


def test_meta_records_the_step_and_input_is_unchanged():
    p = _panel()
    before = p.values.copy()
    out = prepare(p, FW)
    assert out.meta["framework"] == "toy"
    assert out.meta["steps"][0] == {"step": "read"}
    step = out.meta["steps"][-1]
    assert step["step"] == "prepare" and step["framework"] == "toy"
    assert step["formulas"]["ln_gdp_pc"] == "ln(gdp / pop * 10000)"
    assert out.meta["source"] == "toy"
    np.testing.assert_array_equal(p.values, before)
    assert p.meta["steps"] == [{"step": "read"}]


def test_imputed_mask_propagates():
    p = _panel(imputed={"pop": [(0, 1)], "gdp": [(1, 0)], "patents": [(1, 1)]})
    out = prepare(p, FW)
    k = {n: i for i, n in enumerate(out.indicators)}
    # pop imputed at (A, 2021): both per-capita indicators there are imputed
    assert out.imputed[0, 1, k["patents_pc"]] and out.imputed[0, 1, k["ln_gdp_pc"]]
    # gdp imputed at (B, 2020): ln_gdp_pc and gdp, not patents_pc
    assert out.imputed[1, 0, k["ln_gdp_pc"]] and out.imputed[1, 0, k["gdp"]]
    assert not out.imputed[1, 0, k["patents_pc"]]
    # an imputed flag on a missing numerator does not mark the (missing) result
    assert not out.imputed[1, 1, k["patents_pc"]]
    assert int(out.imputed.sum()) == 4


def test_missing_series_lists_all_with_suggestions():
    vals = {"Pop": VALUES["pop"], "gdp": VALUES["gdp"], "patent": VALUES["patents"]}
    with pytest.raises(FrameworkError) as info:
        prepare(_panel(vals), FW)
    msg = str(info.value)
    assert "the data lack 2 series needed by framework toy" in msg
    assert "'patents' (for patents_pc) — did you mean 'patent'?" in msg
    assert "'pop' (for patents_pc, ln_gdp_pc) — did you mean 'Pop'?" in msg
    assert "The data have: Pop, gdp, patent." in msg


def test_zero_denominator_is_an_error():
    vals = {k: [row[:] for row in v] for k, v in VALUES.items()}
    vals["pop"][1][0] = 0.0
    with pytest.raises(FrameworkError) as info:
        prepare(_panel(vals), FW)
    msg = str(info.value)
    assert msg.startswith("indicator 'patents_pc' = patents / pop: the denominator 'pop' is 0 at ")
    assert "unit 'B', period 2020" in msg


def test_zero_denominator_with_missing_numerator_is_missing_not_error():
    vals = {k: [row[:] for row in v] for k, v in VALUES.items()}
    vals["pop"][1][1] = 0.0
    vals["gdp"][1][1] = np.nan
    out = prepare(_panel(vals), FW)  # patents and gdp are missing where pop is 0
    assert np.isnan(out.frame("patents_pc").loc["B", 2021])
    assert np.isnan(out.frame("ln_gdp_pc").loc["B", 2021])


def test_log_of_non_positive_is_an_error():
    vals = {k: [row[:] for row in v] for k, v in VALUES.items()}
    vals["gdp"][0][1] = -5.0
    with pytest.raises(FrameworkError) as info:
        prepare(_panel(vals), FW)
    msg = str(info.value)
    assert "indicator 'ln_gdp_pc' asks for log" in msg
    assert "gdp / pop * 10000 is -250 (≤ 0) at unit 'A', period 2021" in msg
    assert "Set log: false" in msg and "shift" in msg


def test_framework_by_name_and_wrong_panel():
    with pytest.raises(FrameworkError, match="unknown framework"):
        prepare(_panel(), "no-such-framework")
    with pytest.raises(FrameworkError, match="needs a Panel"):
        prepare({"a": 1}, FW)  # type: ignore[arg-type]
