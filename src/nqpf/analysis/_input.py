"""Inputs shared by the analyses: a tidy table of values and a grouping of units.

Every analysis takes the values to analyse as a tidy table ``unit, period,
value`` (:func:`values_frame` makes one from an index result, a panel
indicator, or a table such as ``scores.csv``) and, where groups matter, a
mapping unit → group (:func:`groups_for`). Units are matched by id, never by
row order.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

#: Built-in groupings of Chinese provinces.
BUILTIN_GROUPS = {"cn-four-regions": "region4", "cn-three-belts": "belt3"}


def values_frame(
    data: Any, value: str = "value", node: str | None = None, indicator: str | None = None
) -> pd.DataFrame:
    """A tidy ``unit, period, value`` table, sorted, with no duplicate keys.

    Parameters
    ----------
    data : IndexResult, Panel or DataFrame
        An index result (``node`` picks the node, default the overall index),
        a panel (``indicator`` picks the series; required if it has several), or
        a table with ``unit``, ``period`` and the ``value`` column (a ``node``
        column, as in ``scores.csv``, is filtered to ``node``, by default the
        only node present or else ``index``).
    """
    from ..panel.core import Panel

    if hasattr(data, "scores") and hasattr(data, "recipe"):  # IndexResult
        data = data.scores
        value = "score"
    if isinstance(data, Panel):
        if indicator is None:
            if len(data.indicators) != 1:
                raise DataError(
                    f"the panel has {len(data.indicators)} indicators; say which to analyse "
                    f"(indicator=...): {list(data.indicators)[:10]}"
                )
            indicator = data.indicators[0]
        df = data.sel(indicators=[indicator]).to_long(dropna=True)
        return _tidy(df.rename(columns={"value": "value"}), "value")
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"expected an index result, a Panel or a DataFrame, got {type(data).__name__}"
        )
    df = data
    if "node" in df.columns:
        nodes = list(pd.unique(df["node"]))
        want = node or (nodes[0] if len(nodes) == 1 else "index")
        if want not in nodes:
            raise DataError(f"node {want!r} not in the table; nodes: {nodes[:20]}")
        df = df[df["node"] == want]
    elif node is not None:
        raise DataError("the table has no 'node' column to pick a node from")
    missing = [c for c in ("unit", "period", value) if c not in df.columns]
    if missing:
        raise DataError(
            f"the table lacks column(s) {missing}; it needs unit, period and the value column "
            f"(--value); its columns are {list(df.columns)[:20]}"
        )
    return _tidy(df, value)


def _tidy(df: pd.DataFrame, value: str) -> pd.DataFrame:
    from ..panel.core import normalise_period

    out = pd.DataFrame(
        {
            "unit": df["unit"].astype(str).str.strip().to_numpy(),
            "period": normalise_period(df["period"].tolist()),
            "value": pd.to_numeric(df[value], errors="coerce").to_numpy(dtype=float),
        }
    )
    bad = df[value].notna().to_numpy() & np.isnan(out["value"].to_numpy())
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"value {df[value].iloc[i]!r} of unit {out['unit'].iloc[i]!r}, period "
            f"{out['period'].iloc[i]!r} is not a number"
        )
    if np.isinf(out["value"]).any():
        r = out[np.isinf(out["value"])].iloc[0]
        raise DataError(f"infinite value for unit {r['unit']!r}, period {r['period']!r}")
    dup = out.duplicated(["unit", "period"], keep=False)
    if dup.any():
        r = out[dup].iloc[0]
        raise DataError(
            f"{int(dup.sum())} rows share a (unit, period) key, e.g. unit {r['unit']!r}, "
            f"period {r['period']!r}; give one value per unit and period"
        )
    out = out[out["value"].notna()]
    if out.empty:
        raise DataError("no values to analyse")
    return out.sort_values(["period", "unit"]).reset_index(drop=True)


def groups_for(
    units: Any, groups: str | Path | Mapping[str, Any] | pd.DataFrame, lang: str = "en"
) -> dict[str, str]:
    """A mapping unit → group for every unit, from a built-in name, a CSV or a mapping.

    Parameters
    ----------
    units : iterable of str
        The units to cover; a unit without a group is an error naming it.
    groups : str, path, mapping or DataFrame
        ``"cn-four-regions"`` (NBS East/Central/West/Northeast) or
        ``"cn-three-belts"`` (East/Central/West) for provinces given as ISO
        3166-2 codes; a CSV or table with columns ``unit, group``; or a mapping.
    lang : str
        Language of the built-in group labels (``zh`` or ``en``).
    """
    units = [str(u) for u in pd.unique(pd.Series(list(units), dtype=object))]
    if isinstance(groups, str) and groups in BUILTIN_GROUPS:
        from ..datasets.reference import province_groups

        mapping: Mapping[str, Any] = province_groups(BUILTIN_GROUPS[groups], lang=lang)
    elif isinstance(groups, str | Path):
        p = Path(groups)
        if not p.is_file():
            raise DataError(
                f"groups {str(groups)!r} is neither a built-in grouping "
                f"({', '.join(BUILTIN_GROUPS)}) nor a file"
            )
        from ..panel.io import read_table

        groups = read_table(p)
        mapping = _from_table(groups, str(p))
    elif isinstance(groups, pd.DataFrame):
        mapping = _from_table(groups, "groups table")
    elif isinstance(groups, Mapping):
        mapping = groups
    else:
        raise DataError(f"groups must be a name, a file, a table or a mapping, not {type(groups)}")
    lacking = [u for u in units if u not in mapping or pd.isna(mapping[u])]
    if lacking:
        raise DataError(
            f"{len(lacking)} unit(s) have no group: {lacking[:10]}; give every unit a group "
            "(built-in groupings cover the 31 provinces as ISO 3166-2 codes such as CN-BJ)"
        )
    return {u: str(mapping[u]) for u in units}


def _from_table(df: pd.DataFrame, where: str) -> dict[str, str]:
    cols = {str(c).strip().lower(): c for c in df.columns}
    if "unit" not in cols or "group" not in cols:
        raise DataError(
            f"{where}: a grouping table needs columns unit and group, has {list(df.columns)}"
        )
    u = df[cols["unit"]].astype(str).str.strip()
    g = df[cols["group"]]
    dup = u[u.duplicated()].unique().tolist()
    if dup:
        raise DataError(f"{where}: units listed twice: {dup[:10]}")
    return dict(zip(u, g, strict=True))
