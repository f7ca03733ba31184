"""Build a data pack of the WDI series that the nqpf-countries framework reads.

Reads the World Bank WDI files (one CSV per indicator with columns Country Name,
Country Code, Year, Value, listed in ``_manifest.csv``), keeps the countries
(aggregates such as WLD or EAS are dropped) and the years asked for, and writes
a data pack with :func:`nqpf.sources.pack.write_pack`: ``data.csv`` (wide) and
``pack.yaml`` (source, licence, citation, retrieval date, indicator metadata).
The values are written as published; gaps are filled later, by
``nqpf index --impute`` and ``nqpf robustness --impute-options``.

By default only the countries that have at least one value of every series in
the window are kept: linear interpolation followed by nearest-year filling then
completes their data, which the robustness analysis needs. ``--all-countries``
keeps every country.

Run from the repository root::

    python examples/countries/make_pack.py --wdi ../shared/data/wdi \
        --out countries-study/pack --groups countries-study/oecd.csv

Data: World Bank, World Development Indicators, CC BY 4.0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from functools import reduce
from pathlib import Path

import numpy as np
import pandas as pd

from nqpf.errors import NqpfError
from nqpf.framework import load_framework
from nqpf.panel.io import read_panel
from nqpf.sources.pack import write_pack

#: Chinese name and unit (as published, before any ratio or logarithm) of each series.
SERIES_INFO: dict[str, tuple[str, str]] = {
    "SE.TER.ENRR": ("高等教育毛入学率", "%"),
    "SP.POP.SCIE.RD.P6": ("每百万人R&D研究人员数", "researchers per million people"),
    "SL.GDP.PCAP.EM.KD": ("就业人员人均GDP", "constant 2021 PPP $ per person employed"),
    "GB.XPD.RSDV.GD.ZS": ("R&D经费支出占GDP比重", "%"),
    "IP.PAT.RESD": ("居民专利申请量", "applications"),
    "SP.POP.TOTL": ("总人口", "persons"),
    "IT.NET.BBND.P2": ("每百人固定宽带订阅数", "subscriptions per 100 people"),
    "IT.NET.SECR.P6": ("每百万人安全互联网服务器数", "servers per million people"),
    "TX.VAL.TECH.MF.ZS": ("高科技产品出口占制成品出口比重", "%"),
    "NV.MNF.TECH.ZS.UN": ("中高技术制造业增加值占制造业增加值比重", "%"),
    "EG.FEC.RNEW.ZS": ("可再生能源占最终能源消费比重", "%"),
    "EG.GDP.PUSE.KO.PP.KD": ("单位能源GDP产出", "constant 2021 PPP $ per kg of oil equivalent"),
    "EN.ATM.PM25.MC.M3": ("PM2.5年均暴露浓度", "micrograms per cubic metre"),
}

def _oecd_members() -> frozenset[str]:
    """OECD members (ISO3) from country_converter's membership table."""
    from nqpf.datasets.reference import _country_data

    d = _country_data()
    return frozenset(d.loc[d["OECD"].notna(), "ISO3"])


URL = "https://datacatalog.worldbank.org/dataset/world-development-indicators"


def _years(text: str) -> list[int]:
    try:
        a, b = (int(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--years {text!r}: write FIRST:LAST, e.g. 2015:2020"
        ) from None
    if a > b:
        raise argparse.ArgumentTypeError(f"--years {text!r}: the first year is after the last")
    return list(range(a, b + 1))


def build(args: argparse.Namespace) -> str:
    wdi = Path(args.wdi)
    manifest_path = wdi / "_manifest.csv"
    if not manifest_path.is_file():
        raise NqpfError(f"{manifest_path} not found: --wdi must be the folder of the WDI files")
    manifest = pd.read_csv(manifest_path)
    files = dict(zip(manifest["indicator_code"], manifest["file"], strict=True))
    titles = dict(zip(manifest["indicator_code"], manifest["title"], strict=True))
    fw = load_framework(args.framework)
    series = fw.required_series()
    absent = [s for s in series if s not in files]
    if absent:
        raise NqpfError(f"series of {fw.id} not in {manifest_path}: {absent}")

    panels = [
        read_panel(wdi / files[code], layout="long", unit="Country Code", period="Year",
                   value="Value", indicator_name=code, units="country")
        for code in series
    ]
    panel = reduce(lambda a, b: a.merge(b), panels)
    years = [y for y in args.years if y in panel.periods]
    if years != args.years:
        raise NqpfError(f"the WDI files hold no data for {sorted(set(args.years) - set(years))}")
    panel = panel.sel(periods=years)
    n_all = len(panel.units)
    if not args.all_countries:
        seen = ~np.isnan(panel.values)
        fillable = seen.any(axis=1).all(axis=1)  # every series observed at least once
        panel = panel.sel(units=[u for u, ok in zip(panel.units, fillable, strict=True) if ok])

    directions = {}
    for ind in fw.indicators:  # the direction of the indicator a series is the numerator of
        directions.setdefault(ind.series, ind.sign)
    indicators = []
    for code in series:
        name_zh, unit = SERIES_INFO.get(code, (titles[code], ""))
        entry = {"id": code, "name_zh": name_zh, "name_en": titles[code], "unit": unit}
        if code in directions:
            entry["direction"] = directions[code]
        else:
            entry["description"] = f"denominator of the {fw.id} framework"
        indicators.append(entry)

    retrieved = args.retrieved or dt.date.fromtimestamp(manifest_path.stat().st_mtime)
    first, last = years[0], years[-1]
    metadata = {
        "name": f"wdi-{fw.id}-{first}-{last}",
        "title_zh": f"世界发展指标:{fw.name_zh}所需序列({first}-{last}年)",
        "title_en": f"World Development Indicators: series of {fw.id} ({first}-{last})",
        "source": "World Bank, World Development Indicators",
        "licence": "CC BY 4.0",
        "citation": (
            "World Bank. World Development Indicators. Washington, DC: The World Bank. "
            f"{URL} (retrieved {retrieved.isoformat()})"
        ),
        "retrieved": retrieved,
        "url": URL,
        "indicators": indicators,
    }
    out = write_pack(panel, args.out, metadata, overwrite=args.force, units="country")
    lines = [
        f"pack written to {out}: {len(panel.units)} of {n_all} countries, {first}-{last}, "
        f"{len(series)} series, {int(np.isnan(panel.values).sum())} cells to impute"
    ]
    if args.groups:
        g = Path(args.groups)
        if g.exists() and not args.force:
            raise NqpfError(f"{g} exists; pass --force to replace it")
        g.parent.mkdir(parents=True, exist_ok=True)
        oecd = _oecd_members()
        groups = pd.DataFrame(
            {"unit": list(panel.units),
             "group": ["OECD" if u in oecd else "non-OECD" for u in panel.units]}
        )
        groups.to_csv(g, index=False)
        n_oecd = int((groups["group"] == "OECD").sum())
        lines.append(f"groups written to {g}: {n_oecd} OECD, {len(groups) - n_oecd} non-OECD")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wdi", required=True, help="folder of the WDI CSV files and _manifest.csv")
    ap.add_argument("--out", required=True, help="pack folder to write")
    ap.add_argument("--years", type=_years, default=_years("2015:2020"),
                    help="FIRST:LAST (default 2015:2020)")
    ap.add_argument("--framework", default="nqpf-countries",
                    help="framework whose series to pack (default nqpf-countries)")
    ap.add_argument("--retrieved", type=dt.date.fromisoformat, default=None,
                    help="download date YYYY-MM-DD (default: the manifest's modification date)")
    ap.add_argument("--all-countries", action="store_true",
                    help="keep countries lacking a series in every year of the window")
    ap.add_argument("--groups", default=None,
                    help="also write a unit,group CSV (OECD / non-OECD) for nqpf analyze")
    ap.add_argument("--force", action="store_true", help="replace an existing pack")
    args = ap.parse_args(argv)
    try:
        print(build(args))
    except NqpfError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
