"""Where each table of a study goes in a report, and how the text cites it.

The HTML report and the Word document lay a :class:`~nqpf.report.model.StudyOutput`
out the same way: a table short enough to read (at most :data:`MAX_ROWS` rows)
is printed in its section and numbered (表 1, Table 1); a longer table, or one a
section keeps out of the text (``in_report=False``), is listed in the appendix of
detailed tables (附表 1, Table A1) with its file, since the workbook and
``tables/`` hold it whole. Paragraphs cite tables as ``{tbl:<name>}``;
:meth:`Layout.text` replaces each citation by the table's number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from .i18n import normalise_lang, t
from .model import Section, StudyOutput, TableItem
from .tables import table_frame

__all__ = ["MAX_ROWS", "Layout", "layout"]

#: Rows of a table printed in a section; longer tables go to the appendix.
MAX_ROWS = 40

_REF = re.compile(r"\{tbl:([A-Za-z0-9_.-]+)\}")


@dataclass
class Layout:
    """Table numbers of one report: ``shown`` (name → number in the text) and ``details``
    (the appendix's tables, in order, with their sections), and the figures' numbers."""

    lang: str
    shown: dict[str, int] = field(default_factory=dict)
    details: list[tuple[TableItem, Section]] = field(default_factory=list)
    #: id(section) → the number of its first figure
    figures: dict[int, int] = field(default_factory=dict)

    def in_text(self, item: TableItem) -> bool:
        return item.name in self.shown

    def label(self, name: str) -> str:
        """How the text names table ``name``: 表 3 / Table 3, 附表 2 / Table A2, or its file."""
        if name in self.shown:
            return t("report.table", self.lang, n=self.shown[name])
        for k, (item, _sec) in enumerate(self.details, start=1):
            if item.name == name:
                return t("report.appendix_table", self.lang, n=k)
        return f"tables/{name}.csv"

    def text(self, paragraph: str) -> str:
        """A paragraph with its ``{tbl:<name>}`` citations replaced by table numbers."""
        return _REF.sub(lambda m: self.label(m.group(1)), str(paragraph))

    def section_details(self, sec: Section) -> list[str]:
        """The appendix labels of a section's detailed tables."""
        return [self.label(item.name) for item, s in self.details if s is sec]


def layout(output: StudyOutput, max_rows: int = MAX_ROWS) -> Layout:
    """Number the tables of ``output``: those printed in the text and the appendix's."""
    lay = Layout(lang=normalise_lang(output.lang))
    n = 0
    f = 1
    for sec in output.sections:
        lay.figures[id(sec)] = f
        f += len(sec.figures)
        for item in sec.tables:
            if item.in_report and len(item.frame) <= max_rows:
                n += 1
                lay.shown[item.name] = n
            else:
                lay.details.append((item, sec))
    return lay


def visible_frame(item: TableItem) -> pd.DataFrame:
    """The table as a report prints it: :func:`~nqpf.report.tables.table_frame` without the
    columns the item hides."""
    df = table_frame(item)
    drop = [c for c in df.columns if str(c) in set(item.hidden)]
    return df.drop(columns=drop)
