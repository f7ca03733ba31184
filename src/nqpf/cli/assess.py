"""``nqpf assess``: the office assessment (targets, scores, grades, fixed-base index, diagnosis)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    DataArg,
    DuplicatesOpt,
    EncodingOpt,
    ForceOpt,
    FrameworkOpt,
    IndicatorOpt,
    LayoutOpt,
    SheetOpt,
    UnitOpt,
    UnitsOpt,
    ValueOpt,
    check_lang,
    out,
    read_data,
    split,
    table,
)


def _grades(text: str | None) -> list[tuple[str, float]] | None:
    """``优秀:90,良好:80,一般:60,较差:0``: labels and thresholds, best first (with
    ``--grade-method quantiles`` only the labels count)."""
    if not text:
        return None
    grades = []
    for part in split(text) or []:
        label, colon, thr = part.replace("：", ":").partition(":")
        try:
            if not colon or not label.strip():
                raise ValueError(part)
            grades.append((label.strip(), float(thr)))
        except ValueError:
            raise typer.BadParameter(
                f"{part!r}: write label:threshold, e.g. 优秀:90,良好:80,一般:60,较差:0",
                param_hint="--grades",
            ) from None
    return grades


def assess(
    data: DataArg,
    framework: FrameworkOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")],
    period: Annotated[
        list[str] | None,
        typer.Option("--period", help="Period to assess (repeat for several; default all)."),
    ] = None,
    classes: Annotated[
        Path | None,
        typer.Option("--classes", help="Table of units and their classes (unit, class)."),
    ] = None,
    base_year: Annotated[
        str | None, typer.Option("--base-year", help="Base of the fixed-base index (= 100).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the workbook: zh or en.")] = "zh",
    rule: Annotated[
        str, typer.Option(help="Scoring rule: attainment, efficacy or banded.")
    ] = "attainment",
    cap: Annotated[float, typer.Option(help="Cap of the attainment ratio (e.g. 1.2).")] = 1.0,
    level_weight: Annotated[
        float, typer.Option(help="Weight of the level score; progress gets the rest.")
    ] = 0.7,
    progress_from: Annotated[
        str, typer.Option(help="Reference of progress: previous or base (--base-year).")
    ] = "previous",
    grades: Annotated[
        str | None,
        typer.Option(help="Grades best first, label:threshold (优秀:90,良好:80,一般:60,较差:0)."),
    ] = None,
    grade_method: Annotated[
        str, typer.Option(help="thresholds, or quantiles (equal shares of units).")
    ] = "thresholds",
    efficacy_range: Annotated[
        str, typer.Option(help="Efficacy low/high from the framework, or from the sample.")
    ] = "framework",
    unclassed: Annotated[
        str, typer.Option(help="A unit without a class: error, or base (framework targets).")
    ] = "error",
    missing_target: Annotated[
        str, typer.Option(help="An indicator without target: error, or best (best value).")
    ] = "error",
    chained: Annotated[bool, typer.Option(help="Chained instead of fixed-base index.")] = False,
    fixed_base: Annotated[
        bool, typer.Option("--fixed-base/--no-fixed-base", help="Compute the fixed-base index.")
    ] = True,
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period_col: Annotated[
        str | None, typer.Option("--period-col", help="Column holding periods (years).")
    ] = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    duplicates: DuplicatesOpt = "error",
    force: ForceOpt = False,
) -> None:
    """Assess units against a framework's targets: scores, grades, ranks, fixed-base index,
    diagnosis; writes assessment.csv, indicator_scores.csv, fixed_base.csv, diagnosis.csv and
    assessment.xlsx into --out."""
    from ..assess import assess as run
    from ..output import check_out_dir
    from ..output_staging import begin_output

    check_lang(lang)
    check_out_dir(out_dir, force)
    panel = read_data(data, layout, unit, period_col, indicator, value, encoding, sheet, units,
                      duplicates)
    res = run(
        panel, framework, classes=classes, period=period or None, base_year=base_year,
        rule=rule, cap=cap, level_weight=level_weight, progress_from=progress_from,
        grades=_grades(grades), grade_method=grade_method, efficacy_range=efficacy_range,
        unclassed=unclassed, missing_target=missing_target, fixed_base=fixed_base,
        chained=chained, lang=lang,
    )
    with begin_output(out_dir, force) as staged:  # all files or none, under a lock
        files = res.write(staged, lang=lang, force=True)
    out.print(res.summary(lang), markup=False, highlight=False)
    last = res.totals(None if not period else period[-1]).head(15)
    cols = ["unit", "class", "total_score", "grade", "rank", "rank_in_class"]
    out.print(table(last[cols].round(2)))
    out.print(f"Written to {out_dir}: " + ", ".join(p.name for p in files), markup=False)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
