"""``nqpf framework list|show|check``: built-in and user frameworks."""

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

framework_app = typer.Typer(help="Show, list and check indicator frameworks.", no_args_is_help=True)


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
    file: Annotated[Path, typer.Argument(help="A framework YAML file or flat table.")],
    data: Annotated[
        Path | None, typer.Option("--data", help="Also check that the data has every series.")
    ] = None,
) -> None:
    """Validate a framework file (and, with --data, that the data holds what it needs)."""
    from ..framework import load_framework

    if not file.exists():
        from ..errors import FrameworkError

        raise FrameworkError(f"{file}: no such file")
    fw = load_framework(file)
    dims = len(fw.dimensions)
    out.print(
        f"[green]OK[/green] {escape(str(file))}: {escape(fw.id)}, {dims} dimensions, "
        f"{len(fw.indicators)} indicators"
    )
    if data is not None:
        panel = read_data([data], "auto", None, None, None, None, None, None, "auto")
        need = fw.required_series()
        missing = [s for s in need if s not in panel.indicators]
        if missing:
            from ..errors import FrameworkError

            raise FrameworkError(f"{data} lacks series the framework needs: {missing}")
        out.print(f"[green]OK[/green] {escape(str(data))} holds all {len(need)} series")


def register(app: typer.Typer) -> None:
    framework_app.command("list")(framework_list)
    framework_app.command("show")(framework_show)
    framework_app.command("check")(framework_check)
    app.add_typer(framework_app, name="framework")
