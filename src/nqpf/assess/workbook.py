"""The workbook an office circulates: results sorted by total score, a sheet per class,
indicator scores, the fixed-base index, and a sheet per region with its diagnosis."""

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


def _put(ws: Any, df: pd.DataFrame, start_row: int = 1) -> None:
    for j, col in enumerate(df.columns, start=1):
        c = ws.cell(row=start_row, column=j, value=str(col))
        c.font = Font(bold=True)
        c.fill = _HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")
    for i, row in enumerate(df.itertuples(index=False), start=start_row + 1):
        for j, v in enumerate(row, start=1):
            if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
                continue
            if isinstance(v, float):
                cell = ws.cell(row=i, column=j, value=float(v))
                cell.number_format = "0.00"
            elif isinstance(v, bool):
                ws.cell(row=i, column=j, value=bool(v))
            elif hasattr(v, "item"):
                ws.cell(row=i, column=j, value=v.item())
            else:
                ws.cell(row=i, column=j, value=v if isinstance(v, int | str) else str(v))
    for j, col in enumerate(df.columns, start=1):
        width = max([len(str(col)) * 2] + [len(str(x)) * 2 for x in df.iloc[:, j - 1].head(200)])
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, width * 0.6 + 2), 48)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=2)


def _indicator_view(res: AssessmentResult, lang: str, unit: str | None = None,
                    period: Any = None) -> pd.DataFrame:
    s = res.indicator_scores
    if unit is not None:
        s = s[(s["unit"] == unit) & (s["period"] == period)]
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
    wb = Workbook()
    used: set[str] = set()
    ws = wb.active
    ws.title = _sheet_name(word("results", lang), used)
    wide = results_wide(res, lang)
    _put(ws, wide)
    class_col = header("class", lang)
    for c in res.framework.class_ids:
        name = res.framework.region_class(c).name(lang)
        sub = wide[wide[class_col] == name]
        if not sub.empty:
            _put(wb.create_sheet(_sheet_name(name, used)), sub)
    _put(wb.create_sheet(_sheet_name(word("indicators", lang), used)),
         _indicator_view(res, lang))
    if res.fixed_base is not None:
        fb = res.fixed_base[res.fixed_base["level"].isin(["total", "dimension"])]
        fb = fb.assign(level=fb["level"].map(lambda v: word(v, lang)),
                       unit=fb["unit"].map(lambda u: word("all", lang) if u == "all" else u))
        _put(wb.create_sheet(_sheet_name(word("fixed_base", lang), used)),
             fb.rename(columns={c: header(c, lang) for c in fb.columns}))
    diag = res.diagnosis
    last = list(pd.unique(diag["period"]))[-1]
    for rec in diag[diag["period"] == last].to_dict("records"):
        row = _Row(rec)
        ws = wb.create_sheet(_sheet_name(str(row.unit), used))
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
        for i, (k, v) in enumerate(facts, start=1):
            ws.cell(row=i, column=1, value=k).font = Font(bold=True)
            ws.cell(row=i, column=2, value=v)
        _put(ws, _indicator_view(res, lang, row.unit, row.period), start_row=len(facts) + 2)
    about = wb.create_sheet(_sheet_name(word("about", lang), used))
    fw = res.framework
    info = [("framework", fw.id), ("name", fw.name_zh if lang == "zh" else fw.name_en),
            ("version", fw.version), ("valid_from", fw.valid_from), ("valid_to", fw.valid_to),
            ("issuer", fw.issuer), ("document", fw.document)]
    info += [(k, v if isinstance(v, int | float | str) or v is None else
              ", ".join(map(str, v)) if isinstance(v, list) else str(v))
             for k, v in res.params.items() if k not in ("framework", "lang")]
    info += [("note", n) for n in res.notes]
    for i, (k, v) in enumerate(info, start=1):
        about.cell(row=i, column=1, value=word(k, lang)).font = Font(bold=True)
        about.cell(row=i, column=2, value=None if v is None else str(v))
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 80
    wb.save(path)
