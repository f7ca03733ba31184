"""``nqpf tfp``: DEA efficiency and productivity indices (Malmquist, ML, GML, Luenberger)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import DataError
from .common import err, out, read_data, read_tables, split, table

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
        model: Annotated[str, typer.Option(help="sbm, super-sbm, ccr, bcc, ddf or nddf.")] = "sbm",
        rts: Annotated[str | None, typer.Option(help="crs or vrs (bcc implies vrs).")] = None,
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
        from ..output import check_out_dir

        idx = index.strip().lower()
        if idx not in INDEX_CHOICES:
            raise typer.BadParameter(
                f"unknown index {index!r}; use {', '.join(INDEX_CHOICES)}", param_hint="--index"
            )
        if dask is not None and dask not in ("threads", "processes"):
            raise typer.BadParameter("use threads or processes", param_hint="--dask")
        check_out_dir(out_dir, force)
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
            dea_orient = "output" if model.lower() in ("ccr", "bcc") else None
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
            )
            res = dea(
                frame, ins, outs, bads, orientation=dea_orient, frontier=eff_frontier, **common
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
        files = list(res.write(out_dir, overwrite=force))
        if prod is not None:
            files += prod.write(out_dir, overwrite=force)
        for w in [*res.warnings, *(prod.warnings if prod is not None else [])]:
            err.print(f"warning: {w}", highlight=False, markup=False)
        out.print(table(res.summary(), title=f"DEA efficiency ({model}, {eff_frontier})"))
        if prod is not None:
            out.print(table(prod.summary(), title=f"Productivity index ({idx}, {model})"))
        out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(map(str, files)),
                  markup=False)  # fmt: skip
