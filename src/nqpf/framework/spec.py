"""The indicator framework: a tree index → dimensions → (sub-dimensions) → indicators.

An evaluation system in the measurement literature is a small tree: the index
(e.g. "new quality productive forces") splits into dimensions (劳动者, 劳动资料,
劳动对象), optionally into sub-dimensions, and ends in indicators, each with a
unit and a direction (+ benefit, − cost). This module holds that tree as
validated pydantic models:

- :class:`Indicator` — one leaf: how to compute its value from data series
  (``series / denominator × scale``, then optionally ``ln``), its unit,
  direction, optional expert weight and plausible bounds;
- :class:`Node` — a dimension or sub-dimension, holding either sub-dimensions
  (``children``) or ``indicators``, never both;
- :class:`Framework` — the whole tree, with look-ups (:meth:`Framework.path`,
  :meth:`Framework.leaves_of`, :meth:`Framework.required_series`) and views
  (:meth:`Framework.tree_frame`, :meth:`Framework.render_tree`,
  :meth:`Framework.to_yaml`).

Every model forbids unknown fields, so that a typo such as ``wieght`` is an
error rather than a silently ignored key. Build frameworks from plain data with
:meth:`Framework.from_dict` (or :func:`nqpf.framework.load_framework`): its
errors are :class:`~nqpf.errors.FrameworkError` messages that name the file and
the place in the tree by ids, e.g.
``nqpf-x.yaml: dimensions[labour].indicators[rd_staff].direction: unknown
direction 'up' for indicator rd_staff; use + (benefit) or - (cost)``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..errors import FrameworkError
from ..yamltools import key_line
from .classes import RegionClass, class_weights, global_weights
from .targets import Target, parse_bands, parse_number, parse_target

__all__ = [
    "COUNT_UNITS",
    "Framework",
    "Indicator",
    "Node",
    "parse_direction",
]

# ---------------------------------------------------------------------- directions
_BENEFIT = {"+", "+1", "1", "1.0", "+1.0", "benefit", "positive", "pos", "正", "正向"}
_COST = {"-", "-1", "-1.0", "cost", "negative", "neg", "负", "负向", "逆向", "反向"}
_SIGN_CHARS = str.maketrans({"−": "-", "－": "-", "–": "-", "＋": "+"})


def parse_direction(value: Any, indicator: str = "?") -> int:
    """Read an indicator direction as ``+1`` (benefit) or ``-1`` (cost).

    Accepted spellings: ``+``, ``-``, ``+1``, ``-1``, ``1``, ``-1`` (numbers or
    text), ``benefit``/``cost``, ``positive``/``negative``, ``正``/``负``,
    ``正向``/``负向``/``逆向`` (case-insensitive; full-width signs and the
    Unicode minus are read as ASCII signs).

    Raises
    ------
    ValueError
        For anything else; the message names the indicator.
    """
    if isinstance(value, bool):
        key = None
    elif isinstance(value, int | float):
        key = {1: 1, -1: -1}.get(value) if not math.isnan(value) else None
        if key is not None:
            return key
    else:
        key = str(value).strip().translate(_SIGN_CHARS).lower() if value is not None else None
        if key in _BENEFIT:
            return 1
        if key in _COST:
            return -1
    raise ValueError(
        f"unknown direction {value!r} for indicator {indicator}; use + (benefit) or - (cost)"
    )


def _sign(direction: int) -> str:
    return "+" if direction > 0 else "-"


# ---------------------------------------------------------------------- units and bounds
#: Units whose values are counts or amounts and so cannot be negative (the part of
#: the unit before ``/`` or `` per `` is compared, so ``件/万人`` and ``吨/万元``
#: count too). Compared after stripping spaces and lower-casing.
COUNT_UNITS: frozenset[str] = frozenset(
    {
        # counts (Chinese yearbook units)
        "人", "万人", "亿人", "人次", "万人次", "人年", "个", "万个", "件", "万件", "项", "家",
        "户", "万户", "台", "万台", "辆", "万辆", "篇", "所", "座", "张", "床", "部", "万部",
        "次", "套",
        # amounts of money
        "元", "千元", "万元", "百万元", "千万元", "亿元", "万亿元", "美元", "万美元",
        "百万美元", "亿美元",
        # physical quantities
        "吨", "千吨", "万吨", "亿吨", "吨标准煤", "万吨标准煤", "千克", "公斤", "千瓦时",
        "万千瓦时", "亿千瓦时", "千瓦", "万千瓦", "公里", "千米", "米", "平方公里", "平方米",
        "万平方米", "公顷", "千公顷", "立方米", "万立方米", "亿立方米", "年", "小时", "天",
        # English spellings
        "persons", "person", "people", "number", "count", "units", "firms", "patents",
        "usd", "us$", "$", "yuan", "rmb", "cny", "t", "tonnes", "tons", "kt", "mt", "kg",
        "kwh", "gwh", "twh", "km", "m", "km2", "ha", "years", "hours", "days",
    }
)
_CURRENCY_TOKENS = ("元", "us$", "usd", "yuan", "rmb")


def _numerator_unit(unit: str) -> str:
    u = unit.strip().lower()
    u = re.split(r"/| per ", u, maxsplit=1)[0]
    return re.sub(r"\s+", "", u)


def _default_bounds(unit: str) -> tuple[float | None, float | None]:
    u = unit.strip()
    if u == "%":
        return (0.0, 100.0)
    num = _numerator_unit(u)
    if num and (num in COUNT_UNITS or any(tok in num for tok in _CURRENCY_TOKENS)):
        return (0.0, None)
    return (None, None)


# ---------------------------------------------------------------------- ids
def _check_identifier(v: Any, what: str) -> str:
    if not isinstance(v, str):
        raise ValueError(f"{what} id must be text, got {v!r}")
    s = v.strip()
    if not s.isidentifier():
        hint = re.sub(r"\W+", "_", s).strip("_")
        if hint and hint[0].isdigit():
            hint = "x" + hint
        raise ValueError(
            f"{what} id {v!r} is not identifier-like: use letters (any script), digits and _, "
            f"not starting with a digit" + (f" (e.g. {hint!r})" if hint else "")
        )
    return s


def _fill_defaults(data: Any, series: bool) -> Any:
    """Copy of the input dict with ``name_en`` (and ``series``) defaulting to the id."""
    if not isinstance(data, dict):
        return data
    d = dict(data)
    ident = d.get("id")
    if isinstance(ident, str):
        if d.get("name_en") in (None, ""):
            d["name_en"] = ident.strip()
        if series and d.get("series") in (None, ""):
            d["series"] = ident.strip()
    return d


def _text(v: Any, what: str) -> str:
    if v is None or (isinstance(v, str) and not v.strip()):
        raise ValueError(f"{what} is empty")
    if not isinstance(v, str | int | float) or isinstance(v, bool):
        raise ValueError(f"{what} must be text, got {v!r}")
    return str(v).strip()


def _check_sibling_weights(items: list[Any], where: str) -> None:
    given = [x.id for x in items if x.weight is not None]
    if given and len(given) != len(items):
        missing = [x.id for x in items if x.weight is None]
        raise ValueError(
            f"{where}: some siblings have weights ({', '.join(given)}) and others not "
            f"({', '.join(missing)}); give a weight to all of them or to none"
        )


def _check_weight(v: Any) -> float | None:
    if v is None:
        return None
    try:
        w = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"weight must be a positive number, got {v!r}") from None
    if not math.isfinite(w) or w <= 0:
        raise ValueError(f"weight must be positive, got {v!r}")
    return w


# ---------------------------------------------------------------------- models
_MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Indicator(BaseModel):
    """One indicator (a leaf of the tree).

    Its value for unit *i* and period *t* is computed by
    :func:`nqpf.framework.prepare` as
    ``x = series[i, t] / denominator[i, t] * scale``, then ``ln(x)`` when
    ``log`` is true.

    Parameters
    ----------
    id : str
        Identifier-like (letters of any script, digits, ``_``; not starting with
        a digit), unique in the whole framework. It names the prepared column.
    name_zh : str
        Chinese name (required).
    name_en : str, optional
        English name; defaults to ``id``.
    unit : str, default ""
        Unit of the prepared value (after denominator, scale and log).
    direction : {+1, -1}
        ``+1`` benefit (larger is better), ``-1`` cost. Accepts ``+``, ``-``,
        ``+1``, ``-1``, ``1``, ``benefit``/``cost``, ``positive``/``negative``,
        ``正``/``负``, ``正向``/``负向``/``逆向``.
    series : str, optional
        Data series (panel indicator) holding the numerator; defaults to ``id``.
    denominator : str, optional
        Data series to divide by (e.g. ``pop`` for per-capita values, ``gdp``
        for per-GDP values).
    scale : float, default 1
        Positive factor applied after the ratio (``1e4`` for "per 10,000
        people" when numerator and population are in the same unit, ``100`` for
        percentages).
    log : bool, default False
        Take the natural logarithm after the ratio and scale; the values must be
        positive.
    source : str, optional
        Where the data come from (yearbook, database).
    weight : float, optional
        Expert weight (> 0), relative to the siblings.
    bounds : [lo, hi], optional
        Plausible range of the prepared value; either end may be null. See
        :attr:`effective_bounds` for the default.
    provider : str, optional
        The department that provides the data (数据提供部门).
    formula : str, optional
        How the indicator is computed, as text for the reader (计算公式); stored
        as :attr:`formula_text` (:meth:`formula` gives the computation nqpf runs).
    frequency : {"year", "quarter"}, optional
        How often the value is collected.
    target, target_op : optional
        The target (目标值) and how it is read (目标方向): ``>=``, ``<=``, ``=`` or a
        range ``a..b`` (see :mod:`nqpf.framework.targets`). ``target_op``
        defaults to ``>=`` for a benefit and ``<=`` for a cost indicator.
    low, high : float, optional
        The 不允许值 and 满意值 of the efficacy coefficient as numbers with
        ``low < high``; for a cost indicator ``high`` is the value not allowed
        and ``low`` the satisfactory one.
    bands : list of [threshold, score], optional
        Grade thresholds for banded scoring, in the order of improvement.
    mandatory : bool, default False
        A framework that ``extends`` this one must keep the indicator.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True
    )

    id: str
    name_zh: str
    name_en: str
    unit: str = ""
    direction: Literal[1, -1]
    series: str
    denominator: str | None = None
    scale: float = 1.0
    log: bool = False
    source: str | None = None
    weight: float | None = None
    bounds: tuple[float | None, float | None] | None = None
    provider: str | None = None
    formula_text: str | None = Field(default=None, alias="formula")
    frequency: Literal["year", "quarter"] | None = None
    target: float | tuple[float, float] | None = None
    target_op: Literal[">=", "<=", "=", ".."] | None = None
    low: float | None = None
    high: float | None = None
    bands: tuple[tuple[float, float], ...] | None = None
    mandatory: bool = False

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        d = _fill_defaults(data, series=True)
        if isinstance(d, dict) and d.get("unit") is None and "unit" in d:
            d["unit"] = ""
        if isinstance(d, dict):
            _read_goal(d)
        return d

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> str:
        return _check_identifier(v, "indicator")

    @field_validator("name_zh", "name_en", "series", mode="before")
    @classmethod
    def _names(cls, v: Any, info: ValidationInfo) -> str:
        return _text(v, str(info.field_name))

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, v: Any) -> str:
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise ValueError(f"unit must be text, got {v!r}")
        return str(v).strip()

    @field_validator("direction", mode="before")
    @classmethod
    def _direction(cls, v: Any, info: ValidationInfo) -> int:
        return parse_direction(v, str(info.data.get("id", "?")))

    @field_validator("denominator", "source", mode="before")
    @classmethod
    def _optional_text(cls, v: Any, info: ValidationInfo) -> str | None:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        return _text(v, str(info.field_name))

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: float) -> float:
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"scale must be a positive number, got {v!r}")
        return v

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, v: Any) -> float | None:
        return _check_weight(v)

    @field_validator("bounds")
    @classmethod
    def _bounds(
        cls, v: tuple[float | None, float | None] | None
    ) -> tuple[float | None, float | None] | None:
        if v is None:
            return None
        lo, hi = v
        if lo is not None and hi is not None and not lo < hi:
            raise ValueError(f"bounds must be [lo, hi] with lo < hi, got [{lo}, {hi}]")
        return v

    @property
    def effective_bounds(self) -> tuple[float | None, float | None]:
        """Plausible range of the prepared value, ``(lo, hi)``; ``None`` means open.

        The rule, in order:

        1. ``bounds`` when given;
        2. ``(None, None)`` when ``log`` is true (a logarithm may be negative);
        3. ``(0, 100)`` when the unit is exactly ``"%"``;
        4. ``(0, None)`` when the unit is a count or an amount: the part of the
           unit before ``/`` (or ``per``) is one of :data:`COUNT_UNITS` (人, 万人,
           个, 件, 项, 家, 元, 万元, 亿元, 吨, 万吨, km, persons, number, count,
           USD, …) or names a currency (元, US$, USD, yuan, RMB), so ``件/万人``
           and ``吨/万元`` are non-negative too;
        5. ``(None, None)`` otherwise (indices, ratios, growth rates).

        Percentages that may exceed 100 (trade over GDP) or fall below 0
        (growth rates) need explicit ``bounds``.
        """
        if self.bounds is not None:
            return self.bounds
        if self.log:
            return (None, None)
        return _default_bounds(self.unit)

    @property
    def sign(self) -> str:
        """The direction as ``"+"`` or ``"-"``."""
        return _sign(self.direction)

    @property
    def goal(self) -> Target | None:
        """The target as a :class:`~nqpf.framework.targets.Target`, or None."""
        if self.target is None:
            return None
        if isinstance(self.target, tuple):
            return Target("..", None, self.target[0], self.target[1])
        return Target(self.target_op or (">=" if self.direction > 0 else "<="), self.target)

    def target_text(self) -> str:
        """The target as written in a table (``>= 2.5``, ``2..3``), empty without one."""
        g = self.goal
        return g.text() if g is not None else ""

    def name(self, lang: str = "zh") -> str:
        """The name in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.name_zh if _lang(lang) == "zh" else self.name_en

    def formula(self) -> str:
        """The computation as text, e.g. ``ln(rgdpe / pop)`` or ``rd_exp / gdp * 100``."""
        f = self.series
        if self.denominator:
            f = f"{f} / {self.denominator}"
        if self.scale != 1:
            f = f"{f} * {self.scale:g}"
        return f"ln({f})" if self.log else f

    def to_data(self) -> dict[str, Any]:
        """Plain data that validates back to an equal indicator (defaults left out)."""
        d: dict[str, Any] = {"id": self.id, "name_zh": self.name_zh}
        if self.name_en != self.id:
            d["name_en"] = self.name_en
        d["unit"] = self.unit
        d["direction"] = self.sign
        if self.series != self.id:
            d["series"] = self.series
        if self.denominator is not None:
            d["denominator"] = self.denominator
        if self.scale != 1:
            d["scale"] = self.scale
        if self.log:
            d["log"] = True
        for key in ("source", "weight"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        if self.bounds is not None:
            d["bounds"] = list(self.bounds)
        if self.provider is not None:
            d["provider"] = self.provider
        if self.formula_text is not None:
            d["formula"] = self.formula_text
        if self.frequency is not None:
            d["frequency"] = self.frequency
        if self.target is not None:
            if isinstance(self.target, tuple):
                d["target"] = f"{self.target[0]:g}..{self.target[1]:g}"
            else:
                d["target"] = self.target
                d["target_op"] = self.target_op
        for key in ("low", "high"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        if self.bands is not None:
            d["bands"] = [list(b) for b in self.bands]
        if self.mandatory:
            d["mandatory"] = True
        return d


def _read_goal(d: dict[str, Any]) -> None:
    """Normalise target, target_op, low, high and bands of raw indicator data in place."""
    ident = str(d.get("id", "?"))
    has_goal = any(d.get(k) not in (None, "") for k in ("target", "target_op", "bands"))
    if has_goal or d.get("low") not in (None, "") or d.get("high") not in (None, ""):
        direction = parse_direction(d.get("direction"), ident)
    else:
        direction = 1
    t = parse_target(d.get("target"), d.get("target_op"), direction, ident)
    if t is None:
        d.pop("target", None)
        d.pop("target_op", None)
    elif t.op == "..":
        d["target"], d["target_op"] = (t.lo, t.hi), ".."
    else:
        d["target"], d["target_op"] = t.value, t.op
    lo = d.get("low")
    hi = d.get("high")
    lo = None if lo in (None, "") else parse_number(lo, f"indicator {ident}: low")
    hi = None if hi in (None, "") else parse_number(hi, f"indicator {ident}: high")
    if lo is not None and hi is not None and not lo < hi:
        raise ValueError(
            f"indicator {ident}: low ({lo:g}) must be below high ({hi:g}); low and high are "
            "the numeric ends of the efficacy range (for a cost indicator high is the "
            "value not allowed and low the satisfactory one)"
        )
    d["low"], d["high"] = lo, hi
    if d.get("bands") not in (None, ""):
        d["bands"] = parse_bands(d["bands"], direction, ident)
    else:
        d.pop("bands", None)


class Node(BaseModel):
    """A dimension or sub-dimension.

    Holds either ``children`` (sub-dimensions) or ``indicators``, never both
    and never neither. ``weight`` is an optional expert weight relative to the
    siblings; if one sibling has a weight, all must.
    """

    model_config = _MODEL_CONFIG

    id: str
    name_zh: str
    name_en: str
    weight: float | None = None
    children: list[Node] | None = None
    indicators: list[Indicator] | None = None

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        return _fill_defaults(data, series=False)

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> str:
        return _check_identifier(v, "node")

    @field_validator("name_zh", "name_en", mode="before")
    @classmethod
    def _names(cls, v: Any, info: ValidationInfo) -> str:
        return _text(v, str(info.field_name))

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, v: Any) -> float | None:
        return _check_weight(v)

    @model_validator(mode="after")
    def _shape(self) -> Node:
        has_c, has_i = bool(self.children), bool(self.indicators)
        if has_c and has_i:
            raise ValueError(
                f"node {self.id} has both children and indicators; a node holds either "
                "sub-dimensions (children) or indicators, not both"
            )
        if not has_c and not has_i:
            raise ValueError(
                f"node {self.id} has neither children nor indicators; give it a non-empty "
                "list of one of them"
            )
        _check_sibling_weights(list(self.children or self.indicators or []), f"node {self.id}")
        return self

    @property
    def is_leaf_parent(self) -> bool:
        """True when the node holds indicators directly."""
        return bool(self.indicators)

    def name(self, lang: str = "zh") -> str:
        """The name in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.name_zh if _lang(lang) == "zh" else self.name_en

    def leaves(self) -> list[Indicator]:
        """Indicators under this node, in tree order."""
        if self.indicators:
            return list(self.indicators)
        return [ind for c in self.children or [] for ind in c.leaves()]


UnitKind = Literal["province", "country", "firm", "any"]


class Framework(BaseModel):
    """An indicator framework: index → dimensions → (sub-dimensions) → indicators.

    Parameters
    ----------
    id : str
        Short name without spaces (e.g. ``nqpf-three-elements``).
    name_zh, name_en : str
        Names of the index; ``name_en`` defaults to ``id``.
    description : str or {"zh": str, "en": str}, optional
    version : str, default "1"
    valid_from, valid_to : date, optional
        The period the version is in force (inclusive); either may be open.
    issuer : str, optional
        The office that issued the framework (发文机关).
    document : str, optional
        The document number (文号), e.g. ``鄂发〔2018〕12号``.
    extends : str, optional
        The parent framework this one was cascaded from (kept for the record;
        the cascade itself is resolved by :func:`~nqpf.framework.load_framework`).
    classes : list of RegionClass, optional
        Region classes with their own targets and weights
        (:mod:`nqpf.framework.classes`).
    unit_kind : {"province", "country", "firm", "any"}, default "any"
        The kind of unit the framework is meant for.
    dimensions : list of Node
        Either dimensions holding indicators, or dimensions holding
        sub-dimensions holding indicators (the two may be mixed across
        dimensions); deeper nesting is an error.

    Notes
    -----
    Ids are unique across the whole tree (framework, nodes and indicators);
    weights are positive and, among siblings, given for all or for none.
    Construct from plain data with :meth:`from_dict` to get
    :class:`~nqpf.errors.FrameworkError` messages that locate problems by ids.
    """

    model_config = _MODEL_CONFIG

    id: str
    name_zh: str
    name_en: str
    description: str | dict[Literal["zh", "en"], str] | None = None
    version: str = "1"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    issuer: str | None = None
    document: str | None = None
    extends: str | None = None
    unit_kind: UnitKind = "any"
    dimensions: list[Node]
    classes: list[RegionClass] | None = None

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        return _fill_defaults(data, series=False)

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> str:
        s = _text(v, "framework id")
        if re.search(r"\s", s):
            raise ValueError(f"framework id {v!r} must not contain spaces (use - or _)")
        return s

    @field_validator("name_zh", "name_en", mode="before")
    @classmethod
    def _names(cls, v: Any, info: ValidationInfo) -> str:
        return _text(v, str(info.field_name))

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v: Any) -> str:
        return _text(v, "version")

    @field_validator("dimensions")
    @classmethod
    def _non_empty(cls, v: list[Node]) -> list[Node]:
        if not v:
            raise ValueError("the framework has no dimensions")
        return v

    @model_validator(mode="after")
    def _tree(self) -> Framework:
        places: dict[str, list[str]] = {self.id: ["framework id"]}
        for where, item in self._walk_paths():
            places.setdefault(item.id, []).append(where)
            if isinstance(item, Node) and item.children and where.count("[") > 1:
                raise ValueError(
                    f"{where}: nesting deeper than dimension → sub-dimension → indicator is not "
                    "supported; move its sub-dimensions up or their indicators into it"
                )
        dups = {k: v for k, v in places.items() if len(v) > 1}
        if dups:
            text = "; ".join(f"'{k}' at {' and '.join(v)}" for k, v in dups.items())
            raise ValueError(
                f"duplicated id {text}; ids must be unique across the whole framework"
            )
        _check_sibling_weights(self.dimensions, "dimensions")
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError(
                f"valid_from {self.valid_from} is after valid_to {self.valid_to}"
            )
        self._check_classes()
        return self

    def _check_classes(self) -> None:
        ids = self.indicator_ids
        seen: set[str] = set()
        base = self.weights()
        for c in self.classes or []:
            if c.id in seen:
                raise ValueError(f"classes: class id {c.id!r} is given twice")
            seen.add(c.id)
            for what, keys in (("targets", c.targets), ("weights", c.weights)):
                orphans = [k for k in keys if k not in ids]
                if orphans:
                    raise ValueError(
                        f"classes[{c.id}].{what}: unknown indicator(s) {orphans}; "
                        + _unknown("indicator", orphans[0], ids, self.id)
                    )
            for k in c.targets:
                self.indicator_for(k, c.id)  # validates the overridden target
            class_weights(base, c)

    # ------------------------------------------------------------------ assessment
    @property
    def class_ids(self) -> list[str]:
        """Ids of the region classes, in the order given."""
        return [c.id for c in self.classes or []]

    def region_class(self, id: str) -> RegionClass:
        """The region class with this id."""
        for c in self.classes or []:
            if c.id == id:
                return c
        raise FrameworkError(_unknown("class", id, self.class_ids, self.id))

    def weights(self, region_class: str | None = None) -> dict[str, float]:
        """Global weight of each indicator (shares of the total, summing to 1).

        See :func:`nqpf.framework.classes.global_weights` for how the tree's
        weights are read; a class's own weights replace the framework's.
        """
        base = global_weights(list(self.dimensions))
        if region_class is None:
            return base
        try:
            return class_weights(base, self.region_class(region_class))
        except ValueError as err:
            raise FrameworkError(f"framework {self.id}: {err}") from None

    def indicator_for(self, id: str, region_class: str | None = None) -> Indicator:
        """The indicator with a class's target, ``low``, ``high`` and ``bands`` applied."""
        ind = self.indicator(id)
        if region_class is None:
            return ind
        over = self.region_class(region_class).targets.get(id)
        if not over:
            return ind
        data = ind.to_data()
        for key in ("target", "target_op", "low", "high", "bands"):
            if key in over:
                data[key] = over[key]
        if "target" in over and "target_op" not in over:
            data.pop("target_op", None)
            if ind.target_op in (">=", "<=", "="):
                data["target_op"] = ind.target_op
        try:
            return Indicator.model_validate(data)
        except ValidationError as err:
            msgs = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in err.errors())
            raise FrameworkError(
                f"framework {self.id}: classes[{region_class}].targets[{id}]: {msgs}"
            ) from None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, data: Any, source: str | None = None, node: Any = None) -> Framework:
        """Validate plain data (as read from YAML) into a framework.

        ``node`` is the YAML node tree of the file the data came from
        (``yaml.compose``): messages then give the line of each problem.

        Raises
        ------
        FrameworkError
            Naming ``source`` and each problem's place in the tree by ids.
        """
        if not isinstance(data, dict):
            raise FrameworkError(
                f"{source or 'framework'}: expected a mapping with id, name_zh and dimensions, "
                f"got {type(data).__name__}"
            )
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise _framework_error(err, data, source, node) from None

    # ------------------------------------------------------------------ look-ups
    def _walk_paths(self) -> Iterator[tuple[str, Node | Indicator]]:
        def rec(node: Node, prefix: str) -> Iterator[tuple[str, Node | Indicator]]:
            yield prefix, node
            for c in node.children or []:
                yield from rec(c, f"{prefix}.children[{c.id}]")
            for ind in node.indicators or []:
                yield f"{prefix}.indicators[{ind.id}]", ind

        for d in self.dimensions:
            yield from rec(d, f"dimensions[{d.id}]")

    @property
    def indicators(self) -> list[Indicator]:
        """All indicators, in tree order."""
        return [ind for d in self.dimensions for ind in d.leaves()]

    @property
    def indicator_ids(self) -> list[str]:
        """Ids of all indicators, in tree order."""
        return [ind.id for ind in self.indicators]

    @property
    def nodes(self) -> list[Node]:
        """All dimensions and sub-dimensions, depth first (a dimension before its children)."""
        return [x for _, x in self._walk_paths() if isinstance(x, Node)]

    def indicator(self, id: str) -> Indicator:
        """The indicator with this id; an unknown id raises FrameworkError with suggestions."""
        for ind in self.indicators:
            if ind.id == id:
                return ind
        raise FrameworkError(_unknown("indicator", id, self.indicator_ids, self.id))

    def node(self, id: str) -> Node:
        """The dimension or sub-dimension with this id."""
        for n in self.nodes:
            if n.id == id:
                return n
        raise FrameworkError(_unknown("node", id, [n.id for n in self.nodes], self.id))

    def path(self, indicator_id: str) -> list[str]:
        """Ids of the nodes above an indicator: ``[dimension]`` or ``[dimension, subdimension]``."""
        for d in self.dimensions:
            if d.indicators and any(i.id == indicator_id for i in d.indicators):
                return [d.id]
            for s in d.children or []:
                if any(i.id == indicator_id for i in s.leaves()):
                    return [d.id, s.id]
        raise FrameworkError(_unknown("indicator", indicator_id, self.indicator_ids, self.id))

    def leaves_of(self, node_id: str) -> list[str]:
        """Ids of the indicators under a node, in tree order.

        ``node_id`` may be the framework id (all indicators), a dimension, a
        sub-dimension, or an indicator (itself).
        """
        if node_id == self.id:
            return self.indicator_ids
        for n in self.nodes:
            if n.id == node_id:
                return [i.id for i in n.leaves()]
        if node_id in self.indicator_ids:
            return [node_id]
        known = [self.id] + [n.id for n in self.nodes] + self.indicator_ids
        raise FrameworkError(_unknown("node", node_id, known, self.id))

    def required_series(self) -> list[str]:
        """Data series the framework reads: each indicator's series then its denominator.

        Ordered by first use in tree order, without repeats.
        """
        out: dict[str, None] = {}
        for ind in self.indicators:
            out[ind.series] = None
            if ind.denominator:
                out[ind.denominator] = None
        return list(out)

    # ------------------------------------------------------------------ export
    def to_dict(self) -> dict[str, Any]:
        """Plain data that :meth:`from_dict` reads back to an equal framework.

        Defaults are left out (``name_en`` and ``series`` equal to the id,
        ``scale`` 1, ``log`` false, empty optional fields); directions are
        written ``"+"`` / ``"-"``.
        """

        def ind(i: Indicator) -> dict[str, Any]:
            return i.to_data()

        def node(n: Node) -> dict[str, Any]:
            d: dict[str, Any] = {"id": n.id, "name_zh": n.name_zh}
            if n.name_en != n.id:
                d["name_en"] = n.name_en
            if n.weight is not None:
                d["weight"] = n.weight
            if n.children:
                d["children"] = [node(c) for c in n.children]
            else:
                d["indicators"] = [ind(i) for i in n.indicators or []]
            return d

        out: dict[str, Any] = {"id": self.id, "name_zh": self.name_zh}
        if self.name_en != self.id:
            out["name_en"] = self.name_en
        if self.description is not None:
            out["description"] = (
                dict(self.description) if isinstance(self.description, dict) else self.description
            )
        out["version"] = self.version
        for key in ("valid_from", "valid_to", "issuer", "document", "extends"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["unit_kind"] = self.unit_kind
        out["dimensions"] = [node(d) for d in self.dimensions]
        if self.classes:
            out["classes"] = [
                {k: v for k, v in c.model_dump().items() if v not in ({}, None)}
                for c in self.classes
            ]
        return out

    def to_yaml(self, path: str | Path | None = None, overwrite: bool = False) -> str:
        """The framework as YAML text; also written to ``path`` when given.

        An existing file is overwritten only with ``overwrite=True``.
        """
        text = yaml.safe_dump(
            self.to_dict(), allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
        )
        if path is not None:
            p = Path(path)
            if p.exists() and not overwrite:
                raise FrameworkError(f"{p} exists; pass overwrite=True to replace it")
            p.write_text(text, encoding="utf-8")
        return text

    def tree_frame(self, lang: str = "zh") -> pd.DataFrame:
        """One row per indicator, in tree order.

        Columns: ``dimension``, ``subdimension`` (ids; missing when the
        dimension has no sub-dimensions), ``indicator`` (id), ``name`` (in
        ``lang``), ``unit``, ``direction`` (``"+"``/``"-"``), ``weight``
        (expert weight or NaN), ``dimension_name``, ``subdimension_name``.
        """
        lang = _lang(lang)
        rows = []
        for d in self.dimensions:
            subs = d.children or [None]
            for s in subs:
                holder = s if s is not None else d
                for i in holder.indicators or []:
                    rows.append(
                        {
                            "dimension": d.id,
                            "subdimension": s.id if s is not None else None,
                            "indicator": i.id,
                            "name": i.name(lang),
                            "unit": i.unit,
                            "direction": i.sign,
                            "weight": i.weight if i.weight is not None else float("nan"),
                            "dimension_name": d.name(lang),
                            "subdimension_name": s.name(lang) if s is not None else None,
                        }
                    )
        return pd.DataFrame(rows)

    def to_table(self) -> pd.DataFrame:
        """The framework as a flat table that :func:`~nqpf.framework.load_framework` reads back.

        One row per indicator with columns ``dimension_id``, ``dimension``
        (Chinese name), ``dimension_en``, ``dimension_weight``,
        ``subdimension_id``, ``subdimension``, ``subdimension_en``,
        ``subdimension_weight``, ``indicator``, ``name_zh``, ``name_en``,
        ``unit``, ``direction``, ``weight``, ``series``, ``denominator``,
        ``scale``, ``log``, ``source``. Framework-level fields (id, names,
        description, unit kind) and ``bounds`` are not part of the table.
        """
        rows = []
        for d in self.dimensions:
            for s in d.children or [None]:
                holder = s if s is not None else d
                for i in holder.indicators or []:
                    rows.append(
                        {
                            "dimension_id": d.id,
                            "dimension": d.name_zh,
                            "dimension_en": d.name_en,
                            "dimension_weight": d.weight,
                            "subdimension_id": s.id if s else None,
                            "subdimension": s.name_zh if s else None,
                            "subdimension_en": s.name_en if s else None,
                            "subdimension_weight": s.weight if s else None,
                            "indicator": i.id,
                            "name_zh": i.name_zh,
                            "name_en": i.name_en,
                            "unit": i.unit,
                            "direction": i.sign,
                            "weight": i.weight,
                            "series": i.series,
                            "denominator": i.denominator,
                            "scale": i.scale,
                            "log": i.log,
                            "source": i.source,
                        }
                    )
        return pd.DataFrame(rows)

    def render_tree(self, lang: str = "zh") -> str:
        """An indented text tree for the terminal.

        Each indicator line shows its direction sign, name, id and unit (and
        ``ln`` when logged); weights show as ``w=…``.
        """
        lang = _lang(lang)
        name = self.name_zh if lang == "zh" else self.name_en
        lines = [f"{name} [{self.id}]"]

        def wtxt(w: float | None) -> str:
            return f"  w={w:g}" if w is not None else ""

        def emit(items: list[Any], prefix: str) -> None:
            for k, it in enumerate(items):
                last = k == len(items) - 1
                branch, cont = ("└── ", "    ") if last else ("├── ", "│   ")
                if isinstance(it, Indicator):
                    unit = it.unit
                    if it.log and not unit.lower().startswith(("ln", "log")):
                        unit = f"ln({unit})" if unit else "ln"
                    utxt = f" ({unit})" if unit else ""
                    label = f"{it.sign} {it.name(lang)} [{it.id}]{utxt}"
                    lines.append(f"{prefix}{branch}{label}{wtxt(it.weight)}")
                else:
                    lines.append(f"{prefix}{branch}{it.name(lang)} [{it.id}]{wtxt(it.weight)}")
                    emit(list(it.children or it.indicators or []), prefix + cont)

        emit(list(self.dimensions), "")
        return "\n".join(lines)

    def describe(self, lang: str = "zh") -> str | None:
        """The description in ``lang`` (falls back to the other language)."""
        if self.description is None or isinstance(self.description, str):
            return self.description
        other = "en" if _lang(lang) == "zh" else "zh"
        return self.description.get(_lang(lang)) or self.description.get(other)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- helpers
def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise FrameworkError(f"unknown language {lang!r}; use 'zh' or 'en'")
    return lang


def _unknown(what: str, name: str, known: list[str], fw: str) -> str:
    close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    shown = ", ".join(known[:30]) + (" …" if len(known) > 30 else "")
    return f"unknown {what} {name!r} in framework {fw}.{hint} Known: {shown}"


_FIELDS = {
    "framework": list(Framework.model_fields),
    "node": list(Node.model_fields),
    "indicator": list(Indicator.model_fields),
}


def _loc_text(loc: tuple[Any, ...], data: Any) -> tuple[str, str]:
    """Turn a pydantic location into ``dimensions[labour].indicators[rd]`` form.

    Returns the text and the kind of model that holds the last key.
    """
    parts: list[str] = []
    cur: Any = data
    kind = "framework"
    for n, key in enumerate(loc):
        last = n == len(loc) - 1
        if isinstance(key, int):
            item = cur[key] if isinstance(cur, list) and 0 <= key < len(cur) else None
            ident = item.get("id") if isinstance(item, dict) else None
            label = ident.strip() if isinstance(ident, str) and ident.strip() else str(key)
            if parts:
                parts[-1] += f"[{label}]"
            else:
                parts.append(f"[{label}]")
            if parts[-1].startswith(("dimensions[", "children[")):
                kind = "node"
            elif parts[-1].startswith("indicators["):
                kind = "indicator"
            cur = item
            continue
        # union members are reported as extra keys ("str", "dict[...]"): skip them
        if not isinstance(cur, dict) or (key not in cur and not last):
            continue
        parts.append(str(key))
        cur = cur.get(key)
    return ".".join(parts), kind


def _framework_error(
    err: ValidationError, data: Any, source: str | None, node: Any = None
) -> FrameworkError:
    lines: list[str] = []
    for e in err.errors(include_url=False):
        loc, kind = _loc_text(tuple(e["loc"]), data)
        line_no = key_line(node, [k for k in e["loc"] if isinstance(k, str | int)]) if (
            node is not None and e["loc"]) else None
        msg = str(e["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        etype = e["type"]
        if etype == "missing":
            msg = "missing (required)"
        elif etype == "extra_forbidden":
            key = str(e["loc"][-1]) if e["loc"] else "?"
            # the location of an unknown key points at the key: its holder is one level up
            holder_kind = _loc_text(tuple(e["loc"][:-1]), data)[1] if len(e["loc"]) > 1 else (
                "framework"
            )
            allowed = _FIELDS[holder_kind]
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            msg = f"unknown field '{key}'" + (f" (did you mean '{close[0]}'?)" if close else "")
            msg += f"; allowed: {', '.join(allowed)}"
        elif loc == "description":
            msg = "must be text, or a mapping with zh and en texts"
        elif etype == "literal_error" and loc.endswith("unit_kind"):
            msg = f"unknown unit_kind {e.get('input')!r}; use province, country, firm or any"
        line = f"{loc}: {msg}" if loc else msg
        if line_no is not None:
            line = f"line {line_no}: {line}"
        if line not in lines:
            lines.append(line)
    where = source or "framework"
    if len(lines) == 1:
        if lines[0].startswith("line "):
            return FrameworkError(f"{where}, {lines[0]}")
        return FrameworkError(f"{where}: {lines[0]}")
    shown = lines[:20]
    more = f"\n  … and {len(lines) - 20} more" if len(lines) > 20 else ""
    return FrameworkError(
        f"{where}: {len(lines)} problems in the framework:\n  " + "\n  ".join(shown) + more
    )
