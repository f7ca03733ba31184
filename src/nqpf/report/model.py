"""What a study produces, in the order a report reads: sections of text, tables and figures.

The study runner (:mod:`nqpf.study.runner`) fills these; the writers of
:mod:`nqpf.report.tables` and :mod:`nqpf.report.html` turn them into files. Text
is held in the study's language already; names (``key``, ``name``) are ASCII
and stable, so that scripts can rely on the file names derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class TableItem:
    """One table of results.

    ``name`` is the stable file stem (``scores_by_year``), ``title`` the caption
    in the study's language, ``frame`` the data (columns already labelled for
    readers), ``note`` a source or method note printed under the table, and
    ``digits`` the decimals shown in formatted outputs (the CSV keeps full
    precision). ``in_report=False`` keeps a long detail table out of the HTML
    report (it is still written to the workbook and ``tables/``); a table longer
    than the report shows is listed in the report's appendix of detailed tables
    instead. ``data``, when set, is the same table with nqpf's stable column names and
    codes (``unit``, ``effective_weight``, ``optimal``): the CSV and Stata files hold it,
    for scripts, while ``frame`` is labelled for readers (report, workbook, LaTeX).
    ``hidden`` names columns (as labelled) that the report and the Word
    document leave out, such as codes beside names; the workbook keeps them.
    """

    name: str
    title: str
    frame: pd.DataFrame
    note: str = ""
    digits: int = 4
    index: bool = False
    in_report: bool = True
    hidden: tuple[str, ...] = ()
    data: pd.DataFrame | None = None


@dataclass
class FigureItem:
    """One figure already saved to disk: ``paths`` maps a format (png, svg, pdf) to its file."""

    name: str
    title: str
    paths: dict[str, Path]
    note: str = ""


@dataclass
class Section:
    """One section of the report (``key`` such as ``index``, ``tfp``, ``disparity``).

    Paragraphs may cite a table as ``{tbl:<name>}``; the report writers replace it
    with the table's number ("表 3", "Table 3") or, for a table kept out of the
    report, with its file (``tables/<name>.csv``).
    """

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[TableItem] = field(default_factory=list)
    figures: list[FigureItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class StudyOutput:
    """Everything a run produced: title, language, sections and the manifest dictionary."""

    title: str
    lang: str
    sections: list[Section]
    manifest: dict = field(default_factory=dict)
    subtitle: str = ""

    def tables(self) -> list[TableItem]:
        return [t for s in self.sections for t in s.tables]

    def figures(self) -> list[FigureItem]:
        return [f for s in self.sections for f in s.figures]
