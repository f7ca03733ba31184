"""Benefit-of-the-doubt composite indicators (Cherchye, Moesen, Rogge and Van Puyenbroeck 2007).

Each unit gets the indicator weights most favourable to it: its composite
indicator is

    CI_i = max_w Σ_j w_j y_ij   s.t.   Σ_j w_j y_kj ≤ 1 for every unit k,  w ≥ 0,

the output-oriented CCR model of DEA with one constant input ("helmsman"
input; Cherchye et al. 2007, *Social Indicators Research* 82: 111–145), so
CI_i ∈ (0, 1] and the best-practice units score 1. The scores come from the
DEA engine (:func:`nqpf.efficiency.dea.solve`, radial, CRS, output
orientation: CI = 1/φ); the unit-specific weights are the optimal multipliers,
from the multiplier programme above (HiGHS through ``scipy.optimize.linprog``).

``share_bounds=(lo, hi)`` restricts every indicator's share of the unit's
composite, lo ≤ w_j y_ij / Σ_l w_l y_il ≤ hi (the "pie share" restrictions of
Cherchye et al. 2007, §4), which keeps a unit from resting on a single
indicator; with bounds the scores come from the restricted multiplier
programme (the envelopment model of the engine has no such restrictions).

Data must be positive and direction-adjusted (larger is better): pass
normalised scores (e.g. min-max with a shift) or positive raw benefit
indicators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError


@dataclass
class BoDResult:
    """Benefit-of-the-doubt scores, weights and indicator shares of every unit.

    Attributes
    ----------
    scores : DataFrame
        ``unit, score, rank`` (score in (0, 1], rank 1 best).
    weights : DataFrame
        Units × indicators: each unit's optimal weights.
    shares : DataFrame
        Units × indicators: w_j y_ij / CI_i, each row summing to 1.
    """

    scores: pd.DataFrame
    weights: pd.DataFrame
    shares: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.scores


def bod(data: pd.DataFrame, share_bounds: tuple[float, float] | None = None) -> BoDResult:
    """Benefit-of-the-doubt composite of the units (rows) of ``data``.

    Parameters
    ----------
    data : DataFrame
        Units (index) × indicators; positive, larger is better, complete.
    share_bounds : (lo, hi), optional
        Bounds on each indicator's share of a unit's composite, 0 ≤ lo ≤ 1/k ≤ hi ≤ 1.
    """
    from scipy.optimize import linprog

    from .dea import DEASpec, solve

    Y = data.to_numpy(dtype=float)
    n, k = Y.shape
    if n < 2 or k < 1:
        raise DataError(
            f"benefit of the doubt needs at least 2 units and 1 indicator, got {Y.shape}"
        )
    if not np.isfinite(Y).all():
        i, j = (int(v) for v in np.argwhere(~np.isfinite(Y))[0])
        raise DataError(
            f"benefit of the doubt needs complete data; missing at unit {data.index[i]!r}, "
            f"indicator {data.columns[j]!r}"
        )
    if (Y < 0).any():
        i, j = (int(v) for v in np.argwhere(Y < 0)[0])
        raise DataError(
            f"benefit of the doubt needs non-negative, direction-adjusted values; unit "
            f"{data.index[i]!r} has {Y[i, j]!r} on {data.columns[j]!r} (normalise first)"
        )
    if not (Y.max(axis=0) > 0).all():
        j = int(np.flatnonzero(~(Y.max(axis=0) > 0))[0])
        raise DataError(f"indicator {data.columns[j]!r} is 0 for every unit")
    if share_bounds is not None:
        lo, hi = (float(v) for v in share_bounds)
        if not (0 <= lo <= 1 / k <= hi <= 1):
            raise DataError(
                f"share_bounds must satisfy 0 ≤ lo ≤ 1/{k} ≤ hi ≤ 1, got {share_bounds}"
            )
    W = np.zeros((n, k))
    ci = np.zeros(n)
    for i in range(n):
        A = [Y]
        b = [np.ones(n)]
        if share_bounds is not None:
            # lo Σ_l w_l y_il − w_j y_ij ≤ 0 and w_j y_ij − hi Σ_l w_l y_il ≤ 0
            yi = Y[i]
            D = np.diag(yi)
            A += [lo * np.tile(yi, (k, 1)) - D, D - hi * np.tile(yi, (k, 1))]
            b += [np.zeros(k), np.zeros(k)]
        res = linprog(-Y[i], A_ub=np.vstack(A), b_ub=np.concatenate(b), bounds=(0, None),
                      method="highs")
        if res.status != 0:
            raise DataError(f"benefit of the doubt: the programme of unit {data.index[i]!r} "
                            f"failed ({res.message})")
        W[i] = res.x
        ci[i] = -res.fun
    engine = None
    if share_bounds is None:
        arr = solve(np.ones((n, 1)), Y, None, np.ones((n, 1)), Y, None,
                    DEASpec(model="radial", rts="crs", orientation="output"))
        engine = np.asarray(arr.efficiency, dtype=float)
        if not np.allclose(engine, ci, rtol=1e-7, atol=1e-9):
            raise RuntimeError(
                "benefit-of-the-doubt scores differ from the DEA engine; please report"
            )
        ci = engine
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = W * Y / (W * Y).sum(axis=1, keepdims=True)
    scores = pd.DataFrame({"unit": list(data.index), "score": ci})
    scores["rank"] = scores["score"].rank(ascending=False, method="min").astype(int)
    scores = scores.sort_values(["rank", "unit"]).reset_index(drop=True)
    idx = pd.Index(list(data.index), name="unit")
    return BoDResult(
        scores,
        pd.DataFrame(W, index=idx, columns=data.columns),
        pd.DataFrame(shares, index=idx, columns=data.columns),
        {"share_bounds": None if share_bounds is None else list(share_bounds),
         "scores_from": "DEA engine (radial CCR, output)" if engine is not None
         else "restricted multiplier programme"},
    )
