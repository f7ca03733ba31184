"""Compact HTML summaries of results for Jupyter (the ``_repr_html_`` of result objects).

One layout for every result: a title, a few facts as a definition list and at most one
small table, escaped, with no styles that fight the notebook's theme.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

__all__ = ["html_summary"]

#: Rows of the table shown in a summary.
MAX_ROWS = 10


def html_summary(
    title: str,
    facts: Mapping[str, Any],
    table: Any = None,
    caption: str | None = None,
    note: str | None = None,
) -> str:
    """A ``<div>`` with ``title``, ``facts`` (name → value) and an optional DataFrame.

    The table is cut to :data:`MAX_ROWS` rows (with a line saying how many there are) and
    floats are shown with 4 significant digits.
    """
    parts = [f"<div class='nqpf-result'><strong>{html.escape(title)}</strong>"]
    if facts:
        items = "".join(
            f"<li><em>{html.escape(str(k))}</em>: {html.escape(_fmt(v))}</li>"
            for k, v in facts.items()
        )
        parts.append(f"<ul style='margin:0.3em 0'>{items}</ul>")
    if table is not None and len(table):
        shown = table.head(MAX_ROWS)
        if caption:
            parts.append(f"<div>{html.escape(caption)}</div>")
        parts.append(
            shown.to_html(index=False, float_format=lambda x: f"{x:.4g}", border=0,
                          na_rep="–", escape=True)
        )
        if len(table) > MAX_ROWS:
            parts.append(f"<div><small>{MAX_ROWS} of {len(table)} rows</small></div>")
    if note:
        parts.append(f"<div><small>{html.escape(note)}</small></div>")
    parts.append("</div>")
    return "".join(parts)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list | tuple):
        shown = ", ".join(str(x) for x in v[:8])
        return shown + (f", … ({len(v)})" if len(v) > 8 else "")
    return str(v)
