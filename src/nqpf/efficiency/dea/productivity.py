"""Productivity indices from DEA distance functions: Malmquist, ML, GML and Luenberger.

Every index is built from distance functions of unit-period observations relative to
reference technologies, solved by :func:`nqpf.efficiency.dea.lp.solve`, with the reference
observations of each technology chosen by :func:`nqpf.efficiency.dea.frontier.reference_rows`.
Write ``E^F(o)`` for the efficiency of observation ``o`` relative to technology ``F``: the
Farrell efficiency for the radial models (input: theta; output: 1/phi; Färe, Grosskopf &
Lovell 1994), Tone's rho for ``sbm`` and ``super-sbm``, and ``1/(1 + beta)`` for the
directional models, where ``beta`` is the directional distance (Chung, Färe & Grosskopf 1997).
A unit's comparison runs from period ``a`` (observation ``o_a``) to a later period ``b``.

**Adjacent-frontier indices** (``frontier`` contemporaneous, sequential or window): the
technology of each period is ``F_a`` and ``F_b``; the index is the geometric mean of the two
indices of Färe, Grosskopf, Norris & Zhang (1994),

.. math:: M = \\Big[\\frac{E^{a}(o_b)}{E^{a}(o_a)}\\,\\frac{E^{b}(o_b)}{E^{b}(o_a)}\\Big]^{1/2}
          = \\underbrace{\\frac{E^{b}(o_b)}{E^{a}(o_a)}}_{EC}\\;
            \\underbrace{\\Big[\\frac{E^{a}(o_b)}{E^{b}(o_b)}\\,
            \\frac{E^{a}(o_a)}{E^{b}(o_a)}\\Big]^{1/2}}_{TC}.

Convention: indices are written with Farrell efficiencies (as DEAP 2.1 prints them, Coelli
1996) in both orientations, so **M > 1 is progress** whatever the orientation. With the
directional distance ``E = 1/(1+beta)`` this is exactly the Malmquist–Luenberger index of Chung,
Färe & Grosskopf (1997), ``ML = [(1+D^a(o_a))/(1+D^a(o_b)) · (1+D^b(o_a))/(1+D^b(o_b))]^{1/2}``,
with ``MLEC = (1+D^a(o_a))/(1+D^b(o_b))``. With SBM efficiencies it is the SBM-ML index; a
cross-period point outside the reference technology gets the super-SBM value > 1 (the engine's
``outside="super"`` convention, Tone 2002; Fukuyama & Weber 2009). A sequential frontier
(all periods up to ``t``) gives the sequential index of Shestalova (2003) and Oh & Heshmati
(2010); a window frontier uses the window ending at ``t``.

Under a radial model with ``rts="vrs"`` the index and TC are computed on the CRS technology
and the efficiency change is split as ``EC = PEC × SEC``, PEC the ratio of VRS efficiencies,
SEC the residual ratio (Färe, Grosskopf, Norris & Zhang 1994, the decomposition DEAP 2.1
reports). The non-radial models with ``rts="vrs"`` use the VRS technology throughout.

**Pooled-frontier indices** (``frontier`` global or biennial): one technology ``P`` serves both
periods: the global frontier of all observations (Pastor & Lovell 2005; for directional
distances the global Malmquist–Luenberger index of Oh 2010) or the biennial frontier of
periods ``a`` and ``a+1`` (Pastor, Asmild & Lovell 2011):

.. math:: GM = \\frac{E^{P}(o_b)}{E^{P}(o_a)} = EC \\times BPC, \\qquad
          EC = \\frac{E^{C_b}(o_b)}{E^{C_a}(o_a)},\\qquad
          BPC = \\frac{E^{P}(o_b)/E^{C_b}(o_b)}{E^{P}(o_a)/E^{C_a}(o_a)},

with ``C_t`` the contemporaneous frontier. For DDF, ``GML = (1+D^G(o_a))/(1+D^G(o_b))``. The
global index is circular: ``GM(a→c) = GM(a→b) · GM(b→c)``; it needs no mixed-period programme
and so cannot be infeasible (Oh 2010). With ``model="super-sbm"`` it is the super-SBM GML of the
green-TFP literature: every score comes from the super-SBM programme with the evaluated
observation removed from its own reference set.

**Luenberger indicator** (Chambers, Färe & Grosskopf 1996), additive, from directional
distances ``D``:

.. math:: L = \\tfrac12\\big[(D^{b}(o_a) - D^{b}(o_b)) + (D^{a}(o_a) - D^{a}(o_b))\\big]
          = \\underbrace{D^{a}(o_a) - D^{b}(o_b)}_{LEC} + LTC,

``L > 0`` is progress. Its pooled form is ``L = D^P(o_a) - D^P(o_b)``, ``LEC`` as above with
contemporaneous frontiers and ``LBPC = L - LEC``.

**Comparisons** (``chain``): ``"adjacent"`` compares each unit's consecutive panel periods
where both are observed (a unit missing a period has no comparison across the gap);
``"base"`` compares each later period of a unit with its first observed period (the fixed-base
index of Berg, Førsund & Jansen 1992). The cumulative index chains the adjacent indices
(product, or sum for Luenberger) from the first observed period.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataError
from .productivity_result import ProductivityResult

INDICES = ("malmquist", "ml", "gml", "luenberger")
MODELS = ("ccr", "bcc", "sbm", "super-sbm", "ddf", "nddf")
FRONTIERS = ("contemporaneous", "sequential", "window", "global", "biennial")
ADJACENT_FRONTIERS = ("contemporaneous", "sequential", "window")
POOLED_FRONTIERS = ("global", "biennial")
DEFAULT_FRONTIER = {
    "malmquist": "contemporaneous",
    "ml": "contemporaneous",
    "luenberger": "contemporaneous",
    "gml": "global",
}
DEFAULT_MODEL = {"malmquist": "ccr", "ml": "ddf", "gml": "ddf", "luenberger": "ddf"}
RADIAL = ("ccr", "bcc")
DIRECTIONAL = ("ddf", "nddf")
_ORIENT = {
    None: None,
    "none": None,
    "in": "input",
    "input": "input",
    "out": "output",
    "output": "output",
}


# ---------------------------------------------------------------------- input data
def _suggest(name: str, columns: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, [str(c) for c in columns], n=3, cutoff=0.5)
    return f"; did you mean {', '.join(close)}?" if close else f"; columns: {list(columns)}"


def _show(v: Any) -> str:
    """A label as the user wrote it (numpy scalars shown as plain numbers)."""
    return repr(v.item() if isinstance(v, np.generic) else v)


def _frame(data: Any, unit: str, period: str, names: list[str]) -> pd.DataFrame:
    """A table with one row per unit-period and the named columns, from a frame or a Panel."""
    from ...panel.core import Panel

    if isinstance(data, Panel):
        wide = data.to_wide().reset_index()
        missing = [c for c in names if c not in wide.columns]
        if missing:
            raise DataError(
                f"indicator {missing[0]!r} is not in the panel"
                + _suggest(missing[0], list(data.indicators))
            )
        wide = wide[["unit", "period", *names]]
        # a cube holds every unit × period; an observation absent from the data is all-NaN
        wide = wide[wide[names].notna().any(axis=1)]
        return wide.rename(columns={"unit": "__unit", "period": "__period"})
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame or an nqpf Panel, not {type(data)}")
    for c in (unit, period, *names):
        if c not in data.columns:
            raise DataError(f"column {c!r} is not in the data" + _suggest(c, list(data.columns)))
    df = data[[unit, period, *names]].copy()
    df.columns = ["__unit", "__period", *names]
    return df


def _prepare(data, unit, period, inputs, outputs, bad, dropna, model):
    names = [*inputs, *outputs, *bad]
    if len(set(names)) != len(names):
        dup = sorted({c for c in names if names.count(c) > 1})
        raise DataError(f"column(s) {dup} are named in more than one role (input/output/bad)")
    df = _frame(data, unit, period, names)
    warnings: list[str] = []
    df["__unit"] = df["__unit"].astype(str)
    from ...panel.core import normalise_period

    df["__period"] = normalise_period(df["__period"].tolist(), where=f"column {period!r}")
    dup = df.duplicated(["__unit", "__period"], keep=False)
    if dup.any():
        r = df[dup].iloc[0]
        raise DataError(
            f"unit {_show(r['__unit'])}, period {_show(r['__period'])} appears more than once "
            f"({int(dup.sum())} duplicated unit-period rows); keep one row per unit and period"
        )
    from ...panel.clean import coerce_numeric

    for c in names:
        vals, _ = coerce_numeric(df[c], where=f"column {c!r}")
        df[c] = vals
    na = df[names].isna()
    if na.to_numpy().any():
        if dropna:
            k = int(na.any(axis=1).sum())
            warnings.append(f"{k} unit-period row(s) with missing values dropped (dropna=True)")
            df = df[~na.any(axis=1)]
        else:
            i = int(np.flatnonzero(na.any(axis=1).to_numpy())[0])
            r = df.iloc[i]
            col = [c for c in names if pd.isna(r[c])][0]
            raise DataError(
                f"missing value for unit {_show(r['__unit'])}, period {_show(r['__period'])}, "
                f"column {col!r} ({int(na.any(axis=1).sum())} row(s) with gaps); fill them (nqpf "
                "impute) or pass dropna=True to drop those rows"
            )
    vals = df[names].to_numpy(dtype=float)
    neg = vals < 0
    if neg.any():
        i, j = np.argwhere(neg)[0]
        r = df.iloc[i]
        raise DataError(
            f"negative value {vals[i, j]:g} for unit {_show(r['__unit'])}, period "
            f"{_show(r['__period'])}, column {names[j]!r}; DEA needs non-negative data"
        )
    if model in ("sbm", "super-sbm"):
        pos = [*inputs, *bad]
        zero = df[pos].to_numpy(dtype=float) <= 0
        if zero.any():
            i, j = np.argwhere(zero)[0]
            r = df.iloc[i]
            raise DataError(
                f"zero {pos[j]!r} for unit {_show(r['__unit'])}, period {_show(r['__period'])}: "
                "SBM divides slacks by inputs and undesirable outputs, which must be positive"
            )
    if df.empty:
        raise DataError("no observations left to evaluate")
    df = df.sort_values(["__period", "__unit"], kind="stable").reset_index(drop=True)
    return df, warnings


# ---------------------------------------------------------------------- the engine adapter
def _make_spec(model, rts, orientation, direction, super_mode, weights, outside, extra=None):
    """A :class:`DEASpec` for one distance programme (``extra``: further DEASpec fields)."""
    from .spec import DEASpec

    kw: dict[str, Any] = {"model": model, "rts": rts, **(extra or {})}
    if orientation is not None:
        kw["orientation"] = orientation
    if direction is not None:
        kw["direction"] = direction
    if model == "super-sbm":
        kw["super_mode"] = super_mode
    if weights is not None:
        kw["weights"] = weights
    if outside is not None:
        kw["outside"] = outside
    return DEASpec(**kw)


def _distances(arr, model: str) -> np.ndarray:
    """The distance each model contributes: efficiency, or beta for the directional models.

    For ``nddf`` ``beta`` is the weighted sum of the per-dimension betas (the engine's
    objective), whose ``1/(1 + beta)`` is its efficiency.
    """
    if model in DIRECTIONAL:
        return np.asarray(arr.beta, dtype=float)
    return np.asarray(arr.efficiency, dtype=float)


class _Technologies:
    """Solves every distance an index needs, one engine call per reference technology."""

    def __init__(self, X, Y, B, periods, labels, frontier_window, specs, model, opts):
        self.X, self.Y, self.B = X, Y, B
        self.periods = periods  # period label of every observation row
        self.labels = labels  # sorted distinct period labels
        self.window = frontier_window
        self.specs = specs  # spec name -> (DEASpec, rts label)
        self.model = model
        self.opts = opts
        self.requests: dict[tuple, set[int]] = {}
        self.values: dict[tuple, dict[int, tuple[float, str]]] = {}

    def need(self, key: tuple, row: int) -> None:
        self.requests.setdefault(key, set()).add(int(row))

    def _ref(self, kind: str, p: int) -> np.ndarray:
        from .frontier import reference_rows

        t = self.labels[p] if p >= 0 else self.labels[-1]
        win = self.window if kind == "window" else None
        r = np.asarray(reference_rows(self.periods, kind, t, window=win))
        if r.dtype == bool:
            r = np.flatnonzero(r)
        return np.sort(r.astype(np.int64))

    def solve(self, progress: Callable[[int, int], None] | None) -> None:
        from .models import solve

        total = sum(len(v) for v in self.requests.values())
        done = 0
        for key in sorted(self.requests, key=repr):
            spec_name, kind, p = key
            spec = self.specs[spec_name][0]
            ev = np.array(sorted(self.requests[key]), dtype=np.int64)
            ref = self._ref(kind, p)
            pos = {int(r): i for i, r in enumerate(ref)}
            self_index = np.array([pos.get(int(r), -1) for r in ev], dtype=np.int64)
            B = self.B
            cb = None
            if progress is not None:
                off = done

                def cb(d: int, n: int, off: int = off) -> None:
                    progress(off + d, total)

            kw: dict[str, Any] = {"self_index": self_index, "reduce": self.opts["reduce"]}
            if self.opts["dask"] is not None:
                kw["dask"] = self.opts["dask"]
            if cb is not None:
                kw["progress"] = cb
            arr = solve(
                self.X[ev],
                self.Y[ev],
                None if B is None else B[ev],
                self.X[ref],
                self.Y[ref],
                None if B is None else B[ref],
                spec,
                **kw,
            )
            d = _distances(arr, self.model)
            st = np.asarray(arr.status).astype(str)
            self.values[key] = {
                int(r): (float(d[i]) if st[i] == "optimal" else np.nan, str(st[i]))
                for i, r in enumerate(ev)
            }
            done += len(ev)
            if progress is not None:
                progress(done, total)


# ---------------------------------------------------------------------- the indices
def _ratio(d: np.ndarray, directional: bool) -> tuple[np.ndarray, np.ndarray]:
    """Efficiency ratios E from distances; flags where E is undefined (1 + beta <= 0)."""
    if not directional:
        bad = ~(d > 0) & np.isfinite(d)
        e = np.where(d > 0, d, np.nan)
        return e, bad
    bad = ~(1.0 + d > 0) & np.isfinite(d)
    return np.where(1.0 + d > 0, 1.0 / np.where(1.0 + d > 0, 1.0 + d, 1.0), np.nan), bad


def productivity(
    data: Any,
    inputs: Sequence[str] | str,
    outputs: Sequence[str] | str,
    bad: Sequence[str] | str | None = None,
    *,
    unit: str = "unit",
    period: str = "period",
    index: str = "malmquist",
    model: str | None = None,
    rts: str | None = None,
    orientation: str | None = None,
    direction: Any = None,
    frontier: str | None = None,
    window: int | None = None,
    chain: str = "adjacent",
    super_mode: str = "efficient",
    weights: Any = None,
    normalise_weights: bool = False,
    bad_disposal: str = "weak",
    dropna: bool = False,
    reduce: bool = True,
    dask: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> ProductivityResult:
    """Malmquist, Malmquist–Luenberger, global ML indices or the Luenberger indicator.

    Parameters
    ----------
    data : DataFrame or Panel
        One row per unit and period with the named columns (or an nqpf Panel). Units are
        matched by id, never by row order; unbalanced panels are fine.
    inputs, outputs, bad : column names
        Inputs, desirable outputs and (optional) undesirable outputs.
    unit, period : str
        Columns of unit ids and periods (ignored for a Panel).
    index : {"malmquist", "ml", "gml", "luenberger"}
        See the module documentation for the formulas.
    model : {"ccr", "bcc", "sbm", "super-sbm", "ddf", "nddf"}, optional
        Distance functions. Default: ``ccr`` for Malmquist, ``ddf`` for the others.
        ``ml``/``gml`` need a model that credits lower bad outputs (not radial);
        ``luenberger`` needs ``ddf`` or ``nddf``.
    rts : {"crs", "vrs"}, optional
        Returns to scale; default ``vrs`` for ``bcc``, else ``crs``.
    orientation : {"input", "output", None}
        Radial models (default ``"output"``, DEAP's Malmquist example) and oriented SBM
        (default non-oriented). Ignored by the directional models (use ``direction``).
    direction : array or None
        Direction of the directional models; default ``g = (0, y, -b)`` (Chung et al. 1997).
    frontier : {"contemporaneous", "sequential", "window", "global", "biennial"}, optional
        Reference technologies; default ``global`` for ``gml``, else ``contemporaneous``.
        ``gml`` is defined on the global frontier only.
    window : int, optional
        Periods in a window frontier (the window ends at the evaluated period).
    chain : {"adjacent", "base"}
        Consecutive periods, or each period against the unit's first observed period.
    super_mode : {"efficient", "all"}
        For ``super-sbm``: super-efficiency for efficient observations only (MaxDEA
        convention) or for all.
    weights : optional
        Weights of the ``nddf`` dimensions, used as given unless ``normalise_weights``.
    normalise_weights, bad_disposal
        See :class:`~nqpf.efficiency.dea.spec.DEASpec` (directional models).
    dropna : bool
        Drop unit-period rows with missing values (with a warning) instead of refusing.
    reduce, dask, progress
        Passed to the DEA engine: exact reference-set reduction, Dask backend, and a
        callback ``progress(done, total)`` over all programmes.

    Returns
    -------
    ProductivityResult
    """
    inputs = [inputs] if isinstance(inputs, str) else list(inputs)
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    bad = [] if bad is None else ([bad] if isinstance(bad, str) else list(bad))
    if not inputs or not outputs:
        raise DataError("give at least one input and one desirable output")
    index = str(index).lower()
    if index not in INDICES:
        raise DataError(f"unknown index {index!r}; choose one of {', '.join(INDICES)}")
    model = DEFAULT_MODEL[index] if model is None else str(model).lower()
    if model not in MODELS:
        raise DataError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    model_rts = "vrs" if model == "bcc" else ("crs" if model == "ccr" else None)
    if rts is None:
        rts = model_rts or "crs"
    rts = str(rts).lower()
    if rts not in ("crs", "vrs"):
        raise DataError(f"unknown rts {rts!r}; choose crs or vrs")
    if model_rts is not None and rts != model_rts:
        raise DataError(
            f"model {model!r} is the {model_rts.upper()} radial model but rts={rts!r}; use "
            f"model='{'bcc' if rts == 'vrs' else 'ccr'}' or leave rts out"
        )
    frontier = DEFAULT_FRONTIER[index] if frontier is None else str(frontier).lower()
    if frontier not in FRONTIERS:
        raise DataError(f"unknown frontier {frontier!r}; choose one of {', '.join(FRONTIERS)}")
    if chain not in ("adjacent", "base"):
        raise DataError(f"unknown chain {chain!r}; choose adjacent or base")
    if index == "gml" and frontier != "global":
        raise DataError(
            f"the global Malmquist–Luenberger index (Oh 2010) is defined on the global "
            f"frontier, not {frontier!r}; use index='ml' with frontier={frontier!r}"
        )
    if index == "luenberger" and model not in DIRECTIONAL:
        raise DataError(
            f"the Luenberger indicator is built from directional distances; model {model!r} "
            "does not give them; use model='ddf' or 'nddf'"
        )
    if index in ("ml", "gml") and model in RADIAL:
        raise DataError(
            f"index {index!r} credits lower undesirable outputs, which the radial model "
            f"{model!r} cannot; use model='ddf', 'nddf', 'sbm' or 'super-sbm'"
        )
    if bad and model in RADIAL:
        raise DataError(
            "the radial Malmquist index takes no undesirable outputs; use index='ml' or 'gml' "
            "with model='ddf' or 'sbm', or leave bad out"
        )
    if frontier == "window":
        if window is None or int(window) < 1:
            raise DataError("frontier='window' needs window >= 1 (periods in each window)")
        window = int(window)
    elif window is not None:
        raise DataError(f"window={window} is given but frontier is {frontier!r}, not 'window'")
    if frontier == "biennial" and chain == "base":
        raise DataError(
            "the biennial frontier pools two adjacent periods; use chain='adjacent' with it"
        )
    orient = _ORIENT.get(None if orientation is None else str(orientation).lower(), "?")
    if orient == "?":
        raise DataError(f"unknown orientation {orientation!r}; choose input, output or none")
    if model in RADIAL and orient is None:
        orient = "output"
    if model in DIRECTIONAL:
        orient = None
        if direction is not None and not isinstance(direction, str) and np.ndim(direction) != 1:
            raise DataError(
                "productivity() takes one direction vector (length m + s1 + s2) or a "
                "named direction (output, proportional, input), not one per unit"
            )

    df, warnings = _prepare(data, unit, period, inputs, outputs, bad, dropna, model)
    X = df[inputs].to_numpy(dtype=float)
    Y = df[outputs].to_numpy(dtype=float)
    B = df[bad].to_numpy(dtype=float) if bad else None
    labels = sorted(df["__period"].unique().tolist())
    pidx = {p: i for i, p in enumerate(labels)}
    per = np.array([pidx[p] for p in df["__period"]], dtype=np.int64)
    period_arr = df["__period"].to_numpy()
    units = df["__unit"].to_numpy()
    row_of = {(u, int(p)): i for i, (u, p) in enumerate(zip(units, per, strict=True))}

    # comparisons (unit, period a, period b, row a, row b)
    pairs: list[tuple[str, int, int, int, int]] = []
    first: dict[str, int] = {}
    for u, p in zip(units, per, strict=True):
        first[u] = min(first.get(u, 10**9), int(p))
    if chain == "adjacent":
        for (u, p), r in row_of.items():
            r2 = row_of.get((u, p + 1))
            if r2 is not None:
                pairs.append((u, p, p + 1, r, r2))
    else:
        for (u, p), r in row_of.items():
            if p > first[u]:
                pairs.append((u, first[u], p, row_of[(u, first[u])], r))
    pairs.sort(key=lambda t: (t[2], t[0]))
    if not pairs:
        raise DataError(
            "no unit is observed in two consecutive periods; a productivity index needs "
            "each unit in at least two periods"
        )
    lonely = sorted(set(units) - {t[0] for t in pairs})
    if lonely:
        warnings.append(
            f"{len(lonely)} unit(s) have no comparison (no two consecutive observed periods): "
            + ", ".join(lonely[:10])
            + (" …" if len(lonely) > 10 else "")
        )

    outside = "super" if model in ("sbm", "super-sbm") else None
    extra = ({"normalise_weights": normalise_weights, "bad_disposal": bad_disposal}
             if model in DIRECTIONAL else None)
    specs = {
        "main": (_make_spec(model, rts, orient, direction, super_mode, weights, outside,
                            extra), rts)
    }
    decompose = model in RADIAL and rts == "vrs"
    if decompose:  # FGNZ: index and TC on CRS, EC split by the VRS efficiencies
        specs["main"] = (_make_spec("ccr", "crs", orient, None, None, None, None), "crs")
        specs["vrs"] = (_make_spec("bcc", "vrs", orient, None, None, None, None), "vrs")
    pooled = frontier in POOLED_FRONTIERS
    tech = _Technologies(
        X, Y, B, period_arr, labels, window, specs, model,
        {"reduce": reduce, "dask": dask},
    )  # fmt: skip
    pa = np.array([t[1] for t in pairs], dtype=np.int64)
    pb = np.array([t[2] for t in pairs], dtype=np.int64)
    ra = np.array([t[3] for t in pairs], dtype=np.int64)
    rb = np.array([t[4] for t in pairs], dtype=np.int64)
    cont = "contemporaneous"
    own = cont if pooled else frontier  # the frontier of the efficiency change
    for a, b, x, y in zip(pa, pb, ra, rb, strict=True):
        tech.need(("main", own, int(a)), x)
        tech.need(("main", own, int(b)), y)
        if pooled:
            key = ("main", "global", -1) if frontier == "global" else ("main", "biennial", int(a))
            tech.need(key, x)
            tech.need(key, y)
        else:
            tech.need(("main", frontier, int(a)), y)
            tech.need(("main", frontier, int(b)), x)
        if decompose:
            tech.need(("vrs", own, int(a)), x)
            tech.need(("vrs", own, int(b)), y)
    tech.solve(progress)

    def get(spec: str, kind: str, ps: np.ndarray, rows: np.ndarray):
        got = [tech.values[(spec, kind, int(p))][int(r)] for p, r in zip(ps, rows, strict=True)]
        vals = np.array([g[0] for g in got], dtype=float)
        return vals, np.array([g[1] for g in got], dtype=object)

    directional = model in DIRECTIONAL
    statuses: list[np.ndarray] = []
    d_aa, s1 = get("main", own, pa, ra)  # D^a(o_a)
    d_bb, s2 = get("main", own, pb, rb)  # D^b(o_b)
    statuses += [s1, s2]
    if pooled:
        keyp = np.full(len(pa), -1) if frontier == "global" else pa
        kind = frontier
        d_pa, s3 = get("main", kind, keyp, ra)
        d_pb, s4 = get("main", kind, keyp, rb)
        statuses += [s3, s4]
    else:
        d_ab, s3 = get("main", frontier, pa, rb)  # D^a(o_b)
        d_ba, s4 = get("main", frontier, pb, ra)  # D^b(o_a)
        statuses += [s3, s4]

    cols: dict[str, np.ndarray] = {}
    undefined = np.zeros(len(pairs), dtype=bool)
    if index == "luenberger":
        lec = d_aa - d_bb
        if pooled:
            L = d_pa - d_pb
            cols = {"index": L, "ec": lec, "tc": L - lec, "bpc": L - lec}
        else:
            L = 0.5 * ((d_ba - d_bb) + (d_aa - d_ab))
            cols = {"index": L, "ec": lec, "tc": L - lec}
    else:
        e_aa, u1 = _ratio(d_aa, directional)
        e_bb, u2 = _ratio(d_bb, directional)
        ec = e_bb / e_aa
        undefined |= u1 | u2
        if pooled:
            e_pa, u3 = _ratio(d_pa, directional)
            e_pb, u4 = _ratio(d_pb, directional)
            undefined |= u3 | u4
            m = e_pb / e_pa
            cols = {"index": m, "ec": ec, "tc": m / ec, "bpc": m / ec}
        else:
            e_ab, u3 = _ratio(d_ab, directional)
            e_ba, u4 = _ratio(d_ba, directional)
            undefined |= u3 | u4
            tc = np.sqrt((e_ab / e_bb) * (e_aa / e_ba))
            cols = {"index": ec * tc, "ec": ec, "tc": tc}
        if decompose:
            v_aa, s5 = get("vrs", own, pa, ra)
            v_bb, s6 = get("vrs", own, pb, rb)
            statuses += [s5, s6]
            pec = v_bb / v_aa
            cols["pec"] = pec
            cols["sec"] = ec / pec
    status = np.full(len(pairs), "optimal", dtype=object)
    for st in statuses:
        status = np.where((status == "optimal") & (st != "optimal"), st, status)
    status = np.where((status == "optimal") & undefined, "undefined", status)
    n_bad = int((status != "optimal").sum())
    if n_bad:
        counts = pd.Series(status[status != "optimal"]).value_counts().to_dict()
        warnings.append(
            f"{n_bad} of {len(pairs)} comparisons have a failed distance programme "
            f"({', '.join(f'{k}: {v}' for k, v in counts.items())}); their components are NaN"
        )

    order = ["index", "ec", "tc", "pec", "sec", "bpc"]
    idx = pd.DataFrame(
        {
            "unit": [t[0] for t in pairs],
            "period_from": [labels[a] for a in pa],
            "period": [labels[b] for b in pb],
            **{k: cols[k] for k in order if k in cols},
            "status": status.astype(str),
        }
    )
    idx = idx.sort_values(["unit", "period"], kind="stable").reset_index(drop=True)
    cum = _cumulative(idx, df, labels, chain, index == "luenberger")
    eff = _efficiency_table(tech, df, labels, frontier, window)
    params = {
        "index": index,
        "model": model,
        "rts": rts,
        "orientation": orient,
        "direction": None if direction is None else np.asarray(direction).tolist(),
        "frontier": frontier,
        "window": window,
        "chain": chain,
        "super_mode": super_mode if model == "super-sbm" else None,
        "inputs": inputs,
        "outputs": outputs,
        "bad": bad,
        "decomposition": (
            "index and TC on CRS, EC = PEC x SEC (FGNZ 1994)"
            if decompose
            else ("index = EC x BPC (Oh 2010)" if pooled else "index = EC x TC")
        )
        if index != "luenberger"
        else "L = LEC + LTC (Chambers, Färe & Grosskopf 1996)",
        "convention": "ratio indices > 1 mean progress; Luenberger > 0 means progress",
        "n_units": int(len(set(units))),
        "n_periods": len(labels),
        "n_comparisons": len(pairs),
        "reduce": reduce,
    }
    return ProductivityResult(index=idx, cumulative=cum, efficiency=eff, params=params,
                              warnings=warnings)  # fmt: skip


def _cumulative(idx: pd.DataFrame, df: pd.DataFrame, labels, chain: str, additive: bool):
    """Chained index per unit from its first observed period (NaN after a gap or failure)."""
    neutral = 0.0 if additive else 1.0
    rows = []
    by_unit = {u: g for u, g in idx.groupby("unit", sort=False)}
    obs = df.groupby("__unit", sort=True)["__period"].apply(lambda s: sorted(s.tolist()))
    for u, ps in obs.items():
        g = by_unit.get(u)
        link = {} if g is None else dict(zip(g["period"], g["index"], strict=True))
        acc = neutral
        for k, p in enumerate(ps):
            if k == 0:
                val = neutral
            elif chain == "base":
                val = link.get(p, np.nan)
            else:
                v = link.get(p, np.nan)
                acc = acc + v if additive else acc * v
                val = acc
            rows.append({"unit": u, "period": p, "cumulative": float(val)})
    return pd.DataFrame(rows, columns=["unit", "period", "cumulative"])


def _efficiency_table(tech: _Technologies, df, labels, frontier, window) -> pd.DataFrame:
    rows = []
    units = df["__unit"].to_numpy()
    periods = df["__period"].to_numpy()
    for (spec, kind, p), tab in tech.values.items():
        ref_p = None if kind == "global" else labels[p]
        if kind == "biennial":
            ref_p = f"{labels[p]}-{labels[p + 1]}" if p + 1 < len(labels) else str(labels[p])
        name = f"{kind} ({window})" if kind == "window" else kind
        for r, (v, s) in tab.items():
            rows.append(
                {
                    "unit": units[r],
                    "period": periods[r],
                    "reference": name,
                    "reference_period": "" if ref_p is None else str(ref_p),
                    "rts": tech.specs[spec][1],
                    "distance": v,
                    "status": s,
                }
            )
    out = pd.DataFrame(
        rows,
        columns=["unit", "period", "reference", "reference_period", "rts", "distance", "status"],
    )
    return out.sort_values(["unit", "period", "reference", "reference_period", "rts"],
                           kind="stable").reset_index(drop=True)  # fmt: skip
