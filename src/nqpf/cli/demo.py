"""``nqpf demo``: the bundled demo study on the Penn World Table extract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .common import (
    ForceOpt,
    LangOpt,
    check_lang,
    out,
    table,
)


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")] = Path("nqpf-demo"),
    force: ForceOpt = False,
    lang: LangOpt = "en",
    top: Annotated[int, typer.Option(help="Rows of the ranking to print.")] = 10,
) -> None:
    """Run the main job on the bundled real data (Penn World Table 9.1)."""
    from ..demo import run_demo
    from .common import progress_bar

    check_lang(lang)
    with progress_bar() as progress:
        res = run_demo(out_dir, force=force, lang=lang, progress=progress)
    from ..report.vocab import label

    for line in res.lines:
        out.print(line, markup=False)
    shown = res.ranking.head(top)
    shown = shown.rename(columns={c: label(c, lang) for c in shown.columns})
    out.print(table(shown, title=res.ranking_title))
    where = "输出目录" if lang == "zh" else "Outputs in"
    out.print(f"{where} [bold]{escape(str(res.out_dir))}[/bold]: "
              + escape(", ".join(sorted(res.files))))


def register(app: typer.Typer) -> None:
    app.command()(demo)
