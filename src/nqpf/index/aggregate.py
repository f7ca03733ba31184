"""Aggregation of one node's children into a composite score per observation.

The composite-index engine calls :func:`aggregate` once per node of the indicator
tree with the node's children as columns of ``Z``: normalised, direction-adjusted
data (larger is better) with one row per observation (unit-period). Every method
is vectorised over observations and NaN-aware.

Methods
-------
``sum``, ``geometric``, ``harmonic``, ``generalised``
    Weighted power means (Hardy, Littlewood & Pólya 1934, *Inequalities*, ch. 2;
    OECD/JRC 2008, *Handbook on Constructing Composite Indicators*, sec. 6).
``topsis``
    Hwang & Yoon (1981), *Multiple Attribute Decision Making*, Springer LNEMS 186.
``gra``
    Grey relational analysis, Deng (1982) "Control problems of grey systems",
    *Systems & Control Letters* 1(5); Deng (1989) "Introduction to grey system
    theory", *Journal of Grey System* 1(1).
``vikor``
    Opricovic & Tzeng (2004), *European Journal of Operational Research* 156(2).
``mpi``
    Mazziotta & Pareto (2016), *Social Indicators Research* 127(3), 983-1003.
``copeland``
    Copeland (1951) pairwise majority rule, as used for composite indicators in
    OECD/JRC (2008) sec. 6.

Reference sets
--------------
TOPSIS, GRA, VIKOR, MPI and Copeland compare an observation with others. The
comparison set is given by ``groups``: observations with the same label share
ideal points, standardisation moments or a tournament. The engine passes the
period index for per-period ("cross-section") ideal points, or all zeros for
pooled ones. The pooled choice is the "panel" or "vertical-and-horizontal"
variant (全局/纵横向) common in Chinese NQPF papers: one ideal point over all
units and years, so scores are comparable over time. ``groups=None`` means one
reference set.

Missing cells
-------------
``missing="renormalise"`` (default): an observation is scored on its observed
children, with the weights renormalised over them
(``w_ij = w_j / s_i``, ``s_i = Σ_{j observed} w_j``). If the observed weight
share ``s_i`` is below ``min_share`` (default 0.5), or zero, the observation's
score is NaN and its row index is listed in ``details["insufficient"]``. One
missing cell therefore changes only its own observation's score, except through
the reference set: ideal points (TOPSIS, GRA, VIKOR) and MPI moments use every
observed cell of the reference set, including cells of insufficient
observations, so a missing cell that held a column's extreme (or any cell, for
MPI's mean and SD) can move other observations' scores; it never turns them
into NaN. VIKOR's best and worst S and R and Copeland's tournament use
sufficient observations only. ``missing="error"`` raises :class:`DataError`
naming the observation (row) and column of the first missing cells.

Children with zero weight take no part: their cells are not checked for zeros,
missing values or negatives and they do not enter GRA's Δmin and Δmax.
Infinite values always raise :class:`DataError`.

Explain arrays
--------------
``details`` holds the intermediate arrays of a method. With ``keep_arrays=False``
the arrays with one row per observation *and* one column per child (TOPSIS ``V``,
GRA ``xi`` and ``delta``, MPI ``standardised``) are left out; per-observation
vectors (``d_plus``, ``M``, ...) and per-group arrays stay, and the scores are the
same. Complete data (no NaN) take a fast path without masks; it gives the same
numbers as the NaN-aware path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nqpf.errors import DataError

from .normalise import column_op, column_reduce, column_summary, readonly, row_blocks

__all__ = ["METHODS", "AggregateResult", "aggregate", "mpi_standardise"]

METHODS: tuple[str, ...] = (
    "sum",
    "geometric",
    "harmonic",
    "generalised",
    "topsis",
    "gra",
    "vikor",
    "mpi",
    "copeland",
)
_MEANS = ("sum", "geometric", "harmonic", "generalised")
_MISSING = ("renormalise", "error")
_WEIGHT_TOL = 1e-9
_SHARE_TOL = 1e-12
_TIE_TOL = 1e-12
_DEFAULT_SHIFT = 1e-4
_COPELAND_CHUNK_BYTES = 64 * 2**20

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class AggregateResult:
    """Scores of one aggregation and the intermediate arrays that made them.

    Attributes
    ----------
    scores : ndarray of shape (n_obs,)
        One score per observation, larger is better for every method (VIKOR
        returns ``1 - Q``); NaN for observations listed in
        ``details["insufficient"]``.
    method : str
        The method name as passed to :func:`aggregate`.
    details : dict
        Intermediate arrays for an explain mode (the (n_obs, k) ones only with
        ``keep_arrays=True``; see the module notes). Always present:
        ``observed_share`` (n_obs,), the weight share of observed children;
        ``insufficient``, the row indices scored NaN for too little data.
        Methods with reference sets add ``group_labels`` (n_groups,) and
        ``group_index`` (n_obs,), the position of each observation's label in
        ``group_labels``; per-group arrays are indexed by that position.
    params : dict
        The conventions used (method options, ``missing``, ``min_share``).
    """

    scores: FloatArray
    method: str
    details: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        n = self.scores.shape[0]
        n_nan = int(np.isnan(self.scores).sum())
        return f"AggregateResult(method={self.method!r}, n_obs={n}, n_nan={n_nan})"


# --------------------------------------------------------------------------------------
# Preparation shared by every method


class _Groups:
    """Row partition into reference sets with NaN-aware per-group reductions."""

    def __init__(self, groups: ArrayLike | None, n: int) -> None:
        self.n = n
        if groups is None:
            self.labels: NDArray[Any] = np.zeros(1, dtype=np.intp)
            self.inv: NDArray[np.intp] = np.zeros(n, dtype=np.intp)
        else:
            g = np.asarray(groups)
            if g.ndim != 1 or g.shape[0] != n:
                raise DataError(
                    f"groups must be a 1-D array with one label per observation ({n}), "
                    f"got shape {g.shape}"
                )
            if g.dtype.kind not in "iub":
                raise DataError(
                    "groups must hold integer labels of reference sets (e.g. the period "
                    f"index, or all zeros for pooled ideal points), got dtype {g.dtype}"
                )
            if n and g.min() == g.max():  # one reference set (pooled): no sort needed
                self.labels, self.inv = g[:1].copy(), np.zeros(n, dtype=np.intp)
            else:
                self.labels, inv = np.unique(g, return_inverse=True)
                self.inv = inv.astype(np.intp).reshape(n)
        self.n_groups = int(self.labels.shape[0])
        self.single = self.n_groups == 1
        if not self.single:
            self.order = np.argsort(self.inv, kind="stable")
            counts = np.bincount(self.inv, minlength=self.n_groups)
            self.starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)

    def reduce(self, ufunc: np.ufunc, x: NDArray[Any]) -> NDArray[Any]:
        """Reduce rows of ``x`` (n, ...) per group with ``ufunc`` -> (n_groups, ...)."""
        if self.single:
            if x.ndim == 2:
                return column_reduce(ufunc, x)[None, :]
            return ufunc.reduce(x, axis=0, keepdims=True)
        return ufunc.reduceat(x[self.order], self.starts, axis=0)

    def expand(self, a: NDArray[Any]) -> NDArray[Any]:
        """Per-group array (n_groups, ...) -> per-observation array (n, ...)."""
        if self.single:
            return np.broadcast_to(a[0], (self.n, *a.shape[1:]))
        return a[self.inv]

    def members(self) -> list[NDArray[np.intp]]:
        """Row indices of each group, in label order."""
        if self.single:
            return [np.arange(self.n, dtype=np.intp)]
        ends = np.append(self.starts[1:], self.n)
        return [self.order[s:e] for s, e in zip(self.starts, ends, strict=True)]

    def details(self) -> dict[str, Any]:
        return {"group_labels": self.labels.copy(), "group_index": self.inv.copy()}


@dataclass
class _Prep:
    Z: FloatArray  # (n, k) read-only float view (never written), NaN = missing
    w: FloatArray  # (k,)
    d: FloatArray  # (k,) +1 benefit, -1 cost
    observed: NDArray[np.bool_]  # (n, k); a read-only broadcast of True when complete
    active: NDArray[np.bool_]  # (k,) w > 0
    share: FloatArray  # (n,) observed weight share
    ok: NDArray[np.bool_]  # (n,) enough observed weight
    groups: _Groups
    col_min: FloatArray  # (k,) column minima of Z (NaN if the column has a NaN)
    col_max: FloatArray  # (k,) column maxima of Z
    complete: bool  # no NaN in Z: the fast path (no masks)
    keep_arrays: bool  # build the (n, k) explain arrays

    @property
    def any_missing(self) -> bool:
        return not self.complete and not bool(self.observed[:, self.active].all())

    def renormalised(self) -> FloatArray:
        """Per-observation weights over observed children, summing to 1; 0 elsewhere."""
        wr = np.where(self.observed, self.w, 0.0)
        denom = np.where(self.ok, self.share, 1.0)
        wr /= denom[:, None]
        wr[~self.ok] = 0.0
        return wr


def _prepare(
    Z: ArrayLike,
    w: ArrayLike,
    groups: ArrayLike | None,
    directions: ArrayLike | None,
    missing: str,
    min_share: float,
    keep_arrays: bool = True,
) -> _Prep:
    try:
        Zc = readonly(np.asarray(Z, dtype=np.float64))  # used without a copy, never written
    except (TypeError, ValueError) as exc:
        raise DataError(f"Z must be a numeric 2-D array (observations x children): {exc}") from exc
    if Zc.ndim != 2:
        raise DataError(f"Z must be 2-D (observations x children), got shape {Zc.shape}")
    n, k = Zc.shape
    if k == 0:
        raise DataError("Z has no columns: a node needs at least one child to aggregate")
    try:
        wa = np.array(w, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise DataError(f"w must be a numeric 1-D array of weights: {exc}") from exc
    if wa.ndim != 1 or wa.shape[0] != k:
        raise DataError(f"w must have one weight per column of Z ({k}), got shape {wa.shape}")
    if not np.isfinite(wa).all():
        raise DataError(f"weights must be finite, got {wa.tolist()}")
    if (wa < 0).any():
        bad = np.flatnonzero(wa < 0).tolist()
        raise DataError(f"weights must be non-negative; columns {bad} have {wa[bad].tolist()}")
    total = float(wa.sum())
    if abs(total - 1.0) > _WEIGHT_TOL:
        raise DataError(
            f"weights must sum to 1 (within {_WEIGHT_TOL:g}), they sum to {total!r}; "
            "divide them by their sum"
        )
    if directions is None:
        d = np.ones(k)
    else:
        d = np.array(directions, dtype=np.float64, copy=True)
        if d.shape != (k,) or not np.isin(d, (-1.0, 1.0)).all():
            raise DataError(
                f"directions must hold +1 (benefit) or -1 (cost) for each of the {k} "
                f"columns, got {np.asarray(directions).tolist()}"
            )
    if missing not in _MISSING:
        raise DataError(f"missing must be one of {_MISSING}, got {missing!r}")
    if not 0.0 <= float(min_share) <= 1.0:
        raise DataError(f"min_share must lie in [0, 1], got {min_share!r}")

    active = wa > 0
    col_min, col_max = column_summary(Zc, sums=False)
    # no NaN and no infinity (they reach the column extremes): the fast path
    complete = bool(np.isfinite(col_min).all() and np.isfinite(col_max).all())
    if complete:
        # every observation observes every child: no mask, one weight share for all
        observed: NDArray[np.bool_] = np.broadcast_to(np.True_, Zc.shape)
        share = np.full(n, float(np.ones(k) @ wa))
    else:
        inf = np.isinf(Zc)
        if inf.any():
            i, j = np.argwhere(inf)[0]
            raise DataError(
                f"Z holds {int(inf.sum())} infinite value(s), first at observation {i}, "
                f"column {j}; check divisions by zero in per-capita or ratio indicators"
            )
        observed = ~np.isnan(Zc)
        if missing == "error":
            gaps = ~observed & active
            if gaps.any():
                where = np.argwhere(gaps)
                shown = ", ".join(f"(observation {i}, column {j})" for i, j in where[:5])
                more = f" and {len(where) - 5} more" if len(where) > 5 else ""
                raise DataError(
                    f"{len(where)} missing value(s) with missing='error': {shown}{more}; "
                    "impute them or use missing='renormalise'"
                )
        share = observed.astype(np.float64) @ wa
    ok = (share > 0) & (share >= float(min_share) - _SHARE_TOL)
    return _Prep(
        Z=Zc,
        w=wa,
        d=d,
        observed=observed,
        active=active,
        share=share,
        ok=ok,
        groups=_Groups(groups, n),
        col_min=col_min,
        col_max=col_max,
        complete=complete,
        keep_arrays=keep_arrays,
    )


def _first_cells(mask: NDArray[np.bool_], limit: int = 3) -> str:
    where = np.argwhere(mask)
    shown = ", ".join(f"(observation {i}, column {j})" for i, j in where[:limit])
    more = f" and {len(where) - limit} more" if len(where) > limit else ""
    return f"{len(where)} cell(s): {shown}{more}"


def _cells_used(p: _Prep) -> NDArray[np.bool_]:
    """Cells that enter a mean: observed, positive weight, sufficient observation."""
    return p.observed & p.active & p.ok[:, None]


# --------------------------------------------------------------------------------------
# Power means


def _positive_data(p: _Prep, method: str, zeros: str, shift: float) -> tuple[FloatArray, float]:
    """Check the data for a mean that needs positive values; apply the shift."""
    if zeros not in ("error", "shift"):
        raise DataError(f"zeros must be 'error' or 'shift', got {zeros!r}")
    used = _cells_used(p)
    neg = used & (p.Z < 0)
    if neg.any():
        raise DataError(
            f"{method} aggregation needs non-negative, direction-adjusted data but Z has "
            f"negative values in {_first_cells(neg)}; normalise with min-max first"
        )
    if zeros == "shift":
        if not (np.isfinite(shift) and shift > 0):
            raise DataError(f"shift must be a positive number, got {shift!r}")
        return p.Z + shift, float(shift)
    zero = used & (p.Z == 0)
    if zero.any():
        raise DataError(
            f"{method} aggregation needs strictly positive values but Z has zeros in "
            f"{_first_cells(zero)}. Min-max normalisation gives 0 to the worst unit on every "
            "indicator, so this is expected after min-max: pass zeros='shift' (adds shift="
            f"{_DEFAULT_SHIFT:g} to every cell), rescale the normalisation to [0.002, 0.996], "
            "or use the arithmetic mean (method='sum')"
        )
    return p.Z, 0.0


def _weighted_mean_of(p: _Prep, values: FloatArray) -> FloatArray:
    """Σ_j w_ij v_ij with weights renormalised over observed children (NaN-safe)."""
    vals = np.where(p.observed, values, 0.0)
    vals[:, ~p.active] = 0.0
    denom = np.where(p.ok, p.share, 1.0)
    return (vals @ p.w) / denom


def _sum(p: _Prep) -> tuple[FloatArray, dict[str, Any], dict[str, Any]]:
    """Weighted arithmetic mean ``Σ_j w_j z_ij`` (OECD/JRC 2008, sec. 6.1)."""
    return _weighted_mean_of(p, p.Z), {}, {}


def _geometric(
    p: _Prep, zeros: str = "error", shift: float = _DEFAULT_SHIFT
) -> tuple[FloatArray, dict[str, Any], dict[str, Any]]:
    """Weighted geometric mean ``Π_j z_ij^w_j = exp(Σ_j w_j ln z_ij)``."""
    Zs, used_shift = _positive_data(p, "geometric", zeros, shift)
    safe = np.where(_cells_used(p) & (Zs > 0), Zs, 1.0)
    scores = np.exp(_weighted_mean_of(p, np.log(safe)))
    return scores, {"shift": used_shift}, {"zeros": zeros, "shift": used_shift}


def _harmonic(
    p: _Prep, zeros: str = "error", shift: float = _DEFAULT_SHIFT
) -> tuple[FloatArray, dict[str, Any], dict[str, Any]]:
    """Weighted harmonic mean ``1 / Σ_j (w_j / z_ij)``."""
    Zs, used_shift = _positive_data(p, "harmonic", zeros, shift)
    safe = np.where(_cells_used(p) & (Zs > 0), Zs, 1.0)
    scores = 1.0 / _weighted_mean_of(p, 1.0 / safe)
    return scores, {"shift": used_shift}, {"zeros": zeros, "shift": used_shift}


def _generalised(
    p: _Prep, r: float | None = None, zeros: str = "error", shift: float = _DEFAULT_SHIFT
) -> tuple[FloatArray, dict[str, Any], dict[str, Any]]:
    """Weighted power mean ``(Σ_j w_j z_ij^r)^(1/r)``; r = 0 is the geometric limit."""
    if r is None:
        raise DataError(
            "method='generalised' needs the exponent r (r=1 arithmetic, r=0 geometric, "
            "r=-1 harmonic)"
        )
    r = float(r)
    if not np.isfinite(r):
        raise DataError(f"r must be a finite number, got {r!r}")
    if r == 0.0:
        scores, det, par = _geometric(p, zeros=zeros, shift=shift)
        return scores, det, {**par, "r": r}
    if r == 1.0:
        return _sum(p)[0], {"shift": 0.0}, {"r": r}
    if r < 0:
        Zs, used_shift = _positive_data(p, f"generalised (r={r:g})", zeros, shift)
    else:
        if zeros not in ("error", "shift"):
            raise DataError(f"zeros must be 'error' or 'shift', got {zeros!r}")
        neg = _cells_used(p) & (p.Z < 0)
        if neg.any():
            raise DataError(
                f"generalised aggregation with r={r:g} needs non-negative data but Z has "
                f"negative values in {_first_cells(neg)}; normalise with min-max first"
            )
        # zeros are harmless for r > 0; a requested shift is still applied
        Zs, used_shift = (p.Z + shift, float(shift)) if zeros == "shift" else (p.Z, 0.0)
    safe = np.where(_cells_used(p), Zs, 1.0)
    with np.errstate(divide="ignore"):
        scores = _weighted_mean_of(p, safe**r) ** (1.0 / r)
    return scores, {"shift": used_shift}, {"r": r, "zeros": zeros, "shift": used_shift}


# --------------------------------------------------------------------------------------
# Methods with reference sets


def _extremes(p: _Prep) -> tuple[FloatArray, FloatArray]:
    """Per-group column maxima and minima of ``Z · d`` over observed cells (NaN if none).

    Taken from the maxima and minima of ``Z`` itself (the maximum of ``-z`` is minus
    the minimum of ``z``, exactly), so that ``Z · d`` is never formed.
    """
    if p.groups.single and p.complete:
        zmax, zmin = p.col_max[None, :], p.col_min[None, :]
    else:
        zmax, zmin = p.groups.reduce(np.fmax, p.Z), p.groups.reduce(np.fmin, p.Z)
    up = p.d > 0
    return np.where(up, zmax, -zmin), np.where(up, zmin, -zmax)


def _distances(p: _Prep, *points: FloatArray) -> list[FloatArray]:
    """Weighted Euclidean distances ``sqrt(Σ_j w_j² (z_ij d_j - a_gj)²)`` over observed j.

    One distance vector (n_obs,) per point; a point (n_groups, k) is in ``Z · d``
    units and ``g`` is the group of row ``i``. The differences are taken as
    ``z_ij - d_j a_gj`` (equal to ``d_j (z_ij d_j - a_gj)`` exactly, so the same
    squares), block by block of rows so that no (n_obs, k) temporary is made.
    """
    n, k = p.Z.shape

    def difference_to(point: FloatArray) -> Callable[[slice, FloatArray], FloatArray]:
        """``f(rows, out)``: ``z_ij - d_j a_gj`` for a block of rows, written to out."""
        target = point * p.d  # the point in the units of Z
        if p.groups.single:
            subtract = column_op(np.subtract, target[0])
            return lambda rows, out: subtract(p.Z[rows], out)
        return lambda rows, out: np.subtract(p.Z[rows], target[p.groups.inv[rows]], out=out)

    differences = [difference_to(point) for point in points]
    w2 = p.w * p.w
    squared = [np.empty(n) for _ in points]
    blocks = row_blocks(n, k)
    scratch = np.empty((blocks[0].stop if blocks else 0, k))
    for rows in blocks:
        for difference, out in zip(differences, squared, strict=True):
            diff = difference(rows, scratch[: rows.stop - rows.start])
            if not p.complete:
                diff[~p.observed[rows]] = 0.0
            diff *= diff
            np.dot(diff, w2, out=out[rows])
    return [np.sqrt(s) for s in squared]


def _topsis(p: _Prep) -> tuple[FloatArray, dict[str, Any], dict[str, Any]]:
    """TOPSIS closeness ``C_i = d⁻_i / (d⁺_i + d⁻_i)`` (Hwang & Yoon 1981)."""
    hi, lo = _extremes(p)  # ideal and anti-ideal points in Z·d units (d = -1: cost)
    d_plus, d_minus = _distances(p, hi, lo)
    denom = d_plus + d_minus
    tied = (denom == 0) & p.ok
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(denom > 0, d_minus / denom, 0.5)
    details: dict[str, Any] = {"V": p.Z * p.w} if p.keep_arrays else {}
    details |= {
        "ideal": hi * p.d * p.w,
        "anti_ideal": lo * p.d * p.w,
        "d_plus": d_plus,
        "d_minus": d_minus,
        "tied": np.flatnonzero(tied),
        **p.groups.details(),
    }
    return scores, details, {"distance": "euclidean", "tie_score": 0.5}


def _gra(p: _Prep, rho: float = 0.5) -> tuple[FloatArray, dict[str, Any], dict[str, Any]]:
    """Grey relational grade ``Σ_j w_j ξ_ij`` (Deng 1982, 1989)."""
    rho = float(rho)
    if not 0.0 < rho <= 1.0:
        raise DataError(f"rho (distinguishing coefficient) must lie in (0, 1], got {rho!r}")
    Ze = p.Z * p.d
    ref = p.groups.reduce(np.fmax, Ze)
    delta = np.abs(Ze - p.groups.expand(ref))  # NaN where missing
    da = np.where(p.active, delta, np.nan)
    dmin = np.fmin.reduce(p.groups.reduce(np.fmin, da), axis=1)
    dmax = np.fmax.reduce(p.groups.reduce(np.fmax, da), axis=1)
    Dmin, Dmax = p.groups.expand(dmin)[:, None], p.groups.expand(dmax)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        xi = np.where(Dmax > 0, (Dmin + rho * Dmax) / (delta + rho * Dmax), 1.0)
    xi[~p.observed] = np.nan
    wr = p.renormalised()
    scores = np.einsum("ij,ij->i", wr, np.where(p.observed, xi, 0.0))
    details: dict[str, Any] = {"xi": xi, "delta": delta} if p.keep_arrays else {}
    details |= {
        "reference": ref * p.d,
        "dmin": dmin,
        "dmax": dmax,
        **p.groups.details(),
    }
    return scores, details, {"rho": rho}


def _vikor(p: _Prep, v: float = 0.5) -> tuple[FloatArray, dict[str, Any], dict[str, Any]]:
    """VIKOR compromise index Q, returned as ``1 - Q`` (Opricovic & Tzeng 2004)."""
    v = float(v)
    if not 0.0 <= v <= 1.0:
        raise DataError(f"v (weight of the majority rule) must lie in [0, 1], got {v!r}")
    Ze = p.Z * p.d
    best, worst = _extremes(p)
    rng = best - worst
    B, Rg = p.groups.expand(best), p.groups.expand(rng)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.where(Rg > 0, (B - Ze) / Rg, 0.0)
    gap[~p.observed] = 0.0
    regret = p.renormalised() * gap
    S = regret.sum(axis=1)
    R = regret.max(axis=1)
    S[~p.ok] = np.nan
    R[~p.ok] = np.nan
    s_best, s_worst = p.groups.reduce(np.fmin, S), p.groups.reduce(np.fmax, S)
    r_best, r_worst = p.groups.reduce(np.fmin, R), p.groups.reduce(np.fmax, R)
    s_span, r_span = s_worst - s_best, r_worst - r_best
    g = p.groups.expand
    with np.errstate(invalid="ignore", divide="ignore"):
        qs = np.where(g(s_span) > 0, (S - g(s_best)) / g(s_span), 0.0)
        qr = np.where(g(r_span) > 0, (R - g(r_best)) / g(r_span), 0.0)
    Q = v * qs + (1.0 - v) * qr
    Q[~p.ok] = np.nan
    details = {
        "Q": Q,
        "S": S,
        "R": R,
        "f_best": best * p.d,
        "f_worst": worst * p.d,
        "S_best": s_best,
        "S_worst": s_worst,
        "R_best": r_best,
        "R_worst": r_worst,
        "degenerate_S": np.flatnonzero(~(s_span > 0)),
        "degenerate_R": np.flatnonzero(~(r_span > 0)),
        **p.groups.details(),
    }
    return 1.0 - Q, details, {"v": v, "score": "1 - Q"}


def _mpi_moments(
    Z: FloatArray, observed: NDArray[np.bool_], groups: _Groups, ddof: int
) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.bool_]]:
    """Standardise columns to 100 + 10 (x - mean)/sd per reference set."""
    Zf = np.where(observed, Z, 0.0)
    counts = groups.reduce(np.add, observed.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = groups.reduce(np.add, Zf) / counts
        dev = np.where(observed, Z - groups.expand(mean), 0.0)
        var = groups.reduce(np.add, dev * dev) / (counts - ddof)
    hi, lo = groups.reduce(np.fmax, Z), groups.reduce(np.fmin, Z)
    # a column is constant when its observed max equals its min (exact test: a
    # floating-point sd of a constant column need not be exactly 0)
    constant = ~(hi > lo) | ~(counts > ddof)
    sd = np.where(constant, 0.0, np.sqrt(var))
    sd_safe = groups.expand(np.where(constant, 1.0, sd))
    std = 100.0 + 10.0 * np.where(groups.expand(constant), 0.0, dev / sd_safe)
    std[~observed] = np.nan
    return std, mean, sd, constant


def mpi_standardise(
    X: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    directions: ArrayLike | None = None,
    ddof: int = 0,
) -> FloatArray:
    """Standardise columns to mean 100 and SD 10, as the Mazziotta-Pareto index needs.

    ``y_ij = 100 + 10 d_j (x_ij - M_j) / S_j`` with ``M_j`` and ``S_j`` the mean and
    standard deviation of column ``j`` over the observed cells of the reference
    set (Mazziotta & Pareto 2016, eq. 1; ``d_j = -1`` for negative polarity).

    Parameters
    ----------
    X : array_like, shape (n_obs, k)
        Data, NaN for missing cells (which stay NaN).
    groups : array_like of int, shape (n_obs,), optional
        Reference-set labels; None means one reference set.
    directions : array_like of {+1, -1}, shape (k,), optional
        Polarity of each column; -1 reverses it.
    ddof : int, default 0
        Delta degrees of freedom of the SD. 0 (population SD, dividing by n) is
        Mazziotta & Pareto's convention; 1 gives the sample SD.

    Returns
    -------
    ndarray, shape (n_obs, k)
        Standardised values. A column that is constant within a reference set
        (or has no more than ``ddof`` observed cells there) maps to 100.
    """
    Zc = np.array(X, dtype=np.float64, copy=True)
    if Zc.ndim != 2:
        raise DataError(f"X must be 2-D (observations x columns), got shape {Zc.shape}")
    if directions is not None:
        d = np.asarray(directions, dtype=np.float64)
        if d.shape != (Zc.shape[1],) or not np.isin(d, (-1.0, 1.0)).all():
            raise DataError("directions must hold +1 or -1 for each column of X")
        Zc *= d
    if np.isinf(Zc).any():
        raise DataError("X holds infinite values; MPI standardisation needs finite data")
    if ddof not in (0, 1):
        raise DataError(f"ddof must be 0 (population SD) or 1 (sample SD), got {ddof!r}")
    return _mpi_moments(Zc, ~np.isnan(Zc), _Groups(groups, Zc.shape[0]), ddof)[0]


def _mpi(
    p: _Prep, polarity: str = "positive", ddof: int = 0, standardise: bool = True
) -> tuple[FloatArray, dict[str, Any], dict[str, Any]]:
    """Mazziotta-Pareto index ``M_i ∓ S_i cv_i`` (Mazziotta & Pareto 2016)."""
    if polarity not in ("positive", "negative"):
        raise DataError(f"polarity must be 'positive' or 'negative', got {polarity!r}")
    if ddof not in (0, 1):
        raise DataError(f"ddof must be 0 (population SD) or 1 (sample SD), got {ddof!r}")
    Ze = p.Z * p.d
    if standardise:
        Y, mean, sd, constant = _mpi_moments(Ze, p.observed, p.groups, ddof)
    else:
        Y, mean, sd, constant = Ze, None, None, None
    wr = p.renormalised()
    Yf = np.where(p.observed, Y, 0.0)
    M = np.einsum("ij,ij->i", wr, Yf)
    dev = np.where(p.observed, Yf - M[:, None], 0.0)
    S = np.sqrt(np.einsum("ij,ij->i", wr, dev * dev))
    bad = p.ok & ~(M > 0)
    if bad.any():
        raise DataError(
            f"the Mazziotta-Pareto index needs a positive mean of standardised values, but "
            f"observations {np.flatnonzero(bad)[:5].tolist()} have M <= 0 (extreme outliers "
            "in a large reference set); winsorise the data or use another method"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.where(p.ok, S / M, np.nan)
    sign = -1.0 if polarity == "positive" else 1.0
    scores = M + sign * S * cv
    details: dict[str, Any] = {"standardised": Y} if p.keep_arrays else {}
    details |= {"M": M, "S": S, "cv": cv}
    if standardise:
        details |= {"column_mean": mean, "column_sd": sd, "constant": constant}
    details |= p.groups.details()
    params = {"polarity": polarity, "ddof": ddof, "standardise": standardise}
    return scores, details, params


def _copeland(
    p: _Prep, chunk_bytes: int = _COPELAND_CHUNK_BYTES
) -> tuple[FloatArray, dict[str, Any], dict[str, Any]]:
    """Copeland score: pairwise weighted-majority wins minus losses (Copeland 1951)."""
    if int(chunk_bytes) < 1:
        raise DataError(f"chunk_bytes must be a positive integer, got {chunk_bytes!r}")
    n = p.Z.shape[0]
    Ze = (p.Z * p.d)[:, p.active]
    wa = p.w[p.active]
    k = wa.shape[0]
    wins = np.zeros(n)
    losses = np.zeros(n)
    ties = np.zeros(n)
    for rows in p.groups.members():
        idx = rows[p.ok[rows]]
        m = idx.shape[0]
        if m == 0:
            continue
        Zg = Ze[idx]
        has_nan = bool(np.isnan(Zg).any())
        step = max(1, int(chunk_bytes) // max(1, m * k * 8))
        for a0 in range(0, m, step):
            diff = Zg[a0 : a0 + step, None, :] - Zg[None, :, :]
            np.sign(diff, out=diff)
            if has_nan:  # a pair compares on the columns both observe
                np.nan_to_num(diff, copy=False, nan=0.0)
            margin = diff @ wa  # weight where a beats b minus weight where b beats a
            won = (margin > _TIE_TOL).sum(axis=1)
            lost = (margin < -_TIE_TOL).sum(axis=1)
            sel = idx[a0 : a0 + step]
            wins[sel] = won
            losses[sel] = lost
            ties[sel] = (m - 1) - won - lost  # the self-comparison is not a tie
    for arr in (wins, losses, ties):
        arr[~p.ok] = np.nan
    scores = wins - losses
    details = {"wins": wins, "losses": losses, "ties": ties, **p.groups.details()}
    return scores, details, {"tie_tolerance": _TIE_TOL}


_Method = Callable[..., tuple[FloatArray, dict[str, Any], dict[str, Any]]]
_DISPATCH: dict[str, tuple[_Method, frozenset[str]]] = {
    "sum": (_sum, frozenset()),
    "geometric": (_geometric, frozenset({"zeros", "shift"})),
    "harmonic": (_harmonic, frozenset({"zeros", "shift"})),
    "generalised": (_generalised, frozenset({"r", "zeros", "shift"})),
    "topsis": (_topsis, frozenset()),
    "gra": (_gra, frozenset({"rho"})),
    "vikor": (_vikor, frozenset({"v"})),
    "mpi": (_mpi, frozenset({"polarity", "ddof", "standardise"})),
    "copeland": (_copeland, frozenset({"chunk_bytes"})),
}


def aggregate(
    Z: ArrayLike,
    w: ArrayLike,
    method: str = "sum",
    *,
    groups: ArrayLike | None = None,
    directions: ArrayLike | None = None,
    missing: str = "renormalise",
    min_share: float = 0.5,
    keep_arrays: bool = True,
    **kw: Any,
) -> AggregateResult:
    r"""Aggregate one node's children into one score per observation.

    Parameters
    ----------
    Z : array_like, shape (n_obs, k)
        Normalised, direction-adjusted data (larger is better) of the node's
        children; NaN marks a missing cell. Not modified.
    w : array_like, shape (k,)
        Non-negative weights summing to 1 (within 1e-9).
    method : str, default "sum"
        One of :data:`METHODS` (see below).
    groups : array_like of int, shape (n_obs,), optional
        Labels of reference sets for methods that compare observations (topsis,
        gra, vikor, mpi, copeland): the period index for per-period ideal points,
        all zeros (or None) for pooled ones, the "panel" TOPSIS of Chinese NQPF
        papers. Ignored by the means.
    directions : array_like of {+1, -1}, shape (k,), optional
        Only for data that are not direction-adjusted (e.g. vector-normalised):
        -1 marks a cost column whose ideal is the minimum. Honoured by topsis,
        gra, vikor, mpi (negative polarity) and copeland; the means refuse -1.
    missing : {"renormalise", "error"}, default "renormalise"
        Handling of NaN cells; see the module notes.
    min_share : float, default 0.5
        Least observed weight share for a score under ``missing="renormalise"``.
    keep_arrays : bool, default True
        Keep the (n_obs, k) explain arrays in ``details``: TOPSIS ``V``, GRA
        ``xi`` and ``delta``, MPI ``standardised``. False leaves them out (the
        engine passes False unless explain tables are asked for); scores and
        the other details are the same.
    **kw
        Method options:

        - geometric, harmonic: ``zeros`` ("error" default | "shift"), ``shift``
          (default 1e-4, added to every cell when ``zeros="shift"``; scores are
          then on the shifted scale).
        - generalised: ``r`` (required), ``zeros``, ``shift``.
        - gra: ``rho`` in (0, 1], default 0.5.
        - vikor: ``v`` in [0, 1], default 0.5.
        - mpi: ``polarity`` ("positive" default | "negative"), ``ddof`` (0
          default, population SD | 1), ``standardise`` (True default).
        - copeland: ``chunk_bytes`` (memory cap of one pairwise block, default
          64 MiB).

        An option of another method (e.g. ``rho`` with ``method="sum"``) is
        ignored and listed in ``params["ignored_options"]``; an option of no
        method raises :class:`DataError`.

    Returns
    -------
    AggregateResult

    Raises
    ------
    DataError
        Unknown method or option, invalid weights or directions, infinite
        values, missing cells with ``missing="error"``, zeros or negatives where
        a mean needs positive data.

    Notes
    -----
    With :math:`w_{ij}` the weights renormalised over observation *i*'s observed
    children (equal to :math:`w_j` when nothing is missing):

    ``sum``
        :math:`\sum_j w_{ij} z_{ij}` (OECD/JRC 2008, sec. 6.1).
    ``geometric``
        :math:`\prod_j z_{ij}^{w_{ij}}`. Zeros raise by default, because after
        min-max normalisation the worst unit has 0 on every indicator;
        ``zeros="shift"`` adds ``shift`` to every cell. Negatives always raise.
    ``harmonic``
        :math:`1 / \sum_j (w_{ij} / z_{ij})`; zeros and negatives as geometric.
    ``generalised``
        Power mean :math:`(\sum_j w_{ij} z_{ij}^r)^{1/r}` (Hardy, Littlewood &
        Pólya 1934): r=1 arithmetic, r=0 geometric (the limit), r=-1
        harmonic. For r < 0 zeros are handled as in geometric; for r > 0 zeros
        are allowed; negatives raise unless r = 1.
    ``topsis``
        Hwang & Yoon (1981): :math:`V = Z \cdot \mathrm{diag}(w)`; ideal
        :math:`A^+_j` = column max of V over the reference set (min for
        direction -1), anti-ideal :math:`A^-_j` the column min (max);
        :math:`d^\pm_i = \lVert V_i - A^\pm \rVert_2` over the observed
        columns of *i*; :math:`C_i = d^-_i / (d^+_i + d^-_i)`. ``Z`` is used as
        given (the engine normalises; Hwang & Yoon use vector normalisation).
        Distances use the original weights; renormalising them would scale
        :math:`d^+` and :math:`d^-` alike and leave C unchanged. If
        :math:`d^+ + d^- = 0` (every observed column constant in the reference
        set) the observation is tied with all others and C = 0.5; its index is
        in ``details["tied"]``. Details: V (with ``keep_arrays``), ideal,
        anti_ideal (per group, in V units), d_plus, d_minus.
    ``gra``
        Deng (1982, 1989): reference series :math:`z_{0j}` = column max over
        the reference set (min for direction -1);
        :math:`\Delta_{ij} = |z_{ij} - z_{0j}|`;
        :math:`\xi_{ij} = (\Delta_{\min} + \rho \Delta_{\max}) /
        (\Delta_{ij} + \rho \Delta_{\max})` with :math:`\Delta_{\min}`,
        :math:`\Delta_{\max}` over every observed cell of positive weight in
        the reference set; grade :math:`\sum_j w_{ij} \xi_{ij}`. If
        :math:`\Delta_{\max} = 0` every cell equals the reference and
        :math:`\xi = 1`. Details: xi and delta (with ``keep_arrays``),
        reference, dmin, dmax.
    ``vikor``
        Opricovic & Tzeng (2004) with :math:`f^*_j`, :math:`f^-_j` the column
        max and min over the reference set (swapped for direction -1):
        :math:`S_i = \sum_j w_{ij} (f^*_j - f_{ij}) / (f^*_j - f^-_j)`,
        :math:`R_i = \max_j w_{ij} (f^*_j - f_{ij}) / (f^*_j - f^-_j)`,
        :math:`Q_i = v (S_i - S^*) / (S^- - S^*) + (1 - v)(R_i - R^*) / (R^- -
        R^*)` with :math:`S^* = \min S`, :math:`S^- = \max S` (same for R)
        over the reference set. Lower Q is better; the score is
        :math:`1 - Q_i` so that larger is better. Degenerate cases: a
        constant column (:math:`f^* = f^-`) gives no regret (term 0); if all S
        (or all R) are equal in a reference set, that term of Q is 0 for all,
        i.e. every observation counts as best on it (groups listed in
        ``degenerate_S`` / ``degenerate_R``). Only Q is returned; the
        acceptable-advantage and stability conditions for a compromise set are
        not applied. Details: Q, S, R, f_best, f_worst, S_best, S_worst,
        R_best, R_worst.
    ``mpi``
        Mazziotta & Pareto (2016). MPI expects its own standardisation, so each
        column is first standardised to :math:`y = 100 + 10 (z - M_z) / S_z`
        over the reference set (population SD by default, ``ddof=0``, as the
        source; constant columns map to 100; see :func:`mpi_standardise`);
        ``standardise=False`` uses Z as given. Then with weighted moments
        :math:`M_i = \sum_j w_{ij} y_{ij}`,
        :math:`S_i = \sqrt{\sum_j w_{ij} (y_{ij} - M_i)^2}` (equal weights give
        the source's population SD across indicators),
        :math:`cv_i = S_i / M_i`, the index is :math:`M_i - S_i cv_i` for
        ``polarity="positive"`` (a composite that rises with the phenomenon,
        penalised for unbalanced children) and :math:`M_i + S_i cv_i` for
        ``"negative"``. Details: standardised (with ``keep_arrays``), M, S, cv,
        column_mean, column_sd, constant.
    ``copeland``
        Copeland (1951): for every pair (a, b) of sufficient observations in
        one reference set, the margin is the weight of children where a beats
        b minus the weight where b beats a, over children both observe; a wins
        if the margin exceeds 1e-12, loses if below -1e-12, else ties. The
        score is wins - losses. Computed in blocks of at most ``chunk_bytes``.
        Details: wins, losses, ties.
    """
    if method not in _DISPATCH:
        raise DataError(
            f"unknown aggregation method {method!r}; valid methods: {', '.join(METHODS)}"
        )
    func, allowed = _DISPATCH[method]
    known = frozenset().union(*(opts for _, opts in _DISPATCH.values()))
    unknown = sorted(set(kw) - known)
    if unknown:
        valid = ", ".join(sorted(allowed)) or "none"
        raise DataError(
            f"unknown option(s) {unknown} for method {method!r}; valid options: {valid}"
        )
    # options of other methods (a study sets rho for GRA at one level, sum at another)
    # are ignored and recorded in params["ignored_options"]
    ignored = sorted(set(kw) - allowed)
    kw = {key: val for key, val in kw.items() if key in allowed}
    p = _prepare(Z, w, groups, directions, missing, min_share, keep_arrays)
    if method in _MEANS and (p.d < 0).any():
        raise DataError(
            f"method {method!r} needs direction-adjusted data (larger is better); columns "
            f"{np.flatnonzero(p.d < 0).tolist()} are marked as cost: normalise them with "
            "their direction first, or use topsis, gra, vikor, mpi or copeland"
        )
    n = p.Z.shape[0]
    if n == 0:
        scores = np.empty(0)
        details: dict[str, Any] = {}
        params: dict[str, Any] = {}
    else:
        scores, details, params = func(p, **kw)
        scores = np.array(scores, dtype=np.float64, copy=True)
        scores[~p.ok] = np.nan
    details = {
        **details,
        "observed_share": p.share,
        "insufficient": np.flatnonzero(~p.ok),
    }
    params = {**params, "missing": missing, "min_share": float(min_share)}
    if ignored:
        params["ignored_options"] = ignored
    if method not in _MEANS:
        params["n_groups"] = p.groups.n_groups
    return AggregateResult(scores=scores, method=method, details=details, params=params)
