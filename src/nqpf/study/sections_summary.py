"""The executive summary that opens a study's report: key findings written from the results.

Every number in it comes from a table of the report and the sentence cites that
table (``{tbl:<name>}``, numbered by the report writers): leaders and laggards
(the final-year ranking), the trend (the index by period), the gap between
groups and whether it narrows (the group summary, the Dagum Gini), the main
obstacle indicators, how robust the top ranks are, and the TFP picture. Points
a reviewer would question (an indicator carrying more than 30 % of the weight, a
jump of the productivity index) are repeated here from their sections.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..report.model import Section
from .sections_common import Context, zh_en
from .sections_index import ROOT, final_ranking, weight_warnings


def summary_section(ctx: Context, made: dict[str, Section], results: dict[str, Any]) -> Section:
    lang = ctx.lang
    sec = Section(key="summary", title=zh_en(lang, "主要发现", "Key findings"))
    res = ctx.index
    first, last = res.periods[0], res.periods[-1]
    sep = zh_en(lang, "、", ", ")
    rk = final_ranking(ctx)
    n = len(rk)
    k = min(3, max(1, n // 3))
    top = sep.join(f"{r['name']} ({r['score']:.3f})" for _, r in rk.head(k).iterrows())
    bottom = sep.join(f"{r['name']} ({r['score']:.3f})" for _, r in rk.tail(k).iterrows())
    ref = "{tbl:ranking_top_bottom}" if any(
        t.name == "ranking_top_bottom" for t in made["index"].tables) else "{tbl:ranking}"
    out = sec.paragraphs
    out.append(zh_en(
        lang,
        f"领先与落后: {last} 年综合指数最高的是{top}, 最低的是{bottom} ({ref})。",
        f"Leaders and laggards: in {last} the highest index scores are {top}; the lowest "
        f"{bottom} ({ref}).",
    ))
    s = res.scores[res.scores["node"] == ROOT]
    m0 = float(s[s["period"] == first]["score"].mean())
    m1 = float(s[s["period"] == last]["score"].mean())
    up = int((rk["rank_change"] > 0).sum())
    pct = (m1 / m0 - 1) * 100 if m0 else np.nan
    out.append(zh_en(
        lang,
        f"趋势: 全样本均值由 {first} 年的 {m0:.4f} {'升至' if m1 >= m0 else '降至'} {last} 年的 "
        f"{m1:.4f} ({pct:+.1f}%) ({{tbl:index_summary}}); {up} 个单位的排名较 {first} 年上升。",
        f"Trend: the sample mean {'rises' if m1 >= m0 else 'falls'} from {m0:.4f} in {first} to "
        f"{m1:.4f} in {last} ({pct:+.1f} %) ({{tbl:index_summary}}); {up} units rank higher "
        f"than in {first}.",
    ))
    gap = ctx.params.get("group_gap")
    if gap is not None:
        gap0, gap1 = gap
        narrowing = gap1 < gap0
        text = zh_en(
            lang,
            f"区域差距: 组间均值的极差由 {first} 年的 {gap0:.4f} {'缩小' if narrowing else '扩大'}"
            f"至 {last} 年的 {gap1:.4f} ({{tbl:group_summary}})",
            f"Gaps between groups: the range of the group means "
            f"{'narrows' if narrowing else 'widens'} from {gap0:.4f} in {first} to {gap1:.4f} in "
            f"{last} ({{tbl:group_summary}})",
        )
        dg = results.get("dagum")
        if dg is not None and hasattr(dg, "overall"):
            o = dg.overall
            g0, g1 = float(o.iloc[0]["gini"]), float(o.iloc[-1]["gini"])
            text += zh_en(
                lang,
                f"; 总体基尼系数由 {g0:.4f} {'降至' if g1 < g0 else '升至'} {g1:.4f}, 差距整体"
                f"{'在收窄' if g1 < g0 else '在扩大'} ({{tbl:dagum}})",
                f"; the overall Gini {'falls' if g1 < g0 else 'rises'} from {g0:.4f} to "
                f"{g1:.4f}, so disparity is {'narrowing' if g1 < g0 else 'widening'} overall "
                f"({{tbl:dagum}})",
            )
        out.append(text + zh_en(lang, "。", "."))
    obs = ctx.params.get("main_obstacle")
    if obs is not None:
        name, count, total, year = obs
        out.append(zh_en(
            lang,
            f"主要障碍: {year} 年 {total} 个单位中有 {count} 个的首要障碍指标是“{name}” "
            f"({{tbl:obstacle_top}})。",
            f"Main obstacle: in {year}, “{name}” is the first obstacle of {count} of the {total} "
            f"units ({{tbl:obstacle_top}}).",
        ))
    robust = ctx.params.get("robust_top")
    if robust:
        out.append(zh_en(lang, "稳健性: ", "Robustness: ") + robust)
    tfp = []
    if "dea_mean" in ctx.params:
        p0, e0, p1, e1 = ctx.params["dea_mean"]
        tfp.append(zh_en(lang, f"平均 DEA 效率由 {p0} 年的 {e0:.3f} 变为 {p1} 年的 {e1:.3f} "
                               f"({{tbl:tfp_efficiency_summary}})",
                         f"mean DEA efficiency moves from {e0:.3f} in {p0} to {e1:.3f} in {p1} "
                         f"({{tbl:tfp_efficiency_summary}})"))
    if "tfp_mean" in ctx.params:
        name, v, ec, tc = ctx.params["tfp_mean"]
        comp = ""
        if np.isfinite(ec) and np.isfinite(tc):
            comp = zh_en(lang, f" (EC {ec:.3f}, TC {tc:.3f})", f" (EC {ec:.3f}, TC {tc:.3f})")
        tfp.append(zh_en(lang, f"{name}均值为 {v:.4f}{comp} ({{tbl:tfp_summary}})",
                         f"the mean {name} is {v:.4f}{comp} ({{tbl:tfp_summary}})"))
    if "tfp_share" in ctx.params:
        tfp.append(zh_en(lang, f"增长核算中 TFP 对产出增长的贡献为 {ctx.params['tfp_share']:.1%} "
                               f"({{tbl:tfp_growth_summary}})",
                         f"TFP accounts for {ctx.params['tfp_share']:.1%} of output growth in "
                         f"growth accounting ({{tbl:tfp_growth_summary}})"))
    if tfp:
        joined = zh_en(lang, "; ", "; ").join(tfp)
        out.append(zh_en(lang, f"全要素生产率: {joined}。",
                         f"Total factor productivity: {joined}."))
    cautions = weight_warnings(ctx)
    cautions += ctx.params.get("tfp_jumps", [])
    sec.notes += cautions
    return sec
