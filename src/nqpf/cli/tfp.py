"""``nqpf tfp``: DEA efficiency and productivity indices (Malmquist, ML, GML, Luenberger),
metafrontier technology gap ratios (``--groups``) and bootstrap intervals (``--bootstrap``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import DataError
from .common import err, out, read_data, read_tables, split, staged_names, table

INDEX_CHOICES = ("none", "malmquist", "ml", "gml", "luenberger")


def _resolve_units(data: Any, unit: str, units: str) -> Any:
    """Unit names resolved to canonical ids (provinces, countries); aggregates left out."""
    if units == "none":
        return data
    if units not in ("auto", "province", "country"):
        raise DataError(f"unknown --units {units!r}; use province, country, auto or none")
    from ..panel.core import Panel
    from ..panel.names import resolve_units

    if isinstance(data, Panel):
        match = resolve_units(list(data.units), kind=units, where="panel units")
        keep = [u for u in data.units if u in match.mapping]
        return data.sel(units=keep).rename_units(dict(match.mapping))
    if unit not in data.columns:
        raise DataError(f"the table has no unit column {unit!r}; name it with --unit")
    match = resolve_units(data[unit], kind=units, where=f"column {unit!r}")
    keep = data[unit].isin(list(match.mapping)).to_numpy()
    return data.loc[keep].assign(**{unit: data.loc[keep, unit].map(match.mapping)})


def _direction(text: str | None) -> Any:
    """``--direction``: a name (output, proportional, input) or comma-separated numbers."""
    if text is None:
        return None
    t = text.strip().lower()
    if t in ("output", "proportional", "input"):
        return t
    try:
        return [float(v) for v in t.split(",")]
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r}: use output, proportional, input or numbers such as -1,-1,1,-1 "
            "(one per input, output and bad output)", param_hint="--direction") from exc


def _numbers(text: str | None, hint: str) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",")]
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: give comma-separated numbers",
                                 param_hint=hint) from exc


def _groups(frame: Any, groups: str, unit_col: str) -> Any:
    """A built-in grouping, a CSV with columns unit, group, or a column of the data."""
    import pandas as pd

    if isinstance(frame, pd.DataFrame) and groups in frame.columns:
        return groups
    from ..analysis._input import groups_for
    from ..panel.core import Panel

    units = frame.units if isinstance(frame, Panel) else frame[unit_col].astype(str).unique()
    try:
        return groups_for(units, groups, lang="zh")
    except DataError as exc:
        raise DataError(f"{exc}; --groups also takes a column of the data") from exc


def _metafrontier(frame: Any, ins: list[str], outs: list[str], bads: list[str] | None,
                  groups: Any, idx: str, frontier: str, common: dict[str, Any],
                  orientation: str | None) -> list[tuple[str, Any, list[str], str]]:
    """Group and meta efficiency (and the metafrontier index): (file, table, warnings,
    title) for each output."""
    from ..efficiency.dea.metafrontier import metafrontier, metafrontier_productivity

    kw = {k: common[k] for k in ("unit", "period", "model", "rts", "direction", "weights",
                                 "bad_disposal")}
    mf = metafrontier(frame, ins, outs, bads, groups=groups, orientation=orientation,
                      frontier=frontier, window=common["window"], **kw)
    res = [("metafrontier.csv", mf.efficiency, mf.warnings, mf.summary(),
            f"Metafrontier: mean TGR by group ({frontier})")]
    if idx != "none":
        mp = metafrontier_productivity(frame, ins, outs, bads, groups=groups,
                                       orientation=orientation, **kw)
        res.append(("metafrontier_index.csv", mp.index, mp.warnings, mp.summary(),
                    f"{mp.params['index']}: EC x BPC x TGC"))
    return [(f, t, w, title) for f, t, w, _, title in res] + [
        (f.replace(".csv", "_summary.csv"), s, [], title) for f, _, _, s, title in res]


def key_columns(frame: Any, unit: str | None, period: str | None) -> tuple[str, str]:
    """The unit and period columns of a table: as given (--unit, --period) or guessed."""
    from ..panel.core import Panel
    from ..panel.io import guess_column

    if isinstance(frame, Panel):
        return unit or "unit", period or "period"
    cols = list(frame.columns)
    found = []
    for role, given, flag in (("unit", unit, "--unit"), ("period", period, "--period")):
        col = guess_column(cols, role, given, taken=found)
        if col is None:
            what = f"no column {given!r}" if given else f"cannot tell which column holds the {role}"
            raise DataError(f"{what}; the columns are {[str(c) for c in cols][:20]}; name it "
                            f"with {flag}")
        found.append(col)
    return str(found[0]), str(found[1])


def register(app: typer.Typer) -> None:
    @app.command("tfp")
    def tfp(
        data: Annotated[
            list[Path],
            typer.Argument(help="Data: CSV, Excel, Parquet, Stata .dta, or a data pack folder."),
        ],
        inputs: Annotated[str, typer.Option(help="Input columns, comma-separated (K,L,E).")],
        outputs: Annotated[str, typer.Option(help="Desirable output column(s).")],
        out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
        bad: Annotated[
            str | None, typer.Option(help="Undesirable output column(s), e.g. CO2.")
        ] = None,
        model: Annotated[
            str,
            typer.Option(help="sbm, super-sbm, ccr, bcc, super-radial, fdh, ddf or nddf."),
        ] = "sbm",
        rts: Annotated[
            str | None, typer.Option(help="crs, vrs, nirs or ndrs (bcc implies vrs).")
        ] = None,
        orientation: Annotated[
            str | None, typer.Option(help="in, out or none (radial default: out).")
        ] = None,
        frontier: Annotated[
            str | None,
            typer.Option(
                help="global, contemporaneous, sequential, window or biennial "
                "(default: global for gml and for efficiency alone, else contemporaneous)."
            ),
        ] = None,
        window: Annotated[int | None, typer.Option(help="Periods in a window frontier.")] = None,
        index: Annotated[
            str, typer.Option(help="none, malmquist, ml, gml or luenberger.")
        ] = "none",
        direction: Annotated[
            str | None,
            typer.Option(help="DDF/NDDF direction: output (0,y,-b), proportional (-x,y,-b), "
                         "input, or numbers per input, output and bad output."),
        ] = None,
        weights: Annotated[
            str | None,
            typer.Option(help="NDDF weights per input, output and bad output, used as given."),
        ] = None,
        normalise_weights: Annotated[
            bool, typer.Option("--normalise-weights", help="Divide NDDF weights by their sum.")
        ] = False,
        bad_disposal: Annotated[
            str, typer.Option(help="DDF/NDDF bad outputs: weak (=) or free (<=).")
        ] = "weak",
        nondiscretionary: Annotated[
            str | None,
            typer.Option(help="Radial models: non-discretionary input column(s), e.g. land."),
        ] = None,
        groups: Annotated[
            str | None,
            typer.Option(help="Metafrontier groups: cn-four-regions, cn-three-belts, a CSV "
                         "with columns unit, group, or a column of the data."),
        ] = None,
        bootstrap: Annotated[
            int | None,
            typer.Option(help="Simar-Wilson bootstrap replicates (radial models), e.g. 2000."),
        ] = None,
        seed: Annotated[int | None, typer.Option(help="Seed of the bootstrap.")] = None,
        unit_col: Annotated[
            str | None, typer.Option("--unit", help="Column of units (default: guessed, as "
                                     "unit, region, 地区, 省份 …).")
        ] = None,
        period_col: Annotated[
            str | None, typer.Option("--period", help="Column of periods (default: guessed, as "
                                     "period, year, 年份 …).")
        ] = None,
        units: Annotated[
            str, typer.Option("--units", help="Resolve unit names: province, country or none.")
        ] = "none",
        no_reduce: Annotated[
            bool, typer.Option("--no-reduce", help="Solve against the full reference sets.")
        ] = False,
        dask: Annotated[
            str | None, typer.Option(help="Run the programmes with Dask: threads or processes.")
        ] = None,
        encoding: Annotated[str | None, typer.Option(help="Text encoding of CSV files.")] = None,
        sheet: Annotated[str | None, typer.Option(help="Excel sheet name or number.")] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite existing output.")] = False,
    ) -> None:
        """DEA efficiency (SBM, super-SBM, CCR/BCC, DDF, NDDF) and productivity indices."""
        from rich.markup import escape
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        from ..efficiency.dea.api import dea
        from ..efficiency.dea.productivity import productivity
        from ..output_staging import begin_output

        if bootstrap is not None and bootstrap < 10:
            raise typer.BadParameter("give at least 10 replicates", param_hint="--bootstrap")
        if nondiscretionary is not None and index.strip().lower() != "none":
            raise typer.BadParameter("non-discretionary inputs are for efficiency scores; "
                                     "leave out --index", param_hint="--nondiscretionary")
        if seed is not None and bootstrap is None:
            raise typer.BadParameter("--seed is for --bootstrap", param_hint="--seed")
        idx = index.strip().lower()
        if idx not in INDEX_CHOICES:
            raise typer.BadParameter(
                f"unknown index {index!r}; use {', '.join(INDEX_CHOICES)}", param_hint="--index"
            )
        if dask is not None and dask not in ("threads", "processes"):
            raise typer.BadParameter("use threads or processes", param_hint="--dask")
        stage = begin_output(out_dir, force)
        ins, outs, bads = split(inputs) or [], split(outputs) or [], split(bad)
        if any(p.is_dir() for p in data):  # data pack(s): read as a panel
            frame = read_data(data, "auto", None, None, None, None, encoding, sheet, "none")
        else:
            frame = read_tables(data, encoding, sheet)
        unit_col, period_col = key_columns(frame, unit_col, period_col)
        frame = _resolve_units(frame, unit_col, units)
        orient = None if orientation is None else orientation.strip().lower()
        dea_orient = orient
        if orient in (None, "none"):  # radial: output, as productivity() defaults
            radial = ("ccr", "bcc", "radial", "super-radial", "fdh")
            dea_orient = "output" if model.lower() in radial else None
        eff_frontier = frontier or ("global" if idx in ("none", "gml") else "contemporaneous")

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("efficiency", total=None)

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            common = dict(
                unit=unit_col,
                period=period_col,
                model=model,
                rts=rts,
                window=window,
                reduce=not no_reduce,
                dask=dask,
                progress=tick,
                direction=_direction(direction),
                weights=_numbers(weights, "--weights"),
                normalise_weights=normalise_weights,
                bad_disposal=bad_disposal,
            )
            res = dea(
                frame, ins, outs, bads, orientation=dea_orient, frontier=eff_frontier,
                nondiscretionary=split(nondiscretionary), **common
            )
            prod = None
            if idx != "none":
                task = bar.add_task(f"{idx} index", total=None)
                prod = productivity(
                    frame,
                    ins,
                    outs,
                    bads,
                    index=idx,
                    orientation=orient,
                    frontier=frontier,
                    **common,
                )
            extras = []
            if groups is not None:
                bar.add_task("metafrontier", total=None)
                extras += _metafrontier(frame, ins, outs, bads, _groups(frame, groups, unit_col),
                                        idx, eff_frontier, common, dea_orient)
            if bootstrap is not None:
                task = bar.add_task("bootstrap", total=None)
                from ..efficiency.dea.bootstrap import bootstrap as sw_bootstrap

                bfr = eff_frontier if eff_frontier in ("global", "contemporaneous") else None
                if bfr is None:
                    raise DataError("the bootstrap takes --frontier global or contemporaneous")
                boot = sw_bootstrap(frame, ins, outs, unit=unit_col, period=period_col,
                                    model=model, rts=rts, orientation=dea_orient, frontier=bfr,
                                    B=bootstrap, seed=seed, progress=tick)
                extras.append(("bootstrap.csv", boot.efficiency, boot.warnings,
                               f"Simar-Wilson bootstrap (B={bootstrap}, seed={seed})"))
        files = list(res.write(stage.path, overwrite=True))
        if prod is not None:
            files += prod.write(stage.path, overwrite=True)
        for name, df, _, _ in extras:
            df.to_csv(stage.path / name, index=False, encoding="utf-8-sig")
            files.append(name)
        warns = [*res.warnings, *(prod.warnings if prod is not None else [])]
        for w in warns + [w for e in extras for w in e[2]]:
            err.print(f"warning: {w}", highlight=False, markup=False)
        out.print(table(res.summary(), title=f"DEA efficiency ({model}, {eff_frontier})"))
        if prod is not None:
            out.print(table(prod.summary(), title=f"Productivity index ({idx}, {model})"))
        for name, df, _, title in extras:  # summaries on screen, full tables in files
            if name == "bootstrap.csv":
                df = df.groupby("period", sort=True)[["efficiency", "efficiency_bc", "lower",
                                                      "upper"]].mean().reset_index()
            elif not name.endswith("_summary.csv"):
                continue
            out.print(table(df, title=title))
        stage.commit()
        written = ", ".join(Path(f).name for f in staged_names(files, stage))
        out.print(f"Outputs in {escape(str(out_dir))}: {written}", markup=False)
