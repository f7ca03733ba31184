"""The models section: regressions on the index (``models:`` in the study file).

Each entry of ``models:`` fits one model of :mod:`nqpf.models` on a table of the
study's units and periods holding ``index`` (the composite score), every
dimension score (by node id) and every series read (after cleaning). The
coefficient tables of all models are set side by side in one journal-style
table; each model adds its own detail tables (threshold tests, mediation
effects, spatial effects and tests, event-study coefficients, group-time ATTs)
and figures (LR(gamma), event study).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ..models.tables import localise as _zh
from ..report.model import Section
from .sections_common import Context, table, zh_en

_TITLE = ("回归分析", "Regression analysis")


def _zh_note(n: str) -> str:
    """Chinese for the notes the models write."""
    m = re.match(r"bootstrap: units resampled \((\d+) clusters\), fixed effects: (\w+)", n)
    if m:
        return f"自抽样：按个体整体重抽（{m[1]} 个聚类），固定效应：{_FE.get(m[2], m[2])}"
    m = re.match(r"bootstrap: observations resampled, fixed effects: (\w+)", n)
    if m:
        return f"自抽样：按观测值重抽，固定效应：{_FE.get(m[1], m[1])}"
    m = re.match(r"(\d+) rows with missing values dropped \((.*)\)", n)
    if m:
        return f"删除含缺失值的观测 {m[1]} 行（{m[2]}）"
    m = re.match(r"balanced subset: (\d+) of (\d+) units kept", n)
    if m:
        return f"平衡面板子样本：保留 {m[2]} 个个体中的 {m[1]} 个"
    if n.startswith("unbalanced panel"):
        return "非平衡面板：组内变换按各个体自身的期数进行，自抽样只在观测期数相同的个体间抽取残差"
    return n


_FE = {"unit": "个体", "time": "时间", "twoway": "个体与时间双向", "none": "无"}


def model_frame(ctx: Context) -> pd.DataFrame:
    """unit, period, index and dimension scores, and the cleaned series."""
    s = ctx.index.scores
    scores = s.pivot_table(index=["unit", "period"], columns="node", values="score")
    series = ctx.clean.to_wide()
    series = series[[c for c in series.columns if c not in scores.columns]]
    df = scores.join(series, how="outer").reset_index()
    df.columns = [str(c) for c in df.columns]
    return df


def _name(i: int, spec: Any) -> str:
    return spec.name or f"model{i + 1}_{spec.kind}"


def run(ctx: Context) -> list[tuple[Any, Any]]:
    """Fit every model of the study; returns (spec, result) pairs."""
    from ..models import did, mediation, panel, spatial
    from ..models.threshold import threshold as fit_threshold

    df = model_frame(ctx)
    common = dict(unit="unit", time="period")
    out = []
    for spec in ctx.spec.models:
        k = spec.kind
        if k == "fe":
            res = panel.fe_regression(
                df,
                spec.y,
                spec.x,
                controls=spec.controls,
                effects=spec.effects,
                vce=spec.vce,
                lags=spec.lagged or None,
                balanced=spec.balanced,
                **common,
            )
        elif k == "threshold":
            res = fit_threshold(
                df,
                spec.y,
                spec.regime,
                spec.q,
                spec.controls,
                n_thresholds=spec.thresholds,
                trim=spec.trim,
                grid=spec.grid,
                bootstrap=spec.bootstrap,
                seed=ctx.seed,
                balanced=spec.balanced,
                **common,
            )
        elif k == "mediation":
            res = mediation.mediation(
                df,
                spec.y,
                spec.x[0],
                spec.mediator,
                spec.controls,
                effects=spec.effects,
                vce=spec.vce,
                reps=spec.reps,
                seed=ctx.seed,
                **common,
            )
        elif k == "moderation":
            res = mediation.moderation(
                df,
                spec.y,
                spec.x[0],
                spec.moderator,
                spec.controls,
                effects=spec.effects,
                vce=spec.vce,
                **common,
            )
        elif k == "spatial":
            res = _spatial(ctx, df, spec, spatial)
        elif k == "did":
            res = did.twfe_did(df, spec.y, spec.treat, spec.controls, vce=spec.vce, **common)
        elif k == "event_study":
            res = did.event_study(
                df,
                spec.y,
                spec.treat,
                spec.controls,
                leads=spec.leads,
                lags=spec.lags,
                vce=spec.vce,
                **common,
            )
        else:
            res = did.callaway_santanna(
                df,
                spec.y,
                spec.treat,
                control=spec.control,
                reps=max(spec.reps, 50),
                seed=ctx.seed,
                balanced=spec.balanced,
                **common,
            )
        out.append((spec, res))
    return out


def _spatial(ctx: Context, df: pd.DataFrame, spec: Any, spatial: Any) -> dict[str, Any]:
    from pathlib import Path

    from ..analysis.spatial import as_weights, spatial_weights

    units = sorted(df["unit"].astype(str).unique())
    if Path(spec.weights).suffix.lower() in (".gal", ".gwt", ".csv", ".xlsx", ".txt"):
        w = as_weights(
            ctx.study.resolve_path(spec.weights, "models.weights"),
            units=units,
            row_standardise=False,
        )
    else:
        w = spatial_weights(kind=spec.weights, units=units, row_standardise=False)
    kw = dict(
        effects="twoway" if spec.effects == "none" else spec.effects,
        unit="unit",
        time="period",
        lee_yu=spec.lee_yu,
        seed=ctx.seed,
        balanced=spec.balanced,
    )
    d = df.assign(unit=df["unit"].astype(str))
    fits = {
        m: spatial.spatial_panel(d, spec.y, spec.x, w, model=m, impacts=m == spec.model, **kw)
        for m in ("sar", "sem", "sdm")
    }
    lm = spatial.lm_tests(d, spec.y, spec.x, w, effects=kw["effects"], unit="unit", time="period")
    return {
        "fits": fits,
        "main": fits[spec.model],
        "lm": lm,
        "sdm": spatial.sdm_tests(fits["sdm"], fits["sar"], fits["sem"]),
    }


def section(ctx: Context, results: list[tuple[Any, Any]]) -> Section:
    """The report section: one side-by-side table and each model's details and figures."""
    from ..models.tables import regression_table

    lang = ctx.lang
    sec = Section(key="models", title=zh_en(lang, *_TITLE))
    columns, titles = [], []
    for i, (spec, res) in enumerate(results):
        name = _name(i, spec)
        label = (
            spec.title
            if isinstance(spec.title, str)
            else (spec.title.text(lang) if spec.title else name)
        )
        if spec.kind == "mediation":
            columns += res.steps
            titles += [f"{label}: {s.label}" for s in res.steps]
        elif spec.kind == "spatial":
            columns.append(res["main"])
            titles.append(label)
        else:
            columns.append(res)
            titles.append(label)
        _details(ctx, sec, name, label, spec, res)
    if columns:
        tab = regression_table(columns, lang=lang, titles=titles)
        frame = tab.frame()
        frame.columns = [zh_en(lang, "变量", "Variable"), *frame.columns[1:]]
        sec.tables.insert(
            0,
            table(
                "models",
                zh_en(lang, "回归结果", "Regression results"),
                frame,
                note=" ".join(tab.notes),
            ),
        )
    return sec


def _details(ctx: Context, sec: Section, name: str, label: str, spec: Any, res: Any) -> None:
    lang = ctx.lang
    first = len(sec.tables)
    if spec.kind == "threshold":
        sec.tables.append(
            table(
                f"{name}_thresholds",
                f"{label}: "
                + zh_en(
                    lang, "门槛估计值与置信区间", "threshold estimates and confidence intervals"
                ),
                res.threshold_table(),
            )
        )
        sec.tables.append(
            table(
                f"{name}_tests",
                f"{label}: "
                + zh_en(lang, "门槛效应自抽样检验", "bootstrap tests of threshold effects"),
                res.test_table(),
            )
        )
        ctx.figure(sec, f"{name}_lr", f"{label}: LR(γ)", lambda _F: _tag(res, lang))
    elif spec.kind == "mediation":
        sec.tables.append(
            table(
                f"{name}_effects",
                f"{label}: "
                + zh_en(
                    lang,
                    "中介效应（偏差校正自抽样）",
                    "mediation effects (bias-corrected bootstrap)",
                ),
                res.effects.reset_index(),
            )
        )
        sec.tables.append(table(f"{name}_sobel", f"{label}: Sobel", res.sobel.reset_index()))
    elif spec.kind == "moderation":
        sec.tables.append(
            table(
                f"{name}_slopes",
                f"{label}: " + zh_en(lang, "简单斜率", "simple slopes"),
                res.slopes,
            )
        )
    elif spec.kind == "spatial":
        main = res["main"]
        if main.impacts is not None:
            sec.tables.append(
                table(
                    f"{name}_effects",
                    f"{label}: "
                    + zh_en(
                        lang, "直接效应、间接效应与总效应", "direct, indirect and total effects"
                    ),
                    main.impacts.reset_index(),
                )
            )
        sec.tables.append(
            table(
                f"{name}_lm",
                f"{label}: " + zh_en(lang, "LM 检验", "LM tests"),
                res["lm"].reset_index(),
            )
        )
        sec.tables.append(
            table(
                f"{name}_sdm_tests",
                f"{label}: "
                + zh_en(lang, "SDM 的 Wald 与 LR 检验", "Wald and LR tests of the SDM"),
                res["sdm"].reset_index(),
            )
        )
    elif spec.kind == "event_study":
        sec.tables.append(
            table(
                f"{name}_event",
                f"{label}: " + zh_en(lang, "事件研究系数", "event-study coefficients"),
                res.coef.rename_axis("k").reset_index(),
            )
        )
        p = res.pretrend
        sec.paragraphs.append(
            zh_en(
                lang,
                f"{label}：平行趋势检验 F = {p['F']:.3f}，p = {p['p']:.4f}。",
                f"{label}: parallel-trends test F = {p['F']:.3f}, p = {p['p']:.4f}.",
            )
        )
        ctx.figure(sec, f"{name}_event", label, lambda _F: _tag(res, lang))
    elif spec.kind == "staggered":
        sec.tables.append(
            table(
                f"{name}_dynamic",
                f"{label}: "
                + zh_en(
                    lang,
                    "动态处理效应 (Callaway-Sant'Anna)",
                    "dynamic effects (Callaway-Sant'Anna)",
                ),
                res.dynamic.reset_index(),
            )
        )
        sec.tables.append(table(f"{name}_att_gt", f"{label}: ATT(g, t)", res.att_gt))
    for n in getattr(res, "notes", []) or []:
        sec.notes.append(f"{label}: {_zh_note(n) if lang == 'zh' else n}")
    for item in sec.tables[first:]:
        item.frame = _zh(item.frame, lang)


def _tag(res: Any, lang: str) -> Any:
    """The result's figure in the language the fonts allow, marked for the figure writer."""
    from ..report.fonts import effective_lang

    shown = effective_lang(lang)
    fig = res.plot(lang=shown)
    fig.nqpf_lang = shown
    return fig
