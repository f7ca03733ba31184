"""``nqpf growth-accounting``: regional TFP as the Solow residual."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .common import (
    DataArg,
    ForceOpt,
    UnitsOpt,
    out,
    read_tables,
    staged_names,
    table,
)


def growth_accounting_cmd(
    data: DataArg,
    output: Annotated[str, typer.Option(help="Real output series (e.g. rgdpna).")],
    labour: Annotated[str, typer.Option(help="Labour series (e.g. emp).")],
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    capital: Annotated[str | None, typer.Option(help="Capital stock series.")] = None,
    investment: Annotated[
        str | None, typer.Option(help="Real investment series (capital by perpetual inventory).")
    ] = None,
    labour_share: Annotated[
        str, typer.Option(help="Labour share: a number (e.g. 0.5) or a series name.")
    ] = "0.5",
    depreciation: Annotated[float, typer.Option(help="Depreciation rate (9.6 % common).")] = 0.096,
    initial: Annotated[
        str, typer.Option(help="Initial capital: growth, ratio or a number.")
    ] = "growth",
    init_years: Annotated[int, typer.Option(help="Periods for the initial growth rate.")] = 5,
    unit_col: Annotated[str, typer.Option("--unit", help="Column of units.")] = "unit",
    period_col: Annotated[str, typer.Option("--period", help="Column of periods.")] = "period",
    units: UnitsOpt = "none",
    force: ForceOpt = False,
) -> None:
    """Regional TFP by growth accounting with a perpetual-inventory capital stock."""
    from ..efficiency.growth import growth_accounting
    from ..output_staging import begin_output

    stage = begin_output(out_dir, force)
    if (capital is None) == (investment is None):
        raise typer.BadParameter("give --capital or --investment (one of them)")
    try:
        share: str | float = float(labour_share)
    except ValueError:
        share = labour_share
    try:
        init: str | float = float(initial)
    except ValueError:
        init = initial
    df = read_tables(data)
    res = growth_accounting(
        df,
        output=output,
        capital=capital,
        investment=investment,
        labour=labour,
        labour_share=share,
        depreciation=depreciation,
        initial=init,
        init_years=init_years,
        units=units,
        unit=unit_col,
        period=period_col,
    )
    files = res.write(stage.path, overwrite=True)
    out.print(table(res.summary(), title="Growth accounting: mean contributions"))
    stage.commit()
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(staged_names(files, stage)),
              markup=False)


def register(app: typer.Typer) -> None:
    app.command("growth-accounting")(growth_accounting_cmd)
