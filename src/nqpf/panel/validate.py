"""Check a panel before it is used: missing series, bad cells, coverage, outliers.

:func:`validate` runs every check and returns a :class:`ValidationReport`
whose ``findings`` table has one row per problem found, with a severity, the
check that found it, the place (unit, period, indicator, source row) and a
message that says what to do. Nothing is changed or dropped: deciding what to
do with a finding is the user's call (impute it, correct the source, drop a
period).

Checks (the ``check`` column) and their severities:

===================== ========= ===============================================
check                 severity  finds
===================== ========= ===============================================
missing series        error     a series the framework needs that the panel lacks
unknown indicator     info      a panel indicator the framework does not use
duplicate key         error     raw rows sharing a (unit, period, indicator) key
non-numeric           error     a cell that could not be read as a number
conversion            info      counts of yearbook tokens and formats converted
out of bounds         error     a value outside its indicator's bounds
log domain            error     a value ≤ 0 of a series whose logarithm is taken
negative denominator  error     a negative value of a series used as denominator
zero denominator      warning   a zero value of a series used as denominator
empty indicator       error     an indicator with no value at all
low coverage          warning   an indicator-period observed for < ``min_coverage``
empty unit            warning   a unit with no value at all
constant              warning   an indicator equal in every unit of a period
outlier               warning   a value far from its period's cross-section
===================== ========= ===============================================
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataError
from .core import Panel, normalise_period

COLUMNS: tuple[str, ...] = (
    "severity",
    "check",
    "unit",
    "period",
    "indicator",
    "value",
    "row",
    "message",
)
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
#: Fewest observed values in a cross-section for the outlier rules to run.
OUTLIER_MIN_N = 5
#: Default thresholds: modified z-score 3.5 (Iglewicz & Hoaglin 1993), Tukey's k = 1.5.
DEFAULT_THRESHOLDS = {"mad": 3.5, "iqr": 1.5}
_MAD_CONST = 0.6745  # Φ⁻¹(0.75): makes MAD consistent with the normal SD
_MEANAD_CONST = 1.253314  # √(π/2): ratio of the normal SD to the mean absolute deviation


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """What :func:`validate` found.

    Attributes
    ----------
    findings : DataFrame
        One row per finding, columns ``severity`` ("error", "warning", "info"),
        ``check``, ``unit``, ``period``, ``indicator``, ``value``, ``row`` (source
        row number(s) as text) and ``message``; errors first, then warnings, then
        information.
    coverage : DataFrame
        Share of units observed, indicators (rows) × periods (columns), for every
        indicator of the panel.
    options : dict
        The options the checks ran with (outlier rule and threshold, minimum
        coverage), for the record.
    """

    findings: pd.DataFrame
    coverage: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def n_errors(self) -> int:
        return int((self.findings["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        return int((self.findings["severity"] == "warning").sum())

    @property
    def n_info(self) -> int:
        return int((self.findings["severity"] == "info").sum())

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and information allowed)."""
        return self.n_errors == 0

    def __repr__(self) -> str:
        return (
            f"ValidationReport({self.n_errors} errors, {self.n_warnings} warnings, "
            f"{self.n_info} info)"
        )

    def to_frame(self) -> pd.DataFrame:
        """The findings table (a copy)."""
        return self.findings.copy()

    def summary(self) -> pd.DataFrame:
        """Number of findings by check and severity: columns ``check, severity, count``."""
        if self.findings.empty:
            return pd.DataFrame(
                {
                    "check": pd.Series([], dtype="str"),
                    "severity": pd.Series([], dtype="str"),
                    "count": pd.Series([], dtype="int64"),
                }
            )
        g = self.findings.groupby(["severity", "check"], sort=False).size()
        out = g.rename("count").reset_index()[["check", "severity", "count"]]
        rank = out["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
        out = out.assign(_r=rank).sort_values(["_r", "check"], kind="stable")
        return out.drop(columns="_r").reset_index(drop=True)

    def raise_for_errors(self) -> None:
        """Raise a :class:`~nqpf.errors.DataError` quoting the first errors, if any."""
        if self.ok:
            return
        msgs = self.findings.loc[self.findings["severity"] == "error", "message"].tolist()
        more = f"\n… and {len(msgs) - 5} more errors" if len(msgs) > 5 else ""
        raise DataError(
            f"the data failed validation with {len(msgs)} error(s):\n- "
            + "\n- ".join(msgs[:5])
            + more
        )

    def write(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write the report to ``.csv``, ``.xlsx`` or ``.json``.

        ``.csv`` holds the findings, UTF-8 with a byte-order mark so that Excel
        shows Chinese text correctly; ``.xlsx`` holds the sheets ``findings``,
        ``coverage`` and ``summary``; ``.json`` holds all three plus the counts and
        options. An existing file is refused unless ``overwrite=True``.

        Returns
        -------
        Path
            The file written.
        """
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix not in (".csv", ".xlsx", ".json"):
            raise DataError(
                f"cannot write a validation report to {str(p)!r}: use a .csv, .xlsx or .json name"
            )
        if p.exists() and not overwrite:
            raise DataError(
                f"{str(p)!r} already exists; pass overwrite=True to replace it or choose "
                "another file name"
            )
        if not p.parent.is_dir():
            raise DataError(f"folder {str(p.parent)!r} does not exist; create it first")
        if suffix == ".csv":
            self.findings.to_csv(p, index=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            with pd.ExcelWriter(p, engine="openpyxl") as xw:
                self.findings.to_excel(xw, sheet_name="findings", index=False)
                self.coverage.to_excel(xw, sheet_name="coverage", index_label="indicator")
                self.summary().to_excel(xw, sheet_name="summary", index=False)
        else:
            cov = self.coverage.copy()
            cov.columns = [str(c) for c in cov.columns]
            doc = {
                "ok": self.ok,
                "n_errors": self.n_errors,
                "n_warnings": self.n_warnings,
                "n_info": self.n_info,
                "options": self.options,
                "summary": json.loads(self.summary().to_json(orient="records")),
                "findings": json.loads(self.findings.to_json(orient="records")),
                "coverage": json.loads(cov.to_json(orient="index")),
            }
            p.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        return p


def validate(
    panel: Panel,
    framework: Any = None,
    duplicates: pd.DataFrame | None = None,
    outlier_rule: Literal["mad", "iqr", "none"] | None = "mad",
    outlier_threshold: float | None = None,
    *,
    min_coverage: float = 0.5,
) -> ValidationReport:
    """Check a panel, optionally against an indicator framework.

    Parameters
    ----------
    panel : Panel
        The data; not changed.
    framework : object, optional
        An indicator framework, used by duck typing: ``framework.indicators`` is a
        list of objects with ``id``, ``series`` (the panel indicator holding the
        numerator or raw value), ``denominator`` (a series name or None),
        ``unit`` and ``effective_bounds`` (``(lo, hi)``, either may be None), and
        optionally ``scale`` (default 1) and ``log`` (default False);
        ``framework.required_series()`` lists every series it reads. Bounds apply to
        the prepared value of indicators without a denominator, ``series × scale``
        (then ``ln`` when ``log``), as in :mod:`nqpf.framework`. With a
        framework, the data checks (coverage, bounds, constant, outliers) cover
        only the series it uses; without one, every indicator of the panel.
    duplicates : DataFrame, optional
        Raw rows that share a key, as found by a reader: columns ``unit``,
        ``period``, ``indicator`` and optionally ``value`` and ``row``.
    outlier_rule : {"mad", "iqr", "none"}
        ``"mad"``: modified z-score of Iglewicz & Hoaglin (1993) in each indicator
        and period cross-section, ``M = 0.6745 (x - median) / MAD`` with ``MAD =
        median |x - median|``; a value is flagged when ``|M| > threshold``
        (default 3.5, their recommendation). When MAD = 0 (more than half the
        values equal) the score uses the mean absolute deviation from the median
        instead, ``M = (x - median) / (1.253314 · MeanAD)`` (the convention of
        IBM SPSS; 1.253314 = √(π/2)); when that is 0 too the cross-section is
        constant and skipped. ``"iqr"``: Tukey's (1977) fences ``Q1 - k·IQR`` and
        ``Q3 + k·IQR`` with ``k = threshold`` (default 1.5, "outside"; 3 for "far
        out"), quartiles by linear interpolation (Hyndman & Fan type 7, NumPy's
        default); a cross-section with IQR = 0 is skipped. ``"none"`` or None
        skips the check. Either rule needs at least 5 observed values in the
        cross-section; smaller ones are skipped (a median and spread from fewer
        values flag almost anything).
    outlier_threshold : float, optional
        The threshold of the rule (see above); default 3.5 for "mad", 1.5 for "iqr".
    min_coverage : float
        Indicator-periods observed for a smaller share of units are reported as
        "low coverage" (default 0.5).

    Returns
    -------
    ValidationReport
        ``ok`` is True when no finding is an error.

    References
    ----------
    Iglewicz, B. & Hoaglin, D. C. (1993). *How to Detect and Handle Outliers*.
    ASQC Quality Press. Tukey, J. W. (1977). *Exploratory Data Analysis*.
    Addison-Wesley.
    """
    rule = "none" if outlier_rule is None else str(outlier_rule).lower()
    if rule not in ("mad", "iqr", "none"):
        raise DataError(f"unknown outlier_rule {outlier_rule!r}; use 'mad', 'iqr' or 'none'")
    threshold = DEFAULT_THRESHOLDS.get(rule) if outlier_threshold is None else outlier_threshold
    if rule != "none" and not (
        isinstance(threshold, int | float) and math.isfinite(threshold) and threshold > 0
    ):
        raise DataError(f"outlier_threshold must be a positive number, got {outlier_threshold!r}")
    if not 0 <= min_coverage <= 1:
        raise DataError(f"min_coverage must lie between 0 and 1, got {min_coverage!r}")

    f = _Findings()
    scope = list(panel.indicators)
    if framework is not None:
        scope = _check_framework(f, panel, framework)
    if duplicates is not None:
        _check_duplicates(f, duplicates)
    _check_conversions(f, panel)
    if framework is not None:
        _check_bounds(f, panel, framework)
    _check_coverage(f, panel, scope, min_coverage)
    _check_constant(f, panel, scope)
    if rule != "none":
        _check_outliers(f, panel, scope, rule, float(threshold))  # type: ignore[arg-type]
    options = {
        "outlier_rule": rule,
        "outlier_threshold": None if rule == "none" else float(threshold),  # type: ignore[arg-type]
        "outlier_min_n": OUTLIER_MIN_N,
        "min_coverage": float(min_coverage),
        "framework": framework is not None,
    }
    return ValidationReport(f.frame(), panel.coverage(), options)


def validate_file(
    paths: str | Path | Sequence[str | Path],
    framework: Any = None,
    *,
    layout: str = "auto",
    unit: str | None = None,
    period: str | None = None,
    indicator: str | None = None,
    value: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    units: str = "auto",
    outlier_rule: Literal["mad", "iqr", "none"] | None = "mad",
    outlier_threshold: float | None = None,
    min_coverage: float = 0.5,
    reader: Any = None,
) -> ValidationReport:
    """Read data file(s) with :func:`nqpf.panel.io.read_panel` and validate them.

    ``reader`` replaces ``read_panel`` (same options); the command line passes
    :func:`nqpf.sources.pack.load_data` so that data pack folders are read too.

    ``framework`` is a built-in framework name or a file path (loaded with
    :func:`nqpf.framework.load_framework`), a framework object, or None. The
    reading options are passed to ``read_panel`` unchanged.

    Duplicated keys are reported, not fatal: the files are first read with
    ``duplicates="error"``; if that fails and a second read with
    ``duplicates="first"`` succeeds, the failure was due to duplicates. Their
    rows are then taken from ``panel.meta["duplicates"]`` when the reader keeps
    them there (a DataFrame ``unit, period, indicator, value, row``); otherwise
    the reader's own message, which names keys and rows, becomes one
    "duplicate key" error. The other checks run on the panel read with the
    first of each duplicated row.
    """
    from .io import read_panel

    read = reader or read_panel
    src = [str(p) for p in paths] if isinstance(paths, list | tuple) else [str(paths)]
    if not src:
        raise DataError("no data file given")
    opts: dict[str, Any] = {
        "layout": layout,
        "unit": unit,
        "period": period,
        "indicator": indicator,
        "value": value,
        "encoding": encoding,
        "sheet": sheet,
        "units": units,
        "non_numeric": "missing",  # listed here as findings, cell by cell
    }
    target = src if len(src) > 1 else src[0]
    if isinstance(framework, str | Path):
        from ..framework import load_framework

        framework = load_framework(framework)
    dup_error: DataError | None = None
    try:
        panel = read(target, duplicates="error", **opts)
    except DataError as e:
        panel = read(target, duplicates="first", **opts)
        dup_error = e
    dup = panel.meta.get("duplicates")
    dup = dup if isinstance(dup, pd.DataFrame) and not dup.empty else None
    report = validate(
        panel, framework, dup, outlier_rule, outlier_threshold, min_coverage=min_coverage
    )
    if dup_error is None or dup is not None:
        return report
    f = _Findings()
    f.add(
        "error",
        "duplicate key",
        f"{dup_error} (The other checks used the first of each duplicated row.)",
    )
    findings = pd.concat([f.frame(), report.findings], ignore_index=True)
    return ValidationReport(_sort(findings), report.coverage, report.options)


# ---------------------------------------------------------------------- findings
class _Findings:
    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    def add(
        self,
        severity: str,
        check: str,
        message: str,
        unit: Any = None,
        period: Any = None,
        indicator: Any = None,
        value: float = math.nan,
        row: Any = None,
    ) -> None:
        self.rows.append(
            (severity, check, _txt(unit), period, _txt(indicator), _num(value), _txt(row), message)
        )

    def frame(self) -> pd.DataFrame:
        cols = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(COLUMNS)
        data = dict(zip(COLUMNS, cols, strict=True))
        df = pd.DataFrame(
            {
                c: pd.Series(list(data[c]), dtype="str")
                for c in ("severity", "check", "unit", "indicator", "row", "message")
            }
        )
        df["period"] = _period_array(list(data["period"]))
        df["value"] = np.asarray(list(data["value"]), dtype=float)
        return _sort(df[list(COLUMNS)])


def _sort(df: pd.DataFrame) -> pd.DataFrame:
    """Errors first, then warnings, then information; stable within a severity."""
    rank = df["severity"].map({s: i for i, s in enumerate(SEVERITIES)}).to_numpy()
    order = np.argsort(rank, kind="stable")
    return df.iloc[order].reset_index(drop=True)


def _txt(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return str(v)


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _period_array(periods: list[Any]) -> pd.api.extensions.ExtensionArray:
    present = [p for p in periods if p is not None]
    if all(isinstance(p, int | np.integer) and not isinstance(p, bool) for p in present):
        return pd.array([None if p is None else int(p) for p in periods], dtype="Int64")
    return pd.array([None if p is None else str(p) for p in periods], dtype="str")


def _place(unit: Any = None, period: Any = None, indicator: Any = None) -> str:
    parts = []
    if unit is not None:
        parts.append(f"unit {unit!r}")
    if period is not None:
        parts.append(f"period {period}")
    if indicator is not None:
        parts.append(f"indicator {indicator!r}")
    return ", ".join(parts)


def _names(items: Iterable[str], n: int = 5) -> str:
    items = list(items)
    txt = ", ".join(repr(i) for i in items[:n])
    return txt + (f" and {len(items) - n} more" if len(items) > n else "")


# ---------------------------------------------------------------------- framework
def _indicators(framework: Any) -> list[Any]:
    inds = getattr(framework, "indicators", None)
    if inds is None:
        raise DataError(
            "the framework has no 'indicators'; pass an nqpf framework (nqpf.framework) or None"
        )
    return list(inds)


def _required(framework: Any) -> list[str]:
    req = getattr(framework, "required_series", None)
    if callable(req):
        return [str(s) for s in dict.fromkeys(req())]
    out: list[str] = []
    for ind in _indicators(framework):
        out += [ind.series] + ([ind.denominator] if getattr(ind, "denominator", None) else [])
    return list(dict.fromkeys(str(s) for s in out))


def _bounds(ind: Any) -> tuple[float | None, float | None]:
    b = getattr(ind, "effective_bounds", None)
    if callable(b):
        b = b()
    if b is None:
        return None, None
    lo, hi = b
    lo = None if lo is None or (isinstance(lo, float) and math.isnan(lo)) else float(lo)
    hi = None if hi is None or (isinstance(hi, float) and math.isnan(hi)) else float(hi)
    return lo, hi


def _check_framework(f: _Findings, panel: Panel, framework: Any) -> list[str]:
    inds = _indicators(framework)
    required = _required(framework)
    users: dict[str, list[str]] = {}
    for ind in inds:
        users.setdefault(str(ind.series), []).append(str(ind.id))
        den = getattr(ind, "denominator", None)
        if den:
            users.setdefault(str(den), []).append(f"{ind.id} (denominator)")
    have = set(panel.indicators)
    for s in required:
        if s in have:
            continue
        close = difflib.get_close_matches(s, list(panel.indicators), n=3, cutoff=0.6)
        hint = (
            f"Did you mean {' or '.join(repr(c) for c in close)}? Rename that column or add "
            "the series to the data."
            if close
            else "Add the series to the data, or remove the indicators that use it from the "
            "framework."
        )
        by = f" (used by {_names(users[s])})" if s in users else ""
        f.add(
            "error",
            "missing series",
            f"The framework needs series {s!r}{by}, but the data have no such indicator. {hint}",
            indicator=s,
        )
    req = set(required)
    for name in panel.indicators:
        if name not in req:
            f.add(
                "info",
                "unknown indicator",
                f"Indicator {name!r} is in the data but not used by the framework; it is kept "
                "but takes no part in the index. Add it to the framework if it should.",
                indicator=name,
            )
    return [i for i in panel.indicators if i in req]


def _check_bounds(f: _Findings, panel: Panel, framework: Any) -> None:
    seen: set[tuple[str, float, bool, float | None, float | None]] = set()
    denoms: dict[str, list[str]] = {}
    for ind in _indicators(framework):
        den = getattr(ind, "denominator", None)
        if den:
            denoms.setdefault(str(den), []).append(str(ind.id))
            continue
        series = str(ind.series)
        if series not in panel.indicators:
            continue
        scale = float(getattr(ind, "scale", 1.0) or 1.0)
        log = bool(getattr(ind, "log", False))
        lo, hi = _bounds(ind)
        key = (series, scale, log, lo, hi)
        if key in seen:
            continue
        seen.add(key)
        k = panel.indicators.index(series)
        raw = panel.values[:, :, k]
        x = raw * scale
        if log:
            for u, t in np.argwhere(x <= 0):
                f.add(
                    "error",
                    "log domain",
                    f"The value {raw[u, t]:g} at {_place(panel.units[u], panel.periods[t], series)}"
                    f" is not positive, but framework indicator {ind.id!r} takes its logarithm; "
                    "correct the value, or set log: false for the indicator.",
                    panel.units[u],
                    panel.periods[t],
                    series,
                    raw[u, t],
                )
            with np.errstate(divide="ignore", invalid="ignore"):
                x = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
        if lo is None and hi is None:
            continue
        how = ("ln(" if log else "") + ("value" if scale == 1 else f"value × {scale:g}")
        how += ")" if log else ""
        unit_txt = f", measured in {ind.unit}" if getattr(ind, "unit", None) else ""
        for side, bound, bad in (
            ("below the lower", lo, x < lo if lo is not None else None),
            ("above the upper", hi, x > hi if hi is not None else None),
        ):
            if bad is None:
                continue
            for u, t in np.argwhere(bad):
                imp = " imputed" if panel.imputed[u, t, k] else ""
                place = _place(panel.units[u], panel.periods[t], series)
                shown = f"{raw[u, t]:g}" + ("" if how == "value" else f" ({how} = {x[u, t]:g})")
                f.add(
                    "error",
                    "out of bounds",
                    f"The{imp} value {shown} at {place} is {side} bound {bound:g} of "
                    f"framework indicator {ind.id!r}{unit_txt}; correct the value, or widen "
                    "the indicator's bounds in the framework if the value is right.",
                    panel.units[u],
                    panel.periods[t],
                    series,
                    raw[u, t],
                )
    for series, ids in denoms.items():
        if series not in panel.indicators:
            continue
        k = panel.indicators.index(series)
        v = panel.values[:, :, k]
        for u, t in np.argwhere(v < 0):
            f.add(
                "error",
                "negative denominator",
                f"Series {series!r} is a denominator (of {_names(ids)}) and is negative "
                f"({v[u, t]:g}) at {_place(panel.units[u], panel.periods[t])}; a negative "
                "denominator flips the sign of the ratio: correct the value.",
                panel.units[u],
                panel.periods[t],
                series,
                v[u, t],
            )
        for u, t in np.argwhere(v == 0):
            f.add(
                "warning",
                "zero denominator",
                f"Series {series!r} is a denominator (of {_names(ids)}) and is zero at "
                f"{_place(panel.units[u], panel.periods[t])}; the ratio is undefined there and "
                "will be missing: check the value or impute it.",
                panel.units[u],
                panel.periods[t],
                series,
                0.0,
            )


# ---------------------------------------------------------------------- raw data
def _check_duplicates(f: _Findings, dup: pd.DataFrame) -> None:
    if not isinstance(dup, pd.DataFrame):
        raise DataError(f"duplicates must be a DataFrame, got {type(dup).__name__}")
    need = [c for c in ("unit", "period", "indicator") if c not in dup.columns]
    if need:
        raise DataError(
            f"the duplicates table lacks column(s) {need}; it needs unit, period, indicator "
            "(and optionally value, row)"
        )
    if dup.empty:
        return
    d = pd.DataFrame(
        {
            "unit": dup["unit"].astype("str").to_numpy(),
            "period": pd.Series(normalise_period(dup["period"].tolist()), dtype=object),
            "indicator": dup["indicator"].astype("str").to_numpy(),
            "value": (
                pd.to_numeric(dup["value"], errors="coerce").to_numpy(dtype=float)
                if "value" in dup.columns
                else np.nan
            ),
            "row": dup["row"].tolist() if "row" in dup.columns else [None] * len(dup),
        }
    )
    for (unit, period, ind), g in d.groupby(["unit", "period", "indicator"], sort=False):
        rows = [
            str(int(r)) if isinstance(r, int | float | np.number) and not pd.isna(r) else str(r)
            for r in g["row"].tolist()
            if r is not None and not pd.isna(r)
        ]
        vals = g["value"].to_numpy(dtype=float)
        what = []
        if rows:
            what.append(f"rows {', '.join(rows)}")
        if not np.isnan(vals).all():
            what.append("values " + ", ".join("missing" if np.isnan(x) else f"{x:g}" for x in vals))
        detail = f" ({'; '.join(what)})" if what else ""
        f.add(
            "error",
            "duplicate key",
            f"{len(g)} rows share the key {_place(unit, period, ind)}{detail}; keep one of them "
            "in the source file, or read it with duplicates='first', 'last' or 'mean'.",
            unit,
            period,
            ind,
            row=", ".join(rows) if rows else None,
        )


def _check_conversions(f: _Findings, panel: Panel) -> None:
    rep = panel.conversions
    for item in rep.non_numeric:
        where = item.get("where", {}) or {}
        raw = item.get("raw")
        unit, period = where.get("unit"), where.get("period")
        ind = where.get("indicator", where.get("column"))
        row = where.get("row")
        place = ", ".join(
            x for x in (f"row {row}" if row is not None else "", _place(unit, period, ind)) if x
        )
        f.add(
            "error",
            "non-numeric",
            f"The cell {raw!r} at {place or 'an unknown place'} is not a number and was read as "
            "missing; correct it in the source file, or leave it empty (or write '—') if the "
            "value is really missing.",
            unit,
            period,
            ind,
            row=row,
        )
    for token, n in sorted(rep.missing_tokens.items()):
        what = "empty cells were" if token == "" else f"cell(s) written as {token!r} were"
        f.add(
            "info",
            "conversion",
            f"{n} {what} read as missing values; check that these values are really missing in "
            "the source.",
            value=n,
        )
    msgs = (
        (
            rep.thousands_separators,
            "cell(s) with thousands separators (such as '1,234.5') were "
            "read as numbers; check that no decimal comma was meant.",
        ),
        (
            rep.full_width,
            "cell(s) with full-width characters (such as '１２３') were converted to "
            "ordinary digits; no action is needed.",
        ),
        (
            rep.footnote_markers,
            "cell(s) had a trailing footnote marker (such as '12.3*') that was "
            "dropped; read the source table's footnotes, as they may qualify the values.",
        ),
    )
    for n, text in msgs:
        if n:
            f.add("info", "conversion", f"{n} {text}", value=n)


# ---------------------------------------------------------------------- data checks
def _check_coverage(f: _Findings, panel: Panel, scope: Sequence[str], min_coverage: float) -> None:
    n_u = len(panel.units)
    if n_u == 0 or not scope:
        return
    ks = [panel.indicators.index(i) for i in scope]
    obs = ~np.isnan(panel.values[:, :, ks])  # (U, T, K')
    for j, k in enumerate(ks):
        name = panel.indicators[k]
        cnt = obs[:, :, j].sum(axis=0)
        if cnt.sum() == 0:
            f.add(
                "error",
                "empty indicator",
                f"Indicator {name!r} has no value in any unit or period; check the column name "
                "and the source file, or remove the indicator.",
                indicator=name,
            )
            continue
        for t in np.flatnonzero(cnt / n_u < min_coverage):
            share = cnt[t] / n_u
            f.add(
                "warning",
                "low coverage",
                f"{_place(None, panel.periods[t], name).capitalize()} is observed for "
                f"{share:.0%} of units ({int(cnt[t])} of {n_u}), below {min_coverage:.0%}; "
                "find the missing data, impute them (nqpf.panel.impute) or drop the period.",
                None,
                panel.periods[t],
                name,
                share,
            )
    for u in np.flatnonzero(~obs.any(axis=(1, 2))):
        f.add(
            "warning",
            "empty unit",
            f"Unit {panel.units[u]!r} has no value for any indicator in any period; check that "
            "its name matches the data file, or drop it with panel.sel(units=...).",
            unit=panel.units[u],
        )


def _check_constant(f: _Findings, panel: Panel, scope: Sequence[str]) -> None:
    for name in scope:
        k = panel.indicators.index(name)
        v = panel.values[:, :, k]
        obs = ~np.isnan(v)
        cnt = obs.sum(axis=0)
        hi = np.where(obs, v, -np.inf).max(axis=0, initial=-np.inf)
        lo = np.where(obs, v, np.inf).min(axis=0, initial=np.inf)
        for t in np.flatnonzero((cnt >= 2) & (hi == lo)):
            f.add(
                "warning",
                "constant",
                f"{_place(None, panel.periods[t], name).capitalize()} takes the same value "
                f"{lo[t]:g} in all {int(cnt[t])} units with data; entropy and CRITIC weights are "
                "undefined for a constant indicator: check the data, or drop the indicator "
                "for that period.",
                None,
                panel.periods[t],
                name,
                lo[t],
            )


def _check_outliers(
    f: _Findings, panel: Panel, scope: Sequence[str], rule: str, threshold: float
) -> None:
    for name in scope:
        k = panel.indicators.index(name)
        for t, period in enumerate(panel.periods):
            col = panel.values[:, t, k]
            idx = np.flatnonzero(~np.isnan(col))
            if idx.size < OUTLIER_MIN_N:
                continue
            x = col[idx]
            if rule == "mad":
                flags, why = _mad_flags(x, threshold)
            else:
                flags, why = _iqr_flags(x, threshold)
            for i in np.flatnonzero(flags):
                u = idx[i]
                f.add(
                    "warning",
                    "outlier",
                    f"The value {x[i]:g} at {_place(panel.units[u], period, name)} is an "
                    f"outlier in its period: {why(i)}; check the source value, and if it is "
                    "right keep it or winsorise the indicator before normalising.",
                    panel.units[u],
                    period,
                    name,
                    x[i],
                )


def modified_z(x: np.ndarray) -> np.ndarray | None:
    """Modified z-scores of Iglewicz & Hoaglin (1993), ``0.6745 (x - median) / MAD``.

    When MAD = 0, ``(x - median) / (1.253314 · MeanAD)`` with MeanAD the mean
    absolute deviation from the median; None when that is 0 as well (constant data).
    """
    x = np.asarray(x, dtype=float)
    med = float(np.median(x))
    dev = x - med
    mad = float(np.median(np.abs(dev)))
    if mad > 0:
        return _MAD_CONST * dev / mad
    mean_ad = float(np.mean(np.abs(dev)))
    if mean_ad > 0:
        return dev / (_MEANAD_CONST * mean_ad)
    return None


def _mad_flags(x: np.ndarray, threshold: float) -> tuple[np.ndarray, Any]:
    m = modified_z(x)
    if m is None:
        return np.zeros(x.size, bool), None
    med = float(np.median(x))
    mad = float(np.median(np.abs(x - med)))
    spread = (
        f"MAD {mad:g}"
        if mad > 0
        else (f"MAD 0, so 1.253314 × mean absolute deviation {np.mean(np.abs(x - med)):g}")
    )

    def why(i: int) -> str:
        return (
            f"modified z-score {m[i]:.2f} beyond ±{threshold:g} (median {med:g}, {spread}, "
            f"{x.size} units)"
        )

    return np.abs(m) > threshold, why


def _iqr_flags(x: np.ndarray, k: float) -> tuple[np.ndarray, Any]:
    q1, q3 = (float(q) for q in np.percentile(x, [25, 75]))
    iqr = q3 - q1
    if iqr <= 0:
        return np.zeros(x.size, bool), None
    lo, hi = q1 - k * iqr, q3 + k * iqr

    def why(i: int) -> str:
        return (
            f"outside Tukey's fences [{lo:g}, {hi:g}] (Q1 {q1:g}, Q3 {q3:g}, k = {k:g}, "
            f"{x.size} units)"
        )

    return (x < lo) | (x > hi), why
