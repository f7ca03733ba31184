"""Turn a table or a Panel into checked DEA arrays (one row per unit and period)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataError
from ...panel.clean import coerce_numeric
from ...panel.core import Panel, normalise_period


@dataclass
class DEAData:
    """Checked observations.

    Attributes
    ----------
    units, periods : ndarray of object
        Unit and period of each row (rows sorted by period, then unit).
    X, Y, B : ndarray
        Inputs, good outputs, bad outputs (``B`` has zero columns without bads).
    inputs, outputs, bad : list of str
        Column names.
    notes : list of str
        What was done to the data (dropped rows).
    """

    units: np.ndarray
    periods: np.ndarray
    X: np.ndarray
    Y: np.ndarray
    B: np.ndarray
    inputs: list[str]
    outputs: list[str]
    bad: list[str]
    notes: list[str] = field(default_factory=list)


def _names(v: str | Sequence[str] | None, what: str) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    out = [str(c) for c in v]
    if len(set(out)) != len(out):
        raise DataError(f"the {what} list names a column twice: {out}")
    return out


def _suggest(name: str, columns: Sequence[Any]) -> str:
    close = difflib.get_close_matches(str(name), [str(c) for c in columns], n=3, cutoff=0.5)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def prepare(
    data: pd.DataFrame | Panel,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bad: str | Sequence[str] | None = None,
    *,
    unit: str = "unit",
    period: str = "period",
    model: str = "sbm",
    dropna: bool = False,
) -> DEAData:
    """Check and arrange the data for :func:`nqpf.efficiency.dea.dea`.

    Parameters
    ----------
    data : DataFrame or Panel
        Wide (``unit, period`` and one column per variable) or long (``unit, period,
        indicator, value``) table, or a :class:`~nqpf.panel.core.Panel`. Rows are matched
        by unit id and period, never by row order; unbalanced panels are fine.
    inputs, outputs, bad : str or list of str
        Column (indicator) names.
    unit, period : str
        Key columns of a table.
    model : str
        The DEA model (SBM models need strictly positive inputs).
    dropna : bool
        Drop observations with a missing value (listed in ``notes``) instead of refusing.

    Raises
    ------
    DataError
        Unknown columns (with suggestions), duplicate (unit, period) rows, missing values
        (unless ``dropna``), negative values, zero inputs in SBM models, text that is not a
        number.
    """
    ins, outs, bads = _names(inputs, "inputs"), _names(outputs, "outputs"), _names(bad, "bad")
    if not ins:
        raise DataError("give at least one input column")
    if not outs:
        raise DataError("give at least one (good) output column")
    every = ins + outs + bads
    dup = sorted({c for c in every if every.count(c) > 1})
    if dup:
        raise DataError(f"column(s) {dup} are listed in more than one role (input/output/bad)")
    if isinstance(data, Panel):
        missing = [c for c in every if c not in data.indicators]
        if missing:
            raise DataError(
                f"indicator {missing[0]!r} is not in the panel"
                + _suggest(missing[0], data.indicators)
            )
        wide = data.sel(indicators=every).to_wide().reset_index()
        unit_c, period_c = "unit", "period"
        wide = wide.dropna(subset=every, how="all")
    elif isinstance(data, pd.DataFrame):
        unit_c, period_c = unit, period
        for c in (unit, period):
            if c not in data.columns:
                raise DataError(
                    f"key column {c!r} is not in the table" + _suggest(c, list(data.columns))
                    + "; pass unit= and period= to name the key columns"
                )
        if all(c in data.columns for c in every):
            wide = data
        elif {"indicator", "value"} <= set(data.columns):
            long = data[[unit, period, "indicator", "value"]]
            long = long[long["indicator"].astype(str).isin(every)]
            have = set(long["indicator"].astype(str))
            missing = [c for c in every if c not in have]
            if missing:
                known = sorted(set(data["indicator"].astype(str)))
                raise DataError(
                    f"indicator {missing[0]!r} is not in the long table"
                    + _suggest(missing[0], known)
                )
            d = long.assign(indicator=long["indicator"].astype(str))
            dups = d.duplicated([unit, period, "indicator"], keep=False)
            if dups.any():
                r = d[dups].iloc[0]
                raise DataError(
                    f"{int(dups.sum())} rows repeat a (unit, period, indicator), e.g. unit "
                    f"{r[unit]!r}, period {r[period]!r}, indicator {r['indicator']!r}; "
                    "remove the duplicates"
                )
            wide = d.pivot(index=[unit, period], columns="indicator", values="value")
            wide = wide.reset_index()
            wide.columns.name = None
        else:
            missing = [c for c in every if c not in data.columns]
            raise DataError(
                f"column {missing[0]!r} is not in the table" + _suggest(missing[0], data.columns)
            )
    else:
        raise DataError(f"data must be a pandas DataFrame or a nqpf Panel, not {type(data)}")

    units = [str(u).strip() for u in wide[unit_c].tolist()]
    for i, u in enumerate(units):
        if u in ("", "nan", "None", "<NA>"):
            raise DataError(f"row {i + 1}: the unit ({unit_c}) is empty")
    periods = normalise_period(wide[period_c].tolist(), where=period_c)
    keys = pd.DataFrame({"u": units, "p": periods})
    dups = keys.duplicated(keep=False)
    if dups.any():
        first = keys[dups].iloc[0]
        raise DataError(
            f"{int(dups.sum())} rows share a (unit, period): e.g. unit {first['u']!r}, period "
            f"{first['p']!r}; each unit may appear once per period"
        )
    cols: dict[str, np.ndarray] = {}
    where = pd.DataFrame({"unit": units, "period": periods})
    for c in every:
        vals, rep = coerce_numeric(wide[c], where=where.assign(column=c))
        if rep.non_numeric:
            w = rep.non_numeric[0]
            raise DataError(
                f"column {c!r}: {len(rep.non_numeric)} value(s) are not numbers, e.g. "
                f"{w.get('raw')!r} at unit {w['where'].get('unit')!r}, period "
                f"{w['where'].get('period')!r}; fix or blank them"
            )
        cols[c] = vals
    M = np.column_stack([cols[c] for c in every]) if every else np.zeros((len(units), 0))
    notes: list[str] = []
    miss = np.isnan(M)
    if miss.any():
        rows = np.flatnonzero(miss.any(axis=1))
        listing = "; ".join(
            f"unit {units[r]!r} period {periods[r]!r}: "
            + ", ".join(every[j] for j in np.flatnonzero(miss[r]))
            for r in rows[:5]
        )
        if not dropna:
            raise DataError(
                f"{rows.size} observation(s) have missing values ({listing}"
                f"{' ...' if rows.size > 5 else ''}); impute them first or pass dropna=True"
            )
        notes.append(f"dropped {rows.size} observation(s) with missing values: {listing}"
                     f"{' ...' if rows.size > 5 else ''}")
        keep = ~miss.any(axis=1)
        M = M[keep]
        units = [u for u, k in zip(units, keep, strict=True) if k]
        periods = [p for p, k in zip(periods, keep, strict=True) if k]
    if M.shape[0] == 0:
        raise DataError("no observations left to evaluate")
    neg = M < 0
    if neg.any():
        r, j = np.argwhere(neg)[0]
        raise DataError(
            f"negative value {M[r, j]:g} in column {every[j]!r} at unit {units[r]!r}, period "
            f"{periods[r]!r}: DEA needs non-negative data; translate or redefine the variable"
        )
    m = len(ins)
    if model in ("sbm", "super-sbm"):
        zero = M[:, :m] <= 0
        if zero.any():
            r, j = np.argwhere(zero)[0]
            raise DataError(
                f"zero input in column {ins[j]!r} at unit {units[r]!r}, period {periods[r]!r}: "
                "the SBM ratio divides by each input, so inputs must be positive"
            )
    order = sorted(range(len(units)), key=lambda i: (_pkey(periods[i]), units[i]))
    M = M[order]
    u_arr = np.asarray([units[i] for i in order], dtype=object)
    p_arr = np.asarray([periods[i] for i in order], dtype=object)
    return DEAData(
        u_arr, p_arr, M[:, :m].copy(), M[:, m : m + len(outs)].copy(),
        M[:, m + len(outs) :].copy(), ins, outs, bads, notes,
    )


def _pkey(p: Any) -> tuple[int, Any]:
    return (0, p) if isinstance(p, int) else (1, str(p))
