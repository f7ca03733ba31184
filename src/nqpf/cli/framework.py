"""``nqpf framework list|show|check|diff``: built-in and user frameworks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .common import (
    LangOpt,
    check_lang,
    out,
    read_data,
    table,
)

framework_app = typer.Typer(
    help="Show, list, check and compare indicator frameworks.", no_args_is_help=True
)


def framework_list() -> None:
    """List the built-in frameworks."""
    import pandas as pd

    from ..framework import list_builtin, load_framework

    rows = []
    for name in list_builtin():
        fw = load_framework(name)
        rows.append((name, fw.name_zh, fw.name_en, len(fw.indicators)))
    out.print(table(pd.DataFrame(rows, columns=["name", "zh", "en", "indicators"])))


def framework_show(
    name: Annotated[str, typer.Argument(help="Built-in name, YAML file or flat table.")],
    lang: LangOpt = "zh",
) -> None:
    """Print a framework as a tree."""
    from ..framework import load_framework

    check_lang(lang)
    out.print(load_framework(name).render_tree(lang=lang), markup=False, highlight=False)


def framework_check(
    files: Annotated[
        list[Path],
        typer.Argument(help="Framework YAML file(s) or flat table(s); versions must not overlap."),
    ],
    data: Annotated[
        Path | None, typer.Option("--data", help="Also check that the data has every series.")
    ] = None,
) -> None:
    """Validate framework files: tree, targets, low/high, bands, weights, classes, cascades,
    and (given several versions of one framework) that their validity does not overlap."""
    from ..errors import FrameworkError
    from ..framework import check_versions, load_framework

    fws = []
    for file in files:
        if not file.exists():
            raise FrameworkError(f"{file}: no such file")
        fw = load_framework(file)
        fws.append(fw)
        dims = len(fw.dimensions)
        n_t = sum(i.target is not None for i in fw.indicators)
        valid = ""
        if fw.valid_from or fw.valid_to:
            valid = f", valid {fw.valid_from or 'open'} … {fw.valid_to or 'open'}"
        extra = f", extends {fw.extends}" if fw.extends else ""
        doc = f", {fw.document}" if fw.document else ""
        out.print(
            f"[green]OK[/green] {escape(str(file))}: {escape(fw.id)} version "
            f"{escape(fw.version)}{escape(valid + doc + extra)}; {dims} dimensions, "
            f"{len(fw.indicators)} indicators ({n_t} with targets), "
            f"{len(fw.class_ids)} classes"
        )
    if len(fws) > 1:
        check_versions(fws, [str(f) for f in files])
        out.print(f"[green]OK[/green] the validity of the {len(fws)} versions does not overlap")
    if data is not None:
        panel = read_data([data], "auto", None, None, None, None, None, None, "auto")
        for fw in fws:
            need = fw.required_series()
            missing = [s for s in need if s not in panel.indicators]
            if missing:
                raise FrameworkError(f"{data} lacks series {fw.id} needs: {missing}")
            out.print(f"[green]OK[/green] {escape(str(data))} holds all {len(need)} series")


def framework_diff(
    old: Annotated[str, typer.Argument(help="The earlier framework (name, YAML or table).")],
    new: Annotated[str, typer.Argument(help="The later framework.")],
    lang: LangOpt = "zh",
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the changes as a CSV table.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the CSV.")] = False,
) -> None:
    """List added and removed indicators and changed targets, weights and classes."""
    from ..errors import DataError
    from ..framework import diff, load_framework, render_diff
    from ..output import atomic_write

    check_lang(lang)
    a, b = load_framework(old), load_framework(new)
    out.print(render_diff(a, b, lang), markup=False, highlight=False)
    if csv is not None:
        if csv.exists() and not force:
            raise DataError(f"{csv} exists; pass --force to overwrite it")
        d = diff(a, b, lang)
        atomic_write(csv, lambda p: d.to_csv(p, index=False, encoding="utf-8-sig"))


def register(app: typer.Typer) -> None:
    framework_app.command("list")(framework_list)
    framework_app.command("show")(framework_show)
    framework_app.command("check")(framework_check)
    framework_app.command("diff")(framework_diff)
    app.add_typer(framework_app, name="framework")
