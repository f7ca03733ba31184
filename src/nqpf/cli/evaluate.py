"""``nqpf evaluate rsr|fuzzy|scatter|dynamic|bod``: evaluation methods beside the index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from .common import (
    DataArg,
    EncodingOpt,
    ForceOpt,
    FrameworkOpt,
    IndicatorOpt,
    LayoutOpt,
    PeriodOpt,
    SheetOpt,
    UnitOpt,
    UnitsOpt,
    ValueOpt,
    err,
    out,
    read_data,
    table,
)

evaluate_app = typer.Typer(
    help="Rank-sum ratio, fuzzy evaluation, the scatter-degree method, time-weighted scores "
    "and benefit-of-the-doubt scores.",
    no_args_is_help=True,
)

YearOpt = Annotated[
    str | None, typer.Option("--year", help="Period to evaluate (default: the last).")
]


def _indicators(data, framework, layout, unit, period, indicator, value, encoding, sheet, units):
    """The framework's indicators (prepared from the data) and their directions."""
    from ..framework import load_framework, prepare

    fw = load_framework(framework)
    panel = read_data(data, layout, unit, period, indicator, value, encoding, sheet, units)
    ind = prepare(panel, fw).sel(indicators=[i.id for i in fw.indicators])
    dirs = [i.direction for i in fw.indicators]
    return fw, ind, dirs


def _cross_section(ind, year: str | None):
    import pandas as pd

    from ..errors import DataError

    periods = list(ind.periods)
    if year is None:
        p = periods[-1]
    else:
        match = [q for q in periods if str(q) == str(year)]
        if not match:
            raise DataError(f"--year {year}: not in the data ({periods[0]}–{periods[-1]})")
        p = match[0]
    X = ind.sel(periods=[p]).values[:, 0, :]
    return p, pd.DataFrame(X, index=list(ind.units), columns=list(ind.indicators))


def _write(dest: Path, files: dict[str, Any]) -> list[str]:
    from ..output import atomic_write

    names = []
    for name, obj in files.items():
        path = dest / name
        if name.endswith(".csv"):
            atomic_write(path, lambda tmp, o=obj: o.to_csv(tmp, index=False, encoding="utf-8-sig"))
        else:
            text = json.dumps(obj, indent=2, ensure_ascii=False, default=str)
            atomic_write(path, lambda tmp, t=text: Path(tmp).write_text(t, "utf-8"))
        names.append(name)
    return names


def rsr_cmd(
    data: DataArg,
    framework: FrameworkOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    year: YearOpt = None,
    ranking: Annotated[
        str, typer.Option(help="integer (ranks) or non-integer (linear interpolation).")
    ] = "integer",
    grades: Annotated[int, typer.Option(help="Number of grades (2 to 5).")] = 3,
    weights: Annotated[
        str, typer.Option(help="equal, or a data-driven method of the index (entropy, critic…).")
    ] = "equal",
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    force: ForceOpt = False,
) -> None:
    """Rank-sum ratio (秩和比法) with probit grading, for one year."""
    from ..index.rsr import rsr
    from ..output_staging import begin_output

    fw, ind, dirs = _indicators(
        data, framework, layout, unit, period, indicator, value, encoding, sheet, units
    )
    p, X = _cross_section(ind, year)
    w = None
    if weights != "equal":
        from ..index.normalise import normalise
        from ..index.weights import weights as compute

        Z = normalise(X.to_numpy()[:, None, :], dirs, "minmax").values[:, 0, :]
        w = compute(Z, weights, keep_arrays=False).weights
    res = rsr(X, dirs, weights=w, ranking=ranking, grades=grades)
    stage = begin_output(out_dir, force)
    dest = stage.path
    files = _write(dest, {
        "rsr.csv": res.table, "rsr_grades.csv": res.thresholds,
        "rsr_ranks.csv": res.ranks.reset_index(),
        "rsr.json": {"period": p, "framework": fw.id, "regression": res.regression,
                     **res.params},
    })
    stage.commit()
    reg = res.regression
    out.print(table(res.table[["unit", "RSR", "probit", "RSR_fit", "rank", "grade"]],
                    title=f"RSR, {p}"))
    out.print(f"RSR = {reg['a']:.5f} + {reg['b']:.5f} × Probit (R² = {reg['r2']:.4f}, "
              f"{reg['n_groups']} groups)", markup=False)
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(files), markup=False)


def fuzzy_cmd(
    data: DataArg,
    framework: FrameworkOpt,
    standards: Annotated[
        Path,
        typer.Option(
            "--standards",
            help="YAML: grades (labels), scores, standards {indicator: [one value per grade]}, "
            "optional weights {indicator: w}.",
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    year: YearOpt = None,
    operator: Annotated[
        str, typer.Option(help="weighted, min-max, product-max, bounded or balanced.")
    ] = "weighted",
    defuzzify: Annotated[str, typer.Option(help="weighted or max (maximum membership).")] = (
        "weighted"
    ),
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    force: ForceOpt = False,
) -> None:
    """Fuzzy comprehensive evaluation (模糊综合评价) against grade standards, for one year."""
    import yaml

    from ..errors import DataError
    from ..index.fuzzy import fuzzy_evaluate
    from ..index.recipe import Recipe
    from ..output_staging import begin_output

    if not standards.is_file():
        raise DataError(f"--standards {standards}: no such file")
    try:
        spec = yaml.safe_load(standards.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise DataError(f"--standards {standards}: not readable YAML ({e})") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("standards"), dict):
        raise DataError(
            f"--standards {standards}: write a mapping with 'standards: {{indicator: [values]}}'"
        )
    fw, ind, _ = _indicators(
        data, framework, layout, unit, period, indicator, value, encoding, sheet, units
    )
    p, X = _cross_section(ind, year)
    w = spec.get("weights")
    if w is None:
        from ..index import build_index

        eff = build_index(ind, fw, Recipe(weights="entropy")).weights
        eff = eff[eff["level"] == "indicator"].set_index("node")["effective_weight"]
        w = {c: float(eff[c]) for c in X.columns}
        err.print("note: no weights in --standards; using entropy weights", highlight=False)
    res = fuzzy_evaluate(X, spec["standards"], w, grades=spec.get("grades"),
                         scores=spec.get("scores"), operator=operator,
                         defuzzification=defuzzify)
    stage = begin_output(out_dir, force)
    dest = stage.path
    mats = [m.assign(unit=u).reset_index(names="indicator") for u, m in res.matrices.items()]
    import pandas as pd

    files = _write(dest, {
        "fuzzy.csv": res.table, "fuzzy_memberships.csv": pd.concat(mats, ignore_index=True),
        "fuzzy.json": {"period": p, "framework": fw.id, **res.params},
    })
    stage.commit()
    out.print(table(res.table.sort_values("score", ascending=False), title=f"Fuzzy, {p}"))
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(files), markup=False)


def scatter_cmd(
    data: DataArg,
    framework: FrameworkOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    lam: Annotated[
        float | None,
        typer.Option("--lambda", help="Time degree λ in (0, 1) to combine years (default: mean)."),
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
) -> None:
    """Vertical-and-horizontal scatter degree method (纵横向拉开档次法) over all years."""
    from ..index.dynamic import scatter_degree
    from ..output_staging import begin_output

    fw, ind, dirs = _indicators(
        data, framework, layout, unit, period, indicator, value, encoding, sheet, units
    )
    res = scatter_degree(ind, dirs, time_degree_lambda=lam)
    stage = begin_output(out_dir, force)
    dest = stage.path
    files = _write(dest, {
        "scatter_weights.csv": res.weights.reset_index(),
        "scatter_scores.csv": res.scores.reset_index(),
        "scatter_overall.csv": res.overall,
        "scatter.json": {"framework": fw.id, "eigenvalue": res.eigenvalue, **res.params},
    })
    stage.commit()
    out.print(table(res.weights.reset_index(), title="Weights"))
    out.print(table(res.overall, title="Overall"))
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(files), markup=False)


def dynamic_cmd(
    data: DataArg,
    framework: FrameworkOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    lam: Annotated[float, typer.Option("--lambda", help="Time degree λ in (0, 1).")] = 0.3,
    recipe_file: Annotated[
        Path | None, typer.Option("--recipe", help="Recipe of the yearly index (YAML/JSON).")
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
) -> None:
    """Time-weighted dynamic evaluation: the yearly index combined with time weights of λ."""
    from ..index import Recipe, build_index
    from ..index.dynamic import time_weighted
    from ..output_staging import begin_output

    fw, ind, _ = _indicators(
        data, framework, layout, unit, period, indicator, value, encoding, sheet, units
    )
    recipe = Recipe.from_file(recipe_file) if recipe_file is not None else Recipe()
    res = build_index(ind, fw, recipe)
    dyn = time_weighted(res.wide(), lam)
    import pandas as pd

    tw = pd.DataFrame({"period": list(dyn.attrs["time_weights"]),
                       "time_weight": list(dyn.attrs["time_weights"].values())})
    stage = begin_output(out_dir, force)
    dest = stage.path
    files = _write(dest, {"dynamic.csv": dyn, "time_weights.csv": tw,
                          "dynamic.json": {"framework": fw.id, "lambda": lam,
                                           "recipe": recipe.to_dict()}})
    stage.commit()
    out.print(table(tw, title=f"Time weights (λ = {lam:g})"))
    out.print(table(dyn, title="Dynamic score"))
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(files), markup=False)


def bod_cmd(
    data: DataArg,
    framework: FrameworkOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    year: YearOpt = None,
    share_bounds: Annotated[
        str | None,
        typer.Option(help="Bounds on each indicator's share of a unit's score, e.g. 0.05,0.5."),
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
) -> None:
    """Benefit-of-the-doubt index (DEA weights most favourable to each unit), for one year."""
    import pandas as pd

    from ..efficiency.bod import bod
    from ..errors import DataError
    from ..index.normalise import normalise
    from ..output_staging import begin_output

    bounds = None
    if share_bounds:
        try:
            bounds = tuple(float(v) for v in share_bounds.split(","))
        except ValueError:
            bounds = ()
        if len(bounds) != 2:
            raise DataError(f"--share-bounds {share_bounds}: write LO,HI, e.g. 0.05,0.5")
    fw, ind, dirs = _indicators(
        data, framework, layout, unit, period, indicator, value, encoding, sheet, units
    )
    p, X = _cross_section(ind, year)
    # min-max shifted by 0.01: a unit at an indicator's minimum keeps a positive value, so
    # share bounds do not force its score to 0
    Z = normalise(X.to_numpy()[:, None, :], dirs, "minmax", shift=("add", 0.01)).values[:, 0, :]
    res = bod(pd.DataFrame(Z, index=X.index, columns=X.columns), share_bounds=bounds)
    stage = begin_output(out_dir, force)
    dest = stage.path
    files = _write(dest, {
        "bod.csv": res.scores, "bod_weights.csv": res.weights.reset_index(),
        "bod_shares.csv": res.shares.reset_index(),
        "bod.json": {"period": p, "framework": fw.id, "normalise": "minmax + 0.01",
                     **res.params},
    })
    stage.commit()
    out.print(table(res.scores, title=f"Benefit of the doubt, {p}"))
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(files), markup=False)


def register(app: typer.Typer) -> None:
    evaluate_app.command("rsr")(rsr_cmd)
    evaluate_app.command("fuzzy")(fuzzy_cmd)
    evaluate_app.command("scatter")(scatter_cmd)
    evaluate_app.command("dynamic")(dynamic_cmd)
    evaluate_app.command("bod")(bod_cmd)
    app.add_typer(evaluate_app, name="evaluate")
