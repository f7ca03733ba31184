"""Coupling coordination degree of two or more systems.

For each unit and period, the development levels ``U_1 … U_n`` of ``n``
systems (e.g. new quality productive forces and high-quality development, or
the dimensions of one index), each in [0, 1], give

* the coupling degree ``C`` (how evenly the systems develop),
* the comprehensive coordination index ``T = Σ α_i U_i`` (their joint level),
* the coupling coordination degree ``D = √(C · T)``,

and ``D`` is classed into the ten coordination levels used in the Chinese
literature (:data:`LEVELS`).

Standard coupling degree
------------------------
``C = n · (Π_i U_i)^(1/n) / Σ_i U_i``: the geometric mean of the ``U_i`` over
their arithmetic mean, so ``0 ≤ C ≤ 1`` (AM–GM inequality) with ``C = 1``
exactly when all systems are at the same level. The equivalent written form
``C = {Π_i U_i / [(Σ_i U_i)/n]^n}^(1/n)`` is the same number; for two systems
both read ``C = 2√(U_1 U_2)/(U_1 + U_2) = {U_1 U_2 / [(U_1 + U_2)/2]²}^(1/2)``.
Liu (2017) found about half of 379 papers computing ``C`` wrongly, and Wang
et al. (2021) class the misuses as writing errors, lost coefficients, misused
weights and model failure; the mistakes this implementation avoids are:

1. *Dropping the coefficient* ``n`` (or the ``/n`` inside the bracket):
   ``C = [Π U_i / (Σ U_i)^n]^(1/n)`` never exceeds ``1/n`` — 0.5 for two
   systems, written ``C = {U_1 U_2 / (U_1 + U_2)²}^(1/2)``, and 1/3 for three —
   so every unit lands in the "low coupling" classes.
2. *Pairwise sums* for three systems:
   ``C = 3 {U_1 U_2 U_3 / [(U_1 + U_2)(U_1 + U_3)(U_2 + U_3)]}^(1/3)`` reaches
   1.5 at equal levels (and 0.5 without the 3), so ``C`` leaves [0, 1].
3. *A wrong exponent*: ``C = {Π U_i / [(Σ U_i)/n]^n}^k`` with ``k ≠ 1/n``
   (``k = 2`` as an "adjustment coefficient", or ``k = 1/2`` with three
   systems) equals ``C_standard^(n k)``: still in [0, 1] but pushed towards 0
   (``nk > 1``) or 1 (``nk < 1``), which moves units across the level bands.
4. *Weights inside C*: the contribution weights ``α_i`` belong to ``T`` only.

Every ``C`` returned here is checked to lie in [0, 1].

Modified coupling degree (``variant="wang2021"``)
-----------------------------------------------
Wang et al. (2021) show that the standard ``C`` bunches near 1 (for two
systems ``C ≥ 0.8`` whenever the smaller level is at least a quarter of the
larger) and propose

``C = √{ [1 − Σ_{i>j} |U_i − U_j| / Σ_{m=1}^{n−1} m] · [Π_i (U_i / max_j U_j)]^(1/(n−1)) }``

The first factor is one minus the mean absolute difference over the
``n(n−1)/2`` pairs (``Σ_{m=1}^{n−1} m = n(n−1)/2``); the second is the product
of each level relative to the largest, with exponent ``1/(n−1)``. Both lie
in [0, 1]. For two systems ``C = √[(1 − |U_1 − U_2|) · min U / max U]``; at
``(0.3, 0.6)`` the standard ``C`` is 0.942809 and the modified one 0.591608.

Conventions
-----------
* Levels must lie in [0, 1]; with ``normalise=True`` each system is first
  min-max scaled over the pooled panel (all units and periods).
* When every ``U_i`` of a unit-period is 0, ``C`` is undefined (0/0); it is
  set to 0 (no development to couple), ``D`` is 0 either way, and the
  unit-periods are listed in ``params["all_zero"]``.
* Level bands are left-closed by default, ``[0.0, 0.1) … [0.8, 0.9), [0.9,
  1.0]``; ``closed="right"`` gives ``[0, 0.1], (0.1, 0.2] … (0.9, 1.0]`` as
  written in many papers.

References
----------
Liao Chongbin 廖重斌 (1999). 环境与经济协调发展的定量评判及其分类体系——以珠江三角洲城市群为例.
*热带地理* (Tropical Geography) 19(2): 171–177 (the coordination degree and its
ten-class scale).

Liu Chunlin 刘春林 (2017). 耦合度计算的常见错误分析 (An analysis of common errors in
computing the coupling degree): of 379 CNKI papers using the static coupling
model, about half computed C wrongly.

Wang Shujia 王淑佳, Kong Wei 孔伟, Ren Liang 任亮, Zhi Dandan 治丹丹, Dai Binting
戴彬婷 (2021). 国内耦合协调度模型的误区及修正 (Research on misuses and modification of
coupling coordination degree model in China). *自然资源学报* (Journal of Natural
Resources) 36(3): 793–810. doi:10.31497/zrzyxb.20210319.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ._input import values_frame

VARIANTS = ("standard", "wang2021")

#: The ten coordination levels of D (Liao 1999, names as commonly used since):
#: (level, zh, en, stage_zh, stage_en); level k covers D from (k − 1)/10 to k/10.
LEVELS: tuple[tuple[int, str, str, str, str], ...] = (
    (1, "极度失调", "extreme imbalance", "失调衰退", "imbalanced decline"),
    (2, "严重失调", "severe imbalance", "失调衰退", "imbalanced decline"),
    (3, "中度失调", "moderate imbalance", "失调衰退", "imbalanced decline"),
    (4, "轻度失调", "mild imbalance", "失调衰退", "imbalanced decline"),
    (5, "濒临失调", "on the verge of imbalance", "失调衰退", "imbalanced decline"),
    (6, "勉强协调", "barely coordinated", "协调发展", "coordinated development"),
    (7, "初级协调", "primary coordination", "协调发展", "coordinated development"),
    (8, "中级协调", "intermediate coordination", "协调发展", "coordinated development"),
    (9, "良好协调", "good coordination", "协调发展", "coordinated development"),
    (10, "优质协调", "high-quality coordination", "协调发展", "coordinated development"),
)


def coordination_levels(closed: str = "left") -> pd.DataFrame:
    """The ten coordination levels of D as a bilingual table.

    Columns ``level, lower, upper, interval, name_zh, name_en, stage_zh,
    stage_en``. Source: Liao (1999), ten equal bands of width 0.1; the stage
    is the suffix of the class names in that scheme (失调衰退类 for D < 0.5,
    协调发展类 from 0.5).

    Parameters
    ----------
    closed : {"left", "right"}
        ``"left"``: ``[a, b)`` with the last band ``[0.9, 1.0]``;
        ``"right"``: ``(a, b]`` with the first band ``[0.0, 0.1]``.
    """
    _check_closed(closed)
    rows = []
    for lvl, zh, en, szh, sen in LEVELS:
        lo, hi = (lvl - 1) / 10, lvl / 10
        if closed == "left":
            iv = f"[{lo:.1f}, {hi:.1f}" + ("]" if lvl == 10 else ")")
        else:
            iv = ("[" if lvl == 1 else "(") + f"{lo:.1f}, {hi:.1f}]"
        rows.append((lvl, lo, hi, iv, zh, en, szh, sen))
    return pd.DataFrame(
        rows,
        columns=["level", "lower", "upper", "interval", "name_zh", "name_en", "stage_zh",
                 "stage_en"],
    )


def _check_closed(closed: str) -> None:
    if closed not in ("left", "right"):
        raise DataError(f"closed must be 'left' or 'right', not {closed!r}")


def level_of(d: np.ndarray | float, closed: str = "left") -> np.ndarray:
    """The coordination level (1–10) of each D in [0, 1] (see :func:`coordination_levels`)."""
    _check_closed(closed)
    d = np.asarray(d, dtype=float)
    edges = np.arange(1, 10) / 10
    side = "right" if closed == "left" else "left"
    return np.searchsorted(edges, d, side=side) + 1


@dataclass
class CouplingResult:
    """Coupling degree C, coordination index T and coupling coordination degree D.

    Attributes
    ----------
    table : DataFrame
        ``unit, period, U_<system>…, C, T, D, level, level_zh, level_en, stage,
        stage_zh``.
    systems : list of str
    alpha : dict
        Contribution weight of each system in T.
    params : dict
        Variant, weights, normalisation (with the pooled min and max per system),
        band closure, join, unit-periods left out and all-zero unit-periods.
    """

    table: pd.DataFrame
    systems: list[str]
    alpha: dict[str, float]
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def levels(self) -> pd.DataFrame:
        return coordination_levels(self.params.get("closed", "left"))

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"coupling": self.table, "coupling_levels": self.levels()}

    def summary(self) -> pd.DataFrame:
        """Per period: units, mean C, T and D, lowest and highest D, the most frequent level."""
        g = self.table.groupby("period", sort=True)
        out = pd.DataFrame(
            {
                "units": g["unit"].count(),
                "C_mean": g["C"].mean(),
                "T_mean": g["T"].mean(),
                "D_mean": g["D"].mean(),
                "D_min": g["D"].min(),
                "D_max": g["D"].max(),
                "modal_level": g["level"].agg(lambda s: int(s.value_counts().sort_index()
                                                            .idxmax())),
            }
        ).reset_index()
        names = {lvl: en for lvl, _, en, _, _ in LEVELS}
        out["modal_level_en"] = out["modal_level"].map(names)
        return out

    def plot(self, units: Sequence[str] | None = None, **kw: Any):
        """D over periods: the mean over units with its range, and chosen units as lines."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=kw.pop("figsize", (7, 4)))
        ax = fig.add_subplot()
        s = self.summary()
        ax.fill_between(s["period"], s["D_min"], s["D_max"], alpha=0.2, label="range of D")
        ax.plot(s["period"], s["D_mean"], marker="o", label="mean D")
        for u in units or []:
            d = self.table[self.table["unit"] == u]
            if d.empty:
                raise DataError(f"unit {u!r} is not in the coupling table")
            ax.plot(d["period"], d["D"], label=str(u))
        for lvl in range(1, 10):
            ax.axhline(lvl / 10, color="grey", lw=0.4, alpha=0.5)
        ax.set_xlabel("period")
        ax.set_ylabel("coupling coordination degree D")
        ax.set_ylim(0, 1)
        ax.legend(fontsize="small")
        return fig


def coupling(
    systems: Any,
    alpha: Mapping[str, float] | Sequence[float] | None = None,
    variant: str = "standard",
    normalise: bool = False,
    closed: str = "left",
    join: str = "exact",
    value: str | None = None,
    node: str | None = None,
) -> CouplingResult:
    """Coupling coordination degree of ``n ≥ 2`` systems for every unit and period.

    See the module notes for the formulas, the mistakes avoided, and sources.

    Parameters
    ----------
    systems : mapping, DataFrame or IndexResult
        * a mapping ``name → data``, each anything
          :func:`~nqpf.analysis._input.values_frame` takes (an index result, a
          panel with one indicator, a ``unit, period, value`` table or
          ``scores.csv``);
        * a wide table with columns ``unit``, ``period`` and one column per
          system;
        * an index result: its dimensions are the systems (coupling among the
          dimensions of one index).
    alpha : mapping or sequence, optional
        Contribution weight of each system in ``T``; non-negative, summing to
        1. Default equal weights ``1/n``.
    variant : {"standard", "wang2021"}
        The coupling degree ``C`` (module notes).
    normalise : bool
        Min-max scale each system over the pooled panel first; without it, a
        level outside [0, 1] is an error.
    closed : {"left", "right"}
        Closure of the level bands.
    join : {"exact", "inner"}
        ``"exact"``: every system must cover the same unit-periods (else an
        error names those missing); ``"inner"``: keep the unit-periods all
        systems cover (the rest are counted in ``params["dropped"]``).
    value, node : str, optional
        Value column and node of tables passed in a mapping (default: a
        ``value`` column, else ``score``; node ``index`` for ``scores.csv``).

    Returns
    -------
    CouplingResult

    Raises
    ------
    DataError
        Fewer than two systems, weights that do not sum to 1, levels outside
        [0, 1], missing levels, a constant system under ``normalise=True``.
    """
    if variant not in VARIANTS:
        raise DataError(f"unknown coupling variant {variant!r}; use one of {', '.join(VARIANTS)}")
    _check_closed(closed)
    if join not in ("exact", "inner"):
        raise DataError(f"join must be 'exact' or 'inner', not {join!r}")
    wide, dropped = _wide(systems, join, value, node)
    names = [c for c in wide.columns if c not in ("unit", "period")]
    n = len(names)
    if n < 2:
        raise DataError(f"coupling needs at least two systems, got {n}: {names}")
    a = _alpha(alpha, names)
    U = wide[names].to_numpy(dtype=float)  # a new array: the caller's data is not touched
    params: dict[str, Any] = {
        "variant": variant,
        "alpha": dict(zip(names, a.tolist(), strict=True)),
        "normalise": "minmax-pooled" if normalise else None,
        "closed": closed,
        "join": join,
        "dropped": dropped,
        "n_systems": n,
        "levels_source": "Liao (1999), ten bands of width 0.1",
    }
    if normalise:
        lo, hi = U.min(axis=0), U.max(axis=0)
        flat = hi <= lo
        if flat.any():
            j = int(np.flatnonzero(flat)[0])
            raise DataError(
                f"system {names[j]!r} has the same value ({lo[j]}) in every unit and period; "
                "min-max scaling is undefined"
            )
        U = (U - lo) / (hi - lo)
        params["minmax"] = {nm: (float(lo[j]), float(hi[j])) for j, nm in enumerate(names)}
    else:
        bad = (U < 0) | (U > 1)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise DataError(
                f"system {names[j]!r} is {U[i, j]} for unit {_py(wide['unit'].iloc[i])!r}, period "
                f"{_py(wide['period'].iloc[i])!r}: levels must lie in [0, 1] "
                f"({int(bad.sum())} value(s) outside); pass normalise=True to min-max scale "
                "each system over the panel"
            )
    C = coupling_degree(U, variant)
    T = U @ a
    D = np.sqrt(C * T)
    zero = U.max(axis=1) == 0
    params["all_zero"] = [
        (str(u), _py(p)) for u, p in zip(wide["unit"][zero], wide["period"][zero], strict=True)
    ]
    lvl = level_of(D, closed)
    zh = {k: z for k, z, _, _, _ in LEVELS}
    en = {k: e for k, _, e, _, _ in LEVELS}
    stage = {k: s for k, _, _, _, s in LEVELS}
    stage_zh = {k: s for k, _, _, s, _ in LEVELS}
    out = pd.DataFrame({"unit": wide["unit"].to_numpy(), "period": wide["period"].to_numpy()})
    for j, nm in enumerate(names):
        out[f"U_{nm}"] = U[:, j]
    out["C"] = C
    out["T"] = T
    out["D"] = D
    out["level"] = lvl
    out["level_zh"] = [zh[k] for k in lvl]
    out["level_en"] = [en[k] for k in lvl]
    out["stage"] = [stage[k] for k in lvl]
    out["stage_zh"] = [stage_zh[k] for k in lvl]
    out = out.sort_values(["period", "unit"]).reset_index(drop=True)
    return CouplingResult(out, names, params["alpha"], params)


def coupling_degree(U: np.ndarray, variant: str = "standard") -> np.ndarray:
    """Coupling degree C of each row of ``U`` (rows: observations, columns: systems in [0, 1]).

    ``"standard"``: ``n (Π U)^(1/n) / Σ U``; ``"wang2021"``: the modified form of
    Wang et al. (2021) (module notes). A row of zeros gives 0.
    """
    if variant not in VARIANTS:
        raise DataError(f"unknown coupling variant {variant!r}; use one of {', '.join(VARIANTS)}")
    U = np.atleast_2d(np.asarray(U, dtype=float))
    n = U.shape[1]
    if n < 2:
        raise DataError("the coupling degree needs at least two systems")
    if np.isnan(U).any() or (U < 0).any() or (U > 1).any():
        raise DataError("levels of the systems must be numbers in [0, 1]")
    total = U.sum(axis=1)
    zero = total == 0
    safe = np.where(zero[:, None], 1.0, U)
    if variant == "standard":
        gm = np.prod(safe, axis=1) ** (1.0 / n)
        C = n * gm / np.where(zero, 1.0, total)
    else:
        i, j = np.triu_indices(n, k=1)
        spread = np.abs(safe[:, i] - safe[:, j]).sum(axis=1) / (n * (n - 1) / 2)
        rel = np.prod(safe / safe.max(axis=1, keepdims=True), axis=1) ** (1.0 / (n - 1))
        C = np.sqrt(np.clip(1.0 - spread, 0.0, None) * rel)
    C = np.where(zero, 0.0, C)
    # C ≤ 1 holds exactly (AM–GM; both factors of the modified form are ≤ 1); clip rounding only
    if (C > 1 + 1e-12).any() or (C < 0).any():  # pragma: no cover - guarded by the algebra
        raise DataError("internal error: coupling degree outside [0, 1]")
    return np.minimum(C, 1.0)


def _alpha(alpha: Any, names: list[str]) -> np.ndarray:
    n = len(names)
    if alpha is None:
        return np.full(n, 1.0 / n)
    if isinstance(alpha, Mapping):
        extra = [k for k in alpha if k not in names]
        missing = [k for k in names if k not in alpha]
        if extra or missing:
            raise DataError(
                f"alpha must give a weight to each system {names}; missing {missing}, "
                f"unknown {extra}"
            )
        a = np.array([float(alpha[k]) for k in names])
    else:
        a = np.asarray(list(alpha), dtype=float)
        if a.shape != (n,):
            raise DataError(f"alpha has {a.size} weights for {n} systems {names}")
    if not np.isfinite(a).all() or (a < 0).any():
        raise DataError(f"alpha weights must be non-negative numbers, got {a.tolist()}")
    if abs(a.sum() - 1.0) > 1e-9:
        raise DataError(f"alpha weights must sum to 1, they sum to {a.sum():.6g}")
    return a


def _wide(systems: Any, join: str, value: str | None, node: str | None):
    """One row per unit-period, one column per system, with the join rule applied."""
    if hasattr(systems, "scores") and hasattr(systems, "recipe"):  # IndexResult: its dimensions
        s = systems.scores
        dims = s[s["level"] == "dimension"]
        if dims["node"].nunique() < 2:
            raise DataError("the index result has fewer than two dimensions to couple")
        wide = dims.pivot(index=["unit", "period"], columns="node", values="score")
        wide = wide[list(pd.unique(dims["node"]))].reset_index()
        wide.columns.name = None
    elif isinstance(systems, pd.DataFrame):
        missing = [c for c in ("unit", "period") if c not in systems.columns]
        if missing:
            raise DataError(
                f"a wide table of systems needs columns unit and period (lacks {missing}) "
                "and one column per system"
            )
        cols = [c for c in systems.columns if c not in ("unit", "period")]
        frames = {str(c): systems[["unit", "period", c]].rename(columns={c: "value"})
                  for c in cols}
        return _join({k: values_frame(v) for k, v in frames.items()}, join)
    elif isinstance(systems, Mapping):
        frames = {}
        for k, v in systems.items():
            if isinstance(v, pd.DataFrame):
                col = value or ("value" if "value" in v.columns else "score")
                frames[str(k)] = values_frame(v, value=col, node=node)
            else:
                frames[str(k)] = values_frame(v, node=node)
        return _join(frames, join)
    else:
        raise DataError(
            "systems must be a mapping name → values, a wide table (unit, period, one column "
            f"per system) or an index result, not {type(systems).__name__}"
        )
    return _check_complete(wide, join)


def _join(frames: dict[str, pd.DataFrame], join: str):
    if len(frames) < 2:
        raise DataError(f"coupling needs at least two systems, got {list(frames)}")
    wide = None
    for name, f in frames.items():
        f = f.rename(columns={"value": name})
        wide = f if wide is None else wide.merge(f, on=["unit", "period"], how="outer")
    return _check_complete(wide, join)


def _check_complete(wide: pd.DataFrame, join: str):
    names = [c for c in wide.columns if c not in ("unit", "period")]
    miss = wide[names].isna()
    dropped = 0
    if miss.any().any():
        if join == "exact":
            i = int(np.flatnonzero(miss.any(axis=1).to_numpy())[0])
            lacking = [c for c in names if miss.iloc[i][c]]
            raise DataError(
                f"{int(miss.any(axis=1).sum())} unit-period(s) lack a level for some system, "
                f"e.g. unit {_py(wide['unit'].iloc[i])!r}, period "
                f"{_py(wide['period'].iloc[i])!r} has none for {lacking}; give every system "
                "the same units and periods, or pass "
                "join='inner' to keep those all systems cover"
            )
        keep = ~miss.any(axis=1)
        dropped = int((~keep).sum())
        wide = wide[keep]
        if wide.empty:
            raise DataError("the systems share no unit-period")
    return wide.sort_values(["period", "unit"]).reset_index(drop=True), dropped


def _py(x: Any) -> Any:
    """A numpy scalar as the plain Python value (for messages and params)."""
    return x.item() if isinstance(x, np.generic) else x
