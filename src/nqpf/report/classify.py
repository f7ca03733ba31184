"""Classes of a choropleth map: quantiles, natural breaks (Fisher–Jenks) or given bands.

A published map shows a few classes, each with its range in the legend, and says how the
classes were formed. :func:`breaks` returns the upper bounds of ``k`` classes:

``quantiles``
    equal counts: the ``j/k`` quantiles (linear interpolation, NumPy's default);
``jenks``
    natural breaks, the exact optimum of Fisher (1958), "On grouping for maximum
    homogeneity", JASA 53: the partition of the sorted values into ``k`` contiguous
    classes with the least total within-class sum of squares, found by dynamic
    programming in O(k n²) (the "Jenks natural breaks" of GIS software is this optimum;
    Jenks' own iterative method approximates it);
a sequence of numbers
    the bands given, e.g. the grade bands of an assessment (0.6, 0.7, 0.8, 0.9).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import DataError

__all__ = ["breaks", "class_of", "jenks_breaks", "method_label", "range_labels"]


def jenks_breaks(values: Sequence[float], k: int) -> list[float]:
    """Upper bounds of the ``k`` Fisher–Jenks classes (the last is the maximum)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0:
        raise DataError("natural breaks: no values")
    k = min(k, len(np.unique(x)))
    if k <= 1:
        return [float(x[-1])]
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])

    def ssd(i: np.ndarray, j: Any) -> np.ndarray:  # sum of squares of x[i:j]
        m = j - i
        return s2[j] - s2[i] - (s1[j] - s1[i]) ** 2 / m

    # cost[c][j]: least SSD of x[:j] in c + 1 classes; back[c][j]: start of the last class
    cost = np.full((k, n + 1), np.inf)
    back = np.zeros((k, n + 1), dtype=int)
    idx = np.arange(n + 1)
    cost[0, 1:] = ssd(np.zeros(n, dtype=int), np.arange(1, n + 1))
    for c in range(1, k):
        for j in range(c + 1, n + 1):
            i = idx[c:j]
            tot = cost[c - 1, i] + ssd(i, j)
            b = int(np.argmin(tot))
            cost[c, j] = tot[b]
            back[c, j] = i[b]
    ends = []
    j = n
    for c in range(k - 1, 0, -1):
        i = back[c, j]
        ends.append(float(x[i - 1]))
        j = i
    return sorted(ends) + [float(x[-1])]


def breaks(values: Sequence[float], method: Any = "quantiles", k: int = 5) -> list[float]:
    """Upper bounds of the classes (ascending; the last covers the maximum).

    ``method``: ``"quantiles"``, ``"jenks"`` or a sequence of band limits (the values
    between two limits form a class; values above the last limit form the top class).
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise DataError("map classes: no finite values")
    if isinstance(method, str):
        k = max(1, min(k, len(np.unique(x))))  # no more classes than distinct values
        if method == "quantiles":
            q = np.quantile(x, np.linspace(0, 1, k + 1)[1:])
            return sorted(set(float(v) for v in q))
        if method == "jenks":
            return jenks_breaks(x, k)
        raise DataError(f"map classes: unknown method {method!r}; use quantiles, jenks or a "
                        "list of band limits")
    limits = sorted(float(v) for v in method)
    if not limits:
        raise DataError("map classes: give at least one band limit")
    top = max(float(x.max()), limits[-1])
    return [v for v in limits if v < top] + [top]


def class_of(v: float, bounds: Sequence[float]) -> int:
    """The class (0-based) of ``v`` given the upper bounds."""
    for j, b in enumerate(bounds):
        if v <= b + 1e-12:
            return j
    return len(bounds) - 1


def range_labels(bounds: Sequence[float], lo: float, digits: int = 2) -> list[str]:
    """``lo–b1``, ``b1–b2``, … for the legend."""
    out = []
    prev = lo
    for b in bounds:
        out.append(f"{prev:.{digits}f}–{b:.{digits}f}")
        prev = b
    return out


def method_label(method: Any, k: int, lang: str) -> str:
    """How the classes were formed, for the legend title."""
    zh = lang == "zh"
    if isinstance(method, str) and method == "quantiles":
        return f"分位数分级, {k} 级" if zh else f"quantiles, {k} classes"
    if isinstance(method, str) and method == "jenks":
        return f"自然断点 (Jenks) 分级, {k} 级" if zh else f"natural breaks (Jenks), {k} classes"
    return "按评价等级分级" if zh else "grade bands"
