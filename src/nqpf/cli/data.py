"""``nqpf data wdi|pwt|ceads|yearbook|pack``: public statistics in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    ForceOpt,
    err,
    out,
    split,
    table,
    write_source_panel,
)

data_app = typer.Typer(
    help="Public statistics in: World Bank WDI, Penn World Table, CEADs, yearbook tables.",
    no_args_is_help=True,
)


def data_wdi(
    indicators: Annotated[str, typer.Option(help="WDI codes, comma-separated.")],
    out_file: Annotated[Path, typer.Option("--out", help="Output file (.csv, .xlsx, ...).")],
    countries: Annotated[
        str, typer.Option(help="ISO3 codes or names, comma-separated; all.")
    ] = "all",
    years: Annotated[str | None, typer.Option(help="Years A:B (inclusive).")] = None,
    offline: Annotated[bool, typer.Option(help="Use the cache only; never the network.")] = False,
    refresh: Annotated[bool, typer.Option(help="Download again even if cached.")] = False,
    cache: Annotated[
        Path | None, typer.Option(help="Cache folder (default ~/.cache/nqpf).")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """World Bank WDI through wbgapi, cached with source, licence and retrieval date."""
    from ..sources.wdi import fetch_wdi, parse_years

    codes = [c.strip() for c in indicators.split(",") if c.strip()]
    who = (
        "all"
        if countries.strip().lower() == "all"
        else [c.strip() for c in countries.split(",") if c.strip()]
    )
    with err.status("fetching World Development Indicators …"):
        res = fetch_wdi(
            codes,
            who,
            parse_years(years) if years else None,
            cache_dir=cache,
            refresh=refresh,
            offline=offline,
        )
    err.print(res.provenance, highlight=False, markup=False)
    if res.no_data:
        err.print(f"no data for: {', '.join(res.no_data)}", highlight=False, markup=False)
    files = res.write(out_file, overwrite=force)
    out.print(f"{res.panel!r}", markup=False)
    out.print("Written: " + ", ".join(str(f) for f in files), markup=False)


def data_pwt(
    file: Annotated[Path, typer.Argument(help="Penn World Table file (.xlsx, .dta or .csv).")],
    out_file: Annotated[Path, typer.Option("--out", help="Output file.")],
    variables: Annotated[str | None, typer.Option(help="Variables, e.g. hc,rgdpo.")] = None,
    countries: Annotated[str | None, typer.Option(help="ISO3 codes or names.")] = None,
    years: Annotated[str | None, typer.Option(help="Years A:B.")] = None,
    force: ForceOpt = False,
) -> None:
    """Read a Penn World Table download into a clean panel file."""
    from ..sources.readers import read_pwt

    panel = read_pwt(file, variables=split(variables), countries=split(countries), years=years)
    write_source_panel(panel, out_file, force)


def data_ceads(
    file: Annotated[Path, typer.Argument(help="CEADs CO2 table (provinces or cities).")],
    out_file: Annotated[Path, typer.Option("--out", help="Output file.")],
    level: Annotated[str, typer.Option(help="auto, province or city.")] = "auto",
    force: ForceOpt = False,
) -> None:
    """Read a CEADs CO2 emissions table into a clean panel file."""
    from ..sources.readers import read_ceads

    write_source_panel(read_ceads(file, level=level), out_file, force)


def data_yearbook(
    files: Annotated[
        list[Path], typer.Argument(help="Long yearbook exports (province, year, ...).")
    ],
    out_file: Annotated[Path, typer.Option("--out", help="Output file for the provinces.")],
    dictionary: Annotated[
        Path | None, typer.Option(help="Dictionary of variable codes (e.g. varsList.csv).")
    ] = None,
    select: Annotated[
        str | None, typer.Option(help="Indicators by code or Chinese name, comma-separated.")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Read long yearbook exports: provinces apart from national and regional rows."""
    from ..sources.readers import read_yearbook_long

    res = read_yearbook_long([str(f) for f in files], dictionary=dictionary)
    panel = res.panel
    if select:
        panel = panel.sel(indicators=res.select(split(select)))
    write_source_panel(panel, out_file, force)
    stem = out_file.with_suffix("")
    if res.aggregates is not None:
        from ..panel.io import write_panel

        agg = write_panel(res.aggregates, f"{stem}.aggregates{out_file.suffix}", overwrite=force)
        out.print(f"National and regional rows: {agg}", markup=False)
    dict_path = Path(f"{stem}.dictionary.csv")
    if dict_path.exists() and not force:
        from ..errors import DataError

        raise DataError(f"{dict_path} exists; pass --force or choose another --out")
    res.dictionary.to_csv(dict_path, index=False, encoding="utf-8-sig")
    out.print(f"Dictionary: {dict_path}", markup=False)


def data_pack(
    folder: Annotated[Path, typer.Argument(help="A data pack folder (with pack.yaml).")],
) -> None:
    """Show a data pack: source, licence, coverage, indicators and notes."""
    from ..sources.pack import read_pack

    pack = read_pack(folder)
    out.print(table(pack.summary(), title=f"Data pack {folder}"))
    out.print(table(pack.indicators, title="Indicators"))
    for note in pack.notes:
        err.print(f"note: {note}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    data_app.command("wdi")(data_wdi)
    data_app.command("pwt")(data_pwt)
    data_app.command("ceads")(data_ceads)
    data_app.command("yearbook")(data_yearbook)
    data_app.command("pack")(data_pack)
    app.add_typer(data_app, name="data")
