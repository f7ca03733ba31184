"""What changed between two frameworks (two versions, or a province and its city).

:func:`diff` lists added and removed indicators, and for indicators in both the
changes of target, ``low``/``high``, bands, direction, provider and weight (the
global share of the total score, :meth:`~nqpf.framework.Framework.weights`, so
that a change anywhere in the tree shows where it acts), plus added, removed
and changed region classes.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .spec import Framework

__all__ = ["diff", "render_diff"]

_COLUMNS = ["change", "indicator", "name", "field", "old", "new"]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def diff(a: Framework, b: Framework, lang: str = "zh") -> pd.DataFrame:
    """One row per change from ``a`` to ``b``: change (added, removed, changed),
    indicator (or ``class:<id>``), name, field, old, new."""
    rows: list[dict[str, Any]] = []
    ia, ib = {i.id: i for i in a.indicators}, {i.id: i for i in b.indicators}
    wa, wb = a.weights(), b.weights()
    for k, i in ib.items():
        if k not in ia:
            rows.append({"change": "added", "indicator": k, "name": i.name(lang),
                         "field": "", "old": None, "new": i.target_text() or None})
    for k, i in ia.items():
        if k not in ib:
            rows.append({"change": "removed", "indicator": k, "name": i.name(lang),
                         "field": "", "old": i.target_text() or None, "new": None})
    for k in (k for k in ia if k in ib):
        x, y = ia[k], ib[k]
        pairs = [
            ("target", x.target_text() or None, y.target_text() or None),
            ("low", x.low, y.low), ("high", x.high, y.high),
            ("bands", x.bands, y.bands), ("direction", x.sign, y.sign),
            ("provider", x.provider, y.provider),
            ("weight", round(wa[k], 12), round(wb[k], 12)),
            ("path", "/".join(a.path(k)), "/".join(b.path(k))),
        ]
        for field, old, new in pairs:
            if not _same(old, new):
                rows.append({"change": "changed", "indicator": k, "name": y.name(lang),
                             "field": field, "old": old, "new": new})
    ca = {c.id: c for c in a.classes or []}
    cb = {c.id: c for c in b.classes or []}
    for cid in list(dict.fromkeys(list(ca) + list(cb))):
        label = f"class:{cid}"
        if cid not in ca or cid not in cb:
            c = cb.get(cid) or ca[cid]
            rows.append({"change": "added" if cid in cb else "removed", "indicator": label,
                         "name": c.name(lang), "field": "", "old": None, "new": None})
            continue
        for k in sorted(set(ib) & set(ia)):
            ta = a.indicator_for(k, cid).target_text() if k in ia else None
            tb = b.indicator_for(k, cid).target_text()
            if ta != tb and (k in ca[cid].targets or k in cb[cid].targets):
                rows.append({"change": "changed", "indicator": f"{label}/{k}",
                             "name": cb[cid].name(lang), "field": "target", "old": ta, "new": tb})
        wca, wcb = a.weights(cid), b.weights(cid)
        for k in sorted(set(ib) & set(ia)):
            if (k in ca[cid].weights or k in cb[cid].weights) and not _same(wca[k], wcb[k]):
                rows.append({"change": "changed", "indicator": f"{label}/{k}",
                             "name": cb[cid].name(lang), "field": "weight", "old": wca[k],
                             "new": wcb[k]})
    return pd.DataFrame(rows, columns=_COLUMNS)


def render_diff(a: Framework, b: Framework, lang: str = "zh") -> str:
    """The diff as text lines for the terminal."""
    d = diff(a, b, lang)
    head = f"{a.id} {a.version} → {b.id} {b.version}"
    if d.empty:
        return head + ("：无变化" if lang == "zh" else ": no changes")
    sym = {"added": "+", "removed": "-", "changed": "~"}

    def fmt(v: Any) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "—"
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    lines = [head]
    for r in d.itertuples(index=False):
        text = f"{sym[r.change]} {r.indicator} {r.name}"
        if r.field:
            text += f"  {r.field}: {fmt(r.old)} → {fmt(r.new)}"
        elif r.change == "added" and r.new:
            text += f"  target {r.new}"
        lines.append(text)
    return "\n".join(lines)
