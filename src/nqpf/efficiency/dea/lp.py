"""One HiGHS model per (program, reference set), updated and warm-started per evaluated unit.

A :class:`Formulation` describes a DEA envelopment program as a fixed block of intensity
columns (one per reference observation, independent of the evaluated unit) and a small
block of extra columns (theta, phi, t, slacks, beta) whose coefficients, costs, bounds and
the row bounds are set per evaluated unit. :class:`Engine` builds the HiGHS model once and
for each unit changes only those entries (``changeCoeff``, ``changeRowsBounds``,
``changeColsCost``, ``changeColsBounds``) and re-runs the dual simplex from the previous
basis. With ``reduce=True`` the model holds only a candidate subset of the intensity
columns and grows it by pricing (:mod:`nqpf.efficiency.dea.frame`); the answer is the
full program's optimum.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from . import frame as _frame

INF = highspy.kHighsInf
_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
}
#: intensities at or below this are reported as zero
LAMBDA_ZERO = 1e-12
_EMPTY = np.zeros(0)


@dataclass
class Formulation:
    """An envelopment program with per-unit data.

    Attributes
    ----------
    L : ndarray (n_lam_rows, n_ref)
        Intensity columns; they occupy rows ``0 .. n_lam_rows - 1``.
    n_rows : int
        All rows (intensity rows first, then rows only extras touch).
    n_extra : int
        Extra columns (model columns ``0 .. n_extra - 1``).
    static : list of (row, col, value)
        Extra-column coefficients equal for every unit.
    dyn_pos : list of (row, col)
        Extra-column coefficients that change per unit; values in ``dyn_val``.
    dyn_val : ndarray (n_eval, len(dyn_pos))
    row_lo, row_hi : ndarray (n_eval, n_rows)
    cost, col_lo, col_hi : ndarray (n_eval, n_extra)
    stage2 : callable or None
        ``stage2(k, z, obj) -> (cost, col_lo, col_hi)`` for a second phase after an optimal
        first phase (radial max-slack stage); ``z`` are the extra-column values.
    keep_rows : bool
        Return the row activities (used for DDF slacks).
    """

    L: np.ndarray
    n_rows: int
    n_extra: int
    static: list[tuple[int, int, float]]
    dyn_pos: list[tuple[int, int]]
    dyn_val: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    cost: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    stage2: Callable[[int, np.ndarray, float], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = (
        None
    )
    keep_rows: bool = False

    @property
    def n_lam_rows(self) -> int:
        return int(self.L.shape[0])

    @property
    def n_ref(self) -> int:
        return int(self.L.shape[1])


@dataclass
class UnitSolution:
    """The solution of one evaluated unit (``obj`` of the first phase)."""

    status: str
    obj: float = float("nan")
    z: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lam_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    lam_val: np.ndarray = field(default_factory=lambda: np.zeros(0))
    row_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    iterations: int = 0
    n_lp: int = 0


_BANNER_LOCK = threading.Lock()
_banner_shown = False


def _flush_c_stdio() -> None:
    """Flush the C library's stdout buffer (where HiGHS prints), wherever that is possible."""
    for name in (None, "ucrtbase", "msvcrt"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(name).fflush(None)
            return


@contextlib.contextmanager
def _stdout_discarded() -> Iterator[None]:
    """Send what C code writes to file descriptor 1 to the null device meanwhile."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 (some embedded interpreters): nothing to guard
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        _flush_c_stdio()
        os.dup2(null, 1)
        yield
    finally:
        _flush_c_stdio()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance.

    HiGHS prints its banner ("Running HiGHS ...") to the process's standard output when
    the first instance is made, before any option can be set; that first construction
    runs with file descriptor 1 pointed at the null device, so the banner never reaches a
    terminal, a pipe or a notebook. Later instances print nothing (``output_flag`` off).
    """
    global _banner_shown
    with _BANNER_LOCK:
        if _banner_shown:
            h = highspy.Highs()
        else:
            with _stdout_discarded():
                h = highspy.Highs()
            _banner_shown = True
    h.silent()
    for name, value in (
        ("output_flag", False),
        ("presolve", "off"),
        ("solver", "simplex"),
        ("primal_feasibility_tolerance", 1e-9),
        ("dual_feasibility_tolerance", 1e-9),
        ("threads", 1),
    ):
        h.setOptionValue(name, value)
    return h


class Engine:
    """A HiGHS model for one formulation and one reference set.

    Parameters
    ----------
    form : Formulation
    reduce : bool
        Keep only a candidate set of intensity columns and price the rest (exact).
    start : ndarray of int or None
        Starting candidate columns (reduce only; default: the first 16).
    k_add : int
        Columns added per pricing round.
    """

    def __init__(
        self,
        form: Formulation,
        reduce: bool = True,
        start: np.ndarray | None = None,
        k_add: int = 16,
    ) -> None:
        self.form = form
        self.reduce = reduce
        self.k_add = k_add
        n_ref = form.n_ref
        self.in_model = np.zeros(n_ref, dtype=bool)
        self.pos = np.full(n_ref, -1, dtype=np.int64)  # model column of each reference column
        if not reduce:
            cols = np.arange(n_ref)
        elif start is None:
            cols = np.arange(min(n_ref, 16))
        else:
            cols = np.unique(np.asarray(start, dtype=np.int64))
        self.h = _new_highs()
        self._build(cols)
        self._full: Engine | None = None
        self.n_fallback = 0  # units decided on the full program (no usable certificate)
        self.n_farkas = 0  # rounds that added columns from an infeasibility certificate
        self._rows = np.arange(form.n_rows, dtype=np.int32)
        self._xcols = np.arange(form.n_extra, dtype=np.int32)

    # ------------------------------------------------------------------ building
    def _build(self, cols: np.ndarray) -> None:
        f = self.form
        ne = f.n_extra
        entries: list[list[tuple[int, float]]] = [[] for _ in range(ne)]
        for r, c, v in f.static:
            entries[c].append((r, v))
        for j, (r, c) in enumerate(f.dyn_pos):
            entries[c].append((r, float(f.dyn_val[0, j]) if f.dyn_val.shape[0] else 0.0))
        starts = [0]
        index: list[int] = []
        value: list[float] = []
        for c in range(ne):
            for r, v in sorted(entries[c]):
                index.append(r)
                value.append(v)
            starts.append(len(index))
        lp = highspy.HighsLp()
        lp.num_col_ = ne
        lp.num_row_ = f.n_rows
        lp.col_cost_ = np.zeros(ne)
        lp.col_lower_ = np.zeros(ne)
        lp.col_upper_ = np.full(ne, INF)
        lp.row_lower_ = np.zeros(f.n_rows)
        lp.row_upper_ = np.zeros(f.n_rows)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.asarray(value, dtype=float)
        self.h.passModel(lp)
        self.n_cols = ne
        self.model_ref: list[int] = []
        self._model_ref = np.zeros(0, dtype=np.int64)
        self._add(cols)

    def _add(self, cols: np.ndarray) -> None:
        cols = np.asarray(cols, dtype=np.int64)
        cols = cols[~self.in_model[cols]]
        if cols.size == 0:
            return
        L = self.form.L[:, cols]
        nr = L.shape[0]
        nz = L != 0
        counts = nz.sum(axis=0)
        starts = np.zeros(cols.size, dtype=np.int32)
        starts[1:] = np.cumsum(counts)[:-1]
        rows_idx = np.broadcast_to(np.arange(nr)[:, None], L.shape)
        index = rows_idx.T[nz.T].astype(np.int32)
        value = L.T[nz.T].astype(float)
        self.h.addCols(
            int(cols.size),
            np.zeros(cols.size),
            np.zeros(cols.size),
            np.full(cols.size, INF),
            int(index.size),
            starts,
            index,
            value,
        )
        self.in_model[cols] = True
        self.pos[cols] = np.arange(self.n_cols, self.n_cols + cols.size)
        self.n_cols += int(cols.size)
        self.model_ref.extend(int(c) for c in cols)
        self._model_ref = np.asarray(self.model_ref, dtype=np.int64)
        if self.reduce:  # the columns left to price, contiguous for a fast product
            self._out_idx = np.flatnonzero(~self.in_model)
            self._L_out = np.ascontiguousarray(self.form.L[:, self._out_idx])

    @property
    def frame(self) -> np.ndarray:
        """Reference columns currently in the model."""
        return np.flatnonzero(self.in_model)

    # ------------------------------------------------------------------ solving
    def _set_unit(self, k: int) -> None:
        f = self.form
        h = self.h
        h.changeRowsBounds(f.n_rows, self._rows, f.row_lo[k], f.row_hi[k])
        for j, (r, c) in enumerate(f.dyn_pos):
            h.changeCoeff(r, c, float(f.dyn_val[k, j]))
        h.changeColsCost(f.n_extra, self._xcols, f.cost[k])
        h.changeColsBounds(f.n_extra, self._xcols, f.col_lo[k], f.col_hi[k])

    def _run_once(self, stats: list[int]) -> str:
        h = self.h
        h.run()
        stats[0] += int(h.getInfoValue("simplex_iteration_count")[1])
        stats[1] += 1
        return _STATUS.get(h.getModelStatus(), "error")

    def _run(self, exclude: int, stats: list[int]) -> tuple[str, Any]:
        """Run, pricing and adding columns until optimal for the full program.

        Returns the status and, when optimal, HiGHS's solution object.
        """
        h = self.h
        nl = self.form.n_lam_rows
        while True:
            status = self._run_once(stats)
            if status == "error" or (status == "infeasible" and not self.reduce):
                # a warm start can end in numerical trouble: confirm from a cold start
                h.clearSolver()
                status = self._run_once(stats)
            if status == "infeasible" and self.reduce:
                # Farkas pricing: a dual ray proves the restricted program infeasible; an
                # excluded column that violates the certificate may restore feasibility
                add = self._farkas(exclude)
                if add is None:  # no usable certificate: the caller decides on the full LP
                    return "uncertain", None
                if add.size == 0:  # the certificate covers every column: infeasible
                    h.clearSolver()  # confirm from a cold start before trusting it
                    if self._run_once(stats) == "infeasible":
                        return status, None
                    continue
                self.n_farkas += 1
                self._add(add)
                continue
            if status != "optimal":
                return status, None
            sol = h.getSolution()
            if not self.reduce:
                return status, sol
            y = np.asarray(sol.row_dual, dtype=float)[:nl]
            add = _frame.price_out(self._L_out, self._out_idx, y, exclude, self.k_add)
            if add.size == 0:
                return status, sol
            self._add(add)

    def _farkas(self, exclude: int) -> np.ndarray | None:
        """Excluded columns that break HiGHS's infeasibility certificate (dual ray ``r``).

        Every column ``a_j`` in the model satisfies ``r'a_j <= 0``; a column with
        ``r'a_j > 0`` could make the program feasible. Returns ``None`` when no consistent
        ray is available.
        """
        out = self.h.getDualRay()
        has, ray = bool(out[1]), np.asarray(out[-1], dtype=float)
        nl = self.form.n_lam_rows
        if not has or ray.size < nl or not np.all(np.isfinite(ray)):
            return None
        r = ray[:nl]
        scale = 1.0 + float(np.abs(r).max(initial=0.0))
        cols = self._model_ref[self._model_ref != exclude]  # the excluded one is fixed at 0
        inside = r @ self.form.L[:, cols] if cols.size else np.zeros(0)
        if inside.size and inside.max() > 1e-7 * scale:
            return None  # not the sign convention this test relies on: do not guess
        return _frame.price_out(self._L_out, self._out_idx, r, exclude, max(4, self.k_add // 4))

    def solve_unit(self, k: int, exclude: int = -1) -> UnitSolution:
        """Solve the program of evaluated unit ``k``; ``exclude`` a reference column or -1."""
        self._set_unit(k)
        excl_col = -1
        if exclude >= 0 and self.in_model[exclude]:
            excl_col = int(self.pos[exclude])
            self.h.changeColBounds(excl_col, 0.0, 0.0)
        stats = [0, 0]
        try:
            status, sol = self._run(exclude, stats)
            if status == "uncertain":
                # infeasible restricted program without a usable certificate: decide on the
                # full program and learn its optimal columns
                self.n_fallback += 1
                full = self._full_engine().solve_unit(k, exclude)
                full.iterations += stats[0]
                full.n_lp += stats[1]
                if full.status == "optimal" and full.lam_idx.size:
                    self._add(full.lam_idx)
                return full
            if status != "optimal":
                return UnitSolution(status, iterations=stats[0], n_lp=stats[1])
            h = self.h
            f = self.form
            obj = float(h.getObjectiveValue())
            if f.stage2 is not None:
                z1 = np.asarray(sol.col_value[: f.n_extra], dtype=float)
                c2, lo2, hi2 = f.stage2(k, z1, obj)
                h.changeColsCost(f.n_extra, self._xcols, c2)
                h.changeColsBounds(f.n_extra, self._xcols, lo2, hi2)
                status2, sol2 = self._run(exclude, stats)
                if status2 == "optimal":
                    sol = sol2
                else:  # keep the first-phase solution (numerical trouble)
                    h.changeColsCost(f.n_extra, self._xcols, f.cost[k])
                    h.changeColsBounds(f.n_extra, self._xcols, f.col_lo[k], f.col_hi[k])
                    status1, sol1 = self._run(exclude, stats)
                    if status1 != "optimal":  # includes "uncertain"
                        return UnitSolution("error", iterations=stats[0], n_lp=stats[1])
                    sol = sol1
            cv = np.asarray(sol.col_value, dtype=float)
            z = cv[: f.n_extra]
            lam = cv[f.n_extra :]
            nzi = np.flatnonzero(lam > LAMBDA_ZERO)
            ref = self._model_ref[nzi]
            order = np.argsort(ref)
            rv = np.asarray(sol.row_value, dtype=float) if f.keep_rows else _EMPTY
            return UnitSolution(
                "optimal",
                obj,
                z,
                ref[order],
                lam[nzi][order],
                rv,
                iterations=stats[0],
                n_lp=stats[1],
            )
        finally:
            if excl_col >= 0:
                self.h.changeColBounds(excl_col, 0.0, INF)

    def _full_engine(self) -> Engine:
        if self._full is None:
            self._full = Engine(self.form, reduce=False)
        return self._full
