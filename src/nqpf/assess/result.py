"""The result of an assessment: plain tables, a summary, a figure and the files to circulate."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..framework.spec import Framework
from ..output import atomic_write, prepare_out_dir
from .labels import localise

__all__ = ["AssessmentResult", "FILES"]

#: The files :meth:`AssessmentResult.write` writes.
FILES = ("assessment.csv", "indicator_scores.csv", "fixed_base.csv", "diagnosis.csv",
         "assessment.xlsx", "assessment.json")

_ASSESSMENT_COLS = ["unit", "period", "class", "node", "level", "level_score", "progress_score",
                    "total_score", "grade", "rank", "rank_in_class"]
_SCORE_COLS = ["unit", "period", "class", "indicator", "rule", "value", "target", "attainment",
               "score", "progress", "weight", "weighted_score", "lost_points", "gap", "gap_pct",
               "met"]


@dataclass
class AssessmentResult:
    """What :func:`nqpf.assess` returns.

    Attributes
    ----------
    assessment : DataFrame
        One row per unit, period and node (the total, each dimension and
        sub-dimension): unit, period, class, node, level, level_score,
        progress_score, total_score, grade (total rows), rank, rank_in_class.
    indicator_scores : DataFrame
        One row per unit, period and indicator: value, target, attainment,
        score, progress, weight, weighted_score, lost_points, gap, gap_pct, met.
    fixed_base : DataFrame or None
        Fixed-base (or chained) indices with contributions
        (:mod:`nqpf.assess.fixed_base`); unit ``all`` for the whole.
    diagnosis : DataFrame
        One row per unit and period (:mod:`nqpf.assess.diagnosis`).
    framework : Framework
    classes : dict
        Unit → class id (None when scored on the framework's own targets).
    params : dict
        Every option of the run (JSON-serialisable).
    notes : list of str
        Documented handlings that applied (no progress in a first period, a
        best value used as target, …).
    """

    assessment: pd.DataFrame
    indicator_scores: pd.DataFrame
    fixed_base: pd.DataFrame | None
    diagnosis: pd.DataFrame
    framework: Framework
    classes: dict[str, str | None]
    params: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ views
    def to_frame(self, table: str = "assessment", lang: str | None = None) -> pd.DataFrame:
        """A copy of one table: ``assessment``, ``indicator_scores``, ``fixed_base``,
        ``diagnosis`` or ``totals`` (the total rows of the assessment, best first).

        ``lang`` renames the columns to Chinese (``"zh"``) or English headers.
        """
        tables = {
            "assessment": self.assessment[_ASSESSMENT_COLS],
            "indicator_scores": self.indicator_scores[_SCORE_COLS],
            "diagnosis": self.diagnosis,
            "totals": self.totals(),
        }
        if table == "fixed_base":
            if self.fixed_base is None:
                raise DataError("this assessment was run without the fixed-base index")
            df = self.fixed_base
        elif table in tables:
            df = tables[table]
        else:
            raise DataError(
                f"unknown table {table!r}; use assessment, indicator_scores, fixed_base, "
                "diagnosis or totals"
            )
        df = df.copy()
        return localise(df, lang) if lang else df

    def totals(self, period: Any = None) -> pd.DataFrame:
        """The total rows (one per unit and period), sorted by period then rank."""
        t = self.assessment[self.assessment["level"] == "total"]
        if period is not None:
            t = t[t["period"] == self._period(period)]
        return t[_ASSESSMENT_COLS].drop(columns=["node", "level"]).reset_index(drop=True)

    def _period(self, period: Any) -> Any:
        periods = list(pd.unique(self.assessment["period"]))
        if period is None:
            return periods[-1]
        for p in periods:
            if p == period or str(p) == str(period):
                return p
        raise DataError(f"period {period!r} was not assessed; assessed: {periods}")

    def summary(self, lang: str = "en") -> str:
        """A short text: framework, rule, grade counts and the first units of each period."""
        zh = lang == "zh"
        fw = self.framework
        p = self.params
        lines = [
            (f"评价：{fw.name_zh}（{fw.id}，版本 {fw.version}）" if zh
             else f"Assessment: {fw.name_en} ({fw.id}, version {fw.version})"),
        ]
        if fw.document or fw.issuer:
            lines.append(" ".join(x for x in (fw.issuer, fw.document) if x))
        pw = p["progress_weight"]
        lines.append(
            f"评分方法 {p['rule']}，水平 {p['level_weight']:.0%} + 进步 {pw:.0%}"
             if zh else f"rule {p['rule']}, {p['level_weight']:.0%} level + {pw:.0%} progress"
        )
        for period, g in self.totals().groupby("period", sort=False):
            counts = g["grade"].value_counts()
            grades = [lab for lab, _ in p["grades"]]
            dist = ", ".join(f"{k} {int(counts.get(k, 0))}" for k in grades)
            top = g.sort_values(["rank", "unit"]).head(5)
            best = ", ".join(f"{u} {s:.1f}" for u, s in zip(top["unit"], top["total_score"],
                                                               strict=True))
            lines.append(f"{period}: {dist} | " + ("前五：" if zh else "top: ") + best)
        for n in self.notes:
            lines.append(("注：" if zh else "note: ") + n)
        return "\n".join(lines)

    def __repr__(self) -> str:
        n_u = self.assessment["unit"].nunique()
        return (f"AssessmentResult(framework={self.framework.id!r}, units={n_u}, "
                f"periods={self.params['periods']!r}, rule={self.params['rule']!r})")

    def plot(self, kind: str = "ranking", period: Any = None, **kw: Any) -> Any:
        """A matplotlib Figure.

        ``kind="ranking"``: total scores of one period (default the last) as bars,
        coloured by grade; ``kind="fixed_base"``: the total fixed-base index of the
        whole and of each unit over time.
        """
        from matplotlib.figure import Figure

        if kind == "ranking":
            period = self._period(period)
            d = self.totals(period).sort_values(["rank", "unit"])
            fig = Figure(figsize=kw.pop("figsize", (7, max(3, 0.25 * len(d) + 1))))
            ax = fig.add_subplot()
            grades = [lab for lab, _ in self.params["grades"]]
            colours = dict(zip(grades, ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027",
                                        "#7f0000"], strict=False))
            y = np.arange(len(d))
            for g in grades:
                m = (d["grade"] == g).to_numpy()
                if m.any():
                    ax.barh(y[m], d["total_score"].to_numpy()[m], color=colours.get(g, "0.5"),
                            label=str(g))
            ax.set_yticks(y, d["unit"].astype(str), fontsize=7)
            ax.invert_yaxis()
            ax.set_xlabel("total score")
            ax.set_title(f"Assessment {self.framework.id}, {period}")
            ax.legend(fontsize="small", loc="lower right")
            fig.tight_layout()
            return fig
        if kind == "fixed_base":
            if self.fixed_base is None:
                raise DataError("this assessment was run without the fixed-base index")
            fb = self.fixed_base[self.fixed_base["level"] == "total"]
            fig = Figure(figsize=kw.pop("figsize", (7, 4)))
            ax = fig.add_subplot()
            for unit, g in fb.groupby("unit", sort=False):
                whole = unit == "all"
                ax.plot(g["period"].astype(str), g["index"], color="C3" if whole else "0.75",
                        lw=2.5 if whole else 0.8, zorder=3 if whole else 1,
                        label="all" if whole else None)
            ax.set_ylabel(f"index ({self.fixed_base.attrs.get('base')} = 100)")
            ax.set_title(f"Fixed-base index, {self.framework.id}")
            ax.legend(fontsize="small")
            fig.tight_layout()
            return fig
        raise DataError(f"unknown plot kind {kind!r}; use 'ranking' or 'fixed_base'")

    # ------------------------------------------------------------------ files
    def write(self, out_dir: str | Path, lang: str = "zh", force: bool = False) -> list[Path]:
        """Write the CSV tables, the workbook and the run's parameters into ``out_dir``.

        CSV files keep the English column names (machine-readable, UTF-8 with
        BOM so that Excel opens Chinese text); the workbook has headers in
        ``lang``. An existing non-empty folder is refused unless ``force``.
        """
        from .workbook import write_workbook

        if lang not in ("zh", "en"):
            raise DataError(f"unknown language {lang!r}; use 'zh' or 'en'")
        out = prepare_out_dir(out_dir, force)
        written = []
        tables = [("assessment.csv", self.to_frame("assessment")),
                  ("indicator_scores.csv", self.to_frame("indicator_scores")),
                  ("diagnosis.csv", self.diagnosis)]
        if self.fixed_base is not None:
            tables.insert(2, ("fixed_base.csv", self.fixed_base))
        for name, df in tables:
            written.append(atomic_write(
                out / name, lambda p, df=df: df.to_csv(p, index=False, encoding="utf-8-sig")
            ))
        written.append(atomic_write(out / "assessment.xlsx",
                                    lambda p: write_workbook(self, p, lang)))
        meta = {"params": self.params, "notes": self.notes,
                "framework": {k: v for k, v in self.framework.to_dict().items()
                              if k != "dimensions"}}
        written.append(atomic_write(out / "assessment.json", lambda p: p.write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, default=str), encoding="utf-8")))
        return written
