"""Normalisation of an indicator cube (units × periods × indicators).

:func:`normalise` turns raw indicator values into comparable, direction-adjusted
scores: for every method except ``"vector"``, a larger score is better, whatever
the direction (+1 benefit, −1 cost) of the indicator. NaN marks a missing cell;
missing cells stay missing and every statistic ignores them.

Reference sets (``panel_mode``)
-------------------------------
The statistics of a method (minimum and maximum, mean and standard deviation,
ranks, vector norm) are taken over a *reference set* of cells of one indicator:

``"per-period"``
    the cross-section of units in each period separately: scores rank units
    within a year but do not compare over time.
``"pooled"``
    all unit-periods together (the "global" mode of the literature): one
    minimum and maximum per indicator, so that scores compare over time.
``"base-year"``
    the cross-section of one base period (``base_period``, a positional index
    into the period axis) applied to every period. Values of other periods may
    fall outside the base range, so min-max, log, rank and percentile scores
    of those periods can be below 0 or above 1; this is intended (it shows
    change beyond the base-year range) and is not clipped.

Goalpost and target methods use fixed, user-given reference values; for them
the panel mode is recorded but changes nothing.

Constant reference sets
-----------------------
Min-max (and log, z-score, vector and percentile scores) are undefined when
the reference set of an indicator does not vary (max = min, sd = 0, a zero
norm, or a single observation). By default this raises
:class:`~nqpf.errors.DataError` naming the indicator and period; with
``constant="zero"`` or ``constant="half"`` every observed cell of that reference
set is set to 0 or 0.5 (the value is taken literally, whatever the method) and
the cells are listed in ``params["constant"]``.

Shifts
------
The entropy weight method takes logarithms of normalised shares, and some
aggregations (geometric means) fail on zeros, so applied studies shift min-max
scores away from zero. ``shift`` makes the convention explicit and applies after
the method:

``("add", c)``
    ``z + c``; ``c = 0.0001`` and ``c = 0.01`` are both common in applied
    entropy-method studies (SPSSAU's entropy module, for instance, documents a
    "non-negative shift" of ``|min| + 0.01``).
``("rescale", a, b)``
    ``a + (b − a) z``: min-max scores mapped onto ``[a, b]``.
``("affine", s, c)``
    ``s z + c``. The convention written ``0.996·z + 0.002`` in several Chinese
    entropy-method papers is ``("affine", 0.996, 0.002)``, which is the same
    as ``("rescale", 0.002, 0.998)``: the scores end at 0.998, not 0.996.

``shift=None`` (the default) applies none; the entropy weights of
:mod:`nqpf.index.weights` then use the convention ``0 · ln 0 = 0``.

Speed
-----
The input is read through a read-only view, never copied. Without missing cells
min-max and log scores skip every NaN mask (the same numbers, faster), and the
scaling runs block by block of rows. The column helpers (:func:`column_reduce`,
:func:`column_op`, :func:`column_summary`, :func:`row_blocks`) are shared with
:mod:`nqpf.index.weights` and :mod:`nqpf.index.aggregate`.

References
----------
OECD & JRC (2008). *Handbook on Constructing Composite Indicators: Methodology
and User Guide*, OECD Publishing, section 5 (normalisation methods: ranking,
standardisation, min-max, distance to a reference, categorical scales).

Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
Applications*, Springer (vector normalisation used by TOPSIS).

UNDP (2010 onwards). *Human Development Report*, technical notes (goalposts:
fixed minimum and maximum values per indicator).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..errors import DataError

Method = Literal[
    "minmax", "zscore", "goalpost", "target", "rank", "percentile", "log", "vector", "borda",
    "fracmax", "dist2max", "dist2ref",
]
PanelMode = Literal["per-period", "pooled", "base-year"]
Constant = Literal["error", "zero", "half"]
Shift = tuple[Any, ...]

METHODS: tuple[str, ...] = (
    "minmax", "zscore", "goalpost", "target", "rank", "percentile", "log", "vector", "borda",
    "fracmax", "dist2max", "dist2ref",
)
PANEL_MODES: tuple[str, ...] = ("per-period", "pooled", "base-year")
_SHIFTABLE = frozenset(
    {"minmax", "log", "goalpost", "target", "rank", "percentile", "fracmax", "dist2max"}
)
_CONSTANT_FILL = {"zero": 0.0, "half": 0.5}

# Row blocking of the column-wise helpers below: NumPy runs one inner loop per row of a
# C-ordered (n, k) array, so with few columns (k = 40) the per-row overhead dominates.
# Reductions fold rows into blocks of about _REDUCE_WIDTH values (the running result
# stays in L1 cache), element-wise operations into blocks of about _APPLY_WIDTH values.
# Chains of element-wise steps run over blocks of about _BLOCK_VALUES values (1 MiB of
# float64), which stay in the L2 cache from one step to the next.
_REDUCE_WIDTH = 1024
_APPLY_WIDTH = 8192
_BLOCK_VALUES = 131072
_ORDER_FREE = (np.minimum, np.maximum, np.fmin, np.fmax)


@dataclass(frozen=True)
class NormaliseResult:
    """Normalised scores with the statistics that produced them.

    Attributes
    ----------
    values : ndarray
        Scores, same shape as the input; NaN where the input is NaN. Larger is
        better for every method except ``"vector"`` (see ``params``).
    params : dict
        The statistics used, per reference set: arrays of shape ``(k,)`` for
        ``"pooled"`` and ``"base-year"``, ``(n_periods, k)`` for
        ``"per-period"``, on the raw scale of the indicators (``"min"``,
        ``"max"``, ``"mean"``, ``"sd"``, ``"n"``, ``"norm"``, ``"lo"``,
        ``"hi"``, ``"targets"``; ``"min_log"``, ``"max_log"`` for ``"log"``).
        Always holds ``"directions"``, ``"needs_direction"`` (True only for
        ``"vector"``: cost indicators are *not* reversed and the aggregator must
        handle them), ``"constant"`` (list of ``(indicator, period)`` labels
        filled under ``constant="zero"|"half"``; period is ``None`` when the
        reference set spans all periods) and ``"base_period"``.
    method : str
        The normalisation method.
    panel_mode : str
        The reference-set mode.
    shift : tuple or None
        The shift applied after the method, as parsed (floats), or None.
    """

    values: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)
    method: str = "minmax"
    panel_mode: str = "pooled"
    shift: Shift | None = None


# ----------------------------------------------------------------------------- helpers


def column_reduce(ufunc: np.ufunc, a: np.ndarray) -> np.ndarray:
    """``ufunc.reduce(a, axis=0)`` of a 2-D array, computed in row blocks.

    Parameters
    ----------
    ufunc : numpy.ufunc
        ``np.minimum``, ``np.maximum`` (NaN propagates), ``np.fmin`` or ``np.fmax``
        (NaN ignored): reductions whose result does not depend on the order of the
        rows, so the blocked result equals the plain one. Any other ufunc (a sum,
        whose rounding depends on the order) is reduced plainly.
    a : ndarray, shape (n, k)

    Returns
    -------
    ndarray, shape (k,)
    """
    n, k = a.shape
    m = _REDUCE_WIDTH // k if k else 1
    if ufunc not in _ORDER_FREE or m <= 1 or n < 2 * m or not a.flags.c_contiguous:
        return ufunc.reduce(a, axis=0)
    bulk = (n // m) * m
    out = ufunc.reduce(ufunc.reduce(a[:bulk].reshape(-1, m * k), axis=0).reshape(m, k), axis=0)
    if bulk < n:
        out = ufunc(out, ufunc.reduce(a[bulk:], axis=0))
    return out


def column_op(ufunc: np.ufunc, row: np.ndarray) -> Callable[..., np.ndarray]:
    """``f(a, out)`` computing ``ufunc(a, row, out=out)`` for 2-D ``a``, in row blocks.

    ``row`` holds one value per column. The result has the same numbers as the
    broadcast call (element-wise operations do not depend on the blocking); it is
    faster when ``a`` has few columns. ``row`` is tiled once, for every call of ``f``.

    Parameters
    ----------
    ufunc : numpy.ufunc
        A binary element-wise ufunc (``np.subtract``, ``np.divide``, ...).
    row : ndarray, shape (k,)

    Returns
    -------
    callable
        ``f(a, out=None)`` with ``a`` of shape (n, k); ``out`` (n, k) may be ``a``
        itself, and a new array is made when it is None. Returns ``out``.
    """
    k = row.shape[0]
    m = _APPLY_WIDTH // k if k else 1
    tiled = np.tile(row, m)

    def apply(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        n = a.shape[0]
        if out is None:
            out = np.empty(a.shape, dtype=np.result_type(a, row))
        if m <= 1 or n < 2 * m or not (a.flags.c_contiguous and out.flags.c_contiguous):
            return ufunc(a, row, out=out)
        bulk = (n // m) * m
        ufunc(a[:bulk].reshape(-1, m * k), tiled, out=out[:bulk].reshape(-1, m * k))
        ufunc(a[bulk:], row, out=out[bulk:])
        return out

    return apply


def row_blocks(n_rows: int, n_cols: int) -> list[slice]:
    """Slices of whole rows, about 131,072 values each, that cover ``range(n_rows)``.

    A chain of element-wise steps over a large matrix runs block by block, so that
    each block stays in cache from one step to the next and the intermediate
    arrays are block-sized.
    """
    step = max(1, _BLOCK_VALUES // max(n_cols, 1))
    return [slice(a, min(a + step, n_rows)) for a in range(0, n_rows, step)]


def column_summary(a: np.ndarray, sums: bool = True) -> tuple[np.ndarray, ...]:
    """Column minima and maxima (and sums) of a 2-D array, in one pass over its rows.

    Parameters
    ----------
    a : ndarray, shape (n, k)
    sums : bool
        Also return the column sums (accumulated block by block with a matrix
        product, so they may differ from ``a.sum(axis=0)`` in the last digits).

    Returns
    -------
    tuple of ndarray, each of shape (k,)
        ``(min, max)`` or ``(min, max, sum)``. A NaN propagates into its column's
        minimum and maximum and an infinity into one of them, so both are finite
        exactly when the column is complete and finite. With no rows: ``+inf``,
        ``-inf`` and 0.
    """
    n, k = a.shape
    lo, hi, total = np.full(k, np.inf), np.full(k, -np.inf), np.zeros(k)
    blocks = row_blocks(n, k)
    ones = np.ones(blocks[0].stop if blocks else 0)
    for rows in blocks:
        b = a[rows]
        np.minimum(lo, column_reduce(np.minimum, b), out=lo)
        np.maximum(hi, column_reduce(np.maximum, b), out=hi)
        if sums:
            total += ones[: b.shape[0]] @ b
    return (lo, hi, total) if sums else (lo, hi)


def readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a``: a caller's array used without a copy cannot be changed."""
    v = a.view()
    v.flags.writeable = False
    return v


def parse_shift(shift: Sequence[Any] | None) -> Shift | None:
    """Validate a shift specification and return it as a tuple of a name and floats.

    Parameters
    ----------
    shift : sequence or None
        ``("add", c)`` with ``c > 0``; ``("rescale", a, b)`` with ``a < b``;
        ``("affine", s, c)`` with ``s > 0``; or None.

    Returns
    -------
    tuple or None

    Raises
    ------
    DataError
        If the specification is malformed.
    """
    if shift is None:
        return None
    if isinstance(shift, str) or not isinstance(shift, Sequence) or len(shift) == 0:
        raise DataError(
            f"shift {shift!r} is not understood; use ('add', c), ('rescale', a, b) "
            "or ('affine', scale, offset)"
        )
    kind = str(shift[0]).lower()
    try:
        nums = tuple(float(v) for v in shift[1:])
    except (TypeError, ValueError):
        raise DataError(f"shift {tuple(shift)!r}: the parameters must be numbers") from None
    if not all(np.isfinite(nums)):
        raise DataError(f"shift {tuple(shift)!r}: the parameters must be finite")
    if kind == "add":
        if len(nums) != 1 or nums[0] <= 0:
            raise DataError(f"shift {tuple(shift)!r}: use ('add', c) with c > 0, e.g. 0.0001")
    elif kind == "rescale":
        if len(nums) != 2 or not nums[0] < nums[1]:
            raise DataError(
                f"shift {tuple(shift)!r}: use ('rescale', a, b) with a < b, e.g. (0.002, 0.998)"
            )
    elif kind == "affine":
        if len(nums) != 2 or nums[0] <= 0:
            raise DataError(
                f"shift {tuple(shift)!r}: use ('affine', scale, offset) with scale > 0, "
                "e.g. (0.996, 0.002)"
            )
    else:
        raise DataError(
            f"unknown shift {shift[0]!r}; use ('add', c), ('rescale', a, b) "
            "or ('affine', scale, offset)"
        )
    return (kind, *nums)


def apply_shift(values: np.ndarray, shift: Sequence[Any] | None) -> np.ndarray:
    """Apply a shift (see :func:`parse_shift`) to an array; NaN stays NaN.

    Returns a new array; the input is not changed.
    """
    spec = parse_shift(shift)
    z = np.array(values, dtype=float, copy=True)
    if spec is None:
        return z
    kind, *p = spec
    if kind == "add":
        return z + p[0]
    if kind == "rescale":
        return p[0] + (p[1] - p[0]) * z
    return p[0] * z + p[1]


def _labels(names: Sequence[Any] | None, k: int) -> list[str]:
    if names is None:
        return [f"indicator {j}" for j in range(k)]
    names = list(names)
    if len(names) != k:
        raise DataError(f"{len(names)} indicator names given for {k} indicators")
    return [f"indicator {n!r}" for n in names]


def _period_labels(periods: Sequence[Any] | None, t: int) -> list[Any]:
    if periods is None:
        return [f"period index {i}" for i in range(t)]
    periods = list(periods)
    if len(periods) != t:
        raise DataError(f"{len(periods)} period labels given for {t} periods")
    return [f"period {p!r}" for p in periods]


class _Ref:
    """Where the statistics of each indicator come from."""

    def __init__(self, mode: str, n_periods: int, base: int | None, plabels: list[Any],
                 raw_periods: Sequence[Any] | None) -> None:
        self.mode = mode
        self.base = base
        self.plabels = plabels
        self.raw_periods = list(raw_periods) if raw_periods is not None else None
        self.n_periods = n_periods

    def take(self, cube: np.ndarray) -> np.ndarray:
        """Reference cells with shape (m, P, k); P = n_periods or 1."""
        n, t, k = cube.shape
        if self.mode == "per-period":
            return cube
        if self.mode == "pooled":
            return cube.reshape(n * t, 1, k)
        return cube[:, self.base : self.base + 1, :]

    def where(self, p: int) -> str:
        if self.mode == "per-period":
            return f" in {self.plabels[p]}"
        if self.mode == "base-year":
            return f" in the base period ({self.plabels[self.base]})"
        return " over all periods"

    def period_label(self, p: int) -> Any:
        if self.mode == "per-period":
            return self.raw_periods[p] if self.raw_periods is not None else p
        if self.mode == "base-year":
            return self.raw_periods[self.base] if self.raw_periods is not None else self.base
        return None

    def squeeze(self, stat: np.ndarray) -> np.ndarray:
        """Statistics of shape (P, k) as (k,) when P = 1 (pooled, base-year)."""
        return stat[0] if self.mode != "per-period" else stat


def _count(ref: np.ndarray) -> np.ndarray:
    return np.sum(~np.isnan(ref), axis=0)


def _require_finite(z: np.ndarray, x: np.ndarray, labels: Sequence[str], method: str) -> None:
    """A value that went in finite must come out finite: overflow names the indicator."""
    bad = ~np.isfinite(z) & np.isfinite(x)
    if bad.any():
        j = int(np.flatnonzero(bad.reshape(-1, bad.shape[-1]).any(axis=0))[0])
        big = float(np.nanmax(np.abs(x[..., j])))
        raise DataError(
            f"{method} normalisation of {labels[j]} overflows (largest |value| {big:.3g}, near "
            "the floating-point limit 1.8e308); divide the indicator by a power of 10 or take "
            "logs before building the index"
        )


def _require_observed(count: np.ndarray, ref: _Ref, labels: list[str], method: str) -> None:
    bad = np.argwhere(count == 0)
    if bad.size:
        cases = [f"{labels[j]}{ref.where(p)}" for p, j in bad[:5]]
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        raise DataError(
            f"{method} normalisation: no observed value for {'; '.join(cases)}{more}. "
            "Impute the missing values, drop the indicator, or use another panel_mode."
        )


def _nanmean_sd(ref: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample standard deviation (ddof = 1) ignoring NaN; sd = 0 if n < 2."""
    total = np.nansum(ref, axis=0)
    mean = total / np.maximum(count, 1)
    dev = np.where(np.isnan(ref), 0.0, ref - mean)
    ss = np.sum(dev * dev, axis=0)
    sd = np.sqrt(ss / np.maximum(count - 1, 1))
    sd = np.where(count < 2, 0.0, sd)
    return mean, sd


def _constant_cells(
    mask: np.ndarray, ref: _Ref, labels: list[str], names: Sequence[Any] | None,
    constant: str, method: str, what: str,
) -> list[tuple[Any, Any]]:
    """Raise on constant reference sets, or list them for filling."""
    bad = np.argwhere(mask)
    if not bad.size:
        return []
    if constant == "error":
        cases = [f"{labels[j]}{ref.where(p)}" for p, j in bad[:5]]
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        raise DataError(
            f"{method} normalisation is undefined because {what} for "
            f"{'; '.join(cases)}{more}. Drop the indicator, use another panel_mode, or pass "
            "constant='zero' or constant='half' to give every such cell 0 or 0.5."
        )
    out = []
    for p, j in bad:
        ind = names[j] if names is not None else int(j)
        out.append((ind, ref.period_label(int(p))))
    return out


def _fill_constant(z: np.ndarray, x: np.ndarray, mask_pk: np.ndarray, constant: str) -> np.ndarray:
    if constant == "error" or not mask_pk.any():
        return z
    fill = _CONSTANT_FILL[constant]
    return np.where(mask_pk[None, :, :] & ~np.isnan(x), fill, z)


def _scale(cube: np.ndarray, origin: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``(cube - origin) / scale`` for a cube (n, t, k) and statistics of shape (k,) or (t, k).

    Computed block by block of units into a new array, without temporaries.
    """
    n, t, k = cube.shape
    flat = cube.reshape(n, t * k)
    subtract = column_op(np.subtract, np.broadcast_to(origin, (t, k)).reshape(t * k))
    divide = column_op(np.divide, np.broadcast_to(scale, (t, k)).reshape(t * k))
    out = np.empty((n, t * k))
    for rows in row_blocks(n, t * k):
        subtract(flat[rows], out[rows])
        divide(out[rows], out[rows])
    return out.reshape(n, t, k)


def _rank_against(ref_sorted: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Average rank that each y would take among the sorted reference values.

    ``count(ref < y) + (count(ref == y) + 1) / 2``: the average (mid) rank of
    ``y`` for a member of the reference set; for a value outside it, the mid
    point between the ranks of its neighbours.
    """
    left = np.searchsorted(ref_sorted, y, side="left")
    right = np.searchsorted(ref_sorted, y, side="right")
    return (left + right + 1) / 2.0


# ----------------------------------------------------------------------------- main


def normalise(
    X: np.ndarray,
    directions: Sequence[int] | np.ndarray,
    method: Method = "minmax",
    *,
    panel_mode: PanelMode = "pooled",
    base_period: int | None = None,
    shift: Sequence[Any] | None = None,
    goalposts: np.ndarray | Sequence[Sequence[float]] | None = None,
    targets: np.ndarray | Sequence[float] | None = None,
    constant: Constant | None = "error",
    names: Sequence[Any] | None = None,
    periods: Sequence[Any] | None = None,
    zscore_scale: Sequence[float] | None = None,
    reference: int | None = None,
    cap: bool = False,
) -> NormaliseResult:
    """Normalise an indicator cube into direction-adjusted scores.

    Parameters
    ----------
    X : array_like, shape (n_units, n_periods, k) or (n_units, k)
        Raw indicator values, NaN for missing. A 2-D array is one period; the
        result then has the same 2-D shape. The input is never changed.
    directions : array_like of int, shape (k,)
        +1 for benefit ("larger is better") and −1 for cost indicators.
    method : str
        ``"minmax"``
            benefit ``(x − min)/(max − min)``, cost ``(max − x)/(max − min)``
            (OECD & JRC 2008, §5). A cost indicator scores exactly as its
            negation would as a benefit indicator.
        ``"zscore"``
            ``d (x − mean)/sd`` with the *sample* standard deviation (ddof = 1)
            of the reference set; ``d`` is the direction.
        ``"goalpost"``
            ``(x − lo)/(hi − lo)`` (cost: ``(hi − x)/(hi − lo)``) with fixed
            ``goalposts[j] = (lo, hi)``, clipped to [0, 1] (UNDP HDI style).
        ``"target"``
            distance to a target: benefit ``min(x/target, 1)``, cost
            ``min(target/x, 1)`` (``x = 0`` scores 1); needs ``x ≥ 0`` and
            ``targets[j] > 0``.
        ``"rank"``
            average rank within the reference set divided by its size ``n``,
            in ``(0, 1]``; cost indicators rank in reverse (largest value ranks 1).
        ``"percentile"``
            percentile rank ``(rank − 1)/(n − 1)`` in [0, 1], average ranks for
            ties; reversed for cost.
        ``"log"``
            ``ln x`` followed by min-max (reversed for cost); needs ``x > 0``.
        ``"vector"``
            ``x / sqrt(Σ x²)`` over the reference set (Hwang & Yoon 1981, the
            TOPSIS normalisation); needs ``x ≥ 0``. Cost indicators are **not**
            reversed: TOPSIS swaps the ideal and anti-ideal points for them, so
            ``params["needs_direction"]`` is True and the aggregator must use
            ``params["directions"]``.
        ``"borda"``
            Borda score: the number of units of the reference set with a worse
            value, ``rank − 1`` with ties at their lowest rank (COINr
            ``n_borda``), in [0, n − 1].
        ``"fracmax"``
            fraction of the best value: benefit ``x / max``, cost ``min / x``
            (COINr ``n_fracmax`` for benefit indicators; its form on negated
            values is not a score, so cost indicators use the mirror image);
            needs ``x ≥ 0`` (benefit) or ``x > 0`` (cost).
        ``"dist2max"``
            ``1 − (max − y)/(max − min)`` with y = d·x (COINr ``n_dist2max``);
            the same numbers as min-max, to rounding.
        ``"dist2ref"``
            distance to a reference unit: ``1 − (y_ref − y)/(y_ref − min)``,
            y = d·x, y_ref the reference unit's value in the same period
            (``reference``: its position on the unit axis) and the minimum over
            the reference set (COINr ``n_dist2ref``); above 1 for units better
            than the reference unless ``cap=True``.
    panel_mode : {"pooled", "per-period", "base-year"}
        Reference set of the statistics (see the module notes). Default
        ``"pooled"``.
    base_period : int, optional
        Positional index of the base period on the period axis (not its
        label); required for, and only allowed with, ``"base-year"``.
    shift : tuple, optional
        ``("add", c)``, ``("rescale", a, b)`` or ``("affine", s, c)``, applied
        after the method (see the module notes). Allowed for methods whose
        scores lie in [0, 1] (minmax, log, goalpost, target, rank, percentile).
    goalposts : array_like, shape (k, 2), optional
        ``(lo, hi)`` per indicator with ``lo < hi``; for ``"goalpost"`` only.
    targets : array_like, shape (k,), optional
        Positive targets; for ``"target"`` only.
    constant : {"error", "zero", "half"} or None
        What to do with a reference set that does not vary (see the module
        notes). Default ``"error"``; None means ``"error"``.
    names : sequence, optional
        Indicator names, used in error messages and in ``params["constant"]``.
    periods : sequence, optional
        Period labels, used in error messages and in ``params["constant"]``.
    zscore_scale : (mean, sd), optional
        ``"zscore"`` only: rescale the z-scores to this mean and standard
        deviation (COINr's ``m_sd``), e.g. ``(100, 10)``.
    reference : int, optional
        ``"dist2ref"`` only: position of the reference unit.
    cap : bool
        ``"dist2ref"`` only: scores above 1 are set to 1.

    Returns
    -------
    NormaliseResult

    Raises
    ------
    DataError
        On malformed arguments, infinite values, an indicator with no observed
        value in a reference set, a constant reference set (unless
        ``constant`` says otherwise), non-positive values for ``"log"``,
        negative values for ``"vector"`` and ``"target"``.
    """
    if method not in METHODS:
        raise DataError(f"unknown normalisation method {method!r}; use one of {', '.join(METHODS)}")
    if panel_mode not in PANEL_MODES:
        raise DataError(f"unknown panel_mode {panel_mode!r}; use one of {', '.join(PANEL_MODES)}")
    if constant is None:
        constant = "error"
    if constant not in ("error", "zero", "half"):
        raise DataError(f"constant={constant!r} is not understood; use 'error', 'zero' or 'half'")

    x = readonly(np.asarray(X, dtype=float))  # used without a copy, never written
    two_d = x.ndim == 2
    if two_d:
        x = x[:, None, :]
    if x.ndim != 3:
        raise DataError(
            f"X must have shape (n_units, n_periods, k) or (n_units, k); got shape {np.shape(X)}"
        )
    n, t, k = x.shape
    labels = _labels(names, k)
    plabels = _period_labels(periods, t)

    d = np.asarray(directions, dtype=float).ravel()
    if d.shape != (k,):
        raise DataError(f"directions has {d.size} entries for {k} indicators")
    if not np.all((d == 1) | (d == -1)):
        j = int(np.flatnonzero((d != 1) & (d != -1))[0])
        given = np.asarray(directions).ravel()[j].item()
        raise DataError(f"direction of {labels[j]} is {given!r}; use +1 (benefit) or -1 (cost)")

    # complete: no missing cell, so the statistics need no NaN handling (the fast path).
    # The extremes of each indicator over all cells reach any NaN or infinity; they are
    # also the statistics of pooled min-max.
    all_lo, all_hi = column_summary(x.reshape(n * t, k), sums=False)
    complete = bool(np.isfinite(all_lo).all() and np.isfinite(all_hi).all())
    if not complete:
        if np.isinf(x).any():
            j = int(np.argwhere(np.isinf(x))[0][2])
            raise DataError(f"{labels[j]} has infinite values; replace them with numbers or NaN")
        complete = not np.isnan(x).any()

    if panel_mode == "base-year":
        if base_period is None or isinstance(base_period, bool) or not isinstance(
            base_period, int | np.integer
        ):
            raise DataError(
                "panel_mode='base-year' needs base_period, the positional index of the base "
                f"period (0 to {t - 1}); got {base_period!r}"
            )
        if not 0 <= int(base_period) < t:
            raise DataError(f"base_period={base_period} is outside 0..{t - 1} ({t} periods)")
        base: int | None = int(base_period)
    else:
        if base_period is not None:
            raise DataError("base_period is only used with panel_mode='base-year'")
        base = None

    if zscore_scale is not None and method != "zscore":
        raise DataError(f"zscore_scale is only used by method='zscore', not {method!r}")
    if reference is not None and method != "dist2ref":
        raise DataError(f"a reference unit is only used by method='dist2ref', not {method!r}")
    if goalposts is not None and method != "goalpost":
        raise DataError(f"goalposts are only used by method='goalpost', not {method!r}")
    if targets is not None and method != "target":
        raise DataError(f"targets are only used by method='target', not {method!r}")
    spec = parse_shift(shift)
    if spec is not None and method not in _SHIFTABLE:
        raise DataError(
            f"a shift applies to scores in [0, 1]; method {method!r} does not produce them"
        )

    ref = _Ref(panel_mode, t, base, plabels, periods)
    params: dict[str, Any] = {
        "directions": d.astype(int),
        "needs_direction": method == "vector",
        "constant": [],
        "base_period": base,
    }

    if method in ("minmax", "log"):
        if method == "log":
            nonpos = ~np.isnan(x) & (x <= 0)
            if nonpos.any():
                u, p, j = np.argwhere(nonpos)[0]
                cnt = int(nonpos[..., j].sum())
                raise DataError(
                    f"log normalisation needs values > 0; {labels[j]} has {cnt} value(s) <= 0 "
                    f"(first at unit index {u}, {plabels[p]}). Use minmax, or shift the raw "
                    "indicator before taking logs."
                )
            if complete:
                x_use = np.log(x)
            else:
                x_use = np.log(np.where(np.isnan(x), 1.0, x))
                x_use[np.isnan(x)] = np.nan
        else:
            x_use = x
        r = ref.take(x_use)
        if complete:
            cnt = np.full(r.shape[1:], r.shape[0])
            _require_observed(cnt, ref, labels, method)
            if method == "minmax" and panel_mode == "pooled":
                lo, hi = all_lo[None, :], all_hi[None, :]
            else:
                lo, hi = column_summary(r.reshape(r.shape[0], -1), sums=False)
                lo, hi = lo.reshape(r.shape[1:]), hi.reshape(r.shape[1:])
        else:
            cnt = _count(r)
            _require_observed(cnt, ref, labels, method)
            lo = np.nanmin(r, axis=0)
            hi = np.nanmax(r, axis=0)
        span = hi - lo
        const = span == 0
        params["constant"] = _constant_cells(
            const, ref, labels, names, constant, method, "the reference values are all equal"
        )
        safe = np.where(const, 1.0, span)
        # benefit (x - lo)/span; cost (hi - x)/span, computed as (x - hi)/(-span): the
        # same floating-point numbers (IEEE subtraction and division are sign-symmetric)
        z = _scale(x_use, np.where(d > 0, lo, hi), d * safe)
        z = _fill_constant(z, x, const, constant)
        key_lo, key_hi = ("min", "max") if method == "minmax" else ("min_log", "max_log")
        params[key_lo] = ref.squeeze(lo)
        params[key_hi] = ref.squeeze(hi)
        params["n"] = ref.squeeze(cnt)

    elif method == "zscore":
        r = ref.take(x)
        cnt = _count(r)
        _require_observed(cnt, ref, labels, method)
        mean, sd = _nanmean_sd(r, cnt)
        const = sd == 0
        params["constant"] = _constant_cells(
            const, ref, labels, names, constant, method,
            "the reference values do not vary (sd = 0, or a single observation)",
        )
        z = d * (x - mean) / np.where(const, 1.0, sd)
        z = _fill_constant(z, x, const, constant)
        params.update(mean=ref.squeeze(mean), sd=ref.squeeze(sd), n=ref.squeeze(cnt), ddof=1)
        if zscore_scale is not None:
            m_sd = [float(v) for v in zscore_scale]
            if len(m_sd) != 2 or not m_sd[1] > 0:
                raise DataError(f"zscore_scale must be (mean, sd) with sd > 0, got {zscore_scale}")
            z = z * m_sd[1] + m_sd[0]
            params["zscore_scale"] = m_sd

    elif method == "goalpost":
        if goalposts is None:
            raise DataError("method='goalpost' needs goalposts, an array of (lo, hi) per indicator")
        g = np.asarray(goalposts, dtype=float)
        if g.shape != (k, 2):
            raise DataError(f"goalposts must have shape ({k}, 2); got {g.shape}")
        lo, hi = g[:, 0], g[:, 1]
        bad = ~(np.isfinite(lo) & np.isfinite(hi) & (hi > lo))
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"goalposts of {labels[j]} are ({lo[j]}, {hi[j]}); they must be finite with lo < hi"
            )
        num = np.where(d > 0, x - lo, hi - x)
        z = np.clip(num / (hi - lo), 0.0, 1.0)
        params.update(lo=lo.copy(), hi=hi.copy())

    elif method == "target":
        if targets is None:
            raise DataError("method='target' needs targets, one positive value per indicator")
        tg = np.asarray(targets, dtype=float).ravel()
        if tg.shape != (k,):
            raise DataError(f"targets has {tg.size} entries for {k} indicators")
        bad = ~(np.isfinite(tg) & (tg > 0))
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise DataError(f"target of {labels[j]} is {tg[j]}; targets must be positive")
        neg = ~np.isnan(x) & (x < 0)
        if neg.any():
            u, p, j = np.argwhere(neg)[0]
            raise DataError(
                f"distance-to-target needs values >= 0; {labels[j]} is negative at unit index "
                f"{u}, {plabels[p]}"
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            cost = np.where(x == 0, 1.0, tg / x)
        z = np.minimum(np.where(d > 0, x / tg, cost), 1.0)
        z[np.isnan(x)] = np.nan
        params["targets"] = tg

    elif method in ("borda", "fracmax", "dist2max", "dist2ref"):
        z = _coinr_family(method, x, d, ref, labels, plabels, params, reference, cap)

    elif method in ("rank", "percentile"):
        y = d * x
        r = ref.take(y)
        cnt = _count(r)
        _require_observed(cnt, ref, labels, method)
        if panel_mode == "base-year":
            ranks = np.full_like(y, np.nan)
            for j in range(k):
                col = r[:, 0, j]
                srt = np.sort(col[~np.isnan(col)])
                obs = ~np.isnan(y[..., j])
                ranks[..., j][obs] = _rank_against(srt, y[..., j][obs])
        else:
            from scipy.stats import rankdata  # loaded only for rank normalisation

            ranks = rankdata(r, axis=0, nan_policy="omit").reshape(y.shape)
        nn = cnt.astype(float)
        if method == "rank":
            z = ranks / nn
            const = np.zeros_like(cnt, dtype=bool)
        else:
            const = cnt < 2
            params["constant"] = _constant_cells(
                const, ref, labels, names, constant, method,
                "the reference set has a single observation",
            )
            z = (ranks - 1.0) / np.where(const, 1.0, nn - 1.0)
            z = _fill_constant(z, x, const, constant)
        params["n"] = ref.squeeze(cnt)

    else:  # vector
        neg = ~np.isnan(x) & (x < 0)
        if neg.any():
            u, p, j = np.argwhere(neg)[0]
            raise DataError(
                f"vector normalisation needs values >= 0; {labels[j]} is negative at unit index "
                f"{u}, {plabels[p]}. Use minmax, or translate the indicator first."
            )
        r = ref.take(x)
        cnt = _count(r)
        _require_observed(cnt, ref, labels, method)
        norm = np.sqrt(np.nansum(r * r, axis=0))
        const = norm == 0
        params["constant"] = _constant_cells(
            const, ref, labels, names, constant, method, "the reference values are all zero"
        )
        z = x / np.where(const, 1.0, norm)
        z = _fill_constant(z, x, const, constant)
        params.update(norm=ref.squeeze(norm), n=ref.squeeze(cnt))

    if not complete:
        z = np.where(np.isnan(x), np.nan, z)
    _require_finite(z, x, labels, method)
    if spec is not None:
        z = apply_shift(z, spec)
    if two_d:
        z = z[:, 0, :]
    return NormaliseResult(
        values=z, params=params, method=method, panel_mode=panel_mode, shift=spec
    )


def _coinr_family(
    method: str,
    x: np.ndarray,
    d: np.ndarray,
    ref: _Ref,
    labels: list[str],
    plabels: list[Any],
    params: dict[str, Any],
    reference: int | None,
    cap: bool,
) -> np.ndarray:
    """Borda, fraction-of-max, distance-to-max and distance-to-reference scores."""
    y = d * x
    r = ref.take(y)
    cnt = _count(r)
    _require_observed(cnt, ref, labels, method)
    params["n"] = ref.squeeze(cnt)
    if method == "borda":
        from scipy.stats import rankdata  # loaded only for Borda scores

        ranks = rankdata(r, axis=0, method="min", nan_policy="omit")
        if ref.mode == "base-year":
            out = np.full_like(y, np.nan)
            for j in range(y.shape[2]):
                col = r[:, 0, j]
                srt = np.sort(col[~np.isnan(col)])
                obs = ~np.isnan(y[..., j])
                out[..., j][obs] = np.searchsorted(srt, y[..., j][obs], side="left")
            return out
        return ranks.reshape(y.shape) - 1.0
    lo, hi = np.nanmin(r, axis=0), np.nanmax(r, axis=0)
    if method == "dist2max":
        span = hi - lo
        if (span == 0).any():
            j = int(np.argwhere(span == 0)[0][-1])
            raise DataError(f"dist2max is undefined: {labels[j]} does not vary in a reference set")
        params.update(min=ref.squeeze(lo), max=ref.squeeze(hi))
        return 1.0 - (hi - y) / span
    if method == "fracmax":
        bad = ~np.isnan(x) & ((x < 0) | ((x == 0) & (d < 0)))
        if bad.any():
            u, p, j = np.argwhere(bad)[0]
            raise DataError(
                f"fraction-of-max needs values >= 0 (and > 0 for a cost indicator); {labels[j]} "
                f"is {x[u, p, j]!r} at unit index {u}, {plabels[p]}"
            )
        best = np.where(d > 0, hi, -hi)  # the largest benefit value; the smallest cost value
        if (best <= 0).any():
            j = int(np.argwhere(best <= 0)[0][-1])
            raise DataError(f"fraction-of-max is undefined: {labels[j]} has maximum 0")
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(d > 0, x / best, best / x)
        params["best"] = ref.squeeze(best)
        return z
    # dist2ref
    n_units = x.shape[0]
    if reference is None or isinstance(reference, bool) or not 0 <= int(reference) < n_units:
        raise DataError(
            f"dist2ref needs the reference unit's position (0 to {n_units - 1}), got {reference!r}"
        )
    yref = y[int(reference)]  # (periods, k)
    if np.isnan(yref).any():
        p, j = np.argwhere(np.isnan(yref))[0]
        raise DataError(f"the reference unit has no value of {labels[j]} in {plabels[p]}")
    span = yref - lo
    if (span == 0).any():
        p, j = np.argwhere(span == 0)[0]
        raise DataError(
            f"dist2ref is undefined: the reference unit holds the minimum of {labels[j]} "
            f"in {plabels[p]}"
        )
    z = 1.0 - (yref - y) / span
    if cap:
        z = np.minimum(z, 1.0)
    params.update(reference=int(reference), cap=bool(cap))
    return z
