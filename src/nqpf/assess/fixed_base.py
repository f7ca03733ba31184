"""Fixed-base indices (base period = 100) with contributions to the change of the total.

The method of the National Bureau of Statistics for the 经济发展新动能指数 and
similar official indices (国家统计局, 《经济发展新动能指数编制方法》, 2018, and
the yearly releases since): each indicator becomes an index against the base
period and the indices are combined by linear weighting.

- Indicator index: ``I_j,t = 100 · x_j,t / x_j,base`` for a benefit indicator and
  ``100 · x_j,base / x_j,t`` for a cost indicator (inverted, so that a fall in a
  cost raises the index). Values must be positive.
- Node (dimension, sub-dimension) index: the weighted mean of its indicators'
  indices, ``I_d,t = Σ_{j∈d} w_j I_j,t / Σ_{j∈d} w_j``; the total
  ``I_t = Σ_j w_j I_j,t`` with global weights ``w`` summing to 1
  (:meth:`nqpf.framework.Framework.weights`).
- Contribution of indicator ``j`` to the change of the total from ``t−1`` to
  ``t``: ``w_j (I_j,t − I_j,t−1)`` points; of a node, the sum over its
  indicators; in % of the total's change. Contributions add up to the total's
  change (exactly, up to rounding); the first period has none. Points are
  always in points of the *total* index, also on indicator and node rows.
- **Chained** variant (``chained=True``): link ratios ``r_j,t = x_j,t/x_j,t−1``
  (inverted for cost) are combined each period, ``C_t = C_t−1 · Σ_j w_j r_j,t``
  (nodes alike with their own normalised weights), so the weights act on
  period-to-period change rather than on the change since the base.
  Contributions: ``C_t−1 · w_j (r_j,t − 1)``.
- **Rebasing**: :func:`fixed_base` with another ``base`` recomputes the whole
  history on the new base (the NBS practice when the base year moves);
  :func:`rebase` instead rescales a computed table so that every series is 100
  in the new base period, which keeps the ratios between any two periods of
  every series.

The whole (unit ``all``) is the index of the cross-unit mean of each
indicator, weighted with the framework's own (class-free) weights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..framework.spec import Framework

__all__ = ["ALL", "fixed_base", "rebase"]

#: The unit label of the whole (all units together).
ALL = "all"
COLUMNS = ["unit", "period", "node", "level", "index", "contribution_points",
           "contribution_share"]


def _nodes(fw: Framework) -> list[tuple[str, str, list[int]]]:
    """(node id, level, positions of its indicators) for the total and every node."""
    ids = fw.indicator_ids
    pos = {k: i for i, k in enumerate(ids)}
    out = [(fw.id, "total", list(range(len(ids))))]
    for n in fw.nodes:
        out.append((n.id, "dimension" if n in fw.dimensions else "subdimension",
                    [pos[i.id] for i in n.leaves()]))
    out.extend((k, "indicator", [pos[k]]) for k in ids)
    return out


def _check(values: np.ndarray, units: Sequence[str], periods: Sequence[Any],
           ids: Sequence[str], b: int) -> None:
    miss_base = np.isnan(values[:, b, :])
    if miss_base.any():
        u, k = np.argwhere(miss_base)[0]
        n = int(miss_base.sum())
        raise DataError(
            f"base period {periods[b]!r} is missing for unit {units[u]!r}, indicator "
            f"{ids[k]!r}" + (f" ({n} unit-indicator cells in all)" if n > 1 else "")
            + "; choose another base year (--base-year) or fill the value"
        )
    bad = ~np.isnan(values) & (values <= 0)
    if bad.any():
        u, t, k = np.argwhere(bad)[0]
        raise DataError(
            f"indicator {ids[k]!r} is {values[u, t, k]:g} for unit {units[u]!r}, period "
            f"{periods[t]!r}: a fixed-base index needs positive values; leave such indicators "
            "out of the index or assess without the fixed-base table"
        )
    missing = np.isnan(values)
    if missing.any():
        u, t, k = np.argwhere(missing)[0]
        raise DataError(
            f"indicator {ids[k]!r} is missing for unit {units[u]!r}, period {periods[t]!r}; "
            "the fixed-base index needs every value (impute first, e.g. nqpf.impute)"
        )


def fixed_base(
    values: np.ndarray,
    units: Sequence[str],
    periods: Sequence[Any],
    framework: Framework,
    *,
    base: Any = None,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    chained: bool = False,
    whole: bool = True,
) -> pd.DataFrame:
    """Fixed-base (or chained) indices with contributions, one row per unit, period, node.

    Parameters
    ----------
    values : ndarray (units, periods, indicators)
        The framework's indicators in tree order.
    base : period, optional
        The base period (default the first); the error for a unit without a
        value in it names the unit and the indicator.
    weights : mapping unit → {indicator: weight}, optional
        Global weights per unit (its class's); default the framework's.
    chained : bool
        The chained variant (see the module docstring).
    whole : bool
        Add unit ``all`` (the cross-unit mean of each indicator).

    Returns
    -------
    DataFrame with columns unit, period, node, level (total, dimension,
    subdimension, indicator), index, contribution_points, contribution_share.
    """
    ids = framework.indicator_ids
    periods = list(periods)
    if base is None:
        base = periods[0]
    if base not in periods:
        raise DataError(
            f"base year {base!r} is not among the periods of the data "
            f"({periods[0]!r}…{periods[-1]!r})"
        )
    b = periods.index(base)
    values = np.asarray(values, float)
    _check(values, units, periods, ids, b)
    direction = np.array([i.direction for i in framework.indicators], float)
    base_w = framework.weights()
    rows_units = list(units)
    cube = values
    wmat = np.array([[(weights or {}).get(u, base_w)[k] for k in ids] for u in units], float)
    if whole and len(units) > 1:
        cube = np.concatenate([values, values.mean(axis=0, keepdims=True)], axis=0)
        wmat = np.vstack([wmat, [base_w[k] for k in ids]])
        rows_units.append(ALL)
    nodes = _nodes(framework)
    frames = [
        _one_unit(cube[u], wmat[u], direction, nodes, b, chained, unit, periods)
        for u, unit in enumerate(rows_units)
    ]
    out = pd.concat(frames, ignore_index=True)
    out.attrs["base"] = base
    out.attrs["chained"] = chained
    return out


def _one_unit(x: np.ndarray, w: np.ndarray, direction: np.ndarray,
              nodes: list[tuple[str, str, list[int]]], b: int, chained: bool,
              unit: str, periods: list[Any]) -> pd.DataFrame:
    n_t = x.shape[0]
    ind_idx = 100.0 * np.where(direction > 0, x / x[b], x[b] / x)  # (periods, indicators)
    idx = np.empty((len(nodes), n_t))
    pts = np.full((len(nodes), n_t), np.nan)
    if not chained:
        for r, (_, _, pos) in enumerate(nodes):
            wn = w[pos]
            idx[r] = ind_idx[:, pos] @ wn / wn.sum()
            pts[r, 1:] = np.diff(ind_idx[:, pos], axis=0) @ wn / w.sum()
    else:
        link = np.ones_like(x)
        link[1:] = np.where(direction > 0, x[1:] / x[:-1], x[:-1] / x[1:])
        for r, (_, _, pos) in enumerate(nodes):
            wn = w[pos] / w[pos].sum()
            growth = link[:, pos] @ wn
            level = np.cumprod(growth)
            idx[r] = 100.0 * level / level[b]
        c_total = idx[0]
        for r, (_, _, pos) in enumerate(nodes):
            pts[r, 1:] = c_total[:-1] * ((link[1:, pos] - 1.0) @ w[pos]) / w.sum()
    d_total = pts[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(d_total != 0, 100.0 * pts / d_total, np.nan)
    n_n = len(nodes)
    return pd.DataFrame({
        "unit": unit,
        "period": np.tile(np.asarray(periods, dtype=object), n_n),
        "node": np.repeat([n for n, _, _ in nodes], n_t),
        "level": np.repeat([lv for _, lv, _ in nodes], n_t),
        "index": idx.ravel(),
        "contribution_points": pts.ravel(),
        "contribution_share": share.ravel(),
    })


def rebase(table: pd.DataFrame, base: Any) -> pd.DataFrame:
    """Rescale a :func:`fixed_base` table so that every series is 100 in ``base``.

    Ratios between any two periods of every (unit, node) series are kept;
    contribution points are rescaled with their unit's total, shares unchanged.
    """
    if base not in set(table["period"]):
        raise DataError(f"base year {base!r} is not among the periods of the table")
    t = table.copy()
    at_base = t[t["period"] == base].set_index(["unit", "node"])["index"]
    factor = 100.0 / at_base.reindex(pd.MultiIndex.from_frame(t[["unit", "node"]])).to_numpy()
    totals = t[(t["period"] == base) & (t["level"] == "total")].set_index("unit")["index"]
    t["index"] = t["index"].to_numpy() * factor
    t["contribution_points"] = (
        t["contribution_points"].to_numpy() * (100.0 / totals.reindex(t["unit"]).to_numpy())
    )
    t.attrs = dict(table.attrs, base=base)
    return t
