"""Turn yearbook-style cells into numbers, counting every conversion.

Statistical yearbooks and their Excel exports write numbers as ``1,234.5`` or in
full-width digits (``１２３``), and mark missing values with tokens such as
``—``, ``-``, ``..``, ``…`` or ``NA``. :func:`coerce_numeric` converts such a
column to floats and returns a :class:`ConversionReport` that counts each kind
of conversion, so that nothing is changed silently. Cells that still cannot be
read as numbers become NaN and are listed one by one (with their row) as
``non_numeric``; callers decide whether that is an error.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Tokens read as "missing" (after stripping surrounding whitespace). Matching is exact
#: and case-sensitive except for the Latin ``NA`` family, which is matched case-insensitively.
MISSING_TOKENS: frozenset[str] = frozenset(
    {
        "",
        "—",
        "——",
        "–",
        "-",
        "--",
        "..",
        "...",
        "…",
        "……",
        "NA",
        "N/A",
        "#N/A",
        "NaN",
        "nan",
        "null",
        "NULL",
        "None",
        "n.a.",
        "n/a",
        "na",
        "空",
        "无",
    }
)
_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "．": ".",
        "，": ",",
        "－": "-",
        "＋": "+",
        "　": " ",
        "％": "%",
        "ｅ": "e",
        "Ｅ": "E",
    }
)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_FOOTNOTE = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*[*#†‡①②③④⑤⑥⑦⑧⑨]+$")
_NA_LOWER = {"na", "n/a", "#n/a", "nan", "null", "none", "n.a."}


@dataclass
class ConversionReport:
    """Counts of the conversions made while reading numbers.

    Attributes
    ----------
    missing_tokens : Counter
        token → number of cells read as missing because of it (``""`` for empty cells).
    thousands_separators : int
        cells such as ``1,234.5`` whose separators were removed.
    full_width : int
        cells with full-width characters (``１２３``, ``．``) converted to ASCII.
    footnote_markers : int
        cells such as ``12.3*`` whose trailing footnote marker was dropped.
    multipliers : Counter
        ``万``, ``亿`` or ``万亿`` → number of cells such as ``3.2万`` multiplied out.
    percent : Counter
        indicator (``""`` when unknown) → number of cells such as ``12.5%`` read
        as the number in percent (12.5).
    parentheses_negative : int
        cells such as ``(123)`` read as −123 (only when asked).
    non_numeric : list of dict
        cells that could not be read as numbers (they become missing), each with
        ``where`` (a dict naming row, column, unit, period or indicator) and ``raw``.
    """

    missing_tokens: Counter = field(default_factory=Counter)
    thousands_separators: int = 0
    full_width: int = 0
    footnote_markers: int = 0
    multipliers: Counter = field(default_factory=Counter)
    percent: Counter = field(default_factory=Counter)
    parentheses_negative: int = 0
    non_numeric: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: ConversionReport) -> ConversionReport:
        """Add the counts of ``other`` into this report and return it."""
        self.missing_tokens.update(other.missing_tokens)
        self.thousands_separators += other.thousands_separators
        self.full_width += other.full_width
        self.footnote_markers += other.footnote_markers
        self.multipliers.update(other.multipliers)
        self.percent.update(other.percent)
        self.parentheses_negative += other.parentheses_negative
        self.non_numeric.extend(other.non_numeric)
        return self

    @property
    def n_missing_tokens(self) -> int:
        return int(sum(self.missing_tokens.values()))

    def any(self) -> bool:
        """True if any cell was converted or rejected."""
        return bool(
            self.n_missing_tokens
            or self.thousands_separators
            or self.full_width
            or self.footnote_markers
            or self.multipliers
            or self.percent
            or self.parentheses_negative
            or self.non_numeric
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per kind of conversion: ``conversion, detail, cells``."""
        rows = [("missing token", repr(t), n) for t, n in sorted(self.missing_tokens.items())]
        rows += [
            ("thousands separator removed", "", self.thousands_separators),
            ("full-width characters converted", "", self.full_width),
            ("footnote marker dropped", "", self.footnote_markers),
        ]
        rows += [(f"multiplied out ({m})", repr(m), n) for m, n in sorted(self.multipliers.items())]
        rows += [("percent sign dropped (value kept in percent)", k, n)
                 for k, n in sorted(self.percent.items())]
        rows += [
            ("(123) read as -123", "", self.parentheses_negative),
            ("non-numeric cell (read as missing)", "", len(self.non_numeric)),
        ]
        df = pd.DataFrame(rows, columns=["conversion", "detail", "cells"])
        return df[df["cells"] > 0].reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "missing_tokens": dict(self.missing_tokens),
            "thousands_separators": self.thousands_separators,
            "full_width": self.full_width,
            "footnote_markers": self.footnote_markers,
            "multipliers": dict(self.multipliers),
            "percent": dict(self.percent),
            "parentheses_negative": self.parentheses_negative,
            "non_numeric": list(self.non_numeric),
        }


def _is_missing_token(s: str) -> bool:
    return s in MISSING_TOKENS or s.lower() in _NA_LOWER


def coerce_numeric(
    values: pd.Series,
    where: pd.DataFrame | None = None,
    report: ConversionReport | None = None,
    parentheses_negative: bool = False,
) -> tuple[np.ndarray, ConversionReport]:
    """Convert a column of numbers written as in a yearbook to float64.

    Conversions made (each counted in the report):

    * thousands separators (``1,234.5``), full-width characters (``１２３``),
      trailing footnote markers (``12.3*``) and the missing tokens of
      :data:`MISSING_TOKENS`;
    * the Chinese multipliers ``万`` (×10⁴) and ``亿`` (×10⁸), also ``万亿``
      (×10¹²): ``3.2万`` → 32000, ``1.5亿`` → 1.5e8;
    * a percent sign: ``12.5%`` → 12.5, so that the number stays in percent,
      the unit a column of percentages has (a column mixing ``12.5%`` and
      ``0.125`` is for the caller to refuse: see ``percent`` in the report);
    * with ``parentheses_negative``, the accounting notation ``(123)`` → −123.

    Everything else that is not a finite number (``inf``, ``1e400``, ``TRUE``,
    ``#DIV/0!``, ``(123)`` unless asked) is listed cell by cell in
    ``report.non_numeric`` and becomes NaN; callers decide whether that is an
    error (:func:`nqpf.panel.io.read_panel` makes it one by default).

    Parameters
    ----------
    values : Series
        Numbers, or strings such as ``"1,234.5"``, ``"１２３"``, ``"—"``.
    where : DataFrame, optional
        Same length as ``values``; its columns (for example row, unit, period,
        indicator) are copied into each ``non_numeric`` entry so the message can
        name the cell.
    report : ConversionReport, optional
        Report to add the counts to; a new one is made if omitted.
    parentheses_negative : bool
        Read ``(123)`` as −123.

    Returns
    -------
    (ndarray, ConversionReport)
        Float values (NaN for missing) and the report of conversions.

    Notes
    -----
    Cells that are plain numbers are converted in one vectorised pass; only the
    others (text that needs a conversion, missing tokens, non-numbers) go
    through the cell-by-cell rules, so a large clean column costs little.
    """
    report = report if report is not None else ConversionReport()
    s = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_bool_dtype(s.dtype):
        raise TypeError("boolean values are not numbers; convert them explicitly")
    if pd.api.types.is_numeric_dtype(s.dtype):
        out = s.to_numpy(dtype=float, na_value=np.nan)
        n_nan = int(np.isnan(out).sum())
        if n_nan:
            report.missing_tokens[""] += n_nan
        if np.isinf(out).any():
            out = np.array(out)  # a copy: the caller's values stay as they were
            bad = np.flatnonzero(np.isinf(out))
            for i in bad:
                report.non_numeric.append({"where": _where(where, i), "raw": str(out[i])})
            out[bad] = np.nan
        return out, report

    kind = pd.api.types.infer_dtype(s, skipna=False)
    if kind in ("string", "floating", "integer", "mixed-integer-float", "empty"):
        # plain numbers in one pass; the rest cell by cell below
        with np.errstate(all="ignore"):
            out = np.array(pd.to_numeric(s, errors="coerce").to_numpy(dtype=float,
                                                                      na_value=np.nan))
        slow = np.flatnonzero(~np.isfinite(out))
    else:  # bools or other objects mixed in: every cell by the rules
        out = np.full(len(s), np.nan)
        slow = np.arange(len(s))
    if len(slow):
        raw_vals = s.to_numpy(dtype=object)
        for i in slow.tolist():
            out[i] = _convert_cell(raw_vals[i], i, where, report, parentheses_negative)
    return out, report


_MULTIPLIERS = (("万亿", 1e12), ("万", 1e4), ("亿", 1e8))
_PARENS = re.compile(r"^\(\s*([^()]+?)\s*\)$")


def _number(t: str, report: ConversionReport) -> float | None:
    """``t`` as a finite float (thousands separators removed and counted), or None."""
    if _THOUSANDS.match(t):
        t2 = t.replace(",", "")
        try:
            v = float(t2)
        except ValueError:
            return None
        if np.isfinite(v):
            report.thousands_separators += 1
            return v
        return None
    try:
        v = float(t)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def _convert_cell(
    raw: Any, i: int, where: pd.DataFrame | None, report: ConversionReport, parens: bool
) -> float:
    """One cell by the rules of :func:`coerce_numeric` (NaN when missing or rejected)."""
    if raw is None or raw is pd.NA or (isinstance(raw, float) and np.isnan(raw)):
        report.missing_tokens[""] += 1
        return np.nan
    if isinstance(raw, bool | np.bool_):
        report.non_numeric.append({"where": _where(where, i), "raw": str(raw)})
        return np.nan
    if isinstance(raw, int | float | np.integer | np.floating):
        v = float(raw)
        if np.isfinite(v):
            return v
        report.non_numeric.append({"where": _where(where, i), "raw": str(raw)})
        return np.nan
    text = str(raw)
    conv = text.translate(_FULL_WIDTH)
    if conv != text:
        report.full_width += 1
    t = conv.strip()
    if _is_missing_token(t):
        report.missing_tokens[t] += 1
        return np.nan
    v = _number(t, report)
    if v is not None:
        return v
    m = _FOOTNOTE.match(t)
    if m:
        report.footnote_markers += 1
        return float(m.group(1))
    for suffix, factor in _MULTIPLIERS:
        if t.endswith(suffix):
            v = _number(t[: -len(suffix)].strip(), report)
            if v is not None:
                report.multipliers[suffix] += 1
                return v * factor
            break
    if t.endswith("%"):
        v = _number(t[:-1].strip(), report)
        if v is not None:
            w = _where(where, i) if where is not None else {}
            report.percent[str(w.get("indicator", ""))] += 1
            return v
    if parens:
        m = _PARENS.match(t)
        if m:
            v = _number(m.group(1), report)
            if v is not None:
                report.parentheses_negative += 1
                return -v
    report.non_numeric.append({"where": _where(where, i), "raw": text})
    return np.nan


def _where(where: Any, i: int) -> dict[str, Any]:
    if where is None:
        return {"row": int(i)}
    if hasattr(where, "cell"):
        return where.cell(i)
    rec = where.iloc[i].to_dict()
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in rec.items()}
