"""Shared parts of the weighting methods: the result object, input checks, statistics.

Used by :mod:`nqpf.index.weights` and :mod:`nqpf.index.weights_extra`, which both import
from here rather than from each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .normalise import (
    column_summary,
    readonly,
)

_TINY = np.finfo(float).tiny  # smallest normal float: p ln p is taken as p ln(p + tiny)



@dataclass(frozen=True)
class WeightResult:
    """Weights with the intermediate quantities that produced them.

    Attributes
    ----------
    weights : ndarray, shape (k,)
        Non-negative weights summing to 1.
    method : str
        The method (``"entropy"``, ``"entropy+critic"``, ...).
    details : dict
        Intermediate arrays for the explain mode; documented per method.
    names : tuple of str, optional
        Indicator names, when given.
    """

    weights: np.ndarray
    method: str
    details: dict[str, Any] = field(default_factory=dict)
    names: tuple[str, ...] | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: the weight and every per-indicator detail array."""
        k = len(self.weights)
        index = pd.Index(
            list(self.names) if self.names is not None else list(range(k)), name="indicator"
        )
        cols: dict[str, Any] = {"weight": self.weights}
        for key, val in self.details.items():
            if isinstance(val, np.ndarray) and val.ndim == 1 and len(val) == k:
                cols[key] = val
        return pd.DataFrame(cols, index=index)


# ----------------------------------------------------------------------------- helpers


def _label(j: int, names: Sequence[Any] | None) -> str:
    return f"indicator {names[j]!r}" if names is not None else f"column {j}"


def _names(names: Sequence[Any] | None, k: int) -> tuple[str, ...] | None:
    if names is None:
        return None
    out = tuple(str(n) for n in names)
    if len(out) != k:
        raise DataError(f"{len(out)} indicator names given for {k} indicators")
    return out


def _matrix(
    Z: Any, names: Sequence[Any] | None, method: str, min_obs: int = 2
) -> tuple[np.ndarray, tuple[np.ndarray, ...] | None]:
    """Validated read-only float view of Z (n_obs, k) and, if no cell is missing, its
    column ``(min, max, sum)`` (else None).

    Each column needs min_obs observed cells. Z is not copied; the view cannot be
    written, so the caller's array cannot change.
    """
    z = readonly(np.asarray(Z, dtype=float))
    if z.ndim == 1:
        z = z[:, None]
    if z.ndim != 2 or z.shape[1] == 0:
        raise DataError(f"{method} weights need a 2-D matrix (n_obs, k); got shape {np.shape(Z)}")
    _names(names, z.shape[1])
    summary = column_summary(z)
    lo, hi = summary[:2]  # a NaN or an infinity reaches its column's extremes
    if z.shape[0] and np.isfinite(lo).all() and np.isfinite(hi).all():
        cnt = np.full(z.shape[1], z.shape[0])  # complete: no NaN, no infinity
    else:
        summary = None
        if np.isinf(z).any():
            j = int(np.argwhere(np.isinf(z))[0][1])
            raise DataError(f"{method} weights: {_label(j, names)} has infinite values")
        cnt = np.sum(~np.isnan(z), axis=0)
    bad = np.flatnonzero(cnt < min_obs)
    if bad.size:
        which = ", ".join(f"{_label(int(j), names)} ({cnt[j]})" for j in bad[:5])
        raise DataError(
            f"{method} weights need at least {min_obs} observed values per indicator; "
            f"too few for {which}. Impute the missing values or drop the indicator."
        )
    return z, summary


def _stats(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Observed count, mean, sample sd (ddof = 1) and a constant flag per column."""
    obs = ~np.isnan(z)
    cnt = obs.sum(axis=0)
    mean = np.where(obs, z, 0.0).sum(axis=0) / np.maximum(cnt, 1)
    dev = np.where(obs, z - mean, 0.0)
    sd = np.sqrt((dev * dev).sum(axis=0) / np.maximum(cnt - 1, 1))
    const = np.nanmax(z, axis=0) == np.nanmin(z, axis=0)
    sd = np.where(const, 0.0, sd)
    return cnt, mean, sd, const


def _constant_names(const: np.ndarray, names: Sequence[Any] | None) -> list[Any]:
    return [names[j] if names is not None else int(j) for j in np.flatnonzero(const)]


def _finish(
    raw: np.ndarray, method: str, details: dict[str, Any], names: Sequence[Any] | None,
    why_zero: str,
) -> WeightResult:
    raw = np.clip(np.asarray(raw, dtype=float), 0.0, None)
    k = len(raw)
    if k == 1:
        w = np.ones(1)
        details["note"] = "a single indicator gets weight 1"
    else:
        total = raw.sum()
        if not total > 0:
            raise DataError(f"{method} weights are undefined: {why_zero}")
        w = raw / total
    return WeightResult(weights=w, method=method, details=details, names=_names(names, k))


def pairwise_corr(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlations on pairwise-complete observations.

    Parameters
    ----------
    Z : ndarray, shape (n_obs, k)
        Data with NaN for missing.

    Returns
    -------
    r : ndarray, shape (k, k)
        Correlations; NaN where a pair has fewer than 2 joint observations or
        one indicator does not vary on them. The diagonal is 1 for columns
        that vary.
    n : ndarray of int, shape (k, k)
        Number of jointly observed rows per pair.

    Notes
    -----
    Matches ``pandas.DataFrame.corr()`` (which also uses pairwise-complete
    rows), computed with matrix products instead of a loop over pairs.
    """
    z = np.asarray(Z, dtype=float)
    m = (~np.isnan(z)).astype(float)
    centre = np.nansum(z, axis=0) / np.maximum(m.sum(axis=0), 1)
    z0 = np.where(m > 0, z - centre, 0.0)
    n = m.T @ m
    s = z0.T @ m  # s[j, l] = sum of z_j over rows where j and l are observed
    ss = (z0 * z0).T @ m
    p = z0.T @ z0
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = p - s * s.T / n
        var = ss - s * s / n
        tiny = 1e-13 * np.maximum(ss, np.finfo(float).tiny)
        ok = (n >= 2) & (var > tiny) & (var.T > tiny.T)
        r = np.where(ok, cov / np.sqrt(np.where(ok, var * var.T, 1.0)), np.nan)
    r = np.clip(r, -1.0, 1.0)
    diag = np.diag(ok).copy()
    r[np.diag_indices_from(r)] = np.where(diag, 1.0, np.nan)
    return r, n.astype(int)


def _corr_checked(z: np.ndarray, names: Sequence[Any] | None, method: str) -> np.ndarray:
    """Pairwise correlation of non-constant columns; undefined pairs raise."""
    r, n = pairwise_corr(z)
    bad = np.argwhere(np.isnan(r))
    if bad.size:
        i, j = bad[0]
        raise DataError(
            f"{method} weights: the correlation of {_label(int(i), names)} and "
            f"{_label(int(j), names)} is undefined ({n[i, j]} jointly observed values, or no "
            "variation on them). Impute missing values or drop one of the indicators."
        )
    return r


# ----------------------------------------------------------------------------- methods


def varimax(
    loadings: np.ndarray, *, normalize: bool = True, tol: float = 1e-12, max_sweeps: int = 500
) -> tuple[np.ndarray, np.ndarray]:
    """Varimax rotation (Kaiser 1958) of a loading matrix.

    Kaiser's original algorithm: sweeps over every pair of factors, rotating
    each pair by the angle that maximises the varimax criterion in closed form,
    until no angle exceeds ``tol``. (The popular SVD iteration can stall in a
    two-cycle on symmetric loadings; the pairwise form cannot.)

    Parameters
    ----------
    loadings : ndarray, shape (k, m)
    normalize : bool
        Kaiser normalisation: rows are scaled to unit communality before the
        rotation and scaled back after (the default of SPSS and R's
        ``varimax``).
    tol : float
        Largest rotation angle (radians) of the last sweep.
    max_sweeps : int
        Upper bound on the number of sweeps.

    Returns
    -------
    rotated : ndarray, shape (k, m)
    rotation : ndarray, shape (m, m)
        Orthogonal matrix with ``rotated = loadings @ rotation``.
    """
    a = np.asarray(loadings, dtype=float)
    k, m = a.shape
    rot = np.eye(m)
    if m < 2:
        return a.copy(), rot
    h = np.sqrt((a * a).sum(axis=1)) if normalize else np.ones(k)
    h = np.where(h > 0, h, 1.0)
    x = a / h[:, None]
    for _ in range(max_sweeps):
        largest = 0.0
        for p in range(m - 1):
            for q in range(p + 1, m):
                xp, xq = x[:, p], x[:, q]
                u = xp * xp - xq * xq
                v = 2.0 * xp * xq
                num = 2.0 * (u @ v) - 2.0 * u.sum() * v.sum() / k
                den = (u @ u - v @ v) - (u.sum() ** 2 - v.sum() ** 2) / k
                phi = 0.25 * np.arctan2(num, den)
                if abs(phi) <= tol:
                    continue
                largest = max(largest, abs(phi))
                c, s = np.cos(phi), np.sin(phi)
                x[:, [p, q]] = x[:, [p, q]] @ np.array([[c, -s], [s, c]])
                rot[:, [p, q]] = rot[:, [p, q]] @ np.array([[c, -s], [s, c]])
        if largest <= tol:
            break
    return x * h[:, None], rot
