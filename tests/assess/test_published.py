"""A published case: the NBS index of new drivers of economic development (经济发展新动能指数).

The National Bureau of Statistics publishes the total index (2014 = 100) and its five
sub-indices (网络经济, 创新驱动, 经济活力, 知识能力, 转型升级), each with its growth on the
year before and its contribution (贡献率) to the growth of the total. The total is the
linear weighting of the sub-indices with equal weights 0.2 (the weights are printed in the
method annex, e.g. 经济活力指数 0.2). The indicator data behind the sub-indices are not
published, so the case checks the aggregation and contribution step of
:func:`nqpf.assess.fixed_base`: the sub-indices are the inputs (their 2014 value is 100,
the year before is the published value divided by 1 + the published growth), and the
published total and contribution shares must come out.

Releases (国家统计局统计科学研究所):
- "2019年我国经济发展新动能指数比上年增长23.4%" (2020-07-13): total 269.0 (2018) and
  332.0 (2019); 2019 sub-indices 856.5 (+42.0 %, 80.5 %), 201.4 (+15.6 %, 8.6 %), 313.6
  (+7.4 %, 6.9 %), 147.2 (+8.3 %, 3.6 %), 141.4 (+1.0 %, 0.4 %).
- "2022年我国经济发展新动能指数比上年增长28.4%" (2023-08-22): total 766.8 (+28.4 %);
  sub-indices 2739.0 (+39.6 %, 91.6 %), 336.3 (+15.5 %, 5.3 %), 402.6 (+3.5 %, 1.6 %),
  193.4 (+5.9 %, 1.3 %), 162.8 (+1.2 %, 0.2 %).
"""

from __future__ import annotations

import numpy as np
import pytest

from nqpf.assess import fixed_base
from nqpf.framework import Framework

SUB = ["network", "innovation", "vitality", "knowledge", "upgrading"]


def _fw() -> Framework:
    names = ["网络经济指数", "创新驱动指数", "经济活力指数", "知识能力指数", "转型升级指数"]
    return Framework.from_dict({
        "id": "nbs_new_drivers", "name_zh": "经济发展新动能指数", "dimensions": [
            {"id": "all_sub", "name_zh": "分类指数", "indicators": [
                {"id": s, "name_zh": n, "direction": "+", "weight": 0.2}
                for s, n in zip(SUB, names, strict=True)]}]})


@pytest.mark.parametrize(("level", "growth", "total", "total_prev", "shares"), [
    ([856.5, 201.4, 313.6, 147.2, 141.4], [42.0, 15.6, 7.4, 8.3, 1.0], 332.0, 269.0,
     [80.5, 8.6, 6.9, 3.6, 0.4]),
    ([2739.0, 336.3, 402.6, 193.4, 162.8], [39.6, 15.5, 3.5, 5.9, 1.2], 766.8,
     766.8 / 1.284, [91.6, 5.3, 1.6, 1.3, 0.2]),
])
def test_nbs_new_drivers_index(level, growth, total, total_prev, shares):
    now = np.array(level)
    before = now / (1 + np.array(growth) / 100)
    values = np.array([[[100.0] * 5, before, now]])  # 1 unit x 3 periods x 5 sub-indices
    fb = fixed_base(values, ["全国"], [2014, "t-1", "t"], _fw(), whole=False)
    tot = fb[fb["level"] == "total"].set_index("period")["index"]
    assert round(tot["t"], 1) == total
    assert tot["t-1"] == pytest.approx(total_prev, abs=0.15)  # published growth has 1 decimal
    got = fb[(fb["period"] == "t") & (fb["level"] == "indicator")].set_index("node")
    np.testing.assert_allclose(got.loc[SUB, "contribution_share"].round(1), shares, atol=0.05)
    assert got["contribution_points"].sum() == pytest.approx(tot["t"] - tot["t-1"], abs=1e-12)
