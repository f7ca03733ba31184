"""Build a composite index over an indicator framework.

:func:`build_index` runs normalisation, weighting and aggregation over the
framework tree (index → dimensions → optional sub-dimensions → indicators) for
every unit and period, and returns an :class:`IndexResult` holding the score of
every node, ranks within each period, the weights used at every level
(local and effective), the recipe, and, with ``explain=True``, every
intermediate table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, FrameworkError
from ..panel.core import Panel
from .aggregate import aggregate
from .normalise import normalise
from .recipe import Recipe, parse_weights
from .weights import combine as combine_weights
from .weights import weights as compute_weights

ROOT = "index"


@dataclass
class _Node:
    id: str
    level: str  # index, dimension, subdimension, indicator
    name_zh: str
    name_en: str
    weight: float | None
    children: list[_Node] = field(default_factory=list)
    leaf: int = -1  # indicator position for leaves

    def leaves(self) -> list[int]:
        if self.level == "indicator":
            return [self.leaf]
        return [i for c in self.children for i in c.leaves()]

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def _empty_periods(panel: Panel, recipe: Recipe) -> list[dict[str, Any]]:
    """Indicators with no value for any unit in a period.

    Scoring such a period on the other indicators silently changes what its ranking
    measures, so it is an error unless the recipe's ``params["empty_period"]`` is
    ``"renormalise"`` (the period is then scored on the indicators it has, weights
    renormalised, and the list is returned for the report to say so).
    """
    if panel.shape[0] == 0:
        return []
    gone = np.isnan(panel.values).all(axis=0)  # periods x indicators
    found = [{"indicator": panel.indicators[j], "period": panel.periods[t]}
             for t, j in zip(*np.nonzero(gone), strict=True)]
    if not found:
        return []
    mode = recipe.params.get("empty_period", "error")
    if mode not in ("error", "renormalise"):
        raise DataError(f"params empty_period {mode!r}: use 'error' or 'renormalise'")
    if mode == "error":
        shown = "; ".join(f"{f['indicator']} in {f['period']}" for f in found[:10])
        raise DataError(
            f"indicator(s) missing for every unit in a period: {shown}"
            + (" …" if len(found) > 10 else "")
            + ". Scoring those periods on the other indicators would change what the index "
            "measures; fill or drop the indicator, or score them anyway with the recipe "
            "parameter empty_period: renormalise (study file: index: {params: {empty_period: "
            "renormalise}})"
        )
    return found


def _leaf_sum(node: _Node) -> float | None:
    """The sum of the expert weights of the indicators under ``node``; None if one lacks one."""
    if node.level == "indicator":
        return node.weight
    parts = [c.weight if c.weight is not None and c.level == "indicator" else _leaf_sum(c)
             for c in node.children]
    if any(p is None for p in parts):
        return None
    return float(sum(parts))


def _tree(framework) -> _Node:
    pos = {ind.id: k for k, ind in enumerate(framework.indicators)}

    def node(n, level: str) -> _Node:
        out = _Node(n.id, level, n.name_zh, n.name_en, n.weight)
        if getattr(n, "children", None):
            out.children = [node(c, "subdimension") for c in n.children]
        else:
            out.children = [
                _Node(i.id, "indicator", i.name_zh, i.name_en, i.weight, leaf=pos[i.id])
                for i in n.indicators
            ]
        return out

    root = _Node(ROOT, "index", framework.name_zh, framework.name_en, None)
    root.children = [node(d, "dimension") for d in framework.dimensions]
    ids = [n.id for n in root.walk()]
    if len(set(ids)) != len(ids):
        raise FrameworkError(f"node id {ROOT!r} is reserved for the overall index")
    return root


@dataclass
class IndexResult:
    """A composite index: scores of every node, ranks, weights, recipe, explain tables.

    Attributes
    ----------
    scores : DataFrame
        ``unit, period, node, level, score, rank``; the overall index is node ``index``.
        Rank 1 is the best unit of the period (ties share the lowest rank).
    weights : DataFrame
        ``parent, node, weight, effective_weight, level``: local weights sum to 1
        under every parent; effective weights (products along the path) of the
        indicators sum to 1.
    recipe : Recipe
    framework_id : str
    explain : dict of DataFrame
        Intermediate tables (only with ``explain=True``).
    unscored : DataFrame
        ``unit, period, node`` without a score because less than ``min_share``
        (default half) of the node's weight was observed there (missing data);
        their score is NaN and their rank empty.
    treatment : TreatResult or None
        With ``recipe.treat``: the per-indicator treatment table and every
        treated point (:mod:`nqpf.index.treat`).
    """

    scores: pd.DataFrame
    weights: pd.DataFrame
    recipe: Recipe
    framework_id: str
    units: tuple[str, ...]
    periods: tuple[Any, ...]
    explain: dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    unscored: pd.DataFrame = field(default_factory=pd.DataFrame)
    treatment: Any = None  # nqpf.index.treat.TreatResult when the recipe treats outliers

    def to_frame(self, node: str | None = None) -> pd.DataFrame:
        """Scores in long form: ``unit, period, node, level, score, rank``.

        Every node by default, or only ``node`` (``"index"`` for the overall index). The
        units × periods table of one node is :meth:`wide`.
        """
        s = self.scores
        if node is not None:
            s = s[s["node"] == node]
            if s.empty:
                raise DataError(f"unknown node {node!r}; nodes: {self.nodes()}")
        cols = ["unit", "period", "node", "level", "score", "rank"]
        return s[[c for c in cols if c in s.columns]].reset_index(drop=True)

    def wide(self, node: str = ROOT) -> pd.DataFrame:
        """Scores of one node as a units × periods table."""
        s = self.scores[self.scores["node"] == node]
        if s.empty:
            raise DataError(f"unknown node {node!r}; nodes: {self.nodes()}")
        return s.pivot(index="unit", columns="period", values="score").reindex(list(self.units))

    def _repr_html_(self) -> str:
        from ..display import html_summary

        last = self.periods[-1]
        facts = {
            "framework": self.framework_id,
            "recipe": self.recipe.describe(),
            "units": len(self.units),
            "periods": f"{self.periods[0]}–{last}" if len(self.periods) > 1 else last,
            "nodes": len(self.nodes()),
        }
        note = f"{len(self.unscored)} unit-period-node cells unscored (missing data)" if len(
            self.unscored) else None
        return html_summary("IndexResult", facts, self.ranking(last),
                            caption=f"Ranking, {last}", note=note)

    def plot(
        self, node: str = ROOT, units: list[str] | None = None, top: int = 10, **kw: Any
    ) -> Any:
        """Figure: scores of ``node`` over the periods, one line per unit.

        ``units`` picks the units (default: the ``top`` units of the last period, all when
        there are no more than ``top``); with one period, a bar chart of the ranking.
        Keyword arguments go to :class:`matplotlib.figure.Figure` (e.g. ``figsize``).
        """
        from matplotlib.figure import Figure

        w = self.wide(node)
        if units is None:
            units = self.ranking(node=node)["unit"].head(top).tolist()
        missing = [u for u in units if u not in w.index]
        if missing:
            raise DataError(f"unknown unit(s) {missing}; units: {list(w.index)[:10]} …")
        kw.setdefault("figsize", (8, 4.5))
        fig = Figure(**kw)
        ax = fig.subplots()
        title = "composite index" if node == ROOT else node
        if len(self.periods) == 1:
            r = self.ranking(node=node)
            r = r[r["unit"].isin(units)]
            ax.barh(r["unit"].astype(str)[::-1], r["score"][::-1], color="#3b6ea8")
            ax.set_xlabel("score")
            ax.set_title(f"{title}, {self.periods[0]}")
        else:
            x = [str(p) for p in w.columns]
            for u in units:
                ax.plot(x, w.loc[u].to_numpy(dtype=float), marker="o", ms=3, label=str(u))
            ax.set_xlabel("period")
            ax.set_ylabel("score")
            ax.set_title(title)
            ax.legend(fontsize="small", ncol=2 if len(units) > 6 else 1, frameon=False)
            ax.tick_params(axis="x", labelrotation=45)
        fig.tight_layout()
        return fig

    def nodes(self) -> list[str]:
        return list(pd.unique(self.scores["node"]))

    def ranking(self, period: Any = None, node: str = ROOT) -> pd.DataFrame:
        """Units ranked by a node's score in one period (the last by default)."""
        period = self.periods[-1] if period is None else period
        s = self.scores[(self.scores["node"] == node) & (self.scores["period"] == period)]
        if s.empty:
            raise DataError(f"no scores for node {node!r} in period {period!r}")
        return s.sort_values(["rank", "unit"])[["unit", "score", "rank"]].reset_index(drop=True)

    def changes(self, node: str = ROOT) -> pd.DataFrame:
        """Score and rank changes from each period to the next, per unit."""
        s = self.scores[self.scores["node"] == node].sort_values(["unit", "period"]).copy()
        g = s.groupby("unit", sort=False)
        s["score_change"] = g["score"].diff()
        s["rank_change"] = -g["rank"].diff()  # positive = moved up
        return s[["unit", "period", "score", "score_change", "rank", "rank_change"]].reset_index(
            drop=True
        )

    def summary(self) -> pd.DataFrame:
        """Per period: mean, sd, min, max of the index and the top unit."""
        s = self.scores[self.scores["node"] == ROOT]
        g = s.groupby("period")["score"]
        top = s.loc[s.groupby("period")["score"].idxmax(), ["period", "unit"]].set_index("period")
        out = pd.DataFrame(
            {
                "units": g.count(),
                "mean": g.mean(),
                "sd": g.std(ddof=1),
                "min": g.min(),
                "max": g.max(),
                "top": top["unit"],
            }
        )
        return out.reset_index()

    def written_files(self) -> list[str]:
        files = ["scores.csv", "weights.csv", "index.xlsx", "recipe.json"]
        if self.explain:
            files.append("explain.xlsx")
        return files

    def write(
        self,
        out_dir: str | Path,
        overwrite: bool = False,
        unit_names: Mapping[str, str] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> list[Path]:
        """Write scores.csv, weights.csv, index.xlsx, recipe.json (and explain.xlsx).

        ``index.xlsx`` is a workbook to read, not a dump: ``ranking`` (the last
        period sorted by rank, with the rank change from the period before),
        ``index`` (units × periods), ``weights``, ``summary``, and ``changes`` and
        ``scores`` (every node) while they stay under :data:`SHEET_ROWS` rows. A
        longer table is left to scores.csv (every unit, period and node), and the
        ``notes`` sheet says so. ``unit_names`` (unit → name) adds a name column;
        ``progress(step, done, total)`` is called as each file is written.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / f for f in self.written_files()]
        existing = [p for p in paths if p.exists()]
        if existing and not overwrite:
            raise DataError(
                f"{existing[0]} exists; choose another folder or pass --force to overwrite"
            )
        total = len(paths)

        def tick(i: int, name: str) -> None:
            if progress is not None:
                progress(f"writing {name}", i, total)

        tick(0, paths[0].name)
        self.scores[["unit", "period", "node", "score", "rank", "level"]].to_csv(
            paths[0], index=False, encoding="utf-8-sig"
        )
        tick(1, paths[1].name)
        self.weights.to_csv(paths[1], index=False, encoding="utf-8-sig")
        tick(2, paths[2].name)
        self._write_workbook(paths[2], unit_names)
        tick(3, paths[3].name)
        rec = {"framework": self.framework_id, "recipe": self.recipe.to_dict(), **self.meta}
        paths[3].write_text(json.dumps(rec, indent=2, ensure_ascii=False, default=str), "utf-8")
        if self.explain:
            tick(4, paths[4].name)
            with pd.ExcelWriter(paths[4], engine="openpyxl") as xw:
                for name, df in self.explain.items():
                    df.to_excel(xw, sheet_name=_sheet(name), index=df.index.name is not None)
        tick(total, "done")
        return paths

    def _write_workbook(self, path: Path, unit_names: Mapping[str, str] | None) -> None:
        def named(df: pd.DataFrame) -> pd.DataFrame:
            if unit_names is None:
                return df
            df = df.copy()
            df.insert(df.columns.get_loc("unit") + 1, "name",
                      [unit_names.get(u, u) for u in df["unit"]])
            return df

        last = self.ranking()
        if len(self.periods) > 1:
            prev = self.ranking(self.periods[-2]).set_index("unit")["rank"]
            last["rank_change"] = prev.reindex(last["unit"]).to_numpy() - last["rank"].to_numpy()
        last.insert(0, "period", self.periods[-1])
        wide = self.wide().reset_index()
        wide.columns = [str(c) for c in wide.columns]
        sheets: list[tuple[str, pd.DataFrame]] = [
            ("ranking", named(last)),
            ("index", named(wide)),
            ("weights", self.weights),
            ("summary", self.summary()),
        ]
        notes = [
            "ranking: the last period, sorted by rank; rank_change > 0 = moved up since the "
            "period before.",
            "index: the overall index, one row per unit and one column per period.",
        ]
        changes = self.changes()
        for name, df in (("changes", changes), ("scores", self.scores)):
            if len(df) <= SHEET_ROWS:
                sheets.append((name, named(df) if name == "changes" else df))
            else:
                notes.append(
                    f"{name}: {len(df):,} rows, more than a sheet here holds ({SHEET_ROWS:,}); "
                    "the full table of every unit, period and node is scores.csv (UTF-8, opens "
                    "in Excel)."
                )
        if self.treatment is not None:
            sheets.append(("treatment", self.treatment.table))
            sheets.append(("treated_points", self.treatment.points))
            notes.append("treatment, treated_points: the outlier treatment, every point changed.")
        sheets.append(("notes", pd.DataFrame({"note": notes})))
        with pd.ExcelWriter(path, engine="openpyxl") as xw:
            for name, df in sheets:
                df.to_excel(xw, sheet_name=name, index=False)


#: Longest table :meth:`IndexResult.write` puts in a workbook sheet; longer ones stay in CSV.
SHEET_ROWS = 50_000


def _sheet(name: str) -> str:
    bad = "[]:*?/\\"
    s = "".join("_" if ch in bad else ch for ch in name)
    return s[:31]


def build_index(
    panel: Panel | pd.DataFrame,
    framework,
    recipe: Recipe | None = None,
    explain: bool = False,
    *,
    unit: str | None = None,
    period: str | None = None,
    units: str = "auto",
    **changes: Any,
) -> IndexResult:
    """Build a composite index of ``panel`` over ``framework``.

    Three lines from a DataFrame to a displayed, plotted index in a notebook::

        res = nqpf.build_index(df, "framework.xlsx")
        res            # a compact summary (IndexResult._repr_html_)
        res.plot()     # scores over time

    Parameters
    ----------
    panel : Panel or DataFrame
        Raw data holding the framework's series (it is passed through
        :func:`nqpf.framework.prepare` to derive ratios and logs) or a panel that
        ``prepare`` already made. A DataFrame may be long (``unit, period,
        indicator, value``), wide (``unit, period`` and one column per indicator) or
        indexed by ``(unit, period)``; its columns are guessed and its unit names
        resolved exactly as :func:`nqpf.panel.read_panel` does (:func:`as_panel`).
    unit, period : str, optional
        Key columns of a DataFrame (guessed when omitted).
    units : {"auto", "province", "country", "none"}
        How a DataFrame's unit names become ids (see :func:`nqpf.panel.read_panel`).
    framework : Framework, str or path
        The indicator tree (anything :func:`nqpf.framework.load_framework` takes).
    recipe : Recipe, optional
        The methods; defaults to min-max (pooled), entropy weights, weighted sum.
    explain : bool
        Keep every intermediate table (normalised data, weight details such as
        entropy values and divergences or the CRITIC correlation matrix, and
        aggregation details such as TOPSIS distances or grey relational
        coefficients) in ``result.explain``.
    **changes
        Recipe fields to change, e.g. ``weights="critic"``.
    """
    from ..framework import load_framework, prepare

    if not isinstance(panel, Panel):
        from ..panel.io import as_panel

        panel = as_panel(panel, unit=unit, period=period, units=units)
    fw = load_framework(framework)
    recipe = (recipe or Recipe()).replace(**changes) if changes else (recipe or Recipe())
    if panel.meta.get("framework") != fw.id:
        panel = prepare(panel, fw)
    inds = [i.id for i in fw.indicators]
    panel = panel.sel(indicators=inds)
    root = _tree(fw)
    n_u, n_t, k = panel.shape
    directions = np.array([i.direction for i in fw.indicators], dtype=float)
    tables: dict[str, pd.DataFrame] = {}

    empty = _empty_periods(panel, recipe)
    # ---- normalise the leaves
    base = None
    if recipe.panel_mode == "base-year":
        try:
            base = panel.periods.index(recipe.base_period)
        except ValueError:
            raise DataError(
                f"base period {recipe.base_period!r} is not in the data ({panel.periods[0]}–"
                f"{panel.periods[-1]})"
            ) from None
    raw = panel.values
    treated = None
    if recipe.treat:
        from .treat import treat

        treated = treat(
            raw, recipe.treat, indicators=inds, units=list(panel.units),
            periods=list(panel.periods),
        )
        raw = treated.values
        if explain:
            tables["treatment"] = treated.table
            tables["treated points"] = treated.points
    nres = normalise(
        raw,
        directions,
        recipe.normalise,
        panel_mode=recipe.panel_mode,
        base_period=base,
        shift=recipe.shift,
        goalposts=_per_indicator(recipe, "goalposts", inds),
        targets=_per_indicator(recipe, "targets", inds),
        names=inds,
        periods=list(panel.periods),
        constant=recipe.params.get("constant"),
        **_normalise_extra(recipe, list(panel.units)),
    )
    Z = nres.values.reshape(n_u * n_t, k)
    obs_unit = np.repeat(np.arange(n_u), n_t)
    obs_period = np.tile(np.arange(n_t), n_u)
    needs_dir = bool(nres.params.get("needs_direction", False))
    if explain:
        idx = pd.MultiIndex.from_arrays(
            [
                np.asarray(panel.units, object)[obs_unit],
                np.asarray(panel.periods, object)[obs_period],
            ],
            names=["unit", "period"],
        )
        tables["normalised"] = pd.DataFrame(Z, index=idx, columns=inds).reset_index()
    groups = obs_period if recipe.panel_mode == "per-period" else np.zeros(len(Z), int)

    node_scores: dict[str, np.ndarray] = {}
    local: dict[str, float] = {ROOT: 1.0}
    ctx = _Ctx(
        recipe, Z, directions, groups, needs_dir, explain, tables, panel, obs_unit, obs_period, inds
    )

    if recipe.structure == "flat":
        w_leaf = _leaf_weights(ctx, root)
        for n in root.walk():
            if n.level == "indicator":
                continue
            leaves = n.leaves()
            if not w_leaf[leaves].sum() > 0:
                names = [inds[j] for j in leaves]
                raise DataError(
                    f"{n.level} {n.id!r} gets no weight: its indicator(s) {names} get weight 0 "
                    f"from {recipe.weights} weights (an indicator that does not vary carries no "
                    "information for entropy, CRITIC, CV or SD), so its score is undefined. Drop "
                    "the indicator(s) or use weights that do not depend on variation (equal, "
                    "expert)"
                )
            w = w_leaf[leaves] / w_leaf[leaves].sum()
            node_scores[n.id] = ctx.aggregate(
                n, Z[:, leaves], w, [inds[j] for j in leaves], directions[leaves], True
            )
            tot = w_leaf[leaves].sum()
            for c in n.children:
                local[c.id] = float(w_leaf[c.leaves()].sum() / tot)
    else:
        _hierarchical(ctx, root, node_scores, local)

    # ---- tables
    rows = []
    for n in root.walk():
        if n.level == "indicator":
            continue
        s = node_scores[n.id].reshape(n_u, n_t)
        df = pd.DataFrame(s, index=list(panel.units), columns=list(panel.periods))
        rk = df.rank(axis=0, ascending=False, method="min")
        long = df.stack(future_stack=True).rename("score").to_frame()
        long["rank"] = rk.stack(future_stack=True)
        long.index.names = ["unit", "period"]
        long = long.reset_index()
        long.insert(2, "node", n.id)
        long.insert(3, "level", n.level)
        rows.append(long)
    scores = pd.concat(rows, ignore_index=True)
    scores["rank"] = scores["rank"].astype("Int64")
    unscored = scores[scores["score"].isna()][["unit", "period", "node"]].reset_index(drop=True)

    wrows = []

    def add(n: _Node, parent: _Node | None, eff: float) -> None:
        e = eff * local[n.id]
        if parent is not None:
            wrows.append((parent.id, n.id, local[n.id], e, n.level))
        for c in n.children:
            add(c, n, e)

    add(root, None, 1.0)
    wdf = pd.DataFrame(wrows, columns=["parent", "node", "weight", "effective_weight", "level"])
    return IndexResult(
        scores=scores,
        weights=wdf,
        recipe=recipe,
        framework_id=fw.id,
        units=panel.units,
        periods=panel.periods,
        explain=tables,
        meta={
            "normalise_params": _jsonable(nres.params),
            "n_units": n_u,
            "n_periods": n_t,
            "imputed_cells": int(panel.imputed.sum()),
            "unscored": len(unscored),
            "treated_points": 0 if treated is None else treated.n_points,
            "empty_periods": empty,
        },
        unscored=unscored,
        treatment=treated,
    )


@dataclass
class _Ctx:
    recipe: Recipe
    Z: np.ndarray
    directions: np.ndarray
    groups: np.ndarray
    needs_dir: bool
    explain: bool
    tables: dict[str, pd.DataFrame]
    panel: Panel
    obs_unit: np.ndarray
    obs_period: np.ndarray
    inds: list[str]

    def weights(self, node: _Node, X: np.ndarray, labels: list[str], method: str) -> np.ndarray:
        parts = parse_weights(method)
        results = [self._one_weight(node, X, labels, p) for p in parts]
        if len(results) == 1:
            return results[0]
        w = combine_weights(
            results[0], results[1], method=self.recipe.combine, alpha=self.recipe.alpha
        )
        return np.asarray(getattr(w, "weights", w), dtype=float)

    def _one_weight(self, node: _Node, X: np.ndarray, labels: list[str], method: str) -> np.ndarray:
        kw: dict[str, Any] = {}
        if method == "expert":
            # a (sub-)dimension without a weight of its own weighs the sum of its indicators'
            # weights: the official framework's one 权重 per indicator, summing to 1 over all
            given = [c.weight if c.weight is not None else _leaf_sum(c) for c in node.children]
            if len(given) == 1:
                given = [1.0]  # an only child carries its parent's whole weight
            if any(g is None for g in given):
                missing = [c.id for c, g in zip(node.children, given, strict=True) if g is None]
                raise FrameworkError(
                    f"expert weights: node {node.id!r} has children without a weight: {missing}; "
                    "give a weight to every indicator (the dimensions then weigh the sum of "
                    "theirs) or to every node, or choose another weighting method"
                )
            kw["weights"] = np.asarray(given, dtype=float)
        elif method in ("ahp", "fahp"):
            if node.id not in self.recipe.ahp:
                raise DataError(
                    f"{method.upper()} weights: no pairwise matrix for node {node.id!r}; give one "
                    f"per node in recipe.ahp (children in order: {[c.id for c in node.children]})"
                )
            if method == "ahp":
                kw["matrix"] = np.asarray(self.recipe.ahp[node.id], dtype=float)
                kw["allow_inconsistent"] = bool(
                    self.recipe.params.get("allow_inconsistent", False)
                )
            else:  # triangular fuzzy judgements [l, m, u] (or crisp numbers)
                kw["matrix"] = self.recipe.ahp[node.id]
                kw["fuzzy_method"] = self.recipe.params.get("fahp_method", "buckley")
        elif method == "pca" and "var_threshold" in self.recipe.params:
            kw["var_threshold"] = self.recipe.params["var_threshold"]
        elif method == "entropy":
            kw["shift"] = self.recipe.params.get("entropy_shift")
        res = compute_weights(X, method, names=labels, keep_arrays=self.explain, **kw)
        if self.explain:
            self._details(f"weights {node.id} {method}", res.details, labels, per_obs=False)
        w = np.asarray(res.weights, dtype=float)
        if not np.isfinite(w).all() or abs(w.sum() - 1) > 1e-9:
            raise DataError(f"{method} weights of node {node.id!r} are not valid: {w}")
        return w

    def aggregate(
        self,
        node: _Node,
        X: np.ndarray,
        w: np.ndarray,
        labels: list[str],
        dirs: np.ndarray,
        leaf_level: bool,
    ) -> np.ndarray:
        """Aggregate the columns of X (indicators when ``leaf_level``, else child scores)."""
        method = self.recipe.at(node.level, "aggregate")
        p = self.recipe.params
        kw = {key: p[key] for key in ("rho", "v", "r", "zeros", "min_share") if key in p}
        try:
            res = aggregate(
                X,
                w,
                method,
                groups=self.groups,
                directions=dirs if (self.needs_dir and leaf_level) else None,
                missing=self.recipe.missing,
                keep_arrays=self.explain,
                **kw,
            )
        except DataError as e:
            raise DataError(f"node {node.id!r}: {e}") from e
        if self.explain:
            self._details(f"aggregate {node.id} {method}", res.details, labels, per_obs=True)
        return np.asarray(res.scores, dtype=float)

    def _details(self, key: str, details: dict, labels: list[str], per_obs: bool) -> None:
        """Turn a method's details into labelled tables, by the names the methods use."""
        units = np.asarray(self.panel.units, object)[self.obs_unit]
        periods = np.asarray(self.panel.periods, object)[self.obs_period]
        by_ind: dict[str, np.ndarray] = {}
        by_obs: dict[str, np.ndarray] = {}
        by_group: dict[str, np.ndarray] = {}
        for name, val in details.items():
            if not per_obs and name in _PER_INDICATOR:
                by_ind[name] = np.asarray(val)
            elif per_obs and name in _PER_OBS:
                by_obs[name] = np.asarray(val)
            elif name in _PER_OBS_INDICATOR:
                df = pd.DataFrame(np.asarray(val, dtype=float), columns=labels)
                df.insert(0, "period", periods)
                df.insert(0, "unit", units)
                self.tables[f"{key} {name}"] = df
            elif name in _PER_GROUP:
                by_group[name] = np.atleast_2d(np.asarray(val, dtype=float))
            elif name == "r":
                self.tables[f"{key} correlation"] = pd.DataFrame(
                    np.asarray(val, dtype=float),
                    index=pd.Index(labels, name="indicator"),
                    columns=labels,
                )
        if by_ind:
            self.tables[key] = pd.DataFrame(by_ind, index=pd.Index(labels, name="indicator"))
        if by_obs:
            df = pd.DataFrame(by_obs)
            df.insert(0, "period", periods)
            df.insert(0, "unit", units)
            self.tables[f"{key} by unit"] = df
        if by_group:
            glabels = details.get("group_labels")
            for name, arr in by_group.items():
                g = self._group_names(glabels, len(arr))
                if arr.shape[1] == len(labels):
                    df = pd.DataFrame(arr, columns=labels, index=pd.Index(g, name="reference"))
                else:
                    df = pd.DataFrame(arr, index=pd.Index(g, name="reference"))
                self.tables[f"{key} {name}"] = df

    def _group_names(self, glabels, n: int) -> list[str]:
        if self.recipe.panel_mode == "per-period" and glabels is not None and len(glabels) == n:
            return [str(self.panel.periods[int(i)]) for i in glabels]
        return ["pooled"] if n == 1 else [str(i) for i in range(n)]


# names of the detail arrays of nqpf.index.weights and nqpf.index.aggregate, by shape
_PER_INDICATOR = {"e", "d", "n", "is_constant", "sigma", "conflict", "C", "mean", "cv"}
_PER_OBS = {
    "d_plus",
    "d_minus",
    "Q",
    "S",
    "R",
    "M",
    "cv",
    "wins",
    "losses",
    "ties",
    "observed_share",
}
_PER_OBS_INDICATOR = {"p", "V", "xi", "delta", "standardised"}
_PER_GROUP = {
    "ideal",
    "anti_ideal",
    "reference",
    "f_best",
    "f_worst",
    "dmin",
    "dmax",
    "column_mean",
    "column_sd",
}


def _leaf_weights(ctx: _Ctx, root: _Node) -> np.ndarray:
    """Flat structure: one weight per indicator, summing to 1 over all indicators."""
    method = ctx.recipe.weights
    parts = parse_weights(method)
    k = ctx.Z.shape[1]

    def tree_weights(kind: str) -> np.ndarray:
        # expert or AHP weights are given per node: effective leaf weight = product of local ones
        w = np.zeros(k)

        def rec(n: _Node, eff: float) -> None:
            if n.level == "indicator":
                w[n.leaf] = eff
                return
            loc = ctx._one_weight(
                n, np.empty((0, len(n.children))), [c.id for c in n.children], kind
            )
            for c, lw in zip(n.children, loc, strict=True):
                rec(c, eff * lw)

        rec(root, 1.0)
        return w

    results = []
    for p in parts:
        if p in ("expert", "ahp", "fahp"):
            results.append(tree_weights(p))
        else:
            results.append(ctx._one_weight(root, ctx.Z, ctx.inds, p))
    if len(results) == 1:
        return results[0]
    w = combine_weights(results[0], results[1], method=ctx.recipe.combine, alpha=ctx.recipe.alpha)
    return np.asarray(getattr(w, "weights", w), dtype=float)


def _hierarchical(ctx: _Ctx, n: _Node, scores: dict[str, np.ndarray], local: dict[str, float]):
    """Hierarchical structure: weights and aggregation node by node, bottom up."""
    leaf_level = all(c.level == "indicator" for c in n.children)
    if leaf_level:
        cols = [c.leaf for c in n.children]
        X = ctx.Z[:, cols]
        labels = [ctx.inds[j] for j in cols]
        dirs = ctx.directions[cols]
    else:
        for c in n.children:
            if c.level != "indicator":
                _hierarchical(ctx, c, scores, local)
        X = np.column_stack([scores[c.id] for c in n.children])
        labels = [c.id for c in n.children]
        dirs = np.ones(len(labels))
    w = ctx.weights(n, X, labels, ctx.recipe.at(n.level, "weights"))
    for c, lw in zip(n.children, w, strict=True):
        local[c.id] = float(lw)
    scores[n.id] = ctx.aggregate(n, X, w, labels, dirs, leaf_level)


def _normalise_extra(recipe: Recipe, units: list[Any]) -> dict[str, Any]:
    """Recipe params of the COINr-style normalisations: z-score scale, reference unit, cap."""
    p = recipe.params
    out: dict[str, Any] = {}
    if recipe.normalise == "zscore" and "zscore_scale" in p:
        out["zscore_scale"] = p["zscore_scale"]
    if recipe.normalise == "dist2ref":
        ref = p.get("reference")
        if ref not in units:
            raise DataError(
                f"normalise 'dist2ref' needs params.reference, a unit of the data; got {ref!r}"
            )
        out["reference"] = units.index(ref)
        out["cap"] = bool(p.get("cap", False))
    return out


def _per_indicator(recipe: Recipe, key: str, inds: list[str]) -> np.ndarray | None:
    given = recipe.params.get(key)
    if given is None:
        return None
    missing = [i for i in inds if i not in given]
    if missing:
        raise DataError(f"{key}: no value for indicator(s) {missing}")
    return np.asarray([given[i] for i in inds], dtype=float)


def _jsonable(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, np.ndarray):
            out[k] = v.tolist()
        elif isinstance(v, np.generic):
            out[k] = v.item()
        elif isinstance(v, str | int | float | bool | type(None) | list | tuple):
            out[k] = v
    return out


def compare(a: IndexResult, b: IndexResult, node: str = ROOT) -> pd.DataFrame:
    """Rank shifts per unit and period between two index variants.

    Returns ``unit, period, score_a, score_b, rank_a, rank_b, shift`` with
    ``shift = rank_a − rank_b`` (positive: the unit ranks higher under ``b``).
    ``DataFrame.attrs`` holds ``mean_abs_shift`` and the two recipes.
    """
    sa = a.scores[a.scores["node"] == node][["unit", "period", "score", "rank"]]
    sb = b.scores[b.scores["node"] == node][["unit", "period", "score", "rank"]]
    if sa.empty or sb.empty:
        raise DataError(f"node {node!r} is missing from one of the results")
    m = sa.merge(sb, on=["unit", "period"], suffixes=("_a", "_b"), how="inner")
    if m.empty:
        raise DataError("the two results share no unit-period")
    m["shift"] = (m["rank_a"] - m["rank_b"]).astype("Int64")
    m.attrs["mean_abs_shift"] = float(m["shift"].abs().mean())
    m.attrs["recipe_a"] = a.recipe.describe()
    m.attrs["recipe_b"] = b.recipe.describe()
    return m.sort_values(["period", "rank_b"]).reset_index(drop=True)
