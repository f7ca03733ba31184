"""What every section builder of a study shares: the run context, labels and figure saving."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError, NqpfError
from ..report.model import FigureItem, Section, TableItem

#: Section titles and fixed phrases of the study report, by language.
TEXT: dict[str, dict[str, str]] = {
    "framework": {"zh": "指标体系与数据", "en": "Framework and data coverage"},
    "weights": {"zh": "指标权重", "en": "Weights"},
    "index": {"zh": "综合指数结果", "en": "Index results"},
    "dimensions": {"zh": "分维度得分", "en": "Dimensions"},
    "tfp": {"zh": "全要素生产率", "en": "Total factor productivity"},
    "disparity": {"zh": "区域差异", "en": "Regional disparity"},
    "dynamics": {"zh": "分布动态", "en": "Distributional dynamics"},
    "convergence": {"zh": "收敛性", "en": "Convergence"},
    "spatial": {"zh": "空间格局", "en": "Spatial pattern"},
    "coupling": {"zh": "耦合协调", "en": "Coupling coordination"},
    "obstacles": {"zh": "障碍因子", "en": "Obstacles"},
    "types": {"zh": "区域类型", "en": "Region types"},
    "robustness": {"zh": "稳健性", "en": "Robustness"},
    "unit": {"zh": "地区代码", "en": "unit"},
    "name": {"zh": "名称", "en": "name"},
    "period": {"zh": "年份", "en": "period"},
    "score": {"zh": "得分", "en": "score"},
    "rank": {"zh": "排名", "en": "rank"},
    "group": {"zh": "组别", "en": "group"},
}

def tr(key: str, lang: str) -> str:
    """The fixed text ``key`` in ``lang``."""
    return TEXT[key][lang]


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

    def headers(self, df: pd.DataFrame) -> pd.DataFrame:
        """Common columns (unit, name, period, score, rank, group) labelled in the language."""
        ren = {c: tr(c, self.lang) for c in df.columns if c in TEXT and c not in ("index",)}
        return df.rename(columns=ren)

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
            section.notes.append(zh_en(self.lang, f"未绘制图 {name}: {e}", f"Figure {name} "
                                       f"not drawn: {e}"))
            return None
        item = FigureItem(name=name, title=title, paths=dict(paths), note=note)
        section.figures.append(item)
        return item


def table(
    name: str, title: str, frame: pd.DataFrame, note: str = "", digits: int = 4
) -> TableItem:
    """A TableItem with a fresh index."""
    return TableItem(name=name, title=title, frame=frame.reset_index(drop=True), note=note,
                     digits=digits)


def section_error(section: str, e: NqpfError) -> DataError:
    """A DataError that names the section of the study in which ``e`` happened."""
    return DataError(f"study section {section}: {e}")
