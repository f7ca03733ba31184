"""The ``nqpf`` command.

Every command reads data through :func:`nqpf.panel.io.read_panel` and takes a
framework as a built-in name, a YAML file or a flat indicator table. Errors
caused by the input (a bad file, an unknown unit, a malformed framework) print
one message and exit with status 2; ``nqpf --debug ...`` shows the traceback.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from . import __version__
from .errors import DataError, NqpfError

app = typer.Typer(
    name="nqpf",
    help="Measure new quality productive forces and high-quality development.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
framework_app = typer.Typer(help="Show, list and check indicator frameworks.", no_args_is_help=True)
app.add_typer(framework_app, name="framework")
data_app = typer.Typer(
    help="Public statistics in: World Bank WDI, Penn World Table, CEADs, yearbook tables.",
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")

out = Console()
err = Console(stderr=True)

#: The usage-error base class of the click that typer runs on. Typer >= 0.20 carries its
#: own copy of click (``typer._click``) and does not depend on the click package; older
#: typer re-exports click's classes. Taking the class from typer's own ``BadParameter``
#: works with both, without importing click.
_ClickException: type[Exception] = next(
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


def _sheet(sheet: str | None) -> str | int | None:
    """An Excel sheet given on the command line: a number means its position."""
    return int(sheet) if sheet is not None and sheet.isdigit() else sheet


def _read(data, layout, unit, period, indicator, value, encoding, sheet, units, duplicates="error"):
    """Read data files or data pack folders into one panel."""
    from .sources.pack import load_data as read_panel

    src = [str(p) for p in data]
    return read_panel(
        src if len(src) > 1 else src[0],
        layout=layout,
        unit=unit,
        period=period,
        indicator=indicator,
        value=value,
        encoding=encoding,
        sheet=_sheet(sheet),
        units=units,
        duplicates=duplicates,
    )


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise typer.BadParameter(f"unknown language {lang!r}; use zh or en", param_hint="--lang")
    return lang


def _table(df, title: str | None = None, max_rows: int = 40) -> Table:
    # cells are Text, not markup: names and messages from the data may hold "[...]"
    t = Table(title=Text(title) if title is not None else None, show_lines=False)
    for c in df.columns:
        t.add_column(Text(str(c)))
    for row in df.head(max_rows).itertuples(index=False):
        t.add_row(*[Text(_fmt(v)) for v in row])
    if len(df) > max_rows:
        t.caption = f"… {len(df) - max_rows} more rows"
    return t


def _fmt(v) -> str:
    if isinstance(v, float):
        return "" if v != v else f"{v:,.4g}"
    return "" if v is None else str(v)


# ---------------------------------------------------------------------- commands
@app.callback(invoke_without_command=True)
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        out.print(f"nqpf {__version__}")
        raise typer.Exit()


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")] = Path("nqpf-demo"),
    force: ForceOpt = False,
    lang: LangOpt = "en",
    top: Annotated[int, typer.Option(help="Rows of the ranking to print.")] = 10,
) -> None:
    """Run the main job on the bundled real data (Penn World Table 9.1)."""
    from .commands.study import progress_bar
    from .demo import run_demo

    _check_lang(lang)
    with progress_bar() as progress:
        res = run_demo(out_dir, force=force, lang=lang, progress=progress)
    for line in res.lines:
        out.print(line, markup=False)
    out.print(_table(res.ranking.head(top), title=res.ranking_title))
    out.print(
        f"Outputs in [bold]{escape(str(res.out_dir))}[/bold]: "
        + escape(", ".join(sorted(res.files)))
    )


@app.command()
def validate(
    data: DataArg,
    framework: Annotated[
        str | None,
        typer.Option("--framework", "-f", help="Built-in framework name, YAML file or flat table."),
    ] = None,
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write findings to .csv, .xlsx or .json.")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Check data against a framework: missing, duplicated, non-numeric, impossible, outliers."""
    from .panel.validate import validate_file
    from .sources.pack import load_data

    if out_file is not None and out_file.exists() and not force:
        # refuse before the (possibly long) checks run, in the command line's own terms
        raise DataError(f"{out_file} exists; pass --force to replace it or choose another --out")
    rep = validate_file(
        [str(p) for p in data],
        framework=framework,
        layout=layout,
        unit=unit,
        period=period,
        indicator=indicator,
        value=value,
        encoding=encoding,
        sheet=_sheet(sheet),
        units=units,
        reader=load_data,
    )
    out.print(_table(rep.summary(), title="Validation summary"))
    f = rep.findings
    shown = f[f["severity"] != "info"]
    if len(shown):
        out.print(
            _table(
                shown[["severity", "check", "unit", "period", "indicator", "message"]],
                title="Findings (errors and warnings)",
            )
        )
    if out_file is not None:
        path = rep.write(out_file, overwrite=force)
        out.print(f"Findings written to {path}", markup=False)
    verdict = "[green]no errors[/green]" if rep.ok else f"[red]{rep.n_errors} error(s)[/red]"
    out.print(f"{verdict}, {rep.n_warnings} warning(s)")
    if not rep.ok:
        raise typer.Exit(1)


@app.command("index")
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
            help="minmax (default), zscore, goalpost, target, rank, percentile, log, vector."
        ),
    ] = None,
    weights: Annotated[
        str | None,
        typer.Option(help="entropy (default), equal, expert, critic, cv, sd, pca, ahp, or a+b."),
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
) -> None:
    """Build a composite index: normalise, weight and aggregate over the framework tree."""
    from .datasets.reference import unit_label
    from .framework import load_framework
    from .index import Recipe, build_index
    from .index.audit import audit as run_audit
    from .output import check_out_dir, prepare_out_dir

    _check_lang(lang)
    base = Recipe.from_file(recipe_file) if recipe_file is not None else Recipe()
    given = {
        "normalise": normalise,
        "weights": weights,
        "aggregate": aggregate,
        "panel_mode": panel_mode,
        "base_period": base_period,
        "structure": structure,
        "levels": _parse_levels(level) if level else None,
        "shift": _parse_shift(shift),
        "combine": combine,
    }
    recipe = base.replace(**{k: v for k, v in given.items() if v is not None})
    check_out_dir(out_dir, force)
    fw = load_framework(framework)
    panel = _read(data, layout, unit, period, indicator, value, encoding, sheet, units, duplicates)
    if impute_method:
        from .panel.impute import impute as do_impute

        for m in impute_method.split("+"):
            panel = do_impute(panel, m.strip())
    dest = prepare_out_dir(out_dir, force)
    err.print(f"recipe: {recipe.describe()}", highlight=False, markup=False)
    with err.status(f"building the index of {panel!r} …"):
        res = build_index(panel, fw, recipe, explain=explain)
    res.write(dest, overwrite=True)
    files = res.written_files()
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
            out.print(_table(a.flags, title="Audit flags"))
    rk = res.ranking()
    rk.insert(1, "name", [unit_label(u, lang) for u in rk["unit"]])
    out.print(
        _table(
            rk.head(top), title=f"{fw.name_zh if lang == 'zh' else fw.name_en}, {res.periods[-1]}"
        )
    )
    out.print(f"Outputs in [bold]{escape(str(dest))}[/bold]: " + escape(", ".join(files)))


def _parse_shift(text: str | None) -> tuple | None:
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


def _parse_levels(items: list[str]) -> dict[str, dict[str, str]]:
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


@app.command()
def analyze(
    data: Annotated[
        list[Path],
        typer.Argument(
            help="Scores table(s) with unit, period and a value column (scores.csv of nqpf index "
            "works as it is); for coupling one table per system; for obstacle the raw data."
        ),
    ],
    method: Annotated[
        str,
        typer.Option(
            help="dagum, theil, kernel, markov, convergence, moran, lisa, coupling, obstacle, "
            "typology."
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    groups: Annotated[
        str | None,
        typer.Option(help="cn-four-regions, cn-three-belts, or a CSV with columns unit, group."),
    ] = None,
    value: Annotated[
        str | None, typer.Option(help="Column of values (default: score, else value).")
    ] = None,
    node: Annotated[
        str | None, typer.Option(help="Node of scores.csv to analyse (default: index).")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="theil: T or L; convergence: absolute or cross_section.")
    ] = None,
    bandwidth: Annotated[
        str | None, typer.Option(help="kernel: silverman, scott, nrd0, normal or a number.")
    ] = None,
    classes: Annotated[int | None, typer.Option(help="markov: number of classes (4).")] = None,
    k: Annotated[
        int | None, typer.Option("--k", help="markov/convergence: step; typology: number of types.")
    ] = None,
    spatial: Annotated[
        bool, typer.Option(help="markov: spatial Markov chain; convergence: spatial-lag beta.")
    ] = False,
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="Spatial weights: contiguity (default), inverse_distance, or a .gal/.gwt/CSV.",
        ),
    ] = None,
    permutations: Annotated[int, typer.Option(help="moran/lisa: permutations.")] = 999,
    seed: Annotated[int, typer.Option(help="Seed of permutations and k-means.")] = 0,
    variant: Annotated[str | None, typer.Option(help="coupling: standard or wang2021.")] = None,
    systems: Annotated[
        str | None, typer.Option(help="coupling: names of the systems, comma-separated.")
    ] = None,
    cluster: Annotated[str | None, typer.Option(help="typology: kmeans or ward.")] = None,
    framework: Annotated[
        str | None, typer.Option("--framework", "-f", help="obstacle: the framework of the index.")
    ] = None,
    recipe_file: Annotated[
        Path | None, typer.Option("--recipe", help="obstacle: recipe of the index (YAML/JSON).")
    ] = None,
    units: UnitsOpt = "auto",
    lang: LangOpt = "en",
    force: ForceOpt = False,
) -> None:
    """Analyse an index: disparity, dynamics, convergence, spatial, coupling, obstacles, types."""
    from .analysis.run import METHODS, run_analysis, write_result
    from .output import check_out_dir

    _check_lang(lang)
    if method not in METHODS:
        raise typer.BadParameter(
            f"unknown method {method!r}; choose one of {', '.join(METHODS)}", param_hint="--method"
        )
    check_out_dir(out_dir, force)
    opts = dict(
        groups=groups,
        kind=kind,
        bandwidth=bandwidth,
        classes=classes,
        k=k,
        spatial=spatial,
        weights=weights,
        permutations=permutations,
        seed=seed,
        variant=variant,
        cluster=cluster,
        lang=lang,
    )
    if method == "obstacle":
        target = _obstacle_index(data, framework, recipe_file, units)
    elif method == "coupling":
        names = [s.strip() for s in systems.split(",")] if systems else [p.stem for p in data]
        if len(names) != len(data) or len(data) < 2:
            raise typer.BadParameter(
                "coupling needs two or more tables and, with --systems, one name per table",
                param_hint="--systems",
            )
        target = {n: _scores_table(p, value, node, units) for n, p in zip(names, data, strict=True)}
    elif method == "typology":
        target = _dimension_table(data[0], units)
    else:
        if len(data) != 1:
            raise typer.BadParameter(f"{method} takes one table", param_hint="DATA")
        target = _scores_table(data[0], value, node, units)
    with err.status(f"running {method} …"):
        res = run_analysis(method, target, **opts)
        files = write_result(res, out_dir, overwrite=force)
    out.print(_table(res.summary(), title=f"{method}: summary"))
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(files), markup=False)


def _scores_table(path: Path, value: str | None, node: str | None, units: str):
    """A tidy unit, period, value table from a scores file; unit names resolved to ids."""
    from .analysis._input import values_frame
    from .panel.io import read_table
    from .panel.names import resolve_units

    df = read_table(path)
    if value is None:
        value = "score" if "score" in df.columns else "value"
    vf = values_frame(df, value=value, node=node)
    if units != "none":
        match = resolve_units(list(pd.unique(vf["unit"])), kind=units, where=str(path))
        vf = vf[vf["unit"].isin(match.mapping)].assign(unit=lambda d: d["unit"].map(match.mapping))
    return vf


def _dimension_table(path: Path, units: str):
    """Dimension scores (wide) from scores.csv: the nodes of level 'dimension' and the index."""
    from .panel.io import read_table

    df = read_table(path)
    if "level" not in df.columns or "node" not in df.columns:
        from .errors import DataError

        raise DataError(
            f"{path}: typology needs the scores.csv of nqpf index (columns node and level) "
            "to find the dimension scores"
        )
    df = df.assign(score=pd.to_numeric(df["score"], errors="coerce"))
    dims = df[df["level"] == "dimension"]
    wide = dims.pivot_table(index=["unit", "period"], columns="node", values="score").reset_index()
    idx = df[df["node"] == "index"][["unit", "period", "score"]].rename(columns={"score": "index"})
    wide["period"] = wide["period"].astype(str)
    idx["period"] = idx["period"].astype(str)
    return wide.merge(idx, on=["unit", "period"], how="left").rename_axis(columns=None)


def _obstacle_index(data: list[Path], framework: str | None, recipe_file: Path | None, units: str):
    from .index import Recipe, build_index

    if framework is None:
        raise typer.BadParameter(
            "obstacle needs the raw data and its framework (--framework) to rebuild the index",
            param_hint="--framework",
        )
    recipe = Recipe.from_file(recipe_file) if recipe_file is not None else Recipe()
    panel = _read(data, "auto", None, None, None, None, None, None, units)
    return build_index(panel, framework, recipe, explain=True)


@app.command()
def robustness(
    data: DataArg,
    framework: FrameworkOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    samples: Annotated[
        int, typer.Option(help="Replications; with --sensitivity the base sample N (power of 2).")
    ] = 1024,
    seed: Annotated[int, typer.Option(help="Seed of the Sobol sequence.")] = 0,
    recipe_file: Annotated[
        Path | None, typer.Option("--recipe", help="Base recipe (YAML/JSON); flat structure.")
    ] = None,
    normalise_options: Annotated[
        str | None, typer.Option("--normalise-options", help="Alternatives, e.g. minmax,zscore.")
    ] = None,
    weights_options: Annotated[
        str | None,
        typer.Option("--weights-options", help="Alternatives, e.g. entropy,critic,equal."),
    ] = None,
    aggregate_options: Annotated[
        str | None,
        typer.Option("--aggregate-options", help="Alternatives among sum, geometric, topsis, gra."),
    ] = None,
    impute_options: Annotated[
        str | None,
        typer.Option("--impute-options", help="Alternatives, e.g. linear+nearest,growth+nearest."),
    ] = None,
    leave_one_out: Annotated[
        bool, typer.Option("--leave-one-out", help="Leave out one indicator at a time.")
    ] = False,
    perturb: Annotated[
        float | None, typer.Option(help="Perturb weights by ± this fraction (e.g. 0.25).")
    ] = None,
    dirichlet: Annotated[
        float | None,
        typer.Option(help="Dirichlet weights around the base with this concentration."),
    ] = None,
    bootstrap: Annotated[
        bool, typer.Option(help="Resample units for data-driven weights.")
    ] = False,
    sensitivity: Annotated[
        bool, typer.Option(help="Variance-based sensitivity indices (S1, ST).")
    ] = False,
    backend: Annotated[str, typer.Option(help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: a local cluster).")
    ] = None,
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    force: ForceOpt = False,
) -> None:
    """How robust is the ranking? Monte Carlo over the choices behind the index."""
    from .index import Recipe
    from .output import check_out_dir
    from .robustness.uncertainty import Uncertainty
    from .robustness.uncertainty import robustness as run_robustness

    check_out_dir(out_dir, force)
    unc = Uncertainty(
        impute=impute_options or (),
        normalise=normalise_options or (),
        weights=weights_options or (),
        aggregate=aggregate_options or (),
        leave_one_out=leave_one_out,
        perturb=perturb,
        dirichlet=dirichlet,
        bootstrap=bootstrap,
    )
    recipe = Recipe.from_file(recipe_file) if recipe_file is not None else Recipe()
    panel = _read(data, layout, unit, period, indicator, value, encoding, sheet, units)
    with err.status(f"evaluating replications of {panel!r} …"):
        res = run_robustness(
            panel,
            framework,
            unc,
            recipe,
            samples=samples,
            seed=seed,
            sensitivity=sensitivity,
            backend=backend,
            scheduler=scheduler,
        )
        files = res.write(out_dir, overwrite=force)
    for w in res.warnings:
        err.print(f"warning: {escape(w)}", highlight=False)
    out.print(_table(res.summary(), title="Robustness"))
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(files), markup=False)


@app.command("tfp-pf")
def tfp_pf(
    data: DataArg,
    firm: Annotated[str, typer.Option("--id", help="Column of firm ids.")],
    period_col: Annotated[str, typer.Option("--period", help="Column of periods (years).")],
    output: Annotated[str, typer.Option(help="Column of (log) output or value added.")],
    free: Annotated[str, typer.Option(help="Free input(s), e.g. labour; comma-separated.")],
    state: Annotated[str, typer.Option(help="State input, e.g. capital.")],
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    proxy: Annotated[
        str | None,
        typer.Option(help="Proxy: intermediate input (lp, acf, wrdg) or investment (op)."),
    ] = None,
    exit_col: Annotated[
        str | None,
        typer.Option("--exit", help="op: 0/1 column, 1 in a firm's last period before exit."),
    ] = None,
    method: Annotated[str, typer.Option(help="acf, op, lp, wrdg, ols or fe.")] = "acf",
    levels: Annotated[
        bool, typer.Option("--levels", help="Columns are levels (logged here); default: logs.")
    ] = False,
    n_boot: Annotated[
        int, typer.Option("--bootstrap", help="Firm-clustered bootstrap replications.")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Firm TFP from a production function (ACF, OP, LP, Wooldridge, OLS, FE)."""
    from .efficiency.production import estimate_tfp
    from .output import check_out_dir

    check_out_dir(out_dir, force)
    df = _read_tables(data, encoding, sheet)
    with err.status(f"estimating the production function by {method} …"):
        res = estimate_tfp(
            df,
            method=method,
            id=firm,
            period=period_col,
            output=output,
            free=_split(free) or [],
            state=state,
            proxy=proxy,
            exit=exit_col,
            logs=not levels,
            n_boot=n_boot,
            seed=seed,
        )
        files = res.write(out_dir, overwrite=force)
    for w in res.diagnostics.get("warnings", []):
        err.print(f"warning: {w}", highlight=False, markup=False)
    out.print(_table(res.coefficients, title=f"Production function ({method})"))
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(files), markup=False)


@app.command("growth-accounting")
def growth_accounting_cmd(
    data: DataArg,
    output: Annotated[str, typer.Option(help="Real output series (e.g. rgdpna).")],
    labour: Annotated[str, typer.Option(help="Labour series (e.g. emp).")],
    out_dir: Annotated[Path, typer.Option("--out", help="New output folder.")],
    capital: Annotated[str | None, typer.Option(help="Capital stock series.")] = None,
    investment: Annotated[
        str | None, typer.Option(help="Real investment series (capital by perpetual inventory).")
    ] = None,
    labour_share: Annotated[
        str, typer.Option(help="Labour share: a number (e.g. 0.5) or a series name.")
    ] = "0.5",
    depreciation: Annotated[float, typer.Option(help="Depreciation rate (9.6 % common).")] = 0.096,
    initial: Annotated[
        str, typer.Option(help="Initial capital: growth, ratio or a number.")
    ] = "growth",
    init_years: Annotated[int, typer.Option(help="Periods for the initial growth rate.")] = 5,
    unit_col: Annotated[str, typer.Option("--unit", help="Column of units.")] = "unit",
    period_col: Annotated[str, typer.Option("--period", help="Column of periods.")] = "period",
    units: UnitsOpt = "none",
    force: ForceOpt = False,
) -> None:
    """Regional TFP by growth accounting with a perpetual-inventory capital stock."""
    from .efficiency.growth import growth_accounting
    from .output import check_out_dir

    check_out_dir(out_dir, force)
    if (capital is None) == (investment is None):
        raise typer.BadParameter("give --capital or --investment (one of them)")
    try:
        share: str | float = float(labour_share)
    except ValueError:
        share = labour_share
    try:
        init: str | float = float(initial)
    except ValueError:
        init = initial
    df = _read_tables(data)
    res = growth_accounting(
        df,
        output=output,
        capital=capital,
        investment=investment,
        labour=labour,
        labour_share=share,
        depreciation=depreciation,
        initial=init,
        init_years=init_years,
        units=units,
        unit=unit_col,
        period=period_col,
    )
    files = res.write(out_dir, overwrite=force)
    out.print(_table(res.summary(), title="Growth accounting: mean contributions"))
    out.print(f"Outputs in {escape(str(out_dir))}: " + ", ".join(map(str, files)), markup=False)


@app.command()
def impute(
    data: DataArg,
    method: Annotated[
        str,
        typer.Option(
            help="linear, growth, linear_extrapolate, nearest, group_mean, mean or median."
        ),
    ],
    out_file: Annotated[
        Path, typer.Option("--out", help="Output file (.csv, .xlsx, .parquet, .dta).")
    ],
    groups: Annotated[
        str | None, typer.Option(help="For group_mean on provinces: region4 or belt3.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Longest run of missing periods to fill.")
    ] = None,
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    duplicates: DuplicatesOpt = "error",
    force: ForceOpt = False,
) -> None:
    """Fill gaps by a documented method and write the panel with a column of imputed flags."""
    from .panel.impute import impute as do_impute
    from .panel.io import write_panel

    panel = _read(data, layout, unit, period, indicator, value, encoding, sheet, units, duplicates)
    group_map = None
    if groups is not None:
        from .datasets.reference import province_groups

        if groups not in ("region4", "belt3"):
            raise typer.BadParameter("use region4 or belt3", param_hint="--groups")
        group_map = province_groups(groups, lang="code")
    res = do_impute(panel, method, groups=group_map, limit=limit)
    path = write_panel(res, out_file, layout="long", overwrite=force, imputed=True)
    n = int(res.imputed.sum() - panel.imputed.sum())
    left = int(pd.isna(res.values).sum())
    out.print(
        f"{n} cells imputed by {method}; {left} cells still missing. Written to {path}",
        markup=False,
    )


@app.command()
def convert(
    data: DataArg,
    out_file: Annotated[
        Path, typer.Option("--out", help="Output file (.csv, .xlsx, .parquet, .dta).")
    ],
    to_layout: Annotated[str, typer.Option("--to", help="Output layout: wide or long.")] = "wide",
    layout: LayoutOpt = "auto",
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    indicator: IndicatorOpt = None,
    value: ValueOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    units: UnitsOpt = "auto",
    duplicates: DuplicatesOpt = "error",
    force: ForceOpt = False,
) -> None:
    """Read data in any supported shape and write it as a clean panel file."""
    from .panel.io import write_panel

    panel = _read(data, layout, unit, period, indicator, value, encoding, sheet, units, duplicates)
    path = write_panel(panel, out_file, layout=to_layout, overwrite=force)
    out.print(f"{panel!r}", markup=False)
    rep = panel.conversions.to_frame()
    if len(rep):
        out.print(_table(rep, title="Conversions made while reading"))
    dropped = panel.meta.get("dropped_units") or []
    if dropped:
        out.print(f"Aggregate rows left out: {', '.join(map(str, dropped))}", markup=False)
    out.print(f"Written to {path}", markup=False)


@app.command()
def units(
    names: Annotated[list[str], typer.Argument(help="Unit names as written in your data.")],
    kind: Annotated[str, typer.Option(help="auto, province or country.")] = "auto",
    lang: LangOpt = "zh",
) -> None:
    """Show how unit names resolve to provinces (ISO 3166-2) or countries (ISO3)."""
    from .datasets.reference import unit_label
    from .panel.names import resolve_units

    _check_lang(lang)
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
    out.print(
        _table(pd.DataFrame(rows, columns=["name", "id", "label"]), title=f"Units ({m.kind})")
    )


@framework_app.command("list")
def framework_list() -> None:
    """List the built-in frameworks."""
    import pandas as pd

    from .framework import list_builtin, load_framework

    rows = []
    for name in list_builtin():
        fw = load_framework(name)
        rows.append((name, fw.name_zh, fw.name_en, len(fw.indicators)))
    out.print(_table(pd.DataFrame(rows, columns=["name", "zh", "en", "indicators"])))


@framework_app.command("show")
def framework_show(
    name: Annotated[str, typer.Argument(help="Built-in name, YAML file or flat table.")],
    lang: LangOpt = "zh",
) -> None:
    """Print a framework as a tree."""
    from .framework import load_framework

    _check_lang(lang)
    out.print(load_framework(name).render_tree(lang=lang), markup=False, highlight=False)


@framework_app.command("check")
def framework_check(
    file: Annotated[Path, typer.Argument(help="A framework YAML file or flat table.")],
    data: Annotated[
        Path | None, typer.Option("--data", help="Also check that the data has every series.")
    ] = None,
) -> None:
    """Validate a framework file (and, with --data, that the data holds what it needs)."""
    from .framework import load_framework

    if not file.exists():
        from .errors import FrameworkError

        raise FrameworkError(f"{file}: no such file")
    fw = load_framework(file)
    dims = len(fw.dimensions)
    out.print(
        f"[green]OK[/green] {escape(str(file))}: {escape(fw.id)}, {dims} dimensions, "
        f"{len(fw.indicators)} indicators"
    )
    if data is not None:
        panel = _read([data], "auto", None, None, None, None, None, None, "auto")
        need = fw.required_series()
        missing = [s for s in need if s not in panel.indicators]
        if missing:
            from .errors import FrameworkError

            raise FrameworkError(f"{data} lacks series the framework needs: {missing}")
        out.print(f"[green]OK[/green] {escape(str(data))} holds all {len(need)} series")


@data_app.command("wdi")
def data_wdi(
    indicators: Annotated[str, typer.Option(help="WDI codes, comma-separated.")],
    out_file: Annotated[Path, typer.Option("--out", help="Output file (.csv, .xlsx, ...).")],
    countries: Annotated[
        str, typer.Option(help="ISO3 codes or names, comma-separated; all.")
    ] = "all",
    years: Annotated[str | None, typer.Option(help="Years A:B (inclusive).")] = None,
    offline: Annotated[bool, typer.Option(help="Use the cache only; never the network.")] = False,
    refresh: Annotated[bool, typer.Option(help="Download again even if cached.")] = False,
    cache: Annotated[
        Path | None, typer.Option(help="Cache folder (default ~/.cache/nqpf).")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """World Bank WDI through wbgapi, cached with source, licence and retrieval date."""
    from .sources.wdi import fetch_wdi, parse_years

    codes = [c.strip() for c in indicators.split(",") if c.strip()]
    who = (
        "all"
        if countries.strip().lower() == "all"
        else [c.strip() for c in countries.split(",") if c.strip()]
    )
    with err.status("fetching World Development Indicators …"):
        res = fetch_wdi(
            codes,
            who,
            parse_years(years) if years else None,
            cache_dir=cache,
            refresh=refresh,
            offline=offline,
        )
    err.print(res.provenance, highlight=False, markup=False)
    if res.no_data:
        err.print(f"no data for: {', '.join(res.no_data)}", highlight=False, markup=False)
    files = res.write(out_file, overwrite=force)
    out.print(f"{res.panel!r}", markup=False)
    out.print("Written: " + ", ".join(str(f) for f in files), markup=False)


@data_app.command("pwt")
def data_pwt(
    file: Annotated[Path, typer.Argument(help="Penn World Table file (.xlsx, .dta or .csv).")],
    out_file: Annotated[Path, typer.Option("--out", help="Output file.")],
    variables: Annotated[str | None, typer.Option(help="Variables, e.g. hc,rgdpo.")] = None,
    countries: Annotated[str | None, typer.Option(help="ISO3 codes or names.")] = None,
    years: Annotated[str | None, typer.Option(help="Years A:B.")] = None,
    force: ForceOpt = False,
) -> None:
    """Read a Penn World Table download into a clean panel file."""
    from .sources.readers import read_pwt

    panel = read_pwt(file, variables=_split(variables), countries=_split(countries), years=years)
    _write_source_panel(panel, out_file, force)


@data_app.command("ceads")
def data_ceads(
    file: Annotated[Path, typer.Argument(help="CEADs CO2 table (provinces or cities).")],
    out_file: Annotated[Path, typer.Option("--out", help="Output file.")],
    level: Annotated[str, typer.Option(help="auto, province or city.")] = "auto",
    force: ForceOpt = False,
) -> None:
    """Read a CEADs CO2 emissions table into a clean panel file."""
    from .sources.readers import read_ceads

    _write_source_panel(read_ceads(file, level=level), out_file, force)


@data_app.command("yearbook")
def data_yearbook(
    files: Annotated[
        list[Path], typer.Argument(help="Long yearbook exports (province, year, ...).")
    ],
    out_file: Annotated[Path, typer.Option("--out", help="Output file for the provinces.")],
    dictionary: Annotated[
        Path | None, typer.Option(help="Dictionary of variable codes (e.g. varsList.csv).")
    ] = None,
    select: Annotated[
        str | None, typer.Option(help="Indicators by code or Chinese name, comma-separated.")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Read long yearbook exports: provinces apart from national and regional rows."""
    from .sources.readers import read_yearbook_long

    res = read_yearbook_long([str(f) for f in files], dictionary=dictionary)
    panel = res.panel
    if select:
        panel = panel.sel(indicators=res.select(_split(select)))
    _write_source_panel(panel, out_file, force)
    stem = out_file.with_suffix("")
    if res.aggregates is not None:
        from .panel.io import write_panel

        agg = write_panel(res.aggregates, f"{stem}.aggregates{out_file.suffix}", overwrite=force)
        out.print(f"National and regional rows: {agg}", markup=False)
    dict_path = Path(f"{stem}.dictionary.csv")
    if dict_path.exists() and not force:
        from .errors import DataError

        raise DataError(f"{dict_path} exists; pass --force or choose another --out")
    res.dictionary.to_csv(dict_path, index=False, encoding="utf-8-sig")
    out.print(f"Dictionary: {dict_path}", markup=False)


@data_app.command("pack")
def data_pack(
    folder: Annotated[Path, typer.Argument(help="A data pack folder (with pack.yaml).")],
) -> None:
    """Show a data pack: source, licence, coverage, indicators and notes."""
    from .sources.pack import read_pack

    pack = read_pack(folder)
    out.print(_table(pack.summary(), title=f"Data pack {folder}"))
    out.print(_table(pack.indicators, title="Indicators"))
    for note in pack.notes:
        err.print(f"note: {note}", highlight=False, markup=False)


def _read_tables(data: list[Path], encoding: str | None = None, sheet: str | None = None):
    """Plain tables (not panels) from one or more files, stacked."""
    from .panel.io import read_table

    frames = [read_table(p, encoding=encoding, sheet=_sheet(sheet)) for p in data]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _split(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def _write_source_panel(panel, out_file: Path, force: bool) -> None:
    from .panel.io import write_panel

    path = write_panel(panel, out_file, overwrite=force)
    for note in panel.meta.get("notes") or []:
        err.print(f"note: {note}", highlight=False, markup=False)
    out.print(f"{panel!r}", markup=False)
    src = panel.meta.get("citation") or panel.meta.get("source")
    if src:
        out.print(f"Source: {src}", markup=False)
    out.print(f"Written to {path}", markup=False)


# ---------------------------------------------------------------------- more commands
def _register_more() -> None:
    from .commands import register

    register(app)


_register_more()


# ---------------------------------------------------------------------- entry point
def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for usage and data errors)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        rc = app(args=args, prog_name="nqpf", standalone_mode=False)
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        err.print("aborted")
        return 130
    except _ClickException as e:  # usage errors: unknown option, bad value, missing argument
        if debug:
            traceback.print_exc()
        e.show()
        return 2
    except NqpfError as e:
        if debug:
            traceback.print_exc()
        err.print(f"[bold red]error:[/bold red] {escape(str(e))}", highlight=False)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as e:
        if debug:
            traceback.print_exc()
        err.print(f"[bold red]error:[/bold red] {escape(str(e))}", highlight=False)
        return 2
    except Exception as e:  # an nqpf fault, not the user's
        if debug:
            traceback.print_exc()
        err.print(
            f"[bold red]internal error:[/bold red] {type(e).__name__}: {escape(str(e))}\n"
            "Run again with --debug for the traceback and report it.",
            highlight=False,
        )
        return 1
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
