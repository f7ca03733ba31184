"""Regression tables as journals print them: models side by side, stars, SE or t beneath.

:func:`regression_table` lines up several fitted models (:class:`Estimates`, or
any result with an ``estimates()`` method) in columns ``(1), (2), ...``: each
coefficient with stars (``*`` p < 0.10, ``**`` p < 0.05, ``***`` p < 0.01), its
standard error (or t statistic) in parentheses on the line beneath, then rows
for control variables, unit and time fixed effects, observations and R².
Control variables are summarised in one "Controls: Yes" row unless
``show_controls=True``.

A :class:`RegressionTable` writes itself as

* :meth:`~RegressionTable.to_latex`: booktabs (``\\toprule``/``\\midrule``/``\\bottomrule``),
  ``threeparttable`` notes, numbers aligned on the decimal point by ``dcolumn``-free
  plain ``c`` columns so the file compiles with a bare preamble plus booktabs;
* :meth:`~RegressionTable.to_xlsx`: one sheet, header rule, the parentheses lines
  in the same column, notes under the table;
* :meth:`~RegressionTable.to_docx`: a Word table in three-line style (python-docx);
* :meth:`~RegressionTable.to_html`: a ``<table class="regression">`` for reports;
* :meth:`~RegressionTable.console`: a compact text summary.

Labels are English or Chinese (``lang="zh"``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..output import atomic_write
from .results import Estimates, stars

__all__ = ["RegressionTable", "localise", "regression_table"]

_TEXT = {
    "en": {
        "controls": "Controls",
        "unit_fe": "Unit FE",
        "time_fe": "Time FE",
        "nobs": "Observations",
        "r2": "R²",
        "yes": "Yes",
        "no": "No",
        "dep": "Dependent variable",
        "note_se": "Standard errors in parentheses.",
        "note_t": "t statistics in parentheses.",
        "note_stars": "* p < 0.10, ** p < 0.05, *** p < 0.01.",
    },
    "zh": {
        "controls": "控制变量",
        "unit_fe": "个体固定效应",
        "time_fe": "时间固定效应",
        "nobs": "观测值",
        "r2": "R²",
        "yes": "是",
        "no": "否",
        "dep": "被解释变量",
        "note_se": "括号内为标准误。",
        "note_t": "括号内为 t 值。",
        "note_stars": "* p < 0.10，** p < 0.05，*** p < 0.01。",
    },
}


#: Chinese headers and fixed words of the models' detail tables
_ZH = {
    "threshold": "门槛",
    "estimate": "估计值",
    "lower": "下限",
    "upper": "上限",
    "model": "模型",
    "RSS": "残差平方和",
    "MSE": "均方误差",
    "F": "F 统计量",
    "p-value": "p 值",
    "replications": "自抽样次数",
    "crit90": "10% 临界值",
    "crit95": "5% 临界值",
    "crit99": "1% 临界值",
    "effect": "效应",
    "boot_se": "自抽样标准误",
    "bc_lower": "偏差校正下限",
    "bc_upper": "偏差校正上限",
    "pct_lower": "百分位下限",
    "pct_upper": "百分位上限",
    "share_of_total": "占总效应比例",
    "ab": "ab",
    "se": "标准误",
    "z": "z 值",
    "p": "p 值",
    "moderator_level": "调节变量水平",
    "moderator_value": "调节变量取值",
    "slope": "简单斜率",
    "t": "t 值",
    "variable": "变量",
    "test": "检验",
    "statistic": "统计量",
    "df": "自由度",
    "k": "相对期数",
    "coef": "系数",
    "att": "ATT",
    "event_time": "相对期数",
    "cohort": "处理组（首次处理期）",
    "period": "时期",
    "single": "单一门槛",
    "double": "双重门槛",
    "triple": "三重门槛",
    "direct": "直接效应",
    "indirect": "间接效应",
    "total": "总效应",
}


def localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Headers and the fixed words in cells in Chinese for a Chinese report."""
    if lang != "zh":
        return frame
    out = frame.rename(columns={c: _ZH.get(str(c), c) for c in frame.columns})
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(_zh_cell)
    return out


_PREFIX = (
    ("indirect: ", "间接效应："),
    ("direct: ", "直接效应："),
    ("total effect", "总效应"),
    ("total indirect", "总间接效应"),
)


def _zh_cell(v: Any) -> Any:
    if not isinstance(v, str):
        return v
    if v in _ZH:
        return _ZH[v]
    for en, zh in _PREFIX:
        if v.startswith(en):
            return zh + v[len(en) :]
    return v


@dataclass
class RegressionTable:
    """A formatted regression table: ``body`` rows of strings, one column per model."""

    header: list[str]
    dependent: list[str]
    body: list[tuple[str, list[str], bool]]  # label, cells, is_parenthesis_row
    footer: list[tuple[str, list[str]]]
    notes: list[str]
    title: str = ""
    lang: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ frames
    def frame(self) -> pd.DataFrame:
        """All rows as strings (the layout every writer uses)."""
        txt = _TEXT[self.lang]
        rows = [[txt["dep"], *self.dependent]]
        rows += [[lab if not par else "", *cells] for lab, cells, par in self.body]
        rows += [[lab, *cells] for lab, cells in self.footer]
        return pd.DataFrame(rows, columns=["", *self.header])

    def console(self) -> str:
        """Compact text: the table and its notes."""
        df = self.frame()
        widths = [max(_width(str(v)) for v in [c, *df[c]]) for c in df.columns]

        def line(vals):
            cells = [_pad(str(vals[0]), widths[0], left=True)]
            cells += [_pad(str(v), w) for v, w in zip(vals[1:], widths[1:], strict=True)]
            return "  ".join(cells)

        rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
        out = [self.title] if self.title else []
        out += [rule, line(list(df.columns)), rule]
        n_body = 1 + len(self.body)
        for i, row in enumerate(df.itertuples(index=False)):
            if i == n_body:
                out.append(rule)
            out.append(line(list(row)))
        out += [rule, *self.notes]
        return "\n".join(out)

    __str__ = console

    # ------------------------------------------------------------------ LaTeX
    def to_latex(self, label: str = "tab:regression") -> str:
        k = len(self.header)
        cjk = any(ord(ch) > 0x2E80 for ch in self.console())
        lines = [
            "% nqpf regression table: needs \\usepackage{booktabs,threeparttable}"
            + (" and XeLaTeX with ctex or xeCJK for the Chinese text" if cjk else ""),
            r"\begin{table}[htbp]",
            r"\centering",
            r"\begin{threeparttable}",
        ]
        if self.title:
            lines.append(rf"\caption{{{_tex(self.title)}}}")
        lines.append(rf"\label{{{label}}}")
        lines.append(r"\begin{tabular}{l" + "c" * k + "}")
        lines.append(r"\toprule")
        lines.append(" & " + " & ".join(_tex(h) for h in self.header) + r" \\")
        txt = _TEXT[self.lang]
        lines.append(
            _tex(txt["dep"]) + " & " + " & ".join(_tex(d) for d in self.dependent) + r" \\"
        )
        lines.append(r"\midrule")
        for lab, cells, par in self.body:
            lines.append(
                ("" if par else _tex(lab)) + " & " + " & ".join(_tex(c) for c in cells) + r" \\"
            )
        lines.append(r"\midrule")
        for lab, cells in self.footer:
            lines.append(_tex(lab) + " & " + " & ".join(_tex(c) for c in cells) + r" \\")
        lines.append(r"\bottomrule")
        lines.append(r"\end{tabular}")
        lines.append(r"\begin{tablenotes}\footnotesize")
        for n in self.notes:
            lines.append(rf"\item {_tex(n)}")
        lines += [r"\end{tablenotes}", r"\end{threeparttable}", r"\end{table}", ""]
        return "\n".join(lines)

    # ------------------------------------------------------------------ HTML
    def to_html(self) -> str:
        df = self.frame()
        n_body = 1 + len(self.body)
        out = ['<table class="regression">']
        if self.title:
            out.append(f"<caption>{html.escape(self.title)}</caption>")
        out.append(
            "<thead><tr>"
            + "".join(f"<th>{html.escape(c)}</th>" for c in df.columns)
            + "</tr></thead><tbody>"
        )
        for i, row in enumerate(df.itertuples(index=False)):
            cls = ' class="stats"' if i == n_body else ""
            cells = [f'<th scope="row">{html.escape(str(row[0]))}</th>']
            cells += [f"<td>{html.escape(str(v))}</td>" for v in row[1:]]
            out.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        out += [f'<p class="table-note">{html.escape(n)}</p>' for n in self.notes]
        return "\n".join(out)

    # ------------------------------------------------------------------ files
    def to_xlsx(self, path: str | Path) -> Path:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, Side

        df = self.frame()
        wb = Workbook()
        ws = wb.active
        ws.title = "regression"
        thin = Side(style="thin")
        medium = Side(style="medium")
        r0 = 1
        if self.title:
            ws.cell(1, 1, self.title).font = Font(bold=True)
            r0 = 2
        for j, c in enumerate(df.columns, 1):
            cell = ws.cell(r0, j, c)
            cell.border = Border(top=medium, bottom=thin)
            cell.alignment = Alignment(horizontal="center")
        n_body = 1 + len(self.body)
        last = r0 + len(df)
        for i, row in enumerate(df.itertuples(index=False)):
            r = r0 + 1 + i
            for j, v in enumerate(row, 1):
                cell = ws.cell(r, j, v)
                cell.alignment = Alignment(horizontal="left" if j == 1 else "center")
                top = thin if i == n_body else None
                bottom = medium if r == last else None
                if top or bottom:
                    cell.border = Border(top=top, bottom=bottom)
        for k, n in enumerate(self.notes):
            ws.cell(last + 1 + k, 1, n).font = Font(size=9)
        ws.column_dimensions["A"].width = max(14, max(_width(str(v)) for v in df.iloc[:, 0]) + 2)
        for j in range(2, df.shape[1] + 1):
            ws.column_dimensions[ws.cell(1, j).column_letter].width = 14
        return atomic_write(path, lambda p: wb.save(p))

    def to_docx(self, path: str | Path) -> Path:
        try:
            import docx
            from docx.enum.text import WD_ALIGN_PARAGRAPH
            from docx.oxml import OxmlElement
            from docx.oxml.ns import qn
            from docx.shared import Pt
        except ImportError as exc:
            raise DataError(
                "writing .docx tables needs python-docx: pip install 'nqpf[models]'"
            ) from exc
        df = self.frame()
        doc = docx.Document()
        if self.title:
            doc.add_paragraph(self.title).runs[0].bold = True
        table = doc.add_table(rows=len(df) + 1, cols=df.shape[1])
        n_body = 1 + len(self.body)

        def rule(cell, side, size):
            tc_pr = cell._tc.get_or_add_tcPr()
            borders = tc_pr.find(qn("w:tcBorders"))
            if borders is None:
                borders = OxmlElement("w:tcBorders")
                tc_pr.append(borders)
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), str(size))
            el.set(qn("w:color"), "000000")
            borders.append(el)

        rows = [list(df.columns), *[list(r) for r in df.itertuples(index=False)]]
        for i, vals in enumerate(rows):
            for j, v in enumerate(vals):
                cell = table.cell(i, j)
                cell.text = str(v)
                p = cell.paragraphs[0]
                p.paragraph_format.space_after = Pt(0)
                p.paragraph_format.space_before = Pt(0)
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER
                for run in p.runs:
                    run.font.size = Pt(10)
                if i == 0:
                    rule(cell, "top", 12)
                    rule(cell, "bottom", 6)
                if i == n_body + 1:
                    rule(cell, "top", 6)
                if i == len(rows) - 1:
                    rule(cell, "bottom", 12)
        for n in self.notes:
            para = doc.add_paragraph(n)
            for run in para.runs:
                run.font.size = Pt(9)
        return atomic_write(path, lambda p: doc.save(str(p)))

    def write(self, path: str | Path) -> Path:
        """Write by suffix: .xlsx, .tex, .docx, .html or .txt."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix == ".xlsx":
            return self.to_xlsx(p)
        if suffix == ".docx":
            return self.to_docx(p)
        text = {".tex": self.to_latex, ".html": self.to_html, ".txt": self.console}.get(suffix)
        if text is None:
            raise DataError(f"unknown table format {suffix!r}: use .xlsx, .tex, .docx, .html, .txt")
        body = text()
        return atomic_write(p, lambda tmp: tmp.write_text(body, encoding="utf-8"))


def _tex(s: str) -> str:
    rep = {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
    rep |= {"<": r"$<$", ">": r"$>$"}
    out = "".join(rep.get(ch, ch) for ch in str(s))
    out = out.replace("R²", r"$R^2$")
    return (
        out.replace("*", r"$^{*}$")
        .replace(r"$^{*}$$^{*}$", r"$^{**}$")
        .replace(r"$^{**}$$^{*}$", r"$^{***}$")
    )


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, w: int, left: bool = False) -> str:
    gap = " " * max(0, w - _width(s))
    return s + gap if left else gap + s


def _as_estimates(m: Any) -> Estimates:
    if isinstance(m, Estimates):
        return m
    if hasattr(m, "estimates"):
        return m.estimates()
    raise DataError(f"cannot put a {type(m).__name__} in a regression table")


def regression_table(
    models: Sequence[Any],
    *,
    stat: str = "se",
    digits: int = 3,
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    drop: Sequence[str] = (),
    show_controls: bool = False,
    titles: Sequence[str] | None = None,
    title: str = "",
    lang: str = "en",
) -> RegressionTable:
    """Line up ``models`` side by side (see the module docstring).

    Parameters
    ----------
    stat : "se" or "t" (what goes in parentheses)
    labels : display names of terms (``{"nqpf": "NQPF index"}``)
    order : terms shown first, in this order; others follow in model order
    drop : terms never shown (e.g. ``const``)
    titles : column headings; default ``(1), (2), ...``
    """
    if stat not in ("se", "t"):
        raise DataError(f"stat must be 'se' or 't', not {stat!r}")
    if lang not in _TEXT:
        raise DataError(f"lang must be 'en' or 'zh', not {lang!r}")
    if not models:
        raise DataError("regression_table needs at least one model")
    ests = [_as_estimates(m) for m in models]
    txt = _TEXT[lang]
    labels = dict(labels or {})
    hidden = set(drop)
    if not show_controls:
        for e in ests:
            hidden |= set(e.controls)
    terms: list[str] = [t for t in (order or []) if any(t in e.coef.index for e in ests)]
    for e in ests:
        terms += [t for t in e.coef.index if t not in terms and t not in hidden]
    # spatial parameters go last, as papers print them
    spatial_pars = [t for t in terms if t in ("rho", "lambda") and t not in (order or [])]
    terms = [t for t in terms if t not in spatial_pars] + spatial_pars
    fmt = f"{{:.{digits}f}}"
    body = []
    for term in terms:
        top, bottom = [], []
        for e in ests:
            if term in e.coef.index:
                row = e.coef.loc[term]
                top.append(fmt.format(row["coef"]) + stars(row["p"]))
                val = row["se"] if stat == "se" else row["t"]
                bottom.append(f"({fmt.format(val)})" if np.isfinite(val) else "")
            else:
                top.append("")
                bottom.append("")
        body.append((labels.get(term, term), top, False))
        body.append((labels.get(term, term), bottom, True))
    footer = []
    if any(e.controls for e in ests) and not show_controls:
        footer.append((txt["controls"], [txt["yes"] if e.controls else txt["no"] for e in ests]))
    if any(e.effects for e in ests):
        for key, lab in (("unit", "unit_fe"), ("time", "time_fe")):
            footer.append(
                (txt[lab], [txt["yes"] if e.effects.get(key) else txt["no"] for e in ests])
            )
    extra_keys = [k for e in ests for k in e.extra if k != "SE"]
    for k in dict.fromkeys(extra_keys):
        shown = k
        if lang == "zh":
            shown = re.sub(r"^threshold (\d)", r"门槛值 \1", k).replace(
                "Log-likelihood", "对数似然值"
            )
        footer.append((shown, [str(e.extra.get(k, "")) for e in ests]))
    footer.append((txt["nobs"], [f"{e.nobs:,}" for e in ests]))
    if any(e.r2 is not None for e in ests):
        footer.append((txt["r2"], [fmt.format(e.r2) if e.r2 is not None else "" for e in ests]))
    header = list(titles) if titles else [f"({i + 1})" for i in range(len(ests))]
    if len(header) != len(ests):
        raise DataError(f"{len(header)} titles for {len(ests)} models")
    notes = [txt["note_se"] if stat == "se" else txt["note_t"], txt["note_stars"]]
    return RegressionTable(
        header=header,
        dependent=[labels.get(e.dependent, e.dependent) for e in ests],
        body=body,
        footer=footer,
        notes=notes,
        title=title,
        lang=lang,
    )
