"""The TFP section: DEA efficiency and productivity indices, growth accounting.

DEA comes from :mod:`nqpf.efficiency.dea` (:func:`~nqpf.efficiency.dea.dea` for
efficiency, :func:`~nqpf.efficiency.dea.productivity` for Malmquist-type indices);
growth accounting from :func:`nqpf.efficiency.growth.growth_accounting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..report.model import Section
from .sections_common import Context, table, tr, zh_en


@dataclass
class TfpResults:
    efficiency: Any = None
    productivity: Any = None
    growth: Any = None
    metafrontier: Any = None
    meta_index: Any = None
    meta_groups: Any = None
    bootstrap: Any = None
    notes: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return self.efficiency is None and self.productivity is None and self.growth is None


def _wide(ctx: Context, series: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """unit, period and the series, units with a gap in them left out (and named)."""
    p = ctx.clean.sel(indicators=series)
    df = p.to_wide()
    if "unit" not in df.columns:
        df = df.reset_index()
    bad = df[df[series].isna().any(axis=1)]["unit"].unique().tolist()
    return df[~df["unit"].isin(bad)].reset_index(drop=True), [str(u) for u in bad]


def run(ctx: Context) -> TfpResults | None:
    """Run the TFP settings of the study."""
    spec = ctx.spec.tfp
    lang = ctx.lang
    out = TfpResults()
    if spec.dea is not None:
        d = spec.dea
        from ..efficiency.dea import dea, productivity

        series = [*d.inputs, *d.outputs, *d.bad]
        df, dropped = _wide(ctx, series)
        if dropped:
            out.notes.append(zh_en(
                lang, f"DEA 未纳入投入产出数据不完整的单位: {', '.join(dropped)}。",
                f"DEA leaves out units with gaps in the inputs or outputs: "
                f"{', '.join(dropped)}."))
        common = dict(model=d.model, rts=d.rts, orientation=d.orientation, window=d.window,
                      direction=d.direction, weights=d.weights,
                      normalise_weights=d.normalise_weights, bad_disposal=d.bad_disposal)
        # as `nqpf tfp`: efficiency on the global frontier alone or beside GML, else on each
        # period's own frontier
        frontier = d.frontier or ("global" if d.index in ("none", "gml") else "contemporaneous")
        out.efficiency = dea(df, d.inputs, d.outputs, d.bad or None, frontier=frontier, **common)
        if d.index != "none":
            # each index has its own default frontier (GML: global) unless the study names one
            out.productivity = productivity(df, d.inputs, d.outputs, d.bad or None,
                                            index=d.index, frontier=d.frontier, **common)
        from . import sections_tfp_meta

        sections_tfp_meta.run(ctx, d, df, frontier, out)
    if spec.growth is not None:
        from ..efficiency.growth import growth_accounting

        g = spec.growth
        series = [s for s in (g.output, g.labour, g.capital, g.investment) if s]
        if isinstance(g.labour_share, str):
            series.append(g.labour_share)
        df, dropped = _wide(ctx, series)
        if dropped:
            out.notes.append(zh_en(
                lang, f"增长核算未纳入数据不完整的单位: {', '.join(dropped)}。",
                f"Growth accounting leaves out units with gaps: {', '.join(dropped)}."))
        out.growth = growth_accounting(
            df,
            output=g.output,
            capital=g.capital,
            investment=g.investment,
            labour=g.labour,
            labour_share=g.labour_share,
            depreciation=g.depreciation,
            initial=g.initial,
            init_years=g.init_years,
        )
    ctx.params["tfp_notes"] = list(out.notes)
    return None if out.empty() else out


#: a mean productivity index above this (or below its inverse) in one step is pointed out
JUMP = 1.3


def model_sentence(ctx: Context) -> str:
    """What the study's DEA model measures, from its inputs, outputs and bad outputs."""
    from ..report.vocab import method_name

    lang = ctx.lang
    d = ctx.spec.tfp.dea
    sep = zh_en(lang, "、", ", ")
    ins = sep.join(ctx.series_name(x) for x in d.inputs)
    outs = sep.join(ctx.series_name(x) for x in d.outputs)
    bad = sep.join(ctx.series_name(x) for x in d.bad)
    model = method_name(d.model, lang)
    rts = method_name(d.rts, lang)
    gdp_like = any("gdp" in x.lower() for x in d.outputs)
    if d.bad:
        what = zh_en(lang, "绿色全要素生产率 (兼顾期望产出与污染排放)",
                     "green total factor productivity (desirable output against emissions)")
    elif gdp_like:
        what = zh_en(lang, "以要素投入生产总产出的效率, 即传统的 (非绿色) 全要素生产率",
                     "the efficiency of turning factor inputs into output: conventional "
                     "(not green) total factor productivity")
    else:
        what = zh_en(lang, f"把{ins}转化为{outs}的效率 (投入产出效率, 而非经济整体的全要素"
                     f"生产率)", f"the efficiency of turning {ins} into {outs} (an input-output "
                     f"efficiency, not the economy's total factor productivity)")
    bad_txt = zh_en(lang, f", 非期望产出为{bad}", f", with {bad} as undesirable output") if bad \
        else ""
    return zh_en(
        lang,
        f"DEA 模型为{model} ({rts}), 投入为{ins}, 期望产出为{outs}{bad_txt}; 它测度的是{what}。",
        f"The DEA model is the {model} ({rts}) with inputs {ins} and outputs {outs}{bad_txt}; "
        f"it measures {what}.",
    )


def jump_notes(ctx: Context, pr: Any) -> list[str]:
    """A sentence for each step whose mean productivity index jumps (above 1.3 or below 1/1.3),
    naming the variable whose total changed most in that step."""
    lang = ctx.lang
    d = ctx.spec.tfp.dea
    idx = pr.index
    if "index" not in idx.columns or "period_from" not in idx.columns:
        return []
    m = idx.groupby(["period_from", "period"])["index"].mean()
    out = []
    panel = ctx.clean
    series = [*d.inputs, *d.outputs, *d.bad]
    for (p0, p1), v in m.items():
        if not (v > JUMP or v < 1 / JUMP):
            continue
        change = {}
        for s_ in series:
            x = panel.sel(indicators=[s_]).values[:, :, 0]
            t0 = list(panel.periods).index(p0)
            t1 = list(panel.periods).index(p1)
            a, b = np.nansum(x[:, t0]), np.nansum(x[:, t1])
            if a > 0 and b > 0:
                change[s_] = b / a
        if not change:
            continue
        driver = max(change, key=lambda k: abs(np.log(change[k])))
        out.append(zh_en(
            lang,
            f"{p0}–{p1} 年生产率指数均值为 {v:.3f}, 变动异常大; 同期“{ctx.series_name(driver)}”"
            f"的全样本合计变为原来的 {change[driver]:.2f} 倍, 是变动最大的投入产出变量。请核对"
            f"该变量在这两年的统计口径是否一致。",
            f"The mean productivity index is {v:.3f} in {p0}–{p1}, an unusually large step; "
            f"the sample total of “{ctx.series_name(driver)}” changed by a factor of "
            f"{change[driver]:.2f}, the largest among the inputs and outputs. Check that this "
            f"variable is measured the same way in both years.",
        ))
    return out


def section(ctx: Context, res: TfpResults) -> Section:
    from ..report.vocab import method_name

    lang = ctx.lang
    sec = Section(key="tfp", title=tr("tfp", lang))
    sec.notes += res.notes
    if res.efficiency is not None:
        sec.paragraphs.append(model_sentence(ctx))
        eff = res.efficiency.efficiency
        sec.tables.append(table("tfp_efficiency", zh_en(lang, "DEA 效率", "DEA efficiency"),
                                ctx.named(eff)))
        sec.tables.append(table("tfp_efficiency_summary", zh_en(lang, "DEA 效率汇总 (按年份)",
                                                                "DEA efficiency by period"),
                                res.efficiency.summary()))
        m = eff.groupby("period")["efficiency"].mean()
        last = eff[eff["period"] == m.index[-1]]
        front = last[last["efficiency"] >= 1 - 1e-9]["unit"].tolist()
        sep = zh_en(lang, "、", ", ")
        shown = sep.join(ctx.label(u) for u in front[:8]) + (" …" if len(front) > 8 else "")
        ctx.params["dea_mean"] = (m.index[0], float(m.iloc[0]), m.index[-1], float(m.iloc[-1]))
        sec.paragraphs.append(zh_en(
            lang,
            f"平均 DEA 效率由 {m.index[0]} 年的 {m.iloc[0]:.4f} 变为 {m.index[-1]} 年的 "
            f"{m.iloc[-1]:.4f} ({{tbl:tfp_efficiency_summary}}); {m.index[-1]} 年位于前沿 "
            f"(效率为 1) 的有 {len(front)} 个单位: {shown}。",
            f"Mean DEA efficiency moves from {m.iloc[0]:.4f} in {m.index[0]} to "
            f"{m.iloc[-1]:.4f} in {m.index[-1]} ({{tbl:tfp_efficiency_summary}}); in "
            f"{m.index[-1]} {len(front)} units are on the frontier (efficiency 1): {shown}.",
        ))
        frame = eff[["unit", "period", "efficiency"]]
        etitle = zh_en(lang, "平均 DEA 效率", "Mean DEA efficiency")
        ctx.figure(sec, "tfp_efficiency", etitle,
                   lambda F: F.efficiency_trend(frame, ctx.groups, lang=lang, kind="level",
                                                value="efficiency", title=etitle))
    if res.productivity is not None:
        pr = res.productivity
        code = str(pr.params.get("index", "index"))
        name = method_name(code, lang)
        sec.tables.append(table("tfp_index", zh_en(lang, f"{name}及其分解",
                                                   f"The {name} and its components"),
                                ctx.named(pr.index)))
        sec.tables.append(table("tfp_cumulative", zh_en(lang, "累积生产率指数",
                                                        "Cumulative productivity index"),
                                ctx.named(pr.cumulative)))
        summ = pr.summary()
        sec.tables.append(table("tfp_summary", zh_en(lang, f"{name}均值 (按年份)",
                                                     f"Mean {name} by period"), summ))
        allrow = summ[summ["period"] == "all"]
        if len(allrow) and "index" in summ.columns:
            a = allrow.iloc[0]
            ctx.params["tfp_mean"] = (name, float(a["index"]), float(a.get("ec", np.nan)),
                                      float(a.get("tc", np.nan)))
            parts = []
            if "ec" in summ and "tc" in summ:
                drive = zh_en(lang, "技术进步 (前沿移动)" if abs(np.log(a["tc"])) >
                              abs(np.log(a["ec"])) else "效率变化 (追赶前沿)",
                              "technical change (the frontier moving)" if abs(np.log(a["tc"]))
                              > abs(np.log(a["ec"])) else "efficiency change (catching up)")
                parts.append(zh_en(
                    lang,
                    f"其中效率变化 EC 为 {a['ec']:.4f}, 技术进步 TC 为 {a['tc']:.4f}, 变动主要来自"
                    f"{drive}",
                    f"efficiency change EC is {a['ec']:.4f} and technical change TC "
                    f"{a['tc']:.4f}, so the movement comes mainly from {drive}"))
            growth = (a["index"] - 1) * 100
            sec.paragraphs.append(zh_en(
                lang,
                f"全部相邻年份比较的{name}均值为 {a['index']:.4f}, 即生产率年均"
                f"{'提高' if growth >= 0 else '下降'} {abs(growth):.2f}% ({{tbl:tfp_summary}})"
                + (f"; {parts[0]}。" if parts else "。"),
                f"Over all pairs of consecutive years the mean {name} is {a['index']:.4f}: "
                f"productivity {'rises' if growth >= 0 else 'falls'} by {abs(growth):.2f} % a "
                f"year ({{tbl:tfp_summary}})" + (f"; {parts[0]}." if parts else "."),
            ))
        for w in pr.warnings[:5]:
            sec.notes.append(w)
        if ctx.spec.tfp.dea is not None:
            ctx.params["tfp_jumps"] = jump_notes(ctx, pr)
            sec.notes += ctx.params["tfp_jumps"]
        frame = pr.index[[c for c in ("unit", "period_from", "period", "index")
                          if c in pr.index.columns]]
        ctx.figure(sec, "tfp_cumulative", zh_en(lang, "累积生产率指数", "Cumulative "
                                                "productivity index"),
                   lambda F: F.efficiency_trend(frame, ctx.groups, lang=lang, kind="cumulative",
                                                value="index"))
    from . import sections_tfp_meta

    sections_tfp_meta.add(ctx, sec, res)
    if res.growth is not None:
        gr = res.growth
        sec.tables.append(table("tfp_growth_accounting", zh_en(lang, "增长核算: TFP 与产出增长分解",
                                                               "Growth accounting: TFP and the "
                                                               "decomposition of output growth"),
                                ctx.named(gr.to_frame())))
        summ = ctx.named(gr.summary())
        sec.tables.append(table("tfp_growth_summary", zh_en(lang, "增长核算: 各单位平均贡献",
                                                            "Growth accounting: mean "
                                                            "contributions by unit"), summ))
        d = gr.growth_decomposition
        share = float(d["contrib_tfp"].mean() / d["g_output"].mean())
        ctx.params["tfp_share"] = share
        sec.paragraphs.append(zh_en(
            lang,
            f"增长核算 (柯布-道格拉斯生产函数, 规模报酬不变; 索洛余值即 TFP 增长) 中, TFP 对"
            f"产出增长的平均贡献为 {share:.1%} ({{tbl:tfp_growth_summary}})。",
            f"In growth accounting (Cobb–Douglas, constant returns; the Solow residual is TFP "
            f"growth) TFP accounts for {share:.1%} of mean output growth "
            f"({{tbl:tfp_growth_summary}}).",
        ))
        frame = gr.tfp[["unit", "period", "tfp_growth"]].dropna()
        gtitle = zh_en(lang, "TFP 增长率均值 (增长核算)", "Mean TFP growth (growth accounting)")
        ctx.figure(sec, "tfp_growth", gtitle,
                   lambda F: F.efficiency_trend(frame, ctx.groups, lang=lang, kind="level",
                                                value="tfp_growth", title=gtitle,
                                                ylabel=zh_en(lang, "TFP 增长率", "TFP growth")))
    return sec
