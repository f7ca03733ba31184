"""The TFP section's metafrontier and bootstrap parts (``tfp.dea.groups``,
``tfp.dea.bootstrap``): runs, tables and figures, hooked into :mod:`.sections_tfp`.

The metafrontier gives group and meta efficiencies and the technology gap ratio
(:func:`nqpf.efficiency.dea.metafrontier`; O'Donnell, Rao & Battese 2008) and, with an
index, the metafrontier Malmquist/GML index split into EC x BPC x TGC (Oh & Lee 2010);
the bootstrap the Simar–Wilson (1998) bias-corrected scores and intervals.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import DataError
from ..report.model import Section
from .sections_common import Context, table, zh_en


def run(ctx: Context, d: Any, df: pd.DataFrame, frontier: str, out: Any) -> None:
    """Fill ``out.metafrontier``, ``out.meta_index`` and ``out.bootstrap`` as asked."""
    common = dict(model=d.model, rts=d.rts, direction=d.direction, weights=d.weights,
                  bad_disposal=d.bad_disposal)
    radial = d.model in ("ccr", "bcc", "radial")
    orient = d.orientation or ("output" if radial else None)
    if d.groups is not None:
        from ..efficiency.dea.metafrontier import metafrontier, metafrontier_productivity

        gmap = _groups(ctx, d.groups, df["unit"].astype(str).unique())
        out.meta_groups = gmap
        out.metafrontier = metafrontier(df, d.inputs, d.outputs, d.bad or None, groups=gmap,
                                        orientation=orient, frontier=frontier,
                                        window=d.window, **common)
        if d.index != "none":
            out.meta_index = metafrontier_productivity(df, d.inputs, d.outputs, d.bad or None,
                                                       groups=gmap, orientation=orient,
                                                       **common)
    if d.bootstrap is not None:
        from ..efficiency.dea.bootstrap import bootstrap

        bfr = frontier if frontier in ("global", "contemporaneous") else "contemporaneous"
        seed = d.seed if d.seed is not None else ctx.seed
        out.bootstrap = bootstrap(df, d.inputs, d.outputs, model=d.model, rts=d.rts,
                                  orientation=orient, frontier=bfr, B=d.bootstrap, seed=seed)


def _groups(ctx: Context, groups: str, units: Any) -> dict[str, str]:
    if groups == "study":
        if not ctx.groups:
            raise DataError("tfp.dea.groups: 'study' needs the study's grouping (groups:)")
        lacking = [str(u) for u in units if str(u) not in ctx.groups]
        if lacking:
            raise DataError(f"tfp.dea.groups: unit(s) {lacking[:10]} have no group in the "
                            "study's grouping; give every unit a group")
        return {str(u): ctx.groups[str(u)] for u in units}
    from ..analysis._input import groups_for

    target: Any = groups
    if groups.lower().endswith((".csv", ".xlsx", ".xls", ".parquet")):
        target = ctx.study.resolve_path(groups, "tfp.dea.groups")
    return groups_for(units, target, lang=ctx.lang)


def add(ctx: Context, sec: Section, res: Any) -> None:
    """Tables and figures of the metafrontier and bootstrap results."""
    lang = ctx.lang
    mf = getattr(res, "metafrontier", None)
    if mf is not None:
        sec.tables.append(table("tfp_metafrontier", zh_en(
            lang, "组前沿与共同前沿效率及技术差距比 (TGR)",
            "Group and metafrontier efficiency and technology gap ratio (TGR)"),
            ctx.named(mf.efficiency), note=zh_en(
                lang, "group_efficiency: 组前沿效率; meta_efficiency: 共同前沿效率; "
                "tgr = meta_efficiency / group_efficiency (技术差距比, ≤ 1)。",
                "tgr = meta_efficiency / group_efficiency (<= 1).")))
        summ = mf.summary()
        sec.tables.append(table("tfp_tgr_summary", zh_en(
            lang, "技术差距比均值 (按组与年份)", "Mean TGR by group and period"), summ))
        by = summ.groupby("group")["tgr"].mean().sort_values(ascending=False)
        sec.paragraphs.append(zh_en(
            lang,
            "各组平均技术差距比: " + "，".join(f"{g} {v:.4f}" for g, v in by.items())
            + "。TGR 越接近 1，该组技术越接近共同前沿 (O'Donnell, Rao & Battese 2008)。",
            "Mean TGR by group: " + ", ".join(f"{g} {v:.4f}" for g, v in by.items())
            + ". A TGR closer to 1 puts the group's technology closer to the metafrontier "
            "(O'Donnell, Rao & Battese 2008)."))
        frame = mf.efficiency[["unit", "period", "tgr"]]
        gmap = res.meta_groups
        ctx.figure(sec, "tfp_tgr", zh_en(lang, "技术差距比 (TGR)", "Technology gap ratio"),
                   lambda F: F.efficiency_trend(frame, gmap, lang=lang, kind="level",
                                                value="tgr", ylabel="TGR",
                                                title=zh_en(lang, "技术差距比 (TGR)",
                                                            "Technology gap ratio (TGR)")))
    mi = getattr(res, "meta_index", None)
    if mi is not None:
        sec.tables.append(table("tfp_meta_index", zh_en(
            lang, "共同前沿生产率指数分解 (EC × BPC × TGC)",
            "Metafrontier productivity index: EC x BPC x TGC"), mi.summary(), note=zh_en(
                lang, "各组几何平均。ec: 组内效率变化; bpc: 最佳实践差距变化 (组内技术变化); "
                "tgc: 技术差距变化; index = ec × bpc × tgc, 大于 1 表示进步 (Oh & Lee 2010)。",
                "Geometric means by group. ec: within-group efficiency change; bpc: "
                "best-practice gap change; tgc: technology gap change; index = ec x bpc x "
                "tgc, above 1 is progress (Oh & Lee 2010).")))
    bs = getattr(res, "bootstrap", None)
    if bs is not None:
        B = bs.params["B"]
        sec.tables.append(table("tfp_bootstrap", zh_en(
            lang, f"Bootstrap 偏差校正效率与 95% 置信区间 (Simar-Wilson, B={B})",
            f"Bias-corrected efficiency and 95% intervals (Simar-Wilson, B={B})"),
            ctx.named(bs.efficiency), note=zh_en(
                lang, "efficiency_bc: 偏差校正效率; lower/upper: 95% 置信区间; correct: "
                "偏差平方与方差之比大于 1/3, 宜采用校正值 (Simar & Wilson 1998)。",
                "efficiency_bc: bias-corrected efficiency; lower/upper: 95% interval; "
                "correct: bias^2/var > 1/3, where the corrected score is advised "
                "(Simar & Wilson 1998).")))
        eff = bs.efficiency
        ctx.figure(sec, "tfp_bootstrap", zh_en(lang, "Bootstrap 置信区间",
                                                "Bootstrap intervals"),
                   lambda F: _bootstrap_figure(eff, lang, bs.params["alpha"]))


def _bootstrap_figure(eff: pd.DataFrame, lang: str, alpha: float) -> Any:
    from ..report.figures_dea import bootstrap_intervals

    return bootstrap_intervals(eff, lang=lang, alpha=alpha)
