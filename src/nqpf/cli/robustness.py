"""``nqpf robustness``: uncertainty and sensitivity of the ranking."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .common import (
    DataArg,
    EncodingOpt,
    ForceOpt,
    FrameworkOpt,
    IndicatorOpt,
    LayoutOpt,
    NonNumericOpt,
    ParensOpt,
    PeriodOpt,
    SheetOpt,
    UnitOpt,
    UnitsOpt,
    ValueOpt,
    err,
    out,
    read_data,
    staged_names,
    table,
)


def robustness(
    data: DataArg,
    framework: FrameworkOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    samples: Annotated[
        int, typer.Option(help="Replications; with --sensitivity the base sample N (power of 2).")
    ] = 1024,
    seed: Annotated[int, typer.Option(help="Seed of the Sobol sequence.")] = 0,
    recipe_file: Annotated[
        Path | None, typer.Option("--recipe", help="Base recipe (YAML/JSON); flat structure.")
    ] = None,
    normalise_options: Annotated[
        str | None, typer.Option("--normalise-options", help="Alternatives, e.g. minmax,zscore.")
    ] = None,
    weights_options: Annotated[
        str | None,
        typer.Option("--weights-options", help="Alternatives, e.g. entropy,critic,equal."),
    ] = None,
    aggregate_options: Annotated[
        str | None,
        typer.Option("--aggregate-options", help="Alternatives among sum, geometric, topsis, gra."),
    ] = None,
    impute_options: Annotated[
        str | None,
        typer.Option("--impute-options", help="Alternatives, e.g. linear+nearest,growth+nearest."),
    ] = None,
    leave_one_out: Annotated[
        bool, typer.Option("--leave-one-out", help="Leave out one indicator at a time.")
    ] = False,
    perturb: Annotated[
        float | None, typer.Option(help="Perturb weights by ± this fraction (e.g. 0.25).")
    ] = None,
    dirichlet: Annotated[
        float | None,
        typer.Option(help="Dirichlet weights around the base with this concentration."),
    ] = None,
    bootstrap: Annotated[
        bool, typer.Option(help="Resample units for data-driven weights.")
    ] = False,
    sensitivity: Annotated[
        bool, typer.Option(help="Variance-based sensitivity indices (S1, ST).")
    ] = False,
    backend: Annotated[str, typer.Option(help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: a local cluster).")
    ] = None,
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    force: ForceOpt = False,
    non_numeric: NonNumericOpt = "error",
    parentheses_negative: ParensOpt = False,
) -> None:
    """How robust is the ranking? Monte Carlo over the choices behind the index."""
    from ..index import Recipe
    from ..output_staging import begin_output
    from ..robustness.uncertainty import Uncertainty
    from ..robustness.uncertainty import robustness as run_robustness

    stage = begin_output(out_dir, force)
    unc = Uncertainty(
        impute=impute_options or (),
        normalise=normalise_options or (),
        weights=weights_options or (),
        aggregate=aggregate_options or (),
        leave_one_out=leave_one_out,
        perturb=perturb,
        dirichlet=dirichlet,
        bootstrap=bootstrap,
    )
    recipe = Recipe.from_file(recipe_file) if recipe_file is not None else Recipe()
    panel = read_data(
        data, layout, unit, period, indicator, value, encoding, sheet, units, "error",
        non_numeric, parentheses_negative,
    )
    with err.status(f"evaluating replications of {panel!r} …"):
        res = run_robustness(
            panel,
            framework,
            unc,
            recipe,
            samples=samples,
            seed=seed,
            sensitivity=sensitivity,
            backend=backend,
            scheduler=scheduler,
        )
        files = res.write(stage.path, overwrite=True)
    for w in res.warnings:
        err.print(f"warning: {escape(w)}", highlight=False)
    out.print(table(res.summary(), title="Robustness"))
    stage.commit()
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(staged_names(files, stage)),
              markup=False)


def register(app: typer.Typer) -> None:
    app.command()(robustness)
