"""``nqpf run STUDY --out DIR``: a whole study from one YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import check_lang, err, out, progress_bar


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run_cmd(
        study: Annotated[Path, typer.Argument(help="The study file (YAML).")],
        out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
        lang: Annotated[
            str | None, typer.Option("--lang", help="Language of the report: zh or en.")
        ] = None,
        force: Annotated[
            bool,
            typer.Option(
                "--force", help="Write into a non-empty folder, replacing nqpf's files there."
            ),
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

        from ..output import check_out_dir
        from ..study.load import load_study
        from ..study.runner import run_study

        if lang is not None:
            check_lang(lang)
        spec = load_study(study, sets or [])
        check_out_dir(out_dir, force)
        if quiet:
            res = run_study(spec, out_dir, lang=lang, force=force)
        else:
            with progress_bar() as progress:
                res = run_study(spec, out_dir, lang=lang, force=force, progress=progress)
        for line in res.lines:
            out.print(line, markup=False, highlight=False)
        head = "注意" if res.output.lang == "zh" else "note"
        for note in res.notes:
            err.print(f"{head}: {escape(note)}", highlight=False)
        for line in res.closing:
            out.print(line, markup=False, highlight=False)
