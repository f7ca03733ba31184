"""Gi* hot spots and the geographical detector with OPGD at city scale, against baselines.

Case: 290 units × 15 years (the size of a prefecture-level city panel), seeded points in
China's extent with k-nearest-neighbour weights (k = 6) and a spatially smooth value; for the
geodetector, five continuous factors on the 4,350 city-years.

- Gi* with 999 conditional permutations per unit and year: ``nqpf.analysis.hotspot.hotspots``
  against esda's ``G_Local(star=True, permutations=999)`` (numba), warm (after one untimed
  call that compiles it) and, once, cold (the first call in the process, compile included).
- OPGD (5 methods × 3–8 classes × 5 factors): ``nqpf.analysis.geodetector.
  optimal_discretisation`` against a straightforward implementation written here: every
  combination discretised afresh (natural breaks by Fisher's O(k m²) programme rerun for each
  class count) and q from a pandas group-by. Both must pick the same q to 1e-12.

Run from the repository root::

    python bench/bench_spatiotemporal.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from nqpf.analysis.geodetector import DISCRETISATIONS, discretise, optimal_discretisation
from nqpf.analysis.hotspot import hotspots

N, YEARS, K = 290, 15, 6


def make_case(seed: int = 7):
    rng = np.random.default_rng(seed)
    lon = rng.uniform(98, 125, N)
    lat = rng.uniform(21, 47, N)
    units = [f"c{i:03d}" for i in range(N)]
    d = np.hypot(lon[:, None] - lon[None, :], lat[:, None] - lat[None, :])
    np.fill_diagonal(d, np.inf)
    nb = {u: [units[j] for j in np.argsort(d[i])[:K]] for i, u in enumerate(units)}
    base = np.exp(-((lon - 116) ** 2 + (lat - 32) ** 2) / 60)
    rows = [
        (u, 2005 + t, float(v))
        for t in range(YEARS)
        for u, v in zip(units, base * (1 + 0.03 * t) + rng.gamma(2, 0.05, N), strict=True)
    ]
    return pd.DataFrame(rows, columns=["unit", "period", "value"]), nb, units


def esda_gi(data: pd.DataFrame, nb: dict, units: list[str]) -> float:
    import esda
    import libpysal

    w = libpysal.weights.W(nb, silence_warnings=True)
    t0 = time.perf_counter()
    for _, g in data.groupby("period"):
        y = g.set_index("unit").loc[w.id_order, "value"].to_numpy()
        esda.G_Local(y, w, transform="B", star=True, permutations=999, seed=1)
    return time.perf_counter() - t0


def naive_jenks(x: np.ndarray, k: int) -> np.ndarray:
    """Fisher's programme as usually written: O(k m^2), one row of starts at a time."""
    u, counts = np.unique(x, return_counts=True)
    m = len(u)
    cw = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    cs = np.concatenate([[0.0], np.cumsum(u * counts)])
    css = np.concatenate([[0.0], np.cumsum(u * u * counts)])
    cost = np.full((k + 1, m + 1), np.inf)
    arg = np.zeros((k + 1, m + 1), dtype=int)
    cost[1, 1:] = css[1:] - cs[1:] ** 2 / cw[1:]
    for c in range(2, k + 1):
        for b in range(c, m + 1):
            s = np.arange(c - 1, b)
            tot = cost[c - 1, s] + (css[b] - css[s]) - (cs[b] - cs[s]) ** 2 / (cw[b] - cw[s])
            j = int(np.argmin(tot))
            cost[c, b], arg[c, b] = tot[j], s[j]
    bounds, b = [], m
    for c in range(k, 0, -1):
        bounds.append(u[b - 1])
        b = arg[c, b]
    return np.array(bounds[::-1])[:-1]


def naive_opgd(y: np.ndarray, x: np.ndarray) -> float:
    best = -1.0
    for k in range(3, 9):
        for m in DISCRETISATIONS:
            if m == "natural":
                codes = np.searchsorted(naive_jenks(x, k), x, side="left")
            else:
                try:
                    codes = discretise(x, m, k)
                except Exception:
                    continue
            df = pd.DataFrame({"y": y, "h": codes})
            g = df.groupby("h")["y"]
            ssw = float((g.var(ddof=0) * g.size()).sum())
            best = max(best, 1 - ssw / (len(y) * y.var()))
    return best


def main() -> None:
    import esda  # noqa: F401  (imported before any timing: both sides use libpysal)

    data, nb, units = make_case()
    t0 = time.perf_counter()
    res = hotspots(data, nb, permutations=999, seed=1)
    t_nqpf = time.perf_counter() - t0
    t_cold = esda_gi(data.head(N), nb, units)  # first call: numba compiles (or cached)
    t_esda = esda_gi(data, nb, units)
    print(f"Gi* 999 permutations, {N} units x {YEARS} years")
    print(f"  nqpf hotspots        {t_nqpf:7.2f} s  ({int((res.table['bin'] != 0).sum())} "
          "significant unit-years)")  # fmt: skip
    print(f"  esda G_Local (warm)  {t_esda:7.2f} s  ratio esda/nqpf = {t_esda / t_nqpf:.2f}")
    print(f"  esda first call      {t_cold:7.2f} s  (one year, compile included)")

    rng = np.random.default_rng(3)
    n = N * YEARS
    xs = rng.lognormal(0, 1, (n, 5))
    y = np.log(xs[:, 0]) + (xs[:, 1] > 1.5) + rng.normal(0, 0.5, n)
    t0 = time.perf_counter()
    q_fast = [optimal_discretisation(y, xs[:, j])[1]["q"].max() for j in range(5)]
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    q_naive = [naive_opgd(y, xs[:, j]) for j in range(5)]
    t_naive = time.perf_counter() - t0
    ok = np.allclose(q_fast, q_naive, atol=1e-12)
    print(f"OPGD, 5 factors x 5 methods x 6 class counts, {n} observations")
    print(f"  nqpf                 {t_fast:7.2f} s")
    print(f"  straightforward      {t_naive:7.2f} s  ratio = {t_naive / t_fast:.2f}  "
          f"same best q: {ok}")  # fmt: skip
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
