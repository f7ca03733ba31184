"""The study report as a Word document (.docx): same content as the HTML report, editable.

Offices and most Chinese journals work in Word. :func:`write_docx` lays a
:class:`~nqpf.report.model.StudyOutput` out as :mod:`nqpf.report.html` does (the
same :mod:`~nqpf.report.layout`: numbered tables in the text, long tables in an
appendix, ``{tbl:<name>}`` citations replaced by table numbers) with
`python-docx <https://python-docx.readthedocs.io>`_ (the ``[docx]`` extra):

* tables are real Word tables in the three-line style of Chinese journals (三线表):
  a heavy rule above the header, a thin rule below it, a heavy rule under the last
  row, no vertical rules; numbers right-aligned;
* figures are embedded from their PNG files, 15 cm wide, with numbered captions;
* headings use Word's Heading styles, so the navigation pane and a table of
  contents field work; Chinese text is set in a CJK font (eastAsia font attribute).

The reproducibility appendix of the HTML report (hashes, versions, timings) stays
in ``manifest.json`` and the HTML report; the document names them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..output import atomic_write
from .i18n import normalise_lang, t
from .layout import Layout, layout, visible_frame
from .model import FigureItem, StudyOutput, TableItem
from .tables import _fmt_number, _is_missing, _kind

__all__ = ["docx_available", "write_docx"]

_CJK_FONT = "SimSun"
_LATIN_FONT = "Times New Roman"
_HEADING_CJK = "SimHei"


def docx_available() -> bool:
    """Whether python-docx is installed (``pip install 'nqpf[docx]'``)."""
    try:
        import docx  # noqa: F401
    except ImportError:
        return False
    return True


def _need_docx() -> Any:
    try:
        import docx
    except ImportError as e:
        raise DataError(
            "the Word report needs python-docx: pip install 'nqpf[docx]'"
        ) from e
    return docx


def _fonts(run: Any, cjk: str = _CJK_FONT, latin: str = _LATIN_FONT) -> None:
    from docx.oxml.ns import qn

    run.font.name = latin
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), cjk)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def _border(cell: Any, edge: str, size: int) -> None:
    """Set one border of a table cell (``size`` in eighths of a point; 0 = none)."""
    from docx.oxml.ns import qn

    tcpr = cell._element.get_or_add_tcPr()
    borders = tcpr.find(qn("w:tcBorders"))
    if borders is None:
        borders = tcpr.makeelement(qn("w:tcBorders"), {})
        tcpr.append(borders)
    el = borders.find(qn(f"w:{edge}"))
    if el is None:
        el = borders.makeelement(qn(f"w:{edge}"), {})
        borders.append(el)
    if size <= 0:
        el.set(qn("w:val"), "nil")
    else:
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")


def _para(doc: Any, text: str, *, size: float | None = None, bold: bool = False,
          align: Any = None, style: str | None = None) -> Any:
    from docx.shared import Pt

    p = doc.add_paragraph(style=style) if style else doc.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    _fonts(run)
    if align is not None:
        p.alignment = align
    return p


def _table(doc: Any, item: TableItem, number: int, lang: str, lay: Layout) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    df = visible_frame(item)
    label = t("report.table", lang, n=number)
    sep = "　" if lang == "zh" else ". "
    cap = _para(doc, f"{label}{sep}{item.title}", size=10.5, bold=True,
                align=WD_ALIGN_PARAGRAPH.CENTER)
    cap.paragraph_format.keep_with_next = True
    kinds = [_kind(df.iloc[:, j]) for j in range(df.shape[1])]
    num = [k in ("int", "float") for k in kinds]
    rows = max(len(df), 1)
    tab = doc.add_table(rows=rows + 1, cols=max(df.shape[1], 1))
    tab.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = 9 if df.shape[1] <= 7 else 7.5
    for j, col in enumerate(df.columns):
        cell = tab.cell(0, j)
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(col))
        run.bold = True
        run.font.size = Pt(size)
        _fonts(run)
        cell.paragraphs[0].alignment = (WD_ALIGN_PARAGRAPH.RIGHT if num[j]
                                        else WD_ALIGN_PARAGRAPH.LEFT)
    cols = [df.iloc[:, j].tolist() for j in range(df.shape[1])]
    for i in range(len(df)):
        for j, col in enumerate(cols):
            v = col[i]
            text = "—" if _is_missing(v) else _fmt_number(v, kinds[j], item.digits)
            cell = tab.cell(i + 1, j)
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(size)
            _fonts(run)
            cell.paragraphs[0].alignment = (WD_ALIGN_PARAGRAPH.RIGHT if num[j]
                                            else WD_ALIGN_PARAGRAPH.LEFT)
    if not len(df):
        tab.cell(1, 0).text = t("report.empty_table", lang)
    if len(df) <= 25:  # a short table stays on one page with its caption
        for row in tab.rows[:-1]:
            for cell in row.cells:
                for para in cell.paragraphs:
                    para.paragraph_format.keep_with_next = True
    # three-line table: heavy top, thin under the header, heavy bottom; nothing else
    last = len(tab.rows) - 1
    for r, row in enumerate(tab.rows):
        for cell in row.cells:
            for edge in ("left", "right", "insideH", "insideV"):
                _border(cell, edge, 0)
            _border(cell, "top", 12 if r == 0 else 0)
            _border(cell, "bottom", 6 if r == 0 else (12 if r == last else 0))
    if item.note:
        _para(doc, t("report.note", lang, text=lay.text(item.note)), size=9)


def _figure(doc: Any, fig: FigureItem, number: int, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    png = {str(k).lower().lstrip("."): Path(v) for k, v in (fig.paths or {}).items()}.get("png")
    label = t("report.figure", lang, n=number)
    sep = "　" if lang == "zh" else ". "
    if png is not None and png.is_file():
        doc.add_picture(str(png), width=Cm(15))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    else:
        files = ", ".join(Path(p).name for p in (fig.paths or {}).values()) or "—"
        _para(doc, t("report.figure_not_embedded", lang, paths=files), size=9)
    _para(doc, f"{label}{sep}{fig.title}", size=10.5, bold=True,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    if fig.note:
        _para(doc, t("report.note", lang, text=fig.note), size=9,
              align=WD_ALIGN_PARAGRAPH.CENTER)


def _heading(doc: Any, text: str, level: int) -> None:
    h = doc.add_heading(level=level)
    run = h.add_run(text)
    _fonts(run, cjk=_HEADING_CJK)


def build_docx(output: StudyOutput) -> Any:
    """The Word document of ``output`` (a python-docx ``Document``)."""
    docx = _need_docx()
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    if not isinstance(output, StudyOutput):
        raise DataError(f"expected a StudyOutput, got {type(output).__name__}")
    lang = normalise_lang(output.lang)
    lay = layout(output)
    doc = docx.Document()
    sec0 = doc.sections[0]
    sec0.page_width, sec0.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(sec0, side, Cm(2.2))
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.name = _LATIN_FONT
    from docx.oxml.ns import qn

    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _CJK_FONT)
    title = doc.add_heading(level=0)
    _fonts(title.add_run(output.title), cjk=_HEADING_CJK)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if output.subtitle:
        _para(doc, output.subtitle, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    sep = "　" if lang == "zh" else ". "
    for n, sec in enumerate(output.sections, start=1):
        _heading(doc, f"{n}{sep}{sec.title}", 1)
        for p in sec.paragraphs:
            para = _para(doc, lay.text(p))
            para.paragraph_format.first_line_indent = Pt(21) if lang == "zh" else None
        for item in sec.tables:
            if lay.in_text(item):
                _table(doc, item, lay.shown[item.name], lang, lay)
        for k, fig in enumerate(sec.figures):
            _figure(doc, fig, lay.figures[id(sec)] + k, lang)
        details = lay.section_details(sec)
        if details:
            joined = ("、" if lang == "zh" else ", ").join(details)
            _para(doc, t("report.details_in_section", lang, tables=joined), size=9)
        if sec.notes:
            _heading(doc, t("report.notes", lang), 2)
            for note in sec.notes:
                _para(doc, "• " + lay.text(note), size=9.5)
    if lay.details:
        app = t("report.appendix", lang)
        _heading(doc, f"{app}{sep}{t('report.details_title', lang)}", 1)
        _para(doc, t("report.details_intro", lang))
        tab = doc.add_table(rows=len(lay.details) + 1, cols=4)
        heads = [t("report.details_table_head", lang), t("report.details_title_head", lang),
                 t("report.details_rows_head", lang), t("report.details_file", lang)]
        for j, h in enumerate(heads):
            r = tab.cell(0, j).paragraphs[0].add_run(h)
            r.bold = True
            _fonts(r)
        for i, (item, _sec) in enumerate(lay.details, start=1):
            vals = [lay.label(item.name), item.title, str(len(item.frame)),
                    f"tables/{item.name}.csv"]
            for j, v in enumerate(vals):
                r = tab.cell(i, j).paragraphs[0].add_run(v)
                r.font.size = Pt(9)
                _fonts(r)
        last = len(tab.rows) - 1
        for r_i, row in enumerate(tab.rows):
            for cell in row.cells:
                _border(cell, "top", 12 if r_i == 0 else 0)
                _border(cell, "bottom", 6 if r_i == 0 else (12 if r_i == last else 0))
    _para(doc, t("report.docx_repro", lang), size=9)
    return doc


def write_docx(output: StudyOutput, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
    """Write the study report as a Word document.

    Raises
    ------
    DataError
        python-docx is missing (the message names ``pip install 'nqpf[docx]'``), the file
        exists without ``overwrite``, or the path is a folder.
    """
    p = Path(path)
    if p.is_dir():
        raise DataError(f"{p} is a directory; give the document's file name (report.docx)")
    if p.exists() and not overwrite:
        raise DataError(f"{p} exists; pass overwrite=True (--force) or choose another name")
    doc = build_docx(output)
    p.parent.mkdir(parents=True, exist_ok=True)
    try:
        return atomic_write(p, lambda tmp: doc.save(str(tmp)))
    except OSError as e:
        raise DataError(f"{p}: writing failed ({type(e).__name__}: {e})") from e
