"""Column headers and words of the assessment tables in Chinese and English."""

from __future__ import annotations

import pandas as pd

__all__ = ["COLUMNS", "WORDS", "header", "localise"]

COLUMNS: dict[str, tuple[str, str]] = {
    "unit": ("地区", "Unit"),
    "period": ("时期", "Period"),
    "class": ("类别", "Class"),
    "node": ("层级", "Node"),
    "node_name": ("名称", "Name"),
    "level": ("级别", "Level"),
    "level_score": ("水平得分", "Level score"),
    "progress_score": ("进步得分", "Progress score"),
    "total_score": ("综合得分", "Total score"),
    "grade": ("等级", "Grade"),
    "rank": ("排名", "Rank"),
    "rank_in_class": ("类内排名", "Rank in class"),
    "n_in_class": ("类内地区数", "Units in class"),
    "indicator": ("指标", "Indicator"),
    "indicator_name": ("指标名称", "Indicator name"),
    "rule": ("评分方法", "Rule"),
    "value": ("实际值", "Value"),
    "target": ("目标值", "Target"),
    "attainment": ("目标完成率", "Attainment"),
    "score": ("得分", "Score"),
    "progress": ("进步分", "Progress"),
    "weight": ("权重", "Weight"),
    "weighted_score": ("加权得分", "Weighted score"),
    "lost_points": ("失分", "Points lost"),
    "gap": ("差距", "Gap"),
    "gap_pct": ("差距(%)", "Gap (%)"),
    "met": ("是否达标", "Target met"),
    "index": ("指数", "Index"),
    "contribution_points": ("贡献(点)", "Contribution (points)"),
    "contribution_share": ("贡献率(%)", "Contribution (%)"),
    "previous_rank": ("上期排名", "Previous rank"),
    "rank_change": ("排名变化", "Rank change"),
    "previous_grade": ("上期等级", "Previous grade"),
    "top_losses": ("主要失分指标", "Indicators costing most"),
    "targets_met": ("达标指标数", "Targets met"),
    "targets": ("有目标指标数", "Indicators with target"),
    "weakest_node": ("最弱维度", "Weakest dimension"),
    "provider": ("数据提供部门", "Provider"),
}

WORDS: dict[str, tuple[str, str]] = {
    "framework": ("指标体系", "Framework"),
    "name": ("名称", "Name"),
    "version": ("版本", "Version"),
    "valid_from": ("生效日期", "Valid from"),
    "valid_to": ("失效日期", "Valid to"),
    "issuer": ("发文机关", "Issuer"),
    "document": ("文号", "Document"),
    "note": ("注", "Note"),
    "framework_version": ("体系版本", "Framework version"),
    "rules": ("分指标评分方法", "Rules by indicator"),
    "cap": ("封顶系数", "Cap"),
    "efficacy_bounds": ("功效分上下限", "Efficacy bounds"),
    "efficacy_range": ("功效系数取值来源", "Efficacy range from"),
    "level_weight": ("水平得分权重", "Level weight"),
    "progress_weight": ("进步得分权重", "Progress weight"),
    "progress_from": ("进步参照期", "Progress reference"),
    "grades": ("等级划分", "Grades"),
    "grade_method": ("分级方法", "Grade method"),
    "grade_shares": ("各等级比例", "Grade shares"),
    "unclassed": ("未分类地区处理", "Units without class"),
    "missing_target": ("缺目标值处理", "Missing target"),
    "base_year": ("基期", "Base year"),
    "chained": ("环比链接", "Chained"),
    "periods": ("评价时期", "Periods"),
    "lang": ("语言", "Language"),
    "total": ("总指数", "Total"),
    "dimension": ("维度", "Dimension"),
    "subdimension": ("子维度", "Sub-dimension"),
    "indicator": ("指标", "Indicator"),
    "all": ("全部", "All"),
    "results": ("评价结果", "Results"),
    "indicators": ("指标得分", "Indicator scores"),
    "fixed_base": ("定基指数", "Fixed-base index"),
    "diagnosis": ("诊断", "Diagnosis"),
    "about": ("说明", "About"),
    "no_class": ("未分类", "Unclassed"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
}


def header(col: str, lang: str) -> str:
    """The header of a column in ``lang`` (the column name itself when unknown)."""
    pair = COLUMNS.get(col)
    return col if pair is None else pair[0 if lang == "zh" else 1]


def word(key: str, lang: str) -> str:
    """A word of the tables in ``lang``."""
    pair = WORDS.get(key)
    if pair is None:
        pair = COLUMNS.get(key, (key, key))
    return pair[0 if lang == "zh" else 1]


def localise(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table with headers in ``lang`` (values unchanged)."""
    return df.rename(columns={c: header(c, lang) for c in df.columns})
