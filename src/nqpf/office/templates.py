"""Excel templates for one provider or region and one period, with Chinese headers.

Sheet ``填报`` has one row per (unit, indicator) the user submits, pre-filled
with the unit, the indicator, its unit of measure, last period's current value
and the target; the user types the value in ``本期值`` and may write in
``备注（说明）`` (a note, which also serves as the explanation of a warning).
A hidden sheet ``_meta`` records the period, the framework version and its
hash and whom the template is for, so that an upload of a template of another
period or framework version is refused (:mod:`.uploads`).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from .models import FrameworkVersion, Indicator, Period, Unit

SHEET = "填报"
META_SHEET = "_meta"
HEADERS = ("地区代码", "地区", "指标代码", "指标", "计量单位", "上期值", "目标值", "本期值",
           "备注（说明）")
VALUE_COL = HEADERS.index("本期值") + 1
NOTE_COL = HEADERS.index("备注（说明）") + 1
HEADER_ROW = 3
WIDTHS = (12, 14, 16, 36, 12, 14, 12, 14, 36)


def build_template(
    period: Period,
    version: FrameworkVersion,
    rows: list[tuple[Unit, Indicator]],
    previous: dict[tuple[int, str], float],
    *,
    scope: str,
    title: str,
) -> bytes:
    """The template as xlsx bytes; ``rows`` are the (unit, indicator) pairs to fill."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.cell(1, 1, f"{period.key} 年度数据填报表 · {title}" if period.kind == "year"
            else f"{period.key} 季度数据填报表 · {title}")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(2, 1, f"指标体系：{version.name}（{version.code} 第 {version.version} 版）。"
                  "请只填写“本期值”列；数值变动较大时请在“备注（说明）”列说明原因。")
    ws.cell(2, 1).font = Font(size=10, color="555555")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, h in enumerate(HEADERS, start=1):
        c = ws.cell(HEADER_ROW, j, h)
        c.font = Font(bold=True)
        c.fill = fill
        c.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS[j - 1]
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    for r, (unit, ind) in enumerate(rows, start=HEADER_ROW + 1):
        prev = previous.get((unit.id, ind.code))
        vals = (unit.code, unit.name, ind.code, ind.name_zh, ind.unit, prev, ind.target, None,
                None)
        for j, v in enumerate(vals, start=1):
            c = ws.cell(r, j, v)
            if j in (VALUE_COL, NOTE_COL):
                c.fill = input_fill
                c.protection = Protection(locked=False)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    meta = wb.create_sheet(META_SHEET)
    for k, (key, val) in enumerate((
        ("period", period.key),
        ("framework", version.code),
        ("version", version.version),
        ("framework_sha256", version.spec_sha256),
        ("scope", scope),
        ("generated_at", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
    ), start=1):
        meta.cell(k, 1, key)
        meta.cell(k, 2, val)
    meta.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
