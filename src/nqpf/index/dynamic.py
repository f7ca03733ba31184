"""Dynamic evaluation of panels: the scatter-degree method and time-weighted scores.

Two methods of Guo Yajun's dynamic comprehensive evaluation (郭亚军, 2002,
"一种新的动态综合评价方法", 管理科学学报 5(2): 49–54; 郭亚军, 2007,
《综合评价理论、方法及应用》, 科学出版社):

**Vertical-and-horizontal scatter degree** (纵横向拉开档次法). With the
standardised panel x_ij(t) (units i, indicators j, periods t) and A_t the
n × m matrix of period t, the weights w (‖w‖ = 1) maximise the total
dispersion of the scores y_i(t) = Σ_j w_j x_ij(t) over all units and periods,
σ² = Σ_t Σ_i y_i(t)² = wᵀ H w with H = Σ_t A_tᵀ A_t. The maximum is the largest
eigenvalue of H and w its eigenvector; the weights are that eigenvector scaled
to sum 1 (it is positive when H is, by Perron–Frobenius). Standardisation is the
z-score over the pooled panel (``standardise="zscore"``) or none (data already
standardised). With one period the weights are the first principal component of
the standardised data, scaled to sum 1.

**Time weights and time-weighted scores.** The time weights w_1 … w_p (oldest
first) maximise the entropy −Σ w_t ln w_t subject to Σ w_t = 1 and the "time
degree" λ = Σ_t (p − t)/(p − 1) w_t: λ = 0.5 gives equal weights, a smaller λ
weights recent periods more ("厚今薄古"). The maximum-entropy solution is
w_t ∝ exp(μ (p − t)/(p − 1)) with μ solved from the λ constraint (Lagrange
conditions of the programme). A unit's dynamic score is Σ_t w_t y_i(t).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError


def time_weights(p: int, lam: float) -> np.ndarray:
    """Maximum-entropy time weights of p periods (oldest first) with time degree λ.

    Parameters
    ----------
    p : int
        Number of periods (≥ 2).
    lam : float
        Time degree in (0, 1); 0.5 gives equal weights, smaller values weight
        recent periods more.
    """
    from scipy.optimize import brentq

    if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 2:
        raise DataError(f"time weights need p ≥ 2 periods, got {p!r}")
    if not (isinstance(lam, int | float) and 0 < lam < 1):
        raise DataError(f"the time degree λ must lie strictly between 0 and 1, got {lam!r}")
    x = (p - np.arange(1, p + 1)) / (p - 1)  # 1 for the oldest period, 0 for the latest

    def weights(mu: float) -> np.ndarray:
        z = mu * x
        e = np.exp(z - z.max())
        return e / e.sum()

    if abs(lam - 0.5) < 1e-15:
        return np.full(p, 1.0 / p)
    mu = brentq(lambda m: float(weights(m) @ x) - lam, -800.0, 800.0, xtol=1e-14, rtol=1e-15)
    return weights(mu)


def time_degree(w: Any) -> float:
    """The time degree λ = Σ_t (p − t)/(p − 1) w_t of time weights (oldest first)."""
    wv = np.asarray(w, dtype=float)
    p = len(wv)
    return float(((p - np.arange(1, p + 1)) / (p - 1)) @ wv)


@dataclass
class ScatterResult:
    """Weights and scores of the vertical-and-horizontal scatter degree method.

    Attributes
    ----------
    weights : Series
        Indicator weights (sum 1).
    scores : DataFrame
        Units × periods scores y_i(t).
    overall : DataFrame
        ``unit, score, rank``: time-weighted (or mean) score over the periods.
    eigenvalue : float
        The largest eigenvalue of H, the total dispersion of the unit-norm weights.
    """

    weights: pd.Series
    scores: pd.DataFrame
    overall: pd.DataFrame
    eigenvalue: float
    H: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.overall


def scatter_degree(
    panel: Any,
    directions: Any = None,
    *,
    standardise: str = "zscore",
    time_degree_lambda: float | None = None,
) -> ScatterResult:
    """Vertical-and-horizontal scatter degree evaluation (纵横向拉开档次法) of a panel.

    Parameters
    ----------
    panel : Panel or array (units, periods, indicators)
        Complete indicator values.
    directions : sequence of +1/−1, optional
        Cost indicators (−1) are negated before standardising; default: the
        framework's directions are not known here, so all benefit.
    standardise : {"zscore", "none"}
        z-scores over the pooled panel (ddof 1), or the data as given.
    time_degree_lambda : float, optional
        Combine the periods with :func:`time_weights` of this λ; default: the
        mean over periods.
    """
    from ..panel.core import Panel

    if isinstance(panel, Panel):
        X = np.asarray(panel.values, dtype=float)
        units, periods, inds = list(panel.units), list(panel.periods), list(panel.indicators)
    else:
        X = np.asarray(panel, dtype=float)
        if X.ndim != 3:
            raise DataError(f"the panel must be (units, periods, indicators), got {X.shape}")
        units = list(range(X.shape[0]))
        periods = list(range(X.shape[1]))
        inds = [f"x{j + 1}" for j in range(X.shape[2])]
    n, p, m = X.shape
    if not np.isfinite(X).all():
        u, t, j = (int(v) for v in np.argwhere(~np.isfinite(X))[0])
        raise DataError(
            f"the scatter-degree method needs complete data; missing at unit {units[u]!r}, "
            f"period {periods[t]!r}, indicator {inds[j]!r}. Impute first"
        )
    d = np.ones(m) if directions is None else np.asarray(directions, dtype=float)
    if d.shape != (m,) or not np.isin(d, (-1.0, 1.0)).all():
        raise DataError(f"directions must be {m} values of +1 or -1")
    X = X * d
    if standardise == "zscore":
        flat = X.reshape(-1, m)
        sd = flat.std(axis=0, ddof=1)
        if (sd == 0).any():
            j = int(np.flatnonzero(sd == 0)[0])
            raise DataError(f"indicator {inds[j]!r} is constant over the panel; drop it")
        X = (X - flat.mean(axis=0)) / sd
    elif standardise != "none":
        raise DataError(f"standardise must be 'zscore' or 'none', got {standardise!r}")
    H = np.einsum("itj,itk->jk", X, X)
    lam, vec = np.linalg.eigh(H)
    v = vec[:, -1]
    v = v * np.sign(v.sum()) if v.sum() != 0 else v
    if (v < -1e-12).any():
        neg = [inds[j] for j in np.flatnonzero(v < -1e-12)]
        raise DataError(
            "the scatter-degree weights are not all positive (the leading eigenvector of H has "
            f"negative entries for {neg}); the indicators pull in opposite directions: check "
            "their directions or drop them"
        )
    w = np.clip(v, 0.0, None)
    w = w / w.sum()
    Y = X @ w  # (units, periods)
    tw = np.full(p, 1.0 / p) if time_degree_lambda is None or p == 1 else time_weights(
        p, time_degree_lambda
    )
    total = Y @ tw
    overall = pd.DataFrame({"unit": units, "score": total})
    overall["rank"] = overall["score"].rank(ascending=False, method="min").astype(int)
    overall = overall.sort_values(["rank", "unit"]).reset_index(drop=True)
    return ScatterResult(
        pd.Series(w, index=pd.Index(inds, name="indicator"), name="weight"),
        pd.DataFrame(Y, index=pd.Index(units, name="unit"), columns=periods),
        overall,
        float(lam[-1]),
        H,
        {"standardise": standardise, "time_weights": tw.tolist(),
         "time_degree": time_degree_lambda},
    )


def time_weighted(scores: pd.DataFrame, lam: float) -> pd.DataFrame:
    """Dynamic scores Σ_t w_t y_i(t) of a units × periods table with time degree λ.

    Returns ``unit, score, rank`` (rank 1 best); ``DataFrame.attrs["time_weights"]``
    holds the weights (oldest period first).
    """
    if scores.isna().any().any():
        raise DataError("time-weighted scores need every unit's score in every period")
    w = time_weights(scores.shape[1], lam)
    out = pd.DataFrame({"unit": scores.index, "score": scores.to_numpy(dtype=float) @ w})
    out["rank"] = out["score"].rank(ascending=False, method="min").astype(int)
    out = out.sort_values(["rank", "unit"]).reset_index(drop=True)
    out.attrs["time_weights"] = dict(zip(scores.columns, w.tolist(), strict=True))
    return out
