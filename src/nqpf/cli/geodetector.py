"""``nqpf geodetector``: the geographical detector of a variable on its candidate drivers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .common import (
    EncodingOpt,
    ForceOpt,
    LangOpt,
    SheetOpt,
    check_lang,
    err,
    out,
    read_tables,
    table,
)
from .common import split as split_list


def geodetector_cmd(
    data: Annotated[
        list[Path], typer.Argument(help="A table with the variable and its factors (one row each).")
    ],
    y: Annotated[str, typer.Option("--y", help="Column of the variable to explain.")],
    factors: Annotated[str, typer.Option(help="Columns of the factors, comma-separated.")],
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    categorical: Annotated[
        str | None,
        typer.Option(help="Factors whose values are strata as they are (zones, types)."),
    ] = None,
    discretisation: Annotated[
        str,
        typer.Option(
            help="opgd (best method and classes per factor), equal, quantile, natural, "
            "geometric or sd."
        ),
    ] = "opgd",
    k: Annotated[
        int, typer.Option("--k", help="Classes of every continuous factor (not with opgd).")
    ] = 5,
    k_min: Annotated[int, typer.Option(help="opgd: fewest classes tried.")] = 3,
    k_max: Annotated[int, typer.Option(help="opgd: most classes tried.")] = 8,
    alpha: Annotated[float, typer.Option(help="Significance level of the risk detector.")] = 0.05,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    lang: LangOpt = "en",
    force: ForceOpt = False,
) -> None:
    """Geographical detector: factor, interaction, risk and ecological detectors (OPGD)."""
    from ..analysis.geodetector import DISCRETISATIONS, geodetector
    from ..analysis.run import write_result
    from ..output import check_out_dir
    from ..output_staging import begin_output
    from ..report.fonts import effective_lang, figure_style, font_note

    check_lang(lang)
    if discretisation != "opgd" and discretisation not in DISCRETISATIONS:
        raise typer.BadParameter(
            f"unknown discretisation {discretisation!r}; use opgd or one of "
            f"{', '.join(DISCRETISATIONS)}",
            param_hint="--discretisation",
        )
    if k < 2:
        raise typer.BadParameter(f"{k}: at least 2 classes", param_hint="--k")
    if not 2 <= k_min <= k_max:
        raise typer.BadParameter(
            f"{k_min}..{k_max}: give 2 <= --k-min <= --k-max", param_hint="--k-min"
        )
    check_out_dir(out_dir, force)
    df = read_tables(data, encoding, sheet)
    names = split_list(factors) or []
    with err.status("running the geographical detector …"):
        res = geodetector(
            df,
            y,
            names,
            categorical=split_list(categorical) or (),
            discretisation=discretisation,
            k=k,
            ks=range(k_min, k_max + 1),
            alpha=alpha,
        )
        res.lang = effective_lang(lang)
        with figure_style(res.lang), begin_output(out_dir, force) as staged:
            files = write_result(res, staged, overwrite=True)
    if font_note(lang):
        err.print(f"note: {font_note(lang)}", highlight=False, markup=False)
    for note in res.notes:
        err.print(f"note: {note}", highlight=False, markup=False)
    out.print(table(res.summary(), title=f"Factor detector: {y}"))
    written = ", ".join(Path(f).name for f in files)
    out.print(f"Outputs in {escape(str(out_dir))}: {written}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("geodetector")(geodetector_cmd)
