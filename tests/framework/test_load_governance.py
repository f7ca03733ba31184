"""Governance columns of flat framework tables (Chinese headers) and YAML line numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from nqpf.errors import FrameworkError
from nqpf.framework import load_framework


def _table(**extra):
    df = pd.DataFrame({
        "一级指标": ["创新", "", "绿色"],
        "指标名称": ["研发经费投入强度", "万人发明专利拥有量", "单位GDP能耗"],
        "指标": ["rd", "pat", "energy"],
        "指标属性": ["正向", "正向", "负向"],
        "权重": [0.4, 0.2, 0.4],
        "目标值": ["2.5", "", "0.5"],
        "目标方向": ["", "", "不高于"],
        "不允许值": ["1", "", ""],
        "满意值": ["3", "", ""],
        "数据提供部门": ["省科技厅", "省市场监管局", "省统计局"],
        "计算公式": ["R&D经费/GDP×100", "", ""],
        "约束性": ["是", "", ""],
        "分档": ["", "2:60; 10:100", ""],
        "频率": ["年度", "年", "季度"],
    })
    for k, v in extra.items():
        df[k] = v
    return df


def test_chinese_governance_columns(tmp_path):
    p = tmp_path / "考核.csv"
    _table().to_csv(p, index=False, encoding="utf-8-sig")
    fw = load_framework(p)
    rd, pat, en = fw.indicator("rd"), fw.indicator("pat"), fw.indicator("energy")
    assert rd.target_text() == ">= 2.5" and en.target_text() == "<= 0.5"
    assert (rd.low, rd.high) == (1.0, 3.0)
    assert rd.provider == "省科技厅" and rd.formula_text == "R&D经费/GDP×100"
    assert rd.mandatory and not pat.mandatory
    assert pat.bands == ((2.0, 60.0), (10.0, 100.0))
    assert en.frequency == "quarter"
    assert fw.weights() == pytest.approx({"rd": 0.4, "pat": 0.2, "energy": 0.4})


@pytest.mark.parametrize(("column", "values", "message"), [
    ("目标值", ["abc", "", ""], "row 2: indicator rd: target 'abc' is not a number"),
    ("目标方向", ["", "", "about"], "row 4: indicator energy: unknown target_op 'about'"),
    ("不允许值", ["5", "", ""], r"row 2: indicator rd: low \(5\) must be below high \(3\)"),
    ("频率", ["monthly", "", ""], "row 2: frequency 'monthly'"),
])
def test_table_errors_name_row(tmp_path, column, values, message):
    df = _table()
    df[column] = values
    with pytest.raises(FrameworkError, match=message):
        load_framework(df)


def test_yaml_errors_carry_line(tmp_path):
    p = tmp_path / "f.yaml"
    p.write_text(
        "id: f\nname_zh: f\ndimensions:\n  - id: d\n    name_zh: d\n    indicators:\n"
        "      - id: x\n        name_zh: x\n        direction: +\n        target: 2\n"
        "        low: 5\n        high: 1\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"f.yaml, line 7: .*low \(5\) must be below high"):
        load_framework(p)
