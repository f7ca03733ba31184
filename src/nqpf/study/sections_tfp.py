"""The TFP section: DEA efficiency and productivity indices, growth accounting.

DEA comes from :mod:`nqpf.efficiency.dea` (:func:`~nqpf.efficiency.dea.dea` for
efficiency, :func:`~nqpf.efficiency.dea.productivity` for Malmquist-type indices);
growth accounting from :func:`nqpf.efficiency.growth.growth_accounting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


def section(ctx: Context, res: TfpResults) -> Section:
    lang = ctx.lang
    sec = Section(key="tfp", title=tr("tfp", lang))
    sec.notes += res.notes
    if res.efficiency is not None:
        eff = res.efficiency.efficiency
        sec.tables.append(table("tfp_efficiency", zh_en(lang, "DEA 效率", "DEA efficiency"),
                                ctx.named(eff)))
        sec.tables.append(table("tfp_efficiency_summary", zh_en(lang, "DEA 效率汇总",
                                                                "DEA efficiency by period"),
                                res.efficiency.summary()))
        m = eff.groupby("period")["efficiency"].mean()
        sec.paragraphs.append(zh_en(
            lang,
            f"平均 DEA 效率由 {m.index[0]} 年的 {m.iloc[0]:.4f} 变为 {m.index[-1]} 年的 "
            f"{m.iloc[-1]:.4f}。",
            f"Mean DEA efficiency moves from {m.iloc[0]:.4f} in {m.index[0]} to "
            f"{m.iloc[-1]:.4f} in {m.index[-1]}.",
        ))
        frame = eff[["unit", "period", "efficiency"]]
        ctx.figure(sec, "tfp_efficiency", zh_en(lang, "平均 DEA 效率", "Mean DEA efficiency"),
                   lambda F: F.efficiency_trend(frame, ctx.groups, lang=lang, kind="level",
                                                value="efficiency"))
    if res.productivity is not None:
        pr = res.productivity
        name = str(pr.params.get("index", "index")).upper()
        sec.tables.append(table("tfp_index", zh_en(lang, f"{name} 生产率指数及其分解",
                                                   f"{name} productivity index and components"),
                                ctx.named(pr.index)))
        sec.tables.append(table("tfp_cumulative", zh_en(lang, "累积生产率指数",
                                                        "Cumulative productivity index"),
                                ctx.named(pr.cumulative)))
        summ = pr.summary()
        sec.tables.append(table("tfp_summary", zh_en(lang, "生产率指数均值 (按年份)",
                                                     "Mean productivity index by period"), summ))
        allrow = summ[summ["period"] == "all"]
        if len(allrow) and "index" in summ.columns:
            a = allrow.iloc[0]
            comps = ", ".join(f"{c.upper()} {a[c]:.4f}" for c in ("ec", "tc") if c in summ)
            sec.paragraphs.append(zh_en(
                lang, f"全部比较的 {name} 均值为 {a['index']:.4f} ({comps})。",
                f"Over all comparisons the mean {name} is {a['index']:.4f} ({comps}).",
            ))
        for w in pr.warnings[:5]:
            sec.notes.append(w)
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
        sec.paragraphs.append(zh_en(
            lang,
            f"增长核算 (柯布-道格拉斯, 规模报酬不变) 中, TFP 对产出增长的平均贡献为 {share:.1%}。",
            f"In growth accounting (Cobb–Douglas, constant returns) TFP accounts for "
            f"{share:.1%} of mean output growth.",
        ))
        frame = gr.tfp[["unit", "period", "tfp_growth"]].dropna()
        ctx.figure(sec, "tfp_growth", zh_en(lang, "TFP 增长率均值", "Mean TFP growth"),
                   lambda F: F.efficiency_trend(frame, ctx.groups, lang=lang, kind="level",
                                                value="tfp_growth"))
    return sec
