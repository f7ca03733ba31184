"""The words of result tables in the reader's language: column headers, method names, codes.

The engines of nqpf return tables with stable ASCII column names and codes
(``within_share``, ``status = "optimal"``, ``weights = "entropy"``, dimension
ids). A report shows them to a reader, so :func:`readable` turns a result
frame into what a paper prints: every known column gets its label in ``zh``
or ``en``, code values (statuses, method names, assessments) their words, and
the framework's own ids (indicators, dimensions) the framework's ``name_zh`` /
``name_en``. Columns in pairs ``X_zh`` / ``X_en`` keep only the reader's
language. Whole-number period columns become integers (``2011``, not
``2011.0``).

Unknown column names are kept as they are: a user's own column is never
renamed to something it is not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "METHODS", "VALUES", "label", "method_name", "readable", "recipe_text"]

#: column id → (zh, en); the CSV and Stata files keep the ids (``TableItem.data``)
COLUMNS: dict[str, tuple[str, str]] = {
    # identification
    "unit": ("地区代码", "Code"),
    "name": ("名称", "Name"),
    "period": ("年份", "Year"),
    "period_from": ("基期", "From"),
    "year": ("年份", "Year"),
    "group": ("组别", "Group"),
    "group_a": ("组别 A", "Group A"),
    "group_b": ("组别 B", "Group B"),
    "groups": ("组数", "Groups"),
    "indicator": ("指标", "Indicator"),
    "dimension": ("维度", "Dimension"),
    "node": ("节点", "Node"),
    "parent": ("上级", "Parent"),
    "level": ("层级", "Level"),
    "score": ("得分", "Score"),
    "rank": ("排名", "Rank"),
    "index": ("综合指数", "Index"),
    # descriptive
    "n": ("样本数", "N"),
    "units": ("单位数", "Units"),
    "n_units": ("单位数", "Units"),
    "n_periods": ("期数", "Periods"),
    "n_obs": ("观测数", "Observations"),
    "mean": ("均值", "Mean"),
    "sd": ("标准差", "SD"),
    "min": ("最小值", "Min"),
    "max": ("最大值", "Max"),
    "cv": ("变异系数", "CV"),
    "sd_log": ("对数标准差", "SD of logs"),
    "top": ("第一名代码", "Top code"),
    "top_name": ("第一名", "Top unit"),
    "first": ("首年", "First year"),
    "last": ("末年", "Last year"),
    "value": ("数值", "Value"),
    # weights
    "weight": ("权重", "Weight"),
    "effective_weight": ("综合权重", "Effective weight"),
    # disparity
    "gini": ("基尼系数", "Gini"),
    "within": ("组内差异", "Within"),
    "net_between": ("组间净差异", "Net between"),
    "transvariation": ("超变密度", "Transvariation"),
    "within_share": ("组内贡献率", "Within share"),
    "net_between_share": ("组间贡献率", "Net between share"),
    "transvariation_share": ("超变密度贡献率", "Transvariation share"),
    "gross_between": ("组间总差异", "Gross between"),
    "mean_a": ("组 A 均值", "Mean A"),
    "mean_b": ("组 B 均值", "Mean B"),
    "mean_rank": ("平均排名", "Mean rank"),
    "net_contribution": ("净贡献", "Net contribution"),
    "transvariation_contribution": ("超变贡献", "Transvariation contribution"),
    "contribution": ("贡献", "Contribution"),
    "share": ("占比", "Share"),
    "theil": ("泰尔指数", "Theil"),
    "theil_within": ("组内泰尔", "Theil within"),
    "theil_between": ("组间泰尔", "Theil between"),
    # dynamics
    "x": ("得分", "Score"),
    "density": ("密度", "Density"),
    "bandwidth": ("带宽", "Bandwidth"),
    "rule": ("规则", "Rule"),
    "n_peaks": ("峰数", "Peaks"),
    "main_peak_x": ("主峰位置", "Main peak at"),
    "main_peak_height": ("主峰高度", "Main peak height"),
    "half_max_width": ("半峰宽", "Width at half height"),
    "skewness": ("偏度", "Skewness"),
    "tail": ("拖尾", "Tail"),
    "from": ("期初类型", "From"),
    "to": ("期末类型", "To"),
    "lower": ("下限", "Lower"),
    "upper": ("上限", "Upper"),
    "interval": ("区间", "Interval"),
    # convergence
    "model": ("模型", "Model"),
    "term": ("变量", "Term"),
    "estimate": ("估计值", "Estimate"),
    "std_error": ("标准误", "Std. error"),
    "se": ("标准误", "Std. error"),
    "t": ("t 值", "t"),
    "t_stat": ("t 值", "t"),
    "p_value": ("p 值", "p"),
    "speed": ("收敛速度", "Speed"),
    "half_life": ("半衰期", "Half-life"),
    "stage": ("阶段", "Stage"),
    "club": ("俱乐部", "Club"),
    "merged_club": ("合并后俱乐部", "Merged club"),
    "divergent": ("发散", "Divergent"),
    "converges": ("收敛", "Converges"),
    "order": ("顺序", "Order"),
    "b": ("系数 b", "b"),
    "a": ("截距 a", "a"),
    "h": ("相对转移路径 h", "Relative path h"),
    "t_first": ("起始期", "First period"),
    "t_last": ("末期", "Last period"),
    "measure": ("指标", "Measure"),
    "slope": ("斜率", "Slope"),
    "intercept": ("截距", "Intercept"),
    "r2": ("R²", "R²"),
    "total": ("总体泰尔指数", "Total"),
    "between": ("组间差异", "Between"),
    "between_share": ("组间贡献率", "Between share"),
    "weight_share": ("人口/单位占比", "Weight share"),
    "value_share": ("得分占比", "Value share"),
    "between_term": ("组间项", "Between term"),
    "kind": ("类型", "Kind"),
    "lag_class": ("邻域类型", "Neighbours' class"),
    "solution": ("解", "Solution"),
    "class": ("类型", "Class"),
    "probability": ("概率", "Probability"),
    "row_total": ("行合计", "Row total"),
    "mfpt": ("平均首达时间", "Mean first passage time"),
    "test": ("检验", "Test"),
    "statistic": ("统计量", "Statistic"),
    "dof": ("自由度", "df"),
    "variable": ("变量", "Variable"),
    "expected": ("期望值", "Expected"),
    "p_norm": ("p 值 (正态)", "p (normal)"),
    "lag": ("空间滞后", "Spatial lag"),
    "Ii": ("局部莫兰指数", "Local I"),
    # spatial
    "moran_i": ("莫兰指数", "Moran's I"),
    "moran_p_sim": ("p 值 (置换)", "p (permutation)"),
    "moran_z": ("z 值", "z"),
    "quadrant": ("象限", "Quadrant"),
    "cluster": ("集聚类型", "Cluster"),
    "p_sim": ("p 值 (置换)", "p (permutation)"),
    "local_i": ("局部莫兰指数", "Local I"),
    # coupling
    "C": ("耦合度 C", "Coupling C"),
    "T": ("综合协调指数 T", "Coordination T"),
    "D": ("耦合协调度 D", "Coupling coordination D"),
    # obstacle
    "factor": ("因子贡献度", "Factor contribution"),
    "deviation": ("指标偏离度", "Deviation"),
    "obstacle": ("障碍度", "Obstacle degree"),
    # typology
    "type": ("类型", "Type"),
    "type_name": ("类型名称", "Type"),
    "silhouette": ("轮廓系数", "Silhouette"),
    "overall": ("总体得分", "Overall"),
    "strengths": ("优势维度", "Strengths"),
    "weaknesses": ("短板维度", "Weaknesses"),
    "best_in_type": ("同类最佳", "Best in type"),
    "type_mean": ("同类均值", "Type mean"),
    "gap_to_type": ("与同类均值之差", "Gap to type mean"),
    "gap_to_type_z": ("与同类均值之差 (标准化)", "Gap to type mean (z)"),
    "assessment": ("评价", "Assessment"),
    "best_unit": ("同类最佳单位", "Best unit"),
    "gap_to_best": ("与同类最佳之差", "Gap to best"),
    "k": ("类数", "k"),
    "criterion": ("准则", "Criterion"),
    "chosen": ("选定", "Chosen"),
    "inertia": ("组内平方和", "Inertia"),
    "z": ("标准化均值", "z"),
    "role": ("角色", "Role"),
    # TFP
    "efficiency": ("效率值", "Efficiency"),
    "status": ("求解状态", "Status"),
    "frontier": ("前沿", "Frontier"),
    "super": ("超效率", "Super-efficiency"),
    "theta": ("θ", "θ"),
    "n_efficient": ("有效单位数", "Efficient units"),
    "n_infeasible": ("无可行解数", "Infeasible"),
    "n_failed": ("未求解数", "Failed"),
    "ec": ("技术效率变化 EC", "Efficiency change EC"),
    "tc": ("技术进步 TC", "Technical change TC"),
    "cumulative": ("累积指数", "Cumulative index"),
    "bpc": ("最佳实践差距变化 BPC", "Best-practice gap change BPC"),
    "pech": ("纯技术效率变化", "Pure efficiency change"),
    "sech": ("规模效率变化", "Scale efficiency change"),
    "tfp_level": ("TFP 水平", "TFP level"),
    "log_tfp": ("TFP 对数", "log TFP"),
    "tfp_growth": ("TFP 增长率", "TFP growth"),
    "capital": ("资本存量", "Capital stock"),
    "g_output": ("产出增长率", "Output growth"),
    "contrib_capital": ("资本贡献", "Capital contribution"),
    "contrib_labour": ("劳动贡献", "Labour contribution"),
    "contrib_tfp": ("TFP 贡献", "TFP contribution"),
    "share_capital": ("资本贡献率", "Capital share"),
    "share_labour": ("劳动贡献率", "Labour share"),
    "share_tfp": ("TFP 贡献率", "TFP share"),
    "n_growth": ("增长期数", "Growth periods"),
    # robustness
    "base_rank": ("基准排名", "Base rank"),
    "median_rank": ("排名中位数", "Median rank"),
    "p05": ("5% 分位排名", "5th percentile"),
    "p95": ("95% 分位排名", "95th percentile"),
    "share_base": ("保持基准排名的比例", "Share at base rank"),
    "median_width": ("区间宽度中位数", "Median width"),
    "max_width": ("最大区间宽度", "Max width"),
    "units_within_1": ("变动不超过 1 位的单位数", "Units within 1 place"),
    "mean_share_base": ("平均保持比例", "Mean share at base"),
    "replications": ("重复次数", "Replications"),
    "mean_abs_shift": ("平均绝对排名变动", "Mean absolute shift"),
    "median_interval_width": ("排名区间宽度中位数", "Median interval width"),
    "units_keeping_rank_most_often": ("最常保持排名的单位数", "Units keeping rank most often"),
    "input": ("不确定输入", "Input"),
    "first_order": ("一阶敏感性指数", "First-order index"),
    "total_order": ("总敏感性指数", "Total-order index"),
    # checks
    "severity": ("级别", "Severity"),
    "check": ("检查", "Check"),
    "row": ("行", "Row"),
    "message": ("说明", "Message"),
    # framework
    "dimension_name": ("维度", "Dimension"),
    "subdimension_name": ("子维度", "Sub-dimension"),
    "measure_unit": ("单位", "Unit"),
    "direction": ("方向", "Direction"),
    "formula": ("计算方法", "Formula"),
    "source": ("来源", "Source"),
    "observed": ("观测数", "Observed"),
    "imputed": ("插补数", "Imputed"),
    "count": ("条数", "Count"),
    # paper tables of the report
    "rank_change": ("排名变化", "Rank change"),
    "score_first": ("首年得分", "First-year score"),
    "rank_first": ("首年排名", "First-year rank"),
    "change": ("变化", "Change"),
    "growth": ("年均增长率", "Mean annual growth"),
    "gap": ("与全样本均值之差", "Gap to the sample mean"),
}

#: method and model names → (zh, en)
METHODS: dict[str, tuple[str, str]] = {
    "minmax": ("极差标准化", "min-max normalisation"),
    "zscore": ("Z-score 标准化", "z-scores"),
    "goalpost": ("目标值标准化", "goalposts"),
    "target": ("目标值标准化", "distance to target"),
    "rank": ("排序标准化", "ranks"),
    "percentile": ("百分位标准化", "percentiles"),
    "log": ("对数标准化", "log scaling"),
    "vector": ("向量标准化", "vector normalisation"),
    "per-period": ("逐年", "per period"),
    "pooled": ("全样本混合", "pooled over periods"),
    "base-year": ("基年", "base year"),
    "equal": ("等权法", "equal weights"),
    "expert": ("专家权重", "expert weights"),
    "entropy": ("熵权法", "entropy weights"),
    "critic": ("CRITIC 法", "CRITIC weights"),
    "cv": ("变异系数法", "coefficient-of-variation weights"),
    "sd": ("标准差法", "standard-deviation weights"),
    "pca": ("主成分分析法", "PCA weights"),
    "ahp": ("层次分析法", "AHP weights"),
    "sum": ("线性加权", "weighted sum"),
    "geometric": ("几何加权", "weighted geometric mean"),
    "harmonic": ("调和加权", "weighted harmonic mean"),
    "generalised": ("广义均值", "generalised mean"),
    "topsis": ("TOPSIS 法", "TOPSIS"),
    "gra": ("灰色关联分析", "grey relational analysis"),
    "vikor": ("VIKOR 法", "VIKOR"),
    "mpi": ("Mazziotta-Pareto 指数", "Mazziotta-Pareto index"),
    "copeland": ("Copeland 法", "Copeland rule"),
    "flat": ("单层结构", "flat structure"),
    "hierarchical": ("逐层合成", "level by level"),
    "ccr": ("CCR 模型", "CCR model"),
    "bcc": ("BCC 模型", "BCC model"),
    "sbm": ("SBM 模型", "SBM model"),
    "malmquist": ("Malmquist 指数", "Malmquist index"),
    "ml": ("Malmquist-Luenberger 指数", "Malmquist-Luenberger index"),
    "gml": ("全局 Malmquist-Luenberger 指数", "global Malmquist-Luenberger index"),
    "luenberger": ("Luenberger 指数", "Luenberger indicator"),
    "crs": ("规模报酬不变", "constant returns to scale"),
    "linear": ("线性插值", "linear interpolation"),
    "growth": ("增长率插值", "growth-rate interpolation"),
    "linear_extrapolate": ("线性插值与外推", "linear interpolation and extrapolation"),
    "nearest": ("最近年份填补", "nearest year"),
    "group_mean": ("组均值填补", "group means"),
    "mean": ("均值填补", "means"),
    "median": ("中位数填补", "medians"),
    "vrs": ("规模报酬可变", "variable returns to scale"),
}

#: code values in result tables → (zh, en)
VALUES: dict[str, tuple[str, str]] = {
    "cv": ("变异系数", "CV"),
    "optimal": ("最优", "optimal"),
    "infeasible": ("无可行解", "infeasible"),
    "unbounded": ("无界", "unbounded"),
    "uncertain": ("未定", "uncertain"),
    "error": ("求解失败", "error"),
    "contemporaneous": ("当期前沿", "contemporaneous"),
    "global": ("全局前沿", "global"),
    "sequential": ("序列前沿", "sequential"),
    "window": ("窗口前沿", "window"),
    "intertemporal": ("跨期前沿", "intertemporal"),
    "dimension": ("维度", "dimension"),
    "subdimension": ("子维度", "sub-dimension"),
    "indicator": ("指标", "indicator"),
    "strength": ("优势", "strength"),
    "weakness": ("短板", "weakness"),
    "on par": ("持平", "on par"),
    "strong": ("优势", "strong"),
    "weak": ("短板", "weak"),
    "silverman": ("Silverman 法则", "Silverman's rule"),
    "scott": ("Scott 法则", "Scott's rule"),
    "right": ("右拖尾", "right"),
    "left": ("左拖尾", "left"),
    "none": ("无", "none"),
    "initial": ("初始", "initial"),
    "merged": ("合并后", "merged"),
    "ln_y": ("期初水平的对数", "log initial level"),
    "const": ("常数项", "constant"),
    "sd_log": ("对数标准差", "SD of logs"),
    "largest mean silhouette": ("平均轮廓系数最大", "largest mean silhouette"),
    "warning": ("警告", "warning"),
    "info": ("提示", "info"),
    "outlier": ("异常值", "outlier"),
    "missing series": ("缺少序列", "missing series"),
    "unknown indicator": ("未使用的指标", "unknown indicator"),
    "duplicate key": ("重复记录", "duplicate key"),
    "non-numeric": ("非数值", "non-numeric"),
    "out of bounds": ("超出取值范围", "out of bounds"),
    "log domain": ("无法取对数", "log domain"),
    "negative denominator": ("分母为负", "negative denominator"),
    "zero denominator": ("分母为零", "zero denominator"),
    "empty indicator": ("指标无数据", "empty indicator"),
    "low coverage": ("覆盖率低", "low coverage"),
    "empty unit": ("单位无数据", "empty unit"),
    "constant": ("各单位取值相同", "constant"),
    "conversion": ("单位换算", "conversion"),
    "missing": ("缺失", "missing"),
    "all": ("全部", "all"),
    "HH": ("高-高", "high-high"),
    "LL": ("低-低", "low-low"),
    "HL": ("高-低", "high-low"),
    "LH": ("低-高", "low-high"),
    "ns": ("不显著", "not significant"),
    "imbalanced decline": ("失调衰退", "imbalanced decline"),
    "coordinated development": ("协调发展", "coordinated development"),
    "absolute:unit": ("绝对 β 收敛", "absolute β convergence"),
    "T": ("泰尔 T 指数", "Theil T"),
    "L": ("泰尔 L 指数", "Theil L"),
    "low": ("低水平", "low"),
    "mid-low": ("中低水平", "middle-low"),
    "mid-high": ("中高水平", "middle-high"),
    "high": ("高水平", "high"),
    "middle": ("中等水平", "middle"),
    "time_homogeneity_Q": ("时间齐性 Q 检验", "time homogeneity, Q test"),
    "time_homogeneity_LR": ("时间齐性 LR 检验", "time homogeneity, LR test"),
    "spatial_homogeneity_Q": ("空间齐性 Q 检验", "spatial homogeneity, Q test"),
    "spatial_homogeneity_LR": ("空间齐性 LR 检验", "spatial homogeneity, LR test"),
    "moran_i": ("莫兰指数", "Moran's I"),
    "geary_c": ("吉尔里指数", "Geary's C"),
    "value": ("得分", "score"),
    "not significant": ("不显著", "not significant"),
}

_ZH = 0
_EN = 1
_HEADS = {"strong": ("优势", "strong"), "weak": ("短板", "weak"), "strength": ("优势", "strong"),
          "weakness": ("短板", "weak"), "优势": ("优势", "strong"), "短板": ("短板", "weak")}


def _k(lang: str) -> int:
    return _ZH if str(lang).startswith("zh") else _EN


def label(column: str, lang: str) -> str:
    """The label of a result column in ``lang``; unknown columns unchanged."""
    got = COLUMNS.get(str(column))
    return got[_k(lang)] if got else str(column)


def method_name(code: str, lang: str) -> str:
    """A method or model name in ``lang`` (``entropy`` → 熵权法); unknown codes unchanged."""
    s = str(code)
    if "+" in s:  # combined weights, e.g. expert+entropy
        return " + ".join(method_name(p, lang) for p in s.split("+"))
    got = METHODS.get(s.lower())
    return got[_k(lang)] if got else s


def recipe_text(recipe: Any, lang: str) -> str:
    """An index recipe as one line a reader understands (its methods named in ``lang``)."""
    sep = "；" if _k(lang) == _ZH else "; "
    parts = [
        f"{method_name(recipe.normalise, lang)} ({method_name(recipe.panel_mode, lang)})",
        method_name(recipe.weights, lang),
        method_name(recipe.aggregate, lang),
        method_name(recipe.structure, lang),
    ]
    return sep.join(parts)


#: columns whose text cells hold framework ids (indicators, dimensions, series)
ID_COLUMNS = frozenset({
    "indicator", "dimension", "node", "parent", "strengths", "weaknesses", "type_name",
    "system", "systems", "input", "series", "variable",
})


#: columns whose cells are unit codes
UNIT_COLUMNS = frozenset({"best_in_type", "best_unit", "top_unit"})


def _value(v: Any, lang: str, names: Mapping[str, str]) -> Any:
    if not isinstance(v, str):
        return v
    if v in names:
        return names[v]
    got = VALUES.get(v)
    if got:
        return got[_k(lang)]
    m = re.fullmatch(r"(strong|weak|strength|weakness|优势|短板)[:：]\s*(.+)", v)
    if m and names:
        head = _HEADS.get(m.group(1), (m.group(1), m.group(1)))[_k(lang)]
        return head + ("：" if _k(lang) == _ZH else ": ") + _listed(m.group(2), lang, names)
    if "," in v or "、" in v:
        pieces = [p.strip() for p in re.split(r"[,、]", v)]
        if pieces and all(p in names for p in pieces):
            return _listed(v, lang, names)
    return v


def _listed(text: str, lang: str, names: Mapping[str, str]) -> str:
    pieces = [p.strip() for p in re.split(r"[,、]", text) if p.strip()]
    sep = "、" if _k(lang) == _ZH else ", "
    return sep.join(names.get(p, p) for p in pieces)


def readable(
    df: pd.DataFrame,
    lang: str,
    names: Mapping[str, str] | None = None,
    keep: tuple[str, ...] = (),
    units: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A result frame as a reader sees it: labelled columns, named codes, integer years.

    Parameters
    ----------
    df : DataFrame
        A result table with nqpf's column names.
    lang : {"zh", "en"}
    names : mapping, optional
        Ids of the framework (indicators, dimensions, systems) → names in ``lang``;
        they replace those ids in text cells and in column names (``U_<dimension>``
        becomes ``U (<name>)``).
    keep : tuple of str
        Columns whose values are left as they are (codes a reader needs, such as
        the unit code).
    units : mapping, optional
        Unit code → name, for the columns that name a unit by its code (``top``,
        ``best_in_type``, ``best_unit``).
    """
    names = dict(names or {})
    k = _k(lang)
    out = df.copy()
    cols = [str(c) for c in out.columns]
    # X_zh / X_en pairs: keep the reader's language under X
    drop: list[str] = []
    rename: dict[str, str] = {}
    for c in cols:
        m = re.fullmatch(r"(.+)_(zh|en)", c)
        if m and f"{m.group(1)}_{'en' if m.group(2) == 'zh' else 'zh'}" in cols:
            if (m.group(2) == "zh") == (k == _ZH):
                base = m.group(1)
                if base in cols:
                    drop.append(base)
                rename[c] = base
            else:
                drop.append(c)
    for c in cols:  # X (English) beside X_zh alone: typology's type_name, coupling's stage
        m = re.fullmatch(r"(.+)_zh", c)
        if m and m.group(1) in cols and f"{m.group(1)}_en" not in cols:
            if k == _ZH:
                drop.append(m.group(1))
                rename[c] = m.group(1)
            else:
                drop.append(c)
    out = out.drop(columns=[c for c in dict.fromkeys(drop) if c not in rename])
    out = out.rename(columns=rename)
    for c in out.columns:
        s = out[c]
        if str(c) in ("period", "period_from", "year", "first", "last", "t_first", "t_last"):
            out[c] = _integer_years(s)
            s = out[c]
        if str(c) in keep or pd.api.types.is_numeric_dtype(s):
            continue
        if str(c) in UNIT_COLUMNS and units:
            out[c] = [units.get(v, v) if isinstance(v, str) else v for v in s]
            continue
        ids = names if str(c) in ID_COLUMNS else {}
        out[c] = [_value(v, lang, ids) for v in s]
    labels = {}
    for c in out.columns:
        sc = str(c)
        if sc in names and sc not in COLUMNS:
            labels[c] = names[sc]
        elif re.fullmatch(r"U_(.+)", sc) and sc[2:] in names:
            labels[c] = f"U ({names[sc[2:]]})"
        else:
            labels[c] = label(sc, lang)
    return out.rename(columns=labels)


def _integer_years(s: pd.Series) -> pd.Series:
    """A period column of whole numbers as integers; other values kept."""
    if pd.api.types.is_float_dtype(s):
        x = s.to_numpy(dtype=float)
        ok = np.isnan(x) | (x == np.round(x))
        if ok.all():
            return s.astype("Int64")
        return s
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        def conv(v: Any) -> Any:
            if isinstance(v, float) and v == int(v):
                return int(v)
            return v
        return s.map(conv)
    return s
