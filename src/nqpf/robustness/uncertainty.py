"""How much do the rankings depend on the choices behind an index?

:func:`robustness` declares the uncertain inputs of a composite index (the
alternatives for normalisation, weighting, aggregation and imputation, leaving
out one indicator, perturbing the weights, resampling units for data-driven
weights), samples them quasi-randomly (Sobol sequences from
:mod:`scipy.stats.qmc`), evaluates every replication of the overall index as
batched array operations (:mod:`nqpf.robustness.batch`) and reports the
distribution of each unit's rank and, with ``sensitivity=True``, variance-based
sensitivity indices (:mod:`nqpf.robustness.sensitivity`).

This follows the uncertainty and sensitivity analysis of the OECD/JRC
*Handbook on Constructing Composite Indicators* (Nardo et al. 2008, step 7) and
Saisana, Saltelli and Tarantola (2005, JRSS A 168(2)), with the Saltelli et al.
(2010) design.

Conventions
-----------
* Batched path: the flat structure of :func:`nqpf.index.build_index` (one
  weight vector over all indicators; each replication changes that vector and
  the methods) with sum, geometric, TOPSIS or GRA aggregation. Recipe settings,
  removed dimensions, a hierarchical recipe or other aggregations go through the
  index engine instead (:mod:`nqpf.robustness.settings`), one call per distinct
  design point, with categorical inputs only. The base case (the first
  alternative of every input, no indicator left out, unperturbed weights, no
  resampling) equals ``build_index`` with the base recipe.
* A categorical input with m alternatives maps a uniform u to alternative
  ⌊u·m⌋. Leaving one indicator out has k + 1 alternatives: none, or indicator j.
* Weight perturbation ``perturb=p`` multiplies each base weight by
  1 + p·(2u_j − 1) (u_j uniform) and renormalises; ``dirichlet=c`` draws the
  weights from a Dirichlet distribution with parameters c·k·w (mean w, so larger c
  means less spread), through the gamma quantile function of the uniforms.
* Unit resampling for data-driven weights draws n units with replacement (all
  periods of a drawn unit enter) from a counter-based generator keyed by the
  replication's uniform (:func:`resample_units`), so that the same uniform
  always gives the same resample.
* Ranks: 1 is best; ties share the lowest rank. Percentiles of ranks use linear
  interpolation (NumPy's default).
* When every declared input is categorical (alternatives and leaving one indicator
  out, no perturbation and no resampling), replications that decode to the same
  choices are the same index: each distinct design point is evaluated once and
  its ranks are mapped back to its replications (rank percentiles from the
  counts of each distinct point). The results equal evaluating every
  replication (``distinct=False``).
* Sobol points keep their balance properties only in powers of 2: a replication
  count that is not one is rounded up to the next, and the result's ``notes``
  say so.
* With no uncertain input declared (``Uncertainty()`` or None), the defaults of
  :meth:`Uncertainty.default` are used: the recipe's weighting method and the
  other two of entropy, CRITIC and equal weights, leaving one indicator out, and
  a ±20 % weight perturbation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..extras import require
from ..panel.core import Panel
from .settings import CATEGORICAL
from .settings import imputed_base_panel as _imputed

INPUTS = (
    "impute",
    "normalise",
    "weights",
    "aggregate",
    "leave_one_out",
    "weight_perturbation",
    "bootstrap",
)
BATCH_AGGREGATES = ("sum", "geometric", "topsis", "gra")
DATA_DRIVEN = ("entropy", "critic", "cv", "sd")
DEFAULT_WEIGHTS = ("entropy", "critic", "equal")
DEFAULT_PERTURB = 0.2
DEFAULT_SAMPLES = 1024
_SMALL_BLAS = 50_000_000  # design points x cells below which BLAS runs one thread
# single weighting methods whose leave-one-out weights follow from the full data
_INFO = {"entropy": "d", "sd": "sigma", "cv": "cv"}
_LOO_DERIVED = ("entropy", "sd", "cv", "critic")


@dataclass(frozen=True)
class Uncertainty:
    """The uncertain inputs of an index, each a list of alternatives or a switch.

    Parameters
    ----------
    impute : tuple of str
        Imputation methods (first = base). A method may chain several with
        ``+`` (e.g. ``"linear+nearest"``). Empty: the data must be complete.
    normalise, weights, aggregate : tuple of str
        Alternatives (first = base); empty: the recipe's method only.
    leave_one_out : bool
        Leave out one indicator at a time (or none).
    perturb : float, optional
        Weight perturbation ± this fraction (e.g. 0.25).
    dirichlet : float, optional
        Dirichlet weights around the base weights with this concentration
        (instead of ``perturb``).
    bootstrap : bool
        Resample units before computing data-driven weights.
    settings : dict, optional
        Any recipe setting by its dotted path with its alternatives (first =
        base), e.g. ``{"structure": ["flat", "hierarchical"], "treat.winmax":
        [5, 3, 8], "levels.index.aggregate": ["sum", "geometric"]}``.
    remove : tuple of str
        Dimensions or sub-dimensions that may be removed, one at a time (or
        none), as COINr's ``remove_elements``.
    level_perturb : dict, optional
        Noise on the weights of each level of the tree, e.g. ``{"dimension":
        0.2, "indicator": 0.1}``: the share of every node of that level within
        its parent is multiplied by 1 + p(2u − 1) (one u per node), the shares
        of siblings are renormalised, and each indicator's weight is the
        product of the shares down its path. Levels: ``dimension``,
        ``subdimension``, ``indicator``.

    Notes
    -----
    Settings, removals, a hierarchical base recipe or an aggregation other
    than sum, geometric, TOPSIS and GRA are evaluated through the index engine
    (:func:`nqpf.index.build_index`), one call per distinct design point; they
    take categorical inputs only (no perturbation, Dirichlet weights or
    bootstrap).
    """

    impute: tuple[str, ...] = ()
    normalise: tuple[str, ...] = ()
    weights: tuple[str, ...] = ()
    aggregate: tuple[str, ...] = ()
    leave_one_out: bool = False
    perturb: float | None = None
    dirichlet: float | None = None
    bootstrap: bool = False
    settings: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    level_perturb: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        sets = {}
        for path, alts in dict(self.settings or {}).items():
            vals = tuple(alts) if isinstance(alts, list | tuple) else (alts,)
            if len(vals) < 2:
                raise DataError(f"setting {path!r}: give at least two alternatives, got {vals}")
            if path in ("impute", "normalise", "weights", "aggregate"):
                raise DataError(f"give {path!r} alternatives as {path}=..., not in settings")
            sets[str(path)] = vals
        object.__setattr__(self, "settings", sets)
        rem = self.remove
        object.__setattr__(self, "remove", (rem,) if isinstance(rem, str) else tuple(rem))
        lp = {}
        for level, p in dict(self.level_perturb or {}).items():
            if level not in ("dimension", "subdimension", "indicator"):
                raise DataError(
                    f"level_perturb: unknown level {level!r}; use dimension, subdimension or "
                    "indicator"
                )
            if not (isinstance(p, int | float) and 0 < p < 1):
                raise DataError(f"level_perturb[{level!r}] must lie in (0, 1), got {p!r}")
            lp[level] = float(p)
        object.__setattr__(self, "level_perturb", lp)
        for name in ("impute", "normalise", "weights", "aggregate"):
            val = getattr(self, name)
            if isinstance(val, str):
                val = tuple(v.strip() for v in val.split(",") if v.strip())
            object.__setattr__(self, name, tuple(val))
            if len(set(getattr(self, name))) != len(getattr(self, name)):
                raise DataError(f"{name}: an alternative is listed twice: {getattr(self, name)}")
        from ..index.recipe import AGGREGATE

        bad = [a for a in self.aggregate if a not in AGGREGATE]
        if bad:
            raise DataError(f"unknown aggregation {bad}; choose among {', '.join(AGGREGATE)}")
        if "ahp" in " ".join(self.weights):
            raise DataError("AHP weights need pairwise matrices per node; use expert weights here")
        if self.perturb is not None and self.dirichlet is not None:
            raise DataError("choose weight perturbation (perturb) or Dirichlet weights, not both")
        if self.perturb is not None and not 0 < self.perturb < 1:
            raise DataError(f"perturb must lie in (0, 1), got {self.perturb}")
        if self.dirichlet is not None and not self.dirichlet > 0:
            raise DataError(f"dirichlet concentration must be positive, got {self.dirichlet}")

    @property
    def is_empty(self) -> bool:
        """True when no uncertain input is declared."""
        return not (
            self.impute
            or self.normalise
            or self.weights
            or self.aggregate
            or self.leave_one_out
            or self.perturb is not None
            or self.dirichlet is not None
            or self.bootstrap
            or self.settings
            or self.remove
            or self.level_perturb
        )

    def needs_engine(self, recipe: Any) -> bool:
        """True when replications must go through the index engine, not the batch."""
        return bool(
            self.settings
            or self.remove
            or getattr(recipe, "structure", "flat") != "flat"
            or getattr(recipe, "levels", None)
            or any(a not in BATCH_AGGREGATES for a in self.aggregate)
            or getattr(recipe, "aggregate", "sum") not in BATCH_AGGREGATES
        )

    @classmethod
    def default(cls, recipe: Any = None) -> Uncertainty:
        """The default analysis: weights {recipe's, entropy, CRITIC, equal} × leave one out × ±20 %.

        The recipe's weighting method stays the base (first) alternative; the others
        of entropy, CRITIC and equal weights follow, so the base case is the plain
        index of the recipe.
        """
        base = getattr(recipe, "weights", None) or "entropy"
        if "ahp" in base:
            raise DataError(
                f"no default robustness analysis for {base} weights (their pairwise matrices "
                "cannot follow a left-out indicator); declare the inputs, e.g. "
                "aggregate=('sum', 'geometric') or settings={'structure': [...]}"
            )
        alts = [base] + [w for w in DEFAULT_WEIGHTS if w != base]
        return cls(weights=tuple(alts), leave_one_out=True, perturb=DEFAULT_PERTURB)

    def to_dict(self) -> dict[str, Any]:
        return {
            "impute": list(self.impute),
            "normalise": list(self.normalise),
            "weights": list(self.weights),
            "aggregate": list(self.aggregate),
            "leave_one_out": self.leave_one_out,
            "perturb": self.perturb,
            "dirichlet": self.dirichlet,
            "bootstrap": self.bootstrap,
            "settings": {k: list(v) for k, v in self.settings.items()},
            "remove": list(self.remove),
            "level_perturb": dict(self.level_perturb),
        }


@dataclass
class RobustnessResult:
    """Rank distributions, stability and sensitivity of an index under uncertainty.

    Attributes
    ----------
    ranks : DataFrame
        ``unit, period, base_rank, median_rank, p05, p95, mean_rank, share_base``
        (share of replications in which the unit keeps its base rank).
    shifts : DataFrame
        ``replication, mean_abs_shift`` against the base case.
    sensitivity : DataFrame
        ``input, target, S1, ST, S1_low, S1_high, ST_low, ST_high`` (empty without
        ``sensitivity=True``). Targets are ``rank:UNIT:PERIOD`` for the last period
        and ``mean_abs_shift``.
    warnings : list of str
        Convergence warnings of the sensitivity estimates.
    notes : list of str
        What the analysis decided for the user: defaults used, a replication count
        rounded up to a power of 2, distinct design points evaluated once.
    """

    ranks: pd.DataFrame
    shifts: pd.DataFrame
    sensitivity: pd.DataFrame
    stability: pd.DataFrame
    warnings: list[str]
    params: dict[str, Any]
    base_scores: pd.DataFrame
    distinct_ranks: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    replication_point: np.ndarray | None = field(repr=False, default=None)
    notes: list[str] = field(default_factory=list)

    @property
    def rank_array(self) -> np.ndarray:
        """Ranks of every replication, (replications, units, periods).

        Built on request from the ranks of the distinct design points
        (``distinct_ranks``) and the point of each replication
        (``replication_point``; None when every replication was evaluated).
        """
        if self.replication_point is None:
            return self.distinct_ranks
        return self.distinct_ranks[self.replication_point]

    def to_frame(self) -> pd.DataFrame:
        return self.ranks

    def summary(self) -> pd.DataFrame:
        last = self.ranks[self.ranks["period"] == self.ranks["period"].max()]
        return pd.DataFrame(
            {
                "replications": [self.params["replications"]],
                "mean_abs_shift": [float(self.shifts["mean_abs_shift"].mean())],
                "median_interval_width": [float((last["p95"] - last["p05"]).median())],
                "units_keeping_rank_most_often": [int((last["share_base"] >= 0.5).sum())],
            }
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"ranks": self.ranks, "stability": self.stability, "shifts": self.shifts}
        if len(self.sensitivity):
            out["sensitivity"] = self.sensitivity
        return out

    def write(self, out_dir: str | Path, overwrite: bool = False) -> list[Path]:
        """ranks.csv, stability.csv, shifts.csv, sensitivity.csv, robustness.json, figure.png.

        Returns the paths written.
        """
        from ..analysis.run import write_result

        files = write_result(self, out_dir, overwrite=overwrite)
        meta = {**self.params, "warnings": self.warnings, "notes": self.notes}
        (Path(out_dir) / "robustness.json").write_text(
            json.dumps(meta, indent=2, ensure_ascii=False, default=str), "utf-8"
        )
        return [*files, Path(out_dir) / "robustness.json"]

    def plot(self, period: Any = None, top: int = 40):
        """Rank intervals (5–95 %) and medians per unit for a period, in base-rank order."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        period = self.ranks["period"].max() if period is None else period
        d = self.ranks[self.ranks["period"] == period].sort_values("base_rank").head(top)
        fig, ax = plt.subplots(figsize=(7, max(3, 0.22 * len(d) + 1)))
        y = np.arange(len(d))
        ax.hlines(y, d["p05"], d["p95"], color="0.6", lw=3, label="5–95 % of replications")
        ax.plot(d["median_rank"], y, "o", color="C0", ms=4, label="median rank")
        ax.plot(d["base_rank"], y, "x", color="C3", ms=5, label="base case")
        ax.set_yticks(y, d["unit"], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("rank")
        ax.set_title(f"Rank uncertainty, {period} ({self.params['replications']} replications)")
        ax.legend(fontsize=7, loc="lower right")
        fig.tight_layout()
        return fig


# ---------------------------------------------------------------------- sampling
@dataclass
class _Space:
    names: list[str]
    dims: list[int]
    options: dict[str, list[Any]]
    categorical: list[str] = field(default_factory=lambda: list(CATEGORICAL))

    @property
    def D(self) -> int:
        return int(sum(self.dims))


def _space(
    unc: Uncertainty, recipe, k: int, indicators: list[str], framework: Any = None
) -> _Space:
    opts: dict[str, list[Any]] = {}
    opts["impute"] = list(unc.impute) or [None]
    opts["normalise"] = list(unc.normalise) or [recipe.normalise]
    opts["weights"] = list(unc.weights) or [recipe.weights]
    opts["aggregate"] = list(unc.aggregate) or [recipe.aggregate]
    opts["leave_one_out"] = [None] + (indicators if unc.leave_one_out else [])
    for path, alts in unc.settings.items():
        opts[path] = list(alts)
    if unc.remove:
        opts["remove"] = [None, *unc.remove]
    names, dims = [], []
    for name in opts:
        if len(opts[name]) > 1:
            names.append(name)
            dims.append(1)
    if unc.perturb is not None or unc.dirichlet is not None:
        names.append("weight_perturbation")
        dims.append(k)
    if unc.bootstrap:
        names.append("bootstrap")
        dims.append(1)
    if unc.level_perturb:
        names.append("level_perturbation")
        if framework is None:
            raise DataError("level_perturb needs the framework")
        dims.append(len(_LevelTree(framework, unc.level_perturb).nodes))
    if not names:
        raise DataError(
            "no uncertain input declared: give alternatives, leave_one_out, "
            "perturb, dirichlet or bootstrap"
        )
    return _Space(names, dims, opts, list(opts))


def _decode(U: np.ndarray, space: _Space) -> dict[str, np.ndarray]:
    """Uniforms (R, D) → per-replication choices."""
    R = len(U)
    out: dict[str, np.ndarray] = {}
    col = 0
    blocks = {}
    for name, d in zip(space.names, space.dims, strict=True):
        blocks[name] = U[:, col : col + d]
        col += d
    for name in space.categorical:
        m = len(space.options[name])
        if name in blocks:
            out[name] = np.minimum((blocks[name][:, 0] * m).astype(int), m - 1)
        else:
            out[name] = np.zeros(R, dtype=int)
    out["perturb_u"] = blocks.get("weight_perturbation")
    if "level_perturbation" in blocks:
        out["level_u"] = blocks["level_perturbation"]
    if "bootstrap" in blocks:
        out["boot_seed"] = (blocks["bootstrap"][:, 0] * 2**31).astype(np.int64)
    return out


# ---------------------------------------------------------------------- evaluation
@dataclass
class _Prepared:
    """Normalised cubes and base weights, cached by the choices that make them."""

    panel: Panel
    framework: Any
    recipe: Any
    space: _Space
    unc: Uncertainty
    cubes: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    base_w: dict[tuple[int, int, int, int], np.ndarray] = field(default_factory=dict)
    full_stats: dict[tuple[int, int, int], dict] = field(default_factory=dict)
    engine: bool = False

    def cube(self, imp: int, nor: int) -> np.ndarray:
        key = (imp, nor)
        if key not in self.cubes:
            from ..framework import prepare
            from ..index.engine import _normalise_extra
            from ..index.normalise import normalise

            method = self.space.options["impute"][imp]
            p = self.panel
            if method is not None:
                from ..panel.impute import impute

                for m in method.split("+"):
                    p = impute(p, m.strip())
            fw = self.framework
            p = prepare(p, fw).sel(indicators=[i.id for i in fw.indicators])
            if np.isnan(p.values).any():
                u, t, j = np.argwhere(np.isnan(p.values))[0]
                raise DataError(
                    "robustness needs complete data after imputation; missing at unit "
                    f"{p.units[u]!r}, period {p.periods[t]!r}, indicator {p.indicators[j]!r}. "
                    "Add an imputation method (e.g. impute=('linear+nearest',))"
                )
            values = p.values
            if self.recipe.treat:
                from ..index.treat import treat

                values = treat(values, self.recipe.treat, indicators=list(p.indicators)).values
            dirs = np.array([i.direction for i in fw.indicators], dtype=float)
            base = None
            if self.recipe.panel_mode == "base-year":
                base = list(p.periods).index(self.recipe.base_period)
            res = normalise(
                values,
                dirs,
                self.space.options["normalise"][nor],
                panel_mode=self.recipe.panel_mode,
                base_period=base,
                shift=self.recipe.shift,
                names=list(p.indicators),
                periods=list(p.periods),
                constant=self.recipe.params.get("constant"),
                **_normalise_extra(
                    self.recipe.replace(normalise=self.space.options["normalise"][nor]),
                    list(p.units),
                ),
            )
            self.cubes[key] = np.asarray(res.values, dtype=float)
        return self.cubes[key]

    def weights(self, imp: int, nor: int, wm: int, loo: int) -> np.ndarray:
        key = (imp, nor, wm, loo)
        if key not in self.base_w:
            Z = self.cube(imp, nor)
            k = Z.shape[2]
            keep = np.ones(k, bool)
            if loo > 0:
                keep[loo - 1] = False
            spec = self.space.options["weights"][wm]
            w = np.zeros(k)
            if loo > 0 and spec in _LOO_DERIVED:
                w[keep] = self._left_out(imp, nor, wm, keep)
            else:
                w[keep] = _weights_for(
                    spec, Z.reshape(-1, k)[:, keep], self.framework, keep, self.recipe
                )
            self.base_w[key] = w
        return self.base_w[key]

    def _left_out(self, imp: int, nor: int, wm: int, keep: np.ndarray) -> np.ndarray:
        """Weights without one indicator, from the full data's statistics.

        Entropy, SD and CV information is computed column by column, so leaving an
        indicator out only renormalises the others; CRITIC's conflict of indicator
        j sums 1 − r_jk over the indicators kept, from the full correlation matrix.
        The same numbers as recomputing on the reduced data, to rounding.
        """
        from ..index.weights import weights as compute

        spec = self.space.options["weights"][wm]
        key = (imp, nor, wm)
        if key not in self.full_stats:
            Z = self.cube(imp, nor)
            kw = {"shift": self.recipe.params.get("entropy_shift")} if spec == "entropy" else {}
            res = compute(Z.reshape(-1, Z.shape[2]), spec, keep_arrays=True, **kw)
            self.full_stats[key] = res.details
        det = self.full_stats[key]
        if spec == "critic":
            live = ~np.asarray(det["is_constant"], bool) & keep
            r = np.where(live[None, :], 1.0 - np.nan_to_num(det["r"]), 0.0)
            info = np.where(live, det["sigma"] * r.sum(axis=1), 0.0)[keep]
        else:
            info = np.asarray(det[_INFO[spec]], float)[keep]
        tot = info.sum()
        if not tot > 0:
            raise DataError(
                f"{spec} weights are undefined once an indicator is left out: the others "
                "carry no information (constant or perfectly correlated)"
            )
        return info / tot


def _weights_for(spec: str, Zf: np.ndarray, fw, keep: np.ndarray, recipe) -> np.ndarray:
    from ..index.recipe import parse_weights
    from ..index.weights import combine, weights

    parts = []
    for p in parse_weights(spec):
        if p == "expert":
            parts.append(expert_leaf_weights(fw, keep))
        else:
            kw = {"shift": recipe.params.get("entropy_shift")} if p == "entropy" else {}
            parts.append(np.asarray(weights(Zf, p, keep_arrays=False, **kw).weights))
    if len(parts) == 1:
        return parts[0]
    return np.asarray(
        combine(parts[0], parts[1], method=recipe.combine, alpha=recipe.alpha).weights
    )


def expert_leaf_weights(framework, keep: np.ndarray | None = None) -> np.ndarray:
    """Effective expert weights of the kept indicators (products of node weights).

    An indicator left out gives its share to its siblings (the node's weights are
    renormalised over the children that still hold an indicator).
    """
    from ..index.engine import _tree

    root = _tree(framework)
    k = len(framework.indicators)
    keep = np.ones(k, bool) if keep is None else keep
    w = np.zeros(k)

    def rec(n, eff: float) -> None:
        if n.level == "indicator":
            w[n.leaf] = eff
            return
        live = [c for c in n.children if keep[c.leaves()].any()]
        given = [1.0 if len(n.children) == 1 else c.weight for c in live]
        if any(g is None for g in given):
            raise DataError(
                f"expert weights: node {n.id!r} has children without a weight; give weights "
                "in the framework"
            )
        tot = float(sum(given))
        for c, g in zip(live, given, strict=True):
            rec(c, eff * g / tot)

    rec(root, 1.0)
    return w[keep]


def _evaluate(prep: _Prepared, ch: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """Scores (len(rows), n_units, n_periods) of the replications ``rows``.

    Two stages: the weight vector of every replication (grouped by the choices
    that make its base weights: imputation, normalisation, weighting method,
    indicator left out; then resampling and perturbation), and the aggregation
    (grouped by imputation, normalisation and aggregation method).
    """
    if prep.engine:
        from .settings import evaluate_engine

        return evaluate_engine(prep, ch, rows)
    from .batch import batch_scores, bootstrap_weights

    n_u, n_t, k = prep.cube(0, 0).shape
    sub = {key: (v[rows] if v is not None else None) for key, v in ch.items()}
    W = np.empty((len(rows), k))
    wkeys = np.stack(
        [sub["impute"], sub["normalise"], sub["weights"], sub["leave_one_out"]], axis=1
    )
    for combo in np.unique(wkeys, axis=0):
        imp, nor, wm, loo = (int(x) for x in combo)
        sel = np.flatnonzero((wkeys == combo).all(axis=1))
        W[sel] = prep.weights(imp, nor, wm, loo)
        spec = prep.space.options["weights"][wm]
        if "boot_seed" in sub and spec in DATA_DRIVEN:
            keep = np.ones(k, bool)
            if loo > 0:
                keep[loo - 1] = False
            idx = resample_units(sub["boot_seed"][sel], n_u)
            Wb = np.zeros((len(sel), k))
            Wb[:, keep] = bootstrap_weights(
                prep.cube(imp, nor)[:, :, keep],
                spec,
                idx,
                shift=prep.recipe.params.get("entropy_shift"),
            )
            W[sel] = Wb
    if sub["perturb_u"] is not None:
        W = _perturb(W, sub["perturb_u"], prep.unc)
    if sub.get("level_u") is not None:
        W = _LevelTree(prep.framework, prep.unc.level_perturb).perturb(W, sub["level_u"])

    out = np.empty((len(rows), n_u, n_t))
    akeys = np.stack([sub["impute"], sub["normalise"], sub["aggregate"]], axis=1)
    panel_mode = "per-period" if prep.recipe.panel_mode == "per-period" else "pooled"
    kw = {key: prep.recipe.params[key] for key in ("rho", "zeros") if key in prep.recipe.params}
    for combo in np.unique(akeys, axis=0):
        imp, nor, agg = (int(x) for x in combo)
        sel = np.flatnonzero((akeys == combo).all(axis=1))
        method = prep.space.options["aggregate"][agg]
        out[sel] = batch_scores(prep.cube(imp, nor), W[sel], method, panel_mode=panel_mode, **kw)
    return out


def resample_units(seeds: np.ndarray, n: int) -> np.ndarray:
    """Bootstrap draws of n units for each seed: (len(seeds), n) indices in [0, n).

    Draw j of seed s is SplitMix64(s·2^32 + j) mod n (Steele, Lea and Flood 2014),
    a counter-based generator: the same seed always gives the same resample,
    whatever the chunking of replications, and all draws are computed at once.
    """
    s = np.asarray(seeds, dtype=np.uint64)[:, None]
    j = np.arange(n, dtype=np.uint64)[None, :]
    with np.errstate(over="ignore"):
        z = (s << np.uint64(32)) + j + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z % np.uint64(n)).astype(np.intp)


def _perturb(W: np.ndarray, U: np.ndarray, unc: Uncertainty) -> np.ndarray:
    live = W > 0
    if unc.perturb is not None:
        Wp = W * (1 + unc.perturb * (2 * U - 1))
    else:
        from scipy.stats import gamma

        k = live.sum(axis=1, keepdims=True)
        a = np.where(live, unc.dirichlet * k * W, 1.0)
        Wp = np.where(live, gamma.ppf(np.clip(U, 1e-12, 1 - 1e-12), a), 0.0)
    Wp = np.where(live, Wp, 0.0)
    return Wp / Wp.sum(axis=1, keepdims=True)


class _LevelTree:
    """Per-level weight noise: node shares within parents, perturbed and recomposed."""

    def __init__(self, framework: Any, levels: dict[str, float]) -> None:
        from ..index.engine import _tree

        root = _tree(framework)
        k = len(framework.indicators)
        nodes, parent, path_of = [], [], {}
        index = {}

        def rec(n, par: int, path: list[int]) -> None:
            for c in n.children:
                index[id(c)] = len(nodes)
                nodes.append(c)
                parent.append(par)
                here = [*path, index[id(c)]]
                if c.level == "indicator":
                    path_of[c.leaf] = here
                else:
                    rec(c, index[id(c)], here)

        rec(root, -1, [])
        self.all = nodes
        self.parent = np.asarray(parent)
        depth = max(len(v) for v in path_of.values())
        # paths padded with a dummy node (index len(nodes)) whose share is 1
        self.paths = np.full((k, depth), len(nodes))
        for j, pth in path_of.items():
            self.paths[j, : len(pth)] = pth
        self.member = np.zeros((len(nodes), k))
        for j, pth in path_of.items():
            self.member[pth, j] = 1.0
        self.nodes = [i for i, n in enumerate(nodes) if n.level in levels]
        self.amount = np.array([levels[nodes[i].level] for i in self.nodes])

    def perturb(self, W: np.ndarray, U: np.ndarray) -> np.ndarray:
        """Weights (R, k) with the shares of the perturbed nodes multiplied by 1 + p(2u − 1)."""
        sums = W @ self.member.T  # (R, nodes)
        psum = np.where(self.parent >= 0, sums[:, np.maximum(self.parent, 0)], 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(psum > 0, sums / psum, 0.0)
        f = np.ones_like(share)
        f[:, self.nodes] = 1.0 + self.amount * (2.0 * U - 1.0)
        g = share * f
        # renormalise among siblings (same parent)
        sib = np.zeros_like(g)
        for par in np.unique(self.parent):
            cols = np.flatnonzero(self.parent == par)
            sib[:, cols] = g[:, cols].sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            new = np.where(sib > 0, g / sib, 0.0)
        new = np.hstack([new, np.ones((len(W), 1))])
        out = np.prod(new[:, self.paths], axis=2)
        return out / out.sum(axis=1, keepdims=True)


def _ranks(scores: np.ndarray) -> np.ndarray:
    from .batch import ranks

    return ranks(scores)


# ---------------------------------------------------------------------- driver
def robustness(
    panel: Panel,
    framework: Any,
    uncertainty: Uncertainty | None = None,
    recipe: Any = None,
    replications: int = DEFAULT_SAMPLES,
    seed: int = 0,
    sensitivity: bool = False,
    n_boot: int = 500,
    backend: str = "local",
    scheduler: Any = None,
    chunk: int = 2048,
    distinct: bool = True,
) -> RobustnessResult:
    """Uncertainty (and sensitivity) analysis of the overall index's ranks.

    Parameters
    ----------
    panel : Panel
        Raw data holding the framework's series.
    framework : Framework or name
    uncertainty : Uncertainty, optional
        The uncertain inputs; None or an empty declaration runs
        :meth:`Uncertainty.default` (noted in ``result.notes``).
    recipe : Recipe, optional
        The base recipe (its structure must be ``flat``). Its ``params`` ``rho``
        (GRA) and ``zeros`` (``"shift"`` for geometric means of min-max data)
        reach every replication.
    replications : int
        Monte Carlo replications; with ``sensitivity=True`` the base sample size
        N of the Saltelli design, giving N·(d + 2) replications. Rounded up to a
        power of 2 (noted) so that the Sobol points stay balanced.
    seed : int
        Seed of the Sobol sequence (and through it of every resample).
    sensitivity : bool
        Estimate first-order (Saltelli 2010) and total-order (Jansen 1999) indices.
    backend : {"local", "dask"}
        ``dask`` spreads chunks of replications over a Dask cluster
        (``scheduler``: a ``distributed.Client``, an address, or None for a new
        LocalCluster). Results are identical to ``local`` for the same seed.
    distinct : bool, default True
        With categorical inputs only, evaluate each distinct design point once
        and map its ranks back; False evaluates every replication (same results).
    """
    from ..framework import load_framework
    from ..index import Recipe, build_index

    fw = load_framework(framework)
    recipe = recipe or Recipe()
    if backend not in ("local", "dask"):
        raise DataError(f"unknown backend {backend!r}; use local or dask")
    if (
        isinstance(replications, bool)
        or not isinstance(replications, int | np.integer)
        or replications < 2
    ):
        raise DataError(f"replications must be an integer ≥ 2, got {replications!r}")
    notes: list[str] = []
    if uncertainty is None or uncertainty.is_empty:
        uncertainty = Uncertainty.default(recipe)
        notes.append(
            "no uncertain input declared: ran the defaults (weights "
            f"{', '.join(uncertainty.weights)}; leave one indicator out; weights "
            f"perturbed by ±{DEFAULT_PERTURB:.0%})"
        )
    replications = int(replications)
    pow2 = 1 << (replications - 1).bit_length()
    if pow2 != replications:
        what = "base sample N" if sensitivity else "replications"
        notes.append(
            f"{what} rounded up from {replications} to {pow2}, a power of 2, so that the Sobol "
            "points keep their balance"
        )
        replications = pow2
    inds = [i.id for i in fw.indicators]
    space = _space(uncertainty, recipe, len(inds), inds, fw)
    prep = _Prepared(panel, fw, recipe, space, uncertainty)
    if uncertainty.needs_engine(recipe):
        continuous = [
            n for n in ("weight_perturbation", "bootstrap", "level_perturbation")
            if n in space.names
        ]
        if continuous:
            raise DataError(
                f"{' and '.join(continuous)} need the batched flat engine (flat structure, "
                "aggregation sum, geometric, TOPSIS or GRA, no settings or removals); with "
                "settings, removals or a hierarchical recipe give categorical inputs only"
            )
        prep.engine = True
        notes.append("replications evaluated through the index engine, one call per distinct point")

    from scipy.stats import qmc

    design = None
    if sensitivity:
        from .sensitivity import saltelli_design

        design = saltelli_design(space.names, space.dims, replications, seed=seed)
        U = design.matrix()
    else:
        U = qmc.Sobol(d=space.D, scramble=True, seed=seed).random(replications)
    choices = _decode(U, space)
    R = len(U)

    # base case: first alternative of everything, original weights
    cats = space.categorical
    base_ch = {key: np.zeros(1, dtype=int) for key in cats}
    base_ch["perturb_u"] = None
    base_scores = _evaluate(prep, base_ch, np.zeros(1, dtype=int))[0]

    # distinct design points (categorical inputs only) are evaluated once
    inv = counts = None
    ev_choices = choices
    if (
        distinct and choices["perturb_u"] is None and "boot_seed" not in choices
        and "level_u" not in choices
    ):
        # one mixed-radix code per replication; np.unique of a 1-D array is fast
        radix = [len(space.options[name]) for name in cats]
        code = np.zeros(R, dtype=np.int64)
        for name, m in zip(cats, radix, strict=True):
            code = code * m + choices[name]
        ucode, inv = np.unique(code, return_inverse=True)
        inv = inv.reshape(-1)
        counts = np.bincount(inv, minlength=len(ucode))
        ev_choices = {}
        rest = ucode.copy()
        for name, m in zip(cats[::-1], radix[::-1], strict=True):
            ev_choices[name] = rest % m
            rest //= m
        ev_choices["perturb_u"] = None
        notes.append(
            f"{R} replications hold {len(ucode)} distinct design points, each evaluated once"
        )
    n_eval = len(ev_choices["weights"])
    rows = np.arange(n_eval)
    chunks = [rows[i : i + chunk] for i in range(0, n_eval, chunk)]
    if backend == "local":
        cells = len(panel.units) * len(panel.periods) * len(inds)
        with _small_blas(n_eval * cells):
            parts = [_evaluate(prep, ev_choices, c) for c in chunks]
    else:
        parts = _dask_map(prep, ev_choices, chunks, scheduler)
    rk_e = _ranks(np.concatenate(parts, axis=0))
    base_rk = _ranks(base_scores[None])[0]
    shift_e = np.abs(rk_e - base_rk[None]).mean(axis=(1, 2))
    same_e = rk_e == base_rk[None]
    if counts is None:
        rk_last = rk_e[:, :, -1]
        q05, q50, q95 = np.percentile(rk_e, [5, 50, 95], axis=0)
        share = same_e.mean(axis=0)
        mean_rank = rk_e.mean(axis=0)
        shift = shift_e
    else:
        rk_last = rk_e[:, :, -1][inv]
        q05, q50, q95 = _expanded_percentiles(rk_e, counts, (5, 50, 95))
        share = np.tensordot(counts, same_e, axes=1) / R
        mean_rank = np.tensordot(counts, rk_e, axes=1) / R
        shift = shift_e[inv]

    units, periods = list(panel.units), list(panel.periods)
    uu, tt = np.meshgrid(np.arange(len(units)), np.arange(len(periods)), indexing="ij")
    ranks_df = (
        pd.DataFrame(
            {
                "unit": np.asarray(units, object)[uu.ravel()],
                "period": np.asarray(periods, object)[tt.ravel()],
                "base_rank": base_rk.ravel(),
                "median_rank": q50.ravel(),
                "p05": q05.ravel(),
                "p95": q95.ravel(),
                "mean_rank": mean_rank.ravel(),
                "share_base": share.ravel(),
            }
        )
        .sort_values(["period", "base_rank", "unit"])
        .reset_index(drop=True)
    )
    shifts = pd.DataFrame({"replication": np.arange(R), "mean_abs_shift": shift})
    stability = _stability(ranks_df)

    sens = pd.DataFrame(
        columns=["input", "target", "S1", "ST", "S1_low", "S1_high", "ST_low", "ST_high"]
    )
    warns: list[str] = []
    if design is not None:
        from .sensitivity import sobol_indices

        last = len(periods) - 1
        y = np.column_stack([rk_last.astype(float), shift])
        targets = [f"rank:{u}:{periods[last]}" for u in units] + ["mean_abs_shift"]
        sres = sobol_indices(y, design, n_boot=n_boot, seed=seed, target_names=targets)
        sens = sres.to_frame()
        warns = list(sres.warnings)

    # the base case must be the plain index
    ref = build_index(
        panel if uncertainty.impute == () else _imputed(prep), fw, _base_recipe(recipe, space)
    )
    base_df = ref.scores[ref.scores["node"] == "index"][["unit", "period", "score", "rank"]]
    want = ref.wide().reindex(index=units, columns=periods).to_numpy()
    if not np.allclose(want, base_scores, rtol=1e-9, atol=1e-12, equal_nan=True):
        raise RuntimeError("the batched base case differs from build_index; please report")
    params = {
        "replications": R,
        "samples": replications,
        "distinct_points": None if counts is None else len(counts),
        "seed": seed,
        "sensitivity": sensitivity,
        "inputs": space.names,
        "dims": space.dims,
        "uncertainty": uncertainty.to_dict(),
        "recipe": recipe.to_dict(),
        "framework": fw.id,
        "backend": backend,
        "sampler": "scipy.stats.qmc.Sobol (scrambled)",
        "design": "Saltelli 2010 (A, B, AB_i)" if sensitivity else "Sobol sequence",
        "estimators": "S1: Saltelli 2010; ST: Jansen 1999" if sensitivity else None,
    }
    return RobustnessResult(
        ranks_df, shifts, sens, stability, warns, params, base_df, rk_e, inv, notes=notes
    )


def _small_blas(size: int):
    """One BLAS thread for small evaluations.

    The matrix products of a few hundred design points are far too small for
    threaded BLAS: OpenBLAS's thread start-up and synchronisation then cost more
    than the product (tens of times more on a busy machine). Large batches keep
    the library's threads.
    """
    import contextlib

    if size > _SMALL_BLAS:
        return contextlib.nullcontext()
    try:  # optional: without it the library keeps its threads (same results, slower)
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()

    return threadpool_limits(limits=1, user_api="blas")


def _expanded_percentiles(
    values: np.ndarray, counts: np.ndarray, qs: tuple[float, ...]
) -> list[np.ndarray]:
    """Percentiles over axis 0 of ``values`` with row i repeated ``counts[i]`` times.

    Equal to ``np.percentile(np.repeat(values, counts, axis=0), q, axis=0)``
    (linear interpolation) without building the repeated array: order statistic
    p of the expanded sample is the sorted value whose cumulative count first
    exceeds p.
    """
    n = int(counts.sum())
    order = np.argsort(values, axis=0, kind="stable")
    v = np.take_along_axis(values, order, axis=0).astype(float)
    cum = np.cumsum(counts[order], axis=0)

    def stat(p: int) -> np.ndarray:
        idx = (cum <= p).sum(axis=0, keepdims=True)
        return np.take_along_axis(v, idx, axis=0)[0]

    out = []
    for q in qs:
        h = (q / 100.0) * (n - 1)
        lo = int(np.floor(h))
        hi = min(lo + 1, n - 1)
        a, b = stat(lo), stat(hi)
        t = h - lo  # NumPy's lerp, so that results equal np.percentile's bit for bit
        out.append(np.where(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t))
    return out


def _base_recipe(recipe: Any, space: _Space) -> Any:
    from .settings import with_settings

    return with_settings(
        recipe.replace(
            normalise=space.options["normalise"][0],
            weights=space.options["weights"][0],
            aggregate=space.options["aggregate"][0],
        ),
        {p: space.options[p][0] for p in space.categorical if p not in CATEGORICAL + ("remove",)},
    )


def _stability(ranks_df: pd.DataFrame) -> pd.DataFrame:
    """Per period: how many units keep their base rank, and interval widths."""
    d = ranks_df.assign(
        width=ranks_df["p95"] - ranks_df["p05"],
        within=(ranks_df["p05"] >= ranks_df["base_rank"] - 1)
        & (ranks_df["p95"] <= ranks_df["base_rank"] + 1),
    )
    g = d.groupby("period")
    out = pd.DataFrame(
        {
            "units": g.size(),
            "median_width": g["width"].median(),
            "max_width": g["width"].max(),
            "units_within_1": g["within"].sum().astype(int),
            "mean_share_base": g["share_base"].mean(),
        }
    )
    return out.reset_index()


def _dask_map(prep: _Prepared, choices: dict, chunks: list[np.ndarray], scheduler: Any):
    distributed = require("distributed", "dask", "backend='dask'")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster
    own = None
    client = scheduler
    if client is None:
        own = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        )
        client = Client(own)
    elif isinstance(client, str):
        client = Client(client)
    try:
        futures = client.map(
            _evaluate, [prep] * len(chunks), [choices] * len(chunks), chunks, pure=False
        )
        return client.gather(futures)
    finally:
        if own is not None:
            client.close()
            own.close()
