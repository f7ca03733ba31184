"""``nqpf model ...``: regressions on the index (panel FE, threshold, mediation, spatial, DID).

Every subcommand reads one table (CSV, Excel, Parquet or .dta) with a unit column,
a period column and one column per variable, fits the model, prints a compact
summary and writes a new folder: the regression table as ``table.xlsx``,
``table.tex`` (booktabs), ``table.docx``, ``table.html`` and ``table.txt``, the
detail tables as CSV, and the figure (LR(gamma) or event study) as PNG and PDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    DataArg,
    EncodingOpt,
    ForceOpt,
    LangOpt,
    SheetOpt,
    check_lang,
    err,
    out,
    read_tables,
    split,
    table,
)

model_app = typer.Typer(
    help="Regressions on the index: fe, threshold, mediation, moderation, spatial, did, "
    "event-study, staggered.",
    no_args_is_help=True,
)

YOpt = Annotated[str, typer.Option("--y", help="Dependent variable.")]
XOpt = Annotated[str, typer.Option("--x", help="Regressor(s), comma-separated.")]
ControlsOpt = Annotated[
    str | None, typer.Option("--controls", help="Control variables, comma-separated.")
]
OutOpt = Annotated[Path, typer.Option("--out", help="New output folder.")]
UnitCol = Annotated[str | None, typer.Option("--unit", help="Column of units.")]
PeriodCol = Annotated[str | None, typer.Option("--period", help="Column of periods.")]
EffectsOpt = Annotated[
    str, typer.Option("--effects", help="Fixed effects: unit, time, twoway or none.")
]
VceOpt = Annotated[
    str,
    typer.Option("--vce", help="Standard errors: conventional, robust, cluster, cluster2."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed of the bootstrap.")]
BalancedOpt = Annotated[
    bool, typer.Option("--balanced", help="Keep only units observed in every period.")
]


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def localise(frame, lang: str):
    """Detail tables with Chinese headers for --lang zh (CSV files keep English ones)."""
    from ..models.tables import localise as _localise

    return _localise(frame, lang)


def _need_models() -> None:
    missing = []
    for mod in ("linearmodels", "spreg"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod)
    if missing:
        from ..errors import NqpfError

        raise NqpfError(f"nqpf model needs {', '.join(missing)}: run  pip install 'nqpf[models]'")


def _read(data: list[Path], encoding: str | None, sheet: str | None):
    _need_models()
    return read_tables(data, encoding=encoding, sheet=sheet)


def _write(
    out_dir: Path,
    force: bool,
    reg_table: Any = None,
    frames: dict[str, Any] | None = None,
    figure: Any = None,
    lang: str = "en",
) -> list[str]:
    from ..output_staging import begin_output

    stage = begin_output(out_dir, force)  # all files or none; a second run is refused
    folder = stage.path
    files: list[str] = []
    if reg_table is not None:
        import importlib.util

        suffixes = ["xlsx", "tex", "docx", "html", "txt"]
        if importlib.util.find_spec("docx") is None:
            suffixes.remove("docx")
            err.print(
                "note: table.docx not written: python-docx is missing (pip install 'nqpf[models]')",
                highlight=False,
                markup=False,
            )
        for suffix in suffixes:
            reg_table.write(folder / f"table.{suffix}")
            files.append(f"table.{suffix}")
    for name, frame in (frames or {}).items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, encoding="utf-8-sig")
        files.append(path.name)
    if figure is not None:
        from ..report.figures import save_figure
        from ..report.fonts import effective_lang, figure_style, font_note

        shown = effective_lang(lang)
        if shown != lang and font_note(lang):
            err.print(f"note: {font_note(lang)}", highlight=False, markup=False)
        with figure_style(shown):
            fig = figure(shown)
            fig.nqpf_lang = shown
            paths = save_figure(fig, folder, "figure", ("png", "pdf"), overwrite=True)
        files += [p.name for p in paths.values()]
    stage.commit()
    return files


def _finish(files: list[str], out_dir: Path, notes: list[str] | None = None) -> None:
    for n in notes or []:
        err.print(f"note: {n}", highlight=False, markup=False)
    out.print(f"Outputs in {out_dir}: " + ", ".join(files), markup=False)


def fe_cmd(
    data: DataArg,
    y: YOpt,
    x: XOpt,
    out_dir: OutOpt,
    controls: ControlsOpt = None,
    effects: EffectsOpt = "twoway",
    vce: VceOpt = "cluster",
    lags: Annotated[
        str | None, typer.Option(help="Lagged regressors, e.g. 'x:1,z:2' (variable:order).")
    ] = None,
    unit: UnitCol = None,
    period: PeriodCol = None,
    balanced: BalancedOpt = False,
    lang: LangOpt = "en",
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Fixed-effect panel regression (linearmodels PanelOLS)."""
    from ..models.panel import fe_regression
    from ..models.tables import regression_table

    check_lang(lang)
    df = _read(data, encoding, sheet)
    lag_map: dict[str, int] = {}
    for part in split(lags) or []:
        var, _, k = part.partition(":")
        try:
            lag_map[var] = int(k or 1)
        except ValueError:
            raise typer.BadParameter(
                f"bad lag {part!r}; use variable:order", param_hint="--lags"
            ) from None
    est = fe_regression(
        df,
        y,
        split(x) or [],
        controls=split(controls) or [],
        unit=unit,
        time=period,
        effects=effects,
        vce=vce,
        lags=lag_map or None,
        balanced=balanced,
    )
    tab = regression_table([est], lang=lang)
    out.print(tab.console(), markup=False)
    files = _write(out_dir, force, tab, {"coefficients": est.coef}, lang=lang)
    _finish(files, out_dir)


def threshold_cmd(
    data: DataArg,
    y: YOpt,
    regime: Annotated[str, typer.Option("--regime", help="Regime-dependent regressor(s).")],
    q: Annotated[str, typer.Option("--q", help="Threshold variable.")],
    out_dir: OutOpt,
    controls: ControlsOpt = None,
    thresholds: Annotated[int, typer.Option("--thresholds", help="1, 2 or 3.")] = 1,
    trim: Annotated[
        str, typer.Option(help="Trimming share per threshold, e.g. 0.01 or 0.01,0.01,0.05.")
    ] = "0.01",
    grid: Annotated[
        int, typer.Option(help="Hansen's grid size (0 searches every distinct value).")
    ] = 400,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap replications per F test.")] = 300,
    scheme: Annotated[str, typer.Option(help="Bootstrap: resample (Hansen) or wild.")] = "resample",
    time_effects: Annotated[bool, typer.Option(help="Add period dummies.")] = False,
    vce: VceOpt = "conventional",
    unit: UnitCol = None,
    period: PeriodCol = None,
    balanced: BalancedOpt = False,
    seed: SeedOpt = 0,
    lang: LangOpt = "en",
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Hansen (1999) panel threshold model with bootstrap F tests and the LR(gamma) figure."""
    from rich.progress import Progress

    from ..models.tables import regression_table
    from ..models.threshold import threshold

    check_lang(lang)
    df = _read(data, encoding, sheet)
    try:
        trims = [float(v) for v in split(trim) or []]
    except ValueError:
        raise typer.BadParameter(f"bad trimming {trim!r}", param_hint="--trim") from None
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("bootstrap", total=max(1, bootstrap * thresholds))

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        res = threshold(
            df,
            y,
            split(regime) or [],
            q,
            split(controls) or [],
            unit=unit,
            time=period,
            n_thresholds=thresholds,
            trim=trims[0] if len(trims) == 1 else trims,
            grid=grid or None,
            bootstrap=bootstrap,
            scheme=scheme,
            time_effects=time_effects,
            vce=vce,
            balanced=balanced,
            seed=seed,
            progress=progress,
        )
    out.print(
        table(
            localise(res.threshold_table(), lang),
            title=_t(lang, "门槛估计值（似然比反演区间）", "Threshold estimates (LR inversion)"),
        )
    )
    out.print(
        table(
            localise(res.test_table(), lang),
            title=_t(lang, "门槛效应检验（自抽样）", "Threshold effect tests (bootstrap)"),
        )
    )
    tab = regression_table([res], lang=lang, show_controls=True)
    out.print(tab.console(), markup=False)
    frames = {
        "thresholds": res.threshold_table(),
        "tests": res.test_table(),
        **{f"lr_profile_{i + 1}": p for i, p in enumerate(res.profiles)},
    }
    files = _write(out_dir, force, tab, frames, lambda lg: res.plot(lang=lg), lang)
    _finish(files, out_dir, res.notes)


def mediation_cmd(
    data: DataArg,
    y: YOpt,
    x: Annotated[str, typer.Option("--x", help="Explanatory variable.")],
    mediators: Annotated[
        str, typer.Option("--mediator", help="Mediator, or two in causal order for a chain.")
    ],
    out_dir: OutOpt,
    controls: ControlsOpt = None,
    effects: EffectsOpt = "twoway",
    vce: VceOpt = "cluster",
    reps: Annotated[int, typer.Option(help="Bootstrap replications.")] = 1000,
    unit: UnitCol = None,
    period: PeriodCol = None,
    seed: SeedOpt = 0,
    lang: LangOpt = "en",
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Mediation: Baron-Kenny steps, bias-corrected bootstrap indirect effects, Sobel test."""
    from ..models.mediation import mediation
    from ..models.tables import regression_table

    check_lang(lang)
    df = _read(data, encoding, sheet)
    res = mediation(
        df,
        y,
        x,
        split(mediators) or [],
        split(controls) or [],
        unit=unit,
        time=period,
        effects=effects,
        vce=vce,
        reps=reps,
        seed=seed,
    )
    tab = regression_table(res.steps, lang=lang, titles=[s.label for s in res.steps])
    out.print(tab.console(), markup=False)
    out.print(
        table(
            localise(res.effects.reset_index(), lang),
            title=_t(lang, "中介效应（偏差校正自抽样）", "Effects (bias-corrected bootstrap)"),
        )
    )
    out.print(
        table(localise(res.sobel.reset_index(), lang), title=_t(lang, "Sobel 检验", "Sobel test"))
    )
    files = _write(out_dir, force, tab, {"effects": res.effects, "sobel": res.sobel}, lang=lang)
    _finish(files, out_dir, res.notes)


def moderation_cmd(
    data: DataArg,
    y: YOpt,
    x: Annotated[str, typer.Option("--x", help="Explanatory variable.")],
    moderator: Annotated[str, typer.Option("--moderator", help="Moderating variable.")],
    out_dir: OutOpt,
    controls: ControlsOpt = None,
    effects: EffectsOpt = "twoway",
    vce: VceOpt = "cluster",
    unit: UnitCol = None,
    period: PeriodCol = None,
    lang: LangOpt = "en",
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Moderation with a centred interaction and simple slopes at mean and +/- 1 SD."""
    from ..models.mediation import moderation
    from ..models.tables import regression_table

    check_lang(lang)
    df = _read(data, encoding, sheet)
    res = moderation(
        df,
        y,
        x,
        moderator,
        split(controls) or [],
        unit=unit,
        time=period,
        effects=effects,
        vce=vce,
    )
    tab = regression_table([res], lang=lang)
    out.print(tab.console(), markup=False)
    out.print(table(localise(res.slopes, lang), title=_t(lang, "简单斜率", "Simple slopes")))
    files = _write(
        out_dir, force, tab, {"simple_slopes": res.slopes.set_index("moderator_level")}, lang=lang
    )
    _finish(files, out_dir)


def spatial_cmd(
    data: DataArg,
    y: YOpt,
    x: XOpt,
    weights: Annotated[
        str,
        typer.Option(
            help="contiguity, inverse_distance, economic_distance, nested (Chinese provinces) "
            "or a weights file (.gal, .gwt, or a square matrix table)."
        ),
    ],
    out_dir: OutOpt,
    model: Annotated[str, typer.Option(help="sdm, sar or sem.")] = "sdm",
    effects: Annotated[str, typer.Option(help="Fixed effects: unit, time or twoway.")] = "twoway",
    lee_yu: Annotated[bool, typer.Option(help="Lee-Yu bias correction.")] = True,
    draws: Annotated[int, typer.Option(help="Simulations for the effects' SEs.")] = 1000,
    unit: UnitCol = None,
    period: PeriodCol = None,
    balanced: BalancedOpt = False,
    seed: SeedOpt = 0,
    lang: LangOpt = "en",
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Spatial panel SAR/SEM/SDM with LeSage-Pace effects, LM tests and SDM Wald/LR tests."""
    import pandas as pd

    from ..analysis.spatial import as_weights
    from ..models._data import model_frame
    from ..models.spatial import lm_tests, sdm_tests, spatial_panel
    from ..models.tables import regression_table

    check_lang(lang)
    df = _read(data, encoding, sheet)
    xs = split(x) or []
    mf = model_frame(df, [y, *xs], unit=unit, time=period, what="spatial panel")
    units = [str(u) for u in pd.unique(mf.frame[mf.unit])]
    frame = mf.frame.assign(**{mf.unit: mf.frame[mf.unit].astype(str)})
    w = as_weights(weights, units, row_standardise=False)
    kw = dict(effects=effects, unit=mf.unit, time=mf.time, balanced=balanced)
    fits = {
        m: spatial_panel(
            frame,
            y,
            xs,
            w,
            model=m,
            lee_yu=lee_yu,
            draws=draws,
            seed=seed,
            impacts=m == model,
            **kw,
        )
        for m in dict.fromkeys([model, "sar", "sem", "sdm"])
    }
    main = fits[model]
    tab = regression_table(
        [fits[m] for m in ("sar", "sem", "sdm")], lang=lang, titles=["SAR", "SEM", "SDM"]
    )
    out.print(tab.console(), markup=False)
    frames: dict[str, Any] = {}
    if main.impacts is not None:
        out.print(
            table(
                localise(main.impacts.reset_index(), lang),
                title=_t(lang, "直接效应、间接效应与总效应 (LeSage-Pace)", "LeSage-Pace effects"),
            )
        )
        frames["effects"] = main.impacts
    lm = lm_tests(frame, y, xs, w, effects=effects, unit=mf.unit, time=mf.time)
    spec = sdm_tests(fits["sdm"], fits["sar"], fits["sem"])
    out.print(
        table(
            localise(lm.reset_index(), lang),
            title=_t(lang, "LM 检验（非空间固定效应残差）", "LM tests (non-spatial FE residuals)"),
        )
    )
    out.print(
        table(
            localise(spec.reset_index(), lang),
            title=_t(lang, "SDM 对 SAR 与 SEM 的检验", "SDM against SAR and SEM"),
        )
    )
    from ..models.panel import hausman

    h = hausman(frame, y, xs, unit=mf.unit, time=mf.time)
    out.print(
        f"Hausman test, fixed vs random unit effects ({h['form']}, non-spatial): "
        f"chi2({h['df']}) = {h['statistic']:.3f}, p = {h['p']:.4f}",
        markup=False,
    )
    hframe = pd.DataFrame([{k: v for k, v in h.items()}]).set_index("form")
    frames |= {"lm_tests": lm, "sdm_tests": spec, "hausman": hframe}
    files = _write(out_dir, force, tab, frames, lang=lang)
    _finish(files, out_dir, main.notes)


def did_cmd(
    data: DataArg,
    y: YOpt,
    treat: Annotated[str, typer.Option("--treat", help="0/1 treatment column.")],
    out_dir: OutOpt,
    controls: ControlsOpt = None,
    vce: VceOpt = "cluster",
    unit: UnitCol = None,
    period: PeriodCol = None,
    lang: LangOpt = "en",
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Two-way fixed-effects DID."""
    from ..models.did import twfe_did
    from ..models.tables import regression_table

    check_lang(lang)
    df = _read(data, encoding, sheet)
    est = twfe_did(df, y, treat, split(controls) or [], unit=unit, time=period, vce=vce)
    tab = regression_table([est], lang=lang)
    out.print(tab.console(), markup=False)
    _finish(_write(out_dir, force, tab, {"coefficients": est.coef}, lang=lang), out_dir)


def event_study_cmd(
    data: DataArg,
    y: YOpt,
    treat: Annotated[str, typer.Option("--treat", help="0/1 treatment column (absorbing).")],
    out_dir: OutOpt,
    controls: ControlsOpt = None,
    leads: Annotated[int, typer.Option(help="Leads (periods before adoption, binned).")] = 4,
    lags: Annotated[int, typer.Option(help="Lags (periods after adoption, binned).")] = 4,
    vce: VceOpt = "cluster",
    unit: UnitCol = None,
    period: PeriodCol = None,
    lang: LangOpt = "en",
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Event study with leads and lags, the parallel-trends test and its figure."""
    from ..models.did import event_study
    from ..models.tables import regression_table

    check_lang(lang)
    df = _read(data, encoding, sheet)
    res = event_study(
        df, y, treat, split(controls) or [], unit=unit, time=period, leads=leads, lags=lags, vce=vce
    )
    tab = regression_table([res], lang=lang)
    out.print(tab.console(), markup=False)
    p = res.pretrend
    out.print(
        f"Parallel trends (all leads = 0): F = {p['F']:.3f}, df = {p['df']}, p = {p['p']:.4f}",
        markup=False,
    )
    files = _write(
        out_dir, force, tab, {"event_study": res.coef}, lambda lg: res.plot(lang=lg), lang
    )
    _finish(files, out_dir)


def staggered_cmd(
    data: DataArg,
    y: YOpt,
    treat: Annotated[str, typer.Option("--treat", help="0/1 treatment column (absorbing).")],
    out_dir: OutOpt,
    control: Annotated[str, typer.Option(help="Comparison units: never or notyet.")] = "never",
    reps: Annotated[int, typer.Option(help="Bootstrap replications.")] = 499,
    unit: UnitCol = None,
    period: PeriodCol = None,
    balanced: BalancedOpt = False,
    seed: SeedOpt = 0,
    lang: LangOpt = "en",
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Callaway-Sant'Anna ATT(g, t) for staggered adoption, with aggregations."""
    from ..models.did import callaway_santanna
    from ..models.tables import regression_table

    check_lang(lang)
    df = _read(data, encoding, sheet)
    res = callaway_santanna(
        df,
        y,
        treat,
        unit=unit,
        time=period,
        control=control,
        reps=reps,
        seed=seed,
        balanced=balanced,
    )
    out.print(res.summary(), markup=False)
    tab = regression_table([res], lang=lang)
    frames = {"att_gt": res.att_gt, "dynamic": res.dynamic, "by_cohort": res.group}
    _finish(_write(out_dir, force, tab, frames, lang=lang), out_dir, res.notes)


def register(app: typer.Typer) -> None:
    model_app.command("fe")(fe_cmd)
    model_app.command("threshold")(threshold_cmd)
    model_app.command("mediation")(mediation_cmd)
    model_app.command("moderation")(moderation_cmd)
    model_app.command("spatial")(spatial_cmd)
    model_app.command("did")(did_cmd)
    model_app.command("event-study")(event_study_cmd)
    model_app.command("staggered")(staggered_cmd)
    app.add_typer(model_app, name="model")
