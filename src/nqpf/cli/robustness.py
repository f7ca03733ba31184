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
    replications: Annotated[
        int,
        typer.Option(
            "--replications",
            "--samples",
            help="Replications; with --sensitivity the base sample N. Rounded up to a power of 2.",
        ),
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
    setting: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            help="A recipe setting and its alternatives, e.g. structure=flat,hierarchical or "
            "treat.winmax=5,3 (repeatable; first = base).",
        ),
    ] = None,
    level_perturb: Annotated[
        str | None,
        typer.Option(
            help="Noise on each level's weights, e.g. dimension=0.2,indicator=0.1 (± share)."
        ),
    ] = None,
    remove: Annotated[
        str | None,
        typer.Option(help="Dimensions or sub-dimensions removed one at a time, e.g. d1,d2."),
    ] = None,
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
    """How robust is the ranking? Monte Carlo over the choices behind the index.

    With no alternative or switch given, the defaults run: weights {the recipe's, entropy,
    CRITIC, equal} x leaving one indicator out x ±20 % weight perturbation.
    """
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
        settings=parse_settings(setting or []),
        remove=tuple(r.strip() for r in (remove or "").split(",") if r.strip()),
        level_perturb=parse_levels(level_perturb),
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
            replications=replications,
            seed=seed,
            sensitivity=sensitivity,
            backend=backend,
            scheduler=scheduler,
        )
        files = res.write(stage.path, overwrite=True)
    for n in res.notes:
        err.print(f"note: {escape(n)}", highlight=False)
    for w in res.warnings:
        err.print(f"warning: {escape(w)}", highlight=False)
    out.print(table(res.summary(), title="Robustness"))
    stage.commit()
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(staged_names(files, stage)),
              markup=False)


def parse_settings(items: list[str]) -> dict[str, list]:
    """``["structure=flat,hierarchical", "treat.winmax=5,3"]`` → settings (values as YAML)."""
    import yaml

    out: dict[str, list] = {}
    for item in items:
        path, _, vals = item.partition("=")
        alts = [v.strip() for v in vals.split(",") if v.strip()]
        if not path.strip() or len(alts) < 2:
            raise typer.BadParameter(
                f"{item!r}: write SETTING=A,B (two or more alternatives), e.g. "
                "structure=flat,hierarchical",
                param_hint="--vary",
            )
        out[path.strip()] = [yaml.safe_load(v) for v in alts]
    return out


def parse_levels(text: str | None) -> dict[str, float]:
    """``"dimension=0.2,indicator=0.1"`` → ``{"dimension": 0.2, "indicator": 0.1}``."""
    out: dict[str, float] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        level, _, val = part.partition("=")
        try:
            out[level.strip()] = float(val)
        except ValueError:
            raise typer.BadParameter(
                f"{part!r}: write LEVEL=SHARE, e.g. dimension=0.2", param_hint="--level-perturb"
            ) from None
    return out


def register(app: typer.Typer) -> None:
    app.command()(robustness)
