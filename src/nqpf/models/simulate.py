"""Simulated panels with known parameters, for tests, benchmarks and teaching.

Each generator documents its data-generating process, so that an estimator can
be checked on whether it recovers the parameters within a stated tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["mediation_data", "sdm_panel", "staggered_panel", "threshold_panel"]


def threshold_panel(
    n: int = 31,
    t: int = 15,
    *,
    thresholds: Sequence[float] = (0.0,),
    slopes: Sequence[float] = (1.0, 2.0),
    beta: float = 0.5,
    sigma: float = 0.5,
    seed: int = 0,
) -> pd.DataFrame:
    """``y = mu_i + beta x + slope_r z + e`` with regime ``r`` set by ``q`` against the thresholds.

    ``q, z, x ~ N(0, 1)`` independent, ``mu_i ~ N(0, 1)`` correlated with the mean of
    ``x`` (so pooled OLS is biased and fixed effects are needed), ``e ~ N(0, sigma^2)``.
    Columns: unit, year, y, x, z, q.
    """
    if len(slopes) != len(thresholds) + 1:
        raise ValueError("one slope per regime: len(slopes) == len(thresholds) + 1")
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n), t)
    year = np.tile(np.arange(2000, 2000 + t), n)
    x = rng.normal(size=n * t)
    z = rng.normal(size=n * t)
    q = rng.normal(size=n * t)
    mu = rng.normal(size=n) + pd.Series(x).groupby(unit).transform("mean").to_numpy()[::t]
    regime = np.searchsorted(np.sort(np.asarray(thresholds, float)), q, side="left")
    slope = np.asarray(slopes, float)[regime]
    y = mu[unit] + beta * x + slope * z + sigma * rng.normal(size=n * t)
    return pd.DataFrame(
        {"unit": [f"u{i:03d}" for i in unit], "year": year, "y": y, "x": x, "z": z, "q": q}
    )


def mediation_data(
    n: int = 2000, *, a: float = 0.5, b: float = 0.4, c: float = 0.3, seed: int = 0
) -> pd.DataFrame:
    """``m = a x + e1``, ``y = c x + b m + e2``: indirect effect ``a b``, total ``c + a b``.

    ``x, w ~ N(0, 1)``; errors ``N(0, 1)``; ``w`` is a control entering both equations
    with coefficient 0.2. Columns: x, m, y, w.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    w = rng.normal(size=n)
    m = a * x + 0.2 * w + rng.normal(size=n)
    y = c * x + b * m + 0.2 * w + rng.normal(size=n)
    return pd.DataFrame({"x": x, "m": m, "y": y, "w": w})


def sdm_panel(
    w: np.ndarray,
    t: int = 10,
    *,
    rho: float = 0.4,
    beta: float = 1.0,
    theta: float = 0.5,
    sigma: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Spatial Durbin panel ``y_t = rho W y_t + beta x_t + theta W x_t + mu + alpha_t + e_t``.

    ``w`` is a row-standardised ``n x n`` matrix; ``mu_i`` and ``alpha_t`` are N(0, 1).
    The true LeSage-Pace effects are ``direct = mean diag(S)``,
    ``total = (beta + theta)/(1 - rho)``, with ``S = (I - rho W)^{-1}(beta I + theta W)``.
    Columns: unit, year, y, x.
    """
    rng = np.random.default_rng(seed)
    n = w.shape[0]
    inv = np.linalg.inv(np.eye(n) - rho * w)
    mu = rng.normal(size=n)
    rows = []
    for s in range(t):
        x = rng.normal(size=n)
        ystar = beta * x + theta * (w @ x) + mu + rng.normal() + sigma * rng.normal(size=n)
        y = inv @ ystar
        rows.append(
            pd.DataFrame(
                {"unit": [f"r{i:02d}" for i in range(n)], "year": 2000 + s, "y": y, "x": x}
            )
        )
    return pd.concat(rows, ignore_index=True)


def staggered_panel(
    n: int = 300,
    t: int = 10,
    *,
    cohorts: Sequence[int] = (4, 6, 8),
    effect: float = 1.0,
    dynamic: float = 0.5,
    seed: int = 0,
) -> pd.DataFrame:
    """Staggered adoption: units join a cohort (first treated period) or stay never treated.

    Periods are 1..t; units split evenly among the cohorts and a never-treated group.
    ``y = unit effect + period effect + (effect + dynamic * (period - cohort)) * treated
    + N(0, 1)``; cohorts differ in their unit effects (so adoption is not random in
    levels, only parallel in trends). The ATT of cohort g at period p >= g is
    ``effect + dynamic (p - g)``. Columns: unit, year, y, cohort (0 = never), treated.
    """
    rng = np.random.default_rng(seed)
    groups = [*cohorts, 0]
    cohort = np.asarray([groups[i % len(groups)] for i in range(n)])
    alpha = rng.normal(size=n) + 0.5 * (cohort > 0) * cohort / max(cohorts)
    gamma = np.cumsum(rng.normal(0.3, 0.2, size=t))
    rows = []
    for p in range(1, t + 1):
        treated = (cohort > 0) & (p >= cohort)
        eff = np.where(treated, effect + dynamic * (p - cohort), 0.0)
        y = alpha + gamma[p - 1] + eff + rng.normal(size=n)
        rows.append(
            pd.DataFrame(
                {
                    "unit": np.arange(n),
                    "year": p,
                    "y": y,
                    "cohort": cohort,
                    "treated": treated.astype(int),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
