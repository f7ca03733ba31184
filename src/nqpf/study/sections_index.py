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
    tf = tf.rename(columns={"unit": "measure_unit"})
    cols = ["dimension_name", "indicator", "name", "measure_unit", "direction", "formula",
            "source"]
    if tf["subdimension"].notna().any():
        cols.insert(1, "subdimension_name")
    shown = tf[cols]
    hidden = ["indicator", "formula"]
    src_text = shown["source"].astype(str)
    if not src_text.str.strip().any() or src_text.str.contains(r"\w_\w").any():
        hidden.append("source")  # empty, or naming data codes: the workbook has it
    item = table("framework", zh_en(lang, "指标体系", "Indicator framework"), shown,
                 note=zh_en(lang, "方向 + 为正向指标, − 为逆向指标; 指标代码与计算公式见工作簿。",
                            "Direction + marks a benefit, − a cost indicator; indicator codes "
                            "and formulas are in the workbook."))
    item.hidden = tuple(hidden)
    sec.tables.append(item)
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
    sec.tables.append(table("coverage", zh_en(lang, "指标描述统计与插补", "Indicator coverage, "
                                              "imputation and descriptive statistics"), cov))
    rep = ctx.params.get("validation")
    found = rep.to_frame() if rep is not None else pd.DataFrame()
    if "unit" in found.columns:  # the findings about the units studied (and general ones)
        found = found[found["unit"].isna() | found["unit"].isin(list(ind.units))]
    if len(found):
        keys = [c for c in ("severity", "check", "indicator") if c in found.columns]
        counts = (found.groupby(keys, dropna=False, sort=True).size()
                  .rename("count").reset_index())
        sec.tables.append(table("validation_summary", zh_en(lang, "数据检查汇总",
                                                            "Data checks by kind"), counts,
                                note=zh_en(lang, "异常值仅报告, 不修改数据; 逐条清单见"
                                           "{tbl:validation}。",
                                           "Outliers are reported, not changed; the full list "
                                           "is in {tbl:validation}.")))
        detail = table("validation", zh_en(lang, "数据检查", "Data checks"), found)
        detail.in_report = False
        sec.tables.append(detail)
    n_u, n_t, n_i = ind.shape
    imputed = ctx.params.get("imputed_cells", 0)
    method = ctx.spec.cleaning.impute or zh_en(lang, "不插补", "none")
    left = ctx.params.get("units_left_out") or []
    sec.paragraphs.append(zh_en(
        lang,
        f"指标体系“{fw.name_zh}”共 {len(fw.dimensions)} 个维度、{n_i} 项指标 ({{tbl:framework}}); "
        f"样本为 {n_u} 个单位, {ind.periods[0]}–{ind.periods[-1]} 年共 {n_t} 期。缺失值插补方法: "
        f"{_impute_name(method, lang)}, 插补 {imputed} 个单元格 ({{tbl:coverage}})。",
        f"The framework “{fw.name_en}” has {len(fw.dimensions)} dimensions and {n_i} indicators "
        f"({{tbl:framework}}); the sample is {n_u} units over {n_t} periods, "
        f"{ind.periods[0]}–{ind.periods[-1]}. Gaps were filled by "
        f"{_impute_name(method, lang)}: {imputed} cells imputed ({{tbl:coverage}}).",
    ))
    if left:
        sep = zh_en(lang, "、", ", ")
        more = len(left) > 15
        shown = sep.join(ctx.label(u) for u in left[:15])
        sec.paragraphs.append(zh_en(
            lang,
            f"数据不完整而未纳入的单位 ({len(left)} 个): {shown}" + ("等。" if more else "。"),
            f"Units left out for incomplete data ({len(left)}): {shown}"
            + (", …" if more else "."),
        ))
    if rep is not None:
        sec.paragraphs.append(zh_en(
            lang, f"数据检查: {rep.n_errors} 个错误, {rep.n_warnings} 个警告。",
            f"Data checks: {rep.n_errors} errors, {rep.n_warnings} warnings.",
        ))
    return sec


def _impute_name(method: str, lang: str) -> str:
    from ..report.vocab import method_name

    return " + ".join(method_name(m.strip(), lang) for m in str(method).split("+"))


#: an indicator heavier than this share of the total weight is pointed out
HEAVY_WEIGHT = 0.30
#: a dimension lighter than this share of the total weight is pointed out
LIGHT_DIMENSION = 0.05


def weight_warnings(ctx: Context) -> list[str]:
    """Sentences on weights a reviewer would question: one indicator above 30 %, a dimension
    under 5 % of the total."""
    lang = ctx.lang
    w = ctx.index.weights
    names = _node_names(ctx)
    out = []
    ind = w[w["level"] == "indicator"]
    for _, r in ind[ind["effective_weight"] > HEAVY_WEIGHT].iterrows():
        out.append(zh_en(
            lang,
            f"指标“{names.get(r['node'], r['node'])}”的综合权重为 {r['effective_weight']:.3f}, "
            f"超过总权重的 {HEAVY_WEIGHT:.0%}: 综合指数在很大程度上由这一项指标决定 "
            f"({{tbl:weights}})。客观赋权 (如熵权法) 会把权重集中到离散程度最大的指标上, "
            f"请核对该指标的分布, 或在稳健性分析中比较其他赋权方法。",
            f"The indicator “{names.get(r['node'], r['node'])}” carries "
            f"{r['effective_weight']:.3f} of the total weight, above {HEAVY_WEIGHT:.0%}: the "
            f"index largely follows this one indicator ({{tbl:weights}}). Objective weights "
            f"such as entropy put weight on the most dispersed indicator; check its "
            f"distribution, or compare other weights in the robustness analysis.",
        ))
    dims = [d.id for d in ctx.framework.dimensions]
    if len(dims) > 1:
        eff = ind.assign(dim=[_dimension_of(ctx, n) for n in ind["node"]]).groupby("dim")[
            "effective_weight"].sum()
        for d in dims:
            if d in eff and eff[d] < LIGHT_DIMENSION:
                out.append(zh_en(
                    lang,
                    f"维度“{names.get(d, d)}”的权重合计仅 {eff[d]:.4f} (低于 "
                    f"{LIGHT_DIMENSION:.0%}): 该维度几乎不影响综合指数 ({{tbl:weights}})。",
                    f"The dimension “{names.get(d, d)}” carries only {eff[d]:.4f} of the total "
                    f"weight (under {LIGHT_DIMENSION:.0%}): it hardly moves the index "
                    f"({{tbl:weights}}).",
                ))
    return out


def _dimension_of(ctx: Context, indicator: str) -> str:
    for d in ctx.framework.dimensions:
        if any(i.id == indicator for i in d.leaves()):
            return d.id
    return ""


def weights_section(ctx: Context) -> Section:
    from ..report.vocab import method_name, recipe_text

    lang = ctx.lang
    res = ctx.index
    sec = Section(key="weights", title=tr("weights", lang))
    w = res.weights.copy()
    names = _node_names(ctx)
    w.insert(2, "name", [names.get(n, n) for n in w["node"]])
    item = table("weights", zh_en(lang, "指标权重", "Weights"), w,
                 note=recipe_text(res.recipe, lang))
    item.hidden = ("node",)
    sec.tables.append(item)
    ind = w[w["level"] == "indicator"].sort_values("effective_weight", ascending=False)
    top = ind.iloc[0]
    last = ind.iloc[-1]
    sec.paragraphs.append(zh_en(
        lang,
        f"权重由{method_name(res.recipe.weights, lang)}确定 ({{tbl:weights}})。权重最大的指标为"
        f"“{top['name']}” ({top['effective_weight']:.4f}), 最小的为“{last['name']}” "
        f"({last['effective_weight']:.4f})。",
        f"Weights come from {method_name(res.recipe.weights, lang)} ({{tbl:weights}}). The "
        f"heaviest indicator is “{top['name']}” ({top['effective_weight']:.4f}), the lightest "
        f"“{last['name']}” ({last['effective_weight']:.4f}).",
    ))
    sec.notes += weight_warnings(ctx)
    return sec


def final_ranking(ctx: Context) -> pd.DataFrame:
    """The last period's ranking by score: rank, unit, name, score, rank change since the
    first period (positive: moved up), and the group when the study has groups."""
    res = ctx.index
    first, last = res.periods[0], res.periods[-1]
    rk = res.ranking(last)
    r0 = res.ranking(first).set_index("unit")
    out = pd.DataFrame({
        "rank": rk["rank"].astype(int).to_numpy(),
        "unit": rk["unit"].to_numpy(),
        "score": rk["score"].to_numpy(),
    })
    out = ctx.named(out)
    out["rank_first"] = [int(r0["rank"].get(u)) if u in r0.index else pd.NA for u in out["unit"]]
    out["rank_first"] = out["rank_first"].astype("Int64")
    out["rank_change"] = (out["rank_first"] - out["rank"]).astype("Int64")
    if ctx.groups:
        out["group"] = [ctx.groups.get(u, "") for u in out["unit"]]
    return out


def group_summary(ctx: Context) -> pd.DataFrame | None:
    """Per group: units, mean index in the first and the last period, change, gap to the
    sample mean in the last period, and the group's leader."""
    if not ctx.groups:
        return None
    res = ctx.index
    s = res.scores[res.scores["node"] == ROOT]
    first, last = res.periods[0], res.periods[-1]
    g = s.assign(group=[ctx.groups.get(u) for u in s["unit"]]).dropna(subset=["group"])
    rows = []
    overall = float(s[s["period"] == last]["score"].mean())
    for name, d in g.groupby("group", sort=False):
        m0 = float(d[d["period"] == first]["score"].mean())
        m1 = float(d[d["period"] == last]["score"].mean())
        d1 = d[d["period"] == last]
        lead = d1.loc[d1["score"].idxmax(), "unit"] if len(d1) else ""
        rows.append({"group": name, "units": int(d["unit"].nunique()), "score_first": m0,
                     "score": m1, "change": m1 - m0, "gap": m1 - overall,
                     "top_name": ctx.label(lead)})
    out = pd.DataFrame(rows).sort_values("score", ascending=False).reset_index(drop=True)
    return out


def index_section(ctx: Context) -> Section:
    from ..report.vocab import recipe_text

    lang = ctx.lang
    res = ctx.index
    sec = Section(key="index", title=tr("index", lang))
    s = res.scores[res.scores["node"] == ROOT]
    first, last = res.periods[0], res.periods[-1]
    ranking = final_ranking(ctx)
    n = len(ranking)
    top_n = ctx.spec.outputs.top
    change_note = zh_en(lang, f"排名变化为 {first} 年排名减去 {last} 年排名, 正值表示上升。",
                        f"Rank change is the {first} rank minus the {last} rank; positive "
                        f"means moving up.")
    full = table("ranking", zh_en(lang, f"{last} 年综合指数排名", f"Index ranking, {last}"),
                 ranking, note=change_note)
    full.hidden = ("unit",)
    if n > 3 * top_n:
        full.in_report = False
        head = ranking.head(top_n)
        tail = ranking.tail(top_n)
        both = pd.concat([head, tail], ignore_index=True)
        tb = table("ranking_top_bottom", zh_en(
            lang, f"{last} 年综合指数排名前 {top_n} 位与后 {top_n} 位",
            f"Index ranking, {last}: the top {top_n} and the bottom {top_n}"), both,
            note=change_note + zh_en(lang, f" 完整排名 ({n} 个单位) 见{{tbl:ranking}}。",
                                     f" The full ranking ({n} units) is in {{tbl:ranking}}."))
        tb.hidden = ("unit",)
        sec.tables.append(tb)
        rank_ref = "{tbl:ranking_top_bottom}"
    else:
        rank_ref = "{tbl:ranking}"
    sec.tables.append(full)
    gs = group_summary(ctx)
    if gs is not None:
        sec.tables.append(table("group_summary", zh_en(
            lang, f"分组综合指数均值 ({first} 年与 {last} 年)",
            f"Mean index by group, {first} and {last}"), gs,
            note=zh_en(lang, f"首年得分与得分分别为 {first} 年与 {last} 年的组内均值。",
                       f"First-year score and score are the group means in {first} and "
                       f"{last}.")))
    summ = res.summary()
    summ.insert(summ.columns.get_loc("top") + 1, "top_name", [ctx.label(u) for u in summ["top"]])
    it = table("index_summary", zh_en(lang, "综合指数描述统计 (按年份)",
                                      "The index by period"), summ)
    it.hidden = ("top",)
    sec.tables.append(it)
    wide = table("scores_by_year", zh_en(lang, "综合指数得分 (按年份)", "Index scores by year"),
                 _wide(ctx, s, "score"), note=recipe_text(res.recipe, lang))
    wide.in_report = False
    ranks = table("ranks_by_year", zh_en(lang, "综合指数排名 (按年份)", "Index ranks by year"),
                  _wide(ctx, s, "rank"), digits=0)
    ranks.in_report = False
    sec.tables += [wide, ranks]
    m0 = float(s[s["period"] == first]["score"].mean())
    m1 = float(s[s["period"] == last]["score"].mean())
    up = int((ranking["rank_change"] > 0).sum())
    down = int((ranking["rank_change"] < 0).sum())
    top3 = zh_en(lang, "、", ", ").join(ctx.label(u) for u in ranking["unit"].head(3))
    mover = ranking.sort_values(["rank_change", "rank"], ascending=[False, True]).iloc[0]
    sec.paragraphs.append(zh_en(
        lang,
        f"综合指数采用{recipe_text(res.recipe, lang)}合成。{last} 年排名前三的是{top3} "
        f"({rank_ref}); 与 {first} 年相比, {up} 个单位排名上升, {down} 个单位下降, 上升最多的是"
        f"{mover['name']} (上升 {int(mover['rank_change'])} 位)。",
        f"The index is built with {recipe_text(res.recipe, lang)}. In {last} the top three are "
        f"{top3} ({rank_ref}); compared with {first}, {up} units moved up and {down} down, "
        f"most of all {mover['name']} (up {int(mover['rank_change'])} places).",
    ))
    sec.paragraphs.append(zh_en(
        lang,
        f"全样本均值由 {first} 年的 {m0:.4f} 变为 {last} 年的 {m1:.4f} ({{tbl:index_summary}})。",
        f"The sample mean moves from {m0:.4f} in {first} to {m1:.4f} in {last} "
        f"({{tbl:index_summary}}).",
    ))
    if gs is not None and len(gs) > 1:
        hi, lo = gs.iloc[0], gs.iloc[-1]
        gap0 = float(gs["score_first"].max() - gs["score_first"].min())
        gap1 = float(gs["score"].max() - gs["score"].min())
        trend = zh_en(lang, "缩小" if gap1 < gap0 else "扩大",
                      "narrowed" if gap1 < gap0 else "widened")
        sec.paragraphs.append(zh_en(
            lang,
            f"分组看, {last} 年{hi['group']}均值最高 ({hi['score']:.4f}), {lo['group']}最低 "
            f"({lo['score']:.4f}); 组间均值的极差由 {first} 年的 {gap0:.4f} {trend}至 "
            f"{gap1:.4f} ({{tbl:group_summary}})。",
            f"By group, {hi['group']} has the highest mean in {last} ({hi['score']:.4f}) and "
            f"{lo['group']} the lowest ({lo['score']:.4f}); the range of the group means "
            f"{trend} from {gap0:.4f} in {first} to {gap1:.4f} ({{tbl:group_summary}}).",
        ))
        ctx.params["group_gap"] = (gap0, gap1)
    empty = res.meta.get("empty_periods") or []
    if empty:
        names = ctx.names()
        sep = zh_en(lang, "、", "; ")
        shown = sep.join(
            zh_en(lang, f"{f['period']} 年的“{names.get(f['indicator'], f['indicator'])}”",
                  f"“{names.get(f['indicator'], f['indicator'])}” in {f['period']}")
            for f in empty)
        sec.notes.append(zh_en(
            lang,
            f"以下指标在当年所有单位均缺失: {shown}。按设置 (empty_period: renormalise), 这些年份"
            f"仅用其余指标计算综合指数 (权重重新归一化), 其排名与其他年份不完全可比。",
            f"These indicators are missing for every unit in a period: {shown}. As set "
            f"(empty_period: renormalise), those periods are scored on the other indicators "
            f"with the weights renormalised; their ranks are not fully comparable with the "
            f"other periods'.",
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
    detail = table("dimension_scores", zh_en(lang, "分维度得分 (全部单位与年份)",
                                             "Dimension scores, every unit and year"),
                   ctx.named(w))
    detail.in_report = False
    last = ctx.index.periods[-1]
    first = ctx.index.periods[0]
    prof = w[w["period"] == last].set_index("unit")[dims].rename(columns=names)
    # the paper's table: mean of each dimension per group (or overall) first and last year
    by = w.assign(group=[(ctx.groups or {}).get(u, zh_en(lang, "全样本", "All units"))
                         for u in w["unit"]])
    rows = []
    for d in dims:
        row = {"dimension": names[d]}
        for p in (first, last):
            row[str(p)] = float(w.loc[w["period"] == p, d].mean())
        if ctx.groups:
            for gname, gd in by[by["period"] == last].groupby("group", sort=True):
                row[f"{gname} ({last})"] = float(gd[d].mean())
        rows.append(row)
    dm = pd.DataFrame(rows)
    sec.tables.append(table("dimension_means", zh_en(
        lang, "分维度得分均值", "Mean dimension scores"), dm,
        note=zh_en(lang, "前两列为全样本均值; 逐单位逐年的分维度得分见{tbl:dimension_scores}。",
                   "The first two columns are means over all units; the dimension scores of "
                   "every unit and year are in {tbl:dimension_scores}.")))
    sec.tables.append(detail)
    means = prof.mean()
    best = means.idxmax()
    worst = means.idxmin()
    leader = {n: ctx.label(prof[n].idxmax()) for n in prof.columns}
    lead_txt = zh_en(lang, "; ", "; ").join(
        zh_en(lang, f"{n}得分最高的是{u}", f"{u} leads on {n}") for n, u in leader.items())
    sec.paragraphs.append(zh_en(
        lang,
        f"{last} 年各维度均值中, “{best}”最高 ({means[best]:.4f}), “{worst}”最低 "
        f"({means[worst]:.4f}) ({{tbl:dimension_means}})。{lead_txt}。",
        f"In {last}, “{best}” has the highest mean dimension score ({means[best]:.4f}) and "
        f"“{worst}” the lowest ({means[worst]:.4f}) ({{tbl:dimension_means}}). {lead_txt}.",
    ))
    order = ctx.index.ranking(last)["unit"].tolist()
    heat = prof.reindex(order[: max(ctx.spec.outputs.top * 3, 30)])
    ctx.figure(sec, "dimension_heatmap", zh_en(lang, f"{last} 年分维度得分", f"Dimension scores, "
                                               f"{last}"),
               lambda F: F.heatmap(heat, lang=lang))
    if len(dims) >= 3:  # a radar of two axes is a line
        ctx.figure(sec, "dimension_radar", zh_en(lang, f"{last} 年前列单位的维度轮廓",
                                                 f"Dimension profiles of the leading units, "
                                                 f"{last}"),
                   lambda F: F.radar(prof, lang=lang, units=order[:6]))
    return sec


def robustness_section(ctx: Context, res: Any) -> Section:
    lang = ctx.lang
    sec = Section(key="robustness", title=tr("robustness", lang))
    last = res.ranks["period"].max()
    rk = res.ranks[res.ranks["period"] == last].sort_values(["base_rank", "unit"])
    rk_item = table("robustness_ranks", zh_en(lang, f"{last} 年排名的不确定性",
                                              f"Rank uncertainty, {last}"), ctx.named(rk))
    n_top = min(ctx.spec.outputs.top, len(rk))
    top_rows = rk.head(n_top)
    if len(rk) > 3 * ctx.spec.outputs.top:
        rk_item.in_report = False
        sec.tables.append(table("robustness_ranks_top", zh_en(
            lang, f"{last} 年前 {n_top} 位的排名区间", f"Rank intervals of the top {n_top}, "
            f"{last}"), ctx.named(top_rows), note=zh_en(
                lang, "全部单位见{tbl:robustness_ranks}。",
                "Every unit is in {tbl:robustness_ranks}.")))
        rank_ref = "{tbl:robustness_ranks_top}"
    else:
        rank_ref = "{tbl:robustness_ranks}"
    sec.tables.append(rk_item)
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
    k = min(3, len(rk))
    top = rk.head(k)
    width = float((top["p95"] - top["p05"]).max())
    keep = float(top["share_base"].min())
    robust_top = zh_en(
        lang,
        f"排名前 {k} 的单位 5%–95% 排名区间最宽为 {width:.0f} 位, 各自保持基准排名的比例至少为 "
        f"{keep:.0%} ({rank_ref})。",
        f"the top {k} units' 5–95 % rank intervals are at most {width:.0f} places wide and each "
        f"keeps its base rank in at least {keep:.0%} of replications ({rank_ref}).",
    )
    ctx.params["robust_top"] = robust_top
    sec.paragraphs.append(zh_en(
        lang,
        f"在 {p['replications']} 次重复中, 排名相对基准的平均绝对变动为 "
        f"{summ['mean_abs_shift']:.2f} 位; {last} 年 5%–95% 排名区间宽度的中位数为 "
        f"{summ['median_interval_width']:.1f} ({{tbl:robustness_summary}})。{robust_top}",
        f"Over {p['replications']} replications the ranks move by {summ['mean_abs_shift']:.2f} "
        f"places on average from the base case; the median width of the 5–95 % rank interval "
        f"in {last} is {summ['median_interval_width']:.1f} ({{tbl:robustness_summary}}). "
        f"{robust_top}",
    ))
    sec.paragraphs.append(_robustness_inputs(lang, p))
    for w in res.warnings:
        sec.notes.append(w)
    title = zh_en(lang, f"{last} 年排名区间 ({p['replications']} 次重复)",
                  f"Rank intervals, {last} ({p['replications']} replications)")
    ctx.figure(sec, "robustness_ranks", title,
               lambda F: F.rank_intervals(rk, lang=lang, title=title))
    return sec
