"""Grades on the total score, by thresholds or by quantiles.

- **Thresholds** (the usual office schedule): a unit gets the first grade whose
  threshold its score reaches, with grades listed from best to worst. The
  default is 优秀 ≥ 90, 良好 ≥ 80, 一般 ≥ 60, 较差 below (Excellent, Good, Fair,
  Poor in English), the four-grade schedule of Chinese performance assessment
  (e.g. 《中央企业综合绩效评价实施细则》, 2006: 优 ≥ 85, 良 ≥ 70, 中 ≥ 50, 低 ≥ 40,
  差 below; offices set their own thresholds, as here).
- **Quantiles** (forced distribution, 强制分布): units are ranked by score and
  the best share ``s_1`` gets the first grade, the next ``s_2`` the second, ….
  A unit at rank ``r`` (1 = best, ties share the best rank) of ``n`` gets the first
  grade ``k`` with ``r ≤ round(n · (s_1 + … + s_k))``, so tied units share a
  grade; shares must sum to 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import NqpfError

__all__ = ["DEFAULT_THRESHOLDS", "grade_quantiles", "grade_thresholds", "default_thresholds"]

DEFAULT_THRESHOLDS: dict[str, list[tuple[str, float]]] = {
    "zh": [("优秀", 90.0), ("良好", 80.0), ("一般", 60.0), ("较差", -math.inf)],
    "en": [("Excellent", 90.0), ("Good", 80.0), ("Fair", 60.0), ("Poor", -math.inf)],
}


def default_thresholds(lang: str = "zh") -> list[tuple[str, float]]:
    """The default four-grade schedule in ``lang``."""
    return list(DEFAULT_THRESHOLDS["en" if lang == "en" else "zh"])


def _check_thresholds(grades: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    g = [(str(label), float(t)) for label, t in grades]
    if not g:
        raise NqpfError("grades: give at least one (label, threshold) pair")
    ts = [t for _, t in g]
    if any(b >= a for a, b in zip(ts, ts[1:], strict=False)):
        raise NqpfError(f"grades: thresholds {ts} must decrease from the best grade to the worst")
    labels = [lab for lab, _ in g]
    if len(set(labels)) != len(labels):
        raise NqpfError(f"grades: labels {labels} repeat")
    return g


def grade_thresholds(scores: np.ndarray, grades: Sequence[tuple[str, float]]) -> np.ndarray:
    """Grade labels by thresholds; a score below every threshold raises an error."""
    g = _check_thresholds(grades)
    s = np.asarray(scores, float)
    out = np.empty(len(s), dtype=object)
    out[:] = None
    for k in range(len(s)):
        if np.isnan(s[k]):
            continue
        for label, t in g:
            if s[k] >= t:
                out[k] = label
                break
        else:
            raise NqpfError(
                f"grades: score {s[k]:g} is below the lowest threshold {g[-1][1]:g}; make the "
                "last grade's threshold -inf (or 0) so that every score gets a grade"
            )
    return out


def grade_quantiles(
    scores: np.ndarray, labels: Sequence[str], shares: Sequence[float]
) -> np.ndarray:
    """Grade labels by forced distribution (see the module docstring)."""
    if len(labels) != len(shares) or not labels:
        raise NqpfError("grades: give one share per grade label")
    if any(s < 0 for s in shares) or abs(math.fsum(shares) - 1) > 1e-9:
        raise NqpfError(f"grades: shares {list(shares)} must be non-negative and sum to 1")
    s = pd.Series(np.asarray(scores, float))
    n = int(s.notna().sum())
    rank = s.rank(ascending=False, method="min").to_numpy()
    bounds = np.round(n * np.cumsum(shares)).astype(int)
    out = np.empty(len(s), dtype=object)
    out[:] = None
    for k, r in enumerate(rank):
        if np.isnan(r):
            continue
        out[k] = labels[int(np.searchsorted(bounds, r, side="left"))] if r <= n else labels[-1]
    return out
