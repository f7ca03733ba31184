"""``nqpf analyze``: regional analysis of an index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .common import (
    ForceOpt,
    LangOpt,
    PeriodOpt,
    UnitOpt,
    UnitsOpt,
    check_lang,
    err,
    out,
    read_data,
    staged_names,
    table,
)


def analyze(
    data: Annotated[
        list[Path],
        typer.Argument(
            help="Scores table(s) with unit, period and a value column (scores.csv of nqpf index "
            "works as it is); for coupling one table per system; for obstacle the raw data."
        ),
    ],
    method: Annotated[
        str,
        typer.Option(
            help="dagum, theil, kernel, markov, convergence, moran, lisa, coupling, obstacle, "
            "typology, centre (gravity centre), sde (standard deviational ellipse), hotspots "
            "(Getis-Ord Gi*) or estda (LISA time paths and space-time transitions)."
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    groups: Annotated[
        str | None,
        typer.Option(help="cn-four-regions, cn-three-belts, or a CSV with columns unit, group."),
    ] = None,
    value: Annotated[
        str | None, typer.Option(help="Column of values (default: score, else value).")
    ] = None,
    node: Annotated[
        str | None, typer.Option(help="Node of scores.csv to analyse (default: index).")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="theil: T or L; convergence: absolute or cross_section.")
    ] = None,
    bandwidth: Annotated[
        str | None, typer.Option(help="kernel: silverman, scott, nrd0, normal or a number.")
    ] = None,
    classes: Annotated[int | None, typer.Option(help="markov: number of classes (4).")] = None,
    k: Annotated[
        int | None, typer.Option("--k", help="markov/convergence: step; typology: number of types.")
    ] = None,
    spatial: Annotated[
        bool, typer.Option(help="markov: spatial Markov chain; convergence: spatial-lag beta.")
    ] = False,
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="Spatial weights: contiguity (default), inverse_distance, or a .gal/.gwt/CSV.",
        ),
    ] = None,
    permutations: Annotated[int, typer.Option(help="moran/lisa/hotspots: permutations.")] = 999,
    seed: Annotated[int, typer.Option(help="Seed of permutations and k-means.")] = 0,
    variant: Annotated[str | None, typer.Option(help="coupling: standard or wang2021.")] = None,
    systems: Annotated[
        str | None, typer.Option(help="coupling: names of the systems, comma-separated.")
    ] = None,
    cluster: Annotated[str | None, typer.Option(help="typology: kmeans or ward.")] = None,
    framework: Annotated[
        str | None, typer.Option("--framework", "-f", help="obstacle: the framework of the index.")
    ] = None,
    recipe_file: Annotated[
        Path | None, typer.Option("--recipe", help="obstacle: recipe of the index (YAML/JSON).")
    ] = None,
    convention: Annotated[
        str | None, typer.Option(help="sde: yuill (default), arcgis or crimestat.")
    ] = None,
    points: Annotated[
        Path | None,
        typer.Option(help="centre/sde: a table unit, lon, lat (default: province centroids)."),
    ] = None,
    units: UnitsOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    lang: LangOpt = "en",
    force: ForceOpt = False,
) -> None:
    """Analyse an index: disparity, dynamics, convergence, spatial, coupling, obstacles, types."""
    from ..aliases import canonical
    from ..analysis.run import METHODS, run_analysis, write_result
    from ..output_staging import begin_output

    check_lang(lang)
    method = canonical("analysis", method, METHODS)  # 泰尔指数, 核密度, …
    if method not in METHODS:
        raise typer.BadParameter(
            f"unknown method {method!r}; choose one of {', '.join(METHODS)}", param_hint="--method"
        )
    stage = begin_output(out_dir, force)
    opts = dict(
        groups=groups,
        kind=kind,
        bandwidth=bandwidth,
        classes=classes,
        k=k,
        spatial=spatial,
        weights=weights,
        permutations=permutations,
        seed=seed,
        variant=variant,
        cluster=cluster,
        convention=convention,
        points=_points(points, units) if points is not None else None,
        lang=lang,
    )
    if method == "obstacle":
        target = obstacle_index(data, framework, recipe_file, units)
    elif method == "coupling":
        names = [s.strip() for s in systems.split(",")] if systems else [p.stem for p in data]
        if len(names) != len(data) or len(data) < 2:
            raise typer.BadParameter(
                "coupling needs two or more tables and, with --systems, one name per table",
                param_hint="--systems",
            )
        target = {n: scores_table(p, value, node, units, unit, period)
                  for n, p in zip(names, data, strict=True)}
    elif method == "typology":
        target = dimension_table(data[0], units)
    else:
        if len(data) != 1:
            raise typer.BadParameter(f"{method} takes one table", param_hint="DATA")
        target = scores_table(data[0], value, node, units, unit, period)
    for note in getattr(target, "attrs", {}).get("notes", []):
        err.print(f"note: {note}", highlight=False, markup=False)
    with err.status(f"running {method} …"):
        res = run_analysis(method, target, **opts)
        files = write_result(res, stage.path, overwrite=True)
    out.print(table(res.summary(), title=f"{method}: summary"))
    stage.commit()
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(staged_names(files, stage)),
              markup=False)


def _points(path: Path, units: str):
    """Unit coordinates from a table unit, lon, lat; unit names resolved as the scores' are."""
    from ..panel.io import read_table
    from ..panel.names import resolve_units

    df = read_table(path)
    cols = {str(c).strip().lower(): c for c in df.columns}
    if units != "none" and "unit" in cols:
        names = df[cols["unit"]].astype(str).str.strip()
        match = resolve_units(list(names.unique()), kind=units, where=str(path))
        df = df[names.isin(match.mapping).to_numpy()]
        df = df.assign(**{cols["unit"]: names[names.isin(match.mapping)].map(match.mapping)})
    return df


def scores_table(path: Path, value: str | None, node: str | None, units: str,
                 unit: str | None = None, period: str | None = None):
    """A tidy unit, period, value table from a scores file; unit names resolved to ids.

    The unit and period columns are the ones given (--unit, --period) or guessed (地区,
    省份, 年份, year …).
    """
    import pandas as pd

    from ..analysis._input import values_frame
    from ..errors import DataError
    from ..panel.io import read_table
    from ..panel.names import resolve_units
    from .tfp import key_columns

    df = read_table(path)
    ucol, pcol = key_columns(df, unit, period)
    df = df.rename(columns={ucol: "unit", pcol: "period"})
    if value is None:
        value = "score" if "score" in df.columns else "value"
    if value not in df.columns:
        raise DataError(f"{path}: no value column {value!r}; name it with --value (the columns "
                        f"are {[str(c) for c in df.columns][:20]})")
    vf = values_frame(df, value=value, node=node)
    # a period in which every unit has the same value (the base period of a cumulative
    # index, all 1) carries nothing to analyse and breaks disparity measures: left out
    spread = vf.groupby("period")["value"].agg(lambda v: v.max() - v.min() if len(v) > 1
                                               else float("nan"))
    flat = [p for p, s in spread.items() if s == 0]
    notes = []
    if flat and len(flat) < len(spread):
        vf = vf[~vf["period"].isin(flat)].reset_index(drop=True)
        notes.append(f"period(s) {', '.join(str(p) for p in flat)} left out: every unit has "
                     "the same value there (the base period of a cumulative index?)")
    vf.attrs["notes"] = notes
    if units != "none":
        match = resolve_units(list(pd.unique(vf["unit"])), kind=units, where=str(path))
        vf = vf[vf["unit"].isin(match.mapping)].assign(unit=lambda d: d["unit"].map(match.mapping))
        vf.attrs["notes"] = notes
    return vf


def dimension_table(path: Path, units: str):
    """Dimension scores (wide) from scores.csv: the nodes of level 'dimension' and the index."""
    import pandas as pd

    from ..panel.io import read_table

    df = read_table(path)
    if "level" not in df.columns or "node" not in df.columns:
        from ..errors import DataError

        raise DataError(
            f"{path}: typology needs the scores.csv of nqpf index (columns node and level) "
            "to find the dimension scores"
        )
    df = df.assign(score=pd.to_numeric(df["score"], errors="coerce"))
    dims = df[df["level"] == "dimension"]
    wide = dims.pivot_table(index=["unit", "period"], columns="node", values="score").reset_index()
    idx = df[df["node"] == "index"][["unit", "period", "score"]].rename(columns={"score": "index"})
    wide["period"] = wide["period"].astype(str)
    idx["period"] = idx["period"].astype(str)
    return wide.merge(idx, on=["unit", "period"], how="left").rename_axis(columns=None)


def obstacle_index(data: list[Path], framework: str | None, recipe_file: Path | None, units: str):
    from ..index import Recipe, build_index

    if framework is None:
        raise typer.BadParameter(
            "obstacle needs the raw data and its framework (--framework) to rebuild the index",
            param_hint="--framework",
        )
    recipe = Recipe.from_file(recipe_file) if recipe_file is not None else Recipe()
    panel = read_data(data, "auto", None, None, None, None, None, None, units)
    return build_index(panel, framework, recipe, explain=True)


def register(app: typer.Typer) -> None:
    app.command()(analyze)
