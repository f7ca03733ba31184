"""Variance-based (Sobol) sensitivity indices: Saltelli design, estimators, bootstrap intervals.

Design
------
Each uncertain input owns a block of uniform columns on [0, 1): one column for a
categorical choice (which normalisation, which weighting), several for a vector
input (a Dirichlet draw of weights). With ``D`` columns in all, a Sobol sequence
of dimension ``2D`` gives ``n`` points; its first ``D`` columns are the matrix
``A`` and its last ``D`` columns the matrix ``B`` (Saltelli et al. 2010, §3).
For input ``i``, ``AB_i`` is ``A`` with input ``i``'s whole block of columns
taken from ``B``, so a block is varied as one input. The model is run on the
stacked matrix ``[A; B; AB_1; ...; AB_d]`` of ``n (d + 2)`` rows.

Estimators
----------
With ``f_A``, ``f_B`` and ``f_{AB_i}`` the outputs on those matrices and means
taken over the ``n`` rows:

* first order, ``estimator_s1="saltelli2010"`` (default; Saltelli et al. 2010,
  Table 2 (b)): ``S_i = mean(f_B (f_{AB_i} - f_A)) / V``;
  ``"jansen"`` (Jansen 1999): ``S_i = (V - mean((f_B - f_{AB_i})^2) / 2) / V``;
* total order, ``estimator_st="jansen"`` (default; Jansen 1999):
  ``ST_i = mean((f_A - f_{AB_i})^2) / (2V)``; ``"sobol2007"`` (Sobol' et al.
  2007): ``ST_i = mean(f_A (f_A - f_{AB_i})) / V``.

Conventions
-----------
* ``V`` is the variance of the ``2n`` pooled outputs ``[f_A; f_B]`` with
  ``ddof = 0`` (divisor ``2n``), matching the ``1/n`` means of the numerators.
* The outputs are centred on the pooled mean of ``[f_A; f_B]`` before the
  estimators are applied (in every bootstrap replicate, on that replicate's
  mean). This leaves the expectation of each estimator unchanged (they are
  built on differences ``f_{AB_i} - f_A``) but makes the results invariant to
  adding a constant to the output, which the raw ``saltelli2010`` and
  ``sobol2007`` formulas are not; it matters for ranks, whose mean is large
  compared with their spread.
* A target whose pooled output ``[f_A; f_B]`` is constant (``V = 0`` up to
  rounding: ``V <= 8 n eps max|f - mean|^2``), e.g. a unit that is ranked first
  whatever the choices, has undefined indices. Rather than a silent NaN, its
  ``S1`` and ``ST`` (and their intervals) are set to 0 and it is marked in
  ``SobolResult.constant_targets``. A bootstrap replicate whose resampled
  output is constant is treated the same way (indices 0), and a warning counts
  the targets where that happened.

Bootstrap intervals
-------------------
The ``n`` rows are resampled with replacement ``n_boot`` times with the same
row indices for ``A``, ``B`` and every ``AB_i`` (Efron & Tibshirani 1993,
percentile intervals at level ``conf``). Every estimator is a function of
means over rows, so a resample's means are the count-weighted means
``counts @ G / n`` of a matrix ``G`` of per-row terms; replicates are computed
as matrix products, in chunks of replicates and targets that bound memory.
Resample indices come from ``numpy.random.default_rng(seed)`` and do not depend
on the number of targets, so targets computed together or one by one agree.
The intervals treat the quasi-random points as independent draws; with a Sobol
design they are conservative.

Convergence check
-----------------
``SobolResult.warnings`` lists, summarised over targets (a count and the worst
cases): interval width of ``S1`` or ``ST`` above ``max_width``; ``S1`` above
``ST`` beyond the intervals (``S1_low > ST_high``), which cannot hold for the
true indices; a negative ``S1`` beyond its interval (``S1_high < 0``). Each says
how many base samples would be needed. Too few samples with plain random
sampling are the usual cause of all three.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. & Tarantola, S.
(2010). Variance based sensitivity analysis of model output. Design and
estimator for the total sensitivity index. *Computer Physics Communications*
181(2), 259–270.

Jansen, M. J. W. (1999). Analysis of variance designs for model output.
*Computer Physics Communications* 117(1–2), 35–43.

Sobol', I. M., Tarantola, S., Gatelli, D., Kucherenko, S. S. & Mauntz, W.
(2007). Estimating the approximation error when fixing unessential factors in
global sensitivity analysis. *Reliability Engineering & System Safety* 92(7),
957–960.

Sobol', I. M. (1967). On the distribution of points in a cube and the
approximate evaluation of integrals. *USSR Computational Mathematics and
Mathematical Physics* 7(4), 86–112 (the sequence; scrambling after Owen 1998,
as implemented in ``scipy.stats.qmc.Sobol``).

Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
Chapman & Hall, ch. 13 (percentile intervals).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..errors import DataError

__all__ = ["SaltelliDesign", "SobolResult", "saltelli_design", "sobol_indices"]

#: Elements (float64) per working array in the bootstrap: 2**22 = 32 MiB.
_CHUNK_ELEMENTS = 2**22
#: How many worst cases each summarised warning names.
_N_EXAMPLES = 3

Estimator1 = Literal["saltelli2010", "jansen"]
EstimatorT = Literal["jansen", "sobol2007"]
_S1_ESTIMATORS = ("saltelli2010", "jansen")
_ST_ESTIMATORS = ("jansen", "sobol2007")


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _next_power_of_2(x: float) -> int:
    return 1 << max(1, math.ceil(math.log2(max(x, 2.0))))


@dataclass(frozen=True, eq=False)
class SaltelliDesign:
    """The two base matrices of a Saltelli design and how their columns map to inputs.

    Attributes
    ----------
    A, B : ndarray, shape (n, D)
        Read-only uniform samples on [0, 1): the first and last ``D`` columns of
        one Sobol sequence of dimension ``2D``.
    names : list of str
        The ``d`` inputs.
    dims : list of int
        Columns owned by each input (``sum(dims) == D``).
    blocks : list of slice
        Columns of ``A``/``B`` owned by each input, in order.
    seed : int
        Seed of the Sobol scrambling.
    scramble : bool
        Whether the sequence is scrambled (Owen 1998); unscrambled starts at 0.
    """

    A: np.ndarray
    B: np.ndarray
    names: list[str]
    dims: list[int]
    blocks: list[slice]
    seed: int
    scramble: bool

    @property
    def n(self) -> int:
        """Number of base samples (rows of ``A``)."""
        return int(self.A.shape[0])

    @property
    def n_inputs(self) -> int:
        """Number of inputs ``d``."""
        return len(self.names)

    @property
    def n_columns(self) -> int:
        """Number of uniform columns ``D``."""
        return int(self.A.shape[1])

    @property
    def n_runs(self) -> int:
        """Model runs needed: ``n (d + 2)``."""
        return self.n * (self.n_inputs + 2)

    def matrix(self) -> np.ndarray:
        """All sample points, shape ``(n (d + 2), D)``: ``[A; B; AB_1; ...; AB_d]``.

        ``AB_i`` is ``A`` with the columns of input ``i``'s block taken from ``B``.
        """
        d, big_d = self.n_inputs, self.n_columns
        own = np.zeros((d, big_d), dtype=bool)
        for i, block in enumerate(self.blocks):
            own[i, block] = True
        ab = np.where(own[:, None, :], self.B[None, :, :], self.A[None, :, :])
        return np.concatenate([self.A, self.B, ab.reshape(d * self.n, big_d)], axis=0)

    def split(self, y: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Split model outputs in the row order of :meth:`matrix`.

        Parameters
        ----------
        y : array_like, shape (n (d + 2), ...)
            Outputs, with any trailing target dimensions.

        Returns
        -------
        yA, yB : ndarray, shape (n, ...)
        yAB : ndarray, shape (d, n, ...)
            Views of ``y`` (no copy when ``y`` is an ndarray).
        """
        arr = np.asarray(y)
        if arr.ndim == 0 or arr.shape[0] != self.n_runs:
            got = "a scalar" if arr.ndim == 0 else f"{arr.shape[0]} rows"
            raise DataError(
                f"y has {got} but the design needs n_runs = {self.n_runs} "
                f"(n = {self.n} base samples x (d + 2) = {self.n_inputs + 2} blocks); "
                "evaluate the model on every row of design.matrix(), in order"
            )
        n, d = self.n, self.n_inputs
        return arr[:n], arr[n : 2 * n], arr[2 * n :].reshape((d, n) + arr.shape[1:])


def saltelli_design(
    names: Sequence[str], dims: Sequence[int], n: int, seed: int, scramble: bool = True
) -> SaltelliDesign:
    """Draw a Saltelli (2010) design from a Sobol sequence.

    Parameters
    ----------
    names : sequence of str
        Names of the ``d`` uncertain inputs (distinct).
    dims : sequence of int
        Number of uniform columns each input owns (>= 1): 1 for a categorical
        choice, ``k`` for a ``k``-vector such as Dirichlet weights.
    n : int
        Base sample size, a power of 2 (>= 2) so that the Sobol points keep
        their balance properties; the model is run ``n (d + 2)`` times.
    seed : int
        Seed of the scrambling (ignored when ``scramble=False``).
    scramble : bool, default True
        Owen-scrambled Sobol sequence (``scipy.stats.qmc.Sobol``).

    Returns
    -------
    SaltelliDesign
        ``A`` = first ``D`` columns, ``B`` = last ``D`` columns of ``n`` points
        of a ``2D``-dimensional Sobol sequence (Saltelli et al. 2010).

    Raises
    ------
    DataError
        Names empty, repeated or not matching ``dims``; a dimension < 1; ``n``
        not a power of 2 (the message names the next one); too many columns.
    """
    names_l = [str(x) for x in names]
    dims_l = list(dims)
    if not names_l:
        raise DataError("saltelli_design needs at least one uncertain input; names is empty")
    if len(names_l) != len(dims_l):
        raise DataError(
            f"names has {len(names_l)} inputs but dims has {len(dims_l)} entries; "
            "give one column count per input"
        )
    seen: set[str] = set()
    for name in names_l:
        if name in seen:
            raise DataError(f"input name {name!r} appears twice in names; names must be distinct")
        seen.add(name)
    for name, k in zip(names_l, dims_l, strict=True):
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise DataError(
                f"input {name!r} owns {k!r} columns; dims must be whole numbers >= 1 "
                "(1 for a categorical choice, k for a k-vector)"
            )
    dims_l = [int(k) for k in dims_l]
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise DataError(f"n = {n!r} base samples is not allowed; use a power of 2 >= 2, e.g. 1024")
    n = int(n)
    if n & (n - 1):
        raise DataError(
            f"n = {n} is not a power of 2; Sobol points keep their balance properties only "
            f"at powers of 2: use n = {_next_power_of_2(n)}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise DataError(f"seed = {seed!r} is not allowed; give a non-negative integer")
    big_d = sum(dims_l)
    if 2 * big_d > qmc.Sobol.MAXDIM:
        raise DataError(
            f"the inputs own {big_d} columns; a Saltelli design needs 2 x {big_d} = "
            f"{2 * big_d} Sobol dimensions but scipy supports at most {qmc.Sobol.MAXDIM}"
        )
    sampler = qmc.Sobol(d=2 * big_d, scramble=bool(scramble), **_rng_kwarg(int(seed)))
    x = sampler.random_base2(m=n.bit_length() - 1)
    stops = np.cumsum([0] + dims_l)
    blocks = [slice(int(a), int(b)) for a, b in zip(stops[:-1], stops[1:], strict=True)]
    return SaltelliDesign(
        A=_readonly(np.ascontiguousarray(x[:, :big_d])),
        B=_readonly(np.ascontiguousarray(x[:, big_d:])),
        names=names_l,
        dims=dims_l,
        blocks=blocks,
        seed=int(seed),
        scramble=bool(scramble),
    )


def _rng_kwarg(seed: int) -> dict[str, int]:
    """Seed keyword of ``qmc.Sobol``: ``rng`` (SciPy >= 1.15, SPEC 7), else ``seed``."""
    params = inspect.signature(qmc.Sobol).parameters
    return {"rng": seed} if "rng" in params else {"seed": seed}


@dataclass(frozen=True, eq=False)
class SobolResult:
    """First- and total-order Sobol indices with bootstrap intervals.

    Attributes
    ----------
    names : list of str
        The ``d`` inputs.
    S1, ST : ndarray, shape (d,) or (d, T)
        First- and total-order indices (read-only).
    S1_low, S1_high, ST_low, ST_high : ndarray, same shape
        Bootstrap percentile interval at level ``params["conf"]``.
    constant_targets : ndarray of bool, shape () or (T,)
        Targets whose output does not vary over ``[f_A; f_B]``; their indices
        and intervals are set to 0 instead of NaN.
    warnings : list of str
        Convergence problems, summarised over targets (empty when none).
    params : dict
        ``n``, ``d``, ``n_boot``, ``conf``, ``seed``, ``estimator_s1``,
        ``estimator_st``, ``max_width``, ``variance``, ``centred``,
        ``design_seed``, ``scramble``.
    target_names : list or None
        Labels of the targets, used by :meth:`to_frame` by default.
    """

    names: list[str]
    S1: np.ndarray
    ST: np.ndarray
    S1_low: np.ndarray
    S1_high: np.ndarray
    ST_low: np.ndarray
    ST_high: np.ndarray
    constant_targets: np.ndarray
    warnings: list[str]
    params: dict[str, Any]
    target_names: list[Any] | None = field(default=None)

    def to_frame(self, target_names: Sequence[Any] | None = None) -> pd.DataFrame:
        """One row per (input, target), input-major.

        Parameters
        ----------
        target_names : sequence, optional
            Labels of the ``T`` targets (one label for a 1-D output). Default:
            the ``target_names`` given to :func:`sobol_indices`, else positions
            ``0 .. T-1``.

        Returns
        -------
        DataFrame
            Columns ``input, target, S1, ST, S1_low, S1_high, ST_low, ST_high``.
        """
        d = len(self.names)
        n_t = 1 if self.S1.ndim == 1 else self.S1.shape[1]
        labels = list(target_names) if target_names is not None else self.target_names
        if labels is None:
            labels = list(range(n_t))
        if len(labels) != n_t:
            raise DataError(
                f"target_names has {len(labels)} labels but the result has {n_t} targets"
            )
        out = {
            "input": pd.Series(np.repeat(np.asarray(self.names, dtype=object), n_t), dtype="str"),
            "target": np.tile(np.asarray(labels, dtype=object), d),
        }
        frame = pd.DataFrame(out)
        frame["target"] = frame["target"].infer_objects()
        for col in ("S1", "ST", "S1_low", "S1_high", "ST_low", "ST_high"):
            frame[col] = np.asarray(getattr(self, col), dtype=float).reshape(-1)
        return frame


def _check_options(n_boot: int, conf: float, max_width: float, est1: str, estt: str) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 2:
        raise DataError(f"n_boot = {n_boot!r}; give a whole number of bootstrap replicates >= 2")
    if not (isinstance(conf, int | float) and 0.0 < float(conf) < 1.0):
        raise DataError(f"conf = {conf!r}; give a confidence level strictly between 0 and 1")
    if not (isinstance(max_width, int | float) and float(max_width) > 0.0):
        raise DataError(f"max_width = {max_width!r}; give a positive interval width, e.g. 0.1")
    if est1 not in _S1_ESTIMATORS:
        raise DataError(f"estimator_s1 = {est1!r} is unknown; choose one of {_S1_ESTIMATORS}")
    if estt not in _ST_ESTIMATORS:
        raise DataError(f"estimator_st = {estt!r} is unknown; choose one of {_ST_ESTIMATORS}")


def _row_terms(ya: np.ndarray, yb: np.ndarray, yab: np.ndarray, est1: str, estt: str) -> np.ndarray:
    """Per-row terms whose means give every estimator: shape ``(n, 4 + 3d, t)``.

    Layout: ``f_A, f_B, f_A^2, f_B^2``, then per input ``D_i = f_{AB_i} - f_A``,
    the first-order term and the total-order term (see :func:`_indices`).
    """
    n, t = ya.shape
    d = yab.shape[0]
    g = np.empty((n, 4 + 3 * d, t))
    g[:, 0] = ya
    g[:, 1] = yb
    np.square(ya, out=g[:, 2])
    np.square(yb, out=g[:, 3])
    diff = yab - ya[None]  # (d, n, t)
    g[:, 4 : 4 + d] = diff.transpose(1, 0, 2)
    if est1 == "saltelli2010":
        g[:, 4 + d : 4 + 2 * d] = (yb[None] * diff).transpose(1, 0, 2)
    else:  # jansen
        g[:, 4 + d : 4 + 2 * d] = np.square(yb[None] - yab).transpose(1, 0, 2)
    if estt == "jansen":
        g[:, 4 + 2 * d :] = np.square(diff).transpose(1, 0, 2)
    else:  # sobol2007: f_A (f_A - f_AB) = -f_A D
        g[:, 4 + 2 * d :] = (-ya[None] * diff).transpose(1, 0, 2)
    return g


def _indices(
    m: np.ndarray, d: int, est1: str, estt: str, tol: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices from row means ``m`` of shape ``(..., 4 + 3d, t)``.

    Returns ``S1, ST`` of shape ``(..., d, t)`` and the boolean ``(..., t)``
    mask of (numerically) constant outputs, whose indices are set to 0.
    """
    c = 0.5 * (m[..., 0, :] + m[..., 1, :])
    v = 0.5 * (m[..., 2, :] + m[..., 3, :]) - c * c
    mean_d = m[..., 4 : 4 + d, :]
    t1 = m[..., 4 + d : 4 + 2 * d, :]
    tt = m[..., 4 + 2 * d :, :]
    cc = c[..., None, :]
    vv = v[..., None, :]
    num1 = t1 - cc * mean_d if est1 == "saltelli2010" else vv - 0.5 * t1
    numt = 0.5 * tt if estt == "jansen" else tt + cc * mean_d
    const = v <= tol
    safe = np.where(const, 1.0, v)[..., None, :]
    s1 = np.where(const[..., None, :], 0.0, num1 / safe)
    st = np.where(const[..., None, :], 0.0, numt / safe)
    return s1, st, const


def _count_chunks(seed: int, n: int, n_boot: int, size: int) -> Iterator[np.ndarray]:
    """Bootstrap resamples as row counts, ``(r, n)`` float arrays of ``size`` replicates.

    Resample ``b`` draws ``n`` row indices uniformly with replacement; row ``j``'s
    count is how often ``j`` was drawn. The draws depend only on ``seed``,
    ``n``, ``n_boot`` (``size`` is a function of those), not on the targets.
    """
    rng = np.random.default_rng(seed)
    for start in range(0, n_boot, size):
        r = min(size, n_boot - start)
        idx = rng.integers(0, n, size=(r, n))
        flat = (idx + (np.arange(r) * n)[:, None]).ravel()
        yield np.bincount(flat, minlength=r * n).reshape(r, n).astype(float)


def sobol_indices(
    y: Any,
    design: SaltelliDesign,
    n_boot: int = 500,
    conf: float = 0.95,
    seed: int = 0,
    estimator_s1: Estimator1 = "saltelli2010",
    estimator_st: EstimatorT = "jansen",
    max_width: float = 0.1,
    target_names: Sequence[Any] | None = None,
) -> SobolResult:
    """First- and total-order Sobol indices of model outputs on a Saltelli design.

    Parameters
    ----------
    y : array_like, shape (n (d + 2),) or (n (d + 2), T)
        Model outputs on the rows of ``design.matrix()``, in order; with ``T``
        columns, one set of indices per target (e.g. each unit's rank), all
        computed at once.
    design : SaltelliDesign
        The design the model was run on.
    n_boot : int, default 500
        Bootstrap replicates (>= 2).
    conf : float, default 0.95
        Level of the percentile intervals.
    seed : int, default 0
        Seed of the bootstrap resampling (``numpy.random.default_rng``).
    estimator_s1 : {"saltelli2010", "jansen"}
        First-order estimator (see the module docstring).
    estimator_st : {"jansen", "sobol2007"}
        Total-order estimator.
    max_width : float, default 0.1
        Widest acceptable interval of ``S1`` or ``ST`` before a warning.
    target_names : sequence, optional
        Labels of the ``T`` targets, used in warnings and :meth:`SobolResult.to_frame`.

    Returns
    -------
    SobolResult

    Raises
    ------
    DataError
        ``y`` of the wrong shape or with NaN/inf (the message names the first
        bad row, its block and target), or an invalid option.
    """
    _check_options(n_boot, conf, max_width, estimator_s1, estimator_st)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise DataError(f"seed = {seed!r} is not allowed; give a non-negative integer")
    arr = np.asarray(y, dtype=float)
    if arr.ndim not in (1, 2):
        raise DataError(
            f"y has shape {arr.shape}; give (n_runs,) or (n_runs, T) with one column per "
            "target (reshape further target dimensions into T)"
        )
    ya, yb, yab = design.split(arr)
    one_d = arr.ndim == 1
    y2 = arr[:, None] if one_d else arr
    n_t = y2.shape[1]
    labels = None if target_names is None else list(target_names)
    if labels is not None and len(labels) != n_t:
        raise DataError(f"target_names has {len(labels)} labels but y has {n_t} targets")
    bad = ~np.isfinite(y2)
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        n, names = design.n, design.names
        where = "A" if row < n else "B" if row < 2 * n else f"AB_{names[(row - 2 * n) // n]}"
        tname = labels[col] if labels is not None else col
        raise DataError(
            f"y has {int(bad.sum())} NaN or infinite values; the first is row {row} "
            f"(block {where}, sample {row % n}), target {tname!r}: the model must return a "
            "finite value for every sample; check the inputs that produced it"
        )

    d, n = design.n_inputs, design.n
    ya, yb, yab = (ya[:, None], yb[:, None], yab[..., None]) if one_d else (ya, yb, yab)
    # Centre on the pooled point mean (the estimators are made shift-invariant anyway;
    # this keeps E[f^2] - c^2 free of cancellation in the bootstrap).
    centre = 0.5 * (ya.mean(axis=0) + yb.mean(axis=0))
    ya, yb, yab = ya - centre, yb - centre, yab - centre
    scale = np.maximum(np.abs(ya).max(axis=0), np.abs(yb).max(axis=0))
    tol = 8.0 * n * np.finfo(float).eps * scale * scale
    ptp_zero = (np.ptp(ya, axis=0) == 0) & (np.ptp(yb, axis=0) == 0) & (ya[0] == yb[0])

    k = 4 + 3 * d
    rep_size = max(1, min(n_boot, _CHUNK_ELEMENTS // n))
    t_size = max(1, min(n_t, _CHUNK_ELEMENTS // (n * k), _CHUNK_ELEMENTS // (rep_size * k)))
    lo_q, hi_q = (1.0 - conf) / 2.0, (1.0 + conf) / 2.0
    shape = (d, n_t)
    s1, st = np.empty(shape), np.empty(shape)
    s1_lo, s1_hi, st_lo, st_hi = (np.empty(shape) for _ in range(4))
    const = np.empty(n_t, dtype=bool)
    degenerate = np.zeros(n_t, dtype=np.int64)
    for t0 in range(0, n_t, t_size):
        sl = slice(t0, min(n_t, t0 + t_size))
        tc = sl.stop - sl.start
        g = _row_terms(ya[:, sl], yb[:, sl], yab[:, :, sl], estimator_s1, estimator_st)
        p1, pt, pc = _indices(g.mean(axis=0), d, estimator_s1, estimator_st, tol[sl])
        pc = pc | ptp_zero[sl]
        s1[:, sl] = np.where(pc, 0.0, p1)
        st[:, sl] = np.where(pc, 0.0, pt)
        const[sl] = pc
        b1 = np.empty((n_boot, d, tc))
        bt = np.empty((n_boot, d, tc))
        gm = g.reshape(n, k * tc)
        b0 = 0
        for counts in _count_chunks(seed, n, n_boot, rep_size):
            r = counts.shape[0]
            m = (counts @ gm).reshape(r, k, tc) / n
            r1, rt, rc = _indices(m, d, estimator_s1, estimator_st, tol[sl])
            b1[b0 : b0 + r] = r1
            bt[b0 : b0 + r] = rt
            degenerate[sl] += rc.sum(axis=0)
            b0 += r
        q1 = np.quantile(b1, [lo_q, hi_q], axis=0)
        qt = np.quantile(bt, [lo_q, hi_q], axis=0)
        s1_lo[:, sl] = np.where(pc, 0.0, q1[0])
        s1_hi[:, sl] = np.where(pc, 0.0, q1[1])
        st_lo[:, sl] = np.where(pc, 0.0, qt[0])
        st_hi[:, sl] = np.where(pc, 0.0, qt[1])
    degenerate[const] = 0

    warns = _convergence_warnings(
        design,
        s1,
        st,
        s1_lo,
        s1_hi,
        st_lo,
        st_hi,
        const,
        degenerate,
        n_boot,
        conf,
        float(max_width),
        labels,
    )
    squeeze = (lambda a: a[:, 0]) if one_d else (lambda a: a)
    params = {
        "n": n,
        "d": d,
        "n_boot": int(n_boot),
        "conf": float(conf),
        "seed": int(seed),
        "estimator_s1": estimator_s1,
        "estimator_st": estimator_st,
        "max_width": float(max_width),
        "variance": "pooled [f_A; f_B], ddof=0",
        "centred": True,
        "design_seed": design.seed,
        "scramble": design.scramble,
    }
    return SobolResult(
        names=list(design.names),
        S1=_readonly(squeeze(s1)),
        ST=_readonly(squeeze(st)),
        S1_low=_readonly(squeeze(s1_lo)),
        S1_high=_readonly(squeeze(s1_hi)),
        ST_low=_readonly(squeeze(st_lo)),
        ST_high=_readonly(squeeze(st_hi)),
        constant_targets=_readonly(np.array(const[0]) if one_d else const),
        warnings=warns,
        params=params,
        target_names=labels,
    )


def _convergence_warnings(
    design: SaltelliDesign,
    s1: np.ndarray,
    st: np.ndarray,
    s1_lo: np.ndarray,
    s1_hi: np.ndarray,
    st_lo: np.ndarray,
    st_hi: np.ndarray,
    const: np.ndarray,
    degenerate: np.ndarray,
    n_boot: int,
    conf: float,
    max_width: float,
    labels: list[Any] | None,
) -> list[str]:
    """Summarised convergence warnings over the (input, target) pairs, arrays ``(d, T)``."""
    n, d = design.n, design.n_inputs
    n_t = s1.shape[1]
    live = np.broadcast_to(~const[None, :], s1.shape)
    pairs = d * int((~const).sum())
    level = f"{100 * conf:g}%"

    def label(i: int, t: int) -> str:
        name = repr(design.names[i])
        if n_t == 1 and labels is None:
            return name
        tl = labels[t] if labels is not None else t
        return f"{name} / target {tl!r}"

    def worst(mask: np.ndarray, severity: np.ndarray, fmt: str) -> str:
        ii, tt = np.nonzero(mask)
        order = np.argsort(-severity[ii, tt], kind="stable")[:_N_EXAMPLES]
        return "; ".join(
            fmt.format(
                who=label(int(ii[o]), int(tt[o])),
                v=severity[ii[o], tt[o]],
                s1=s1[ii[o], tt[o]],
                st=st[ii[o], tt[o]],
            )
            for o in order
        )

    out: list[str] = []
    width = np.maximum(s1_hi - s1_lo, st_hi - st_lo)
    wide = live & (width > max_width)
    if wide.any():
        need = _next_power_of_2(n * (float(width[wide].max()) / max_width) ** 2)
        out.append(
            f"N too small: increase samples. The {level} interval of S1 or ST is wider than "
            f"{max_width:g} for {int(wide.sum())} of {pairs} (input, target) pairs; widest: "
            + worst(wide, width, "{who} width {v:.3f}")
            + f". Interval width shrinks like 1/sqrt(n): try n = {need} (now {n})."
        )
    above = live & (s1_lo > st_hi)
    if above.any():
        gap = s1_lo - st_hi
        out.append(
            f"S1 exceeds ST beyond the {level} intervals (S1_low > ST_high) for "
            f"{int(above.sum())} of {pairs} pairs, impossible for the true indices: "
            + worst(above, gap, "{who} S1 {s1:.3f} > ST {st:.3f}")
            + f". The estimates have not converged: increase samples (now n = {n})."
        )
    negative = live & (s1_hi < 0)
    if negative.any():
        out.append(
            f"negative S1 beyond its {level} interval (S1_high < 0) for {int(negative.sum())} "
            f"of {pairs} pairs: "
            + worst(negative, -s1_hi, "{who} S1 {s1:.3f}")
            + f". The estimates have not converged: increase samples (now n = {n})."
        )
    if degenerate.any():
        hit = np.nonzero(degenerate)[0]
        show = ", ".join(
            repr(labels[t] if labels is not None else int(t)) for t in hit[:_N_EXAMPLES]
        )
        out.append(
            f"{len(hit)} target(s) had bootstrap resamples with a constant output (indices "
            f"counted as 0 in those resamples), e.g. {show}: the output varies in only a few "
            f"samples; increase samples (now n = {n}, {n_boot} resamples)."
        )
    return out
