"""Tests of nqpf.sources.readers: PWT, CEADs and long yearbook tables.

Tests marked ``needs_data`` read the real files under ../shared/data and skip without them;
the others build their fixture files in tmp_path.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from nqpf.datasets import reference as ref
from nqpf.errors import DataError, UnitNameError
from nqpf.panel.names import resolve_units
from nqpf.sources.readers import (
    YearbookResult,
    read_ceads,
    read_pwt,
    read_yearbook_long,
    yearbook_aliases,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/data not present")
PWT = DATA / "pwt" / "pwt1001.csv"
STI = DATA / "china_sti"
CO2 = DATA / "china_co2"
WDI_CSV = DATA / "wdi" / "gb.xpd.rsdv.gd.zs.csv"
PROVINCES_31 = set(ref.provinces()["iso"])


def csv_cell(path: Path, match: dict[str, str], column: str) -> str:
    """The text of one cell of a CSV, found by the values of other columns."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for rec in csv.DictReader(fh):
            if all(rec[k] == v for k, v in match.items()):
                return rec[column]
    raise AssertionError(f"no row {match} in {path}")


# ============================================================================ PWT


@pytest.fixture(scope="module")
def pwt_full():
    if not PWT.exists():
        pytest.skip("../shared/data not present")
    return read_pwt(PWT)


@pytest.fixture(scope="module")
def pwt_subset() -> pd.DataFrame:
    """Three countries, 2015-2019, every column, as pandas reads the real CSV."""
    if not PWT.exists():
        pytest.skip("../shared/data not present")
    df = pd.read_csv(PWT, encoding="utf-8-sig")
    keep = df["countrycode"].isin(["CHN", "USA", "DEU"]) & df["year"].between(2015, 2019)
    return df[keep].reset_index(drop=True)


@needs_data
def test_pwt_csv_china_2019_hc(pwt_full):
    p = pwt_full
    assert (
        round(float(p.sel(units=["CHN"], periods=[2019], indicators=["hc"]).values[0, 0, 0]), 3)
        == 2.699
    )
    assert len(p.units) == 183 and p.periods[0] == 1950 and p.periods[-1] == 2019
    assert {"rgdpo", "rgdpna", "rnna", "emp", "avh", "hc", "labsh", "ctfp", "rtfpna"} <= set(
        p.indicators
    )
    assert not {"country", "currency_unit", "countrycode", "year"} & set(p.indicators)
    assert not [k for k in p.indicators if k.startswith("i_")]
    assert len(p.indicators) == 52 - 4 - 5
    assert p.meta["dataset"] == "Penn World Table 10.01"
    assert "CC BY 4.0" in p.meta["licence"]
    assert "Feenstra" in p.meta["citation"] and "3150" in p.meta["citation"]
    assert p.meta["unit_kind"] == "country" and p.meta["unit_names"]["CHN"] == "China"
    assert any("i_cig" in n for n in p.meta["notes"])
    # the same cell as written in the file
    cell = csv_cell(PWT, {"countrycode": "USA", "year": "2010"}, "rgdpna")
    got = p.sel(units=["USA"], periods=[2010], indicators=["rgdpna"]).values[0, 0, 0]
    assert got == float(cell)


@needs_data
def test_pwt_filters():
    p = read_pwt(PWT, variables=["hc", "rgdpo"], countries=["China", "USA"], years="2010:2019")
    assert p.units == ("CHN", "USA") and p.indicators == ("hc", "rgdpo")
    assert p.periods == tuple(range(2010, 2020))
    q = read_pwt(PWT, variables=["hc"], countries=["CHN"], years=[2000, 2019])
    assert q.periods == (2000, 2019)
    assert round(float(q.values[0, 1, 0]), 3) == 2.699
    assert read_pwt(PWT, variables=["hc"], years=":1951").periods == (1950, 1951)
    with pytest.raises(DataError, match=r"years \[1900\] are not in the file"):
        read_pwt(PWT, variables=["hc"], years=[1900, 2000])
    with pytest.raises(DataError, match=r"no variable 'hcc'.*'hc'"):
        read_pwt(PWT, variables=["hcc"])
    with pytest.raises(DataError, match="identifier"):
        read_pwt(PWT, variables=["country"])
    with pytest.raises(DataError, match="no year of the file"):
        read_pwt(PWT, variables=["hc"], years="1900:1920")


@needs_data
def test_pwt_flags_coded_alphabetically_over_the_whole_file():
    p = read_pwt(PWT, variables=["i_xr"], countries=["CHN"], years=[2019])
    labels = p.meta["categories"]["i_xr"]
    assert labels == {1: "Estimated", 2: "Market-based"}  # Stata `encode` order
    cell = csv_cell(PWT, {"countrycode": "CHN", "year": "2019"}, "i_xr")
    code = int(p.values[0, 0, 0])
    assert labels[code] == cell


@needs_data
def test_pwt_xlsx_round_trip(tmp_path, pwt_subset):
    path = tmp_path / "pwt1001.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"Penn World Table, version 10.01": ["see www.ggdc.net/pwt"]}).to_excel(
            w, sheet_name="Info", index=False
        )
        pd.DataFrame(
            {
                "Variable name": ["Identifier variables", "countrycode", "hc", "rgdpo"],
                "Variable definition": [
                    None,
                    "3-letter ISO country code",
                    "Human capital index",
                    "Output-side real GDP",
                ],
            }
        ).to_excel(w, sheet_name="Legend", index=False)
        pwt_subset.to_excel(w, sheet_name="Data", index=False)
    a = read_pwt(path)
    b = read_pwt(PWT, countries=["CHN", "DEU", "USA"], years="2015:2019")
    assert a.units == b.units and a.periods == b.periods and a.indicators == b.indicators
    np.testing.assert_array_equal(a.values, b.values)
    assert a.meta["sheet"] == "Data"
    assert a.meta["indicator_labels"] == {
        "hc": "Human capital index",
        "rgdpo": "Output-side real GDP",
    }
    assert (
        round(float(a.sel(units=["CHN"], periods=[2019], indicators=["hc"]).values.item()), 3)
        == 2.699
    )


@needs_data
def test_pwt_dta_round_trip_with_labels(tmp_path, pwt_subset):
    d = pwt_subset.copy()
    for c in ("i_cig", "i_xm", "i_outlier", "i_irr"):
        d = d.drop(columns=c)
    d["i_xr"] = d["i_xr"].map({"Estimated": 0, "Market-based": 1}).astype(float)
    path = tmp_path / "pwt1001.dta"
    pyreadstat.write_dta(
        d,
        str(path),
        column_labels={c: ("Human capital index" if c == "hc" else "") for c in d.columns},
        variable_value_labels={"i_xr": {0: "Estimated", 1: "Market-based"}},
    )
    a = read_pwt(path)
    b = read_pwt(PWT, countries=["CHN", "DEU", "USA"], years="2015:2019")
    assert a.indicators == b.indicators and a.units == b.units
    np.testing.assert_allclose(a.values, b.values, rtol=1e-12, equal_nan=True)
    assert a.meta["indicator_labels"]["hc"] == "Human capital index"
    c = read_pwt(path, variables=["hc", "i_xr"])
    assert c.meta["categories"]["i_xr"] == {0: "Estimated", 1: "Market-based"}
    usa = d.loc[(d["countrycode"] == "USA") & (d["year"] == 2019), "i_xr"].item()
    assert c.sel(units=["USA"], periods=[2019], indicators=["i_xr"]).values.item() == usa


def test_pwt_small_csv_with_bom_and_yearbook_cells(tmp_path):
    path = tmp_path / "pwt_extract.csv"
    path.write_text(
        "\ufeffcountrycode,country,currency_unit,year,rgdpo,hc,i_outlier,notes\n"
        'CHN,China,Yuan Renminbi,2018,"19,000.5",2.67,Regular,a\n'
        "CHN,China,Yuan Renminbi,2019,20257660,2.699,Regular,b\n"
        "FRA,France,Euro,2019,—,3.6,Outlier,c\n",
        encoding="utf-8",
    )
    p = read_pwt(path)
    assert p.indicators == ("rgdpo", "hc")  # text column 'notes' and the flag left out
    assert p.units == ("CHN", "FRA")
    assert p.sel(units=["CHN"], periods=[2018], indicators=["rgdpo"]).values.item() == 19000.5
    assert np.isnan(p.sel(units=["FRA"], periods=[2019], indicators=["rgdpo"]).values.item())
    assert p.conversions.thousands_separators == 1
    assert p.conversions.missing_tokens["—"] == 1
    assert p.conversions.missing_tokens[""] == 0
    assert any("notes" in n for n in p.meta["notes"])
    assert p.meta["dataset"] == "Penn World Table"  # no version in the name
    flags = read_pwt(path, variables=["i_outlier"])
    assert flags.meta["categories"]["i_outlier"] == {1: "Outlier", 2: "Regular"}


def test_pwt_errors(tmp_path):
    other = tmp_path / "wdi.csv"
    other.write_text("Country Name,Country Code,Year,Value\nChina,CHN,2019,2.2\n", encoding="utf-8")
    with pytest.raises(
        DataError,
        match=r"Penn World Table file with columns countrycode, year, "
        r"rgdpo.*got columns Country Name, Country Code",
    ):
        read_pwt(other)
    book = tmp_path / "pwt.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Info"
    wb.create_sheet("Sheet2").append(["countrycode", "year", "rgdpo"])
    wb.save(book)
    with pytest.raises(DataError, match=r"no sheet named 'Data'.*\['Info', 'Sheet2'\]"):
        read_pwt(book)
    with pytest.raises(DataError, match="no data rows"):  # header only
        read_pwt(book, sheet="Sheet2")
    dup = tmp_path / "dup.csv"
    dup.write_text("countrycode,year,rgdpo\nCHN,2019,1\nCHN,2019,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"\('CHN', 2019\): .*row 2, .*row 3"):
        read_pwt(dup)
    bad = tmp_path / "bad.csv"
    bad.write_text("countrycode,year,rgdpo\nXXQ,2019,1\n", encoding="utf-8")
    with pytest.raises(UnitNameError, match="XXQ"):
        read_pwt(bad)
    with pytest.raises(DataError, match="not found"):
        read_pwt(tmp_path / "missing.csv")


@needs_data
def test_pwt_wrong_real_table():
    with pytest.raises(DataError, match=r"countrycode, year, rgdpo.*Country Name"):
        read_pwt(WDI_CSV)


# ============================================================================ CEADs


@needs_data
def test_ceads_provinces():
    path = CO2 / "provinces_co2_1998_2019.csv"
    p = read_ceads(path)
    assert p.meta["level"] == "province" and p.meta["unit_kind"] == "province"
    assert len(p.units) == 30 and set(p.units) == PROVINCES_31 - {"CN-XZ"}
    assert p.periods == tuple(range(1998, 2020)) and p.indicators == ("co2",)
    cell = csv_cell(path, {"actor_id": "CN-AH", "year": "1998"}, "total_emissions")
    assert cell == "109874646"
    assert p.sel(units=["CN-AH"], periods=[1998]).values.item() == 109874646.0
    assert p.sel(units=["CN-BJ"], periods=[2019]).values.item() == float(
        csv_cell(path, {"actor_id": "CN-BJ", "year": "2019"}, "total_emissions")
    )
    assert not np.isnan(p.values).any()
    assert p.meta["measure_units"] == {"co2": "t"}
    assert p.meta["datasource_id"] == "CEADS:guan_etal_2021:china_provinces"
    assert "Guan" in p.meta["citation"] and "Earth's Future" in p.meta["citation"]
    assert read_ceads(path, level="province").values.tobytes() == p.values.tobytes()


@needs_data
def test_ceads_cities():
    path = CO2 / "cities_co2_1997_2019.csv"
    p = read_ceads(path)
    assert p.meta["level"] == "city" and p.meta["unit_kind"] == "none"
    # the file holds 203 cities and years 1995-2019 (one city, CN GYA, has a 1995 value)
    assert len(p.units) == 203 and p.periods[0] == 1995 and p.periods[-1] == 2019
    assert "CN AAT" in p.units and "CN BJS" in p.units
    assert p.sel(units=["CN BJS"], periods=[2019]).values.item() == 88155426.0
    assert p.sel(units=["CN GYA"], periods=[1995]).values.item() == float(
        csv_cell(path, {"actor_id": "CN GYA", "year": "1995"}, "total_emissions")
    )
    assert int((~np.isnan(p.values)).sum()) == 2971  # one cell per row of the file
    with pytest.raises(DataError, match="level='city'"):
        read_ceads(path, level="province")


@needs_data
def test_ceads_wrong_table():
    with pytest.raises(
        DataError,
        match=r"emissions_id, actor_id, year, total_emissions, "
        r"datasource_id.*got columns province",
    ):
        read_ceads(STI / "RDIntense.csv")


def test_ceads_hand_made(tmp_path):
    path = tmp_path / "co2.csv"
    path.write_text(
        "emissions_id,actor_id,year,total_emissions,datasource_id\n"
        "a,CN-BJ,2018,100,x\na,CN-BJ,2019,110.5,x\na,CN-SH,2019,—,x\na,CN,2019,999,x\n",
        encoding="utf-8",
    )
    p = read_ceads(path)
    assert p.units == ("CN-BJ", "CN-SH") and p.meta["dropped_units"] == ["CN"]
    assert p.sel(units=["CN-BJ"], periods=[2019]).values.item() == 110.5
    assert np.isnan(p.sel(units=["CN-SH"], periods=[2019]).values.item())
    assert p.conversions.missing_tokens["—"] == 1
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        "actor_id,year,total_emissions\nCN-BJ,2019,1\nCN AAT,2019,2\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="cannot tell provinces from cities"):
        read_ceads(mixed)
    assert read_ceads(mixed, level="city").units == ("CN-BJ", "CN AAT")
    dup = tmp_path / "dup.csv"
    dup.write_text("actor_id,year,total_emissions\nCN-BJ,2019,1\nCN-BJ,2019,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"\('CN-BJ', 2019\): dup.csv row 2, dup.csv row 3"):
        read_ceads(dup)
    with pytest.raises(DataError, match="level="):
        read_ceads(path, level="county")  # type: ignore[arg-type]


# ============================================================================ yearbook


def sti_tables() -> list[Path]:
    return [
        p for p in sorted(STI.glob("*.csv")) if p.name not in ("varsList.csv", "BasicProvince.csv")
    ]


@pytest.fixture(scope="module")
def sti() -> YearbookResult:
    if not STI.exists():
        pytest.skip("../shared/data not present")
    return read_yearbook_long(sti_tables(), dictionary=STI / "varsList.csv")


@needs_data
def test_yearbook_every_table_reads():
    for path in sti_tables():
        r = read_yearbook_long(path)
        assert set(r.panel.units) == PROVINCES_31, path.name
        assert r.panel.meta["unit_kind"] == "province"
    # a lookup table without years is not a yearbook table
    with pytest.raises(DataError, match="province, year, variables.*got columns id, province"):
        read_yearbook_long(STI / "BasicProvince.csv")
    labels = pd.read_csv(STI / "BasicProvince.csv")["province"]
    assert set(resolve_units(labels, kind="province").units) == PROVINCES_31


@needs_data
def test_yearbook_known_figures(sti):
    rd = "v4_ztr_qd_RD"
    agg = sti.aggregates
    assert agg is not None and set(agg.units) == {"全国", "东部地区"}
    nat = agg.sel(units=["全国"], periods=[2022, 2023], indicators=[rd]).values.ravel()
    np.testing.assert_array_equal(nat, [2.54, 2.65])
    assert sti.panel.sel(units=["CN-BJ"], periods=[2023], indicators=[rd]).values.item() == 6.73
    assert len(sti.panel.units) == 31 and set(sti.panel.units) == PROVINCES_31
    assert not set(agg.units) & set(sti.panel.units)
    assert agg.indicators[: len(sti.panel.indicators)] == sti.panel.indicators
    assert sti.panel.meta["measure_units"][rd] == "%"
    assert agg.meta["unit_kind"] == "aggregate"


@needs_data
def test_yearbook_dictionary(sti):
    d = sti.dictionary.set_index("code")
    assert d.at["v4_ztr_qd_RD", "name_zh"] == "RD强度"
    assert d.at["v4_ztr_qd_RD", "path_zh"] == "科技;总投入;强度;R&D强度"
    assert d.at["v4_ztr_qd_RD", "unit"] == "%"
    assert d.at["v4_ztr_qd_RD", "source"] == "国家统计局"
    assert d.at["v6_cz_yszc_hj", "name_zh"] == "合计"  # chn_full_name given
    assert d.at["v4_zh_nbzc_hj", "tables"] == "RDActivity, RDSource"
    assert bool(d.at["v4_ztr_qd_RD", "in_dictionary"])
    assert not bool(d.at["HitechFirmsPub_num", "in_dictionary"])
    assert set(d.index) == set(sti.panel.indicators)
    assert sti.panel.meta["indicator_labels"]["v4_ztr_qd_RD"] == "RD强度"
    assert sti.select(["R&D强度", "v4_cy_my_ck", "内部支出合计"]) == [
        "v4_ztr_qd_RD",
        "v4_cy_my_ck",
        "v4_zh_nbzc_hj",
    ]
    assert sti.select("RDPatentValid;发明") == ["v4_cg_zlsyx_fm"]
    with pytest.raises(DataError, match=r"'合计' is ambiguous.*v4_cg_zlsq_hj.*RDPatentAccept"):
        sti.select(["合计"])
    with pytest.raises(DataError, match=r"no indicator named '研发强度'.*RD强度.*v4_ztr_qd_RD"):
        sti.select(["研发强度"])


@needs_data
def test_yearbook_unit_disagreements_noted(sti):
    notes = "\n".join(sti.panel.meta["unit_notes"])
    assert "v4_cy_RDhd_qsdl: unit '人年' (dictionary), but the tables write '万元' in 2020" in notes
    d = sti.dictionary.set_index("code")
    assert d.at["v4_cy_RDhd_qsdl", "units_in_data"] == "人年; 万元"


@needs_data
def test_yearbook_overlapping_tables_agree_to_rounding(sti):
    assert any("448 repeated cells agree to rounding" in n for n in sti.panel.meta["notes"])
    # RDActivity is read first: its value (one decimal) is the one kept
    cell = csv_cell(
        STI / "RDActivity.csv",
        {"province": "安徽", "year": "2015", "variables": "v4_zh_nbzc_hj"},
        "value",
    )
    got = sti.panel.sel(units=["CN-AH"], periods=[2015], indicators=["v4_zh_nbzc_hj"])
    assert got.values.item() == float(cell) == 4317510.7


@needs_data
def test_yearbook_garbled_labels_corrected():
    path = STI / "RDPatentValid.csv"
    with pytest.raises(UnitNameError, match=r"(?s)'江四'.*'浙汀'.*'四藏'.*row 1082"):
        read_yearbook_long(path, bundled_aliases=False)
    r = read_yearbook_long(path)
    fixed = {(c["raw"], c["canonical"]) for c in r.panel.meta["corrections"]}
    assert fixed == {("江四", "江西"), ("浙汀", "浙江"), ("四藏", "西藏"), ("尔部地区", "东部地区")}
    # 尔部地区 is the eastern aggregate: it equals the sum of the ten eastern provinces
    east = [u for u, g in ref.province_groups("region4").items() if g == "东部"]
    assert len(east) == 10
    for code in r.panel.indicators:
        total = r.panel.sel(units=east, periods=[2014], indicators=[code]).values.sum()
        agg = r.aggregates.sel(units=["东部地区"], periods=[2014], indicators=[code]).values
        assert agg.item() == total
    # 江四 (2015) is Jiangxi: the series has no gap in 2015
    assert not np.isnan(r.panel.sel(units=["CN-JX"]).values).any()


def test_bundled_aliases_are_sound():
    tab = yearbook_aliases()
    assert list(tab.columns) == ["raw", "canonical", "note"]
    assert set(tab["raw"]) == {"两藏", "四藏", "内蒙占", "山两", "江两", "江四", "浙汀", "尔部地区"}
    for raw, canonical in zip(tab["raw"], tab["canonical"], strict=True):
        with pytest.raises(UnitNameError):  # a correction never shadows a real name
            resolve_units([raw], kind="province")
        m = resolve_units([canonical], kind="province")
        assert m.mapping or m.dropped == [canonical]
    assert resolve_units(["两藏"], kind="province", aliases={"两藏": "西藏"}).units == ("CN-XZ",)
    tab.loc[0, "canonical"] = "changed"
    assert yearbook_aliases().loc[0, "canonical"] == "西藏"


def write_long(path: Path, rows: list[tuple], encoding: str = "utf-8") -> Path:
    df = pd.DataFrame(
        rows, columns=["province", "year", "chn_block4", "value", "units", "variables"]
    )
    df.to_csv(path, index=False, encoding=encoding)
    return path


def test_yearbook_hand_made_names_aggregates_gbk(tmp_path):
    path = write_long(
        tmp_path / "t.csv",
        [
            ("全  国", 2020, "RD强度", "2.40", "%", "rd"),
            ("北   京", 2020, "RD强度", "6.44", "%", "rd"),
            ("内蒙 古", 2020, "RD强度", "0.93", "%", "rd"),
            ("东部地区", 2020, "RD强度", "3.00", "%", "rd"),
            ("江两", 2020, "RD强度", "1.68", "%", "rd"),
            ("北京", 2021, "RD强度", "—", "%", "rd"),
        ],
        encoding="gbk",
    )
    r = read_yearbook_long(path)
    assert r.panel.units == ("CN-BJ", "CN-NM", "CN-JX")
    assert r.aggregates.units == ("全国", "东部地区")
    assert r.panel.sel(units=["CN-NM"], periods=[2020]).values.item() == 0.93
    assert np.isnan(r.panel.sel(units=["CN-BJ"], periods=[2021]).values.item())
    assert r.panel.conversions.missing_tokens["—"] == 1
    assert r.panel.meta["encoding"] == "gb18030"
    assert r.dictionary.loc[0, "name_zh"] == "RD强度" and r.dictionary.loc[0, "unit"] == "%"
    assert r.panel.meta["corrections"][0]["first_row"] == 6
    # user aliases override the bundled ones; unknown targets are kept as ids
    r2 = read_yearbook_long(path, aliases={"江两": "江苏", "全国": "China total"})
    assert r2.panel.units == ("CN-BJ", "CN-NM", "CN-JS")
    assert r2.aggregates.units == ("China total", "东部地区")  # an aggregate name stays one
    corps = write_long(
        tmp_path / "corps.csv",
        [("北京", 2020, "x", "1", "", "v"), ("新疆兵团", 2020, "x", "2", "", "v")],
    )
    with pytest.raises(UnitNameError, match="新疆兵团"):
        read_yearbook_long(corps)
    r3 = read_yearbook_long(corps, aliases={"新疆兵团": "XJ-BT"})
    assert r3.panel.units == ("CN-BJ", "XJ-BT")
    alias_file = tmp_path / "aliases.csv"
    alias_file.write_text("raw,canonical\n江两,CN-JS\n", encoding="utf-8")
    assert "CN-JS" in read_yearbook_long(path, aliases=alias_file).panel.units
    with pytest.raises(UnitNameError, match="江两"):
        read_yearbook_long(path, bundled_aliases=False)


def test_yearbook_conflicts_and_wide(tmp_path):
    a = write_long(
        tmp_path / "a.csv",
        [("北京", 2020, "x", "10.0", "万元", "v"), ("上海", 2020, "x", "5", "万元", "v")],
    )
    b = write_long(
        tmp_path / "b.csv",
        [("北京", 2020, "x", "10", "万元", "v"), ("上海", 2020, "x", "7", "万元", "v")],
    )
    with pytest.raises(DataError, match=r"CN-SH 2020 v \(a.csv row 3: 5, b.csv row 3: 7\)"):
        read_yearbook_long([a, b])
    last = read_yearbook_long([a, b], duplicates="last")
    assert last.panel.sel(units=["CN-SH"]).values.item() == 7.0
    first = read_yearbook_long([a, b], duplicates="first")
    assert first.panel.sel(units=["CN-SH"]).values.item() == 5.0
    wide = tmp_path / "Firms.csv"
    wide.write_text(
        "index,year,province,num\n1,2024.0,北京,10226.0\n2,2024.0,全国,99\n", encoding="utf-8"
    )
    r = read_yearbook_long(wide)
    assert r.panel.indicators == ("Firms_num",) and r.panel.periods == (2024,)
    assert r.aggregates.sel(units=["全国"]).values.item() == 99.0


@needs_data
def test_yearbook_wrong_tables():
    with pytest.raises(DataError, match=r"province, year, variables.*got columns Country Name"):
        read_yearbook_long(WDI_CSV)
    with pytest.raises(DataError, match="variable dictionary.*dictionary="):
        read_yearbook_long(STI / "varsList.csv")
    with pytest.raises(DataError, match="data table.*not a variable dictionary"):
        read_yearbook_long(STI / "RDIntense.csv", dictionary=STI / "RDIntense.csv")
    with pytest.raises(DataError, match="not a variable dictionary.*varsList"):
        read_yearbook_long(STI / "RDIntense.csv", dictionary=STI / "BasicProvince.csv")


# ---------------------------------------------------------------------- the commands
@needs_data
def test_data_commands_on_the_real_files(tmp_path):
    from clitools import flat, run

    data = DATA
    rc, _, err = run(
        "data",
        "pwt",
        data / "pwt" / "pwt1001.csv",
        "--variables",
        "hc",
        "--countries",
        "CHN",
        "--years",
        "2019:2019",
        "--out",
        tmp_path / "p.csv",
    )
    assert rc == 0, err
    assert pd.read_csv(tmp_path / "p.csv")["hc"].round(3).tolist() == [2.699]
    rc, _, err = run(
        "data",
        "yearbook",
        data / "china_sti" / "RDIntense.csv",
        "--dictionary",
        data / "china_sti" / "varsList.csv",
        "--out",
        tmp_path / "y.csv",
    )
    assert rc == 0, err
    prov = pd.read_csv(tmp_path / "y.csv").set_index(["unit", "period"])
    assert prov.loc[("CN-BJ", 2023), "v4_ztr_qd_RD"] == pytest.approx(6.73)
    agg = pd.read_csv(tmp_path / "y.aggregates.csv").set_index(["unit", "period"])
    assert agg.loc[("全国", 2023), "v4_ztr_qd_RD"] == pytest.approx(2.65)
    assert (tmp_path / "y.dictionary.csv").exists()
    rc, _, err = run(
        "data", "ceads", data / "wdi" / "gb.xpd.rsdv.gd.zs.csv", "--out", tmp_path / "c.csv"
    )
    assert rc == 2 and "actor_id" in flat(err)
    rc, _, err = run("data", "pwt", data / "pwt" / "pwt1001.csv", "--out", tmp_path / "p.csv")
    assert rc == 2 and "exists" in flat(err)
