"""Firm production functions: OLS, fixed effects, Levinsohn–Petrin and ACF.

All estimators take a long firm–year table and return a
:class:`~nqpf.efficiency.pf_result.ProdFnResult`. The production function is
Cobb–Douglas in logs, ``y = β0 + Σ β_x x + ω + ε``; TFP is reported as
``log_tfp = y − Σ β_x x`` (so it contains the constant and ε, the convention of
Stata's ``prodest`` predictions) and ``tfp = exp(log_tfp)``.

Conventions
-----------
* Panels may be unbalanced; the lag of a firm–year exists only when the same
  firm is observed in ``period − 1``. Firm–years without a lag stay in the first
  stage and in TFP but not in the second-stage moments.
* The control-function second stages (LP, ACF) follow Ackerberg, Caves & Frazer
  (2015, *Econometrica* 83(6), 2411–2451): ``ω(β) = Φ − Xβ``; ``ω_t`` is
  regressed on a cubic in ``ω_{t−1}`` (the Markov law ``g``) and the innovation
  ``ξ`` is interacted with instruments; the GMM objective ``ḡ' W ḡ`` with
  ``W = (Z'Z / N)⁻¹`` is minimised (scipy ``least_squares`` on the whitened
  moments by default, or Nelder–Mead) from OLS starting values
  (Stata ``prodest``'s advice: fix the starting values and report convergence),
  plus two more starts; the second stage is over-identified by ``k_{t−1}`` so
  that the lowest objective tells the true root from spurious ones.
* Standard errors come from a bootstrap that resamples firms with replacement
  (``numpy.random.default_rng(seed)``); a resampled firm drawn twice enters as
  two firms, and each replicate's GMM step starts at the full-sample estimate.
  ``std_error`` is the standard deviation (ddof = 1) of the replicate
  estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations_with_replacement
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares, minimize

from ..errors import DataError
from ..panel.clean import coerce_numeric
from .pf_result import ProdFnResult

METHODS = ("ols", "fe", "lp", "acf")
_MAX_LISTED = 50


# ----------------------------------------------------------------------------- data
class _Prepared:
    """Sorted arrays of one estimation sample (internal)."""

    def __init__(
        self,
        y: np.ndarray,
        free: np.ndarray,
        state: np.ndarray,
        proxy: np.ndarray | None,
        firm: np.ndarray,
        prev: np.ndarray,
    ) -> None:
        self.y = y
        self.free = free
        self.state = state
        self.proxy = proxy
        self.firm = firm  # integer code 0..n_firms−1, non-decreasing
        self.prev = prev  # row of (firm, period − 1) or −1

    def take(self, rows: np.ndarray, firm: np.ndarray) -> _Prepared:
        """Rows of a firm bootstrap draw (contiguous blocks, one per drawn firm)."""
        pos = np.arange(rows.size)
        prev = np.where(self.prev[rows] >= 0, pos - 1, -1)
        proxy = None if self.proxy is None else self.proxy[rows]
        return _Prepared(self.y[rows], self.free[rows], self.state[rows], proxy, firm, prev)


def _as_list(x: str | Sequence[str] | None, what: str) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    out = list(x)
    if not out or not all(isinstance(c, str) for c in out):
        raise DataError(f"{what} must be a column name or a non-empty list of column names")
    return out


def _numeric(df: pd.DataFrame, col: str) -> np.ndarray:
    s = df[col]
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float, na_value=np.nan)
    vals, _ = coerce_numeric(s)
    return vals


def _firm_years(ids: np.ndarray, per: np.ndarray, mask: np.ndarray) -> str:
    pairs = [f"{ids[j]}/{per[j]}" for j in np.flatnonzero(mask)[:10]]
    more = int(mask.sum()) - len(pairs)
    return ", ".join(pairs) + (f" and {more} more" if more > 0 else "")


# ----------------------------------------------------------------------------- algebra
def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least-squares solution of the normal equations ``a x = b`` (rank safe)."""
    return np.linalg.lstsq(a, b, rcond=None)[0]


def _best_fit(stage: Any, start: np.ndarray, optimizer: str) -> tuple[np.ndarray, dict[str, Any]]:
    """GMM from several starts; the lowest objective wins.

    The ACF moments can have several roots (ACF 2015, section 4.4, and the
    prodest documentation warn of starting-value dependence). The second stage is
    over-identified by the lagged state (k_{t−1}, in the firm's information set at
    t − 1), so spurious roots leave a positive objective; the fit starts from the
    OLS estimates and from the free inputs' coefficients scaled by ½ and ¾ with the
    remainder moved to the state (constant returns as a prior for the start only),
    and keeps the solution with the smallest objective.
    """
    starts = [np.asarray(start, dtype=float)]
    total = float(np.sum(start))
    nf = len(start) - 1
    for share in (0.5, 0.75):
        s = np.asarray(start, dtype=float).copy()
        s[:nf] = s[:nf] * share
        s[nf:] = (total - s[:nf].sum()) / max(len(s) - nf, 1)
        starts.append(s)
    best: tuple[np.ndarray, dict[str, Any]] | None = None
    best_obj = np.inf
    for s in starts:
        b, info = stage.fit(s, optimizer)
        obj = stage.objective(b)
        if obj < best_obj:
            best, best_obj = (b, info), obj
    b, info = best  # type: ignore[misc]
    return b, {**info, "starts": len(starts)}


def _ols(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _solve(x.T @ x, x.T @ y)


def _poly(cols: np.ndarray, degree: int) -> np.ndarray:
    """All monomials of the standardised columns up to ``degree``, with a constant.

    Standardising does not change the span, hence not the fitted values, but
    keeps the normal equations well conditioned. Each monomial of degree ``d``
    is one product of a degree ``d − 1`` monomial and a variable, written into a
    preallocated column-major array.
    """
    n, p = cols.shape
    sd = cols.std(axis=0)
    z = (cols - cols.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    out = np.empty((n, _n_monomials(p, degree) + 1), order="F")
    out[:, 0] = 1.0
    index: dict[tuple[int, ...], int] = {}
    col = 1
    for d in range(1, degree + 1):
        for combo in combinations_with_replacement(range(p), d):
            if d == 1:
                out[:, col] = z[:, combo[0]]
            else:
                np.multiply(out[:, index[combo[:-1]]], z[:, combo[-1]], out=out[:, col])
            index[combo] = col
            col += 1
    return out


class _SecondStage:
    """GMM on the productivity innovation ξ(β), vectorised over firm–years.

    Each evaluation is a handful of passes over preallocated arrays: ω_t and
    ω_{t−1} from one matrix–vector product each, the powers of the
    standardised ω_{t−1}, one small Gram matrix for the regression on
    ``g(ω_{t−1})``, and the sample moments ``Z'ξ / N``. The mean and variance
    of ω_{t−1}(β) come from precomputed moments, without a pass.
    """

    def __init__(
        self,
        phi: np.ndarray,
        x: np.ndarray,
        z: np.ndarray,
        prev: np.ndarray,
        markov_degree: int,
    ) -> None:
        cur = np.flatnonzero(prev >= 0)
        lag = prev[cur]
        n = cur.size
        self.n = n
        self.pc = phi[cur]
        self.pl = phi[lag]
        self.xct = np.ascontiguousarray(x[cur].T)
        self.xlt = np.ascontiguousarray(x[lag].T)
        self.zt = np.ascontiguousarray(z.T)
        self.deg = markov_degree
        # moments of (φ_{t−1}, x_{t−1}) give mean and variance of ω_{t−1}(β) in closed form
        self.m_pl = self.pl.mean()
        self.m_xl = self.xlt.mean(axis=1)
        dx = self.xlt - self.m_xl[:, None]
        dp = self.pl - self.m_pl
        self.v_pl = float(dp @ dp) / n
        self.c_xp = dx @ dp / n
        self.c_xx = dx @ dx.T / n
        w = np.linalg.pinv(self.zt @ self.zt.T / n)
        # whitening: ‖L' ḡ‖² = ḡ' W ḡ
        evals, evecs = np.linalg.eigh((w + w.T) / 2)
        self.half_w = evecs * np.sqrt(np.clip(evals, 0.0, None))
        self.wc = np.empty(n)
        self.powers = np.empty((markov_degree + 1, n))
        self.powers[0] = 1.0

    def xi(self, b: np.ndarray) -> np.ndarray:
        wc = self.wc
        np.dot(b, self.xct, out=wc)
        np.subtract(self.pc, wc, out=wc)
        u = self.powers[1]
        np.dot(b, self.xlt, out=u)
        np.subtract(self.pl, u, out=u)
        mean = self.m_pl - float(self.m_xl @ b)
        var = self.v_pl - 2.0 * float(b @ self.c_xp) + float(b @ self.c_xx @ b)
        sd = np.sqrt(var) if var > 1e-300 else 1.0
        u -= mean
        u *= 1.0 / sd
        for j in range(2, self.deg + 1):
            np.multiply(self.powers[j - 1], u, out=self.powers[j])
        gram = self.powers @ self.powers.T
        coef = _solve(gram, self.powers @ wc)
        return wc - coef @ self.powers

    def moments(self, b: np.ndarray) -> np.ndarray:
        """Whitened sample moments ``L' Z'ξ / N`` (their squared norm is the objective)."""
        return self.half_w.T @ (self.zt @ self.xi(b) / self.n)

    def objective(self, b: np.ndarray) -> float:
        r = self.moments(b)
        return float(r @ r)

    def fit(self, start: np.ndarray, optimizer: str) -> tuple[np.ndarray, dict[str, Any]]:
        if optimizer == "least_squares":
            res = least_squares(
                self.moments,
                start,
                method="trf",
                xtol=1e-12,
                ftol=1e-14,
                gtol=1e-14,
                max_nfev=200 * start.size,
            )
            x, success = res.x, bool(res.status > 0)
            info = {
                "status": int(res.status),
                "message": str(res.message),
                "iterations": int(res.nfev),
                "evaluations": int(res.nfev),
            }
        else:
            res = minimize(
                self.objective,
                start,
                method="Nelder-Mead",
                options={"xatol": 1e-8, "fatol": 1e-16, "maxiter": 4000 * start.size},
            )
            x, success = res.x, bool(res.success)
            info = {
                "status": int(res.status),
                "message": str(res.message),
                "iterations": int(res.nit),
                "evaluations": int(res.nfev),
            }
        x = np.asarray(x, dtype=float)
        val = self.objective(x)
        if not np.isfinite(val) or not np.all(np.isfinite(x)):
            raise DataError(
                "the GMM objective is NaN at the optimum; check for constant or "
                "collinear inputs, or fewer firm-years with a lag than parameters"
            )
        info.update(
            optimizer=optimizer,
            converged=success,
            objective=val,
            start=[float(v) for v in start],
        )
        return x, info


# ----------------------------------------------------------------------------- estimators
def _fit(
    d: _Prepared,
    method: str,
    value_added: bool,
    degree: int,
    markov_degree: int,
    optimizer: str,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Coefficients on (free, state[, proxy]) and optimiser information.

    ``start`` (all coefficients) replaces the OLS starting values of the GMM step.
    """
    n = d.y.size
    base = [d.free, d.state] if value_added else [d.free, d.state, d.proxy[:, None]]
    x = np.hstack(base)
    ones = np.ones((n, 1))
    if method == "ols":
        return _ols(np.hstack([ones, x]), d.y)[1:], {}
    if method == "fe":
        cnt = np.bincount(d.firm)
        cols = np.column_stack([d.y, x])
        means = (
            np.column_stack([np.bincount(d.firm, weights=cols[:, j]) for j in range(cols.shape[1])])
            / cnt[:, None]
        )
        dm = cols - means[d.firm]
        return _ols(dm[:, 1:], dm[:, 0]), {}
    nf = d.free.shape[1]
    multi_start = start is None  # bootstrap replicates start at the full-sample estimate
    if start is None:
        start = _ols(np.hstack([ones, x]), d.y)[1:]
    if method == "lp":
        # first stage: y = β_free·free + φ(state, m) + ε
        poly = _poly(np.column_stack([d.state, d.proxy]), degree)
        xs = np.hstack([d.free, poly])
        coef = _ols(xs, d.y)
        b_free = coef[:nf]
        phi = poly @ coef[nf:]
        cur = d.prev >= 0
        stage = _SecondStage(phi, d.state, d.state[cur], d.prev, markov_degree)
        b_state, info = stage.fit(start[nf:], optimizer)
        return np.concatenate([b_free, b_state]), info
    # ACF: first stage Φ(free, state, m); moments on k_t, free_{t−1}(, m_{t−1})
    poly = _poly(np.column_stack([d.free, d.state, d.proxy]), degree)
    phi = poly @ _ols(poly, d.y)
    cur = np.flatnonzero(d.prev >= 0)
    lag = d.prev[cur]
    inst = [d.state[cur], d.free[lag], d.state[lag]]
    if not value_added:
        inst.append(d.proxy[lag][:, None])
    stage = _SecondStage(phi, x, np.hstack(inst), d.prev, markov_degree)
    return _best_fit(stage, start, optimizer) if multi_start else stage.fit(start, optimizer)


def estimate(
    data: pd.DataFrame,
    *,
    unit: str,
    period: str,
    output: str,
    free: str | Sequence[str],
    state: str | Sequence[str],
    proxy: str | None = None,
    method: str = "acf",
    value_added: bool = True,
    poly_degree: int = 3,
    markov_degree: int = 3,
    optimizer: str = "least_squares",
    n_boot: int = 0,
    seed: int = 0,
    logs: bool = True,
) -> ProdFnResult:
    """Estimate a Cobb–Douglas production function on a firm panel.

    Parameters
    ----------
    data : DataFrame
        Long table, one row per firm and period; not modified.
    unit, period : str
        Firm identifier and integer period (year) columns.
    output : str
        Output (value added, or gross output when ``value_added=False``).
    free : str or list of str
        Freely chosen inputs (labour).
    state : str or list of str
        State inputs (capital), decided one period ahead.
    proxy : str, optional
        Intermediate input ``m`` (required for ``lp`` and ``acf``, and for
        ``ols``/``fe`` with ``value_added=False`` where it enters as an input).
    method : {"ols", "fe", "lp", "acf"}
        ``ols``: pooled OLS with a constant. ``fe``: within-firm estimator
        (no time effects). ``lp``: Levinsohn & Petrin (2003, *REStud* 70(2)),
        value added; first stage ``y = β_l l + φ(k, m) + ε`` with a polynomial
        φ, second stage GMM on β_k with the moment ``E[ξ_t k_t] = 0`` and ξ from
        the cubic ``g(ω_{t−1})``. ``acf``: Ackerberg, Caves & Frazer (2015);
        first stage Φ(l, k, m), second stage moments ``E[ξ_t · (k_t, l_{t−1})]``;
        with ``value_added=False`` (gross output, ACF section 4.3) ``m`` enters
        the production function and ``m_{t−1}`` is the extra instrument. Note
        Gandhi, Navarro & Rivers (2020): with a flexible ``m`` the gross-output
        proxy model may be weakly or not identified; the estimate is reported
        with its optimiser status, not endorsed.
    value_added : bool
        True: ``y`` is value added and ``m`` only controls for ω.
    poly_degree : int
        Degree of the first-stage polynomial (full set of interactions).
    markov_degree : int
        Degree of the polynomial ``g`` in ``ω_{t−1}`` (default cubic).
    optimizer : {"least_squares", "nelder-mead"}
        Minimiser of the GMM objective, both started at the OLS estimates:
        ``least_squares`` (scipy trust-region on the whitened moments, default,
        about 15–30 evaluations) or ``nelder-mead`` (derivative free, about
        130 evaluations). Their status is reported in ``diagnostics["optimizer"]``.
    n_boot : int
        Bootstrap replications resampling firms with replacement (0: none,
        ``std_error`` NaN).
    seed : int
        Seed of the bootstrap generator; same seed, same standard errors.
    logs : bool
        True (default): output and inputs are already natural logs. False: they
        are levels and are logged here; a zero or negative level raises
        :class:`DataError` naming the firm and period.

    Returns
    -------
    ProdFnResult
        ``coefficients`` (term, estimate, std_error), ``tfp`` (unit, period,
        tfp, log_tfp), ``diagnostics``, ``params``.

    Raises
    ------
    DataError
        Missing columns, duplicate firm–periods, non-positive levels with
        ``logs=False``, too few firm–years with a lag, NaN GMM objective.
    """
    method = str(method).lower()
    if method not in METHODS:
        raise DataError(
            f"method {method!r} is not estimated here; choose one of {METHODS} "
            "(op and wrdg live in their own modules)"
        )
    free_cols = _as_list(free, "free")
    state_cols = _as_list(state, "state")
    if not free_cols or not state_cols:
        raise DataError("give at least one free input (labour) and one state input (capital)")
    needs_proxy = method in ("lp", "acf") or not value_added
    if needs_proxy and proxy is None:
        raise DataError(
            f"method {method!r} with value_added={value_added} needs proxy= "
            "(the intermediate input column, e.g. materials)"
        )
    if method == "lp" and not value_added:
        raise DataError(
            "lp is implemented for value added only; use method='acf' with "
            "value_added=False for a gross-output control-function estimate"
        )
    if optimizer not in ("least_squares", "nelder-mead"):
        raise DataError(f"optimizer {optimizer!r} unknown; use 'least_squares' or 'nelder-mead'")
    if poly_degree < 1 or markov_degree < 1:
        raise DataError("poly_degree and markov_degree must be at least 1")
    if n_boot < 0:
        raise DataError("n_boot must be 0 or a positive number of replications")
    proxy_cols = [proxy] if needs_proxy and proxy is not None else []
    var_cols = [output, *free_cols, *state_cols, *proxy_cols]
    wanted = [unit, period, *var_cols]
    missing = [c for c in dict.fromkeys(wanted) if c not in data.columns]
    if missing:
        raise DataError(f"column(s) {missing} not in the data; available: {list(data.columns)}")

    ids_all = data[unit].to_numpy()
    per_raw = pd.to_numeric(data[period], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad_per = ~np.isfinite(per_raw) | (per_raw != np.round(per_raw))
    if bad_per.any():
        j = int(np.flatnonzero(bad_per)[0])
        raise DataError(
            f"column {period!r} must hold integer periods; row {j} (firm {ids_all[j]}) "
            f"has {data[period].iloc[j]!r}"
        )
    per_all = per_raw.astype(np.int64)
    vals = np.column_stack([_numeric(data, c) for c in var_cols])
    if pd.isna(data[unit]).any():
        raise DataError(f"column {unit!r} has missing firm identifiers; drop or fill those rows")

    if not logs:
        bad = (vals <= 0).any(axis=1)
        if bad.any():
            which = [c for j, c in enumerate(var_cols) if (vals[:, j] <= 0).any()]
            raise DataError(
                f"zero or negative levels cannot be logged (columns {which}) at firm/period "
                f"{_firm_years(ids_all, per_all, bad)}; drop those firm-years, or pass "
                "logs=True if the columns are already logarithms"
            )
        with np.errstate(invalid="ignore"):
            vals = np.log(vals)

    keep = np.isfinite(vals).all(axis=1)
    n_missing = int((~keep).sum())
    codes_all, uniques = pd.factorize(data[unit], sort=True)
    codes = codes_all[keep]
    per = per_all[keep]
    vals = vals[keep]
    order = np.lexsort((per, codes))
    codes, per, vals = codes[order], per[order], vals[order]
    dup = np.zeros(codes.size, dtype=bool)
    dup[1:] = (codes[1:] == codes[:-1]) & (per[1:] == per[:-1])
    if dup.any():
        raise DataError(
            f"duplicate firm/period rows: {_firm_years(np.asarray(uniques)[codes], per, dup)}; "
            "aggregate or drop duplicates first"
        )
    if codes.size == 0:
        raise DataError(f"no firm-year has all of {var_cols} observed")
    # re-code firms present in the sample to 0..F−1
    present, firm = np.unique(codes, return_inverse=True)
    labels = np.asarray(uniques)[present]
    n_firm = present.size
    prev = np.full(codes.size, -1, dtype=np.int64)
    lagged = (codes[1:] == codes[:-1]) & (per[1:] == per[:-1] + 1)
    prev[1:][lagged] = np.flatnonzero(lagged)
    counts = np.bincount(firm, minlength=n_firm)
    short = labels[counts < 2]
    n_lag = int((prev >= 0).sum())

    nf, ns = len(free_cols), len(state_cols)
    y = vals[:, 0]
    d = _Prepared(
        y=y,
        free=vals[:, 1 : 1 + nf],
        state=vals[:, 1 + nf : 1 + nf + ns],
        proxy=vals[:, -1] if proxy_cols else None,
        firm=firm,
        prev=prev,
    )
    n_par = nf + ns + (0 if value_added else 1)
    if method in ("lp", "acf"):
        n_first = (
            1
            + nf * (method == "lp")
            + _n_monomials((ns + 1) if method == "lp" else (nf + ns + 1), poly_degree)
        )
        if codes.size <= n_first:
            raise DataError(
                f"{codes.size} firm-years are too few for a degree-{poly_degree} first stage "
                f"with {n_first} terms; lower poly_degree or add data"
            )
        if n_lag < n_par + markov_degree + 2:
            raise DataError(
                f"only {n_lag} firm-years have the same firm observed in the previous period; "
                f"the second stage needs more than {n_par + markov_degree + 1}. Firms need at "
                "least two consecutive periods"
            )
    elif codes.size <= n_par + 1:
        raise DataError(f"{codes.size} firm-years are too few to estimate {n_par + 1} coefficients")

    beta, opt = _fit(d, method, value_added, poly_degree, markov_degree, optimizer)
    terms = [*free_cols, *state_cols, *([proxy] if not value_added else [])]

    warnings: list[str] = []
    if opt and not opt["converged"]:
        warnings.append(
            f"optimiser did not converge (status {opt['status']}: {opt['message']}); "
            "the estimate may move with starting values"
        )
    if short.size:
        warnings.append(
            f"{short.size} firm(s) observed in fewer than 2 periods enter no second-stage moment"
        )

    se = np.full(beta.size, np.nan)
    boot_info: dict[str, Any] = {"replications": int(n_boot)}
    if n_boot > 0:
        reps, failed, not_conv = _bootstrap(
            d,
            method,
            value_added,
            poly_degree,
            markov_degree,
            optimizer,
            n_boot,
            seed,
            counts,
            beta,
        )
        if reps.shape[0] >= 2:
            se = reps.std(axis=0, ddof=1)
        boot_info.update(successful=int(reps.shape[0]), failed=failed, not_converged=not_conv)
        if failed:
            warnings.append(f"{failed} of {n_boot} bootstrap replications failed and were skipped")
        if not_conv:
            warnings.append(f"{not_conv} of {n_boot} bootstrap replications did not converge")
    else:
        boot_info["note"] = "no bootstrap (n_boot=0): std_error is NaN"

    x_all = np.hstack([d.free, d.state] + ([] if value_added else [d.proxy[:, None]]))
    log_tfp = y - x_all @ beta
    tfp = pd.DataFrame(
        {"unit": labels[firm], "period": per, "tfp": np.exp(log_tfp), "log_tfp": log_tfp}
    )
    coefficients = pd.DataFrame({"term": terms, "estimate": beta, "std_error": se})
    diagnostics: dict[str, Any] = {
        "n_obs": int(codes.size),
        "n_firms": int(n_firm),
        "n_dropped_missing": n_missing,
        "n_second_stage": n_lag if method in ("lp", "acf") else None,
        "firms_fewer_than_2_periods": [_py(v) for v in short[:_MAX_LISTED]],
        "n_firms_fewer_than_2_periods": int(short.size),
        "optimizer": opt or None,
        "bootstrap": boot_info,
        "warnings": warnings,
    }
    params = {
        "method": method,
        "unit": unit,
        "period": period,
        "output": output,
        "free": free_cols,
        "state": state_cols,
        "proxy": proxy,
        "value_added": bool(value_added),
        "poly_degree": int(poly_degree),
        "markov_degree": int(markov_degree),
        "optimizer": optimizer,
        "n_boot": int(n_boot),
        "seed": int(seed),
        "logs": bool(logs),
    }
    return ProdFnResult(
        method=method, coefficients=coefficients, tfp=tfp, diagnostics=diagnostics, params=params
    )


def _n_monomials(p: int, degree: int) -> int:
    from math import comb

    return comb(p + degree, degree) - 1


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _bootstrap(
    d: _Prepared,
    method: str,
    value_added: bool,
    degree: int,
    markov_degree: int,
    optimizer: str,
    n_boot: int,
    seed: int,
    counts: np.ndarray,
    start: np.ndarray,
) -> tuple[np.ndarray, int, int]:
    """Firm-clustered bootstrap replicates (rows: successful replications).

    The GMM step of each replicate starts at the full-sample estimate ``start``:
    the ACF moment equations can have several roots, and a replicate started
    afresh from its own OLS values may land on another one, which would inflate
    the standard errors with root switching rather than sampling noise.
    """
    rng = np.random.default_rng(seed)
    n_firm = counts.size
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    reps: list[np.ndarray] = []
    failed = not_conv = 0
    for _ in range(n_boot):
        draw = rng.integers(0, n_firm, n_firm)
        lens = counts[draw]
        total = int(lens.sum())
        first = np.cumsum(lens) - lens
        rows = np.repeat(starts[draw], lens) + (np.arange(total) - np.repeat(first, lens))
        firm = np.repeat(np.arange(n_firm), lens)
        try:
            b, info = _fit(
                d.take(rows, firm), method, value_added, degree, markov_degree, optimizer, start
            )
        except (DataError, np.linalg.LinAlgError):
            failed += 1
            continue
        if not np.all(np.isfinite(b)):
            failed += 1
            continue
        if info and not info["converged"]:
            not_conv += 1
        reps.append(b)
    width = d.free.shape[1] + d.state.shape[1] + (0 if value_added else 1)
    return (np.array(reps) if reps else np.empty((0, width))), failed, not_conv
