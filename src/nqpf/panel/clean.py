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
    non_numeric : list of dict
        cells that could not be read as numbers (they become missing), each with
        ``where`` (a dict naming row, column, unit, period or indicator) and ``raw``.
    """

    missing_tokens: Counter = field(default_factory=Counter)
    thousands_separators: int = 0
    full_width: int = 0
    footnote_markers: int = 0
    non_numeric: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: ConversionReport) -> ConversionReport:
        """Add the counts of ``other`` into this report and return it."""
        self.missing_tokens.update(other.missing_tokens)
        self.thousands_separators += other.thousands_separators
        self.full_width += other.full_width
        self.footnote_markers += other.footnote_markers
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
            or self.non_numeric
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per kind of conversion: ``conversion, detail, cells``."""
        rows = [("missing token", repr(t), n) for t, n in sorted(self.missing_tokens.items())]
        rows += [
            ("thousands separator removed", "", self.thousands_separators),
            ("full-width characters converted", "", self.full_width),
            ("footnote marker dropped", "", self.footnote_markers),
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
            "non_numeric": list(self.non_numeric),
        }


def _is_missing_token(s: str) -> bool:
    return s in MISSING_TOKENS or s.lower() in _NA_LOWER


def coerce_numeric(
    values: pd.Series,
    where: pd.DataFrame | None = None,
    report: ConversionReport | None = None,
) -> tuple[np.ndarray, ConversionReport]:
    """Convert a column of numbers written as in a yearbook to float64.

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

    Returns
    -------
    (ndarray, ConversionReport)
        Float values (NaN for missing) and the report of conversions.
    """
    report = report if report is not None else ConversionReport()
    s = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_bool_dtype(s.dtype):
        raise TypeError("boolean values are not numbers; convert them explicitly")
    if pd.api.types.is_numeric_dtype(s.dtype):
        out = s.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(out).any():
            bad = np.flatnonzero(np.isinf(out))
            for i in bad:
                report.non_numeric.append({"where": _where(where, i), "raw": str(out[i])})
            out[bad] = np.nan
        return out, report

    out = np.full(len(s), np.nan)
    for i, raw in enumerate(s.tolist()):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)) or raw is pd.NA:
            report.missing_tokens[""] += 1
            continue
        if isinstance(raw, bool):
            report.non_numeric.append({"where": _where(where, i), "raw": str(raw)})
            continue
        if isinstance(raw, int | float | np.integer | np.floating):
            out[i] = float(raw)
            continue
        text = str(raw)
        conv = text.translate(_FULL_WIDTH)
        if conv != text:
            report.full_width += 1
        t = conv.strip()
        if _is_missing_token(t):
            report.missing_tokens[t] += 1
            continue
        if _THOUSANDS.match(t):
            t = t.replace(",", "")
            report.thousands_separators += 1
        try:
            out[i] = float(t)
            if not np.isfinite(out[i]):
                raise ValueError
            continue
        except ValueError:
            out[i] = np.nan
        m = _FOOTNOTE.match(t)
        if m:
            out[i] = float(m.group(1))
            report.footnote_markers += 1
            continue
        report.non_numeric.append({"where": _where(where, i), "raw": text})
    return out, report


def _where(where: pd.DataFrame | None, i: int) -> dict[str, Any]:
    if where is None:
        return {"row": int(i)}
    rec = where.iloc[i].to_dict()
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in rec.items()}
