"""DEA on a panel: :func:`dea` evaluates every (unit, period) against its frontier."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataError
from ...panel.core import Panel
from .data import DEAData, prepare
from .frontier import check_frontier, reference_periods
from .models import DEAArrays, solve
from .result import DEAResult
from .spec import DEASpec


def dea(
    data: pd.DataFrame | Panel,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bad: str | Sequence[str] | None = None,
    *,
    unit: str = "unit",
    period: str = "period",
    units: str = "auto",
    model: str = "sbm",
    rts: str | None = None,
    orientation: str | None = None,
    frontier: str = "contemporaneous",
    window: int | None = None,
    direction: Any = None,
    super_mode: str = "efficient",
    weights: Any = None,
    normalise_weights: bool = False,
    bad_disposal: str = "weak",
    nondiscretionary: str | Sequence[str] | None = None,
    reduce: bool = True,
    peers: bool = False,
    dropna: bool = False,
    dask: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> DEAResult:
    """Efficiency of every unit in every period against the chosen frontier.

    Parameters
    ----------
    data : DataFrame or Panel
        Wide (``unit, period``, variables) or long (``unit, period, indicator, value``)
        table, or a Panel. Units are matched by id, never by row order.
    inputs, outputs, bad : str or list of str
        Inputs, good outputs, undesirable (bad) outputs.
    unit, period : str
        Key columns of a table.
    units : {"auto", "province", "country", "none"}
        How unit names of a table become unit ids, as in :func:`nqpf.panel.read_panel`, so
        that the results join with an index of the same data (``上海`` and ``Shanghai``
        become ``CN-SH``). ``auto``: when any name is a province or country as written, every
        name is resolved (:func:`nqpf.panel.resolve_units`; an unknown one is an error
        naming it); when none is (firms, plants, made-up ids), names are kept as written.
        ``none`` keeps them as written. A Panel's ids are used as they are.
    model, rts, orientation, direction, super_mode, weights, normalise_weights, bad_disposal
        See :class:`~nqpf.efficiency.dea.spec.DEASpec`.
    nondiscretionary : str or list of str, optional
        Radial models: inputs that are non-discretionary (Banker & Morey 1986), by name.
    frontier : str
        ``contemporaneous``, ``sequential``, ``window``, ``global`` or ``biennial``
        (:mod:`~nqpf.efficiency.dea.frontier` states each convention).
    window : int, optional
        Window width for ``frontier="window"``.
    reduce : bool
        Exact reference-set reduction (same answers, faster).
    peers : bool
        Also return the peers (positive intensities) of every unit.
    dropna : bool
        Drop observations with missing values (noted in ``warnings``) instead of refusing.
    dask : None, "threads", "processes" or a dask Client
        Parallel solving (see :func:`~nqpf.efficiency.dea.models.solve`).
    progress : callable, optional
        ``progress(done, total)`` over all evaluated observations.

    Returns
    -------
    DEAResult

    Notes
    -----
    Every frontier contains period ``t``, so each observation belongs to its own reference
    set; super-SBM and super-radial remove it from that set. With fewer reference observations than
    ``3 (m + s)`` (the rule of thumb of Cooper, Seiford & Tone 2007, sec. 9.2) a warning is
    added. ``direction`` is a name or one vector here; per-unit directions need
    :func:`~nqpf.efficiency.dea.models.solve`.
    """
    ins = [inputs] if isinstance(inputs, str) else list(inputs)
    nd_names = ([nondiscretionary] if isinstance(nondiscretionary, str)
                else list(nondiscretionary or []))
    unknown = [c for c in nd_names if c not in ins]
    if unknown:
        raise DataError(f"non-discretionary input(s) {unknown} are not among the inputs {ins}")
    spec = DEASpec(model=model, rts=rts, orientation=orientation, direction=direction,
                   super_mode=super_mode, weights=weights,
                   normalise_weights=normalise_weights, bad_disposal=bad_disposal,
                   nondiscretionary=[ins.index(c) for c in nd_names])
    if spec.direction_array is not None and spec.direction_array.ndim != 1:
        raise DataError(
            "dea() takes a named direction or one vector (length m + s1 + s2); "
            "per-unit directions need nqpf.efficiency.dea.solve"
        )
    fr = check_frontier(frontier, window)
    if isinstance(data, pd.DataFrame) and unit in data.columns:
        data = _canonical_units(data, unit, units)
    d = prepare(data, inputs, outputs, bad, unit=unit, period=period, model=spec.model,
                dropna=dropna)
    n = d.units.shape[0]
    periods = list(dict.fromkeys(d.periods.tolist()))
    warnings = list(d.notes)
    dims = d.X.shape[1] + d.Y.shape[1] + d.B.shape[1]
    B_or_none = (lambda a: a if d.B.shape[1] else None)  # noqa: E731
    parts: list[tuple[np.ndarray, DEAArrays, np.ndarray]] = []
    done = [0]

    def sub_progress(offset: int) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda i, _tot: progress(offset + i, n)

    if fr == "global":
        groups = [(np.arange(n), np.arange(n), "all periods")]
    else:
        groups = []
        for t in periods:
            ev = np.flatnonzero(d.periods == t)
            refp = reference_periods(periods, fr, t, window)
            rr = np.flatnonzero(np.isin(d.periods, np.asarray(refp, dtype=object)))
            groups.append((ev, rr, f"period {t!r}"))
    checked: set[int] = set()
    for ev, rr, label in groups:
        if rr.size < 3 * dims and rr.size not in checked:
            checked.add(int(rr.size))
            warnings.append(
                f"{label}: {rr.size} reference observations for {dims} inputs and outputs, "
                f"fewer than 3 x {dims} = {3 * dims} (Cooper's rule of thumb); scores "
                "discriminate poorly"
            )
        pos = np.full(n, -1)
        pos[rr] = np.arange(rr.size)
        res = solve(
            d.X[ev], d.Y[ev], B_or_none(d.B[ev]), d.X[rr], d.Y[rr], B_or_none(d.B[rr]), spec,
            self_index=pos[ev], reduce=reduce, return_lambdas=peers, dask=dask,
            progress=sub_progress(done[0]),
        )
        done[0] += ev.size
        parts.append((ev, res, rr))
    return _assemble(d, spec, fr, window, parts, warnings, reduce, peers)


def _canonical_units(data: pd.DataFrame, unit: str, units: str) -> pd.DataFrame:
    """The table with its unit names replaced by canonical ids (see ``units`` of :func:`dea`)."""
    from ...panel.names import known_units, resolve_units

    if units not in ("auto", "province", "country", "none"):
        raise DataError(f"units must be 'auto', 'province', 'country' or 'none', not {units!r}")
    if units == "none":
        return data
    col = data[unit]
    names = list(dict.fromkeys(v for v in col.tolist() if not pd.isna(v)))
    if units == "auto" and known_units(names) == 0:
        return data
    match = resolve_units(names, kind=units, drop_aggregates=False, where=f"column {unit!r}")
    return data.assign(**{unit: col.map(lambda v: match.mapping.get(v, v))})


def _assemble(
    d: DEAData, spec: DEASpec, fr: str, window: int | None,
    parts: list[tuple[np.ndarray, DEAArrays, np.ndarray]], warnings: list[str],
    reduce: bool, peers: bool,
) -> DEAResult:
    n = d.units.shape[0]
    eff = np.full(n, np.nan)
    status = np.empty(n, dtype=object)
    sup = np.zeros(n, dtype=bool)
    radial_score = "theta" if spec.orientation == "input" else "phi"
    score_name = {"radial": radial_score, "super-radial": radial_score, "fdh": radial_score,
                  "sbm": "rho", "super-sbm": "rho", "ddf": "beta", "nddf": "beta"}[spec.model]
    score = np.full(n, np.nan)
    vars_ = d.inputs + d.outputs + d.bad
    slk = np.full((n, len(vars_)), np.nan)
    tgt = np.full((n, len(vars_)), np.nan)
    betas = np.full((n, len(vars_)), np.nan) if spec.model == "nddf" else None
    peer_rows: list[pd.DataFrame] = []
    for ev, r, rr in parts:
        eff[ev] = r.efficiency
        status[ev] = r.status
        sup[ev] = r.super_used
        score[ev] = getattr(r, score_name)
        slk[ev] = np.hstack([r.slacks_x, r.slacks_y, r.slacks_b])
        tgt[ev] = np.hstack([r.targets_x, r.targets_y, r.targets_b])
        if betas is not None and r.betas is not None:
            betas[ev] = r.betas
        if peers and r.lambdas is not None:
            coo = r.lambdas.tocoo()
            peer_rows.append(pd.DataFrame({
                "unit": d.units[ev[coo.row]], "period": _period_column(d.periods[ev[coo.row]]),
                "peer_unit": d.units[rr[coo.col]],
                "peer_period": _period_column(d.periods[rr[coo.col]]),
                "lambda": coo.data,
            }))
    keys = {"unit": d.units.astype(str), "period": _period_column(d.periods)}
    efficiency = pd.DataFrame({**keys, "efficiency": eff, "status": status.astype(str),
                               "frontier": fr, "super": sup, score_name: score})
    for k in ("infeasible", "unbounded", "error"):
        bad = efficiency[efficiency["status"] == k]
        if len(bad):
            ex = ", ".join(f"{u} ({p})" for u, p in zip(bad["unit"][:5], bad["period"][:5],
                                                         strict=True))
            warnings.append(f"{len(bad)} observation(s) {k}: {ex}; their efficiency is NaN")
    slacks = pd.DataFrame({**keys, **{v: slk[:, j] for j, v in enumerate(vars_)}})
    targets = pd.DataFrame({**keys, **{v: tgt[:, j] for j, v in enumerate(vars_)}})
    beta_df = None
    if betas is not None:
        beta_df = pd.DataFrame({**keys, **{v: betas[:, j] for j, v in enumerate(vars_)}})
    peer_df = None
    if peers:
        cols = ["unit", "period", "peer_unit", "peer_period", "lambda"]
        peer_df = (pd.concat(peer_rows, ignore_index=True) if peer_rows
                   else pd.DataFrame(columns=cols))
        peer_df["unit"] = peer_df["unit"].astype(str)
        peer_df["peer_unit"] = peer_df["peer_unit"].astype(str)
        peer_df = peer_df.sort_values(
            ["period", "unit", "peer_period", "peer_unit"], kind="stable"
        ).reset_index(drop=True)
    params = {
        "spec": spec.to_dict(), "frontier": fr, "window": window, "inputs": d.inputs,
        "outputs": d.outputs, "bad": d.bad, "reduce": reduce, "n_observations": n,
    }
    return DEAResult(efficiency, slacks, targets, peer_df, beta_df, warnings, params)




def _period_column(p: np.ndarray) -> pd.Series:
    """Periods as int64 when they are all whole years, else as text."""
    if all(isinstance(v, int) for v in p):
        return pd.Series(np.asarray(p, dtype=np.int64))
    return pd.Series([str(v) for v in p], dtype="str")
