"""Many replications of the overall index at once, as array operations.

A Monte Carlo robustness analysis re-scores the index thousands of times with
other weights (perturbed, bootstrapped, or with one indicator left out). For the
flat structure of the engine (:func:`nqpf.index.build_index` with
``structure="flat"``: the index aggregates *all* indicators with one weight
vector), a replication is one row of a weight matrix ``W`` applied to the same
normalised data ``Z``, so every replication can be computed at once with matrix
products instead of a Python loop over replications.

Every function here reproduces, replication by replication, what the engine's
building blocks compute (to rounding, about 1e-12):

* :func:`batch_scores` equals :func:`nqpf.index.aggregate.aggregate` called on the
  flattened ``Z`` (rows ordered unit by unit, periods within a unit, as the
  engine does) with each row of ``W`` and ``groups`` the period index
  (``panel_mode="per-period"``) or zeros (pooled);
* :func:`bootstrap_weights` equals :func:`nqpf.index.weights.weights` on each
  bootstrap resample of units;
* :func:`ranks` equals pandas ``rank(method="min", ascending=False)`` within each
  period, as the engine ranks.

The methods follow the sources cited in :mod:`nqpf.index.aggregate` and
:mod:`nqpf.index.weights` (weighted means: OECD/JRC 2008, *Handbook on
Constructing Composite Indicators*; TOPSIS: Hwang & Yoon 1981; grey relational
analysis: Deng 1982, 1989; entropy weights: Shannon 1948, Zeleny 1982; CRITIC:
Diakoulaki, Mavrotas & Papayannakis 1995). The bootstrap of units follows Efron
& Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 6.

Results agree with the single-replication functions to rounding: a matrix
product may add in another order than a dot product, so the last digits can
differ (and can depend on ``chunk``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import DataError
from ..index.normalise import apply_shift, parse_shift

__all__ = ["BATCH_METHODS", "BOOTSTRAP_METHODS", "batch_scores", "bootstrap_weights", "ranks"]

#: Aggregation methods :func:`batch_scores` evaluates in batches.
BATCH_METHODS: tuple[str, ...] = ("sum", "geometric", "harmonic", "topsis", "gra")
#: Data-driven weighting methods :func:`bootstrap_weights` recomputes in batches.
BOOTSTRAP_METHODS: tuple[str, ...] = ("entropy", "critic", "cv", "sd")

_PANEL_MODES = ("pooled", "per-period", "base-year")
_WEIGHT_TOL = 1e-9  # as nqpf.index.aggregate: weights must sum to 1 within this
_CHUNK_BYTES = 200 * 2**20  # memory bound of the temporaries of one chunk
_DEFAULT_SHIFT = 1e-4  # as nqpf.index.aggregate

FloatArray = NDArray[np.float64]


# --------------------------------------------------------------------------------------
# Validation


def _cube(Z: ArrayLike, what: str = "Z") -> FloatArray:
    """Complete (n_units, n_periods, k) float array; NaN or infinity raises."""
    try:
        z = np.asarray(Z, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{what} must be a numeric array (units x periods x indicators): {exc}"
        ) from None
    if z.ndim != 3:
        raise DataError(
            f"{what} must be 3-D (units x periods x indicators), got shape {z.shape}; "
            "reshape a flattened (n_obs, k) matrix to (n_units, n_periods, k)"
        )
    if 0 in z.shape:
        raise DataError(f"{what} is empty (shape {z.shape})")
    bad = ~np.isfinite(z)
    if bad.any():
        u, t, j = (int(v) for v in np.argwhere(bad)[0])
        kind = "missing (NaN)" if np.isnan(z[u, t, j]) else "infinite"
        raise DataError(
            f"{what} has {int(bad.sum())} missing or infinite cell(s); the first, "
            f"{kind}, is at unit index {u}, period index {t}, indicator index {j}. Batched "
            "replications need complete data: impute the panel first (nqpf.panel.impute)"
        )
    return z


def _weight_matrix(W: ArrayLike, k: int) -> FloatArray:
    """(R, k) non-negative weights whose rows sum to 1 within 1e-9."""
    try:
        w = np.asarray(W, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"W must be a numeric (replications x indicators) array: {exc}") from None
    if w.ndim == 1:
        w = w[None, :]
    if w.ndim != 2 or w.shape[1] != k:
        raise DataError(
            f"W must have shape (replications, {k}): one weight per indicator of Z; "
            f"got shape {np.shape(W)}"
        )
    if not np.isfinite(w).all():
        r = int(np.argwhere(~np.isfinite(w))[0][0])
        raise DataError(f"W row {r} has a missing or infinite weight: {w[r].tolist()}")
    if (w < 0).any():
        r, j = (int(v) for v in np.argwhere(w < 0)[0])
        raise DataError(f"weights must be non-negative; W row {r}, indicator {j} is {w[r, j]!r}")
    total = w.sum(axis=1)
    off = np.abs(total - 1.0) > _WEIGHT_TOL
    if off.any():
        r = int(np.flatnonzero(off)[0])
        raise DataError(
            f"every row of W must sum to 1 (within {_WEIGHT_TOL:g}); row {r} sums to "
            f"{total[r]!r} ({int(off.sum())} row(s) off); divide each row by its sum"
        )
    return w


def _chunk_rows(chunk: int | None, per_row_bytes: int, n_rows: int) -> int:
    if chunk is None:
        return max(1, min(n_rows, _CHUNK_BYTES // max(per_row_bytes, 1)))
    if isinstance(chunk, bool) or not isinstance(chunk, int | np.integer) or chunk < 1:
        raise DataError(f"chunk must be a positive integer (replications per block), got {chunk!r}")
    return int(chunk)


def _group_index(n_units: int, n_periods: int, panel_mode: str) -> tuple[NDArray[np.intp], int]:
    """Reference set of each flattened observation, as the engine passes ``groups``."""
    if panel_mode not in _PANEL_MODES:
        raise DataError(f"panel_mode must be one of {_PANEL_MODES}, got {panel_mode!r}")
    if panel_mode == "per-period":
        return np.tile(np.arange(n_periods, dtype=np.intp), n_units), n_periods
    return np.zeros(n_units * n_periods, dtype=np.intp), 1


def _per_group(ufunc: np.ufunc, X: FloatArray, g: NDArray[np.intp], n_groups: int) -> FloatArray:
    """Column reduction of X (n_obs, k) within each reference set -> (n_groups, k)."""
    if n_groups == 1:
        return ufunc.reduce(X, axis=0, keepdims=True)
    order = np.argsort(g, kind="stable")
    starts = np.searchsorted(g[order], np.arange(n_groups))
    return ufunc.reduceat(X[order], starts, axis=0)


# --------------------------------------------------------------------------------------
# Scores


def batch_scores(
    Z: ArrayLike,
    W: ArrayLike,
    method: str = "sum",
    *,
    panel_mode: str = "pooled",
    rho: float = 0.5,
    zeros: str = "error",
    shift: float = _DEFAULT_SHIFT,
    chunk: int | None = None,
) -> FloatArray:
    r"""Overall index of many weight vectors at once (flat structure).

    Parameters
    ----------
    Z : array_like, shape (n_units, n_periods, k)
        Normalised, direction-adjusted values (larger is better) of every
        indicator, complete (impute first). Not modified.
    W : array_like, shape (R, k)
        One weight vector per replication: non-negative, each row summing to 1
        (within 1e-9); a left-out indicator has weight 0. A 1-D vector is one
        replication.
    method : {"sum", "geometric", "harmonic", "topsis", "gra"}
        Aggregation method, as in :func:`nqpf.index.aggregate.aggregate`.
    panel_mode : {"pooled", "per-period", "base-year"}
        Reference set of the ideal points (TOPSIS) and reference series (GRA),
        as the engine chooses it from the recipe: ``per-period`` compares the
        units of each period, ``pooled`` (and ``base-year``, as in the
        engine) all unit-periods together. Ignored by the means.
    rho : float, default 0.5
        GRA distinguishing coefficient, in (0, 1].
    zeros : {"error", "shift"}, default "error"
        Geometric and harmonic means: a zero (or negative) cell of an indicator
        with positive weight raises :class:`DataError`; ``"shift"`` adds
        ``shift`` to every cell first (scores are then on the shifted scale).
        Zeros of indicators with weight 0 in a replication are allowed there,
        as in ``aggregate``.
    shift : float, default 1e-4
        The shift for ``zeros="shift"``.
    chunk : int, optional
        Replications per block, to bound memory; default: as many as keep the
        temporaries of a block under about 200 MB.

    Returns
    -------
    ndarray, shape (R, n_units, n_periods)
        Scores; ``out[r]`` is the index under the weights ``W[r]``.

    Raises
    ------
    DataError
        Missing or infinite cells in Z (naming unit, period and indicator
        index), invalid weights, an unknown method or option, zeros or
        negatives where a geometric or harmonic mean needs positive values.

    Notes
    -----
    With ``Z`` flattened to ``(n_obs, k)`` and :math:`s_r = \sum_j w_{rj}`:

    ``sum``
        :math:`Z W^\top / s` in one matrix product.
    ``geometric``
        :math:`\exp(\ln Z\, W^\top / s)`, with :math:`\ln` taken as 0 on
        cells of zero weight.
    ``harmonic``
        :math:`1 / ((1/Z) W^\top / s)`.
    ``topsis``
        With :math:`V = Z \operatorname{diag}(w)` and :math:`w \ge 0`, the ideal
        of column *j* is :math:`w_j \max_i z_{ij}` over the reference set, so
        :math:`(d^+)^2 = (Z - Z_{\max})^{\circ 2} (W^{\circ 2})^\top` and
        :math:`(d^-)^2 = (Z - Z_{\min})^{\circ 2} (W^{\circ 2})^\top`;
        :math:`C = d^- / (d^+ + d^-)`, and 0.5 where both are 0 (``aggregate``'s
        tie rule).
    ``gra``
        :math:`\Delta_{ij} = |z_{ij} - \max_{i'} z_{i'j}|` per reference set
        does not depend on the weights, but ``aggregate`` takes
        :math:`\Delta_{\min}` and :math:`\Delta_{\max}` over the indicators of
        *positive* weight only, so leaving an indicator out can change
        :math:`\xi` for every cell. The replications are therefore grouped by
        their :math:`(\Delta_{\min}, \Delta_{\max})` per reference set (a few
        distinct values: dropping an indicator matters only when it holds the
        largest :math:`\Delta`); :math:`\xi` is formed once per group and the
        grades are :math:`\xi W^\top / s` for the replications of that group.
    """
    if method not in BATCH_METHODS:
        raise DataError(
            f"batched aggregation supports {', '.join(BATCH_METHODS)}; got {method!r}. "
            "Score other methods replication by replication with nqpf.index.aggregate"
        )
    z = _cube(Z)
    n_u, n_t, k = z.shape
    w = _weight_matrix(W, k)
    g, n_groups = _group_index(n_u, n_t, panel_mode)
    X = z.reshape(n_u * n_t, k)
    n_obs = X.shape[0]
    R = w.shape[0]
    share = w.sum(axis=1)
    out = np.empty((R, n_obs))

    if method == "sum":
        step = _chunk_rows(chunk, 8 * n_obs * 2, R)
        for a in range(0, R, step):
            b = slice(a, a + step)
            out[b] = (w[b] @ X.T) / share[b, None]
    elif method in ("geometric", "harmonic"):
        Xt = _positive_cells(X, w, method, zeros, shift, n_t)
        safe = np.where(Xt > 0, Xt, 1.0)
        T = np.log(safe) if method == "geometric" else 1.0 / safe
        step = _chunk_rows(chunk, 8 * n_obs * 2, R)
        for a in range(0, R, step):
            b = slice(a, a + step)
            m = (w[b] @ T.T) / share[b, None]
            out[b] = np.exp(m) if method == "geometric" else 1.0 / m
    elif method == "topsis":
        zmax = _per_group(np.maximum, X, g, n_groups)[g]
        zmin = _per_group(np.minimum, X, g, n_groups)[g]
        Dp = ((X - zmax) ** 2).T
        Dm = ((X - zmin) ** 2).T
        w2 = w * w
        step = _chunk_rows(chunk, 8 * n_obs * 4, R)
        for a in range(0, R, step):
            b = slice(a, a + step)
            dp = np.sqrt(w2[b] @ Dp)
            dm = np.sqrt(w2[b] @ Dm)
            den = dp + dm
            with np.errstate(invalid="ignore", divide="ignore"):
                out[b] = np.where(den > 0, dm / den, 0.5)
    else:
        out[:] = _gra_scores(X, w, share, g, n_groups, rho, chunk)
    return out.reshape(R, n_u, n_t)


def _positive_cells(
    X: FloatArray, w: FloatArray, method: str, zeros: str, shift: float, n_t: int
) -> FloatArray:
    """Check cells of positively weighted indicators as ``aggregate`` does; apply the shift."""
    if zeros not in ("error", "shift"):
        raise DataError(f"zeros must be 'error' or 'shift', got {zeros!r}")
    used = (w > 0).any(axis=0)

    def first(mask: NDArray[np.bool_], what: str) -> DataError:
        cols = np.flatnonzero(mask.any(axis=0) & used)
        j = int(cols[0])
        i = int(np.flatnonzero(mask[:, j])[0])
        r = int(np.flatnonzero(w[:, j] > 0)[0])
        return DataError(
            f"{method} aggregation needs {what}; indicator index {j} is "
            f"{float(X[i, j])!r} at unit index {i // n_t}, period index {i % n_t} and has positive "
            f"weight in replication {r} ({len(cols)} such indicator(s))"
        )

    neg = X < 0
    if (neg.any(axis=0) & used).any():
        raise first(neg, "non-negative, direction-adjusted data (normalise with min-max first)")
    if zeros == "shift":
        if not (np.isfinite(shift) and shift > 0):
            raise DataError(f"shift must be a positive number, got {shift!r}")
        return X + float(shift)
    zero = X == 0
    if (zero.any(axis=0) & used).any():
        raise first(
            zero,
            "strictly positive values (min-max gives 0 to the worst unit: pass "
            "zeros='shift' or use method='sum')",
        )
    return X


def _gra_scores(
    X: FloatArray,
    w: FloatArray,
    share: FloatArray,
    g: NDArray[np.intp],
    n_groups: int,
    rho: float,
    chunk: int | None,
) -> FloatArray:
    """Grey relational grades of every replication, grouped by (Δmin, Δmax)."""
    try:
        rho = float(rho)
    except (TypeError, ValueError):
        raise DataError(f"rho must be a number in (0, 1], got {rho!r}") from None
    if not 0.0 < rho <= 1.0:
        raise DataError(f"rho (distinguishing coefficient) must lie in (0, 1], got {rho!r}")
    R = w.shape[0]
    ref = _per_group(np.maximum, X, g, n_groups)
    delta = np.abs(X - ref[g])  # as aggregate: |z - reference|
    cmin = _per_group(np.minimum, delta, g, n_groups)  # (G, k)
    cmax = _per_group(np.maximum, delta, g, n_groups)
    out = np.empty((R, X.shape[0]))
    step = _chunk_rows(chunk, 8 * max(X.shape[0], 2 * n_groups * X.shape[1]), R)
    for a in range(0, R, step):
        b = slice(a, a + step)
        active = (w[b] > 0)[:, None, :]  # (r, 1, k)
        dmin = np.where(active, cmin[None], np.inf).min(axis=2)  # (r, G)
        dmax = np.where(active, cmax[None], -np.inf).max(axis=2)
        keys, inv = np.unique(np.hstack([dmin, dmax]), axis=0, return_inverse=True)
        inv = inv.reshape(-1)
        for q in range(keys.shape[0]):
            rows = np.flatnonzero(inv == q) + a
            Dmin = keys[q, :n_groups][g][:, None]
            Dmax = keys[q, n_groups:][g][:, None]
            with np.errstate(invalid="ignore", divide="ignore"):
                xi = np.where(Dmax > 0, (Dmin + rho * Dmax) / (delta + rho * Dmax), 1.0)
            out[rows] = (w[rows] @ xi.T) / share[rows, None]
    return out


# --------------------------------------------------------------------------------------
# Ranks


def ranks(scores: ArrayLike) -> NDArray[np.int64]:
    """Rank units within each period and replication; 1 is the best.

    Parameters
    ----------
    scores : array_like, shape (R, n_units, n_periods)
        Scores, larger is better (any leading shape ``(..., n_units,
        n_periods)`` works). No NaN.

    Returns
    -------
    ndarray of int64, same shape
        Rank of each unit among the units of its period and replication; tied
        scores (exactly equal) share the lowest rank of the tie, as pandas
        ``rank(method="min", ascending=False)`` and the engine rank them.

    Raises
    ------
    DataError
        If ``scores`` has fewer than 2 dimensions or holds NaN.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim < 2:
        raise DataError(
            f"scores must have shape (..., n_units, n_periods), got shape {s.shape}"
        )
    if np.isnan(s).any():
        idx = tuple(int(v) for v in np.argwhere(np.isnan(s))[0])
        raise DataError(
            f"scores hold NaN (first at index {idx}); integer ranks need every score"
        )
    n = s.shape[-2]
    neg = -s  # ascending order of -s is descending order of s
    order = np.argsort(neg, axis=-2, kind="stable")
    v = np.take_along_axis(neg, order, axis=-2)
    pos = np.arange(n, dtype=np.int64).reshape(n, 1)
    start = np.broadcast_to(pos, v.shape).copy()
    if n > 1:
        same = v[..., 1:, :] == v[..., :-1, :]
        start[..., 1:, :][same] = 0
    np.maximum.accumulate(start, axis=-2, out=start)
    out = np.empty(s.shape, dtype=np.int64)
    np.put_along_axis(out, order, start + 1, axis=-2)
    return out


# --------------------------------------------------------------------------------------
# Bootstrap weights


def bootstrap_weights(
    Z: ArrayLike, method: str, idx: ArrayLike, *, shift: Any = None
) -> FloatArray:
    r"""Data-driven weights on bootstrap resamples of units, all at once.

    Parameters
    ----------
    Z : array_like, shape (n_units, n_periods, k)
        Normalised, direction-adjusted values, complete. The normalisation is
        kept from the full sample; only the weights are recomputed.
    method : {"entropy", "critic", "cv", "sd"}
        Weighting method, as in :func:`nqpf.index.weights.weights`.
    idx : array_like of int, shape (B, m)
        Row ``b`` lists the (resampled, with repetition) unit indices of
        replicate ``b``; usually ``m = n_units``. A resample holds every
        period of each drawn unit, repeated as often as the unit is drawn:
        the pooled unit-years of the engine's panel weights.
    shift : tuple, optional
        Entropy only: the shift applied to Z first (as the recipe's
        ``entropy_shift``, e.g. ``("add", 0.0001)``); default None.

    Returns
    -------
    ndarray, shape (B, k)
        ``out[b]`` equals ``weights(Z[idx[b]].reshape(-1, k), method).weights``.
        An indicator constant within a resample gets weight 0, as in the
        engine.

    Raises
    ------
    DataError
        Missing cells, an unknown method, a shift with a method other than
        entropy, bad indices, negative values (entropy), or a replicate where
        the weights are undefined (every indicator constant; CRITIC with no
        conflict; a CV with a mean <= 0), naming the replicate.

    Notes
    -----
    With ``c_{bu}`` the number of times unit *u* is drawn in replicate *b*
    and :math:`n_b = m \cdot n_{periods}` observations, every statistic is a
    count-weighted sum of per-unit sums over periods, computed as one matrix
    product ``c @ (per-unit sums)`` for all replicates:

    entropy
        :math:`S_{uj} = \sum_t z_{utj}`, :math:`T_{uj} = \sum_t z_{utj}\ln
        z_{utj}` (:math:`0\ln 0 = 0`). With :math:`Z_{bj} = \sum_u c_{bu}
        S_{uj}` the pooled column total,
        :math:`\sum_i p_{ij}\ln p_{ij} = \sum_u c_{bu} T_{uj} / Z_{bj} - \ln
        Z_{bj}` (because :math:`\sum_i p_{ij} = 1`), so
        :math:`e_{bj} = -(\sum_u c_{bu} T_{uj} / Z_{bj} - \ln Z_{bj}) / \ln
        n_b` and :math:`w \propto 1 - e`.
    critic, cv, sd
        Means :math:`c S / n_b` and the cross-product matrix
        :math:`\sum_u c_{bu} \sum_t z_{ut} z_{ut}^\top` (after centring Z on
        its full-sample means, which leaves covariances unchanged and avoids
        cancellation) give the sample covariance (ddof 1) of each resample,
        hence standard deviations and Pearson correlations.
    """
    if method not in BOOTSTRAP_METHODS:
        raise DataError(
            f"bootstrap weights support {', '.join(BOOTSTRAP_METHODS)}; got {method!r} "
            "(equal, expert and AHP weights do not depend on the data)"
        )
    z = _cube(Z)
    if shift is not None:
        if method != "entropy":
            raise DataError(f"shift applies to entropy weights only, not to {method!r}")
        z = apply_shift(z, parse_shift(shift))
    n_u, n_t, k = z.shape
    c = _counts(idx, n_u)
    B, m = c.shape[0], int(c.sum(axis=1)[0]) if c.shape[0] else 0
    n = m * n_t
    if n < 2:
        raise DataError(
            f"{method} weights need at least 2 observations per indicator; a resample of "
            f"{m} unit(s) x {n_t} period(s) has {n}"
        )
    out = np.empty((B, k))
    if B == 0:
        return out
    if k == 1:
        out[:] = 1.0  # a single indicator always gets weight 1
        return out
    umin, umax = z.min(axis=1), z.max(axis=1)  # (n_u, k)
    if method == "entropy":
        neg = np.flatnonzero(umin.min(axis=0) < 0)
        if neg.size:
            raise DataError(
                "entropy needs non-negative, direction-adjusted normalised data; indicator "
                f"index(es) {neg[:5].tolist()} have negative values. Normalise with minmax first."
            )
        S = z.sum(axis=1)
        T = (z * np.log(np.where(z > 0, z, 1.0))).sum(axis=1)
        per = 8 * (2 * n_u * k + 6 * k)
    else:
        S_raw = z.sum(axis=1)  # per-unit sums: resample means for cv
        zc = z - z.reshape(-1, k).mean(axis=0)
        S = zc.sum(axis=1)
        Q = np.einsum("utj,utl->ujl", zc, zc).reshape(n_u, k * k)
        per = 8 * (2 * n_u * k + 4 * k * k)
    step = max(1, _CHUNK_BYTES // per)
    for a in range(0, B, step):
        cb = c[a : a + step]
        drawn = (cb > 0)[:, :, None]
        lo = np.where(drawn, umin[None], np.inf).min(axis=1)  # (b, k)
        hi = np.where(drawn, umax[None], -np.inf).max(axis=1)
        const = hi == lo
        if method == "entropy":
            raw = _entropy_d(cb @ S, cb @ T, const, n)
        else:
            G = (cb @ Q).reshape(-1, k, k)
            mean = (cb @ S_raw) / n if method == "cv" else None
            raw = _moment_weights(method, cb @ S, G, const, n, a, mean)
        out[a : a + step] = _normalised(raw, method, a)
    return out


def _counts(idx: ArrayLike, n_u: int) -> NDArray[np.int64]:
    """(B, n_units) number of draws of each unit per replicate."""
    i = np.asarray(idx)
    if i.ndim != 2 or i.dtype.kind not in "iu":
        raise DataError(
            f"idx must be a 2-D integer array (replicates x drawn units), got shape "
            f"{i.shape} and dtype {i.dtype}"
        )
    if i.shape[1] == 0:
        raise DataError("idx has no columns: a resample must draw at least one unit")
    if i.size and (i.min() < 0 or i.max() >= n_u):
        bad = np.argwhere((i < 0) | (i >= n_u))[0]
        raise DataError(
            f"idx[{bad[0]}, {bad[1]}] = {i[bad[0], bad[1]]} is not a unit index in [0, {n_u})"
        )
    B, m = i.shape
    flat = (i.astype(np.int64) + n_u * np.arange(B, dtype=np.int64)[:, None]).ravel()
    return np.bincount(flat, minlength=B * n_u).reshape(B, n_u).astype(np.float64)


def _entropy_d(total: FloatArray, tsum: FloatArray, const: NDArray[np.bool_], n: int) -> FloatArray:
    """Divergences 1 - e per replicate from pooled column totals and Σ z ln z."""
    const = const | (total == 0)
    safe = np.where(total > 0, total, 1.0)
    e = -(tsum / safe - np.log(safe)) / np.log(n)
    e = np.where(const, 1.0, np.clip(e, 0.0, 1.0))
    return 1.0 - e


def _moment_weights(
    method: str,
    s: FloatArray,
    G: FloatArray,
    const: NDArray[np.bool_],
    n: int,
    offset: int,
    mean: FloatArray | None = None,
) -> FloatArray:
    """CRITIC, CV or SD raw weights from count-weighted sums and cross-products."""
    M = G - s[:, :, None] * s[:, None, :] / n  # centred cross-products (b, k, k)
    var = np.clip(np.diagonal(M, axis1=1, axis2=2), 0.0, None)
    sd = np.where(const, 0.0, np.sqrt(var / (n - 1)))
    if method == "sd":
        return sd
    if method == "cv":
        assert mean is not None  # passed by bootstrap_weights for cv
        low = ~(mean > 0)
        if low.any():
            b, j = (int(v) for v in np.argwhere(low)[0])
            raise DataError(
                f"coefficient-of-variation weights need positive means; in bootstrap replicate "
                f"{b + offset} indicator index {j} has mean {mean[b, j]:.4g}. Shift the scores, "
                "e.g. shift=('add', 0.01), when normalising"
            )
        return sd / mean
    live = ~const
    flat = live & ~(var > 0)
    if flat.any():
        b, j = (int(v) for v in np.argwhere(flat)[0])
        raise DataError(
            f"critic weights: replicate {b + offset}: the correlations of indicator index {j} "
            "are undefined (no variation in the resample)"
        )
    root = np.sqrt(np.where(live, var, 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.clip(M / (root[:, :, None] * root[:, None, :]), -1.0, 1.0)
    both = live[:, :, None] & live[:, None, :]
    conflict = np.where(both, 1.0 - r, 0.0)
    diag = np.arange(r.shape[1])
    conflict[:, diag, diag] = 0.0  # r_jj = 1 exactly
    return np.where(const, 0.0, sd * conflict.sum(axis=2))


def _normalised(raw: FloatArray, method: str, offset: int) -> FloatArray:
    raw = np.clip(raw, 0.0, None)
    total = raw.sum(axis=1)
    bad = ~(total > 0)
    if bad.any():
        b = int(np.flatnonzero(bad)[0]) + offset
        why = (
            "the non-constant indicators are perfectly correlated (no conflict)"
            if method == "critic"
            else "every indicator is constant"
        )
        raise DataError(
            f"{method} weights are undefined in bootstrap replicate {b}: {why} in the resample"
        )
    return raw / total[:, None]
