"""``nqpf run STUDY --out DIR``: a whole study from one YAML file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on standard error; yields the ``progress(step, done, total)`` callback."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..cli import err

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("study", total=1)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"{step:<12}", completed=done, total=total)

        yield progress


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run_cmd(
        study: Annotated[Path, typer.Argument(help="The study file (YAML).")],
        out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
        lang: Annotated[
            str | None, typer.Option("--lang", help="Language of the report: zh or en.")
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Write into a non-empty folder, replacing nqpf's "
                               "files there.")
        ] = False,
        sets: Annotated[
            list[str] | None,
            typer.Option(
                "--set",
                help="KEY=VALUE: a variable of the study (data_dir=/path) or a setting "
                "(robustness.replications=256); repeat for several.",
            ),
        ] = None,
        quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    ) -> None:
        """Run a study: tables, figures, an HTML report and a manifest in one folder."""
        from rich.markup import escape

        from ..cli import _check_lang, err, out
        from ..output import check_out_dir
        from ..study.load import load_study
        from ..study.runner import run_study

        if lang is not None:
            _check_lang(lang)
        spec = load_study(study, sets or [])
        check_out_dir(out_dir, force)
        if quiet:
            res = run_study(spec, out_dir, lang=lang, force=force)
        else:
            with progress_bar() as progress:
                res = run_study(spec, out_dir, lang=lang, force=force, progress=progress)
        for line in res.lines:
            out.print(line, markup=False, highlight=False)
        for note in res.output.sections[0].notes if res.output.sections else []:
            err.print(f"note: {escape(note)}", highlight=False)
        d = res.out_dir
        out.print(f"Report:   [bold]{escape(str(d / 'report.html'))}[/bold]", highlight=False)
        out.print(f"Tables:   {escape(str(d / 'tables.xlsx'))} and {escape(str(d / 'tables'))}/",
                  highlight=False)
        out.print(f"Figures:  {escape(str(d / 'figures'))}/", highlight=False)
        out.print(f"Manifest: {escape(str(d / 'manifest.json'))}", highlight=False)
