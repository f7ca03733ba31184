"""The panel: units × periods × indicators.

A :class:`Panel` holds one NumPy cube ``values[u, t, k]`` (float64, NaN for
missing) with its labels, plus a boolean cube ``imputed`` that marks every cell
filled by an imputation method. Users see it as tidy pandas frames
(:meth:`Panel.to_long`, :meth:`Panel.to_wide`). Panels are immutable: every
method returns a new panel, and the arrays are read-only so that no method can
change a caller's data in place.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataError
from .clean import ConversionReport, coerce_numeric

Duplicates = Literal["error", "first", "last", "mean"]


def _freeze(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


_QUARTER = re.compile(r"^(\d{4})\s*[-_ ]?\s*[Qq]([1-4])$")
_WHOLE = re.compile(r"^[+-]?\d+(?:\.0*)?$")


def _one_period(v: Any) -> int | str | None:
    """A period as an int (a year) or ``"YYYYQn"`` (a quarter); None if it is neither."""
    if isinstance(v, bool | np.bool_):
        return None
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return int(v) if np.isfinite(v) and float(v).is_integer() else None
    if v is None or v is pd.NA:
        return None
    s = str(v).strip().removesuffix("年").strip()
    if _WHOLE.match(s):
        return int(float(s))
    m = _QUARTER.match(s)
    if m:
        return f"{m.group(1)}Q{m.group(2)}"
    return None


def normalise_period(
    values: Iterable[Any], where: str = "period", rows: Sequence[int] | None = None
) -> list[Any]:
    """Periods as ``int`` (years) or ``"YYYYQn"`` (quarters); anything else is an error.

    ``2019``, ``2019.0``, ``"2019"`` and ``" 2019年 "`` all become ``2019``;
    ``"2024Q1"``, ``"2024 Q1"``, ``"2024-q1"`` become ``"2024Q1"``. A period that
    is neither a whole year nor a quarter written explicitly (``2016.5``,
    ``"2019-12-31"``, an empty cell), and a mix of years and quarters, raise a
    :class:`~nqpf.errors.DataError` naming the rows (``rows`` gives the file row
    of each value; otherwise the 1-based position is named). Each distinct value
    is parsed once, so long columns cost little.
    """
    raw = values if isinstance(values, np.ndarray | pd.Series) else list(values)
    arr = np.asarray(raw) if len(raw) else np.empty(0, dtype=np.int64)
    if arr.dtype.kind in "iu":  # fast path: integer years
        return arr.astype(np.int64).tolist()
    if arr.dtype.kind == "f" and np.isfinite(arr).all() and (arr == np.round(arr)).all():
        return arr.astype(np.int64).tolist()
    codes, uniq = pd.factorize(pd.Series(np.asarray(raw, dtype=object)), use_na_sentinel=False)
    parsed = [_one_period(u) for u in uniq]
    bad = [j for j, v in enumerate(parsed) if v is None]
    if bad:
        shown = []
        for j in bad[:5]:
            at = np.flatnonzero(codes == j)
            if rows is not None:
                at = np.unique(np.asarray(rows)[at])  # a wide row is one row, not one per column
            pos = at[:3].tolist() if rows is not None else (at[:3] + 1).tolist()
            more = f" and {len(at) - 3} more" if len(at) > 3 else ""
            text = "(empty)" if _one_blank(uniq[j]) else repr(uniq[j])
            label = "row" if rows is not None else "value"
            shown.append(f"{text} at {label} {', '.join(map(str, pos))}{more}")
        raise DataError(
            f"{len(bad)} {where} value(s) are neither a whole year nor a quarter: "
            + "; ".join(shown)
            + f". Every row needs a {where} written as a year (2019) or a quarter (2024Q1); "
            "fix or delete those rows"
        )
    kinds = {type(v) for v in parsed}
    if len(kinds) > 1:
        q = next(u for u, v in zip(uniq, parsed, strict=True) if isinstance(v, str))
        y = next(u for u, v in zip(uniq, parsed, strict=True) if isinstance(v, int))
        raise DataError(
            f"the {where} column mixes years ({y!r}) and quarters ({q!r}); use one frequency"
        )
    return np.asarray(parsed, dtype=object)[codes].tolist()


def _one_blank(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or (
        isinstance(v, str) and not v.strip()
    )


@dataclass(frozen=True, eq=False)
class Panel:
    """Units × periods × indicators, with a mask of imputed cells.

    Parameters
    ----------
    values : ndarray, shape (n_units, n_periods, n_indicators)
        Float values, NaN for missing.
    units, periods, indicators : sequences
        Labels of the three axes; each must be unique. Periods are sorted.
    imputed : ndarray of bool, optional
        Same shape as ``values``; True where a value was filled by imputation.
    meta : dict, optional
        Provenance: source file, conversion report, unit-name matches, steps
        applied. Copied, never shared.
    """

    values: np.ndarray
    units: tuple[str, ...]
    periods: tuple[Any, ...]
    indicators: tuple[str, ...]
    imputed: np.ndarray = None  # type: ignore[assignment]
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        v = np.asarray(self.values, dtype=float)
        shape = (len(self.units), len(self.periods), len(self.indicators))
        if v.shape != shape:
            raise DataError(f"values have shape {v.shape}, labels give {shape}")
        for name in ("units", "periods", "indicators"):
            labels = tuple(getattr(self, name))
            dup = pd.Index(labels)[pd.Index(labels).duplicated()].unique().tolist()
            if dup:
                raise DataError(f"duplicate {name} labels: {dup[:5]}")
            object.__setattr__(self, name, labels)
        if np.isinf(v).any():
            u, t, k = np.argwhere(np.isinf(v))[0]
            raise DataError(
                "infinite value at unit "
                f"{self.units[u]!r}, period {self.periods[t]!r}, indicator {self.indicators[k]!r}"
            )
        imp = np.zeros(shape, bool) if self.imputed is None else np.asarray(self.imputed, bool)
        if imp.shape != shape:
            raise DataError(f"imputed mask has shape {imp.shape}, values {shape}")
        object.__setattr__(self, "values", _freeze(v))
        object.__setattr__(self, "imputed", _freeze(imp))
        object.__setattr__(self, "meta", dict(self.meta))

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_long(
        cls,
        df: pd.DataFrame,
        unit: str = "unit",
        period: str = "period",
        indicator: str = "indicator",
        value: str = "value",
        duplicates: Duplicates = "error",
        source: str | None = None,
        parentheses_negative: bool = False,
    ) -> Panel:
        """Build a panel from a long table (one row per unit, period, indicator).

        Values written as in yearbooks (``1,234.5``, ``—``) are converted by
        :func:`~nqpf.panel.clean.coerce_numeric`; the conversion report is kept in
        ``meta["conversions"]``. Duplicate (unit, period, indicator) keys raise a
        :class:`~nqpf.errors.DataError` naming them, unless ``duplicates`` says
        to keep the first, the last or their mean.
        """
        _require_columns(df, [unit, period, indicator, value], source)
        rows = df["row"].to_numpy() if "row" in df.columns else np.arange(len(df)) + 2
        uc, uu = label_codes(df[unit], "unit", source, rows)
        pc, pu = period_codes(df[period], "period", rows)
        kc, ku = label_codes(df[indicator], "indicator", source, rows)
        where = CellWhere({"unit": (uc, uu), "period": (pc, pu), "indicator": (kc, ku)}, rows)
        vals, report = coerce_numeric(df[value], where=where,
                                      parentheses_negative=parentheses_negative)
        order = sorted(range(len(pu)), key=lambda j: _period_key(pu[j]))
        rank = np.empty(len(pu), np.int32)
        rank[order] = np.arange(len(pu))
        # one flat position in the cube per row (periods in sorted order)
        key = (uc.astype(np.int64) * len(pu) + rank[pc]) * len(ku) + kc
        counts = np.bincount(key, minlength=len(uu) * len(pu) * len(ku))
        many = bool(counts.max(initial=0) > 1)
        dup = counts[key] > 1 if many else None
        del counts
        if dup is not None:
            if duplicates == "error":
                at = np.flatnonzero(dup)[:5]
                keys_txt = "; ".join(
                    f"unit={uu[uc[i]]!r}, period={pu[pc[i]]!r}, indicator={ku[kc[i]]!r}"
                    for i in at
                )
                raise DataError(
                    f"{source or 'table'}: {int(dup.sum())} rows share a (unit, period, "
                    f"indicator) key, e.g. {keys_txt} (rows {[int(rows[i]) for i in at]}). "
                    "Remove the duplicates, or pass duplicates='first', 'last' or 'mean'."
                )
            if duplicates in ("first", "last"):
                pick = ~pd.Series(key).duplicated(keep=duplicates).to_numpy()
            elif duplicates == "mean":
                pick = ~pd.Series(key).duplicated(keep="first").to_numpy()
                means = pd.Series(vals).groupby(key, sort=False).mean()
                vals = means.reindex(key).to_numpy()
            else:
                raise DataError(
                    f"unknown duplicates policy {duplicates!r}; use error, first, last or mean"
                )
            key, vals = key[pick], vals[pick]
        del uc, pc, kc, where
        cube = np.full((len(uu), len(pu), len(ku)), np.nan)
        cube.reshape(-1)[key] = vals
        meta = {"source": source, "conversions": report}
        return cls(cube, tuple(uu), tuple(pu[j] for j in order), tuple(ku), meta=meta)

    @classmethod
    def from_wide(
        cls,
        df: pd.DataFrame,
        unit: str = "unit",
        period: str = "period",
        indicators: Sequence[str] | None = None,
        duplicates: Duplicates = "error",
        source: str | None = None,
    ) -> Panel:
        """Build a panel from a wide table: unit, period, one column per indicator.

        ``indicators`` defaults to every column other than ``unit`` and ``period``.
        """
        _require_columns(df, [unit, period], source)
        cols = (
            [c for c in df.columns if c not in (unit, period)]
            if indicators is None
            else list(indicators)
        )
        _require_columns(df, cols, source)
        if not cols:
            raise DataError(
                f"{source or 'table'}: no indicator columns besides {unit!r}, {period!r}"
            )
        d = pd.DataFrame(
            {
                "unit": _labels(df[unit], "unit", source),
                "period": normalise_period(df[period].tolist(), "period"),
            }
        )
        d = _handle_duplicates(
            d.assign(_row=np.arange(len(d))), ["unit", "period"], duplicates, source, df=df
        )
        rows = d.pop("_row").to_numpy()
        sub = df.iloc[rows].reset_index(drop=True)
        d = d.reset_index(drop=True)
        report = ConversionReport()
        units = list(pd.unique(d["unit"]))
        periods = sorted(pd.unique(d["period"]).tolist(), key=_period_key)
        cube = np.full((len(units), len(periods), len(cols)), np.nan)
        ui = pd.Index(units).get_indexer(d["unit"])
        ti = pd.Index(periods).get_indexer(d["period"])
        for k, c in enumerate(cols):
            where = d.assign(indicator=str(c), row=rows + 2)
            vals, _ = coerce_numeric(sub[c], where=where, report=report)
            cube[ui, ti, k] = vals
        meta = {"source": source, "conversions": report}
        return cls(cube, tuple(units), tuple(periods), tuple(str(c) for c in cols), meta=meta)

    # ------------------------------------------------------------------ views
    @property
    def shape(self) -> tuple[int, int, int]:
        return self.values.shape  # type: ignore[return-value]

    @property
    def conversions(self) -> ConversionReport:
        """Conversions made while reading (an empty report for computed panels)."""
        rep = self.meta.get("conversions")
        return rep if isinstance(rep, ConversionReport) else ConversionReport()

    def __repr__(self) -> str:
        n_u, n_t, n_k = self.shape
        span = f"{self.periods[0]}–{self.periods[-1]}" if n_t else "none"
        miss = float(np.isnan(self.values).mean()) if self.values.size else 0.0
        return (
            f"Panel({n_u} units × {n_t} periods ({span}) × {n_k} indicators, "
            f"{miss:.1%} missing, {int(self.imputed.sum())} imputed)"
        )

    def to_long(self, dropna: bool = True, imputed: bool = False) -> pd.DataFrame:
        """Tidy table ``unit, period, indicator, value`` (and ``imputed`` if asked)."""
        u, t, k = np.meshgrid(
            np.arange(self.shape[0]),
            np.arange(self.shape[1]),
            np.arange(self.shape[2]),
            indexing="ij",
        )
        df = pd.DataFrame(
            {
                "unit": np.asarray(self.units, dtype=object)[u.ravel()],
                "period": np.asarray(self.periods, dtype=object)[t.ravel()],
                "indicator": np.asarray(self.indicators, dtype=object)[k.ravel()],
                "value": self.values.ravel(),
            }
        )
        if imputed:
            df["imputed"] = self.imputed.ravel()
        if dropna:
            df = df[df["value"].notna()]
        return df.reset_index(drop=True)

    def to_wide(self) -> pd.DataFrame:
        """Table with index (unit, period) and one column per indicator."""
        idx = pd.MultiIndex.from_product([self.units, self.periods], names=["unit", "period"])
        return pd.DataFrame(
            self.values.reshape(-1, self.shape[2]), index=idx, columns=list(self.indicators)
        )

    def frame(self, indicator: str) -> pd.DataFrame:
        """One indicator as a units × periods table."""
        k = self._index("indicators", [indicator])[0]
        return pd.DataFrame(
            self.values[:, :, k], index=list(self.units), columns=list(self.periods)
        )

    def coverage(self) -> pd.DataFrame:
        """Share of units with a value, by indicator (rows) and period (columns)."""
        cov = (~np.isnan(self.values)).mean(axis=0).T
        return pd.DataFrame(cov, index=list(self.indicators), columns=list(self.periods))

    # ------------------------------------------------------------------ derivation
    def replace(self, **changes: Any) -> Panel:
        """A copy with some fields changed (``values``, ``imputed``, ``meta``, labels)."""
        return dataclasses.replace(self, **changes)

    def sel(
        self,
        units: Sequence[str] | None = None,
        periods: Sequence[Any] | None = None,
        indicators: Sequence[str] | None = None,
    ) -> Panel:
        """Subset by labels, in the order given. Unknown labels raise a DataError."""
        ui = self._index("units", units)
        ti = self._index("periods", periods)
        ki = self._index("indicators", indicators)
        ix = np.ix_(ui, ti, ki)
        return Panel(
            self.values[ix],
            tuple(np.asarray(self.units, object)[ui]),
            tuple(np.asarray(self.periods, object)[ti]),
            tuple(np.asarray(self.indicators, object)[ki]),
            self.imputed[ix],
            self.meta,
        )

    def rename_units(self, mapping: dict[str, str]) -> Panel:
        """Rename units; two units renamed to the same name is an error."""
        new = tuple(mapping.get(u, u) for u in self.units)
        dup = pd.Index(new)[pd.Index(new).duplicated()].unique().tolist()
        if dup:
            clash = {d: [u for u in self.units if mapping.get(u, u) == d] for d in dup}
            raise DataError(f"several units resolve to the same name: {clash}")
        return self.replace(units=new)

    def with_indicator(self, name: str, values: np.ndarray) -> Panel:
        """Add (or replace) one indicator computed from others (shape units × periods)."""
        values = np.asarray(values, dtype=float)
        if values.shape != self.shape[:2]:
            raise DataError(
                f"indicator {name!r} has shape {values.shape}, expected {self.shape[:2]}"
            )
        values = np.where(np.isinf(values), np.nan, values)
        if name in self.indicators:
            k = self.indicators.index(name)
            v = self.values.copy()
            v[:, :, k] = values
            imp = self.imputed.copy()
            imp[:, :, k] = False
            return self.replace(values=v, imputed=imp)
        return self.replace(
            values=np.concatenate([self.values, values[:, :, None]], axis=2),
            imputed=np.concatenate([self.imputed, np.zeros(values.shape + (1,), bool)], axis=2),
            indicators=self.indicators + (name,),
        )

    def merge(self, other: Panel) -> Panel:
        """Union of two panels over units, periods and indicators.

        A cell present in both must be equal (or missing in one), else a
        DataError names it.
        """
        units = list(dict.fromkeys(self.units + other.units))
        periods = sorted(set(self.periods) | set(other.periods), key=_period_key)
        inds = list(dict.fromkeys(self.indicators + other.indicators))
        out = np.full((len(units), len(periods), len(inds)), np.nan)
        imp = np.zeros(out.shape, bool)
        for p in (self, other):
            ix = np.ix_(
                pd.Index(units).get_indexer(p.units),
                pd.Index(periods).get_indexer(p.periods),
                pd.Index(inds).get_indexer(p.indicators),
            )
            cur = out[ix]
            clash = ~np.isnan(cur) & ~np.isnan(p.values) & ~np.isclose(cur, p.values)
            if clash.any():
                u, t, k = np.argwhere(clash)[0]
                raise DataError(
                    f"conflicting values for unit {p.units[u]!r}, period {p.periods[t]!r}, "
                    f"indicator {p.indicators[k]!r}: {cur[u, t, k]} and {p.values[u, t, k]}"
                )
            out[ix] = np.where(np.isnan(cur), p.values, cur)
            imp[ix] |= p.imputed
        meta = dict(self.meta)
        rep = ConversionReport().merge(self.conversions).merge(other.conversions)
        meta["conversions"] = rep
        srcs = [s for s in (self.meta.get("source"), other.meta.get("source")) if s]
        meta["source"] = "; ".join(dict.fromkeys(srcs)) or None
        return Panel(out, tuple(units), tuple(periods), tuple(inds), imp, meta)

    def _index(self, axis: str, labels: Sequence[Any] | None) -> np.ndarray:
        have: tuple[Any, ...] = getattr(self, axis)
        if labels is None:
            return np.arange(len(have))
        if isinstance(labels, str | int):
            labels = [labels]
        if axis == "periods":
            labels = normalise_period(labels)
        idx = pd.Index(have).get_indexer(list(labels))
        if (idx < 0).any():
            missing = [lab for lab, i in zip(labels, idx, strict=True) if i < 0]
            raise DataError(
                f"unknown {axis[:-1]} {missing[:5]}; the panel has {list(have)[:10]}"
                + (" …" if len(have) > 10 else "")
            )
        return idx


# ---------------------------------------------------------------------- helpers
def _period_key(p: Any) -> tuple[int, Any]:
    return (0, p) if isinstance(p, int) else (1, str(p))


def _require_columns(df: pd.DataFrame, cols: Sequence[Hashable], source: str | None) -> None:
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(
            f"{source or 'table'}: column(s) {missing} not found; the columns are "
            f"{[str(c) for c in df.columns][:20]}"
        )


def _codes(values: Any) -> tuple[np.ndarray, list[Any]]:
    """Integer codes and the distinct values in order of first appearance (NaN included).

    Categorical columns (as :func:`nqpf.panel.io.to_long_table` makes) are read
    from their codes, with unused categories left out.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy().astype(np.int32)
        cats = list(s.cat.categories)
        if (codes < 0).any():
            cats.append(np.nan)
            codes = np.where(codes < 0, len(cats) - 1, codes)
        first = pd.unique(codes)
        remap = np.full(len(cats), -1, np.int32)
        remap[first] = np.arange(len(first))
        return remap[codes], [cats[j] for j in first]
    if s.dtype.kind not in "O" and not pd.api.types.is_string_dtype(s.dtype):
        codes, uniq = pd.factorize(s, use_na_sentinel=False)
        return codes.astype(np.int32), list(uniq)
    codes, uniq = pd.factorize(pd.Series(s.to_numpy(dtype=object)), use_na_sentinel=False)
    return codes.astype(np.int32), list(uniq)


def _merge(codes: np.ndarray, parsed: Sequence[Any]) -> tuple[np.ndarray, list[Any]]:
    """Codes over ``parsed`` with equal parsed values merged (``"x"`` and ``" x"``)."""
    ids: dict[Any, int] = {}
    remap = np.asarray([ids.setdefault(v, len(ids)) for v in parsed], dtype=np.int32)
    return (remap[codes] if len(codes) else codes), list(ids)


def label_codes(
    s: Any, what: str, source: str | None, rows: Sequence[int] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct labels as stripped text (``2019.0`` → ``"2019"``).

    An empty label is an error naming its row (``rows``: the file row of each value).
    """
    codes, uniq = _codes(s)
    text = []
    for j, v in enumerate(uniq):
        if _one_blank(v):
            i = int(np.flatnonzero(codes == j)[0])
            row = int(rows[i]) if rows is not None else i + 2
            raise DataError(f"{source or 'table'}, row {row}: the {what} is empty")
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text.append(str(v).strip())
    return _merge(codes, text)


def period_codes(
    s: Any, where: str = "period", rows: Sequence[int] | None = None
) -> tuple[np.ndarray, list[Any]]:
    """Codes and distinct periods, each parsed as :func:`normalise_period` does."""
    codes, uniq = _codes(s)
    parsed = normalise_period(uniq, where, rows=None) if not any(
        _one_period(u) is None for u in uniq) else None
    if parsed is None:  # name the rows of the bad values
        normalise_period(np.asarray(uniq, dtype=object)[codes], where, rows)
    return _merge(codes, parsed)  # type: ignore[arg-type]


class CellWhere:
    """Names a cell of a long table lazily: unit, period, indicator and file row of row ``i``."""

    def __init__(self, cols: dict[str, tuple[np.ndarray, list[Any]]], rows: Any) -> None:
        self.cols, self.rows = cols, rows

    def cell(self, i: int) -> dict[str, Any]:
        out = {k: labels[codes[i]] for k, (codes, labels) in self.cols.items()}
        out["row"] = int(self.rows[i])
        return out


def _labels(
    s: pd.Series, what: str, source: str | None, rows: Sequence[int] | None = None
) -> list[str]:
    """Labels as stripped text, one per value (see :func:`label_codes`)."""
    codes, labels = label_codes(s, what, source, rows)
    return np.asarray(labels, dtype=object)[codes].tolist()


def _handle_duplicates(
    d: pd.DataFrame,
    keys: list[str],
    how: Duplicates,
    source: str | None,
    df: pd.DataFrame | None = None,
) -> pd.DataFrame:
    dup = d.duplicated(keys, keep=False)
    if not dup.any():
        return d
    if how == "error":
        first = d[dup].head(5)
        rows = (np.flatnonzero(dup.to_numpy())[:5] + 2).tolist()
        keys_txt = "; ".join(", ".join(f"{k}={r[k]!r}" for k in keys) for _, r in first.iterrows())
        raise DataError(
            f"{source or 'table'}: {int(dup.sum())} rows share a ({', '.join(keys)}) key, "
            f"e.g. {keys_txt} (rows {rows}). Remove the duplicates, or pass "
            "duplicates='first', 'last' or 'mean'."
        )
    if how in ("first", "last"):
        return d.drop_duplicates(keys, keep=how)
    if how == "mean":
        if "value" not in d.columns:
            raise DataError("duplicates='mean' applies to long tables only")
        return d.groupby(keys, as_index=False, sort=False)["value"].mean()
    raise DataError(f"unknown duplicates policy {how!r}; use error, first, last or mean")
