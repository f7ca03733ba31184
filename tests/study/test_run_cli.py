"""``nqpf run``: what the user sees, exit codes, --set, --lang, --force."""

from __future__ import annotations

import importlib.util
import json

import pandas as pd

from clitools import flat, run
from nqpf.report.pdf import chromium_path

STUDY = """\
title: {zh: 演示子集, en: Demo subset}
data:
  - builtin: pwt91-demo
framework: pwt-demo
periods: {from: 2015, to: 2017}
index: {weights: critic}
analyses: [kernel]
outputs: {figures: [], tables: [csv, xlsx]}
"""


def test_run_writes_the_fixed_names_and_says_where(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(STUDY, encoding="utf-8")
    out = tmp_path / "out"
    rc, stdout, stderr = run("run", study, "--out", out, "--quiet")
    assert rc == 0, stderr
    extra = {"report.docx"} if importlib.util.find_spec("docx") else set()
    extra |= {"report.pdf"} if chromium_path() else set()
    assert {p.name for p in out.iterdir()} == {"report.html", "tables.xlsx", "manifest.json",
                                                "tables", ".nqpf-files", *extra}
    text = flat(stdout)
    assert f"Report: {out / 'report.html'}" in text
    assert f"Manifest: {out / 'manifest.json'}" in text
    assert "Data: 117 units, 2015–2017, 9 indicators" in text  # as in the demo's 2005-2017
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    assert man["parameters"]["recipe"]["weights"] == "critic"
    sc = pd.read_csv(out / "tables" / "scores_by_year.csv", encoding="utf-8-sig")
    assert list(sc.columns) == ["unit", "name", "2015", "2016", "2017"]
    # refused without --force, nothing rewritten
    before = (out / "manifest.json").stat().st_mtime_ns
    rc, _, stderr = run("run", study, "--out", out)
    assert rc == 2 and "not empty" in stderr and "--force" in stderr
    assert (out / "manifest.json").stat().st_mtime_ns == before
    # --force, --lang zh and --set
    rc, stdout, stderr = run("run", study, "--out", out, "--force", "--lang", "zh", "--quiet",
                             "--set", "index.weights=equal")
    assert rc == 0, stderr
    assert "报告章节" in flat(stdout)
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    assert man["lang"] == "zh" and man["parameters"]["recipe"]["weights"] == "equal"
    assert man["study"]["overrides"] == {"index.weights": "equal"}
    html = (out / "report.html").read_text("utf-8")
    assert "综合指数结果" in html


def test_typo_is_reported_with_key_and_line(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(STUDY.replace("index: {weights: critic}", "index:\n  wieghts: critic"),
                     encoding="utf-8")
    rc, stdout, stderr = run("run", study, "--out", tmp_path / "o")
    assert rc == 2
    msg = flat(stderr)
    assert f"{study}, line 7: index.wieghts: unknown key 'wieghts'; did you mean 'weights'?" in msg
    assert "Traceback" not in stderr
    assert not (tmp_path / "o").exists()


def test_usage_errors(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(STUDY, encoding="utf-8")
    rc, _, stderr = run("run", study, "--out", tmp_path / "o", "--lang", "fr")
    assert rc == 2 and "unknown language 'fr'" in stderr
    rc, _, stderr = run("run", tmp_path / "none.yaml", "--out", tmp_path / "o")
    assert rc == 2 and "not found" in stderr
    rc, _, stderr = run("run", study, "--out", tmp_path / "o", "--set", "nokey")
    assert rc == 2 and "write KEY=VALUE" in flat(stderr)
    assert not (tmp_path / "o").exists()
