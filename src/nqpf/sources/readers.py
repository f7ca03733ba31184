"""Readers for the public statistics files that users download.

Three readers turn a downloaded file into a :class:`~nqpf.panel.core.Panel` whose ``meta``
records where the data came from and what the reader did:

:func:`read_pwt`
    The Penn World Table (Feenstra, Inklaar and Timmer 2015) as distributed: the Excel workbook
    (sheet ``Data``, beside ``Info`` and ``Legend``), the Stata file or a CSV export.
:func:`read_ceads`
    The CEADs CO2 emission inventories of Chinese provinces (Guan et al. 2021) and cities
    (Shan et al.) in the long layout ``emissions_id, actor_id, year, total_emissions,
    datasource_id``.
:func:`read_yearbook_long`
    Long exports of Chinese statistical yearbook tables (``province, year, chn_block4, value,
    units, variables``), such as the science and technology tables compiled by the R package
    ``techme``, with the variable dictionary (``varsList.csv``) that maps codes to Chinese
    names and units. National and regional rows (全国, 东部地区, …) are set apart from the
    provinces; OCR-garbled province labels found in that compilation are corrected by a bundled
    alias list (:func:`yearbook_aliases`).

Every panel's ``meta`` holds, besides what :meth:`Panel.from_long` records:

``source``
    the file path(s) read (``"; "``-joined);
``dataset``, ``licence``, ``citation``, ``url``
    what the data are, under which terms, and how to cite them;
``reader``
    the function that read them;
``notes``
    a list of sentences describing every choice the reader made (columns left out, labels
    corrected, rows set apart, units that disagree, overlaps between tables);
``measure_units``
    indicator -> unit of measure (the key :func:`nqpf.panel.io.read_panel` uses for yearbook
    workbooks);
``indicator_labels``
    indicator -> description, where the file or dictionary gives one;
``unit_kind``
    ``"country"``, ``"province"`` or ``"none"`` (ids kept as written);
``conversions``
    the :class:`~nqpf.panel.clean.ConversionReport` of every value read.

Readers never print and never write; the caller's files are only read.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataError, UnitNameError
from ..extras import require
from ..panel.clean import ConversionReport, coerce_numeric
from ..panel.core import Panel, normalise_period
from ..panel.io import read_table
from ..panel.names import normalise_name, resolve_units

__all__ = [
    "YearbookResult",
    "read_ceads",
    "read_pwt",
    "read_yearbook_long",
    "yearbook_aliases",
]

PathLike = str | os.PathLike[str]

# ============================================================================ shared helpers


def _file(path: PathLike) -> Path:
    """The path of an existing, non-empty file, or a DataError saying what is wrong."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: file not found; check the path and the working directory")
    if p.is_dir():
        raise DataError(f"{p} is a directory; give the path of a data file inside it")
    if p.stat().st_size == 0:
        raise DataError(f"{p} is empty (0 bytes); download the file again")
    return p


def _key(name: object) -> str:
    """Column name as compared: NFKC, byte-order mark and surrounding space removed, lower."""
    return unicodedata.normalize("NFKC", str(name)).removeprefix("\ufeff").strip().lower()


def _columns(df: pd.DataFrame) -> dict[str, Any]:
    """Compared column name -> column label (first one wins)."""
    out: dict[str, Any] = {}
    for c in df.columns:
        out.setdefault(_key(c), c)
    return out


def _shown_columns(df: pd.DataFrame, n: int = 15) -> str:
    cols = [str(c) for c in df.columns]
    more = f", … ({len(cols)} in all)" if len(cols) > n else ""
    return ", ".join(cols[:n]) + more


def _rows(df: pd.DataFrame) -> np.ndarray:
    """1-based file row of each data row (header = row 1), from read_table's attrs.

    The list is then removed from ``attrs``: pandas deep-copies ``attrs`` on every operation,
    and a list of row numbers there makes each column access cost as much as copying it.
    """
    rows = df.attrs.get("row")
    out = (np.asarray(rows, dtype=np.int64) if rows is not None and len(rows) == len(df)
           else np.arange(len(df), dtype=np.int64) + 2)
    df.attrs.pop("row", None)
    return out


def _numeric(
    values: pd.Series,
    where: Callable[[np.ndarray], pd.DataFrame],
    report: ConversionReport,
) -> tuple[np.ndarray, int]:
    """Floats of a column, counting conversions in ``report`` as coerce_numeric does.

    Cells that NumPy reads as finite numbers take a vectorised path; blank cells count as the
    missing token ``""``; only the remaining cells (yearbook tokens, ``1,234``, full-width
    digits, text) go through :func:`~nqpf.panel.clean.coerce_numeric`, which counts or lists
    them. Returns the floats and the number of cells that could not be read as numbers.
    """
    s = values.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype(object)
    if pd.api.types.is_numeric_dtype(s.dtype):
        out = s.to_numpy(dtype=float, na_value=np.nan)
        bad = np.flatnonzero(np.isinf(out))
        if bad.size:
            sub, _ = coerce_numeric(pd.Series(out[bad]), where=where(bad), report=report)
            out[bad] = sub
        report.missing_tokens[""] += int(np.isnan(out).sum()) - bad.size
        return out, int(bad.size)
    obj = s.astype(object)
    blank = np.asarray(
        [v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str)
         and not v.strip()) for v in obj.tolist()],
        dtype=bool,
    )
    fast = pd.to_numeric(obj.where(~blank, None), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    slow = np.flatnonzero(~blank & ~np.isfinite(fast))
    out = np.where(np.isfinite(fast), fast, np.nan)
    report.missing_tokens[""] += int(blank.sum())
    before = len(report.non_numeric)
    if slow.size:
        sub, _ = coerce_numeric(obj.iloc[slow].reset_index(drop=True), where=where(slow),
                                report=report)
        out[slow] = sub
    return out, len(report.non_numeric) - before


def _duplicate_error(
    keys: pd.DataFrame, src: str, what: str = "(unit, period, indicator)"
) -> DataError | None:
    """A DataError naming the rows of repeated keys (``keys`` has key columns + file, row)."""
    cols = [c for c in keys.columns if c not in ("file", "row")]
    dup = keys.duplicated(cols, keep=False)
    if not dup.any():
        return None
    parts = []
    for key, grp in list(keys[dup].groupby(cols, sort=False))[:5]:
        at = ", ".join(f"{Path(str(f)).name} row {int(r)}" for f, r in
                       zip(grp["file"], grp["row"], strict=True))
        parts.append(f"{tuple(key)}: {at}")
    n = int(keys[dup].drop_duplicates(cols).shape[0])
    return DataError(
        f"{src}: {n} {what} key(s) appear more than once, e.g. " + "; ".join(parts)
        + ". Remove the repeated rows or check that two labels do not denote one unit."
    )


# ============================================================================ Penn World Table

_PWT_REQUIRED = ("countrycode", "year", "rgdpo")
_PWT_TEXT = ("countrycode", "country", "currency_unit", "year")
_PWT_URL = "https://www.ggdc.net/pwt"
_PWT_LICENCE = "CC BY 4.0 (Creative Commons Attribution 4.0 International)"
_PWT_CITATION = (
    "Feenstra, Robert C., Robert Inklaar and Marcel P. Timmer (2015), \"The Next Generation "
    "of the Penn World Table\", American Economic Review 105(10), 3150-3182, available for "
    "download at www.ggdc.net/pwt"
)
_PWT_VERSION = re.compile(r"pwt[_\-]?(\d)(\d{1,3})", re.IGNORECASE)


def _pwt_version(p: Path) -> str | None:
    """PWT version from the usual file names: pwt1001 -> 10.01, pwt100 -> 10.0, pwt91 -> 9.1."""
    m = _PWT_VERSION.search(p.stem)
    if not m:
        return None
    digits = m.group(1) + m.group(2)
    if len(digits) == 2:
        return f"{digits[0]}.{digits[1]}"
    return f"{digits[:2]}.{digits[2:]}"


def _excel_tables(p: Path, sheet: str | None) -> tuple[pd.DataFrame, dict[str, str], str]:
    """(Data sheet as text/numbers, legend labels, sheet name) of a PWT workbook."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as e:  # BadZipFile, InvalidFileException, XML errors
        raise DataError(
            f"{p}: cannot open it as an Excel workbook ({type(e).__name__}: {e}); download it "
            "again or save it as .xlsx"
        ) from e
    try:
        names = list(wb.sheetnames)
        by_key = {_key(n): n for n in names}
        if sheet is not None:
            if sheet not in names:
                raise DataError(f"{p}: no sheet {sheet!r}; the sheets are {names}")
            name = sheet
        elif "data" in by_key:
            name = by_key["data"]
        elif len(names) == 1:
            name = names[0]
        else:
            raise DataError(
                f"{p}: no sheet named 'Data'. The Penn World Table workbook keeps its data in "
                f"sheet 'Data' beside 'Info' and 'Legend'; this one has sheets {names}. Pass "
                "sheet=... with the sheet that holds the data"
            )
        rows = [tuple(r) for r in wb[name].iter_rows(values_only=True)]
        labels: dict[str, str] = {}
        if "legend" in by_key and by_key["legend"] != name:
            for r in wb[by_key["legend"]].iter_rows(values_only=True):
                texts = [str(v).strip() for v in r if v is not None and str(v).strip()]
                if len(texts) >= 2:
                    labels[_key(texts[0])] = texts[1]
    finally:
        wb.close()
    filled = [i for i, r in enumerate(rows) if any(v is not None and str(v).strip() for v in r)]
    if len(filled) < 2:
        raise DataError(f"{p}, sheet {name!r} has no data rows")
    header = [("" if v is None else str(v).strip()) for v in rows[filled[0]]]
    width = len(header)
    body = [list(rows[i][:width]) + [None] * (width - len(rows[i])) for i in filled[1:]]
    df = pd.DataFrame(body, columns=header, dtype=object)
    df.attrs["row"] = [i + 1 for i in filled[1:]]
    return df, labels, name


def _parse_years(years: Any) -> tuple[set[int] | None, tuple[int, int] | None]:
    """(explicit years, inclusive span) from the ``years`` argument."""
    if years is None:
        return None, None
    if isinstance(years, str):
        s = years.strip()
        m = re.fullmatch(r"(\d{4})?\s*[:\-–]\s*(\d{4})?", s)
        if m and (m.group(1) or m.group(2)):
            lo = int(m.group(1)) if m.group(1) else -10**9
            hi = int(m.group(2)) if m.group(2) else 10**9
            if lo > hi:
                raise DataError(f"years={years!r}: the first year is after the last")
            return None, (lo, hi)
        parts = [t for t in re.split(r"[,\s]+", s) if t]
        if parts and all(re.fullmatch(r"\d{4}", t) for t in parts):
            return {int(t) for t in parts}, None
        raise DataError(
            f"years={years!r} is not understood; give 'A:B' (inclusive span, either end may "
            "be left open), '2000,2005,2010' or a list of years"
        )
    if isinstance(years, int | np.integer) and not isinstance(years, bool):
        return {int(years)}, None
    if isinstance(years, range):
        return set(years), None
    try:
        got = list(years)
    except TypeError:
        raise DataError(f"years={years!r} is not a year, a list of years or 'A:B'") from None
    try:
        return set(normalise_period(got, "year")), None
    except DataError:
        raise
    except Exception:  # pragma: no cover - normalise_period raises DataError itself
        raise DataError(f"years={years!r} holds values that are not years") from None


def _encode_categories(
    values: pd.Series, value_labels: Mapping[Any, str] | None
) -> tuple[np.ndarray, dict[int, str]]:
    """Codes and code -> label of a categorical flag column.

    Numeric codes with Stata value labels are kept as stored; text is coded 1..n in the
    alphabetical order of the labels, as Stata's ``encode`` does.
    """
    if value_labels and pd.api.types.is_numeric_dtype(values.dtype):
        codes = values.to_numpy(dtype=float, na_value=np.nan)
        return codes, {int(k): str(v) for k, v in value_labels.items()}
    text = [None if (v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip())
            else str(v).strip() for v in values.astype(object).tolist()]
    cats = sorted({t for t in text if t is not None})
    code = {c: i + 1 for i, c in enumerate(cats)}
    arr = np.asarray([np.nan if t is None else code[t] for t in text], dtype=float)
    return arr, {i: c for c, i in code.items()}


def _dta_value_labels(p: Path, encoding: str | None) -> dict[str, dict[Any, str]]:
    pyreadstat = require("pyreadstat", "stata", "reading Stata .dta files")

    try:
        _, meta = pyreadstat.read_dta(str(p), metadataonly=True, encoding=encoding)
    except Exception:  # labels are optional extras; the data were read already
        return {}
    out: dict[str, dict[Any, str]] = {}
    for var, name in (meta.variable_to_label or {}).items():
        labels = (meta.value_labels or {}).get(name)
        if labels:
            out[_key(var)] = dict(labels)
    return out


def read_pwt(
    path: PathLike,
    variables: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    years: int | str | Iterable[int] | None = None,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> Panel:
    """Read a Penn World Table file (``.xlsx``, ``.dta`` or ``.csv``) into a country panel.

    Units are ISO 3166-1 alpha-3 codes from ``countrycode`` (checked with
    :func:`~nqpf.panel.names.resolve_units`), periods the values of ``year``, indicators the
    PWT variable names (``rgdpo``, ``hc``, ``ctfp``, …).

    Parameters
    ----------
    path : str or Path
        The file as downloaded from the Groningen Growth and Development Centre: the workbook
        (data in sheet ``Data``; the ``Info`` and ``Legend`` sheets are not data, and the
        legend's definitions become ``meta["indicator_labels"]``), the Stata file (variable
        labels become ``indicator_labels``) or a CSV export (UTF-8, with or without a
        byte-order mark, or GBK).
    variables : sequence of str, optional
        Variables to keep. By default every numeric variable: all columns except the
        identifiers and text (``countrycode``, ``country``, ``currency_unit``, ``year``) and
        the categorical ``i_*`` flags (``i_cig``, ``i_xm``, ``i_xr``, ``i_outlier``,
        ``i_irr``), which are left out unless named here. A flag named here is stored as codes:
        Stata value labels as stored, text coded 1..n in alphabetical order of the labels (as
        Stata's ``encode``); ``meta["categories"][name]`` maps code -> label.
    countries : sequence of str, optional
        Countries to keep, as ISO3 codes or names (resolved like unit names). A country not in
        the file raises a DataError.
    years : int, str, or iterable of int, optional
        A year, a list of years (each must be in the file) or an inclusive span ``"A:B"``
        (``"1990:"`` and ``":2000"`` leave one end open; at least one year of the file must
        fall in it).
    sheet : str, optional
        Workbook sheet holding the data, when it is not called ``Data``.
    encoding : str, optional
        Text encoding of a CSV or old Stata file; detected when omitted.

    Returns
    -------
    Panel
        ``meta`` holds ``dataset`` (``"Penn World Table 10.01"`` when the file name tells the
        version), ``version``, ``licence`` (CC BY 4.0), ``citation`` (Feenstra, Inklaar and
        Timmer 2015), ``url``, ``unit_names`` (ISO3 -> the file's country name),
        ``indicator_labels``, ``notes`` and the conversion report.

    Raises
    ------
    DataError
        A file that is not a Penn World Table (no ``countrycode``, ``year``, ``rgdpo``
        columns), unknown variables, countries or years, an identifier asked for as a
        variable, rows without a country code, repeated country-years.
    UnitNameError
        A ``countrycode`` that is not an ISO3 code or country name.

    Notes
    -----
    Cite: Feenstra, R. C., Inklaar, R. and Timmer, M. P. (2015), "The Next Generation of the
    Penn World Table", American Economic Review 105(10), 3150-3182. PWT 10 is released under
    CC BY 4.0.
    """
    p = _file(path)
    ext = p.suffix.lower()
    labels: dict[str, str] = {}
    used_sheet = None
    if ext in (".xlsx", ".xlsm"):
        raw, labels, used_sheet = _excel_tables(p, sheet)
        enc = None
    elif ext == ".xls":
        raise DataError(f"{p}: old .xls workbooks are not read; save it as .xlsx first")
    else:
        raw = read_table(p, encoding=encoding)
        enc = raw.attrs.get("encoding")
        labels = {_key(k): str(v) for k, v in (raw.attrs.get("labels") or {}).items() if v}
    cols = _columns(raw)
    missing = [c for c in _PWT_REQUIRED if c not in cols]
    if missing:
        raise DataError(
            f"{p}: not a Penn World Table file: expected a Penn World Table file with columns "
            "countrycode, year, rgdpo, … (as in pwt1001.xlsx sheet 'Data', pwt1001.dta or a "
            f"CSV export; from {_PWT_URL}); got columns {_shown_columns(raw)}"
            + (f" (sheet {used_sheet!r})" if used_sheet else "")
            + f". Missing: {', '.join(missing)}."
        )
    rows = _rows(raw)
    df = raw.rename(columns={v: k for k, v in cols.items()})
    df = df.loc[:, ~df.columns.duplicated()]
    notes: list[str] = []

    # --- units
    code_col = df["countrycode"].astype(object)
    blank = [i for i, v in enumerate(code_col.tolist())
             if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip()]
    if blank:
        at = ", ".join(str(int(rows[i])) for i in blank[:5])
        raise DataError(
            f"{p}: {len(blank)} row(s) have no countrycode (file row {at}"
            + (", …" if len(blank) > 5 else "") + "); fill them in or delete them"
        )
    codes = [str(v).strip() for v in code_col.tolist()]
    uniq = list(dict.fromkeys(codes))
    match = resolve_units(uniq, kind="country", drop_aggregates=False,
                          where=f"{p}, column 'countrycode'")
    unit_of = {c: match.mapping[c] for c in uniq}
    changed = {c: u for c, u in unit_of.items() if c != u}
    if changed:
        notes.append(f"country codes read as other ISO3 codes: {changed}")
    units = np.asarray([unit_of[c] for c in codes], dtype=object)
    periods = np.asarray(normalise_period(df["year"].tolist(), "year"), dtype=object)
    odd = [i for i, t in enumerate(periods.tolist()) if not isinstance(t, int)]
    if odd:
        raise DataError(
            f"{p}: column 'year' holds {periods[odd[0]]!r} (file row {int(rows[odd[0]])}), "
            "not a year; a Penn World Table has one row per country and year"
        )

    # --- row filters
    keep = np.ones(len(df), bool)
    if countries is not None:
        wanted_names = [countries] if isinstance(countries, str) else list(countries)
        want = resolve_units(wanted_names, kind="country", drop_aggregates=False,
                             where="countries=")
        wanted = list(dict.fromkeys(want.mapping[c] for c in wanted_names))
        absent = [c for c in wanted if c not in set(units)]
        if absent:
            raise DataError(
                f"{p}: countries {absent} are not in the file ({len(set(units))} countries, "
                f"e.g. {sorted(set(units))[:8]}); check the codes"
            )
        keep &= np.isin(units, wanted)
    explicit, span = _parse_years(years)
    have_years = set(periods.tolist())
    if explicit is not None:
        absent_y = sorted(explicit - have_years)
        if absent_y:
            raise DataError(
                f"{p}: years {absent_y} are not in the file (it covers "
                f"{min(have_years)}–{max(have_years)})"
            )
        keep &= np.isin(periods, sorted(explicit))
    elif span is not None:
        lo, hi = span
        inside = np.asarray([lo <= int(t) <= hi for t in periods], bool)
        if not inside.any():
            raise DataError(
                f"{p}: no year of the file ({min(have_years)}–{max(have_years)}) falls in "
                f"years={years!r}"
            )
        keep &= inside

    # --- variables
    flag_cols = [c for c in df.columns if c.startswith("i_")]
    text_cols = [c for c in _PWT_TEXT if c in df.columns]
    if variables is None:
        chosen = [c for c in df.columns if c not in text_cols and c not in flag_cols
                  and c != "" and not c.startswith("unnamed:")]
        if flag_cols:
            notes.append(
                f"categorical flag columns {flag_cols} left out; name them in variables= to "
                "read them as codes"
            )
    else:
        asked = [variables] if isinstance(variables, str) else list(variables)
        chosen = []
        for v in asked:
            k = _key(v)
            if k in _PWT_TEXT:
                raise DataError(
                    f"{p}: {v!r} is an identifier ({'/'.join(_PWT_TEXT)}), not a variable: "
                    "units are the countries and periods the years already"
                )
            if k not in df.columns:
                close = difflib.get_close_matches(k, [c for c in df.columns if c], n=3)
                hint = f"; did you mean {close}?" if close else ""
                raise DataError(f"{p}: no variable {v!r} in the file{hint}")
            if k not in chosen:
                chosen.append(k)
    report = ConversionReport()
    idx = np.flatnonzero(keep)
    sub_units, sub_periods, sub_rows = units[idx], periods[idx], rows[idx]
    value_labels = (_dta_value_labels(p, enc if enc not in ("utf-8", None) else None)
                    if ext == ".dta" else {})
    data: dict[str, np.ndarray] = {}
    categories: dict[str, dict[int, str]] = {}
    text_left: list[str] = []
    for c in chosen:
        col = df[c].iloc[idx].reset_index(drop=True)
        is_flag = c.startswith("i_")

        def where(ix: np.ndarray, c: str = c) -> pd.DataFrame:
            return pd.DataFrame({"row": sub_rows[ix], "unit": sub_units[ix],
                                 "period": sub_periods[ix], "indicator": c})

        if is_flag:  # coded over the whole file, so that codes do not depend on filters
            codes, categories[c] = _encode_categories(df[c], value_labels.get(c))
            data[c] = codes[idx]
            continue
        trial = ConversionReport()
        vals, bad = _numeric(col, where, trial)
        filled = int((~np.isnan(vals)).sum()) + bad
        if bad and bad * 2 > filled:  # mostly text: a categorical column
            if variables is None:
                text_left.append(c)
                continue
            codes, categories[c] = _encode_categories(df[c], value_labels.get(c))
            data[c] = codes[idx]
            continue
        report.merge(trial)
        data[c] = vals
    if text_left:
        notes.append(f"text columns {text_left} left out (not numbers)")
    if not data:
        raise DataError(f"{p}: no numeric variable to read; pass variables=[...]")
    wide = pd.DataFrame({"unit": sub_units, "period": sub_periods, **data})
    if wide.empty:
        raise DataError(f"{p}: no rows left after the country and year filters")
    err = _duplicate_error(
        pd.DataFrame({"unit": sub_units, "period": sub_periods, "file": str(p),
                      "row": sub_rows}), str(p), "(country, year)")
    if err is not None:
        raise err
    panel = Panel.from_wide(wide, unit="unit", period="period", indicators=list(data),
                            source=str(p))
    version = _pwt_version(p)
    names = {}
    if "country" in df.columns:
        for u, n in zip(units, df["country"].astype(object).tolist(), strict=True):
            if u not in names and isinstance(n, str) and n.strip():
                names[u] = n.strip()
    meta = dict(panel.meta)
    meta.update(
        source=str(p),
        reader="read_pwt",
        dataset="Penn World Table" + (f" {version}" if version else ""),
        version=version,
        licence=_PWT_LICENCE,
        citation=_PWT_CITATION,
        url=_PWT_URL,
        encoding=enc,
        unit_kind="country",
        unit_names={u: names[u] for u in panel.units if u in names},
        indicator_labels={k: labels[k] for k in panel.indicators if k in labels},
        measure_units={},
        notes=notes,
        conversions=report,
    )
    if used_sheet is not None:
        meta["sheet"] = used_sheet
    if categories:
        meta["categories"] = categories
    if changed:
        meta["unit_mapping"] = changed
    return panel.replace(meta=meta)


# ============================================================================ CEADs

_CEADS_COLUMNS = ("emissions_id", "actor_id", "year", "total_emissions", "datasource_id")
_CEADS_REQUIRED = ("actor_id", "year", "total_emissions")
_CEADS_PROVINCE = re.compile(r"^CN-[A-Z]{2}$")
_CEADS_CITY = re.compile(r"^CN [A-Z0-9]{3}$")
_CEADS_NATIONAL = frozenset({"CN", "CHN"})
_CEADS_URL = "https://www.ceads.net"
_CEADS_LICENCE = "free to use with citation (CEADs terms of use)"
_CEADS_CITATION = {
    "province": (
        "Guan, Y., Shan, Y., Huang, Q., Chen, H., Wang, D. and Hubacek, K. (2021), "
        "\"Assessment to China's recent emission pattern shifts\", Earth's Future 9(11), "
        "e2021EF002241; CEADs (Carbon Emission Accounts and Datasets), www.ceads.net"
    ),
    "city": (
        "Shan, Y. et al., CEADs city-level CO2 emission inventories (Scientific Data); cite "
        "the paper named by the file's datasource_id; CEADs (Carbon Emission Accounts and "
        "Datasets), www.ceads.net"
    ),
}


def read_ceads(
    path: PathLike,
    level: Literal["auto", "province", "city"] = "auto",
    *,
    encoding: str | None = None,
) -> Panel:
    """Read a CEADs CO2 emissions table (provinces or cities) into a panel.

    The table is long, one row per place and year: ``emissions_id, actor_id, year,
    total_emissions, datasource_id`` (only ``actor_id``, ``year`` and ``total_emissions`` are
    required). The one indicator is ``co2``, total CO2 emissions in tonnes (the inventories'
    IPCC sectoral approach).

    Parameters
    ----------
    path : str or Path
        CSV (or xlsx, parquet, dta) file.
    level : {"auto", "province", "city"}
        ``province``: ``actor_id`` holds ISO 3166-2 codes (``CN-AH``), resolved with
        :func:`~nqpf.panel.names.resolve_units` (a national row ``CN`` is set aside and noted);
        ``city``: ids such as ``CN AAT`` kept exactly as written (``unit_kind="none"``);
        ``auto`` picks ``province`` when every id looks like ``CN-XX`` and ``city`` when every
        id looks like ``CN XXX``.
    encoding : str, optional
        Text encoding; detected when omitted.

    Returns
    -------
    Panel
        Indicator ``co2``; ``meta["measure_units"] == {"co2": "t"}``; ``meta`` also holds
        ``level``, ``datasource_id`` (as in the file), ``dataset``, ``licence``, ``citation``
        (Guan et al. 2021 for provinces; Shan et al. for cities) and ``notes``.

    Raises
    ------
    DataError
        A table without the CEADs columns (the message names them), a level that does not fit
        the ids, repeated place-years, unknown ``level``.
    UnitNameError
        A provincial id that is no province.
    """
    if level not in ("auto", "province", "city"):
        raise DataError(f"level={level!r}: use 'auto', 'province' or 'city'")
    p = _file(path)
    raw = read_table(p, encoding=encoding)
    cols = _columns(raw)
    missing = [c for c in _CEADS_REQUIRED if c not in cols]
    if missing:
        raise DataError(
            f"{p}: not a CEADs emissions table: expected columns {', '.join(_CEADS_COLUMNS)} "
            f"(at least {', '.join(_CEADS_REQUIRED)}); got columns {_shown_columns(raw)}. "
            f"Missing: {', '.join(missing)}."
        )
    rows = _rows(raw)
    ids = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
           for v in raw[cols["actor_id"]].astype(object).tolist()]
    empty = [i for i, v in enumerate(ids) if not v]
    if empty:
        at = ", ".join(str(int(rows[i])) for i in empty[:5])
        raise DataError(f"{p}: {len(empty)} row(s) have no actor_id (file row {at}); fill them "
                        "in or delete them")
    uniq = list(dict.fromkeys(ids))
    places = [u for u in uniq if u not in _CEADS_NATIONAL]
    notes: list[str] = []
    if level == "auto":
        if places and all(_CEADS_PROVINCE.match(u) for u in places):
            level = "province"
        elif places and all(_CEADS_CITY.match(u) for u in places):
            level = "city"
        else:
            odd = [u for u in places if not _CEADS_PROVINCE.match(u)][:3]
            raise DataError(
                f"{p}: cannot tell provinces from cities: actor_id holds {uniq[:3]} … and "
                f"{odd}; pass level='province' (ids such as CN-AH) or level='city' (ids such "
                "as CN AAT)"
            )
        notes.append(f"level detected from actor_id: {level}")
    if level == "province":
        cityish = [u for u in places if _CEADS_CITY.match(u)]
        if cityish:
            raise DataError(
                f"{p}: actor_id holds city ids such as {cityish[:3]}; read it with "
                "level='city'"
            )
        match = resolve_units(places, kind="province", drop_aggregates=True,
                              where=f"{p}, column 'actor_id'")
        mapping = dict(match.mapping)
        dropped = set(match.dropped) | (set(uniq) & _CEADS_NATIONAL)
        unit_kind = "province"
    else:
        mapping = {u: u for u in places}
        dropped = set(uniq) & _CEADS_NATIONAL
        unit_kind = "none"
        notes.append("city ids kept as written in actor_id")
    if dropped:
        notes.append(f"national or aggregate rows {sorted(dropped)} set aside (not places)")
    keep = np.asarray([i not in dropped for i in ids], bool)
    idx = np.flatnonzero(keep)
    units = np.asarray([mapping[ids[i]] for i in idx], dtype=object)
    periods = np.asarray(normalise_period(raw[cols["year"]].iloc[idx].tolist(), "year"),
                         dtype=object)
    sub_rows = rows[idx]
    report = ConversionReport()

    def where(ix: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({"row": sub_rows[ix], "unit": units[ix], "period": periods[ix],
                             "indicator": "co2"})

    vals, _ = _numeric(raw[cols["total_emissions"]].iloc[idx], where, report)
    err = _duplicate_error(
        pd.DataFrame({"unit": units, "period": periods, "file": str(p), "row": sub_rows}),
        str(p), "(place, year)")
    if err is not None:
        raise err
    long = pd.DataFrame({"unit": units, "period": periods, "indicator": "co2", "value": vals})
    panel = Panel.from_long(long, source=str(p))
    ds: list[str] = []
    if "datasource_id" in cols:
        ds = [str(v).strip() for v in
              pd.unique(raw[cols["datasource_id"]].iloc[idx].astype(object))
              if isinstance(v, str) and v.strip()]
    what = ("provinces" if level == "province" else "cities")
    meta = dict(panel.meta)
    meta.update(
        source=str(p),
        reader="read_ceads",
        dataset=f"CEADs CO2 emission inventories of Chinese {what}",
        level=level,
        datasource_id="; ".join(ds) or None,
        licence=_CEADS_LICENCE,
        citation=_CEADS_CITATION[level],
        url=_CEADS_URL,
        encoding=raw.attrs.get("encoding"),
        unit_kind=unit_kind,
        measure_units={"co2": "t"},
        indicator_labels={"co2": "total CO2 emissions, tonnes of CO2 (CEADs inventory, IPCC "
                                 "sectoral approach)"},
        dropped_units=sorted(dropped),
        notes=notes,
        conversions=report,
    )
    return panel.replace(meta=meta)


# ============================================================================ yearbook tables

_ALIASES_FILE = "yearbook_aliases.csv"
_YB_LONG = {
    "province": ("province", "region", "地区", "省份", "省"),
    "year": ("year", "年份", "年度", "年"),
    "value": ("value", "数值", "值"),
    "variables": ("variables", "variable", "code", "指标代码", "变量"),
    "chn_block4": ("chn_block4", "name", "指标", "指标名称"),
    "units": ("units", "unit", "单位", "计量单位"),
}
_YB_ID_COLUMNS = frozenset({"index", "id", "序号", "编号", "level_0"})
_DICT_COLUMNS = {
    "code": ("variables", "variable", "code", "indicator", "指标代码", "代码"),
    "name": ("chn_full_name", "name_zh", "名称", "指标名称"),
    "short": ("chn_block4", "short_name", "name", "指标"),
    "unit": ("units", "unit", "单位", "计量单位"),
    "path": ("chn_full",),
    "name_en": ("short_eng", "name_en", "english"),
    "source": ("source", "来源", "资料来源"),
}
_SEPARATORS = re.compile(r"[\s;；,，、/\\|>＞_\-–—·:：&＆()（）\[\]【】\"“”']+")
_YB_LICENCE = (
    "not stated in the files; official Chinese statistics, to be cited with their yearbook "
    "(the china_sti compilation by the R package techme is MIT-licensed)"
)
_AGREE_ABS = 0.5
_AGREE_REL = 1e-3


@cache
def _bundled_aliases() -> pd.DataFrame:
    with resources.files("nqpf.datasets").joinpath(_ALIASES_FILE).open(
        "r", encoding="utf-8"
    ) as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return df


def yearbook_aliases() -> pd.DataFrame:
    """The bundled corrections of garbled province labels: ``raw, canonical, note``.

    Found by reading every table of the china_sti compilation and listing the labels that
    :func:`~nqpf.panel.names.resolve_units` cannot match: OCR misreadings such as 两藏 (西藏),
    内蒙占 (内蒙古), 山两 (山西), 江四 (江西), 浙汀 (浙江) and 尔部地区 (东部地区, a regional
    aggregate). Each note says where the label occurs and why the correction holds (its place
    in the standard order of provinces, or a sum checked against the provinces).

    Returns
    -------
    DataFrame
        A copy; changing it changes nothing in nqpf.
    """
    return _bundled_aliases().copy()


def _alias_table(aliases: Mapping[str, str] | PathLike | None, bundled: bool
                 ) -> tuple[dict[str, str], set[str]]:
    """(normalised raw -> canonical, keys that come from the user)."""
    out: dict[str, str] = {}
    if bundled:
        for r, c in zip(_bundled_aliases()["raw"], _bundled_aliases()["canonical"],
                        strict=True):
            out[normalise_name(r)] = normalise_name(c)
    user: dict[str, str] = {}
    if aliases is None:
        pass
    elif isinstance(aliases, Mapping):
        user = {normalise_name(k): str(v).strip() for k, v in aliases.items()}
    else:
        p = _file(aliases)
        tab = read_table(p)
        cols = _columns(tab)
        if "raw" not in cols or "canonical" not in cols:
            raise DataError(
                f"{p}: an alias file needs columns raw, canonical (and optionally note); got "
                f"{_shown_columns(tab)}"
            )
        for r, c in zip(tab[cols["raw"]].tolist(), tab[cols["canonical"]].tolist(),
                        strict=True):
            if str(r).strip() and str(c).strip():
                user[normalise_name(r)] = str(c).strip()
    out.update(user)
    return out, set(user)


def _pick(cols: Mapping[str, Any], names: Sequence[str]) -> Any | None:
    for n in names:
        if n in cols:
            return cols[n]
    return None


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v).strip()


@dataclass
class _Table:
    """One yearbook file in long form, names not yet resolved."""

    path: Path
    province: list[str]
    year: list[Any]
    code: list[str]
    value: pd.Series
    label: list[str]
    unit: list[str]
    rows: np.ndarray
    layout: str
    encoding: str | None


def _read_yearbook_table(p: Path, encoding: str | None) -> _Table:
    raw = read_table(p, encoding=encoding)
    cols = _columns(raw)
    c = {role: _pick(cols, names) for role, names in _YB_LONG.items()}
    expected = (
        "expected a long yearbook export with columns province, year, variables (the code), "
        "value (and optionally chn_block4, the Chinese name, and units), as in china_sti's "
        "RDIntense.csv, or a wide table with province, year and one column per indicator"
    )
    if c["province"] is None or c["year"] is None:
        if c["variables"] is not None and c["province"] is None and (
            "chn_full_name" in cols or "chn_block4" in cols
        ):
            raise DataError(
                f"{p}: this is a variable dictionary (varsList.csv), not a data table; pass it "
                "as dictionary=... (--dictionary)"
            )
        raise DataError(f"{p}: not a yearbook table: {expected}; got columns "
                        f"{_shown_columns(raw)}")
    rows = _rows(raw)
    province = [_text(v) for v in raw[c["province"]].astype(object).tolist()]
    year = raw[c["year"]].tolist()
    if c["variables"] is not None and c["value"] is not None:
        n = len(raw)
        label = ([_text(v) for v in raw[c["chn_block4"]].astype(object).tolist()]
                 if c["chn_block4"] is not None else [""] * n)
        unit = ([_text(v) for v in raw[c["units"]].astype(object).tolist()]
                if c["units"] is not None else [""] * n)
        code = [_text(v) for v in raw[c["variables"]].astype(object).tolist()]
        nocode = [i for i, v in enumerate(code) if not v]
        if nocode:
            at = ", ".join(str(int(rows[i])) for i in nocode[:5])
            raise DataError(f"{p}: {len(nocode)} row(s) have no variable code (file row {at})")
        return _Table(p, province, year, code, raw[c["value"]].reset_index(drop=True), label,
                      unit, rows, "long", raw.attrs.get("encoding"))
    if c["variables"] is not None or c["value"] is not None:
        raise DataError(f"{p}: not a yearbook table: {expected}; got columns "
                        f"{_shown_columns(raw)} (one of variables/value is missing)")
    used = {c["province"], c["year"]}
    inds = [col for col in raw.columns if col not in used and _key(col) not in _YB_ID_COLUMNS
            and not _key(col).startswith("unnamed:")]
    if not inds:
        raise DataError(f"{p}: not a yearbook table: {expected}; got columns "
                        f"{_shown_columns(raw)} (no indicator column)")
    n = len(raw)
    parts_code, parts_val = [], []
    for col in inds:
        parts_code += [f"{p.stem}_{_key(col)}"] * n
        parts_val.append(raw[col].astype(object))
    k = len(inds)
    return _Table(
        p, province * k, year * k, parts_code,
        pd.concat(parts_val, ignore_index=True), [str(col) for col in inds for _ in range(n)],
        [""] * (n * k), np.tile(rows, k), "wide", raw.attrs.get("encoding"),
    )


def _resolve_names(
    t: _Table, alias: Mapping[str, str], user_keys: set[str]
) -> tuple[list[str], list[bool], list[dict[str, Any]]]:
    """Unit id (or aggregate name) and aggregate flag per row, and the corrections made."""
    norm = [normalise_name(v) for v in t.province]
    empty = [i for i, v in enumerate(norm) if not v]
    if empty:
        at = ", ".join(str(int(t.rows[i])) for i in empty[:5])
        raise DataError(f"{t.path}: {len(empty)} row(s) have no province name (file row {at}); "
                        "fill them in or delete them")
    uniq = list(dict.fromkeys(norm))
    target = {u: alias.get(u, u) for u in uniq}
    user_targets = list(dict.fromkeys(target[u] for u in uniq if u in user_keys))
    plain = list(dict.fromkeys(target[u] for u in uniq if u not in user_keys))
    resolved: dict[str, tuple[str, bool]] = {}
    if plain:
        try:
            m = resolve_units(plain, kind="province", drop_aggregates=True,
                              where=f"{t.path}, column 'province'")
        except UnitNameError as e:
            raise UnitNameError(_with_rows(str(e), t, norm, target)) from e
        for name in plain:
            resolved[name] = (m.mapping[name], False) if name in m.mapping else (name, True)
    for name in user_targets:  # a user's target may be a unit id outside the reference
        try:
            m = resolve_units([name], kind="province", drop_aggregates=True)
            resolved[name] = (m.mapping[name], False) if m.mapping else (name, True)
        except UnitNameError:
            resolved[name] = (name, False)
    fixes = []
    for u in uniq:
        if target[u] != u:
            at = [int(t.rows[i]) for i, v in enumerate(norm) if v == u]
            fixes.append({"file": t.path.name, "raw": u, "canonical": target[u],
                          "by": "user" if u in user_keys else "bundled", "rows": len(at),
                          "first_row": at[0]})
    ids = [resolved[target[v]][0] for v in norm]
    agg = [resolved[target[v]][1] for v in norm]
    return ids, agg, fixes


def _with_rows(msg: str, t: _Table, norm: list[str], target: Mapping[str, str]) -> str:
    parts = []
    for u in dict.fromkeys(norm):
        if repr(target[u]) in msg:
            at = sorted({int(t.rows[i]) for i, v in enumerate(norm) if v == u})
            more = f", … ({len(at)} rows)" if len(at) > 5 else ""
            parts.append(f"{u!r}: row {', '.join(map(str, at[:5]))}{more}")
        if len(parts) == 10:
            break
    hint = (" The bundled corrections (nqpf.sources.readers.yearbook_aliases()) did not cover "
            "these labels; pass aliases={'label': 'province'} to read them.")
    if not parts:
        return msg + hint
    return msg + "\nIn the file (header = row 1): " + "; ".join(parts) + "." + hint


def _read_dictionary(path: PathLike) -> tuple[pd.DataFrame, str]:
    p = _file(path)
    raw = read_table(p)
    cols = _columns(raw)
    c = {role: _pick(cols, names) for role, names in _DICT_COLUMNS.items()}
    if _pick(cols, _YB_LONG["province"]) is not None and _pick(cols, _YB_LONG["value"]):
        raise DataError(
            f"{p}: this is a data table (it has province and value columns), not a variable "
            "dictionary; pass it as a data file, and the dictionary (varsList.csv) as "
            "dictionary=..."
        )
    if c["code"] is None or (c["name"] is None and c["short"] is None):
        raise DataError(
            f"{p}: not a variable dictionary: expected columns variables (the code), "
            "chn_full_name and/or chn_block4 (Chinese names), units, as in china_sti's "
            f"varsList.csv; got columns {_shown_columns(raw)}"
        )

    def col(role: str) -> list[str]:
        return ([_text(v) for v in raw[c[role]].astype(object).tolist()] if c[role] is not None
                else [""] * len(raw))

    blocks = [
        [_text(v) for v in raw[cols[f"chn_block{i}"]].astype(object).tolist()]
        for i in range(1, 5) if f"chn_block{i}" in cols
    ]
    path_zh = col("path")
    block_path = [";".join(t for t in parts if t) for parts in zip(*blocks, strict=True)] \
        if blocks else [""] * len(raw)
    full = col("name")
    short = col("short")
    d = pd.DataFrame({
        "code": col("code"),
        "name_zh": [f or s for f, s in zip(full, short, strict=True)],
        "short_zh": short,
        "unit": col("unit"),
        "path_zh": [a or b for a, b in zip(path_zh, block_path, strict=True)],
        "name_en": col("name_en"),
        "source": col("source"),
    })
    d = d[d["code"] != ""]
    return d.drop_duplicates("code", keep="first").reset_index(drop=True), str(p)


def _match_key(s: object) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(s))).casefold()


@dataclass(frozen=True)
class YearbookResult:
    """What :func:`read_yearbook_long` returns.

    Attributes
    ----------
    panel : Panel
        The 31 provinces (ISO 3166-2 ids such as ``CN-BJ``) × years × variable codes.
    aggregates : Panel or None
        National and regional rows (全国, 东部地区, …) under their whitespace-stripped names
        (corrected by the alias list), same indicators; None when the files have none.
    dictionary : DataFrame
        One row per indicator read: ``code, name_zh, short_zh, unit, path_zh, name_en, source,
        tables, units_in_data, in_dictionary``. ``name_zh`` is the dictionary's full Chinese name
        (``chn_full_name``) or, when it has none, the table label (``chn_block4``); ``path_zh``
        the dictionary's block path (科技;总投入;强度;R&D强度); ``unit`` the dictionary's unit,
        else the unit written in the tables; ``units_in_data`` every unit the tables wrote.
    """

    panel: Panel
    aggregates: Panel | None
    dictionary: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        agg = "none" if self.aggregates is None else repr(list(self.aggregates.units))
        return (f"YearbookResult(panel={self.panel!r}, aggregates={agg}, "
                f"dictionary={len(self.dictionary)} indicators)")

    def select(self, names: str | Sequence[str]) -> list[str]:
        """Variable codes for codes or Chinese names, in the order given.

        A name matches a code exactly, or (after removing spaces and separators such as
        ``;``, ``/``, ``_``, ``&`` and case folding) an indicator's ``name_zh``, its table label
        ``short_zh``, its ``path_zh``, the tail of the path from any level down
        (``专利授权;发明``, ``内部支出合计``, ``R&D强度`` = ``RD强度``), or any of these after
        the name of the table it was read from (``RDPatentValid;发明``), which tells apart
        indicators that share a name in different tables.

        Raises
        ------
        DataError
            For a name matching no indicator (with the closest names and their codes) or
            several (each with its table and a name that picks it alone).
        """
        asked = [names] if isinstance(names, str) else list(names)
        d = self.dictionary
        index: dict[str, list[str]] = {}
        shown: dict[str, str] = {}
        forms_of: dict[str, list[str]] = {}
        for row in d.itertuples(index=False):
            parts = [t for t in re.split(r"[;；]", str(row.path_zh)) if t]
            tails = [";".join(parts[i:]) for i in range(len(parts))]
            base = [str(f) for f in dict.fromkeys(
                [row.code, row.name_zh, row.short_zh, *tails]) if f]
            tables = [t.strip() for t in str(row.tables).split(",") if t.strip()]
            forms = base + [f"{t};{f}" for t in tables for f in base if f != row.code]
            forms_of[row.code] = forms
            for f in forms:
                k = _match_key(f)
                if k and row.code not in index.setdefault(k, []):
                    index[k].append(row.code)
                    shown.setdefault(k, f)
        out: list[str] = []
        codes = set(d["code"])
        for name in asked:
            if name in codes:
                out.append(name)
                continue
            hits = index.get(_match_key(name), [])
            if len(hits) == 1:
                out.append(hits[0])
                continue
            if hits:
                info = d.set_index("code")
                cands = []
                for h in hits[:10]:
                    alone = sorted((f for f in forms_of[h] if len(index[_match_key(f)]) == 1
                                    and f != h), key=len)
                    pick = f", or {alone[0]!r}" if alone else ""
                    cands.append(f"{h} ({info.at[h, 'path_zh'] or info.at[h, 'name_zh']}, "
                                 f"table {info.at[h, 'tables']}{pick})")
                more = f" and {len(hits) - 10} more" if len(hits) > 10 else ""
                raise DataError(
                    f"indicator name {name!r} is ambiguous: it names {len(hits)} indicators: "
                    + "; ".join(cands) + f"{more}. Give the code or a name that picks one."
                )
            close = difflib.get_close_matches(_match_key(name), list(index), n=15, cutoff=0.4)
            by_code: dict[str, str] = {}
            for k in close:
                by_code.setdefault("/".join(index[k][:3]), shown[k])
            sugg = ", ".join(f"{f!r} ({c})" for c, f in list(by_code.items())[:5])
            raise DataError(
                f"no indicator named {name!r} among the {len(d)} read"
                + (f"; did you mean {sugg}?" if sugg else "; see result.dictionary")
            )
        return out


def _paths(path: PathLike | Sequence[PathLike]) -> list[Path]:
    if isinstance(path, str | os.PathLike):
        return [_file(path)]
    got = [_file(x) for x in path]
    if not got:
        raise DataError("no yearbook file given")
    return list(dict.fromkeys(got))


def _agree(a: float, b: float) -> bool:
    diff = abs(a - b)
    return diff <= _AGREE_ABS and diff <= _AGREE_REL * max(abs(a), abs(b))


def _merge_duplicates(
    long: pd.DataFrame, duplicates: str
) -> tuple[pd.DataFrame, int, list[str]]:
    """One row per (unit, period, indicator); returns (rows, overlaps kept, notes)."""
    keys = ["unit", "period", "indicator"]
    dup = long.duplicated(keys, keep=False).to_numpy()
    if not dup.any():
        return long, 0, []
    drop: list[int] = []
    conflicts: list[str] = []
    agreed = 0
    tables: set[tuple[str, ...]] = set()
    for _, grp in long[dup].groupby(keys, sort=False):
        vals = grp["value"].to_numpy()
        have = ~np.isnan(vals)
        order = grp.index.to_numpy()
        tables.add(tuple(dict.fromkeys(grp["file"])))
        if have.sum() <= 1:
            keep_at = order[have][0] if have.any() else order[0]
        elif all(_agree(vals[have][0], v) for v in vals[have][1:]):
            keep_at = order[have][0]
            agreed += 1
        elif duplicates == "error":
            if len(conflicts) < 5:
                at = ", ".join(f"{f} row {r}: {v:g}" for f, r, v in
                               zip(grp["file"], grp["row"], vals, strict=True))
                u, t, k = grp.iloc[0][keys]
                conflicts.append(f"{u} {t} {k} ({at})")
            else:
                conflicts.append("")
            continue
        else:
            pick = order[have][0] if duplicates == "first" else order[have][-1]
            keep_at = pick
        drop += [i for i in order if i != keep_at]
    if conflicts:
        shown = "; ".join(c for c in conflicts if c)
        raise DataError(
            f"{len(conflicts)} (province, year, variable) cell(s) have different values in "
            f"different rows or tables, e.g. {shown}. Check the tables, or pass "
            "duplicates='first' or 'last' (--duplicates) to keep one (in the order the files "
            "were given)"
        )
    notes = []
    for files in sorted(tables):
        if len(files) > 1:
            notes.append(f"tables {', '.join(files)} repeat the same variables")
    if agreed:
        notes.append(
            f"{agreed} repeated cells agree to rounding (within {_AGREE_ABS} and "
            f"{_AGREE_REL:.1%}); the first file's value was kept"
        )
    return long.drop(index=drop), agreed, notes


def _build(long: pd.DataFrame, src: str) -> Panel:
    return Panel.from_long(long[["unit", "period", "indicator", "value"]], source=src)


def read_yearbook_long(
    path: PathLike | Sequence[PathLike],
    dictionary: PathLike | None = None,
    aliases: Mapping[str, str] | PathLike | None = None,
    *,
    bundled_aliases: bool = True,
    duplicates: Literal["error", "first", "last"] = "error",
    encoding: str | None = None,
) -> YearbookResult:
    """Read long yearbook exports (one or several tables) into a province panel.

    Each file is a long table ``province, year, chn_block4, value, units, variables`` (the
    china_sti layout; ``chn_block4`` and ``units`` are optional), or a wide table with
    ``province, year`` and one column per indicator (codes ``<file stem>_<column>``; index
    columns such as ``index``/``id`` are skipped). Indicators are the variable codes.

    Parameters
    ----------
    path : path or sequence of paths
        CSV (UTF-8 or GBK), xlsx, parquet or dta files.
    dictionary : path, optional
        The variable dictionary (china_sti's ``varsList.csv``: ``variables, chn_full_name,
        units, chn_block1…4, chn_full, short_eng, source``). Without it the Chinese names and
        units come from the tables' ``chn_block4`` and ``units`` columns.
    aliases : dict or path, optional
        Corrections of province labels, ``{"raw": "canonical"}`` or a CSV with columns
        ``raw, canonical``; keys are compared after whitespace removal. They override the
        bundled list. A canonical name may be a province (any form
        :func:`~nqpf.panel.names.resolve_units` knows), an aggregate (全国, 东部地区, …: the rows
        go to ``aggregates``) or any other id, kept verbatim as a unit.
    bundled_aliases : bool
        Apply the bundled corrections (:func:`yearbook_aliases`) of OCR-garbled labels found in
        the china_sti compilation (两藏, 内蒙占, 山两, 江两, 江四, 浙汀, 四藏, 尔部地区).
    duplicates : {"error", "first", "last"}
        A (province, year, variable) cell given twice (within a file or in two tables, as
        china_sti's RDActivity and RDSource both hold ``v4_zh_nbzc_hj``) with values that agree
        to rounding (differ by at most 0.5 and 0.1 %, e.g. 4317510.7 and 4317511) keeps the first
        file's value and is counted in the notes. Values that differ more raise a DataError,
        unless ``first`` or ``last`` (in the order of the files) is asked for.
    encoding : str, optional
        Text encoding of the tables; detected per file when omitted.

    Returns
    -------
    YearbookResult
        ``panel`` (provinces), ``aggregates`` (national and regional rows, never mixed into the
        provinces), ``dictionary``, and :meth:`YearbookResult.select` to pick indicators by
        Chinese name. Both panels' ``meta`` hold ``notes``, ``corrections`` (every label
        corrected, with file and row), ``measure_units``, ``indicator_labels`` (Chinese names),
        ``unit_notes`` (units written differently across years or from the dictionary),
        ``licence`` and ``citation``.

    Raises
    ------
    DataError
        A file of another layout (the message names the expected columns), the dictionary
        passed as data, rows without province or code, conflicting repeated cells.
    UnitNameError
        Province labels that are neither provinces, aggregates nor corrected by an alias (the
        message lists them with file rows and the closest provinces).
    """
    if duplicates not in ("error", "first", "last"):
        raise DataError(f"duplicates={duplicates!r}: use 'error', 'first' or 'last'")
    files = _paths(path)
    alias, user_keys = _alias_table(aliases, bundled_aliases)
    parts: list[pd.DataFrame] = []
    report = ConversionReport()
    corrections: list[dict[str, Any]] = []
    label_of: dict[str, str] = {}
    units_seen: dict[str, dict[str, list[Any]]] = {}
    tables_of: dict[str, list[str]] = {}
    notes: list[str] = []
    encodings: list[str] = []
    for p in files:
        t = _read_yearbook_table(p, encoding)
        encodings.append(str(t.encoding))
        ids, agg, fixes = _resolve_names(t, alias, user_keys)
        corrections += fixes
        periods = normalise_period(t.year, "year")
        units_arr = np.asarray(ids, dtype=object)
        per_arr = np.asarray(periods, dtype=object)
        code_arr = np.asarray(t.code, dtype=object)

        def where(ix: np.ndarray, t: _Table = t, u: np.ndarray = units_arr,
                  per: np.ndarray = per_arr, code: np.ndarray = code_arr) -> pd.DataFrame:
            return pd.DataFrame({"file": t.path.name, "row": t.rows[ix], "unit": u[ix],
                                 "period": per[ix], "indicator": code[ix]})

        vals, _ = _numeric(t.value, where, report)
        parts.append(pd.DataFrame({
            "unit": units_arr, "period": per_arr, "indicator": code_arr, "value": vals,
            "aggregate": np.asarray(agg, bool), "file": t.path.name, "row": t.rows,
        }))
        for code, lab, unit, yr in zip(t.code, t.label, t.unit, periods, strict=True):
            if lab:
                label_of.setdefault(code, lab)
            if unit:
                units_seen.setdefault(code, {}).setdefault(unit, []).append(yr)
            tabs = tables_of.setdefault(code, [])
            if p.stem not in tabs:
                tabs.append(p.stem)
        if t.layout == "wide":
            notes.append(f"{p.name}: wide table; indicator codes are <file stem>_<column>")
    long = pd.concat(parts, ignore_index=True)
    long, _, dup_notes = _merge_duplicates(long, duplicates)
    notes += dup_notes

    # dictionary
    dict_src = None
    known = pd.DataFrame(columns=["code", "name_zh", "short_zh", "unit", "path_zh", "name_en",
                                  "source"])
    if dictionary is not None:
        known, dict_src = _read_dictionary(dictionary)
    info = known.set_index("code")
    codes = list(dict.fromkeys(long["indicator"]))
    recs = []
    unit_notes: list[str] = []
    absent: list[str] = []
    for code in codes:
        seen = units_seen.get(code, {})
        written = sorted(seen, key=lambda u: -len(seen[u]))
        in_dict = code in info.index
        if in_dict:
            r = info.loc[code]
            name, short, unit = r["name_zh"], r["short_zh"] or label_of.get(code, ""), r["unit"]
            path_zh, name_en, source = r["path_zh"], r["name_en"], r["source"]
        else:
            if dictionary is not None:
                absent.append(code)
            name = short = label_of.get(code, "")
            unit = written[0] if written else ""
            path_zh = name_en = source = ""
        odd = {u: sorted(set(seen[u])) for u in seen if u != unit}
        if odd:
            where_ = "; ".join(f"{u!r} in {', '.join(map(str, ys))}" for u, ys in odd.items())
            unit_notes.append(
                f"{code}: unit {unit!r}" + (" (dictionary)" if in_dict and unit else "")
                + f", but the tables write {where_}; values are kept as written, check them"
            )
        recs.append({
            "code": code, "name_zh": name, "short_zh": short, "unit": unit,
            "path_zh": path_zh, "name_en": name_en, "source": source,
            "tables": ", ".join(tables_of.get(code, [])),
            "units_in_data": "; ".join(written), "in_dictionary": in_dict,
        })
    dict_df = pd.DataFrame(recs, columns=["code", "name_zh", "short_zh", "unit", "path_zh",
                                          "name_en", "source", "tables", "units_in_data",
                                          "in_dictionary"])
    if absent:
        notes.append(f"{len(absent)} code(s) not in the dictionary, named from the tables: "
                     f"{absent[:10]}")
    if corrections:
        shown = ", ".join(dict.fromkeys(f"{c['raw']}→{c['canonical']}" for c in corrections))
        notes.append(f"province labels corrected: {shown}")

    src = "; ".join(str(p) for p in files)
    prov = long[~long["aggregate"].to_numpy()]
    aggr = long[long["aggregate"].to_numpy()]
    if prov.empty:
        raise DataError(f"{src}: every row is a national or regional aggregate; no province "
                        "rows to read")
    agg_names = list(dict.fromkeys(aggr["unit"]))
    if agg_names:
        notes.append(f"aggregate rows set apart: {agg_names}")
    yb_sources = [s for s in dict.fromkeys(dict_df["source"]) if s]
    citation = (
        "the statistical yearbook tables exported in long form"
        + (f" (sources named by the dictionary: {', '.join(yb_sources)})" if yb_sources else "")
        + "; for china_sti: China Statistical Yearbook on Science and Technology and China "
        "Statistical Yearbook (National Bureau of Statistics of China), compiled by the R "
        "package techme"
    )
    measure = {r.code: r.unit for r in dict_df.itertuples() if r.unit}
    labels = {r.code: r.name_zh for r in dict_df.itertuples() if r.name_zh}
    common = {
        "reader": "read_yearbook_long",
        "dataset": "Chinese statistical yearbook tables (long export)",
        "licence": _YB_LICENCE,
        "citation": citation,
        "url": None,
        "files": [p.name for p in files],
        "dictionary": dict_src,
        "encoding": "; ".join(dict.fromkeys(encodings)),
        "measure_units": measure,
        "indicator_labels": labels,
        "unit_notes": unit_notes,
        "corrections": corrections,
        "notes": notes,
        "conversions": report,
    }

    def finish(part: pd.DataFrame, kind: str, order: Sequence[str] | None = None) -> Panel:
        panel = _build(part, src)
        if order is not None:  # the provinces' indicators, in their order, then any others
            missing = [k for k in order if k not in panel.indicators]
            if missing:
                n_u, n_t, n_k = panel.shape
                panel = Panel(
                    np.concatenate([panel.values, np.full((n_u, n_t, len(missing)), np.nan)], 2),
                    panel.units, panel.periods, panel.indicators + tuple(missing),
                    meta=panel.meta,
                )
            extra = [k for k in panel.indicators if k not in order]
            panel = panel.sel(indicators=list(order) + extra)
        meta = dict(panel.meta)
        meta.update(common, source=src, unit_kind=kind)
        meta["measure_units"] = {k: v for k, v in measure.items() if k in panel.indicators}
        meta["indicator_labels"] = {k: v for k, v in labels.items() if k in panel.indicators}
        return panel.replace(meta=meta)

    panel = finish(prov, "province")
    aggregates = finish(aggr, "aggregate", panel.indicators) if not aggr.empty else None
    return YearbookResult(panel=panel, aggregates=aggregates, dictionary=dict_df)

