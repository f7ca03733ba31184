"""The self-contained HTML report: structure, escaping, embedded images, languages."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataError
from nqpf.report.html import MAX_ROWS, render_report, write_report
from nqpf.report.i18n import STRINGS, html_lang, normalise_lang, t
from nqpf.report.model import FigureItem, Section, StudyOutput, TableItem

SVG = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="40pt" height="30pt" viewBox="0 0 40 30">'
    '<rect x="0" y="0" width="40" height="30" fill="#1d4e89"/></svg>\n'
)


class _Doc(HTMLParser):
    """Collects tags with attributes, text, and nesting errors."""

    VOID = {"meta", "img", "br", "link", "input", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag):
        return [a for t_, a in self.tags if t_ == tag]


def _parse(html: str) -> _Doc:
    d = _Doc()
    d.feed(html)
    d.close()
    return d


def make_output(tmp: Path, lang: str = "zh") -> StudyOutput:
    """Two sections: Chinese text, a <script> cell, a 35-row table, a PNG and an SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=50)
    ax.plot([0, 1, 2], [0, 1, 0])
    png = tmp / "trend.png"
    fig.savefig(png)
    plt.close(fig)
    svg = tmp / "box.svg"
    svg.write_text(SVG, encoding="utf-8")
    scores = pd.DataFrame(
        {
            "省份": ["北京", "<script>alert('x')</script>", "广东"],
            "得分": [0.123456, np.nan, 1 / 3],
            "排名": [1, 3, 2],
        }
    )
    long = pd.DataFrame({"year": np.arange(2000, 2035), "v": np.arange(35) / 7})
    return StudyOutput(
        title="新质生产力测度 & 评价",
        subtitle="省级面板 <2019–2023>",
        lang=lang,
        sections=[
            Section(
                "index",
                "综合指数",
                paragraphs=["熵权法得到权重。", "第二段 a < b"],
                tables=[TableItem("scores", "得分与排名", scores, note="来源：年鉴 & 作者计算",
                                  digits=3)],
                figures=[FigureItem("trend", "趋势图", {"png": png, "svg": svg}, note="东部领先")],
                notes=["缺失值已插补"],
            ),
            Section(
                "dynamics",
                "分布动态",
                tables=[TableItem("long_series", "长表", long, digits=2)],
                figures=[FigureItem("box", "矢量图", {"svg": svg, "pdf": tmp / "box.pdf"})],
            ),
        ],
        manifest={
            "nqpf": "9.8.7",
            "created": "2026-01-02T03:04:05",
            "python": "3.11.9",
            "platform": "Linux-x86_64",
            "packages": {"numpy": "2.4.0", "pandas": "3.1.0", "cnmaps": None},
            "study": {"path": "study.yaml", "sha256": "cd" * 32, "resolved": {"seed": 7}},
            "inputs": [{"role": "data", "path": "data/挑战.csv", "sha256": "ab" * 32,
                        "bytes": 1234}],
            "seeds": {"study": 20240101, "robustness": None},
            "timings": {"index": 1.5, "figures": 0.25},
            "outputs": ["report.html", "tables.xlsx"],
        },
    )


@pytest.fixture
def report(tmp_path) -> tuple[Path, str, _Doc]:
    path = write_report(make_output(tmp_path), tmp_path / "out" / "report.html")
    html = path.read_text(encoding="utf-8")
    return path, html, _parse(html)


def test_parses_with_lang_charset_and_balanced_tags(report):
    path, html, doc = report
    assert path.name == "report.html"
    assert html.startswith("<!DOCTYPE html>")
    assert doc.all("html") == [{"lang": "zh-CN"}]
    assert {"charset": "utf-8"} in doc.all("meta")
    assert doc.errors == [] and doc.stack == []


def test_toc_links_every_section_and_appendix(report):
    _, _, doc = report
    ids = {a["id"] for _, a in doc.tags if a.get("id")}
    nav_links = [a["href"] for a in doc.all("a") if a.get("href", "").startswith("#")]
    assert nav_links == ["#sec-index", "#sec-dynamics", "#appendix-reproducibility"]
    assert all(h[1:] in ids for h in nav_links)
    # ids are unique
    all_ids = [a["id"] for _, a in doc.tags if a.get("id")]
    assert len(all_ids) == len(set(all_ids))
    assert {"tbl-scores", "tbl-long_series", "fig-trend", "fig-box"} <= ids


def test_user_text_is_escaped(report):
    _, html, doc = report
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "新质生产力测度 &amp; 评价" in html
    assert "省级面板 &lt;2019–2023&gt;" in html
    text = "".join(doc.text)
    assert "<script>alert('x')</script>" in text  # shown to the reader as text
    assert "第二段 a < b" in text


def test_no_external_resources(report):
    _, html, doc = report
    for tag, attrs in doc.tags:
        for key in ("src", "href"):
            v = attrs.get(key)
            assert v is None or not re.match(r"\s*(https?:)?//", v), (tag, v)
    assert not doc.all("link") and not doc.all("script")
    assert "@import" not in html and "url(" not in html


def test_images_embedded_png_preferred_then_svg(report, tmp_path):
    _, _, doc = report
    imgs = doc.all("img")
    assert len(imgs) == 2
    png_uri, svg_uri = imgs[0]["src"], imgs[1]["src"]
    assert png_uri.startswith("data:image/png;base64,")
    assert base64.b64decode(png_uri.split(",", 1)[1]) == (tmp_path / "trend.png").read_bytes()
    assert svg_uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(svg_uri.split(",", 1)[1]).decode() == SVG
    assert [i["alt"] for i in imgs] == ["趋势图", "矢量图"]


def test_tables_rounded_aligned_truncated(report):
    _, html, doc = report
    text = "".join(doc.text)
    assert '<td class="num">0.123</td>' in html and '<td class="num">0.333</td>' in html
    assert '<td class="na num">—</td>' in html
    assert '<td class="num">3</td>' in html  # rank stays an integer
    assert '<th scope="col" class="num">得分</th>' in html
    assert "表 1　得分与排名" in text and "表 2　长表" in text
    assert "图 1　趋势图" in text and "图 2　矢量图" in text
    # 35 rows, no more than MAX_ROWS: printed whole (longer tables go to the appendix)
    assert "<td class=\"num\">2034</td>" in html and "附录　明细表" not in text
    assert "注：来源：年鉴 &amp; 作者计算" in html
    assert "缺失值已插补" in text and "注：东部领先" in text


def test_reproducibility_appendix_from_manifest(report):
    _, html, doc = report
    text = "".join(doc.text)
    assert "可重复性信息" in text
    assert "ab" * 32 in text and "data/挑战.csv" in text and "1234" in text
    assert "<td>study.yaml</td><td>study</td>" in html  # the study file is an input too
    assert "<td>data/挑战.csv</td><td>data</td>" in html
    assert "20240101" in text and "numpy" in text and "2.4.0" in text
    assert "<td>cnmaps</td><td>—</td>" in html  # not installed
    assert "1.50" in text and "0.25" in text and "1.75" in text  # total of timings
    assert "9.8.7" in text and "2026-01-02T03:04:05" in text
    assert "manifest.json" in text


def test_manifest_other_shapes_and_none():
    m = {"nqpf_version": "1.2.3", "inputs": {"a.csv": "ff" * 32}, "seed": 5,
         "timings": {"all": 2}}
    html = render_report(StudyOutput("T", "en", [], manifest=m))
    assert "<td>a.csv</td><td>—</td><td class=\"hash\">" + "ff" * 32 in html
    assert "1.2.3" in html and '<td>seed</td><td class="num">5</td>' in html
    assert "Total" not in html  # one step: no total row
    bare = render_report(StudyOutput("T", "en", []))
    from nqpf import __version__

    assert bare.count("(not in the manifest)") == 4 and __version__ in bare


def test_english_report(tmp_path):
    out = make_output(tmp_path, lang="en")
    html = write_report(out, tmp_path / "en.html").read_text(encoding="utf-8")
    doc = _parse(html)
    assert doc.all("html") == [{"lang": "en"}]
    text = "".join(doc.text)
    assert "Contents" in text and "Reproducibility" in text and "Table 1. 得分与排名" in text
    assert "Table 2. " in text and "Detailed tables" not in text
    assert "Note: " in text and "目录" not in text


def test_refuses_overwrite_and_missing_figure(tmp_path):
    out = make_output(tmp_path)
    p = tmp_path / "report.html"
    p.write_text("old", encoding="utf-8")
    with pytest.raises(DataError, match="exists; pass overwrite=True"):
        write_report(out, p)
    assert p.read_text(encoding="utf-8") == "old"
    assert write_report(out, p, overwrite=True) == p
    assert p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    (tmp_path / "trend.png").unlink()
    with pytest.raises(DataError, match=r"figure 'trend'.*does not exist"):
        write_report(out, tmp_path / "other.html")
    assert not (tmp_path / "other.html").exists()
    (tmp_path / "trend.png").write_text("not a png", encoding="utf-8")
    with pytest.raises(DataError, match="not a valid PNG"):
        render_report(out)


def test_pdf_only_figure_gets_a_note(tmp_path):
    sec = Section("s", "S", figures=[FigureItem("map", "Map", {"pdf": tmp_path / "map.pdf"})])
    html = render_report(StudyOutput("T", "en", [sec]))
    assert "<img" not in html and "no format that can be embedded" in html and "map.pdf" in html


def test_section_ids_from_odd_keys_unique():
    secs = [Section("空间 格局", "A"), Section("空间 格局", "B"), Section("a/b", "C")]
    doc = _parse(render_report(StudyOutput("T", "en", secs)))
    ids = [a["id"] for _, a in doc.tags if a.get("id", "").startswith("sec-")]
    assert ids == ["sec-item", "sec-item-2", "sec-a-b"]


def test_max_rows_constant_and_i18n_complete():
    assert MAX_ROWS == 40
    assert all(set(v) == {"zh", "en"} and all(v.values()) for v in STRINGS.values())
    assert t("report.more_rows", "en", n=3, path="p") == "… 3 more rows, see p"
    assert t("section.tfp", "zh-CN") == "全要素生产率"
    assert normalise_lang("EN_gb") == "en" and html_lang("zh") == "zh-CN"
    with pytest.raises(DataError, match="unknown report language 'fr'"):
        t("report.contents", "fr")
    with pytest.raises(KeyError, match="report.contents"):
        t("report.content", "en")
