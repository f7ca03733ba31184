"""Run a study: read, clean, index, TFP, analyse, then write tables, figures, report, manifest.

:func:`run_study` is the conductor behind ``nqpf run``. It calls the engines of
nqpf (readers, :func:`~nqpf.panel.impute.impute`, :func:`~nqpf.framework.prepare`,
:func:`~nqpf.index.build_index`, the robustness, TFP and analysis functions)
and never re-implements them. Each step reports progress through a callback
and is timed for the manifest. A step that fails on the user's data raises a
:class:`~nqpf.errors.DataError` naming the study section; an optional analysis
that cannot run on this kind of data (spatial analyses of units without
spatial weights) is skipped with a note in the report.

Determinism: the same study file and data give the same tables, byte for byte
(seeds come from the study; nothing depends on the clock except the manifest's
timings and date).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, NqpfError
from ..output_staging import Staging, begin_output
from ..report.model import Section, StudyOutput
from .inputs import groups_mapping, record_input
from .load import Study, load_study
from .sections_common import Context, section_error, zh_en

__all__ = ["RunResult", "run_study", "FIXED_NAMES"]

#: The fixed names at the top of an output folder.
FIXED_NAMES = ("report.html", "report.docx", "report.pdf", "tables.xlsx", "manifest.json",
               "tables", "figures")

Progress = Callable[[str, int, int], None]


@dataclass
class RunResult:
    """What :func:`run_study` did.

    Attributes
    ----------
    out_dir : Path
        The output folder.
    output : StudyOutput
        Sections, tables and figures (the report's content).
    files : list of str
        Every file written, relative to ``out_dir``, sorted.
    manifest : dict
        The manifest written to ``manifest.json``.
    index : IndexResult
        The composite index.
    lines : list of str
        A short summary of the run (data, index, sections, notes), in the report's language.
    notes : list of str
        The points a reader should check (the key findings' cautions), in the report's
        language, with table citations numbered as in the report.
    closing : list of str
        Where each output is, in the report's language.
    """

    out_dir: Path
    output: StudyOutput
    files: list[str]
    manifest: dict[str, Any]
    index: Any
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)

    @property
    def report(self) -> Path:
        return self.out_dir / "report.html"


def run_study(
    study: Study | str | Path,
    out_dir: str | Path,
    *,
    lang: str | None = None,
    force: bool = False,
    overrides: Any = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run a study and write its outputs into ``out_dir``.

    Parameters
    ----------
    study : Study or path
        A loaded study (:func:`~nqpf.study.load.load_study`) or the path of a study file.
    out_dir : str or Path
        The output folder: new, empty, or (with ``force``) one whose nqpf files are replaced.
    lang : {"zh", "en"}, optional
        Language of the report, overriding the study's ``lang``.
    force : bool
        Write into a non-empty folder, replacing the files nqpf writes (never others).
    overrides : list of "KEY=VALUE", optional
        ``--set`` values when ``study`` is a path.
    progress : callable, optional
        Called as ``progress(step, done, total)`` before each step.

    Returns
    -------
    RunResult
    """
    if not isinstance(study, Study):
        study = load_study(study, overrides)
    elif overrides:
        raise DataError("overrides apply when the study is given as a path; load it with them")
    spec = study.spec
    lang = lang or spec.lang
    if lang not in ("zh", "en"):
        raise DataError(f"unknown language {lang!r}; use zh or en")
    # everything is written into a staging folder, moved into place only once complete
    stage = begin_output(Path(out_dir), force)
    try:
        return _run(study, lang, stage, force, progress)
    except BaseException:
        stage.abort()
        raise


def _run(
    study: Study, lang: str, stage: Staging, force: bool,
    progress: Callable[[str, int, int], None] | None,
) -> RunResult:
    spec = study.spec
    out = stage.path
    ctx = Context(study=study, lang=lang, out=out, force=force, seed=spec.seed)

    from . import sections_analysis as SA
    from . import sections_index as SI
    from . import sections_tfp as ST

    analyses = spec.analyses.asked()
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("data", lambda: read_data(ctx)),
        ("cleaning", lambda: clean(ctx)),
        ("index", lambda: SI.build(ctx)),
    ]
    if spec.tfp is not None:
        steps.append(("tfp", lambda: ST.run(ctx)))
    for a in analyses:
        steps.append((a, lambda a=a: SA.run(ctx, a)))
    if spec.models:
        from . import sections_models as SM

        steps.append(("models", lambda: SM.run(ctx)))
    if spec.robustness is not None:
        steps.append(("robustness", lambda: SI.robustness(ctx)))
    if spec.assessment is not None:
        from . import sections_assessment as SAs

        steps.append(("assessment", lambda: SAs.run(ctx)))

    say = progress or (lambda _s, _d, _t: None)
    total = len(steps) + 1
    timings: dict[str, float] = {}
    results: dict[str, Any] = {}
    for i, (name, fn) in enumerate(steps):
        say(name, i, total)
        t0 = time.perf_counter()
        try:
            results[name] = fn()
        except NqpfError as e:
            if str(e).startswith("study section"):
                raise
            raise section_error(name, e) from e
        timings[name] = round(time.perf_counter() - t0, 3)

    say("report", len(steps), total)
    t0 = time.perf_counter()
    sections = _sections(ctx, results, analyses)
    from .sections_common import finish_tables

    finish_tables(ctx, sections)
    if ctx.figures_enabled():
        from ..report.fonts import font_note

        note = font_note(lang)
        if note:
            sections[0].notes.append(note)
    output = StudyOutput(
        title=spec.title_text(lang),
        lang=lang,
        sections=sections,
        subtitle=spec.subtitle_text(lang),
    )
    from .manifest import build_manifest, write_manifest

    files = _write(ctx, output)
    from ..report.docx import docx_available, write_docx
    from ..report.pdf import chromium_path, print_pdf

    if docx_available():
        write_docx(output, out / "report.docx", overwrite=ctx.force)
        files.append("report.docx")
    else:
        ctx.notes.append(zh_en(lang, "未生成 Word 报告: 需要 python-docx (pip install "
                               "'nqpf[docx]')", "No Word report: it needs python-docx (pip "
                               "install 'nqpf[docx]')"))
    pdf = chromium_path() is not None
    if pdf:
        files.append("report.pdf")
    timings["report"] = round(time.perf_counter() - t0, 3)
    manifest = build_manifest(ctx, timings, sorted(set(files) | {"manifest.json"}))
    output.manifest = manifest
    # the report shows the manifest: write it once the manifest is complete
    from ..report.html import write_report

    write_report(output, out / "report.html", overwrite=ctx.force)
    if pdf:
        try:
            if (out / "report.pdf").exists() and not ctx.force:
                raise DataError(f"{out / 'report.pdf'} exists; pass --force")
            print_pdf(out / "report.html", out / "report.pdf")
        except DataError as e:
            manifest["outputs"] = [f for f in manifest["outputs"] if f != "report.pdf"]
            ctx.notes.append(zh_en(lang, f"未生成 PDF 报告: {e}", f"No PDF report: {e}"))
    else:
        ctx.notes.append(zh_en(lang, "未生成 PDF 报告: 需要 Chromium (apt-get install chromium)",
                               "No PDF report: it needs Chromium (apt-get install chromium)"))
    write_manifest(manifest, out / "manifest.json")
    say("done", total, total)
    target = stage.commit()
    for f in output.figures():  # the figures now live in the output folder
        f.paths = {k: target / Path(v).relative_to(out) for k, v in f.paths.items()}
    from ..report.layout import layout

    lay = layout(output)
    notes = [lay.text(n) for n in (sections[0].notes if sections else [])]
    return RunResult(
        out_dir=target,
        output=output,
        files=manifest["outputs"],
        manifest=manifest,
        index=ctx.index,
        lines=_summary_lines(ctx, output),
        notes=notes,
        closing=_closing_lines(target, manifest["outputs"], lang),
    )


def _closing_lines(out: Path, outputs: list[str], lang: str) -> list[str]:
    """Where the report, the Word and PDF versions, the tables, figures and manifest are."""
    have = set(outputs)
    rows = [("report.html", "报告", "Report")]
    if "report.docx" in have:
        rows.append(("report.docx", "Word 报告", "Word"))
    if "report.pdf" in have:
        rows.append(("report.pdf", "PDF 报告", "PDF"))
    lines = [zh_en(lang, f"{zh}: {out / name}", f"{en}: {out / name}") for name, zh, en in rows]
    if any(f.startswith("tables") for f in have):
        lines.append(zh_en(lang, f"表格: {out / 'tables.xlsx'} 与 {out / 'tables'}/",
                           f"Tables: {out / 'tables.xlsx'} and {out / 'tables'}/"))
    if any(f.startswith("figures/") for f in have):
        lines.append(zh_en(lang, f"图: {out / 'figures'}/", f"Figures: {out / 'figures'}/"))
    lines.append(zh_en(lang, f"运行清单: {out / 'manifest.json'}",
                       f"Manifest: {out / 'manifest.json'}"))
    return lines


# ---------------------------------------------------------------------- data
def read_data(ctx: Context) -> Any:
    """Read every data source, rename and keep indicators, merge, derive series."""
    from ..panel.core import Panel

    spec = ctx.spec
    panels: list[Panel] = []
    for i, src in enumerate(spec.data):
        key = f"data[{i}]"
        try:
            panel = _read_source(ctx, src, key)
        except NqpfError as e:
            raise DataError(f"study section {key} ({src.kind}): {e}") from e
        if src.rename:
            unknown = [k for k in src.rename if k not in panel.indicators]
            if unknown:
                raise DataError(
                    f"study section {key}: rename names indicator(s) {unknown} that the source "
                    f"does not hold; it holds {list(panel.indicators)[:20]}"
                )
            panel = panel.replace(
                indicators=tuple(src.rename.get(n, n) for n in panel.indicators)
            )
        if src.keep:
            try:
                panel = panel.sel(indicators=src.keep)
            except DataError as e:
                raise DataError(f"study section {key}: keep: {e}") from e
        panels.append(panel)
    try:
        raw = reduce(lambda a, b: a.merge(b), panels)
    except DataError as e:
        raise DataError(f"study section data: the sources disagree: {e}") from e
    for j, d in enumerate(spec.derive):
        for s in (d.series, d.denominator):
            if s is not None and s not in raw.indicators:
                raise DataError(
                    f"study section derive[{j}] ({d.id}): series {s!r} is not in the data; "
                    f"the data hold {list(raw.indicators)[:30]}"
                )
        pos = {n: k for k, n in enumerate(raw.indicators)}
        x = raw.values[:, :, pos[d.series]]
        if d.denominator is not None:
            den = raw.values[:, :, pos[d.denominator]]
            zero = (den == 0) & ~np.isnan(x)
            if zero.any():
                u, t = np.argwhere(zero)[0]
                raise DataError(
                    f"study section derive[{j}] ({d.id}): {d.denominator} is 0 for unit "
                    f"{raw.units[u]}, period {raw.periods[t]}"
                )
            with np.errstate(invalid="ignore", divide="ignore"):
                x = x / den
        raw = raw.with_indicator(d.id, x * d.scale)
        if d.name_zh or d.name_en:
            ctx.params.setdefault("series_names", {})[d.id] = (
                d.name_zh or d.name_en or d.id, d.name_en or d.name_zh or d.id)
    names = ctx.params.setdefault("series_names", {})
    for sid, t in spec.series_names.items():
        names[sid] = (t.text("zh"), t.text("en"))
    ctx.raw = raw
    return raw


def _read_source(ctx: Context, src: Any, key: str) -> Any:
    kind = src.kind
    if kind == "builtin":
        from ..datasets.demo import DEMO_SERIES_NAMES, demo_data_path, load_demo_panel

        record_input(ctx, demo_data_path(), f"{key} builtin {src.builtin}")
        ctx.params.setdefault("series_names", {}).update(DEMO_SERIES_NAMES)
        return load_demo_panel()
    if kind == "file":
        from ..sources.pack import load_data

        paths = [ctx.study.resolve_path(f, f"{key}.file") for f in src.file]
        for p in paths:
            record_input(ctx, p, f"{key} file")
        return load_data([str(p) for p in paths] if len(paths) > 1 else str(paths[0]),
                         **src.read_options())
    if kind == "pack":
        from ..sources.pack import PACK_FILE, read_pack

        folder = ctx.study.resolve_path(src.pack, f"{key}.pack")
        if folder.is_dir():
            for p in sorted(folder.iterdir()):
                role = f"{key} pack" + (" description" if p.name == PACK_FILE else "")
                record_input(ctx, p, role)
        return read_pack(folder).panel
    if kind == "yearbook":
        from ..sources.readers import read_yearbook_long

        paths = [ctx.study.resolve_path(f, f"{key}.yearbook") for f in src.yearbook]
        for p in paths:
            record_input(ctx, p, f"{key} yearbook")
        dictionary = None
        if src.dictionary is not None:
            dictionary = ctx.study.resolve_path(src.dictionary, f"{key}.dictionary")
            record_input(ctx, dictionary, f"{key} dictionary")
        res = read_yearbook_long([str(p) for p in paths], dictionary=dictionary)
        names = ctx.params.setdefault("series_names", {})
        for _, r in res.dictionary.iterrows():
            names[str(r["code"])] = _yearbook_name(r)
        panel = res.panel
        if src.select:
            panel = panel.sel(indicators=res.select(src.select))
        return panel
    from ..sources.readers import read_ceads

    p = ctx.study.resolve_path(src.ceads, f"{key}.ceads")
    record_input(ctx, p, f"{key} ceads")
    ctx.params.setdefault("series_names", {}).setdefault(
        "co2", ("二氧化碳排放量", "CO2 emissions"))
    return read_ceads(p, level=src.level or "auto")


def _yearbook_name(r: Any) -> tuple[str, str]:
    """(zh, en) name of a yearbook series: the last two levels of its block path
    (专利授权(发明)), else its Chinese name; English when the dictionary has one, else the code."""
    code = str(r["code"])
    path = [p for p in str(r.get("path_zh") or "").split(";") if p and p != "nan"]
    if len(path) >= 2:
        zh = path[-1] if path[-2] in path[-1] else f"{path[-2]}({path[-1]})"
    else:
        zh = str(r.get("name_zh") or code)
    en = str(r.get("name_en") or "")
    return zh, (en if en and en != "nan" else code)


# ---------------------------------------------------------------------- cleaning
def tfp_series(spec: Any) -> list[str]:
    """The data series the TFP part of a study needs."""
    out: list[str] = []
    if spec.tfp is not None and spec.tfp.dea is not None:
        d = spec.tfp.dea
        out += [*d.inputs, *d.outputs, *d.bad]
    if spec.tfp is not None and spec.tfp.growth is not None:
        g = spec.tfp.growth
        out += [s for s in (g.output, g.labour, g.capital, g.investment) if s]
        if isinstance(g.labour_share, str):
            out.append(g.labour_share)
    return list(dict.fromkeys(out))


def clean(ctx: Context) -> Any:
    """Framework, periods, validation (outlier report), imputation, indicators, complete cases."""
    from ..framework import load_framework, prepare
    from ..panel.impute import impute
    from ..panel.validate import validate

    spec = ctx.spec
    fw_arg: Any = spec.framework
    if isinstance(fw_arg, str):
        from ..framework import list_builtin

        if fw_arg not in list_builtin():
            fw_arg = ctx.study.resolve_path(fw_arg, "framework")
            record_input(ctx, fw_arg, "framework")
    try:
        fw = load_framework(fw_arg)
    except NqpfError as e:
        raise DataError(f"study section framework: {e}") from e
    ctx.framework = fw

    raw = ctx.raw
    periods = spec.period_list(list(raw.periods))
    if not periods:
        raise DataError(
            f"study section periods: none of the periods asked for is in the data, which "
            f"cover {raw.periods[0]}–{raw.periods[-1]}"
        )
    need = list(dict.fromkeys([*fw.required_series(), *tfp_series(spec)]))
    missing = [s for s in need if s not in raw.indicators]
    if missing:
        import difflib

        hints = []
        for m in missing[:10]:
            close = difflib.get_close_matches(m, list(raw.indicators), n=1, cutoff=0.6)
            hints.append(f"{m}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise DataError(
            f"study section cleaning: series {', '.join(hints)} are named by the framework or "
            f"the TFP settings but are not in the data; the data hold "
            f"{list(raw.indicators)[:30]}"
        )
    panel = raw.sel(periods=periods, indicators=need)
    fw_panel = panel.sel(indicators=fw.required_series())
    out = spec.cleaning.outliers
    ctx.params["validation"] = validate(
        fw_panel, framework=fw, outlier_rule=out.rule, outlier_threshold=out.threshold
    )
    filled = panel
    for m in spec.cleaning.impute_methods():
        filled = impute(filled, m)
    ctx.params["imputed_cells"] = int(filled.imputed.sum() - panel.imputed.sum())
    derived = prepare(filled.sel(indicators=fw.required_series()), fw)
    left_out: list[str] = []
    if spec.cleaning.complete == "units":
        flat = derived.values.reshape(derived.shape[0], -1)
        ok = ~np.isnan(flat).any(axis=1)
        kept = [u for u, k in zip(derived.units, ok, strict=True) if k]
        left_out = [u for u, k in zip(derived.units, ok, strict=True) if not k]
        if len(kept) < spec.cleaning.min_units:
            raise DataError(
                f"study section cleaning: only {len(kept)} unit(s) have complete data for every "
                f"indicator and period (cleaning.min_units is {spec.cleaning.min_units}); "
                f"impute (cleaning.impute), shorten the periods, or set cleaning.complete: none"
            )
        derived = derived.sel(units=kept)
        filled = filled.sel(units=kept)
    ctx.params["units_left_out"] = left_out
    ctx.clean = filled
    ctx.indicators = derived
    _resolve_groups(ctx)
    return derived


def _resolve_groups(ctx: Context) -> None:
    g = ctx.spec.groups
    if g is None:
        return
    ctx.groups = groups_mapping(ctx, g, "groups")
    ctx.groups_name = g if isinstance(g, str) else "mapping"


# ---------------------------------------------------------------------- sections and files
_ORDER = (
    "summary",
    "framework",
    "weights",
    "index",
    "dimensions",
    "tfp",
    "disparity",
    "dynamics",
    "convergence",
    "spatial",
    "coupling",
    "obstacles",
    "types",
    "models",
    "robustness",
    "assessment",
)


def _sections(ctx: Context, results: dict[str, Any], analyses: list[str]) -> list[Section]:
    from . import sections_analysis as SA
    from . import sections_index as SI
    from . import sections_tfp as ST

    made: dict[str, Section] = {}
    made["framework"] = SI.framework_section(ctx)
    made["weights"] = SI.weights_section(ctx)
    made["index"] = SI.index_section(ctx)
    dims = SI.dimensions_section(ctx)
    if dims is not None:
        made["dimensions"] = dims
    if "tfp" in results and results["tfp"] is not None:
        made["tfp"] = ST.section(ctx, results["tfp"])
    for key, sec in SA.sections(ctx, {a: results.get(a) for a in analyses}).items():
        made[key] = sec
    if results.get("models"):
        from . import sections_models as SM

        made["models"] = SM.section(ctx, results["models"])
    if "robustness" in results:
        made["robustness"] = SI.robustness_section(ctx, results["robustness"])
    if results.get("assessment") is not None:
        from . import sections_assessment as SAs

        made["assessment"] = SAs.section(ctx, results["assessment"])
    from .sections_summary import summary_section

    made["summary"] = summary_section(ctx, made, results)
    return [made[k] for k in _ORDER if k in made]


def _write(ctx: Context, output: StudyOutput) -> list[str]:
    from ..report.tables import write_tables

    formats = tuple(ctx.spec.outputs.tables)
    written = write_tables(output, ctx.out, formats=formats, overwrite=ctx.force)
    files = [_rel(ctx.out, Path(p)) for p in written]
    files += [_rel(ctx.out, p) for f in output.figures() for p in f.paths.values()]
    files += ctx.params.get("assessment_files", [])
    files.append("report.html")
    return files


def _rel(out: Path, p: Path) -> str:
    p = p if p.is_absolute() else out / p
    try:
        return p.resolve().relative_to(out.resolve()).as_posix()
    except ValueError:
        return str(p)


def _summary_lines(ctx: Context, output: StudyOutput) -> list[str]:
    from ..report.vocab import recipe_text

    lang = ctx.lang
    ind = ctx.indicators
    lines = [
        zh_en(
            lang,
            f"数据: {ind.shape[0]} 个单位, {ind.periods[0]}–{ind.periods[-1]} 年, "
            f"{ind.shape[2]} 项指标",
            f"Data: {ind.shape[0]} units, {ind.periods[0]}–{ind.periods[-1]}, "
            f"{ind.shape[2]} indicators",
        ),
        zh_en(lang, f"指数: {recipe_text(ctx.index.recipe, lang)}",
              f"Index: {recipe_text(ctx.index.recipe, lang)}"),
        zh_en(
            lang,
            f"报告章节: {', '.join(s.title for s in output.sections)}",
            f"Report sections: {', '.join(s.title for s in output.sections)}",
        ),
        zh_en(
            lang,
            f"表 {len(output.tables())} 张, 图 {len(output.figures())} 幅",
            f"{len(output.tables())} tables, {len(output.figures())} figures",
        ),
    ]
    left = ctx.params.get("units_left_out") or []
    if left:
        lines.append(zh_en(lang, f"因数据不完整未纳入: {len(left)} 个单位",
                           f"Left out for incomplete data: {len(left)} units"))
    lines += ctx.notes
    return lines
