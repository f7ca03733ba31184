"""Convergence of regions: sigma, beta (panel, cross-section, spatial) and Phillips–Sul clubs.

Three questions, three functions:

* :func:`sigma_convergence` — does the dispersion across units shrink over time?
  Coefficient of variation and standard deviation of logs per period, with a
  linear trend test of the measure on time.
* :func:`beta_convergence` — do units that start lower grow faster? Absolute or
  conditional beta on a panel with fixed effects (linearmodels ``PanelOLS``),
  the classic cross-section regression (statsmodels OLS), or a spatial panel
  model (optional ``spreg``); with the speed of convergence and the half-life.
* :func:`phillips_sul` — the log t test of Phillips and Sul (2007) with their
  club clustering algorithm and the club merging of Phillips and Sul (2009).

Every function takes the tidy ``unit, period, value`` table (or anything that
:func:`nqpf.analysis._input.values_frame` accepts) and returns a result object
with ``tables()``, ``to_frame()``, ``summary()``, ``plot()`` and ``params``.
Heavy libraries (statsmodels, linearmodels, spreg, matplotlib) are imported
inside the functions.

References
----------
Barro, R. J. and Sala-i-Martin, X. (1992). Convergence. *Journal of Political
Economy* 100(2), 223–251.

Phillips, P. C. B. and Sul, D. (2007). Transition modeling and econometric
convergence tests. *Econometrica* 75(6), 1771–1855.

Phillips, P. C. B. and Sul, D. (2009). Economic transition and growth. *Journal
of Applied Econometrics* 24(7), 1153–1185.

Sichera, R. and Pizzuto, P. (2019). ConvergenceClubs: A package for performing
the Phillips and Sul's club convergence clustering procedure. *The R Journal*
11(2), 142–151.

Andrews, D. W. K. (1991). Heteroskedasticity and autocorrelation consistent
covariance matrix estimation. *Econometrica* 59(3), 817–858.

Newey, W. K. and West, K. D. (1994). Automatic lag selection in covariance
matrix estimation. *Review of Economic Studies* 61(4), 631–653.

Elhorst, J. P. (2003). Specification and estimation of spatial panel data
models. *International Regional Science Review* 26(3), 244–268.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..extras import require
from ._input import values_frame

__all__ = [
    "BetaResult",
    "PhillipsSulResult",
    "SigmaResult",
    "beta_convergence",
    "phillips_sul",
    "sigma_convergence",
]


# ------------------------------------------------------------------------------------
# helpers shared by the three analyses


def _wide(df: pd.DataFrame) -> pd.DataFrame:
    """Units × periods (periods sorted, units sorted), NaN where a value is missing."""
    return df.pivot(index="unit", columns="period", values="value").sort_index().sort_index(axis=1)


def _time_axis(periods: Sequence[Any]) -> tuple[np.ndarray, str]:
    """Numeric time for each period: the period itself when all are integers, else 0, 1, …"""
    if all(isinstance(p, int | np.integer) for p in periods):
        return np.asarray(periods, dtype=float), "period value"
    return np.arange(len(periods), dtype=float), "position of the period (0, 1, ...)"


def _py(v: Any) -> Any:
    """A NumPy scalar as the plain Python value (for readable messages)."""
    return v.item() if isinstance(v, np.generic) else v


def _first_nonpositive(df: pd.DataFrame, what: str) -> None:
    bad = df[~(df["value"] > 0)]
    if not bad.empty:
        r = bad.iloc[0]
        raise DataError(
            f"{what} needs values > 0, but unit {_py(r['unit'])!r} has {_py(r['value'])!r} in "
            f"period {_py(r['period'])!r} ({len(bad)} value(s) <= 0 in all); drop or rescale "
            "those values"
        )


def _figure(**kw: Any):
    from matplotlib.figure import Figure  # Agg canvas, no pyplot state

    return Figure(figsize=kw.pop("figsize", (7.0, 4.5)), **kw)


# ------------------------------------------------------------------------------------
# sigma convergence


@dataclass(frozen=True)
class SigmaResult:
    """Dispersion per period and its trend.

    Attributes
    ----------
    table : DataFrame
        ``period, n, mean, sd, cv, sd_log`` (``cv`` / ``sd_log`` only for the
        measures asked for).
    trend : DataFrame
        One row per measure: ``measure, slope, intercept, std_error, t, p_value,
        r2, n_periods, first, last, converges``.
    params : dict
        The choices made (measure, ddof, time axis, alpha, conventions).
    """

    table: pd.DataFrame
    trend: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"sigma": self.table.copy(), "sigma_trend": self.trend.copy()}

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        return self.trend[["measure", "slope", "p_value", "first", "last", "converges"]].copy()

    def plot(self, **kw: Any):
        """The dispersion measures against the period (one line per measure)."""
        fig = _figure(**kw)
        ax = fig.add_subplot(1, 1, 1)
        x = np.arange(len(self.table))
        for m in self.params["measures"]:
            ax.plot(x, self.table[m].to_numpy(), marker="o", label=m)
        ax.set_xticks(x, [str(p) for p in self.table["period"]], rotation=45)
        ax.set_xlabel("period")
        ax.set_ylabel("dispersion")
        ax.set_title("Sigma convergence")
        ax.legend()
        fig.tight_layout()
        return fig


def sigma_convergence(
    data: Any,
    measure: str = "both",
    ddof: int = 1,
    alpha: float = 0.05,
    *,
    value: str = "value",
    node: str | None = None,
    indicator: str | None = None,
) -> SigmaResult:
    """Sigma convergence: the dispersion of the units per period and its time trend.

    For each period t with the n_t units observed in it (an unbalanced panel
    is allowed; ``n`` says how many units each period has):

    * coefficient of variation ``cv_t = s_t / ȳ_t`` with
      ``s_t = sqrt(Σ_i (y_it − ȳ_t)² / (n_t − ddof))``;
    * standard deviation of logs ``sd_log_t = sqrt(Σ_i (ln y_it − m_t)² / (n_t − ddof))``,
      ``m_t`` the mean of ``ln y_it`` (Barro and Sala-i-Martin 1992, sec. 3).

    Sigma convergence holds when the measure falls over time: the trend is the
    OLS regression ``measure_t = a + b·time_t + e_t`` (statsmodels), with
    ``time_t`` the period itself when periods are integers (years), else its
    position; ``converges`` is ``b < 0`` with two-sided p-value below ``alpha``.

    Parameters
    ----------
    data : table, Panel or IndexResult
        Values by unit and period (see :func:`~nqpf.analysis._input.values_frame`).
    measure : {"cv", "sd_log", "both"}
        Which dispersion measures to compute.
    ddof : int
        Delta degrees of freedom of the standard deviation: 1 (sample SD, the
        default, as Stata's ``sd`` and R's ``sd``) or 0 (population SD).
    alpha : float
        Significance level of the trend test.

    Raises
    ------
    DataError
        A period with fewer than ``ddof + 1`` units (``+1`` more for the SD to
        mean anything: at least 2 units), a period with mean ≤ 0 (``cv``), a
        value ≤ 0 (``sd_log``, naming the unit and period), fewer than 3
        periods (no trend test).
    """
    if measure not in ("cv", "sd_log", "both"):
        raise DataError(f"measure must be 'cv', 'sd_log' or 'both', not {measure!r}")
    if ddof not in (0, 1):
        raise DataError(f"ddof must be 0 (population SD) or 1 (sample SD), not {ddof!r}")
    measures = ["cv", "sd_log"] if measure == "both" else [measure]
    df = values_frame(data, value=value, node=node, indicator=indicator)
    if "sd_log" in measures:
        _first_nonpositive(df, "the SD of logs (sigma convergence)")
    rows = []
    for period, g in df.groupby("period", sort=True):
        v = g["value"].to_numpy(dtype=float)
        n = v.size
        if n < max(2, ddof + 1):
            raise DataError(
                f"period {_py(period)!r} has {n} unit(s); sigma convergence needs at least 2 "
                "units in every period"
            )
        mean = float(v.mean())
        sd = float(v.std(ddof=ddof))
        row: dict[str, Any] = {"period": period, "n": n, "mean": mean, "sd": sd}
        if "cv" in measures:
            if mean <= 0:
                raise DataError(
                    f"period {_py(period)!r} has mean {mean:.6g} <= 0; the coefficient of "
                    "variation needs a positive mean (use measure='sd_log' or shift the values)"
                )
            row["cv"] = sd / mean
        if "sd_log" in measures:
            row["sd_log"] = float(np.log(v).std(ddof=ddof))
        rows.append(row)
    table = pd.DataFrame(rows)
    if len(table) < 3:
        raise DataError(
            f"the data have {len(table)} period(s); the sigma trend test needs at least 3"
        )
    time, axis = _time_axis(list(table["period"]))

    import statsmodels.api as sm

    X = sm.add_constant(time)
    trend_rows = []
    for m in measures:
        fit = sm.OLS(table[m].to_numpy(dtype=float), X).fit()
        slope, p = float(fit.params[1]), float(fit.pvalues[1])
        trend_rows.append(
            {
                "measure": m,
                "slope": slope,
                "intercept": float(fit.params[0]),
                "std_error": float(fit.bse[1]),
                "t": float(fit.tvalues[1]),
                "p_value": p,
                "r2": float(fit.rsquared),
                "n_periods": len(table),
                "first": float(table[m].iloc[0]),
                "last": float(table[m].iloc[-1]),
                "converges": bool(slope < 0 and p < alpha),
            }
        )
    params = {
        "method": "sigma",
        "measures": measures,
        "ddof": ddof,
        "alpha": alpha,
        "time_axis": axis,
        "trend": "OLS of the measure on time with a constant (statsmodels), two-sided p",
        "cv": "sd / mean per period",
        "sd_log": "sd of ln(value) per period",
    }
    return SigmaResult(table=table, trend=pd.DataFrame(trend_rows), params=params)


# ------------------------------------------------------------------------------------
# beta convergence


@dataclass(frozen=True)
class BetaResult:
    """Beta convergence estimates.

    Attributes
    ----------
    table : DataFrame
        ``model, term, estimate, std_error, t, p_value, n_obs, speed, half_life``;
        ``speed`` and ``half_life`` are filled on the ``ln_y`` row only.
    observations : DataFrame
        The estimation sample: ``unit, period, ln_y, growth`` (+ controls).
    params : dict
        The choices made (kind, effects, k, covariance, formulas).
    """

    table: pd.DataFrame
    observations: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"beta": self.table.copy()}

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """One row: the convergence coefficient, its test, speed and half-life."""
        r = self.table[self.table["term"] == "ln_y"].iloc[0]
        return pd.DataFrame(
            [
                {
                    "model": r["model"],
                    "beta": r["estimate"],
                    "std_error": r["std_error"],
                    "p_value": r["p_value"],
                    "speed": r["speed"],
                    "half_life": r["half_life"],
                    "n_obs": r["n_obs"],
                    "converges": bool(r["estimate"] < 0 and r["p_value"] < self.params["alpha"]),
                }
            ]
        )

    def plot(self, **kw: Any):
        """Growth against the initial log level, with the line of slope β through the means."""
        fig = _figure(**kw)
        ax = fig.add_subplot(1, 1, 1)
        obs = self.observations
        x, y = obs["ln_y"].to_numpy(), obs["growth"].to_numpy()
        ax.scatter(x, y, s=12, alpha=0.6)
        b = float(self.table.loc[self.table["term"] == "ln_y", "estimate"].iloc[0])
        xs = np.array([x.min(), x.max()])
        ax.plot(xs, y.mean() + b * (xs - x.mean()), color="C3", label=f"beta = {b:.4f}")
        ax.set_xlabel("ln y (initial)")
        ax.set_ylabel(f"ln y(t+{self.params['k']}) - ln y(t)")
        ax.set_title(f"Beta convergence ({self.params['model']})")
        ax.legend()
        fig.tight_layout()
        return fig


def _beta_row(
    model: str, term: str, est: Any, se: Any, t: Any, p: Any, nobs: Any, k: float
) -> dict[str, Any]:
    """One row of the beta table; speed and half-life for the ln_y term only."""
    est = float(est)
    sp, hl = _speed(est, k) if term == "ln_y" else (math.nan, math.nan)
    return {
        "model": model,
        "term": term,
        "estimate": est,
        "std_error": float(se),
        "t": float(t),
        "p_value": float(p),
        "n_obs": int(nobs),
        "speed": sp,
        "half_life": hl,
    }


def _speed(beta: float, k: float) -> tuple[float, float]:
    """θ = −ln(1 + β)/k and half-life ln 2/θ; NaN where undefined (documented)."""
    if not np.isfinite(beta) or 1.0 + beta <= 0.0:
        return math.nan, math.nan
    theta = -math.log1p(beta) / k
    return theta, (math.log(2.0) / theta if theta > 0 else math.nan)


def _controls_wide(controls: Any) -> pd.DataFrame:
    """Controls as a frame indexed by (unit, period) with one column per control."""
    from ..panel.core import Panel, normalise_period

    if isinstance(controls, Panel):
        long = controls.to_long(dropna=True)
        wide = long.pivot_table(
            index=["unit", "period"], columns="indicator", values="value", aggfunc="first"
        )
    elif isinstance(controls, pd.DataFrame):
        missing = [c for c in ("unit", "period") if c not in controls.columns]
        if missing:
            raise DataError(
                f"the controls table lacks column(s) {missing}; it needs unit, period and one "
                "column per control (or indicator, value columns)"
            )
        c = controls.copy()
        c["unit"] = c["unit"].astype(str).str.strip()
        c["period"] = normalise_period(c["period"].tolist(), where="controls period")
        if {"indicator", "value"} <= set(c.columns) and len(c.columns) == 4:
            dup = c.duplicated(["unit", "period", "indicator"])
            if dup.any():
                r = c[dup].iloc[0]
                raise DataError(
                    f"controls: unit {_py(r['unit'])!r}, period {_py(r['period'])!r}, indicator "
                    f"{_py(r['indicator'])!r} appears twice"
                )
            wide = c.pivot(index=["unit", "period"], columns="indicator", values="value")
        else:
            dup = c.duplicated(["unit", "period"])
            if dup.any():
                r = c[dup].iloc[0]
                raise DataError(
                    f"controls: unit {_py(r['unit'])!r}, period {_py(r['period'])!r} appears twice"
                )
            wide = c.set_index(["unit", "period"])
    else:
        raise DataError(
            f"controls must be a Panel or a table (unit, period, controls...), not "
            f"{type(controls).__name__}"
        )
    wide = wide.copy()
    wide.columns = [str(col) for col in wide.columns]
    if wide.shape[1] == 0:
        raise DataError("the controls table has no control column besides unit and period")
    for col in wide.columns:
        num = pd.to_numeric(wide[col], errors="coerce")
        bad = wide[col].notna() & num.isna()
        if bad.any():
            u, p = bad[bad].index[0]
            raise DataError(
                f"control {col!r}: value {_py(wide[col][(u, p)])!r} of unit {_py(u)!r}, "
                f"period {_py(p)!r} is not a number"
            )
        wide[col] = num.astype(float)
    reserved = {"ln_y", "growth", "const"} & set(wide.columns)
    if reserved:
        raise DataError(f"rename the control(s) {sorted(reserved)}: the names are reserved")
    return wide


def _growth_pairs(lny: pd.DataFrame, k: int) -> tuple[pd.DataFrame, str]:
    """(unit, period, ln_y, growth) with growth = ln y(t+k) − ln y(t), rows with both observed."""
    periods = list(lny.columns)
    if all(isinstance(p, int | np.integer) for p in periods):
        later = {p: p + k for p in periods}
        rule = f"period + {k} (periods are integers)"
    else:
        later = {p: periods[i + k] for i, p in enumerate(periods) if i + k < len(periods)}
        rule = f"{k} position(s) later in the sorted periods (periods are not integers)"
    rows = []
    for p, q in later.items():
        if q not in lny.columns:
            continue
        a, b = lny[p], lny[q]
        ok = a.notna() & b.notna()
        rows.append(
            pd.DataFrame(
                {
                    "unit": a.index[ok],
                    "period": p,
                    "ln_y": a[ok].to_numpy(),
                    "growth": (b[ok] - a[ok]).to_numpy(),
                }
            )
        )
    obs = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if obs.empty:
        raise DataError(
            f"no unit has values in two periods {k} apart; beta convergence needs growth "
            f"over k={k} period(s)"
        )
    return obs.sort_values(["unit", "period"]).reset_index(drop=True), rule


def _attach_controls(obs: pd.DataFrame, controls: Any) -> tuple[pd.DataFrame, list[str]]:
    cw = _controls_wide(controls)
    names = list(cw.columns)
    key = pd.MultiIndex.from_frame(obs[["unit", "period"]])
    found = cw.reindex(key)
    lack = found.isna()
    if lack.to_numpy().any():
        cells = []
        for (u, p), row in lack.iterrows():
            for c in names:
                if row[c]:
                    cells.append(f"{u}/{p}/{c}")
        raise DataError(
            f"{len(cells)} control value(s) are missing for observations in the estimation "
            f"sample (unit/period/control): {cells[:10]}; impute them (nqpf impute) or drop "
            "those units"
        )
    out = obs.copy()
    for c in names:
        out[c] = found[c].to_numpy()
    return out, names


def beta_convergence(
    data: Any,
    kind: str = "absolute",
    controls: Any = None,
    effects: str = "unit",
    k: int = 1,
    cluster: str = "unit",
    spatial: str | None = None,
    w: Any = None,
    alpha: float = 0.05,
    *,
    value: str = "value",
    node: str | None = None,
    indicator: str | None = None,
) -> BetaResult:
    """Beta convergence: regress growth on the initial log level.

    Panel (``kind="absolute"`` or ``"conditional"``), estimated with
    linearmodels ``PanelOLS``::

        ln y_{i,t+k} − ln y_{i,t} = α + β ln y_{i,t} (+ γ'X_{i,t}) + μ_i (+ λ_t) + ε_{i,t}

    for every period t with both values observed (overlapping windows when
    k > 1; the growth is *not* divided by k). ``t + k`` is the period value
    plus k when periods are integers (years), else k positions later. Controls
    X are taken at the start period t. β < 0 and significant (p < ``alpha``)
    means convergence.

    Cross-section (``kind="cross_section"``), statsmodels OLS::

        ln y_{i,T} − ln y_{i,0} = α + β ln y_{i,0} + ε_i

    with 0 and T the first and last periods of the data; every unit must have
    both values.

    Speed and half-life (Barro and Sala-i-Martin 1992): with the growth over
    k periods, ``1 + β = exp(−θ k)``, so **θ = −ln(1 + β)/k** and the
    **half-life is ln 2 / θ** (in periods, years for annual data; for the
    cross-section k = T − 0). θ is NaN when 1 + β ≤ 0; the half-life is NaN
    when θ ≤ 0 (no convergence).

    Spatial beta (``spatial="lag"`` or ``"error"``): the same panel equation
    with unit fixed effects and a spatial lag of growth (ρ W g) or a spatial
    autoregressive error (λ W u), estimated by maximum likelihood (Elhorst
    2003) with ``spreg`` (``ML_LagFE`` / ``ML_ErrorFE``, or ``Panel_FE_Lag`` /
    ``Panel_FE_Error`` in older spreg), if spreg is installed. The speed is
    computed from β as above (the common practice; β is not the total
    marginal effect in the lag model). Needs a balanced sample.

    Parameters
    ----------
    data : table, Panel or IndexResult
        Values (> 0) by unit and period.
    kind : {"absolute", "conditional", "cross_section"}
        Absolute (no controls), conditional (``controls`` required) or the
        cross-section regression from the first to the last period.
    controls : Panel or DataFrame, optional
        Control variables by unit and period: a Panel (every indicator is a
        control), a table ``unit, period, <control columns>``, or a long table
        ``unit, period, indicator, value``.
    effects : {"unit", "twoway", "none"}
        Unit fixed effects, unit and period fixed effects, or pooled OLS.
    k : int
        Growth horizon in periods.
    cluster : {"unit", "period", "both", "robust", "none"}
        Covariance of the panel estimates: clustered by unit (default), by
        period, by both, heteroskedasticity-robust, or the classical one
        (linearmodels, ``debiased=True``). For the cross-section, any choice
        but ``"none"`` gives HC1 robust errors.
    spatial : {None, "lag", "error"}
        Spatial panel model (needs the optional package ``spreg``).
    w : libpysal.weights.W, optional
        Spatial weights whose ids are the units (matched by id); copied and
        row-standardised, never changed in place. If omitted and every unit
        is a Chinese province (ISO 3166-2), the bundled contiguity is used.
    alpha : float
        Significance level for ``converges`` in :meth:`BetaResult.summary`.

    Raises
    ------
    DataError
        Values ≤ 0 (naming unit and period), missing controls (naming the
        cells), a kind and options that do not fit, or too few observations.
    MissingExtraError
        ``spatial`` without spreg (it names ``pip install "nqpf[spatial]"``).
    """
    if kind not in ("absolute", "conditional", "cross_section"):
        raise DataError(f"kind must be 'absolute', 'conditional' or 'cross_section', not {kind!r}")
    if effects not in ("unit", "twoway", "none"):
        raise DataError(f"effects must be 'unit', 'twoway' or 'none', not {effects!r}")
    if cluster not in ("unit", "period", "both", "robust", "none"):
        raise DataError(
            f"cluster must be 'unit', 'period', 'both', 'robust' or 'none', not {cluster!r}"
        )
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise DataError(f"k (growth horizon in periods) must be a positive integer, not {k!r}")
    if spatial not in (None, "lag", "error"):
        raise DataError(f"spatial must be None, 'lag' or 'error', not {spatial!r}")
    if kind == "conditional" and controls is None:
        raise DataError("kind='conditional' needs controls (a Panel or a unit, period table)")
    if kind != "conditional" and controls is not None:
        raise DataError(
            f"controls were given but kind={kind!r}; use kind='conditional' for conditional beta"
        )
    k = int(k)
    df = values_frame(data, value=value, node=node, indicator=indicator)
    _first_nonpositive(df, "beta convergence (logs)")
    lny = np.log(_wide(df))
    growth = lny.diff(axis=1).to_numpy()
    if np.nanmax(np.abs(growth), initial=0.0) == 0.0:
        raise DataError(
            "beta convergence: no unit's value changes from one period to the next (zero "
            "growth everywhere), so growth cannot be regressed on the initial level; check "
            "that the scores are the ones meant"
        )

    if kind == "cross_section":
        if spatial is not None:
            raise DataError("spatial beta is a panel model; use kind='absolute' or 'conditional'")
        return _beta_cross_section(lny, cluster, alpha)

    obs, rule = _growth_pairs(lny, k)
    names: list[str] = []
    if controls is not None:
        obs, names = _attach_controls(obs, controls)
    if spatial is not None:
        return _beta_spatial(obs, names, kind, spatial, effects, w, k, rule, alpha)

    from linearmodels import PanelOLS

    periods = sorted(pd.unique(obs["period"]).tolist())
    pos = {p: i for i, p in enumerate(periods)}
    tnum = (
        obs["period"].astype(int)
        if all(isinstance(p, int | np.integer) for p in periods)
        else obs["period"].map(pos).astype(int)
    )
    idx = pd.MultiIndex.from_arrays([obs["unit"].to_numpy(), tnum.to_numpy()])
    exog = pd.DataFrame({"const": 1.0, "ln_y": obs["ln_y"].to_numpy()}, index=idx)
    for c in names:
        exog[c] = obs[c].to_numpy()
    dep = pd.Series(obs["growth"].to_numpy(), index=idx, name="growth")
    n_units = obs["unit"].nunique()
    n_per = len(periods)
    n_par = exog.shape[1] + (n_units - 1 if effects != "none" else 0)
    n_par += n_per - 1 if effects == "twoway" else 0
    if len(obs) <= n_par:
        raise DataError(
            f"{len(obs)} observation(s) for {n_par} parameters ({n_units} units, {n_per} "
            f"start periods, effects={effects!r}); beta convergence needs more periods or units"
        )
    mod = PanelOLS(
        dep,
        exog,
        entity_effects=effects in ("unit", "twoway"),
        time_effects=effects == "twoway",
    )
    cov: dict[str, Any]
    if cluster == "none":
        cov = {"cov_type": "unadjusted"}
    elif cluster == "robust":
        cov = {"cov_type": "robust"}
    else:
        cov = {
            "cov_type": "clustered",
            "cluster_entity": cluster in ("unit", "both"),
            "cluster_time": cluster in ("period", "both"),
        }
    from linearmodels.panel.utility import AbsorbingEffectError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # zero residual variance in exact fits
        try:
            res = mod.fit(**cov)
        except AbsorbingEffectError as exc:
            raise DataError(
                f"with effects={effects!r} the fixed effects absorb ln y (or a control): it "
                "does not vary within units/periods once the effects are removed; use fewer "
                "effects or other controls"
            ) from exc
    model = f"{kind}:{effects}"
    rows = [
        _beta_row(
            model,
            term,
            res.params[term],
            res.std_errors[term],
            res.tstats[term],
            res.pvalues[term],
            res.nobs,
            k,
        )
        for term in ["ln_y", *names, "const"]
    ]
    params = {
        "method": "beta",
        "model": model,
        "kind": kind,
        "effects": effects,
        "k": k,
        "later_period": rule,
        "windows": "overlapping: every start period t with y(t) and y(t+k) observed",
        "cluster": cluster,
        "covariance": {**cov, "debiased": True},
        "estimator": "linearmodels PanelOLS (within estimator; const is the mean effect)",
        "controls": names,
        "alpha": alpha,
        "n_units": int(n_units),
        "speed": "theta = -ln(1 + beta)/k; half_life = ln 2 / theta (Barro & Sala-i-Martin 1992)",
    }
    return BetaResult(table=pd.DataFrame(rows), observations=obs, params=params)


def _beta_cross_section(lny: pd.DataFrame, cluster: str, alpha: float) -> BetaResult:
    import statsmodels.api as sm

    periods = list(lny.columns)
    if len(periods) < 2:
        raise DataError("the cross-section beta needs at least two periods")
    p0, p1 = periods[0], periods[-1]
    lack = lny.index[lny[p0].isna() | lny[p1].isna()].tolist()
    if lack:
        raise DataError(
            f"{len(lack)} unit(s) lack a value in the first ({_py(p0)!r}) or last "
            f"({_py(p1)!r}) period: {lack[:10]}; the cross-section beta needs both (impute or "
            "drop them)"
        )
    if len(lny) < 3:
        raise DataError(f"the cross-section beta needs at least 3 units, has {len(lny)}")
    if all(isinstance(p, int | np.integer) for p in periods):
        span, rule = float(p1 - p0), "last period − first period"
    else:
        span, rule = float(len(periods) - 1), "number of period steps"
    x0 = lny[p0].to_numpy(dtype=float)
    g = lny[p1].to_numpy(dtype=float) - x0
    cov_type = "nonrobust" if cluster == "none" else "HC1"
    fit = sm.OLS(g, sm.add_constant(x0)).fit(cov_type=cov_type)
    model = "cross_section"
    rows = [
        _beta_row(
            model, term, fit.params[j], fit.bse[j], fit.tvalues[j], fit.pvalues[j], fit.nobs, span
        )
        for j, term in ((1, "ln_y"), (0, "const"))
    ]
    obs = pd.DataFrame({"unit": lny.index.to_numpy(), "period": p0, "ln_y": x0, "growth": g})
    params = {
        "method": "beta",
        "model": model,
        "kind": "cross_section",
        "k": span,
        "span": rule,
        "first_period": p0,
        "last_period": p1,
        "covariance": cov_type,
        "estimator": "statsmodels OLS",
        "alpha": alpha,
        "speed": "theta = -ln(1 + beta)/span; half_life = ln 2 / theta "
        "(Barro & Sala-i-Martin 1992)",
    }
    return BetaResult(table=pd.DataFrame(rows), observations=obs, params=params)


def _default_weights(units: list[str]):
    from ..datasets.reference import contiguity

    nb = contiguity()
    if not set(units) <= set(nb):
        raise DataError(
            "spatial beta needs spatial weights w (a libpysal W with the units as ids); the "
            "bundled contiguity covers only the 31 provinces as ISO 3166-2 codes (CN-BJ ...)"
        )
    libpysal = require("libpysal", "spatial", "spatial weights")

    sub = {u: [v for v in nb[u] if v in units] for u in units}
    islands = [u for u, v in sub.items() if not v]
    if islands:
        raise DataError(
            f"with the provinces in the data, {islands} have no neighbour under the bundled "
            "contiguity; give spatial weights w"
        )
    return libpysal.weights.W(sub, id_order=list(units), silence_warnings=True)


def _beta_spatial(
    obs: pd.DataFrame,
    names: list[str],
    kind: str,
    spatial: str,
    effects: str,
    w: Any,
    k: int,
    rule: str,
    alpha: float,
) -> BetaResult:
    spreg = require("spreg", "spatial", "spatial beta convergence")
    if effects != "unit":
        raise DataError(
            f"spatial beta convergence is estimated with unit fixed effects only (spreg), not "
            f"effects={effects!r}"
        )
    units = sorted(pd.unique(obs["unit"]).tolist())
    if w is None:
        w = _default_weights(units)
    if not hasattr(w, "id_order") or not hasattr(w, "neighbors"):
        raise DataError(f"w must be a libpysal W object, not {type(w).__name__}")
    w = copy.deepcopy(w)  # never change the caller's weights
    ids = [str(i) for i in w.id_order]
    if len(set(ids)) != len(ids):
        raise DataError("the weights have duplicate ids")
    missing_w = sorted(set(units) - set(ids))
    missing_d = sorted(set(ids) - set(units))
    if missing_w or missing_d:
        raise DataError(
            "weights and data do not cover the same units: "
            f"in the data but not in w: {missing_w[:10]}; in w but not in the data: "
            f"{missing_d[:10]}"
        )
    w.transform = "r"
    order = list(w.id_order)  # original id objects, used for alignment by id
    periods = sorted(pd.unique(obs["period"]).tolist())
    table = obs.set_index(["unit", "period"])
    full = pd.MultiIndex.from_product([[str(i) for i in order], periods])
    lacking = full.difference(table.index)
    if len(lacking):
        raise DataError(
            f"spatial beta needs a balanced sample: {len(lacking)} unit/start-period "
            f"observation(s) lack growth, e.g. {[f'{u}/{p}' for u, p in lacking[:10]]}"
        )
    # spreg's long layout: time-major, units in w.id_order within each period
    stacked = table.loc[[(str(u), p) for p in periods for u in order]]
    y = stacked["growth"].to_numpy(dtype=float).reshape(-1, 1)
    xnames = ["ln_y", *names]
    x = stacked[xnames].to_numpy(dtype=float)
    if spatial == "lag":
        cls = getattr(spreg, "ML_LagFE", None) or spreg.Panel_FE_Lag
        extra = "rho"
    else:
        cls = getattr(spreg, "ML_ErrorFE", None) or spreg.Panel_FE_Error
        extra = "lambda"
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            res = cls(y, x, w, name_y="growth", name_x=list(xnames))
        except TypeError:  # older spreg versions
            res = cls(y, x, w)
    betas = np.asarray(res.betas, dtype=float).ravel()
    se = np.asarray(res.std_err, dtype=float).ravel()
    z = [(float(a), float(b)) for a, b in res.z_stat]
    model = f"{kind}:spatial_{spatial}:unit"
    rows = []
    for j, term in enumerate([*xnames, extra]):
        sp, hl = _speed(float(betas[j]), k) if term == "ln_y" else (math.nan, math.nan)
        rows.append(
            {
                "model": model,
                "term": term,
                "estimate": float(betas[j]),
                "std_error": float(se[j]),
                "t": z[j][0],
                "p_value": z[j][1],
                "n_obs": int(y.shape[0]),
                "speed": sp,
                "half_life": hl,
            }
        )
    params = {
        "method": "beta",
        "model": model,
        "kind": kind,
        "effects": "unit",
        "spatial": spatial,
        "k": k,
        "later_period": rule,
        "estimator": f"spreg.{cls.__name__} (ML, Elhorst 2003), weights row-standardised",
        "spreg_version": getattr(spreg, "__version__", "unknown"),
        "controls": names,
        "alpha": alpha,
        "speed": "theta = -ln(1 + beta)/k; half_life = ln 2 / theta (Barro & Sala-i-Martin "
        "1992), from the coefficient beta",
        "t_is_z": True,
    }
    return BetaResult(table=pd.DataFrame(rows), observations=obs, params=params)


# ------------------------------------------------------------------------------------
# Phillips–Sul log t test and clubs


def _transition_H(X: np.ndarray) -> np.ndarray:
    """H_t = mean_i (h_it − 1)², h_it = X_it / mean_i X_it (Phillips and Sul 2007, eq. 12)."""
    h = X / X.mean(axis=0)
    return ((h - 1.0) ** 2).mean(axis=0)


def _first_t(T: int, r: float) -> int:
    """First time index (1-based) of the log t regression: round(rT) + 1.

    As ConvergenceClubs' ``estimateMod`` (``round`` to nearest, ties to even
    as in R); the paper writes t = [rT], …, T with [·] the integer part.
    """
    return int(round(r * T)) + 1


def _qs_lrv(e: np.ndarray) -> tuple[float, float]:
    """Long-run variance of the residuals, Quadratic Spectral kernel, Andrews (1991) bandwidth.

    The formula of Phillips and Sul's GAUSS code as adapted in ConvergenceClubs
    (``ps_andrews_hac``, used by ``HACmethod = "FQSB"``): with n residuals and
    m = n − 1, ρ̂ the AR(1) coefficient of e (no intercept),
    α̂ = 4ρ̂²/(1 − ρ̂)⁴, bandwidth B = 1.3221 (α̂ n)^{1/5},
    z_j = 6πj/(5B), k_j = 3/z_j² (sin z_j / z_j − cos z_j), and
    LRV = Σ_{s≤n} e_s²/m + 2 Σ_{j=1}^{m−1} k_j Σ_{s=1}^{m−j} e_s e_{s+j} / m
    (the autocovariances leave out the last residual, as that code does).
    ρ̂ = 0 gives B = 0 and all k_j = 0 (their limit; R returns NaN there).
    """
    n = e.size
    m = n - 1
    den = float(e[:-1] @ e[:-1])
    rho = float(e[:-1] @ e[1:]) / den if den > 0 else 0.0
    if rho == 1.0:
        bw = math.inf
    else:
        a = 4.0 * rho**2 / (1.0 - rho) ** 4
        bw = 1.3221 * (a * n) ** 0.2
    lrv = float(e @ e) / m
    if bw > 0:
        j = np.arange(1, m)
        if math.isinf(bw):
            kern = np.ones(j.size)
        else:
            z = 6.0 * math.pi * j / (5.0 * bw)
            kern = 3.0 / z**2 * (np.sin(z) / z - np.cos(z))
        ee = e[:m]
        gam = np.array([float(ee[: m - i] @ ee[i:]) / m for i in j])
        lrv += 2.0 * float(kern @ gam)
    return lrv, bw


def _nw_cov(X: np.ndarray, e: np.ndarray, lags: int) -> np.ndarray:
    """Newey–West (1987) sandwich, Bartlett weights 1 − j/(L+1), no small-sample factor."""
    xtxi = np.linalg.inv(X.T @ X)
    u = X * e[:, None]
    S = u.T @ u
    for j in range(1, lags + 1):
        G = u[j:].T @ u[:-j]
        S += (1.0 - j / (lags + 1.0)) * (G + G.T)
    return xtxi @ S @ xtxi


def _log_t(
    H: np.ndarray, r: float = 1 / 3, hac: str = "qs", nw_lags: int | None = None
) -> dict[str, float]:
    """The log t regression of Phillips and Sul (2007, eq. 19) on a series H_1..H_T.

    ``log(H_1/H_t) − 2 log(log t) = a + b log t + u_t`` for t = round(rT)+1, …, T
    (t counts periods from 1), OLS, HAC standard error of b (``hac="qs"``:
    scalar long-run variance × (X'X)⁻¹ as in Phillips and Sul's code;
    ``"newey-west"``: Newey–West sandwich with L = floor(4 (n/100)^{2/9})
    lags, n the number of regression points, unless ``nw_lags`` is given).
    One-sided test: convergence is rejected when t_b < −1.65; p = Φ(t_b).
    """
    from scipy.stats import norm

    T = H.size
    t0 = _first_t(T, r)
    ts = np.arange(t0, T + 1, dtype=float)
    if H[0] <= 0 or np.any(H[t0 - 1 :] <= 0):
        raise DataError("H_t is zero: the units' series are identical, the log t is undefined")
    y = np.log(H[0] / H[t0 - 1 :]) - 2.0 * np.log(np.log(ts))
    X = np.column_stack([np.ones(ts.size), np.log(ts)])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    e = y - X @ coef
    if hac == "qs":
        lrv, bw = _qs_lrv(e)
        var_b = lrv * np.linalg.inv(X.T @ X)[1, 1]
    else:
        bw = float(nw_lags if nw_lags is not None else math.floor(4 * (ts.size / 100) ** (2 / 9)))
        var_b = _nw_cov(X, e, int(bw))[1, 1]
    if not var_b > 0:
        if np.allclose(e, 0.0, atol=1e-14 * max(1.0, float(np.abs(y).max()))):
            var_b = 0.0
        else:
            raise DataError(
                "the long-run variance estimate of the log t regression is not positive; "
                "try hac='newey-west'"
            )
    se = math.sqrt(var_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        tstat = float(coef[1] / se) if se > 0 else math.copysign(math.inf, coef[1])
    return {
        "a": float(coef[0]),
        "b": float(coef[1]),
        "se": se,
        "t_stat": tstat,
        "p_value": float(norm.cdf(tstat)),
        "t_first": int(t0),
        "t_last": int(T),
        "n_points": int(ts.size),
        "bandwidth": float(bw),
    }


@dataclass(frozen=True)
class PhillipsSulResult:
    """Phillips–Sul log t test, clubs and merged clubs.

    Attributes
    ----------
    log_t : DataFrame
        One row for the whole panel: ``n_units, n_periods, t_first, t_last, a, b,
        se, t_stat, p_value, converges``.
    clubs : DataFrame
        ``unit, order, club, merged_club, divergent``: ``order`` is the rank used by
        the clustering (1 = highest), ``club`` the club of the clustering
        algorithm and ``merged_club`` the club after merging (both integers, 1 =
        highest level; <NA> for divergent units).
    club_tests : DataFrame
        ``stage, club, n, b, se, t_stat, p_value, converges``: the log t test of
        every club (``stage="initial"``) and merged club (``stage="merged"``).
    transition : DataFrame
        ``unit, period, x, h, club, merged_club``: the filtered series x and the
        relative transition h = x / cross-section mean of x.
    params : dict
        Every choice made (trim, HAC, filter, sieve, ordering, merging).
    """

    log_t: pd.DataFrame
    clubs: pd.DataFrame
    club_tests: pd.DataFrame
    transition: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "log_t": self.log_t.copy(),
            "clubs": self.clubs.copy(),
            "club_tests": self.club_tests.copy(),
            "transition_paths": self.transition.copy(),
        }

    def to_frame(self) -> pd.DataFrame:
        return self.clubs.copy()

    def summary(self) -> pd.DataFrame:
        r = self.log_t.iloc[0]
        clubs = self.clubs["club"].dropna()
        merged = self.clubs["merged_club"].dropna()
        return pd.DataFrame(
            [
                {
                    "t_stat": r["t_stat"],
                    "converges": bool(r["converges"]),
                    "n_clubs": int(clubs.nunique()),
                    "n_merged_clubs": int(merged.nunique()),
                    "n_divergent": int(self.clubs["divergent"].sum()),
                }
            ]
        )

    def plot(self, **kw: Any):
        """Relative transition paths: each unit (thin) and each merged club's mean (thick)."""
        fig = _figure(**kw)
        ax = fig.add_subplot(1, 1, 1)
        tr = self.transition
        periods = sorted(pd.unique(tr["period"]).tolist())
        pos = {p: i for i, p in enumerate(periods)}
        tr = tr.assign(_x=tr["period"].map(pos))
        labels = tr["merged_club"].astype("Int64")
        palette = [f"C{i}" for i in range(10) if i != 7]  # C7 is grey: kept for divergent
        for c, g in tr.groupby(labels.fillna(0), sort=True):
            color = "0.45" if c == 0 else palette[(int(c) - 1) % len(palette)]
            name = "divergent" if c == 0 else f"club {int(c)}"
            ls = "--" if c == 0 else "-"
            for _, gu in g.groupby("unit"):
                ax.plot(gu["_x"], gu["h"], color=color, alpha=0.25, lw=0.7, ls=ls)
            m = g.groupby("_x")["h"].mean()
            ax.plot(m.index, m.to_numpy(), color=color, lw=2.2, ls=ls, label=name)
        ax.axhline(1.0, color="k", lw=0.6, ls=":")
        ax.set_xticks(range(len(periods)), [str(p) for p in periods], rotation=45)
        ax.set_xlabel("period")
        ax.set_ylabel("relative transition h")
        ax.set_title("Phillips-Sul convergence clubs")
        ax.legend(fontsize="small")
        fig.tight_layout()
        return fig


class _Tester:
    """Runs the log t test on subsets of rows of the filtered data."""

    def __init__(self, X: np.ndarray, r: float, hac: str, nw_lags: int | None):
        self.X, self.r, self.hac, self.nw_lags = X, r, hac, nw_lags
        self.units: list[str] = []

    def __call__(self, rows: Sequence[int]) -> dict[str, float]:
        H = _transition_H(self.X[list(rows)])
        if H[0] <= 0 or np.any(H[_first_t(H.size, self.r) - 1 :] <= 0):
            names = [self.units[i] for i in rows][:10]
            raise DataError(
                f"units {names} have identical (filtered) series, so H_t = 0 and the log t "
                "test is undefined; drop the duplicates"
            )
        return _log_t(H, self.r, self.hac, self.nw_lags)


def _core_group(rows: list[int], test: _Tester, thr: float, rule: str) -> list[int] | None:
    """Step 2 of Phillips and Sul (2007): the core group among the sorted rows.

    The first adjacent pair (i, i+1) with t > thr starts the group; units
    i+2, i+3, … are added one at a time while t stays above thr; the core is
    the candidate group with the largest |t| (``rule="max_abs_t"``, as
    ConvergenceClubs' ``coreG``) or the largest t (``"max_t"``, the paper's
    k* = argmax t_k); the smallest such group on ties.
    """
    n = len(rows)
    score = abs if rule == "max_abs_t" else float
    start = None
    for i in range(n - 1):
        res = test([rows[i], rows[i + 1]])
        if res["t_stat"] > thr:
            start = i
            best_s, best = score(res["t_stat"]), [rows[i], rows[i + 1]]
            break
    if start is None:
        return None
    group = [rows[start], rows[start + 1]]
    for j in range(start + 2, n):
        group = [*group, rows[j]]
        t = test(group)["t_stat"]
        if not t > thr:
            break
        if score(t) > best_s:
            best_s, best = score(t), list(group)
    return best


def _sieve(
    core: list[int],
    rows: list[int],
    test: _Tester,
    cstar: float,
    thr: float,
    method: str,
    step: float,
    cap: float,
) -> tuple[list[int], float]:
    """Step 3: add each other unit to the core alone; keep it when t > c*.

    ``method="fixed"`` keeps c* (ConvergenceClubs' default). ``"incremental"``
    (Phillips and Sul 2007, step 3) raises c* by ``step`` until the whole club
    has t > thr; past ``cap`` the club is the core group alone.
    """
    others = [i for i in rows if i not in core]
    t_one = {i: test([*core, i])["t_stat"] for i in others}
    c = cstar
    while True:
        club = [*core, *[i for i in others if t_one[i] > c]]
        if method == "fixed" or len(club) == len(core) or test(club)["t_stat"] > thr:
            return club, c
        c = round(c + step, 12)
        if c > cap:
            return list(core), c


def phillips_sul(
    data: Any,
    r: float = 1 / 3,
    cstar: float = 0.0,
    log: bool = True,
    hp_lambda: float | None = 400.0,
    hac: str = "qs",
    nw_lags: int | None = None,
    sort_by: str = "last",
    sieve: str = "fixed",
    core_rule: str = "max_abs_t",
    cstar_increment: float = 0.1,
    cstar_cap: float = 3.0,
    merge: bool = True,
    threshold: float = -1.65,
    *,
    value: str = "value",
    node: str | None = None,
    indicator: str | None = None,
) -> PhillipsSulResult:
    """Phillips–Sul log t convergence test, club clustering and club merging.

    Data (Phillips and Sul 2007, sec. 4; 2009): x_it = ln y_it when ``log``
    (values must be > 0), then the trend of each unit's series from the
    Hodrick–Prescott filter (statsmodels ``hpfilter``) with smoothing
    ``hp_lambda`` — 400 by default, the value used for annual data by
    Phillips and Sul (2009) and in ConvergenceClubs' filtered examples;
    ``None`` skips the filter. Relative transition h_it = x_it / mean_i x_it
    and H_t = mean_i (h_it − 1)². The panel needs one value for every unit and
    period; x must keep one sign (all logs > 0 or all < 0).

    Log t regression (2007, eq. 19): ``log(H_1/H_t) − 2 log(log t) = a + b log t + u_t``
    for **t = round(rT) + 1, …, T**, t counting the periods from 1 (the
    ConvergenceClubs convention; the paper writes t = [rT], …, T). b is tested
    one-sided with a HAC standard error: ``hac="qs"`` (default) is the
    Quadratic Spectral kernel with Andrews' (1991) AR(1) plug-in bandwidth
    B = 1.3221 (α̂ n)^{1/5}, the long-run variance of the residuals times
    (X'X)⁻¹, as in Phillips and Sul's GAUSS code and ConvergenceClubs'
    ``HACmethod = "FQSB"``; ``hac="newey-west"`` is the Newey–West (1987)
    Bartlett sandwich with L = floor(4 (n/100)^{2/9}) lags (Newey and West
    1994), n = T − round(rT) regression points, unless ``nw_lags`` is given.
    Convergence of the whole panel is rejected when t_b < ``threshold`` (−1.65,
    5 %).

    Club clustering (2007, sec. 5; 2009, sec. 3), as ConvergenceClubs'
    ``findClubs``:

    1. sort the units by x in the last period (``sort_by="last"``) or by the
       mean of x over the last ⌈T/3⌉ periods (``"last_third"``), highest
       first, ties by unit id;
    2. if the remaining units pass the log t test together they form a club;
       else form the core group: the first adjacent pair with t > −1.65, grown
       one unit at a time while t > −1.65, keeping the size with the largest
       |t_k| (``core_rule="max_abs_t"``, ConvergenceClubs' ``coreG``) or the
       largest t_k (``"max_t"``, the paper's k* = argmax t_k); the two differ
       only when a candidate has t_k < 0; no such pair: the remaining units
       diverge;
    3. sieve: add each other remaining unit to the core alone and keep it if
       t > c* (``cstar`` = 0, the conservative choice for small T of
       Phillips and Sul 2007). ``sieve="fixed"`` keeps c* as it is
       (ConvergenceClubs' default, the club is not re-tested);
       ``"incremental"`` raises c* by ``cstar_increment`` until the club passes
       (the paper's step 3), falling back to the core past ``cstar_cap``;
    4. repeat 2–3 on the units left; a single unit left diverges.

    Club merging (Phillips and Sul 2009, as ConvergenceClubs' ``mergeClubs``
    with ``mergeMethod = "PS"``): starting from club 1, add the next club while
    the log t test of the union passes; when it fails, close the merged club
    and start again from the club that failed. Divergent units are not merged.

    Returns
    -------
    PhillipsSulResult
        Tables ``log_t``, ``clubs``, ``club_tests``, ``transition_paths``.

    Raises
    ------
    DataError
        Missing cells (naming unit and period), values ≤ 0 with ``log``,
        x changing sign, fewer than 2 units, too few periods for the trim
        (round(rT) ≥ 1 and at least 3 regression points are needed),
        identical series.
    """
    if not 0 < r < 1:
        raise DataError(f"r (the share of periods trimmed) must be in (0, 1), not {r!r}")
    if hac not in ("qs", "newey-west"):
        raise DataError(f"hac must be 'qs' or 'newey-west', not {hac!r}")
    if sort_by not in ("last", "last_third"):
        raise DataError(f"sort_by must be 'last' or 'last_third', not {sort_by!r}")
    if sieve not in ("fixed", "incremental"):
        raise DataError(f"sieve must be 'fixed' or 'incremental', not {sieve!r}")
    if core_rule not in ("max_abs_t", "max_t"):
        raise DataError(f"core_rule must be 'max_abs_t' or 'max_t', not {core_rule!r}")
    if hp_lambda is not None and not hp_lambda > 0:
        raise DataError(f"hp_lambda must be positive or None (no filter), not {hp_lambda!r}")
    if nw_lags is not None and (not isinstance(nw_lags, int | np.integer) or nw_lags < 0):
        raise DataError(f"nw_lags must be a non-negative integer, not {nw_lags!r}")
    df = values_frame(data, value=value, node=node, indicator=indicator)
    wide = _wide(df)
    lack = wide.isna().stack()
    lack = lack[lack]
    if len(lack):
        cells = [f"{u}/{p}" for u, p in lack.index[:10]]
        raise DataError(
            f"the Phillips-Sul test needs a balanced panel; {len(lack)} unit/period value(s) "
            f"are missing, e.g. {cells}; impute them (nqpf impute) or drop those units"
        )
    units = [str(u) for u in wide.index]
    periods = list(wide.columns)
    N, T = wide.shape
    if N < 2:
        raise DataError(f"the Phillips-Sul test needs at least 2 units, has {N}")
    t0 = _first_t(T, r)
    if t0 < 2 or T - t0 + 1 < 3:
        raise DataError(
            f"{T} periods are too few for trim r={r:.4g}: the regression runs over "
            f"t = {t0}..{T} and needs t >= 2 and at least 3 points"
        )
    if log:
        _first_nonpositive(df, "the Phillips-Sul test with log=True")
        X = np.log(wide.to_numpy(dtype=float))
    else:
        X = wide.to_numpy(dtype=float)
    if hp_lambda is not None:
        from statsmodels.tsa.filters.hp_filter import hpfilter

        X = np.vstack([np.asarray(hpfilter(row, lamb=hp_lambda)[1], dtype=float) for row in X])
    if not (np.all(X > 0) or np.all(X < 0)):
        i, j = np.argwhere(X <= 0)[0] if np.any(X <= 0) and np.any(X > 0) else (0, 0)
        raise DataError(
            "the relative transition x / mean(x) needs x of one sign, but the "
            f"{'log ' if log else ''}series{' (after the HP filter)' if hp_lambda else ''} "
            f"is {X[i, j]:.4g} for unit {units[i]!r}, period {_py(periods[j])!r} and has "
            "other values of the other sign (or zero); rescale the data (e.g. x100 for "
            "scores in [0, 1]) or use log=False"
        )
    test = _Tester(X, r, hac, nw_lags)
    test.units = units
    overall = test(list(range(N)))

    # sort: highest first, ties by unit id (units are sorted, so a stable sort keeps them)
    key = X[:, -1] if sort_by == "last" else X[:, T - math.ceil(T / 3) :].mean(axis=1)
    order = [int(i) for i in np.argsort(-key, kind="stable")]
    rank = {u: k + 1 for k, u in enumerate(order)}

    clubs: list[list[int]] = []
    cstars: list[float | None] = []
    divergent: list[int] = []
    remaining = list(order)
    while remaining:
        if len(remaining) == 1:
            divergent = remaining
            break
        if test(remaining)["t_stat"] > threshold:
            clubs.append(remaining)
            cstars.append(None)  # the units left pass together: no sieve
            break
        core = _core_group(remaining, test, threshold, core_rule)
        if core is None:
            divergent = remaining
            break
        club, c_used = _sieve(
            core, remaining, test, cstar, threshold, sieve, cstar_increment, cstar_cap
        )
        clubs.append(club)
        cstars.append(c_used)
        inclub = set(club)
        remaining = [i for i in remaining if i not in inclub]

    merged: list[tuple[list[int], list[int]]] = []  # (club numbers 0-based, rows)
    if merge and len(clubs) >= 2:
        i = 0
        while i < len(clubs):
            members, rows = [i], list(clubs[i])
            j = i + 1
            while j < len(clubs):
                if test([*rows, *clubs[j]])["t_stat"] > threshold:
                    members.append(j)
                    rows = [*rows, *clubs[j]]
                    j += 1
                else:
                    break
            merged.append((members, rows))
            i = j
    else:
        merged = [([i], list(c)) for i, c in enumerate(clubs)]

    club_of = {row: ci + 1 for ci, c in enumerate(clubs) for row in c}
    merged_of = {row: mi + 1 for mi, (_, rows) in enumerate(merged) for row in rows}
    clubs_df = pd.DataFrame(
        {
            "unit": [units[i] for i in order],
            "order": [rank[i] for i in order],
            "club": pd.array([club_of.get(i) for i in order], dtype="Int64"),
            "merged_club": pd.array([merged_of.get(i) for i in order], dtype="Int64"),
            "divergent": [i in set(divergent) for i in order],
        }
    )
    test_rows = []
    for stage, groups in (
        ("initial", [(ci + 1, c) for ci, c in enumerate(clubs)]),
        ("merged", [(mi + 1, rows) for mi, (_, rows) in enumerate(merged)]),
    ):
        for num, rows in groups:
            res = test(rows)
            test_rows.append(
                {
                    "stage": stage,
                    "club": num,
                    "n": len(rows),
                    "b": res["b"],
                    "se": res["se"],
                    "t_stat": res["t_stat"],
                    "p_value": res["p_value"],
                    "converges": bool(res["t_stat"] > threshold),
                }
            )
    club_tests = pd.DataFrame(
        test_rows,
        columns=["stage", "club", "n", "b", "se", "t_stat", "p_value", "converges"],
    )
    log_t = pd.DataFrame(
        [
            {
                "n_units": N,
                "n_periods": T,
                "t_first": overall["t_first"],
                "t_last": overall["t_last"],
                "a": overall["a"],
                "b": overall["b"],
                "se": overall["se"],
                "t_stat": overall["t_stat"],
                "p_value": overall["p_value"],
                "converges": bool(overall["t_stat"] > threshold),
            }
        ]
    )
    h = X / X.mean(axis=0)
    transition = pd.DataFrame(
        {
            "unit": np.repeat(units, T),
            "period": np.tile(np.asarray(periods, dtype=object), N),
            "x": X.ravel(),
            "h": h.ravel(),
            "club": pd.array(np.repeat([club_of.get(i) for i in range(N)], T), dtype="Int64"),
            "merged_club": pd.array(
                np.repeat([merged_of.get(i) for i in range(N)], T), dtype="Int64"
            ),
        }
    )
    params = {
        "method": "phillips_sul",
        "r": r,
        "regression_t": f"t = round(r*T)+1 .. T = {t0}..{T} (t counts periods from 1)",
        "log": log,
        "hp_lambda": hp_lambda,
        "filter": "statsmodels hpfilter trend" if hp_lambda is not None else "none",
        "hac": hac,
        "hac_rule": (
            "QS kernel, Andrews (1991) AR(1) bandwidth 1.3221*(alpha*n)^(1/5), "
            "LRV x (X'X)^-1 (Phillips-Sul GAUSS / ConvergenceClubs FQSB)"
            if hac == "qs"
            else "Newey-West Bartlett sandwich, lags "
            + (str(nw_lags) if nw_lags is not None else "floor(4*(n/100)^(2/9))")
        ),
        "bandwidth": overall["bandwidth"],
        "threshold": threshold,
        "sort_by": sort_by,
        "cstar": cstar,
        "cstar_used": cstars,
        "sieve": sieve,
        "cstar_increment": cstar_increment,
        "cstar_cap": cstar_cap,
        "core_rule": core_rule,
        "merge": "Phillips-Sul (2009) adjacent merging" if merge else "none",
        "merged_from": [[m + 1 for m in members] for members, _ in merged],
        "clubs_rejecting": [
            int(c)
            for c in club_tests.loc[
                (club_tests["stage"] == "initial") & ~club_tests["converges"], "club"
            ]
        ],
    }
    if params["clubs_rejecting"]:
        params["warnings"] = [
            f"club(s) {params['clubs_rejecting']} fail their own log t test (t < {threshold}); "
            "sieve='incremental' raises c* until each club passes (Phillips and Sul 2007)"
        ]
    return PhillipsSulResult(
        log_t=log_t,
        clubs=clubs_df,
        club_tests=club_tests,
        transition=transition,
        params=params,
    )
