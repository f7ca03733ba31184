"""Fuzzy comprehensive evaluation (模糊综合评价; Wang Peizhuang 1983).

Each indicator value is turned into a vector of memberships in ordered grades
(e.g. 差, 中, 良, 优), the memberships of all indicators form the evaluation
matrix R (indicators × grades), and a composition operator combines R with the
indicator weights w into the unit's membership in each grade, B = w ∘ R.

Membership functions
--------------------
:func:`membership` uses the piecewise-linear (triangular, half-trapezoid at the
ends) functions of grade standards t_1 < … < t_g: a value at or beyond t_1 is
fully in grade 1, a value at or beyond t_g fully in grade g, and a value
between t_k and t_{k+1} belongs to grade k with (t_{k+1} − x)/(t_{k+1} − t_k)
and to grade k + 1 with the rest. Standards given in decreasing order describe
a cost indicator (smaller is better): the same rule on the reversed axis.

Composition operators (b_k for grade k; Chinese textbooks' M(·,·) notation)
----------------------------------------------------------------------------
``"min-max"``  M(∧, ∨): b_k = max_j min(w_j, r_jk) (main factor decides);
``"product-max"``  M(·, ∨): b_k = max_j w_j r_jk (main factor stands out);
``"weighted"``  M(·, +): b_k = Σ_j w_j r_jk (weighted average; default);
``"bounded"``  M(∧, ⊕): b_k = min(1, Σ_j min(w_j, r_jk));
``"balanced"``  b_k = Σ_j min(w_j, r_jk / r_0k), r_0k = Σ_j r_jk.

B is normalised to sum 1 (``normalise=True``). A grade score vector s
defuzzifies B: ``"max"`` (maximum membership: the score of the grade with the
largest b_k) or ``"weighted"`` (Σ b_k s_k / Σ b_k).

The tests reproduce the worked examples of Zhang Jingxin's *数学建模与评价类
算法* (ch. 10, "模糊综合评价"): the garment example (B = 0.70, 0.16, 0.14; 90
by maximum membership, 82 weighted) and the three farming plans (scores 60, 75,
75 by maximum membership; 61.5375, 75.5325, 75.6975 weighted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

OPERATORS = ("min-max", "product-max", "weighted", "bounded", "balanced")
DEFUZZIFY = ("max", "weighted")


def membership(x: Any, standards: Any) -> np.ndarray:
    """Memberships of values ``x`` in the grades of ``standards``: (len(x), g).

    Parameters
    ----------
    x : scalar or array
    standards : sequence of g ≥ 2 grade standards, strictly monotone
        Increasing for a benefit indicator, decreasing for a cost indicator
        (grade order as given in both cases).
    """
    t = np.asarray(standards, dtype=float)
    if t.ndim != 1 or len(t) < 2:
        raise DataError(f"grade standards need at least 2 values, got {standards!r}")
    d = np.diff(t)
    if not ((d > 0).all() or (d < 0).all()):
        raise DataError(f"grade standards must be strictly increasing or decreasing: {list(t)}")
    xv = np.atleast_1d(np.asarray(x, dtype=float))
    if not np.isfinite(xv).all():
        raise DataError("membership needs finite values; impute missing cells first")
    if d[0] < 0:
        t, xv = -t, -xv
    g = len(t)
    out = np.zeros((len(xv), g))
    out[xv <= t[0], 0] = 1.0
    out[xv >= t[-1], g - 1] = 1.0
    for k in range(g - 1):
        inside = (xv > t[k]) & (xv < t[k + 1])
        share = (t[k + 1] - xv[inside]) / (t[k + 1] - t[k])
        out[inside, k] = share
        out[inside, k + 1] = 1.0 - share
    # a value exactly at an inner standard is fully in that grade
    for k in range(1, g - 1):
        out[xv == t[k]] = 0.0
        out[xv == t[k], k] = 1.0
    return out


def compose(w: Any, R: Any, operator: str = "weighted", normalise: bool = True) -> np.ndarray:
    """Fuzzy composition B = w ∘ R of weights (k,) and an evaluation matrix (k, g)."""
    wv = np.asarray(w, dtype=float).ravel()
    Rm = np.asarray(R, dtype=float)
    if Rm.ndim != 2 or Rm.shape[0] != len(wv):
        raise DataError(
            f"the evaluation matrix must have one row per weight ({len(wv)}), got {Rm.shape}"
        )
    if (Rm < 0).any() or (Rm > 1).any() or (wv < 0).any():
        raise DataError("memberships must lie in [0, 1] and weights be non-negative")
    W = wv[:, None]
    if operator == "min-max":
        b = np.minimum(W, Rm).max(axis=0)
    elif operator == "product-max":
        b = (W * Rm).max(axis=0)
    elif operator == "weighted":
        b = (W * Rm).sum(axis=0)
    elif operator == "bounded":
        b = np.minimum(1.0, np.minimum(W, Rm).sum(axis=0))
    elif operator == "balanced":
        col = Rm.sum(axis=0)
        b = np.minimum(W, np.divide(Rm, col, out=np.zeros_like(Rm), where=col > 0)).sum(axis=0)
    else:
        raise DataError(f"unknown composition operator {operator!r}; use one of {OPERATORS}")
    if normalise:
        tot = b.sum()
        if not tot > 0:
            raise DataError("the composed memberships are all 0; check the weights and matrix")
        b = b / tot
    return b


def defuzzify(b: Any, scores: Any, method: str = "max") -> float:
    """A score from grade memberships: maximum membership or the weighted mean."""
    bv = np.asarray(b, dtype=float)
    s = np.asarray(scores, dtype=float)
    if bv.shape != s.shape:
        raise DataError(f"{len(s)} grade scores for {len(bv)} grades")
    if method == "max":
        return float(s[int(np.argmax(bv))])
    if method == "weighted":
        return float((bv * s).sum() / bv.sum())
    raise DataError(f"defuzzification must be one of {DEFUZZIFY}, got {method!r}")


@dataclass
class FuzzyResult:
    """Grade memberships, scores and grades of every unit.

    Attributes
    ----------
    table : DataFrame
        ``unit, <grade memberships…>, score, grade`` (grade: the label with the
        largest membership).
    matrices : dict
        Unit → evaluation matrix R (indicators × grades) as a DataFrame.
    """

    table: pd.DataFrame
    matrices: dict[Any, pd.DataFrame]
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.table


def fuzzy_evaluate(
    data: pd.DataFrame,
    standards: dict[str, Any],
    weights: Any,
    *,
    grades: list[str] | None = None,
    scores: Any = None,
    operator: str = "weighted",
    defuzzification: str = "weighted",
) -> FuzzyResult:
    """Fuzzy comprehensive evaluation of the units (rows) of ``data``.

    Parameters
    ----------
    data : DataFrame
        Units (index) × indicators; complete.
    standards : dict
        Indicator → its g grade standards in grade order (see :func:`membership`).
    weights : sequence or dict
        Indicator weights (normalised to sum 1).
    grades : list of str, optional
        Grade labels in the order of the standards (default ``grade1`` …).
    scores : sequence, optional
        Score of each grade for defuzzification (default 1 … g).
    operator, defuzzification : str
        See :func:`compose` and :func:`defuzzify`.
    """
    cols = [str(c) for c in data.columns]
    missing = [c for c in cols if c not in standards]
    if missing:
        raise DataError(f"no grade standards for indicator(s) {missing}")
    g = {len(np.atleast_1d(standards[c])) for c in cols}
    if len(g) != 1:
        raise DataError("every indicator needs the same number of grade standards")
    g = g.pop()
    labels = list(grades) if grades is not None else [f"grade{k + 1}" for k in range(g)]
    if len(labels) != g:
        raise DataError(f"{len(labels)} grade labels for {g} grade standards")
    s = np.arange(1.0, g + 1) if scores is None else np.asarray(scores, dtype=float)
    if isinstance(weights, dict):
        w = np.asarray([weights[c] for c in cols], dtype=float)
    else:
        w = np.asarray(weights, dtype=float).ravel()
    if len(w) != len(cols) or not w.sum() > 0:
        raise DataError(f"{len(w)} weights for {len(cols)} indicators (positive sum needed)")
    w = w / w.sum()
    X = data.to_numpy(dtype=float)
    rows, mats = [], {}
    for i, unit in enumerate(data.index):
        R = np.vstack([membership(X[i, j], standards[c])[0] for j, c in enumerate(cols)])
        b = compose(w, R, operator)
        mats[unit] = pd.DataFrame(R, index=cols, columns=labels)
        rows.append({"unit": unit, **dict(zip(labels, b, strict=True)),
                     "score": defuzzify(b, s, defuzzification),
                     "grade": labels[int(np.argmax(b))]})
    table = pd.DataFrame(rows)
    return FuzzyResult(
        table, mats,
        {"operator": operator, "defuzzification": defuzzification, "scores": s.tolist(),
         "weights": w.tolist()},
    )
