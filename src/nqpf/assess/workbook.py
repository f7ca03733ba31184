"""The workbook an office circulates: results sorted by total score, a sheet per class,
the indicator scores and the diagnosis per region of the latest period (a sheet per
region), the fixed-base index, and a sheet about the run. Written with openpyxl in
write-only mode; the CSV files hold every period."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .labels import header, word

if TYPE_CHECKING:
    from .result import AssessmentResult

__all__ = ["results_wide", "write_workbook"]

_BAD = re.compile(r"[\[\]:*?/\\]")
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def results_wide(res: AssessmentResult, lang: str = "zh") -> pd.DataFrame:
    """Total rows with one column per dimension's level score, best first in each period."""
    a = res.assessment
    tot = a[a["level"] == "total"]
    dims = a[a["level"] == "dimension"]
    names = {n.id: n.name(lang) for n in res.framework.dimensions}
    wide = dims.pivot_table(index=["unit", "period"], columns="node", values="level_score",
                            sort=False)
    wide = wide[[d.id for d in res.framework.dimensions if d.id in wide.columns]]
    wide.columns = [names[c] for c in wide.columns]
    cols = ["unit", "period", "class", "total_score", "grade", "rank", "rank_in_class",
            "level_score", "progress_score"]
    out = tot[cols].merge(wide.reset_index(), on=["unit", "period"], how="left")
    order = {p: i for i, p in enumerate(pd.unique(a["period"]))}
    out = out.sort_values(["period", "total_score", "unit"], ascending=[False, False, True],
                          key=lambda s: s.map(order) if s.name == "period" else s)
    out["class"] = out["class"].map(lambda c: _class_name(res, c, lang))
    return out.rename(columns={c: header(c, lang) for c in cols}).reset_index(drop=True)


def _with_names(df: pd.DataFrame, lang: str, col: str) -> pd.DataFrame:
    """Add a name column after the unit column when units are codes with known names
    (CN-BJ → 北京, DEU → Germany)."""
    from ..datasets.reference import unit_label

    if col not in df.columns:
        return df
    names = [unit_label(str(u), lang) for u in df[col]]
    if all(n == str(u) for n, u in zip(names, df[col], strict=True)):
        return df
    out = df.copy()
    out.insert(list(out.columns).index(col) + 1, header("name", lang), names)
    return out


def _class_name(res: AssessmentResult, c: Any, lang: str) -> str:
    if c is None or (isinstance(c, float) and pd.isna(c)):
        return word("no_class", lang)
    return res.framework.region_class(c).name(lang)


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD.sub("_", str(name)).strip("'")[:31] or "sheet"
    out, k = base, 2
    while out.lower() in used:
        suffix = f"~{k}"
        out, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(out.lower())
    return out


def _value(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, bool | str | int | float):
        return v
    if hasattr(v, "item"):
        return v.item()
    return str(v)


def _put(ws: Any, df: pd.DataFrame, facts: list[tuple[str, Any]] | None = None) -> None:
    """Write a table into a write-only sheet: bold shaded headers, numbers with 2 decimals,
    columns as wide as their text; ``facts`` (label, value) pairs go above the table."""
    from openpyxl.cell import WriteOnlyCell

    def shown(x: Any) -> str:
        return f"{x:.2f}" if isinstance(x, float) else str(x)

    def width(text: str) -> int:  # CJK characters take two columns
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    widths = [max([width(str(c))] + [width(shown(x)) for x in df.iloc[:, j].head(200)])
              for j, c in enumerate(df.columns)]
    if facts:
        widths[0] = max(widths[0], *(width(str(k)) for k, _ in facts))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, w * 1.1 + 2), 48)
    head_row = 1 + (len(facts) + 1 if facts else 0)
    ws.freeze_panes = f"B{head_row + 1}"
    bold = Font(bold=True)
    for k, v in facts or []:
        label = WriteOnlyCell(ws, value=k)
        label.font = bold
        ws.append([label, _value(v)])
    if facts:
        ws.append([])
    head = []
    for c in df.columns:
        cell = WriteOnlyCell(ws, value=str(c))
        cell.font = bold
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        head.append(cell)
    ws.append(head)
    floats = [pd.api.types.is_float_dtype(df[c]) for c in df.columns]
    for row in df.itertuples(index=False):
        out = []
        for v, is_f in zip(row, floats, strict=True):
            v = _value(v)
            if is_f and isinstance(v, float):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "0.00"
                out.append(cell)
            else:
                out.append(v)
        ws.append(out)


def _indicator_view(res: AssessmentResult, lang: str, unit: str | None = None,
                    period: Any = None, by_unit: dict[Any, pd.DataFrame] | None = None,
                    scores: pd.DataFrame | None = None) -> pd.DataFrame:
    s = res.indicator_scores if scores is None else scores
    if unit is not None:
        s = by_unit[unit] if by_unit is not None else s[(s["unit"] == unit)
                                                          & (s["period"] == period)]
    fw = res.framework
    names = {i.id: i.name(lang) for i in fw.indicators}
    providers = {i.id: i.provider or "" for i in fw.indicators}
    d = s.assign(indicator_name=s["indicator"].map(names),
                 provider=s["indicator"].map(providers),
                 met=s["met"].map(lambda m: "" if m is None or pd.isna(m)
                                  else word("yes" if m else "no", lang)))
    cols = ["indicator_name", "value", "target", "attainment", "score", "weight", "lost_points",
            "gap", "gap_pct", "met", "provider"]
    if unit is None:
        cols = ["unit", "period"] + cols
        d = d.assign(unit=d["unit"])
    return d[cols].rename(columns={c: header(c, lang) for c in cols})


class _Row:
    def __init__(self, rec: dict[str, Any]) -> None:
        self.__dict__.update(rec)


def write_workbook(res: AssessmentResult, path: str | Path, lang: str = "zh") -> None:
    """Write the assessment workbook (see the module docstring)."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    wide = _with_names(results_wide(res, lang), lang, header("unit", lang))
    _put(wb.create_sheet(_sheet_name(word("results", lang), used)), wide)
    class_col = header("class", lang)
    for c in res.framework.class_ids:
        name = res.framework.region_class(c).name(lang)
        sub = wide[wide[class_col] == name]
        if not sub.empty:
            _put(wb.create_sheet(_sheet_name(name, used)), sub)
    last = list(pd.unique(res.diagnosis["period"]))[-1]
    sc = res.indicator_scores
    latest = sc[sc["period"] == last]
    _put(wb.create_sheet(_sheet_name(word("indicators", lang), used)),
         _with_names(_indicator_view(res, lang, scores=latest), lang, header("unit", lang)))
    if res.fixed_base is not None:
        fb = res.fixed_base[res.fixed_base["level"].isin(["total", "dimension"])]
        fb = fb.assign(level=fb["level"].map(lambda v: word(v, lang)),
                       unit=fb["unit"].map(lambda u: word("all", lang) if u == "all" else u))
        fb = fb.rename(columns={c: header(c, lang) for c in fb.columns})
        _put(wb.create_sheet(_sheet_name(word("fixed_base", lang), used)),
             _with_names(fb, lang, header("unit", lang)))
    diag = res.diagnosis
    by_unit = dict(tuple(latest.groupby("unit", sort=False)))
    for rec in diag[diag["period"] == last].to_dict("records"):
        row = _Row(rec)
        facts = [
            (header("period", lang), row.period),
            (header("class", lang), _class_name(res, rec["class"], lang)),
            (header("total_score", lang), round(float(row.total_score), 2)),
            (header("grade", lang), row.grade),
            (header("rank", lang), int(row.rank)),
            (header("rank_in_class", lang), f"{int(row.rank_in_class)} / {int(row.n_in_class)}"),
            (header("rank_change", lang),
             "" if pd.isna(row.rank_change) else f"{int(row.rank_change):+d}"),
            (header("previous_grade", lang), row.previous_grade or ""),
            (header("lost_points", lang), round(float(row.lost_points), 2)),
            (header("top_losses", lang), row.top_losses),
            (header("weakest_node", lang), row.weakest_node or ""),
        ]
        from ..datasets.reference import unit_label

        title = unit_label(str(row.unit), lang)
        facts.insert(0, (header("unit", lang), row.unit if title == str(row.unit)
                         else f"{title} ({row.unit})"))
        _put(wb.create_sheet(_sheet_name(title, used)),
             _indicator_view(res, lang, row.unit, row.period, by_unit), facts)
    about = wb.create_sheet(_sheet_name(word("about", lang), used))
    fw = res.framework
    info = [("framework", fw.id), ("name", fw.name_zh if lang == "zh" else fw.name_en),
            ("version", fw.version), ("valid_from", fw.valid_from), ("valid_to", fw.valid_to),
            ("issuer", fw.issuer), ("document", fw.document)]
    info += [(k, v if isinstance(v, int | float | str) or v is None else
              ", ".join(map(str, v)) if isinstance(v, list) else str(v))
             for k, v in res.params.items() if k not in ("framework", "lang")]
    info += [("note", n) for n in res.notes]
    if res.indicator_scores["period"].nunique() > 1:
        info.append(("note", "指标得分表只列最近一期；各期见 indicator_scores.csv" if lang == "zh"
                     else "the indicator sheet shows the latest period; all periods are in "
                     "indicator_scores.csv"))
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 80
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    for k, v in info:
        label = WriteOnlyCell(about, value=word(k, lang))
        label.font = bold
        about.append([label, None if v is None else str(v)])
    wb.save(path)
