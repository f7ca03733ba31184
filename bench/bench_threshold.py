"""Hansen panel threshold bootstrap: nqpf against a straightforward implementation.

Run by hand: ``PYTHONPATH=src python bench/bench_threshold.py``.

Both sides fit the same triple-threshold model (three sequential stages, grid of
400, trimming 0.01) and bootstrap each F test. nqpf runs 300 replications per
stage; the straightforward implementation (one within-transformed regression per
candidate threshold and replication, the way Hansen's and xthreg's loops are
written) runs ``BASE_REPS`` replications per stage and its time is scaled
linearly to 300, which is exact up to the constant cost of the point estimates.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from nqpf.models._data import demean
from nqpf.models.simulate import threshold_panel
from nqpf.models.threshold import _bootstrap_errors, _Engine, threshold

REPS = 300
BASE_REPS = 5


def _ssr(yw, xw):
    b, *_ = np.linalg.lstsq(xw, yw, rcond=None)
    r = yw - xw @ b
    return float(r @ r), r


def naive(d: pd.DataFrame, reps: int, grid: int = 400, trim: float = 0.01) -> float:
    units = pd.factorize(d["unit"])[0]
    y = d["y"].to_numpy()
    x = d[["x"]].to_numpy()
    z = d["z"].to_numpy()
    q = d["q"].to_numpy()
    eng = _Engine(y, x, z[:, None], q, units)  # only for the identical candidate grid

    def within(a):
        return demean(a, units)

    def design(th):
        cuts = [-np.inf, *sorted(th), np.inf]
        cols = [x] + [
            (z * ((q > cuts[r]) & (q <= cuts[r + 1])))[:, None] for r in range(len(cuts) - 1)
        ]
        return within(np.hstack(cols))

    yw = within(y[:, None])[:, 0]
    rng = np.random.default_rng(0)
    fixed: list[float] = []
    for _ in range(3):
        cand = eng.candidates(fixed, trim, grid)
        ssr = [_ssr(yw, design([*fixed, g]))[0] for g in cand]
        g_hat = float(cand[int(np.argmin(ssr))])
        _, resid = _ssr(yw, design([*fixed, g_hat]))
        e = _bootstrap_errors(resid, units, reps, rng, "resample")
        for b in range(reps):
            s0 = _ssr(e[:, b], design(fixed))[0]
            s1 = min(_ssr(e[:, b], design([*fixed, g]))[0] for g in cand)
            _ = (s0 - s1) / s1
        fixed.append(g_hat)
    return g_hat


def main() -> None:
    print("Hansen triple-threshold model, bootstrap 300 x 3 stages, grid 400, trim 0.01")
    print(f"{'panel':<14}{'nqpf s':>10}{'naive s (300)':>16}{'ratio':>9}")
    for n, label in ((31, "31 x 15"), (280, "280 x 15")):
        d = threshold_panel(n, 15, thresholds=(-0.4, 0.5), slopes=(1.0, 1.8, 0.6), seed=1)
        t0 = time.perf_counter()
        threshold(d, "y", "z", "q", ["x"], n_thresholds=3, bootstrap=REPS, grid=400)
        t_nqpf = time.perf_counter() - t0
        t0 = time.perf_counter()
        naive(d, BASE_REPS)
        t_naive = (time.perf_counter() - t0) * REPS / BASE_REPS
        print(f"{label:<14}{t_nqpf:>10.2f}{t_naive:>16.1f}{t_naive / t_nqpf:>9.0f}x")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
