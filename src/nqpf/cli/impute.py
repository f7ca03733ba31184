"""``nqpf impute``: gaps filled by a documented method."""

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
)


def impute(
    data: DataArg,
    method: Annotated[
        str,
        typer.Option(
            help="linear, growth, linear_extrapolate, nearest, group_mean, group_median, mean "
            "or median."
        ),
    ],
    out_file: Annotated[
        Path, typer.Option("--out", help="Output file (.csv, .xlsx, .parquet, .dta).")
    ],
    groups: Annotated[
        str | None,
        typer.Option(help="For group_mean/group_median on provinces: region4 or belt3."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Longest run of missing periods to fill.")
    ] = None,
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
    """Fill gaps by a documented method and write the panel with a column of imputed flags."""
    import pandas as pd

    from ..panel.impute import impute as do_impute
    from ..panel.io import write_panel

    panel = read_data(
        data, layout, unit, period, indicator, value, encoding, sheet, units, duplicates,
        non_numeric, parentheses_negative,
    )
    group_map = None
    if groups is not None:
        from ..datasets.reference import province_groups

        if groups not in ("region4", "belt3"):
            raise typer.BadParameter("use region4 or belt3", param_hint="--groups")
        group_map = province_groups(groups, lang="code")
    res = do_impute(panel, method, groups=group_map, limit=limit)
    path = write_panel(res, out_file, layout="long", overwrite=force, imputed=True)
    n = int(res.imputed.sum() - panel.imputed.sum())
    left = int(pd.isna(res.values).sum())
    out.print(
        f"{n} cells imputed by {method}; {left} cells still missing. Written to {path}",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(impute)
