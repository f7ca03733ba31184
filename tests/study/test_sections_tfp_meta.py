"""The study's tfp.dea metafrontier (groups) and bootstrap parts, end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.efficiency.dea import metafrontier
from nqpf.study.load import study_from_text
from nqpf.study.runner import run_study

STUDY = """\
title: {zh: 前沿研究, en: Frontier study}
lang: zh
seed: 3
data:
  - file: data.csv
    layout: wide
    unit: unit
    period: year
    units: none
framework:
  id: small
  name_zh: 小框架
  name_en: Small framework
  dimensions:
    - id: d1
      name_zh: 维度一
      name_en: Dimension one
      indicators:
        - {id: i1, name_zh: 产出, name_en: output, unit: x, direction: "+", series: y}
        - {id: i2, name_zh: 资本, name_en: capital, unit: x, direction: "+", series: k}
groups: groups.csv
index: {normalise: minmax, weights: equal, aggregate: sum}
tfp:
  dea:
    inputs: [k, l]
    outputs: [y]
    model: bcc
    rts: vrs
    index: malmquist
    groups: study
    bootstrap: 30
    seed: 5
outputs: {figures: [png], tables: [csv], top: 3}
"""


def test_metafrontier_and_bootstrap_in_the_tfp_section(tmp_path):
    rng = np.random.default_rng(2)
    units = [f"u{i}" for i in range(12)]
    rows = []
    for u in units:
        for t in (2020, 2021, 2022):
            k, l_ = rng.uniform(1, 10, 2)
            lvl = 1.0 if int(u[1:]) < 6 else 0.7
            rows.append({"unit": u, "year": t, "k": k, "l": l_,
                         "y": lvl * k**0.5 * l_**0.4 * rng.uniform(0.6, 1)})
    data = pd.DataFrame(rows)
    data.to_csv(tmp_path / "data.csv", index=False)
    groups = {u: ("north" if int(u[1:]) < 6 else "south") for u in units}
    pd.DataFrame({"unit": units, "group": [groups[u] for u in units]}).to_csv(
        tmp_path / "groups.csv", index=False)
    study = study_from_text(STUDY, where=str(tmp_path / "study.yaml"), base_dir=tmp_path)
    run_study(study, tmp_path / "out")
    tables = tmp_path / "out" / "tables"
    mf = pd.read_csv(tables / "tfp_metafrontier.csv", encoding="utf-8-sig")
    ref = metafrontier(data, ["k", "l"], "y", unit="unit", period="year", groups=groups,
                       model="bcc", orientation="output", frontier="contemporaneous")
    np.testing.assert_allclose(mf.sort_values(["period", "unit"])["tgr"].to_numpy(),
                               ref.efficiency["tgr"].to_numpy(), rtol=1e-9)
    assert (mf["tgr"] <= 1 + 1e-9).all()
    assert (tables / "tfp_meta_index.csv").is_file()
    bs = pd.read_csv(tables / "tfp_bootstrap.csv", encoding="utf-8-sig")
    assert len(bs) == 36 and (bs["lower"] <= bs["upper"]).all()
    figs = {p.name for p in (tmp_path / "out" / "figures").iterdir()}
    assert {"tfp_tgr.png", "tfp_bootstrap.png"} <= figs
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "技术差距比" in html and "Bootstrap" in html
