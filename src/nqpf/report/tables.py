"""Write the tables of a study: one formatted Excel workbook, CSV, LaTeX and Stata files.

:func:`write_tables` turns every :class:`~nqpf.report.model.TableItem` of a
:class:`~nqpf.report.model.StudyOutput` into

* ``DIR/tables.xlsx``: a contents sheet, then one formatted sheet per table;
* ``DIR/tables/<name>.csv``: UTF-8 with a byte-order mark, full precision;
* ``DIR/tables/<name>.tex``: a booktabs table with caption, label and note;
* ``DIR/tables/<name>.dta``: Stata 14+ (format 118, UTF-8).

The helpers :func:`sheet_names`, :func:`latex_table`, :func:`stata_frame`,
:func:`infinite_counts` and :func:`display_width` are public so that other
writers can format the same way. Files are reproducible byte for byte: dates
stamped into them are :data:`FIXED_TIMESTAMP`.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..output import atomic_write
from ..panel.io import DTA_TIMESTAMP, stata_name, write_dta
from .i18n import normalise_lang, t
from .model import StudyOutput, TableItem

__all__ = [
    "FORMATS",
    "FIXED_TIMESTAMP",
    "display_width",
    "infinite_counts",
    "latex_escape",
    "latex_table",
    "number_format",
    "sheet_names",
    "stata_frame",
    "table_frame",
    "write_tables",
]

#: Table formats :func:`write_tables` knows, with the file each makes.
FORMATS: tuple[str, ...] = ("xlsx", "csv", "latex", "dta")
_ALIASES = {"tex": "latex", "excel": "xlsx", "stata": "dta", "xls": "xlsx"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SHEET_BAD = re.compile(r"[:\\/?*\[\]]")
_SHEET_MAX = 31
_HEADER_FILL = "D9E1F2"
_MAX_WIDTH = 60
_LATEX_SPECIAL = {
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
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_SPECIAL))
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in .xlsx XML
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


# ====================================================================== frames
def table_frame(item: TableItem, data: bool = False) -> pd.DataFrame:
    """The frame as it is written: index as columns when ``item.index``, column names as text.

    ``data=True``: the machine-readable variant (``item.data``) when the item has one, as
    CSV and Stata files are written. Multi-level column names are joined with `` / ``.
    The caller's frame is not changed.
    """
    frame = item.data if data and item.data is not None else item.frame
    if not isinstance(frame, pd.DataFrame):
        raise DataError(
            f"table {item.name!r}: frame is a {type(frame).__name__}, expected a DataFrame"
        )
    df = frame.reset_index() if item.index else frame.copy()
    cols = []
    for c in df.columns:
        if isinstance(c, tuple):
            c = " / ".join(str(x) for x in c if str(x) != "")
        cols.append("" if c is None else str(c))
    df.columns = cols
    if df.shape[1] == 0:
        raise DataError(f"table {item.name!r} ({item.title}) has no columns; nothing to write")
    return df


def _kind(s: pd.Series) -> str:
    """``bool``, ``int``, ``float`` or ``text``: how a column is formatted."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(s.dtype):
        return "int"
    if pd.api.types.is_float_dtype(s.dtype):
        return "float"
    return "text"


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float | np.floating) and math.isnan(v)


def _fmt_number(v: Any, kind: str, digits: int) -> str:
    if _is_missing(v):
        return ""
    if kind == "int":
        return str(int(v))
    if kind == "float":
        x = float(v)
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        s = f"{x:.{digits}f}"
        # no "-0.0000": a value that rounds to zero is shown without a sign
        return s[1:] if s.startswith("-") and float(s) == 0 else s
    if kind == "bool":
        return str(bool(v))
    if isinstance(v, pd.Timestamp) and v == v.normalize():
        return v.date().isoformat()
    return str(v)


def _check_digits(item: TableItem) -> int:
    d = item.digits
    if isinstance(d, bool) or not isinstance(d, int | np.integer) or not 0 <= d <= 15:
        raise DataError(f"table {item.name!r}: digits must be an integer 0-15, got {d!r}")
    return int(d)


# ====================================================================== names and paths
def _check_names(items: Sequence[TableItem]) -> None:
    seen: dict[str, str] = {}
    for it in items:
        if not isinstance(it.name, str) or not _NAME.match(it.name):
            raise DataError(
                f"table name {it.name!r} ({it.title}) is not a valid file stem; use ASCII "
                "letters, digits, '_', '-' or '.', starting with a letter or digit"
            )
        low = it.name.lower()  # case-insensitive file systems (Windows, macOS) clash too
        if low in seen:
            raise DataError(
                f"two tables would be written to the same files: {seen[low]!r} and "
                f"{it.name!r}; give the tables different names"
            )
        seen[low] = it.name


def _formats(formats: Iterable[str]) -> list[str]:
    if isinstance(formats, str):
        formats = [formats]
    out: list[str] = []
    for f in formats:
        key = _ALIASES.get(str(f).lower().lstrip("."), str(f).lower().lstrip("."))
        if key not in FORMATS:
            raise DataError(f"unknown table format {f!r}; use some of {', '.join(FORMATS)}")
        if key not in out:
            out.append(key)
    return out


def sheet_names(names: Sequence[str], reserved: Sequence[str] = ()) -> list[str]:
    """Excel sheet names for ``names``: legal, at most 31 characters, unique.

    Characters Excel forbids (``: \\ / ? * [ ]``) become ``_``; leading and
    trailing apostrophes are dropped; ``History`` (reserved by Excel) and the
    names in ``reserved`` are avoided. Names equal apart from case clash in
    Excel, so later ones get ``~2``, ``~3``, … at the end, truncated to fit 31
    characters.
    """
    taken = {r.lower() for r in reserved} | {"history"}
    out: list[str] = []
    for raw in names:
        base = _SHEET_BAD.sub("_", str(raw)).strip("'").strip() or "table"
        base = base[:_SHEET_MAX]
        name, k = base, 1
        while name.lower() in taken:
            k += 1
            tag = f"~{k}"
            name = base[: _SHEET_MAX - len(tag)] + tag
        taken.add(name.lower())
        out.append(name)
    return out


def _targets(items: Sequence[TableItem], out: Path, fmts: list[str]) -> list[Path]:
    paths: list[Path] = []
    if "xlsx" in fmts:
        paths.append(out / "tables.xlsx")
    ext = {"csv": ".csv", "latex": ".tex", "dta": ".dta"}
    for it in items:
        paths.extend(out / "tables" / f"{it.name}{ext[f]}" for f in fmts if f != "xlsx")
    return paths


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        atomic_write(path, write)
    except DataError:
        raise
    except Exception as e:
        raise DataError(f"{path}: writing failed ({type(e).__name__}: {e})") from e


# ====================================================================== Excel
def display_width(text: str) -> int:
    """Columns the text takes in a spreadsheet: CJK and other wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def number_format(kind: str, digits: int) -> str:
    """The Excel number format of a column: ``0`` for integers, ``0.0000`` for 4 decimals."""
    if kind == "int" or digits == 0:
        return "0"
    return "0." + "0" * digits


#: The date stamped into ``tables.xlsx`` (document properties and zip entries) and into
#: the header of every ``.dta`` file, so that two runs give byte-identical files.
FIXED_TIMESTAMP = DTA_TIMESTAMP
_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_COLS = 16_384
_EXCEL_MAX_TEXT = 32_767
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_FIRST_SERIAL_DAY = pd.Timestamp("1900-03-01")  # earlier serials hit Excel's 1900 bug
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument."
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# fonts of the workbook's style sheet, by role
_FONTS = {
    "normal": '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    "title": '<font><b/><sz val="12"/><name val="Calibri"/><family val="2"/></font>',
    "bold": '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    "note": '<font><i/><sz val="9"/><name val="Calibri"/><family val="2"/></font>',
    "link": '<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/>'
    '<family val="2"/></font>',
}
_FONT_ID = {k: i for i, k in enumerate(_FONTS)}
_THIN = '<color rgb="FF808080"/>'
_BORDERS = {  # left, right, top, bottom, diagonal: the order the schema requires
    "none": "<border><left/><right/><top/><bottom/><diagonal/></border>",
    "header": f'<border><left/><right/><top style="thin">{_THIN}</top>'
    f'<bottom style="thin">{_THIN}</bottom><diagonal/></border>',
    "last": f'<border><left/><right/><top/><bottom style="thin">{_THIN}</bottom>'
    "<diagonal/></border>",
}
_BORDER_ID = {k: i for i, k in enumerate(_BORDERS)}
_BUILTIN_NUMFMT = {"General": 0, "0": 1, "0.00": 2}


def infinite_counts(df: pd.DataFrame) -> dict[str, int]:
    """Number of ±inf cells per float column that has any (Excel and Stata cannot hold them)."""
    out: dict[str, int] = {}
    for j, col in enumerate(df.columns):
        s = df.iloc[:, j]
        if _kind(s) == "float":
            n = int(np.isinf(s.to_numpy(dtype="float64", na_value=np.nan)).sum())
            if n:
                out[str(col)] = n
    return out


def _inf_note(counts: dict[str, int], lang: str) -> str:
    code = normalise_lang(lang)
    sep = "、" if code == "zh" else ", "
    cols = sep.join(f"{c} ({n})" for c, n in counts.items())
    return t("xlsx.inf_note", code, cols=cols)


def _esc(text: str) -> str:
    """XML text: control characters dropped, ``& < > "`` escaped, at most 32,767 characters."""
    s = _XML_BAD.sub("", text)[:_EXCEL_MAX_TEXT]
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _col_letter(j: int) -> str:
    """Excel column letters of the 1-based column ``j`` (1 → A, 27 → AA)."""
    s = ""
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


class _Book:
    """Shared strings and cell formats of one workbook, collected while its sheets are made."""

    def __init__(self) -> None:
        self.strings: dict[str, int] = {}
        self.string_refs = 0
        self.numfmts: dict[str, int] = {}
        self.xfs: dict[tuple[int, int, int, int, bool], int] = {(0, 0, 0, 0, False): 0}

    def sid(self, text: str) -> int:
        self.string_refs += 1
        return self.strings.setdefault(text, len(self.strings))

    def style(
        self, fmt: str = "General", font: str = "normal", fill: bool = False,
        border: str = "none", center: bool = False,
    ) -> int:
        """Index of the cell format (``cellXfs`` entry) with these properties."""
        num = _BUILTIN_NUMFMT.get(fmt)
        if num is None:
            num = self.numfmts.setdefault(fmt, 164 + len(self.numfmts))
        key = (num, _FONT_ID[font], 2 if fill else 0, _BORDER_ID[border], center)
        return self.xfs.setdefault(key, len(self.xfs))

    def styles_xml(self) -> str:
        fmts = "".join(
            f'<numFmt numFmtId="{i}" formatCode="{_esc(c)}"/>' for c, i in self.numfmts.items()
        )
        xfs = []
        for num, font, fill, border, center in self.xfs:
            attrs = (
                f'numFmtId="{num}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
                + (' applyNumberFormat="1"' if num else "")
                + (' applyFont="1"' if font else "")
                + (' applyFill="1"' if fill else "")
                + (' applyBorder="1"' if border else "")
            )
            if center:
                xfs.append(f'<xf {attrs} applyAlignment="1">'
                           '<alignment horizontal="center" vertical="center"/></xf>')
            else:
                xfs.append(f"<xf {attrs}/>")
        return (
            f'{_XML_HEAD}<styleSheet xmlns="{_NS_MAIN}">'
            + (f'<numFmts count="{len(self.numfmts)}">{fmts}</numFmts>' if fmts else "")
            + f'<fonts count="{len(_FONTS)}">{"".join(_FONTS.values())}</fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill>'
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{_HEADER_FILL}"/>'
            '<bgColor indexed="64"/></patternFill></fill></fills>'
            f'<borders count="{len(_BORDERS)}">{"".join(_BORDERS.values())}</borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )

    def strings_xml(self) -> str:
        items = []
        for s in self.strings:
            space = ' xml:space="preserve"' if s != s.strip() else ""
            items.append(f"<si><t{space}>{_esc(s)}</t></si>")
        return (
            f'{_XML_HEAD}<sst xmlns="{_NS_MAIN}" count="{self.string_refs}" '
            f'uniqueCount="{len(self.strings)}">{"".join(items)}</sst>'
        )


def _text_cell(book: _Book, ref: str, text: str, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    text = _XML_BAD.sub("", text)
    if not text:  # no empty strings in the file: an empty cell, styled where it has a style
        return f'<c r="{ref}"{s}/>' if style else ""
    return f'<c r="{ref}"{s} t="s"><v>{book.sid(text)}</v></c>'


def _column_cells(
    book: _Book, s: pd.Series, kind: str, letter: str, first: int, digits: int
) -> tuple[list[str], int]:
    """The ``<c>`` elements of one data column (rows ``first``…) and its display width.

    Returns one string per row, empty where a text cell is missing (no element).
    """
    n = len(s)
    rows = range(first, first + n)
    last = first + n - 1
    if kind in ("int", "float"):
        fmt = number_format(kind, digits)
        st, st_last = book.style(fmt), book.style(fmt, border="last")
        if kind == "float":
            vals = s.to_numpy(dtype="float64", na_value=np.nan)
            ok = np.isfinite(vals)
            shown = [repr(x) if good else "" for x, good in
                     zip(vals.tolist(), ok.tolist(), strict=True)]
            finite = vals[ok]
            ends = [finite.min(), finite.max()] if finite.size else []
        else:
            ints = s.tolist()
            shown = ["" if _is_missing(v) else str(int(v)) for v in ints]
            present = [int(v) for v in ints if not _is_missing(v)]
            ends = [min(present), max(present)] if present else []
        # the shown width grows with |x| on each side of zero: the extremes are the widest
        width = max((len(_fmt_number(v, kind, digits)) for v in ends), default=0)
        cells = [
            f'<c r="{letter}{r}" s="{st_last if r == last else st}"'
            + (f"><v>{v}</v></c>" if v else "/>")
            for r, v in zip(rows, shown, strict=True)
        ]
        return cells, width
    st_plain, st_last = 0, book.style(border="last")
    cells, width = [], 0
    date_st: dict[tuple[str, bool], int] = {}
    widths: dict[str, int] = {}
    for r, v in zip(rows, s.tolist(), strict=True):
        st = st_last if r == last else st_plain
        attr = f' s="{st}"' if st else ""
        if _is_missing(v):
            cells.append(f'<c r="{letter}{r}"{attr}/>' if st else "")
            continue
        if kind == "bool" or isinstance(v, bool | np.bool_):
            cells.append(f'<c r="{letter}{r}"{attr} t="b"><v>{int(bool(v))}</v></c>')
            shown = str(bool(v))
        elif isinstance(v, int | np.integer):
            cells.append(f'<c r="{letter}{r}"{attr}><v>{int(v)}</v></c>')
            shown = str(v)
        elif isinstance(v, float | np.floating) and math.isfinite(v):
            cells.append(f'<c r="{letter}{r}"{attr}><v>{float(v)!r}</v></c>')
            shown = str(v)
        elif (isinstance(v, pd.Timestamp) and v.tzinfo is None
              and v >= _EXCEL_FIRST_SERIAL_DAY):
            day = v == v.normalize()
            fmt = "yyyy-mm-dd" if day else "yyyy-mm-dd hh:mm:ss"
            key = (fmt, r == last)
            if key not in date_st:
                date_st[key] = book.style(fmt, border="last" if r == last else "none")
            serial = (v - _EXCEL_EPOCH) / pd.Timedelta(days=1)
            cells.append(f'<c r="{letter}{r}" s="{date_st[key]}"><v>{serial!r}</v></c>')
            shown = v.date().isoformat() if day else v.isoformat(sep=" ")
        else:
            shown = _fmt_number(v, "text", 0)
            cells.append(_text_cell(book, f"{letter}{r}", shown, st))
        w = widths.get(shown)
        if w is None:
            w = widths[shown] = display_width(shown)
        width = max(width, w)
    return cells, width


def _cols_xml(widths: Sequence[int]) -> str:
    cols = "".join(
        f'<col min="{j}" max="{j}" width="{min(w + 2, _MAX_WIDTH)}" customWidth="1"/>'
        for j, w in enumerate(widths, start=1)
    )
    return f"<cols>{cols}</cols>"


def _sheet_xml(
    dims: str, frozen_rows: int, widths: Sequence[int], rows: Iterable[str], tail: str = "",
    selected: bool = False,
) -> str:
    top = f"A{frozen_rows + 1}"
    sel = ' tabSelected="1"' if selected else ""
    return "".join([
        f'{_XML_HEAD}<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">',
        f'<dimension ref="{dims}"/>',
        f'<sheetViews><sheetView{sel} workbookViewId="0">',
        f'<pane ySplit="{frozen_rows}" topLeftCell="{top}" activePane="bottomLeft" '
        'state="frozen"/>',
        f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>',
        "</sheetView></sheetViews>",
        '<sheetFormatPr defaultRowHeight="15"/>',
        _cols_xml(widths),
        "<sheetData>", *rows, "</sheetData>",
        tail,
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>',
        "</worksheet>",
    ])


def _table_sheet(book: _Book, item: TableItem, df: pd.DataFrame, lang: str) -> str:
    """The worksheet XML of one table: title, header (frozen), data, note."""
    digits = _check_digits(item)
    n, k = df.shape
    header_row = 2
    if header_row + n + 2 > _EXCEL_MAX_ROWS or k > _EXCEL_MAX_COLS:
        raise DataError(
            f"table {item.name!r} ({n} rows × {k} columns) does not fit an Excel sheet "
            f"({_EXCEL_MAX_ROWS} rows, {_EXCEL_MAX_COLS} columns); leave 'xlsx' out of the "
            "formats or split the table"
        )
    letters = [_col_letter(j) for j in range(1, k + 1)]
    rows = [f'<row r="1">{_text_cell(book, "A1", item.title, book.style(font="title"))}</row>']
    head_st = book.style(font="bold", fill=True, border="header", center=True)
    rows.append('<row r="2">' + "".join(
        _text_cell(book, f"{c}2", col, head_st) for c, col in zip(letters, df.columns, strict=True)
    ) + "</row>")
    widths = [display_width(_XML_BAD.sub("", c)) for c in df.columns]
    columns = []
    for j in range(k):
        s = df.iloc[:, j]
        cells, w = _column_cells(book, s, _kind(s), letters[j], header_row + 1, digits)
        columns.append(cells)
        widths[j] = max(widths[j], w)
    first = header_row + 1
    rows.extend(f'<row r="{i}">{"".join(cs)}</row>'
                for i, cs in enumerate(zip(*columns, strict=True), start=first))
    last = header_row + n
    note = item.note
    inf = infinite_counts(df)
    if inf:
        note = (note + " " if note else "") + _inf_note(inf, lang)
    if note:
        rows.append(f'<row r="{last + 2}">'
                    f'{_text_cell(book, f"A{last + 2}", note, book.style(font="note"))}</row>')
    dims = f"A1:{letters[-1]}{last + 2 if note else last}"
    return _sheet_xml(dims, header_row, widths, rows)


def _contents_sheet(
    book: _Book, items: Sequence[TableItem], names: Sequence[str], frames: list[pd.DataFrame],
    lang: str,
) -> str:
    heads = [t("xlsx.sheet", lang), t("xlsx.title", lang), t("xlsx.rows", lang)]
    head_st = book.style(font="bold", fill=True)
    link_st = book.style(font="link")
    rows = ['<row r="1">' + "".join(
        _text_cell(book, f"{c}1", h, head_st) for c, h in zip("ABC", heads, strict=True)
    ) + "</row>"]
    links = []
    widths = [display_width(h) for h in heads]
    for i, (it, sheet, df) in enumerate(zip(items, names, frames, strict=True), start=2):
        rows.append(
            f'<row r="{i}">{_text_cell(book, f"A{i}", sheet, link_st)}'
            f'{_text_cell(book, f"B{i}", it.title)}<c r="C{i}"><v>{len(df)}</v></c></row>'
        )
        target = "'" + sheet.replace("'", "''") + "'!A1"
        links.append(f'<hyperlink ref="A{i}" location="{_esc(target)}" display="{_esc(sheet)}"/>')
        widths[0] = max(widths[0], display_width(sheet))
        widths[1] = max(widths[1], display_width(_XML_BAD.sub("", it.title)))
    tail = f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else ""
    return _sheet_xml(f"A1:C{len(items) + 1}", 1, widths, rows, tail, selected=True)


def _zip_parts(path: Path, parts: list[tuple[str, str]]) -> None:
    """Write the package with fixed entry dates and attributes, so equal input gives equal bytes."""
    stamp = FIXED_TIMESTAMP.timetuple()[:6]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8", "replace"), compresslevel=6)


def _write_xlsx(
    path: Path, title: str, items: Sequence[TableItem], frames: list[pd.DataFrame], lang: str
) -> None:
    """Write the workbook as SpreadsheetML (ECMA-376 Part 1) directly.

    The XML is generated column by column as text, which is several times
    faster than building openpyxl cells (openpyxl without lxml serialises each
    cell through a pure-Python XML writer); the result reads back in openpyxl,
    Excel and LibreOffice. Styles are shared cell formats (``cellXfs``).
    """
    contents = t("xlsx.contents_sheet", lang)
    names = sheet_names([it.name for it in items], reserved=[contents])
    book = _Book()
    sheets = [_contents_sheet(book, items, names, frames, lang)]
    sheets += [_table_sheet(book, it, df, lang) for it, df in zip(items, frames, strict=True)]
    all_names = [contents, *names]
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    n = len(sheets)
    content_types = (
        f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            f'ContentType="{_CT}spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1)
        )
        + f'<Override PartName="/xl/styles.xml" ContentType="{_CT}spreadsheetml.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" '
        f'ContentType="{_CT}spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{_CT}extended-properties+xml"/>'
        "</Types>"
    )
    root_rels = (
        f'{_XML_HEAD}<Relationships xmlns="{_NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{_NS_PKG_REL}/metadata/core-properties" '
        'Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_NS_REL}/extended-properties" '
        'Target="docProps/app.xml"/></Relationships>'
    )
    core = (
        f"{_XML_HEAD}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_esc(title)}</dc:title><dc:creator>nqpf</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        f'{_XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>nqpf</Application></Properties>'
    )
    workbook = (
        f'{_XML_HEAD}<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
        + "".join(
            f'<sheet name="{_esc(s)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(all_names, start=1)
        )
        + "</sheets></workbook>"
    )
    wb_rels = (
        f'{_XML_HEAD}<Relationships xmlns="{_NS_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_NS_REL}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{_NS_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_NS_REL}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    )
    parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("docProps/core.xml", core),
        ("docProps/app.xml", app),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", wb_rels),
        ("xl/styles.xml", book.styles_xml()),
        ("xl/sharedStrings.xml", book.strings_xml()),
    ]
    parts += [(f"xl/worksheets/sheet{i}.xml", x) for i, x in enumerate(sheets, start=1)]
    _zip_parts(path, parts)


# ====================================================================== LaTeX
def latex_escape(text: str) -> str:
    r"""Text safe in LaTeX: ``\ & % $ # _ { } ~ ^ < > |`` escaped, line breaks as spaces."""
    s = _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], str(text))
    return re.sub(r"\s*[\r\n]+\s*", " ", s)


def _latex_align(kind: str, col: list) -> str:
    """``r`` for numbers, ``l`` for short text, a wrapping ``p{}`` column for long text."""
    if kind in ("int", "float"):
        return "r"
    longest = max((len(str(v)) for v in col if not _is_missing(v)), default=0)
    if longest > 60:
        return r"p{0.35\linewidth}"
    if longest > 24:
        return r"p{0.16\linewidth}"
    return "l"


#: Tables longer than this are written as a ``longtable`` (a float cannot break across pages).
LATEX_LONG = 40


def latex_table(item: TableItem, lang: str = "en") -> str:
    r"""One table as LaTeX source: booktabs rules, caption, label, note; long tables break.

    Numbers are rounded to ``item.digits`` decimals and right-aligned; text
    columns are left-aligned (long text wraps in a ``p`` column) and escaped;
    missing cells are empty. The label is
    ``tab:<name>``. A table of at most :data:`LATEX_LONG` rows is a ``table`` float
    whose tabular is scaled down to the text width when it is wider (``
esizebox``
    of graphicx, only then); a longer one is a ``longtable`` (longtable package) that
    breaks across pages with its header repeated, set in ``ootnotesize`` with narrow
    column gaps. Chinese text is kept as is: a comment at the top says to compile
    with XeLaTeX and ``ctex`` (the booktabs rules follow Fear's booktabs manual: no
    vertical rules, ``	oprule``/``\midrule``/``ottomrule``).
    """
    df = table_frame(item)
    digits = _check_digits(item)
    kinds = [_kind(df.iloc[:, j]) for j in range(df.shape[1])]
    cols = [df.iloc[:, j].tolist() for j in range(df.shape[1])]
    align = "".join(_latex_align(k, col) for k, col in zip(kinds, cols, strict=True))
    head = " & ".join(latex_escape(c) for c in df.columns) + r" \\"
    rows = []
    for i in range(len(df)):
        cells = []
        for k, col in zip(kinds, cols, strict=True):
            v = col[i]
            shown = _fmt_number(v, k, digits)
            cells.append(latex_escape(shown) if k == "text" else shown)
        rows.append(" & ".join(cells) + r" \\")
    every = " ".join([item.title, item.note, *df.columns]) + " ".join(
        str(v) for k, col in zip(kinds, cols, strict=True) if k == "text" for v in col
    )
    comment = t("latex.cjk_comment" if _CJK.search(every) else "latex.comment", lang)
    note = latex_escape(t("latex.note", lang) + item.note) if item.note else ""
    caption = r"\caption{" + latex_escape(item.title) + "}"
    label = r"\label{tab:" + item.name + "}"
    if len(df) > LATEX_LONG:
        n = df.shape[1]
        wide = n > 7  # printed across a landscape page (pdflscape)
        size = r"\footnotesize" if n <= 7 else (r"\scriptsize" if n <= 12 else r"\tiny")
        lines = [
            f"% nqpf table {item.name}: {latex_escape(comment)}",
            *([r"\begin{landscape}"] if wide else []),
            r"\begingroup" + size + r"\setlength{\tabcolsep}{3pt}",
            r"\begin{longtable}{" + align + "}",
            caption + label + r" \\",
            r"\toprule",
            head,
            r"\midrule",
            r"\endfirsthead",
            r"\toprule",
            head,
            r"\midrule",
            r"\endhead",
            r"\bottomrule",
            r"\endlastfoot",
            *rows,
        ]
        if note:
            lines.append(r"\multicolumn{" + str(n) + r"}{p{0.9\linewidth}}{" + note + r"} \\")
        lines += [r"\end{longtable}", r"\endgroup", *([r"\end{landscape}"] if wide else []), ""]
        return "\n".join(lines)
    lines = [
        f"% nqpf table {item.name}: {latex_escape(comment)}",
        r"\begin{table}[htbp]",
        r"\centering",
        caption,
        label,
        r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",
        r"\begin{tabular}{" + align + "}",
        r"\toprule",
        head,
        r"\midrule",
        *rows,
        r"\bottomrule",
        r"\end{tabular}}",
    ]
    if note:
        lines += [
            r"\par\smallskip",
            r"\begin{minipage}{0.95\linewidth}\footnotesize " + note + r"\end{minipage}",
        ]
    lines += [r"\end{table}", ""]
    return "\n".join(lines)


# ====================================================================== Stata
def stata_frame(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The frame with valid, unique Stata names, and the labels (original names, ≤ 80 chars).

    Names follow :mod:`nqpf.panel.io` (letters including Chinese, digits, ``_``;
    at most 32 characters; not starting with a digit; reserved words get ``_``);
    two columns that sanitise to the same name get ``_2``, ``_3``, ….
    Text columns become Python strings (missing → empty, Stata has no missing
    string), booleans 0/1, integers with missing values floats, and ±inf in
    float columns missing (Stata has no infinity; :func:`infinite_counts`
    counts them).
    """
    out: dict[str, Any] = {}
    labels: dict[str, str] = {}
    taken: set[str] = set()
    for j, col in enumerate(df.columns):
        base = stata_name(str(col))
        name, k = base, 1
        while name.lower() in taken:
            k += 1
            tag = f"_{k}"
            name = base[: 32 - len(tag)] + tag
        taken.add(name.lower())
        s = df.iloc[:, j]
        kind = _kind(s)
        if kind == "bool":
            values: Any = s.astype("float64").to_numpy() if s.isna().any() else (
                s.astype("int8").to_numpy())
        elif kind == "int":
            values = s.astype("float64").to_numpy() if s.isna().any() else s.to_numpy()
        elif kind == "float":
            values = s.to_numpy(dtype="float64", na_value=np.nan)
            values = np.where(np.isinf(values), np.nan, values)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            values = s
        else:
            values = np.array(["" if _is_missing(v) else str(v) for v in s], dtype=object)
        out[name] = values
        labels[name] = str(col)[:80]
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(df)))
    return frame, labels


def _write_dta(path: Path, item: TableItem, df: pd.DataFrame) -> None:
    frame, labels = stata_frame(df)
    write_dta(frame, path, variable_labels=labels, data_label=item.title)


# ====================================================================== entry point
def write_tables(
    output: StudyOutput,
    out_dir: str | os.PathLike[str],
    formats: Iterable[str] = FORMATS,
    overwrite: bool = False,
) -> list[Path]:
    """Write every table of a study in the requested formats.

    Parameters
    ----------
    output : StudyOutput
        The tables are ``output.tables()``, in report order; ``output.lang``
        picks the language of the fixed texts (contents sheet, LaTeX notes).
    out_dir : str or Path
        The study's output folder; ``tables.xlsx`` goes there, the other files
        into its ``tables/`` subfolder. Folders are created.
    formats : iterable of str
        Some of ``xlsx``, ``csv``, ``latex`` (alias ``tex``) and ``dta``.
    overwrite : bool
        Existing files are refused (before anything is written) unless True.

    Returns
    -------
    list of Path
        The files written: ``tables.xlsx`` first, then per table in the order
        csv, tex, dta as requested.

    Raises
    ------
    DataError
        Unknown format, invalid or clashing table names (also clashes that
        differ only in case), a table without columns, existing files, or a
        failed write (naming the file).

    Notes
    -----
    * ``tables.xlsx``: a contents sheet (sheet, title, rows; each sheet name
      links to its sheet), then one sheet per table named after
      ``TableItem.name`` (made Excel-legal, ≤ 31 characters, unique; see
      :func:`sheet_names`). Each sheet has the title in row 1, a bold header
      with a fill in row 2 (frozen), the data below, and the note two rows
      under the table. Numbers stay numeric; their number format shows
      ``digits`` decimals (integers none), full precision kept; dates are
      Excel dates. Column widths fit the longest shown text, CJK characters
      counting double. The workbook is written as SpreadsheetML directly
      (ECMA-376 Part 1), not cell by cell through openpyxl, which is about ten
      times faster on large tables.
    * Infinite values (±inf in float columns) cannot be stored by Excel or
      Stata: they are written as missing cells there, and the sheet's note row
      says how many per column (:func:`infinite_counts`). CSV keeps ``inf``;
      LaTeX shows ``inf``/``-inf``.
    * Reproducible bytes: ``tables.xlsx`` carries :data:`FIXED_TIMESTAMP` as
      its created/modified dates and as the date of every zip entry, and each
      ``.dta`` header carries it as the save time, so re-running a study gives
      byte-identical table files (with the same zlib and pandas). The run's
      real time is in ``manifest.json`` (``created``).
    * CSV: UTF-8 with a byte-order mark (Excel on Chinese Windows needs it to
      read UTF-8), full precision (shortest round-trip representation of each
      float), missing cells empty.
    * LaTeX: see :func:`latex_table`.
    * Stata: format 118 (Stata 14+, UTF-8 strings) through :func:`nqpf.panel.io.write_dta`;
      names made valid as in :func:`stata_frame`, original names as variable
      labels, the title as the data label.
    """
    if not isinstance(output, StudyOutput):
        raise DataError(f"expected a StudyOutput, got {type(output).__name__}")
    fmts = _formats(formats)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DataError(f"{out} exists and is not a folder; choose another output folder")
    items = output.tables()
    _check_names(items)
    for it in items:
        _check_digits(it)
    frames = [table_frame(it) for it in items]
    data = [table_frame(it, data=True) for it in items]
    targets = _targets(items, out, fmts)
    if not overwrite:
        existing = [str(p) for p in targets if p.exists()]
        if existing:
            shown = ", ".join(existing[:5]) + (" …" if len(existing) > 5 else "")
            raise DataError(
                f"{len(existing)} table file(s) exist already: {shown}; pass overwrite=True "
                "(--force) or choose another output folder"
            )
    written: list[Path] = []
    if "xlsx" in fmts:
        p = out / "tables.xlsx"
        _atomic(p, lambda tmp: _write_xlsx(tmp, output.title, items, frames, output.lang))
        written.append(p)
    for it, df in zip(items, data, strict=True):
        for f in fmts:
            if f == "csv":
                p = out / "tables" / f"{it.name}.csv"
                _atomic(p, lambda tmp, df=df: df.to_csv(tmp, index=False, encoding="utf-8-sig"))
            elif f == "latex":
                p = out / "tables" / f"{it.name}.tex"
                text = latex_table(it, output.lang)
                _atomic(p, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))
            elif f == "dta":
                p = out / "tables" / f"{it.name}.dta"
                _atomic(p, lambda tmp, it=it, df=df: _write_dta(tmp, it, df))
            else:
                continue
            written.append(p)
    return written
