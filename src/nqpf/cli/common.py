"""What the commands of ``nqpf`` share: the consoles, the data options, readers and tables.

Nothing here imports pandas or a method package at module level, so that ``nqpf --help``
stays fast; the readers import what they need when called.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

out = Console()
err = Console(stderr=True)

#: The usage-error base class of the click that typer runs on. Typer >= 0.20 carries its
#: own copy of click (``typer._click``) and does not depend on the click package; older
#: typer re-exports click's classes. Taking the class from typer's own ``BadParameter``
#: works with both, without importing click.
ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)

# ---------------------------------------------------------------------- shared options
DataArg = Annotated[
    list[Path], typer.Argument(help="Data file(s): CSV, Excel, Parquet or Stata .dta.")
]
LayoutOpt = Annotated[
    str,
    typer.Option(
        help="Table layout: auto, long, wide or yearbook (one Excel sheet per indicator)."
    ),
]
UnitOpt = Annotated[str | None, typer.Option("--unit", help="Column holding unit names.")]
PeriodOpt = Annotated[str | None, typer.Option("--period", help="Column holding periods (years).")]
IndicatorOpt = Annotated[
    str | None, typer.Option("--indicator", help="Column holding indicator names (long layout).")
]
ValueOpt = Annotated[
    str | None, typer.Option("--value", help="Column holding values (long layout).")
]
EncodingOpt = Annotated[
    str | None, typer.Option(help="Text encoding of CSV or old .dta files (detected when omitted).")
]
SheetOpt = Annotated[
    str | None, typer.Option(help="Excel sheet name or number; '*' for all sheets.")
]
UnitsOpt = Annotated[
    str, typer.Option("--units", help="Resolve unit names as: auto, province, country or none.")
]
DuplicatesOpt = Annotated[
    str,
    typer.Option(
        "--duplicates",
        help="Rows sharing a unit, period and indicator: error (default), first, last or mean.",
    ),
]
FrameworkOpt = Annotated[
    str, typer.Option("--framework", "-f", help="Built-in framework name, YAML file or flat table.")
]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of labels: zh or en.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite existing output.")]
NonNumericOpt = Annotated[
    str,
    typer.Option(
        "--non-numeric",
        help="Cells that are not numbers (inf, TRUE, #DIV/0!, text): error (default, naming "
        "them) or missing (read as missing, counted).",
    ),
]
ParensOpt = Annotated[
    bool,
    typer.Option("--parentheses-negative", help="Read accounting negatives (123) as -123."),
]


# ---------------------------------------------------------------------- readers
def sheet_index(sheet: str | None) -> str | int | None:
    """An Excel sheet given on the command line: a number means its position."""
    return int(sheet) if sheet is not None and sheet.isdigit() else sheet


def read_data(
    data, layout, unit, period, indicator, value, encoding, sheet, units, duplicates="error",
    non_numeric="error", parentheses_negative=False, progress=None,
):
    """Read data files or data pack folders into one panel; print what was converted.

    Cells that are not numbers are an error naming them unless ``non_numeric`` is
    ``"missing"``; the conversions made (万, 亿, %, (123), cells read as missing) are
    counted in a note on standard error.
    """
    from ..sources.pack import load_data as read_panel

    if non_numeric not in ("error", "missing"):
        raise typer.BadParameter(
            f"unknown value {non_numeric!r}; use error or missing", param_hint="--non-numeric"
        )
    src = [str(p) for p in data]
    panel = read_panel(
        src if len(src) > 1 else src[0],
        layout=layout,
        unit=unit,
        period=period,
        indicator=indicator,
        value=value,
        encoding=encoding,
        sheet=sheet_index(sheet),
        units=units,
        duplicates=duplicates,
        non_numeric=non_numeric,
        parentheses_negative=parentheses_negative,
        progress=progress,
    )
    note_conversions(panel)
    return panel


def note_conversions(panel) -> None:
    """One note per kind of conversion that changed what the file says."""
    rep = panel.conversions
    for m, n in sorted(rep.multipliers.items()):
        err.print(f"note: {n} cell(s) written with {m} were multiplied out", markup=False)
    for ind, n in sorted(rep.percent.items()):
        err.print(f"note: {n} cell(s) of {ind} written with % are read as percent "
                  "(12.5% -> 12.5)", markup=False)
    if rep.parentheses_negative:
        err.print(f"note: {rep.parentheses_negative} cell(s) such as (123) read as -123",
                  markup=False)
    if rep.non_numeric:
        shown = ", ".join(repr(e.get("raw")) for e in rep.non_numeric[:5])
        err.print(f"note: {len(rep.non_numeric)} cell(s) that are not numbers are read as "
                  f"missing (--non-numeric missing), e.g. {shown}", markup=False)


def read_tables(data: list[Path], encoding: str | None = None, sheet: str | None = None):
    """Plain tables (not panels) from one or more files, stacked."""
    import pandas as pd

    from ..panel.io import read_table

    frames = [read_table(p, encoding=encoding, sheet=sheet_index(sheet)) for p in data]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def staged_names(files, stage) -> list[str]:
    """Files written into a staging folder, named as they are in the output folder."""
    root = str(stage.path)
    return [str(f)[len(root) + 1:] if str(f).startswith(root + os.sep) else str(f) for f in files]


def split(text: str | None) -> list[str] | None:
    """A comma-separated option as a list (None when not given)."""
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise typer.BadParameter(f"unknown language {lang!r}; use zh or en", param_hint="--lang")
    return lang


# ---------------------------------------------------------------------- console output
def table(df, title: str | None = None, max_rows: int = 40) -> Table:
    """A data frame as a rich table (first ``max_rows`` rows, the rest counted)."""
    # cells are Text, not markup: names and messages from the data may hold "[...]"
    t = Table(title=Text(title) if title is not None else None, show_lines=False)
    for c in df.columns:
        t.add_column(Text(str(c)))
    for row in df.head(max_rows).itertuples(index=False):
        t.add_row(*[Text(fmt(v)) for v in row])
    if len(df) > max_rows:
        t.caption = f"… {len(df) - max_rows} more rows"
    return t


def fmt(v) -> str:
    if isinstance(v, float):
        return "" if v != v else f"{v:,.4g}"
    return "" if v is None else str(v)


def write_source_panel(panel, out_file: Path, force: bool) -> None:
    """Write a panel read from public statistics, with its notes and source."""
    from ..panel.io import write_panel

    path = write_panel(panel, out_file, overwrite=force)
    for note in panel.meta.get("notes") or []:
        err.print(f"note: {note}", highlight=False, markup=False)
    out.print(f"{panel!r}", markup=False)
    src = panel.meta.get("citation") or panel.meta.get("source")
    if src:
        out.print(f"Source: {src}", markup=False)
    out.print(f"Written to {path}", markup=False)


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on standard error; yields the ``progress(step, done, total)`` callback."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=1)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"{step:<12}", completed=done, total=total)

        yield progress
