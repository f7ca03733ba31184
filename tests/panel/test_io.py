"""Tests of nqpf.panel.io: readers and writers. Every fixture file is built in tmp_path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from nqpf.errors import DataError, UnitNameError
from nqpf.panel import Panel
from nqpf.panel.io import (
    detect_encoding,
    read_panel,
    read_table,
    read_yearbook_excel,
    to_long_table,
    write_panel,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/data not present")
NAN = np.nan


# ---------------------------------------------------------------------- fixture builders
def make_panel() -> Panel:
    values = np.array(
        [
            [[1.5, 2.0], [NAN, 2.25], [3.125, NAN]],
            [[10.0, 0.1], [11.0, 0.2], [12.0, 0.3]],
            [[-1.0, NAN], [NAN, NAN], [1e6, 7.75]],
        ]
    )
    imputed = np.zeros(values.shape, bool)
    imputed[1, 2, 0] = True
    imputed[0, 1, 1] = True
    return Panel(values, ("北京", "天津", "Shanghai"), (2019, 2020, 2021), ("gdp", "研发强度"),
                 imputed=imputed)


def write_text(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def gbk_stata(path: Path, df: pd.DataFrame, labels: dict[str, str]) -> Path:
    """A Stata 13 (format 117) file whose text bytes are GBK, as old Chinese files are.

    pyreadstat writes UTF-8 only, so the file is written as format 117 and every UTF-8
    byte sequence of the Chinese texts is replaced by its GBK bytes, NUL-padded to the
    same length (format-117 strings and labels live in fixed-width, NUL-padded fields).
    """
    pyreadstat.write_dta(df, str(path), version=13, column_labels=labels)
    data = path.read_bytes()
    texts = [v for c in df.columns if df[c].dtype != float for v in df[c].astype(str)]
    for t in sorted(set(texts) | set(labels.values()), key=len, reverse=True):
        if t.isascii():
            continue
        u, g = t.encode("utf-8"), t.encode("gbk")
        assert u in data
        data = data.replace(u, g + b"\0" * (len(u) - len(g)))
    path.write_bytes(data)
    return path


def yearbook_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "地区生产总值"
    rows = [
        ["各地区生产总值"],                                  # 1 title
        ["单位：亿元"],                                      # 2 unit line
        [],                                                  # 3 blank
        ["地区", "2019年", 2020, "2021"],                    # 4 header
        ["北   京", "1,234.5", 2000, "—"],                   # 5
        ["天津", 100, "..", "１２３"],                        # 6
        [],                                                  # 7 blank
        ["上海", 300.5, 310.0, "约320"],                      # 8
        ["注：本表按当年价格计算。"],                          # 9 footnote
        ["资料来源：国家统计局"],                              # 10
    ]
    for r in rows:
        ws.append(r)
    ws2 = wb.create_sheet("研发强度")
    for r in [["地区", 2019, 2020.0], ["北京", 6.31, 6.44], ["天津", 3.28, 3.44],
              ["全国", 2.23, 2.4]]:
        ws2.append(r)
    ws3 = wb.create_sheet("说明")
    ws3.append(["本文件为测试数据"])
    wb.save(path)
    return path


def assert_same_panel(a: Panel, b: Panel) -> None:
    assert set(a.units) == set(b.units)
    assert a.periods == b.periods
    assert set(a.indicators) == set(b.indicators)
    b = b.sel(units=list(a.units), indicators=list(a.indicators))
    np.testing.assert_array_equal(a.values, b.values)  # NaN == NaN here


# ---------------------------------------------------------------------- round trips
@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".parquet", ".dta"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_round_trip(tmp_path, ext, layout):
    p = make_panel()
    out = write_panel(p, tmp_path / "sub" / f"panel{ext}", layout=layout)
    assert out.exists() and out.parent.name == "sub"
    back = read_panel(out, units="none")
    assert_same_panel(p, back)
    assert back.meta["layout"] == layout
    assert np.isnan(back.values).sum() == 5
    assert not back.imputed.any()


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".dta", ".xlsx"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_round_trip_keeps_imputed_flags(tmp_path, ext, layout):
    p = make_panel()
    out = write_panel(p, tmp_path / f"p{ext}", layout=layout, imputed=True)
    back = read_panel(out, units="none")
    assert_same_panel(p, back)
    b = back.sel(units=list(p.units), indicators=list(p.indicators))
    np.testing.assert_array_equal(b.imputed, p.imputed)
    assert b.imputed.sum() == 2


def test_csv_written_with_bom_and_wide_columns(tmp_path):
    out = write_panel(make_panel(), tmp_path / "w.csv", imputed=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header == "unit,period,gdp,研发强度,gdp__imputed,研发强度__imputed"
    assert detect_encoding(out) == "utf-8-sig"


def test_xlsx_sheet_is_data(tmp_path):
    out = write_panel(make_panel(), tmp_path / "w.xlsx", layout="long")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["data"]
    assert [c.value for c in wb["data"][1]] == ["unit", "period", "indicator", "value"]
    assert wb["data"].max_row == 1 + 3 * 3 * 2  # every cell of the cube, missing ones empty


def test_stata_names_sanitised_with_labels(tmp_path):
    vals = np.arange(4 * 1 * 1, dtype=float).reshape(1, 1, 4)
    inds = ("gdp per capita", "2020growth", "研发强度", "in")
    p = Panel(vals, ("北京",), (2019,), inds)
    out = write_panel(p, tmp_path / "s.dta")
    assert out.read_bytes().startswith(b"<stata_dta><header><release>118</release>")
    df, meta = pyreadstat.read_dta(str(out))
    expected = ["unit", "period", "gdp_per_capita", "v2020growth", "研发强度", "in_"]
    assert list(df.columns) == expected
    assert meta.column_names_to_labels["gdp_per_capita"] == "gdp per capita"
    assert meta.column_names_to_labels["in_"] == "in"
    assert df["v2020growth"].tolist() == [1.0]
    back = read_panel(out, units="none")  # original names come back from the labels
    assert back.indicators == inds
    assert back.values[0, 0, 2] == 2.0


def test_stata_name_collision_and_length(tmp_path):
    p = Panel(np.zeros((1, 1, 2)), ("a",), (2019,), ("a-b", "a b"))
    with pytest.raises(DataError, match="collide.*'a-b' and 'a b' -> 'a_b'"):
        write_panel(p, tmp_path / "c.dta")
    assert not (tmp_path / "c.dta").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind
    long = "x" * 40
    out = write_panel(Panel(np.ones((1, 1, 1)), ("a",), (2019,), (long,)), tmp_path / "l.dta")
    df, meta = pyreadstat.read_dta(str(out))
    assert list(df.columns)[2] == "x" * 32
    assert meta.column_names_to_labels["x" * 32] == long


def test_refuse_overwrite(tmp_path):
    target = tmp_path / "p.csv"
    target.write_text("precious")
    with pytest.raises(DataError, match=r"exists; pass overwrite=True / --force"):
        write_panel(make_panel(), target)
    assert target.read_text() == "precious"
    write_panel(make_panel(), target, overwrite=True)
    assert_same_panel(make_panel(), read_panel(target, units="none"))


def test_write_errors(tmp_path):
    with pytest.raises(DataError, match=r"cannot write '\.json'.*\.csv, \.xlsx, \.parquet, \.dta"):
        write_panel(make_panel(), tmp_path / "p.json")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(DataError, match=r"d\.csv is a directory"):
        write_panel(make_panel(), tmp_path / "d.csv", overwrite=True)


# ---------------------------------------------------------------------- encodings
CSV_ZH = "province,year,value\n北京,2019,1.5\n内蒙古,2019,2\n"


@pytest.mark.parametrize(
    ("encoding", "expected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")]
)
def test_csv_encodings_detected(tmp_path, encoding, expected):
    path = write_text(tmp_path / "zh.csv", CSV_ZH, encoding)
    assert detect_encoding(path) == expected
    df = read_table(path)
    assert df.attrs["encoding"] == expected
    assert list(df.columns) == ["province", "year", "value"]  # no BOM in the first name
    assert df["province"].tolist() == ["北京", "内蒙古"]
    assert df["value"].tolist() == [1.5, 2.0]  # a column of plain numbers is read as numbers


def test_ascii_is_utf8_and_utf16_bom(tmp_path):
    assert detect_encoding(write_text(tmp_path / "a.csv", "a,b\n1,2\n", "ascii")) == "utf-8"
    p = tmp_path / "u.txt"
    p.write_bytes(b"\xff\xfe" + "unit\tyear\tx\n北京\t2019\t1\n".encode("utf-16-le"))
    assert detect_encoding(p) == "utf-16"
    assert read_table(p)["unit"].tolist() == ["北京"]


def test_encoding_override(tmp_path):
    path = write_text(tmp_path / "zh.csv", CSV_ZH, "gbk")
    df = read_table(path, encoding="gbk")
    assert df.attrs["encoding"] == "gbk"
    assert df["province"].tolist() == ["北京", "内蒙古"]
    offset = len(b"province,year,value\n")
    with pytest.raises(DataError, match=rf"as 'utf-8'.*offset {offset}"):
        read_table(path, encoding="utf-8")
    # a wrong but decodable choice is the user's call: GBK bytes read as latin-1
    assert read_table(path, encoding="latin-1")["province"].tolist()[0] != "北京"
    with pytest.raises(DataError, match="unknown text encoding 'klingon'"):
        read_table(path, encoding="klingon")
    panel = read_panel(path, encoding="gbk", units="province", indicator_name="x")
    assert panel.meta["encoding"] == "gbk"
    assert set(panel.units) == {"CN-BJ", "CN-NM"}


def test_undecodable_without_override(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_bytes(b"a,b\n\x80\xff,1\n")
    with pytest.raises(DataError, match=r"neither UTF-8 nor GBK.*offset 4.*encoding="):
        detect_encoding(p)


@pytest.mark.parametrize("sep", [",", "\t", ";"])
def test_delimiters_sniffed(tmp_path, sep):
    text = sep.join(["region", "year", "gdp"]) + "\n" + sep.join(["北京", "2019", "1,234.5"
                                                                   if sep != "," else "1234.5"])
    p = write_text(tmp_path / ("d.tsv" if sep == "\t" else "d.txt"), text + "\n", "utf-8")
    df = read_table(p)
    assert list(df.columns) == ["region", "year", "gdp"]
    assert df.iloc[0, 0] == "北京"


def test_text_cells_stay_text_and_rows_are_lines(tmp_path):
    text = "unit,year,x\nA,2019,NA\n\nB,2019,—\nC,2019,\n"
    df = read_table(write_text(tmp_path / "t.csv", text, "utf-8"))
    assert df["x"].tolist() == ["NA", "—", ""]
    assert df.attrs["row"] == [2, 4, 5]  # the blank line 3 is skipped, not renumbered
    panel = read_panel(tmp_path / "t.csv", units="none")
    assert panel.conversions.missing_tokens == {"NA": 1, "—": 1, "": 1}


# ---------------------------------------------------------------------- Stata, GBK
def test_gbk_stata13_detected(tmp_path):
    df = pd.DataFrame({"province": ["北京", "天津"], "year": [2019.0, 2019.0], "rd": [6.31, 3.28]})
    path = gbk_stata(tmp_path / "old.dta", df, {"rd": "研发强度"})
    assert path.read_bytes().startswith(b"<stata_dta><header><release>117</release>")
    assert "北京".encode("gbk") in path.read_bytes()
    # what ReadStat alone makes of it: Windows-1252 mojibake, no error
    assert pyreadstat.read_dta(str(path))[0]["province"].tolist() == ["±±¾©", "Ìì½ò"]
    t = read_table(path)
    assert t["province"].tolist() == ["北京", "天津"]
    assert t.attrs["encoding"] == "gbk"
    assert "GBK" in t.attrs["encoding_note"]
    assert t.attrs["labels"]["rd"] == "研发强度"
    forced = read_table(path, encoding="gbk")
    assert forced["province"].tolist() == ["北京", "天津"]
    assert "encoding_note" not in forced.attrs
    panel = read_panel(path, units="province")
    assert panel.units == ("CN-BJ", "CN-TJ")
    assert panel.meta["encoding"] == "gbk"
    assert panel.values[:, 0, 0].tolist() == [6.31, 3.28]


def test_gbk_stata13_retry_after_decoding_error(tmp_path):
    # 皝 is GBK 0xB0 0x81; 0x81 is undefined in Windows-1252, so ReadStat's default fails
    df = pd.DataFrame({"unit": ["北京皝", "天津"], "year": [2019.0, 2020.0], "x": [1.0, 2.0]})
    path = gbk_stata(tmp_path / "old2.dta", df, {})
    with pytest.raises(pyreadstat.ReadstatError):
        pyreadstat.read_dta(str(path))
    t = read_table(path)
    assert t["unit"].tolist() == ["北京皝", "天津"]
    assert t.attrs["encoding"] == "gbk"
    assert "read again as gbk" in t.attrs["encoding_note"]
    with pytest.raises(DataError, match="does not decode as 'cp1252'"):
        read_table(path, encoding="cp1252")


def test_latin_stata13_not_taken_for_gbk(tmp_path):
    df = pd.DataFrame({"city": ["Zürich", "Genève"], "year": [2019.0, 2019.0], "x": [1.0, 2.0]})
    path = tmp_path / "latin.dta"
    pyreadstat.write_dta(df, str(path), version=13)
    data = path.read_bytes()
    for t in ("Zürich", "Genève"):
        u, c = t.encode(), t.encode("cp1252")
        data = data.replace(u, c + b"\0" * (len(u) - len(c)))
    path.write_bytes(data)
    t = read_table(path)
    assert t["city"].tolist() == ["Zürich", "Genève"]
    assert t.attrs["encoding"] == "cp1252"


# ---------------------------------------------------------------------- yearbook Excel
def test_yearbook_excel(tmp_path):
    path = yearbook_xlsx(tmp_path / "yb.xlsx")
    long = read_yearbook_excel(path)
    assert list(long.columns) == ["unit", "period", "indicator", "value", "row"]
    assert long.attrs["skipped_sheets"] == ["说明"]
    assert long.attrs["measure_units"] == {"地区生产总值": "亿元"}
    first = long[long["indicator"] == "地区生产总值"]
    assert first["row"].tolist() == [5, 5, 5, 6, 6, 6, 8, 8, 8]
    assert first["value"].tolist()[:3] == ["1,234.5", 2000, "—"]  # raw
    assert first["unit"].tolist()[0] == "北   京"
    assert len(long) == 9 + 6

    with pytest.raises(DataError, match=r"1 cell\(s\) are not numbers: row 8, unit '上海', "
                       r"period 2021, indicator '地区生产总值': '约320'"):
        read_panel(path, units="none")  # by default a cell that is not a number is an error
    # a title on the first sheet: yearbook layout; non-numeric cells accepted as missing
    panel = read_panel(path, units="none", non_numeric="missing")
    assert panel.meta["layout"] == "yearbook"
    assert panel.units == ("北京", "天津", "上海", "全国")
    assert panel.periods == (2019, 2020, 2021)
    assert panel.indicators == ("地区生产总值", "研发强度")
    gdp = panel.frame("地区生产总值")
    np.testing.assert_array_equal(
        gdp.to_numpy(),
        [[1234.5, 2000.0, NAN], [100.0, NAN, 123.0], [300.5, 310.0, NAN], [NAN, NAN, NAN]],
    )
    rd = panel.frame("研发强度")
    assert rd.loc["北京", 2020] == 6.44 and rd.loc["全国", 2019] == 2.23
    assert np.isnan(rd.loc["上海", 2019]) and np.isnan(rd.loc["北京", 2021])
    rep = panel.conversions
    assert rep.thousands_separators == 1
    assert rep.full_width == 1
    assert rep.missing_tokens == {"—": 1, "..": 1}
    assert len(rep.non_numeric) == 1
    bad = rep.non_numeric[0]
    assert bad["raw"] == "约320"
    assert bad["where"]["row"] == 8  # the Excel row, not the position in the long table
    assert bad["where"]["unit"] == "上海" and bad["where"]["period"] == 2021

    prov = read_panel(path, units="province", sheet="*", non_numeric="missing")
    assert prov.units == ("CN-BJ", "CN-TJ", "CN-SH")
    assert prov.meta["dropped_units"] == ["全国"]
    assert prov.meta["dropped_rows"] == 2
    assert prov.meta["n_rows"] == 15
    assert prov.meta["measure_units"] == {"地区生产总值": "亿元"}


def test_yearbook_sheet_selection_and_errors(tmp_path):
    path = yearbook_xlsx(tmp_path / "yb.xlsx")
    only = read_yearbook_excel(path, sheets=["研发强度"])
    assert set(only["indicator"]) == {"研发强度"} and len(only) == 6
    with pytest.raises(DataError, match="sheet '说明': no header row with years"):
        read_yearbook_excel(path, sheets=["说明"])
    with pytest.raises(DataError, match=r"no sheet 'GDP'; the sheets are \['地区生产总值'"):
        read_yearbook_excel(path, sheets=["GDP"])
    # title row: still a yearbook
    one = read_panel(path, sheet="地区生产总值", units="none", non_numeric="missing")
    assert one.indicators == ("地区生产总值",) and one.shape == (3, 3, 1)
    assert read_panel(path, sheet=1, layout="yearbook", units="none").shape == (3, 2, 1)
    wb = openpyxl.load_workbook(path)
    wb["研发强度"].append([None, 9, 9])
    wb.save(path)
    with pytest.raises(DataError, match="sheet '研发强度', row 5: values but no region name"):
        read_yearbook_excel(path)


# ---------------------------------------------------------------------- real-life layouts
STI = (
    "province,year,chn_block4,value,units,variables\n"
    "全国,2023,RD强度,2.65,%,v4_ztr_qd_RD\n"
    "北   京,2023,RD强度,6.73,%,v4_ztr_qd_RD\n"
    "内蒙 古,2023,RD强度,0.93,%,v4_ztr_qd_RD\n"
    "北   京,2022,RD强度,6.83,%,v4_ztr_qd_RD\n"
    "北   京,2023,RD经费,\"2,947.1\",亿元,v4_ztr_jf_RD\n"
)


def test_long_sti_like_csv(tmp_path):
    path = write_text(tmp_path / "sti.csv", STI, "utf-8")
    long = to_long_table(read_table(path))
    assert long.attrs["layout"] == "long"
    assert long.attrs["columns"] == {
        "period": "year", "indicator": "variables", "value": "value", "unit": "province"
    }
    assert long["row"].tolist() == [2, 3, 4, 5, 6]
    panel = read_panel(path, units="province")
    assert panel.units == ("CN-BJ", "CN-NM")
    assert panel.meta["dropped_units"] == ["全国"]
    assert panel.meta["dropped_rows"] == 1 and panel.meta["n_rows"] == 5
    assert panel.meta["unit_mapping"]["北   京"] == "CN-BJ"
    assert panel.meta["unit_kind"] == "province"
    assert panel.frame("v4_ztr_qd_RD").loc["CN-BJ", 2023] == 6.73
    assert panel.frame("v4_ztr_jf_RD").loc["CN-BJ", 2023] == 2947.1
    assert panel.conversions.thousands_separators == 1
    none = read_panel(path, units="none")
    assert none.units == ("全国", "北京", "内蒙古")


WDI_BULK = (
    "Country Name,Country Code,Indicator Name,Indicator Code,2019,2020\n"
    "China,CHN,R&D (% of GDP),GB.XPD.RSDV.GD.ZS,2.24,2.41\n"
    "World,WLD,R&D (% of GDP),GB.XPD.RSDV.GD.ZS,2.2,2.3\n"
    "United States,USA,R&D (% of GDP),GB.XPD.RSDV.GD.ZS,3.17,\n"
    "China,CHN,Patents,IP.PAT.RESD,1243568,1344817\n"
)


def test_wdi_bulk_years_layout(tmp_path):
    path = write_text(tmp_path / "wdi.csv", WDI_BULK, "utf-8")
    long = to_long_table(read_table(path))
    assert long.attrs["layout"] == "years"
    assert long.attrs["columns"]["unit"] == "Country Code"
    assert long.attrs["columns"]["indicator"] == "Indicator Code"
    assert long["row"].tolist() == [2, 2, 3, 3, 4, 4, 5, 5]
    panel = read_panel(path, units="country")
    assert panel.units == ("CHN", "USA")
    assert panel.meta["dropped_units"] == ["WLD"]
    assert panel.indicators == ("GB.XPD.RSDV.GD.ZS", "IP.PAT.RESD")
    assert panel.frame("GB.XPD.RSDV.GD.ZS").loc["CHN", 2020] == 2.41
    assert np.isnan(panel.frame("GB.XPD.RSDV.GD.ZS").loc["USA", 2020])
    assert np.isnan(panel.frame("IP.PAT.RESD").loc["USA", 2019])


def test_wide_wdi_like_csv(tmp_path):
    text = (
        "Country Name,Country Code,Year,gdp,rd,Unnamed: 5,empty\n"
        "China,CHN,2019,14.3,2.24,0,\n"
        "Germany,DEU,2019,3.9,3.17,1,\n"
        "China,CHN,2020,14.7,2.41,2,\n"
    )
    path = write_text(tmp_path / "wide.csv", text, "utf-8")
    long = to_long_table(read_table(path))
    assert long.attrs["layout"] == "wide"
    assert long.attrs["columns"]["unit"] == "Country Code"
    assert long.attrs["dropped_columns"] == ["Country Name", "Unnamed: 5", "empty"]
    assert sorted(set(long["indicator"])) == ["gdp", "rd"]
    panel = read_panel(path, units="auto")
    assert panel.units == ("CHN", "DEU")
    np.testing.assert_array_equal(panel.frame("rd").to_numpy(), [[2.24, 2.41], [3.17, NAN]])


def test_long_value_without_indicator_uses_file_stem(tmp_path):
    text = "Country Name,Country Code,Year,Value\nChina,CHN,2019,2.24\nWorld,WLD,2019,2.2\n"
    path = write_text(tmp_path / "gb.xpd.rsdv.gd.zs.csv", text, "utf-8")
    panel = read_panel(path)
    assert panel.indicators == ("gb.xpd.rsdv.gd.zs",)
    assert panel.units == ("CHN",)
    named = read_panel(path, indicator_name="rd_gdp")
    assert named.indicators == ("rd_gdp",)
    long = to_long_table(read_table(path), indicator_name="rd")
    assert long["indicator"].tolist() == ["rd", "rd"]


def test_column_guessing_rules():
    df = pd.DataFrame({"省份名称": ["北京"], "年份（年）": ["2019"], "年末人口": ["2189"],
                       "地区生产总值": ["36103.6"]})
    long = to_long_table(df)
    assert long.attrs["columns"]["unit"] == "省份名称"
    assert long.attrs["columns"]["period"] == "年份（年）"
    # 年 alone is not a token match, so 年末人口 is an indicator
    assert sorted(long["indicator"]) == ["地区生产总值", "年末人口"]
    assert long["row"].tolist() == [2, 2]
    df2 = pd.DataFrame({" Region ": ["a"], "YEAR": [2019], "x": [1]})
    assert to_long_table(df2).attrs["columns"] == {
        "period": "YEAR", "indicator": None, "value": None, "unit": " Region "
    }
    explicit = to_long_table(df2, unit="region", period="year")  # case/space-insensitive
    assert explicit["unit"].tolist() == ["a"]


def test_explicit_columns_and_dataframe_source():
    df = pd.DataFrame({"c": ["A", "A", "B"], "t": [2019, 2020, 2019], "k": ["x", "x", "x"],
                       "v": ["1", "—", "3"]})
    before = df.copy()
    panel = read_panel(df, unit="c", period="t", indicator="k", value="v", units="none")
    pd.testing.assert_frame_equal(df, before)  # caller's frame untouched
    np.testing.assert_array_equal(panel.frame("x").to_numpy(), [[1.0, NAN], [3.0, NAN]])
    assert panel.meta["source"] == "DataFrame"
    assert panel.conversions.missing_tokens == {"—": 1}
    wide = read_panel(df[["c", "t", "v"]], layout="wide", unit="c", period="t", units="none")
    assert wide.indicators == ("v",)


def test_several_files_merged(tmp_path):
    a = write_text(tmp_path / "a.csv", "region,year,gdp\n北京,2019,1\n天津,2019,2\n", "utf-8")
    b = write_text(tmp_path / "b.csv", "region,year,pop\n北京市,2019,21\n", "gbk")
    panel = read_panel([a, b], units="province")
    assert panel.units == ("CN-BJ", "CN-TJ")
    assert panel.indicators == ("gdp", "pop")
    assert panel.frame("pop").loc["CN-BJ", 2019] == 21.0
    assert np.isnan(panel.frame("pop").loc["CN-TJ", 2019])
    assert panel.meta["encoding"] == "utf-8; gb18030"
    assert panel.meta["n_rows"] == 3
    assert len(panel.meta["files"]) == 2


# ---------------------------------------------------------------------- errors
def test_not_found_directory_unknown_extension(tmp_path):
    with pytest.raises(DataError, match=r"nope\.csv: file not found"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a directory"):
        read_panel(tmp_path)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(DataError, match=r"unknown file type '\.json'; supported: \.csv, \.txt"):
        read_table(tmp_path / "x.json")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataError, match=r"Save old \.xls workbooks as \.xlsx"):
        read_table(tmp_path / "old.xls")


def test_empty_files(tmp_path):
    (tmp_path / "zero.csv").write_bytes(b"")
    with pytest.raises(DataError, match=r"zero\.csv is empty \(0 bytes\)"):
        read_table(tmp_path / "zero.csv")
    write_text(tmp_path / "head.csv", "unit,year,x\n\n", "utf-8")
    with pytest.raises(DataError, match="header but no data rows"):
        read_table(tmp_path / "head.csv")
    write_text(tmp_path / "blank.csv", "\n \n", "utf-8")
    with pytest.raises(DataError, match="no data"):
        read_table(tmp_path / "blank.csv")
    wb = openpyxl.Workbook()
    wb.active.append(["unit", "year", "x"])
    wb.save(tmp_path / "head.xlsx")
    with pytest.raises(DataError, match="header but no data rows"):
        read_table(tmp_path / "head.xlsx")


def test_damaged_binary_files(tmp_path):
    good = write_panel(make_panel(), tmp_path / "good.xlsx")
    (tmp_path / "cut.xlsx").write_bytes(good.read_bytes()[:100])
    msg = r"looks damaged or is not a real \.xlsx; re-export it"
    with pytest.raises(DataError, match=msg) as e:
        read_table(tmp_path / "cut.xlsx")
    assert e.value.__cause__ is not None
    (tmp_path / "fake.xlsx").write_text("unit,year\nA,2019\n")
    with pytest.raises(DataError, match=r"not a real \.xlsx"):
        read_panel(tmp_path / "fake.xlsx")
    pq = write_panel(make_panel(), tmp_path / "good.parquet")
    (tmp_path / "cut.parquet").write_bytes(pq.read_bytes()[:100])
    with pytest.raises(DataError, match=r"not a real \.parquet") as e:
        read_table(tmp_path / "cut.parquet")
    assert e.value.__cause__ is not None
    dta = write_panel(make_panel(), tmp_path / "good.dta")
    (tmp_path / "cut.dta").write_bytes(dta.read_bytes()[:100])
    with pytest.raises(DataError, match=r"not a real \.dta"):
        read_table(tmp_path / "cut.dta")


def test_bad_sheet_and_unguessable_columns(tmp_path):
    path = write_panel(make_panel(), tmp_path / "p.xlsx")
    with pytest.raises(DataError, match=r"no sheet 'x'; the sheets are \['data'\]"):
        read_table(path, sheet="x")
    assert len(read_table(path, sheet=0)) == 9
    df = pd.DataFrame({"foo": ["a"], "bar": ["2019"], "baz": ["1"]})
    with pytest.raises(DataError, match=r"which column holds the period.*'foo'.*--period"):
        to_long_table(df, unit="foo")
    with pytest.raises(DataError, match=r"which column holds the unit.*--unit"):
        to_long_table(df)
    with pytest.raises(DataError, match=r"no column 'region' for the unit"):
        to_long_table(df, unit="region")


def test_empty_label_cell_names_the_line(tmp_path):
    path = write_text(tmp_path / "e.csv", "region,year,x\nA,2019,1\n,2020,2\n", "utf-8")
    with pytest.raises(DataError, match=r"e\.csv, row 3: the unit is empty"):
        read_panel(path, units="none")


def test_duplicate_keys_name_rows(tmp_path):
    text = "region,year,gdp\n北京,2019,1\n天津,2019,2\n北京市,2019,3\n"
    path = write_text(tmp_path / "dup.csv", text, "utf-8")
    with pytest.raises(DataError, match=r"unit 'CN-BJ', period 2019, indicator 'gdp': "
                       r"row 2 \('北京'\), row 4 \('北京市'\).*duplicates='first'"):
        read_panel(path, units="province")
    assert read_panel(path, units="none").shape == (3, 1, 1)  # names as written differ
    last = read_panel(path, units="province", duplicates="last")
    assert last.frame("gdp").loc["CN-BJ", 2019] == 3.0
    mean = read_panel(path, units="province", duplicates="mean")
    assert mean.frame("gdp").loc["CN-BJ", 2019] == 2.0
    dups = mean.meta["duplicates"]
    assert dups["row"].tolist() == [2, 4]
    assert dups["unit"].tolist() == ["CN-BJ", "CN-BJ"]
    assert dups["value"].tolist() == [1.0, 3.0]


def test_unknown_unit_names_name_file_rows(tmp_path):
    text = "region,year,x\n北京,2019,1\nAtlantis,2019,2\n北京,2020,3\nAtlantis,2020,4\n"
    path = write_text(tmp_path / "u.csv", text, "utf-8")
    with pytest.raises(UnitNameError, match=r"(?s)u\.csv, column 'region'.*'Atlantis': row 3, 5"):
        read_panel(path, units="province")
    panel = read_panel(path, units="province", aliases={"Atlantis": "XX-AT"})
    assert panel.units == ("CN-BJ", "XX-AT")
    assert panel.meta["unit_mapping"] == {"北京": "CN-BJ", "Atlantis": "XX-AT"}


# ---------------------------------------------------------------------- real files
@needs_data
def test_real_china_sti_rd_intensity():
    path = DATA / "china_sti" / "RDIntense.csv"
    opts = dict(unit="province", period="year", indicator="variables", value="value")
    panel = read_panel(path, units="province", **opts)
    assert len(panel.units) == 31
    assert "全国" in panel.meta["dropped_units"]
    assert min(panel.periods) >= 2010 and max(panel.periods) <= 2023
    assert panel.periods == tuple(range(2011, 2024))
    # v4_ztr_qd_RD is "RD强度" (R&D intensity, %) in varsList.csv / chn_block4
    rd = panel.frame("v4_ztr_qd_RD")
    assert rd.loc["CN-BJ", 2023] == 6.73
    national = read_panel(path, units="none", **opts).frame("v4_ztr_qd_RD")
    assert national.loc["全国", 2022] == 2.54
    assert national.loc["全国", 2023] == 2.65


@needs_data
def test_real_wdi_rd_expenditure():
    path = DATA / "wdi" / "gb.xpd.rsdv.gd.zs.csv"
    panel = read_panel(path)
    assert panel.indicators == ("gb.xpd.rsdv.gd.zs",)
    assert panel.meta["unit_kind"] == "country"
    assert "CHN" in panel.units
    assert all(len(u) == 3 and u.isupper() for u in panel.units)
    assert not {"WLD", "AFE", "EAS", "HIC"} & set(panel.units)
    assert {"WLD", "AFE"} <= set(panel.meta["dropped_units"])
    assert panel.meta["columns"]["unit"] == "Country Code"
    df = pd.read_csv(path)
    chn = df[(df["Country Code"] == "CHN")].set_index("Year")["Value"]
    year = int(chn.index.max())
    assert panel.frame("gb.xpd.rsdv.gd.zs").loc["CHN", year] == chn.loc[year]



# ---------------------------------------------------------------------- bad input catalogue
WIDE = "province,year,x1,x2,x3\n"


def _csv(tmp_path, body: str, name: str = "d.csv") -> Path:
    return write_text(tmp_path / name, WIDE + body, "utf-8")


def test_trailing_comma_on_first_row_shifts_nothing(tmp_path):
    # pandas would take the first column as the index: units "2015", periods 1, 2 …
    path = _csv(tmp_path, "北京,2015,1,2,3,\n北京,2016,2,3,4\n天津,2015,3,4,5\n天津,2016,4,5,6\n")
    p = read_panel(path, units="none")
    assert p.units == ("北京", "天津") and p.periods == (2015, 2016)
    assert p.indicators == ("x1", "x2", "x3")
    assert p.frame("x3").loc["北京", 2015] == 3.0


def test_stray_delimiter_with_a_value_is_an_error_naming_the_line(tmp_path):
    path = _csv(tmp_path, "北京,2015,1,2,3\n天津,2015,1,234,5,6\n")
    with pytest.raises(DataError, match=r"1 row\(s\) have more cells than the header \(5.*line 3"):
        read_table(path)


def test_short_row_is_filled_with_empty_cells(tmp_path):
    df = read_table(_csv(tmp_path, "北京,2015,1,2,3\n天津,2015,1\n"))
    assert np.isnan(df["x3"].iloc[1]) and df.attrs["row"] == [2, 3]


def test_leading_zero_codes_stay_text(tmp_path):
    df = read_table(write_text(tmp_path / "f.csv", "code,year,x\n000001,2020,1\n600000,2020,2\n",
                               "utf-8"))
    assert df["code"].tolist() == ["000001", "600000"]
    assert df["x"].dtype == float


@pytest.mark.parametrize("cell", ["inf", "1e400", "TRUE", "#DIV/0!", "(123)", "n/v"])
def test_non_numeric_cell_is_an_error_naming_it(tmp_path, cell):
    path = _csv(tmp_path, f"北京,2015,1,2,3\n天津,2015,{cell},5,6\n")
    with pytest.raises(DataError, match=r"1 cell\(s\) are not numbers: row 3, unit 'CN-TJ', "
                                        r"period 2015, indicator 'x1'"):
        read_panel(path)
    p = read_panel(path, non_numeric="missing")
    assert np.isnan(p.frame("x1").loc["CN-TJ", 2015])
    assert len(p.conversions.non_numeric) == 1


def test_documented_conversions_are_counted(tmp_path):
    path = _csv(tmp_path, "北京,2015,3.2万,12.5%,(7)\n天津,2015,1.5亿,10%,8\n")
    p = read_panel(path, parentheses_negative=True)
    assert p.frame("x1").loc["CN-BJ", 2015] == 32000.0
    assert p.frame("x1").loc["CN-TJ", 2015] == 1.5e8
    assert p.frame("x2").loc["CN-BJ", 2015] == 12.5  # kept in percent
    assert p.frame("x3").loc["CN-BJ", 2015] == -7.0
    rep = p.conversions
    assert rep.multipliers == {"万": 1, "亿": 1}
    assert rep.percent == {"x2": 2}
    assert rep.parentheses_negative == 1
    assert set(rep.to_frame()["conversion"]) >= {"multiplied out (万)", "(123) read as -123"}


def test_percent_mixed_with_plain_numbers_is_an_error(tmp_path):
    path = _csv(tmp_path, "北京,2015,1,12.5%,3\n天津,2015,2,0.125,3\n")
    with pytest.raises(DataError, match=r"'x2' \(1 cells with %, 1 without\)"):
        read_panel(path)


@pytest.mark.parametrize("period", ["2016.5", "2019-12-31", "last year"])
def test_period_that_is_not_a_year_or_quarter_names_the_row(tmp_path, period):
    path = _csv(tmp_path, f"北京,2015,1,2,3\n北京,{period},1,2,3\n")
    msg = rf"neither a whole year nor a quarter: '?{period}'? at row 3\."
    with pytest.raises(DataError, match=msg):
        read_panel(path)


def test_quarters_written_explicitly(tmp_path):
    path = _csv(tmp_path, "北京,2024Q1,1,2,3\n北京,2024 q2,1,2,3\n")
    assert read_panel(path).periods == ("2024Q1", "2024Q2")
    mixed = _csv(tmp_path, "北京,2024Q1,1,2,3\n北京,2024,1,2,3\n", "m.csv")
    with pytest.raises(DataError, match="mixes years"):
        read_panel(mixed)


def test_large_wide_file_reads_columnar_with_file_rows(tmp_path):
    n = 400
    body = "".join(f"U{u:04d},{2000 + t},{u + t},{u * 2},{t}\n" for u in range(n) for t in range(5))
    body = body.replace("U0007,2003,10,", "U0007,2003,abc,")
    path = _csv(tmp_path, body)
    with pytest.raises(DataError, match=r"row 40, unit 'U0007', period 2003, indicator 'x1'"):
        read_panel(path, units="none")
    p = read_panel(path, units="none", non_numeric="missing")
    assert p.shape == (n, 5, 3)
    assert p.frame("x1").loc["U0399", 2004] == 403.0


def test_text_tables_read_the_same_without_pyarrow(tmp_path, monkeypatch):
    """pyarrow is the optional ``parquet`` extra: the csv path gives the same table."""
    import sys

    from nqpf.panel.io import read_table

    p = tmp_path / "t.csv"
    p.write_text("code,year,x,y,z\n000001,2020,1.5,,a\n000002,2021,2e3,4,b\n", "utf-8")
    with_arrow = read_table(p)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    without = read_table(p)
    monkeypatch.undo()  # pandas' own comparison may need pyarrow
    pd.testing.assert_frame_equal(with_arrow, without)
    assert without["code"].tolist() == ["000001", "000002"]  # codes stay text
    assert without["x"].tolist() == [1.5, 2000.0]
