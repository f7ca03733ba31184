"""DEA envelopment programs and the low-level :func:`solve`.

Every program is built once per reference set as a :class:`~nqpf.efficiency.dea.lp.Formulation`
and solved unit by unit by an :class:`~nqpf.efficiency.dea.lp.Engine` (HiGHS dual simplex,
warm-started, exact reference-set reduction). Data are scaled internally per dimension (each
input, output and bad output divided by its mean over the reference set); every program here
is invariant to such scaling, and slacks and targets are returned in the caller's units.

Programs (``x0, y0, b0`` the evaluated unit; ``X, Y, B`` the reference set, columns = units).
Returns to scale (Färe, Grosskopf & Lovell 1994): ``crs`` no constraint on ``lam``;
``vrs`` ``1'lam = 1``; ``nirs`` (non-increasing) ``1'lam <= 1``; ``ndrs`` (non-decreasing)
``1'lam >= 1`` (SBM: the same with ``t`` on the right).

* super-radial (Andersen & Petersen 1993): the radial program with the evaluated unit
  removed from the reference set; efficient units score above 1 (input theta, output
  1/phi), others keep their radial score. Under VRS (and NIRS/NDRS) it can be infeasible:
  status ``"infeasible"``, efficiency NaN.
* fdh (Deprins, Simar & Tulkens 1984): enumeration, see :func:`_fdh_store`.
* non-discretionary inputs (Banker & Morey 1986), radial models: under input orientation
  their rows are ``X_nd lam + s- = x0_nd`` (not scaled by theta); under either orientation
  their slacks are left out of the max-slack phase.
* radial, input (Charnes, Cooper & Rhodes 1978; Banker, Charnes & Cooper 1984):
  ``min theta  s.t.  X lam + s- = theta x0,  Y lam - s+ = y0,  lam >= 0  [, 1'lam = 1]``,
  then the second phase of Cooper, Seiford & Tone (2007, sec. 3.3): ``theta`` fixed,
  ``max sum(s-) + sum(s+)`` (slacks in the caller's units). Output orientation:
  ``max phi  s.t.  X lam + s- = x0,  Y lam - s+ = phi y0``; efficiency ``1/phi``.
* sbm (Tone 2001; undesirable outputs Tone 2004; Cooper, Seiford & Tone 2007 ch. 4 and
  sec. 13.7), linearised with the Charnes–Cooper variable ``t``::

      rho = min  t - (1/m) sum S-_i / x_i0
      s.t.  t + (1/(s1+s2)) (sum S^g_r / y_r0 + sum S^b_k / b_k0) = 1
            X L + S- = t x0,   Y L - S^g = t y0,   B L + S^b = t b0,   L, S >= 0
            [VRS: 1'L = t]

  slacks ``s = S/t`` and intensities ``lam = L/t``. Input orientation drops the output
  terms (``t = 1``); output orientation minimises ``t`` (``rho_O = 1/(1 + mean output
  slack ratio)``). Zero outputs of the evaluated unit: the term ``s_r/y_r0`` is deleted
  from the ratio and the average is over the remaining outputs (the convention of Tone's
  DEA-Solver, Cooper, Seiford & Tone 2007 sec. 4.4); inputs must be positive.
* super-sbm (Tone 2002; with undesirable outputs as in the green-productivity
  literature, e.g. Li, Hao & Fang 2013, and MaxDEA): the evaluated unit is removed from the
  reference set and::

      delta = min [1 + (1/m) sum s-_i/x_i0] / [1 - (1/(s1+s2)) (sum s^g_r/y_r0 + sum s^b_k/b_k0)]
      s.t.  sum_{j != 0} lam_j x_j <= x0 + s-,   sum lam_j y_j >= y0 - s^g,
            sum lam_j b_j <= b0 + s^b,   y0 - s^g >= 0,   lam, s >= 0  [VRS: sum lam = 1]

  linearised with ``t`` as above. Under VRS it can be infeasible (no convex combination
  of the others dominates the reduced point): status ``"infeasible"``, efficiency NaN.
* ddf (Chambers, Chung & Färe 1996; Chung, Färe & Grosskopf 1997)::

      max beta  s.t.  X lam <= x0 + beta g_x,  Y lam >= y0 + beta g_y,
                      B lam = b0 + beta g_b  (bads weakly disposable, the default),
                      beta free

  With ``bad_disposal="free"`` the bad-output rows are ``B lam <= b0 + beta g_b`` (bads
  freely disposable, as DataEnvelopmentAnalysis.jl offers).

  ``beta < 0`` for a point outside the reference technology. Reported efficiency
  ``1/(1 + beta)`` (the Shephard output distance when ``g = (0, y)``).
* nddf (Zhou, Ang & Wang 2012): one ``beta_d >= 0`` per dimension,
  ``max sum w_d beta_d`` with the same constraints dimension by dimension; ``beta`` is the
  weighted sum and efficiency ``1/(1 + beta)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ...errors import DataError
from ...extras import require
from . import frame as _frame
from . import vector as _vector
from .lp import INF, LAMBDA_ZERO, Engine, Formulation
from .spec import DEASpec

#: an SBM score at or above ``1 - EFFICIENT_TOL`` counts as efficient (summaries)
EFFICIENT_TOL = 1e-9
#: super-SBM (``super_mode="efficient"``) re-evaluates units whose SBM score is at least
#: ``1 - SUPER_TOL``; an inefficient unit that slips in gets exactly 1 (Tone 2002, Thm 1)
SUPER_TOL = 1e-7
#: bounds of ``sum lam`` for each returns-to-scale assumption other than CRS
_CONVEXITY = {"vrs": (1.0, 1.0), "nirs": (-INF, 1.0), "ndrs": (1.0, INF)}


@dataclass
class DEAArrays:
    """Results of :func:`solve`, one row per evaluated unit.

    Attributes
    ----------
    efficiency : ndarray (n_eval,)
        Radial input: theta; radial output: 1/phi; SBM: rho; super-SBM: delta (>= 1 for
        efficient units); DDF/NDDF: 1/(1 + beta). NaN where not optimal.
    status : ndarray of str (n_eval,)
        ``"optimal"``, ``"infeasible"``, ``"unbounded"`` or ``"error"``.
    theta, phi, beta, rho : ndarray (n_eval,)
        Model-specific scores (NaN where they do not apply).
    slacks_x, slacks_y, slacks_b : ndarray (n_eval, m / s1 / s2)
        Slacks in the data's units (super-SBM: the increase of inputs and bads and the
        decrease of good outputs of the projected point).
    targets_x, targets_y, targets_b : ndarray
        Projected points.
    betas : ndarray (n_eval, m + s1 + s2) or None
        NDDF per-dimension betas.
    super_used : ndarray of bool
        The value comes from the super-SBM program (super-efficiency, or an SBM evaluation
        outside the technology with ``outside="super"``).
    lambdas : scipy.sparse.csr_matrix (n_eval, n_ref) or None
    iterations : ndarray of int
        Simplex iterations per unit (all LPs of that unit).
    n_lp : ndarray of int
        LP solves per unit (pricing rounds, phases, fallbacks); a unit solved on the
        vectorised small-problem path (:mod:`.vector`) counts one.
    info : dict
        Engine facts: ``frame_size`` (reference columns the reduced model ended with),
        ``fallbacks`` (units whose restricted program was infeasible and were decided on
        the full program), the same for the super-SBM pass, NDDF ``weights``.
    """

    efficiency: np.ndarray
    status: np.ndarray
    theta: np.ndarray
    phi: np.ndarray
    beta: np.ndarray
    rho: np.ndarray
    slacks_x: np.ndarray
    slacks_y: np.ndarray
    slacks_b: np.ndarray
    targets_x: np.ndarray
    targets_y: np.ndarray
    targets_b: np.ndarray
    super_used: np.ndarray
    iterations: np.ndarray
    n_lp: np.ndarray
    betas: np.ndarray | None = None
    lambdas: sp.csr_matrix | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.efficiency.shape[0])


# ---------------------------------------------------------------------------------- data
def _as2d(a: Any, name: str, n: int | None = None) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise DataError(f"{name} must be a 2-D array (units x dimensions); got {arr.ndim}-D")
    if n is not None and arr.shape[0] != n:
        raise DataError(f"{name} has {arr.shape[0]} rows; expected {n}")
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise DataError(f"{name} has a missing or infinite value at row {bad[0]}, column {bad[1]}")
    return arr


def _scale(ref: np.ndarray, ev: np.ndarray) -> np.ndarray:
    sc = np.abs(ref).mean(axis=0) if ref.shape[0] else np.ones(ref.shape[1])
    alt = np.abs(ev).mean(axis=0) if ev.shape[0] else np.ones(ev.shape[1])
    sc = np.where(sc > 0, sc, np.where(alt > 0, alt, 1.0))
    return sc


def _positive_inv(v: np.ndarray) -> np.ndarray:
    out = np.zeros_like(v)
    np.divide(1.0, v, out=out, where=v > 0)
    return out


# ---------------------------------------------------------------------------------- radial
def _radial(
    Xe: np.ndarray, Ye: np.ndarray, Xr: np.ndarray, Yr: np.ndarray, spec: DEASpec,
    sc: np.ndarray,
) -> Formulation:
    n, m = Xe.shape
    s = Ye.shape[1]
    vrs = spec.rts != "crs"
    nr = Xr.shape[0]
    L = np.vstack([Xr.T, Yr.T] + ([np.ones((1, nr))] if vrs else []))
    nrows = L.shape[0]
    ne = 1 + m + s
    static = [(i, 1 + i, 1.0) for i in range(m)] + [(m + r, 1 + m + r, -1.0) for r in range(s)]
    row_lo = np.zeros((n, nrows))
    cost = np.zeros((n, ne))
    if spec.orientation == "input":
        nd = np.zeros(m, dtype=bool)
        nd[list(spec.nondiscretionary)] = True
        disc = np.flatnonzero(~nd)
        dyn_pos = [(int(i), 0) for i in disc]
        dyn_val = -Xe[:, disc]
        # non-discretionary: X lam + s- = x0 (Banker & Morey 1986)
        row_lo[:, np.flatnonzero(nd)] = Xe[:, nd]
        row_lo[:, m : m + s] = Ye
        cost[:, 0] = 1.0
    else:
        dyn_pos = [(m + r, 0) for r in range(s)]
        dyn_val = -Ye
        row_lo[:, :m] = Xe
        cost[:, 0] = -1.0
    row_hi = row_lo.copy()
    if vrs:
        row_lo[:, -1], row_hi[:, -1] = _CONVEXITY[spec.rts]
    col_lo = np.zeros((n, ne))
    col_hi = np.full((n, ne), INF)
    c2 = np.concatenate([[0.0], -sc])

    def stage2(k: int, z: np.ndarray, obj: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # theta (phi) held at its optimum; a relative 1e-10 band keeps the second phase
        # numerically feasible without changing the slacks beyond that order
        lo = col_lo[k].copy()
        hi = col_hi[k].copy()
        eps = 1e-10 * max(1.0, abs(z[0]))
        lo[0], hi[0] = z[0] - eps, z[0] + eps
        return c2, lo, hi

    return Formulation(L, nrows, ne, static, dyn_pos, dyn_val, row_lo, row_hi, cost, col_lo,
                       col_hi, stage2)


# ---------------------------------------------------------------------------------- SBM
def _sbm(
    Xe: np.ndarray, Ye: np.ndarray, Be: np.ndarray, Xr: np.ndarray, Yr: np.ndarray,
    Br: np.ndarray, spec: DEASpec, super_: bool,
) -> Formulation:
    n, m = Xe.shape
    s1 = Ye.shape[1]
    s2 = Be.shape[1]
    vrs = spec.rts != "crs"
    nr = Xr.shape[0]
    L = np.vstack([Xr.T, Yr.T, Br.T] + ([np.ones((1, nr))] if vrs else []))
    nl = L.shape[0]
    conv = m + s1 + s2
    norm = nl
    nrows = nl + 1 + (s1 if super_ else 0)
    ne = 1 + m + s1 + s2
    sign = -1.0 if super_ else 1.0
    static: list[tuple[int, int, float]] = []
    static += [(i, 1 + i, sign) for i in range(m)]
    static += [(m + r, 1 + m + r, -sign) for r in range(s1)]
    static += [(m + s1 + k, 1 + m + s1 + k, sign) for k in range(s2)]
    if vrs:
        static.append((conv, 0, -1.0))
    static.append((norm, 0, 1.0))
    dyn_pos = [(d, 0) for d in range(m + s1 + s2)]
    vals = [-Xe, -Ye, -Be]
    # output terms of the ratio
    inv_y = _positive_inv(Ye)
    inv_b = _positive_inv(Be)
    n_out = (Ye > 0).sum(axis=1) + (Be > 0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(n_out > 0, 1.0 / np.maximum(n_out, 1), 0.0)[:, None]
    if spec.orientation == "input":
        per = np.zeros_like(per)
    dyn_pos += [(norm, 1 + m + r) for r in range(s1)]
    dyn_pos += [(norm, 1 + m + s1 + k) for k in range(s2)]
    vals += [sign * per * inv_y, sign * per * inv_b]
    if super_:
        for r in range(s1):
            static.append((nl + 1 + r, 1 + m + r, 1.0))
            dyn_pos.append((nl + 1 + r, 0))
        vals.append(-Ye)
    dyn_val = np.hstack(vals) if vals else np.zeros((n, 0))
    row_lo = np.zeros((n, nrows))
    row_hi = np.zeros((n, nrows))
    row_lo[:, norm] = row_hi[:, norm] = 1.0
    if vrs:  # sum L - t against 0 (the convexity constraint times t)
        lo_c, hi_c = _CONVEXITY[spec.rts]
        row_lo[:, conv] = 0.0 if lo_c == 1.0 else -INF
        row_hi[:, conv] = 0.0 if hi_c == 1.0 else INF
    if super_:
        row_lo[:, :m] = -INF
        row_hi[:, m : m + s1] = INF
        row_lo[:, m + s1 : m + s1 + s2] = -INF
        row_lo[:, nl + 1 :] = -INF
    cost = np.zeros((n, ne))
    cost[:, 0] = 1.0
    if spec.orientation != "output":
        inv_x = _positive_inv(Xe)
        n_in = np.maximum((Xe > 0).sum(axis=1), 1)[:, None]
        cost[:, 1 : 1 + m] = -sign * inv_x / n_in
    col_lo = np.zeros((n, ne))
    col_hi = np.full((n, ne), INF)
    if super_ and spec.orientation == "input":
        col_hi[:, 1 + m :] = 0.0
    if super_ and spec.orientation == "output":
        col_hi[:, 1 : 1 + m] = 0.0
    return Formulation(L, nrows, ne, static, dyn_pos, dyn_val, row_lo, row_hi, cost, col_lo,
                       col_hi)


# ---------------------------------------------------------------------------------- DDF
def _direction(
    spec: DEASpec, Xe: np.ndarray, Ye: np.ndarray, Be: np.ndarray, sc: np.ndarray
) -> np.ndarray:
    n, m = Xe.shape
    s1, s2 = Ye.shape[1], Be.shape[1]
    D = m + s1 + s2
    if spec.direction == "custom":
        g = np.asarray(spec.direction_array, dtype=float)
        if g.shape[-1] != D or (g.ndim == 2 and g.shape[0] != n):
            want = f"({D},) or ({n}, {D})"
            raise DataError(
                f"direction has shape {g.shape}; expected {want} for {m} inputs, "
                f"{s1} good and {s2} bad outputs"
            )
        g = np.broadcast_to(g, (n, D)) / sc
        return np.array(g)
    zx, zy, zb = np.zeros_like(Xe), np.zeros_like(Ye), np.zeros_like(Be)
    if spec.direction == "output":
        return np.hstack([zx, Ye, -Be])
    if spec.direction == "proportional":
        return np.hstack([-Xe, Ye, -Be])
    return np.hstack([-Xe, zy, zb])  # "input"


def _ddf(
    Xe: np.ndarray, Ye: np.ndarray, Be: np.ndarray, Xr: np.ndarray, Yr: np.ndarray,
    Br: np.ndarray, spec: DEASpec, G: np.ndarray, weights: np.ndarray | None,
) -> Formulation:
    n, m = Xe.shape
    s1, s2 = Ye.shape[1], Be.shape[1]
    D = m + s1 + s2
    vrs = spec.rts != "crs"
    nr = Xr.shape[0]
    L = np.vstack([Xr.T, Yr.T, Br.T] + ([np.ones((1, nr))] if vrs else []))
    nrows = L.shape[0]
    row_lo = np.zeros((n, nrows))
    row_hi = np.zeros((n, nrows))
    row_lo[:, :m] = -INF
    row_hi[:, :m] = Xe
    row_lo[:, m : m + s1] = Ye
    row_hi[:, m : m + s1] = INF
    row_lo[:, m + s1 : D] = Be if spec.bad_disposal == "weak" else -INF
    row_hi[:, m + s1 : D] = Be
    if vrs:
        row_lo[:, -1], row_hi[:, -1] = _CONVEXITY[spec.rts]
    if weights is None:  # radial DDF: one beta
        dyn_pos = [(d, 0) for d in range(D)]
        cost = np.full((n, 1), -1.0)
        col_lo = np.full((n, 1), -INF)
        col_hi = np.full((n, 1), INF)
        return Formulation(L, nrows, 1, [], dyn_pos, -G, row_lo, row_hi, cost, col_lo, col_hi,
                           keep_rows=True)
    dyn_pos = [(d, d) for d in range(D)]
    cost = np.broadcast_to(-weights, (n, D)).copy()
    col_lo = np.zeros((n, D))
    col_hi = np.full((n, D), INF)
    col_hi[:, weights <= 0] = 0.0
    return Formulation(L, nrows, D, [], dyn_pos, -G, row_lo, row_hi, cost, col_lo, col_hi,
                       keep_rows=True)


def _nddf_weights(spec: DEASpec, G: np.ndarray, D: int) -> np.ndarray:
    if spec.weights_array is not None:
        w = np.asarray(spec.weights_array, dtype=float)
        if w.shape != (D,):
            raise DataError(f"NDDF weights have length {w.shape[0]}; expected {D}")
        return w / w.sum() if spec.normalise_weights else w
    moved = np.any(np.abs(G) > 0, axis=0)
    if not moved.any():
        raise DataError("the NDDF direction moves no dimension; give a nonzero direction")
    return moved / moved.sum()


# ---------------------------------------------------------------------------------- solve
def _empty(n: int, m: int, s1: int, s2: int) -> DEAArrays:
    nan = np.full(n, np.nan)
    return DEAArrays(
        efficiency=nan.copy(),
        status=np.full(n, "error", dtype=object),
        theta=nan.copy(),
        phi=nan.copy(),
        beta=nan.copy(),
        rho=nan.copy(),
        slacks_x=np.full((n, m), np.nan),
        slacks_y=np.full((n, s1), np.nan),
        slacks_b=np.full((n, s2), np.nan),
        targets_x=np.full((n, m), np.nan),
        targets_y=np.full((n, s1), np.nan),
        targets_b=np.full((n, s2), np.nan),
        super_used=np.zeros(n, dtype=bool),
        iterations=np.zeros(n, dtype=np.int64),
        n_lp=np.zeros(n, dtype=np.int64),
    )


def _sbm_store(
    out: DEAArrays, Z: np.ndarray, obj: np.ndarray, ok: np.ndarray, sup: np.ndarray,
    m: int, s1: int, scx: np.ndarray, scy: np.ndarray, scb: np.ndarray,
    Xe: np.ndarray, Ye: np.ndarray, Be: np.ndarray,
) -> None:
    """Vectorised: slacks ``S/t`` in data units and projected points of solved rows."""
    t = Z[ok, :1]
    sx = Z[ok, 1 : 1 + m] / t * scx
    sy = Z[ok, 1 + m : 1 + m + s1] / t * scy
    sb = Z[ok, 1 + m + s1 :] / t * scb
    out.rho[ok] = obj[ok]
    out.efficiency[ok] = obj[ok]
    out.slacks_x[ok], out.slacks_y[ok], out.slacks_b[ok] = sx, sy, sb
    sgn = np.where(sup[ok], -1.0, 1.0)[:, None]
    out.targets_x[ok] = Xe[ok] - sgn * sx
    out.targets_y[ok] = Ye[ok] + sgn * sy
    out.targets_b[ok] = Be[ok] - sgn * sb
    out.super_used[ok] = sup[ok]


def _fdh_store(out: DEAArrays, Xe: np.ndarray, Ye: np.ndarray, Xr: np.ndarray,
               Yr: np.ndarray, spec: DEASpec,
               lam_by_unit: dict[int, tuple[np.ndarray, np.ndarray]]) -> None:
    """FDH scores by enumeration (Deprins, Simar & Tulkens 1984; Tulkens 1993).

    Input: ``theta = min_{j: y_j >= y0} max_i x_ij / x_i0``; output:
    ``phi = max_{j: x_j <= x0} min_r y_rj / y_r0``. The peer is the observation attaining
    the score (the first in reference order on ties), with intensity 1; targets are the
    peer's data and slacks the remaining gaps ``theta x0 - x_peer``, ``y_peer - y0``
    (output: ``x0 - x_peer``, ``y_peer - phi y0``). No observation dominating the unit
    (possible against another period's data): status ``"infeasible"``.
    """
    n = Xe.shape[0]
    nr = Xr.shape[0]
    step = max(1, 4_000_000 // max(1, nr * (Xe.shape[1] + Ye.shape[1])))
    for a in range(0, n, step):
        sl = slice(a, min(n, a + step))
        xe, ye = Xe[sl], Ye[sl]
        with np.errstate(divide="ignore", invalid="ignore"):
            if spec.orientation == "input":
                dom = np.all(Yr[None, :, :] >= ye[:, None, :], axis=2)
                rx = np.where(xe[:, None, :] > 0, Xr[None, :, :] / xe[:, None, :],
                              np.where(Xr[None, :, :] > 0, np.inf, 0.0))
                val = np.where(dom, rx.max(axis=2), np.inf)
                j = np.argmin(val, axis=1)
            else:
                dom = np.all(Xr[None, :, :] <= xe[:, None, :], axis=2)
                ry = np.where(ye[:, None, :] > 0, Yr[None, :, :] / ye[:, None, :], np.inf)
                val = np.where(dom, ry.min(axis=2), -np.inf)
                j = np.argmax(val, axis=1)
        score = val[np.arange(j.size), j]
        for i, k in enumerate(range(sl.start, sl.stop)):
            sc, p = float(score[i]), int(j[i])
            if not np.isfinite(sc) or (spec.orientation == "output" and sc <= 0):
                out.status[k] = "infeasible" if not np.isfinite(sc) else "unbounded"
                continue
            out.status[k] = "optimal"
            if spec.orientation == "input":
                out.theta[k] = out.efficiency[k] = sc
                out.slacks_x[k] = np.maximum(sc * Xe[k] - Xr[p], 0.0)
                out.slacks_y[k] = np.maximum(Yr[p] - Ye[k], 0.0)
            else:
                out.phi[k] = sc
                out.efficiency[k] = 1.0 / sc
                out.slacks_x[k] = np.maximum(Xe[k] - Xr[p], 0.0)
                out.slacks_y[k] = np.maximum(Yr[p] - sc * Ye[k], 0.0)
            out.targets_x[k], out.targets_y[k] = Xr[p], Yr[p]
            out.iterations[k], out.n_lp[k] = 0, 0
            lam_by_unit[k] = (np.array([p]), np.array([1.0]))


def _radial_store(out: DEAArrays, k: int, score: float, sx_s: np.ndarray, sy_s: np.ndarray,
                  spec: DEASpec, Xe: np.ndarray, Ye: np.ndarray, scx: np.ndarray,
                  scy: np.ndarray, m: int) -> None:
    """Store one radial solution (score theta or phi; slacks on the scaled data)."""
    # slacks are non-negative; the solver's tolerance can leave -1e-9
    sx = np.maximum(sx_s, 0.0) * scx
    sy = np.maximum(sy_s, 0.0) * scy
    out.status[k] = "optimal"
    out.slacks_x[k], out.slacks_y[k] = sx, sy
    if spec.orientation == "input":
        out.theta[k] = out.efficiency[k] = score
        out.targets_x[k] = score * Xe[k] - sx
        out.targets_y[k] = Ye[k] + sy
    else:
        out.phi[k] = score
        out.efficiency[k] = 1.0 / score if score > 0 else np.nan
        out.targets_x[k] = Xe[k] - sx
        out.targets_y[k] = score * Ye[k] + sy


def _solve_serial(
    Xe: np.ndarray, Ye: np.ndarray, Be: np.ndarray, Xr: np.ndarray, Yr: np.ndarray,
    Br: np.ndarray, spec: DEASpec, self_index: np.ndarray, reduce: bool,
    return_lambdas: bool, progress: Callable[[int, int], None] | None,
) -> DEAArrays:
    n, m = Xe.shape
    s1, s2 = Ye.shape[1], Be.shape[1]
    out = _empty(n, m, s1, s2)
    scx, scy, scb = _scale(Xr, Xe), _scale(Yr, Ye), _scale(Br, Be)
    xe, ye, be = Xe / scx, Ye / scy, Be / scb
    xr, yr, br = Xr / scx, Yr / scy, Br / scb
    start = _frame.initial_frame(xr, yr, br, spec.rts) if reduce else None
    lam_by_unit: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    info: dict[str, Any] = {}

    def tick(i: int) -> None:
        if progress is not None:
            progress(i + 1, n)

    model = spec.model
    if model == "fdh":
        if s2:
            raise DataError("FDH takes no bad outputs; use model='sbm', 'ddf' or 'nddf'")
        _fdh_store(out, Xe, Ye, Xr, Yr, spec, lam_by_unit)
        if progress is not None:
            progress(n, n)
    elif model in ("radial", "super-radial"):
        if s2:
            raise DataError(
                "radial (CCR/BCC) models take no bad outputs; use model='sbm', 'ddf' or 'nddf'"
            )
        sc_xy = np.concatenate([scx, scy])
        sc_xy[list(spec.nondiscretionary)] = 0.0  # their slacks are not maximised
        todo = np.arange(n)
        excl = self_index if model == "super-radial" else np.full(n, -1, dtype=np.int64)
        if _vector.usable(xr.shape[0], n):
            v = _vector.radial(xe, ye, xr, yr, spec.orientation, spec.rts, sc_xy, excl,
                               nondiscretionary=spec.nondiscretionary)
            for k in np.flatnonzero(v["ok"]):
                lam = v["lam"][k]
                nzi = np.flatnonzero(lam > LAMBDA_ZERO)
                _radial_store(out, int(k), float(v["score"][k]), v["sx"][k], v["sy"][k],
                              spec, Xe, Ye, scx, scy, m)
                lam_by_unit[int(k)] = (nzi, lam[nzi])
            out.iterations[:] = v["iterations"]
            out.n_lp[v["ok"]] = 1
            todo = np.flatnonzero(~v["ok"])
            info["vectorised"] = int(n - todo.size)
        form = _radial(xe, ye, xr, yr, spec, sc_xy)
        eng = Engine(form, reduce=reduce, start=start) if todo.size else None
        for k in todo:
            sol = eng.solve_unit(int(k), int(excl[k]))
            out.status[k] = sol.status
            out.iterations[k], out.n_lp[k] = sol.iterations, sol.n_lp
            if sol.status == "optimal":
                score = sol.obj if spec.orientation == "input" else -sol.obj
                _radial_store(out, int(k), score, sol.z[1 : 1 + m], sol.z[1 + m :], spec,
                              Xe, Ye, scx, scy, m)
                lam_by_unit[int(k)] = (sol.lam_idx, sol.lam_val)
            tick(int(k))
        if eng is not None:
            info["frame_size"] = int(eng.frame.size)
            info["fallbacks"] = eng.n_fallback
            info["farkas_rounds"] = eng.n_farkas
        if progress is not None and todo.size < n:
            progress(n, n)
    elif model in ("sbm", "super-sbm"):
        form = _sbm(xe, ye, be, xr, yr, br, spec, super_=False)
        eng = Engine(form, reduce=reduce, start=start)
        Z = np.full((n, form.n_extra), np.nan)
        obj = np.full(n, np.nan)
        sup = np.zeros(n, dtype=bool)
        need_super: list[int] = []
        want_super = model == "super-sbm"
        all_super = want_super and spec.super_mode == "all"
        for k in range(n):
            sol = eng.solve_unit(k)
            out.status[k] = sol.status
            out.iterations[k], out.n_lp[k] = sol.iterations, sol.n_lp
            if sol.status == "optimal":
                Z[k] = sol.z
                obj[k] = sol.obj
                if return_lambdas:
                    lam_by_unit[k] = (sol.lam_idx, sol.lam_val / sol.z[0])
                if want_super and (all_super or sol.obj >= 1.0 - SUPER_TOL):
                    need_super.append(k)
            elif want_super or spec.outside == "super":
                need_super.append(k)
            tick(k)
        info["frame_size"] = int(eng.frame.size)
        info["fallbacks"] = eng.n_fallback
        info["farkas_rounds"] = eng.n_farkas
        if need_super:
            sform = _sbm(xe, ye, be, xr, yr, br, spec, super_=True)
            seng = Engine(sform, reduce=reduce, start=eng.frame if reduce else None)
            for k in need_super:
                excl = int(self_index[k]) if want_super else -1
                sol = seng.solve_unit(k, excl)
                out.iterations[k] += sol.iterations
                out.n_lp[k] += sol.n_lp
                out.status[k] = sol.status
                sup[k] = True
                if sol.status == "optimal":
                    Z[k] = sol.z
                    obj[k] = sol.obj
                    if return_lambdas:
                        lam_by_unit[k] = (sol.lam_idx, sol.lam_val / sol.z[0])
                else:
                    Z[k] = np.nan
                    obj[k] = np.nan
                    lam_by_unit.pop(k, None)
            info["super_frame_size"] = int(seng.frame.size)
            info["super_fallbacks"] = seng.n_fallback
            info["super_farkas_rounds"] = seng.n_farkas
        ok = out.status == "optimal"
        _sbm_store(out, Z, obj, ok, sup, m, s1, scx, scy, scb, Xe, Ye, Be)
    else:  # ddf / nddf
        D = m + s1 + s2
        G = _direction(spec, xe, ye, be, np.concatenate([scx, scy, scb]))
        w = _nddf_weights(spec, G, D) if model == "nddf" else None
        form = _ddf(xe, ye, be, xr, yr, br, spec, G, w)
        eng = Engine(form, reduce=reduce, start=start)
        if model == "nddf":
            out.betas = np.full((n, D), np.nan)
            info["weights"] = w.tolist() if w is not None else None
        sc_all = np.concatenate([scx, scy, scb])
        Gr = G * sc_all
        for k in range(n):
            sol = eng.solve_unit(k)
            out.status[k] = sol.status
            out.iterations[k], out.n_lp[k] = sol.iterations, sol.n_lp
            if sol.status == "optimal":
                if model == "ddf":
                    b = float(sol.z[0])
                    move = b * Gr[k]
                else:
                    bd = sol.z.copy()
                    out.betas[k] = bd
                    b = float(np.dot(w, bd))
                    move = bd * Gr[k]
                out.beta[k] = b
                out.efficiency[k] = 1.0 / (1.0 + b) if b > -1.0 else np.nan
                tx = Xe[k] + move[:m]
                ty = Ye[k] + move[m : m + s1]
                tb = Be[k] + move[m + s1 :]
                out.targets_x[k], out.targets_y[k], out.targets_b[k] = tx, ty, tb
                rv = sol.row_value
                out.slacks_x[k] = np.maximum(Xe[k] - rv[:m] * scx, 0.0)
                out.slacks_y[k] = np.maximum(rv[m : m + s1] * scy - Ye[k], 0.0)
                out.slacks_b[k] = 0.0
                lam_by_unit[k] = (sol.lam_idx, sol.lam_val)
            tick(k)
        info["frame_size"] = int(eng.frame.size)
        info["fallbacks"] = eng.n_fallback
        info["farkas_rounds"] = eng.n_farkas
    if return_lambdas:
        rows, cols, vals = [], [], []
        for k, (idx, val) in lam_by_unit.items():
            rows.append(np.full(idx.size, k))
            cols.append(idx)
            vals.append(val)
        if rows:
            out.lambdas = sp.csr_matrix(
                (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                shape=(n, Xr.shape[0]),
            )
        else:
            out.lambdas = sp.csr_matrix((n, Xr.shape[0]))
    out.status = out.status.astype(str)
    out.info = info
    return out


def _concat(parts: Sequence[DEAArrays]) -> DEAArrays:
    first = parts[0]
    kw: dict[str, Any] = {}
    for name in _ROW_FIELDS:
        kw[name] = np.concatenate([getattr(p, name) for p in parts], axis=0)
    kw["betas"] = (
        None if first.betas is None else np.concatenate([p.betas for p in parts], axis=0)
    )
    kw["lambdas"] = (
        None if first.lambdas is None else sp.vstack([p.lambdas for p in parts]).tocsr()
    )
    kw["info"] = {"chunks": [p.info for p in parts]}
    return DEAArrays(**kw)


def solve(
    X_eval: Any,
    Y_eval: Any,
    B_eval: Any,
    X_ref: Any,
    Y_ref: Any,
    B_ref: Any,
    spec: DEASpec,
    *,
    self_index: np.ndarray | None = None,
    reduce: bool = True,
    return_lambdas: bool = False,
    dask: Any = None,
    chunks: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DEAArrays:
    """Solve a DEA program for every evaluated unit against one reference technology.

    Parameters
    ----------
    X_eval, Y_eval, B_eval : array-like
        Evaluated units: inputs ``(n_eval, m)``, good outputs ``(n_eval, s1)``, bad outputs
        ``(n_eval, s2)`` or ``None``.
    X_ref, Y_ref, B_ref : array-like
        Observations that span the technology (``B_ref`` ``None`` iff ``B_eval`` is).
    spec : DEASpec
        Model, returns to scale, orientation, direction, super-efficiency mode.
    self_index : ndarray of int, optional
        For each evaluated row, its row in the reference set, or -1. Used to remove the
        evaluated unit from its reference set in super-SBM. ``None``: when the evaluated and
        reference arrays are identical, row ``i`` is reference row ``i``; otherwise no
        exclusion.
    reduce : bool
        Exact reference-set reduction by column generation (:mod:`.frame`); same answers.
    return_lambdas : bool
        Return the intensities as a sparse ``(n_eval, n_ref)`` matrix.
    dask : None, "threads", "processes" or a ``dask.distributed.Client``
        Split the evaluated rows into chunks solved in parallel, each with its own model.
    chunks : int, optional
        Number of chunks for ``dask`` (default: 2 per worker thread or process).
    progress : callable, optional
        ``progress(done, total)`` after each evaluated unit (serial) or chunk (dask).

    Returns
    -------
    DEAArrays

    Notes
    -----
    Units are solved in an order that keeps similar units together (fewer warm-started
    simplex iterations, :func:`~nqpf.efficiency.dea.frame.eval_order`); results come back
    in the caller's row order. ``dask="threads"`` gains little (the Python loop holds the
    GIL); use ``"processes"`` or a Client for large problems.

    Evaluated points outside the reference technology: radial and DDF programs return
    theta > 1 / beta < 0 (or status ``"infeasible"`` under VRS where no feasible
    projection exists); SBM with ``spec.outside == "super"`` switches to the super-SBM
    program for such points (score > 1). See the module docstring for every program.
    """
    if not isinstance(spec, DEASpec):
        raise DataError("spec must be a DEASpec, e.g. DEASpec(model='sbm', rts='vrs')")
    Xe = _as2d(X_eval, "X_eval")
    n = Xe.shape[0]
    Ye = _as2d(Y_eval, "Y_eval", n)
    Xr = _as2d(X_ref, "X_ref")
    nr = Xr.shape[0]
    Yr = _as2d(Y_ref, "Y_ref", nr)
    if (B_eval is None) != (B_ref is None):
        raise DataError(
            "give bad outputs for both the evaluated and the reference units, or neither"
        )
    Be = _as2d(B_eval, "B_eval", n) if B_eval is not None else np.zeros((n, 0))
    Br = _as2d(B_ref, "B_ref", nr) if B_ref is not None else np.zeros((nr, 0))
    if Xe.shape[1] != Xr.shape[1] or Ye.shape[1] != Yr.shape[1] or Be.shape[1] != Br.shape[1]:
        raise DataError(
            f"evaluated and reference data differ in columns: inputs {Xe.shape[1]} vs "
            f"{Xr.shape[1]}, outputs {Ye.shape[1]} vs {Yr.shape[1]}, bad outputs "
            f"{Be.shape[1]} vs {Br.shape[1]}"
        )
    if nr == 0:
        raise DataError("the reference set is empty")
    if Ye.shape[1] + Be.shape[1] == 0:
        raise DataError("give at least one output")
    if self_index is None:
        same = (
            n == nr and np.array_equal(Xe, Xr) and np.array_equal(Ye, Yr)
            and np.array_equal(Be, Br)
        )
        sidx = np.arange(n) if same else np.full(n, -1)
    else:
        sidx = np.asarray(self_index, dtype=np.int64).reshape(-1)
        if sidx.shape[0] != n or np.any(sidx >= nr) or np.any(sidx < -1):
            raise DataError(
                f"self_index must have {n} entries, each a reference row (0..{nr - 1}) or -1"
            )
    if spec.model in ("ddf", "nddf"):
        _direction(spec, Xe, Ye, Be, np.ones(Xe.shape[1] + Ye.shape[1] + Be.shape[1]))
    nd = spec.nondiscretionary
    if nd and (max(nd) >= Xe.shape[1] or len(nd) == Xe.shape[1]):
        raise DataError(
            f"non-discretionary inputs {list(nd)}: give positions among the {Xe.shape[1]} "
            "inputs and leave at least one input discretionary"
        )
    # evaluate similar units one after another (fewer simplex iterations); results are
    # returned in the caller's order
    Zs = np.hstack([Xe / _scale(Xr, Xe), Ye / _scale(Yr, Ye), Be / _scale(Br, Be)])
    perm = _frame.eval_order(Zs)
    Xp, Yp, Bp = Xe[perm], Ye[perm], Be[perm]
    sp = _chunk_spec(spec, perm)
    if dask is None or n < 2:
        res = _solve_serial(Xp, Yp, Bp, Xr, Yr, Br, sp, sidx[perm], reduce, return_lambdas,
                            progress)
    else:
        res = _solve_dask(Xp, Yp, Bp, Xr, Yr, Br, sp, sidx[perm], reduce, return_lambdas,
                          progress, dask, chunks)
    return _unpermute(res, perm)


_ROW_FIELDS = (
    "efficiency", "status", "theta", "phi", "beta", "rho", "slacks_x", "slacks_y",
    "slacks_b", "targets_x", "targets_y", "targets_b", "super_used", "iterations", "n_lp",
)


def _unpermute(res: DEAArrays, perm: np.ndarray) -> DEAArrays:
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    for name in _ROW_FIELDS:
        setattr(res, name, getattr(res, name)[inv])
    if res.betas is not None:
        res.betas = res.betas[inv]
    if res.lambdas is not None:
        res.lambdas = res.lambdas[inv]
    return res


def _chunk_spec(spec: DEASpec, idx: slice | np.ndarray) -> DEASpec:
    d = spec.direction_array
    if d is None or d.ndim == 1:
        return spec
    return DEASpec(model=spec.model, rts=spec.rts, orientation=spec.orientation,
                   direction=d[idx], super_mode=spec.super_mode, weights=spec.weights,
                   outside=spec.outside, bad_disposal=spec.bad_disposal,
                   normalise_weights=spec.normalise_weights,
                   nondiscretionary=spec.nondiscretionary)


def _solve_dask(
    Xe: np.ndarray, Ye: np.ndarray, Be: np.ndarray, Xr: np.ndarray, Yr: np.ndarray,
    Br: np.ndarray, spec: DEASpec, sidx: np.ndarray, reduce: bool, return_lambdas: bool,
    progress: Callable[[int, int], None] | None, dask_opt: Any, chunks: int | None,
) -> DEAArrays:
    import os

    _dask = require("dask", "dask", "DEA on Dask")

    n = Xe.shape[0]
    if isinstance(dask_opt, str):
        if dask_opt not in ("threads", "processes"):
            raise DataError(f"unknown dask option {dask_opt!r}; choose 'threads', 'processes' "
                            "or pass a dask.distributed Client")
        workers = os.cpu_count() or 1
    else:
        try:
            workers = max(1, sum(dask_opt.nthreads().values()))
        except AttributeError as exc:
            raise DataError("dask must be None, 'threads', 'processes' or a Client") from exc
    nchunks = max(1, min(n, chunks or 2 * workers))
    bounds = np.linspace(0, n, nchunks + 1).astype(int)
    tasks = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if b <= a:
            continue
        sl = slice(int(a), int(b))
        tasks.append(
            _dask.delayed(_solve_serial)(
                Xe[sl], Ye[sl], Be[sl], Xr, Yr, Br, _chunk_spec(spec, sl), sidx[sl], reduce,
                return_lambdas, None,
            )
        )
    if isinstance(dask_opt, str):
        parts = _dask.compute(*tasks, scheduler=dask_opt)
    else:
        futures = dask_opt.compute(tasks)
        parts = dask_opt.gather(futures)
    if progress is not None:
        progress(n, n)
    return _concat(list(parts))
