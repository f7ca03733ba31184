"""Cross-check: nqpf reproduces COINr's full example index (``build_example_coin``, ASEM).

COINr's example builds the ASEM Sustainable Connectivity index of 51 countries from 49
indicators in four levels: denominate (indicators divided by GDP, population, area or
energy as the metadata says), impute by the group mean (Europe or Asia), screen units
with less than 90 % of the data, treat outliers (winsorise up to 5 points when
|skewness| > 2 and kurtosis > 3.5, else log), min-max normalise onto [0, 100], and
aggregate by weighted arithmetic means level by level.

This script runs COINr (``Rscript bench/coinr_asem.R``, COINr installed from its
sources) to export the data and every data set of the built coin, then builds the same
index with nqpf:

* denomination as a data step (the ratio of each indicator to its denominator),
* ``nqpf.panel.impute(..., "group_mean", groups=EurAsia_group)``,
* ``nqpf.panel.screen.screen_units(..., 0.9)``,
* ``build_index`` with ``Recipe(treat={"winmax": 5}, normalise="minmax",
  shift=("rescale", 0, 100), weights="expert", structure="hierarchical")`` over a
  framework made from COINr's metadata (sub-indices as dimensions, pillars as
  sub-dimensions, COINr's weights as expert weights),

and compares the treated values, the treated points, the normalised values and the
scores and ranks of every aggregate (8 pillars, 2 sub-indices, the index).

Run from the repository root::

    R_LIBS=/path/to/lib python bench/check_coinr_asem.py [--export DIR]

``--export DIR`` reuses an export made earlier by ``Rscript bench/coinr_asem.R DIR``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from nqpf import Panel
from nqpf.index import Recipe, build_index
from nqpf.panel.impute import impute
from nqpf.panel.screen import screen_units

HERE = Path(__file__).resolve().parent


def export(out: Path) -> None:
    subprocess.run(["Rscript", str(HERE / "coinr_asem.R"), str(out)], check=True)


def framework(meta: pd.DataFrame) -> dict:
    ind = meta[meta["Type"] == "Indicator"]
    agg = meta[meta["Type"] == "Aggregate"]

    def node(code: str) -> dict:
        row = agg[agg["iCode"] == code].iloc[0]
        kids = agg[agg["Parent"] == code]
        out = {"id": code, "name_zh": row["iName"], "name_en": row["iName"],
               "weight": float(row["Weight"])}
        if len(kids):
            out["children"] = [node(c) for c in kids["iCode"]]
        else:
            out["indicators"] = [
                {"id": r.iCode, "name_zh": r.iName, "name_en": r.iName, "unit": "",
                 "direction": int(r.Direction), "weight": float(r.Weight)}
                for r in ind[ind["Parent"] == code].itertuples()
            ]
        return out

    top = agg[agg["Level"] == agg["Level"].max()]["iCode"].iloc[0]
    dims = [node(c) for c in agg[agg["Parent"] == top]["iCode"]]
    return {"id": "asem", "name_zh": "ASEM", "name_en": "ASEM", "dimensions": dims}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--export", type=Path, help="folder written by bench/coinr_asem.R")
    args = ap.parse_args(argv)
    tmp = None
    if args.export is None:
        tmp = tempfile.TemporaryDirectory()
        args.export = Path(tmp.name)
        export(args.export)
    d = args.export
    meta = pd.read_csv(d / "iMeta.csv")
    raw = pd.read_csv(d / "iData.csv")
    coin = {name: pd.read_csv(d / f"data_{name}.csv").set_index("uCode")
            for name in ("Treated", "Normalised", "Aggregated")}
    version = (d / "version.txt").read_text().strip()
    inds = meta.loc[meta["Type"] == "Indicator", "iCode"].tolist()

    # denominate (a data step: indicator / denominator)
    den = meta.set_index("iCode")["Denominator"]
    X = raw.set_index("uCode")
    for c in inds:
        if isinstance(den.get(c), str):
            X[c] = X[c] / X[den[c]]
    wide = X[inds].assign(year=X["Time"]).reset_index()
    panel = Panel.from_wide(wide, unit="uCode", period="year")
    groups = X["EurAsia_group"].to_dict()
    panel = impute(panel, "group_mean", groups=groups)
    panel, removed = screen_units(panel, 0.9)
    fw = framework(meta)
    recipe = Recipe(treat={"winmax": 5}, normalise="minmax", shift=("rescale", 0, 100),
                    weights="expert", structure="hierarchical", aggregate="sum")
    res = build_index(panel, fw, recipe, explain=True)

    units = list(panel.units)
    print(f"COINr {version} build_example_coin vs nqpf, {len(units)} units, {len(inds)} "
          f"indicators; screened out: {removed['unit'].tolist() or 'none'}")
    tr = pd.DataFrame(res.treatment.values[:, 0, :], index=units, columns=list(panel.indicators))
    d_tr = float(np.nanmax(np.abs(tr[inds].to_numpy() - coin["Treated"].loc[units, inds]
                                  .to_numpy())))
    pts = pd.read_csv(d / "treated_points.csv").set_index(coin["Treated"].index)
    marked = pts.astype(object).where(pts.notna(), "").astype(str) != ""
    n_coinr = int(marked.to_numpy().sum())
    n_ind_coinr = int(marked.any().sum())
    n_nqpf = res.treatment.n_points
    n_ind_nqpf = res.treatment.points["indicator"].nunique()
    norm = res.explain["normalised"].set_index("unit")[inds]
    d_norm = float(np.nanmax(np.abs(norm.loc[units].to_numpy()
                                    - coin["Normalised"].loc[units, inds].to_numpy())))
    print(f"treated values: max abs diff {d_tr:.1e}; treated points COINr {n_coinr} in "
          f"{n_ind_coinr} indicators, nqpf {n_nqpf} in {n_ind_nqpf}")
    print(f"normalised values: max abs diff {d_norm:.1e}")
    print("| level | node | max abs score diff | ranks identical |")
    print("|---|---|---:|---|")
    worst = 0.0
    agg = meta[meta["Type"] == "Aggregate"].sort_values("Level")
    for r in agg.itertuples():
        node = "index" if r.Level == agg["Level"].max() else r.iCode
        ours = res.to_frame(node).iloc[:, 0].loc[units]
        theirs = coin["Aggregated"].loc[units, r.iCode]
        diff = float(np.abs(ours.to_numpy() - theirs.to_numpy()).max())
        worst = max(worst, diff)
        same = (ours.rank(ascending=False, method="min")
                == theirs.rank(ascending=False, method="min")).all()
        print(f"| {int(r.Level)} | {r.iCode} | {diff:.1e} | {bool(same)} |")
    ok = worst < 1e-9 and d_tr < 1e-9 and d_norm < 1e-9 and n_nqpf == n_coinr
    print(f"verdict: {'REPRODUCED' if ok else 'NOT REPRODUCED'} to 1e-9 (worst score difference "
          f"{worst:.1e})")
    if tmp is not None:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
