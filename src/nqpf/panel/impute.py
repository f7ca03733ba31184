"""Fill gaps in a panel, marking every filled cell.

:func:`impute` returns a new :class:`~nqpf.panel.core.Panel` in which the
missing cells that a method can fill hold a value and are marked True in the
``imputed`` mask; the input panel is never changed. Each call appends a record
to ``meta["steps"]`` (method, number of cells filled, indicators, and the
counts of cells the method could not fill), so that a study can be rebuilt and
the share of imputed data reported. :func:`impute_report` lists the imputed
cells.

Conventions shared by every method
----------------------------------
* A series is one unit and one indicator over the periods of the panel.
* "Observed" means any non-missing value of the input panel, including values
  imputed by an earlier step (they keep their mark in the mask).
* Time: when every period is an ``int`` (years), distances between periods are
  differences of years, so uneven spacing (2010, 2011, 2013) is respected;
  otherwise periods are taken as equally spaced positions 0, 1, 2, ... in the
  panel's order.
* A *gap* is a run of consecutive missing periods of a series. Interior gaps
  lie between two observed values; leading and trailing gaps lie before the
  first or after the last observed value. ``limit`` (a positive integer) is the
  longest run that is filled: runs longer than ``limit`` are left missing as a
  whole (pandas' ``interpolate(limit=...)`` fills the first ``limit`` cells of a
  long run instead; a partly filled long gap is rarely wanted in panel studies).
* A series with no observed value stays missing under every method except
  ``"group_mean"``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataError
from .core import Panel

Method = Literal[
    "linear", "growth", "linear_extrapolate", "nearest", "group_mean", "group_median", "mean",
    "median",
]
METHODS: tuple[str, ...] = (
    "linear", "growth", "linear_extrapolate", "nearest", "group_mean", "group_median", "mean",
    "median",
)


def impute(
    panel: Panel,
    method: Method,
    *,
    indicators: Sequence[str] | None = None,
    groups: Mapping[str, Any] | None = None,
    limit: int | None = None,
    on_undefined: Literal["raise", "skip"] = "raise",
) -> Panel:
    """Fill missing cells of a panel by one method.

    Parameters
    ----------
    panel : Panel
        The panel; it is not changed.
    method : str
        One of:

        ``"linear"``
            Linear interpolation along the periods of each series, interior gaps
            only: a missing value at time ``t`` between observed ``(t0, x0)`` and
            ``(t1, x1)`` becomes ``x0 + (x1 - x0) (t - t0) / (t1 - t0)``, with
            ``t`` in years when periods are ints (uneven spacing respected), else
            positions. Leading and trailing gaps stay missing.
        ``"growth"``
            Extrapolation by average growth, the convention of Chinese provincial
            studies that fill yearbook gaps with the average growth rate. Interior
            gaps are filled by log-linear (geometric) interpolation,
            ``x0 (x1 / x0) ** ((t - t0) / (t1 - t0))``. Leading and trailing gaps
            use the geometric average growth rate of the series from its first to
            its last observed value, ``g = (x_last / x_first) ** (1 / (t_last -
            t_first)) - 1``, applied forward from the last observed value,
            ``x_last (1 + g) ** (t - t_last)``, and backward from the first,
            ``x_first (1 + g) ** (t - t_first)``. Geometric growth is undefined for
            a series with fewer than two observed values or with an observed value
            ≤ 0; a series that has cells to fill and is undefined raises a
            :class:`~nqpf.errors.DataError` naming unit and indicator (use
            ``"linear"`` or ``"nearest"`` for it) unless ``on_undefined="skip"``,
            which leaves such series missing and counts them in the step record
            (``skipped_series``, ``skipped_cells``, ``skipped``).
        ``"linear_extrapolate"``
            Linear interpolation of interior gaps (as ``"linear"``) plus linear
            trend extrapolation of leading and trailing gaps from the two nearest
            observed points (the first two for a leading gap, the last two for a
            trailing gap), as is common in the literature. A falling trend can
            give negative values for a quantity that cannot be negative: in a
            series whose observed values are all ≥ 0, an extrapolated value below 0
            is set to 0 (the bound such a series has), counted as ``clamped_cells``;
            ``negative_cells`` counts every extrapolated cell that came out
            negative before that. A series with a
            single observed value has no trend; its edges stay missing
            (``edge_cells_unfilled``).
        ``"nearest"``
            The value of the nearest observed period of the same series (distance
            in years or positions, see above); fills interior and edge gaps. On a
            tie (a gap's midpoint) the earlier period's value is used.
        ``"group_mean"``
            The arithmetic mean of the observed values of the same indicator in the
            same period among the other units of the same group (``groups``). A
            cell whose group has no observed value in that period stays missing
            (counted as ``no_group_value_cells``).
        ``"group_median"``
            The same with the median of the group's observed values (COINr's
            ``i_median_grp``), which one outlying unit cannot pull.
        ``"mean"`` / ``"median"``
            The mean or median of the series' own observed values (all periods),
            for leading, interior and trailing gaps alike.
    indicators : sequence of str, optional
        Indicators to fill (default: all); the others are left as they are.
    groups : mapping unit -> group, optional
        Required by ``"group_mean"`` and ``"group_median"``; every unit of the panel
        must appear in it (extra keys are ignored).
    limit : int, optional
        Longest run of consecutive missing periods to fill; longer runs are left
        missing entirely. Default: no limit.
    on_undefined : {"raise", "skip"}
        What ``"growth"`` does with series where geometric growth is undefined.

    Returns
    -------
    Panel
        A new panel. Its ``imputed`` mask is the input's mask plus True exactly
        at the cells filled now; ``meta["steps"]`` is a copy of the input's list
        with one record appended: ``{"step": "impute", "method", "cells",
        "indicators", "limit", "left_missing"}`` plus the method's own counts.

    Raises
    ------
    DataError
        Unknown method or indicator, a bad ``limit``, ``groups`` missing or
        incomplete for ``"group_mean"``, periods out of order, or undefined
        geometric growth with ``on_undefined="raise"``.

    Examples
    --------
    >>> import numpy as np
    >>> from nqpf.panel import Panel
    >>> p = Panel(np.array([[[100.0], [np.nan], [121.0], [np.nan]]]), ("a",),
    ...           (2010, 2011, 2012, 2013), ("x",))
    >>> impute(p, "growth").values[0, :, 0].round(1).tolist()
    [100.0, 110.0, 121.0, 133.1]
    """
    if method not in METHODS:
        raise DataError(f"unknown imputation method {method!r}; use one of {list(METHODS)}")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 1
    ):
        raise DataError(f"limit must be a positive whole number of periods or None, got {limit!r}")
    if on_undefined not in ("raise", "skip"):
        raise DataError(f"on_undefined must be 'raise' or 'skip', got {on_undefined!r}")
    ks = _indicator_positions(panel, indicators)
    x = _time_axis(panel.periods)
    n_u, n_t, _ = panel.shape
    sel = panel.values[:, :, ks]  # (U, T, K')
    arr = np.ascontiguousarray(sel.transpose(0, 2, 1)).reshape(-1, n_t)  # series × periods
    obs = ~np.isnan(arr)
    prev, nxt = _neighbours(obs)
    run_len = nxt - prev - 1
    eligible = ~obs if limit is None else ~obs & (run_len <= limit)
    interior = eligible & (prev >= 0) & (nxt < n_t)
    leading = eligible & (prev < 0) & (nxt < n_t)
    trailing = eligible & (prev >= 0) & (nxt >= n_t)
    extra: dict[str, Any] = {}
    labels = [(u, panel.indicators[k]) for u in panel.units for k in ks]

    if method == "linear":
        fill = _interpolate(arr, x, prev, nxt, interior, geometric=False)
    elif method == "linear_extrapolate":
        fill = _interpolate(arr, x, prev, nxt, interior, geometric=False)
        edges, unfilled = _linear_edges(arr, x, obs, prev, nxt, leading, trailing)
        neg = (leading | trailing) & (edges < 0)
        extra["negative_cells"] = int(neg.sum())
        with np.errstate(invalid="ignore"):
            nonneg = np.all(np.isnan(arr) | (arr >= 0), axis=1)[:, None]
        clamp = neg & nonneg
        edges = np.where(clamp, 0.0, edges)
        extra["clamped_cells"] = int(clamp.sum())
        fill = np.where(np.isnan(fill), edges, fill)
        extra["edge_cells_unfilled"] = unfilled
    elif method == "growth":
        fill, extra = _growth(
            arr, x, obs, prev, nxt, eligible, interior, leading, trailing, labels,
            panel.periods, on_undefined,
        )
    elif method == "nearest":
        fill = _nearest(arr, x, prev, nxt, eligible)
    elif method in ("mean", "median"):
        fill = _own_stat(arr, obs, eligible, method)
    else:  # group_mean, group_median
        fill, extra = _group_mean(
            panel, ks, groups, eligible.reshape(n_u, len(ks), n_t),
            "median" if method == "group_median" else "mean",
        )
        fill = fill.reshape(-1, n_t)

    filled = eligible & np.isfinite(fill)
    new_sel = np.where(filled, fill, arr)
    values = np.array(panel.values, copy=True)
    values[:, :, ks] = new_sel.reshape(n_u, len(ks), n_t).transpose(0, 2, 1)
    mask = np.zeros(panel.shape, bool)
    mask[:, :, ks] = filled.reshape(n_u, len(ks), n_t).transpose(0, 2, 1)
    record: dict[str, Any] = {
        "step": "impute",
        "method": method,
        "cells": int(filled.sum()),
        "indicators": [panel.indicators[k] for k in ks],
        "limit": None if limit is None else int(limit),
        "left_missing": int(np.isnan(new_sel).sum()),
        **extra,
    }
    meta = dict(panel.meta)
    meta["steps"] = [*list(panel.meta.get("steps", [])), record]
    return panel.replace(values=values, imputed=panel.imputed | mask, meta=meta)


def impute_report(panel: Panel) -> pd.DataFrame:
    """The imputed cells of a panel: columns ``unit, period, indicator, value``.

    Rows are in the panel's order (unit, then period, then indicator).
    """
    df = panel.to_long(dropna=False, imputed=True)
    out = df[df["imputed"].to_numpy(dtype=bool)].drop(columns="imputed")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------- helpers
def _indicator_positions(panel: Panel, indicators: Sequence[str] | None) -> list[int]:
    if indicators is None:
        return list(range(len(panel.indicators)))
    if isinstance(indicators, str):
        indicators = [indicators]
    unknown = [i for i in indicators if i not in panel.indicators]
    if unknown:
        raise DataError(
            f"cannot impute unknown indicator(s) {unknown}; the panel has "
            f"{list(panel.indicators)[:20]}"
        )
    return [panel.indicators.index(i) for i in dict.fromkeys(indicators)]


def _time_axis(periods: Sequence[Any]) -> np.ndarray:
    """Years when every period is an int, else positions 0..T-1."""
    if periods and all(
        isinstance(p, int | np.integer) and not isinstance(p, bool) for p in periods
    ):
        x = np.asarray(periods, dtype=float)
        if (np.diff(x) <= 0).any():
            raise DataError(
                f"periods {list(periods)} are not in increasing order; rebuild the panel "
                "(Panel.from_long or from_wide sort them) before imputing"
            )
        return x
    return np.arange(len(periods), dtype=float)


def _neighbours(obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the last observed period at or before, and first at or after, each cell.

    ``-1`` when there is none before, ``T`` when there is none after.
    """
    n_t = obs.shape[1]
    idx = np.arange(n_t)
    prev = np.maximum.accumulate(np.where(obs, idx, -1), axis=1)
    nxt = np.minimum.accumulate(np.where(obs, idx, n_t)[:, ::-1], axis=1)[:, ::-1]
    return prev, np.ascontiguousarray(nxt)


def _at(arr: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Values of ``arr`` at per-cell period positions (clipped into range)."""
    return np.take_along_axis(arr, np.clip(pos, 0, arr.shape[1] - 1), axis=1)


def _interpolate(
    arr: np.ndarray,
    x: np.ndarray,
    prev: np.ndarray,
    nxt: np.ndarray,
    where: np.ndarray,
    geometric: bool,
) -> np.ndarray:
    out = np.full(arr.shape, np.nan)
    if not where.any():
        return out
    n_t = arr.shape[1]
    vp, vn = _at(arr, prev), _at(arr, nxt)
    xp, xn = x[np.clip(prev, 0, n_t - 1)], x[np.clip(nxt, 0, n_t - 1)]
    span = np.where(where, xn - xp, 1.0)
    w = (x[None, :] - xp) / span
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        val = vp * (vn / vp) ** w if geometric else vp + (vn - vp) * w
    out[where] = val[where]
    return out


def _first_last(obs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_t = obs.shape[1]
    first = np.argmax(obs, axis=1)
    last = n_t - 1 - np.argmax(obs[:, ::-1], axis=1)
    return first, last, obs.sum(axis=1)


def _linear_edges(
    arr: np.ndarray,
    x: np.ndarray,
    obs: np.ndarray,
    prev: np.ndarray,
    nxt: np.ndarray,
    leading: np.ndarray,
    trailing: np.ndarray,
) -> tuple[np.ndarray, int]:
    """Linear trend through the first two (leading) or last two (trailing) observations."""
    n_s, n_t = arr.shape
    out = np.full(arr.shape, np.nan)
    first, last, n_obs = _first_last(obs)
    rows = np.arange(n_s)
    ok = n_obs >= 2
    second = np.where(ok, nxt[rows, np.minimum(first + 1, n_t - 1)], first)
    penult = np.where(ok, prev[rows, np.maximum(last - 1, 0)], last)
    second = np.clip(second, 0, n_t - 1)
    penult = np.clip(penult, 0, n_t - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope_lo = (arr[rows, second] - arr[rows, first]) / (x[second] - x[first])
        slope_hi = (arr[rows, last] - arr[rows, penult]) / (x[last] - x[penult])
    lo = arr[rows, first][:, None] + slope_lo[:, None] * (x[None, :] - x[first][:, None])
    hi = arr[rows, last][:, None] + slope_hi[:, None] * (x[None, :] - x[last][:, None])
    lead = leading & ok[:, None]
    trail = trailing & ok[:, None]
    out[lead] = lo[lead]
    out[trail] = hi[trail]
    unfilled = int(((leading | trailing) & ~ok[:, None]).sum())
    return out, unfilled


def _growth(
    arr: np.ndarray,
    x: np.ndarray,
    obs: np.ndarray,
    prev: np.ndarray,
    nxt: np.ndarray,
    eligible: np.ndarray,
    interior: np.ndarray,
    leading: np.ndarray,
    trailing: np.ndarray,
    labels: list[tuple[str, str]],
    periods: Sequence[Any],
    on_undefined: str,
) -> tuple[np.ndarray, dict[str, Any]]:
    first, last, n_obs = _first_last(obs)
    nonpos = obs & (arr <= 0)
    undefined = ((n_obs < 2) | nonpos.any(axis=1)) & eligible.any(axis=1)
    skipped: list[dict[str, Any]] = []
    if undefined.any():
        bad = np.flatnonzero(undefined)
        reasons = []
        for s in bad:
            unit, ind = labels[s]
            if n_obs[s] < 2:
                why = f"{int(n_obs[s])} observed value{'s' if n_obs[s] != 1 else ''}"
            else:
                t = int(np.argmax(nonpos[s]))
                why = f"value {arr[s, t]:g} ≤ 0 in period {periods[t]!r}"
            reasons.append(f"unit {unit!r}, indicator {ind!r} ({why})")
            skipped.append({"unit": unit, "indicator": ind, "reason": why})
        if on_undefined == "raise":
            more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
            raise DataError(
                "geometric growth is undefined (it needs at least two observed values, all "
                f"> 0) for {'; '.join(reasons[:3])}{more}. Use method='linear' or 'nearest' for "
                "these series, or pass on_undefined='skip' to leave them missing here and "
                "fill them in a second step."
            )
    usable = ~undefined[:, None]
    fill = _interpolate(arr, x, prev, nxt, interior & usable, geometric=True)
    rows = np.arange(arr.shape[0])
    xf, xl = x[first], x[last]
    vf, vl = arr[rows, first], arr[rows, last]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        factor = (vl / vf) ** (1.0 / (xl - xf))  # 1 + g
        lo = vf[:, None] * factor[:, None] ** (x[None, :] - xf[:, None])
        hi = vl[:, None] * factor[:, None] ** (x[None, :] - xl[:, None])
    lead, trail = leading & usable, trailing & usable
    fill[lead] = lo[lead]
    fill[trail] = hi[trail]
    extra = {
        "on_undefined": on_undefined,
        "skipped_series": int(undefined.sum()),
        "skipped_cells": int((eligible & undefined[:, None]).sum()),
        "skipped": skipped,
    }
    return fill, extra


def _nearest(
    arr: np.ndarray, x: np.ndarray, prev: np.ndarray, nxt: np.ndarray, eligible: np.ndarray
) -> np.ndarray:
    n_t = arr.shape[1]
    has_p, has_n = prev >= 0, nxt < n_t
    dp = np.where(has_p, x[None, :] - x[np.clip(prev, 0, n_t - 1)], np.inf)
    dn = np.where(has_n, x[np.clip(nxt, 0, n_t - 1)] - x[None, :], np.inf)
    use_prev = has_p & (dp <= dn)  # tie -> earlier period
    val = np.where(use_prev, _at(arr, prev), _at(arr, nxt))
    out = np.full(arr.shape, np.nan)
    ok = eligible & (has_p | has_n)
    out[ok] = val[ok]
    return out


def _own_stat(arr: np.ndarray, obs: np.ndarray, eligible: np.ndarray, how: str) -> np.ndarray:
    out = np.full(arr.shape, np.nan)
    has = obs.any(axis=1)
    if not has.any():
        return out
    stat = np.full(arr.shape[0], np.nan)
    sub = arr[has]
    stat[has] = np.nanmean(sub, axis=1) if how == "mean" else np.nanmedian(sub, axis=1)
    ok = eligible & has[:, None]
    out[ok] = np.broadcast_to(stat[:, None], arr.shape)[ok]
    return out


def _group_mean(
    panel: Panel,
    ks: list[int],
    groups: Mapping[str, Any] | None,
    eligible: np.ndarray,
    stat: str = "mean",
) -> tuple[np.ndarray, dict[str, Any]]:
    """Group means (or medians) per period and indicator; ``eligible`` has shape (U, K', T)."""
    if groups is None:
        raise DataError(
            f"method='group_{stat}' needs groups={{unit: group}}, e.g. from "
            "nqpf.datasets.reference.province_groups(...)"
        )
    absent = [u for u in panel.units if u not in groups]
    if absent:
        raise DataError(
            f"{len(absent)} unit(s) have no group in groups: {absent[:20]}"
            + (" …" if len(absent) > 20 else "")
            + "; add them to the mapping or drop them from the panel with panel.sel(units=...)"
        )
    labels = [groups[u] for u in panel.units]
    codes, _ = pd.factorize(pd.Series(labels, dtype=object), use_na_sentinel=False)
    v = panel.values[:, :, ks].transpose(0, 2, 1)  # (U, K', T)
    obs = ~np.isnan(v)
    out = np.full(v.shape, np.nan)
    for g in np.unique(codes):
        members = codes == g
        cnt = obs[members].sum(axis=0)
        if stat == "median":
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices stay NaN
                mean = np.nanmedian(v[members], axis=0)
        else:
            tot = np.where(obs[members], v[members], 0.0).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
        out[members] = np.broadcast_to(mean, (int(members.sum()), *mean.shape))
    out = np.where(eligible, out, np.nan)
    no_value = int((eligible & np.isnan(out)).sum())
    return out, {"no_group_value_cells": no_value}
