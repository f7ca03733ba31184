"""Sections of the framework, weights, index, dimensions and robustness."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..report.model import Section
from .sections_common import Context, table, tr, zh_en

ROOT = "index"


# ---------------------------------------------------------------------- engine calls
def build(ctx: Context) -> Any:
    """The composite index (:func:`nqpf.index.build_index`) of the prepared indicators."""
    from ..index import build_index

    recipe = ctx.spec.index.recipe()
    explain = ctx.spec.analyses.obstacle is not None
    ctx.index = build_index(ctx.indicators, ctx.framework, recipe, explain=explain)
    return ctx.index


def robustness(ctx: Context) -> Any:
    """Monte Carlo over the index's choices (:func:`nqpf.robustness.uncertainty.robustness`)."""
    from ..robustness.uncertainty import Uncertainty
    from ..robustness.uncertainty import robustness as run

    r = ctx.spec.robustness
    fw = ctx.framework
    series = fw.required_series()
    units = list(ctx.indicators.units)
    if r.impute:  # the alternatives impute: start from the data as read
        panel = ctx.raw.sel(units=units, periods=list(ctx.indicators.periods), indicators=series)
    else:
        panel = ctx.clean.sel(indicators=series)
    unc = Uncertainty(
        impute=tuple(r.impute),
        normalise=tuple(r.normalise),
        weights=tuple(r.weights),
        aggregate=tuple(r.aggregate),
        leave_one_out=r.leave_one_out,
        perturb=r.perturb,
        dirichlet=r.dirichlet,
        bootstrap=r.bootstrap,
        settings=r.settings,
        remove=tuple(r.remove),
        level_perturb=r.level_perturb,
    )
    seed = ctx.seed if r.seed is None else r.seed
    return run(
        panel,
        fw,
        unc,
        ctx.spec.index.recipe(),
        replications=r.replications,
        seed=seed,
        sensitivity=r.sensitivity,
    )


_METHOD_ZH = {
    "entropy": "熵权法", "critic": "CRITIC 法", "equal": "等权", "expert": "专家权重",
    "cv": "变异系数法", "sd": "标准差法", "pca": "主成分法", "sum": "加权求和",
    "geometric": "加权几何平均", "topsis": "TOPSIS", "gra": "灰色关联分析",
    "minmax": "极差标准化", "zscore": "Z 分数标准化", "rank": "秩次标准化",
    "flat": "平铺结构", "hierarchical": "分层结构", "pooled": "全样本", "per-period": "逐年",
    "vikor": "VIKOR", "copeland": "Copeland 计分", "harmonic": "加权调和平均",
}
_SETTING_ZH = {
    "structure": "合成结构", "panel_mode": "标准化参照", "treat.winmax": "缩尾点数上限",
    "treat.skew_thresh": "偏度阈值", "treat.kurt_thresh": "峰度阈值",
    "treat.transform": "离群值变换", "params.rho": "灰色关联分辨系数",
}


def _robustness_inputs(lang: str, p: dict) -> str:
    """One sentence naming what the replications varied and how many were drawn."""
    u = p["uncertainty"]
    zh, en = [], []
    for key, zh_what, en_what in (
        ("impute", "插补方法", "imputation"), ("normalise", "标准化方法", "normalisation"),
        ("weights", "赋权方法", "weights"), ("aggregate", "合成方法", "aggregation"),
    ):
        if len(u[key]) > 1:
            zh.append(zh_what + "（" + "、".join(_METHOD_ZH.get(m, m) for m in u[key]) + "）")
            en.append(f"{en_what} ({', '.join(u[key])})")
    if u["leave_one_out"]:
        zh.append("逐一剔除指标")
        en.append("leaving out one indicator at a time")
    if u["perturb"] is not None:
        zh.append(f"权重 ±{u['perturb']:.0%} 随机扰动")
        en.append(f"weights perturbed by ±{u['perturb']:.0%}")
    if u["dirichlet"] is not None:
        zh.append(f"Dirichlet 权重（集中度 {u['dirichlet']:g}）")
        en.append(f"Dirichlet weights (concentration {u['dirichlet']:g})")
    if u["bootstrap"]:
        zh.append("样本单位自助重抽样")
        en.append("bootstrap resampling of units")
    for path, alts in u.get("settings", {}).items():
        vals = "、".join(_METHOD_ZH.get(str(a), str(a)) for a in alts)
        zh.append(f"{_SETTING_ZH.get(path, '设定 ' + path)}（{vals}）")
        en.append(f"setting {path} ({', '.join(map(str, alts))})")
    for level, amount in u.get("level_perturb", {}).items():
        zh.append(f"{ {'dimension': '维度', 'subdimension': '子维度', 'indicator': '指标'}[level]}"
                  f"层权重 ±{amount:.0%} 扰动")
        en.append(f"{level} weights perturbed by ±{amount:.0%}")
    if u.get("remove"):
        zh.append("逐一剔除维度（" + "、".join(u["remove"]) + "）")
        en.append("removing one of " + ", ".join(u["remove"]))
    return zh_en(
        lang,
        f"不确定输入：{'；'.join(zh)}；以 Sobol 序列抽取 {p['replications']} 次重复"
        "（次数取 2 的幂）。",
        f"Uncertain inputs: {'; '.join(en)}; {p['replications']} replications drawn from a "
        "Sobol sequence (a power of 2).",
    )


# ---------------------------------------------------------------------- helpers
def unit_kind(units: Any) -> str:
    """``province`` (CN-XX codes), ``country`` (ISO3) or ``other``."""
    us = [str(u) for u in units]
    if us and all(re.fullmatch(r"CN-[A-Z]{2}", u) for u in us):
        return "province"
    if us and all(re.fullmatch(r"[A-Z]{3}", u) for u in us):
        return "country"
    return "other"


def geometry(ctx: Context) -> tuple[Any, str | None]:
    """The map geometry for the study's units and, when there is none, a note why."""
    if "value" in ctx.geometry:
        return ctx.geometry["value"], ctx.geometry.get("note")
    kind = unit_kind(ctx.indicators.units)
    maps = ctx.spec.outputs.maps
    geo, note = None, None
    if kind in ("province", "country"):
        from ..report import maps as M

        if kind == "province" and maps.china != "none":
            path = None
            if maps.china != "cnmaps":
                from .inputs import record_input

                path = ctx.study.resolve_path(maps.china, "outputs.maps.china")
                record_input(ctx, path, "outputs.maps.china")
            geo = M.china_provinces(path)
            if geo is None:
                note = M.map_note("china", ctx.lang)
        elif kind == "country" and maps.world != "none":
            try:
                geo = M.world_countries()
            except OSError:  # the bundled map file is missing from this installation
                note = M.map_note("world", ctx.lang)
    ctx.geometry = {"value": geo, "note": note}
    return geo, note


def _wide(ctx: Context, s: pd.DataFrame, col: str) -> pd.DataFrame:
    w = s.pivot(index="unit", columns="period", values=col)
    w = w.reindex(list(ctx.indicators.units))
    w.columns = [str(c) for c in w.columns]
    w = w.reset_index()
    w.columns.name = None
    if col == "rank":
        for c in w.columns[1:]:
            w[c] = w[c].astype("Int64")
    return ctx.named(w)


def _node_names(ctx: Context) -> dict[str, str]:
    fw = ctx.framework
    names = {ROOT: fw.name_zh if ctx.lang == "zh" else fw.name_en}
    for d in fw.dimensions:
        names[d.id] = d.name(ctx.lang)
        for c in d.children or []:
            names[c.id] = c.name(ctx.lang)
    for i in fw.indicators:
        names[i.id] = i.name(ctx.lang)
    return names


def dimension_ids(ctx: Context) -> list[str]:
    return [d.id for d in ctx.framework.dimensions]


# ---------------------------------------------------------------------- sections
_FRAMEWORK_ZH = {
    "dimension_name": "维度",
    "subdimension_name": "子维度",
    "indicator": "指标代码",
    "name": "指标名称",
    "unit": "单位",
    "direction": "方向",
    "formula": "计算方法",
    "source": "来源",
}
_COVERAGE_ZH = {
    "indicator": "指标代码",
    "observed": "观测数",
    "imputed": "插补数",
    "mean": "均值",
    "sd": "标准差",
    "min": "最小值",
    "max": "最大值",
}

def framework_section(ctx: Context) -> Section:
    lang = ctx.lang
    fw = ctx.framework
    ind = ctx.indicators
    sec = Section(key="framework", title=tr("framework", lang))
    tf = fw.tree_frame(lang)
    src = {i.id: (i.source or "") for i in fw.indicators}
    formula = {}
    for i in fw.indicators:
        f = i.series + (f" / {i.denominator}" if i.denominator else "")
        if i.scale not in (None, 1, 1.0):
            f += f" × {i.scale:g}"
        formula[i.id] = f"ln({f})" if i.log else f
    tf = tf.assign(formula=tf["indicator"].map(formula), source=tf["indicator"].map(src))
    cols = ["dimension_name", "indicator", "name", "unit", "direction", "formula", "source"]
    if tf["subdimension"].notna().any():
        cols.insert(1, "subdimension_name")
    shown = tf[cols]
    if lang == "zh":
        shown = shown.rename(columns=_FRAMEWORK_ZH)
    sec.tables.append(table("framework", zh_en(lang, "指标体系", "Indicator framework"),
                            shown, note=fw.id))
    # coverage of the indicators actually used
    v = ind.values
    rows = []
    for k, name in enumerate(ind.indicators):
        x = v[:, :, k]
        obs = ~np.isnan(x)
        rows.append(
            {
                "indicator": name,
                "observed": int(obs.sum()),
                "imputed": int((ind.imputed[:, :, k] & obs).sum()),
                "mean": float(np.nanmean(x)) if obs.any() else np.nan,
                "sd": float(np.nanstd(x, ddof=1)) if obs.sum() > 1 else np.nan,
                "min": float(np.nanmin(x)) if obs.any() else np.nan,
                "max": float(np.nanmax(x)) if obs.any() else np.nan,
            }
        )
    cov = pd.DataFrame(rows)
    if lang == "zh":
        cov = cov.rename(columns=_COVERAGE_ZH)
    sec.tables.append(table("coverage", zh_en(lang, "指标描述统计与插补", "Indicator coverage, "
                                              "imputation and descriptive statistics"), cov))
    rep = ctx.params.get("validation")
    found = rep.to_frame() if rep is not None else pd.DataFrame()
    if "unit" in found.columns:  # the findings about the units studied (and general ones)
        found = found[found["unit"].isna() | found["unit"].isin(list(ind.units))]
    if len(found):
        keys = [c for c in ("severity", "check", "indicator") if c in found.columns]
        counts = (found.groupby(keys, dropna=False, sort=True).size()
                  .rename(zh_en(lang, "条数", "count")).reset_index())
        sec.tables.append(table("validation_summary", zh_en(lang, "数据检查汇总",
                                                            "Data checks by kind"), counts,
                                note=zh_en(lang, "异常值仅报告, 不修改数据; 逐条清单见 "
                                           "tables/validation.csv。",
                                           "Outliers are reported, not changed; the full list "
                                           "is in tables/validation.csv.")))
        detail = table("validation", zh_en(lang, "数据检查", "Data checks"), found)
        detail.in_report = False
        sec.tables.append(detail)
    n_u, n_t, n_i = ind.shape
    imputed = ctx.params.get("imputed_cells", 0)
    method = ctx.spec.cleaning.impute or zh_en(lang, "不插补", "none")
    left = ctx.params.get("units_left_out") or []
    sec.paragraphs.append(zh_en(
        lang,
        f"指标体系 {fw.name_zh} 共 {len(fw.dimensions)} 个维度、{n_i} 项指标; 样本为 {n_u} 个"
        f"单位, {ind.periods[0]}–{ind.periods[-1]} 年共 {n_t} 期。缺失值插补方法: {method}, "
        f"插补 {imputed} 个单元格。",
        f"The framework {fw.name_en} has {len(fw.dimensions)} dimensions and {n_i} indicators; "
        f"the sample is {n_u} units over {n_t} periods, {ind.periods[0]}–{ind.periods[-1]}. "
        f"Gaps were filled by {method}: {imputed} cells imputed.",
    ))
    if left:
        shown = ", ".join(ctx.label(u) for u in left[:15]) + (" …" if len(left) > 15 else "")
        sec.paragraphs.append(zh_en(
            lang, f"数据不完整而未纳入的单位 ({len(left)} 个): {shown}。",
            f"Units left out for incomplete data ({len(left)}): {shown}.",
        ))
    if rep is not None:
        sec.paragraphs.append(zh_en(
            lang, f"数据检查: {rep.n_errors} 个错误, {rep.n_warnings} 个警告。",
            f"Data checks: {rep.n_errors} errors, {rep.n_warnings} warnings.",
        ))
    return sec


def weights_section(ctx: Context) -> Section:
    lang = ctx.lang
    res = ctx.index
    sec = Section(key="weights", title=tr("weights", lang))
    w = res.weights.copy()
    names = _node_names(ctx)
    w.insert(2, "name", [names.get(n, n) for n in w["node"]])
    sec.tables.append(table("weights", zh_en(lang, "指标权重", "Weights"), w,
                            note=res.recipe.describe()))
    ind = w[w["level"] == "indicator"].sort_values("effective_weight", ascending=False)
    top = ind.iloc[0]
    sec.paragraphs.append(zh_en(
        lang,
        f"权重方法: {res.recipe.weights}; 权重最大的指标为 {top['name']} "
        f"({top['effective_weight']:.4f})。",
        f"Weights: {res.recipe.weights}; the heaviest indicator is {top['name']} "
        f"({top['effective_weight']:.4f}).",
    ))
    return sec


def index_section(ctx: Context) -> Section:
    lang = ctx.lang
    res = ctx.index
    sec = Section(key="index", title=tr("index", lang))
    s = res.scores[res.scores["node"] == ROOT]
    sec.tables.append(table("scores_by_year", zh_en(lang, "综合指数得分 (按年份)",
                                                    "Index scores by year"),
                            ctx.headers(_wide(ctx, s, "score")), note=res.recipe.describe()))
    sec.tables.append(table("ranks_by_year", zh_en(lang, "综合指数排名 (按年份)",
                                                   "Index ranks by year"),
                            ctx.headers(_wide(ctx, s, "rank")), digits=0))
    summ = res.summary()
    summ.insert(summ.columns.get_loc("top") + 1, "top_name", [ctx.label(u) for u in summ["top"]])
    sec.tables.append(table("index_summary", zh_en(lang, "综合指数描述统计", "Index by period"),
                            summ))
    first, last = res.periods[0], res.periods[-1]
    m0 = float(s[s["period"] == first]["score"].mean())
    m1 = float(s[s["period"] == last]["score"].mean())
    rk = res.ranking(last)
    top3 = ", ".join(ctx.label(u) for u in rk["unit"].head(3))
    sec.paragraphs.append(zh_en(
        lang,
        f"综合指数均值由 {first} 年的 {m0:.4f} 变为 {last} 年的 {m1:.4f}; {last} 年排名前三的"
        f"是 {top3}。",
        f"The mean index moves from {m0:.4f} in {first} to {m1:.4f} in {last}; the top three "
        f"in {last} are {top3}.",
    ))
    long = s[["unit", "period", "score"]].reset_index(drop=True)
    groups = ctx.groups or dict.fromkeys(res.units, zh_en(lang, "全部", "All"))
    ctx.figure(sec, "index_trend_by_group", zh_en(lang, "分组综合指数均值", "Mean index by "
                                                  "group"),
               lambda F: F.trend_by_group(long, groups, lang=lang))
    ctx.figure(sec, "index_bump", zh_en(lang, "排名变化", "Ranks over the years"),
               lambda F: F.bump_chart(long, lang=lang, top=ctx.spec.outputs.top))
    geo, note = geometry(ctx)
    if geo is not None:
        vals = s[s["period"] == last].set_index("unit")["score"]
        ctx.figure(sec, "index_map", zh_en(lang, f"{last} 年综合指数", f"Index, {last}"),
                   lambda F: F.choropleth(vals, geo, lang=lang))
    elif note:
        sec.notes.append(note)
    return sec


def dimension_frame(ctx: Context) -> pd.DataFrame:
    """Dimension scores: ``unit, period, <dimension ids…>, index``."""
    res = ctx.index
    dims = dimension_ids(ctx)
    s = res.scores[res.scores["node"].isin([*dims, ROOT])]
    w = s.pivot_table(index=["unit", "period"], columns="node", values="score").reset_index()
    w.columns.name = None
    return w[["unit", "period", *dims, ROOT]]


def dimensions_section(ctx: Context) -> Section | None:
    lang = ctx.lang
    dims = dimension_ids(ctx)
    if len(dims) < 2:
        return None
    sec = Section(key="dimensions", title=tr("dimensions", lang))
    w = dimension_frame(ctx)
    names = _node_names(ctx)
    shown = ctx.headers(ctx.named(w).rename(columns={d: names[d] for d in dims}))
    sec.tables.append(table("dimension_scores", zh_en(lang, "分维度得分", "Dimension scores"),
                            shown))
    last = ctx.index.periods[-1]
    prof = w[w["period"] == last].set_index("unit")[dims].rename(columns=names)
    means = prof.mean()
    best = means.idxmax()
    worst = means.idxmin()
    sec.paragraphs.append(zh_en(
        lang,
        f"{last} 年各维度均值中, {best} 最高 ({means[best]:.4f}), {worst} 最低 "
        f"({means[worst]:.4f})。",
        f"In {last}, {best} has the highest mean dimension score ({means[best]:.4f}) and "
        f"{worst} the lowest ({means[worst]:.4f}).",
    ))
    order = ctx.index.ranking(last)["unit"].tolist()
    heat = prof.reindex(order[: max(ctx.spec.outputs.top * 3, 30)])
    ctx.figure(sec, "dimension_heatmap", zh_en(lang, f"{last} 年分维度得分", f"Dimension scores, "
                                               f"{last}"),
               lambda F: F.heatmap(heat, lang=lang))
    ctx.figure(sec, "dimension_radar", zh_en(lang, f"{last} 年前列单位的维度轮廓",
                                             f"Dimension profiles of the leading units, {last}"),
               lambda F: F.radar(prof, lang=lang, units=order[:6]))
    return sec


def robustness_section(ctx: Context, res: Any) -> Section:
    lang = ctx.lang
    sec = Section(key="robustness", title=tr("robustness", lang))
    last = res.ranks["period"].max()
    rk = res.ranks[res.ranks["period"] == last].sort_values(["base_rank", "unit"])
    sec.tables.append(table("robustness_ranks", zh_en(lang, f"{last} 年排名的不确定性",
                                                      f"Rank uncertainty, {last}"),
                            ctx.headers(ctx.named(rk))))
    sec.tables.append(table("robustness_stability", zh_en(lang, "排名稳定性", "Rank stability"),
                            res.stability))
    sec.tables.append(table("robustness_summary", zh_en(lang, "稳健性汇总", "Robustness summary"),
                            res.summary()))
    if len(res.sensitivity):
        sec.tables.append(table("robustness_sensitivity", zh_en(lang, "敏感性指数",
                                                                "Sensitivity indices"),
                                res.sensitivity))
    p = res.params
    summ = res.summary().iloc[0]
    sec.paragraphs.append(zh_en(
        lang,
        f"在 {p['replications']} 次重复中, 排名相对基准的平均绝对变动为 "
        f"{summ['mean_abs_shift']:.2f} 位; {last} 年 5%–95% 排名区间宽度的中位数为 "
        f"{summ['median_interval_width']:.1f}。",
        f"Over {p['replications']} replications the ranks move by {summ['mean_abs_shift']:.2f} "
        f"places on average from the base case; the median width of the 5–95 % rank interval "
        f"in {last} is {summ['median_interval_width']:.1f}.",
    ))
    sec.paragraphs.append(_robustness_inputs(lang, p))
    for w in res.warnings:
        sec.notes.append(w)
    ctx.figure(sec, "robustness_ranks", zh_en(lang, "排名区间", "Rank intervals"),
               lambda F: res.plot())
    return sec
