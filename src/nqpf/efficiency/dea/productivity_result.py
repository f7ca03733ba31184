"""The result of a productivity index computation (:func:`nqpf.efficiency.dea.productivity`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataError

#: component columns an index table may carry, in display order
COMPONENTS = ("index", "ec", "tc", "pec", "sec", "bpc")

#: the files :meth:`ProductivityResult.write` writes; none of them clashes with the files of
#: a DEA result (efficiency.csv, slacks.csv, targets.csv, summary.csv, spec.json), so both
#: results can be written to one folder.
FILES = (
    "productivity.csv",
    "cumulative.csv",
    "distances.csv",
    "productivity_summary.csv",
    "productivity_spec.json",
)


def _geomean(v: pd.Series) -> float:
    a = np.asarray(v, dtype=float)
    a = a[np.isfinite(a) & (a > 0)]
    return float(np.exp(np.log(a).mean())) if a.size else np.nan


def _mean(v: pd.Series) -> float:
    a = np.asarray(v, dtype=float)
    a = a[np.isfinite(a)]
    return float(a.mean()) if a.size else np.nan


@dataclass
class ProductivityResult:
    """Productivity change between periods, its components and the distances behind them.

    Attributes
    ----------
    index : DataFrame
        One row per unit and comparison: ``unit, period_from, period`` (``period`` is the later
        period, the one the change is attributed to), ``index`` and its components ``ec``
        (efficiency change) and ``tc`` (technical change); under a radial model with
        ``rts="vrs"`` also ``pec`` and ``sec`` (pure efficiency and scale efficiency change,
        ``ec = pec * sec``); with a global or biennial frontier ``bpc`` (best-practice gap
        change; ``tc`` equals ``bpc`` there). ``status`` is ``"optimal"`` when every distance
        behind the row was solved, otherwise the first failure (``"infeasible"``,
        ``"unbounded"``, ``"undefined"``) and the affected components are NaN.
    cumulative : DataFrame
        ``unit, period, cumulative``: the chained index from the unit's first observed period
        (1 there for ratio indices, 0 for the additive Luenberger indicator). A period after a
        gap in the unit's series, or after a failed link, has NaN.
    efficiency : DataFrame
        The distances used: ``unit, period, reference, reference_period, rts, distance,
        status``. ``distance`` is the Farrell/SBM efficiency for ratio models and the
        directional distance (inefficiency) ``beta`` for ``ddf``/``nddf``.
    params : dict
        Every choice that made the result (index, model, rts, orientation, frontier, window,
        chain, variables, conventions).
    warnings : list of str
        Infeasible cross-period programmes, units without comparisons, dropped rows.
    """

    index: pd.DataFrame
    cumulative: pd.DataFrame
    efficiency: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def additive(self) -> bool:
        """True for the Luenberger indicator (differences, neutral value 0)."""
        return self.params.get("index") == "luenberger"

    def to_frame(self) -> pd.DataFrame:
        return self.index

    def summary(self) -> pd.DataFrame:
        """Mean index and components by (later) period, and over all comparisons.

        Geometric means for the ratio indices (Malmquist, ML, GML), as DEAP 2.1 reports them
        (Coelli 1996); arithmetic means for the additive Luenberger indicator. Failed rows are
        left out of the means and counted in ``n_failed``. The last row, period ``"all"``,
        pools every comparison.
        """
        comps = [c for c in COMPONENTS if c in self.index.columns]
        agg = _mean if self.additive else _geomean
        rows = []
        groups = list(self.index.groupby("period", sort=True))
        groups.append(("all", self.index))
        for p, g in groups:
            row: dict[str, Any] = {"period": str(p), "n": len(g)}
            row["n_failed"] = int((g["status"] != "optimal").sum())
            for c in comps:
                row[c] = agg(g[c])
            rows.append(row)
        return pd.DataFrame(rows, columns=["period", "n", "n_failed", *comps])

    def write(self, out_dir: str | Path, overwrite: bool = False) -> list[Path]:
        """Write productivity.csv, cumulative.csv, distances.csv, productivity_summary.csv
        (UTF-8 with BOM) and productivity_spec.json.

        Refuses to replace an existing file unless ``overwrite=True``; returns the paths written.
        """
        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise DataError(f"{out} exists and is not a folder; choose another --out")
        clash = [n for n in FILES if (out / n).exists()]
        if clash and not overwrite:
            raise DataError(f"{out / clash[0]} exists; choose another --out or pass --force")
        out.mkdir(parents=True, exist_ok=True)
        self.index.to_csv(out / FILES[0], index=False, encoding="utf-8-sig")
        self.cumulative.to_csv(out / FILES[1], index=False, encoding="utf-8-sig")
        self.efficiency.to_csv(out / FILES[2], index=False, encoding="utf-8-sig")
        self.summary().to_csv(out / FILES[3], index=False, encoding="utf-8-sig")
        meta = {"params": self.params, "warnings": self.warnings}
        (out / FILES[4]).write_text(
            json.dumps(meta, indent=2, ensure_ascii=False, default=str), "utf-8"
        )
        return [out / n for n in FILES]
