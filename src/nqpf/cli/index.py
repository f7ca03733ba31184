"""``nqpf index``: a composite index over the framework tree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .common import (
    DataArg,
    DuplicatesOpt,
    EncodingOpt,
    ForceOpt,
    FrameworkOpt,
    IndicatorOpt,
    LangOpt,
    LayoutOpt,
    NonNumericOpt,
    ParensOpt,
    PeriodOpt,
    SheetOpt,
    UnitOpt,
    UnitsOpt,
    ValueOpt,
    check_lang,
    err,
    out,
    progress_bar,
    read_data,
    table,
)


def index_cmd(
    data: DataArg,
    framework: FrameworkOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    recipe_file: Annotated[
        Path | None,
        typer.Option(
            "--recipe", help="YAML or JSON file of recipe settings (options below override)."
        ),
    ] = None,
    normalise: Annotated[
        str | None,
        typer.Option(
            help="minmax (default), zscore, goalpost, target, rank, percentile, log, vector, "
            "borda, fracmax, dist2max, dist2ref."
        ),
    ] = None,
    weights: Annotated[
        str | None,
        typer.Option(
            help="entropy (default), equal, expert, critic, cv, sd, pca, ahp, independence, "
            "factor, fahp, or a+b."
        ),
    ] = None,
    aggregate: Annotated[
        str | None,
        typer.Option(
            help="sum (default), geometric, harmonic, generalised, topsis, gra, vikor, mpi, "
            "copeland."
        ),
    ] = None,
    panel_mode: Annotated[
        str | None, typer.Option("--panel", help="pooled (default), per-period or base-year.")
    ] = None,
    base_period: Annotated[
        int | None, typer.Option(help="Base period for --panel base-year.")
    ] = None,
    structure: Annotated[str | None, typer.Option(help="flat (default) or hierarchical.")] = None,
    level: Annotated[
        list[str] | None,
        typer.Option(help="Per-level method, e.g. 'index:aggregate=geometric' (repeatable)."),
    ] = None,
    shift: Annotated[
        str | None, typer.Option(help="Shift after min-max: add:0.0001, rescale:A,B or affine:A,B.")
    ] = None,
    combine: Annotated[
        str | None, typer.Option(help="linear (default), multiplicative or game.")
    ] = None,
    impute_method: Annotated[
        str | None,
        typer.Option("--impute", help="Fill gaps first (e.g. linear or linear+nearest)."),
    ] = None,
    treat: Annotated[
        bool,
        typer.Option(
            "--treat",
            help="Treat outliers first (|skew| > 2 and kurtosis > 3.5: winsorise, else log).",
        ),
    ] = False,
    winmax: Annotated[
        int | None, typer.Option(help="Most points winsorised per indicator (implies --treat).")
    ] = None,
    treat_transform: Annotated[
        str | None,
        typer.Option(
            "--treat-transform",
            help="log_CT (default), log_CT_plus, boxcox or none (implies --treat).",
        ),
    ] = None,
    screen: Annotated[
        float | None,
        typer.Option(
            help="Drop units with less than this share of indicators observed in a year "
            "(e.g. 0.66)."
        ),
    ] = None,
    profile: Annotated[
        bool,
        typer.Option(
            "--profile",
            help="Also write strengths and weaknesses per unit, the outranking matrix and the "
            "framework sunburst.",
        ),
    ] = False,
    compare: Annotated[
        list[Path] | None,
        typer.Option(
            "--compare",
            help="Another recipe (YAML/JSON) to build and rank side by side (repeatable).",
        ),
    ] = None,
    explain: Annotated[bool, typer.Option(help="Write every intermediate table.")] = False,
    audit: Annotated[bool, typer.Option(help="Also write the statistical audit.")] = False,
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    duplicates: DuplicatesOpt = "error",
    lang: LangOpt = "zh",
    top: Annotated[int, typer.Option(help="Rows of the ranking to print.")] = 10,
    force: ForceOpt = False,
    non_numeric: NonNumericOpt = "error",
    parentheses_negative: ParensOpt = False,
) -> None:
    """Build a composite index: normalise, weight and aggregate over the framework tree."""
    import pandas as pd

    from ..datasets.reference import unit_label
    from ..framework import load_framework
    from ..index import Recipe, build_index
    from ..index.audit import audit as run_audit
    from ..output_staging import begin_output

    check_lang(lang)
    base = Recipe.from_file(recipe_file) if recipe_file is not None else Recipe()
    given = {
        "normalise": normalise,
        "weights": weights,
        "aggregate": aggregate,
        "panel_mode": panel_mode,
        "base_period": base_period,
        "structure": structure,
        "levels": parse_levels(level) if level else None,
        "shift": parse_shift(shift),
        "combine": combine,
    }
    if treat or winmax is not None or treat_transform is not None:
        spec = dict(base.treat or {})
        if winmax is not None:
            spec["winmax"] = winmax
        if treat_transform is not None:
            spec["transform"] = treat_transform
        given["treat"] = spec or True
    recipe = base.replace(**{k: v for k, v in given.items() if v is not None})
    stage = begin_output(out_dir, force)
    fw = load_framework(framework)
    with progress_bar() as progress:
        panel = read_data(
            data, layout, unit, period, indicator, value, encoding, sheet, units, duplicates,
            non_numeric, parentheses_negative, progress=progress,
        )
    if impute_method:
        from ..panel.impute import impute as do_impute

        for m in impute_method.split("+"):
            panel = do_impute(panel, m.strip())
    if screen is not None:
        from ..framework import prepare
        from ..panel.screen import screen_units

        prepared = prepare(panel, fw)
        kept, removed = screen_units(prepared, screen, indicators=[i.id for i in fw.indicators])
        if len(removed):
            err.print(
                f"note: {len(removed)} unit(s) dropped for data availability below {screen:.0%}: "
                + ", ".join(f"{r.unit} ({r.share:.0%} in {r.worst_period})"
                            for r in removed.itertuples()),
                highlight=False, markup=False,
            )
        panel = kept
    dest = stage.path
    err.print(f"recipe: {recipe.describe()}", highlight=False, markup=False)
    with err.status(f"building the index of {panel!r} …"):
        res = build_index(panel, fw, recipe, explain=explain)
    names = {u: unit_label(u, lang) for u in res.units}
    with progress_bar() as progress:
        res.write(dest, overwrite=True, unit_names=names, progress=progress)
    files = res.written_files()
    if res.treatment is not None:
        tt = res.treatment.table
        n_ind = int((tt["winsorised"].gt(0) | tt["transform"].ne("")).sum())
        err.print(
            f"note: outlier treatment changed {res.treatment.n_points} cells in {n_ind} "
            "indicator(s); see the treatment and treated_points sheets of index.xlsx",
            highlight=False,
        )
    if len(res.unscored):
        n_idx = int((res.unscored["node"] == "index").sum())
        err.print(
            f"note: {len(res.unscored)} node scores ({n_idx} of the index) are empty because less "
            "than half of their weight was observed (missing data); impute first (--impute) or "
            "see the empty rows of scores.csv",
            highlight=False,
        )
    if audit:
        a = run_audit(panel, fw, result=res)
        with pd.ExcelWriter(dest / "audit.xlsx", engine="openpyxl") as xw:
            for name, df in a.tables().items():
                df.to_excel(xw, sheet_name=name[:31], index=False)
        files.append("audit.xlsx")
        if len(a.flags):
            out.print(table(a.flags, title="Audit flags"))
    if profile:
        files += write_profile(res, panel, fw, dest, lang)
    if compare:
        from ..index.insight import compare_variants
        from ..output import atomic_write

        variants = {"base": res}
        for f in compare:
            variants[f.stem] = build_index(panel, fw, Recipe.from_file(f))
        cmp = compare_variants(variants)
        atomic_write(dest / "variants.csv",
                     lambda t: cmp.to_csv(t, index=False, encoding="utf-8-sig"))
        files.append("variants.csv")
        shifts = ", ".join(f"{k} {v:.2f}" for k, v in cmp.attrs["mean_abs_shift"].items())
        err.print(f"mean absolute rank shift against the base recipe: {shifts}",
                  highlight=False, markup=False)
    rk = res.ranking()
    rk.insert(1, "name", [names[u] for u in rk["unit"]])
    out.print(
        table(
            rk.head(top), title=f"{fw.name_zh if lang == 'zh' else fw.name_en}, {res.periods[-1]}"
        )
    )
    stage.commit()
    out.print(f"Outputs in [bold]{escape(str(out_dir))}[/bold]: " + escape(", ".join(files)))


def write_profile(res, panel, fw, dest: Path, lang: str) -> list[str]:
    """strengths_weaknesses.csv, outranking.csv and framework.png of the last period."""
    from ..framework import prepare
    from ..index.insight import outranking, strengths_weaknesses
    from ..output import atomic_write
    from ..report.framework_figure import framework_sunburst

    sw = strengths_weaknesses(res, panel, framework=fw)
    prepared = prepare(panel, fw).sel(indicators=[i.id for i in fw.indicators])
    last = prepared.sel(periods=[prepared.periods[-1]])
    import pandas as pd

    X = pd.DataFrame(last.values[:, 0, :], index=list(last.units), columns=list(last.indicators))
    eff = res.weights.set_index("node")["effective_weight"]
    M, dom = outranking(X, [i.direction for i in fw.indicators],
                        [float(eff[c]) for c in X.columns])
    M.insert(0, "dominance", dom)
    atomic_write(dest / "strengths_weaknesses.csv",
                 lambda t: sw.to_csv(t, index=False, encoding="utf-8-sig"))
    atomic_write(dest / "outranking.csv",
                 lambda t: M.reset_index(names="unit").to_csv(t, index=False,
                                                              encoding="utf-8-sig"))
    fig = framework_sunburst(res, framework=fw, lang=lang)
    atomic_write(dest / "framework.png", lambda t: fig.savefig(t, dpi=130, format="png"))
    return ["strengths_weaknesses.csv", "outranking.csv", "framework.png"]


def parse_shift(text: str | None) -> tuple | None:
    if text is None:
        return None
    kind, _, nums = text.partition(":")
    try:
        vals = tuple(float(v) for v in nums.split(",") if v.strip())
    except ValueError:
        vals = ()
    if (kind, len(vals)) not in (("add", 1), ("rescale", 2), ("affine", 2)):
        raise typer.BadParameter(
            f"{text!r}: write add:0.0001, rescale:0.002,0.998 (onto [a, b]) or "
            "affine:0.996,0.002 (a·z + b)",
            param_hint="--shift",
        )
    return (kind, *vals)


def parse_levels(items: list[str]) -> dict[str, dict[str, str]]:
    levels: dict[str, dict[str, str]] = {}
    for item in items:
        lv, _, rest = item.partition(":")
        key, _, val = rest.partition("=")
        if not (lv and key and val):
            raise typer.BadParameter(
                f"{item!r}: write LEVEL:SETTING=METHOD, e.g. index:aggregate=geometric",
                param_hint="--level",
            )
        levels.setdefault(lv.strip(), {})[key.strip()] = val.strip()
    return levels


def register(app: typer.Typer) -> None:
    app.command("index")(index_cmd)
