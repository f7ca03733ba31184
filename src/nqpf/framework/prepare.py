"""Compute a framework's indicators from raw data series.

:func:`prepare` turns a panel of raw series (GDP, population, R&D spending…)
into a panel holding exactly the framework's indicators, in tree order:

    value = series / denominator × scale,   then ln(value) if ``log`` is set.

Nothing is turned into ``inf`` or ``NaN`` silently: a zero denominator or the
logarithm of a value ≤ 0 raises a :class:`~nqpf.errors.FrameworkError` naming
the unit, period and indicator. Missing inputs give missing outputs.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FrameworkError
from ..panel.core import Panel
from .load import load_framework
from .spec import Framework, Indicator

__all__ = ["prepare"]


def prepare(panel: Panel, framework: Framework | str | Path | dict[str, Any]) -> Panel:
    """Compute each indicator of ``framework`` from the series in ``panel``.

    Parameters
    ----------
    panel : Panel
        Raw data: its indicators are the series named by the framework
        (``series`` and ``denominator`` of every indicator).
    framework : Framework, or anything :func:`~nqpf.framework.load_framework` reads

    Returns
    -------
    Panel
        Same units and periods; indicators = the framework's indicator ids in
        tree order. A derived cell is marked imputed when any of its inputs was
        imputed (and the cell has a value). ``meta["framework"]`` is the
        framework id; ``meta["steps"]`` gains ``{"step": "prepare", ...}`` with
        the formula of each indicator.

    Raises
    ------
    FrameworkError
        When series are missing from the data (all of them are listed, with
        close matches among the data's indicators), when a denominator is 0
        where the numerator has a value, or when ``log`` meets a value ≤ 0.

    Notes
    -----
    The formula ``x / d × scale`` followed by ``ln`` is the usual
    "per-capita / per-GDP, then logarithm" preparation of the measurement
    literature; a zero denominator is treated as a data error rather than as
    a missing value, so that it is fixed at the source.
    """
    fw = load_framework(framework)
    if not isinstance(panel, Panel):
        raise FrameworkError(f"prepare() needs a Panel, got {type(panel).__name__}")
    have = list(panel.indicators)
    missing = [s for s in fw.required_series() if s not in have]
    if missing:
        raise FrameworkError(_missing_message(missing, have, fw,
                                              panel.meta.get("dropped_columns") or []))

    n_u, n_t, _ = panel.shape
    inds = fw.indicators
    values = np.full((n_u, n_t, len(inds)), np.nan)
    imputed = np.zeros(values.shape, bool)
    pos = {name: k for k, name in enumerate(have)}
    for k, ind in enumerate(inds):
        x = panel.values[:, :, pos[ind.series]]
        imp = panel.imputed[:, :, pos[ind.series]].copy()
        if ind.denominator:
            d = panel.values[:, :, pos[ind.denominator]]
            zero = (d == 0) & ~np.isnan(x)
            if zero.any():
                raise FrameworkError(_cell_message(panel, ind, zero, "zero"))
            with np.errstate(divide="ignore", invalid="ignore"):
                v = x / d
            imp |= panel.imputed[:, :, pos[ind.denominator]]
        else:
            v = x.copy()
        v = v * ind.scale
        if np.isinf(v).any():
            raise FrameworkError(_cell_message(panel, ind, np.isinf(v), "inf", v))
        if ind.log:
            bad = ~np.isnan(v) & (v <= 0)
            if bad.any():
                raise FrameworkError(_cell_message(panel, ind, bad, "log", v))
            v = np.log(v)
        values[:, :, k] = v
        imputed[:, :, k] = imp & ~np.isnan(v)

    meta = dict(panel.meta)
    meta["framework"] = fw.id
    meta["steps"] = [
        *list(panel.meta.get("steps", [])),
        {
            "step": "prepare",
            "framework": fw.id,
            "version": fw.version,
            "formulas": {ind.id: ind.formula() for ind in inds},
        },
    ]
    return Panel(values, panel.units, panel.periods, tuple(fw.indicator_ids), imputed, meta)


def _missing_message(
    missing: list[str], have: list[str], fw: Framework, dropped: list[str] | tuple = ()
) -> str:
    empty = [s for s in missing if s in set(dropped)]
    if empty:  # the column is there but holds nothing: say so, not "the data lack it"
        return (
            f"the data's column(s) {empty} are empty (no value in any row), and framework "
            f"{fw.id} needs them; fill them in or remove the indicator(s) from the framework"
        )
    lower = {h.lower(): h for h in have}
    parts = []
    for s in missing:
        close = difflib.get_close_matches(s, have, n=2, cutoff=0.6)
        if not close and s.lower() in lower:
            close = [lower[s.lower()]]
        if not close:
            close = [lower[c] for c in difflib.get_close_matches(s.lower(), list(lower), n=2,
                                                                  cutoff=0.6)]
        users = [i.id for i in fw.indicators if s in (i.series, i.denominator)]
        txt = f"{s!r} (for {', '.join(users)})"
        if close:
            txt += f" — did you mean {' or '.join(map(repr, close))}?"
        parts.append(txt)
    shown = ", ".join(have[:40]) + (" …" if len(have) > 40 else "")
    return (
        f"the data lack {len(missing)} series needed by framework {fw.id}: "
        + "; ".join(parts)
        + f". The data have: {shown}. Rename the data's indicators, or set `series`/"
        "`denominator` in the framework to the data's names."
    )


def _cell_message(
    panel: Panel, ind: Indicator, mask: np.ndarray, kind: str, v: np.ndarray | None = None
) -> str:
    cells = np.argwhere(mask)
    u, t = cells[0]
    where = f"unit {panel.units[u]!r}, period {panel.periods[t]!r}"
    more = f" (and {len(cells) - 1} more cell(s))" if len(cells) > 1 else ""
    others = "; also " + ", ".join(
        f"{panel.units[a]!r} {panel.periods[b]!r}" for a, b in cells[1:4]
    ) if len(cells) > 1 else ""
    if kind == "zero":
        return (
            f"indicator {ind.id!r} = {ind.formula()}: the denominator {ind.denominator!r} is 0 at "
            f"{where}{more}{others}. Correct the value, or mark it missing, before prepare()."
        )
    if kind == "inf":
        return (
            f"indicator {ind.id!r} = {ind.formula()} overflows to infinity at {where}{more}; "
            "check the units of its series and the scale."
        )
    val = float(v[u, t]) if v is not None else float("nan")
    return (
        f"indicator {ind.id!r} asks for log, but {ind.formula().removeprefix('ln(')[:-1]} is "
        f"{val:g} (≤ 0) at {where}{more}{others}. Set log: false for this indicator, or shift "
        "the series to positive values (e.g. prepare x + c as a new series) before prepare()."
    )
