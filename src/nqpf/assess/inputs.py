"""Inputs of an assessment: the data as a panel of indicators, and the units' classes.

The class file is a table with a unit column (``unit``, ``region``, 单位, 地区,
地市, 县市区, 名称) and a class column (``class``, 类别, 分类, 类型, 区域类别).
Every class must be one of the framework's ``classes`` and every unit one of
the data's units; errors name the file, the row (spreadsheet numbering, header
= row 1) and the value.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, FrameworkError
from ..framework.prepare import prepare
from ..framework.spec import Framework
from ..panel.core import Panel
from ..panel.io import read_panel, read_table

__all__ = ["assign_classes", "indicator_panel", "read_classes"]

_UNIT_COLS = ("unit", "region", "name", "单位", "地区", "地市", "城市", "县市区", "区县", "名称",
              "省份")
_CLASS_COLS = ("class", "region_class", "类别", "分类", "类型", "区域类别", "地区类别")


def read_classes(source: str | os.PathLike[str] | pd.DataFrame | Mapping[str, str],
                 ) -> tuple[dict[str, str], dict[str, str]]:
    """Read a unit → class mapping; also return where each unit came from (for errors)."""
    if isinstance(source, Mapping):
        return ({str(k).strip(): str(v).strip() for k, v in source.items()},
                {str(k).strip(): "classes mapping" for k in source})
    name = "classes" if isinstance(source, pd.DataFrame) else Path(source).name
    df = source if isinstance(source, pd.DataFrame) else read_table(source)
    cols = {str(c).strip().lower(): c for c in df.columns}
    ucol = next((cols[c] for c in _UNIT_COLS if c in cols), None)
    ccol = next((cols[c] for c in _CLASS_COLS if c in cols), None)
    if ucol is None or ccol is None:
        raise DataError(
            f"{name}: needs a unit column ({', '.join(_UNIT_COLS[:4])}, 地区 …) and a class "
            f"column (class, 类别, 分类 …); its columns are {[str(c) for c in df.columns]}"
        )
    out: dict[str, str] = {}
    where: dict[str, str] = {}
    for i, (u, c) in enumerate(zip(df[ucol], df[ccol], strict=True)):
        row = f"{name}, row {i + 2}"
        u = "" if pd.isna(u) else str(u).strip()
        c = "" if pd.isna(c) else str(c).strip()
        if not u and not c:
            continue
        if not u:
            raise DataError(f"{row}: the unit is empty")
        if not c:
            raise DataError(f"{row}: unit {u!r} has no class")
        if u in out and out[u] != c:
            raise DataError(f"{row}: unit {u!r} is given class {c!r} here and {out[u]!r} above")
        out[u], where[u] = c, row
    if not out:
        raise DataError(f"{name}: no unit has a class")
    return out, where


def assign_classes(
    fw: Framework, units: Sequence[str], classes: Any, unclassed: str = "error"
) -> dict[str, str | None]:
    """Each unit's class id (None: scored on the framework's own targets and weights).

    Raises
    ------
    DataError
        Units in the class file that the data do not have, classes the
        framework does not define, or (with ``unclassed="error"``) units of
        the data without a class.
    """
    if unclassed not in ("error", "base"):
        raise DataError(f"unclassed must be 'error' or 'base', got {unclassed!r}")
    if classes is None:
        if fw.classes and unclassed == "error":
            raise DataError(
                f"framework {fw.id} defines classes ({', '.join(fw.class_ids)}) but no class "
                "file was given; pass classes= (--classes FILE), or unclassed='base' to score "
                "every unit on the framework's own targets and weights"
            )
        return dict.fromkeys(units)
    mapping, where = read_classes(classes)
    known = set(fw.class_ids)
    for u, c in mapping.items():
        if c not in known:
            close = difflib.get_close_matches(c, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            listed = ", ".join(fw.class_ids) or "none"
            raise DataError(
                f"{where[u]}: class {c!r} of unit {u!r} is not a class of framework {fw.id}"
                f"{hint}; its classes: {listed}"
            )
    unknown = [u for u in mapping if u not in set(units)]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(units), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DataError(
            f"{where[unknown[0]]}: unit {unknown[0]!r}{hint} is not in the data"
            + (f"; {len(unknown)} such units: {unknown[:10]}" if len(unknown) > 1 else "")
        )
    missing = [u for u in units if u not in mapping]
    if missing and unclassed == "error":
        raise DataError(
            f"unit(s) without a class: {missing[:10]}" + (" …" if len(missing) > 10 else "")
            + "; add them to the class file, or pass unclassed='base' (--unclassed base) to "
            "score them on the framework's own targets and weights"
        )
    return {u: mapping.get(u) for u in units}


def indicator_panel(data: Any, fw: Framework) -> Panel:
    """The data as a panel of the framework's indicators, in tree order.

    ``data`` is a :class:`~nqpf.panel.Panel`, a DataFrame (long or wide, as
    :func:`~nqpf.panel.read_panel` reads it) or a path. When the data hold the
    indicators themselves they are used as they are; otherwise they are
    computed from the raw series by :func:`~nqpf.framework.prepare`.
    """
    if isinstance(data, Panel):
        panel = data
    elif isinstance(data, pd.DataFrame | str | os.PathLike):
        panel = read_panel(data, units="none")
    else:
        raise DataError(
            f"cannot assess data of type {type(data).__name__}; give a Panel, a DataFrame "
            "or the path of a data file"
        )
    ids = fw.indicator_ids
    if all(i in panel.indicators for i in ids):
        pos = [panel.indicators.index(i) for i in ids]
        return Panel(panel.values[:, :, pos], panel.units, panel.periods, tuple(ids),
                     imputed=panel.imputed[:, :, pos], meta=panel.meta)
    try:
        return prepare(panel, fw)
    except FrameworkError as err:
        have = [i for i in ids if i in panel.indicators]
        if have:
            missing = [i for i in ids if i not in panel.indicators]
            raise FrameworkError(
                f"the data hold some of the framework's indicators but not {missing[:10]}; "
                f"({err})"
            ) from None
        raise


def check_complete(values: np.ndarray, units: Sequence[str], periods: Sequence[Any],
                   ids: Sequence[str], what: str) -> None:
    """Raise a DataError naming the missing cells (unit, period, indicator)."""
    miss = np.isnan(values)
    if not miss.any():
        return
    cells = [f"{units[u]}/{periods[t]}/{ids[k]}" for u, t, k in np.argwhere(miss)[:8]]
    n = int(miss.sum())
    raise DataError(
        f"{n} missing value(s) {what}: {', '.join(cells)}" + (" …" if n > 8 else "")
        + " (unit/period/indicator); fill them (nqpf.impute) or leave the period out"
    )
