"""The ``models:`` section of a study: regressions on the index in the report and tables."""

from __future__ import annotations

import pandas as pd
import pytest

from nqpf.errors import NqpfError
from nqpf.study.runner import run_study

STUDY = """\
title: Models
data:
  - builtin: pwt91-demo
framework: pwt-demo
periods: {from: 2012, to: 2017}
cleaning: {impute: linear, complete: units}
models:
  - {kind: fe, name: baseline, y: index, x: csh_i, controls: [pop]}
  - {kind: threshold, name: thr, y: index, regime: csh_i, q: hc, bootstrap: 20}
  - {kind: mediation, name: med, y: index, x: csh_i, mediator: labourers, reps: 60}
outputs: {figures: [png], tables: [csv]}
"""


def test_models_section(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(STUDY, encoding="utf-8")
    res = run_study(study, tmp_path / "out")
    sec = [s for s in res.output.sections if s.key == "models"][0]
    names = [t.name for t in sec.tables]
    assert names[:1] == ["models"]
    assert {"thr_thresholds", "thr_tests", "med_effects", "med_sobel"} <= set(names)
    tab = pd.read_csv(
        tmp_path / "out" / "tables" / "models.csv", encoding="utf-8-sig", keep_default_na=False
    )
    assert list(tab.columns) == ["Variable", "baseline", "thr", "med: total", "med: a", "med: b"]
    assert tab.iloc[0].tolist()[1:] == ["index", "index", "index", "labourers", "index"]
    assert "Observations" in tab["Variable"].tolist()
    assert (tmp_path / "out" / "figures" / "thr_lr.png").exists()
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "Regression analysis" in html


def test_model_spec_errors(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(STUDY.replace("regime: csh_i, ", ""), encoding="utf-8")
    with pytest.raises(NqpfError, match="threshold model needs regime"):
        run_study(study, tmp_path / "out")
    study.write_text(STUDY.replace("x: csh_i, controls", "x: nope, controls"), encoding="utf-8")
    with pytest.raises(NqpfError, match="study section models.*unknown variable"):
        run_study(study, tmp_path / "out2")
