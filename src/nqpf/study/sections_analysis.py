"""Sections of the analyses: disparity, dynamics, convergence, spatial, coupling, obstacles, types.

Each analysis runs through :func:`nqpf.analysis.run.run_analysis` (or the
analysis function it maps to) on the study's index. Spatial analyses need
spatial weights for the study's units: when none can be built (countries with
the default province contiguity, say) the analysis is skipped with a note in
the report rather than failing the study.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, NqpfError
from ..report.model import Section
from .sections_common import Context, table, tr, zh_en
from .sections_index import dimension_ids, geometry

#: analysis → report section
SECTION_OF = {
    "dagum": "disparity",
    "theil": "disparity",
    "kernel": "dynamics",
    "markov": "dynamics",
    "convergence": "convergence",
    "moran": "spatial",
    "lisa": "spatial",
    "coupling": "coupling",
    "obstacle": "obstacles",
    "typology": "types",
}

#: titles of the analysis tables, by stem
TITLES = {
    "dagum": ("Dagum 基尼系数及其分解", "Dagum Gini coefficient and its decomposition"),
    "dagum_within": ("组内差异", "Within-group inequality"),
    "dagum_between": ("组间差异", "Between-group inequality"),
    "theil": ("泰尔指数", "Theil index"),
    "theil_groups": ("泰尔指数分组", "Theil index by group"),
    "kernel": ("核密度估计", "Kernel densities"),
    "kernel_peaks": ("核密度分布特征", "Features of the densities"),
    "markov": ("马尔可夫转移概率矩阵", "Markov transition probabilities"),
    "moran": ("全局莫兰指数", "Global Moran's I"),
    "lisa": ("局部莫兰指数 (LISA)", "Local Moran's I (LISA)"),
    "coupling": ("耦合协调度", "Coupling coordination degree"),
    "obstacle": ("指标障碍度", "Obstacle degree of the indicators"),
    "obstacle_dimension": ("维度障碍度", "Obstacle degree of the dimensions"),
    "obstacle_top": ("主要障碍因子", "Main obstacles"),
    "typology": ("区域类型", "Region types"),
    "typology_profiles": ("各类型的维度轮廓", "Dimension profiles of the types"),
    "typology_k": ("类数的选择", "Choice of the number of types"),
    "typology_gaps": ("与同类均值及同类最佳的差距", "Gaps to the type mean and the best "
                      "in type"),
    "kernel_density": ("核密度曲线数据", "Kernel density curves"),
    "kernel_bandwidth": ("核密度带宽", "Kernel bandwidths"),
    "convergence_sigma": ("σ 收敛: 离散程度 (按年份)", "Sigma convergence: dispersion by "
                          "period"),
    "convergence_sigma_trend": ("σ 收敛: 离散程度的时间趋势", "Sigma convergence: trend of "
                                "the dispersion"),
    "convergence_beta": ("β 收敛回归", "Beta convergence regression"),
    "convergence_log_t": ("log t 检验 (Phillips–Sul)", "log t test (Phillips–Sul)"),
    "convergence_club_tests": ("收敛俱乐部检验", "Convergence club tests"),
    "convergence_clubs": ("收敛俱乐部", "Convergence clubs"),
    "convergence_transition_paths": ("相对转移路径", "Relative transition paths"),
    "coupling_levels": ("耦合协调等级划分", "Classes of the coupling coordination degree"),
    "markov_classes": ("马尔可夫状态划分", "Markov classes"),
    "markov_cutoffs": ("马尔可夫状态的分界值", "Class limits of the Markov chain"),
    "markov_transitions": ("马尔可夫转移概率 (长表)", "Markov transition probabilities (long)"),
    "markov_steady_state": ("稳态分布", "Steady-state distribution"),
    "markov_mfpt": ("平均首达时间", "Mean first passage times"),
    "markov_tests": ("时间齐性检验", "Tests of time homogeneity"),
    "moran_summary": ("全局莫兰指数", "Global Moran's I"),
}


@dataclass
class Skipped:
    """An analysis that cannot run on this kind of data, with the reason shown in the report."""

    note: str


def _weights(ctx: Context, spec_weights: str | None, key: str) -> Any:
    """Spatial weights for the study's units, or a DataError saying why there are none."""
    from ..analysis.spatial import as_weights, spatial_weights

    units = sorted(ctx.indicators.units)
    w = spec_weights or "contiguity"
    if Path(w).suffix.lower() in (".gal", ".gwt", ".csv", ".xlsx", ".txt"):
        p = ctx.study.resolve_path(w, f"analyses.{key}.weights")
        return as_weights(p, units=units)
    return spatial_weights(kind=w, units=units)


def run(ctx: Context, method: str) -> Any:
    """Run one analysis of the study; a Skipped for spatial analyses without weights."""
    from ..analysis.run import run_analysis

    spec = getattr(ctx.spec.analyses, method)
    res = ctx.index
    lang = ctx.lang
    spatial = method in ("moran", "lisa") or (
        method in ("markov", "convergence") and spec.spatial
    )
    w = None
    if spatial:
        try:
            w = _weights(ctx, spec.weights, method)
        except NqpfError as e:
            return Skipped(zh_en(lang, f"{method}: 未运行, 无法为这些单位构造空间权重 ({e})。",
                                 f"{method}: not run; no spatial weights for these units ({e})."))
    if method in ("dagum", "theil"):
        g = spec.groups if spec.groups is not None else ctx.spec.groups
        if g is None:
            if method == "dagum":
                raise DataError("analyses.dagum needs groups (analyses.dagum.groups or the "
                                "study's groups: cn-four-regions, cn-three-belts, continents, "
                                "a unit,group CSV or a mapping)")
            return run_analysis("theil", res, kind=spec.kind)
        from .inputs import groups_mapping

        mapping = groups_mapping(ctx, g, f"analyses.{method}.groups")
        if method == "dagum":
            return run_analysis("dagum", res, groups=mapping)
        return run_analysis("theil", res, groups=mapping, kind=spec.kind)
    if method == "kernel":
        return run_analysis("kernel", res, bandwidth=spec.bandwidth)
    if method == "markov":
        return run_analysis("markov", res, classes=spec.classes, k=spec.k, spatial=spec.spatial,
                            weights=w)
    if method == "convergence":
        return run_analysis("convergence", res, kind=spec.kind, k=spec.k, spatial=spec.spatial,
                            weights=w)
    if method in ("moran", "lisa"):
        return run_analysis(method, res, weights=w, permutations=spec.permutations,
                            seed=ctx.seed)
    if method == "coupling":
        from ..analysis.coupling import coupling

        systems = spec.systems or dimension_ids(ctx)
        known = res.nodes()
        unknown = [s for s in systems if s not in known]
        if unknown:
            raise DataError(f"analyses.coupling.systems: {unknown} are not nodes of the index; "
                            f"nodes: {known}")
        if len(systems) < 2:
            return Skipped(zh_en(lang, "coupling: 未运行, 需要至少两个系统 (维度)。",
                                 "coupling: not run; it needs two systems (dimensions) or more."))
        sc = res.scores
        data = {s: sc[sc["node"] == s][["unit", "period", "score"]] for s in systems}
        return coupling(data, variant=spec.variant, value="score")
    if method == "obstacle":
        from ..analysis.obstacle import obstacle

        return obstacle(res, top=spec.top)
    return run_analysis("typology", res, k=spec.k, cluster=spec.cluster, seed=ctx.seed)


# ---------------------------------------------------------------------- sections
def _named(ctx: Context, df: pd.DataFrame) -> pd.DataFrame:
    if "unit" in df.columns and "name" not in df.columns:
        return ctx.named(df)
    return df


def _add_tables(ctx: Context, sec: Section, result: Any, method: str) -> None:
    lang = ctx.lang
    have = {t.name for t in sec.tables}
    for stem, df in result.tables().items():
        name = stem if stem.startswith(method) else f"{method}_{stem}"
        if name in have:
            continue
        zh, en = TITLES.get(name, TITLES.get(stem, (name, name)))
        title = zh_en(lang, zh, en)
        if name.startswith("obstacle") and "period" in df.columns:
            # every indicator of every unit-year is too long to read: the last period
            last = df["period"].max()
            df = df[df["period"] == last]
            title += zh_en(lang, f" ({last} 年)", f" ({last})")
        note = ""
        num = df.select_dtypes("number")
        if len(num.columns) and np.isinf(num.to_numpy(dtype=float)).any():
            # Stata and Excel hold no infinities: open class bounds are left empty
            df = df.replace([np.inf, -np.inf], np.nan)
            note = zh_en(lang, "空白的上下限表示无界 (±∞)。", "Empty bounds are open (±∞).")
        sec.tables.append(table(name, title, _named(ctx, df), note=note))
        have.add(name)


def sections(ctx: Context, results: dict[str, Any]) -> dict[str, Section]:
    """Report sections of the analyses run, keyed by section."""
    out: dict[str, Section] = {}
    for method, result in results.items():
        if result is None:
            continue
        key = SECTION_OF[method]
        sec = out.get(key)
        if sec is None:
            sec = out[key] = Section(key=key, title=tr(key, ctx.lang))
        if isinstance(result, Skipped):
            sec.notes.append(result.note)
            continue
        _add_tables(ctx, sec, result, method)
        _describe(ctx, sec, method, result)
    return out


def _year(v: Any) -> Any:
    """A period as printed: 2011, not 2011.0."""
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return int(v)
    return v


def _describe(ctx: Context, sec: Section, method: str, res: Any) -> None:
    lang = ctx.lang
    if method == "dagum":
        o = res.overall
        a, b = o.iloc[0], o.iloc[-1]
        pa, pb = _year(a["period"]), _year(b["period"])
        parts = {"within_share": zh_en(lang, "组内差异", "within-group"),
                 "net_between_share": zh_en(lang, "组间净差异", "net between-group"),
                 "transvariation_share": zh_en(lang, "超变密度", "transvariation")}
        main = max(parts, key=lambda c: float(b[c]))
        sec.paragraphs.append(zh_en(
            lang,
            f"总体基尼系数由 {pa} 年的 {a['gini']:.4f} 变为 {pb} 年的 "
            f"{b['gini']:.4f} ({{tbl:dagum}}); {pb} 年贡献最大的来源是{parts[main]} "
            f"({float(b[main]):.1%})。",
            f"The overall Gini moves from {a['gini']:.4f} in {pa} to {b['gini']:.4f} "
            f"in {pb} ({{tbl:dagum}}); in {pb} the largest source is the {parts[main]} "
            f"component ({float(b[main]):.1%}).",
        ))
        ctx.figure(sec, "dagum_contributions", zh_en(lang, "基尼系数分解贡献率",
                                                     "Contributions to the Gini coefficient"),
                   lambda F: F.dagum_contributions(res, lang=lang))
    elif method == "kernel":
        ctx.figure(sec, "kernel_density", zh_en(lang, "综合指数的核密度", "Kernel densities of "
                                                "the index"),
                   lambda F: F.kernel_density(res, lang=lang))
    elif method == "moran":
        s = res.summary()
        last = s.iloc[-1]
        sec.paragraphs.append(zh_en(
            lang,
            f"{_year(last['period'])} 年全局莫兰指数为 {last['moran_i']:.4f} (置换检验 p = "
            f"{last['moran_p_sim']:.3f})。",
            f"Global Moran's I in {_year(last['period'])} is {last['moran_i']:.4f} (permutation "
            f"p = {last['moran_p_sim']:.3f}).",
        ))
    elif method == "lisa":
        ctx.figure(sec, "moran_scatter", zh_en(lang, "莫兰散点图", "Moran scatter plot"),
                   lambda F: F.moran_scatter(res, lang=lang))
        geo, note = geometry(ctx)
        if geo is not None:
            ctx.figure(sec, "lisa_map", zh_en(lang, "LISA 集聚图", "LISA cluster map"),
                       lambda F: F.lisa_map(res, geo, lang=lang))
        elif note:
            sec.notes.append(note)
    elif method == "coupling":
        f = res.to_frame()
        col = "D" if "D" in f.columns else None
        if col is not None:
            m = f.groupby("period")[col].mean()
            sec.paragraphs.append(zh_en(
                lang,
                f"平均耦合协调度由 {_year(m.index[0])} 年的 {m.iloc[0]:.4f} 变为 "
                f"{_year(m.index[-1])} 年的 {m.iloc[-1]:.4f}。",
                f"The mean coupling coordination degree moves from {m.iloc[0]:.4f} in "
                f"{_year(m.index[0])} to {m.iloc[-1]:.4f} in {_year(m.index[-1])}.",
            ))
            zeros = f[(f["C"] == 0) | (f[col] == 0)] if "C" in f.columns else f[f[col] == 0]
            if len(zeros):
                sec.notes.append(zh_en(
                    lang,
                    f"有 {len(zeros)} 个单位-年份的耦合度或耦合协调度恰为 0: 极差标准化把每项"
                    f"指标的最小值映射为 0, 某一系统得分为 0 时耦合度 C 即为 0。这并非真实的"
                    f"“完全失调”; 在研究文件中设置标准化后的平移 (index: shift: [rescale, 0.01, 1],"
                    f" 将得分映射到 [0.01, 1]) 可避免。",
                    f"{len(zeros)} unit-years have a coupling or coordination degree of exactly "
                    f"0: min-max normalisation maps each indicator's minimum to 0, and a system "
                    f"scoring 0 makes C zero. This is not a real 'complete imbalance'; shifting "
                    f"the normalised values (index: shift: [rescale, 0.01, 1] in the study file, "
                    f"mapping the scores onto [0.01, 1]) avoids it.",
                ))
    elif method == "typology":
        f = res.to_frame()
        if "type" in f.columns:
            n = int(f["type"].nunique())
            sec.paragraphs.append(zh_en(lang, f"按维度轮廓聚类得到 {n} 类区域。",
                                        f"Clustering the dimension profiles gives {n} types."))
    elif method == "obstacle":
        top = res.top
        last = top["period"].max()
        first = top[(top["period"] == last) & (top["rank"] == 1)]
        if len(first):
            common = first["indicator"].value_counts()
            names = ctx.names()
            main = names.get(common.index[0], common.index[0])
            ctx.params["main_obstacle"] = (main, int(common.iloc[0]), len(first), _year(last))
            second = ""
            if len(common) > 1:
                nm = names.get(common.index[1], common.index[1])
                second = zh_en(lang, f", 其次是“{nm}” ({int(common.iloc[1])} 个单位)",
                               f", followed by “{nm}” ({int(common.iloc[1])} units)")
            sec.paragraphs.append(zh_en(
                lang,
                f"{_year(last)} 年最常见的首要障碍指标是“{main}” ({int(common.iloc[0])} 个"
                f"单位){second} ({{tbl:obstacle_top}})。",
                f"In {_year(last)} the most common first obstacle is “{main}” "
                f"({int(common.iloc[0])} units){second} ({{tbl:obstacle_top}}).",
            ))

