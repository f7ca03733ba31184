"""Obstacle degree: which indicators and dimensions hold a unit back.

The obstacle degree model diagnoses, for every unit and period, how much each
indicator contributes to the gap between the unit and the ideal:

* factor contribution ``F_j``: the weight of indicator ``j`` in the index,
  i.e. the product of the weights along its path in the framework tree
  (criterion weight × indicator weight; the ``effective_weight`` of the index
  result);
* deviation ``I_ij = 1 − z_ij``: the distance of the normalised score from the
  ideal score 1, with ``z`` *the same* normalised values the index used;
* obstacle degree ``O_ij = F_j I_ij / Σ_j F_j I_ij × 100`` (per cent; each
  unit-period sums to 100);
* the obstacle of a dimension is the sum over its indicators (sub-dimensions
  roll up into their dimension).

For an index aggregated by the weighted sum (flat structure, no missing
cells) ``Σ_j F_j I_ij = 1 − index_ij``: the obstacle degrees split the unit's
shortfall from the ideal index exactly. For other aggregations the model is
the conventional diagnostic on the same weights and scores.

Conventions
-----------
* The scores must lie in [0, 1] (min-max style). Z-scores and vector
  normalisation are refused; scores outside [0, 1] (base-year mode, or an
  ``("add", c)`` shift that lifts the best score to ``1 + c``) are errors with
  ``deviation="one-minus"``. ``deviation="scale"`` measures the distance from
  the top of the normalised scale instead (1, ``1 + c`` for ``("add", c)``,
  ``b`` for ``("rescale", a, b)``, ``s + c`` for ``("affine", s, c)``), which
  makes the obstacle degrees independent of the shift.
* Missing cells (no score) are left out: the unit-period's obstacle degrees
  sum to 100 over its observed indicators; the number left out is in
  ``params["missing_cells"]``.
* A unit-period at the ideal on every observed indicator has no obstacle:
  its degrees are 0 (listed in ``params["no_obstacle"]``).
* Top obstacles: ranked by obstacle degree, ties in framework order.

Source
------
The obstacle degree model (障碍度模型: 因子贡献度 × 指标偏离度) as applied in Chinese
regional, land-use and coordination studies; its first source is not settled
in the literature checked for this module, so the formulas above state the
convention implemented. Some applications skip the division by
``Σ_j F_j I_ij`` and report ``F_j I_ij`` itself; that product is the
``factor × deviation`` of the indicator table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, FrameworkError

#: Normalisations whose scores are not on a 0–1 "distance to ideal" scale.
_NOT_UNIT_SCALE = {
    "zscore": "z-scores are centred on the mean, not bounded by an ideal of 1",
    "vector": "vector-normalised scores x/√Σx² are not bounded by an ideal of 1 and ignore "
    "direction",
}
_TOL = 1e-9


@dataclass
class ObstacleResult:
    """Obstacle degrees by indicator and dimension for every unit and period.

    Attributes
    ----------
    table : DataFrame
        ``unit, period, indicator, dimension, factor, deviation, obstacle`` (per cent).
    dimension : DataFrame
        ``unit, period, dimension, obstacle``.
    top : DataFrame
        ``unit, period, rank, indicator, dimension, obstacle``: the ``top``
        largest obstacles of each unit-period.
    params : dict
    """

    table: pd.DataFrame
    dimension: pd.DataFrame
    top: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "obstacle": self.table,
            "obstacle_dimension": self.dimension,
            "obstacle_top": self.top,
        }

    def summary(self) -> pd.DataFrame:
        """Per period and dimension: mean obstacle over units; units with it as top obstacle."""
        d = self.dimension
        mean = d.groupby(["period", "dimension"], sort=False)["obstacle"].mean()
        first = d.sort_values("obstacle", ascending=False, kind="stable").drop_duplicates(
            ["unit", "period"]
        )
        n_top = first.groupby(["period", "dimension"], sort=False)["unit"].count()
        out = mean.rename("mean_obstacle").to_frame()
        out["units_with_top_obstacle"] = n_top.reindex(out.index).fillna(0).astype(int)
        return out.reset_index().sort_values(["period"], kind="stable").reset_index(drop=True)

    def plot(self, period: Any = None, **kw: Any):
        """Stacked bars of the dimension obstacles of every unit in one period (default: last)."""
        from matplotlib.figure import Figure

        d = self.dimension
        periods = list(pd.unique(d["period"]))
        period = periods[-1] if period is None else period
        d = d[d["period"] == period]
        if d.empty:
            raise DataError(f"no obstacle degrees for period {period!r}; periods: {periods}")
        wide = d.pivot(index="unit", columns="dimension", values="obstacle")
        wide = wide[list(pd.unique(d["dimension"]))]
        fig = Figure(figsize=kw.pop("figsize", (7, max(3, 0.25 * len(wide) + 1))))
        ax = fig.add_subplot()
        left = np.zeros(len(wide))
        for col in wide.columns:
            ax.barh(wide.index.astype(str), wide[col].to_numpy(), left=left, label=str(col))
            left += wide[col].to_numpy()
        ax.set_xlabel("obstacle degree (%)")
        ax.set_xlim(0, 100)
        ax.set_title(f"Obstacle degree by dimension, {period}")
        ax.legend(fontsize="small", loc="lower right")
        return fig


def obstacle(
    result: Any,
    panel: Any = None,
    framework: Any = None,
    top: int = 5,
    deviation: str = "one-minus",
) -> ObstacleResult:
    """Obstacle degrees of the indicators and dimensions of an index.

    Parameters
    ----------
    result : IndexResult
        A composite index from :func:`nqpf.index.build_index`, ideally built
        with ``explain=True`` (its normalised scores are then used as they are).
    panel : Panel, optional
        The data the index was built from; needed only when ``result`` lacks
        its normalised scores: the index is then rebuilt with the same recipe
        and ``explain=True`` (and must reproduce the result's weights).
    framework : Framework, str or path, optional
        The framework of the index, for that rebuild (default: the result's
        framework id, which works for built-in frameworks).
    top : int
        How many of the largest obstacles to list per unit-period (default 5).
    deviation : {"one-minus", "scale"}
        ``I = 1 − z`` (scores must lie in [0, 1]) or the distance from the top
        of the shifted scale (module notes).

    Returns
    -------
    ObstacleResult

    Raises
    ------
    DataError
        Normalisations not on a 0–1 scale, scores outside [0, 1], a result
        without normalised scores and no panel to rebuild it.
    """
    if not (hasattr(result, "scores") and hasattr(result, "recipe")
            and hasattr(result, "weights")):
        raise DataError(f"obstacle() needs an index result, not {type(result).__name__}")
    if deviation not in ("one-minus", "scale"):
        raise DataError(f"deviation must be 'one-minus' or 'scale', not {deviation!r}")
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 1:
        raise DataError(f"top must be a positive whole number, not {top!r}")
    recipe = result.recipe
    if recipe.normalise in _NOT_UNIT_SCALE:
        raise DataError(
            f"the index uses {recipe.normalise!r} normalisation; the obstacle degree needs "
            f"min-max style scores in [0, 1] ({_NOT_UNIT_SCALE[recipe.normalise]}). Rebuild "
            "the index with normalise='minmax' (or goalpost, target, rank, percentile, log)"
        )
    recomputed = False
    norm = result.explain.get("normalised") if result.explain else None
    if norm is None:
        if panel is None:
            raise DataError(
                "the index result has no normalised scores: build it with explain=True "
                "(nqpf.index.build_index(..., explain=True)), or pass the panel it was built "
                "from (panel=...) so that it can be rebuilt"
            )
        norm = _rebuild(result, panel, framework)
        recomputed = True

    w = result.weights
    leaves = w[w["level"] == "indicator"]
    inds = [c for c in norm.columns if c not in ("unit", "period")]
    F_map = dict(zip(leaves["node"], leaves["effective_weight"].astype(float), strict=True))
    lacking = [i for i in inds if i not in F_map]
    if lacking or len(inds) != len(F_map):
        raise DataError(
            f"the normalised scores and the weights of the index do not match: indicators "
            f"without a weight {lacking}, weights for {sorted(set(F_map) - set(inds))}"
        )
    F = np.array([F_map[i] for i in inds])
    dims = _dimension_of(w, inds)

    Z = norm[inds].to_numpy(dtype=float)
    top_of_scale = _top_of_scale(recipe.shift) if deviation == "scale" else 1.0
    obs = ~np.isnan(Z)
    low, high = (0.0, 1.0) if deviation == "one-minus" else (-np.inf, top_of_scale)
    bad = obs & ((low - _TOL > Z) | (high + _TOL < Z))
    if bad.any():
        r, j = np.argwhere(bad)[0]
        why = (
            f"the index uses the shift {recipe.shift}; pass deviation='scale' to measure the "
            "distance from the top of the shifted scale"
            if recipe.shift is not None
            else f"panel mode {recipe.panel_mode!r} scores other periods against one reference "
            "set, so they can leave [0, 1]"
            if recipe.panel_mode == "base-year"
            else "use a normalisation with scores in [0, 1]"
        )
        raise DataError(
            f"normalised score {Z[r, j]:.6g} of indicator {inds[j]!r} for unit "
            f"{_py(norm['unit'].iloc[r])!r}, period {_py(norm['period'].iloc[r])!r} is outside "
            f"[{low:g}, {high:g}] ({int(bad.sum())} cell(s)); the obstacle degree measures the "
            f"distance from the ideal score: {why}"
        )
    I = np.clip(top_of_scale - Z, 0.0, None)  # noqa: E741  (the literature's symbol)
    FI = np.where(obs, F * np.nan_to_num(I), 0.0)
    den = FI.sum(axis=1)
    none = den <= 0
    zero = none & obs.any(axis=1)  # observed, and at the ideal on every observed indicator
    O = np.where(none[:, None], 0.0, 100.0 * FI / np.where(none, 1.0, den)[:, None])  # noqa: E741

    units = norm["unit"].to_numpy()
    periods = norm["period"].to_numpy()
    n_obs, k = Z.shape
    long = pd.DataFrame(
        {
            "unit": np.repeat(units, k),
            "period": np.repeat(periods, k),
            "indicator": np.tile(np.asarray(inds, dtype=object), n_obs),
            "dimension": np.tile(np.asarray([dims[i] for i in inds], dtype=object), n_obs),
            "factor": np.tile(F, n_obs),
            "deviation": I.ravel(),
            "obstacle": O.ravel(),
            "_order": np.tile(np.arange(k), n_obs),
        }
    )
    long = long[obs.ravel()]
    long = long.sort_values(["period", "unit", "_order"], kind="stable")
    table = long.drop(columns="_order").reset_index(drop=True)

    dim_order = list(dict.fromkeys(dims[i] for i in inds))
    dim = (
        long.groupby(["period", "unit", "dimension"], sort=False)["obstacle"].sum().reset_index()
    )
    dim["_d"] = dim["dimension"].map({d: n for n, d in enumerate(dim_order)})
    dim = dim.sort_values(["period", "unit", "_d"], kind="stable")
    dimension = dim[["unit", "period", "dimension", "obstacle"]].reset_index(drop=True)

    ranked = long.sort_values(
        ["period", "unit", "obstacle", "_order"], ascending=[True, True, False, True],
        kind="stable",
    )
    ranked["rank"] = ranked.groupby(["period", "unit"], sort=False).cumcount() + 1
    top_t = ranked[ranked["rank"] <= top][
        ["unit", "period", "rank", "indicator", "dimension", "obstacle"]
    ].reset_index(drop=True)

    params = {
        "normalise": recipe.normalise,
        "panel_mode": recipe.panel_mode,
        "shift": list(recipe.shift) if recipe.shift is not None else None,
        "deviation": deviation,
        "ideal": top_of_scale,
        "factor": "effective weight of each indicator (product of weights along the tree)",
        "top": int(top),
        "recomputed_with_explain": recomputed,
        "missing_cells": int((~obs).sum()),
        "no_obstacle": [
            (str(u), _py(p)) for u, p in zip(units[zero], periods[zero], strict=True)
        ],
    }
    return ObstacleResult(table, dimension, top_t, params)


def _rebuild(result: Any, panel: Any, framework: Any) -> pd.DataFrame:
    from ..index import build_index

    fw = framework if framework is not None else result.framework_id
    try:
        again = build_index(panel, fw, result.recipe, explain=True)
    except FrameworkError as e:
        if framework is None:
            raise DataError(
                f"cannot rebuild the index to get its normalised scores: {e} Pass the "
                "framework (framework=...) or build the index with explain=True"
            ) from e
        raise
    a = result.weights.set_index("node")["effective_weight"]
    b = again.weights.set_index("node")["effective_weight"]
    if set(a.index) != set(b.index) or not np.allclose(
        a.sort_index().to_numpy(), b.sort_index().to_numpy(), rtol=0, atol=1e-9
    ):
        raise DataError(
            "the panel and framework given do not reproduce the index result's weights; pass "
            "the data the index was built from, or build the index with explain=True"
        )
    return again.explain["normalised"]


def _dimension_of(weights: pd.DataFrame, inds: list[str]) -> dict[str, str]:
    """Map each indicator to its top-level dimension by following the parent links."""
    parent = dict(zip(weights["node"], weights["parent"], strict=True))
    level = dict(zip(weights["node"], weights["level"], strict=True))
    out = {}
    for i in inds:
        node, seen = i, 0
        while level.get(node) != "dimension":
            node = parent.get(node)
            seen += 1
            if node is None or seen > 50:
                raise DataError(f"indicator {i!r} has no dimension in the index weights table")
        out[i] = node
    return out


def _top_of_scale(shift: Any) -> float:
    if shift is None:
        return 1.0
    kind, *p = shift
    if kind == "add":
        return 1.0 + float(p[0])
    if kind == "rescale":
        return float(p[1])
    if kind == "affine":
        return float(p[0]) + float(p[1])
    raise DataError(f"unknown shift {shift!r}")


def _py(x: Any) -> Any:
    """A numpy scalar as the plain Python value (for messages and params)."""
    return x.item() if isinstance(x, np.generic) else x
