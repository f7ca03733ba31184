"""Write the tables of a study: one formatted Excel workbook, CSV, LaTeX and Stata files.

:func:`write_tables` turns every :class:`~nqpf.report.model.TableItem` of a
:class:`~nqpf.report.model.StudyOutput` into

* ``DIR/tables.xlsx``: a contents sheet, then one formatted sheet per table;
* ``DIR/tables/<name>.csv``: UTF-8 with a byte-order mark, full precision;
* ``DIR/tables/<name>.tex``: a booktabs table with caption, label and note;
* ``DIR/tables/<name>.dta``: Stata 14+ (format 118, UTF-8).

The helpers :func:`sheet_names`, :func:`latex_table`, :func:`stata_frame` and
:func:`display_width` are public so that other writers can format the same way.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..panel.io import _stata_name
from .i18n import t
from .model import StudyOutput, TableItem

__all__ = [
    "FORMATS",
    "display_width",
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
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in .xlsx XML
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


# ====================================================================== frames
def table_frame(item: TableItem) -> pd.DataFrame:
    """The frame as it is written: index as columns when ``item.index``, column names as text.

    Multi-level column names are joined with `` / ``. The caller's frame is not changed.
    """
    if not isinstance(item.frame, pd.DataFrame):
        raise DataError(
            f"table {item.name!r}: frame is a {type(item.frame).__name__}, expected a DataFrame"
        )
    df = item.frame.reset_index() if item.index else item.frame.copy()
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
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except DataError:
        raise
    except Exception as e:
        raise DataError(f"{path}: writing failed ({type(e).__name__}: {e})") from e
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# ====================================================================== Excel
def display_width(text: str) -> int:
    """Columns the text takes in a spreadsheet: CJK and other wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def number_format(kind: str, digits: int) -> str:
    """The Excel number format of a column: ``0`` for integers, ``0.0000`` for 4 decimals."""
    if kind == "int" or digits == 0:
        return "0"
    return "0." + "0" * digits


def _xlsx_value(v: Any, kind: str) -> Any:
    if _is_missing(v):
        return None
    if kind == "int":
        return int(v)
    if kind == "float":
        x = float(v)
        return None if math.isinf(x) else x
    if kind == "bool":
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, int | float):
        return v
    return _xml_text(v)


def _xml_text(v: Any) -> str:
    """Text without the control characters that an .xlsx file cannot hold."""
    return _XML_BAD.sub("", str(v))


def _write_sheet(ws: Any, item: TableItem, df: pd.DataFrame, digits: int) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="808080")
    ws.cell(row=1, column=1, value=_xml_text(item.title)).font = Font(bold=True, size=12)
    header_row = 2
    kinds = [_kind(df.iloc[:, j]) for j in range(df.shape[1])]
    widths = [display_width(c) for c in df.columns]
    for j, col in enumerate(df.columns, start=1):
        cell = ws.cell(row=header_row, column=j, value=_xml_text(col))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=False)
        cell.border = Border(top=thin, bottom=thin)
    for j, kind in enumerate(kinds, start=1):
        fmt = number_format(kind, digits)
        values = df.iloc[:, j - 1].tolist()
        for i, v in enumerate(values, start=header_row + 1):
            cell = ws.cell(row=i, column=j, value=_xlsx_value(v, kind))
            if kind in ("int", "float"):
                cell.number_format = fmt
        shown = (_fmt_number(v, kind, digits) for v in values)
        widths[j - 1] = max([widths[j - 1], *(display_width(s) for s in shown)])
    last = header_row + len(df)
    if len(df):
        for j in range(1, df.shape[1] + 1):
            ws.cell(row=last, column=j).border = Border(bottom=thin)
    if item.note:
        note = ws.cell(row=last + 2, column=1, value=_xml_text(item.note))
        note.font = Font(italic=True, size=9)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(w + 2, _MAX_WIDTH)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def _write_xlsx(
    path: Path, items: Sequence[TableItem], frames: list[pd.DataFrame], lang: str
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    contents = t("xlsx.contents_sheet", lang)
    names = sheet_names([it.name for it in items], reserved=[contents])
    wb = Workbook()
    toc = wb.active
    toc.title = contents
    heads = [t("xlsx.sheet", lang), t("xlsx.title", lang), t("xlsx.rows", lang)]
    for j, h in enumerate(heads, start=1):
        c = toc.cell(row=1, column=j, value=h)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    widths = [display_width(h) for h in heads]
    for i, (it, sheet, df) in enumerate(zip(items, names, frames, strict=True), start=2):
        link = toc.cell(row=i, column=1, value=sheet)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!A1")
        link.font = Font(color="0563C1", underline="single")
        toc.cell(row=i, column=2, value=_xml_text(it.title))
        toc.cell(row=i, column=3, value=len(df))
        widths[0] = max(widths[0], display_width(sheet))
        widths[1] = max(widths[1], display_width(it.title))
    for letter, w in zip("ABC", widths, strict=True):
        toc.column_dimensions[letter].width = min(w + 2, _MAX_WIDTH)
    toc.freeze_panes = "A2"
    for it, sheet, df in zip(items, names, frames, strict=True):
        _write_sheet(wb.create_sheet(sheet), it, df, _check_digits(it))
    wb.save(path)


# ====================================================================== LaTeX
def latex_escape(text: str) -> str:
    r"""Text safe in LaTeX: ``\ & % $ # _ { } ~ ^ < > |`` escaped, line breaks as spaces."""
    s = _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], str(text))
    return re.sub(r"\s*[\r\n]+\s*", " ", s)


def latex_table(item: TableItem, lang: str = "en") -> str:
    r"""One table as LaTeX source: ``table`` float, booktabs rules, caption, label, note.

    Numbers are rounded to ``item.digits`` decimals and right-aligned; text
    columns are left-aligned and escaped; missing cells are empty. The label is
    ``tab:<name>``. Chinese text is kept as is: a comment at the top says to
    compile with XeLaTeX and ``ctex`` or ``xeCJK`` (the booktabs rules follow
    Fear's booktabs manual: no vertical rules, ``\toprule``/``\midrule``/``\bottomrule``).
    """
    df = table_frame(item)
    digits = _check_digits(item)
    kinds = [_kind(df.iloc[:, j]) for j in range(df.shape[1])]
    align = "".join("r" if k in ("int", "float") else "l" for k in kinds)
    head = " & ".join(latex_escape(c) for c in df.columns) + r" \\"
    rows = []
    cols = [df.iloc[:, j].tolist() for j in range(df.shape[1])]
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
    lines = [
        f"% nqpf table {item.name}: {latex_escape(comment)}",
        r"\begin{table}[htbp]",
        r"\centering",
        r"\caption{" + latex_escape(item.title) + "}",
        r"\label{tab:" + item.name + "}",
        r"\begin{tabular}{" + align + "}",
        r"\toprule",
        head,
        r"\midrule",
        *rows,
        r"\bottomrule",
        r"\end{tabular}",
    ]
    if item.note:
        lines += [
            r"\par\smallskip",
            r"\begin{minipage}{0.95\linewidth}\footnotesize "
            + latex_escape(t("latex.note", lang) + item.note)
            + r"\end{minipage}",
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
    string), booleans 0/1, integers with missing values floats.
    """
    out: dict[str, Any] = {}
    labels: dict[str, str] = {}
    taken: set[str] = set()
    for j, col in enumerate(df.columns):
        base = _stata_name(str(col))
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
            values = s.astype("float64").to_numpy()
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            values = s
        else:
            values = np.array(["" if _is_missing(v) else str(v) for v in s], dtype=object)
        out[name] = values
        labels[name] = str(col)[:80]
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(df)))
    return frame, labels


def _write_dta(path: Path, item: TableItem, df: pd.DataFrame) -> None:
    import pyreadstat

    frame, labels = stata_frame(df)
    pyreadstat.write_dta(
        frame, str(path), version=14, file_label=item.title[:80],
        column_labels=[labels[c] for c in frame.columns],
    )


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
      ``digits`` decimals (integers none). Column widths fit the longest shown
      text, CJK characters counting double.
    * CSV: UTF-8 with a byte-order mark (Excel on Chinese Windows needs it to
      read UTF-8), full precision (shortest round-trip representation of each
      float), missing cells empty.
    * LaTeX: see :func:`latex_table`.
    * Stata: format 118 (Stata 14+, UTF-8 strings) through ``pyreadstat``;
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
        _atomic(p, lambda tmp: _write_xlsx(tmp, items, frames, output.lang))
        written.append(p)
    for it, df in zip(items, frames, strict=True):
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
