"""What a reader receives from a study: a Chinese report with no ids, Word, PDF and LaTeX.

One small provincial study (eight provinces, four years, snake_case ids everywhere, a DEA
model and the analyses that name indicators) is run once per language for the module.
The Chinese report must show no id-like token (snake_case, CN-XX codes) outside the
reproducibility appendix; the Word document must open in LibreOffice (converted headless
when LibreOffice is installed); every LaTeX table must compile under XeLaTeX with ctex
(when XeLaTeX is installed).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.study.load import study_from_text
from nqpf.study.runner import run_study

UNITS = ["CN-BJ", "CN-SH", "CN-JS", "CN-ZJ", "CN-HA", "CN-HB", "CN-SC", "CN-GS"]
YEARS = [2016, 2017, 2018, 2019]

STUDY = """\
title: {zh: 省域测试研究, en: Provincial test study}
lang: zh
seed: 5
data:
  - file: data.csv
    layout: wide
    unit: unit
    period: year
derive:
  - {id: gdp_per_head, series: gdp, denominator: pop, name_zh: 人均地区生产总值,
     name_en: GDP per head}
framework:
  id: test_framework
  name_zh: 测试框架
  name_en: Test framework
  dimensions:
    - id: tech_input
      name_zh: 科技投入
      name_en: Technology input
      indicators:
        - {id: rd_intensity, name_zh: 研发强度, name_en: R&D intensity, unit: "%",
           direction: "+", series: rd_share}
        - {id: rd_staff_log, name_zh: 研发人员(对数), name_en: R&D staff (log), unit: ln,
           direction: "+", series: rd_staff, log: true}
    - id: green_output
      name_zh: 绿色产出
      name_en: Green output
      indicators:
        - {id: gdp_per_capita, name_zh: 人均产出, name_en: Output per head, unit: CNY,
           direction: "+", series: gdp_per_head}
        - {id: co2_intensity, name_zh: 碳排放强度, name_en: CO2 intensity, unit: t,
           direction: "-", series: co2_per_gdp}
series_names:
  rd_staff: {zh: 研发人员, en: R&D staff}
  capital_stock: {zh: 资本存量, en: capital stock}
  gdp: {zh: 地区生产总值, en: GDP}
groups: cn-four-regions
cleaning: {impute: linear, complete: units, min_units: 4}
index: {normalise: minmax, weights: entropy, aggregate: sum}
tfp:
  dea:
    inputs: [rd_staff, capital_stock]
    outputs: [gdp]
    model: ccr
    rts: crs
    index: malmquist
analyses:
  dagum:
  coupling:
  obstacle: {top: 2}
  typology: {k: 2}
outputs: {figures: [png], tables: [xlsx, csv, latex], maps: {china: none}, top: 3}
"""


def _data(folder: Path) -> None:
    rng = np.random.default_rng(11)
    rows = []
    for k, u in enumerate(UNITS):
        base = 1.0 + 0.3 * k
        for j, t in enumerate(YEARS):
            g = 1.05 ** j
            rows.append({
                "unit": u, "year": t,
                "rd_share": round(1.0 + 0.25 * k + 0.1 * j + rng.normal(0, 0.05), 4),
                "rd_staff": round(1000 * base * g * (1 + rng.normal(0, 0.05)), 1),
                "gdp": round(5000 * base * g * (1 + rng.normal(0, 0.05)), 1),
                "pop": round(50 + 5 * k, 1),
                "co2_per_gdp": round(2.0 - 0.1 * k - 0.05 * j + rng.normal(0, 0.05), 4),
                "capital_stock": round(8000 * base * g * (1 + rng.normal(0, 0.05)), 1),
            })
    pd.DataFrame(rows).to_csv(folder / "data.csv", index=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prov")
    _data(folder)
    (folder / "study.yaml").write_text(STUDY, encoding="utf-8")
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NQPF_CHROMIUM", "none")  # the PDF is tested with the browser, not here
        for lang in ("zh", "en"):
            text = STUDY if lang == "zh" else STUDY.replace("figures: [png]", "figures: []")
            study = study_from_text(text, where=str(folder / "study.yaml"), base_dir=folder)
            out[lang] = run_study(study, folder / lang, lang=lang)
    return out


def _visible_text(page: str) -> str:
    """The text a reader sees in the report, without the reproducibility appendix."""
    page = page.split('id="appendix-reproducibility"')[0]
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<img[^>]*>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


_ID = re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b|\bCN-[A-Z]{2}\b")
_FILE = re.compile(r"\S+\.(?:csv|xlsx|geojson|json|tex|dta)\b")


def test_chinese_report_shows_no_ids(runs):
    text = _visible_text((runs["zh"].out_dir / "report.html").read_text("utf-8"))
    shown = _FILE.sub(" ", text)  # file names in the appendix of detailed tables are paths
    found = sorted(set(_ID.findall(shown)))
    assert found == [], f"id-like tokens in the Chinese report: {found[:20]}"
    # and it reads Chinese: names from the framework, methods and statuses in words
    assert "熵权法" in text and "研发强度" in text and "科技投入" in text
    assert "主要发现" in text and "领先与落后" in text
    assert re.search(r"\b20\d\d\.0\b", text) is None  # years are integers
    # the ids are still in the machine-readable CSV files for scripts
    w = pd.read_csv(runs["zh"].out_dir / "tables" / "weights.csv", encoding="utf-8-sig")
    assert {"node", "effective_weight"} <= set(w.columns)
    assert "rd_intensity" in set(w["node"])


def test_english_report_is_english(runs):
    text = _visible_text((runs["en"].out_dir / "report.html").read_text("utf-8"))
    assert re.search(r"[\u4e00-\u9fff]", text) is None, "Chinese text in the English report"
    assert "entropy weights" in text and "R&D intensity" in text
    found = sorted(set(_ID.findall(_FILE.sub(" ", text))) - {"CN-BJ"})
    assert not [t for t in found if "_" in t], found


def test_key_findings_cite_their_tables(runs):
    res = runs["zh"]
    summary = res.output.sections[0]
    assert summary.key == "summary"
    text = (res.out_dir / "report.html").read_text("utf-8")
    # every number of the summary cites a table of the report, which the report numbers
    assert "{tbl:" not in text
    cites = [re.findall(r"\{tbl:([a-z_]+)\}", p) for p in summary.paragraphs]
    assert all(cites), "a key finding without its table"
    from nqpf.report.layout import layout

    lay = layout(res.output)
    names = {t.name for t in res.output.tables()}
    for name in {c for cs in cites for c in cs}:
        assert name in names
        assert re.fullmatch(r"(附)?表 \d+", lay.label(name)), lay.label(name)
        assert lay.label(name) in text
    # the leader named in the summary is the first of the final-year ranking
    rk = pd.read_csv(res.out_dir / "tables" / "ranking.csv", encoding="utf-8-sig")
    assert rk["rank"].iloc[0] == 1 and rk["name"].iloc[0] in summary.paragraphs[0]
    assert (rk["rank_change"] == rk["rank_first"] - rk["rank"]).all()


def test_dea_model_is_described(runs):
    tfp = next(s for s in runs["zh"].output.sections if s.key == "tfp")
    first = tfp.paragraphs[0]
    # inputs and outputs by the names the study gives them, and what the model measures
    assert "CCR 模型" in first and "研发人员、资本存量" in first and "地区生产总值" in first
    assert "传统的 (非绿色) 全要素生产率" in first


def test_word_document(runs):
    docx = pytest.importorskip("docx")
    path = runs["zh"].out_dir / "report.docx"
    doc = docx.Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "主要发现" in text and "{tbl:" not in text
    assert len(doc.tables) >= 5 and len(doc.inline_shapes) >= 2
    # three-line tables: a rule above the header, under it, under the last row, no others
    t0 = doc.tables[0]
    xml = t0._tbl.xml
    assert 'w:val="nil"' in xml and "w:insideV" not in xml.replace("w:insideV w:val=\"nil\"", "")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice not installed: the .docx was not opened")
    out = path.parent / "lo"
    r = subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(out),
                        str(path)], capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    pdf = out / "report.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 10_000


def test_every_latex_table_compiles(runs, tmp_path):
    if shutil.which("xelatex") is None:
        pytest.skip("xelatex not installed")
    tables = sorted((runs["zh"].out_dir / "tables").glob("*.tex"))
    tables += sorted((runs["en"].out_dir / "tables").glob("*.tex"))
    assert len(tables) > 20
    body = "\n".join(f"\\input{{{p.as_posix()}}}\n\\clearpage" for p in tables)
    doc = tmp_path / "all.tex"
    doc.write_text(
        "\\documentclass{ctexart}\n\\usepackage{booktabs,graphicx,longtable,pdflscape}\n"
        "\\usepackage[margin=25mm]{geometry}\n\\begin{document}\n" + body
        + "\n\\end{document}\n", encoding="utf-8")
    r = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    log = (tmp_path / "all.log").read_text(errors="replace")
    assert r.returncode == 0, log[-2000:]
    over = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide", log)]
    assert not over or max(over) < 5, f"tables wider than the page by {max(over)} pt"
