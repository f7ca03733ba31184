"""The result of a production-function estimation, shared by every estimator."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError


@dataclass
class ProdFnResult:
    """Coefficients, productivity and diagnostics of one estimator.

    Attributes
    ----------
    method : str
        ``ols``, ``fe``, ``op``, ``lp``, ``acf``, ``wrdg``.
    coefficients : DataFrame
        ``term, estimate, std_error`` (bootstrap standard errors clustered by
        firm when ``n_boot > 0``, else NaN with a note in ``diagnostics``).
    tfp : DataFrame
        ``unit, period, tfp, log_tfp``: log_tfp = y − Σ β_x x (logs), tfp = exp(log_tfp).
    diagnostics : dict
        Convergence of the optimiser, observations used and dropped (and why),
        firms with too few periods, warnings.
    params : dict
        Every choice that made the estimate (variables, polynomial degree,
        value added or gross output, seed, bootstrap replications).
    """

    method: str
    coefficients: pd.DataFrame
    tfp: pd.DataFrame
    diagnostics: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """TFP in long form: ``unit, period, tfp, log_tfp`` (coefficients: ``coefficients``)."""
        return self.tfp

    def _repr_html_(self) -> str:
        from ..display import html_summary

        facts = {
            "method": self.method,
            "firm-years": len(self.tfp),
            "firms": int(self.tfp["unit"].nunique()) if "unit" in self.tfp else "?",
        }
        return html_summary("ProdFnResult", facts, self.coefficients, caption="Coefficients")

    def plot(self, **kw: Any) -> Any:
        """Figure: distribution of log TFP by period (median and 10–90 % band).

        Keyword arguments go to :class:`matplotlib.figure.Figure` (e.g. ``figsize``).
        """
        from matplotlib.figure import Figure

        g = self.tfp.groupby("period")["log_tfp"]
        q = g.quantile([0.1, 0.5, 0.9]).unstack()
        kw.setdefault("figsize", (8, 4.5))
        fig = Figure(**kw)
        ax = fig.subplots()
        x = [str(p) for p in q.index]
        ax.fill_between(x, q[0.1], q[0.9], alpha=0.25, label="10–90 %")
        ax.plot(x, q[0.5], marker="o", label="median")
        ax.set_xlabel("period")
        ax.set_ylabel("log TFP")
        ax.set_title(f"Firm TFP ({self.method})")
        ax.legend(frameon=False)
        ax.tick_params(axis="x", labelrotation=45)
        fig.tight_layout()
        return fig

    def summary(self) -> pd.DataFrame:
        c = self.coefficients.copy()
        c.insert(0, "method", self.method)
        return c

    def beta(self, term: str) -> float:
        row = self.coefficients[self.coefficients["term"] == term]
        if row.empty:
            raise DataError(f"no coefficient {term!r}; terms: {list(self.coefficients['term'])}")
        return float(row["estimate"].iloc[0])

    def write(self, out_dir: str | Path, overwrite: bool = False) -> list[Path]:
        """coefficients.csv (term, estimate, std_error), tfp.csv (unit, period, tfp), and a JSON.

        Returns the paths written.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        names = ["coefficients.csv", "tfp.csv", "estimation.json"]
        clash = [n for n in names if (out / n).exists()]
        if clash and not overwrite:
            raise DataError(f"{out / clash[0]} exists; choose another --out or pass --force")
        self.coefficients[["term", "estimate", "std_error"]].to_csv(
            out / names[0], index=False, encoding="utf-8-sig"
        )
        self.tfp.to_csv(out / names[1], index=False, encoding="utf-8-sig")
        meta = {"method": self.method, "params": self.params, "diagnostics": self.diagnostics}
        (out / names[2]).write_text(json.dumps(meta, indent=2, default=str), "utf-8")
        return [out / n for n in names]
