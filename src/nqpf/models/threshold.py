"""Hansen (1999) fixed-effect panel threshold regression: one, two or three thresholds.

Model (Hansen 1999, J. Econometrics 93, 345-368, eq. 1 and section 4):

    y_it = mu_i + x_it' beta + z_it' theta_1 I(q_it <= g_1) + z_it' theta_2 I(g_1 < q_it <= g_2)
           + ... + e_it

with unit effects ``mu_i`` removed by the within transformation, ``x`` the
regime-independent controls, ``z`` the regime-dependent regressors and ``q`` the
threshold variable.

Estimation follows Hansen's sequential procedure:

1. single threshold: ``g1 = argmin S1(g)`` over the grid; ``F1 = (S0 - S1(g1)) / s1^2``
   with ``s1^2 = S1(g1) / (N - n)`` (``N`` observations, ``n`` units; Hansen's
   ``n(T - 1)`` in a balanced panel);
2. double: ``g2 = argmin S(g1, g)`` given ``g1``; ``F2 = (S1(g1) - S(g1, g2)) / s2^2``;
   the first threshold is then refined, ``g1r = argmin S(g, g2)`` (Bai 1997);
3. triple: ``g3 = argmin S(g1r, g2, g)``; ``F3`` against the refined double model.

Each ``F_j`` is tested by Hansen's bootstrap: the residuals of the null model
(``j - 1`` thresholds) are grouped by unit, unit vectors are drawn with
replacement (as in Hansen's programs), and the statistic is recomputed with the
``j - 1`` earlier thresholds held at their estimates. Its p-value is the share of
bootstrap statistics at least as large; critical values are their 90/95/99 %
quantiles. With the earlier thresholds held fixed the statistic is invariant to
the null model's fitted values, so a bootstrap sample is the drawn residuals
themselves. (Hansen's programs re-estimate the earlier thresholds in each
bootstrap sample; for ``F1`` the two are the same.) ``scheme="wild"`` multiplies
each unit's residual vector by a Rademacher sign instead.

Hansen's GAUSS programs delete the last period of every unit after the within
transformation (and split at ``q < gamma``), so the sums of squares, F
statistics and later thresholds they print differ from those of the within
estimator on all ``T`` periods used here. On Hansen's data with his 393-point
grid, his programs (as ported in R's pdR) give thresholds 0.0157 and 0.5362 and
F1 = 35.16, F2 = 27.78; this module gives 0.0157 and 0.5407 and F1 = 32.82,
F2 = 23.42 (the first threshold agrees; the second lies inside his interval
[0.5362, 0.5629]).

Confidence intervals invert the likelihood ratio ``LR(g) = (S(g) - S(g_hat)) / s^2``:
the set where ``LR(g) <= -2 log(1 - sqrt(level))`` (7.35 at 95 %), Hansen's eq. 16.

**Grid and trimming.** Candidates are distinct values of ``q``. A candidate is
admissible when every regime it creates (with the thresholds already fixed)
holds at least ``trim * N`` observations (and at least one). With ``grid`` set,
candidates are Hansen's grid: the distinct values of ``q`` at the quantiles
``trim, trim + 1/grid, ..., 1 - trim`` of their sorted list (393 points for
``trim=0.01, grid=400``, as in Hansen 1999, section 6); ``grid=None`` searches
every admissible distinct value.

**Unbalanced panels** (beyond xthreg, which refuses them): the within
transformation uses each unit's own number of periods, ``N - n`` replaces
``n(T - 1)`` in the variance, and the bootstrap draws residual vectors only from
units with the same number of observations (strata of equal ``T_i``), so every
drawn vector fits the unit it is given to; ``scheme="wild"`` needs no strata.

**Computation.** The data are within-transformed once and ``q`` sorted once. By
Frisch-Waugh, the sum of squared residuals at a candidate ``g`` is
``S(g) = S_base - c(g)' A(g)^{-1} c(g)`` where ``c(g) = sum_{q <= g} z e_base`` and
``A(g)`` is the within cross-product of ``z I(q <= g)`` residualised on the base
design; both are cumulative sums along the sorted ``q``, so a whole grid costs
one pass, and ``A(g)`` (which does not involve ``y``) is shared by all bootstrap
replications, which are evaluated together as matrix columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ._data import ModelFrame, balanced_subset, check_collinear, demean, model_frame

__all__ = ["ThresholdResult", "ThresholdTest", "lr_critical_value", "threshold"]


def lr_critical_value(level: float = 0.95) -> float:
    """Hansen's (1999, eq. 16) asymptotic critical value ``-2 log(1 - sqrt(level))``."""
    if not 0 < level < 1:
        raise DataError(f"confidence level must be in (0, 1), not {level}")
    return float(-2.0 * np.log(1.0 - np.sqrt(level)))


@dataclass
class ThresholdTest:
    """Bootstrap test of ``j - 1`` against ``j`` thresholds."""

    j: int
    ssr: float
    mse: float
    f: float
    pvalue: float
    crit: dict[float, float]
    replications: int
    draws: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))


@dataclass
class ThresholdResult:
    """Estimates, tests and likelihood-ratio profiles of a panel threshold model."""

    thresholds: list[float]
    ci: list[tuple[float, float]]
    tests: list[ThresholdTest]
    coef: pd.DataFrame
    profiles: list[pd.DataFrame]
    level: float
    n_obs: int
    n_units: int
    n_periods: int
    balanced: bool
    ssr: float
    r2_within: float
    names: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def critical_value(self) -> float:
        return lr_critical_value(self.level)

    def threshold_table(self) -> pd.DataFrame:
        """Threshold estimates and LR-inversion intervals (xthreg's first table)."""
        labels = _threshold_labels(len(self.thresholds))
        rows = [
            {"threshold": lab, "estimate": g, "lower": lo, "upper": hi}
            for lab, g, (lo, hi) in zip(labels, self.thresholds, self.ci, strict=True)
        ]
        return pd.DataFrame(rows)

    def test_table(self) -> pd.DataFrame:
        """F tests with bootstrap p-values and critical values (xthreg's second table)."""
        names = {1: "single", 2: "double", 3: "triple"}
        rows = []
        for t in self.tests:
            row = {
                "model": names[t.j],
                "RSS": t.ssr,
                "MSE": t.mse,
                "F": t.f,
                "p-value": t.pvalue,
                "replications": t.replications,
            }
            for a, v in t.crit.items():
                row[f"crit{round(100 * a):d}"] = v
            rows.append(row)
        return pd.DataFrame(rows)

    def estimates(self, label: str = "") -> Any:
        """The coefficients as :class:`~nqpf.models.results.Estimates` for regression tables."""
        from .results import Estimates

        extra = {f"threshold {i + 1}": f"{g:.4f}" for i, g in enumerate(sorted(self.thresholds))}
        coef = self.coef.rename(index=self.regime_labels())
        return Estimates(
            coef=coef,
            dependent=self.names["y"],
            nobs=self.n_obs,
            r2=self.r2_within,
            r2_within=self.r2_within,
            effects={"unit": True, "time": bool(self.names["time_effects"])},
            controls=list(self.names["controls"]),
            label=label or f"threshold ({len(self.thresholds)})",
            extra=extra,
        )

    def regime_labels(self) -> dict[str, str]:
        """Readable names of the regime coefficients: ``z_r2`` -> ``z·I(γ1<q≤γ2)``."""
        k = len(self.thresholds)
        q = self.names["q"]
        spans = [f"{q}≤γ1"]
        spans += [f"γ{j}<{q}≤γ{j + 1}" for j in range(1, k)]
        spans.append(f"{q}>γ{k}")
        return {
            f"{v}_r{r + 1}": f"{v}·I({span})"
            for v in self.names["regime"]
            for r, span in enumerate(spans)
        }

    def summary(self) -> str:
        lines = [
            f"Panel threshold model (Hansen 1999): N = {self.n_obs}, units = {self.n_units}, "
            f"periods = {self.n_periods}{'' if self.balanced else ' (unbalanced)'}",
            self.threshold_table().to_string(index=False, float_format=lambda v: f"{v:.4f}"),
            self.test_table().to_string(index=False, float_format=lambda v: f"{v:.4f}"),
            self.coef.to_string(float_format=lambda v: f"{v:.4f}"),
        ]
        lines += self.notes
        return "\n\n".join(lines)

    def plot(self, ax: Any = None, lang: str = "en") -> Any:
        """The LR(gamma) figure: one panel per threshold, with the critical value dashed."""
        import matplotlib.pyplot as plt

        k = len(self.profiles)
        if ax is None:
            fig, axes = plt.subplots(k, 1, figsize=(6.4, 2.6 * k + 0.6), squeeze=False)
            axes = axes[:, 0]
        else:
            axes = np.atleast_1d(ax)
            fig = axes[0].figure
        zh = lang == "zh"
        labels = _threshold_labels(k)
        for a, prof, lab, g in zip(axes, self.profiles, labels, self.thresholds, strict=False):
            a.plot(prof["gamma"], prof["LR"], lw=1.2, color="#1f4e79")
            a.axhline(self.critical_value, ls="--", lw=1, color="#c00000")
            a.axvline(g, ls=":", lw=0.8, color="grey")
            a.set_ylabel("似然比 LR" if zh else "LR")
            num = lab[-1]
            a.set_xlabel(
                f"门槛参数 γ{num}（{self.names['q']}）"
                if zh
                else f"threshold γ{num} ({self.names['q']})"
            )
        title = (
            f"门槛参数的似然比函数（虚线为 {self.level:.0%} 临界值）"
            if zh
            else f"LR statistic against the threshold (dashed: {self.level:.0%} critical value)"
        )
        axes[0].set_title(title, fontsize=10)
        fig.tight_layout()
        return fig


def _threshold_labels(k: int) -> list[str]:
    return ["γ1", "γ2", "γ3"][:k]


# ====================================================================== engine
class _Engine:
    """Sorted, within-transformed data and the cumulative-sum SSR search."""

    def __init__(
        self,
        y: np.ndarray,
        x: np.ndarray,
        z: np.ndarray,
        q: np.ndarray,
        unit: np.ndarray,
    ) -> None:
        self.n = len(y)
        self.unit = unit
        self.n_units = int(unit.max()) + 1
        self.t_i = np.bincount(unit, minlength=self.n_units).astype(float)
        self.yw = demean(y, unit, self.n_units)
        self.xw = demean(x, unit, self.n_units) if x.shape[1] else x
        self.z = z
        self.zw = demean(z, unit, self.n_units)
        self.q = q
        self.order = np.argsort(q, kind="mergesort")
        self.qs = q[self.order]
        self.k = z.shape[1]
        zs = z[self.order]
        us = unit[self.order]
        # partial sums s_i of z over the unit's observations with smaller q (sorted order)
        cum = np.zeros_like(zs)
        for j in range(self.k):
            cum[:, j] = pd.Series(zs[:, j]).groupby(us).cumsum().to_numpy()
        prior = cum - zs
        inv_t = (1.0 / self.t_i)[us]
        # increment of (W zI)'(W zI) when the observation enters the lower regime
        outer = zs[:, :, None] * zs[:, None, :]
        cross = prior[:, :, None] * zs[:, None, :]
        incr = outer - inv_t[:, None, None] * (cross + np.swapaxes(cross, 1, 2) + outer)
        self.cum_p = np.concatenate([np.zeros((1, self.k, self.k)), np.cumsum(incr, 0)])
        self.zs = zs

    def indicator_block(self, gamma: float) -> np.ndarray:
        """Within-transformed ``z I(q <= gamma)``."""
        return demean(self.z * (self.q <= gamma)[:, None], self.unit, self.n_units)

    def base(self, fixed: Sequence[float]) -> np.ndarray:
        cols = [self.xw, self.zw] + [self.indicator_block(g) for g in sorted(fixed)]
        return np.hstack(cols)

    def candidates(self, fixed: Sequence[float], trim: float, grid: int | None) -> np.ndarray:
        vals = np.unique(self.qs)
        pos = np.searchsorted(self.qs, vals, side="right")
        minobs = max(1, int(np.ceil(trim * self.n)))
        cuts = np.sort(np.searchsorted(self.qs, np.asarray(sorted(fixed), float), side="right"))
        ok = np.ones(len(vals), bool)
        for g in fixed:
            ok &= ~np.isclose(vals, g, rtol=0, atol=0)
        # size of the regimes on either side of each candidate, with the fixed cuts
        edges = np.concatenate([[0], cuts, [self.n]])
        for p_idx in range(len(vals)):
            if not ok[p_idx]:
                continue
            p = pos[p_idx]
            e = np.sort(np.concatenate([edges, [p]]))
            if np.diff(e).min() < minobs:
                ok[p_idx] = False
        if grid is not None:
            # Hansen's grid: the values at quantiles trim, trim + 1/grid, ..., 1 - trim of
            # the sorted distinct values of q (Hansen's programs, as ported in R's pdR)
            steps = np.arange(trim, 1 - trim + 1e-12, 1.0 / grid)
            idx = np.clip(np.floor(steps * len(vals)).astype(int) - 1, 0, len(vals) - 1)
            on_grid = np.zeros(len(vals), bool)
            on_grid[idx] = True
            ok &= on_grid
        vals = vals[ok]
        return vals

    def profile(
        self, fixed: Sequence[float], cand: np.ndarray, e: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """SSR over ``cand`` for each column of ``e`` (rows: candidates) and the base SSR."""
        xb = self.base(fixed)
        xtx = xb.T @ xb
        xtx_inv = np.linalg.pinv(xtx)
        coef = xtx_inv @ (xb.T @ e)
        r = e - xb @ coef
        ssr_base = (r * r).sum(0)
        pos = np.searchsorted(self.qs, cand, side="right")
        xbs = xb[self.order]
        # (zI)' Xb and (zI)' r by cumulative sums along sorted q
        bz = np.cumsum(self.zs[:, :, None] * xbs[:, None, :], 0)[pos - 1]  # G, k, m
        rs = r[self.order]
        cz = np.cumsum(self.zs[:, :, None] * rs[:, None, :], 0)[pos - 1]  # G, k, B
        a = self.cum_p[pos] - bz @ xtx_inv @ np.swapaxes(bz, 1, 2)
        if self.k == 1:
            den = a[:, 0, 0]
            good = den > 1e-12 * max(1.0, float(np.abs(self.cum_p[-1]).max()))
            red = np.where(good[:, None], cz[:, 0, :] ** 2 / np.where(good, den, 1)[:, None], 0)
        else:
            good = np.linalg.matrix_rank(a, tol=1e-10) == self.k
            sol = np.zeros_like(cz)
            if good.any():
                sol[good] = np.linalg.solve(a[good], cz[good])
            red = (cz * sol).sum(1)
        ssr = ssr_base[None, :] - red
        ssr[~good] = np.inf
        return ssr, ssr_base

    def fit(self, thresholds: Sequence[float]) -> tuple[np.ndarray, float]:
        """Within residuals and SSR of the model with the given thresholds."""
        xb = self.base(thresholds)
        b, *_ = np.linalg.lstsq(xb, self.yw, rcond=None)
        r = self.yw - xb @ b
        return r, float(r @ r)


def _bootstrap_errors(
    resid: np.ndarray, unit: np.ndarray, reps: int, rng: np.random.Generator, scheme: str
) -> np.ndarray:
    n_units = int(unit.max()) + 1
    counts = np.bincount(unit, minlength=n_units)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    offset = np.arange(len(unit)) - start[unit]
    if scheme == "wild":
        signs = rng.choice(np.array([-1.0, 1.0]), size=(n_units, reps))
        return resid[:, None] * signs[unit]
    src = np.empty((n_units, reps), dtype=np.int64)
    for t_val in np.unique(counts):
        members = np.flatnonzero(counts == t_val)
        src[members] = members[rng.integers(0, len(members), size=(len(members), reps))]
    rows = start[src[unit]] + offset[:, None]
    return resid[rows]


# ====================================================================== API
def threshold(
    data: Any,
    y: str,
    regime: str | Sequence[str],
    q: str,
    controls: Sequence[str] = (),
    *,
    unit: str | None = None,
    time: str | None = None,
    n_thresholds: int = 1,
    trim: float | Sequence[float] = 0.01,
    grid: int | None = 400,
    bootstrap: int | Sequence[int] = 300,
    scheme: str = "resample",
    level: float = 0.95,
    time_effects: bool = False,
    vce: str = "conventional",
    balanced: bool = False,
    seed: int | None = 0,
    progress: Callable[[int, int], None] | None = None,
) -> ThresholdResult:
    """Fit Hansen's fixed-effect panel threshold model (see the module docstring).

    Parameters
    ----------
    data : Panel or DataFrame
        Long data with a unit and a period column (``unit=``, ``time=``).
    y, regime, q, controls
        Dependent variable, regime-dependent regressor(s), threshold variable,
        regime-independent regressors.
    n_thresholds : 1, 2 or 3
    trim : float or one per threshold
        Minimum share of observations in every regime (xthreg's ``trim``).
    grid : int or None
        Maximum number of candidate thresholds (quantiles of ``q``); None for all.
    bootstrap : int or one per threshold
        Bootstrap replications of each F test (0 skips the test's p-value).
    scheme : "resample" (Hansen) or "wild"
    time_effects : bool
        Add period dummies to the controls (two-way fixed effects).
    vce : "conventional", "robust" or "cluster"
        Standard errors of the coefficients at the estimated thresholds
        (computed by linearmodels' PanelOLS; "cluster" clusters by unit).
    balanced : bool
        Keep only units observed in every period (the estimator itself takes
        unbalanced panels).
    """
    if n_thresholds not in (1, 2, 3):
        raise DataError(f"n_thresholds must be 1, 2 or 3, not {n_thresholds!r}")
    regime = [regime] if isinstance(regime, str) else list(regime)
    trims = _per_threshold(trim, n_thresholds, "trim", float)
    reps = _per_threshold(bootstrap, n_thresholds, "bootstrap", int)
    if any(not 0 <= t < 0.5 for t in trims):
        raise DataError(f"trim must be in [0, 0.5), not {trims}")
    if any(r < 0 for r in reps):
        raise DataError(f"bootstrap replications must be >= 0, not {reps}")
    if scheme not in ("resample", "wild"):
        raise DataError(f"bootstrap scheme must be 'resample' or 'wild', not {scheme!r}")
    if grid is not None and grid < 2:
        raise DataError(f"grid must be at least 2 (or None for every value), not {grid}")
    controls = list(controls)
    mf = model_frame(data, [y, *regime, q, *controls], unit=unit, time=time, what="threshold")
    if balanced:
        mf = balanced_subset(mf)
    f = mf.frame
    ucode, tcode = mf.codes()
    xcols = list(controls)
    x = f[controls].to_numpy(float) if controls else np.empty((len(f), 0))
    if time_effects:
        dummies = np.eye(int(tcode.max()) + 1)[tcode][:, 1:]
        x = np.hstack([x, dummies])
        periods = np.sort(f[mf.time].unique())
        xcols += [f"period={p}" for p in periods[1:]]
    z = f[regime].to_numpy(float)
    qv = f[q].to_numpy(float)
    eng = _Engine(f[y].to_numpy(float), x, z, qv, ucode)
    check_collinear(np.hstack([eng.xw, eng.zw]), [*xcols, *regime], what="threshold")
    rng = np.random.default_rng(seed)
    dof = eng.n - eng.n_units
    crit = lr_critical_value(level)

    distinct = len(np.unique(qv))
    fixed: list[float] = []
    tests: list[ThresholdTest] = []
    profiles: dict[int, pd.DataFrame] = {}
    stage_est: list[float] = []
    _, ssr_prev = eng.fit([])
    total_reps = sum(reps)
    done = 0
    for j in range(1, n_thresholds + 1):
        cand = eng.candidates(fixed, trims[j - 1], grid)
        if len(cand) == 0:
            raise DataError(
                f"threshold variable {q!r} has too few distinct values ({distinct}) for "
                f"{j} threshold(s) with trimming {trims[j - 1]}: no admissible candidate leaves "
                f"{trims[j - 1]:.0%} of the {eng.n} observations in every regime; "
                "lower the trimming or the number of thresholds"
            )
        ssr_g, _ = eng.profile(fixed, cand, eng.yw[:, None])
        ssr_g = ssr_g[:, 0]
        if not np.isfinite(ssr_g).any():
            raise DataError(
                f"threshold: no candidate of {q!r} gives an identified regime split for "
                f"{regime} (the regime regressors do not vary within units in a regime)"
            )
        best = int(np.nanargmin(ssr_g))
        g_hat = float(cand[best])
        ssr_j = float(ssr_g[best])
        mse = ssr_j / dof
        f_stat = (ssr_prev - ssr_j) / mse
        profiles[j] = pd.DataFrame({"gamma": cand, "SSR": ssr_g, "LR": (ssr_g - ssr_j) / mse})
        # bootstrap under the (j - 1)-threshold null
        draws = np.empty(0)
        if reps[j - 1] > 0:
            resid, _ = eng.fit(fixed)  # residuals of the null model, as Hansen's programs
            draws = np.empty(reps[j - 1])
            chunk = max(1, int(2e7 // max(1, eng.n * eng.k * 8)))
            for s in range(0, reps[j - 1], chunk):
                b = min(chunk, reps[j - 1] - s)
                e_star = _bootstrap_errors(resid, ucode, b, rng, scheme)
                ssr_b, base_b = eng.profile(fixed, cand, e_star)
                ssr_min = ssr_b.min(0)
                draws[s : s + b] = (base_b - ssr_min) / (ssr_min / dof)
                done += b
                if progress is not None:
                    progress(done, total_reps)
            pval = float(np.mean(draws >= f_stat))
            crits = {a: float(np.quantile(draws, a)) for a in (0.90, 0.95, 0.99)}
        else:
            pval = float("nan")
            crits = {}
        tests.append(ThresholdTest(j, ssr_j, mse, float(f_stat), pval, crits, reps[j - 1], draws))
        stage_est.append(g_hat)
        fixed.append(g_hat)
        if j == 2:
            # Bai (1997) refinement of the first threshold given the second
            cand1 = eng.candidates([g_hat], trims[0], grid)
            ssr1, _ = eng.profile([g_hat], cand1, eng.yw[:, None])
            ssr1 = ssr1[:, 0]
            b1 = int(np.nanargmin(ssr1))
            fixed[0] = float(cand1[b1])
            profiles["1r"] = pd.DataFrame(
                {"gamma": cand1, "SSR": ssr1, "LR": (ssr1 - ssr1[b1]) / mse}
            )
            _, ssr_j = eng.fit(fixed)
        ssr_prev = ssr_j

    # profiles and intervals reported for the final model (Hansen's Table 2 layout)
    if n_thresholds == 1:
        prof_list = [profiles[1]]
    else:
        prof_list = [profiles["1r"], profiles[2]] + ([profiles[3]] if n_thresholds == 3 else [])
    ci = []
    for p in prof_list:
        inside = p.loc[p["LR"] <= crit, "gamma"]
        ci.append((float(inside.min()), float(inside.max())))
    # report thresholds in increasing order (γ1 < γ2 < γ3), each with its interval and profile
    by_value = np.argsort(fixed)
    thresholds = [float(fixed[i]) for i in by_value]
    ci = [ci[i] for i in by_value]
    prof_list = [prof_list[i] for i in by_value]
    coef, r2w, notes = _coefficients(mf, y, regime, controls, q, thresholds, time_effects, vce)
    _, ssr_final = eng.fit(thresholds)
    notes = [*mf.notes, *notes]
    if not mf.balanced:
        notes.append(
            "unbalanced panel: within transformation over each unit's own periods; "
            + (
                "bootstrap residual vectors drawn among units with the same number of periods"
                if scheme == "resample"
                else "wild bootstrap by unit"
            )
        )
    return ThresholdResult(
        thresholds=thresholds,
        ci=ci,
        tests=tests,
        coef=coef,
        profiles=prof_list,
        level=level,
        n_obs=eng.n,
        n_units=eng.n_units,
        n_periods=mf.n_periods,
        balanced=mf.balanced,
        ssr=ssr_final,
        r2_within=r2w,
        names={
            "y": y,
            "regime": regime,
            "q": q,
            "controls": controls,
            "stage_estimates": stage_est,
            "vce": vce,
            "time_effects": time_effects,
        },
        notes=notes,
    )


def _per_threshold(value: Any, k: int, what: str, kind: type) -> list:
    if isinstance(value, (int, float, np.integer, np.floating)):
        return [kind(value)] * k
    vals = [kind(v) for v in value]
    if len(vals) != k:
        raise DataError(f"{what} needs one value per threshold ({k}), got {vals}")
    return vals


def regime_columns(
    frame: pd.DataFrame, regime: Sequence[str], q: str, thresholds: Sequence[float]
) -> tuple[pd.DataFrame, list[str]]:
    """Columns ``z_r1``, ``z_r2``, ... of the regime-dependent regressors by regime."""
    cuts = sorted(thresholds)
    bounds = [-np.inf, *cuts, np.inf]
    qv = frame[q].to_numpy(float)
    out = {}
    names = []
    for v in regime:
        for r in range(len(bounds) - 1):
            m = (qv > bounds[r]) & (qv <= bounds[r + 1])
            name = f"{v}_r{r + 1}"
            out[name] = frame[v].to_numpy(float) * m
            names.append(name)
    return pd.DataFrame(out, index=frame.index), names


def _coefficients(
    mf: ModelFrame,
    y: str,
    regime: list[str],
    controls: list[str],
    q: str,
    thresholds: list[float],
    time_effects: bool,
    vce: str,
) -> tuple[pd.DataFrame, float, list[str]]:
    from .panel import fe_fit

    f = mf.frame
    cols, names = regime_columns(f, regime, q, thresholds)
    df = pd.concat([f[[mf.unit, mf.time, y, *controls]], cols], axis=1)
    fit = fe_fit(
        df,
        y,
        [*controls, *names],
        unit=mf.unit,
        time=mf.time,
        effects="twoway" if time_effects else "unit",
        vce=vce,
    )
    return fit.table(), fit.r2_within, []
