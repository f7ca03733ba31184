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


def normalise_period(values: Iterable[Any], where: str = "period") -> list[Any]:
    """Periods as ``int`` when every value is a whole number (years), else ``str``.

    ``2019``, ``2019.0``, ``"2019"`` and ``" 2019年 "`` all become ``2019``.
    """
    raw = list(values)
    arr = np.asarray(raw) if raw else np.empty(0)
    if arr.dtype.kind in "iu":  # fast path: integer years
        return arr.astype(np.int64).tolist()
    if arr.dtype.kind == "f" and np.isfinite(arr).all() and (arr == np.round(arr)).all():
        return arr.astype(np.int64).tolist()
    out: list[Any] = []
    for v in raw:
        if isinstance(v, bool):
            break
        if isinstance(v, int | np.integer):
            out.append(int(v))
            continue
        if isinstance(v, float | np.floating):
            if np.isfinite(v) and float(v).is_integer():
                out.append(int(v))
                continue
            break
        s = str(v).strip().removesuffix("年").strip()
        try:
            f = float(s)
        except ValueError:
            break
        if not (np.isfinite(f) and f.is_integer()):
            break
        out.append(int(f))
    else:
        return out
    # not all integer-like: keep as text, but refuse missing periods
    texts = []
    for v in raw:
        if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
            raise DataError(f"a {where} value is missing; every row needs a {where}")
        texts.append(str(v).strip())
    return texts


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
    ) -> Panel:
        """Build a panel from a long table (one row per unit, period, indicator).

        Values written as in yearbooks (``1,234.5``, ``—``) are converted by
        :func:`~nqpf.panel.clean.coerce_numeric`; the conversion report is kept in
        ``meta["conversions"]``. Duplicate (unit, period, indicator) keys raise a
        :class:`~nqpf.errors.DataError` naming them, unless ``duplicates`` says
        to keep the first, the last or their mean.
        """
        _require_columns(df, [unit, period, indicator, value], source)
        d = pd.DataFrame(
            {
                "unit": _labels(df[unit], "unit", source),
                "period": normalise_period(df[period].tolist(), "period"),
                "indicator": _labels(df[indicator], "indicator", source),
            }
        )
        where = d.assign(row=np.arange(len(d)) + 2)  # +2: header line, 1-based
        vals, report = coerce_numeric(df[value], where=where)
        d["value"] = vals
        d = _handle_duplicates(d, ["unit", "period", "indicator"], duplicates, source)
        units = list(pd.unique(d["unit"]))
        periods = sorted(pd.unique(d["period"]).tolist(), key=_period_key)
        inds = list(pd.unique(d["indicator"]))
        cube = np.full((len(units), len(periods), len(inds)), np.nan)
        ui = pd.Index(units).get_indexer(d["unit"])
        ti = pd.Index(periods).get_indexer(d["period"])
        ki = pd.Index(inds).get_indexer(d["indicator"])
        cube[ui, ti, ki] = d["value"].to_numpy()
        meta = {"source": source, "conversions": report}
        return cls(cube, tuple(units), tuple(periods), tuple(inds), meta=meta)

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


def _labels(s: pd.Series, what: str, source: str | None) -> list[str]:
    out = []
    for i, v in enumerate(s.tolist()):
        if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
            raise DataError(f"{source or 'table'}, row {i + 2}: the {what} is empty")
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append(str(v).strip())
    return out


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
