"""What every section builder of a study shares: the run context, labels and figure saving."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError, NqpfError
from ..report.i18n import t
from ..report.model import FigureItem, Section, TableItem

#: Columns that every section labels the same way (``col.*`` strings of the report).
COLUMNS = ("unit", "name", "period", "score", "rank", "group")


def tr(key: str, lang: str) -> str:
    """The fixed text ``key`` in ``lang``."""
    return t(f"col.{key}" if key in COLUMNS else f"section.{key}", lang)


def zh_en(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


@dataclass
class Context:
    """The state of one run, passed from section to section."""

    study: Any  # nqpf.study.load.Study
    lang: str
    out: Path
    force: bool
    seed: int
    framework: Any = None
    raw: Any = None  # Panel of the series read (after derive)
    clean: Any = None  # raw series over the study's periods and units, imputed
    indicators: Any = None  # Panel of the framework's indicators (prepared)
    index: Any = None  # IndexResult
    groups: dict[str, str] | None = None
    groups_name: str = ""
    inputs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    geometry: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self):
        return self.study.spec

    def label(self, unit: Any) -> str:
        from ..datasets.reference import unit_label

        return unit_label(str(unit), self.lang)

    def named(self, df: pd.DataFrame, col: str = "unit") -> pd.DataFrame:
        """``df`` with a name column after ``col`` (unit names in the study's language)."""
        out = df.copy()
        out.insert(list(out.columns).index(col) + 1, "name", [self.label(u) for u in out[col]])
        return out

    def names(self) -> dict[str, str]:
        """Ids a reader should not see → names in the study's language: the framework's
        nodes (index, dimensions, sub-dimensions, indicators) and the data series that have
        a name (a framework indicator read straight from the series, or the source's own
        label)."""
        fw = self.framework
        lang = self.lang
        out: dict[str, str] = {}
        for s, pair in (self.params.get("series_names") or {}).items():
            out[s] = pair[0] if lang == "zh" else pair[1]
        for i in fw.indicators:
            if not i.denominator and not i.log and i.scale in (None, 1, 1.0):
                out.setdefault(i.series, i.name(lang))
        out["index"] = fw.name_zh if lang == "zh" else fw.name_en
        for d in fw.dimensions:
            out[d.id] = d.name(lang)
            for c in d.children or []:
                out[c.id] = c.name(lang)
        for i in fw.indicators:
            out[i.id] = i.name(lang)
        return out

    def series_name(self, series: str) -> str:
        """A data series by its name in the study's language (its code when it has none)."""
        return self.names().get(series, series)

    # ------------------------------------------------------------------ figures
    def figures_enabled(self) -> bool:
        return bool(self.spec.outputs.figures)

    def figure(
        self,
        section: Section,
        name: str,
        title: str,
        make: Callable[[Any], Any],
        note: str = "",
    ) -> FigureItem | None:
        """Draw a figure with ``make(figures_module)`` and save it under ``figures/``.

        A figure that cannot be drawn from this data (a DataError of the figure function)
        becomes a note of the section, not a failure of the study.
        """
        if not self.figures_enabled():
            return None
        from ..report import figures as F
        from ..report.fonts import figure_style

        try:
            with figure_style(self.lang):
                fig = make(F)
            paths = F.save_figure(
                fig,
                self.out / "figures",
                name,
                formats=tuple(self.spec.outputs.figures),
                overwrite=self.force,
            )
        except DataError as e:
            section.notes.append(zh_en(self.lang, f"未绘制“{title}”: {e}",
                                       f"Figure “{title}” not drawn: {e}"))
            return None
        # the figure's own notes (the map's source, units without a boundary) go under it
        own = [n for n in getattr(fig, "nqpf_notes", []) if n]
        note = note or zh_en(self.lang, "；", "; ").join(own)
        item = FigureItem(name=name, title=title, paths=dict(paths), note=note)
        section.figures.append(item)
        return item


def table(
    name: str, title: str, frame: pd.DataFrame, note: str = "", digits: int = 4
) -> TableItem:
    """A TableItem with a fresh index."""
    return TableItem(name=name, title=title, frame=frame.reset_index(drop=True), note=note,
                     digits=digits)


def finish_tables(ctx: Context, sections: list[Section]) -> None:
    """Label every table of the report for its reader (:func:`nqpf.report.vocab.readable`).

    Columns and codes get their names in the study's language, the framework's ids their
    ``name_zh`` / ``name_en``; a unit code column beside a name column is hidden from the
    report (the workbook keeps it), as are the columns a section marked ``hidden``.
    """
    from ..report.vocab import label, readable

    names = ctx.names()
    for sec in sections:
        for item in sec.tables:
            cols = [str(c) for c in item.frame.columns]
            hidden = [h for h in item.hidden if h in cols]
            if "unit" in cols and "name" in cols and "unit" not in hidden:
                hidden.append("unit")
            keep = tuple(dict.fromkeys(["unit", *hidden]))
            item.data = item.frame
            codes = _unit_codes(item.frame)
            item.frame = readable(item.frame, ctx.lang, names, keep=keep,
                                  units={u: ctx.label(u) for u in codes})
            item.hidden = tuple(names.get(h, label(h, ctx.lang)) if h not in ("unit",)
                                else label(h, ctx.lang) for h in hidden)


def _unit_codes(df: pd.DataFrame) -> set[str]:
    from ..report.vocab import UNIT_COLUMNS

    out: set[str] = set()
    for c in df.columns:
        if str(c) in UNIT_COLUMNS:
            out |= {v for v in df[c] if isinstance(v, str)}
    return out


def section_error(section: str, e: NqpfError) -> DataError:
    """A DataError that names the section of the study in which ``e`` happened."""
    return DataError(f"study section {section}: {e}")
