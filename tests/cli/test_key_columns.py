"""`nqpf tfp` and `nqpf analyze` find the unit and period columns as the other commands do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clitools import flat, run


@pytest.fixture
def cumulative(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for u in ["北京", "上海", "江苏", "浙江", "广东", "湖北"]:
        c = 1.0
        for y in range(2015, 2020):
            if y > 2015:
                c *= 1 + rng.normal(0.03, 0.02)
            rows.append({"地区": u, "年份": y, "累积指数": c, "K": rng.random() + 1,
                         "L": rng.random() + 1, "Y": rng.random() + 2})
    p = tmp_path / "cum.csv"
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


def test_tfp_guesses_chinese_unit_and_period_columns(cumulative, tmp_path):
    rc, stdout, stderr = run("tfp", cumulative, "--inputs", "K,L", "--outputs", "Y",
                             "--out", tmp_path / "o")
    assert rc == 0, stderr
    eff = pd.read_csv(tmp_path / "o" / "efficiency.csv", encoding="utf-8-sig")
    assert len(eff) == 30 and (eff["efficiency"] <= 1 + 1e-9).all()
    rc, _o, stderr = run("tfp", cumulative, "--inputs", "K,L", "--outputs", "Y",
                         "--out", tmp_path / "o2", "--unit", "省")
    assert rc == 2 and "--unit" in flat(stderr) and "unit=" not in stderr
    assert "Traceback" not in stderr


def test_analyze_skips_a_constant_base_year_with_a_note(cumulative, tmp_path):
    rc, stdout, stderr = run("analyze", cumulative, "--method", "kernel", "--value", "累积指数",
                             "--out", tmp_path / "k")
    assert rc == 0, stderr
    assert "period(s) 2015 left out" in flat(stderr)
    bw = pd.read_csv(tmp_path / "k" / "kernel_bandwidth.csv", encoding="utf-8-sig")
    assert sorted(bw["period"]) == [2016, 2017, 2018, 2019]
    rc, _o, stderr = run("analyze", cumulative, "--method", "kernel", "--value", "x",
                         "--out", tmp_path / "k2")
    assert rc == 2 and "--value" in flat(stderr)
