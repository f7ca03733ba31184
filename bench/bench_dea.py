"""DEA benchmarks: global SBM against a linprog loop and DEAPack; super-SBM GML; 75,000 units.

Three benchmarks, run by hand from the repository root (not in CI)::

    python bench/bench_dea.py            # all three, full sizes
    python bench/bench_dea.py --quick    # small sizes, a few seconds
    python bench/bench_dea.py --only 1   # one benchmark (1, 2 or 3)

1. **Global SBM with one undesirable output** (Tone 2001/2004, non-oriented, CRS, the
   Charnes–Cooper linearisation of METHODS.md, bad output strongly disposable
   ``t b_0 = B λ + s^b``) on 4,500 country-years: Penn World Table 10.01 (capital ``rnna``,
   employment ``emp`` → output ``rgdpna``; Feenstra, Inklaar & Timmer 2015) joined with OWID
   CO2 (``co2``) for 1990–2019, countries in ISO3 order with all their years, the first
   4,500 rows (read from ``../shared/data``; a seeded synthetic panel of the same size if the
   folder is absent). Every observation is evaluated against all 4,500 (the global
   frontier). Compared:

   * nqpf :func:`nqpf.efficiency.dea.lp.solve` (one HiGHS model updated per unit,
     warm-started, exact reference-set reduction), timed best of ``--repeat``;
   * a straightforward loop of :func:`scipy.optimize.linprog` (``method="highs"``), one LP
     per unit built from sparse blocks, timed once;
   * DEAPack's ``UndesirableSlacksBasedDEA(returns_to_scale="crs")`` on the same table,
     timed once on ``--deapack-n`` rows (all 4,500 by default; with a smaller number it is
     timed on a subset of the same data, evaluated against that subset, and nqpf is timed
     on the same subset for the ratio).

   Scores must agree to 1e-8 (linprog) and 1e-6 (DEAPack); the script exits 1 otherwise.
2. **Super-SBM global Malmquist–Luenberger** (Oh 2010 with super-SBM distances) for 300
   units × 15 years, unbalanced (5 % of the unit-years dropped at random, seeded):
   :func:`nqpf.efficiency.dea.productivity` with ``index="gml", model="super-sbm"``; time.
3. **Global SBM for 75,000 units** (synthetic: 3 inputs, 1 output, 1 bad output, seeded):
   nqpf ``solve`` against the full 75,000-unit reference set; time.

Synthetic data (benchmarks 2, 3): inputs lognormal; output = Cobb–Douglas of the inputs
(elasticities 0.4, 0.3, 0.2) × exp(−u), u half-normal (σ 0.3), bad output = output^0.8 ×
lognormal noise (σ 0.2), seed 20241122.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import scipy.sparse as sp
from scipy.optimize import linprog

import nqpf
from nqpf.efficiency.dea.models import solve
from nqpf.efficiency.dea.productivity import productivity
from nqpf.efficiency.dea.spec import DEASpec

SEED = 20241122
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TOL_LINPROG = 1e-8
TOL_DEAPACK = 1e-6


# ---------------------------------------------------------------------- data
def real_panel(n: int) -> tuple[pd.DataFrame, str]:
    """PWT 10.01 capital, employment, real GDP with OWID CO2, 1990–2019, first n rows."""
    pwt = pd.read_csv(
        DATA / "pwt" / "pwt1001.csv",
        encoding="utf-8-sig",
        usecols=["countrycode", "year", "rgdpna", "rnna", "emp"],
    )
    owid = pd.read_csv(
        DATA / "owid_co2" / "owid-co2-data_2020-12-09.csv", usecols=["iso_code", "year", "co2"]
    )
    df = pwt.merge(owid, left_on=["countrycode", "year"], right_on=["iso_code", "year"])
    cols = ["rnna", "emp", "rgdpna", "co2"]
    df = df.dropna(subset=cols)
    df = df[(df[cols] > 0).all(axis=1) & (df["year"] >= 1990)]
    df = df.sort_values(["countrycode", "year"]).head(n)
    df = df.rename(columns={"countrycode": "unit", "year": "period"})
    src = (
        f"PWT 10.01 + OWID CO2, {df['unit'].nunique()} countries, "
        f"{df['period'].min()}-{df['period'].max()}, {len(df)} country-years"
    )
    return df[["unit", "period", *cols]].reset_index(drop=True), src


def synthetic(n_units: int, n_periods: int, drop: float = 0.0, seed: int = SEED) -> pd.DataFrame:
    """Seeded synthetic panel: 3 inputs, output, bad output (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = n_units * n_periods
    x = np.exp(rng.normal(0.0, 0.6, size=(n, 3)))
    trend = np.tile(np.arange(n_periods), n_units)
    u = np.abs(rng.normal(0.0, 0.3, size=n))
    y = np.exp(0.01 * trend) * x[:, 0] ** 0.4 * x[:, 1] ** 0.3 * x[:, 2] ** 0.2 * np.exp(-u)
    b = y**0.8 * np.exp(rng.normal(0.0, 0.2, size=n))
    df = pd.DataFrame(
        {
            "unit": np.repeat([f"u{i:05d}" for i in range(n_units)], n_periods),
            "period": np.tile(np.arange(2001, 2001 + n_periods), n_units),
            "k": x[:, 0],
            "l": x[:, 1],
            "e": x[:, 2],
            "y": y,
            "co2": b,
        }
    )
    if drop > 0:
        keep = rng.random(n) >= drop
        df = df[keep].reset_index(drop=True)
    return df


# ---------------------------------------------------------------------- linprog loop
def sbm_linprog(X: np.ndarray, Y: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Non-oriented CRS SBM with bad outputs, one scipy linprog per unit (global frontier).

    Variables ``(t, λ_1..λ_n, s⁻_1..s⁻_m, s^g_1..s^g_s1, s^b_1..s^b_s2)`` ≥ 0;
    min ``t − (1/m) Σ s⁻_i / x_i0`` subject to
    ``t + (1/(s1+s2)) (Σ s^g_r / y_r0 + Σ s^b_r / b_r0) = 1``, ``X'λ + s⁻ − t x_0 = 0``,
    ``Y'λ − s^g − t y_0 = 0``, ``B'λ + s^b − t b_0 = 0`` (Tone 2001, 2004).
    """
    n, m = X.shape
    s1, s2 = Y.shape[1], B.shape[1]
    nv = 1 + n + m + s1 + s2
    Z = sp.csr_matrix
    blocks_static = sp.vstack(
        [
            sp.hstack([Z((m, 1)), Z(X.T), sp.eye(m), Z((m, s1)), Z((m, s2))]),
            sp.hstack([Z((s1, 1)), Z(Y.T), Z((s1, m)), -sp.eye(s1), Z((s1, s2))]),
            sp.hstack([Z((s2, 1)), Z(B.T), Z((s2, m)), Z((s2, s1)), sp.eye(s2)]),
        ]
    ).tocsr()
    out = np.empty(n)
    for o in range(n):
        x0, y0, b0 = X[o], Y[o], B[o]
        c = np.zeros(nv)
        c[0] = 1.0
        c[1 + n : 1 + n + m] = -1.0 / (m * x0)
        first = np.zeros(nv)
        first[0] = 1.0
        first[1 + n + m : 1 + n + m + s1] = 1.0 / ((s1 + s2) * y0)
        first[1 + n + m + s1 :] = 1.0 / ((s1 + s2) * b0)
        tcol = sp.csr_matrix(np.concatenate([-x0, -y0, -b0])[:, None])
        body = blocks_static + sp.hstack([tcol, Z((m + s1 + s2, nv - 1))]).tocsr()
        A = sp.vstack([sp.csr_matrix(first), body]).tocsr()
        b_eq = np.zeros(1 + m + s1 + s2)
        b_eq[0] = 1.0
        r = linprog(c, A_eq=A, b_eq=b_eq, bounds=(0, None), method="highs")
        if r.status != 0:
            raise RuntimeError(f"linprog failed for unit {o}: {r.message}")
        out[o] = r.fun
    return out


# ---------------------------------------------------------------------- tools
def nqpf_sbm(X, Y, B) -> np.ndarray:
    spec = DEASpec(model="sbm", rts="crs")
    res = solve(X, Y, B, X, Y, B, spec, reduce=True)
    if not np.all(np.asarray(res.status) == "optimal"):
        raise RuntimeError("nqpf: some SBM programmes did not solve")
    return np.asarray(res.efficiency, dtype=float)


def deapack_sbm(df: pd.DataFrame, inputs, outputs, bad) -> np.ndarray:
    import deapack

    data = deapack.DEAData.from_frame(
        df.reset_index(drop=True), inputs=inputs, outputs=outputs, bad_outputs=bad
    )
    res = deapack.UndesirableSlacksBasedDEA(returns_to_scale="crs").fit(data)
    s = res.summary if isinstance(res.summary, pd.DataFrame) else res.summary()
    return s["score"].to_numpy(dtype=float)


def best_of(fn, repeat: int):
    times, val = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        val = fn()
        times.append(time.perf_counter() - t0)
    return min(times), val


def bench1(n: int, repeat: int, deapack_n: int | None, linprog_n: int | None) -> bool:
    inputs, outputs, bad = ["rnna", "emp"], ["rgdpna"], ["co2"]
    if DATA.exists():
        df, src = real_panel(n)
    else:
        df = synthetic(n // 15 + 1, 15).head(n)
        df = df.rename(columns={"k": "rnna", "l": "emp", "y": "rgdpna"})
        src = f"synthetic (../shared/data absent), {len(df)} rows"
    X, Y, B = (df[c].to_numpy(dtype=float) for c in (inputs, outputs, bad))
    print(f"\n[1] global SBM, 1 bad output, CRS, non-oriented: {src}")
    ok = True
    t_nq, rho = best_of(lambda: nqpf_sbm(X, Y, B), repeat)
    print(f"  nqpf solve             n={len(df):>6}  {t_nq:9.3f} s  (best of {repeat})")
    print(f"      mean rho {rho.mean():.6f}, efficient {int((rho > 1 - 1e-9).sum())}")
    nl = len(df) if linprog_n is None else min(linprog_n, len(df))
    t0 = time.perf_counter()
    ref = sbm_linprog(X[:nl], Y[:nl], B[:nl])
    t_lp = time.perf_counter() - t0
    if nl < len(df):
        t_nq_sub, rho_sub = best_of(lambda: nqpf_sbm(X[:nl], Y[:nl], B[:nl]), repeat)
    else:
        t_nq_sub, rho_sub = t_nq, rho
    d_lp = float(np.max(np.abs(rho_sub - ref)))
    print(
        f"  scipy linprog loop     n={nl:>6}  {t_lp:9.3f} s  (once)  max|diff| {d_lp:.1e}  "
        f"ratio {t_lp / t_nq_sub:7.1f}x"
    )
    ok &= d_lp <= TOL_LINPROG
    try:
        import deapack  # noqa: F401
    except ImportError:
        print("  DEAPack not installed: skipped")
        return ok
    nd = len(df) if deapack_n is None else min(deapack_n, len(df))
    sub = df.iloc[:nd]
    t0 = time.perf_counter()
    dp = deapack_sbm(sub, inputs, outputs, bad)
    t_dp = time.perf_counter() - t0
    if nd < len(df):
        t_nq_dp, rho_dp = best_of(lambda: nqpf_sbm(X[:nd], Y[:nd], B[:nd]), repeat)
    else:
        t_nq_dp, rho_dp = t_nq, rho
    d_dp = float(np.nanmax(np.abs(rho_dp - dp)))
    print(
        f"  DEAPack                n={nd:>6}  {t_dp:9.3f} s  (once)  max|diff| {d_dp:.1e}  "
        f"ratio {t_dp / t_nq_dp:7.1f}x"
        + ("  (subset; nqpf timed on the same subset)" if nd < len(df) else "")
    )
    ok &= d_dp <= TOL_DEAPACK
    return ok


def bench2(n_units: int, n_periods: int, repeat: int) -> bool:
    df = synthetic(n_units, n_periods, drop=0.05)
    print(
        f"\n[2] super-SBM GML (global frontier), synthetic {n_units} units x {n_periods} "
        f"periods, 5% dropped: {len(df)} unit-years"
    )
    t, res = best_of(
        lambda: productivity(
            df, ["k", "l", "e"], ["y"], ["co2"], index="gml", model="super-sbm"
        ),
        repeat,
    )
    s = res.summary()
    print(f"  nqpf productivity      {t:9.3f} s  (best of {repeat}); {len(res.index)} comparisons")
    print(f"      GML mean (all) {s['index'].iloc[-1]:.4f}, failed {int(s['n_failed'].iloc[-1])}")
    return True


def bench3(n: int) -> bool:
    df = synthetic(n, 1)
    X, Y, B = (df[c].to_numpy(dtype=float) for c in (["k", "l", "e"], ["y"], ["co2"]))
    print(f"\n[3] global SBM, synthetic {n} units, 3 inputs, 1 output, 1 bad output")
    t0 = time.perf_counter()
    rho = nqpf_sbm(X, Y, B)
    t = time.perf_counter() - t0
    print(f"  nqpf solve             {t:9.3f} s  (once); mean rho {rho.mean():.4f}")
    return bool(np.all(np.isfinite(rho)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a few seconds)")
    ap.add_argument("--only", type=int, choices=(1, 2, 3), help="run one benchmark")
    ap.add_argument("--repeat", type=int, default=3, help="best of N for nqpf timings")
    ap.add_argument("--deapack-n", type=int, default=None, help="rows for DEAPack (subset)")
    ap.add_argument("--linprog-n", type=int, default=None, help="rows for the linprog loop")
    a = ap.parse_args(argv)
    print(
        f"nqpf {nqpf.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"pandas {pd.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}, {datetime.date.today()}"
    )
    ok = True
    if a.only in (None, 1):
        ok &= bench1(300 if a.quick else 4500, a.repeat, a.deapack_n, a.linprog_n)
    if a.only in (None, 2):
        ok &= bench2(*((30, 5) if a.quick else (300, 15)), a.repeat)
    if a.only in (None, 3):
        ok &= bench3(2000 if a.quick else 75_000)
    print("\nall answers agree" if ok else "\nANSWERS DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
