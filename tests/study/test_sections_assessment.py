"""The assessment section of a study: the run, the chapter and the office files."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

import nqpf
from assesstools import CLASSES, data_frame, framework_dict
from nqpf.errors import DataError
from nqpf.study.load import study_from_text
from nqpf.study.runner import run_study

STUDY = """\
title: {zh: 考核研究, en: Assessment study}
lang: zh
data:
  - file: data.csv
    layout: wide
    unit: unit
    period: period
    units: none
framework: office.yaml
cleaning: {min_units: 3}
index: {normalise: minmax, weights: equal, aggregate: sum}
assessment:
  classes: classes.csv
  period: 2022
  base_year: 2020
  grades: [[优秀, 90], [良好, 80], [一般, 60], [较差, null]]
outputs: {figures: [png], tables: [csv]}
"""


def _folder(tmp_path, text=STUDY):
    import yaml

    (tmp_path / "office.yaml").write_text(yaml.safe_dump(framework_dict(), allow_unicode=True),
                                          encoding="utf-8")
    data_frame().to_csv(tmp_path / "data.csv", index=False)
    pd.DataFrame({"地区": list(CLASSES), "类别": list(CLASSES.values())}).to_csv(
        tmp_path / "classes.csv", index=False)
    (tmp_path / "study.yaml").write_text(text, encoding="utf-8")
    return study_from_text(text, where=str(tmp_path / "study.yaml"), base_dir=tmp_path)


def test_study_assessment_matches_the_api(tmp_path):
    res = run_study(_folder(tmp_path), tmp_path / "out")
    sec = [s for s in res.output.sections if s.key == "assessment"][0]
    assert sec.title == "考核评价"
    names = [t.name for t in sec.tables]
    assert names[:3] == ["assessment_results", "assessment_class_A", "assessment_class_B"]
    assert "assessment_fixed_base" in names and "assessment_diagnosis" in names
    assert any(f.name == "assessment_ranking" for f in sec.figures)  # no map for u1, u2, u3
    direct = nqpf.assess(data_frame(), framework_dict(), classes=CLASSES, period=2022,
                         base_year=2020)
    got = pd.read_csv(tmp_path / "out" / "assessment" / "assessment.csv", encoding="utf-8-sig")
    want = direct.to_frame("assessment")
    assert got["total_score"].to_numpy() == pytest.approx(want["total_score"].to_numpy())
    assert "assessment/assessment.xlsx" in res.files
    wb = openpyxl.load_workbook(tmp_path / "out" / "assessment" / "assessment.xlsx")
    assert wb.sheetnames[:3] == ["评价结果", "一类", "二类"]
    assert "考核评价" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_study_assessment_errors_are_named(tmp_path):
    text = STUDY.replace("classes: classes.csv", "classes: {u1: A, u2: A, u3: Z}")
    with pytest.raises(DataError, match="study section assessment: .*class 'Z' of unit 'u3'"):
        run_study(_folder(tmp_path, text), tmp_path / "out")
    text = STUDY.replace("period: 2022", "period: 2022\n  rule: best")
    with pytest.raises(DataError, match="assessment.rule"):
        _folder(tmp_path, text)
