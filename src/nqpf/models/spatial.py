"""Spatial panel models SAR, SEM and SDM with fixed effects; LeSage-Pace effects; tests.

Models, for period ``t`` (``W`` an ``N x N`` spatial weights matrix):

* SAR (spatial lag):  ``y_t = rho W y_t + X_t b + mu + a_t + e_t``;
* SDM (spatial Durbin): ``y_t = rho W y_t + X_t b + W X_t theta + mu + a_t + e_t``;
* SEM (spatial error): ``y_t = X_t b + mu + a_t + u_t``, ``u_t = lambda W u_t + e_t``.

``effects`` is ``"unit"`` (``mu``), ``"time"`` (``a_t``) or ``"twoway"`` (both).
Estimation is maximum likelihood on the demeaned data, concentrated on ``rho``
(``lambda``), with ``log|I - rho W| = sum log(1 - rho w_i)`` from the
eigenvalues of ``W`` (Elhorst 2014, *Spatial Econometrics*, ch. 3). ``W`` is
row-standardised unless ``row_standardise=False``.

**Lee-Yu correction** (``lee_yu=True``, the default): Lee and Yu (2010, J.
Econometrics 154, 165-185) show that the direct estimator with unit effects
overstates nothing but ``sigma^2`` by ``T/(T-1)`` while with time or two-way
effects it is inconsistent for all parameters when ``N`` is large relative to
``T``. Their transformation approach is used: the likelihood of the
orthonormally transformed data, with ``N(T-1)``, ``(N-1)T`` or ``(N-1)(T-1)``
effective observations and Jacobian ``(T-1) log|I - rho W|`` for unit effects,
``T [log|I - rho W| - log(1 - rho)]`` for time effects and
``(T-1)[log|I - rho W| - log(1 - rho)]`` for both (row-normalised ``W``). With
``lee_yu=False`` the direct (uncorrected) likelihood with ``NT`` observations is
used, as Elhorst's original code and spreg's ``Panel_FE_Lag`` / ``Panel_FE_Error``
do (unit effects only); the two agree on the unit-effects case, which the tests
check against spreg. spreg has no time or two-way effects, no SDM effects
inference and no bias correction, hence this module.

Standard errors come from the analytic information matrix of the concentrated
model (Elhorst 2014, eqs. 3.21 and 3.28, with the effective sample sizes).

**Effects** (LeSage and Pace 2009, ch. 2): for SAR/SDM the matrix of partial
derivatives of ``y`` with respect to ``x_k`` is
``S_k = (I - rho W)^{-1} (b_k I + theta_k W)``; direct effect ``tr(S_k)/N``,
total ``(b_k + theta_k)/(1 - rho)``, indirect = total - direct. Traces use the
eigenvalues of ``W``. Standard errors are the standard deviations of the
effects over ``draws`` parameter vectors simulated from the asymptotic normal
distribution of the estimates (LeSage and Pace 2009, section 2.7).

**Tests.** LM and robust LM tests of a spatial lag and a spatial error on the
residuals of the non-spatial fixed-effects model (Anselin et al. 1996, in the
panel form of Elhorst 2010/2014, eqs. 3.10-3.13); Wald and LR tests of SDM
against SAR (``theta = 0``) and against SEM (``theta + rho b = 0``, the common
factor restriction, Wald by the delta method).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import DataError
from ._data import ModelFrame, balanced_subset, check_collinear, model_frame, require_balanced
from .results import Estimates

__all__ = [
    "SpatialPanelResult",
    "align_weights",
    "lm_tests",
    "sdm_tests",
    "spatial_panel",
]

MODELS = ("sar", "sem", "sdm")


# ====================================================================== weights
def align_weights(
    w: Any, units: Sequence[Any], *, ids: Sequence[Any] | None = None, row_standardise=True
) -> np.ndarray:
    """``w`` as a dense ``N x N`` array in the order of ``units``.

    ``w`` is a libpysal ``W`` (its ``id_order``), a square DataFrame (index =
    columns = unit labels) or an array with ``ids``. Labels are compared as text.
    A panel unit missing from the weights, or weights for units not in the panel,
    is an error naming them; so is a unit left with no neighbour.
    """
    units_s = [str(u) for u in units]
    if hasattr(w, "full") and hasattr(w, "id_order"):
        mat, wid = w.full()  # the weights as transformed (row standardised again below)
        wid = [str(i) for i in wid]
    elif isinstance(w, pd.DataFrame):
        if list(map(str, w.index)) != list(map(str, w.columns)):
            raise DataError("weights table: row labels and column labels must be the same units")
        mat, wid = w.to_numpy(float), [str(i) for i in w.index]
    else:
        mat = np.asarray(w, float)
        if ids is None:
            raise DataError(
                "a weights array needs ids=... naming its units, in order, so that it can be "
                "aligned with the panel"
            )
        wid = [str(i) for i in ids]
    if mat.ndim != 2 or mat.shape[0] != mat.shape[1] or mat.shape[0] != len(wid):
        raise DataError(f"weights must be a square matrix with one id per row, got {mat.shape}")
    if len(set(wid)) != len(wid):
        raise DataError("weights: duplicate unit ids")
    missing = [u for u in units_s if u not in set(wid)]
    extra = [u for u in wid if u not in set(units_s)]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"panel units without weights: {missing[:8]}")
        if extra:
            parts.append(f"weights for units not in the panel: {extra[:8]}")
        raise DataError(
            "the weights matrix is misaligned with the panel (" + "; ".join(parts) + "); "
            "build the weights for exactly the panel's units"
        )
    order = [wid.index(u) for u in units_s]
    mat = mat[np.ix_(order, order)]
    if not np.isfinite(mat).all() or (mat < 0).any():
        raise DataError("weights must be finite and non-negative")
    np.fill_diagonal(mat, 0.0)
    rs = mat.sum(1)
    if (rs == 0).any():
        raise DataError(
            f"unit(s) {[units_s[i] for i in np.flatnonzero(rs == 0)][:8]} have no neighbour "
            "in the weights (islands); a spatial panel model needs every unit connected"
        )
    return mat / rs[:, None] if row_standardise else mat


# ====================================================================== data
@dataclass
class _Panel:
    """Demeaned, period-stacked data (rows: t-major, unit-minor)."""

    y: np.ndarray
    x: np.ndarray
    wy: np.ndarray
    wx: np.ndarray
    w: np.ndarray
    eig: np.ndarray
    n: int
    t: int
    n_eff: float
    jac_t: float
    minus_log1: bool

    def lag(self, v: np.ndarray) -> np.ndarray:
        """``(I_T kron W) v`` for period-stacked rows."""
        if v.ndim == 1:
            return (v.reshape(self.t, self.n) @ self.w.T).ravel()
        return np.einsum("ij,tjk->tik", self.w, v.reshape(self.t, self.n, -1)).reshape(v.shape)

    def logdet(self, rho: float) -> float:
        val = float(np.sum(np.log(np.abs(1 - rho * self.eig))))
        if self.minus_log1:
            val -= float(np.log(1 - rho))
        return self.jac_t * val


def _demean(a: np.ndarray, n: int, t: int, effects: str) -> np.ndarray:
    b = a.reshape(t, n, -1)
    if effects in ("unit", "twoway"):
        b = b - b.mean(0, keepdims=True)
    if effects in ("time", "twoway"):
        b = b - b.mean(1, keepdims=True)
    return b.reshape(a.shape)


# ====================================================================== result
@dataclass
class SpatialPanelResult:
    """Estimates of a spatial panel model."""

    model: str
    effects: str
    coef: pd.DataFrame
    cov: pd.DataFrame
    sigma2: float
    loglik: float
    n: int
    t: int
    lee_yu: bool
    names: dict[str, Any]
    impacts: pd.DataFrame | None = None
    r2: float | None = None
    notes: list[str] = field(default_factory=list)

    def estimates(self) -> Estimates:
        est = Estimates(
            coef=self.coef.copy(),
            dependent=self.names["y"],
            nobs=self.n * self.t,
            r2=self.r2,
            effects={
                "unit": self.effects in ("unit", "twoway"),
                "time": self.effects in ("time", "twoway"),
            },
            controls=[],
            label=self.model.upper(),
            stat="z",
            extra={"Log-likelihood": f"{self.loglik:.3f}"},
        )
        est.cov = self.cov
        return est

    def summary(self) -> str:
        out = [
            f"{self.model.upper()} panel model, {self.effects} fixed effects, N = {self.n}, "
            f"T = {self.t}, Lee-Yu correction: {'yes' if self.lee_yu else 'no'}",
            self.coef.to_string(float_format=lambda v: f"{v:.4f}"),
            f"sigma^2 = {self.sigma2:.5f}, log-likelihood = {self.loglik:.3f}",
        ]
        if self.impacts is not None:
            out.append(self.impacts.to_string(float_format=lambda v: f"{v:.4f}"))
        return "\n\n".join(out + self.notes)


# ====================================================================== estimation
def _prepare(
    data: Any,
    y: str,
    x: list[str],
    w: Any,
    unit,
    time,
    effects,
    lee_yu,
    row_standardise,
    ids,
    balanced,
) -> tuple[_Panel, ModelFrame]:
    if effects not in ("unit", "time", "twoway"):
        raise DataError(f"effects must be 'unit', 'time' or 'twoway', not {effects!r}")
    mf = model_frame(data, [y, *x], unit=unit, time=time, what="spatial panel")
    if balanced:
        mf = balanced_subset(mf)
    require_balanced(mf, "the spatial panel ML estimator")
    f = mf.frame.sort_values([mf.time, mf.unit], kind="mergesort")
    units = list(pd.unique(f[mf.unit]))
    n, t = len(units), mf.n_periods
    if t < 2:
        raise DataError("a spatial panel model needs at least two periods")
    wm = align_weights(w, units, ids=ids, row_standardise=row_standardise)
    eig = np.linalg.eigvals(wm)
    if np.abs(eig.imag).max() > 1e-8:
        raise DataError(
            "weights with complex eigenvalues are not supported (use symmetric "
            "or row-standardised symmetric weights)"
        )
    eig = eig.real
    yv = f[y].to_numpy(float)
    xv = f[x].to_numpy(float)
    wy = (yv.reshape(t, n) @ wm.T).ravel()
    wx = np.einsum("ij,tjk->tik", wm, xv.reshape(t, n, -1)).reshape(xv.shape)
    d = [_demean(a if a.ndim == 2 else a[:, None], n, t, effects) for a in (yv, xv, wy, wx)]
    if lee_yu:
        n_eff = {"unit": n * (t - 1), "time": (n - 1) * t, "twoway": (n - 1) * (t - 1)}[effects]
        jac_t = {"unit": t - 1, "time": t, "twoway": t - 1}[effects]
        minus = effects in ("time", "twoway")
    else:
        n_eff, jac_t, minus = n * t, t, False
    p = _Panel(d[0][:, 0], d[1], d[2][:, 0], d[3], wm, eig, n, t, float(n_eff), float(jac_t), minus)
    return p, mf


def _rho_bounds(eig: np.ndarray) -> tuple[float, float]:
    lo = 1.0 / eig.min() if eig.min() < 0 else -1.0
    return lo + 1e-6, 1.0 / eig.max() - 1e-6


def _fit_lag(p: _Panel, x: np.ndarray) -> dict[str, Any]:
    xtx_inv = np.linalg.inv(x.T @ x)
    b0 = xtx_inv @ (x.T @ p.y)
    bd = xtx_inv @ (x.T @ p.wy)
    e0 = p.y - x @ b0
    ed = p.wy - x @ bd
    a, b, c = e0 @ e0, e0 @ ed, ed @ ed

    def negll(r):
        s2 = (a - 2 * r * b + r * r * c) / p.n_eff
        return 0.5 * p.n_eff * np.log(s2) - p.logdet(r)

    lo, hi = _rho_bounds(p.eig)
    res = optimize.minimize_scalar(
        negll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10}
    )
    rho = float(res.x)
    beta = b0 - rho * bd
    e = e0 - rho * ed
    s2 = float(e @ e / p.n_eff)
    ll = float(-0.5 * p.n_eff * (np.log(2 * np.pi * s2) + 1) + p.logdet(rho))
    # information matrix (Elhorst 2014, eq. 3.21) with effective sizes
    n, t_eff = p.n, p.jac_t
    g = p.w @ np.linalg.inv(np.eye(n) - rho * p.w)
    xb = x @ beta
    gxb = (xb.reshape(p.t, n) @ g.T).ravel()
    tr_g = np.trace(g)
    tr_gg = np.trace(g @ g)
    if p.minus_log1:  # the -log(1 - rho) term of the transformed Jacobian
        tr_g -= 1 / (1 - rho)
        tr_gg -= 1 / (1 - rho) ** 2
    k = x.shape[1]
    info = np.zeros((k + 2, k + 2))
    info[:k, :k] = x.T @ x / s2
    info[:k, k] = info[k, :k] = x.T @ gxb / s2
    info[k, k] = t_eff * (tr_gg + np.trace(g.T @ g)) + gxb @ gxb / s2
    info[k, k + 1] = info[k + 1, k] = t_eff * tr_g / s2
    info[k + 1, k + 1] = p.n_eff / (2 * s2 * s2)
    cov = np.linalg.inv(info)
    return {
        "coef": np.r_[beta, rho],
        "cov": cov[: k + 1, : k + 1],
        "sigma2": s2,
        "loglik": ll,
        "resid": e,
    }


def _fit_error(p: _Panel, x: np.ndarray) -> dict[str, Any]:
    wx_full = p.lag(x)
    wyv = p.wy

    def conc(lam):
        ys = p.y - lam * wyv
        xs = x - lam * wx_full
        b, *_ = np.linalg.lstsq(xs, ys, rcond=None)
        e = ys - xs @ b
        return b, e

    def negll(lam):
        _, e = conc(lam)
        return 0.5 * p.n_eff * np.log(e @ e / p.n_eff) - p.logdet(lam)

    lo, hi = _rho_bounds(p.eig)
    res = optimize.minimize_scalar(
        negll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10}
    )
    lam = float(res.x)
    beta, e = conc(lam)
    s2 = float(e @ e / p.n_eff)
    ll = float(-0.5 * p.n_eff * (np.log(2 * np.pi * s2) + 1) + p.logdet(lam))
    n = p.n
    xs = x - lam * wx_full
    wb = p.w @ np.linalg.inv(np.eye(n) - lam * p.w)
    k = x.shape[1]
    tr_b, tr_bb = np.trace(wb), np.trace(wb @ wb)
    if p.minus_log1:
        tr_b -= 1 / (1 - lam)
        tr_bb -= 1 / (1 - lam) ** 2
    info = np.zeros((k + 2, k + 2))
    info[:k, :k] = xs.T @ xs / s2
    info[k, k] = p.jac_t * (tr_bb + np.trace(wb.T @ wb))
    info[k, k + 1] = info[k + 1, k] = p.jac_t * tr_b / s2
    info[k + 1, k + 1] = p.n_eff / (2 * s2 * s2)
    cov = np.linalg.inv(info)
    return {
        "coef": np.r_[beta, lam],
        "cov": cov[: k + 1, : k + 1],
        "sigma2": s2,
        "loglik": ll,
        "resid": e,
    }


def spatial_panel(
    data: Any,
    y: str,
    x: Sequence[str],
    w: Any,
    *,
    model: str = "sdm",
    effects: str = "twoway",
    unit: str | None = None,
    time: str | None = None,
    ids: Sequence[Any] | None = None,
    lee_yu: bool = True,
    row_standardise: bool = True,
    impacts: bool = True,
    draws: int = 1000,
    seed: int | None = 0,
    balanced: bool = False,
) -> SpatialPanelResult:
    """Fit a SAR, SEM or SDM panel model with fixed effects (see the module docstring)."""
    model = model.lower()
    if model not in MODELS:
        raise DataError(f"model must be one of {MODELS}, not {model!r}")
    x = list(x)
    if not x:
        raise DataError("spatial_panel: name at least one regressor")
    p, mf = _prepare(data, y, x, w, unit, time, effects, lee_yu, row_standardise, ids, balanced)
    xm = p.x
    names = list(x)
    if model == "sdm":
        xm = np.hstack([p.x, p.wx])
        names += [f"W*{v}" for v in x]
    check_collinear(xm, names, what=f"spatial {model.upper()}")
    fit = _fit_error(p, xm) if model == "sem" else _fit_lag(p, xm)
    par = "lambda" if model == "sem" else "rho"
    allnames = [*names, par]
    se = np.sqrt(np.diag(fit["cov"]))
    est = Estimates.from_arrays(allnames, fit["coef"], se, dependent=y, nobs=p.n * p.t)
    cov = pd.DataFrame(fit["cov"], index=allnames, columns=allnames)
    yy = p.y
    r2 = float(1 - fit["resid"] @ fit["resid"] / ((yy - yy.mean()) @ (yy - yy.mean())))
    res = SpatialPanelResult(
        model=model,
        effects=effects,
        coef=est.coef,
        cov=cov,
        sigma2=fit["sigma2"],
        loglik=fit["loglik"],
        n=p.n,
        t=p.t,
        lee_yu=lee_yu,
        names={"y": y, "x": x, "par": par},
        r2=r2,
        notes=list(mf.notes),
    )
    if impacts and model in ("sar", "sdm"):
        res.impacts = _impacts(res, p.eig, draws, seed)
    return res


def _effects_for(beta, theta, rho, eig):
    """Direct, indirect, total for coefficient vectors (draws x k) and rho (draws)."""
    n = len(eig)
    inv = 1.0 / (1 - rho[:, None] * eig[None, :])  # draws x N
    tr_a = inv.sum(1) / n  # tr((I - rho W)^-1)/N
    tr_aw = (eig[None, :] * inv).sum(1) / n  # tr((I - rho W)^-1 W)/N
    direct = beta * tr_a[:, None] + theta * tr_aw[:, None]
    total = (beta + theta) / (1 - rho)[:, None]
    return direct, total - direct, total


def _impacts(res: SpatialPanelResult, eig: np.ndarray, draws: int, seed) -> pd.DataFrame:
    x = res.names["x"]
    k = len(x)
    sdm = res.model == "sdm"
    mean = res.coef["coef"].to_numpy()
    cov = res.cov.to_numpy()

    def split(v):
        beta = v[:, :k]
        theta = v[:, k : 2 * k] if sdm else np.zeros_like(beta)
        return beta, theta, v[:, -1]

    pt = split(mean[None, :])
    d0, i0, t0 = _effects_for(*pt, eig)
    rng = np.random.default_rng(seed)
    sims = rng.multivariate_normal(mean, cov, size=draws, method="cholesky")
    lo, hi = _rho_bounds(eig)
    sims = sims[(sims[:, -1] > lo) & (sims[:, -1] < hi)]
    d, i, t = _effects_for(*split(sims), eig)
    rows = []
    for j, v in enumerate(x):
        for lab, pe, dr in (("direct", d0, d), ("indirect", i0, i), ("total", t0, t)):
            se = float(np.std(dr[:, j], ddof=1))
            z = pe[0, j] / se
            rows.append(
                {
                    "variable": v,
                    "effect": lab,
                    "estimate": float(pe[0, j]),
                    "se": se,
                    "z": z,
                    "p": 2 * stats.norm.sf(abs(z)),
                }
            )
    return pd.DataFrame(rows).set_index(["variable", "effect"])


# ====================================================================== tests
def lm_tests(
    data: Any,
    y: str,
    x: Sequence[str],
    w: Any,
    *,
    effects: str = "twoway",
    unit: str | None = None,
    time: str | None = None,
    ids: Sequence[Any] | None = None,
    row_standardise: bool = True,
) -> pd.DataFrame:
    """LM and robust LM tests for spatial lag and spatial error (Elhorst 2014, eqs. 3.10-3.13).

    Computed on the residuals of the non-spatial model with the same fixed
    effects (direct demeaning, ``NT`` observations as in Elhorst's code).
    """
    x = list(x)
    p, _ = _prepare(data, y, x, w, unit, time, effects, False, row_standardise, ids, False)
    xm = p.x
    b, *_ = np.linalg.lstsq(xm, p.y, rcond=None)
    e = p.y - xm @ b
    nt = p.n * p.t
    s2 = e @ e / nt
    we = p.lag(e)
    wxb = p.lag(xm @ b)
    mwxb = wxb - xm @ np.linalg.lstsq(xm, wxb, rcond=None)[0]
    tw = p.t * (np.trace(p.w @ p.w) + np.trace(p.w.T @ p.w))
    j = (mwxb @ mwxb + tw * s2) / s2
    lag_score = e @ p.wy / s2
    err_score = e @ we / s2
    lm_lag = lag_score**2 / j
    lm_err = err_score**2 / tw
    r_lag = (lag_score - err_score) ** 2 / (j - tw)
    r_err = (err_score - tw / j * lag_score) ** 2 / (tw * (1 - tw / j))
    rows = [
        ("LM lag", lm_lag),
        ("robust LM lag", r_lag),
        ("LM error", lm_err),
        ("robust LM error", r_err),
    ]
    return pd.DataFrame(
        [
            {"test": n, "statistic": float(v), "df": 1, "p": float(stats.chi2.sf(v, 1))}
            for n, v in rows
        ]
    ).set_index("test")


def sdm_tests(
    sdm: SpatialPanelResult,
    sar: SpatialPanelResult | None = None,
    sem: SpatialPanelResult | None = None,
) -> pd.DataFrame:
    """Wald (and, given the fitted SAR/SEM, LR) tests of the SDM against SAR and SEM."""
    if sdm.model != "sdm":
        raise DataError("sdm_tests needs a fitted SDM as its first argument")
    x = sdm.names["x"]
    k = len(x)
    c = sdm.coef["coef"].to_numpy()
    v = sdm.cov.to_numpy()
    beta, theta, rho = c[:k], c[k : 2 * k], c[-1]
    rows = []
    w_sar = float(theta @ np.linalg.solve(v[k : 2 * k, k : 2 * k], theta))
    rows.append({"test": "Wald SDM vs SAR (theta = 0)", "statistic": w_sar, "df": k})
    g = theta + rho * beta
    jac = np.zeros((k, 2 * k + 1))
    jac[:, :k] = rho * np.eye(k)
    jac[:, k : 2 * k] = np.eye(k)
    jac[:, -1] = beta
    w_sem = float(g @ np.linalg.solve(jac @ v @ jac.T, g))
    rows.append({"test": "Wald SDM vs SEM (theta + rho beta = 0)", "statistic": w_sem, "df": k})
    for other, lab in ((sar, "LR SDM vs SAR"), (sem, "LR SDM vs SEM")):
        if other is not None:
            if (other.n, other.t, other.effects) != (sdm.n, sdm.t, sdm.effects):
                raise DataError(f"{lab}: the models must share data and fixed effects")
            rows.append({"test": lab, "statistic": 2 * (sdm.loglik - other.loglik), "df": k})
    out = pd.DataFrame(rows).set_index("test")
    out["p"] = stats.chi2.sf(out["statistic"], out["df"])
    return out
