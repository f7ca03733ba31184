"""Reference tables: Chinese provinces, their regional groups and contiguity, country names.

Bundled tables (read with :mod:`importlib.resources`, cached, returned as copies so that
callers can change them freely):

``provinces.csv``
    The 31 provincial-level divisions of mainland China (Hong Kong, Macao and Taiwan are not
    included: Chinese provincial statistics do not cover them). Columns:

    - ``adcode``: the six-digit administrative division code of GB/T 2260 (``110000``);
    - ``iso``: the ISO 3166-2:CN code as revised in 2017 (``CN-BJ``), the canonical province id
      used throughout nqpf; ``abbr`` is the part after ``CN-``;
    - ``name_zh`` (short, ``内蒙古``), ``name_zh_full`` (``内蒙古自治区``), ``name_en``
      (``Inner Mongolia``, ``Tibet``), ``pinyin`` (``Neimenggu``, ``Xizang``; 陕西 is spelt
      ``Shaanxi`` and 山西 ``Shanxi``, the conventional way to keep them apart);
    - ``region4``: the four economic regions of the National Bureau of Statistics
      (国家统计局, "东西中部和东北地区划分方法", 2011): East (10), Central (6), West (12),
      Northeast (3);
    - ``belt3``: the three economic belts of the Seventh Five-Year Plan (1986), as extended when
      Chongqing became a municipality (1997) and Inner Mongolia and Guangxi joined the Western
      Development programme (2000): East (11, with Liaoning), Central (8, with Jilin and
      Heilongjiang), West (12).

``province_contiguity.csv``
    An undirected edge list ``iso_a, iso_b`` (``iso_a < iso_b``) of provinces that share a land
    border, queen contiguity (a shared point suffices; no pair of mainland provinces meets at a
    point only). The edges were derived from the cn-atlas provincial boundaries and checked one
    by one against the administrative map: 68 land borders. **Convention for Hainan**, an
    island province with no land border: it is linked to Guangdong, across the Qiongzhou
    Strait, as is usual in Chinese spatial econometrics, so that no unit of a contiguity
    weights matrix is an island (a row of zeros). The table therefore has 69 edges; drop the
    ``CN-GD``/``CN-HI`` edge to get the strict land-border graph.

Group labels are in :data:`GROUP_LABELS` (``zh`` and ``en`` for every group code).

``countries.csv``
    ISO 3166-1 countries (codes from ISO through pycountry, English and Chinese short names
    from the Unicode CLDR through Babel, ISO official names, continents from CLDR's IANA
    time zones), Kosovo (``XKX``), a few withdrawn ISO 3166-3 codes (``SUN``, ``YUG``,
    ``CSK``, ...) and customary alternative names (World Bank, IMF, UN and Penn World
    Table forms such as ``Korea, Rep.``). Built by ``scripts/build_country_table.py``;
    nothing GPL-licensed is bundled.

The World Bank aggregates (regions, income and lending groups) that World Development
Indicators tables mix with countries are listed in :data:`WB_AGGREGATES`.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources

import pandas as pd

from ..errors import DataError

__all__ = [
    "GROUP_LABELS",
    "WB_AGGREGATES",
    "contiguity",
    "countries",
    "country_names",
    "province_groups",
    "provinces",
    "unit_label",
]

#: Labels of the regional groups, by grouping and group code.
GROUP_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "region4": {
        "East": {"zh": "东部", "en": "Eastern"},
        "Central": {"zh": "中部", "en": "Central"},
        "West": {"zh": "西部", "en": "Western"},
        "Northeast": {"zh": "东北", "en": "Northeastern"},
    },
    "belt3": {
        "East": {"zh": "东部", "en": "Eastern"},
        "Central": {"zh": "中部", "en": "Central"},
        "West": {"zh": "西部", "en": "Western"},
    },
}

#: World Bank aggregate codes (regions, income groups, lending groups and other country groups
#: published in the World Development Indicators) with their English names. None of these
#: codes is an ISO 3166-1 alpha-3 code of a country. Older names of the same groups are listed
#: in ``_WB_AGGREGATE_OLD_NAMES`` of :mod:`nqpf.panel.names`.
WB_AGGREGATES: dict[str, str] = {
    "AFE": "Africa Eastern and Southern",
    "AFW": "Africa Western and Central",
    "ARB": "Arab World",
    "CEB": "Central Europe and the Baltics",
    "CSS": "Caribbean small states",
    "EAP": "East Asia & Pacific (excluding high income)",
    "EAR": "Early-demographic dividend",
    "EAS": "East Asia & Pacific",
    "ECA": "Europe & Central Asia (excluding high income)",
    "ECS": "Europe & Central Asia",
    "EMU": "Euro area",
    "EUU": "European Union",
    "FCS": "Fragile and conflict affected situations",
    "HIC": "High income",
    "HPC": "Heavily indebted poor countries (HIPC)",
    "IBD": "IBRD only",
    "IBT": "IDA & IBRD total",
    "IDA": "IDA total",
    "IDB": "IDA blend",
    "IDX": "IDA only",
    "INX": "Not classified",
    "LAC": "Latin America & Caribbean (excluding high income)",
    "LCN": "Latin America & Caribbean",
    "LDC": "Least developed countries: UN classification",
    "LIC": "Low income",
    "LMC": "Lower middle income",
    "LMY": "Low & middle income",
    "LTE": "Late-demographic dividend",
    "MEA": "Middle East, North Africa, Afghanistan & Pakistan",
    "MIC": "Middle income",
    "MNA": "Middle East, North Africa, Afghanistan & Pakistan (excluding high income)",
    "NAC": "North America",
    "OED": "OECD members",
    "OSS": "Other small states",
    "PRE": "Pre-demographic dividend",
    "PSS": "Pacific island small states",
    "PST": "Post-demographic dividend",
    "SAS": "South Asia",
    "SSA": "Sub-Saharan Africa (excluding high income)",
    "SSF": "Sub-Saharan Africa",
    "SST": "Small states",
    "TEA": "East Asia & Pacific (IDA & IBRD countries)",
    "TEC": "Europe & Central Asia (IDA & IBRD countries)",
    "TLA": "Latin America & the Caribbean (IDA & IBRD countries)",
    "TMN": "Middle East, North Africa, Afghanistan & Pakistan (IDA & IBRD)",
    "TSA": "South Asia (IDA & IBRD)",
    "TSS": "Sub-Saharan Africa (IDA & IBRD countries)",
    "UMC": "Upper middle income",
    "WLD": "World",
}

_COUNTRY_COLUMNS = (
    "iso3",
    "iso2",
    "isonumeric",
    "name_short",
    "name_official",
    "name_zh",
    "continent",
    "obsolete",
    "aliases",
)

_PROVINCE_COLUMNS = (
    "adcode",
    "iso",
    "abbr",
    "name_zh",
    "name_zh_full",
    "name_en",
    "pinyin",
    "region4",
    "belt3",
)


def _open_text(name: str):
    return resources.files("nqpf.datasets").joinpath(name).open("r", encoding="utf-8")


@cache
def _provinces() -> pd.DataFrame:
    with _open_text("provinces.csv") as fh:
        df = pd.read_csv(fh, dtype={"adcode": "int64"}, keep_default_na=False)
    if tuple(df.columns) != _PROVINCE_COLUMNS or len(df) != 31:  # pragma: no cover - packaging
        raise DataError("the bundled provinces.csv is damaged; reinstall nqpf")
    return df


def provinces() -> pd.DataFrame:
    """The 31 mainland Chinese provinces with codes, names and regional groups.

    Returns
    -------
    pandas.DataFrame
        One row per province in adcode order, columns ``adcode`` (int), ``iso``, ``abbr``,
        ``name_zh``, ``name_zh_full``, ``name_en``, ``pinyin``, ``region4``, ``belt3``; see the
        module docstring for the sources and conventions. A fresh copy on every call.
    """
    return _provinces().copy()


def province_groups(kind: str = "region4", lang: str = "zh") -> dict[str, str]:
    """Map each province's ISO 3166-2 code to its regional group.

    Parameters
    ----------
    kind : {"region4", "belt3"}
        ``region4``: the NBS four regions (East, Central, West, Northeast; 10/6/12/3
        provinces). ``belt3``: the three economic belts (East, Central, West; 11/8/12).
    lang : {"zh", "en", "code"}
        ``zh`` gives 东部/中部/西部/东北, ``en`` Eastern/Central/Western/Northeastern and
        ``code`` the group codes East/Central/West/Northeast (see :data:`GROUP_LABELS`).

    Returns
    -------
    dict of str to str
        ``{"CN-BJ": "东部", ...}`` for all 31 provinces, in adcode order.
    """
    if kind not in GROUP_LABELS:
        raise DataError(f"unknown province grouping {kind!r}; use one of {sorted(GROUP_LABELS)}")
    if lang not in ("zh", "en", "code"):
        raise DataError(f"unknown label language {lang!r}; use 'zh', 'en' or 'code'")
    df = _provinces()
    labels = GROUP_LABELS[kind]
    out: dict[str, str] = {}
    for iso, code in zip(df["iso"], df[kind], strict=True):
        out[str(iso)] = str(code) if lang == "code" else labels[str(code)][lang]
    return out


@cache
def _contiguity() -> dict[str, list[str]]:
    with _open_text("province_contiguity.csv") as fh:
        edges = pd.read_csv(fh, dtype=str, keep_default_na=False)
    nb: dict[str, set[str]] = {str(iso): set() for iso in _provinces()["iso"]}
    for a, b in zip(edges["iso_a"], edges["iso_b"], strict=True):
        nb[str(a)].add(str(b))
        nb[str(b)].add(str(a))
    return {iso: sorted(s) for iso, s in nb.items()}


def contiguity() -> dict[str, list[str]]:
    """Neighbours of each province under queen contiguity, Hainan linked to Guangdong.

    Returns
    -------
    dict of str to list of str
        ``{"CN-BJ": ["CN-HE", "CN-TJ"], ...}``: every one of the 31 provinces, in adcode
        order, with its neighbours sorted. Symmetric, no self loops, connected; 69 edges, of
        which 68 are land borders and one (Guangdong–Hainan) is the island convention
        described in the module docstring. A fresh copy on every call.
    """
    return copy.deepcopy(_contiguity())


@cache
def _country_table() -> pd.DataFrame:
    """The bundled ``countries.csv`` (current countries first, then withdrawn codes)."""
    with _open_text("countries.csv") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    if tuple(df.columns) != _COUNTRY_COLUMNS:  # pragma: no cover - packaging
        raise DataError("the bundled countries.csv is damaged; reinstall nqpf")
    df["isonumeric"] = pd.to_numeric(df["isonumeric"].mask(df["isonumeric"] == "")).astype(
        "Int64"
    )
    df["obsolete"] = pd.to_numeric(df["obsolete"].mask(df["obsolete"] == "")).astype("Int64")
    order = df["obsolete"].isna().map({True: 0, False: 1})
    return df.assign(_o=order).sort_values(["_o", "iso3"]).drop(columns="_o").reset_index(
        drop=True
    )


def country_names() -> dict[str, list[str]]:
    """ISO3 → every name the bundled table knows for the country (English, Chinese, aliases)."""
    out: dict[str, list[str]] = {}
    for row in _country_table().itertuples(index=False):
        names = [row.name_short, row.name_official, row.name_zh, *row.aliases.split("|")]
        out[row.iso3] = [n for n in dict.fromkeys(names) if n]
    return out


@cache
def _countries() -> pd.DataFrame:
    return _country_table().drop(columns="aliases")


def countries() -> pd.DataFrame:
    """Countries known to nqpf, from the bundled table (see the module notes).

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3``, ``iso2`` (``""`` where none), ``isonumeric`` (Int64), ``name_short``
        (CLDR English), ``name_official`` (ISO 3166), ``name_zh`` (CLDR Chinese; 中国台湾,
        中国香港, 中国澳门 as in Chinese official statistics), ``continent`` (Africa,
        America, Asia, Europe, Oceania, Antarctica) and ``obsolete`` (year an ISO 3166-3
        code was withdrawn, ``<NA>`` if current). Current countries first.
    """
    return _countries().copy()


@cache
def _labels() -> dict[str, dict[str, str]]:
    prov = _provinces()
    zh = dict(zip(prov["iso"], prov["name_zh"], strict=True))
    en = dict(zip(prov["iso"], prov["name_en"], strict=True))
    ctry = _countries()
    for iso3, short, name_zh in zip(ctry["iso3"], ctry["name_short"], ctry["name_zh"], strict=True):
        en.setdefault(iso3, short)
        if name_zh:
            zh.setdefault(iso3, name_zh)
    for code, name in WB_AGGREGATES.items():
        en.setdefault(code, name)
    zh.setdefault("WLD", "世界")
    return {"zh": zh, "en": en}


def unit_label(unit: object, lang: str = "zh") -> str:
    """Human-readable name of a canonical unit id.

    Parameters
    ----------
    unit : str
        A province ISO 3166-2 code (``"CN-BJ"``) or a country ISO 3166-1 alpha-3 code
        (``"CHN"``); World Bank aggregate codes get their English name.
    lang : {"zh", "en"}
        Chinese or English.

    Returns
    -------
    str
        ``name_zh``/``name_en`` of a province; for a country, the CLDR English or Chinese
        short name (中国台湾/中国香港/中国澳门 for TWN/HKG/MAC, as in Chinese official
        statistics). Any unit without a known name is returned as its code.
    """
    if lang not in ("zh", "en"):
        raise DataError(f"unknown label language {lang!r}; use 'zh' or 'en'")
    key = str(unit)
    return _labels()[lang].get(key, key)
