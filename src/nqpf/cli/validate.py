"""``nqpf validate``: data checked against a framework."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import DataError
from .common import (
    DataArg,
    EncodingOpt,
    ForceOpt,
    IndicatorOpt,
    LayoutOpt,
    PeriodOpt,
    SheetOpt,
    UnitOpt,
    UnitsOpt,
    ValueOpt,
    out,
    sheet_index,
    table,
)


def validate(
    data: DataArg,
    framework: Annotated[
        str | None,
        typer.Option("--framework", "-f", help="Built-in framework name, YAML file or flat table."),
    ] = None,
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write findings to .csv, .xlsx or .json.")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Check data against a framework: missing, duplicated, non-numeric, impossible, outliers."""
    from ..panel.validate import validate_file
    from ..sources.pack import load_data

    if out_file is not None and out_file.exists() and not force:
        # refuse before the (possibly long) checks run, in the command line's own terms
        raise DataError(f"{out_file} exists; pass --force to replace it or choose another --out")
    rep = validate_file(
        [str(p) for p in data],
        framework=framework,
        layout=layout,
        unit=unit,
        period=period,
        indicator=indicator,
        value=value,
        encoding=encoding,
        sheet=sheet_index(sheet),
        units=units,
        reader=load_data,
    )
    out.print(table(rep.summary(), title="Validation summary"))
    f = rep.findings
    shown = f[(f["severity"] != "info") & (f["check"] != "outlier")]
    if len(shown):
        out.print(
            table(
                shown[["severity", "check", "unit", "period", "indicator", "message"]],
                title="Findings (errors and warnings)",
            )
        )
    outliers = f[f["check"] == "outlier"]
    if len(outliers):
        out.print(table(outlier_summary(outliers), title="Outliers by indicator"))
    if out_file is not None:
        path = rep.write(out_file, overwrite=force)
        out.print(f"Findings written to {path} (every cell)", markup=False)
    elif len(outliers):
        out.print(f"{len(outliers)} outlier cell(s) in all; pass --out findings.xlsx (or .csv) "
                  "for the list of every cell", markup=False)
    verdict = "[green]no errors[/green]" if rep.ok else f"[red]{rep.n_errors} error(s)[/red]"
    out.print(f"{verdict}, {rep.n_warnings} warning(s)")
    if not rep.ok:
        raise typer.Exit(1)


def outlier_summary(outliers):
    """One row per indicator: how many outlier cells, in how many periods, which units first."""
    import pandas as pd

    rows = []
    for ind, g in outliers.groupby("indicator", sort=False):
        units = list(dict.fromkeys(str(u) for u in g["unit"]))
        rows.append({
            "indicator": ind,
            "cells": len(g),
            "periods": g["period"].nunique(),
            "units": len(units),
            "e.g.": ", ".join(units[:3]) + (" …" if len(units) > 3 else ""),
        })
    return pd.DataFrame(rows).sort_values("cells", ascending=False, kind="stable")


def register(app: typer.Typer) -> None:
    app.command()(validate)
