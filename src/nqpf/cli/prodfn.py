"""``nqpf tfp-pf``: firm TFP from a production function."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .common import (
    DataArg,
    EncodingOpt,
    ForceOpt,
    SheetOpt,
    err,
    out,
    read_tables,
    split,
    staged_names,
    table,
)


def tfp_pf(
    data: DataArg,
    firm: Annotated[str, typer.Option("--unit", "--id", help="Column of firm ids (unit).")],
    period_col: Annotated[str, typer.Option("--period", help="Column of periods (years).")],
    output: Annotated[str, typer.Option(help="Column of (log) output or value added.")],
    free: Annotated[str, typer.Option(help="Free input(s), e.g. labour; comma-separated.")],
    state: Annotated[str, typer.Option(help="State input, e.g. capital.")],
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    proxy: Annotated[
        str | None,
        typer.Option(help="Proxy: intermediate input (lp, acf, wrdg) or investment (op)."),
    ] = None,
    exit_col: Annotated[
        str | None,
        typer.Option("--exit", help="op: 0/1 column, 1 in a firm's last period before exit."),
    ] = None,
    method: Annotated[str, typer.Option(help="acf, op, lp, wrdg, ols or fe.")] = "acf",
    levels: Annotated[
        bool, typer.Option("--levels", help="Columns are levels (logged here); default: logs.")
    ] = False,
    n_boot: Annotated[
        int, typer.Option("--bootstrap", help="Firm-clustered bootstrap replications.")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Firm TFP from a production function (ACF, OP, LP, Wooldridge, OLS, FE)."""
    from ..efficiency.production import estimate_tfp
    from ..output_staging import begin_output

    stage = begin_output(out_dir, force)
    df = read_tables(data, encoding, sheet)
    with err.status(f"estimating the production function by {method} …"):
        res = estimate_tfp(
            df,
            method=method,
            unit=firm,
            period=period_col,
            output=output,
            free=split(free) or [],
            state=state,
            proxy=proxy,
            exit=exit_col,
            logs=not levels,
            n_boot=n_boot,
            seed=seed,
        )
        files = res.write(stage.path, overwrite=True)
    for w in res.diagnostics.get("warnings", []):
        err.print(f"warning: {w}", highlight=False, markup=False)
    for line in dropped_rows(res.diagnostics):
        err.print(f"note: {line}", highlight=False, markup=False)
    out.print(table(res.coefficients, title=f"Production function ({method})"))
    stage.commit()
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(staged_names(files, stage)),
              markup=False)


def register(app: typer.Typer) -> None:
    app.command("tfp-pf")(tfp_pf)


def dropped_rows(diag: dict) -> list[str]:
    """What the estimation left out, from its diagnostics, one line per reason."""
    reasons = dict(diag.get("dropped") or {})
    if diag.get("n_dropped_missing"):
        reasons["missing_or_unreadable_value"] = diag["n_dropped_missing"]
    n_in = diag.get("n_rows_input")
    of = f" of {n_in}" if n_in else ""
    return [
        f"{n}{of} row(s) left out: {why.replace('_', ' ')} (empty, non-numeric or infinite "
        "cells count as missing; the rows are listed in estimation.json)"
        if "missing" in why else f"{n}{of} row(s) left out: {why.replace('_', ' ')}"
        for why, n in reasons.items() if n
    ]
