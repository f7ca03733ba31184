"""Speed benchmark of nqpf's batched robustness analysis against replication loops.

Part 1, Monte Carlo uncertainty analysis: 16,384 replications with five uncertain inputs
on 31 provinces x 13 years x 30 indicators of ``../shared/data/china_sti`` (loaded and
made complete as in ``bench_index.py``; a seeded synthetic cube of the same shape when
the folder is absent):

1. weighting method: entropy (base), CRITIC, equal;
2. aggregation: weighted sum (base), TOPSIS with pooled ideal points;
3. leave one indicator out (none, or one of the 30);
4. weight perturbation: each weight times ``1 + 0.2 (2u - 1)``, renormalised;
5. bootstrap of the 31 provinces (all years of a drawn province) before the
   data-driven weights (entropy, CRITIC) are computed.

Min-max normalisation over the pooled panel, every fifth indicator a cost indicator
(as in ``bench_index.py``). Three ways of doing the same replications:

* ``nqpf robustness()``: ``nqpf.robustness.uncertainty.robustness(...)``, batched;
  timed whole (sampling, evaluation, ranks, tables, the check against
  ``build_index``), best of N runs;
* a loop of single ``nqpf build_index`` calls: per replication, data-driven weights of
  the (resampled, reduced) normalised data with ``nqpf.index.weights.weights``, the
  perturbation, a framework with those weights as expert weights
  (``load_framework(dict)``, the left-out indicator removed) and
  ``build_index(..., Recipe(weights="expert", aggregate=...))``, whose ranks are read;
* a loop of pymcdm calls: per replication, ``entropy_weights(Zb + 1e-12)``,
  ``critic_weights`` (rescaled, see ``pymcdm_loop_one``) or ``equal_weights``, the
  perturbation, ``TOPSIS`` or ``WSM`` (identity normalisation, on pymcdm's min-max
  matrix, computed once, with the left-out column dropped) and ``rrankdata`` per year;
  three variants: input validation off (the fastest pure-pymcdm loop, used for the
  verdict), off with CRITIC computed in NumPy instead of pymcdm's ``critic_weights``,
  and pymcdm's default (validation on).

The two loops run the first 256 replications of the same scrambled Sobol sequence
(a balanced prefix: every choice appears in its share) and are extrapolated linearly
to 16,384; their ranks are compared with nqpf's for every one of those replications.

Part 2, variance-based sensitivity: Sobol indices with N = 4,096 base samples and six
inputs (the five above plus the normalisation: min-max or rank), i.e. N (d + 2) =
32,768 replications, with ``robustness(..., sensitivity=True, n_boot=500)``; total
wall time against the target of one minute on 2 cores.

Part 3, categorical inputs only: weights {entropy, CRITIC, equal} x {sum, TOPSIS} x leave
one indicator out, 16,384 replications (186 distinct design points on the real data).
``robustness()`` (which evaluates each distinct design point once and maps the ranks
back) is timed against a plain NumPy loop doing the same (decode the Sobol points, find
the distinct points, per point: weights, scores and ranks in NumPy; map the ranks back to
the replications) and against ``robustness(..., distinct=False)`` (every replication
evaluated), all in the same run; the ranks of all three are compared.

Run from the repository root: ``python bench/bench_robustness.py [--repeat 3]``.
pymcdm is not a project dependency: ``pip install pymcdm`` (skipped if absent).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import qmc, rankdata

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_index import (  # noqa: E402  (the loader of bench_index.py, reused)
    SEED,
    STI,
    directions_for,
    flat_framework,
    sti_panel,
    synthetic_panel,
)

from nqpf.framework import load_framework  # noqa: E402
from nqpf.index import Recipe, build_index  # noqa: E402
from nqpf.index.normalise import normalise  # noqa: E402
from nqpf.index.weights import weights as nqpf_weights  # noqa: E402
from nqpf.panel import Panel  # noqa: E402
from nqpf.robustness.uncertainty import (  # noqa: E402
    RobustnessResult,
    Uncertainty,
    resample_units,  # noqa: E402
    robustness,
)

REPLICATIONS = 16_384  # a power of 2: robustness() rounds other counts up
LOOP_REPS = 256  # replications timed in the two loops, extrapolated to REPLICATIONS
SOBOL_N = 4096
N_BOOT = 500
PERTURB = 0.2
WEIGHTS = ("entropy", "critic", "equal")
AGGREGATES = ("sum", "topsis")
MC_SEED = 7
PYMCDM_EPS = 1e-12  # pymcdm's entropy refuses the zeros of min-max output (bench_index.py)
TARGET_MC = 20.0
TARGET_SOBOL_S = 60.0


def uncertainty_mc() -> Uncertainty:
    """The five uncertain inputs of part 1."""
    return Uncertainty(
        weights=WEIGHTS, aggregate=AGGREGATES, leave_one_out=True, perturb=PERTURB,
        bootstrap=True,
    )


def uncertainty_sobol() -> Uncertainty:
    """The six uncertain inputs of part 2: part 1's plus the normalisation."""
    return Uncertainty(
        normalise=("minmax", "rank"), weights=WEIGHTS, aggregate=AGGREGATES,
        leave_one_out=True, perturb=PERTURB, bootstrap=True,
    )


# ----------------------------------------------------------------------------- data


@dataclass
class Data:
    panel: Panel
    framework: Any
    ids: list[str]
    directions: np.ndarray
    Z3: np.ndarray  # (units, periods, k) pooled min-max, direction-adjusted
    source: str

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.Z3.shape  # type: ignore[return-value]


def load() -> Data:
    if STI.is_dir():
        panel, src = sti_panel()
    else:
        panel = synthetic_panel(31, 13, 30, zeros=0, seed=SEED + 1)
        src = f"SYNTHETIC fallback ({STI} not present): seeded lognormal 31 x 13 x 30"
    ids = list(panel.indicators)
    d = directions_for(len(ids))
    fw = flat_framework(ids, d, "bench-robustness")
    Z3 = np.asarray(normalise(panel.values, d, "minmax", panel_mode="pooled").values, float)
    return Data(panel, fw, ids, d, Z3, src)


# ----------------------------------------------------------------------------- replications


@dataclass
class Rep:
    """One replication's choices, decoded from the same uniforms as nqpf."""

    weights: str
    aggregate: str
    drop: int | None  # indicator index left out, or None
    u_perturb: np.ndarray  # (k,) uniforms of the weight perturbation
    boot: np.ndarray  # (n_units,) resampled unit indices


def sobol_uniforms(params: dict[str, Any], samples: int, seed: int) -> np.ndarray:
    """The Sobol matrix robustness() sampled: scrambled, d = sum of the input blocks."""
    return qmc.Sobol(d=int(sum(params["dims"])), scramble=True, seed=seed).random(samples)


def decode(params: dict[str, Any], U: np.ndarray, n_units: int, k: int) -> list[Rep]:
    """Documented conventions of nqpf.robustness.uncertainty: alternative floor(u m);
    leave-one-out options (none, indicator 1..k); perturbation block of k columns;
    resample drawn by nqpf.robustness.uncertainty.resample_units(int(u 2**31))."""
    cols: dict[str, np.ndarray] = {}
    c = 0
    for name, dim in zip(params["inputs"], params["dims"], strict=True):
        cols[name] = U[:, c : c + dim]
        c += dim

    def pick(name: str, m: int) -> np.ndarray:
        return np.minimum((cols[name][:, 0] * m).astype(int), m - 1)

    wi, ai, li = pick("weights", len(WEIGHTS)), pick("aggregate", 2), pick("leave_one_out", k + 1)
    seeds = (cols["bootstrap"][:, 0] * 2**31).astype(np.int64)
    draws = resample_units(seeds, n_units)  # the resamples nqpf draws for these seeds
    return [
        Rep(
            WEIGHTS[wi[r]], AGGREGATES[ai[r]], None if li[r] == 0 else int(li[r] - 1),
            cols["weight_perturbation"][r],
            draws[r],
        )
        for r in range(len(U))
    ]


def keep_of(rep: Rep, k: int) -> np.ndarray:
    keep = np.ones(k, bool)
    if rep.drop is not None:
        keep[rep.drop] = False
    return keep


def perturbed(w: np.ndarray, u: np.ndarray) -> np.ndarray:
    wp = w * (1.0 + PERTURB * (2.0 * u - 1.0))
    return wp / wp.sum()


def weighted_framework(ids: list[str], dirs: np.ndarray, w: np.ndarray) -> Any:
    """The bench framework (dimensions of 10) with the weights ``w`` as expert weights."""
    dims = []
    for start in range(0, len(ids), 10):
        block = list(range(start, min(start + 10, len(ids))))
        tot = float(w[block].sum())
        dims.append({
            "id": f"D{start // 10 + 1}",
            "name_zh": f"维度{start // 10 + 1}",
            "weight": tot,
            "indicators": [
                {"id": ids[j], "name_zh": f"指标 {ids[j]}", "direction": int(dirs[j]),
                 "weight": float(w[j] / tot)}
                for j in block
            ],
        })
    return load_framework({"id": "bench-robustness-rep", "name_zh": "基准测试", "dimensions": dims})


def nqpf_loop_one(data: Data, rep: Rep) -> np.ndarray:
    """One replication with nqpf's single-index engine; ranks (units, periods)."""
    n_u, n_t, k = data.shape
    keep = keep_of(rep, k)
    if rep.weights == "equal":
        w = np.full(int(keep.sum()), 1.0 / keep.sum())
    else:
        Zb = data.Z3[rep.boot][:, :, keep].reshape(-1, int(keep.sum()))
        w = np.asarray(nqpf_weights(Zb, rep.weights, keep_arrays=False).weights, float)
    w = perturbed(w, rep.u_perturb[keep])
    ids = [i for i, kp in zip(data.ids, keep, strict=True) if kp]
    fw = weighted_framework(ids, data.directions[keep], w)
    res = build_index(data.panel, fw, Recipe(weights="expert", aggregate=rep.aggregate))
    sc = res.scores
    return sc.loc[sc["node"] == "index", "rank"].to_numpy(dtype=np.int64).reshape(n_u, n_t)


def _identity(x: np.ndarray, cost: bool = False) -> np.ndarray:
    """pymcdm normalisation function keeping the already-normalised column."""
    return x


def numpy_critic(Zb: np.ndarray) -> np.ndarray:
    """CRITIC (Diakoulaki et al. 1995) on the given scale: sd (ddof 1) x sum of (1 - r)."""
    c = Zb.std(axis=0, ddof=1) * (1.0 - np.corrcoef(Zb, rowvar=False)).sum(axis=0)
    return c / c.sum()


def pymcdm_loop_one(
    data: Data, rep: Rep, Z2: np.ndarray, validation: bool = False, critic: str = "pymcdm"
) -> np.ndarray:
    """One replication with pymcdm; ranks (units, periods).

    ``Z2`` is pymcdm's min-max of the pooled matrix (computed once before the loop).
    pymcdm's ``critic_weights`` min-max normalises its input again; on a bootstrap
    resample that rescales each column by the resample's range, so its weights are
    multiplied by those ranges and renormalised, which gives CRITIC on the full-sample
    normalisation (nqpf's convention; correlations are unchanged by the rescaling).
    ``validation=False`` skips the input checks pymcdm's methods run on every call
    (a Python loop over the rows looking for dominant alternatives); the data are
    checked once before the loop, so this is the fastest correct use of pymcdm.
    ``critic="numpy"`` replaces pymcdm's ``critic_weights`` (whose correlation matrix
    is a Python loop over the pairs of columns) by :func:`numpy_critic`.
    """
    from pymcdm.helpers import rrankdata
    from pymcdm.methods import TOPSIS, WSM
    from pymcdm.weights import critic_weights, entropy_weights, equal_weights

    n_u, n_t, k = data.shape
    keep = keep_of(rep, k)
    Zk = Z2[:, keep]
    if rep.weights == "equal":
        w = equal_weights(Zk)
    else:
        Zb = Z2.reshape(n_u, n_t, k)[rep.boot][:, :, keep].reshape(-1, Zk.shape[1])
        if rep.weights == "entropy":
            w = entropy_weights(Zb + PYMCDM_EPS)
        elif critic == "numpy":
            w = numpy_critic(Zb)
        else:
            w = critic_weights(Zb) * (Zb.max(axis=0) - Zb.min(axis=0))
            w = w / w.sum()
    w = perturbed(np.asarray(w, float), rep.u_perturb[keep])
    method = TOPSIS if rep.aggregate == "topsis" else WSM
    body = method(normalization_function=_identity)
    s = np.asarray(body(Zk, w, np.ones(Zk.shape[1], int), validation=validation))
    S = s.reshape(n_u, n_t)
    return np.column_stack([rrankdata(S[:, t]) for t in range(n_t)])


def pymcdm_z(data: Data) -> np.ndarray:
    from pymcdm.helpers import normalize_matrix
    from pymcdm.normalizations import minmax_normalization

    n_u, n_t, k = data.shape
    X = np.asarray(data.panel.values, float).reshape(n_u * n_t, k)
    return normalize_matrix(X, minmax_normalization, data.directions)


# ----------------------------------------------------------------------------- timing


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run_mc(data: Data, unc: Uncertainty, samples: int) -> RobustnessResult:
    return robustness(data.panel, data.framework, unc, Recipe(), replications=samples, seed=MC_SEED)


def loop(fn: Callable[[Rep], np.ndarray], reps: list[Rep]) -> tuple[float, np.ndarray, np.ndarray]:
    """Run ``fn`` over ``reps``: (total seconds, ranks (R, n, t), seconds per replication)."""
    per = np.empty(len(reps))
    out = []
    t_all = time.perf_counter()
    for i, rep in enumerate(reps):
        t0 = time.perf_counter()
        out.append(fn(rep))
        per[i] = time.perf_counter() - t0
    return time.perf_counter() - t_all, np.stack(out), per


def by_method(per: np.ndarray, reps: list[Rep]) -> str:
    """Mean milliseconds per replication by weighting method."""
    parts = []
    for w in WEIGHTS:
        sel = np.array([p.weights == w for p in reps])
        if sel.any():
            parts.append(f"{w} {per[sel].mean() * 1e3:.2f}")
    return ", ".join(parts)


def rank_agreement(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """(replications with identical ranks, max abs rank difference) of (R, n, t) arrays."""
    same = int((a == b).all(axis=(1, 2)).sum())
    return same, int(np.abs(a.astype(np.int64) - b.astype(np.int64)).max())


def versions() -> str:
    out = [f"Python {platform.python_version()}"]
    for name in ("numpy", "scipy", "pandas", "pymcdm"):
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} not installed")
    return ", ".join(out)


def base_check(data: Data, res: RobustnessResult) -> str:
    """Batched base ranks against a plain build_index (entropy, sum), and pymcdm's base."""
    n_u, n_t, _ = data.shape
    ref = build_index(data.panel, data.framework, Recipe(weights="entropy", aggregate="sum"))
    sc = ref.scores[ref.scores["node"] == "index"]
    want = sc.pivot(index="unit", columns="period", values="rank")
    want = want.loc[list(data.panel.units), list(data.panel.periods)].to_numpy(np.int64)
    got = res.ranks.pivot(index="unit", columns="period", values="base_rank")
    got = got.loc[list(data.panel.units), list(data.panel.periods)].to_numpy(np.int64)
    out = f"base case ranks = build_index ranks: {bool((got == want).all())}"
    try:
        from pymcdm.methods import WSM
        from pymcdm.weights import entropy_weights

        Z2 = pymcdm_z(data)
        w = entropy_weights(Z2 + PYMCDM_EPS)
        s = np.asarray(WSM(normalization_function=_identity)(Z2, w, np.ones(Z2.shape[1], int)))
        wide = sc.pivot(index="unit", columns="period", values="score")
        ref_s = wide.loc[list(data.panel.units), list(data.panel.periods)].to_numpy(float)
        diff = float(np.abs(s - ref_s.ravel()).max())
        out += f"; pymcdm base scores vs build_index: max abs diff {diff:.1e}"
    except ImportError:
        pass
    return out


# ----------------------------------------------------------------------------- part 3


def numpy_entropy(Z: np.ndarray) -> np.ndarray:
    """Entropy weights (Shannon; 0 ln 0 = 0) of the columns of Z, in NumPy."""
    p = Z / Z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    d = 1.0 + plogp.sum(axis=0) / np.log(len(Z))
    return d / d.sum()


def numpy_distinct_loop(data: Data, U: np.ndarray) -> np.ndarray:
    """Ranks (R, n, t) of the categorical design U, each distinct point evaluated once."""
    n_u, n_t, k = data.shape
    Z = data.Z3.reshape(-1, k)
    m = (len(WEIGHTS), len(AGGREGATES), k + 1)
    idx = [np.minimum((U[:, c] * mm).astype(int), mm - 1) for c, mm in enumerate(m)]
    code = (idx[0] * m[1] + idx[1]) * m[2] + idx[2]
    ucode, inv = np.unique(code, return_inverse=True)
    out = np.empty((len(ucode), n_u, n_t), dtype=np.int64)
    zmax, zmin = Z.max(axis=0), Z.min(axis=0)
    for q, c in enumerate(ucode):
        wi, ai, li = c // (m[1] * m[2]), (c // m[2]) % m[1], c % m[2]
        keep = np.ones(k, bool)
        if li:
            keep[li - 1] = False
        Zk = Z[:, keep]
        if WEIGHTS[wi] == "entropy":
            w = numpy_entropy(Zk)
        elif WEIGHTS[wi] == "critic":
            w = numpy_critic(Zk)
        else:
            w = np.full(Zk.shape[1], 1.0 / Zk.shape[1])
        if AGGREGATES[ai] == "sum":
            sc = Zk @ w
        else:
            dp = np.sqrt((((Zk - zmax[keep]) * w) ** 2).sum(axis=1))
            dm = np.sqrt((((Zk - zmin[keep]) * w) ** 2).sum(axis=1))
            sc = dm / (dp + dm)
        out[q] = rankdata(-sc.reshape(n_u, n_t), method="min", axis=0).astype(np.int64)
    return out[inv.reshape(-1)]


def part3(data: Data, repeat: int) -> None:
    unc = Uncertainty(weights=WEIGHTS, aggregate=AGGREGATES, leave_one_out=True)
    print(f"\nPart 3: {REPLICATIONS:,} replications, categorical inputs only: weights {WEIGHTS} "
          f"x aggregation {AGGREGATES} x leave one indicator out")

    def nq(distinct: bool) -> RobustnessResult:
        return robustness(data.panel, data.framework, unc, Recipe(), replications=REPLICATIONS,
                          seed=MC_SEED, distinct=distinct)

    res = nq(True)  # warm-up, and the design's uniforms
    U = qmc.Sobol(d=3, scramble=True, seed=MC_SEED).random(REPLICATIONS)
    numpy_distinct_loop(data, U[:64])
    best = {"fast": np.inf, "all": np.inf, "loop": np.inf}
    for _ in range(repeat):
        dt, res = timed(lambda: nq(True))
        best["fast"] = min(best["fast"], dt)
        dt, res_all = timed(lambda: nq(False))
        best["all"] = min(best["all"], dt)
        dt, loop_rk = timed(lambda: numpy_distinct_loop(data, U))
        best["loop"] = min(best["loop"], dt)
    rk = res.rank_array
    print(f"{res.params['distinct_points']} distinct design points in {len(rk):,} replications")
    print(f"| way | seconds (best of {repeat}) | ratio vs plain NumPy loop | ranks vs the loop |")
    print("|---|---:|---:|---|")
    for label, key, ranks_ in (
        ("plain NumPy loop over distinct points, ranks mapped back", "loop", loop_rk),
        ("nqpf robustness() (distinct points once; whole call with tables and base check)",
         "fast", rk),
        ("nqpf robustness(distinct=False) (every replication evaluated)", "all",
         res_all.rank_array),
    ):
        same, dmax = rank_agreement(ranks_, loop_rk)
        print(f"| {label} | {best[key]:.3f} | {best[key] / best['loop']:.2f} | "
              f"{same}/{len(rk)} identical, max abs diff {dmax} |")
    print(f"verdict 3: robustness() takes {best['fast'] / best['loop']:.2f}x the plain loop's time "
          f"and is {best['all'] / best['fast']:.1f}x faster than evaluating every replication")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3,
                    help="timed runs of robustness() and of the pymcdm loop (best of N)")
    ap.add_argument("--loop-reps", type=int, default=LOOP_REPS,
                    help=f"replications timed in each loop (default {LOOP_REPS})")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    print(f"nqpf robustness benchmark, {date.today().isoformat()}")
    print(f"{platform.platform()}, {os.cpu_count()} CPUs; {versions()}")
    data = load()
    n_u, n_t, k = data.shape
    print(f"data: {data.source}")
    print(f"      {n_u} x {n_t} x {k}, {int((data.directions < 0).sum())} cost indicators\n")
    try:
        import pymcdm  # noqa: F401

        has_pymcdm = True
    except ImportError:
        has_pymcdm = False
        print("pymcdm not installed (pip install pymcdm): the pymcdm loop is skipped\n")

    # ---------------------------------------------------------------- part 1
    unc = uncertainty_mc()
    print(f"Part 1: {REPLICATIONS:,} replications, five uncertain inputs: weights "
          f"{WEIGHTS}, aggregation {AGGREGATES}, leave one indicator out, "
          f"perturbation +-{PERTURB:.0%}, bootstrap of units for data-driven weights")
    run_mc(data, unc, 256)  # warm-up (imports, caches)
    loop_n = min(args.loop_reps, REPLICATIONS)
    scale = REPLICATIONS / loop_n
    Z2 = pymcdm_z(data) if has_pymcdm else None
    # loops timed best of N, round-robin with robustness(); label -> replication function
    loops: dict[str, Callable[[Rep], np.ndarray]] = {}
    if Z2 is not None:
        z2 = Z2
        loops["pymcdm, validation=False"] = lambda p, z2=z2: pymcdm_loop_one(data, p, z2)
        loops["pymcdm, validation=False, NumPy CRITIC"] = lambda p, z2=z2: pymcdm_loop_one(
            data, p, z2, critic="numpy"
        )
        loops["pymcdm, validation on (default)"] = lambda p, z2=z2: pymcdm_loop_one(
            data, p, z2, validation=True
        )
    best: dict[str, tuple[float, np.ndarray, np.ndarray]] = {}
    best_batch, res = None, None
    reps: list[Rep] = []
    for rnd in range(args.repeat):
        dt, r = timed(lambda: run_mc(data, unc, REPLICATIONS))
        best_batch = dt if best_batch is None else min(best_batch, dt)
        res = r
        if rnd == 0:
            U = sobol_uniforms(res.params, REPLICATIONS, MC_SEED)[:loop_n]
            reps = decode(res.params, U, n_u, k)
            for fn in loops.values():
                fn(reps[0])  # warm-up
        for label, fn in loops.items():
            got = loop(fn, reps)
            if label not in best or got[0] < best[label][0]:
                best[label] = got
    assert res is not None and best_batch is not None
    nqpf_loop_one(data, reps[0])  # warm-up
    t_nl, nl_ranks, nl_per = loop(lambda p: nqpf_loop_one(data, p), reps)

    rk = res.rank_array[:loop_n]
    rows = [("nqpf robustness() (batched)", best_batch, f"best of {args.repeat}", "reference")]
    s_nl, d_nl = rank_agreement(nl_ranks, rk)
    rows.append((f"loop of nqpf build_index ({loop_n} timed x {scale:.2f})", t_nl * scale,
                 f"1 run, {t_nl / loop_n * 1e3:.2f} ms/replication",
                 f"{s_nl}/{loop_n} identical, max abs diff {d_nl}"))
    for label, (dt, ranks_, _) in best.items():
        same, dmax = rank_agreement(ranks_, rk)
        rows.append((f"loop of {label} ({loop_n} timed x {scale:.2f})", dt * scale,
                     f"best of {args.repeat}, {dt / loop_n * 1e3:.2f} ms/replication",
                     f"{same}/{loop_n} identical, max abs diff {dmax}"))
    print()
    print(f"| tool | seconds for {REPLICATIONS:,} | timing | ratio vs nqpf | ranks of the looped "
          "replications vs nqpf |")
    print("|---|---:|---|---:|---|")
    for label, secs, how, agree in rows:
        print(f"| {label} | {secs:.2f} | {how} | {secs / best_batch:.1f} | {agree} |")
    counts = {w: sum(p.weights == w for p in reps) for w in WEIGHTS}
    counts_a = {a: sum(p.aggregate == a for p in reps) for a in AGGREGATES}
    drops = sum(p.drop is not None for p in reps)
    print(f"\nlooped replications: weights {counts}, aggregation {counts_a}, "
          f"{drops} with an indicator left out")
    print("mean ms per replication by weighting method:")
    print(f"  build_index loop: {by_method(nl_per, reps)}")
    for label, (_, _, per) in best.items():
        print(f"  {label}: {by_method(per, reps)}")
    print(base_check(data, res))
    if best:
        label = "pymcdm, validation=False"
        ratio = best[label][0] * scale / best_batch
        print(f"verdict 1: nqpf robustness() is {ratio:.1f}x faster than the fastest pure pymcdm "
              f"loop ({label}; target >= {TARGET_MC:.0f}x): "
              f"{'MET' if ratio >= TARGET_MC else 'NOT MET'}; "
              f"{t_nl * scale / best_batch:.0f}x faster than the build_index loop")
        alt = "pymcdm, validation=False, NumPy CRITIC"
        ratio2 = best[alt][0] * scale / best_batch
        print(f"           against the pymcdm loop with CRITIC in NumPy ({alt}): {ratio2:.1f}x "
              f"({'MET' if ratio2 >= TARGET_MC else 'NOT MET'} for that variant)")
    else:
        print("verdict 1: pymcdm not installed, target not assessed")

    # ---------------------------------------------------------------- part 2
    unc6 = uncertainty_sobol()
    print(f"\nPart 2: Sobol indices, N = {SOBOL_N} base samples, six inputs (part 1's + "
          f"normalisation minmax/rank), n_boot = {N_BOOT}")
    t_sob, sres = timed(lambda: robustness(
        data.panel, data.framework, unc6, Recipe(), replications=SOBOL_N, seed=MC_SEED,
        sensitivity=True, n_boot=N_BOOT,
    ))
    R = sres.params["replications"]
    print(f"inputs {sres.params['inputs']} (uniform columns {sres.params['dims']}), "
          f"{R} replications, {len(sres.sensitivity)} index rows, "
          f"{len(sres.warnings)} convergence warning(s)")
    shift = sres.sensitivity[sres.sensitivity["target"] == "mean_abs_shift"]
    print("sensitivity of the mean absolute rank shift:")
    print("| input | S1 | S1 95 % CI | ST | ST 95 % CI |")
    print("|---|---:|---|---:|---|")
    for _, row in shift.iterrows():
        print(f"| {row['input']} | {row['S1']:.3f} | [{row['S1_low']:.3f}, {row['S1_high']:.3f}] "
              f"| {row['ST']:.3f} | [{row['ST_low']:.3f}, {row['ST_high']:.3f}] |")
    for w in sres.warnings:
        print(f"  warning: {w}")
    print(f"verdict 2: Sobol analysis took {t_sob:.1f} s on {os.cpu_count()} CPUs "
          f"(target < {TARGET_SOBOL_S:.0f} s): {'MET' if t_sob < TARGET_SOBOL_S else 'NOT MET'}")
    part3(data, args.repeat)
    print(f"\ntotal wall time {time.perf_counter() - t_start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
