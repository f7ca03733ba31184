"""Region classes (分类指导) and the assessment weights of a framework.

An office scores regions of different kinds against different targets and
weights: 苏南 against stricter targets than the rest of Jiangsu, 一类 and 二类
counties in Hunan with their own weights. A framework lists its classes::

    classes:
      - id: south
        name_zh: 苏南
        targets: {rd_intensity: 3.5, energy_intensity: "<= 0.35"}
        weights: {rd_intensity: 0.15, energy_intensity: 0.10, ...}

``targets`` maps an indicator id to a number (read with the indicator's own
``target_op``), a text with an operator (``">= 3"``, ``"2..3"``) or a mapping
with any of ``target``, ``target_op``, ``low``, ``high``, ``bands``. ``weights``
maps indicator ids to *global* weights (shares of the total score): the class's
weights, with the framework's weights for the indicators it leaves out, must sum
to 1.

:func:`global_weights` states how the framework's own weights become one global
weight per indicator.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from .targets import parse_number

__all__ = ["RegionClass", "global_weights", "WEIGHT_TOLERANCE"]

#: Tolerance on "weights sum to 1" (offices print weights with 2-3 decimals).
WEIGHT_TOLERANCE = 1e-6

_OVERRIDABLE = ("target", "target_op", "low", "high", "bands")
_OP_PREFIX = re.compile(r"^\s*(>=|<=|=|≥|≤|不低于|不高于|不超过|等于)\s*(.+)$")


class RegionClass(BaseModel):
    """A class of regions with its own targets and weights (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str
    name_zh: str
    name_en: str
    targets: dict[str, dict[str, Any]] = {}
    weights: dict[str, float] = {}

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        d = dict(data)
        ident = d.get("id")
        if isinstance(ident, int | float) and not isinstance(ident, bool):
            d["id"] = ident = str(ident)
        if isinstance(ident, str):
            d.setdefault("name_zh", ident)
            if d.get("name_en") in (None, ""):
                d["name_en"] = ident
        for key in ("targets", "weights"):
            if d.get(key) is None:
                d[key] = {}
        return d

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> str:
        if not isinstance(v, str) or not v.strip() or re.search(r"\s", v.strip()):
            raise ValueError(f"class id must be a text without spaces, got {v!r}")
        return v.strip()

    @field_validator("targets", mode="before")
    @classmethod
    def _targets(cls, v: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(v, dict):
            raise ValueError(f"targets must map indicator ids to targets, got {v!r}")
        out: dict[str, dict[str, Any]] = {}
        for ind, spec in v.items():
            if isinstance(spec, dict):
                unknown = [k for k in spec if k not in _OVERRIDABLE]
                if unknown:
                    raise ValueError(
                        f"target of {ind}: unknown field(s) {unknown}; allowed: "
                        f"{', '.join(_OVERRIDABLE)}"
                    )
                out[str(ind)] = dict(spec)
            elif isinstance(spec, str) and _OP_PREFIX.match(spec):
                m = _OP_PREFIX.match(spec)
                assert m is not None
                out[str(ind)] = {"target_op": m.group(1), "target": m.group(2)}
            else:
                out[str(ind)] = {"target": spec}
        return out

    @field_validator("weights", mode="before")
    @classmethod
    def _weights(cls, v: Any) -> dict[str, float]:
        if not isinstance(v, dict):
            raise ValueError(f"weights must map indicator ids to numbers, got {v!r}")
        out = {}
        for ind, w in v.items():
            x = parse_number(w, f"weight of {ind}")
            if x < 0:
                raise ValueError(f"weight of {ind} must not be negative, got {w!r}")
            out[str(ind)] = x
        return out

    def name(self, lang: str = "zh") -> str:
        """The name in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en


def global_weights(dimensions: list[Any]) -> dict[str, float]:
    """One weight per indicator, summing to 1, from the weights in the tree.

    The rule (stated in the assessment documentation):

    1. No weight anywhere: equal weights at each level (each dimension ``1/D``,
       split equally among its sub-dimensions, then among its indicators).
    2. Indicator weights only (no dimension or sub-dimension weight), the usual
       official table with one 权重 per indicator: they are the global shares,
       divided by their sum (so 0.1/0.2/…, or 10/20/… in points, both work).
    3. Otherwise: the product of the sibling-normalised weights down the path
       (levels without weights split equally).
    """
    def has_node_weight(nodes: list[Any]) -> bool:
        return any(n.weight is not None or has_node_weight(list(n.children or []))
                   for n in nodes)

    leaves: list[Any] = []

    def collect(n: Any) -> None:
        if n.indicators:
            leaves.extend(n.indicators)
        for c in n.children or []:
            collect(c)

    for d in dimensions:
        collect(d)
    if not has_node_weight(dimensions) and all(i.weight is not None for i in leaves):
        total = sum(i.weight for i in leaves)
        return {i.id: i.weight / total for i in leaves}
    out: dict[str, float] = {}

    def share(items: list[Any]) -> list[float]:
        if all(x.weight is not None for x in items):
            s = sum(x.weight for x in items)
            return [x.weight / s for x in items]
        return [1.0 / len(items)] * len(items)

    def walk(items: list[Any], mass: float) -> None:
        for x, w in zip(items, share(items), strict=True):
            if hasattr(x, "children") and (x.children or x.indicators):
                walk(list(x.children or x.indicators), mass * w)
            else:
                out[x.id] = mass * w

    walk(list(dimensions), 1.0)
    return out


def class_weights(
    base: dict[str, float], cls: RegionClass, source: str = "framework"
) -> dict[str, float]:
    """The global weights for a class: its own where given, the framework's elsewhere.

    Raises
    ------
    ValueError
        When the result does not sum to 1 (within :data:`WEIGHT_TOLERANCE`),
        naming the class and the sum.
    """
    if not cls.weights:
        return dict(base)
    merged = {k: cls.weights.get(k, w) for k, w in base.items()}
    total = math.fsum(merged.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        own = math.fsum(cls.weights.values())
        kept = [k for k in base if k not in cls.weights]
        detail = f"its own weights sum to {own:.6g}"
        if kept:
            detail += f" and the framework's weights of {', '.join(kept[:8])} add {total - own:.6g}"
        raise ValueError(
            f"class {cls.id}: weights sum to {total:.6g}, not 1 ({detail}); "
            "give global weights (shares of the total score) that sum to 1"
        )
    return merged
