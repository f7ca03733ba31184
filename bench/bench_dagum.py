"""Dagum (1997) Gini decomposition: nqpf against a straightforward pairwise loop.

Cases: 300 units × 15 years and 5,000 units × 15 years, seeded lognormal values in
4 groups whose mean order changes over the years. Both implementations start from the
same tidy ``unit, period, value`` table and the same unit → group mapping, in the same
run. The pairwise loop is written here from Dagum's definitions: for every period, a
double loop over group pairs that forms the full matrix of ``y_i − y_r`` for each pair
with NumPy broadcasting (the memory-hungry way). Timings are best of N after one
untimed warm-up, taken round-robin; peak memory comes from a separate run of each
under ``tracemalloc``. The two must agree to 1e-10 on every number compared (overall
G, G_w, G_nb, G_t, every G_jj, G_jh and D_jh), or the script exits with status 1.

Run from the repository root::

    python bench/bench_dagum.py              # best of 3
    python bench/bench_dagum.py --repeat 5
    python bench/bench_dagum.py --quick      # pairwise loop on one period at 5,000, scaled ×15
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from nqpf.analysis._input import values_frame
from nqpf.analysis.disparity import dagum

YEARS = 15
GROUPS = ("east", "central", "west", "northeast")


def make_case(n_units: int, seed: int = 20241122) -> tuple[pd.DataFrame, dict[str, str]]:
    """Seeded lognormal panel; the groups' mean order changes over the years."""
    rng = np.random.default_rng(seed)
    units = [f"u{i:05d}" for i in range(n_units)]
    gidx = np.arange(n_units) % len(GROUPS)
    groups = {u: GROUPS[g] for u, g in zip(units, gidx, strict=True)}
    base = np.array([0.6, 0.2, 0.0, 0.4])
    slope = np.array([0.00, 0.04, 0.06, -0.03])
    t = np.arange(YEARS)
    loc = base[gidx][:, None] + slope[gidx][:, None] * t[None, :]
    values = rng.lognormal(loc, 0.8)
    df = pd.DataFrame(
        {
            "unit": np.repeat(units, YEARS),
            "period": np.tile(2010 + t, n_units),
            "value": values.ravel(),
        }
    )
    return df, groups


def pairwise_dagum(df: pd.DataFrame, groups: dict[str, str], periods=None) -> dict:
    """Dagum (1997) by a double loop over group pairs with n_j × n_h broadcast matrices."""
    out = {"overall": {}, "within": {}, "between": {}}
    if periods is not None:
        df = df[df["period"].isin(periods)]
    g_of = df["unit"].map(groups)
    for period, part in df.groupby("period", sort=True):
        by = {g: v["value"].to_numpy() for g, v in part.groupby(g_of.loc[part.index], sort=True)}
        labels = sorted(by, key=lambda g: (by[g].mean(), g))  # ascending mean, this period
        n = sum(len(v) for v in by.values())
        mu = sum(v.sum() for v in by.values()) / n
        total = 0.0
        absum, pos = {}, {}
        for j in labels:
            for h in labels:
                diff = by[j][:, None] - by[h][None, :]  # the n_j × n_h matrix
                absum[j, h] = np.abs(diff).sum()
                pos[j, h] = np.maximum(diff, 0.0).sum()
                total += absum[j, h]
        G = total / (2 * n * n * mu)
        Gw = Gnb = Gt = 0.0
        for j in labels:
            nj, mj = len(by[j]), by[j].mean()
            gjj = absum[j, j] / (2 * nj * nj * mj)
            out["within"][period, j] = gjj
            Gw += gjj * (nj / n) * (nj / n * mj / mu)
        for a, j in enumerate(labels):
            for h in labels[:a]:
                nj, nh = len(by[j]), len(by[h])
                mj, mh = by[j].mean(), by[h].mean()
                gjh = absum[j, h] / (nj * nh * (mj + mh))
                d, p = pos[j, h] / (nj * nh), pos[h, j] / (nj * nh)
                D = (d - p) / (d + p) if d + p > 0 else 0.0
                pj, ph = nj / n, nh / n
                w = pj * (ph * mh / mu) + ph * (pj * mj / mu)
                Gnb += gjh * w * D
                Gt += gjh * w * (1 - D)
                out["between"][period, j, h] = (gjh, D)
        out["overall"][period] = (G, Gw, Gnb, Gt)
    return out


def max_difference(res, ref) -> float:
    o = res.overall.set_index("period")
    diffs = []
    for period, vals in ref["overall"].items():
        row = o.loc[period, ["gini", "within", "net_between", "transvariation"]].to_numpy()
        diffs.append(np.max(np.abs(row - np.array(vals))))
    w = res.within.set_index(["period", "group"])["gini"]
    diffs += [abs(w[k] - v) for k, v in ref["within"].items()]
    b = res.between.set_index(["period", "group_a", "group_b"])
    for k, (gjh, D) in ref["between"].items():
        diffs += [abs(b.loc[k, "gini"] - gjh), abs(b.loc[k, "D"] - D)]
    return float(max(diffs))


def peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def best_of(fns: dict, repeat: int) -> dict[str, float]:
    for fn in fns.values():  # warm-up
        fn()
    best = dict.fromkeys(fns, np.inf)
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def run_case(n_units: int, repeat: int, scaled: bool) -> bool:
    """Time, measure and compare one case; print three rows; True when they agree."""
    df, groups = make_case(n_units)
    case = f"{n_units}x{YEARS}"
    periods = {2010} if scaled else None
    res = dagum(df, groups)
    ref = pairwise_dagum(df, groups, periods)
    diff = max_difference(res, ref)
    # the pairwise loop at 5,000 units: best of at most 2
    rep_ref = repeat if n_units <= 300 else max(1, min(repeat, 2))
    t_nqpf = best_of({"nqpf": lambda: dagum(df, groups)}, repeat)["nqpf"]
    t_vf = best_of({"vf": lambda: values_frame(df)}, repeat)["vf"]
    t_ref = best_of({"ref": lambda: pairwise_dagum(df, groups, periods)}, rep_ref)["ref"]
    if scaled:
        t_ref *= YEARS
    m_nqpf = peak_mb(lambda: dagum(df, groups))
    m_ref = peak_mb(lambda: pairwise_dagum(df, groups, periods))
    label = "pairwise loop" + (" (1 period x15)" if scaled else "")
    rows = [
        ("nqpf dagum()", t_nqpf, 1.0, f"{m_nqpf:.1f}", "reference"),
        ("  of which values_frame (input)", t_vf, t_vf / t_nqpf, "-", "-"),
        (label, t_ref, t_ref / t_nqpf, f"{m_ref:.1f}", f"{diff:.1e}"),
    ]
    for tool, sec, ratio, mem, dif in rows:
        print(f"{case:<12} {tool:<34} {sec:9.4f} {ratio:8.2f} {mem:>9} {dif:>13}")
    return diff <= 1e-10


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="at 5,000 units run the pairwise loop on one period and multiply by 15",
    )
    args = ap.parse_args(argv)
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"{platform.machine()}; best of {args.repeat} after one warm-up"
    )
    header = (
        f"{'case':<12} {'tool':<34} {'best s':>9} {'ratio':>8} {'peak MiB':>9} {'max abs diff':>13}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for n_units in (300, 5000):
        ok &= run_case(n_units, args.repeat, args.quick and n_units > 300)
    print("ratio = seconds / nqpf dagum() seconds (above 1: nqpf is faster)")
    if not ok:
        print("DISAGREEMENT above 1e-10", file=sys.stderr)
        return 1
    print("all numbers agree to 1e-10")
    return 0


if __name__ == "__main__":
    sys.exit(main())
