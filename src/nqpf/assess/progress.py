"""Progress scores: how much of the distance to target a unit closed since a reference period.

The progress (or work-effect, 工作成效/进步) score of an indicator follows the
"current status" measure of the UN ESCAP *Asia and the Pacific SDG Progress
Report* (2017, methodological annex): the share of the distance to the target
that remained at the reference period and has since been closed,

    p = 100 · clip((d_ref − d_t) / d_ref, 0, 1),

where ``d`` is the shortfall from the target (``max(0, T − x)`` for ``>=``,
``max(0, x − T)`` for ``<=``, ``|x − T|`` for ``=``, the distance outside a range;
:func:`nqpf.framework.targets.shortfall`). Conventions: a unit that moved away
from the target scores 0 (no negative progress); a unit that had already met
the target at the reference scores 100 if it still meets it and 0 if it has
fallen short since. The reference is the previous period or a base period.

The target of an indicator scored by the efficacy or banded rule without an
explicit target is its 满意值 (``high`` for a benefit, ``low`` for a cost
indicator) or its last band threshold.
"""

from __future__ import annotations

import numpy as np

from ..errors import FrameworkError
from ..framework.spec import Indicator
from ..framework.targets import Target

__all__ = ["progress", "progress_goal", "shortfalls"]


def shortfalls(x: np.ndarray, t: Target) -> np.ndarray:
    """Vectorised :func:`~nqpf.framework.targets.shortfall` (NaN stays NaN)."""
    x = np.asarray(x, float)
    if t.op == ">=":
        d = np.maximum(0.0, t.value - x)  # type: ignore[operator]
    elif t.op == "<=":
        d = np.maximum(0.0, x - t.value)  # type: ignore[operator]
    elif t.op == "=":
        d = np.abs(x - t.value)  # type: ignore[operator]
    else:
        d = np.maximum(0.0, np.maximum(t.lo - x, x - t.hi))  # type: ignore[operator]
    return np.where(np.isnan(x), np.nan, d)


def progress_goal(ind: Indicator, region_class: str | None = None) -> Target:
    """The target progress is measured against (see the module docstring)."""
    if ind.goal is not None:
        return ind.goal
    if ind.direction > 0 and ind.high is not None:
        return Target(">=", ind.high)
    if ind.direction < 0 and ind.low is not None:
        return Target("<=", ind.low)
    if ind.bands is not None:
        return Target(">=" if ind.direction > 0 else "<=", ind.bands[-1][0])
    where = f"indicator {ind.id}" + (f" (class {region_class})" if region_class else "")
    raise FrameworkError(
        f"{where} has no target (nor 满意值 or bands), so no progress score can be computed; "
        "give a target or assess with level_weight=1"
    )


def progress(x_t: np.ndarray, x_ref: np.ndarray, t: Target) -> np.ndarray:
    """Progress score in points for values now (``x_t``) and at the reference (``x_ref``)."""
    d_t = shortfalls(x_t, t)
    d_r = shortfalls(x_ref, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        closed = np.clip((d_r - d_t) / np.where(d_r > 0, d_r, 1.0), 0.0, 1.0)
    out = np.where(d_r > 0, closed, np.where(d_t == 0, 1.0, 0.0)) * 100.0
    return np.where(np.isnan(d_t) | np.isnan(d_r), np.nan, out)
