"""Exact reference-set reduction by column generation.

Every DEA envelopment program here has the form ``min c'z`` over extra variables ``z``
(theta, t, slacks, beta) and intensity variables ``lambda_j >= 0``, one per reference
observation, whose constraint column ``a_j`` (the observation's inputs, outputs, bad
outputs and a 1 in the convexity row) does not depend on the evaluated unit and whose
cost is 0. A restricted program that keeps only a candidate subset of the columns is
solved; by LP duality its optimum is the optimum of the full program exactly when no
excluded column has a negative reduced cost ``0 - y'a_j`` at the restricted duals ``y``
(Dantzig & Wolfe 1960; the column-generation form of the "frame" idea of Dulá &
Thrall 2001 and Dulá 2011). Violating columns are added (the ``k`` most negative) and the
program is re-solved until none violates. The candidate set is shared by all evaluated
units, so the frame of the technology is learnt once. A restricted program that is
infeasible is handled by Farkas pricing: HiGHS's dual ray ``r`` certifies infeasibility for
every column with ``r'a_j <= 0``; excluded columns with ``r'a_j > 0`` are added and the
program re-solved; when none is left the full program is infeasible too (confirmed once
from a cold start). Without a usable ray the unit is decided on the full program.

This module holds the numerical pieces: the starting candidate set and the pricing pass.
The loop itself lives in :mod:`nqpf.efficiency.dea.lp`.
"""

from __future__ import annotations

import numpy as np

#: reduced costs below ``-PRICE_TOL`` (on data scaled to mean 1 per dimension) violate.
PRICE_TOL = 1e-9


def initial_frame(
    X: np.ndarray, Y: np.ndarray, B: np.ndarray | None, rts: str, limit: int = 64
) -> np.ndarray:
    """A small starting set of reference columns likely to lie on the frontier.

    Parameters
    ----------
    X, Y, B : ndarray
        Reference inputs ``(n, m)``, good outputs ``(n, s1)``, bad outputs ``(n, s2)`` or
        ``None``; scaled to comparable magnitudes.
    rts : str
        ``"crs"``, or ``"vrs"``/``"nirs"``/``"ndrs"`` (a convexity row).
    limit : int
        At most this many columns.

    Returns
    -------
    ndarray of int
        Sorted unique row indices of the reference set. The choice only affects speed:
        the pricing loop makes the result exact whatever the start.

    Notes
    -----
    The units with the best ratio of each output to the sum of inputs (CRS-efficient in
    that single ratio) and, for VRS, the units with the largest of each output and the
    smallest of each input (VRS-efficient extreme points), plus the units with the best
    aggregate output/input ratio.
    """
    n = X.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    xs = X.sum(axis=1)
    xs = np.where(xs > 0, xs, np.nan)
    picks: list[int] = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for r in range(Y.shape[1]):
            ratio = Y[:, r] / xs
            if np.any(np.isfinite(ratio)):
                picks.append(int(np.nanargmax(ratio)))
        agg = Y.sum(axis=1) / xs
        if np.any(np.isfinite(agg)):
            top = np.argsort(-np.nan_to_num(agg, nan=-np.inf))[: max(1, limit // 4)]
            picks.extend(int(i) for i in top)
    if rts != "crs":
        picks.extend(int(np.argmax(Y[:, r])) for r in range(Y.shape[1]))
        picks.extend(int(np.argmin(X[:, i])) for i in range(X.shape[1]))
        if B is not None and B.shape[1]:
            picks.extend(int(np.argmin(B[:, k])) for k in range(B.shape[1]))
    out = np.unique(np.asarray(picks, dtype=np.int64))
    return out[:limit]


def eval_order(Z: np.ndarray, bins: int = 10) -> np.ndarray:
    """An order of the evaluated units that keeps similar units next to each other.

    Consecutive programs then differ little and the warm-started simplex needs fewer
    iterations; the order never changes any result. Each unit's data (scaled per
    dimension) is projected on the unit sphere; units are sorted in a boustrophedon
    (snake) order over a ``bins x bins`` grid of the first two coordinates, then by the
    third.

    Parameters
    ----------
    Z : ndarray (n, d)
        Scaled inputs and outputs of the evaluated units.

    Returns
    -------
    ndarray of int
        A permutation of ``range(n)``.
    """
    n, d = Z.shape
    if n < 3 or d < 2:
        return np.arange(n)
    norm = np.linalg.norm(Z, axis=1, keepdims=True)
    U = np.divide(Z, norm, out=np.zeros_like(Z), where=norm > 0)
    a = np.minimum((U[:, 0] * bins).astype(np.int64), bins)
    b = np.minimum((U[:, 1] * bins).astype(np.int64), bins)
    b = np.where(a % 2 == 1, bins - b, b)  # snake: reverse every other row
    c = U[:, 2] if d > 2 else np.zeros(n)
    c = np.where((a + b) % 2 == 1, -c, c)
    return np.lexsort((c, b, a))


def price(
    L: np.ndarray,
    row_dual: np.ndarray,
    in_model: np.ndarray,
    exclude: int,
    k: int,
    tol: float = PRICE_TOL,
) -> np.ndarray:
    """Reference columns whose reduced cost violates optimality, most negative first.

    Parameters
    ----------
    L : ndarray, shape (n_lam_rows, n_ref)
        The intensity columns (rows of the program that involve lambda).
    row_dual : ndarray, shape (n_lam_rows,)
        Optimal row duals of those rows (HiGHS convention: reduced cost ``c - A'y``).
    in_model : ndarray of bool, shape (n_ref,)
        Columns already in the restricted program.
    exclude : int
        A column that must stay out (the evaluated unit in super-efficiency), or -1.
    k : int
        At most this many columns are returned.
    tol : float
        Violation threshold.

    Returns
    -------
    ndarray of int
        Indices into the reference set, at most ``k``, most violating first.
    """
    v = row_dual @ L  # minus the reduced costs
    v[in_model] = -np.inf
    if exclude >= 0:
        v[exclude] = -np.inf
    thr = tol * (1.0 + float(np.abs(row_dual).max(initial=0.0)))
    viol = np.flatnonzero(v > thr)
    if viol.size > k:
        viol = viol[np.argpartition(-v[viol], k)[:k]]
    return viol[np.argsort(-v[viol], kind="stable")]


def price_out(
    L_out: np.ndarray,
    out_idx: np.ndarray,
    row_dual: np.ndarray,
    exclude: int,
    k: int,
    tol: float = PRICE_TOL,
) -> np.ndarray:
    """:func:`price` over a precomputed block of the excluded columns.

    ``L_out`` holds the columns ``out_idx`` (the ones not in the restricted program); the
    result is in reference-set indices, most violating first.
    """
    if out_idx.size == 0:
        return out_idx
    v = row_dual @ L_out
    thr = tol * (1.0 + float(np.abs(row_dual).max(initial=0.0)))
    viol = np.flatnonzero(v > thr)
    if exclude >= 0 and viol.size:
        viol = viol[out_idx[viol] != exclude]
    if viol.size > k:
        viol = viol[np.argpartition(-v[viol], k)[:k]]
    viol = viol[np.argsort(-v[viol], kind="stable")]
    return out_idx[viol]
