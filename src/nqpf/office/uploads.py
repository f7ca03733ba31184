"""Reading an uploaded template safely.

Before openpyxl sees a byte of it, an upload is checked as a container:

- its size is at most ``upload_max_bytes`` (the API stops reading past it);
- macro-enabled workbooks are refused by name (``.xlsm``, ``.xltm``, ``.xlsb``,
  ``.xls``) and by content (a ``vbaProject.bin`` part or a macro-enabled content
  type), whatever the file is called;
- it is a zip archive with at most ``zip_members_max`` members whose declared
  uncompressed sizes sum to at most ``unzipped_max_bytes`` and whose members
  each expand at most ``zip_ratio_max`` times (zip bombs); each member is read
  with a hard cap on the bytes actually inflated, so a lying header gains
  nothing;
- every XML part is parsed with defusedxml with DTDs forbidden, which refuses
  entity expansion ("billion laughs") and external entities.

Then the ``填报`` sheet is read into :class:`~nqpf.office.checks.RawValue` rows
and the hidden ``_meta`` sheet tells which period and framework version the
template belongs to.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .checks import RawValue
from .errors import Invalid, TooLarge
from .settings import Settings
from .templates import HEADER_ROW, HEADERS, META_SHEET, SHEET

MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xls", ".xla", ".xlam")


@dataclass(frozen=True)
class Limits:
    upload_max_bytes: int
    unzipped_max_bytes: int
    zip_ratio_max: float
    zip_members_max: int

    @classmethod
    def of(cls, s: Settings) -> Limits:
        return cls(s.upload_max_bytes, s.unzipped_max_bytes, s.zip_ratio_max, s.zip_members_max)


DEFAULT_LIMITS = Limits.of(Settings())


def check_xlsx_container(content: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise Invalid or TooLarge unless ``content`` is a plain, harmless xlsx archive."""
    name = PurePath(filename or "upload").name
    if len(content) > limits.upload_max_bytes:
        raise TooLarge(f"{name}: {len(content)} bytes, more than the limit of "
                       f"{limits.upload_max_bytes} bytes")
    if name.lower().endswith(MACRO_SUFFIXES):
        raise Invalid(f"{name}: workbooks with macros (.xlsm, .xlsb, .xls) are refused; "
                      "save the template as .xlsx (Excel 工作簿) and upload again")
    if not name.lower().endswith(".xlsx"):
        raise Invalid(f"{name}: upload the .xlsx template downloaded from the office")
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Invalid(f"{name}: not a valid .xlsx file (it is not a zip archive; "
                      "it may be damaged or of another format)") from None
    if len(infos) > limits.zip_members_max:
        raise Invalid(f"{name}: {len(infos)} parts in the archive, more than "
                      f"{limits.zip_members_max}; this is not a normal template")
    total = sum(i.file_size for i in infos)
    if total > limits.unzipped_max_bytes:
        raise TooLarge(f"{name}: expands to {total} bytes, more than the limit of "
                       f"{limits.unzipped_max_bytes}; refused as a possible zip bomb")
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise Invalid(f"{name}: the workbook contains macros (vbaProject.bin); refused")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise Invalid(f"{name}: not an Excel workbook (no workbook part in the archive)")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > limits.zip_ratio_max \
                and info.file_size > 1_000_000:
            raise TooLarge(f"{name}: part {info.filename} expands "
                           f"{info.file_size / info.compress_size:.0f} times; refused as a "
                           "possible zip bomb")
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        data = _read_capped(zf, info, limits.unzipped_max_bytes, name)
        try:
            safe_fromstring(data, forbid_dtd=True)
        except DefusedXmlException:
            raise Invalid(f"{name}: part {info.filename} declares a DTD or XML entities; "
                          "refused (XML entity attack defence)") from None
        except Exception:  # noqa: BLE001 - any XML parse error means a damaged workbook
            raise Invalid(f"{name}: part {info.filename} is not well-formed XML; "
                          "the file is damaged") from None
        if info.filename == "[Content_Types].xml" and b"macroEnabled" in data:
            raise Invalid(f"{name}: the workbook is macro-enabled; refused")


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, name: str) -> bytes:
    try:
        with zf.open(info) as f:
            data = f.read(cap + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Invalid(f"{name}: part {info.filename} cannot be unpacked; the file is "
                      "damaged") from None
    if len(data) > cap:
        raise TooLarge(f"{name}: part {info.filename} expands beyond {cap} bytes; refused")
    return data


def read_template(content: bytes, filename: str,
                  limits: Limits = DEFAULT_LIMITS) -> tuple[dict[str, str], list[RawValue]]:
    """The template's metadata and its value rows (blank rows skipped)."""
    check_xlsx_container(content, filename, limits)
    name = PurePath(filename).name
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many types for damaged files
        raise Invalid(f"{name}: the workbook cannot be read ({type(e).__name__}); "
                      "download a fresh template and fill it in") from None
    try:
        if SHEET not in wb.sheetnames or META_SHEET not in wb.sheetnames:
            raise Invalid(f"{name}: no sheet {SHEET!r} with its hidden {META_SHEET!r} part; "
                          "this is not a template from this office (download one first)")
        meta = {str(r[0]): str(r[1]) for r in wb[META_SHEET].iter_rows(values_only=True)
                if r and r[0] is not None and len(r) > 1}
        rows = list(wb[SHEET].iter_rows(min_row=HEADER_ROW, values_only=True))
    finally:
        wb.close()
    if not rows or tuple(str(x).strip() if x is not None else "" for x in
                         rows[0][: len(HEADERS)]) != HEADERS:
        raise Invalid(f"{name}: row {HEADER_ROW} of sheet {SHEET} must hold the headers "
                      f"{' | '.join(HEADERS)}; do not move or rename columns")
    vcol, ncol = HEADERS.index("本期值"), HEADERS.index("备注（说明）")
    letter = get_column_letter(vcol + 1)
    out: list[RawValue] = []
    for k, r in enumerate(rows[1:], start=HEADER_ROW + 1):
        r = tuple(r) + (None,) * (len(HEADERS) - len(r))
        unit, ind = _text(r[0]), _text(r[2])
        if not unit and not ind and r[vcol] is None:
            continue
        out.append(RawValue(unit=unit, indicator=ind, raw=_raw(r[vcol]),
                            note=_text(r[ncol]), row=k, cell=f"{letter}{k}"))
    return meta, out


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _raw(v: Any) -> Any:
    if isinstance(v, str) and not v.strip():
        return None
    return v
