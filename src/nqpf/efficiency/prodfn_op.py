"""Olley–Pakes and Wooldridge production-function estimators.

Both estimators work on an unbalanced firm panel in long form (one row per firm
and period) and return a :class:`~nqpf.efficiency.pf_result.ProdFnResult`.
The model, in logs, is

.. math:: y_{it} = \\beta_0 + \\beta_l l_{it} + \\beta_k k_{it} + \\omega_{it} + e_{it},

with productivity :math:`\\omega` a first-order Markov process known to the firm
when it chooses the free inputs :math:`l` (so OLS is biased), capital :math:`k`
predetermined (chosen at :math:`t-1`) and :math:`e` an i.i.d. shock.

* :func:`olley_pakes`: Olley & Pakes (1996), *Econometrica* 64(6), 1263–1297,
  investment proxy, optional exit (survival) correction.
* :func:`wooldridge`: Wooldridge (2009), *Economics Letters* 104(3), 112–114,
  the two equations of the control-function approach estimated jointly by
  linear two-step efficient GMM.

Conventions shared by both (stated once here): lags are taken within a firm and
only from the immediately preceding period (``period - 1``), so a gap in a
firm's series breaks the lag; ``logs=True`` means the columns already hold
logarithms, ``logs=False`` that they hold levels and are logged here (levels
that are zero or negative cannot be logged: those firm-years are dropped and
named in ``diagnostics["nonpositive"]``); the constant is absorbed (no
:math:`\\beta_0` is reported) so ``log_tfp = y - Σ β_x x`` contains it, as in
Stata ``prodest``. Bootstrap standard errors resample whole firms with
replacement (a drawn firm counts as a new firm each time it is drawn) from
``numpy.random.default_rng(seed)``; the standard error is the sample standard
deviation (ddof = 1) of the replicate estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import DataError
from ..panel.clean import coerce_numeric
from .pf_result import ProdFnResult

__all__ = ["olley_pakes", "wooldridge"]

_MAX_LISTED = 50


# ---------------------------------------------------------------------------
# data preparation
# ---------------------------------------------------------------------------


@dataclass
class _Prep:
    ids: np.ndarray  # firm label per row (original values)
    periods: np.ndarray  # int periods
    firm: np.ndarray  # firm code 0..n_firms-1, rows sorted by (firm, period)
    starts: np.ndarray  # first row of each firm (len n_firms + 1)
    lag: np.ndarray  # row of the same firm at period - 1, or -1
    y: np.ndarray
    F: np.ndarray  # (n, n_free)
    K: np.ndarray  # (n, n_state)
    proxy: np.ndarray  # logged proxy, NaN where unusable
    exit: np.ndarray | None
    diagnostics: dict[str, Any] = field(default_factory=dict)


def _names(value: str | Sequence[str], role: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    out = [str(v) for v in value]
    if not out:
        raise DataError(f"{role}: give at least one column name")
    return out


def _monomials(X: np.ndarray, degree: int) -> np.ndarray:
    """All monomials of the columns of ``X`` of total degree 0..degree (constant first)."""
    n, p = X.shape
    cols = [np.ones(n)]
    for d in range(1, degree + 1):
        for combo in combinations_with_replacement(range(p), d):
            cols.append(np.prod(X[:, list(combo)], axis=1))
    return np.column_stack(cols)


def _prepare(
    data: pd.DataFrame,
    *,
    unit: str,
    period: str,
    output: str,
    free: list[str],
    state: list[str],
    proxy: str,
    exit: str | None,
    logs: bool,
    proxy_label: str,
) -> _Prep:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    needed = [unit, period, output, *free, *state, proxy] + ([exit] if exit else [])
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise DataError(
            f"column(s) {missing} not in the data; available columns: {list(data.columns)}"
        )
    overlap = set(free) & set(state) | ({proxy} & (set(free) | set(state)))
    if overlap:
        raise DataError(f"column(s) {sorted(overlap)} given in more than one role")

    df = data[list(dict.fromkeys(needed))].reset_index(drop=True)
    if df[unit].isna().any():
        rows = np.flatnonzero(df[unit].isna().to_numpy())[:10].tolist()
        raise DataError(f"missing firm id in row(s) {rows}; fill or drop them")
    per = pd.to_numeric(df[period], errors="coerce").to_numpy(dtype=float)
    if np.isnan(per).any() or np.any(per != np.round(per)):
        bad = np.flatnonzero(np.isnan(per) | (per != np.round(per)))[:10].tolist()
        raise DataError(
            f"period column {period!r} must hold whole numbers (years); bad row(s) {bad}"
        )
    df[period] = per.astype(np.int64)
    dup = df.duplicated([unit, period], keep=False)
    if dup.any():
        ex = df.loc[dup, [unit, period]].drop_duplicates().head(5).to_dict("records")
        raise DataError(f"duplicate firm-period rows, e.g. {ex}; keep one row per firm and period")

    diag: dict[str, Any] = {"n_rows_input": len(df)}
    where = df[[unit, period]]
    values: dict[str, np.ndarray] = {}
    for c in dict.fromkeys([output, *free, *state, proxy] + ([exit] if exit else [])):
        try:
            values[c], _ = coerce_numeric(df[c], where=where)
        except TypeError as err:
            raise DataError(f"column {c!r}: {err}") from err

    core = [output, *free, *state]
    miss = np.zeros(len(df), bool)
    for c in core:
        miss |= ~np.isfinite(values[c])
    nonpos: list[dict[str, Any]] = []
    bad_level = np.zeros(len(df), bool)
    if not logs:
        for c in core:
            v = values[c]
            bad = np.isfinite(v) & (v <= 0)
            for r in np.flatnonzero(bad):
                nonpos.append({"unit": df[unit].iloc[r], "period": int(df[period].iloc[r]),
                               "variable": c, "value": float(v[r])})
            bad_level |= bad
            with np.errstate(divide="ignore", invalid="ignore"):
                values[c] = np.where(v > 0, np.log(np.where(v > 0, v, 1.0)), np.nan)
    keep = ~(miss | bad_level)
    diag["dropped"] = {
        "missing_output_or_input": int(miss.sum()),
        "nonpositive_level": int((bad_level & ~miss).sum()),
    }
    diag["nonpositive"] = nonpos[:_MAX_LISTED]
    diag["n_nonpositive"] = len(nonpos)
    if nonpos:
        ex = ", ".join(
            f"{d['unit']}/{d['period']} {d['variable']}={d['value']:g}" for d in nonpos[:5]
        )
        diag.setdefault("warnings", []).append(
            f"{len(nonpos)} non-positive level(s) cannot be logged and were dropped "
            f"(firm/period: {ex}{' ...' if len(nonpos) > 5 else ''})"
        )

    pv = values[proxy]
    if logs:
        usable = np.isfinite(pv)
        diag[f"{proxy_label}_unusable"] = int((keep & ~usable).sum())
        lp = np.where(usable, pv, np.nan)
    else:
        usable = np.isfinite(pv) & (pv > 0)
        diag[f"{proxy_label}_unusable"] = int((keep & ~usable).sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            lp = np.where(usable, np.log(np.where(usable, pv, 1.0)), np.nan)

    ex_arr = None
    if exit:
        e = values[exit]
        bad = np.isfinite(e) & ~np.isin(e, [0.0, 1.0])
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"exit column {exit!r} must be 0/1; firm {df[unit].iloc[r]!r} period "
                f"{int(df[period].iloc[r])} has {e[r]:g}"
            )
        ex_arr = e

    sub = df.loc[keep, [unit, period]].reset_index(drop=True)
    idx = np.flatnonzero(keep)
    if len(idx) == 0:
        raise DataError("no usable firm-years after dropping missing and non-positive values")
    codes, uniq = pd.factorize(sub[unit], sort=False)
    order = np.lexsort((sub[period].to_numpy(), codes))
    idx = idx[order]
    codes = codes[order]
    pers = sub[period].to_numpy()[order]
    # renumber firms in order of first appearance in the sorted rows
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    firm = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(codes)]))
    n = len(idx)
    lag = np.full(n, -1, dtype=np.int64)
    same = (firm[1:] == firm[:-1]) & (pers[1:] == pers[:-1] + 1)
    lag[1:][same] = np.arange(n - 1)[same]
    counts = np.diff(np.r_[starts, n])
    ids_sorted = df[unit].to_numpy()[idx]
    single = ids_sorted[starts[counts == 1]]
    diag["n_obs"] = int(n)
    diag["n_firms"] = int(len(starts))
    diag["firms_one_period"] = int(len(single))
    diag["firms_one_period_ids"] = [v.item() if hasattr(v, "item") else v
                                    for v in single[:_MAX_LISTED]]
    if len(single):
        diag.setdefault("warnings", []).append(
            f"{len(single)} firm(s) observed in one period only contribute no lag "
            "to the dynamic stage"
        )
    return _Prep(
        ids=ids_sorted,
        periods=pers,
        firm=firm,
        starts=np.r_[starts, n],
        lag=lag,
        y=values[output][idx],
        F=np.column_stack([values[c][idx] for c in free]),
        K=np.column_stack([values[c][idx] for c in state]),
        proxy=lp[idx],
        exit=None if ex_arr is None else ex_arr[idx],
        diagnostics=diag,
    )


def _resample(prep: _Prep, rng: np.random.Generator) -> dict[str, Any]:
    """Arrays of a firm-bootstrap sample (each draw is a new firm)."""
    nf = len(prep.starts) - 1
    draw = rng.integers(0, nf, nf)
    lo = prep.starts[draw]
    hi = prep.starts[draw + 1]
    lens = hi - lo
    rows = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)])
    offs = np.repeat(np.cumsum(np.r_[0, lens[:-1]]), lens)
    base = np.repeat(lo, lens)
    old_lag = prep.lag[rows]
    lag = np.where(old_lag >= 0, old_lag - base + offs, -1)
    return {
        "y": prep.y[rows], "F": prep.F[rows], "K": prep.K[rows], "proxy": prep.proxy[rows],
        "lag": lag, "exit": None if prep.exit is None else prep.exit[rows],
        "firm": np.repeat(np.arange(nf), lens),
    }


def _ols_start(y: np.ndarray, F: np.ndarray, K: np.ndarray) -> np.ndarray:
    X = np.column_stack([np.ones(len(y)), F, K])
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    return b[1:]


# ---------------------------------------------------------------------------
# Olley–Pakes
# ---------------------------------------------------------------------------


def _probit(y: np.ndarray, X: np.ndarray, max_iter: int = 100) -> tuple[np.ndarray, bool, int]:
    """Probit by Newton–Raphson on the (concave) log-likelihood."""
    b = np.zeros(X.shape[1])
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        xb = X @ b
        pdf = np.exp(-0.5 * xb**2) / np.sqrt(2 * np.pi)
        q = 2 * y - 1
        lam = q * pdf / np.clip(special.ndtr(q * xb), 1e-300, None)  # d loglik / d xb
        grad = X.T @ lam
        w = lam * (lam + xb)  # minus the second derivative
        H = (X * w[:, None]).T @ X
        step = np.linalg.lstsq(H, grad, rcond=None)[0]
        b = b + step
        if np.max(np.abs(step)) < 1e-9:
            converged = True
            break
    return b, converged, it


def _op_core(
    y: np.ndarray,
    F: np.ndarray,
    K: np.ndarray,
    proxy: np.ndarray,
    lag: np.ndarray,
    exit: np.ndarray | None,
    degree: int,
    start: np.ndarray | None,
) -> tuple[np.ndarray, dict[str, Any]]:
    info: dict[str, Any] = {}
    inv = np.isfinite(proxy)
    poly_cols = np.column_stack([proxy, K])
    # first stage: y on free inputs and a polynomial in (proxy, k), positive proxy only
    P1 = _monomials(poly_cols[inv], degree)
    X1 = np.column_stack([F[inv], P1])
    if inv.sum() <= X1.shape[1]:
        raise DataError(
            f"first stage needs more than {X1.shape[1]} firm-years with a usable proxy; "
            f"{int(inv.sum())} have one"
        )
    c1 = np.linalg.lstsq(X1, y[inv], rcond=None)[0]
    nfree = F.shape[1]
    beta_f = c1[:nfree]
    phi = np.full(len(y), np.nan)
    phi[inv] = P1 @ c1[nfree:]
    info["first_stage_obs"] = int(inv.sum())

    # survival probability P̂_t from a probit of survival on poly(proxy_{t-1}, k_{t-1})
    phat = None
    if exit is not None:
        ps = inv & np.isfinite(exit)
        Xp = _monomials(poly_cols[ps], degree)
        surv = 1.0 - exit[ps]
        if surv.min() == surv.max():
            raise DataError(
                "exit correction impossible: every firm-year in the probit sample "
                + ("exits" if surv.max() == 0 else "survives")
                + "; pass exit=None"
            )
        gp, conv, it = _probit(surv, Xp)
        full = np.full(len(y), np.nan)
        full[ps] = special.ndtr(Xp @ gp)
        phat = np.full(len(y), np.nan)
        has = lag >= 0
        phat[has] = full[lag[has]]
        info["probit_converged"] = bool(conv)
        info["probit_iterations"] = int(it)
        info["probit_obs"] = int(ps.sum())

    # second stage rows: lagged phi (and P̂) defined
    has = lag >= 0
    rows = np.flatnonzero(has)
    rows = rows[np.isfinite(phi[lag[rows]])]
    if phat is not None:
        rows = rows[np.isfinite(phat[rows])]
    ytil = y[rows] - F[rows] @ beta_f
    Kt = K[rows]
    phil = phi[lag[rows]]
    Kl = K[lag[rows]]
    pr = None if phat is None else phat[rows]
    n_basis = degree + 1 if pr is None else (degree + 1) * (degree + 2) // 2
    if len(rows) <= n_basis + K.shape[1]:
        raise DataError(
            f"second stage needs more than {n_basis + K.shape[1]} firm-years with a lagged "
            f"proxy of the same firm; {len(rows)} have one"
        )
    info["second_stage_obs"] = int(len(rows))

    def basis(bk: np.ndarray) -> np.ndarray:
        h = phil - Kl @ bk
        if pr is None:
            return np.vander(h, degree + 1, increasing=True)
        return _monomials(np.column_stack([h, pr]), degree)

    def ssr(bk: np.ndarray) -> float:
        bk = np.atleast_1d(bk)
        r = ytil - Kt @ bk
        B = basis(bk)
        coef = np.linalg.lstsq(B, r, rcond=None)[0]
        e = r - B @ coef
        return float(e @ e)

    x0 = _ols_start(y, F, K)[nfree:] if start is None else np.asarray(start, float)
    res = optimize.minimize(
        ssr, x0, method="Nelder-Mead",
        options={"xatol": 1e-7, "fatol": 1e-12 * max(1.0, ssr(x0)), "maxiter": 2000},
    )
    info["converged"] = bool(res.success)
    info["iterations"] = int(res.nit)
    info["message"] = str(res.message)
    info["ssr"] = float(res.fun)
    return np.r_[beta_f, np.atleast_1d(res.x)], info


def olley_pakes(
    data: pd.DataFrame,
    *,
    unit: str,
    period: str,
    output: str,
    free: str | Sequence[str],
    state: str | Sequence[str],
    proxy: str,
    exit: str | None = None,
    poly_degree: int = 3,
    n_boot: int = 0,
    seed: int = 0,
    logs: bool = True,
) -> ProdFnResult:
    """Olley–Pakes (1996) estimator with investment as the proxy.

    First stage (OLS): :math:`y_t = \\beta_l l_t + \\Phi(i_t, k_t) + e_t`,
    :math:`\\Phi` a full polynomial of total degree ``poly_degree`` in
    (log investment, states), fitted on firm-years with positive (usable)
    investment only, because the investment policy is invertible in
    :math:`\\omega` only where investment is positive (OP 1996, §3). Second
    stage (nonlinear least squares, concentrated in :math:`\\beta_k`):

    .. math:: y_t - \\hat\\beta_l l_t = \\beta_k k_t
              + g(\\hat\\Phi_{t-1} - \\beta_k k_{t-1}, \\hat P_t) + \\xi_t + e_t,

    ``g`` a polynomial of degree ``poly_degree`` in its argument(s) with free
    coefficients, profiled out by least squares for each trial
    :math:`\\beta_k`, which is found by Nelder–Mead from the OLS estimate (the
    starting value Stata ``prodest`` also recommends fixing). Rows enter the
    second stage when the same firm is observed in ``period - 1`` with usable
    investment; their own investment may be zero.

    Parameters
    ----------
    data : DataFrame
        Long panel, one row per firm and period.
    unit, period, output : str
        Firm id, integer period (year) and output (value added) columns.
    free : str or sequence of str
        Free inputs (labour).
    state : str or sequence of str
        State inputs (capital), predetermined.
    proxy : str
        Investment.
    exit : str, optional
        0/1 column, 1 in the last period a firm is observed before it exits.
        With it, survival to ``t`` (``1 - exit_{t-1}``) is fitted by a probit on
        the polynomial of (investment, states) at ``t-1`` (firm-years with usable
        investment and a non-missing ``exit``; a firm still present in the last
        sample year, coded 0, counts as surviving) and :math:`\\hat P_t` enters
        ``g`` (OP 1996, exit correction). Without it the correction is off and
        ``params["exit_correction"]`` is False.
    poly_degree : int
        Degree of the first-stage, probit and ``g`` polynomials (default 3).
    n_boot : int
        Firm bootstrap replications for standard errors (0: none, NaN).
    seed : int
        Seed of ``numpy.random.default_rng`` for the bootstrap.
    logs : bool
        True: the columns already hold logs (investment in logs; a missing or
        non-finite value marks no usable investment). False: levels, logged here;
        zero or negative output/inputs are dropped and named, zero investment
        keeps the row but leaves it out of the inversion.

    Returns
    -------
    ProdFnResult
        ``method="op"``; diagnostics hold convergence of the NLS step (and the
        probit), observations used per stage and dropped, firms with one period.

    Raises
    ------
    DataError
        Missing columns, duplicate firm-periods, non-integer periods, too few
        usable observations, an exit column that is not 0/1 or never varies.
    """
    free_l, state_l = _names(free, "free"), _names(state, "state")
    if poly_degree < 1:
        raise DataError(f"poly_degree must be at least 1, got {poly_degree}")
    prep = _prepare(data, unit=unit, period=period, output=output, free=free_l, state=state_l,
                    proxy=proxy, exit=exit, logs=logs, proxy_label="investment")
    beta, info = _op_core(prep.y, prep.F, prep.K, prep.proxy, prep.lag, prep.exit,
                          poly_degree, None)
    diag = prep.diagnostics
    diag.update(info)
    diag["dropped"]["no_usable_investment_first_stage"] = int(
        diag["n_obs"] - info["first_stage_obs"])
    diag["dropped"]["no_lag_second_stage"] = int(diag["n_obs"] - info["second_stage_obs"])
    if not info["converged"]:
        diag.setdefault("warnings", []).append(f"NLS did not converge: {info['message']}")

    def rep(s: dict[str, Any]) -> np.ndarray:
        return _op_core(s["y"], s["F"], s["K"], s["proxy"], s["lag"], s["exit"],
                        poly_degree, beta[len(free_l):])[0]

    se = _bootstrap(prep, rep, n_boot, seed, len(beta), diag)
    params = {
        "method": "op", "output": output, "free": free_l, "state": state_l, "proxy": proxy,
        "proxy_kind": "investment", "exit": exit, "exit_correction": exit is not None,
        "poly_degree": poly_degree, "n_boot": n_boot, "seed": seed, "logs": logs,
        "optimizer": "Nelder-Mead from OLS start", "inversion_sample": "positive investment",
    }
    return _result("op", free_l + state_l, beta, se, prep, diag, params)


# ---------------------------------------------------------------------------
# Wooldridge (2009)
# ---------------------------------------------------------------------------


def _wrdg_core(
    y: np.ndarray,
    F: np.ndarray,
    K: np.ndarray,
    proxy: np.ndarray,
    lag: np.ndarray,
    firm: np.ndarray,
    degree: int,
    system: bool,
) -> tuple[np.ndarray, dict[str, Any]]:
    rows = np.flatnonzero(lag >= 0)
    rows = rows[np.isfinite(proxy[rows]) & np.isfinite(proxy[lag[rows]])]
    n = len(rows)
    nf, nk = F.shape[1], K.shape[1]
    lr = lag[rows]
    Ft, Kt, yt = F[rows], K[rows], y[rows]
    c_t = _monomials(np.column_stack([K[rows], proxy[rows]]), degree)[:, 1:]
    c_l = _monomials(np.column_stack([K[lr], proxy[lr]]), degree)[:, 1:]
    p = c_t.shape[1]
    one = np.ones((n, 1))
    # eq2: y = a2 + F b_f + K b_k + c(k_{t-1}, m_{t-1}) g + u ; Z2 = 1, K_t, F_{t-1}, c_{t-1}
    X2 = np.column_stack([Ft, Kt, one, c_l])
    Z2 = np.column_stack([one, Kt, F[lr], c_l])
    blocks_X = [X2]
    blocks_Z = [Z2]
    if system:
        # eq1: y = a1 + F b_f + c(k_t, m_t) lam + e ; Z1 = 1, F_t, c_t (K_t sits inside c_t)
        npar = nf + nk + 1 + p
        X1 = np.zeros((n, npar + 1 + p))
        X1[:, :nf] = Ft
        X1[:, npar] = 1.0
        X1[:, npar + 1:] = c_t
        X2 = np.column_stack([X2, np.zeros((n, 1 + p))])
        blocks_X = [X1, X2]
        blocks_Z = [np.column_stack([one, Ft, c_t]), Z2]
    nparam = blocks_X[-1].shape[1]
    m_count = sum(Z.shape[1] for Z in blocks_Z)
    if n <= m_count:
        raise DataError(
            f"Wooldridge GMM needs more than {m_count} firm-years with the same firm "
            f"observed at t-1 and a usable proxy at t and t-1; {n} have them"
        )
    G = np.vstack([Z.T @ X for Z, X in zip(blocks_Z, blocks_X, strict=True)])
    gy = np.concatenate([Z.T @ yt for Z in blocks_Z])

    def solve(W: np.ndarray) -> np.ndarray:
        A = G.T @ W @ G
        return np.linalg.lstsq(A, G.T @ W @ gy, rcond=None)[0]

    W1 = np.zeros((m_count, m_count))
    o = 0
    for Z in blocks_Z:
        q = Z.shape[1]
        W1[o:o + q, o:o + q] = np.linalg.pinv(Z.T @ Z)
        o += q
    theta1 = solve(W1)

    def moments(theta: np.ndarray) -> np.ndarray:
        return np.column_stack(
            [Z * (yt - X @ theta)[:, None] for Z, X in zip(blocks_Z, blocks_X, strict=True)]
        )

    m1 = moments(theta1)
    codes = firm[rows]
    S_c = np.zeros((codes.max() + 1, m_count))
    np.add.at(S_c, codes, m1)
    S = S_c.T @ S_c
    W2 = np.linalg.pinv(S)
    theta2 = solve(W2)
    gbar = moments(theta2).sum(axis=0)
    J = float(gbar @ W2 @ gbar)
    df_j = m_count - nparam
    info = {
        "gmm_obs": int(n),
        "n_moments": int(m_count),
        "n_params": int(nparam),
        "hansen_j": J,
        "hansen_j_df": int(df_j),
        "hansen_j_pvalue": float(stats.chi2.sf(J, df_j)) if df_j > 0 else float("nan"),
        "converged": True,
        "first_step_beta": theta1[: nf + nk].tolist(),
    }
    return theta2[: nf + nk], info


def wooldridge(
    data: pd.DataFrame,
    *,
    unit: str,
    period: str,
    output: str,
    free: str | Sequence[str],
    state: str | Sequence[str],
    proxy: str,
    poly_degree: int = 3,
    system: bool = True,
    n_boot: int = 0,
    seed: int = 0,
    logs: bool = True,
) -> ProdFnResult:
    """Wooldridge (2009) one-step estimator by linear two-step efficient GMM.

    With :math:`\\omega_t = h(k_t, m_t)` (proxy ``m`` monotone in :math:`\\omega`
    given the states) and :math:`\\omega_t = \\rho_0 + \\rho\\,\\omega_{t-1} +
    \\xi_t`, and ``c(·)`` the monomials of degree 1..``poly_degree`` in
    (states, proxy), two equations hold (Wooldridge 2009, eqs. 2.10–2.11 with a
    linear :math:`f`):

    * eq. 1: :math:`y_t = a_1 + \\beta_l l_t + c(k_t, m_t)'\\lambda + e_t`,
      instruments :math:`(1, l_t, c(k_t, m_t))` (:math:`\\beta_k` is absorbed by
      the linear ``k`` term of ``c``, so eq. 1 identifies only :math:`\\beta_l`);
    * eq. 2: :math:`y_t = a_2 + \\beta_l l_t + \\beta_k k_t +
      c(k_{t-1}, m_{t-1})'\\gamma + u_t`, instruments
      :math:`(1, k_t, l_{t-1}, c(k_{t-1}, m_{t-1}))` — the set Stata
      ``prodest, method(wrdg)`` and R ``prodestWRDG``/``prodestROB`` use.

    :math:`\\beta_l, \\beta_k` are shared by both equations; :math:`\\gamma`
    (= :math:`\\rho\\lambda`) is left free, which keeps the system linear and
    valid for any AR(1) :math:`\\omega` (dropping Wooldridge's cross-equation
    restriction :math:`\\gamma = \\lambda` that a random walk implies costs
    efficiency, not consistency). With ``system=True`` the stacked moments are
    overidentified by the number of free inputs. Step 1 weights each equation's
    moments by :math:`(Z_j'Z_j)^{-1}` (system 2SLS); step 2 uses the inverse of
    the firm-clustered moment covariance :math:`S = \\sum_i s_i s_i'`,
    :math:`s_i` the sum over firm ``i``'s rows of the stacked moments at the
    step-1 estimate. Hansen's J and its p-value are reported. ``system=False``
    uses eq. 2 alone (just identified with one free input: GMM = IV).
    Both equations use the same rows: the firm is observed at ``t-1`` with a
    usable proxy at ``t`` and ``t-1``.

    Parameters
    ----------
    data, unit, period, output, free, state, logs
        As in :func:`olley_pakes`.
    proxy : str
        Intermediate input (materials) monotone in productivity given states.
    poly_degree : int
        Total degree of the polynomial ``c`` (default 3).
    system : bool
        Stack both equations (default) or use eq. 2 only.
    n_boot, seed : int
        Firm bootstrap replications and seed.

    Returns
    -------
    ProdFnResult
        ``method="wrdg"``.
    """
    free_l, state_l = _names(free, "free"), _names(state, "state")
    if poly_degree < 1:
        raise DataError(f"poly_degree must be at least 1, got {poly_degree}")
    prep = _prepare(data, unit=unit, period=period, output=output, free=free_l, state=state_l,
                    proxy=proxy, exit=None, logs=logs, proxy_label="proxy")
    beta, info = _wrdg_core(prep.y, prep.F, prep.K, prep.proxy, prep.lag, prep.firm,
                            poly_degree, system)
    diag = prep.diagnostics
    diag.update(info)
    diag["dropped"]["no_lag_or_proxy_gmm"] = int(diag["n_obs"] - info["gmm_obs"])

    def rep(s: dict[str, Any]) -> np.ndarray:
        return _wrdg_core(s["y"], s["F"], s["K"], s["proxy"], s["lag"], s["firm"],
                          poly_degree, system)[0]

    se = _bootstrap(prep, rep, n_boot, seed, len(beta), diag)
    params = {
        "method": "wrdg", "output": output, "free": free_l, "state": state_l, "proxy": proxy,
        "poly_degree": poly_degree, "system": system, "n_boot": n_boot, "seed": seed,
        "logs": logs, "estimator": "linear two-step efficient GMM, firm-clustered weights",
        "productivity_law": "AR(1), gamma free (no cross-equation restriction)",
    }
    return _result("wrdg", free_l + state_l, beta, se, prep, diag, params)


# ---------------------------------------------------------------------------
# shared tail
# ---------------------------------------------------------------------------


def _bootstrap(prep: _Prep, rep, n_boot: int, seed: int, k: int,
               diag: dict[str, Any]) -> np.ndarray:
    if n_boot < 0:
        raise DataError(f"n_boot must be 0 or more, got {n_boot}")
    if n_boot == 0:
        diag["std_error_note"] = "no bootstrap (n_boot=0): standard errors are NaN"
        return np.full(k, np.nan)
    rng = np.random.default_rng(seed)
    draws = []
    failed = 0
    for _ in range(n_boot):
        s = _resample(prep, rng)
        try:
            b = rep(s)
        except (DataError, np.linalg.LinAlgError):
            failed += 1
            continue
        if np.all(np.isfinite(b)):
            draws.append(b)
        else:
            failed += 1
    diag["bootstrap_replications_ok"] = len(draws)
    diag["bootstrap_replications_failed"] = failed
    if len(draws) < 2:
        diag.setdefault("warnings", []).append("fewer than 2 bootstrap replications succeeded")
        return np.full(k, np.nan)
    return np.asarray(draws).std(axis=0, ddof=1)


def _result(method: str, terms: list[str], beta: np.ndarray, se: np.ndarray, prep: _Prep,
            diag: dict[str, Any], params: dict[str, Any]) -> ProdFnResult:
    coefs = pd.DataFrame({"term": terms, "estimate": beta.astype(float),
                          "std_error": se.astype(float)})
    log_tfp = prep.y - np.column_stack([prep.F, prep.K]) @ beta
    tfp = pd.DataFrame({"unit": prep.ids, "period": prep.periods, "tfp": np.exp(log_tfp),
                        "log_tfp": log_tfp})
    diag.setdefault("warnings", [])
    return ProdFnResult(method=method, coefficients=coefs, tfp=tfp, diagnostics=diag,
                        params=params)
