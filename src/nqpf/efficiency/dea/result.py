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
        """The efficiency table."""
        return self.efficiency

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

    def write(self, out_dir: str | Path, overwrite: bool = False) -> list[str]:
        """Write efficiency.csv, slacks.csv, targets.csv, summary.csv, spec.json (and
        peers.csv, betas.csv when present) into ``out_dir``.

        An existing non-empty folder is refused unless ``overwrite=True``. Returns the file
        names written.
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
        return [*files, "spec.json"]
