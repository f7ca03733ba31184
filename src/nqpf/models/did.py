"""Difference-in-differences: two-way fixed effects, event studies, staggered adoption.

* :func:`twfe_did`: ``y_it = a_i + l_t + delta D_it + x_it'b + e_it`` with ``D_it`` the
  0/1 treatment indicator; standard errors clustered by unit by default.
* :func:`event_study`: the same regression with one dummy per period relative to
  adoption, ``k = -leads, ..., lags`` (the end points bin everything further out),
  ``k = -1`` omitted as the reference; never-treated units have no dummy on. The
  parallel-trends test is the joint Wald test that every lead coefficient is zero
  (F form, ``W / q``, with the model's covariance, compared with ``F(q, G - 1)``
  for ``G`` clusters, else chi-square / q).
* :func:`callaway_santanna`: the group-time average treatment effects of Callaway
  and Sant'Anna (2021, J. Econometrics 225, 200-230) without covariates (their
  unconditional estimator, eq. 2.6 with ``X`` empty):
  ``ATT(g, t) = E[Y_t - Y_{b} | G = g] - E[Y_t - Y_{b} | C]`` with base period
  ``b = g - 1`` for post-treatment periods and ``b = t - 1`` for pre-treatment ones
  (their "varying" base), and ``C`` the never-treated units (``control="never"``)
  or the units not yet treated by period ``max(t, b)`` (``control="notyet"``).
  Aggregations follow their section 3: the overall ATT (``overall``, R did's
  "simple") weights post-treatment ``ATT(g, t)`` by cohort size; the cohort
  aggregation averages each cohort's post-treatment ATTs and ``overall_group``
  weights these by cohort size; the event-study (dynamic) aggregation averages
  ``ATT(g, g + e)`` over cohorts observed at ``e`` with cohort-size weights and
  ``overall_dynamic`` is the mean over ``e >= 0``. On the minimum-wage panel
  ``mpdta`` of the did package these reproduce its documented ATT(g, t), group
  and dynamic effects to four decimals (see the tests).
  Standard errors and intervals come from a bootstrap over units (every ATT and
  aggregate recomputed in each resample, all resamples at once), a valid
  alternative to their multiplier bootstrap; intervals are pointwise.

Staggered DID needs a balanced panel and an absorbing treatment (once treated,
always treated); both are checked and the balanced subset is offered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ._data import ModelFrame, balanced_subset, model_frame, require_balanced, show
from .panel import fe_regression
from .results import Estimates

__all__ = ["CSResult", "EventStudy", "callaway_santanna", "event_study", "twfe_did"]


def twfe_did(
    data: Any,
    y: str,
    treat: str,
    controls: Sequence[str] = (),
    *,
    unit: str | None = None,
    time: str | None = None,
    vce: str = "cluster",
) -> Estimates:
    """Two-way fixed-effects DID coefficient of the 0/1 column ``treat``."""
    mf = model_frame(data, [y, treat, *controls], unit=unit, time=time, what="DID")
    _check_binary(mf, treat)
    return fe_regression(
        mf.frame,
        y,
        [treat],
        controls=controls,
        unit=mf.unit,
        time=mf.time,
        effects="twoway",
        vce=vce,
        label="TWFE DID",
    )


def _check_binary(mf: ModelFrame, treat: str) -> None:
    v = mf.frame[treat]
    bad = ~v.isin([0.0, 1.0])
    if bad.any():
        i = mf.frame.index[int(np.argmax(bad.to_numpy()))]
        raise DataError(
            f"treatment {treat!r} must be 0 or 1; it is {show(mf.frame.at[i, treat])} at unit "
            f"{show(mf.frame.at[i, mf.unit])}, period {show(mf.frame.at[i, mf.time])}"
        )


def _cohorts(mf: ModelFrame, treat: str) -> pd.Series:
    """First treated period per unit (NaN: never treated); checks absorbing treatment."""
    _check_binary(mf, treat)
    f = mf.frame
    cum = f.groupby(mf.unit)[treat].cummax()
    switched_off = (cum == 1) & (f[treat] == 0)
    if switched_off.any():
        i = f.index[int(np.argmax(switched_off.to_numpy()))]
        raise DataError(
            f"treatment {treat!r} switches off at unit {show(f.at[i, mf.unit])}, period "
            f"{show(f.at[i, mf.time])}: staggered DID needs an absorbing treatment "
            "(once 1, always 1)"
        )
    first = f[f[treat] == 1].groupby(mf.unit)[mf.time].min()
    return first.reindex(f[mf.unit].unique())


@dataclass
class EventStudy:
    """Event-study coefficients by period relative to adoption, and the pre-trend test."""

    coef: pd.DataFrame  # index: relative period; coef, se, lower, upper, p
    pretrend: dict[str, float]
    estimates_: Estimates
    level: float
    reference: int = -1

    def estimates(self) -> Estimates:
        return self.estimates_

    def plot(self, ax: Any = None, lang: str = "en") -> Any:
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(6.4, 3.6))
        else:
            fig = ax.figure
        c = self.coef
        ax.axhline(0, color="grey", lw=0.8)
        ax.axvline(self.reference + 0.5, color="grey", lw=0.8, ls=":")
        ax.errorbar(
            c.index,
            c["coef"],
            yerr=[c["coef"] - c["lower"], c["upper"] - c["coef"]],
            fmt="o",
            color="#1f4e79",
            ecolor="#1f4e79",
            capsize=3,
            ms=4,
        )
        zh = lang == "zh"
        ax.set_xlabel("相对政策实施的期数" if zh else "periods relative to adoption")
        ax.set_ylabel(("估计系数与 " if zh else "coefficient and ") + f"{self.level:.0%} CI")
        p = self.pretrend["p"]
        ax.set_title(
            (
                f"事件研究（平行趋势检验 p = {p:.3f}）"
                if zh
                else f"Event study (pre-trend test p = {p:.3f})"
            ),
            fontsize=10,
        )
        fig.tight_layout()
        return fig


def event_study(
    data: Any,
    y: str,
    treat: str,
    controls: Sequence[str] = (),
    *,
    unit: str | None = None,
    time: str | None = None,
    leads: int = 4,
    lags: int = 4,
    vce: str = "cluster",
    level: float = 0.95,
) -> EventStudy:
    """Event study with ``leads`` and ``lags`` (module docstring); ``k = -1`` is the reference."""
    if leads < 2 or lags < 0:
        raise DataError("event_study needs leads >= 2 (one is the reference) and lags >= 0")
    mf = model_frame(data, [y, treat, *controls], unit=unit, time=time, what="event study")
    first = _cohorts(mf, treat)
    f = mf.frame.copy()
    periods = np.sort(f[mf.time].unique())
    pos = {p: i for i, p in enumerate(periods)}
    g = f[mf.unit].map(first)
    rel = np.full(len(f), np.nan)
    has = g.notna().to_numpy()
    rel[has] = [pos[t] - pos[c] for t, c in zip(f.loc[has, mf.time], g[has], strict=True)]
    if not has.any():
        raise DataError(f"event study: no unit is ever treated ({treat!r} is always 0)")
    names = []
    for k in range(-leads, lags + 1):
        if k == -1:
            continue
        if k == -leads:
            on = rel <= k
        elif k == lags:
            on = rel >= k
        else:
            on = rel == k
        on = np.where(np.isnan(rel), False, on)
        if not on.any():
            continue
        name = f"rel{k:+d}"
        f[name] = on.astype(float)
        names.append(name)
    est = fe_regression(
        f,
        y,
        names,
        controls=controls,
        unit=mf.unit,
        time=mf.time,
        effects="twoway",
        vce=vce,
        label="event study",
    )
    z = stats.norm.ppf(0.5 + level / 2)
    tab = est.coef.loc[names, ["coef", "se", "p"]].copy()
    tab.index = [int(n[3:]) for n in names]
    tab.loc[-1] = [0.0, 0.0, np.nan]
    tab = tab.sort_index()
    tab["lower"] = tab["coef"] - z * tab["se"]
    tab["upper"] = tab["coef"] + z * tab["se"]
    pre = [n for n in names if int(n[3:]) < -1]
    if pre:
        b = est.coef.loc[pre, "coef"].to_numpy()
        v = est.cov.loc[pre, pre].to_numpy()
        w = float(b @ np.linalg.solve(v, b))
        q = len(pre)
        if vce.startswith("cluster"):
            dfd = mf.n_units - 1
            p = float(stats.f.sf(w / q, q, dfd))
        else:
            p = float(stats.chi2.sf(w, q))
        pretrend = {"F": w / q, "df": q, "p": p}
    else:
        pretrend = {"F": float("nan"), "df": 0, "p": float("nan")}
    return EventStudy(tab, pretrend, est, level)


@dataclass
class CSResult:
    """Callaway-Sant'Anna group-time ATTs and their aggregations."""

    att_gt: pd.DataFrame
    overall: dict[str, float]
    overall_group: dict[str, float]
    overall_dynamic: dict[str, float]
    dynamic: pd.DataFrame
    group: pd.DataFrame
    control: str
    replications: int
    level: float
    dependent: str = "y"
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        o = self.overall
        return "\n\n".join(
            [
                f"Callaway-Sant'Anna ATT ({self.control} controls): {o['att']:.4f} "
                f"(SE {o['se']:.4f}, {self.level:.0%} CI {o['lower']:.4f} to {o['upper']:.4f})",
                self.dynamic.to_string(float_format=lambda v: f"{v:.4f}"),
                *self.notes,
            ]
        )

    def estimates(self) -> Estimates:
        d = self.dynamic
        names = ["ATT", *[f"e={int(e):+d}" for e in d.index]]
        coef = np.r_[self.overall["att"], d["att"].to_numpy()]
        se = np.r_[self.overall["se"], d["se"].to_numpy()]
        return Estimates.from_arrays(
            names,
            coef,
            se,
            dependent=self.dependent,
            nobs=int(self.att_gt.attrs.get("nobs", 0)),
            effects={"unit": True, "time": True},
            label="Callaway-Sant'Anna",
        )


def callaway_santanna(
    data: Any,
    y: str,
    treat: str,
    *,
    unit: str | None = None,
    time: str | None = None,
    control: str = "never",
    reps: int = 499,
    level: float = 0.95,
    seed: int | None = 0,
    balanced: bool = False,
) -> CSResult:
    """Callaway and Sant'Anna (2021) ATT(g, t) and aggregations (module docstring)."""
    if control not in ("never", "notyet"):
        raise DataError(f"control must be 'never' or 'notyet', not {control!r}")
    if reps < 50:
        raise DataError(f"bootstrap replications must be at least 50, not {reps}")
    mf = model_frame(data, [y, treat], unit=unit, time=time, what="Callaway-Sant'Anna")
    if balanced:
        mf = balanced_subset(mf)
    require_balanced(mf, "Callaway-Sant'Anna (staggered DID)")
    first = _cohorts(mf, treat)
    wide = mf.frame.pivot(index=mf.unit, columns=mf.time, values=y)
    periods = list(wide.columns)
    pos = {p: i for i, p in enumerate(periods)}
    ymat = wide.to_numpy(float)
    n, t_n = ymat.shape
    gpos = np.array([pos[v] if pd.notna(v) else np.inf for v in first.reindex(wide.index)])
    if np.isinf(gpos).all():
        raise DataError(f"Callaway-Sant'Anna: no unit is ever treated ({treat!r} is always 0)")
    treated_first = gpos == 0
    notes = []
    if treated_first.any():
        notes.append(
            f"{int(treated_first.sum())} unit(s) treated in the first period have no "
            "pre-treatment period and are left out"
        )
    cohorts = sorted({int(g) for g in gpos if np.isfinite(g) and g > 0})
    never = np.isinf(gpos)
    if control == "never" and not never.any():
        raise DataError(
            "Callaway-Sant'Anna: no never-treated unit to compare with; use control='notyet'"
        )
    rng = np.random.default_rng(seed)
    wts = np.vstack([np.ones(n), rng.multinomial(n, np.full(n, 1.0 / n), size=reps)])
    cells = []
    att = []
    for gp in cohorts:
        in_g = gpos == gp
        for tp in range(1, t_n):
            base = gp - 1 if tp >= gp else tp - 1
            if control == "never":
                ctrl = never
            else:
                ctrl = never | (gpos > max(tp, base))
                ctrl &= ~in_g
            if not ctrl.any():
                continue
            diff = ymat[:, tp] - ymat[:, base]
            mt = _wmean(wts, diff, in_g)
            mc = _wmean(wts, diff, ctrl)
            att.append(mt - mc)
            cells.append((gp, tp, int(in_g.sum())))
    if not cells:
        raise DataError("Callaway-Sant'Anna: no group-time cell has a comparison group")
    att_arr = np.array(att)  # cells x (1 + reps)
    za = stats.norm.ppf(0.5 + level / 2)

    def summarise(draws):
        se = float(np.std(draws[1:], ddof=1))
        return {
            "att": float(draws[0]),
            "se": se,
            "lower": float(draws[0] - za * se),
            "upper": float(draws[0] + za * se),
        }

    gt = pd.DataFrame(
        [
            {"cohort": periods[g], "period": periods[t], "event_time": t - g, **summarise(a)}
            for (g, t, _), a in zip(cells, att_arr, strict=True)
        ]
    )
    gt.attrs["nobs"] = n * t_n
    sizes = _cohort_sizes(wts, gpos, cohorts)  # cohorts x (1 + reps)
    cidx = {g: i for i, g in enumerate(cohorts)}
    post = [i for i, (g, t, _) in enumerate(cells) if t >= g]
    w_post = np.array([sizes[cidx[cells[i][0]]] for i in post])
    overall = summarise((att_arr[post] * w_post).sum(0) / w_post.sum(0))
    dyn_rows = []
    for e in sorted({t - g for g, t, _ in cells}):
        idx = [i for i, (g, t, _) in enumerate(cells) if t - g == e]
        w = np.array([sizes[cidx[cells[i][0]]] for i in idx])
        dyn_rows.append({"event_time": e, **summarise((att_arr[idx] * w).sum(0) / w.sum(0))})
    grp_rows = []
    grp_draws, grp_w = [], []
    for g in cohorts:
        idx = [i for i in post if cells[i][0] == g]
        if idx:
            grp_draws.append(att_arr[idx].mean(0))
            grp_w.append(sizes[cidx[g]])
            grp_rows.append({"cohort": periods[g], **summarise(grp_draws[-1])})
    # the overall ATTs of the group and event-study aggregations (their section 3.1)
    gw = np.array(grp_w)
    overall_group = summarise((np.array(grp_draws) * gw).sum(0) / gw.sum(0))
    post_e = [r["event_time"] for r in dyn_rows if r["event_time"] >= 0]
    dyn_draws = []
    for e in post_e:
        idx = [i for i, (g, t, _) in enumerate(cells) if t - g == e]
        w = np.array([sizes[cidx[cells[i][0]]] for i in idx])
        dyn_draws.append((att_arr[idx] * w).sum(0) / w.sum(0))
    overall_dynamic = summarise(np.mean(dyn_draws, axis=0))
    return CSResult(
        att_gt=gt,
        overall=overall,
        overall_group=overall_group,
        overall_dynamic=overall_dynamic,
        dynamic=pd.DataFrame(dyn_rows).set_index("event_time"),
        group=pd.DataFrame(grp_rows).set_index("cohort"),
        control=control,
        replications=reps,
        level=level,
        dependent=y,
        notes=notes,
    )


def _wmean(w: np.ndarray, v: np.ndarray, mask: np.ndarray) -> np.ndarray:
    ww = w[:, mask]
    s = ww.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, (ww * v[mask]).sum(1) / np.where(s > 0, s, 1), np.nan)


def _cohort_sizes(w: np.ndarray, gpos: np.ndarray, cohorts: list[int]) -> np.ndarray:
    return np.array([w[:, gpos == g].sum(1) for g in cohorts])
