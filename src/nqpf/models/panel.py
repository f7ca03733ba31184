"""Fixed-effect panel regressions (unit, time or two-way effects) through linearmodels.

:func:`fe_regression` is a thin, checked front end to
:class:`linearmodels.panel.PanelOLS` (Sheppard et al., linearmodels): effects are
absorbed by the within transformation (alternating projections for two-way
effects in unbalanced panels), standard errors are conventional, White-robust
(``"robust"``), or clustered by unit (``"cluster"``, linearmodels' default
small-sample correction) or by unit and period (``"cluster2"``). Lags are built
inside units on consecutive periods (``lags={"x": 1}`` adds ``L1.x``).

R² reported is linearmodels' within R² for models with unit effects and its
overall R² otherwise; ``r2_within`` is always the within R².

:func:`hausman` tests fixed against random unit effects in Mundlak's regression
form (Mundlak 1978; Wooldridge 2010, *Econometric Analysis of Cross Section and
Panel Data*, section 10.7.3): the random-effects model (linearmodels'
``RandomEffects``) is augmented with the unit means of the regressors and the
Wald statistic of their coefficients, with unit-clustered covariance, is
chi-square with as many degrees of freedom. Under homoskedasticity it is
asymptotically the classic Hausman (1978) contrast, and unlike the contrast its
covariance is never negative definite.

Difference and system GMM (Arellano-Bond, Blundell-Bond) are not offered:
neither linearmodels nor statsmodels has them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import DataError
from ._data import check_collinear, demean, lag, model_frame
from .results import Estimates

__all__ = ["EFFECTS", "VCE", "fe_fit", "fe_regression", "hausman"]

EFFECTS = ("unit", "time", "twoway", "none")
VCE = ("conventional", "robust", "cluster", "cluster2")


def _linearmodels():
    try:
        from linearmodels.panel import PanelOLS
    except ImportError as exc:  # pragma: no cover - linearmodels is a dependency
        raise DataError("panel regressions need linearmodels: pip install 'nqpf[models]'") from exc
    return PanelOLS


def fe_fit(
    frame: Any,
    y: str,
    x: Sequence[str],
    *,
    unit: str | None = None,
    time: str | None = None,
    effects: str = "twoway",
    vce: str = "cluster",
    lags: Mapping[str, int | Sequence[int]] | None = None,
    controls: Sequence[str] = (),
    label: str = "",
    balanced: bool = False,
) -> Estimates:
    """Fit ``y`` on ``x`` (+ ``controls``) with fixed effects; see :func:`fe_regression`."""
    return fe_regression(
        frame,
        y,
        x,
        controls=controls,
        unit=unit,
        time=time,
        effects=effects,
        vce=vce,
        lags=lags,
        label=label,
        balanced=balanced,
    )


def fe_regression(
    data: Any,
    y: str,
    x: Sequence[str],
    *,
    controls: Sequence[str] = (),
    unit: str | None = None,
    time: str | None = None,
    effects: str = "twoway",
    vce: str = "cluster",
    lags: Mapping[str, int | Sequence[int]] | None = None,
    label: str = "",
    balanced: bool = False,
) -> Estimates:
    """Fixed-effect regression of ``y`` on ``x`` and ``controls``.

    Parameters
    ----------
    effects : "unit", "time", "twoway" or "none"
    vce : "conventional", "robust", "cluster" (by unit) or "cluster2" (unit and period)
    lags : mapping of variable to lag order(s); the lagged columns are added as
        regressors named ``L{k}.{var}``.
    balanced : keep only units observed in every period.
    """
    if effects not in EFFECTS:
        raise DataError(f"effects must be one of {EFFECTS}, not {effects!r}")
    if vce not in VCE:
        raise DataError(f"vce must be one of {VCE}, not {vce!r}")
    x = list(x)
    dup = sorted({v for v in x if x.count(v) > 1} | ({y} & set(x)))
    if dup:
        raise DataError(f"regression: {dup} listed more than once (as y or regressor)")
    controls = [c for c in controls if c not in x]
    if not x and not controls:
        raise DataError("fe_regression: name at least one regressor")
    lag_vars = list((lags or {}).keys())
    mf = model_frame(data, [y, *x, *controls, *lag_vars], unit=unit, time=time, what="regression")
    if balanced:
        from ._data import balanced_subset

        mf = balanced_subset(mf)
    added = []
    for v, ks in (lags or {}).items():
        for k in [ks] if isinstance(ks, (int, np.integer)) else list(ks):
            added.append(lag(mf, v, int(k)))
    f = mf.frame.dropna(subset=added) if added else mf.frame
    if f.empty:
        raise DataError("regression: no observation has all the lagged values")
    regs = [*x, *added, *controls]
    ucode = np.unique(f[mf.unit].to_numpy(), return_inverse=True)[1]
    tcode = np.unique(f[mf.time].to_numpy(), return_inverse=True)[1]
    xm = f[regs].to_numpy(float)
    if effects in ("unit", "twoway"):
        xm = demean(xm, ucode)
    if effects in ("time", "twoway"):
        xm = demean(xm, tcode)
        if effects == "twoway":  # a few sweeps suffice to expose collinearity
            for _ in range(5):
                xm = demean(demean(xm, ucode), tcode)
    if effects == "none":
        xm = xm - xm.mean(0)
    check_collinear(xm, regs, what="regression")
    PanelOLS = _linearmodels()
    # linearmodels needs a numeric or date time index: periods enter as their sorted codes
    idx = f.assign(_period_code=tcode).set_index([mf.unit, "_period_code"])
    exog = idx[regs]
    if effects == "none":
        exog = exog.assign(const=1.0)[["const", *regs]]
    mod = PanelOLS(
        idx[y],
        exog,
        entity_effects=effects in ("unit", "twoway"),
        time_effects=effects in ("time", "twoway"),
        drop_absorbed=False,
        check_rank=False,
    )
    if vce == "conventional":
        res = mod.fit(cov_type="unadjusted")
    elif vce == "robust":
        res = mod.fit(cov_type="robust")
    elif vce == "cluster":
        res = mod.fit(cov_type="clustered", cluster_entity=True)
    else:
        res = mod.fit(cov_type="clustered", cluster_entity=True, cluster_time=True)
    names = list(res.params.index)
    est = Estimates.from_arrays(
        names,
        res.params.to_numpy(),
        res.std_errors.to_numpy(),
        df=float(res.df_resid),
        dependent=y,
        nobs=int(res.nobs),
        r2=float(res.rsquared_within if effects in ("unit", "twoway") else res.rsquared),
        r2_within=float(res.rsquared_within),
        effects={"unit": effects in ("unit", "twoway"), "time": effects in ("time", "twoway")},
        controls=list(controls),
        label=label,
        extra={"SE": vce},
    )
    est.cov = res.cov.copy()
    return est


def hausman(
    data: Any,
    y: str,
    x: Sequence[str],
    *,
    unit: str | None = None,
    time: str | None = None,
) -> dict[str, Any]:
    """Hausman test of fixed against random unit effects (see the module docstring)."""
    from linearmodels.panel import RandomEffects
    from scipy import stats

    x = list(x)
    mf = model_frame(data, [y, *x], unit=unit, time=time, what="Hausman test")
    f = mf.frame
    ucode = np.unique(f[mf.unit], return_inverse=True)[1]
    tcode = np.unique(f[mf.time].to_numpy(), return_inverse=True)[1]
    xv = f[x].to_numpy(float)
    check_collinear(demean(xv, ucode), x, what="Hausman test")
    means = xv - demean(xv, ucode)
    mnames = [f"mean({v})" for v in x]
    idx = f.assign(_period_code=tcode, **dict(zip(mnames, means.T, strict=True)))
    idx = idx.set_index([mf.unit, "_period_code"])
    res = RandomEffects(idx[y], idx[[*x, *mnames]].assign(const=1.0)).fit(
        cov_type="clustered", cluster_entity=True
    )
    g = res.params[mnames].to_numpy()
    v = res.cov.loc[mnames, mnames].to_numpy()
    stat = float(g @ np.linalg.solve(v, g))
    df = len(x)
    return {
        "statistic": stat,
        "df": df,
        "p": float(stats.chi2.sf(stat, df)),
        "form": "Mundlak regression, cluster-robust",
    }
