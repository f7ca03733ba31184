"""Table writers: Excel formatting, CSV and Stata round trips, LaTeX escaping, refusals."""

from __future__ import annotations

import datetime
import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from nqpf.errors import DataError
from nqpf.report.i18n import t
from nqpf.report.model import Section, StudyOutput, TableItem
from nqpf.report.tables import (
    FIXED_TIMESTAMP,
    display_width,
    infinite_counts,
    latex_escape,
    latex_table,
    number_format,
    sheet_names,
    stata_frame,
    write_tables,
)


def _scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "省份": ["北京", "上海", "广东"],
            "year": [2019, 2020, 2021],
            "score": [0.123456789, np.nan, 1 / 3],
            "R&D_%": [2.5, 4.0, -0.00001],
        }
    )


def _output(lang: str = "zh", **kw) -> StudyOutput:
    weights = pd.DataFrame({"indicator": ["rd", "patents"], "weight": [0.6, 0.4]})
    return StudyOutput(
        title="测试",
        lang=lang,
        sections=[
            Section("index", "指数", tables=[TableItem("scores", "得分 & 排名", _scores(),
                                                      note="来源：统计年鉴", digits=3)]),
            Section("weights", "权重", tables=[TableItem("weights", "Weights", weights)]),
        ],
        **kw,
    )


def test_writes_every_format_at_fixed_names(tmp_path):
    paths = write_tables(_output(), tmp_path)
    rel = [p.relative_to(tmp_path).as_posix() for p in paths]
    assert rel == [
        "tables.xlsx",
        "tables/scores.csv", "tables/scores.tex", "tables/scores.dta",
        "tables/weights.csv", "tables/weights.tex", "tables/weights.dta",
    ]
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert not [p for p in (tmp_path / "tables").iterdir() if p.name.startswith(".")]


def test_csv_round_trip_full_precision_with_bom(tmp_path):
    write_tables(_output(), tmp_path, formats=["csv"])
    raw = (tmp_path / "tables" / "scores.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(tmp_path / "tables" / "scores.csv", encoding="utf-8-sig")
    assert list(back.columns) == ["省份", "year", "score", "R&D_%"]
    assert back["score"].iloc[0] == 0.123456789  # not rounded to digits=3
    assert back["score"].iloc[2] == 1 / 3
    assert np.isnan(back["score"].iloc[1])
    pd.testing.assert_frame_equal(back, _scores(), check_dtype=False)


def test_dta_round_trip_names_labels_and_utf8(tmp_path):
    write_tables(_output(), tmp_path, formats=("dta",))
    df, meta = pyreadstat.read_dta(str(tmp_path / "tables" / "scores.dta"))
    # R&D_% -> R_D (sanitised), original name kept as the label
    assert list(df.columns) == ["省份", "year", "score", "R_D"]
    assert meta.column_labels == ["省份", "year", "score", "R&D_%"]
    assert meta.file_label == "得分 & 排名"
    assert df["省份"].tolist() == ["北京", "上海", "广东"]
    assert df["year"].tolist() == [2019, 2020, 2021]
    np.testing.assert_array_equal(df["score"].to_numpy(), _scores()["score"].to_numpy())
    with open(tmp_path / "tables" / "scores.dta", "rb") as fh:
        assert fh.read(64).startswith(b"<stata_dta><header><release>118</release>")


def test_stata_names_unique_short_and_valid():
    cols = ["a b", "a-b", "1st", "x" * 40, "x" * 40 + "y", "_n", "int", "增长率(%)"]
    frame, labels = stata_frame(pd.DataFrame([[1.0] * len(cols)], columns=cols))
    names = list(frame.columns)
    assert names[:3] == ["a_b", "a_b_2", "v1st"]
    assert names[3] == "x" * 32 and names[4] == "x" * 30 + "_2"
    assert names[5] == "n" and names[6] == "int_"  # io's rule strips edge "_"
    assert names[7] == "增长率"
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 32 and re.fullmatch(r"[^\W\d]\w*", n) for n in names)
    assert [labels[n] for n in names] == cols


def test_xlsx_numbers_stay_numeric_with_formats(tmp_path):
    write_tables(_output(), tmp_path, formats=["xlsx"])
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    assert wb.sheetnames == [t("xlsx.contents_sheet", "zh"), "scores", "weights"]
    toc = wb.worksheets[0]
    assert [c.value for c in toc[1]] == ["工作表", "标题", "行数"]
    assert [c.value for c in toc[2]] == ["scores", "得分 & 排名", 3]
    assert toc["A2"].hyperlink.location == "'scores'!A1"
    ws = wb["scores"]
    assert ws["A1"].value == "得分 & 排名" and ws["A1"].font.b
    assert [c.value for c in ws[2]] == ["省份", "year", "score", "R&D_%"]
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("D9E1F2") for c in ws[2])
    assert ws.freeze_panes == "A3"
    assert ws["C3"].value == 0.123456789 and ws["C3"].number_format == "0.000"
    assert ws["C4"].value is None
    assert ws["B3"].value == 2019 and ws["B3"].number_format == "0"
    assert ws["A3"].value == "北京" and ws["A3"].number_format == "General"
    # note two rows under the last data row (row 5)
    assert ws["A7"].value == "来源：统计年鉴" and ws["A7"].font.i
    # widths: CJK count double ("省份" → 4) plus 2; -0.00001 shows as "0.000", no sign
    assert ws.column_dimensions["A"].width == 6
    assert ws.column_dimensions["D"].width == 7
    assert wb["weights"]["B3"].number_format == "0.0000"


def test_number_format_and_display_width():
    assert number_format("float", 4) == "0.0000"
    assert number_format("float", 0) == "0"
    assert number_format("int", 3) == "0"
    assert display_width("abc") == 3
    assert display_width("北京市") == 6
    assert display_width("ＧＤＰ增长") == 10  # full-width Latin counts double too


def test_sheet_names_legal_truncated_unique():
    long = "a" * 40
    got = sheet_names(
        ["x:y/z?", long, long + "b", "Contents", "history", "'quoted'", "SCORES", "scores"],
        reserved=["Contents"],
    )
    assert got[0] == "x_y_z_"
    assert got[1] == "a" * 31
    assert got[2] == "a" * 29 + "~2"
    assert got[3] == "Contents~2"
    assert got[4] == "history~2"
    assert got[5] == "quoted"
    assert got[6] == "SCORES" and got[7] == "scores~2"
    assert all(len(s) <= 31 for s in got)
    assert len({s.lower() for s in got}) == len(got)


def test_xlsx_sheets_for_long_similar_names(tmp_path):
    a = "dimension_scores_by_province_and_year_a"
    b = "dimension_scores_by_province_and_year_b"
    frame = pd.DataFrame({"v": [1.0]})
    out = StudyOutput("t", "en", [Section("s", "S", tables=[TableItem(a, "A", frame),
                                                            TableItem(b, "B", frame)])])
    write_tables(out, tmp_path, formats=["xlsx"])
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    assert wb.sheetnames == ["Contents", a[:31], a[:29] + "~2"]
    assert [r[0].value for r in wb["Contents"].iter_rows(min_row=2)] == wb.sheetnames[1:]


def test_latex_escaped_booktabs_and_chinese():
    frame = pd.DataFrame({"unit_name": ["北京 & 天津", "A_1 50%"], "R&D #": [1.23456, np.nan]})
    item = TableItem("rd_share", "R&D 占比 (%) {x}", frame, note="$ ~ ^ \\ 来源", digits=2)
    tex = latex_table(item, "zh")
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert r"\begin{tabular}{lr}" in tex
    assert r"\caption{R\&D 占比 (\%) \{x\}}" in tex
    assert r"\label{tab:rd_share}" in tex
    assert r"unit\_name & R\&D \# \\" in tex
    assert r"北京 \& 天津 & 1.23 \\" in tex
    assert r"A\_1 50\% &  \\" in tex
    assert r"\$ \textasciitilde{} \textasciicircum{} \textbackslash{} 来源" in tex
    assert "xeCJK" in tex.splitlines()[0] and tex.splitlines()[0].startswith("%")
    body = "\n".join(line for line in tex.splitlines() if not line.startswith("%"))
    # every special character outside a command is escaped (the width-fitting line is
    # nqpf's own)
    plain = "\n".join(ln for ln in body.splitlines() if not ln.startswith(r"\resizebox"))
    stripped = re.sub(r"\\[a-zA-Z]+\{[^{}]*\}|\\[a-zA-Z]+|\\[&%$#_{}]|\\\\", "", plain)
    assert not re.search(r"[&%$#_~^]", stripped.replace(" & ", " "))
    # balanced braces
    assert body.count("{") - body.count(r"\{") == body.count("}") - body.count(r"\}")


def test_latex_escape_single_pass():
    assert latex_escape("\\&") == r"\textbackslash{}\&"
    assert latex_escape("a\nb") == "a b"
    assert latex_escape("<x|y>") == r"\textless{}x\textbar{}y\textgreater{}"


def test_latex_without_cjk_has_plain_comment_and_rounding():
    item = TableItem("w", "Weights", pd.DataFrame({"w": [0.123456, -0.00004]}), digits=4)
    tex = latex_table(item, "en")
    assert "xeCJK" not in tex and "booktabs" in tex.splitlines()[0]
    assert "0.1235 \\\\" in tex and "0.0000 \\\\" in tex and "-0.0000" not in tex


def test_refuses_existing_files_before_writing_anything(tmp_path):
    (tmp_path / "tables").mkdir()
    existing = tmp_path / "tables" / "weights.dta"
    existing.write_bytes(b"keep me")
    with pytest.raises(DataError, match=r"weights\.dta.*overwrite=True"):
        write_tables(_output(), tmp_path)
    assert existing.read_bytes() == b"keep me"
    assert not (tmp_path / "tables.xlsx").exists()
    assert not (tmp_path / "tables" / "scores.csv").exists()
    paths = write_tables(_output(), tmp_path, overwrite=True)
    assert existing in paths and existing.read_bytes() != b"keep me"


def test_name_clashes_and_bad_names_are_errors(tmp_path):
    f = pd.DataFrame({"v": [1.0]})
    clash = StudyOutput("t", "en", [Section("a", "A", tables=[TableItem("Scores", "x", f)]),
                                    Section("b", "B", tables=[TableItem("scores", "y", f)])])
    with pytest.raises(DataError, match="same files.*'Scores' and 'scores'"):
        write_tables(clash, tmp_path)
    bad = StudyOutput("t", "en", [Section("a", "A", tables=[TableItem("../evil", "x", f)])])
    with pytest.raises(DataError, match="not a valid file stem"):
        write_tables(bad, tmp_path)
    with pytest.raises(DataError, match="unknown table format 'docx'"):
        write_tables(_output(), tmp_path, formats=["csv", "docx"])
    assert not any(tmp_path.iterdir())


def test_index_written_as_columns_and_input_untouched(tmp_path):
    frame = pd.DataFrame({"score": [0.5, 0.25]}, index=pd.Index(["东部", "西部"], name="region"))
    before = frame.copy()
    out = StudyOutput("t", "en", [Section("a", "A", tables=[TableItem("reg", "R", frame,
                                                                      index=True)])])
    write_tables(out, tmp_path, formats=["csv", "xlsx"])
    back = pd.read_csv(tmp_path / "tables" / "reg.csv", encoding="utf-8-sig")
    assert back.to_dict("list") == {"region": ["东部", "西部"], "score": [0.5, 0.25]}
    pd.testing.assert_frame_equal(frame, before)
    ws = openpyxl.load_workbook(tmp_path / "tables.xlsx")["reg"]
    assert [c.value for c in ws[2]] == ["region", "score"]


def test_duplicate_empty_and_nullable_columns(tmp_path):
    dup = pd.DataFrame([[1.5, 2.5, "a\x01b"]], columns=[2019, "2019", "x"])
    empty = pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype="str")})
    nul = pd.DataFrame(
        {
            "rank": pd.array([1, None, 3], dtype="Int64"),
            "ok": [True, False, True],
            "when": pd.to_datetime(["2020-01-01", "2021-06-30", None]),
        }
    )
    items = [TableItem("dup", "D", dup), TableItem("empty", "E", empty),
             TableItem("nul", "N", nul, digits=2)]
    write_tables(StudyOutput("t", "en", [Section("s", "S", tables=items)]), tmp_path)
    d, m = pyreadstat.read_dta(str(tmp_path / "tables" / "dup.dta"))
    assert list(d.columns) == ["v2019", "v2019_2", "x"] and m.column_labels == ["2019", "2019", "x"]
    assert d.iloc[0].tolist()[:2] == [1.5, 2.5]
    d, _ = pyreadstat.read_dta(str(tmp_path / "tables" / "empty.dta"))
    assert list(d.columns) == ["a", "b"] and len(d) == 0
    d, _ = pyreadstat.read_dta(str(tmp_path / "tables" / "nul.dta"))
    assert d["rank"].iloc[[0, 2]].tolist() == [1, 3] and np.isnan(d["rank"].iloc[1])
    assert d["ok"].tolist() == [1, 0, 1]
    csv = (tmp_path / "tables" / "nul.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv == ["rank,ok,when", "1,True,2020-01-01", ",False,2021-06-30", "3,True,"]
    tex = (tmp_path / "tables" / "nul.tex").read_text(encoding="utf-8")
    assert r"1 & True & 2020-01-01 \\" in tex and r" & False & 2021-06-30 \\" in tex
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    assert [c.value for c in wb["dup"][2]] == ["2019", "2019", "x"]
    assert wb["dup"]["C3"].value == "ab"  # a control character .xlsx cannot hold is dropped
    assert wb["empty"].max_row == 2
    assert wb["nul"]["A4"].value is None and wb["nul"]["A5"].number_format == "0"
    # dates are Excel dates (serial numbers shown as dates), not text
    assert wb["nul"]["C4"].value == datetime.datetime(2021, 6, 30)
    assert wb["nul"]["C4"].number_format == "yyyy-mm-dd" and wb["nul"]["C5"].value is None


def test_xlsx_text_whitespace_links_and_styles(tmp_path):
    frame = pd.DataFrame({"name": ["  lead", "a < b & c", ""], "": [1.5, 2.0, 3.0]})
    out = StudyOutput("t", "en", [Section("s", "S", tables=[TableItem("x", "T <1>", frame,
                                                                      digits=1)])])
    write_tables(out, tmp_path, formats=["xlsx"])
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    ws = wb["x"]
    assert [ws["A3"].value, ws["A4"].value, ws["A5"].value] == ["  lead", "a < b & c", None]
    assert ws["A1"].value == "T <1>" and ws["A1"].font.sz == 12
    # the empty header keeps its header style; the last data row has a bottom rule
    assert ws["B2"].value is None and ws["B2"].font.b and ws["B2"].border.top.style == "thin"
    assert ws["B2"].alignment.horizontal == "center"
    assert ws["A5"].border.bottom.style == "thin" and ws["B5"].border.bottom.style == "thin"
    assert ws["B4"].border.bottom.style is None and ws["B5"].number_format == "0.0"
    toc = wb["Contents"]
    assert toc["A2"].font.u == "single" and toc["A2"].font.color.rgb.endswith("0563C1")
    assert toc.freeze_panes == "A2" and toc["C2"].value == 3
    assert toc.column_dimensions["B"].width == len("Title") + 2


def test_reruns_give_byte_identical_files(tmp_path):
    a = write_tables(_output(), tmp_path / "a")
    b = write_tables(_output(), tmp_path / "b")
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    with zipfile.ZipFile(a[0]) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2
    props = openpyxl.load_workbook(a[0]).properties
    assert props.created == props.modified == FIXED_TIMESTAMP
    head = (tmp_path / "a" / "tables" / "scores.dta").read_bytes()[:200]
    assert b"<timestamp>\x1101 Jan 2000 00:00</timestamp>" in head


def test_infinite_values_become_missing_with_a_note(tmp_path):
    frame = pd.DataFrame({"unit": ["a", "b", "c"], "growth": [np.inf, 0.5, -np.inf],
                          "ratio": [1.0, np.nan, np.inf], "n": [1, 2, 3]})
    assert infinite_counts(frame) == {"growth": 2, "ratio": 1}
    items = [TableItem("g", "G", frame, note="Source: X."), TableItem("h", "H", frame)]
    write_tables(StudyOutput("t", "en", [Section("s", "S", tables=items)]), tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "tables.xlsx")["g"]
    assert [ws["B3"].value, ws["B4"].value, ws["B5"].value] == [None, 0.5, None]
    assert ws["B3"].number_format == "0.0000" and ws["C5"].value is None
    assert ws["A7"].value == ("Source: X. Infinite values (Excel and Stata cannot hold them) "
                              "are written as missing: growth (2), ratio (1).")
    d, _ = pyreadstat.read_dta(str(tmp_path / "tables" / "g.dta"))
    np.testing.assert_array_equal(d["growth"].to_numpy(), [np.nan, 0.5, np.nan])
    np.testing.assert_array_equal(d["ratio"].to_numpy(), [1.0, np.nan, np.nan])
    # the CSV keeps full fidelity, infinities included
    back = pd.read_csv(tmp_path / "tables" / "g.csv", encoding="utf-8-sig")
    assert back["growth"].tolist() == [np.inf, 0.5, -np.inf]
    assert frame["growth"].tolist() == [np.inf, 0.5, -np.inf]  # input untouched
    zh = StudyOutput("t", "zh", [Section("s", "S", tables=[TableItem("h", "H", frame)])])
    write_tables(zh, tmp_path / "zh", formats=["xlsx"])
    note = openpyxl.load_workbook(tmp_path / "zh" / "tables.xlsx")["h"]["A7"].value
    assert note == "无穷值（Excel 与 Stata 无法存储）已记为缺失：growth (2)、ratio (1)。"


def test_long_and_wide_latex_tables_break_and_fit(tmp_path):
    import shutil
    import subprocess

    from nqpf.report.tables import LATEX_LONG

    long = pd.DataFrame({"unit": [f"地区{i}" for i in range(1500)],
                         **{f"指标_{j}": np.arange(1500) / 7 for j in range(14)}})
    tex = latex_table(TableItem("long", "很长的表", long, note="注释"), "en")
    assert r"\begin{longtable}" in tex and r"\endhead" in tex and r"\begin{table}" not in tex
    assert r"\tiny" in tex  # 15 columns
    short = TableItem("short", "Short", long.head(LATEX_LONG))
    assert r"\resizebox{\ifdim\width>\linewidth" in latex_table(short, "en")
    if shutil.which("xelatex") is None:
        pytest.skip("xelatex not installed")
    for name, body in (("long", tex), ("short", latex_table(short, "zh"))):
        (tmp_path / f"{name}.tex").write_text(body, encoding="utf-8")
    doc = tmp_path / "doc.tex"
    doc.write_text("\\documentclass{ctexart}\n\\usepackage{booktabs,graphicx,longtable,pdflscape}\n"
                   "\\begin{document}\n\\input{long}\n\\input{short}\n\\end{document}\n",
                   encoding="utf-8")
    r = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert r.returncode == 0, log[-1500:]
    over = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide", log)]
    assert not over or max(over) < 5
