"""``nqpf assess`` and ``nqpf framework check|diff`` end to end."""

from __future__ import annotations

import openpyxl
import pandas as pd
import yaml

from assesstools import data_frame, framework_dict
from clitools import flat, run


def _files(tmp_path):
    fw = tmp_path / "office.yaml"
    fw.write_text(yaml.safe_dump(framework_dict(), allow_unicode=True), encoding="utf-8")
    data = tmp_path / "data.csv"
    data_frame().to_csv(data, index=False)
    classes = tmp_path / "classes.csv"
    classes.write_text("地区,类别\nu1,A\nu2,A\nu3,B\n", encoding="utf-8")
    return fw, data, classes


def test_assess_writes_everything(tmp_path):
    fw, data, classes = _files(tmp_path)
    out = tmp_path / "out"
    rc, stdout, stderr = run("assess", data, "--framework", fw, "--out", out, "--classes",
                             classes, "--period", "2022", "--base-year", "2020", "--units",
                             "none")
    assert rc == 0, stderr
    for name in ("assessment.csv", "indicator_scores.csv", "fixed_base.csv", "diagnosis.csv",
                 "assessment.xlsx"):
        assert (out / name).is_file()
    a = pd.read_csv(out / "assessment.csv", encoding="utf-8-sig")
    assert set(a["period"]) == {2022}
    assert a.query("level == 'total'").sort_values("rank")["unit"].iloc[0] == "u2"
    assert "演示考核" in stdout and "u2" in stdout
    assert openpyxl.load_workbook(out / "assessment.xlsx").sheetnames[0] == "评价结果"
    # nothing is overwritten unasked
    rc, _, stderr = run("assess", data, "--framework", fw, "--out", out, "--classes", classes,
                        "--units", "none")
    assert rc == 2 and "not empty" in flat(stderr)
    rc, _, stderr = run("assess", data, "--framework", fw, "--out", out, "--classes", classes,
                        "--units", "none", "--force", "--lang", "en", "--rule", "efficacy",
                        "--efficacy-range", "sample", "--grades", "A:90,B:75,C:0")
    assert rc == 0, stderr
    assert set(pd.read_csv(out / "assessment.csv")["grade"].dropna()) <= {"A", "B", "C"}


def test_assess_bad_input_is_one_message(tmp_path):
    fw, data, classes = _files(tmp_path)
    classes.write_text("地区,类别\nu1,A\nu2,A\nu3,Z\n", encoding="utf-8")
    rc, _, stderr = run("assess", data, "-f", fw, "--out", tmp_path / "o", "--classes", classes,
                        "--units", "none")
    assert rc == 2
    assert "classes.csv, row 4: class 'Z' of unit 'u3'" in flat(stderr)
    assert "Traceback" not in stderr
    rc, _, stderr = run("assess", data, "-f", fw, "--out", tmp_path / "o", "--units", "none")
    assert rc == 2 and "no class file" in flat(stderr)
    rc, _, stderr = run("assess", data, "-f", fw, "--out", tmp_path / "o", "--units", "none",
                        "--unclassed", "base", "--base-year", "1999")
    assert rc == 2 and "period '1999' is not in the data" in flat(stderr)
    rc, _, stderr = run("assess", data, "-f", fw, "--out", tmp_path / "o", "--units", "none",
                        "--unclassed", "base", "--grades", "good")
    assert rc == 2 and "write label:threshold" in flat(stderr)


def test_framework_check_versions_and_diff(tmp_path):
    a = framework_dict()
    b = framework_dict()
    b["version"] = "2025"
    b["dimensions"][0]["indicators"][0]["target"] = 3.0
    b["dimensions"][0]["indicators"].pop(1)
    b["dimensions"][0]["indicators"][0]["weight"] = 0.6
    b.pop("classes")
    pa, pb = tmp_path / "a.yaml", tmp_path / "b.yaml"
    pa.write_text(yaml.safe_dump(a, allow_unicode=True), encoding="utf-8")
    pb.write_text(yaml.safe_dump(b, allow_unicode=True), encoding="utf-8")
    rc, stdout, stderr = run("framework", "check", pa, pb)
    assert rc == 2 and "overlap" in flat(stderr) and "OK" in stdout
    b["valid_from"], a["valid_to"] = "2025-01-01", "2024-12-31"
    pa.write_text(yaml.safe_dump(a, allow_unicode=True), encoding="utf-8")
    pb.write_text(yaml.safe_dump(b, allow_unicode=True), encoding="utf-8")
    rc, stdout, stderr = run("framework", "check", pa, pb)
    assert rc == 0, stderr
    assert "演发改〔2024〕1号" in stdout and "does not overlap" in stdout
    rc, stdout, stderr = run("framework", "diff", pa, pb, "--csv", tmp_path / "d.csv")
    assert rc == 0, stderr
    text = flat(stdout)
    assert "- pat 万人专利" in text
    assert "~ rd 研发强度 target: >= 2.5 → >= 3" in text
    assert "- class:A 一类" in text
    d = pd.read_csv(tmp_path / "d.csv", encoding="utf-8-sig")
    assert {"added", "removed", "changed"} >= set(d["change"])
