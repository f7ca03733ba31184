"""DEA figures beyond the shared ones: bias-corrected efficiency with bootstrap intervals.

Kept apart from :mod:`nqpf.report.figures` (it reuses its language, font and finishing
helpers) so the DEA chapter can grow without touching the shared figure module.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .figures import _finish, _label, _new_figure, _period_text, _start

_TEXT = {
    "title": {"zh": "DEA 效率的 Bootstrap 置信区间 ({p})",
              "en": "DEA efficiency with bootstrap intervals ({p})"},
    "raw": {"zh": "DEA 效率", "en": "DEA efficiency"},
    "bc": {"zh": "偏差校正效率", "en": "Bias-corrected efficiency"},
    "ci": {"zh": "{c:.0%} 置信区间", "en": "{c:.0%} interval"},
    "x": {"zh": "效率", "en": "Efficiency"},
    "some": {"zh": "\n(按排名均匀选取 {n}/{t} 个单位)",
             "en": "\n({n} of {t} units, evenly spaced over the ranking)"},
}


def bootstrap_intervals(table: pd.DataFrame, lang: str = "en", title: str | None = None,
                        *, period: Any = None, alpha: float = 0.05, limit: int = 50) -> Any:
    """Each unit's DEA score, bias-corrected score and interval in one period.

    Parameters
    ----------
    table : DataFrame
        ``unit, period, efficiency, efficiency_bc, lower, upper`` (the ``efficiency`` table
        of :func:`nqpf.efficiency.dea.bootstrap`).
    period : optional
        The period drawn (default: the last).
    alpha : float
        The level of the intervals (for the legend).
    limit : int
        At most this many units; with more, units evenly spaced over the ranking by the
        bias-corrected score are drawn and the title says how many of how many.
    """
    lang, notes = _start(lang)
    need = {"unit", "period", "efficiency", "efficiency_bc", "lower", "upper"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise DataError(f"bootstrap_intervals: a table with columns {sorted(need)} is needed")
    if table.empty:
        raise DataError("bootstrap_intervals: the table is empty")
    p = sorted(table["period"].unique())[-1] if period is None else period
    df = table[table["period"] == p].sort_values("efficiency_bc", kind="stable")
    if df.empty:
        raise DataError(f"bootstrap_intervals: no rows for period {p!r}")
    total = len(df)
    if total > limit:
        df = df.iloc[np.unique(np.linspace(0, total - 1, limit).round().astype(int))]
    n = len(df)
    fig = _new_figure((7.0, max(3.0, 0.22 * n + 1.2)), lang)
    ax = fig.add_subplot()
    y = np.arange(n)
    ax.hlines(y, df["lower"], df["upper"], color="0.55", lw=2.2,
              label=_TEXT["ci"][lang].format(c=1 - alpha))
    ax.plot(df["efficiency_bc"], y, "o", color="#1f77b4", ms=4.5, label=_TEXT["bc"][lang])
    ax.plot(df["efficiency"], y, "x", color="#d62728", ms=5, label=_TEXT["raw"][lang])
    ax.set_yticks(y, [_label(u, lang) for u in df["unit"]])
    ax.set_xlabel(_TEXT["x"][lang])
    ax.set_ylim(-0.7, n - 0.3)
    head = title or _TEXT["title"][lang].format(p=_period_text(p))
    if n < total:
        head += _TEXT["some"][lang].format(n=n, t=total)
    ax.set_title(head)
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(axis="x", color="0.9")
    return _finish(fig, lang, notes)
