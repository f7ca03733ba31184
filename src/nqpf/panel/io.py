"""Read and write panels: CSV/TXT/TSV, Excel, Parquet and Stata ``.dta``.

Reading goes in three steps, each usable on its own:

1. :func:`read_table` reads one file into a pandas DataFrame, keeping every
   cell as written (in text files a column is converted only when every cell is
   a plain number, so that yearbook tokens such as ``—`` or ``1,234.5`` reach
   :func:`~nqpf.panel.clean.coerce_numeric` and are counted there, not silently
   turned into NaN; text files are parsed column by column with pyarrow);
2. :func:`to_long_table` (or :func:`read_yearbook_excel` for yearbook exports)
   turns the table into the long form ``unit, period, indicator, value, row``,
   guessing the column roles when they are not given;
3. :func:`read_panel` resolves unit names (provinces, countries), drops
   aggregate rows (全国, WLD, …) and builds a :class:`~nqpf.panel.core.Panel`.

:func:`write_panel` writes a panel back in long or wide layout.

Text encodings
--------------
Chinese statistical files come in UTF-8, UTF-8 with a byte-order mark (what
Excel writes as "CSV UTF-8") and GBK (what Excel and Stata ≤ 13 write on a
Chinese Windows). :func:`detect_encoding` decodes the bytes strictly, first as
UTF-8 and then as GB18030; GB18030 is the national standard superset of GBK
(and of GB2312), so every GBK file decodes with it to the same text. Every
reader takes an ``encoding=`` argument that overrides the guess.

Stata files before format 118 (Stata ≤ 13) carry no encoding; Chinese ones are
almost always GBK, and ReadStat reads them as Windows-1252 unless told
otherwise (the METHODS notes: use ``encoding="gbk"``). Without an explicit
encoding :func:`read_table` retries with GBK when decoding fails, and also when
every non-ASCII text in the file turns out to be GBK-encoded Chinese read as
Windows-1252 (see :func:`_looks_like_gbk_mojibake`); ``df.attrs["encoding_note"]``
records that it did. Files are written as format 118, which is UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import os
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import reduce
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataError, NqpfError, UnitNameError
from ..extras import require
from ..output import atomic_write
from .clean import coerce_numeric
from .core import Duplicates, Panel, _codes, label_codes, normalise_period, period_codes

__all__ = [
    "SUPPORTED_READ",
    "as_panel",
    "SUPPORTED_WRITE",
    "detect_encoding",
    "read_panel",
    "read_table",
    "read_yearbook_excel",
    "to_long_table",
    "write_dta",
    "write_panel",
]

#: File extensions :func:`read_table` understands.
SUPPORTED_READ: tuple[str, ...] = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".dta")
#: File extensions :func:`write_panel` writes.
SUPPORTED_WRITE: tuple[str, ...] = (".csv", ".xlsx", ".parquet", ".dta")

_TEXT = (".csv", ".txt", ".tsv")
_EXCEL = (".xlsx", ".xlsm")
LONG_COLUMNS = ["unit", "period", "indicator", "value", "row"]

Layout = Literal["auto", "long", "wide", "years", "yearbook"]

# Candidate column names per role, in order of preference (compared after
# lower-casing and collapsing whitespace, underscores, dots and hyphens).
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "unit": (
        "unit", "region", "province", "country", "country code", "iso3", "code", "id", "firm",
        "name", "地区", "省份", "省", "地区名称", "国家", "城市", "企业",
    ),
    "period": ("period", "year", "time", "date", "年份", "年度", "年"),
    "indicator": ("indicator", "variable", "variables", "series", "指标", "变量"),
    "value": ("value", "val", "数值", "值"),
}
_OPTION = {"unit": "unit", "period": "period", "indicator": "indicator", "value": "value"}
_CODE_TOKENS = {"code", "iso3", "id"}
_CJK_CODES = ("代码", "编码", "编号")
_CJK_SUFFIXES = frozenset({"名称", "名", "代码", "编码", "编号", "id", "code", "name"})
_UNNAMED = re.compile(r"^Unnamed: \d+(_level_\d+)?$")
_YEAR_TEXT = re.compile(r"^\s*((?:1[89]|2[01])\d{2})(?:\.0+)?\s*年?\s*$")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_FOOTNOTE_ROW = re.compile(
    r"^\s*(注|资料来源|数据来源|来源|说明|备注|notes?|sources?)\s*\d*\s*[:：.．]", re.IGNORECASE
)
_MEASURE_LINE = re.compile(r"^\s*(?:计量)?单位\s*[:：]\s*(.+?)\s*$|^\s*units?\s*:\s*(.+?)\s*$",
                           re.IGNORECASE)
_NQPF_DTA_LABEL = "nqpf panel"
_STATA_RESERVED = frozenset(
    {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
     "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with"}
)


# ====================================================================== helpers: paths
def _check_path(
    path: str | os.PathLike[str], allowed: Sequence[str] | None = SUPPORTED_READ
) -> Path:
    """The path as a Path, or a DataError saying why it cannot be read."""
    p = Path(path)
    if not p.exists():
        hint = ""
        if p.parent.exists():
            close = sorted(q.name for q in p.parent.iterdir() if q.stem.lower() == p.stem.lower())
            if close:
                hint = f" Files with that name in {p.parent}: {close}."
        raise DataError(f"{p}: file not found; check the path and the working directory.{hint}")
    if p.is_dir():
        raise DataError(f"{p} is a directory; give the path of a data file inside it")
    ext = p.suffix.lower()
    if allowed is not None and ext not in allowed:
        extra = " Save old .xls workbooks as .xlsx first." if ext == ".xls" else ""
        raise DataError(
            f"{p}: unknown file type {ext or '(no extension)'!r}; supported: "
            f"{', '.join(allowed)}.{extra}"
        )
    if p.stat().st_size == 0:
        raise DataError(f"{p} is empty (0 bytes); re-export the data or choose another file")
    return p


def _damaged(p: Path, err: BaseException, kind: str) -> DataError:
    return DataError(
        f"{p}: cannot read it as {kind} ({type(err).__name__}: {err}); the file looks damaged "
        f"or is not a real {p.suffix.lower()}; re-export it"
    )


# ====================================================================== encodings
def _check_encoding(encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DataError(
            f"unknown text encoding {encoding!r}; use for example 'utf-8', 'utf-8-sig', "
            "'gbk' or 'gb18030'"
        ) from None
    return encoding


def _is_utf8(data: bytes) -> bool:
    """Strict UTF-8 check, a megabyte at a time (no decoded copy of a large file)."""
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    view = memoryview(data)
    try:
        for i in range(0, len(data), 1 << 20):
            dec.decode(view[i:i + (1 << 20)])
        dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _encoding_of(data: bytes, where: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" export
    if _is_utf8(data):
        return "utf-8"
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as e:
        raise DataError(
            f"{where}: the text is neither UTF-8 nor GBK/GB18030 (undecodable byte at offset "
            f"{e.start}); pass encoding=... (--encoding) with the file's encoding, e.g. 'latin-1'"
        ) from e


def detect_encoding(path: str | os.PathLike[str]) -> str:
    """Guess the text encoding of a file by strict decoding.

    Returns ``"utf-8-sig"`` when the file starts with a UTF-8 byte-order mark,
    ``"utf-16"`` with a UTF-16 byte-order mark (Excel's "Unicode text"), else
    ``"utf-8"`` when all bytes decode as UTF-8 (pure ASCII included), else
    ``"gb18030"`` when they decode as GB18030. GB18030 is the Chinese national
    standard superset of GBK and GB2312, so GBK files (Excel or Stata on a
    Chinese Windows) decode to the same text with it.

    Raises
    ------
    DataError
        If the file cannot be read or decodes with neither (the message gives
        the offset of the first bad byte); pass ``encoding=`` to the reader.
    """
    p = _check_path(path, allowed=None)
    return _encoding_of(p.read_bytes(), str(p))


def _decode(data: bytes, encoding: str | None, where: str) -> tuple[str, str]:
    enc = _encoding_of(data, where) if encoding is None else _check_encoding(encoding)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as e:
        raise DataError(
            f"{where}: cannot decode the text as {enc!r}: byte {data[e.start:e.start + 1]!r} at "
            f"offset {e.start} is invalid; pass the right encoding (for example 'gbk' or "
            "'utf-8'), or leave encoding unset to detect it"
        ) from e
    return text.removeprefix("\ufeff"), enc


# ====================================================================== read_table
def read_table(
    path: str | os.PathLike[str],
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read one data file into a DataFrame, cells as written.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.txt`` or ``.tsv`` (delimiter sniffed among comma, tab and
        semicolon; header on the first line and no index column; a column of
        plain numbers is read as float64 with NaN for empty cells, any other
        column as text with empty cells as ``""``, so that tokens such as ``—``
        reach :func:`~nqpf.panel.clean.coerce_numeric`; a row with more cells
        than the header is an error naming it, see ``_read_text``), ``.xlsx`` or
        ``.xlsm`` (one sheet; first row = header), ``.parquet`` or ``.dta``.
    encoding : str, optional
        Text encoding of a text or Stata file; detected when omitted (see
        :func:`detect_encoding`; for Stata ≤ 13 files see the module notes).
    sheet : str or int, optional
        Excel sheet name or 0-based index; the first sheet by default.

    Returns
    -------
    DataFrame
        With ``attrs`` ``source`` (the path), ``encoding`` (the one used),
        ``row`` (1-based line or Excel row of each data row; the header is row
        1; in text files the record number + 1, which is the line number unless
        quoted cells span lines), and, where they apply, ``sheet``, ``labels`` (Stata variable
        labels), ``file_label`` and ``encoding_note``. Rows whose cells are all
        empty are dropped.

    Raises
    ------
    DataError
        Missing file, a directory, an empty file or one without data rows, an
        unknown extension, a damaged workbook/Parquet/Stata file, or text that
        does not decode with the encoding given.
    """
    p = _check_path(path)
    ext = p.suffix.lower()
    if ext in _TEXT:
        df = _read_text(p, encoding)
    elif ext in _EXCEL:
        name, rows = _excel_sheet_rows(p, sheet)
        df = _table_from_rows(rows, p, name)
    elif ext == ".parquet":
        df = _read_parquet(p)
    else:
        df = _read_dta(p, encoding)
    df.attrs["source"] = str(p)
    return df


def _sniff(text: str, ext: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        pass
    first = lines[0] if lines else ""
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return "\t" if ext == ".tsv" else ","
    return best


_LEADING_ZERO = r"^[+-]?0[0-9]"


def _read_text(p: Path, encoding: str | None) -> pd.DataFrame:
    """A text table: header on line 1, no index column, ragged rows refused.

    The common case (no blank lines, every row as wide as the header) is parsed
    by pyarrow's columnar CSV reader; anything else by :mod:`csv`, which keeps
    true line numbers. A row with more cells than the header is an error naming
    it (a stray delimiter would shift every column), unless the extra cells are
    all empty (a trailing delimiter), which are dropped; a shorter row is
    filled with empty cells. Columns whose every cell is a plain number or
    empty become float64 (empty → NaN), unless a cell has a leading zero
    (codes such as ``000001`` stay text); the others keep the text as written.
    """
    data = p.read_bytes()
    enc = _encoding_of(data, str(p)) if encoding is None else _check_encoding(encoding)
    df = None
    if codecs.lookup(enc).name == "utf-8" or enc == "utf-8-sig":
        # UTF-8 goes to pyarrow as bytes: no decoded copy of the whole file is kept
        body = data.removeprefix(codecs.BOM_UTF8)
        if not body.strip():
            raise DataError(f"{p} holds no data (only blank lines); re-export the data")
        sample = body[: 1 << 16].decode("utf-8", errors="ignore")
        if not _has_blank_line(body):  # blank lines: the csv path keeps their numbers
            df = _read_text_arrow(body, _sniff(sample, p.suffix.lower()), sample, b'"' in body)
        del body
    if df is None:
        text, enc = _decode(data, encoding, str(p))
        del data
        if not text.strip():
            raise DataError(f"{p} holds no data (only blank lines); re-export the data")
        sep = _sniff(text, p.suffix.lower())
        if not _has_blank_line(text.encode("utf-8")) and enc != "utf-8" and enc != "utf-8-sig":
            df = _read_text_arrow(text.encode("utf-8"), sep, text[: 1 << 16], '"' in text)
        if df is None:
            df = _read_text_csv(text, sep, p)
        del text
    rows = np.asarray(df.attrs.pop("line", np.arange(len(df)) + 2))
    keep = np.ones(len(df), bool)
    if len(df.columns):
        blank = np.ones(len(df), bool)
        for c in df.columns:
            col = df[c].to_numpy()
            blank &= np.isnan(col) if col.dtype.kind == "f" else (col == "")
        keep = ~blank
    df = df.loc[keep].reset_index(drop=True) if not keep.all() else df
    if df.empty:
        raise DataError(f"{p} has a header but no data rows; re-export the data")
    df.attrs.update(encoding=enc, row=RowNumbers(rows[keep].tolist()))
    return df


class RowNumbers(list):
    """File rows of a table's data rows, kept in ``DataFrame.attrs``.

    pandas deep-copies ``attrs`` on every column access and compares them with ``==``
    when it combines frames; a plain list costs a copy of every number each time, an
    array breaks the comparison. The numbers are never changed in place, so the copy
    may be the list itself.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> RowNumbers:
        return self


def _has_blank_line(data: bytes) -> bool:
    body = data.strip(b"\r\n")
    return b"\n\n" in body or b"\n\r\n" in body


def _header_names(cells: list[str]) -> list[str]:
    names: list[str] = []
    for j, v in enumerate(cells):
        name = str(v).removeprefix("\ufeff").strip() or f"Unnamed: {j}"
        base, n = name, 1
        while name in names:
            name, n = f"{base}.{n}", n + 1
        names.append(name)
    return names


def _read_text_arrow(data: bytes, sep: str, text: str, quoted: bool) -> pd.DataFrame | None:
    """Columnar parse with pyarrow; None when a row is ragged (the csv path names it) or when
    pyarrow is not installed (the ``parquet`` extra; the csv path reads the same, slower)."""
    try:
        import pyarrow as pa
    except ImportError:
        return None
    import pyarrow.csv as pacsv

    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    header = next(csv.reader([first], delimiter=sep), [])
    if '"' in first or not header:
        return None  # a quoted header may span lines: leave it to the csv path
    ragged: list[Any] = []

    def on_invalid(row: Any) -> str:
        ragged.append(row)
        return "skip"

    auto = [f"c{j}" for j in range(len(header))]
    parts: list[list[np.ndarray]] = [[] for _ in auto]
    try:
        # block by block: each block's text is converted and freed before the next is parsed
        reader = pacsv.open_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=auto, skip_rows=1,
                                           block_size=1 << 22, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=quoted,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in auto}, strings_can_be_null=False,
                quoted_strings_can_be_null=False, null_values=[],
            ),
        )
        for batch in reader:
            for j in range(batch.num_columns):
                parts[j].append(_column(batch.column(j)))
            if ragged:
                return None
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if ragged:
        return None
    cols = {}
    for j, name in enumerate(_header_names(header)):
        chunks, parts[j] = parts[j], []  # each column's blocks are freed once joined
        if not chunks:
            cols[name] = np.empty(0, dtype=object)
        elif all(c.dtype.kind == "f" for c in chunks):
            cols[name] = np.concatenate(chunks)
        else:  # text somewhere: numbers of plain blocks join as numbers, read alike
            cols[name] = np.concatenate([c.astype(object) for c in chunks])
    return pd.DataFrame(cols, copy=False)


def _column_plain(cells: list[str]) -> np.ndarray:
    """:func:`_column` for a list of strings, without pyarrow."""
    s = pd.Series(cells, dtype=object)
    empty = (s == "").to_numpy()
    if empty.all():
        return np.full(len(s), np.nan)
    if not s.str.contains(_LEADING_ZERO, regex=True).any():
        num = pd.to_numeric(s.where(~empty, None), errors="coerce").to_numpy(dtype=float)
        filled = num[~empty]
        if np.isfinite(filled).all():
            return num
    return s.to_numpy(dtype=object)


def _column(col: Any) -> np.ndarray:
    """An Arrow string column as float64 if every cell is a plain number or empty, else text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    empty = pc.equal(col, "")
    n_empty = pc.sum(empty).as_py() or 0
    if n_empty == len(col):
        return np.full(len(col), np.nan)
    if not pc.any(pc.match_substring_regex(col, _LEADING_ZERO)).as_py():
        try:
            num = pc.cast(pc.if_else(empty, pa.scalar(None, pa.string()), col), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            num = None
        if num is not None:
            out = num.to_numpy(zero_copy_only=False)
            if np.isfinite(out[~empty.to_numpy(zero_copy_only=False)]).all():
                return out  # 'nan', 'inf', '1e400' stay text, for the conversion report
    return col.to_numpy(zero_copy_only=False).astype(object)


def _read_text_csv(text: str, sep: str, p: Path) -> pd.DataFrame:
    """Record by record with :mod:`csv`: true line numbers, blank lines kept out, ragged rows."""
    try:
        import pyarrow as pa
    except ImportError:  # the parquet extra is optional: plain columns instead
        pa = None

    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header: list[str] | None = None
    records: list[list[str]] = []
    lines: list[int] = []
    long_rows: list[tuple[int, int, str]] = []
    start = 1
    try:
        for rec in reader:
            line, start = start, reader.line_num + 1
            if not rec or all(not c.strip() for c in rec) and header is None:
                continue
            if header is None:
                header = rec
                continue
            n = len(header)
            if len(rec) > n:
                if any(c.strip() for c in rec[n:]):
                    long_rows.append((line, len(rec), sep.join(rec)))
                    continue
                rec = rec[:n]
            elif len(rec) < n:
                rec = rec + [""] * (n - len(rec))
            records.append(rec)
            lines.append(line)
    except csv.Error as e:
        raise DataError(
            f"{p}: cannot split the text into columns (delimiter {sep!r}) near line "
            f"{reader.line_num}: {e}; check the quotes around cells that contain the delimiter"
        ) from e
    if header is None:
        raise DataError(f"{p} holds no data (only blank lines); re-export the data")
    if long_rows:
        shown = "; ".join(f"line {ln}: {k} cells ({t[:60]!r})" for ln, k, t in long_rows[:5])
        raise DataError(
            f"{p}: {len(long_rows)} row(s) have more cells than the header ({len(header)}: "
            f"{', '.join(header[:8])}{', …' if len(header) > 8 else ''}), e.g. {shown}. A stray "
            f"delimiter ({sep!r}) shifts every column after it: remove it, or put quotes around "
            "cells that contain it"
        )
    names = _header_names(header)
    cols = {
        name: (
            _column(pa.array([r[j] for r in records], type=pa.string()))
            if pa is not None
            else _column_plain([r[j] for r in records])
        )
        for j, name in enumerate(names)
    }
    df = pd.DataFrame(cols, copy=False) if records else pd.DataFrame(columns=names)
    df.attrs["line"] = np.asarray(lines, dtype=np.int64)
    return df


def _open_workbook(p: Path) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(p, data_only=True)
    except Exception as e:  # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors
        raise _damaged(p, e, "an Excel workbook") from e


def _sheet_by(wb: Any, p: Path, sheet: str | int) -> Any:
    names = list(wb.sheetnames)
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if -len(names) <= sheet < len(names):
            return wb[names[sheet]]
    elif str(sheet) in names:
        return wb[str(sheet)]
    raise DataError(
        f"{p}: no sheet {sheet!r}; the sheets are {names} (pass a name or 0-based index)"
    )


def _rows_of(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.iter_rows(min_row=1, values_only=True)]


def _excel_sheet_rows(p: Path, sheet: str | int | None) -> tuple[str, list[tuple[Any, ...]]]:
    wb = _open_workbook(p)
    try:
        ws = _sheet_by(wb, p, 0 if sheet is None else sheet)
        try:
            return ws.title, _rows_of(ws)
        except Exception as e:
            raise _damaged(p, e, "an Excel workbook") from e
    finally:
        wb.close()


def _workbook_rows(
    p: Path, sheets: Sequence[str | int] | None
) -> dict[str, list[tuple[Any, ...]]]:
    wb = _open_workbook(p)
    try:
        wss = list(wb.worksheets) if sheets is None else [_sheet_by(wb, p, s) for s in sheets]
        try:
            return {ws.title: _rows_of(ws) for ws in wss}
        except Exception as e:
            raise _damaged(p, e, "an Excel workbook") from e
    finally:
        wb.close()


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (
        isinstance(v, float) and np.isnan(v)
    )


def _table_from_rows(rows: list[tuple[Any, ...]], p: Path, sheet: str) -> pd.DataFrame:
    filled = [i for i, r in enumerate(rows) if not all(_blank(v) for v in r)]
    if not filled:
        raise DataError(f"{p}, sheet {sheet!r} is empty; choose another sheet (sheet=...)")
    h = filled[0]
    width = max(len(rows[i]) for i in filled)
    header = list(rows[h]) + [None] * (width - len(rows[h]))
    names: list[str] = []
    for j, v in enumerate(header):
        name = f"Unnamed: {j}" if _blank(v) else str(v).strip()
        base, n = name, 1
        while name in names:
            name, n = f"{base}.{n}", n + 1
        names.append(name)
    body = [i for i in filled if i > h]
    if not body:
        raise DataError(f"{p}, sheet {sheet!r} has a header but no data rows")
    cols = {
        name: pd.Series([rows[i][j] if j < len(rows[i]) else None for i in body], dtype=object)
        for j, name in enumerate(names)
    }
    df = pd.DataFrame(cols)
    df.attrs.update(encoding="utf-8", row=[i + 1 for i in body], sheet=sheet)
    return df


def _read_parquet(p: Path) -> pd.DataFrame:
    require("pyarrow", "parquet", "reading Parquet files")
    try:
        df = pd.read_parquet(p)
    except Exception as e:  # pyarrow.lib.ArrowInvalid and friends
        raise _damaged(p, e, "a Parquet file") from e
    if df.empty:
        raise DataError(f"{p} has no data rows; re-export the data")
    if not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index()
    df.attrs.clear()
    df.attrs.update(encoding="utf-8", row=(np.arange(len(df)) + 2).tolist())
    return df


def _dta_release(p: Path) -> int:
    head = p.read_bytes()[:64]
    m = re.match(rb"<stata_dta><header><release>(\d+)</release>", head)
    if m:
        return int(m.group(1))
    return head[0] if head else 0


def _looks_like_gbk_mojibake(texts: Sequence[str]) -> bool:
    """True if every non-ASCII text reads as Chinese once taken back to GBK bytes.

    ReadStat decodes Stata ≤ 13 strings as Windows-1252, so GBK ``北京`` arrives
    as ``±±¾©``. The check re-encodes each text to the bytes it came from and
    decodes them strictly as GBK; it accepts only if every text decodes, yields
    at least one CJK character, and each non-ASCII character comes from two
    bytes ≥ 0x81 (true of all GB2312 characters, false of Latin text with
    accents such as ``Zürich``, whose ``ü`` is followed by an ASCII byte).
    """
    seen = False
    for t in texts:
        if t.isascii():
            continue
        try:
            raw = t.encode("cp1252")
        except UnicodeEncodeError:
            try:
                raw = t.encode("latin-1")
            except UnicodeEncodeError:
                return False
        try:
            back = raw.decode("gbk")
        except UnicodeDecodeError:
            return False
        for ch in back:
            if ch.isascii():
                continue
            b = ch.encode("gbk")
            if len(b) != 2 or b[0] < 0x81 or b[1] < 0x81:
                return False
        if not re.search(r"[\u3400-\u9fff]", back):
            return False
        seen = True
    return seen


def _dta_texts(df: pd.DataFrame, meta: Any, limit: int = 2000) -> list[str]:
    texts = [str(c) for c in df.columns]
    texts += [lab for lab in (meta.column_labels or []) if lab]
    if meta.file_label:
        texts.append(meta.file_label)
    for labels in (meta.value_labels or {}).values():
        texts += [str(v) for v in labels.values()]
    for c in df.columns:
        if not pd.api.types.is_numeric_dtype(df[c].dtype):
            vals = [v for v in df[c].head(limit).tolist() if isinstance(v, str)]
            texts += vals
    return texts


def _read_dta(p: Path, encoding: str | None) -> pd.DataFrame:
    pyreadstat = require("pyreadstat", "stata", "reading Stata .dta files")

    note = None
    if encoding is not None:
        _check_encoding(encoding)
    try:
        df, meta = pyreadstat.read_dta(str(p), encoding=encoding)
        used = encoding
    except pyreadstat.ReadstatError as e:
        msg = str(e)
        if "encoding" not in msg and "character set" not in msg:
            raise _damaged(p, e, "a Stata file") from e
        if encoding is not None:
            raise DataError(
                f"{p}: the text in this Stata file does not decode as {encoding!r} ({msg}); "
                "pass the right encoding (Stata ≤ 13 files from China are usually 'gbk')"
            ) from e
        try:
            df, meta = pyreadstat.read_dta(str(p), encoding="gbk")
        except pyreadstat.ReadstatError as e2:
            raise DataError(
                f"{p}: the text in this Stata file decodes neither with the default encoding nor "
                f"as GBK ({e2}); pass encoding=... (--encoding) with the file's encoding"
            ) from e2
        used, note = "gbk", f"default decoding failed ({msg}); read again as gbk"
    except Exception as e:  # PyreadstatError, OSError on truncated files
        raise _damaged(p, e, "a Stata file") from e
    release = _dta_release(p)
    if used is None:
        if release >= 118:
            used = "utf-8"
        elif _looks_like_gbk_mojibake(_dta_texts(df, meta)):
            df, meta = pyreadstat.read_dta(str(p), encoding="gbk")
            used = "gbk"
            note = (
                f"Stata format {release} has no encoding; its text is GBK-encoded Chinese, "
                "so it was read as gbk"
            )
        else:
            used = "cp1252"  # ReadStat's default for Stata <= 13
    if df.empty:
        raise DataError(f"{p} has no data rows; re-export the data")
    df.attrs.clear()
    df.attrs.update(
        encoding=used,
        row=(np.arange(len(df)) + 2).tolist(),
        labels=dict(meta.column_names_to_labels or {}),
        file_label=meta.file_label,
        dta_release=release,
    )
    if note:
        df.attrs["encoding_note"] = note
    return df


# ====================================================================== yearbooks
def _year_like(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | np.integer):
        return 1800 <= int(v) <= 2199
    if isinstance(v, float | np.floating):
        return bool(np.isfinite(v)) and float(v).is_integer() and 1800 <= v <= 2199
    if isinstance(v, str):
        return bool(_YEAR_TEXT.match(v))
    return False


def _find_year_header(rows: list[tuple[Any, ...]]) -> int | None:
    for i, r in enumerate(rows):
        if sum(_year_like(v) for v in r) >= 2:
            return i
    return None


def _cell_text(v: Any) -> str:
    return "" if _blank(v) else str(v).strip()


def _parse_yearbook_sheet(
    rows: list[tuple[Any, ...]], p: Path, sheet: str
) -> tuple[pd.DataFrame, str | None]:
    h = _find_year_header(rows)
    if h is None:
        raise DataError(
            f"{p}, sheet {sheet!r}: no header row with years found; the table needs a row whose "
            "cells are years (2019, '2019' or '2019年') above the data"
        )
    header = rows[h]
    year_cols = [j for j, v in enumerate(header) if _year_like(v)]
    first_year = year_cols[0]
    below = rows[h + 1:]
    label_col = None
    for j in range(first_year):
        if any(j < len(r) and isinstance(r[j], str) and r[j].strip() for r in below):
            label_col = j
            break
    if label_col is None:
        raise DataError(
            f"{p}, sheet {sheet!r}: no column of region names left of the year columns "
            f"(header on row {h + 1})"
        )
    measure = None
    for r in rows[:h]:
        for v in r:
            m = _MEASURE_LINE.match(_cell_text(v))
            if m:
                measure = m.group(1) or m.group(2)
    recs: list[tuple[Any, Any, Any, int]] = []
    for i in range(h + 1, len(rows)):
        r = rows[i]
        label = _cell_text(r[label_col]) if label_col < len(r) else ""
        vals = [r[j] if j < len(r) else None for j in year_cols]
        if _FOOTNOTE_ROW.match(label):
            break  # footnotes close the table
        m = _MEASURE_LINE.match(label)
        if m:
            measure = measure or m.group(1) or m.group(2)
            continue
        if not label:
            if all(_blank(v) for v in vals):
                continue
            raise DataError(
                f"{p}, sheet {sheet!r}, row {i + 1}: values but no region name in column "
                f"{label_col + 1}; fill in the name or delete the row"
            )
        for j, v in zip(year_cols, vals, strict=True):
            recs.append((label, header[j], v, i + 1))
    if not recs:
        raise DataError(f"{p}, sheet {sheet!r}: a year header on row {h + 1} but no data rows")
    out = pd.DataFrame(
        {
            "unit": [r[0] for r in recs],
            "period": pd.Series([r[1] for r in recs], dtype=object),
            "indicator": sheet,
            "value": pd.Series([r[2] for r in recs], dtype=object),
            "row": [r[3] for r in recs],
        }
    )
    return out, measure


def read_yearbook_excel(
    path: str | os.PathLike[str], sheets: Sequence[str | int] | None = None
) -> pd.DataFrame:
    """Read a statistical-yearbook export: one sheet per indicator, years across.

    Each sheet holds one indicator (the sheet name) for regions (rows) and years
    (columns). Above the table there may be a title and a unit line
    (``单位：亿元``); below it blank rows and footnotes (``注：…``,
    ``资料来源：…``). The header is the first row with at least two year-like
    cells (``2019``, ``2019.0``, ``"2019"``, ``"2019年"``); the region names are
    the leftmost column, left of the years, that holds text below it. Reading
    stops at the first footnote row; blank rows and unit lines are skipped.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` or ``.xlsm`` workbook.
    sheets : sequence of str or int, optional
        Sheets to read (names or 0-based indices). By default every sheet that
        has a year header; sheets without one are skipped and listed in
        ``attrs["skipped_sheets"]``. A sheet named here without a year header is
        an error.

    Returns
    -------
    DataFrame
        Columns ``unit, period, indicator, value, row`` with values as written
        (strings or numbers, for :func:`~nqpf.panel.clean.coerce_numeric`);
        ``row`` is the 1-based Excel row. ``attrs`` hold ``source``,
        ``encoding``, ``sheets``, ``skipped_sheets`` and ``measure_units``
        (sheet → unit of measure found in a unit line).
    """
    p = _check_path(path, allowed=_EXCEL)
    return _yearbook_from_sheets(_workbook_rows(p, sheets), p, explicit=sheets is not None)


def _yearbook_from_sheets(
    book: Mapping[str, list[tuple[Any, ...]]], p: Path, explicit: bool
) -> pd.DataFrame:
    parts, skipped, measures = [], [], {}
    for name, rows in book.items():
        if not explicit and _find_year_header(rows) is None:
            skipped.append(name)
            continue
        part, measure = _parse_yearbook_sheet(rows, p, name)
        parts.append(part)
        if measure:
            measures[name] = measure
    if not parts:
        raise DataError(
            f"{p}: no sheet has a header row of years (2019 or 2019年); the sheets are "
            f"{list(book)}. Is it a yearbook table? Otherwise read it with layout='long' or 'wide'"
        )
    out = pd.concat(parts, ignore_index=True)
    out.attrs.update(
        source=str(p), encoding="utf-8", sheets=[n for n in book if n not in skipped],
        skipped_sheets=skipped, measure_units=measures, layout="yearbook",
    )
    return out


def _looks_like_yearbook(rows: list[tuple[Any, ...]]) -> bool:
    filled = [r for r in rows if not all(_blank(v) for v in r)]
    if not filled or _find_year_header(rows[:30]) is None:
        return False
    first = filled[0]
    n_filled = sum(not _blank(v) for v in first)
    n_years = sum(_year_like(v) for v in first)
    return n_filled < 2 or (n_years >= 2 and n_filled - n_years <= 1)


# ====================================================================== to_long_table
def _norm(name: Any) -> str:
    s = str(name).strip().lower()
    return re.sub(r"[\s_.\-]+", " ", s).strip()


def _tokens(name: Any) -> list[str]:
    return [t for t in re.split(r"[\s_.\-:：/\\()（）\[\]【】,，]+", str(name).lower()) if t]


def _partial(cand: str, col: Any) -> bool:
    """Whole-word match: 'country' in 'Country Name', '年份' in '年份（年）'.

    A Chinese candidate also matches when a name or code suffix follows it ('省份名称').
    """
    if len(cand) == 1 and not cand.isascii():
        return False  # 省, 年, 值: exact only (年 would match 年末人口)
    ct, toks = cand.split(), _tokens(col)
    if any(toks[i:i + len(ct)] == ct for i in range(len(toks) - len(ct) + 1)):
        return True
    if not cand.isascii():  # Chinese has no spaces: the candidate plus a name/code suffix
        return any(t.startswith(cand) and t[len(cand):] in _CJK_SUFFIXES for t in toks)
    return False


def _is_code(col: Any) -> bool:
    toks = _tokens(col)
    return bool(_CODE_TOKENS & set(toks)) or any(t.endswith(_CJK_CODES) for t in toks)


def _guess(columns: Sequence[Hashable], role: str, taken: set[Hashable]) -> Hashable | None:
    cands = _CANDIDATES[role]
    free = [c for c in columns if c not in taken]
    for cand in cands:  # exact, in order of preference
        for c in free:
            if _norm(c) == cand:
                return c
    others = [r for r in _CANDIDATES if r != role]
    hits = []
    for c in free:
        if role == "unit" and any(
            _norm(c) == k or _partial(k, c) for r in others for k in _CANDIDATES[r]
        ):
            continue  # 'Indicator Code' is not a unit column
        ranks = [n for n, cand in enumerate(cands) if _partial(cand, c)]
        if ranks:
            hits.append((min(ranks), c))
    if not hits:
        return None
    if role in ("unit", "indicator"):
        coded = [h for h in hits if _is_code(h[1])]
        hits = coded or hits
    hits.sort(key=lambda h: h[0])  # stable: column order breaks ties
    return hits[0][1]


def guess_column(columns: Sequence[Hashable], role: str, given: Hashable | None = None,
                 taken: Sequence[Hashable] = ()) -> Hashable | None:
    """The column holding ``role`` (``unit``, ``period``, ``indicator`` or ``value``).

    ``given`` (a name the user gave) wins when the table has it (compared as the
    guesses are); otherwise the column is guessed as :func:`tidy_panel` does (地区, 省份,
    年份, year, …). None when nothing fits; the caller says which option names it.
    """
    cols = list(columns)
    if given is not None:
        hits = [c for c in cols if c == given or _norm(c) == _norm(given)]
        return hits[0] if hits else None
    return _guess(cols, role, set(taken))


def _given(df: pd.DataFrame, name: Hashable, role: str, src: str) -> Hashable:
    if name in df.columns:
        return name
    hits = [c for c in df.columns if _norm(c) == _norm(name)]
    if len(hits) == 1:
        return hits[0]
    raise DataError(
        f"{src}: no column {name!r} for the {role}; the columns are "
        f"{[str(c) for c in df.columns]}"
    )


def _no_guess(src: str, role: str, df: pd.DataFrame, extra: str = "") -> DataError:
    return DataError(
        f"{src}: cannot tell which column holds the {role}; the columns are "
        f"{[str(c) for c in df.columns]}. Pass {_OPTION[role]}='<column>' "
        f"(--{_OPTION[role]} on the command line){extra}"
    )


def _rows(df: pd.DataFrame) -> np.ndarray:
    rows = df.attrs.get("row")
    if rows is not None and len(rows) == len(df):
        return np.asarray(rows, dtype=int)
    return np.arange(len(df)) + 2


def _all_empty(s: pd.Series) -> bool:
    if s.dtype.kind == "f":
        return bool(np.isnan(s.to_numpy()).all())
    return all(_blank(v) for v in s.tolist())


def _mostly_text(s: pd.Series) -> bool:
    """True if most filled cells are not numbers (a name column, not an indicator)."""
    vals = [v for v in s.tolist() if not _blank(v)]
    if not vals:
        return False
    _, rep = coerce_numeric(pd.Series(vals, dtype=object))
    return len(rep.non_numeric) > len(vals) / 2


def to_long_table(
    df: pd.DataFrame,
    layout: Layout = "auto",
    unit: Hashable | None = None,
    period: Hashable | None = None,
    indicator: Hashable | None = None,
    value: Hashable | None = None,
    indicators: Sequence[Hashable] | None = None,
    source: str | None = None,
    indicator_name: str | None = None,
) -> pd.DataFrame:
    """Bring a table to the long form ``unit, period, indicator, value, row``.

    Layouts
    -------
    ``long``
        One row per unit, period and indicator (china_sti: ``province, year,
        variables, value``). With a value column but no indicator column, the
        indicator is ``indicator_name`` (one indicator per file, as in WDI
        downloads: ``Country Name, Country Code, Year, Value``).
    ``wide``
        One row per unit and period, one column per indicator: ``indicators``,
        or every other column except entirely empty ones, ``Unnamed: n``
        columns (a saved index), further name/code columns of the units
        (``Country Name`` beside ``Country Code``) and the ``<ind>__imputed``
        flags that :func:`write_panel` writes.
    ``years``
        One row per unit (and indicator), one column per year (``2019`` or
        ``2019年``), as in the WDI bulk download or a single yearbook table.
    ``auto``
        ``long`` if value and indicator columns are found (or a value column
        and ``indicator_name``), else ``years`` if no period column is found
        and at least two column names are years, else ``wide``.

    Column guessing
    ---------------
    Names are compared lower-cased with whitespace, ``_``, ``.`` and ``-``
    collapsed. Unit: unit, region, province, country, country code, iso3,
    code, id, firm, name, 地区, 省份, 省, 地区名称, 国家, 城市, 企业; period:
    period, year, time, date, 年份, 年度, 年; indicator: indicator, variable,
    variables, series, 指标, 变量; value: value, val, 数值, 值. An exact match
    wins over a whole-word partial one (``country`` in ``Country Name``,
    ``年份`` in ``年份（年）``; a Chinese candidate also matches when followed by
    名称, 名, 代码, 编码 or 编号, as in ``省份名称``), an earlier candidate over
    a later one, then the leftmost column. A column whose name also fits
    another role is not taken as a unit by a partial match (``Indicator
    Code``). Among partial unit and indicator matches a code column (``code``,
    ``iso3``, ``id``, 代码, 编码, 编号) is preferred over a name column
    (``Country Code`` over ``Country Name``, ``Indicator Code`` over
    ``Indicator Name`` in WDI files), because codes are what
    :func:`~nqpf.panel.names.resolve_units` matches most reliably and they do
    not change with the language. One-character Chinese candidates (省, 年,
    值) match exactly only, so ``年末人口`` is not a period column.

    Parameters
    ----------
    df : DataFrame
        The table, for example from :func:`read_table` (whose ``attrs["row"]``
        gives the file lines; otherwise row ``i`` is line ``i + 2``).
    layout : {"auto", "long", "wide", "years"}
    unit, period, indicator, value : column names, optional
        Override the guesses.
    indicators : sequence of column names, optional
        The indicator columns of a wide table.
    source : str, optional
        Name used in messages; defaults to ``df.attrs["source"]``.
    indicator_name : str, optional
        Indicator of a table that has a value column but no indicator column.

    Returns
    -------
    DataFrame
        Exactly the columns ``unit, period, indicator, value, row``; values as
        written (not converted). ``attrs`` keep ``source`` and ``encoding`` and
        add ``layout``, ``columns`` (role → column used) and
        ``dropped_columns``.
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}")
    src = source or df.attrs.get("source") or "table"
    if df.empty:
        raise DataError(f"{src}: the table has no rows")
    if layout not in ("auto", "long", "wide", "years"):
        raise DataError(f"unknown layout {layout!r}; use auto, long, wide or years")
    rows = _rows(df)
    cols = list(df.columns)
    roles: dict[str, Hashable | None] = {}
    for role, given in (("period", period), ("indicator", indicator), ("value", value),
                        ("unit", unit)):
        roles[role] = _given(df, given, role, src) if given is not None else None
    taken = {c for c in roles.values() if c is not None}
    # guess the roles not given; period/indicator/value first, the unit last
    for role in ("period", "indicator", "value", "unit"):
        if roles[role] is None and not (indicators is not None and role in ("indicator", "value")):
            roles[role] = _guess(cols, role, taken)
            if roles[role] is not None:
                taken.add(roles[role])
    year_cols = [c for c in cols if _year_like(c) and c not in taken]
    if layout == "auto":
        if indicators is not None:
            layout = "wide"
        elif roles["value"] is not None and (roles["indicator"] is not None or indicator_name):
            layout = "long"
        elif roles["period"] is None and len(year_cols) >= 2:
            layout = "years"
        else:
            layout = "wide"
    if roles["unit"] is None:
        raise _no_guess(src, "unit", df)
    dropped: list[str] = []
    if layout == "years":
        if len(year_cols) < 2:
            raise DataError(f"{src}: layout 'years' needs column names that are years; the "
                            f"columns are {[str(c) for c in cols]}")
        ind_col = roles["indicator"]
        if ind_col is None and not indicator_name:
            raise _no_guess(src, "indicator", df, " or indicator_name='<name>'")
        n = len(df)
        out = pd.DataFrame(
            {
                "unit": np.tile(df[roles["unit"]].to_numpy(dtype=object), len(year_cols)),
                "period": np.repeat(np.asarray(year_cols, dtype=object), n),
                "indicator": np.tile(df[ind_col].to_numpy(dtype=object), len(year_cols))
                if ind_col is not None else indicator_name,
                "value": np.concatenate([df[c].to_numpy(dtype=object) for c in year_cols]),
                "row": np.tile(rows, len(year_cols)),
            }
        )
        out = out.sort_values(["row"], kind="stable").reset_index(drop=True)
        roles["period"] = None
    elif layout == "long":
        if roles["period"] is None:
            raise _no_guess(src, "period", df)
        if roles["value"] is None:
            raise _no_guess(src, "value", df)
        if roles["indicator"] is None and not indicator_name:
            raise _no_guess(src, "indicator", df, " or indicator_name='<name>'")
        out = pd.DataFrame(
            {
                "unit": df[roles["unit"]].to_numpy(dtype=object),
                "period": df[roles["period"]].to_numpy(dtype=object),
                "indicator": df[roles["indicator"]].to_numpy(dtype=object)
                if roles["indicator"] is not None else indicator_name,
                "value": df[roles["value"]].to_numpy(dtype=object),
                "row": rows,
            }
        )
    else:  # wide
        if roles["period"] is None:
            raise _no_guess(src, "period", df)
        base = {roles["unit"], roles["period"]}
        if indicators is not None:
            inds = [_given(df, c, "indicator", src) for c in indicators]
        else:
            inds = []
            names = {str(c) for c in cols}
            for c in cols:
                if c in base:
                    continue
                s = str(c)
                if (
                    _UNNAMED.match(s)
                    or _all_empty(df[c])
                    or (s.endswith("__imputed") and s[: -len("__imputed")] in names)
                    or (_guess([c], "unit", set()) is not None and _mostly_text(df[c]))
                ):
                    dropped.append(s)
                    continue
                inds.append(c)
        if not inds:
            raise DataError(
                f"{src}: no indicator columns besides the unit ({roles['unit']!r}) and period "
                f"({roles['period']!r}); the columns are {[str(c) for c in cols]}"
            )
        n, k = len(df), len(inds)
        out = pd.DataFrame(
            {
                "unit": _repeat_categorical(df[roles["unit"]], k),
                "period": _repeat_categorical(df[roles["period"]], k),
                "indicator": pd.Categorical.from_codes(
                    np.tile(np.arange(k), n), categories=[str(c) for c in inds]
                ),
                "value": _stack_values(df, inds) if n else [],
                "row": np.repeat(rows.astype(np.int32), k),
            }
        )
        roles["indicator"] = roles["value"] = None
    _check_labels(out, src)
    out = out[LONG_COLUMNS]
    out.attrs.update(
        source=src, encoding=df.attrs.get("encoding"), layout=layout,
        columns={r: (str(c) if c is not None else None) for r, c in roles.items()},
        dropped_columns=dropped,
    )
    return out


def _blank_mask(values: Any) -> np.ndarray:
    """Which cells are blank (None, NaN, empty or white text); each distinct value checked once."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        cat = pd.Series(values).cat
        blank_c = np.fromiter((_blank(u) for u in cat.categories), bool, len(cat.categories))
        codes = cat.codes.to_numpy()
        return (codes < 0) | blank_c[np.maximum(codes, 0)]
    a = np.asarray(values)
    if a.dtype.kind == "f":
        return np.isnan(a)
    if a.dtype.kind in "iub":
        return np.zeros(len(a), bool)
    codes, uniq = pd.factorize(pd.Series(a, dtype=object), use_na_sentinel=False)
    return np.fromiter((_blank(u) for u in uniq), bool, len(uniq))[codes]


def _repeat_categorical(col: pd.Series, k: int) -> pd.Categorical:
    """Each value of ``col`` ``k`` times, as a categorical (no copy of the strings)."""
    codes, uniq = pd.factorize(pd.Series(col.to_numpy(dtype=object)), use_na_sentinel=True)
    try:
        return pd.Categorical.from_codes(np.repeat(codes, k), categories=pd.Index(uniq,
                                                                                  dtype=object))
    except (TypeError, ValueError):  # unhashable or clashing categories: plain objects
        return np.repeat(col.to_numpy(dtype=object), k)


def _stack_values(df: pd.DataFrame, inds: Sequence[Hashable]) -> np.ndarray:
    """The indicator columns row by row: float64 when all are numbers, else objects."""
    arrs = [df[c].to_numpy() for c in inds]
    if all(a.dtype.kind == "f" for a in arrs):
        return np.column_stack(arrs).ravel()
    return np.column_stack([a.astype(object) for a in arrs]).ravel()


def _check_labels(out: pd.DataFrame, src: str) -> None:
    for col in ("unit", "period", "indicator"):
        bad = np.flatnonzero(_blank_mask(out[col]))
        if len(bad):
            line = int(out["row"].iloc[bad[0]])
            raise DataError(
                f"{src}, row {line}: the {col} is empty ({len(bad)} cell(s) in all); fill it in "
                "or delete the row"
            )


# ====================================================================== read_panel
def _clean_name(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return _CJK_GAP.sub("", s)


def _truthy(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes", "y", "t")
    return bool(v) and not (isinstance(v, float) and np.isnan(v))


def _imputed_flags(df: pd.DataFrame, long: pd.DataFrame) -> np.ndarray | None:
    """Imputation flags written by :func:`write_panel`, aligned with ``long``."""
    layout = long.attrs.get("layout")
    has_long = layout == "long" and "imputed" in df.columns
    if not has_long and not (layout == "wide" and any(
            str(c).endswith("__imputed") for c in df.columns)):
        return None
    pos = {r: i for i, r in enumerate(_rows(df).tolist())}
    where = np.asarray([pos[r] for r in long["row"].tolist()])
    if has_long:
        vals = df["imputed"].tolist()
        return np.asarray([_truthy(vals[i]) for i in where], bool)
    if layout == "wide":
        flag_cols = {str(c)[: -len("__imputed")]: c for c in df.columns
                     if str(c).endswith("__imputed")}
        if not flag_cols:
            return None
        cache = {k: df[c].tolist() for k, c in flag_cols.items()}
        return np.asarray(
            [ind in cache and _truthy(cache[ind][i])
             for ind, i in zip(long["indicator"].tolist(), where, strict=True)], bool
        )
    return None


def read_panel(
    source: str | os.PathLike[str] | pd.DataFrame | Sequence[str | os.PathLike[str]],
    *,
    layout: Layout = "auto",
    unit: Hashable | None = None,
    period: Hashable | None = None,
    indicator: Hashable | None = None,
    value: Hashable | None = None,
    indicators: Sequence[Hashable] | None = None,
    indicator_name: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    units: Literal["auto", "province", "country", "none"] = "auto",
    aliases: Mapping[str, str] | None = None,
    duplicates: Duplicates = "error",
    non_numeric: Literal["error", "missing"] = "error",
    parentheses_negative: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> Panel:
    """Read a file (or several, or a DataFrame) into a :class:`Panel`.

    Steps: :func:`read_table` (or :func:`read_yearbook_excel`), then
    :func:`to_long_table`, then unit names resolved with
    :func:`nqpf.panel.names.resolve_units` (aggregates such as 全国 or WLD are
    dropped and counted), then :meth:`Panel.from_long`, which converts the
    values with :func:`~nqpf.panel.clean.coerce_numeric`.

    Parameters
    ----------
    source : path, list of paths, or DataFrame
        Several paths are read with the same options and merged with
        :meth:`Panel.merge`.
    layout : {"auto", "long", "wide", "years", "yearbook"}
        See :func:`to_long_table`. An Excel file is read as a yearbook export
        (:func:`read_yearbook_excel`, every sheet one indicator) when
        ``layout="yearbook"``, ``sheet="*"``, or, with ``layout="auto"`` and no
        column given, when the first sheet (or the one named by ``sheet``)
        starts with a title line or with a header of years. With a sheet named,
        only that sheet is read.
    unit, period, indicator, value, indicators : optional
        Column names (guessed when omitted).
    indicator_name : str, optional
        Indicator of a table with a value column but no indicator column;
        defaults to the file's stem (``gb.xpd.rsdv.gd.zs`` for a WDI file).
    encoding : str, optional
        Text encoding (see :func:`read_table`).
    sheet : str, int or "*", optional
        Excel sheet; ``"*"`` reads every sheet as a yearbook indicator.
    units : {"auto", "province", "country", "none"}
        Kind of unit names to resolve to canonical ids; ``"none"`` keeps the
        names as written, with surrounding whitespace and whitespace between
        Chinese characters (``北   京``) removed.
    aliases : mapping, optional
        Extra raw name → canonical id pairs for :func:`resolve_units`.
    duplicates : {"error", "first", "last", "mean"}
        What to do with rows that share a unit, period and indicator after the
        names are resolved. ``"error"`` names the file rows and the names as
        written.
    non_numeric : {"error", "missing"}
        Cells that are not numbers after the documented conversions of
        :func:`~nqpf.panel.clean.coerce_numeric` (``inf``, ``1e400``, ``TRUE``,
        ``#DIV/0!``, free text): ``"error"`` (the default) raises a DataError
        naming the cells (file row, unit, period, indicator, text);
        ``"missing"`` reads them as missing, counted in ``conversions``.
        ``万``/``亿`` are multiplied out and ``12.5%`` is read as 12.5 (a
        column that mixes cells with and without ``%`` is an error), each counted.
    parentheses_negative : bool
        Read the accounting notation ``(123)`` as −123 (otherwise it is a
        non-numeric cell).
    progress : callable, optional
        ``progress(step, done, total)``, called as each step (parse, columns,
        panel) of each file starts and when it is done.

    Returns
    -------
    Panel
        ``meta`` holds ``source``, ``encoding``, ``layout``, ``columns``,
        ``unit_kind``, ``unit_mapping`` (name as written → unit id),
        ``dropped_units`` (aggregates removed), ``dropped_rows``, ``n_rows``
        (long rows read, before dropping), ``conversions`` (whose cells name
        the file rows) and, where they apply, ``encoding_note``,
        ``measure_units``, ``duplicates`` (with ``duplicates`` other than
        ``"error"``: the rows sharing a key, as ``unit, period, indicator,
        value, row`` with unit ids and values as written) and ``files`` (one
        entry per file when several).
        Imputation flags written by :func:`write_panel` are read back into
        ``Panel.imputed``.
    """
    kw = dict(
        layout=layout, unit=unit, period=period, indicator=indicator, value=value,
        indicators=indicators, indicator_name=indicator_name, encoding=encoding, sheet=sheet,
        units=units, aliases=aliases, duplicates=duplicates, non_numeric=non_numeric,
        parentheses_negative=parentheses_negative, progress=progress,
    )
    if isinstance(source, list | tuple):
        if not source:
            raise DataError("no files given; pass one path or a list of paths")
        panels = [read_panel(s, **kw) for s in source]  # type: ignore[arg-type]
        merged = reduce(lambda a, b: a.merge(b), panels)
        meta = dict(merged.meta)
        meta.update(
            encoding="; ".join(str(p.meta.get("encoding")) for p in panels),
            layout="; ".join(dict.fromkeys(str(p.meta.get("layout")) for p in panels)),
            unit_kind="; ".join(dict.fromkeys(str(p.meta.get("unit_kind")) for p in panels)),
            unit_mapping={k: v for p in panels for k, v in p.meta["unit_mapping"].items()},
            dropped_units=list(dict.fromkeys(u for p in panels for u in p.meta["dropped_units"])),
            dropped_rows=sum(p.meta["dropped_rows"] for p in panels),
            n_rows=sum(p.meta["n_rows"] for p in panels),
            files=[{k: v for k, v in p.meta.items() if k != "conversions"} for p in panels],
        )
        return merged.replace(meta=meta)

    if non_numeric not in ("error", "missing"):
        raise DataError(f"unknown non_numeric={non_numeric!r}; use 'error' or 'missing'")
    if isinstance(source, pd.DataFrame):
        raw = source
        src = str(source.attrs.get("source") or "DataFrame")
        long = to_long_table(raw, layout, unit, period, indicator, value, indicators,  # type: ignore[arg-type]
                             src, indicator_name)
    else:
        p = _check_path(source)
        src = str(p)
        if progress is not None:
            progress(f"reading {p.name}", 0, 3)
        raw, long = _read_source(p, kw)
    if progress is not None:
        progress("resolving units", 2, 3)
    panel = _build_panel(raw, long, src, units, aliases, duplicates, parentheses_negative)
    _check_cells(panel, src, non_numeric)
    if progress is not None:
        progress("read", 3, 3)
    return panel


def _check_cells(panel: Panel, src: str, non_numeric: str) -> None:
    """Refuse non-numeric cells (unless accepted) and columns that mix ``%`` with plain numbers."""
    rep = panel.conversions
    mixed = []
    for ind, n_pct in rep.percent.items():
        if ind in panel.indicators:
            k = panel.indicators.index(ind)
            n_obs = int((~np.isnan(panel.values[:, :, k])).sum())
            if n_obs > n_pct:
                mixed.append(f"{ind!r} ({n_pct} cells with %, {n_obs - n_pct} without)")
    if mixed:
        raise DataError(
            f"{src}: column(s) {', '.join(mixed)} mix percentages written with % and plain "
            "numbers, so their scale is unclear (is 0.125 12.5 % or 0.125 %?). Write the whole "
            "column one way"
        )
    bad = rep.non_numeric
    if bad and non_numeric == "error":
        shown = []
        for e in bad[:8]:
            w = e.get("where", {})
            parts = [f"row {w['row']}" if "row" in w else None]
            parts += [f"{k} {w[k]!r}" for k in ("unit", "period", "indicator") if k in w]
            shown.append(", ".join(p for p in parts if p) + f": {e.get('raw')!r}")
        more = f" (and {len(bad) - 8} more)" if len(bad) > 8 else ""
        raise DataError(
            f"{src}: {len(bad)} cell(s) are not numbers: " + "; ".join(shown) + more
            + ". Fix them in the file, or pass --non-numeric missing (non_numeric='missing') "
            "to read them as missing values; (123) is read as -123 with "
            "--parentheses-negative. 万, 亿 and % are converted (see the conversion report)"
        )


def as_panel(
    data: Panel | pd.DataFrame,
    *,
    unit: Hashable | None = None,
    period: Hashable | None = None,
    units: Literal["auto", "province", "country", "none"] = "auto",
    **kw: Any,
) -> Panel:
    """A :class:`Panel` from a Panel (returned as is) or a plain DataFrame.

    A DataFrame may be long, wide or indexed by ``(unit, period)`` (a MultiIndex, or any
    named index, is turned back into columns); columns are guessed and unit names
    resolved as :func:`read_panel` does, which takes the other keywords (``layout``,
    ``indicator``, ``value``, ``aliases``, ``duplicates``, …).
    """
    if isinstance(data, Panel):
        return data
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"expected a Panel or a pandas DataFrame, got {type(data).__name__}; read files "
            "with nqpf.read_panel"
        )
    if not isinstance(data.index, pd.RangeIndex) and any(n is not None for n in data.index.names):
        names = [n for n in data.index.names if n is not None]
        clash = [n for n in names if n in data.columns]
        if clash:
            raise DataError(f"index level(s) {clash} are also columns; drop one of them")
        data = data.reset_index()
        if isinstance(data.columns, pd.MultiIndex):
            raise DataError("columns with several levels: flatten them to one level first")
        if unit is None and period is None and len(names) == 2:
            unit, period = names
    return read_panel(data, unit=unit, period=period, units=units, **kw)


def _read_source(p: Path, kw: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    ext = p.suffix.lower()
    layout, sheet = kw["layout"], kw["sheet"]
    name = kw["indicator_name"] or p.stem
    cols_given = any(kw[k] is not None for k in ("unit", "period", "indicator", "value",
                                                  "indicators"))
    if ext in _EXCEL and (layout == "yearbook" or (layout == "auto" and not cols_given)):
        chosen = None if sheet in (None, "*") else [sheet]
        book = _workbook_rows(p, chosen)
        first = next(iter(book.values()))
        if layout == "yearbook" or sheet == "*" or _looks_like_yearbook(first):
            long = _yearbook_from_sheets(book, p, explicit=chosen is not None)
            return pd.DataFrame(), long
        title = next(iter(book))
        raw = _table_from_rows(first, p, title)
        raw.attrs["source"] = str(p)
    else:
        if layout == "yearbook":
            raise DataError(f"{p}: layout 'yearbook' needs an Excel workbook (.xlsx)")
        raw = read_table(p, encoding=kw["encoding"], sheet=sheet)
    if ext == ".dta" and str(raw.attrs.get("file_label") or "").startswith(_NQPF_DTA_LABEL):
        labels = raw.attrs.get("labels") or {}
        ren = {c: labels[c] for c in raw.columns if labels.get(c) and labels[c] != c}
        if ren:
            attrs = dict(raw.attrs)
            raw = raw.rename(columns=ren)
            raw.attrs.update(attrs)
    if kw.get("progress") is not None:
        kw["progress"]("arranging columns", 1, 3)
    long = to_long_table(
        raw, layout, kw["unit"], kw["period"], kw["indicator"], kw["value"], kw["indicators"],
        str(p), name,
    )
    if not any(str(c) == "imputed" or str(c).endswith("__imputed") for c in raw.columns):
        raw = raw.iloc[:0]  # no flags to read back: the cells are in ``long``; free them
    return raw, long


def _build_panel(
    raw: pd.DataFrame,
    long: pd.DataFrame,
    src: str,
    units: str,
    aliases: Mapping[str, str] | None,
    duplicates: Duplicates,
    parentheses_negative: bool = False,
) -> Panel:
    n_rows = len(long)
    # names are cleaned and resolved once per distinct name as written
    codes, written_u = _codes(long["unit"])
    clean_u = [_clean_name(v) for v in written_u]
    if units == "none":
        mapping = {c: c for c in dict.fromkeys(clean_u)}
        dropped: list[str] = []
        kind = "none"
    elif units in ("auto", "province", "country"):
        from .names import resolve_units

        col = (long.attrs.get("columns") or {}).get("unit")
        where = f"{src}, column {col!r}" if col else src
        uniq = list(dict.fromkeys(clean_u))
        try:
            match = resolve_units(
                uniq, kind=units, aliases=dict(aliases) if aliases is not None else None,
                where=where,
            )
        except UnitNameError as e:
            clean = np.asarray(clean_u, dtype=object)[codes].tolist()
            raise UnitNameError(_with_file_rows(str(e), uniq, clean, long)) from e
        mapping = dict(match.mapping)
        dropped = list(match.dropped)
        kind = str(match.kind)
    else:
        raise DataError(f"unknown units={units!r}; use auto, province, country or none")
    drop_set = set(dropped)
    keep_u = np.fromiter((c not in drop_set for c in clean_u), bool, len(clean_u))
    keep = keep_u[codes]
    ids_u = np.asarray([mapping.get(c, c) for c in clean_u], dtype=object)
    flags = _imputed_flags(raw, long) if len(raw) else None
    d = long.loc[keep].reset_index(drop=True) if not keep.all() else long.copy(deep=False)
    id_codes, id_uniq = pd.factorize(pd.Series(ids_u))
    d["unit"] = pd.Categorical.from_codes(id_codes[codes[keep]],
                                          categories=pd.Index(id_uniq, dtype=object))
    if d.empty:
        raise DataError(
            f"{src}: every row belongs to an aggregate ({dropped[:5]}); no units are left"
        )
    # the duplicate rows are looked up only when there are some (or they are kept in meta)
    dup = _duplicate_mask(d) if duplicates != "error" else None
    try:
        panel = Panel.from_long(d, duplicates=duplicates, source=src,
                                parentheses_negative=parentheses_negative)
    except DataError:
        found = _duplicate_mask(d) if duplicates == "error" else None
        if found is not None:  # name the file rows and the names as written
            written_kept = np.asarray(written_u, dtype=object)[codes[keep]]
            _raise_duplicates(d, found, written_kept, src)
        raise
    if flags is not None and flags[keep].any():
        imp = np.zeros(panel.shape, bool)
        f = flags[keep]
        ui = pd.Index(panel.units).get_indexer(d["unit"][f])
        ti = pd.Index(panel.periods).get_indexer(normalise_period(d["period"][f].tolist()))
        ki = pd.Index(panel.indicators).get_indexer(d["indicator"][f].astype(str).str.strip())
        ok = (ui >= 0) & (ti >= 0) & (ki >= 0)
        imp[ui[ok], ti[ok], ki[ok]] = True
        panel = panel.replace(imputed=imp & ~np.isnan(panel.values))
    meta = dict(panel.meta)
    meta.update(
        source=src,
        encoding=long.attrs.get("encoding") or raw.attrs.get("encoding"),
        layout=long.attrs.get("layout"),
        columns=long.attrs.get("columns", {}),
        unit_kind=kind,
        unit_mapping={str(w).strip(): mapping[c] for w, c in zip(written_u, clean_u, strict=True)
                      if c in mapping},
        dropped_units=[
            w for w in dict.fromkeys(str(x).strip() for x, c in zip(written_u, clean_u,
                                                                      strict=True)
                                     if c in drop_set)
        ],
        dropped_rows=int((~keep).sum()),
        n_rows=n_rows,
    )
    if dup is not None:
        meta["duplicates"] = d.loc[dup, LONG_COLUMNS].reset_index(drop=True)
    for key in ("encoding_note", "measure_units", "skipped_sheets", "dropped_columns"):
        val = raw.attrs.get(key) if key in raw.attrs else long.attrs.get(key)
        if val:
            meta[key] = val
    return panel.replace(meta=meta)


def _with_file_rows(msg: str, uniq: list[str], clean: list[str], long: pd.DataFrame) -> str:
    """Add the file rows of each name the message mentions (its positions are in ``uniq``)."""
    rows = long["row"].tolist()
    named = [u for u in uniq if repr(u) in msg][:10]
    if not named:
        return msg
    parts = []
    for u in named:
        at = sorted({rows[i] for i, c in enumerate(clean) if c == u})
        more = f", … ({len(at)} rows)" if len(at) > 5 else ""
        parts.append(f"{u!r}: row {', '.join(map(str, at[:5]))}{more}")
    return msg + "\nIn the file (header = row 1): " + "; ".join(parts)


def _duplicate_mask(d: pd.DataFrame) -> np.ndarray | None:
    """Rows of ``d`` whose (unit, period, indicator) key occurs more than once, or None."""
    try:
        cp, up = period_codes(d["period"])
        ck, uk = label_codes(d["indicator"], "indicator", None)
        cu, uu = _codes(d["unit"])
    except DataError:
        return None  # Panel.from_long raises the same error with the rows
    key = (cu.astype(np.int64) * len(up) + cp) * len(uk) + ck
    dup = np.bincount(key, minlength=len(uu) * len(up) * len(uk))[key] > 1
    return dup if dup.any() else None


def _raise_duplicates(d: pd.DataFrame, dup: np.ndarray, written: list[Any], src: str) -> None:
    periods = normalise_period(d["period"].tolist())
    inds_l = [str(v).strip() for v in d["indicator"]]
    groups: dict[tuple[Any, ...], list[int]] = {}
    units_l = d["unit"].tolist()
    for i in np.flatnonzero(dup).tolist():
        groups.setdefault((units_l[i], periods[i], inds_l[i]), []).append(i)
    parts = []
    for (u, t, k), idx in list(groups.items())[:5]:
        where = ", ".join(f"row {int(d['row'].iloc[i])} ({str(written[i]).strip()!r})" for i in idx)
        parts.append(f"unit {u!r}, period {t!r}, indicator {k!r}: {where}")
    raise DataError(
        f"{src}: {len(groups)} (unit, period, indicator) key(s) appear more than once, e.g. "
        + "; ".join(parts)
        + ". Remove the duplicate rows, check that two names do not denote one unit, or pass "
        "duplicates='first', 'last' or 'mean' (--duplicates)."
    )


# ====================================================================== write_panel
def stata_name(name: str) -> str:
    """A valid Stata 14+ variable name: letters (Unicode too), digits, ``_``; ≤ 32 chars."""
    s = "".join(ch if (ch == "_" or ch.isalpha() or ch in "0123456789") else "_" for ch in name)
    s = re.sub(r"_+", "_", s).strip("_") or "v"
    if s[0] in "0123456789":
        s = "v" + s
    s = s[:32]
    if s in _STATA_RESERVED or re.fullmatch(r"str\d+", s):
        s = (s + "_")[:32] if len(s) < 32 else s[:31] + "_"
    return s


#: The save time written into every ``.dta`` header, so that two runs give identical bytes.
DTA_TIMESTAMP = datetime.datetime(2000, 1, 1)


def write_dta(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    variable_labels: Mapping[str, str] | None = None,
    data_label: str | None = None,
) -> Path:
    """Write ``frame`` as a Stata 14+ file (format 118, UTF-8): nqpf's one Stata writer.

    pandas' ``DataFrame.to_stata(version=118, time_stamp=DTA_TIMESTAMP)``: the fixed
    save time makes the bytes reproducible, ``variable_labels`` (≤ 80 characters each)
    and ``data_label`` (≤ 80 characters) are kept. The columns must already be valid
    Stata names (:func:`stata_name`); the index is not written. The caller writes to
    a temporary path and moves it into place (:func:`nqpf.output.atomic_write`).
    """
    labels = {str(k): str(v)[:80] for k, v in (variable_labels or {}).items()}
    frame.to_stata(
        path,
        write_index=False,
        version=118,
        time_stamp=DTA_TIMESTAMP,
        data_label=None if data_label is None else str(data_label)[:80],
        variable_labels=labels or None,
    )
    return Path(path)


def _wide_frame(panel: Panel, imputed: bool) -> pd.DataFrame:
    clash = [k for k in panel.indicators if k in ("unit", "period")]
    if clash:
        raise DataError(
            f"indicator(s) {clash} have the name of a key column; rename them before writing "
            "a wide table, or write layout='long'"
        )
    n_u, n_t, n_k = panel.shape
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.asarray(panel.units, dtype=object), n_t),
            "period": np.tile(np.asarray(panel.periods, dtype=object), n_u),
        }
    )
    vals = panel.values.reshape(n_u * n_t, n_k)
    for k, ind in enumerate(panel.indicators):
        df[ind] = vals[:, k]
    if imputed:
        flags = panel.imputed.reshape(n_u * n_t, n_k)
        for k, ind in enumerate(panel.indicators):
            df[f"{ind}__imputed"] = flags[:, k]
    return df


def write_panel(
    panel: Panel,
    path: str | os.PathLike[str],
    layout: Literal["wide", "long"] = "wide",
    overwrite: bool = False,
    imputed: bool = False,
) -> Path:
    """Write a panel to ``.csv``, ``.xlsx``, ``.parquet`` or ``.dta``.

    Parameters
    ----------
    panel : Panel
    path : str or Path
        Target file; the extension picks the format. Parent folders are made.
    layout : {"wide", "long"}
        ``wide``: columns ``unit, period`` and one per indicator; ``long``:
        ``unit, period, indicator, value`` with every cell of the cube (missing
        ones empty), so that the panel reads back with the same shape.
    overwrite : bool
        An existing file is refused unless True.
    imputed : bool
        Add the imputation flags: a column ``imputed`` (long) or one boolean
        column ``<indicator>__imputed`` per indicator (wide);
        :func:`read_panel` reads them back.

    Notes
    -----
    * CSV is written as UTF-8 with a byte-order mark (``utf-8-sig``): Excel
      opens such files with Chinese text correctly, while plain UTF-8 shows
      mojibake in Excel on Chinese Windows; every UTF-8 reader accepts the mark.
    * Excel: one sheet named ``data``.
    * Stata: format 118 (Stata 14+, UTF-8) through :func:`write_dta`.
      Indicator names become valid Stata names (letters, including Chinese,
      digits and ``_``; at most 32 characters; not starting with a digit;
      reserved words get a trailing ``_``) and the original names are kept as
      variable labels (at most 80 characters, Stata's limit). Two names that
      sanitise to the same one raise a DataError. Flags are stored as 0/1.
    * The file is written to a temporary file first and then moved into
      place, so a failed write never destroys an existing file.

    Returns
    -------
    Path
        The path written.
    """
    if not isinstance(panel, Panel):
        raise DataError(f"expected a Panel, got {type(panel).__name__}")
    p = Path(path)
    if p.is_dir():
        raise DataError(f"{p} is a directory; give a file name")
    ext = p.suffix.lower()
    if ext not in SUPPORTED_WRITE:
        raise DataError(
            f"{p}: cannot write {ext or '(no extension)'!r} files; supported: "
            f"{', '.join(SUPPORTED_WRITE)}"
        )
    if layout not in ("wide", "long"):
        raise DataError(f"unknown layout {layout!r}; use 'wide' or 'long'")
    if p.exists() and not overwrite:
        raise DataError(f"{p} exists; pass overwrite=True / --force or choose another name")
    if layout == "long":
        df = panel.to_long(dropna=False, imputed=imputed)
    else:
        df = _wide_frame(panel, imputed)
    labels: dict[str, str] = {}
    if ext == ".dta":
        df, labels = _for_stata(df)
    p.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: Path) -> None:
        if ext == ".csv":
            df.to_csv(tmp, index=False, encoding="utf-8-sig")
        elif ext == ".xlsx":
            df.to_excel(tmp, sheet_name="data", index=False, engine="openpyxl")
        elif ext == ".parquet":
            require("pyarrow", "parquet", "writing Parquet files")
            df.to_parquet(tmp, index=False)
        else:
            write_dta(
                df, tmp, variable_labels=labels,
                data_label=f"{_NQPF_DTA_LABEL} ({layout}); variable labels hold original names",
            )

    try:
        atomic_write(p, write)
    except NqpfError:
        raise
    except Exception as e:
        raise DataError(f"{p}: writing failed ({type(e).__name__}: {e})") from e
    return p


def _for_stata(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    names = {c: stata_name(str(c)) for c in df.columns}
    seen: dict[str, str] = {}
    clashes = []
    for orig, new in names.items():
        if new in seen:
            clashes.append(f"{seen[new]!r} and {orig!r} -> {new!r}")
        seen.setdefault(new, orig)
    if clashes:
        raise DataError(
            "indicator names collide once made valid Stata names: " + "; ".join(clashes)
            + ". Rename the indicators (Panel.replace(indicators=...)) or write another format"
        )
    out = df.rename(columns=names)
    for c in out.columns:
        if out[c].dtype == bool:
            out[c] = out[c].astype("int8")
        elif out[c].dtype == object:
            vals = out[c].tolist()
            if all(isinstance(v, int | np.integer) for v in vals):
                out[c] = np.asarray(vals, dtype="int64")
            else:
                out[c] = pd.Series([str(v) for v in vals], dtype=object)
    labels = {names[c]: str(c)[:80] for c in df.columns if names[c] != str(c)}
    return out, labels
