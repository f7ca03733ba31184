"""Screening units by data availability, and each unit's own data summary (COINr's Screen).

:func:`unit_summary` counts, per unit (and period), the indicators observed, the
share of the framework they make, and the zeros among them (a zero is often a
missing value recorded as 0 in yearbooks). :func:`screen_units` keeps the units
whose availability reaches a threshold share (COINr's default 2/3) and reports
the units removed with their share, so that a composite is not computed for a
unit on a handful of indicators.

Conventions
-----------
* ``by="period"`` (default): a unit is removed when its share falls below the
  threshold in *any* period (the panel stays balanced); ``by="all"``: the share
  over all its unit-periods together is used.
* ``zeros_missing=True`` counts zeros as missing for the share (COINr's
  ``Force`` of zero handling, ``unit_screen = "byNA0"``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .core import Panel


def unit_summary(panel: Panel, indicators: list[str] | None = None) -> pd.DataFrame:
    """Per unit and period: ``unit, period, indicators, observed, share, zeros, share_zero``."""
    p = panel.sel(indicators=indicators) if indicators is not None else panel
    v = np.asarray(p.values, dtype=float)
    k = v.shape[2]
    obs = ~np.isnan(v)
    zeros = obs & (v == 0)
    uu, tt = np.meshgrid(np.arange(v.shape[0]), np.arange(v.shape[1]), indexing="ij")
    return pd.DataFrame(
        {
            "unit": np.asarray(p.units, object)[uu.ravel()],
            "period": np.asarray(p.periods, object)[tt.ravel()],
            "indicators": k,
            "observed": obs.sum(axis=2).ravel(),
            "share": (obs.sum(axis=2) / k).ravel(),
            "zeros": zeros.sum(axis=2).ravel(),
            "share_zero": (zeros.sum(axis=2) / k).ravel(),
        }
    )


def screen_units(
    panel: Panel,
    min_share: float = 2 / 3,
    *,
    indicators: list[str] | None = None,
    by: str = "period",
    zeros_missing: bool = False,
) -> tuple[Panel, pd.DataFrame]:
    """Keep the units with at least ``min_share`` of the indicators observed.

    Returns
    -------
    (Panel, DataFrame)
        The screened panel (all indicators kept) and the removed units:
        ``unit, share, worst_period``.
    """
    if not (isinstance(min_share, int | float) and 0 < min_share <= 1):
        raise DataError(f"min_share must lie in (0, 1], got {min_share!r}")
    if by not in ("period", "all"):
        raise DataError(f"by must be 'period' or 'all', got {by!r}")
    s = unit_summary(panel, indicators)
    if zeros_missing:
        s["share"] = s["share"] - s["share_zero"]
    rows: list[dict[str, Any]] = []
    keep = []
    for u, g in s.groupby("unit", sort=False):
        if by == "period":
            worst = g.loc[g["share"].idxmin()]
            share, where = float(worst["share"]), worst["period"]
        else:
            share = float((g["share"] * g["indicators"]).sum() / g["indicators"].sum())
            where = None
        if share + 1e-12 >= min_share:
            keep.append(u)
        else:
            rows.append({"unit": u, "share": share, "worst_period": where})
    if not keep:
        raise DataError(
            f"no unit has at least {min_share:.0%} of the indicators observed; lower min_share"
        )
    removed = pd.DataFrame(rows, columns=["unit", "share", "worst_period"])
    out = panel.sel(units=keep)
    out = out.replace(meta={**out.meta, "screened": {
        "min_share": min_share, "by": by, "removed": removed["unit"].tolist()}})
    return out, removed
