"""Mediation and moderation: Baron-Kenny steps, bootstrap indirect effects, Sobel, chains.

**Mediation** (one mediator ``m``; controls ``w``; optional fixed effects):

* step 1 (total effect): ``y = c x + w'g + e``;
* step 2: ``m = a x + w'g + e``;
* step 3: ``y = c' x + b m + w'g + e`` (Baron and Kenny 1986).

The indirect effect is ``a b``. Its Sobel (1982) test uses the first-order delta
standard error ``sqrt(b^2 s_a^2 + a^2 s_b^2)``. Its confidence interval is the
bias-corrected bootstrap interval recommended by Preacher and Hayes (2008),
following Efron (1987): with ``z0 = Phi^{-1}(share of bootstrap ab < ab)`` the
interval runs between the bootstrap quantiles ``Phi(2 z0 -/+ z_{1-alpha/2})``;
the percentile interval is reported beside it.

**Chain mediation** (Hayes 2013, model 6) with ``x -> m1 -> m2 -> y``:
``m1 = a1 x``, ``m2 = a2 x + d m1``, ``y = c' x + b1 m1 + b2 m2``; the specific
indirect effects are ``a1 b1``, ``a2 b2`` and ``a1 d b2``, their sum the total
indirect effect, each with a bias-corrected bootstrap interval.

**Moderation**: ``y = b1 x + b2 z + b3 (x - mean x)(z - mean z) + w'g + e`` with
the interaction of centred variables (Aiken and West 1991); simple slopes of
``x`` at the mean of ``z`` and one standard deviation either side, with their
standard errors from the coefficient covariance.

**Fixed effects and the bootstrap.** With ``effects`` other than ``"none"``
the variables are within-transformed once (unit, period or two-way; two-way by
alternating projections) and the bootstrap resamples whole units (a cluster
bootstrap), which is exact for unit effects; with period effects the period
means are not re-estimated in each resample (a standard approximation). Without
effects, observations are resampled, or units when the data have a unit column
and ``cluster=True``. The bootstrap solves all replications at once from
weighted cross-products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ._data import check_collinear, demean, model_frame
from .panel import fe_regression
from .results import Estimates

__all__ = ["MediationResult", "ModerationResult", "mediation", "moderation"]


@dataclass
class MediationResult:
    """Steps, effects and bootstrap intervals of a (chain) mediation analysis."""

    steps: list[Estimates]
    effects: pd.DataFrame
    sobel: pd.DataFrame
    replications: int
    level: float
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "\n\n".join(
            [
                "Mediation effects (bias-corrected bootstrap, "
                f"{self.replications} replications, {self.level:.0%}):",
                self.effects.to_string(float_format=lambda v: f"{v:.4f}"),
                "Sobel test:",
                self.sobel.to_string(float_format=lambda v: f"{v:.4f}"),
                *self.notes,
            ]
        )


@dataclass
class ModerationResult:
    """The moderated regression and simple slopes of ``x`` at levels of the moderator."""

    model: Estimates
    slopes: pd.DataFrame
    interaction: str

    def estimates(self) -> Estimates:
        return self.model


def _transform(f: pd.DataFrame, cols: list[str], mf: Any, effects: str) -> np.ndarray:
    x = f[cols].to_numpy(float)
    if effects == "none":
        return np.column_stack([np.ones(len(x)), x])
    u = pd.factorize(f[mf.unit], sort=True)[0]
    t = pd.factorize(f[mf.time], sort=True)[0]
    if effects == "unit":
        return demean(x, u)
    if effects == "time":
        return demean(x, t)
    out = x
    for _ in range(200):
        new = demean(demean(out, u), t)
        if np.abs(new - out).max() < 1e-12 * max(1.0, np.abs(x).max()):
            out = new
            break
        out = new
    return out


def _weighted_ols(y: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Coefficients of ``y`` on ``x`` for each row of weights ``w`` (B, n) -> (B, k)."""
    xtx = np.einsum("bn,ni,nj->bij", w, x, x)
    xty = np.einsum("bn,ni,n->bi", w, x, y)
    return np.linalg.solve(xtx, xty[..., None])[..., 0]


def _bc_interval(draws: np.ndarray, est: float, level: float) -> tuple[float, float]:
    """Efron's bias-corrected percentile interval."""
    draws = draws[np.isfinite(draws)]
    share = np.mean(draws < est) + 0.5 * np.mean(draws == est)
    share = min(max(share, 0.5 / len(draws)), 1 - 0.5 / len(draws))
    z0 = stats.norm.ppf(share)
    za = stats.norm.ppf(0.5 + level / 2)
    lo, hi = stats.norm.cdf(2 * z0 - za), stats.norm.cdf(2 * z0 + za)
    return float(np.quantile(draws, lo)), float(np.quantile(draws, hi))


def mediation(
    data: Any,
    y: str,
    x: str,
    mediators: str | Sequence[str],
    controls: Sequence[str] = (),
    *,
    unit: str | None = None,
    time: str | None = None,
    effects: str = "twoway",
    vce: str = "cluster",
    reps: int = 1000,
    level: float = 0.95,
    seed: int | None = 0,
    cluster: bool = True,
) -> MediationResult:
    """Baron-Kenny steps with bootstrap indirect effects; two mediators make a chain.

    ``mediators`` is one name (simple mediation) or two names in causal order
    (chain mediation ``x -> m1 -> m2 -> y``). The step regressions are fitted by
    :func:`nqpf.models.panel.fe_regression` with ``effects`` and ``vce``; the
    bootstrap is described in the module docstring.
    """
    meds = [mediators] if isinstance(mediators, str) else list(mediators)
    if len(meds) not in (1, 2):
        raise DataError("mediation takes one mediator or two in a chain (m1, m2)")
    if reps < 50:
        raise DataError(f"bootstrap replications must be at least 50, not {reps}")
    if not 0 < level < 1:
        raise DataError(f"level must be in (0, 1), not {level}")
    controls = list(controls)
    roles = [y, x, *meds, *controls]
    for v in roles:
        if roles.count(v) > 1:
            raise DataError(f"mediation: {v!r} appears twice (as y/x/mediator/control)")
    mf = model_frame(data, [y, x, *meds, *controls], unit=unit, time=time, what="mediation")
    f = mf.frame
    fe = dict(unit=mf.unit, time=mf.time, effects=effects, vce=vce, controls=controls)
    steps = [fe_regression(f, y, [x], label="total", **fe)]
    if len(meds) == 1:
        steps.append(fe_regression(f, meds[0], [x], label="a", **fe))
        steps.append(fe_regression(f, y, [x, meds[0]], label="b", **fe))
    else:
        steps.append(fe_regression(f, meds[0], [x], label="a1", **fe))
        steps.append(fe_regression(f, meds[1], [x, meds[0]], label="a2,d", **fe))
        steps.append(fe_regression(f, y, [x, *meds], label="b", **fe))

    cols = [y, x, *meds, *controls]
    tr = _transform(f, cols, mf, effects)
    const = 1 if effects == "none" else 0
    lead = [0] if const else []
    cy = tr[:, const + 0]
    cx = tr[:, const + 1]
    cm = [tr[:, const + 2 + i] for i in range(len(meds))]
    cw = tr[:, const + 2 + len(meds) :]
    base = tr[:, lead] if const else np.empty((len(tr), 0))
    check_collinear(
        np.column_stack([cx, *cm, cw]) if cw.size else np.column_stack([cx, *cm]),
        [x, *meds, *controls],
        what="mediation",
    )

    def design(*cs):
        return np.column_stack([*cs, cw, base]) if (cw.size or base.size) else np.column_stack(cs)

    rng = np.random.default_rng(seed)
    n = len(f)
    if cluster and (effects != "none" or mf.n_units < n):
        groups = pd.factorize(f[mf.unit], sort=True)[0]
        g = int(groups.max()) + 1
        counts = rng.multinomial(g, np.full(g, 1.0 / g), size=reps)
        w = counts[:, groups].astype(float)
        how = f"units resampled ({g} clusters)"
    else:
        w = rng.multinomial(n, np.full(n, 1.0 / n), size=reps).astype(float)
        how = "observations resampled"
    full = np.ones((1, n))

    def coefs(wts):
        out = {}
        if len(meds) == 1:
            a = _weighted_ols(cm[0], design(cx), wts)[:, 0]
            bb = _weighted_ols(cy, design(cx, cm[0]), wts)
            out["ind"] = a * bb[:, 1]
            out["direct"] = bb[:, 0]
        else:
            a1 = _weighted_ols(cm[0], design(cx), wts)[:, 0]
            s2 = _weighted_ols(cm[1], design(cx, cm[0]), wts)
            a2, d = s2[:, 0], s2[:, 1]
            s3 = _weighted_ols(cy, design(cx, cm[0], cm[1]), wts)
            b1, b2 = s3[:, 1], s3[:, 2]
            out["ind1"] = a1 * b1
            out["ind2"] = a2 * b2
            out["ind12"] = a1 * d * b2
            out["ind"] = out["ind1"] + out["ind2"] + out["ind12"]
            out["direct"] = s3[:, 0]
        out["total"] = out["ind"] + out["direct"]
        return out

    point = {k: float(v[0]) for k, v in coefs(full).items()}
    boot = coefs(w)
    if len(meds) == 1:
        names = {"ind": f"indirect: {x} -> {meds[0]} -> {y}"}
    else:
        names = {
            "ind1": f"indirect: {x} -> {meds[0]} -> {y}",
            "ind2": f"indirect: {x} -> {meds[1]} -> {y}",
            "ind12": f"indirect: {x} -> {meds[0]} -> {meds[1]} -> {y}",
            "ind": "total indirect",
        }
    names |= {"direct": f"direct: {x} -> {y}", "total": "total effect"}
    rows = []
    for key, lab in names.items():
        d = boot[key]
        lo, hi = _bc_interval(d, point[key], level)
        plo, phi = np.quantile(d, [0.5 - level / 2, 0.5 + level / 2])
        rows.append(
            {
                "effect": lab,
                "estimate": point[key],
                "boot_se": float(np.std(d, ddof=1)),
                "bc_lower": lo,
                "bc_upper": hi,
                "pct_lower": float(plo),
                "pct_upper": float(phi),
            }
        )
    eff = pd.DataFrame(rows).set_index("effect")
    if point["total"] != 0:
        eff["share_of_total"] = eff["estimate"] / point["total"]
    sob = []
    if len(meds) == 1:
        a_est = steps[1].coef.loc[x]
        b_est = steps[2].coef.loc[meds[0]]
        pairs = [(names["ind"], a_est, b_est)]
    else:
        pairs = [
            (names["ind1"], steps[1].coef.loc[x], steps[3].coef.loc[meds[0]]),
            (names["ind2"], steps[2].coef.loc[x], steps[3].coef.loc[meds[1]]),
        ]
    for lab, a_r, b_r in pairs:
        ab = a_r["coef"] * b_r["coef"]
        se = float(np.sqrt(b_r["coef"] ** 2 * a_r["se"] ** 2 + a_r["coef"] ** 2 * b_r["se"] ** 2))
        z = ab / se
        sob.append({"effect": lab, "ab": ab, "se": se, "z": z, "p": 2 * stats.norm.sf(abs(z))})
    notes = [*mf.notes, f"bootstrap: {how}, fixed effects: {effects}"]
    return MediationResult(steps, eff, pd.DataFrame(sob).set_index("effect"), reps, level, notes)


def moderation(
    data: Any,
    y: str,
    x: str,
    moderator: str,
    controls: Sequence[str] = (),
    *,
    unit: str | None = None,
    time: str | None = None,
    effects: str = "twoway",
    vce: str = "cluster",
    levels: Sequence[float] = (-1.0, 0.0, 1.0),
) -> ModerationResult:
    """Moderated regression with centred interaction and simple slopes (module docstring).

    ``levels`` are moderator values in standard deviations from its mean.
    """
    mf = model_frame(data, [y, x, moderator, *controls], unit=unit, time=time, what="moderation")
    f = mf.frame.copy()
    inter = f"{x} x {moderator}"
    xc = f[x] - f[x].mean()
    zc = f[moderator] - f[moderator].mean()
    f[inter] = xc * zc
    est = fe_regression(
        f,
        y,
        [x, moderator, inter],
        controls=controls,
        unit=mf.unit,
        time=mf.time,
        effects=effects,
        vce=vce,
        label="moderation",
    )
    cov = est.cov
    b1, b3 = est.coef.loc[x, "coef"], est.coef.loc[inter, "coef"]
    sd = float(f[moderator].std(ddof=1))
    rows = []
    for lv in levels:
        dz = lv * sd
        slope = b1 + b3 * dz
        var = cov.loc[x, x] + dz**2 * cov.loc[inter, inter] + 2 * dz * cov.loc[x, inter]
        se = float(np.sqrt(var))
        t = slope / se
        rows.append(
            {
                "moderator_level": f"mean {lv:+.0f} SD" if lv else "mean",
                "moderator_value": float(f[moderator].mean() + dz),
                "slope": slope,
                "se": se,
                "t": t,
                "p": 2 * stats.t.sf(abs(t), est.nobs - len(est.coef)),
            }
        )
    return ModerationResult(est, pd.DataFrame(rows), inter)
