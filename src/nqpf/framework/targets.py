"""Targets, efficacy bounds and grade bands of an indicator, as an office writes them.

An office states for each indicator a target value and how it is read:

- ``target_op`` ``>=``: the value should reach the target (benefit indicators, the
  default for direction ``+``);
- ``<=``: the value should stay at or below it (cost indicators, the default for
  direction ``-``);
- ``=``: the value should equal it (deviation either way costs);
- a range ``a..b``, written either as ``target: "a..b"`` or ``target_op: "a..b"``:
  the value should lie in the closed interval.

Chinese spellings of the operator are accepted: ``不低于``/``≥``/``≧`` for ``>=``,
``不高于``/``不超过``/``≤``/``≦`` for ``<=``, ``等于`` for ``=``; ranges may use
``~``, ``～``, ``—`` between two numbers or ``至`` (``2～3``, ``2至3``).

:func:`parse_target` turns the raw fields into a :class:`Target`; :func:`parse_bands`
reads grade bands (``[[threshold, score], ...]``). Both raise :class:`ValueError`
with a message naming the indicator; the framework models turn it into a
:class:`~nqpf.errors.FrameworkError` with its place in the tree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Target", "parse_bands", "parse_number", "parse_target", "shortfall"]

Op = Literal[">=", "<=", "=", ".."]

_OPS: dict[str, Op] = {
    ">=": ">=", "≥": ">=", "≧": ">=", "=>": ">=", "不低于": ">=", "不少于": ">=", "达到": ">=",
    "<=": "<=", "≤": "<=", "≦": "<=", "=<": "<=", "不高于": "<=", "不超过": "<=", "控制在": "<=",
    "=": "=", "==": "=", "等于": "=",
}
_RANGE = re.compile(
    r"^\s*([-+]?\d[\d,]*\.?\d*(?:[eE][-+]?\d+)?)\s*(?:\.\.|~|～|至|到|—|–)\s*"
    r"([-+]?\d[\d,]*\.?\d*(?:[eE][-+]?\d+)?)\s*$"
)


@dataclass(frozen=True)
class Target:
    """A target read as an operator and a value (or a closed range ``lo..hi``).

    ``value`` is the target for ``>=``, ``<=`` and ``=``; for a range ``..`` it is
    ``None`` and ``lo``/``hi`` hold the interval.
    """

    op: Op
    value: float | None = None
    lo: float | None = None
    hi: float | None = None

    def text(self) -> str:
        """The target as written back: ``>= 2.5`` or ``2..3``."""
        if self.op == "..":
            return f"{self.lo:g}..{self.hi:g}"
        return f"{self.op} {self.value:g}"

    def met(self, x: float) -> bool:
        """True when ``x`` satisfies the target."""
        return shortfall(self, x) == 0.0


def shortfall(t: Target, x: float) -> float:
    """Distance from ``x`` to the target, 0 when it is met.

    ``max(0, T − x)`` for ``>=``, ``max(0, x − T)`` for ``<=``, ``|x − T|`` for
    ``=`` and the distance to the nearer end outside a range.
    """
    if t.op == ">=":
        return max(0.0, t.value - x)  # type: ignore[operator]
    if t.op == "<=":
        return max(0.0, x - t.value)  # type: ignore[operator]
    if t.op == "=":
        return abs(x - t.value)  # type: ignore[operator]
    return max(0.0, t.lo - x, x - t.hi)  # type: ignore[operator]


def parse_number(v: Any, what: str) -> float:
    """A finite number from a number or text (``1,234.5``, ``12%`` is not accepted)."""
    if isinstance(v, bool):
        raise ValueError(f"{what} must be a number, got {v!r}")
    if isinstance(v, int | float):
        x = float(v)
    elif isinstance(v, str):
        try:
            x = float(v.strip().replace(",", ""))
        except ValueError:
            raise ValueError(f"{what} {v!r} is not a number") from None
    else:
        raise ValueError(f"{what} must be a number, got {v!r}")
    if not math.isfinite(x):
        raise ValueError(f"{what} must be finite, got {v!r}")
    return x


def _range(text: str) -> tuple[float, float] | None:
    m = _RANGE.match(text)
    if not m:
        return None
    lo, hi = (float(g.replace(",", "")) for g in m.groups())
    return lo, hi


def parse_target(
    target: Any, target_op: Any, direction: int, indicator: str = "?"
) -> Target | None:
    """Read ``target`` and ``target_op`` into a :class:`Target` (``None`` without a target).

    ``target_op`` defaults to ``>=`` for a benefit and ``<=`` for a cost
    indicator. A range may be given in either field.

    Raises
    ------
    ValueError
        An unknown operator, a non-numeric target, a range whose ends are not
        increasing, or an operator without a target; the message names the
        indicator.
    """
    where = f"indicator {indicator}"
    op_text = None if target_op is None else str(target_op).strip()
    if op_text == "":
        op_text = None
    rng = None
    if op_text is not None and op_text not in _OPS:
        rng = _range(op_text)
        if rng is None and op_text not in ("..", "range", "区间"):
            raise ValueError(
                f"{where}: unknown target_op {target_op!r}; use >=, <=, = or a range a..b "
                "(also 不低于, 不高于, 等于)"
            )
    if target is None or (isinstance(target, str) and not target.strip()):
        if rng is not None:
            target = None
        elif op_text is not None:
            raise ValueError(f"{where}: target_op {target_op!r} is given but the target is empty")
        else:
            return None
    if rng is None and isinstance(target, str) and _range(target) is not None:
        rng = _range(target)
        if op_text is not None and op_text in _OPS:
            raise ValueError(
                f"{where}: target {target!r} is a range but target_op is {target_op!r}; "
                "leave target_op empty (or write ..) for a range"
            )
    elif rng is None and isinstance(target, list | tuple) and len(target) == 2:
        rng = (parse_number(target[0], f"{where}: target"),
               parse_number(target[1], f"{where}: target"))
    if rng is not None:
        lo, hi = rng
        if not lo < hi:
            raise ValueError(f"{where}: target range {lo:g}..{hi:g} must have lo < hi")
        return Target("..", None, lo, hi)
    value = parse_number(target, f"{where}: target")
    op: Op = _OPS[op_text] if op_text is not None else (">=" if direction > 0 else "<=")
    return Target(op, value)


def parse_bands(v: Any, direction: int, indicator: str = "?") -> tuple[tuple[float, float], ...]:
    """Grade bands as ``((threshold, score), ...)`` in the order of improvement.

    Accepts a list of ``[threshold, score]`` pairs or a mapping ``{threshold:
    score}``. Thresholds must increase for a benefit indicator and decrease for
    a cost indicator; scores must increase along them and lie in [0, 100].
    """
    where = f"indicator {indicator}: bands"
    if isinstance(v, dict):
        pairs = list(v.items())
    elif isinstance(v, list | tuple):
        pairs = []
        for p in v:
            if not isinstance(p, list | tuple) or len(p) != 2:
                raise ValueError(f"{where}: each band is [threshold, score], got {p!r}")
            pairs.append((p[0], p[1]))
    else:
        raise ValueError(f"{where}: give a list of [threshold, score] pairs, got {v!r}")
    if len(pairs) < 2:
        raise ValueError(f"{where}: give at least two [threshold, score] pairs")
    out = tuple(
        (parse_number(t, f"{where} threshold"), parse_number(s, f"{where} score"))
        for t, s in pairs
    )
    ts = [t for t, _ in out]
    ss = [s for _, s in out]
    ok_t = all((b - a) * direction > 0 for a, b in zip(ts, ts[1:], strict=False))
    if not ok_t:
        word = "increase" if direction > 0 else "decrease (a cost indicator)"
        raise ValueError(f"{where}: thresholds {ts} must strictly {word}")
    if not all(b > a for a, b in zip(ss, ss[1:], strict=False)):
        raise ValueError(f"{where}: scores {ss} must strictly increase")
    if ss[0] < 0 or ss[-1] > 100:
        raise ValueError(f"{where}: scores {ss} must lie in [0, 100]")
    return out
