"""Tests of unit-name resolution (provinces and countries)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.datasets import reference as ref
from nqpf.errors import DataError, NqpfError, UnitNameError
from nqpf.panel.names import UnitMatch, normalise_name, resolve_units

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/data not present")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("北   京", "北京"),
        ("内蒙 古", "内蒙古"),
        ("\u3000上\u3000海 ", "上海"),
        ("黑龙\t江\n", "黑龙江"),
        ("ＢＪ", "BJ"),  # full-width letters
        ("１１００００", "110000"),
        ("北\u200b京", "北京"),
        ("Inner Mongolia", "InnerMongolia"),
        (110000, "110000"),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


BEIJING_FORMS = [
    "北京", "北京市", "北   京", " 北京 ", "\u3000北京", "Beijing", "beijing", "BEIJING",
    "Beijing Municipality", "BJ", "bj", 110000, "110000", 110000.0, "110000.0", np.int64(110000),
    np.float64(110000.0), "CN-BJ", "cn-bj", "CN-11", "ＣＮ－ＢＪ",
]


@pytest.mark.parametrize("form", BEIJING_FORMS, ids=[repr(f) for f in BEIJING_FORMS])
def test_beijing_forms(form):
    m = resolve_units([form, "上海"], kind="province")
    assert m.mapping[form] == "CN-BJ"
    assert resolve_units([form, "上海"]).mapping[form] == "CN-BJ"  # auto detects provinces


def test_all_beijing_forms_together():
    m = resolve_units(BEIJING_FORMS)
    assert m.kind == "province"
    assert m.units == ("CN-BJ",)
    assert m.dropped == []


@pytest.mark.parametrize(
    "column", ["iso", "abbr", "name_zh", "name_zh_full", "name_en", "pinyin", "adcode"]
)
def test_round_trip_every_column(column):
    df = ref.provinces()
    m = resolve_units(df[column])
    assert m.kind == "province"
    assert m.mapping == dict(zip(df[column], df["iso"], strict=True))
    assert len(m.units) == 31


def test_round_trip_adcode_as_float_and_text():
    df = ref.provinces()
    as_float = df["adcode"].astype(float)
    assert list(resolve_units(as_float).mapping.values()) == list(df["iso"])
    as_text = df["adcode"].astype(str)
    assert list(resolve_units(as_text).mapping.values()) == list(df["iso"])


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Inner Mongolia", "CN-NM"),
        ("Nei Mongol", "CN-NM"),
        ("Neimenggu", "CN-NM"),
        ("Nei Menggu", "CN-NM"),
        ("内蒙古自治区", "CN-NM"),
        ("内蒙", "CN-NM"),
        ("Shaanxi", "CN-SN"),
        ("shaanxi", "CN-SN"),
        ("陕西", "CN-SN"),
        ("Shanxi", "CN-SX"),
        ("山西省", "CN-SX"),
        ("Tibet", "CN-XZ"),
        ("Xizang", "CN-XZ"),
        ("Tibet Autonomous Region", "CN-XZ"),
        ("西藏自治区", "CN-XZ"),
        ("Guangxi Zhuang Autonomous Region", "CN-GX"),
        ("廣西壯族自治區", "CN-GX"),
        ("Xinjiang Uygur", "CN-XJ"),
        ("Ningxia Hui Autonomous Region", "CN-NX"),
        ("黑龙 江", "CN-HL"),
        ("黑龍江省", "CN-HL"),
        ("Hebei Province", "CN-HE"),
        ("CN-65", "CN-XJ"),
        ("CN-50", "CN-CQ"),
        (500000, "CN-CQ"),
    ],
)
def test_province_variants(raw, iso):
    assert resolve_units([raw], kind="province").mapping == {raw: iso}


def test_peking_is_not_an_alias():
    with pytest.raises(UnitNameError, match="Peking"):
        resolve_units(["Peking", "Shanghai"], kind="province")


@pytest.mark.parametrize(
    "agg",
    [
        "全国", "全   国", "全国合计", "合计", "总计", "中国", "全国平均", "National", "national",
        "China/Total", "China", "Total", "东部", "中部", "西部", "东北", "东部地区", "中部地区",
        "西部地区", "东北地区", "Eastern region", "Northeast",
    ],
)
def test_province_aggregates_dropped(agg):
    m = resolve_units(["北京", "天津", agg])
    assert m.kind == "province"
    assert m.dropped == [agg]
    assert m.mapping == {"北京": "CN-BJ", "天津": "CN-TJ"}


def test_aggregates_kept_when_asked():
    m = resolve_units(["北京", "全  国", "东部地区"], drop_aggregates=False)
    assert m.dropped == []
    assert m.mapping == {"北京": "CN-BJ", "全  国": "全国", "东部地区": "东部地区"}
    assert m.how == {"北京": "matched", "全  国": "aggregate", "东部地区": "aggregate"}


def test_unknown_name_raises_with_suggestion():
    with pytest.raises(UnitNameError) as exc:
        resolve_units(["北京", "北就", "上海", "北就"])
    msg = str(exc.value)
    assert "unknown unit '北就' (positions 1, 3)" in msg
    assert "did you mean 北京 (CN-BJ)" in msg
    assert "aliases={'北就': 'CN-BJ'}" in msg
    assert isinstance(exc.value, KeyError)
    assert isinstance(exc.value, NqpfError)


def test_every_unknown_name_is_listed():
    with pytest.raises(UnitNameError) as exc:
        resolve_units(["Beijing", "Shangai", "Guangdong", "Sichaun", "Qwerty"], where="gdp.csv")
    msg = str(exc.value)
    assert msg.startswith("gdp.csv: 3 unit names could not be resolved to a Chinese province")
    assert "'Shangai' (position 1); did you mean Shanghai (CN-SH)" in msg
    assert "'Sichaun' (position 3); did you mean Sichuan (CN-SC)" in msg
    assert "'Qwerty' (position 4); no close match" in msg


def test_missing_names_raise():
    msg = r"missing unit name \(empty or NaN\) at positions 1, 2"
    with pytest.raises(UnitNameError, match=msg):
        resolve_units(["北京", None, float("nan"), "上海"])
    with pytest.raises(UnitNameError, match="at position 0"):
        resolve_units(["", "上海"])


def test_user_aliases_first():
    m = resolve_units(["山两", "江四", "北京", "全国"], aliases={"山两": "山西", "江  四": "CN-JX"})
    assert m.mapping == {"山两": "CN-SX", "江四": "CN-JX", "北京": "CN-BJ"}
    assert m.how["山两"] == "alias" and m.how["北京"] == "matched"
    assert m.dropped == ["全国"]
    # an alias overrides a name that would match, and an unknown target is kept verbatim
    m = resolve_units(["北京", "全国"], aliases={"北京": "CN-TJ", "全国": "CN"})
    assert m.mapping == {"北京": "CN-TJ", "全国": "CN"}
    assert m.dropped == []


def test_clashing_names_are_allowed():
    m = resolve_units(["北京", "北京市", "Beijing"])
    assert set(m.mapping.values()) == {"CN-BJ"} and len(m.mapping) == 3


def test_to_frame():
    m = resolve_units(["北京", "全国", 310000])
    assert isinstance(m, UnitMatch)
    df = m.to_frame()
    assert df["raw"].tolist() == ["北京", "310000", "全国"]
    assert df["unit"].tolist()[:2] == ["CN-BJ", "CN-SH"]
    assert pd.isna(df["unit"].iloc[2])
    assert df["status"].tolist() == ["matched", "matched", "dropped"]


def test_inputs_not_mutated_and_series_accepted():
    s = pd.Series(["北   京", "上海", "全国"])
    before = s.copy()
    m = resolve_units(s)
    pd.testing.assert_series_equal(s, before)
    assert m.mapping == {"北   京": "CN-BJ", "上海": "CN-SH"}


def test_bad_kind():
    with pytest.raises(DataError, match="'city'"):
        resolve_units(["北京"], kind="city")


# countries --------------------------------------------------------------------------------


def test_countries_resolve():
    names = ["CHN", "CN", "China", "People's Republic of China", "United States", "USA", "US",
             "chn", "156", "Korea, Rep.", "South Korea", "Germany", "DEU"]
    m = resolve_units(names)
    assert m.kind == "country"
    assert m.mapping == {
        "CHN": "CHN", "CN": "CHN", "China": "CHN", "People's Republic of China": "CHN",
        "United States": "USA", "USA": "USA", "US": "USA", "chn": "CHN", "156": "CHN",
        "Korea, Rep.": "KOR", "South Korea": "KOR", "Germany": "DEU", "DEU": "DEU",
    }


def test_country_names_in_chinese():
    pytest.importorskip("pycountry")
    m = resolve_units(["中国", "美国", "德国"], kind="country")
    assert m.mapping == {"中国": "CHN", "美国": "USA", "德国": "DEU"}


def test_world_bank_aggregates_dropped():
    names = ["CHN", "WLD", "World", "High income", "EAS", "East Asia & Pacific",
             "Middle East, North Africa, Afghanistan & Pakistan", "Euro area", "USA"]
    m = resolve_units(names)
    assert m.kind == "country"
    assert m.mapping == {"CHN": "CHN", "USA": "USA"}
    assert m.dropped == names[1:-1]
    kept = resolve_units(names, drop_aggregates=False)
    assert kept.mapping["World"] == "WLD" and kept.mapping["High income"] == "HIC"
    assert kept.mapping["Middle East, North Africa, Afghanistan & Pakistan"] == "MEA"


def test_every_wb_aggregate_code_and_name_dropped():
    codes = list(ref.WB_AGGREGATES)
    names = list(ref.WB_AGGREGATES.values())
    m = resolve_units(["CHN", *codes, *names], kind="country")
    assert m.mapping == {"CHN": "CHN"}
    assert len(m.dropped) == 2 * len(codes)


def test_unknown_country_raises():
    with pytest.raises(UnitNameError) as exc:
        resolve_units(["USA", "Chnia", "Germany"])
    msg = str(exc.value)
    assert "could not be resolved to a country" in msg
    assert "'Chnia' (position 1); did you mean China (CHN)" in msg


def test_auto_with_nothing_matching_suggests_both_kinds():
    with pytest.raises(UnitNameError, match="a Chinese province or a country"):
        resolve_units(["zzzz"])


def test_abbreviation_clash_follows_kind():
    # SD is Shandong's code and Sudan's ISO2 code
    assert resolve_units(["SD"], kind="province").mapping == {"SD": "CN-SD"}
    assert resolve_units(["SD"], kind="country").mapping == {"SD": "SDN"}


def test_ten_thousand_names():
    df = ref.provinces()
    forms = [*df["name_zh"], *df["name_en"], *df["adcode"], "全国"]
    names = [forms[(7 * i) % len(forms)] for i in range(10_000)]
    m = resolve_units(names)
    assert len(m.units) == 31
    assert m.dropped == ["全国"]
    assert len(m.mapping) == len(forms) - 1


# real data --------------------------------------------------------------------------------


@needs_data
def test_china_sti_rd_intensity_labels():
    df = pd.read_csv(DATA / "china_sti" / "RDIntense.csv")
    m = resolve_units(df["province"], where="RDIntense.csv")
    assert m.kind == "province"
    assert m.dropped == ["全国"]
    assert len(m.units) == 31
    assert m.mapping["北京"] == "CN-BJ" and m.mapping["陕西"] == "CN-SN"


@needs_data
def test_wdi_names_and_codes_agree():
    df = pd.read_csv(DATA / "wdi" / "ny.gdp.mktp.cd.csv")
    pairs = df[["Country Name", "Country Code"]].drop_duplicates()
    by_code = resolve_units(pairs["Country Code"])
    by_name = resolve_units(pairs["Country Name"])
    assert by_code.kind == by_name.kind == "country"
    wb = set(ref.WB_AGGREGATES)
    assert set(by_code.dropped) == set(pairs["Country Code"]) & wb
    assert len(by_code.dropped) == len(by_name.dropped) == 47
    for name, code in zip(pairs["Country Name"], pairs["Country Code"], strict=True):
        if code in wb:
            assert name in by_name.dropped
        else:
            assert by_code.mapping[code] == code
            assert by_name.mapping[name] == code, name


@needs_data
def test_ceads_province_ids():
    df = pd.read_csv(DATA / "china_co2" / "provinces_co2_1998_2019.csv", usecols=["actor_id"])
    m = resolve_units(df["actor_id"])
    assert m.kind == "province"
    assert len(m.units) == 30
    assert "CN-XZ" not in m.units
    assert all(k == v for k, v in m.mapping.items())
