"""Small DEA problems: the vectorised radial path against the per-unit HiGHS path.

Run by hand from the repository root (not in CI)::

    python bench/bench_dea_small.py              # both cases, best of 5
    python bench/bench_dea_small.py --repeat 10

Two cases, the size of one province set per year (synthetic, seeded: two inputs
lognormal, one output Cobb–Douglas 0.5/0.4 × exp(−u), u half-normal σ 0.3, 1 % yearly
drift, seed 20241122):

1. **Ten yearly CCR cross-sections of 60 units** (input oriented, with the max-slack
   second phase): :func:`nqpf.efficiency.dea.solve` once per year.
2. **Malmquist index, 60 units × 10 years** (CCR, output oriented, contemporaneous
   frontiers, Färe et al. 1994): :func:`nqpf.efficiency.dea.productivity`.

Each is timed (CPU seconds, best of ``--repeat``) on the default path, which picks the
vectorised simplex of :mod:`nqpf.efficiency.dea.vector` for reference sets of up to
``vector.MAX_REF`` observations, and on the per-unit HiGHS path (``MAX_REF = 0``) in the
same run; the ratio is printed, and the scores of the two paths must agree to 1e-9 (the
script exits 1 otherwise). If ``Rscript`` with the ``Benchmarking`` package is available,
the same two computations are timed in R (``dea(..., RTS="crs", ORIENTATION="in",
SLACK=TRUE)`` per year and ``malmquist(..., RTS="crs", ORIENTATION="out")``) on the same
data. Benchmarking is not on CRAN here; build it from its GitHub snapshot into a library
folder and point ``R_LIBS`` at it (it needs lpSolveAPI, ucminf, quadprog and Rcpp)::

    R CMD INSTALL -l /tmp/Rlib ucminf quadprog lpSolveAPI Rcpp Benchmarking
    R_LIBS=/tmp/Rlib python bench/bench_dea_small.py
"""

from __future__ import annotations

import argparse
import datetime
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import nqpf
from nqpf.efficiency.dea import DEASpec, productivity, solve
from nqpf.efficiency.dea import vector as _vector

SEED = 20241122


def panel(n: int = 60, T: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    x = np.exp(rng.normal(0.0, 0.6, size=(n * T, 2)))
    year = np.repeat(np.arange(T), n)
    u = np.abs(rng.normal(0.0, 0.3, size=n * T))
    y = np.exp(0.01 * year) * x[:, 0] ** 0.5 * x[:, 1] ** 0.4 * np.exp(-u)
    return pd.DataFrame({"unit": np.tile([f"p{i:02d}" for i in range(n)], T),
                         "period": 2011 + year, "k": x[:, 0], "l": x[:, 1], "y": y})


def cross_sections(df: pd.DataFrame) -> np.ndarray:
    spec = DEASpec(model="ccr")
    out = []
    for _, g in df.groupby("period", sort=True):
        X, Y = g[["k", "l"]].to_numpy(), g[["y"]].to_numpy()
        out.append(solve(X, Y, None, X, Y, None, spec).efficiency)
    return np.concatenate(out)


def malmquist(df: pd.DataFrame) -> np.ndarray:
    r = productivity(df, ["k", "l"], ["y"], index="malmquist", model="ccr",
                     orientation="output")
    return r.index["index"].to_numpy()


def best_cpu(fn, repeat: int):
    times, val = [], None
    for _ in range(repeat):
        t0 = time.process_time()
        val = fn()
        times.append(time.process_time() - t0)
    return min(times), val


def per_unit(fn):
    def run():
        old = _vector.MAX_REF
        _vector.MAX_REF = 0
        try:
            return fn()
        finally:
            _vector.MAX_REF = old
    return run


R_SCRIPT = r"""
suppressMessages(library(Benchmarking))
d <- read.csv("{csv}")
rep <- {repeat}
best <- function(f) {{ t <- Inf; for (i in 1:rep) {{ s <- proc.time()[["user.self"]] +
  proc.time()[["sys.self"]]; f(); e <- proc.time()[["user.self"]] + proc.time()[["sys.self"]];
  t <- min(t, e - s) }}; t }}
t1 <- best(function() for (p in sort(unique(d$period))) {{ g <- d[d$period == p, ];
  dea(as.matrix(g[, c("k", "l")]), as.matrix(g[, "y", drop = FALSE]), RTS = "crs",
      ORIENTATION = "in", SLACK = TRUE) }})
t2 <- best(function() capture.output(malmquist(as.matrix(d[, c("k", "l")]),
  as.matrix(d[, "y", drop = FALSE]), ID = d$unit, TIME = d$period, RTS = "crs",
  ORIENTATION = "out")))
eff <- unlist(lapply(sort(unique(d$period)), function(p) {{ g <- d[d$period == p, ];
  dea(as.matrix(g[, c("k", "l")]), as.matrix(g[, "y", drop = FALSE]), RTS = "crs",
      ORIENTATION = "in", SLACK = TRUE)$eff }}))
invisible(capture.output(m <- malmquist(as.matrix(d[, c("k", "l")]),
  as.matrix(d[, "y", drop = FALSE]), ID = d$unit, TIME = d$period, RTS = "crs",
  ORIENTATION = "out")))
write.csv(data.frame(eff = eff), "{csv}.eff.csv", row.names = FALSE)
write.csv(data.frame(unit = m$id, period = m$time, m = m$m, ec = m$ec, tc = m$tc),
  "{csv}.malm.csv", row.names = FALSE)
cat("TIMES", t1, t2, "\n")
"""


def r_benchmarking(df: pd.DataFrame, repeat: int) -> tuple[float, float, dict] | None:
    rs = shutil.which("Rscript")
    if rs is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "panel.csv"
        df.to_csv(csv, index=False)
        script = Path(tmp) / "b.R"
        script.write_text(R_SCRIPT.format(csv=csv.as_posix(), repeat=repeat))
        p = subprocess.run([rs, str(script)], capture_output=True, text=True)
        if p.returncode != 0:
            print("  R Benchmarking unavailable: "
                  + (p.stderr.strip().splitlines() or ["?"])[-1])
            return None
        line = [ln for ln in p.stdout.splitlines() if ln.startswith("TIMES")][-1]
        a, b = line.split()[1:3]
        res = {"eff": pd.read_csv(f"{csv}.eff.csv")["eff"].to_numpy(),
               "malm": pd.read_csv(f"{csv}.malm.csv")}
    return float(a), float(b), res


def _r_diff(res: dict, eff: np.ndarray | None, df: pd.DataFrame) -> float:
    """Largest gap to Benchmarking's scores (cross-sections) or Malmquist index.

    Benchmarking's output-oriented ``malmquist`` works with Farrell output efficiencies
    ``phi >= 1``, so its ``m`` is the reciprocal of nqpf's index (nqpf: > 1 is progress in
    both orientations); the bench compares ``1/m``.
    """
    if eff is not None:
        return float(np.max(np.abs(res["eff"] - eff)))
    ours = productivity(df, ["k", "l"], ["y"], index="malmquist", model="ccr",
                        orientation="output").index
    m = res["malm"].dropna(subset=["m"])
    both = ours.merge(m.astype({"unit": str}), on=["unit", "period"])
    return float(np.max(np.abs(both["index"] - 1.0 / both["m"])))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)
    print(f"nqpf {nqpf.__version__}, numpy {np.__version__}, Python "
          f"{platform.python_version()}, {platform.machine()}, {datetime.date.today()}")
    df = panel()
    ok = True
    r = r_benchmarking(df, a.repeat)
    for name, fn in (("[1] 10 CCR cross-sections, 60 units", cross_sections),
                     ("[2] Malmquist, 60 units x 10 years", malmquist)):
        t_new, v_new = best_cpu(lambda fn=fn: fn(df), a.repeat)
        t_old, v_old = best_cpu(per_unit(lambda fn=fn: fn(df)), a.repeat)
        diff = float(np.nanmax(np.abs(v_new - v_old)))
        ok &= diff <= 1e-9
        print(f"\n{name}")
        print(f"  default (vectorised)  {t_new:8.4f} s CPU")
        print(f"  per-unit HiGHS        {t_old:8.4f} s CPU   ratio {t_old / t_new:6.1f}x   "
              f"max|diff| {diff:.1e}")
        if r is not None:
            first = name.startswith("[1]")
            t_r = r[0] if first else r[1]
            d_r = _r_diff(r[2], v_new, df) if first else _r_diff(r[2], None, df)
            ok &= d_r <= 1e-6
            print(f"  R Benchmarking        {t_r:8.4f} s CPU   ratio {t_r / t_new:6.1f}x   "
                  f"max|diff| {d_r:.1e}")
    print("\nall answers agree" if ok else "\nANSWERS DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
