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
        Path | None,
        typer.Option("--out", help="Write every finding to .csv, .xlsx or .json (default: "
                     "DATA-findings.csv in the current folder, when there are findings)."),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Check data against a framework: missing, duplicated, non-numeric, impossible, outliers.

    Prints one line per kind of finding and writes every finding to a file.
    """
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
    f = rep.findings
    for line in compact_lines(f):
        out.print(line, markup=False, highlight=False)
    if out_file is None and len(f):
        out_file = _free_name(Path(f"{Path(data[0]).stem}-findings.csv"))
    if out_file is not None:
        path = rep.write(out_file, overwrite=force)
        out.print(f"Every finding ({len(f)} rows): {path}", markup=False)
    verdict = "[green]no errors[/green]" if rep.ok else f"[red]{rep.n_errors} error(s)[/red]"
    out.print(f"{verdict}, {rep.n_warnings} warning(s)")
    if not rep.ok:
        raise typer.Exit(1)


#: kinds of finding printed, one line each; the file has every row
MAX_LINES = 20


def compact_lines(findings) -> list[str]:
    """One line per kind of finding (severity, check, indicator): how many, and where first."""
    import pandas as pd

    if findings is None or not len(findings):
        return []
    f = findings.copy()
    order = {"error": 0, "warning": 1, "info": 2}
    f["_o"] = f["severity"].map(order).fillna(3)
    keys = [c for c in ("severity", "check", "indicator") if c in f.columns]
    lines = []
    groups = sorted(f.groupby(keys, dropna=False, sort=False),
                    key=lambda g: (g[1]["_o"].iloc[0], -len(g[1])))
    for key, g in groups[:MAX_LINES]:
        sev, check, ind = (list(key) + [None] * 3)[:3]
        first = g.iloc[0]
        where = ", ".join(str(first[c]) for c in ("unit", "period")
                          if c in g.columns and pd.notna(first[c]))
        what = f"{check}" + (f" {ind}" if pd.notna(ind) and ind else "")
        n = len(g)
        msg = str(first.get("message", ""))
        if n == 1:
            lines.append(f"{sev:<8} {what}: {msg}")
        else:
            lines.append(f"{sev:<8} {what}: {n} findings, first {where or '—'}: {msg}")
    if len(groups) > MAX_LINES:
        lines.append(f"… {len(groups) - MAX_LINES} more kinds of finding in the file")
    return lines


def _free_name(p: Path) -> Path:
    """``p``, or ``p`` with -2, -3 … when it exists: the user's files are never replaced."""
    k = 1
    cand = p
    while cand.exists():
        k += 1
        cand = p.with_name(f"{p.stem}-{k}{p.suffix}")
    return cand


def register(app: typer.Typer) -> None:
    app.command()(validate)
