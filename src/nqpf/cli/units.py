"""``nqpf units``: how names resolve to provinces or countries."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    LangOpt,
    check_lang,
    out,
    table,
)


def units(
    names: Annotated[list[str], typer.Argument(help="Unit names as written in your data.")],
    kind: Annotated[str, typer.Option(help="auto, province or country.")] = "auto",
    lang: LangOpt = "zh",
) -> None:
    """Show how unit names resolve to provinces (ISO 3166-2) or countries (ISO3)."""
    from ..datasets.reference import unit_label
    from ..panel.names import resolve_units

    check_lang(lang)
    m = resolve_units(names, kind=kind)
    import pandas as pd

    rows = [
        (
            n,
            m.mapping.get(n, "(aggregate, left out)"),
            unit_label(m.mapping[n], lang) if n in m.mapping else "",
        )
        for n in names
    ]
    out.print(table(pd.DataFrame(rows, columns=["name", "id", "label"]), title=f"Units ({m.kind})"))


def register(app: typer.Typer) -> None:
    app.command()(units)
