"""Metafrontier DEA: group frontiers, the metafrontier, technology gap ratios and the
metafrontier Malmquist / global Malmquist–Luenberger index.

**Levels** (O'Donnell, Rao & Battese 2008; Battese, Rao & O'Donnell 2004). Units belong
to groups (regions, belts, classes) that may operate different technologies. Each
observation is evaluated against its own group's frontier (group efficiency ``E^k``) and
against the metafrontier, the frontier of the observations of all groups together (meta
efficiency ``E^*``), with the same model, returns to scale and frontier convention
(contemporaneous, sequential, window, global or biennial reference periods). The
technology gap ratio is

.. math:: TGR = E^* / E^k \\le 1, \\qquad E^* = E^k \\times TGR,

for any model whose score does not rise when the technology grows: radial (Farrell input
theta or output ``1/phi``), SBM ``rho`` and the directional ``1/(1+beta)``. Super-efficiency
models are not offered here (their score is not monotone in the reference set in the same
way, and ``TGR <= 1`` would not hold).

**Index** (Oh & Lee 2010; with directional distances and bad outputs, the metafrontier
global Malmquist–Luenberger index of Oh 2010 and Oh & Lee 2010). Three technologies per
group ``R``: contemporaneous ``C`` (group ``R`` in period ``t``), intertemporal ``I`` (group
``R`` over all periods) and global ``G`` (all groups, all periods). For a unit from period
``a`` to ``b``, with Farrell-type efficiencies ``E`` (> 1 progress):

.. math::
   MI = \\frac{E^G(o_b)}{E^G(o_a)}
      = \\underbrace{\\frac{E^C(o_b)}{E^C(o_a)}}_{EC}
        \\times \\underbrace{\\frac{E^I(o_b)/E^C(o_b)}{E^I(o_a)/E^C(o_a)}}_{BPC}
        \\times \\underbrace{\\frac{E^G(o_b)/E^I(o_b)}{E^G(o_a)/E^I(o_a)}}_{TGC}

EC is within-group efficiency change, BPC the best-practice gap change (within-group
technical change: the group frontier moving towards the group's intertemporal frontier)
and TGC the technology gap change (``TGR = E^G/E^I`` of O'Donnell et al. 2008 on the
intertemporal frontiers; TGC > 1: the group catches up with the metafrontier). The product
holds exactly by construction. With ``model="ddf"`` or ``"nddf"`` and ``E = 1/(1+beta)`` the
index is the metafrontier global Malmquist–Luenberger index. Since every observation lies in
each of its three technologies, no program is infeasible (radial VRS and SBM included).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataError
from .api import dea
from .data import prepare

#: models that can be compared across nested technologies (TGR <= 1)
META_MODELS = ("ccr", "bcc", "radial", "sbm", "ddf", "nddf")


@dataclass
class MetafrontierResult:
    """Group and meta efficiencies and technology gap ratios.

    Attributes
    ----------
    efficiency : DataFrame
        ``unit, period, group, group_efficiency, meta_efficiency, tgr, status``.
    warnings : list of str
    params : dict
    """

    efficiency: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Mean group efficiency, meta efficiency and TGR by group and period."""
        e = self.efficiency[self.efficiency["status"] == "optimal"]
        g = e.groupby(["group", "period"], sort=True)
        return g.agg(n=("unit", "size"), group_efficiency=("group_efficiency", "mean"),
                     meta_efficiency=("meta_efficiency", "mean"),
                     tgr=("tgr", "mean")).reset_index()


@dataclass
class MetaProductivityResult:
    """The metafrontier Malmquist (or global ML) index and its three components.

    Attributes
    ----------
    index : DataFrame
        ``unit, group, period_from, period, index, ec, bpc, tgc, status``.
    levels : DataFrame
        ``unit, period, group, e_contemporaneous, e_intertemporal, e_global, tgr``
        (``tgr = e_global / e_intertemporal``).
    warnings, params
    """

    index: pd.DataFrame
    levels: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Geometric means of the index and components by group and period."""
        i = self.index[self.index["status"] == "optimal"]
        cols = ["index", "ec", "bpc", "tgc"]

        def gmean(s: pd.Series) -> float:
            return float(np.exp(np.log(s).mean()))

        return (i.groupby(["group", "period"], sort=True)[cols].agg(gmean).reset_index())


# ---------------------------------------------------------------------- groups
def unit_groups(data: Any, groups: Any, units: Sequence[str], unit: str = "unit") -> dict[str, str]:
    """A group for every unit from a column, a mapping, a Series or a ``unit, group`` table.

    Parameters
    ----------
    data : DataFrame or Panel
        The analysed data (used when ``groups`` names one of its columns).
    groups : str, mapping, Series or DataFrame
        A column of ``data`` constant within each unit; ``{unit: group}``; a Series indexed
        by unit; or a table with columns ``unit`` and ``group``. (Built-in groupings such as
        the four regions are resolved to a mapping by the caller,
        :func:`nqpf.analysis.groups_for`.)
    units : sequence of str
        Every unit that needs a group.
    """
    if isinstance(groups, str):
        if not isinstance(data, pd.DataFrame) or groups not in data.columns:
            raise DataError(
                f"groups {groups!r} is not a column of the data; give a column, a mapping "
                "unit -> group or a table with columns unit, group"
            )
        if unit not in data.columns:
            raise DataError(f"column {unit!r} is not in the data")
        pairs = data[[unit, groups]].dropna().astype(str).drop_duplicates()
        twice = pairs[pairs[unit].duplicated()][unit].unique().tolist()
        if twice:
            raise DataError(
                f"unit(s) {twice[:5]} change group in column {groups!r}; a metafrontier needs "
                "one group per unit"
            )
        mapping: Mapping[Any, Any] = dict(zip(pairs[unit], pairs[groups], strict=True))
    elif isinstance(groups, pd.DataFrame):
        cols = {str(c).strip().lower(): c for c in groups.columns}
        if "unit" not in cols or "group" not in cols:
            raise DataError(f"a groups table needs columns unit and group, has "
                            f"{list(groups.columns)}")
        u = groups[cols["unit"]].astype(str).str.strip()
        if u.duplicated().any():
            raise DataError(f"groups table lists unit(s) twice: {u[u.duplicated()].tolist()[:5]}")
        mapping = dict(zip(u, groups[cols["group"]], strict=True))
    elif isinstance(groups, pd.Series | Mapping):
        mapping = {str(k): v for k, v in groups.items()}
    else:
        raise DataError(f"groups must be a column name, a mapping, a Series or a table, not "
                        f"{type(groups).__name__}")
    lacking = [u for u in units if u not in mapping or pd.isna(mapping[u])]
    if lacking:
        raise DataError(f"{len(lacking)} unit(s) have no group: {lacking[:10]}; give every "
                        "unit a group")
    return {u: str(mapping[u]) for u in units}


def _wide(data: Any, inputs, outputs, bad, unit, period, model, dropna):
    d = prepare(data, inputs, outputs, bad, unit=unit, period=period, model=model,
                dropna=dropna)
    df = pd.DataFrame({"unit": d.units.astype(str), "period": d.periods})
    for j, c in enumerate(d.inputs):
        df[c] = d.X[:, j]
    for j, c in enumerate(d.outputs):
        df[c] = d.Y[:, j]
    for j, c in enumerate(d.bad):
        df[c] = d.B[:, j]
    return df, d


def _check_model(model: str) -> None:
    if str(model).lower() not in META_MODELS:
        raise DataError(f"the metafrontier takes model {', '.join(META_MODELS)}, not "
                        f"{model!r} (super-efficiency scores are not monotone in the "
                        "reference set, so TGR <= 1 would not hold)")


def _group_runs(df: pd.DataFrame, gmap: dict[str, str], cols, kw: dict[str, Any],
                frontier: str, window: int | None, warnings: list[str]) -> pd.DataFrame:
    """Efficiency of every observation against its own group's technology."""
    parts = []
    for g in sorted(set(gmap.values())):
        sub = df[df["unit"].map(gmap) == g]
        if sub["unit"].nunique() < 2:
            warnings.append(f"group {g!r} has {sub['unit'].nunique()} unit(s); its frontier "
                            "is the unit itself")
        r = dea(sub, *cols, unit="unit", period="period", frontier=frontier, window=window,
                **kw)
        warnings.extend(f"group {g!r}: {w}" for w in r.warnings)
        parts.append(r.efficiency[["unit", "period", "efficiency", "status"]])
    return pd.concat(parts, ignore_index=True)


def metafrontier(
    data: Any,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bad: str | Sequence[str] | None = None,
    *,
    groups: Any,
    unit: str = "unit",
    period: str = "period",
    model: str = "sbm",
    rts: str | None = None,
    orientation: str | None = None,
    frontier: str = "global",
    window: int | None = None,
    direction: Any = None,
    weights: Any = None,
    bad_disposal: str = "weak",
    dropna: bool = False,
) -> MetafrontierResult:
    """Group efficiency, meta efficiency and the technology gap ratio of every observation.

    Parameters
    ----------
    data, inputs, outputs, bad, unit, period
        As for :func:`~nqpf.efficiency.dea.dea`.
    groups : str, mapping, Series or DataFrame
        The group of each unit (see :func:`unit_groups`).
    model, rts, orientation, direction, weights, bad_disposal
        One of :data:`META_MODELS` and its options (:class:`~nqpf.efficiency.dea.DEASpec`).
    frontier, window
        Reference periods for both the group frontiers and the metafrontier; default
        ``global`` (all periods pooled, as in O'Donnell, Rao & Battese 2008).

    Returns
    -------
    MetafrontierResult
        ``tgr = meta_efficiency / group_efficiency`` (module docstring).
    """
    _check_model(model)
    inputs = [inputs] if isinstance(inputs, str) else list(inputs)
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    bad = [] if bad is None else ([bad] if isinstance(bad, str) else list(bad))
    df, d = _wide(data, inputs, outputs, bad, unit, period, model, dropna)
    warnings = list(d.notes)
    gmap = unit_groups(data, groups, sorted(set(df["unit"])), unit=unit)
    kw = {"model": model, "rts": rts, "orientation": orientation, "direction": direction,
          "weights": weights, "bad_disposal": bad_disposal}
    cols = (inputs, outputs, bad or None)
    grp = _group_runs(df, gmap, cols, kw, frontier, window, warnings)
    meta = dea(df, *cols, unit="unit", period="period", frontier=frontier, window=window,
               **kw)
    warnings.extend(f"metafrontier: {w}" for w in meta.warnings)
    out = meta.efficiency[["unit", "period", "efficiency", "status"]].merge(
        grp, on=["unit", "period"], suffixes=("_meta", "_group"))
    ok = (out["status_meta"] == "optimal") & (out["status_group"] == "optimal")
    status = np.where(ok, "optimal", np.where(out["status_group"] != "optimal",
                                              out["status_group"], out["status_meta"]))
    res = pd.DataFrame({
        "unit": out["unit"], "period": out["period"], "group": out["unit"].map(gmap),
        "group_efficiency": out["efficiency_group"], "meta_efficiency": out["efficiency_meta"],
        "tgr": np.where(ok, out["efficiency_meta"] / out["efficiency_group"], np.nan),
        "status": status,
    }).sort_values(["period", "unit"], kind="stable").reset_index(drop=True)
    params = {"model": model, "rts": rts, "orientation": orientation, "frontier": frontier,
              "window": window, "inputs": inputs, "outputs": outputs, "bad": bad,
              "groups": sorted(set(gmap.values())),
              "convention": "TGR = meta / group efficiency (O'Donnell, Rao & Battese 2008)"}
    return MetafrontierResult(res, warnings, params)


def metafrontier_productivity(
    data: Any,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bad: str | Sequence[str] | None = None,
    *,
    groups: Any,
    unit: str = "unit",
    period: str = "period",
    model: str | None = None,
    rts: str | None = None,
    orientation: str | None = None,
    direction: Any = None,
    weights: Any = None,
    bad_disposal: str = "weak",
    dropna: bool = False,
) -> MetaProductivityResult:
    """The metafrontier Malmquist index (Oh & Lee 2010) or, with directional distances,
    the metafrontier global Malmquist–Luenberger index, for consecutive observed periods.
    The parameters other than ``model`` are those of :func:`metafrontier`.

    Parameters
    ----------
    model : str, optional
        One of :data:`META_MODELS`; default ``ccr`` without bad outputs (output oriented,
        as the Malmquist index of :func:`~nqpf.efficiency.dea.productivity`) and ``ddf``
        with them (``g = (0, y, -b)``).

    Returns
    -------
    MetaProductivityResult
        ``index = ec * bpc * tgc`` (module docstring); ratios above 1 mean progress.
    """
    inputs = [inputs] if isinstance(inputs, str) else list(inputs)
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    bad = [] if bad is None else ([bad] if isinstance(bad, str) else list(bad))
    if model is None:
        model = "ddf" if bad else "ccr"
    _check_model(model)
    if orientation is None and str(model).lower() in ("ccr", "bcc", "radial"):
        orientation = "output"
    df, d = _wide(data, inputs, outputs, bad, unit, period, model, dropna)
    warnings = list(d.notes)
    gmap = unit_groups(data, groups, sorted(set(df["unit"])), unit=unit)
    kw = {"model": model, "rts": rts, "orientation": orientation, "direction": direction,
          "weights": weights, "bad_disposal": bad_disposal}
    cols = (inputs, outputs, bad or None)
    key = ["unit", "period"]
    ec = _group_runs(df, gmap, cols, kw, "contemporaneous", None, warnings)
    ei = _group_runs(df, gmap, cols, kw, "global", None, warnings)
    eg = dea(df, *cols, unit="unit", period="period", frontier="global", **kw)
    warnings.extend(f"metafrontier: {w}" for w in eg.warnings)
    lv = (ec.rename(columns={"efficiency": "e_contemporaneous", "status": "s_c"})
          .merge(ei.rename(columns={"efficiency": "e_intertemporal", "status": "s_i"}), on=key)
          .merge(eg.efficiency[[*key, "efficiency", "status"]]
                 .rename(columns={"efficiency": "e_global", "status": "s_g"}), on=key))
    ok = (lv[["s_c", "s_i", "s_g"]] == "optimal").all(axis=1)
    lv["status"] = np.where(ok, "optimal", "failed")
    lv["group"] = lv["unit"].map(gmap)
    lv["tgr"] = lv["e_global"] / lv["e_intertemporal"]
    levels = lv[["unit", "period", "group", "e_contemporaneous", "e_intertemporal", "e_global",
                 "tgr", "status"]].sort_values(key, kind="stable").reset_index(drop=True)
    periods = sorted(levels["period"].unique().tolist())
    nxt = {p: periods[i + 1] for i, p in enumerate(periods[:-1])}
    a = levels.assign(period_to=levels["period"].map(nxt)).dropna(subset=["period_to"])
    a["period_to"] = a["period_to"].astype(levels["period"].dtype)
    pair = a.merge(levels, left_on=["unit", "period_to"], right_on=["unit", "period"],
                   suffixes=("_a", "_b"))
    if pair.empty:
        raise DataError("no unit is observed in two consecutive periods; the index needs "
                        "each unit in at least two periods")
    c_a, c_b = pair["e_contemporaneous_a"], pair["e_contemporaneous_b"]
    i_a, i_b = pair["e_intertemporal_a"], pair["e_intertemporal_b"]
    g_a, g_b = pair["e_global_a"], pair["e_global_b"]
    good = (pair["status_a"] == "optimal") & (pair["status_b"] == "optimal")
    good &= (pd.concat([c_a, c_b, i_a, i_b, g_a, g_b], axis=1) > 0).all(axis=1)
    nan = np.nan
    idx = pd.DataFrame({
        "unit": pair["unit"], "group": pair["group_a"], "period_from": pair["period_a"],
        "period": pair["period_to"],
        "index": np.where(good, g_b / g_a, nan),
        "ec": np.where(good, c_b / c_a, nan),
        "bpc": np.where(good, (i_b / c_b) / (i_a / c_a), nan),
        "tgc": np.where(good, (g_b / i_b) / (g_a / i_a), nan),
        "status": np.where(good, "optimal", "failed"),
    }).sort_values(["unit", "period"], kind="stable").reset_index(drop=True)
    n_bad = int((idx["status"] != "optimal").sum())
    if n_bad:
        warnings.append(f"{n_bad} comparison(s) have a failed or non-positive efficiency; "
                        "their components are NaN")
    params = {"model": model, "rts": rts, "orientation": orientation, "inputs": inputs,
              "outputs": outputs, "bad": bad, "groups": sorted(set(gmap.values())),
              "index": "Metafrontier GML" if bad else "Metafrontier Malmquist",
              "decomposition": "index = EC x BPC x TGC (Oh & Lee 2010)",
              "convention": "ratios > 1 mean progress"}
    return MetaProductivityResult(idx, levels, warnings, params)
