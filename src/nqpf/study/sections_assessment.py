"""The assessment chapter of a study: the office assessment on the study's indicators.

:func:`run` calls :func:`nqpf.assess.assess` on the framework's indicators (after
the study's cleaning) with the settings of the ``assessment:`` section and writes
the office files (CSV tables and the workbook) into ``assessment/``;
:func:`section` makes the report chapter: results of the last period assessed,
a grade map (or a ranking chart where the units have no map), one ranking per
region class, the fixed-base index of the whole with the contributions of the
dimensions, and the diagnosis of each region.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..errors import DataError
from ..report.model import Section
from .sections_common import Context, table, zh_en

__all__ = ["GRADE_COLOURS", "grade_map", "run", "section"]

#: Colours of grades, best first (green to red).
GRADE_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027", "#7f0000")


def _classes(ctx: Context, spec: Any) -> Any:
    """The class mapping of the study (names such as 北京 are matched to the data's ids by
    :func:`nqpf.assess.inputs.assign_classes`)."""
    if spec.classes is None:
        return None
    from ..assess.inputs import read_classes

    if isinstance(spec.classes, str):
        from .inputs import record_input

        path = ctx.study.resolve_path(spec.classes, "assessment.classes")
        if not path.is_file():
            raise DataError(f"study section assessment: class file {path} not found")
        record_input(ctx, path, "assessment.classes")
        mapping, _ = read_classes(path)
    else:
        mapping, _ = read_classes(dict(spec.classes))
    return mapping


def run(ctx: Context) -> Any:
    """Run the assessment and write its office files into ``assessment/``."""
    from ..assess import assess

    spec = ctx.spec.assessment
    panel = ctx.indicators
    grades = None
    if spec.grades is not None:
        grades = [(g, -math.inf if t is None else t) for g, t in spec.grades]
    res = assess(
        panel, ctx.framework, classes=_classes(ctx, spec),
        period=spec.period, base_year=spec.base_year, rule=spec.rule, rules=spec.rules or None,
        cap=spec.cap, efficacy_bounds=spec.efficacy_bounds, efficacy_range=spec.efficacy_range,
        level_weight=spec.level_weight, progress_from=spec.progress_from, grades=grades,
        grade_method=spec.grade_method, grade_shares=spec.grade_shares,
        unclassed=spec.unclassed, missing_target=spec.missing_target,
        fixed_base=spec.fixed_base, chained=spec.chained, lang=ctx.lang,
    )
    written = res.write(ctx.out / "assessment", lang=ctx.lang, force=ctx.force)
    ctx.params["assessment_files"] = [f"assessment/{p.name}" for p in written]
    return res


def grade_map(res: Any, geometry: Any, period: Any, lang: str) -> Any:
    """Map of the grades of one period (one colour per grade, best first)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from ..report.maps import draw_units

    t = res.totals(period)
    labels = [g for g, _ in res.params["grades"]]
    colour = dict(zip(labels, GRADE_COLOURS, strict=False))
    colors = {str(u): colour.get(g, "#bdbdbd") for u, g in zip(t["unit"], t["grade"],
                                                               strict=True)}
    fig = Figure(figsize=(7.0, 5.6))
    ax = fig.add_subplot()
    draw_units(ax, geometry, colors, missing_color="white", hatch_missing=True)
    present = [g for g in labels if g in set(t["grade"])]
    handles = [Patch(facecolor=colour.get(g, "#bdbdbd"), edgecolor="0.5", label=g)
               for g in present]
    if any(u not in colors for u in geometry.shapes):
        handles.append(Patch(facecolor="white", edgecolor="0.6", hatch="////",
                             label=zh_en(lang, "无数据", "no data")))
    ax.legend(handles=handles, loc="lower left", fontsize=8)
    ax.set_title(zh_en(lang, f"考核等级（{period}）", f"Assessment grades, {period}"))
    return fig


def _fonts(fig: Any, lang: str) -> Any:
    """Give every text of ``fig`` the CJK font (when there is one) before DejaVu Sans."""
    from matplotlib.text import Text

    from ..report.fonts import cjk_font

    fam = cjk_font() if lang == "zh" else None
    for t in fig.findobj(Text):
        t.set_fontfamily([fam, "DejaVu Sans"] if fam else ["DejaVu Sans"])
    return fig


def _names(ctx: Context, res: Any) -> dict[str, str]:
    fw = res.framework
    out = {fw.id: zh_en(ctx.lang, "总指数", "Total")}
    out.update({n.id: n.name(ctx.lang) for n in fw.nodes})
    out.update({i.id: i.name(ctx.lang) for i in fw.indicators})
    return out


def section(ctx: Context, res: Any) -> Section:
    """The report chapter (see the module docstring)."""
    from ..assess.labels import header

    lang = ctx.lang
    fw = res.framework
    sec = Section(key="assessment", title=zh_en(lang, "考核评价", "Assessment"))
    p = res.params
    last = p["periods"][-1]
    tot = res.totals(last)
    cls_name = {c: fw.region_class(c).name(lang) for c in fw.class_ids}
    doc = "、".join(x for x in (fw.issuer, fw.document) if x) if lang == "zh" else ", ".join(
        x for x in (fw.issuer, fw.document) if x)
    counts = tot["grade"].value_counts()
    dist = zh_en(lang, "，", ", ").join(
        f"{g} {int(counts.get(g, 0))}" for g, _ in p["grades"])
    rule = {"attainment": zh_en(lang, "目标完成率法", "target attainment"),
            "efficacy": zh_en(lang, "功效系数法", "the efficacy coefficient"),
            "banded": zh_en(lang, "分档计分法", "banded scoring")}[p["rule"]]
    sec.paragraphs.append(zh_en(
        lang,
        f"按指标体系 {fw.name_zh}（版本 {fw.version}{'，' + doc if doc else ''}）对 "
        f"{len(tot)} 个地区进行考核：各指标按{rule}计分，综合得分 = 水平得分 × "
        f"{p['level_weight']:.0%} + 进步得分 × {p['progress_weight']:.0%}。"
        f"{last} 年等级分布：{dist}。",
        f"{len(tot)} units are assessed on {fw.name_en} (version {fw.version}"
        f"{', ' + doc if doc else ''}): each indicator is scored by {rule}; total = "
        f"{p['level_weight']:.0%} level + {p['progress_weight']:.0%} progress. Grades in "
        f"{last}: {dist}.",
    ))
    sec.notes += res.notes
    cols = ["unit", "class", "total_score", "grade", "rank", "rank_in_class", "level_score",
            "progress_score"]
    view = ctx.named(tot[cols].sort_values(["rank", "unit"]))
    view["class"] = view["class"].map(lambda c: cls_name.get(c, "") if isinstance(c, str) else "")
    labelled = view.rename(columns={c: header(c, lang) for c in cols if c != "unit"})
    sec.tables.append(table("assessment_results",
                            zh_en(lang, f"{last} 年考核结果", f"Assessment results, {last}"),
                            labelled, digits=2))
    from .sections_index import geometry

    geo, note = geometry(ctx)
    if geo is not None:
        ctx.figure(sec, "assessment_grades", zh_en(lang, "考核等级分布图", "Map of grades"),
                   lambda F: _fonts(grade_map(res, geo, last, lang), lang))
    else:
        if note:
            sec.notes.append(note)
        ctx.figure(sec, "assessment_ranking", zh_en(lang, "综合得分排名", "Total scores"),
                   lambda F: _fonts(res.plot("ranking", period=last), lang))
    for c in fw.class_ids:
        sub = view[view["class"] == cls_name[c]].sort_values(["rank_in_class", "unit"])
        if sub.empty:
            continue
        sub = sub.rename(columns={c2: header(c2, lang) for c2 in cols if c2 != "unit"})
        sec.tables.append(table(f"assessment_class_{c}" if c.isascii() else
                                f"assessment_class_{fw.class_ids.index(c) + 1}",
                                zh_en(lang, f"{cls_name[c]}排名", f"Ranking in class "
                                      f"{cls_name[c]}"), sub, digits=2))
    if res.fixed_base is not None:
        fb = res.fixed_base
        whole = fb[(fb["unit"] == ("all" if "all" in set(fb["unit"]) else fb["unit"].iloc[0]))
                   & fb["level"].isin(["total", "dimension"])]
        names = _names(ctx, res)
        w = whole.pivot(index="period", columns="node", values="index")
        w = w[[n for n in [fw.id] + [d.id for d in fw.dimensions] if n in w.columns]]
        w.columns = [names[c] for c in w.columns]
        base = fb.attrs.get("base")
        sec.tables.append(table(
            "assessment_fixed_base",
            zh_en(lang, f"定基指数（{base} 年 = 100，全部地区）",
                  f"Fixed-base index ({base} = 100, all units)"),
            w.reset_index().rename(columns={"period": header("period", lang)}), digits=1))
        contrib = whole[(whole["period"] == last) & (whole["level"] == "dimension")]
        if contrib["contribution_points"].notna().any():
            c = contrib.assign(node=contrib["node"].map(names))[
                ["node", "index", "contribution_points", "contribution_share"]]
            c = c.rename(columns={k: header(k, lang) for k in c.columns})
            c = c.rename(columns={header("node", lang): zh_en(lang, "维度", "Dimension")})
            sec.tables.append(table(
                "assessment_contributions",
                zh_en(lang, f"{last} 年各维度对总指数增长的贡献",
                      f"Contributions of the dimensions to the change of the total, {last}"),
                c, digits=2))
    d = res.diagnosis[res.diagnosis["period"] == last]
    dcols = ["unit", "grade", "rank", "rank_change", "lost_points", "weakest_node",
             "top_losses"]
    sep = "；" if lang == "zh" else "; "
    d = d.assign(top_losses=d["top_losses"].map(lambda s: s.split(sep)[0]))
    dv = ctx.named(d[dcols]).rename(columns={c: header(c, lang) for c in dcols if c != "unit"})
    dv = dv.rename(columns={header("top_losses", lang): zh_en(lang, "失分最多的指标",
                                                               "Indicator costing most")})
    sec.tables.append(table("assessment_diagnosis",
                            zh_en(lang, f"{last} 年分地区诊断", f"Diagnosis by unit, {last}"),
                            dv, digits=2))
    scores = res.indicator_scores
    sv = ctx.named(scores[scores["period"] == last][
        ["unit", "indicator", "value", "target", "score", "lost_points", "gap_pct"]])
    sv["indicator"] = sv["indicator"].map(_names(ctx, res))
    sec.tables.append(_detail(ctx, sv, lang, last))
    sec.paragraphs.append(zh_en(
        lang, "考核的全部表格与工作簿（按类别、按地区分表）见 assessment/ 文件夹。",
        "All assessment tables and the workbook (a sheet per class and per unit) are in the "
        "assessment/ folder."))
    return sec


def _detail(ctx: Context, sv: pd.DataFrame, lang: str, last: Any) -> Any:
    from ..assess.labels import header
    from ..report.model import TableItem

    frame = sv.rename(columns={c: header(c, lang) for c in sv.columns
                               if c not in ("unit", "name")})
    return TableItem(name="assessment_indicator_scores",
                     title=zh_en(lang, f"{last} 年分指标得分", f"Indicator scores, {last}"),
                     frame=frame.reset_index(drop=True), digits=2, in_report=False)
