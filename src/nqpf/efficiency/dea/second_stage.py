"""Second-stage regression of DEA scores on environmental variables: Simar & Wilson (2007),
Algorithm #1 (truncated regression with a parametric bootstrap).

Convention (Simar & Wilson 2007, sec. 3-4). Work with the Shephard-type distances
``delta_i >= 1`` (``1/theta`` for input orientation, ``phi`` for output) and the model
``delta_i = z_i beta + e_i >= 1``, ``e_i ~ N(0, sigma^2)`` left-truncated at
``1 - z_i beta``. Steps:

1. ``delta_i`` from the radial DEA program of :func:`~nqpf.efficiency.dea.solve` (or given).
2. Maximum likelihood of the truncated regression on the ``m`` observations with
   ``delta_i > 1`` (the units on the estimated frontier are left out, as the algorithm
   prescribes): estimates ``beta``, ``sigma``.
3. ``L`` times: for each of those observations draw ``e_i`` from ``N(0, sigma^2)``
   left-truncated at ``1 - z_i beta``, set ``delta*_i = z_i beta + e_i`` and re-estimate
   ``(beta*, sigma*)`` by the same maximum likelihood.
4. Percentile intervals ``[q_{alpha/2}, q_{1-alpha/2}]`` of the ``beta*`` (and ``sigma*``);
   the bootstrap standard deviation is reported as ``se``.

A positive coefficient raises the distance, i.e. goes with *lower* efficiency. ``z``
includes a constant (added here). Seeded with ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ...errors import DataError


def _negll(params: np.ndarray, d: np.ndarray, Z: np.ndarray) -> float:
    beta, log_s = params[:-1], params[-1]
    s = np.exp(log_s)
    mu = Z @ beta
    # log density of N(mu, s^2) at d, divided by P(e > 1 - mu)
    ll = stats.norm.logpdf((d - mu) / s) - log_s - stats.norm.logsf((1.0 - mu) / s)
    return -float(np.sum(ll))


def truncated_regression(delta: np.ndarray, Z: np.ndarray,
                         start: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Maximum likelihood of ``delta = Z beta + e``, ``e ~ N(0, s^2)`` truncated below at
    ``1 - Z beta`` (``Z`` already holds the constant). Returns ``(beta, sigma)``."""
    if start is None:
        b0, *_ = np.linalg.lstsq(Z, delta, rcond=None)
        r = delta - Z @ b0
        start = np.concatenate([b0, [np.log(max(float(np.std(r)), 1e-3))]])
    res = optimize.minimize(_negll, start, args=(delta, Z), method="BFGS")
    if not np.all(np.isfinite(res.x)):
        raise DataError("the truncated regression did not converge")
    return res.x[:-1], float(np.exp(res.x[-1]))


@dataclass
class SecondStageResult:
    """Coefficients of the Simar–Wilson (2007) second stage.

    Attributes
    ----------
    coefficients : DataFrame
        ``term, estimate, se, lower, upper`` (``term`` ``const``, the covariates and
        ``sigma``).
    n_used : int
        Observations with ``delta > 1`` used in the regression.
    params : dict
    """

    coefficients: pd.DataFrame
    n_used: int
    params: dict[str, Any]


def sw07(delta: Any, Z: Any, names: Sequence[str] | None = None, L: int = 2000,
         alpha: float = 0.05, seed: int | None = None) -> SecondStageResult:
    """Simar & Wilson (2007) Algorithm #1 on distances ``delta >= 1`` (module docstring).

    Parameters
    ----------
    delta : array-like (n,)
        Shephard-type DEA distances (``1/theta`` or ``phi``), all ``>= 1``.
    Z : array-like (n, k)
        Environmental variables (no constant; one is added).
    names : list of str, optional
        Names of the columns of ``Z``.
    L : int
        Bootstrap replicates (Simar & Wilson use 2,000).
    alpha : float
        ``1 - alpha`` intervals.
    seed : int, optional
    """
    d = np.asarray(delta, dtype=float).reshape(-1)
    Zr = np.asarray(Z, dtype=float)
    Zr = Zr[:, None] if Zr.ndim == 1 else Zr
    if Zr.shape[0] != d.size:
        raise DataError(f"delta has {d.size} values but Z has {Zr.shape[0]} rows")
    if not (np.all(np.isfinite(d)) and np.all(np.isfinite(Zr))):
        raise DataError("delta and Z must not have missing or infinite values")
    if np.any(d < 1 - 1e-9):
        raise DataError("delta must be distances >= 1 (1/theta for input orientation, phi "
                        "for output orientation)")
    if int(L) != L or L < 10:
        raise DataError(f"L must be a whole number >= 10, not {L!r}")
    names = list(names) if names is not None else [f"z{j + 1}" for j in range(Zr.shape[1])]
    if len(names) != Zr.shape[1]:
        raise DataError(f"{len(names)} names for {Zr.shape[1]} columns of Z")
    keep = d > 1.0 + 1e-9
    m = int(keep.sum())
    k = Zr.shape[1] + 1
    if m <= k + 1:
        raise DataError(f"only {m} units lie off the frontier (delta > 1); the truncated "
                        f"regression needs more than {k + 1}")
    dz = d[keep]
    Zc = np.hstack([np.ones((m, 1)), Zr[keep]])
    beta, sigma = truncated_regression(dz, Zc)
    rng = np.random.default_rng(seed)
    mu = Zc @ beta
    a = (1.0 - mu) / sigma
    draws = np.empty((int(L), k + 1))
    start = np.concatenate([beta, [np.log(sigma)]])
    for b in range(int(L)):
        e = stats.truncnorm.rvs(a, np.inf, loc=0.0, scale=sigma, size=m, random_state=rng)
        bb, sb = truncated_regression(mu + e, Zc, start)
        draws[b, :k], draws[b, k] = bb, sb
    est = np.concatenate([beta, [sigma]])
    lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    coef = pd.DataFrame({"term": ["const", *names, "sigma"], "estimate": est,
                         "se": draws.std(axis=0, ddof=1), "lower": lo, "upper": hi})
    params = {"method": "Simar & Wilson (2007) Algorithm #1", "L": int(L), "alpha": alpha,
              "seed": seed, "convention": "delta = Z beta + e >= 1; beta > 0 means lower "
              "efficiency"}
    return SecondStageResult(coef, m, params)
