"""Replications through the index engine: any recipe setting, structure or removed node.

The batched evaluation of :mod:`nqpf.robustness.batch` covers the flat structure
with sum, geometric, TOPSIS and GRA aggregation. Everything else a recipe can say
(the hierarchical structure, per-level aggregation, VIKOR or Copeland, the
outlier-treatment thresholds, any parameter) and the removal of a whole
dimension or sub-dimension (COINr's ``remove_elements``) is evaluated here by
calling :func:`nqpf.index.build_index` once per distinct design point; the
driver maps the ranks back to the replications.

A removed node takes its indicators with it; its siblings keep their given
weights (renormalised by the engine), as the expert weights of a framework do
when an indicator is left out.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ..errors import DataError


def with_settings(recipe: Any, settings: dict[str, Any]) -> Any:
    """A recipe with settings changed by dotted path (``"treat.winmax"``, ``"params.rho"``)."""
    from ..index.recipe import Recipe

    d = copy.deepcopy(recipe.to_dict())
    for path, value in settings.items():
        keys = path.split(".")
        if keys[0] not in d:
            raise DataError(
                f"setting {path!r}: unknown recipe field {keys[0]!r}; fields: {sorted(d)}"
            )
        node = d
        for key in keys[:-1]:
            if node.get(key) is None:
                node[key] = {}
            if not isinstance(node[key], dict):
                raise DataError(f"setting {path!r}: {key!r} is not a group of settings")
            node = node[key]
        node[keys[-1]] = value
    if d.get("shift") is not None:
        d["shift"] = tuple(d["shift"])
    return Recipe.from_dict(d)


def without_nodes(framework: Any, remove: list[str]) -> Any:
    """The framework without the given dimensions, sub-dimensions or indicators.

    The id stays the same, so a panel prepared for the framework is reused.
    """
    from ..framework import load_framework

    known = {n.id for n in framework.nodes} | {i.id for i in framework.indicators}
    unknown = [r for r in remove if r not in known]
    if unknown:
        raise DataError(f"remove: unknown node(s) {unknown}; nodes: {sorted(known)}")
    d = framework.model_dump(exclude_none=True)

    def prune(items: list[dict]) -> list[dict]:
        out = []
        for it in items:
            if it.get("id") in remove:
                continue
            it = dict(it)
            for key in ("children", "indicators"):
                if it.get(key):
                    it[key] = prune(it[key])
            if any(k in it for k in ("children", "indicators")) and not (
                it.get("children") or it.get("indicators")
            ):
                continue  # a node left empty
            for key in ("children", "indicators"):
                if key in it and not it[key]:
                    del it[key]
            out.append(it)
        return out

    d["dimensions"] = prune(d["dimensions"])
    if not d["dimensions"]:
        raise DataError(f"removing {remove} leaves no indicator")
    return load_framework(d)


#: The categorical uncertain inputs of the batched engine, in design order.
CATEGORICAL = ("impute", "normalise", "weights", "aggregate", "leave_one_out")


def imputed_base_panel(prep: Any) -> Any:
    """The panel filled by the base imputation choice (the first alternative), if any."""
    method = prep.space.options["impute"][0]
    p = prep.panel
    if method is not None:
        from ..panel.impute import impute

        for m in method.split("+"):
            p = impute(p, m.strip())
    return p


def evaluate_engine(prep: Any, ch: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """Scores (len(rows), units, periods) of the design points ``rows``, by build_index."""
    from ..framework import prepare
    from ..index import build_index

    space = prep.space
    units, periods = list(prep.panel.units), list(prep.panel.periods)
    out = np.empty((len(rows), len(units), len(periods)))
    prepared: dict[int, Any] = {}
    for q, r in enumerate(rows):
        pick = {name: space.options[name][int(ch[name][r])] for name in space.categorical}
        imp = int(ch["impute"][r])
        if imp not in prepared:
            base = prep.panel
            if pick["impute"] is not None:
                saved = space.options["impute"]
                space.options["impute"] = [pick["impute"]]
                base = imputed_base_panel(prep)
                space.options["impute"] = saved
            prepared[imp] = prepare(base, prep.framework)
        removed = [x for x in (pick["leave_one_out"], pick.get("remove")) if x is not None]
        fw = without_nodes(prep.framework, removed) if removed else prep.framework
        settings = {p: pick[p] for p in space.categorical if p not in (*CATEGORICAL, "remove")}
        recipe = with_settings(
            prep.recipe.replace(
                normalise=pick["normalise"], weights=pick["weights"], aggregate=pick["aggregate"]
            ),
            settings,
        )
        res = build_index(prepared[imp], fw, recipe)
        S = res.wide().reindex(index=units, columns=periods).to_numpy(dtype=float)
        if np.isnan(S).any():
            raise DataError(
                f"design point {pick} leaves index scores empty (missing data); impute first"
            )
        out[q] = S
    return out
