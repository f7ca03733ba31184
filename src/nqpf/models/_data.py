"""Shared input handling of the regression models: one tidy, sorted, checked panel frame.

Every estimator of :mod:`nqpf.models` takes either an :class:`nqpf.panel.Panel`
(its indicators become the variables) or a long :class:`pandas.DataFrame` with a
unit column and a period column. :func:`model_frame` turns either into a frame
sorted by unit and period holding only the variables a model uses, and checks
what every estimator needs:

* named variables exist and are numeric (non-finite values are errors, never NaN
  silently carried into an estimate);
* a unit-period pair occurs at most once;
* rows with a missing value in a used variable are dropped (listwise deletion)
  and counted in :attr:`ModelFrame.dropped`, never silently.

:func:`lag` makes lags inside units with the consecutive-period check, and
:func:`check_collinear` names regressors that are linear combinations of others
after the fixed-effect transformation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = [
    "ModelFrame",
    "balanced_subset",
    "show",
    "check_collinear",
    "demean",
    "lag",
    "model_frame",
    "require_balanced",
]


@dataclass
class ModelFrame:
    """A panel ready for estimation: ``frame`` sorted by ``unit``, ``time``."""

    frame: pd.DataFrame
    unit: str
    time: str
    dropped: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def units(self) -> np.ndarray:
        return self.frame[self.unit].to_numpy()

    @property
    def n_units(self) -> int:
        return int(self.frame[self.unit].nunique())

    @property
    def n_periods(self) -> int:
        return int(self.frame[self.time].nunique())

    @property
    def balanced(self) -> bool:
        counts = self.frame.groupby(self.unit, sort=False).size()
        return bool(counts.nunique() == 1 and counts.iloc[0] == self.n_periods)

    def codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Integer codes of unit and period (0-based, in sorted order)."""
        u = pd.factorize(self.frame[self.unit], sort=True)[0]
        t = pd.factorize(self.frame[self.time], sort=True)[0]
        return u, t


def show(v: Any) -> str:
    """A label for messages: numpy scalars shown as plain Python values."""
    if isinstance(v, np.generic):
        v = v.item()
    return repr(v)


def _as_frame(data: Any, unit: str | None, time: str | None) -> tuple[pd.DataFrame, str, str]:
    if hasattr(data, "to_wide") and hasattr(data, "indicators"):
        df = data.to_wide().reset_index()
        return df, "unit", "period"
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"a model needs an nqpf Panel or a pandas DataFrame, not {type(data).__name__}"
        )
    df = data
    if isinstance(df.index, pd.MultiIndex) and unit is None and time is None:
        names = list(df.index.names)
        if len(names) == 2 and all(n is not None for n in names):
            return df.reset_index(), str(names[0]), str(names[1])
    unit = unit or _guess(df, ("unit", "id", "province", "region", "city", "firm", "country"))
    time = time or _guess(df, ("period", "year", "time", "t"))
    if unit is None or time is None:
        raise DataError(
            "cannot tell the unit and period columns: name them (unit=..., time=...); "
            f"columns are {list(df.columns)[:12]}"
        )
    return df, unit, time


def _guess(df: pd.DataFrame, names: Sequence[str]) -> str | None:
    cols = {str(c).lower(): c for c in df.columns}
    for n in names:
        if n in cols:
            return str(cols[n])
    return None


def model_frame(
    data: Any,
    variables: Sequence[str],
    *,
    unit: str | None = None,
    time: str | None = None,
    what: str = "model",
) -> ModelFrame:
    """Select, check and sort the variables of a model (see the module docstring)."""
    df, unit, time = _as_frame(data, unit, time)
    for c in (unit, time):
        if c not in df.columns:
            raise DataError(f"{what}: column {c!r} is not in the data")
    wanted = list(dict.fromkeys(v for v in variables if v not in (unit, time)))
    missing = [v for v in wanted if v not in df.columns]
    if missing:
        raise DataError(
            f"{what}: unknown variable(s) {missing}; the data have {list(df.columns)[:20]}"
        )
    out = df[[unit, time, *wanted]].copy()
    for v in wanted:
        col = out[v]
        if col.dtype == bool:
            out[v] = col.astype(float)
            continue
        if not pd.api.types.is_numeric_dtype(col):
            conv = pd.to_numeric(col, errors="coerce")
            bad = col[conv.isna() & col.notna()]
            if len(bad):
                i = bad.index[0]
                raise DataError(
                    f"{what}: variable {v!r} is not numeric: {show(bad.iloc[0])} at unit "
                    f"{show(df.at[i, unit])}, period {show(df.at[i, time])}"
                )
            out[v] = conv
        out[v] = out[v].astype(float)
        inf = np.isinf(out[v].to_numpy())
        if inf.any():
            i = out.index[np.argmax(inf)]
            raise DataError(
                f"{what}: variable {v!r} is infinite at unit {show(df.at[i, unit])}, "
                f"period {show(df.at[i, time])}"
            )
    if not pd.api.types.is_numeric_dtype(out[time]):  # periods read as text: numbers if all are
        as_num = pd.to_numeric(out[time], errors="coerce")
        if as_num.notna().all():
            out[time] = as_num
    if out[unit].isna().any() or out[time].isna().any():
        raise DataError(f"{what}: missing unit or period labels in {unit!r}/{time!r}")
    dup = out.duplicated([unit, time])
    if dup.any():
        i = out.index[np.argmax(dup.to_numpy())]
        raise DataError(
            f"{what}: unit {show(out.at[i, unit])} has period {show(out.at[i, time])} "
            "more than once"
        )
    na = out[wanted].isna().any(axis=1)
    dropped = int(na.sum())
    notes = []
    if dropped:
        counts = out.loc[na, wanted].isna().sum()
        parts = ", ".join(f"{k} {int(n)}" for k, n in counts.items() if n)
        notes.append(f"{dropped} rows with missing values dropped ({parts})")
        out = out[~na]
    if out.empty:
        raise DataError(f"{what}: no complete rows left for variables {wanted}")
    out = out.sort_values([unit, time], kind="mergesort").reset_index(drop=True)
    return ModelFrame(out, unit, time, dropped, notes)


def lag(mf: ModelFrame, var: str, k: int = 1, *, name: str | None = None) -> str:
    """Add ``var`` lagged ``k`` periods within units (consecutive periods only).

    A lag exists where the unit has the period ``k`` places earlier in the panel's
    sorted list of periods; other rows get NaN and are dropped by the caller.
    Raises :class:`DataError` if the panel has ``k`` or fewer periods.
    """
    if k < 1:
        raise DataError(f"lag of {var!r}: the lag must be a positive integer, not {k}")
    periods = np.sort(mf.frame[mf.time].unique())
    if len(periods) <= k:
        raise DataError(
            f"too few periods for a lag of {k} on {var!r}: the panel has {len(periods)} "
            f"period(s) ({', '.join(map(str, periods))}); a lag of {k} needs at least {k + 1}"
        )
    pos = {p: i for i, p in enumerate(periods)}
    f = mf.frame
    key = pd.Series([pos[p] for p in f[mf.time]], index=f.index)
    lookup = pd.Series(f[var].to_numpy(), index=pd.MultiIndex.from_arrays([f[mf.unit], key]))
    want = pd.MultiIndex.from_arrays([f[mf.unit], key - k])
    name = name or f"L{k}.{var}"
    f[name] = lookup.reindex(want).to_numpy()
    return name


def require_balanced(mf: ModelFrame, estimator: str) -> None:
    """Raise a :class:`DataError` naming ``estimator`` and the balanced subset on offer."""
    if mf.balanced:
        return
    counts = mf.frame.groupby(mf.unit).size()
    full = counts[counts == mf.n_periods]
    raise DataError(
        f"{estimator} needs a balanced panel; this one has {mf.n_units} units over "
        f"{mf.n_periods} periods with {int((counts < mf.n_periods).sum())} unit(s) incomplete "
        f"(e.g. {show(counts[counts < mf.n_periods].index[0])} with "
        f"{int(counts[counts < mf.n_periods].iloc[0])} periods). Use balanced=True (or "
        f"--balanced) to keep the balanced subset of {len(full)} units observed in every "
        "period, or drop the incomplete units yourself"
    )


def balanced_subset(mf: ModelFrame) -> ModelFrame:
    """The units observed in every period (a note records how many were dropped)."""
    counts = mf.frame.groupby(mf.unit).size()
    keep = counts.index[counts == mf.n_periods]
    if len(keep) == 0:
        raise DataError("no unit is observed in every period: there is no balanced subset")
    f = mf.frame[mf.frame[mf.unit].isin(keep)].reset_index(drop=True)
    notes = [*mf.notes, f"balanced subset: {len(keep)} of {len(counts)} units kept"]
    return ModelFrame(f, mf.unit, mf.time, mf.dropped, notes)


def demean(x: np.ndarray, codes: np.ndarray, n_groups: int | None = None) -> np.ndarray:
    """Subtract group means (rows of ``x`` grouped by integer ``codes``)."""
    x = np.asarray(x, float)
    two = x.ndim == 2
    xx = x if two else x[:, None]
    g = int(codes.max()) + 1 if n_groups is None else n_groups
    cnt = np.bincount(codes, minlength=g).astype(float)
    sums = np.zeros((g, xx.shape[1]))
    np.add.at(sums, codes, xx)
    out = xx - (sums / np.maximum(cnt, 1)[:, None])[codes]
    return out if two else out[:, 0]


def check_collinear(x: np.ndarray, names: Sequence[str], *, what: str = "model") -> None:
    """Raise a :class:`DataError` naming regressors that are constant or collinear.

    ``x`` is the transformed design (after the fixed-effect transformation), so a
    regressor constant within units under unit effects is reported as absorbed.
    The check walks the columns in order and flags each column whose residual on
    the columns before it is numerically zero (relative tolerance 1e-10).
    """
    x = np.asarray(x, float)
    scale = np.sqrt((x**2).sum(0))
    zero = [names[j] for j in range(x.shape[1]) if scale[j] <= 1e-12 * max(1.0, len(x))]
    if zero:
        raise DataError(
            f"{what}: regressor(s) {zero} have no variation left after the fixed effects "
            "(constant within units or periods); drop them"
        )
    kept: list[int] = []
    for j in range(x.shape[1]):
        if kept:
            b, *_ = np.linalg.lstsq(x[:, kept], x[:, j], rcond=None)
            r = x[:, j] - x[:, kept] @ b
        else:
            r = x[:, j]
        if np.sqrt(r @ r) <= 1e-10 * scale[j]:
            others = [names[k] for k in kept]
            raise DataError(
                f"{what}: regressor {names[j]!r} is collinear with {others} "
                "(a linear combination of them after the fixed effects); drop one of them"
            )
        kept.append(j)
