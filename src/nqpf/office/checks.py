"""Cell-by-cell checks of submitted values (uploads and pushes alike).

Each finding names the row and cell of the template (or the item of a push),
the unit, the indicator, the value and what to do. Severities:

==================  ========  ================================================
check               severity  finds
==================  ========  ================================================
unknown_unit        error     a unit code the office does not know
unknown_indicator   error     an indicator code not in the period's framework
not_assigned        error     an indicator or unit the uploader may not submit
duplicate_key       error     two rows for the same (unit, indicator)
non_numeric         error     a value that is not a number (yearbook tokens such
                              as ``1,234`` or full-width digits are read, see
                              :func:`nqpf.panel.clean.coerce_numeric`)
out_of_bounds       error     a value outside the indicator's plausible range
                              (:attr:`nqpf.framework.Indicator.effective_bounds`)
jump                warning   a change against the last period larger than the
                              office's ``jump_ratio`` (|x / x₋₁ − 1|)
missing             notice    an indicator of the uploader's scope with no value
==================  ========  ================================================

Errors block the submission; warnings need a written explanation that the
admin accepts or returns; notices only inform (a submission may be partial).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..panel.clean import coerce_numeric
from .models import Indicator, Unit
from .roles import Principal, may_submit


@dataclass
class RawValue:
    """One value as received: where it came from and its raw content."""

    unit: str
    indicator: str
    raw: Any
    note: str = ""
    row: int | None = None  # template row, or item number of a push
    cell: str | None = None  # template cell of the value, e.g. "H5"


@dataclass
class CheckedValue:
    unit: Unit
    indicator: Indicator
    value: float
    note: str
    row: int | None
    cell: str | None
    warning: str | None = None


@dataclass
class CheckResult:
    findings: list[dict[str, Any]] = field(default_factory=list)
    values: list[CheckedValue] = field(default_factory=list)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["severity"] == "error"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["severity"] == "warning"]

    def add(self, severity: str, check: str, rv: RawValue | None, message: str,
            **extra: Any) -> None:
        f = {"severity": severity, "check": check, "row": rv.row if rv else None,
             "cell": rv.cell if rv else None, "unit": rv.unit if rv else extra.pop("unit", None),
             "indicator": rv.indicator if rv else extra.pop("indicator", None),
             "value": _jsonable(rv.raw) if rv else None, "message": message}
        f.update(extra)
        self.findings.append(f)


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    return str(v)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def check_values(
    raw: list[RawValue],
    *,
    principal: Principal,
    units: dict[str, Unit],
    indicators: dict[str, Indicator],
    previous: dict[tuple[int, str], float],
    jump_ratio: float,
    expected: set[tuple[str, str]] | None = None,
) -> CheckResult:
    """Check ``raw`` values; ``previous`` maps (unit id, indicator) to last period's value."""
    res = CheckResult()
    numbers, conv = coerce_numeric(pd.Series([r.raw for r in raw], dtype=object))
    bad = {e["where"]["row"] for e in conv.non_numeric}  # where=None: position in ``raw``
    seen: dict[tuple[str, str], RawValue] = {}
    for k, rv in enumerate(raw):
        unit, ind = units.get(rv.unit), indicators.get(rv.indicator)
        if unit is None:
            res.add("error", "unknown_unit", rv, f"地区代码 {rv.unit} 不在本办公室的地区名录中")
            continue
        if ind is None:
            res.add("error", "unknown_indicator", rv,
                    f"指标代码 {rv.indicator} 不属于本期指标体系")
            continue
        why = may_submit(principal, unit, ind)
        if why is not None:
            res.add("error", "not_assigned", rv,
                    f"{unit.name}·{ind.name_zh} 不由本账号填报（{why}）")
            continue
        key = (rv.unit, rv.indicator)
        if key in seen:
            first = seen[key]
            where = f"第 {first.row} 行" if first.row is not None else "前面"
            res.add("error", "duplicate_key", rv,
                    f"{unit.name}·{ind.name_zh} 重复填报（与{where}相同）")
            continue
        seen[key] = rv
        x = numbers[k]
        if k in bad or isinstance(rv.raw, bool):
            res.add("error", "non_numeric", rv,
                    f"{unit.name}·{ind.name_zh} 的值 {rv.raw!r} 不是数字")
            continue
        if math.isnan(x):
            continue  # blank: reported as missing below
        lo, hi = ind.lo, ind.hi
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            lo_s = _fmt(lo) if lo is not None else "-∞"
            hi_s = _fmt(hi) if hi is not None else "+∞"
            rng = f"[{lo_s}, {hi_s}]"
            res.add("error", "out_of_bounds", rv,
                    f"{unit.name}·{ind.name_zh} 的值 {_fmt(x)}{ind.unit} 超出合理范围 {rng}")
            continue
        cv = CheckedValue(unit, ind, float(x), str(rv.note or "").strip(), rv.row, rv.cell)
        prev = previous.get((unit.id, ind.code))
        if prev is not None and prev != 0 and abs(x / prev - 1) > jump_ratio:
            msg = (f"{unit.name}·{ind.name_zh} 较上期 {_fmt(prev)} 变动 "
                   f"{(x / prev - 1) * 100:+.1f}%，超过 ±{jump_ratio * 100:.0f}%，请说明原因")
            res.add("warning", "jump", rv, msg, previous=prev)
            cv.warning = msg
        res.values.append(cv)
    if expected:
        got = {(v.unit.code, v.indicator.code) for v in res.values}
        got |= {(f["unit"], f["indicator"]) for f in res.findings}
        for u, i in sorted(expected - got):
            unit, ind = units[u], indicators[i]
            res.add("notice", "missing", None, f"{unit.name}·{ind.name_zh} 未填报",
                    unit=u, indicator=i)
    return res

