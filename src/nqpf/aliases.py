"""Other names of nqpf's methods: Chinese names, capitals, hyphens and the literature's forms.

Wherever a method name is taken (a :class:`~nqpf.index.Recipe`, an analysis, a DEA model,
the command line and study files, which go through those), :func:`canonical` turns
``熵权法``, ``Entropy``, ``TOPSIS``, ``灰色关联`` or ``min-max`` into nqpf's own name
(``entropy``, ``topsis``, ``gra``, ``minmax``). A name that is neither an own name nor an
alias is returned unchanged, so that the caller's check names the choices.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = ["ALIASES", "canonical"]

#: kind -> alias -> own name. Keys are compared after :func:`_key` (NFKC, case folded,
#: spaces, hyphens and underscores removed).
ALIASES: dict[str, dict[str, str]] = {
    "normalise": {
        "极差标准化": "minmax", "极差法": "minmax", "极值法": "minmax", "极值标准化": "minmax",
        "最大最小值标准化": "minmax", "最小最大值标准化": "minmax", "离差标准化": "minmax",
        "归一化": "minmax", "normalization": "minmax", "normalisation": "minmax",
        "标准化": "zscore", "z分数": "zscore", "z标准化": "zscore", "zscore标准化": "zscore",
        "标准差标准化": "zscore", "standardisation": "zscore", "standardization": "zscore",
        "门槛值法": "goalpost", "功效系数法": "goalpost", "goalposts": "goalpost",
        "目标值法": "target", "目标值": "target",
        "排序法": "rank", "位次法": "rank", "ranking": "rank",
        "百分位": "percentile", "百分位法": "percentile",
        "对数": "log", "对数化": "log", "对数标准化": "log",
        "向量归一化": "vector", "向量规范化": "vector", "向量标准化": "vector",
    },
    "panel_mode": {
        "全局": "pooled", "面板": "pooled", "全局极值": "pooled", "global": "pooled",
        "逐年": "per-period", "分年": "per-period", "截面": "per-period", "perperiod": "per-period",
        "annual": "per-period", "基期": "base-year", "baseyear": "base-year",
    },
    "weights": {
        "等权": "equal", "等权重": "equal", "等权法": "equal", "平均赋权": "equal",
        "专家": "expert", "专家打分": "expert", "专家赋权": "expert", "主观赋权": "expert",
        "德尔菲法": "expert",
        "熵权法": "entropy", "熵值法": "entropy", "熵权": "entropy", "熵值": "entropy",
        "熵权重": "entropy", "entropyweight": "entropy", "entropyweights": "entropy",
        "critic法": "critic", "critic权重法": "critic",
        "变异系数法": "cv", "变异系数": "cv", "coefficientofvariation": "cv",
        "标准差法": "sd", "标准差": "sd", "standarddeviation": "sd",
        "主成分分析": "pca", "主成分分析法": "pca", "主成分": "pca",
        "层次分析法": "ahp", "层次分析": "ahp",
    },
    "aggregate": {
        "加权求和": "sum", "线性加权": "sum", "线性加权法": "sum", "加权平均": "sum",
        "加权和": "sum", "weightedsum": "sum", "linear": "sum", "arithmetic": "sum",
        "几何平均": "geometric", "几何加权": "geometric", "几何平均法": "geometric",
        "调和平均": "harmonic",
        "广义平均": "generalised", "generalized": "generalised",
        "逼近理想解法": "topsis", "优劣解距离法": "topsis", "理想解法": "topsis",
        "熵权topsis": "topsis",
        "灰色关联": "gra", "灰色关联分析": "gra", "灰色关联度": "gra", "灰色关联法": "gra",
        "greyrelationalanalysis": "gra", "grayrelationalanalysis": "gra",
        "折衷排序法": "vikor", "mazziottapareto": "mpi", "科普兰法": "copeland",
    },
    "analysis": {
        "达古姆基尼系数": "dagum", "dagum基尼系数": "dagum", "基尼系数分解": "dagum",
        "dagum基尼系数分解": "dagum", "泰尔指数": "theil", "核密度": "kernel",
        "核密度估计": "kernel", "kerneldensity": "kernel", "马尔可夫链": "markov",
        "马尔科夫链": "markov", "马尔可夫": "markov", "空间马尔可夫链": "markov",
        "收敛": "convergence", "收敛性": "convergence", "收敛分析": "convergence",
        "莫兰指数": "moran", "全局莫兰指数": "moran", "moransi": "moran",
        "局部莫兰指数": "lisa", "耦合协调": "coupling", "耦合协调度": "coupling",
        "障碍度": "obstacle", "障碍因子": "obstacle", "障碍度模型": "obstacle",
        "聚类": "typology", "类型划分": "typology",
    },
    "dea_model": {
        "超效率sbm": "super-sbm", "supersbm": "super-sbm", "径向": "radial",
        "方向距离函数": "ddf", "非径向方向距离函数": "nddf",
    },
}


def _key(name: str) -> str:
    s = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in s if not (ch.isspace() or ch in "-_"))


def canonical(kind: str, name: Any, own: Iterable[str] = ()) -> Any:
    """nqpf's own name of method ``name`` of ``kind`` (see :data:`ALIASES`).

    ``own`` lists the own names of the kind: they, and the alias targets, are recognised
    whatever their case and hyphens (``TOPSIS``, ``Min-Max``, ``per_period``). Anything
    else (not a string, not a known name) is returned unchanged, so that the caller's
    check names the choices.

    >>> canonical("weights", "熵权法"), canonical("aggregate", "TOPSIS")
    ('entropy', 'topsis')
    """
    if not isinstance(name, str):
        return name
    table = ALIASES[kind]
    key = _key(name)
    if key in table:
        return table[key]
    known = {_key(v): v for v in (*table.values(), *own)}
    return known.get(key, name)
