"""Radial DEA in multiplier form: weights, assurance regions and cross-efficiency.

**Multiplier form** (Charnes, Cooper & Rhodes 1978; Banker, Charnes & Cooper 1984; Cooper,
Seiford & Tone 2007, ch. 2-5), unit ``0`` against the observations ``j = 1..n``:

* input oriented: ``max u'y0 - u0  s.t.  v'x0 = 1,  u'y_j - v'x_j - u0 <= 0 (all j),
  u, v >= 0``, ``u0 = 0`` under CRS and free under VRS; the efficiency is the objective
  (equal to the envelopment theta by LP duality);
* output oriented: ``min v'x0 + v0  s.t.  u'y0 = 1,  v'x_j - u'y_j + v0 >= 0``; efficiency
  ``1 / objective``.

**Assurance regions** (Thompson, Langemeier, Lee, Lee & Thrall 1990; the "AR-I" form of
Cooper, Seiford & Tone 2007, sec. 6.2): bounds on weight ratios,
``lo <= v_i / v_k <= hi`` for inputs and ``lo <= u_r / u_s <= hi`` for outputs, added as
``v_i - hi v_k <= 0`` and ``lo v_k - v_i <= 0``. With assurance regions the score can only
fall (fewer admissible weights).

**Cross-efficiency** (Sexton, Silkman & Hogan 1986; Doyle & Green 1994), CCR input
oriented: unit ``k``'s weights rate every unit ``j`` as ``E_kj = u_k'y_j / v_k'x_j``; the
cross-efficiency of ``j`` is the mean of column ``j`` over all ``k`` (``k = j`` included,
the convention of Doyle & Green 1994). Weights:

* ``simple``: the optimal weights HiGHS returns for unit ``k``'s CCR program (CCR weights
  are often not unique, so this score depends on the solver's choice; use ``aggressive`` or
  ``benevolent`` for a defined answer);
* ``aggressive`` / ``benevolent`` (Doyle & Green 1994, model M2): among the weights that
  keep unit ``k`` at its CCR score ``theta_k``, those that minimise / maximise the other
  units' aggregate output/input ratio:
  ``min / max  u' sum_{j != k} y_j  s.t.  v' sum_{j != k} x_j = 1,  u'y_k - theta_k v'x_k = 0,
  u'y_j - v'x_j <= 0 (all j),  u, v >= 0``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

from ...errors import DataError

CROSS_METHODS = ("simple", "aggressive", "benevolent")


@dataclass
class MultiplierArrays:
    """Efficiency and optimal weights, one row per evaluated unit (status per unit)."""

    efficiency: np.ndarray
    v: np.ndarray
    u: np.ndarray
    u0: np.ndarray
    status: np.ndarray


def _check(X: Any, Y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    Y = Y[:, None] if Y.ndim == 1 else Y
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
        raise DataError(f"inputs and outputs must be tables with the same rows; got "
                        f"{X.shape} and {Y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise DataError("inputs and outputs must not have missing or infinite values")
    if np.any(X < 0) or np.any(Y < 0):
        raise DataError("DEA needs non-negative inputs and outputs")
    return X, Y


def _ar_rows(bounds: Mapping[tuple[int, int], tuple[float, float]] | None, size: int,
             offset: int, ncol: int, what: str) -> list[np.ndarray]:
    rows: list[np.ndarray] = []
    for (i, k), (lo, hi) in (bounds or {}).items():
        if not (0 <= i < size and 0 <= k < size) or i == k:
            raise DataError(f"assurance region on {what} ({i}, {k}): give two different "
                            f"{what} positions in 0..{size - 1}")
        if not (0 <= lo <= hi) or not np.isfinite(lo):
            raise DataError(f"assurance region on {what} ({i}, {k}): need 0 <= lo <= hi, "
                            f"got ({lo}, {hi})")
        if np.isfinite(hi):
            r = np.zeros(ncol)
            r[offset + i], r[offset + k] = 1.0, -hi
            rows.append(r)
        r = np.zeros(ncol)
        r[offset + k], r[offset + i] = lo, -1.0
        rows.append(r)
    return rows


def multiplier(X: Any, Y: Any, rts: str = "crs", orientation: str = "input",
               input_ratios: Mapping[tuple[int, int], tuple[float, float]] | None = None,
               output_ratios: Mapping[tuple[int, int], tuple[float, float]] | None = None,
               ) -> MultiplierArrays:
    """Multiplier-form radial DEA of every unit against all (module docstring).

    Parameters
    ----------
    X, Y : array-like (n, m), (n, s)
    rts : "crs" or "vrs"
    orientation : "input" or "output"
    input_ratios, output_ratios : mapping ``(i, k) -> (lo, hi)``, optional
        Assurance regions ``lo <= v_i / v_k <= hi`` (``u_r / u_s`` for outputs); ``hi``
        may be ``inf``.
    """
    X, Y = _check(X, Y)
    if rts not in ("crs", "vrs"):
        raise DataError(f"multiplier form takes rts 'crs' or 'vrs', not {rts!r}")
    if orientation not in ("input", "output"):
        raise DataError(f"orientation must be 'input' or 'output', not {orientation!r}")
    n, m = X.shape
    s = Y.shape[1]
    # variables: v (m), u (s), u0 (1, free under VRS, fixed 0 under CRS)
    nv = m + s + 1
    ar = _ar_rows(input_ratios, m, 0, nv, "inputs") + _ar_rows(output_ratios, s, m, nv,
                                                              "outputs")
    # u'y_j - v'x_j - u0 <= 0 for every j (output orientation: v0 = -u0)
    A = np.hstack([-X, Y, -np.ones((n, 1))])
    A_ub = np.vstack([A, *ar]) if ar else A
    b_ub = np.zeros(A_ub.shape[0])
    bounds = [(0, None)] * (m + s) + [(None, None) if rts == "vrs" else (0, 0)]
    eff = np.full(n, np.nan)
    V = np.full((n, m), np.nan)
    U = np.full((n, s), np.nan)
    U0 = np.full(n, np.nan)
    status = np.empty(n, dtype=object)
    for k in range(n):
        if orientation == "input":
            c = np.concatenate([np.zeros(m), -Y[k], [1.0]])  # max u'y0 - u0
            a_eq = np.concatenate([X[k], np.zeros(s), [0.0]])
        else:
            c = np.concatenate([X[k], np.zeros(s), [1.0]])  # min v'x0 - v0 with v0 = -u0
            a_eq = np.concatenate([np.zeros(m), Y[k], [0.0]])
        r = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=a_eq[None, :], b_eq=[1.0], bounds=bounds,
                    method="highs")
        if r.status != 0:
            status[k] = "infeasible" if r.status == 2 else "error"
            continue
        status[k] = "optimal"
        z = r.x
        V[k], U[k], U0[k] = z[:m], z[m : m + s], z[-1]
        if orientation == "input":
            eff[k] = -r.fun
        else:
            eff[k] = 1.0 / r.fun if r.fun > 0 else np.nan
    return MultiplierArrays(eff, V, U, U0, status.astype(str))


@dataclass
class CrossEfficiency:
    """Cross-efficiency scores (``score``), the CCR scores, the matrix ``E[k, j]`` and the
    weights ``v``, ``u`` behind each row."""

    score: np.ndarray
    ccr: np.ndarray
    matrix: np.ndarray
    v: np.ndarray
    u: np.ndarray
    method: str


def cross_efficiency(X: Any, Y: Any, method: str = "aggressive") -> CrossEfficiency:
    """Cross-efficiency under CCR input orientation (module docstring).

    Parameters
    ----------
    X, Y : array-like (n, m), (n, s)
    method : "simple", "aggressive" or "benevolent"
    """
    if method not in CROSS_METHODS:
        raise DataError(f"unknown cross-efficiency method {method!r}; choose "
                        f"{', '.join(CROSS_METHODS)}")
    X, Y = _check(X, Y)
    if np.any(X.sum(axis=1) <= 0):
        raise DataError("every unit needs a positive input for cross-efficiency")
    base = multiplier(X, Y, "crs", "input")
    if not np.all(base.status == "optimal"):
        raise DataError("the CCR program failed for some unit; cross-efficiency needs all")
    n, m = X.shape
    s = Y.shape[1]
    V, U = base.v.copy(), base.u.copy()
    if method != "simple":
        A_ub = np.hstack([-X, Y])
        for k in range(n):
            others = np.ones(n, dtype=bool)
            others[k] = False
            xo, yo = X[others].sum(axis=0), Y[others].sum(axis=0)
            c = np.concatenate([np.zeros(m), yo if method == "aggressive" else -yo])
            A_eq = np.vstack([np.concatenate([xo, np.zeros(s)]),
                              np.concatenate([-base.efficiency[k] * X[k], Y[k]])])
            r = linprog(c, A_ub=A_ub, b_ub=np.zeros(n), A_eq=A_eq, b_eq=[1.0, 0.0],
                        bounds=[(0, None)] * (m + s), method="highs")
            if r.status != 0:  # keep the CCR weights (a unit whose x_k spans no others)
                continue
            V[k], U[k] = r.x[:m], r.x[m:]
    with np.errstate(divide="ignore", invalid="ignore"):
        E = (U @ Y.T) / (V @ X.T)
    return CrossEfficiency(np.nanmean(E, axis=0), base.efficiency, E, V, U, method)
