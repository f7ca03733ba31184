"""The result object: tables, summary, figure, and the files an office circulates."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

import nqpf
from assesstools import CLASSES
from nqpf.errors import DataError


@pytest.fixture
def res(data, fw_dict):
    return nqpf.assess(data, fw_dict, classes=CLASSES)


def test_write_files_and_workbook(tmp_path, res):
    out = tmp_path / "out"
    files = res.write(out)
    names = sorted(p.name for p in files)
    assert names == sorted(["assessment.csv", "indicator_scores.csv", "fixed_base.csv",
                            "diagnosis.csv", "assessment.xlsx", "assessment.json"])
    a = pd.read_csv(out / "assessment.csv", encoding="utf-8-sig")
    assert list(a.columns[:4]) == ["unit", "period", "class", "node"]
    fb = pd.read_csv(out / "fixed_base.csv", encoding="utf-8-sig")
    assert "all" in set(fb["unit"])
    wb = openpyxl.load_workbook(out / "assessment.xlsx")
    assert wb.sheetnames[:3] == ["评价结果", "一类", "二类"]
    assert {"指标得分", "定基指数", "u1", "u2", "u3", "说明"} <= set(wb.sheetnames)
    ws = wb["评价结果"]
    head = [c.value for c in ws[1]]
    assert head[:5] == ["地区", "时期", "类别", "综合得分", "等级"]
    # sorted by period (latest first) then total score
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    assert rows[0][1] == 2022 and rows[0][0] == "u2"
    scores = [r[3] for r in rows if r[1] == 2022]
    assert scores == sorted(scores, reverse=True)
    u3 = wb["u3"]
    assert u3["A1"].value == "时期" and u3["B3"].value == pytest.approx(
        res.totals(2022).set_index("unit").loc["u3", "total_score"], abs=0.005)
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True)}
    assert about["文号"] == "演发改〔2024〕1号"
    with pytest.raises(DataError, match="not empty"):
        res.write(out)
    res.write(out, lang="en", force=True)
    assert openpyxl.load_workbook(out / "assessment.xlsx").sheetnames[0] == "Results"


def test_frames_summary_plot(res):
    t = res.to_frame("totals")
    assert len(t) == 9
    zh = res.to_frame("indicator_scores", lang="zh")
    assert {"地区", "目标值", "失分", "目标完成率"} <= set(zh.columns)
    text = res.summary("zh")
    assert "演示考核" in text and "2022" in text and "演发改〔2024〕1号" in text
    assert "top:" in res.summary("en")
    fig = res.plot("ranking", period=2021)
    assert len(fig.axes[0].patches) == 3
    assert res.plot("fixed_base").axes
    with pytest.raises(DataError, match="unknown table"):
        res.to_frame("nope")
    with pytest.raises(DataError, match="was not assessed"):
        res.totals(1990)
