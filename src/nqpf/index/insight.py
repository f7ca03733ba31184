"""Reading an index: variants side by side, strengths and weaknesses, outranking.

* :func:`compare_variants` puts the ranks of several index variants (recipes)
  side by side for one period, with each variant's rank shift against the first
  and the mean absolute shift (COINr's ``compare_coins``).
* :func:`strengths_weaknesses` lists each unit's best and worst indicators by
  its rank among the units (COINr's ``get_str_weak``): the indicators where the
  unit ranks highest and lowest, with the rank and the value.
* :func:`outranking` is the outranking matrix of the units in one period
  (COINr's ``outrankMatrix``; Munda 2008, *Social Multi-Criteria Evaluation*):
  entry (a, b) is the weight of the indicators on which a beats b, ties
  counting half, so that (a, b) + (b, a) = 1; ``dominance`` counts the pairs
  that a wins (entry > 0.5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError


def compare_variants(
    results: dict[str, Any], period: Any = None, node: str = "index"
) -> pd.DataFrame:
    """Ranks of several index variants side by side in one period.

    Parameters
    ----------
    results : dict
        Variant name → :class:`~nqpf.index.IndexResult` (the first is the reference).
    period : optional
        Default: the last period of the first result.

    Returns
    -------
    DataFrame
        ``unit``, then ``rank:<name>`` per variant and ``shift:<name>`` (reference
        rank − variant rank; positive = the unit moves up) per other variant,
        sorted by the reference rank. ``attrs["mean_abs_shift"]`` maps each
        other variant to its mean absolute shift.
    """
    if len(results) < 2:
        raise DataError("compare at least two index variants")
    names = list(results)
    first = results[names[0]]
    period = first.periods[-1] if period is None else period
    cols = {}
    for name, res in results.items():
        s = res.scores[(res.scores["node"] == node) & (res.scores["period"] == period)]
        if s.empty:
            raise DataError(f"variant {name!r} has no {node!r} scores in period {period!r}")
        cols[name] = s.set_index("unit")["rank"].astype("Int64")
    table = pd.DataFrame({f"rank:{n}": c for n, c in cols.items()})
    shifts = {}
    for n in names[1:]:
        table[f"shift:{n}"] = table[f"rank:{names[0]}"] - table[f"rank:{n}"]
        shifts[n] = float(table[f"shift:{n}"].abs().mean())
    table = table.sort_values(f"rank:{names[0]}").reset_index(names="unit")
    table.attrs["mean_abs_shift"] = shifts
    table.attrs["period"] = period
    return table


def strengths_weaknesses(
    result: Any, panel: Any, period: Any = None, top: int = 3, framework: Any = None
) -> pd.DataFrame:
    """Each unit's ``top`` best and worst indicators by its rank among the units.

    Ranks are taken within the period on the direction-adjusted values (1 =
    best); ties share the lowest rank. Returns ``unit, kind (strength /
    weakness), indicator, rank, value``.
    """
    from ..framework import load_framework, prepare

    fw = load_framework(framework if framework is not None else result.framework_id)
    if panel.meta.get("framework") != fw.id:
        panel = prepare(panel, fw)
    inds = [i.id for i in fw.indicators]
    p = panel.sel(indicators=inds)
    period = p.periods[-1] if period is None else period
    if period not in p.periods:
        raise DataError(f"period {period!r} is not in the data")
    X = p.sel(periods=[period]).values[:, 0, :]
    d = np.array([i.direction for i in fw.indicators], dtype=float)
    ranks = pd.DataFrame(X * d, index=list(p.units), columns=inds).rank(
        ascending=False, method="min"
    )
    rows = []
    for u in ranks.index:
        r = ranks.loc[u].dropna().sort_values(kind="stable")
        for kind, sel in (("strength", r.head(top)), ("weakness", r.tail(top)[::-1])):
            for ind, rk in sel.items():
                rows.append((u, kind, ind, int(rk), float(X[list(p.units).index(u),
                                                             inds.index(ind)])))
    return pd.DataFrame(rows, columns=["unit", "kind", "indicator", "rank", "value"])


def outranking(
    X: pd.DataFrame, directions: Any = None, weights: Any = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Outranking matrix of the units (rows) of ``X`` and each unit's dominance count.

    Entry (a, b) = Σ_j w_j [a beats b on j] + ½ Σ_j w_j [tie on j], with the
    weights normalised to sum 1 (equal by default); missing values count as
    ties. The diagonal is 0.5.
    """
    V = X.to_numpy(dtype=float)
    n, k = V.shape
    d = np.ones(k) if directions is None else np.asarray(directions, dtype=float)
    w = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, dtype=float)
    if d.shape != (k,) or w.shape != (k,) or not w.sum() > 0 or (w < 0).any():
        raise DataError(f"give {k} directions (+1/-1) and {k} non-negative weights")
    w = w / w.sum()
    Y = V * d
    diff = Y[:, None, :] - Y[None, :, :]
    win = np.where(np.isnan(diff), 0.5, (diff > 0) + 0.5 * (diff == 0))
    M = (win * w).sum(axis=2)
    mat = pd.DataFrame(M, index=X.index, columns=X.index)
    dom = pd.Series((M > 0.5).sum(axis=1), index=X.index, name="dominance")
    return mat, dom
