"""The result of :func:`nqpf.efficiency.dea.dea`: tidy frames, a summary, files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...output import check_out_dir
from .models import EFFICIENT_TOL


@dataclass
class DEAResult:
    """Scores, slacks, targets and peers of a DEA run over a panel.

    Attributes
    ----------
    efficiency : DataFrame
        ``unit, period, efficiency, status, frontier, super`` sorted by period and unit,
        plus ``theta``/``phi`` (radial), ``beta`` (DDF, NDDF) or ``rho`` (SBM).
        ``super`` is True where the value comes from the super-SBM program.
    slacks : DataFrame
        ``unit, period`` and one column per input, output and bad output (data units).
    targets : DataFrame
        ``unit, period`` and the projected value of every variable.
    peers : DataFrame or None
        ``unit, period, peer_unit, peer_period, lambda`` (``peers=True``).
    betas : DataFrame or None
        NDDF: ``unit, period`` and one beta per variable.
    warnings : list of str
        Problems that did not stop the run (few units per reference set, infeasible
        programs, dropped rows).
    params : dict
        Every choice (spec, frontier, window, columns, reduce) for the record.
    """

    efficiency: pd.DataFrame
    slacks: pd.DataFrame
    targets: pd.DataFrame
    peers: pd.DataFrame | None = None
    betas: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The efficiency table in long form: ``unit, period, efficiency, status, …``."""
        return self.efficiency

    def _repr_html_(self) -> str:
        from ...display import html_summary

        spec = self.params.get("spec", {})
        facts = {
            "model": spec.get("model", "?"),
            "returns to scale": spec.get("rts", "?"),
            "orientation": spec.get("orientation", "?"),
            "frontier": self.params.get("frontier", "?"),
            "inputs": self.params.get("inputs", []),
            "outputs": self.params.get("outputs", []),
            "bad outputs": self.params.get("bad", []) or "none",
            "observations": len(self.efficiency),
        }
        note = f"{len(self.warnings)} warning(s): " + self.warnings[0] if self.warnings else None
        return html_summary("DEAResult", facts, self.summary(), caption="By period", note=note)

    def plot(self, **kw: Any) -> Any:
        """Figure: mean, minimum and maximum efficiency by period (one box per period).

        Keyword arguments go to :class:`matplotlib.figure.Figure` (e.g. ``figsize``).
        """
        from matplotlib.figure import Figure

        e = self.efficiency[self.efficiency["status"] == "optimal"]
        periods = list(dict.fromkeys(e["period"].tolist()))
        kw.setdefault("figsize", (8, 4.5))
        fig = Figure(**kw)
        ax = fig.subplots()
        data = [e.loc[e["period"] == p, "efficiency"].to_numpy(dtype=float) for p in periods]
        ax.boxplot(data, showmeans=True)
        ax.set_xticks(range(1, len(periods) + 1), [str(p) for p in periods], rotation=45)
        ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
        ax.set_xlabel("period")
        ax.set_ylabel("efficiency")
        spec = self.params.get("spec", {})
        ax.set_title(f"DEA efficiency ({spec.get('model', '')}, {self.params.get('frontier')})")
        fig.tight_layout()
        return fig

    def summary(self) -> pd.DataFrame:
        """By period: units evaluated, mean, min and max score, efficient and infeasible counts.

        A unit counts as efficient when its score is at least ``1 - 1e-9`` (super-SBM scores
        above 1 included) and its program was solved.
        """
        e = self.efficiency
        ok = e["status"] == "optimal"
        eff = ok & (e["efficiency"] >= 1.0 - EFFICIENT_TOL)
        g = e.assign(_ok=ok, _eff=eff, _inf=e["status"] == "infeasible").groupby(
            "period", sort=True
        )
        out = pd.DataFrame(
            {
                "n": g.size(),
                "mean": g["efficiency"].mean(),
                "min": g["efficiency"].min(),
                "max": g["efficiency"].max(),
                "n_efficient": g["_eff"].sum().astype(int),
                "n_infeasible": g["_inf"].sum().astype(int),
            }
        )
        return out.reset_index()

    def write(self, out_dir: str | Path, overwrite: bool = False) -> list[Path]:
        """Write efficiency.csv, slacks.csv, targets.csv, summary.csv, spec.json (and
        peers.csv, betas.csv when present) into ``out_dir``.

        An existing non-empty folder is refused unless ``overwrite=True``. Returns the paths
        written.
        """
        out = check_out_dir(out_dir, force=overwrite)
        out.mkdir(parents=True, exist_ok=True)
        files = {
            "efficiency.csv": self.efficiency,
            "slacks.csv": self.slacks,
            "targets.csv": self.targets,
            "summary.csv": self.summary(),
        }
        if self.peers is not None:
            files["peers.csv"] = self.peers
        if self.betas is not None:
            files["betas.csv"] = self.betas
        for name, df in files.items():
            df.to_csv(out / name, index=False, encoding="utf-8-sig")  # Excel reads it as UTF-8
        meta = {"params": self.params, "warnings": self.warnings}
        (out / "spec.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        return [out / n for n in [*files, "spec.json"]]
