"""Rank-sum ratio (RSR) evaluation with probit grading (Tian Fengdiao 1988).

The rank-sum ratio (秩和比法) of Chinese health statistics (田凤调, 1988; the
textbook form of 孙振球《医学统计学》) ranks the units on every indicator,
averages the ranks into a ratio in (0, 1], fits the ratio against the probit of
its cumulative frequency, and cuts the fitted line into grades (分档排序).

Conventions
-----------
* **Ranks** (编秩). ``ranking="integer"``: within each indicator the worst unit
  gets rank 1 and the best rank n (benefit indicators ranked ascending, cost
  indicators descending); ties share their mean rank. ``"non-integer"``
  (非整数秩): R = 1 + (n − 1)(x − min)/(max − min) for a benefit indicator and
  1 + (n − 1)(max − x)/(max − min) for a cost indicator, which keeps the
  distances between values.
* **Ratio.** RSR_i = Σ_j w_j R_ij / n with weights summing to 1 (equal by
  default), i.e. ΣR/(m·n) with equal weights.
* **Distribution.** The distinct RSR values, ascending, form groups of f units
  with cumulative count cf; the group covers ranks cf − f + 1 … cf, its mean
  rank is R̄ and its cumulative frequency p = R̄/n, except the last group,
  whose p is corrected to 1 − 1/(4n). Probit = 5 + Φ⁻¹(p).
* **Regression.** RSR = a + b·Probit by least squares over the groups (one
  point per distinct RSR, as the textbook tabulates them); RSR_fit = a +
  b·Probit of each unit's group.
* **Grades.** Cut-offs on the probit scale (default for 3 grades: 4 and 6;
  4 grades: 4, 5, 6; 5 grades: 3.72, 4.48, 5.52, 6.28 — the 10th, 30th, 70th
  and 90th percentiles). Grade 1 is the best; a unit's grade follows its
  fitted RSR against the fitted RSR at the cut-offs.

The example of the textbook (10 regions, prenatal examination rate, maternal
and perinatal mortality) is reproduced in the tests: a = −0.60855, b = 0.22169,
R² = 0.9379.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

#: Probit cut-offs of the usual numbers of grades (best grade last on the probit scale).
GRADE_CUTOFFS: dict[int, tuple[float, ...]] = {
    2: (5.0,),
    3: (4.0, 6.0),
    4: (4.0, 5.0, 6.0),
    5: (3.72, 4.48, 5.52, 6.28),
}


@dataclass
class RSRResult:
    """Ranks, ratios, probits, the regression and the grades of an RSR evaluation.

    Attributes
    ----------
    table : DataFrame
        One row per unit, best first: ``unit, RSR, f, cf, mean_rank, p, probit,
        RSR_fit, rank, grade``.
    ranks : DataFrame
        The rank matrix (units × indicators).
    regression : dict
        ``a, b, r2, a_se, b_se, a_p, b_p, n_groups``.
    thresholds : DataFrame
        ``grade, probit_from, probit_to, RSR_fit_from, RSR_fit_to, units``.
    """

    table: pd.DataFrame
    ranks: pd.DataFrame
    regression: dict[str, float]
    thresholds: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.table


def rank_matrix(X: np.ndarray, directions: np.ndarray, ranking: str = "integer") -> np.ndarray:
    """Ranks of the units (rows) on each indicator (column); larger is better."""
    from scipy.stats import rankdata

    n = X.shape[0]
    if ranking == "integer":
        return np.column_stack(
            [rankdata(X[:, j] * directions[j], method="average") for j in range(X.shape[1])]
        )
    if ranking == "non-integer":
        lo, hi = X.min(axis=0), X.max(axis=0)
        span = hi - lo
        if (span == 0).any():
            j = int(np.flatnonzero(span == 0)[0])
            raise DataError(f"non-integer ranks need variation; indicator {j} is constant")
        share = (X - lo) / span
        share = np.where(directions > 0, share, 1.0 - share)
        return 1.0 + (n - 1) * share
    raise DataError(f"ranking must be 'integer' or 'non-integer', got {ranking!r}")


def rsr(
    data: pd.DataFrame | np.ndarray,
    directions: Any = None,
    *,
    weights: Any = None,
    ranking: str = "integer",
    grades: int | None = 3,
    cutoffs: Any = None,
    units: list[Any] | None = None,
) -> RSRResult:
    """Rank-sum ratio evaluation of the units (rows) of ``data``.

    Parameters
    ----------
    data : DataFrame or array (units × indicators)
        Raw values, complete. A DataFrame's index names the units.
    directions : sequence of +1 / −1 (or "+" / "-"), optional
        Benefit (+1) or cost (−1) indicator; default all benefit.
    weights : sequence, optional
        Indicator weights (normalised to sum 1); default equal.
    ranking : {"integer", "non-integer"}
    grades : int, optional
        Number of grades with the usual probit cut-offs (2–5).
    cutoffs : sequence of float, optional
        Probit cut-offs instead (ascending), giving len(cutoffs) + 1 grades.
    units : list, optional
        Unit labels for an array.
    """
    from scipy import stats

    X, units, names = _matrix(data, units)
    n, m = X.shape
    if n < 3:
        raise DataError(f"RSR needs at least 3 units to fit the probit line, got {n}")
    d = _directions(directions, m)
    w = np.full(m, 1.0 / m) if weights is None else _weights(weights, m)
    R = rank_matrix(X, d, ranking)
    ratio = (R * w).sum(axis=1) / n

    # distribution of the ratio over its distinct values
    values, inv, f = np.unique(np.round(ratio, 12), return_inverse=True, return_counts=True)
    cf = np.cumsum(f)
    mean_rank = cf - (f - 1) / 2.0
    p = mean_rank / n
    p[-1] = 1.0 - 1.0 / (4 * n)
    probit = 5.0 + stats.norm.ppf(p)
    group_rsr = np.array([ratio[inv == g].mean() for g in range(len(values))])
    if len(values) < 3:
        raise DataError(
            f"RSR: only {len(values)} distinct ratio value(s); the probit line needs at least 3"
        )
    lr = stats.linregress(probit, group_rsr)
    a, b = float(lr.intercept), float(lr.slope)
    df_ = len(values) - 2
    t_a = a / lr.intercept_stderr if lr.intercept_stderr > 0 else np.inf
    reg = {
        "a": a, "b": b, "r2": float(lr.rvalue**2), "a_se": float(lr.intercept_stderr),
        "b_se": float(lr.stderr), "a_p": float(2 * stats.t.sf(abs(t_a), df_)),
        "b_p": float(lr.pvalue), "n_groups": len(values),
    }
    fit = a + b * probit[inv]

    cuts = _cutoffs(grades, cutoffs)
    g = len(cuts) + 1
    fit_cuts = a + b * np.asarray(cuts)
    # grade 1 = best: count cut-offs the unit's fitted ratio reaches
    level = np.searchsorted(fit_cuts, fit, side="right")  # 0 = worst
    grade = g - level
    table = pd.DataFrame(
        {
            "unit": units, "RSR": ratio, "f": f[inv], "cf": cf[inv], "mean_rank": mean_rank[inv],
            "p": p[inv], "probit": probit[inv], "RSR_fit": fit, "grade": grade,
        }
    )
    table["rank"] = table["RSR"].rank(ascending=False, method="min").astype(int)
    table = table.sort_values(["RSR", "unit"], ascending=[False, True]).reset_index(drop=True)
    edges = [-np.inf, *cuts, np.inf]
    rows = []
    for k in range(g):
        lo, hi = edges[g - 1 - k], edges[g - k]
        rows.append(
            {
                "grade": k + 1, "probit_from": lo, "probit_to": hi,
                "RSR_fit_from": a + b * lo if np.isfinite(lo) else -np.inf,
                "RSR_fit_to": a + b * hi if np.isfinite(hi) else np.inf,
                "units": ", ".join(map(str, table.loc[table["grade"] == k + 1, "unit"])),
            }
        )
    ranks = pd.DataFrame(R, index=pd.Index(units, name="unit"), columns=names)
    return RSRResult(
        table, ranks, reg, pd.DataFrame(rows),
        {"ranking": ranking, "weights": w.tolist(), "cutoffs": list(cuts)},
    )


def _matrix(data: Any, units: list[Any] | None) -> tuple[np.ndarray, list[Any], list[str]]:
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        units = list(data.index) if units is None else list(units)
        try:
            X = data.to_numpy(dtype=float)
        except (TypeError, ValueError) as e:
            raise DataError(f"the data must be numeric indicators: {e}") from None
    else:
        X = np.asarray(data, dtype=float)
        if X.ndim != 2:
            raise DataError(f"the data must be a units x indicators matrix, got shape {X.shape}")
        names = [f"x{j + 1}" for j in range(X.shape[1])]
        units = list(range(1, X.shape[0] + 1)) if units is None else list(units)
    if len(units) != X.shape[0]:
        raise DataError(f"{len(units)} unit labels for {X.shape[0]} rows")
    bad = ~np.isfinite(X)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise DataError(
            f"{int(bad.sum())} missing or infinite value(s); the first at unit {units[i]!r}, "
            f"indicator {names[j]!r}. Impute first"
        )
    return X, units, names


def _directions(directions: Any, m: int) -> np.ndarray:
    if directions is None:
        return np.ones(m)
    out = []
    for v in directions:
        if v in ("+", 1, 1.0, "benefit"):
            out.append(1.0)
        elif v in ("-", -1, -1.0, "cost"):
            out.append(-1.0)
        else:
            raise DataError(f"direction {v!r}: use +1/'+' (benefit) or -1/'-' (cost)")
    if len(out) != m:
        raise DataError(f"{len(out)} directions for {m} indicators")
    return np.asarray(out)


def _weights(weights: Any, m: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float).ravel()
    if len(w) != m:
        raise DataError(f"{len(w)} weights for {m} indicators")
    if not np.isfinite(w).all() or (w < 0).any() or not w.sum() > 0:
        raise DataError(f"weights must be non-negative numbers with a positive sum: {w.tolist()}")
    return w / w.sum()


def _cutoffs(grades: int | None, cutoffs: Any) -> tuple[float, ...]:
    if cutoffs is not None:
        c = tuple(float(v) for v in cutoffs)
        if not c or any(b <= a for a, b in zip(c, c[1:], strict=False)):
            raise DataError(f"probit cut-offs must be ascending and non-empty: {list(c)}")
        return c
    if grades not in GRADE_CUTOFFS:
        raise DataError(
            f"grades={grades!r}: choose {', '.join(map(str, GRADE_CUTOFFS))} or give cutoffs "
            "(probits, ascending)"
        )
    return GRADE_CUTOFFS[grades]
