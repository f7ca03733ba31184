"""Build src/nqpf/datasets/countries.csv, nqpf's bundled table of countries.

Sources (all permissively licensed):

* ISO 3166-1 codes (alpha-3, alpha-2, numeric) and names, and ISO 3166-3 withdrawn
  codes, through ``pycountry`` (Debian's iso-codes data);
* English and Chinese (Simplified) short names of the Unicode CLDR through ``Babel``
  (Unicode licence);
* continents from the first IANA time zone CLDR lists for the territory (public
  domain), with the explicit assignments in ``CONTINENT`` for territories whose zones
  are oceanic (Atlantic/, Indian/) or span two continents;
* a few customary alternative names (``ALIASES``: World Bank, IMF and UN forms such as
  "Korea, Rep.") written here.

Run with ``pip install babel pycountry`` and ``python scripts/build_country_table.py``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pycountry
from babel import Locale
from babel.core import get_global

OUT = Path(__file__).resolve().parents[1] / "src" / "nqpf" / "datasets" / "countries.csv"

_ZONE_CONTINENT = {
    "Africa": "Africa",
    "America": "America",
    "Asia": "Asia",
    "Europe": "Europe",
    "Australia": "Oceania",
    "Pacific": "Oceania",
    "Antarctica": "Antarctica",
}

#: Continents of territories whose first time zone does not name one, or names the
#: wrong one for the territory as a whole (Spain's first zone is Africa/Ceuta).
CONTINENT = {
    "ATF": "Africa", "BMU": "America", "BVT": "Antarctica", "CCK": "Asia", "COM": "Africa",
    "CPV": "Africa", "CXR": "Asia", "ECU": "America", "ESP": "Europe", "FLK": "America",
    "FRO": "Europe", "HMD": "Antarctica", "IOT": "Africa", "ISL": "Europe", "MDG": "Africa",
    "MDV": "Asia", "MUS": "Africa", "MYT": "Africa", "PRT": "Europe", "REU": "Africa",
    "SGS": "Antarctica", "SHN": "Africa", "SJM": "Europe", "SYC": "Africa", "TUR": "Asia",
    "XKX": "Europe",
}

#: Withdrawn ISO 3166-3 codes kept (long series of the 1990s still use them), short names.
HISTORIC = {
    "ANT": ("Netherlands Antilles", "America"), "CSK": ("Czechoslovakia", "Europe"),
    "DDR": ("East Germany", "Europe"), "SCG": ("Serbia and Montenegro", "Europe"),
    "SUN": ("Soviet Union", "Europe"), "YMD": ("South Yemen", "Asia"),
    "YUG": ("Yugoslavia", "Europe"), "ZAR": ("Zaire", "Africa"),
}

#: Chinese names used in Chinese official statistics, preferred over CLDR's.
ZH = {"TWN": "中国台湾", "HKG": "中国香港", "MAC": "中国澳门", "SUN": "苏联", "YUG": "南斯拉夫",
      "CSK": "捷克斯洛伐克", "DDR": "民主德国", "ANT": "荷属安的列斯", "SCG": "塞尔维亚和黑山",
      "YMD": "南也门", "ZAR": "扎伊尔"}

#: English short names where CLDR's default reads oddly in a table ("Congo - Kinshasa").
EN = {"COD": "DR Congo", "COG": "Congo", "HKG": "Hong Kong", "MAC": "Macao",
      "MMR": "Myanmar", "PSE": "Palestine"}

#: Customary names that neither ISO nor CLDR give, as used by the World Bank (WDI), the
#: IMF, the UN and the Penn World Table.
ALIASES = {
    "BHS": ["Bahamas, The"],
    "BOL": ["Bolivia (Plurinational State of)"],
    "CIV": ["Ivory Coast"],
    "COD": ["Congo, Dem. Rep.", "DR Congo", "D.R. of the Congo", "Congo (Kinshasa)",
            "Democratic Republic of Congo"],
    "COG": ["Congo, Rep.", "Congo (Brazzaville)", "Republic of Congo"],
    "CPV": ["Cape Verde"],
    "CZE": ["Czech Republic"],
    "EGY": ["Egypt, Arab Rep."],
    "FSM": ["Micronesia, Fed. Sts.", "Micronesia (Federated States of)"],
    "GBR": ["UK", "Britain", "Great Britain"],
    "GMB": ["Gambia, The"],
    "HKG": ["Hong Kong SAR, China", "China, Hong Kong SAR", "Hong Kong, China", "香港"],
    "IRN": ["Iran, Islamic Rep.", "Iran (Islamic Republic of)"],
    "KGZ": ["Kyrgyz Republic"],
    "KNA": ["St. Kitts and Nevis"],
    "KOR": ["Korea, Rep.", "Republic of Korea", "Korea"],
    "LAO": ["Lao PDR", "Lao People's DR", "Laos"],
    "LCA": ["St. Lucia"],
    "MAC": ["Macao SAR, China", "China, Macao SAR", "Macau", "Macao, China", "澳门"],
    "MDA": ["Republic of Moldova"],
    "MKD": ["Macedonia", "TFYR of Macedonia", "Macedonia, FYR"],
    "MMR": ["Burma"],
    "PRK": ["Korea, Dem. People's Rep.", "North Korea", "Korea, DPR"],
    "PSE": ["West Bank and Gaza", "State of Palestine", "Palestine"],
    "RUS": ["Russia"],
    "SVK": ["Slovak Republic"],
    "SWZ": ["Swaziland"],
    "SXM": ["Sint Maarten (Dutch part)"],
    "SYR": ["Syria"],
    "TLS": ["East Timor"],
    "TUR": ["Turkiye", "Turkey"],
    "TWN": ["Taiwan, China", "Taiwan", "台湾"],
    "TZA": ["U.R. of Tanzania: Mainland", "Tanzania, United Rep."],
    "USA": ["US", "U.S.", "United States of America", "America"],
    "VCT": ["St. Vincent and the Grenadines"],
    "VEN": ["Venezuela, RB", "Venezuela (Bolivarian Republic of)"],
    "VGB": ["Virgin Islands (British)"],
    "VIR": ["Virgin Islands (U.S.)", "US Virgin Islands"],
    "VNM": ["Vietnam"],
    "XKX": ["Kosovo"],
    "YEM": ["Yemen, Rep."],
    "MAF": ["St. Martin (French part)"],
    "SHN": ["St. Helena"],
    "SPM": ["St. Pierre and Miquelon"],
    "BLM": ["St. Barthelemy"],
}

COLUMNS = ["iso3", "iso2", "isonumeric", "name_short", "name_official", "name_zh",
           "continent", "obsolete", "aliases"]


def _continent(alpha2: str, alpha3: str, zones: dict[str, list[str]]) -> str:
    if alpha3 in CONTINENT:
        return CONTINENT[alpha3]
    zs = zones.get(alpha2) or []
    cont = _ZONE_CONTINENT.get(zs[0].split("/")[0]) if zs else None
    if cont is None:
        sys.exit(f"no continent for {alpha3} ({zs}); add it to CONTINENT")
    return cont


def rows() -> list[dict[str, str]]:
    en = Locale("en").territories
    zh = Locale("zh").territories
    zones = get_global("territory_zones")
    out = []
    for c in pycountry.countries:
        a2, a3 = c.alpha_2, c.alpha_3
        official = getattr(c, "official_name", "") or c.name
        alt = {c.name, getattr(c, "common_name", "") or "", en.get(a2, "")}
        alt -= {"", EN.get(a3, en.get(a2, "")), official}
        out.append({
            "iso3": a3, "iso2": a2, "isonumeric": str(int(c.numeric)),
            "name_short": EN.get(a3, en.get(a2, c.name)), "name_official": official,
            "name_zh": ZH.get(a3, zh.get(a2, "")),
            "continent": _continent(a2, a3, zones), "obsolete": "",
            "aliases": "|".join(sorted(alt) + ALIASES.get(a3, [])),
        })
    # economies with World Bank codes but no ISO 3166-1 code: Kosovo (CLDR territory XK)
    # and the Channel Islands (Guernsey and Jersey together)
    out.append({
        "iso3": "XKX", "iso2": "XK", "isonumeric": "", "name_short": en["XK"],
        "name_official": "Republic of Kosovo", "name_zh": zh["XK"],
        "continent": CONTINENT["XKX"], "obsolete": "", "aliases": "",
    })
    out.append({
        "iso3": "CHI", "iso2": "", "isonumeric": "", "name_short": "Channel Islands",
        "name_official": "Channel Islands", "name_zh": "海峡群岛",
        "continent": "Europe", "obsolete": "", "aliases": "",
    })
    current = {r["iso3"] for r in out}
    for h in pycountry.historic_countries:
        a3 = getattr(h, "alpha_3", "")
        if a3 not in HISTORIC or a3 in current:
            continue
        current.add(a3)
        short, continent = HISTORIC[a3]
        out.append({
            "iso3": a3, "iso2": "", "isonumeric": str(int(h.numeric)),
            "name_short": short, "name_official": h.name, "name_zh": ZH.get(a3, ""),
            "continent": continent, "obsolete": str(h.withdrawal_date)[:4], "aliases": "",
        })
    for a3 in ALIASES:
        if a3 not in current:
            sys.exit(f"alias for unknown code {a3}")
    return sorted(out, key=lambda r: r["iso3"])


def main() -> None:
    table = rows()
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(table)
    print(f"{OUT}: {len(table)} rows")


if __name__ == "__main__":
    main()
