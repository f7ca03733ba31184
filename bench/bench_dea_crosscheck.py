"""Cross-check of the DEA models against R's Benchmarking on the same data (run by hand).

::

    R_LIBS=/tmp/Rlib python bench/bench_dea_crosscheck.py     # see bench_dea_small.py

Data: the first year (60 units, two inputs, one output) of the seeded panel of
``bench_dea_small.py``. Compared:

* radial super-efficiency (Andersen & Petersen 1993): nqpf ``model="super-radial"``
  against ``sdea``, input and output orientation, CRS and VRS (infeasible VRS programmes:
  nqpf status ``infeasible`` where Benchmarking returns ``NA``/``Inf``);
* FDH: nqpf ``model="fdh"`` against ``dea(RTS="fdh")``, input and output orientation;
* the Simar–Wilson (1998) bootstrap: nqpf's ``sw98`` against ``dea.boot``, VRS input
  orientation, B = 2000 each, with Benchmarking's bandwidth given to nqpf (read from its
  ``LP=TRUE`` log; Benchmarking reflects the Farrell scores below 1 when it picks the
  bandwidth where nqpf reflects the distances above 1, so the two rules differ a little): the
  bias-corrected scores must agree within Monte Carlo error (max gap 0.01, mean 0.003).

Benchmarking reports output-oriented scores as Farrell ``phi`` (``>= 1``); nqpf reports
``1/phi``, so they are compared as reciprocals. The script exits 1 on a disagreement.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from nqpf.efficiency.dea import DEASpec, solve
from nqpf.efficiency.dea.bootstrap import sw98

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dea_small import panel  # noqa: E402

R_SCRIPT = r"""
suppressMessages(library(Benchmarking))
g <- read.csv("{csv}")
X <- as.matrix(g[, c("k", "l")]); Y <- as.matrix(g[, "y", drop = FALSE])
out <- data.frame(row = seq_len(nrow(g)))
for (rts in c("crs", "vrs")) for (o in c("in", "out"))
  out[[paste("sdea", rts, o, sep = "_")]] <- sdea(X, Y, RTS = rts, ORIENTATION = o)$eff
for (o in c("in", "out"))
  out[[paste("fdh", o, sep = "_")]] <- dea(X, Y, RTS = "fdh", ORIENTATION = o)$eff
set.seed(1)
t0 <- proc.time()[["elapsed"]]
log <- capture.output(b <- dea.boot(X, Y, NREP = 2000, RTS = "vrs", ORIENTATION = "in",
                                    LP = TRUE))
out$boot_time <- proc.time()[["elapsed"]] - t0
out$boot_h <- as.numeric(sub("Bandwidth = *", "", grep("Bandwidth", log, value = TRUE)[1]))
out$boot_bc <- b$eff.bc
write.csv(out, "{csv}.out.csv", row.names = FALSE)
"""


def main() -> int:
    rs = shutil.which("Rscript")
    if rs is None:
        print("Rscript not found")
        return 1
    g = panel()
    g = g[g["period"] == g["period"].min()].reset_index(drop=True)
    X, Y = g[["k", "l"]].to_numpy(), g[["y"]].to_numpy()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "g.csv"
        g.to_csv(csv, index=False)
        (Path(tmp) / "c.R").write_text(R_SCRIPT.format(csv=csv.as_posix()))
        p = subprocess.run([rs, str(Path(tmp) / "c.R")], capture_output=True, text=True)
        if p.returncode != 0:
            print("R Benchmarking failed: " + p.stderr.strip()[-300:])
            return 1
        r = pd.read_csv(f"{csv}.out.csv")
    ok = True
    print(f"{len(g)} units, 2 inputs, 1 output")
    for rts in ("crs", "vrs"):
        for o, orient in (("in", "input"), ("out", "output")):
            res = solve(X, Y, None, X, Y, None,
                        DEASpec("super-radial", rts=rts, orientation=orient))
            theirs = r[f"sdea_{rts}_{o}"].to_numpy(dtype=float)
            theirs = theirs if o == "in" else 1.0 / theirs
            inf_r = ~np.isfinite(theirs) | (theirs <= 0)
            inf_n = res.status != "optimal"
            d = float(np.max(np.abs(res.efficiency[~inf_n] - theirs[~inf_n]), initial=0.0))
            same = bool(np.array_equal(inf_r, inf_n))
            ok &= d <= 1e-6 and same
            print(f"  super-radial {rts} {orient:6}  max|diff| {d:.1e}  infeasible "
                  f"{int(inf_n.sum())} (Benchmarking {int(inf_r.sum())})")
    for o, orient in (("in", "input"), ("out", "output")):
        res = solve(X, Y, None, X, Y, None, DEASpec("fdh", orientation=orient))
        theirs = r[f"fdh_{o}"].to_numpy(dtype=float)
        theirs = theirs if o == "in" else 1.0 / theirs
        d = float(np.max(np.abs(res.efficiency - theirs)))
        ok &= d <= 1e-9
        print(f"  fdh {orient:6}               max|diff| {d:.1e}")
    t0 = time.perf_counter()
    h_r = float(r["boot_h"].iloc[0])
    b = sw98(X, Y, DEASpec("bcc"), B=2000, seed=1, bw=h_r)
    t_n = time.perf_counter() - t0
    bc = 1.0 / b.delta_bc
    gap = np.abs(bc - r["boot_bc"].to_numpy(dtype=float))
    ok &= float(gap.max()) <= 0.01 and float(gap.mean()) <= 0.003
    h_own = sw98(X, Y, DEASpec("bcc"), B=10, seed=1, bw="silverman").h
    print(f"  bootstrap VRS input, B=2000, Benchmarking's bandwidth h={h_r:.4f} (nqpf's "
          f"silverman rule: {h_own:.4f}): bias-corrected max|gap| {gap.max():.4f}, mean "
          f"{gap.mean():.4f}; nqpf {t_n:.2f} s, Benchmarking {r['boot_time'].iloc[0]:.2f} s")
    print("all agree" if ok else "DISAGREE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
