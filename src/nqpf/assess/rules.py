"""Scoring rules: one indicator's values against its target, efficacy range or bands.

Each rule maps values to points on a 100-point scale (the unit's *level score*
of the indicator). All are vectorised over a NumPy array of values and raise
:class:`~nqpf.errors.FrameworkError` naming the indicator when the framework
does not give what the rule needs.

Target attainment (:func:`attainment`)
    The ratio to target used in distance-to-target assessment (OECD and JRC,
    *Handbook on Constructing Composite Indicators*, 2008, §5 "distance to a
    reference"; the 目标完成率 of Chinese target-responsibility assessment):

    - ``>=``: ``100 · min(x / T, cap)``; ``<=``: ``100 · min(T / x, cap)``, with
      ``x ≤ 0`` under ``<=`` counted as fully met (``cap``);
    - ``=``: ``100 · max(0, 1 − |x − T| / |T|)``;
    - range ``a..b``: 100 inside; outside, ``100 · max(0, 1 − d / |e|)`` with
      ``d`` the distance to the nearer end ``e`` (the range's width when
      ``e = 0``).

    Convention: scores are floored at 0 (a negative value of a ``>=``
    indicator scores 0, not a negative score); ``cap`` defaults to 1 and may be
    raised (1.2 rewards overshooting by up to 20 %). The ratio needs ``T > 0``
    for ``>=``/``<=`` and ``T ≠ 0`` for ``=``: other targets are an error
    (score such indicators with the efficacy or banded rule).

Efficacy coefficient, 功效系数法 (:func:`efficacy`)
    ``60 + 40 · (x − low) / (high − low)`` for a benefit and
    ``60 + 40 · (high − x) / (high − low)`` for a cost indicator, where ``low``
    and ``high`` are the 不允许值 and 满意值 written as numbers with
    ``low < high`` (so for a cost indicator ``high`` is the value not allowed).
    Source: the classic form of 功效系数法 in Chinese statistical evaluation
    (苏为华, 《多指标综合评价理论与方法问题研究》, 中国物价出版社, 2001, ch. 3;
    the State Council SASAC's 《中央企业综合绩效评价实施细则》, 2006, uses the
    same 60 + 40 form between standard values). The result is clipped to
    ``[lower, upper]`` (default ``[0, 100]``) as the office sets. Without
    ``low``/``high`` in the framework the office may take them from the data
    (``range="sample"``: the period's minimum and maximum over the units assessed,
    the textbook variant) instead of raising an error (``range="framework"``).

Banded scoring (:func:`banded`)
    Piecewise-linear between grade thresholds ``(t_k, s_k)`` given in the order
    of improvement: ``s_k + (s_{k+1} − s_k)(x − t_k)/(t_{k+1} − t_k)`` between two
    thresholds, the top score at and beyond the last, and 0 below the first
    (the "0 below the lowest" convention of banded assessment schedules).

:func:`full_mark` gives each rule's full mark (100 for a target met, ``100 ·
cap`` the most attainment can give, ``upper`` for efficacy, the top band
score), used for the points lost in the diagnosis.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..errors import FrameworkError
from ..framework.spec import Indicator
from ..framework.targets import Target

__all__ = ["RULES", "Rule", "attainment", "banded", "efficacy", "full_mark", "score"]

Rule = Literal["attainment", "efficacy", "banded"]
RULES: tuple[str, ...] = ("attainment", "efficacy", "banded")


def _where(ind: str, cls: str | None) -> str:
    return f"indicator {ind}" + (f" (class {cls})" if cls else "")


def attainment(
    x: np.ndarray, target: Target, cap: float = 1.0, *, indicator: str = "?",
    region_class: str | None = None,
) -> np.ndarray:
    """Target attainment in points, ``100 · ratio`` (see the module docstring)."""
    if not cap >= 1:
        raise FrameworkError(f"cap must be at least 1, got {cap!r}")
    x = np.asarray(x, float)
    where = _where(indicator, region_class)
    t = target
    with np.errstate(divide="ignore", invalid="ignore"):
        if t.op in (">=", "<="):
            if not t.value > 0:  # type: ignore[operator]
                raise FrameworkError(
                    f"{where}: target {t.text()} is not positive, so a ratio to target is "
                    "meaningless; use rule='efficacy' or 'banded' for this indicator"
                )
            if t.op == ">=":
                r = x / t.value
            else:
                r = np.where(x > 0, t.value / np.where(x > 0, x, 1.0), cap)
            r = np.clip(r, 0.0, cap)
        elif t.op == "=":
            if t.value == 0:
                raise FrameworkError(
                    f"{where}: target = 0 leaves no scale for the deviation rule; "
                    "give a range a..b instead"
                )
            r = np.clip(1.0 - np.abs(x - t.value) / abs(t.value), 0.0, 1.0)  # type: ignore[arg-type]
        else:
            lo, hi = float(t.lo), float(t.hi)  # type: ignore[arg-type]
            below, above = lo - x, x - hi
            d = np.maximum(0.0, np.maximum(below, above))
            scale = np.where(below > 0, abs(lo) or (hi - lo), abs(hi) or (hi - lo))
            r = np.clip(1.0 - d / scale, 0.0, 1.0)
    return np.where(np.isnan(x), np.nan, 100.0 * r)


def efficacy(
    x: np.ndarray, low: float, high: float, direction: int, *, lower: float = 0.0,
    upper: float = 100.0, indicator: str = "?", region_class: str | None = None,
) -> np.ndarray:
    """Efficacy coefficient score, clipped to ``[lower, upper]`` (see the module docstring)."""
    if not low < high:
        raise FrameworkError(
            f"{_where(indicator, region_class)}: low ({low:g}) must be below high ({high:g})"
        )
    if not lower < upper:
        raise FrameworkError(f"efficacy bounds must have lower < upper, got [{lower}, {upper}]")
    x = np.asarray(x, float)
    frac = (x - low) / (high - low) if direction > 0 else (high - x) / (high - low)
    return np.clip(60.0 + 40.0 * frac, lower, upper)


def banded(x: np.ndarray, bands: tuple[tuple[float, float], ...], direction: int) -> np.ndarray:
    """Banded score: piecewise-linear between thresholds, 0 below the first."""
    x = np.asarray(x, float)
    ts = np.array([b[0] for b in bands]) * direction
    ss = np.array([b[1] for b in bands])
    xs = x * direction
    out = np.interp(xs, ts, ss)
    out = np.where(xs < ts[0], 0.0, out)
    return np.where(np.isnan(x), np.nan, out)


def full_mark(rule: str, cap: float = 1.0, upper: float = 100.0,
              ind: Indicator | None = None) -> float:
    """The most points a rule gives for one indicator."""
    if rule == "attainment":
        goal = ind.goal if ind is not None else None
        return 100.0 * cap if goal is None or goal.op in (">=", "<=") else 100.0
    if rule == "efficacy":
        return upper
    if rule == "banded":
        if ind is None or ind.bands is None:
            return 100.0
        return ind.bands[-1][1]
    raise FrameworkError(f"unknown rule {rule!r}; use one of {', '.join(RULES)}")


def score(
    x: np.ndarray, ind: Indicator, rule: str, *, cap: float = 1.0,
    bounds: tuple[float, float] = (0.0, 100.0), efficacy_range: str = "framework",
    region_class: str | None = None,
) -> np.ndarray:
    """Score the values ``x`` of one indicator (one period, all units) by ``rule``.

    ``efficacy_range`` is ``"framework"`` (``low``/``high`` required, falling back
    to the target for ``high`` of a benefit / ``low`` of a cost indicator) or
    ``"sample"`` (missing ends taken from the values' minimum and maximum).
    """
    where = _where(ind.id, region_class)
    if rule == "attainment":
        if ind.goal is None:
            raise FrameworkError(
                f"{where} has no target, which the attainment rule needs; give target: in "
                "the framework (or the class), or assess with missing_target='best'"
            )
        return attainment(x, ind.goal, cap, indicator=ind.id, region_class=region_class)
    if rule == "efficacy":
        low, high = ind.low, ind.high
        goal = ind.goal
        if goal is not None and goal.op in (">=", "<="):
            if ind.direction > 0 and high is None:
                high = goal.value
            if ind.direction < 0 and low is None:
                low = goal.value
        if low is None or high is None:
            if efficacy_range != "sample":
                raise FrameworkError(
                    f"{where} has no low/high (不允许值/满意值), which the efficacy rule needs; "
                    "give them in the framework or assess with efficacy_range='sample'"
                )
            finite = np.asarray(x, float)[~np.isnan(x)]
            lo_s, hi_s = float(finite.min()), float(finite.max())
            low = lo_s if low is None else low
            high = hi_s if high is None else high
            if not low < high:
                raise FrameworkError(
                    f"{where}: all units have the same value {lo_s:g}, so the sample gives no "
                    "efficacy range; give low and high in the framework"
                )
        return efficacy(x, low, high, ind.direction, lower=bounds[0], upper=bounds[1],
                        indicator=ind.id, region_class=region_class)
    if rule == "banded":
        if ind.bands is None:
            raise FrameworkError(
                f"{where} has no bands, which the banded rule needs; give bands: "
                "[[threshold, score], ...]"
            )
        return banded(x, ind.bands, ind.direction)
    raise FrameworkError(f"unknown rule {rule!r}; use one of {', '.join(RULES)}")
