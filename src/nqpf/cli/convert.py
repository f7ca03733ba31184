"""``nqpf convert``: any supported shape in, a clean panel file out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    DataArg,
    DuplicatesOpt,
    EncodingOpt,
    ForceOpt,
    IndicatorOpt,
    LayoutOpt,
    NonNumericOpt,
    ParensOpt,
    PeriodOpt,
    SheetOpt,
    UnitOpt,
    UnitsOpt,
    ValueOpt,
    out,
    read_data,
    table,
)


def convert(
    data: DataArg,
    out_file: Annotated[
        Path, typer.Option("--out", help="Output file (.csv, .xlsx, .parquet, .dta).")
    ],
    to_layout: Annotated[str, typer.Option("--to", help="Output layout: wide or long.")] = "wide",
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    duplicates: DuplicatesOpt = "error",
    force: ForceOpt = False,
    non_numeric: NonNumericOpt = "error",
    parentheses_negative: ParensOpt = False,
) -> None:
    """Read data in any supported shape and write it as a clean panel file."""
    from ..panel.io import write_panel

    panel = read_data(
        data, layout, unit, period, indicator, value, encoding, sheet, units, duplicates,
        non_numeric, parentheses_negative,
    )
    path = write_panel(panel, out_file, layout=to_layout, overwrite=force)
    out.print(f"{panel!r}", markup=False)
    rep = panel.conversions.to_frame()
    if len(rep):
        out.print(table(rep, title="Conversions made while reading"))
    dropped = panel.meta.get("dropped_units") or []
    if dropped:
        out.print(f"Aggregate rows left out: {', '.join(map(str, dropped))}", markup=False)
    out.print(f"Written to {path}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(convert)
