"""Tests of the bundled reference tables (provinces, groups, contiguity, labels)."""

from __future__ import annotations

import json
from collections import Counter, deque
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from nqpf.datasets import reference as ref
from nqpf.errors import DataError

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
ATLAS = DATA / "geo" / "china_provinces_cn-atlas.geojson"


def test_provinces_table_shape_and_codes():
    df = ref.provinces()
    assert len(df) == 31
    assert list(df.columns) == [
        "adcode", "iso", "abbr", "name_zh", "name_zh_full", "name_en", "pinyin", "region4",
        "belt3",
    ]
    for col in ("adcode", "iso", "abbr", "name_zh", "name_zh_full", "name_en", "pinyin"):
        assert df[col].is_unique, col
    assert (df["iso"] == "CN-" + df["abbr"]).all()
    assert (df["adcode"] % 10000 == 0).all()
    assert df["adcode"].is_monotonic_increasing
    row = df.set_index("iso")
    assert row.loc["CN-SN", ["name_zh", "pinyin", "adcode"]].tolist() == ["陕西", "Shaanxi", 610000]
    assert row.loc["CN-SX", ["name_zh", "pinyin", "adcode"]].tolist() == ["山西", "Shanxi", 140000]
    assert row.loc["CN-NM", ["name_zh_full", "name_en", "pinyin"]].tolist() == [
        "内蒙古自治区", "Inner Mongolia", "Neimenggu"
    ]
    assert row.loc["CN-XZ", ["name_en", "pinyin"]].tolist() == ["Tibet", "Xizang"]
    assert row.loc["CN-GX", "name_zh_full"] == "广西壮族自治区"
    assert row.loc["CN-XJ", "name_zh_full"] == "新疆维吾尔自治区"
    assert row.loc["CN-HI", "adcode"] == 460000


def test_iso_codes_are_the_2017_revision():
    iso = set(ref.provinces()["iso"])
    expected = (
        "BJ TJ HE SX NM LN JL HL SH JS ZJ AH FJ JX SD HA HB HN GD GX HI CQ SC GZ YN XZ SN GS QH "
        "NX XJ"
    )
    assert iso == {f"CN-{a}" for a in expected.split()}


def test_csv_is_utf8_without_bom():
    raw = resources.files("nqpf.datasets").joinpath("provinces.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")


def test_provinces_returns_a_copy():
    df = ref.provinces()
    df.loc[0, "name_zh"] = "changed"
    assert ref.provinces().loc[0, "name_zh"] == "北京"


@pytest.mark.skipif(not ATLAS.exists(), reason="../shared/data not present")
def test_adcodes_and_full_names_match_cn_atlas():
    feats = json.loads(ATLAS.read_text(encoding="utf-8"))["features"]
    atlas = {
        int(f["properties"]["区划码"]): f["properties"]["地名"]
        for f in feats
        if f["properties"]["区划码"] not in ("710000", "810000", "820000")
    }
    df = ref.provinces()
    assert atlas == dict(zip(df["adcode"], df["name_zh_full"], strict=True))


def test_group_counts():
    r4 = Counter(ref.province_groups("region4", "code").values())
    assert r4 == {"East": 10, "Central": 6, "West": 12, "Northeast": 3}
    b3 = Counter(ref.province_groups("belt3", "code").values())
    assert b3 == {"East": 11, "Central": 8, "West": 12}
    assert Counter(ref.province_groups("region4", "zh").values()) == {
        "东部": 10, "中部": 6, "西部": 12, "东北": 3
    }
    assert Counter(ref.province_groups("belt3", "en").values()) == {
        "Eastern": 11, "Central": 8, "Western": 12
    }


def test_group_membership():
    r4 = ref.province_groups("region4", "code")
    b3 = ref.province_groups("belt3", "code")
    assert {k for k, v in r4.items() if v == "Northeast"} == {"CN-LN", "CN-JL", "CN-HL"}
    assert {k for k, v in r4.items() if v == "Central"} == {
        "CN-SX", "CN-AH", "CN-JX", "CN-HA", "CN-HB", "CN-HN"
    }
    # the belts put Liaoning in the east, Jilin and Heilongjiang in the centre
    assert (b3["CN-LN"], b3["CN-JL"], b3["CN-HL"]) == ("East", "Central", "Central")
    # Inner Mongolia and Guangxi are western in both groupings
    assert r4["CN-NM"] == r4["CN-GX"] == b3["CN-NM"] == b3["CN-GX"] == "West"
    assert r4["CN-HI"] == b3["CN-HI"] == "East"
    # outside the north-east the two groupings agree
    assert all(b3[k] == v for k, v in r4.items() if v != "Northeast")
    assert list(r4) == list(ref.provinces()["iso"])


def test_group_labels_cover_codes():
    for kind, labels in ref.GROUP_LABELS.items():
        assert set(ref.province_groups(kind, "code").values()) == set(labels)
        for lab in labels.values():
            assert set(lab) == {"zh", "en"}


def test_bad_options():
    with pytest.raises(DataError, match="region4"):
        ref.province_groups("region7")
    with pytest.raises(DataError, match="'fr'"):
        ref.province_groups("belt3", "fr")
    with pytest.raises(DataError, match="'fr'"):
        ref.unit_label("CN-BJ", "fr")


# contiguity -------------------------------------------------------------------------------


def _edges() -> pd.DataFrame:
    with resources.files("nqpf.datasets").joinpath("province_contiguity.csv").open() as fh:
        return pd.read_csv(fh, dtype=str)


def test_contiguity_csv_edge_list():
    e = _edges()
    assert list(e.columns) == ["iso_a", "iso_b"]
    assert len(e) == 69  # 68 land borders + the Guangdong-Hainan convention
    assert (e["iso_a"] < e["iso_b"]).all()
    assert not e.duplicated().any()
    assert set(e["iso_a"]) | set(e["iso_b"]) == set(ref.provinces()["iso"])


def test_contiguity_graph_invariants():
    nb = ref.contiguity()
    assert list(nb) == list(ref.provinces()["iso"])
    assert sum(len(v) for v in nb.values()) == 2 * 69
    for a, ns in nb.items():
        assert a not in ns
        assert ns == sorted(ns)
        for b in ns:
            assert a in nb[b]
    # connected: breadth-first search from Beijing reaches all 31
    seen = {"CN-BJ"}
    queue = deque(["CN-BJ"])
    while queue:
        for b in nb[queue.popleft()]:
            if b not in seen:
                seen.add(b)
                queue.append(b)
    assert len(seen) == 31


def test_contiguity_known_borders():
    nb = ref.contiguity()
    assert nb["CN-HI"] == ["CN-GD"]
    # 内蒙古: 黑 吉 辽 冀 晋 陕 宁 甘
    assert set(nb["CN-NM"]) == {
        "CN-HL", "CN-JL", "CN-LN", "CN-HE", "CN-SX", "CN-SN", "CN-NX", "CN-GS"
    }
    # 陕西 also borders 8: 晋 豫 鄂 渝 川 甘 宁 蒙
    assert set(nb["CN-SN"]) == {
        "CN-SX", "CN-HA", "CN-HB", "CN-CQ", "CN-SC", "CN-GS", "CN-NX", "CN-NM"
    }
    assert max(len(v) for v in nb.values()) == 8
    assert nb["CN-BJ"] == ["CN-HE", "CN-TJ"]
    assert nb["CN-TJ"] == ["CN-BJ", "CN-HE"]
    assert nb["CN-SH"] == ["CN-JS", "CN-ZJ"]
    assert nb["CN-HL"] == ["CN-JL", "CN-NM"]
    assert nb["CN-XJ"] == ["CN-GS", "CN-QH", "CN-XZ"]
    assert nb["CN-GD"] == ["CN-FJ", "CN-GX", "CN-HI", "CN-HN", "CN-JX"]
    # 河北 surrounds Beijing and Tianjin: 京 津 晋 蒙 辽 鲁 豫
    assert len(nb["CN-HE"]) == 7


def test_contiguity_returns_a_copy():
    nb = ref.contiguity()
    nb["CN-BJ"].append("CN-XJ")
    nb.pop("CN-SH")
    again = ref.contiguity()
    assert again["CN-BJ"] == ["CN-HE", "CN-TJ"]
    assert "CN-SH" in again


# labels -----------------------------------------------------------------------------------


def test_unit_label_provinces_round_trip():
    df = ref.provinces()
    for iso, zh, en in zip(df["iso"], df["name_zh"], df["name_en"], strict=True):
        assert ref.unit_label(iso) == zh
        assert ref.unit_label(iso, "en") == en


def test_unit_label_countries():
    assert ref.unit_label("CHN", "en") == "China"
    assert ref.unit_label("USA", "en") == "United States"
    assert ref.unit_label("WLD", "en") == "World"
    assert ref.unit_label("XYZ") == "XYZ"
    assert ref.unit_label("XYZ", "en") == "XYZ"
    assert ref.unit_label("TWN") == "中国台湾"


def test_unit_label_countries_zh():
    pytest.importorskip("pycountry")
    assert ref.unit_label("CHN") == "中国"
    assert ref.unit_label("USA") == "美国"
    assert ref.unit_label("DEU") == "德国"


def test_countries_table():
    c = ref.countries().set_index("iso3")
    assert c.loc["CHN", "iso2"] == "CN"
    assert c.loc["NAM", "iso2"] == "NA"  # not read as missing
    assert int(c.loc["CHN", "isonumeric"]) == 156
    assert pd.isna(c.loc["CHN", "obsolete"])
    assert c.index.is_unique


def test_wb_aggregate_codes_are_not_countries():
    iso3 = set(ref.countries()["iso3"])
    assert not iso3 & set(ref.WB_AGGREGATES)
    assert len(ref.WB_AGGREGATES) == 49


# ---------------------------------------------------------------------- the country table
PWT = DATA / "pwt" / "pwt1001.csv"


def test_country_table_covers_iso_3166_1():
    pycountry = pytest.importorskip("pycountry")
    c = ref.countries()
    current = c[c["obsolete"].isna()]
    assert {x.alpha_3 for x in pycountry.countries} <= set(current["iso3"])
    assert current["iso3"].is_unique and (current["name_zh"] != "").all()
    assert set(c["continent"]) == {"Africa", "America", "Asia", "Europe", "Oceania",
                                   "Antarctica"}
    row = c.set_index("iso3")
    assert row.loc["CHN", "continent"] == "Asia" and row.loc["TUR", "continent"] == "Asia"
    assert row.loc["ESP", "continent"] == "Europe" and row.loc["AUS", "continent"] == "Oceania"
    assert row.loc["SUN", "obsolete"] == 1992


def test_country_table_is_rebuilt_by_its_script(tmp_path, monkeypatch):
    pytest.importorskip("babel")
    pytest.importorskip("pycountry")
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "build_country_table.py"
    spec = importlib.util.spec_from_file_location("build_country_table", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "OUT", tmp_path / "countries.csv")
    mod.main()
    bundled = resources.files("nqpf.datasets").joinpath("countries.csv").read_text("utf-8")
    assert (tmp_path / "countries.csv").read_text("utf-8") == bundled


def test_no_gpl_country_converter_in_the_package():
    src = Path(ref.__file__).resolve().parents[1]
    hits = [p for p in src.rglob("*.py") if "country_converter" in p.read_text("utf-8")]
    assert hits == []


@pytest.mark.skipif(not PWT.exists(), reason="../shared/data not present")
def test_penn_world_table_names_resolve_to_their_codes():
    from nqpf.panel.names import resolve_units

    pwt = pd.read_csv(PWT, usecols=["countrycode", "country"]).drop_duplicates()
    m = resolve_units(pwt["country"].tolist(), kind="country")
    assert m.mapping == dict(zip(pwt["country"], pwt["countrycode"], strict=True))


def test_bundled_penn_world_table_names_resolve_to_their_codes():
    from nqpf.datasets import demo_data_path
    from nqpf.panel.names import resolve_units

    pwt = pd.read_csv(demo_data_path(), usecols=["isocode", "country"]).drop_duplicates()
    m = resolve_units(pwt["country"].tolist(), kind="country")
    assert m.mapping == dict(zip(pwt["country"], pwt["isocode"], strict=True))
    assert m.mapping["Congo, Democratic Republic"] == "COD"
