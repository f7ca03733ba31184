"""Speed benchmark of nqpf's composite-index engine against pymcdm and scikit-criteria.

The computation (the "panel" entropy-TOPSIS of applied NQPF studies):

1. min-max normalisation over the pooled panel (all unit-years), direction-adjusted:
   benefit ``(x - min)/(max - min)``, cost ``(max - x)/(max - min)``;
2. entropy weights over the pooled unit-years, ``0 * ln 0 = 0``;
3. TOPSIS with pooled ideal points: ``V = Z * w``, Euclidean distances to the column
   max and min of ``V``, ``C = d- / (d+ + d-)``.

Cases: (a) 31 provinces x 13 years x 30 indicators of real data from
``../shared/data/china_sti`` (a seeded synthetic lognormal matrix of the same shape when
the folder is absent); (b) a seeded synthetic 5,000 units x 15 years x 40 indicators
(lognormal with a few exact zeros). Every tool computes on the same flattened
``(units * years) x k`` matrix; each timing is the best of N runs after an untimed
warm-up, taken round-robin (every tool once per round) so that machine noise hits all
tools alike. Ratios are
``tool seconds / nqpf array-path seconds`` from the same run.

The peers are not project dependencies: ``pip install pymcdm scikit-criteria`` (see
``bench/README.md``). A peer that is not installed is reported and skipped.

Run from the repository root: ``python bench/bench_index.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from nqpf.framework import load_framework
from nqpf.index import Recipe, build_index
from nqpf.index.aggregate import aggregate
from nqpf.index.normalise import normalise
from nqpf.index.weights import weights
from nqpf.panel import Panel, impute, read_panel

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
STI = DATA / "china_sti"
SEED = 20240601
PYMCDM_EPS = 1e-12

# (a): 30 indicators of the China S&T yearbook tables (techme compilation) with (near)
# complete coverage of the 31 provinces over 2011-2023, by file.
STI_PICK: dict[str, list[str]] = {
    "RDActivity.csv": ["v4_zh_nbzc_hj", "v4_zh_nbzc_jcyj", "v4_zh_nbzc_yyyj", "v4_zh_nbzc_syfz"],
    "RDSource.csv": ["v4_zh_nbzc_zfzj", "v4_zh_nbzc_qyzj", "v4_zh_nbzc_qtzj"],
    "PublicBudget.csv": ["v6_cz_yszc_hj", "v6_cz_yszc_jy", "v6_cz_yszc_kxjs", "v6_cz_yszc_nls"],
    "RDIntense.csv": ["v4_ztr_jf_RD", "v4_ztr_qd_RD"],
    "RDLaborHour.csv": [
        "v4_zh_qsdl_hj", "v4_zh_qsdl_yjry", "v4_zh_qsdl_jcyj", "v4_zh_qsdl_yyyj",
        "v4_zh_qsdl_syfz",
    ],
    "RDPatentAccept.csv": ["v4_cg_zlsq_hj", "v4_cg_zlsq_fm", "v4_cg_zlsq_syxx", "v4_cg_zlsq_wgsj"],
    "RDPatentAuthority.csv": [
        "v4_cg_zlsq2_hj", "v4_cg_zlsq2_fm", "v4_cg_zlsq2_syxx", "v4_cg_zlsq2_wgsj",
    ],
    "MarketPull.csv": ["v4_cg_jssr_je", "v4_cg_jssr_ht"],
    "MarketPush.csv": ["v4_cg_jssc_je", "v4_cg_jssc_ht"],
}
STI_YEARS = list(range(2011, 2024))
# Province names misprinted in some tables of the compilation (OCR-like slips).
STI_ALIASES = {
    "两藏": "CN-XZ", "四藏": "CN-XZ", "内蒙占": "CN-NM", "山两": "CN-SX", "江两": "CN-JX",
    "江四": "CN-JX", "浙汀": "CN-ZJ",
}


# ----------------------------------------------------------------------------- data


@dataclass
class Case:
    name: str
    panel: Panel  # complete cube, indicators in framework order
    framework: Any
    directions: np.ndarray
    source: str
    X: np.ndarray = field(init=False)  # (units * periods) x k, unit-major

    def __post_init__(self) -> None:
        n, t, k = self.panel.shape
        self.X = np.array(self.panel.values, dtype=float).reshape(n * t, k)


def directions_for(k: int) -> np.ndarray:
    """Every fifth indicator a cost indicator (exercises direction handling)."""
    return np.where(np.arange(k) % 5 == 4, -1, 1)


def flat_framework(ids: list[str], directions: np.ndarray, fid: str) -> Any:
    """A framework with one dimension per 10 indicators, built with load_framework(dict)."""
    dims = []
    for start in range(0, len(ids), 10):
        block = ids[start : start + 10]
        dims.append({
            "id": f"D{start // 10 + 1}",
            "name_zh": f"维度{start // 10 + 1}",
            "indicators": [
                {"id": i, "name_zh": f"指标 {i}", "direction": int(directions[ids.index(i)])}
                for i in block
            ],
        })
    return load_framework({"id": fid, "name_zh": "基准测试", "dimensions": dims})


def synthetic_panel(n: int, t: int, k: int, zeros: int, seed: int) -> Panel:
    """Seeded lognormal cube with ``zeros`` exact zeros (none for the first unit)."""
    rng = np.random.default_rng(seed)
    scale = rng.lognormal(0.0, 2.0, size=k)  # indicators on very different scales
    x = rng.lognormal(0.0, 1.0, size=(n, t, k)) * scale
    if zeros:
        cells = rng.choice(np.arange(t * k, x.size), size=zeros, replace=False)
        x.flat[cells] = 0.0
    units = tuple(f"U{i:05d}" for i in range(n))
    periods = tuple(range(2010, 2010 + t))
    inds = tuple(f"x{j + 1:02d}" for j in range(k))
    return Panel(x, units, periods, inds)


def sti_panel() -> tuple[Panel, str]:
    """The 31-province panel of (a) from china_sti, made complete by growth imputation."""
    panel = None
    for fname, inds in STI_PICK.items():
        p = read_panel(
            STI / fname, unit="province", period="year", indicator="variables",
            value="value", units="province", aliases=STI_ALIASES,
        ).sel(indicators=inds)
        panel = p if panel is None else panel.merge(p)
    assert panel is not None
    panel = panel.sel(periods=[y for y in STI_YEARS if y in panel.periods])
    missing = int(np.isnan(panel.values).sum())
    # geometric interpolation inside a series, average-growth extrapolation at its ends
    panel = impute(panel, "growth")
    complete = [
        ind for j, ind in enumerate(panel.indicators)
        if not np.isnan(panel.values[:, :, j]).any()
    ]
    panel = panel.sel(indicators=complete)
    n, t, k = panel.shape
    src = (
        f"china_sti (China S&T yearbooks via techme), {n} provinces x {t} years "
        f"{panel.periods[0]}-{panel.periods[-1]} x {k} indicators from {len(STI_PICK)} tables; "
        f"{missing} missing cells filled by nqpf.panel.impute(..., 'growth')"
    )
    return panel, src


def make_cases() -> list[Case]:
    cases = []
    if STI.is_dir():
        panel, src = sti_panel()
    else:
        panel = synthetic_panel(31, 13, 30, zeros=0, seed=SEED + 1)
        src = f"SYNTHETIC fallback ({STI} not present): seeded lognormal 31 x 13 x 30"
    d = directions_for(panel.shape[2])
    fw = flat_framework(list(panel.indicators), d, "bench-a")
    cases.append(Case("(a) 31x13x30", panel, fw, d, src))

    panel = synthetic_panel(5000, 15, 40, zeros=40, seed=SEED)
    d = directions_for(40)
    fw = flat_framework(list(panel.indicators), d, "bench-b")
    cases.append(Case(
        "(b) 5000x15x40", panel, fw, d,
        f"synthetic, seed {SEED}: lognormal(0, 1) x per-indicator lognormal(0, 2) scale, "
        "40 exact zeros",
    ))
    return cases


# ----------------------------------------------------------------------------- tools
# Each tool maps a Case to (scores over the flattened rows, weights or None).

Result = tuple[np.ndarray, np.ndarray | None]


def nqpf_array(c: Case) -> Result:
    # keep_arrays=False: no (n_obs x k) explain arrays, as build_index without explain=True
    z = normalise(c.X, c.directions, "minmax", panel_mode="pooled").values
    w = weights(z, "entropy", keep_arrays=False).weights
    s = aggregate(z, w, "topsis", groups=np.zeros(len(z), dtype=int), keep_arrays=False).scores
    return s, w


def nqpf_engine(c: Case) -> Result:
    res = build_index(c.panel, c.framework, Recipe(weights="entropy", aggregate="topsis"))
    sc = res.scores[res.scores["node"] == "index"]
    wide = sc.pivot(index="unit", columns="period", values="score")
    wide = wide.loc[list(c.panel.units), list(c.panel.periods)]
    w = res.weights.set_index("node")["effective_weight"]
    return wide.to_numpy(dtype=float).ravel(), w.loc[list(c.panel.indicators)].to_numpy(float)


def numpy_floor(c: Case) -> Result:
    """Bench-only sketch of the same formulas with no checks (complete data only).

    Entropy via ``sum z ln z / S - ln S``; TOPSIS distances from ``Z**2 @ w**2`` and
    ``Z @ w**2`` (the ideal is 1 and the anti-ideal 0 in every min-max column).
    """
    from scipy.special import xlogy

    x, d = c.X, c.directions
    lo, hi = x.min(axis=0), x.max(axis=0)
    sc = d / (hi - lo)
    z = x * sc
    z += np.where(d > 0, -lo, -hi) * sc
    s = z.sum(axis=0)
    e = -(xlogy(z, z).sum(axis=0) / s - np.log(s)) / np.log(len(z))
    w = (1.0 - e) / (1.0 - e).sum()
    w2 = w * w
    q = (z * z) @ w2
    d_minus = np.sqrt(np.maximum(q, 0.0))
    d_plus = np.sqrt(np.maximum(q - 2.0 * (z @ w2) + w2.sum(), 0.0))
    return d_minus / (d_plus + d_minus), w


def _pymcdm() -> Any:
    from pymcdm.helpers import normalize_matrix
    from pymcdm.methods import TOPSIS
    from pymcdm.normalizations import minmax_normalization
    from pymcdm.weights import entropy_weights

    return normalize_matrix, TOPSIS, minmax_normalization, entropy_weights


def _identity(x: np.ndarray, cost: bool = False) -> np.ndarray:
    """pymcdm normalisation function that keeps the already-normalised column."""
    return x


def pymcdm_on_z(c: Case, eps: float = 0.0) -> Result:
    """pymcdm on nqpf's computation: minmax with types, entropy on Z, TOPSIS on Z as is."""
    normalize_matrix, TOPSIS, minmax_normalization, entropy_weights = _pymcdm()
    z = normalize_matrix(c.X, minmax_normalization, c.directions)
    w = entropy_weights(z + eps if eps else z)
    s = TOPSIS(normalization_function=_identity)(z, w, np.ones(z.shape[1], dtype=int))
    return np.asarray(s, float), np.asarray(w, float)


def pymcdm_on_z_eps(c: Case) -> Result:
    return pymcdm_on_z(c, PYMCDM_EPS)


def pymcdm_native(c: Case) -> Result:
    """pymcdm as documented: entropy on the raw matrix, TOPSIS with its min-max."""
    _, TOPSIS, minmax_normalization, entropy_weights = _pymcdm()
    w = entropy_weights(c.X)
    s = TOPSIS(normalization_function=minmax_normalization)(c.X, w, c.directions)
    return np.asarray(s, float), np.asarray(w, float)


def _skc(inverter: str) -> Callable[[Case], Result]:
    def run(c: Case) -> Result:
        import skcriteria as skc
        from skcriteria.agg.topsis import TOPSIS
        from skcriteria.preprocessing.invert_objectives import InvertMinimize, MinMaxInverter
        from skcriteria.preprocessing.scalers import MinMaxScaler
        from skcriteria.preprocessing.weighters import EntropyWeighter

        # the steps of mkpipe(inverter..., EntropyWeighter(), TOPSIS()), run one by one to
        # keep the weights without computing anything twice
        if inverter == "minmax":
            steps: list[Any] = [MinMaxInverter()]
        else:
            steps = [InvertMinimize(), MinMaxScaler(target="matrix")]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            dm = skc.mkdm(c.X, objectives=[max if v > 0 else min for v in c.directions])
            for step in [*steps, EntropyWeighter()]:
                dm = step.transform(dm)
            res = TOPSIS().evaluate(dm)
        return np.asarray(res.e_.similarity, float), dm.weights.to_numpy(float)

    return run


def skc_same(c: Case) -> Result:
    return _skc("minmax")(c)


def skc_invert(c: Case) -> Result:
    return _skc("invert")(c)


@dataclass
class Tool:
    key: str
    label: str
    fn: Callable[[Case], Result]
    peer: str | None  # None = nqpf or bench reference
    same: bool  # computes the same thing as nqpf by construction
    note: str


TOOLS = [
    Tool("nqpf", "nqpf array path", nqpf_array, None, True,
         "normalise + weights('entropy') + aggregate('topsis', groups=0), keep_arrays=False"),
    Tool("engine", "nqpf build_index", nqpf_engine, None, True,
         "whole engine: prepare, index + dimension scores, ranks, tables"),
    Tool("pymcdm-z", "pymcdm, entropy on Z", pymcdm_on_z, "pymcdm", True,
         "minmax(types) -> entropy_weights(Z) -> TOPSIS(identity) on Z"),
    Tool("pymcdm-eps", f"pymcdm, entropy on Z+{PYMCDM_EPS:g}", pymcdm_on_z_eps, "pymcdm", True,
         "as above with Z shifted by 1e-12 in the entropy step only"),
    Tool("pymcdm-raw", "pymcdm as documented", pymcdm_native, "pymcdm", False,
         "entropy_weights(raw X) -> TOPSIS(minmax)(X, w, types)"),
    Tool("skc", "skcriteria MinMaxInverter", skc_same, "skcriteria", True,
         "mkdm -> MinMaxInverter -> EntropyWeighter -> TOPSIS"),
    Tool("skc-inv", "skcriteria InvertMinimize", skc_invert, "skcriteria", False,
         "mkdm -> InvertMinimize (1/x) -> MinMaxScaler -> EntropyWeighter -> TOPSIS"),
    Tool("floor", "bench NumPy sketch", numpy_floor, None, True,
         "same formulas, no checks: a lower bound for the array path"),
]


def available(tool: Tool) -> str | None:
    """None when the tool can run, else why not."""
    if tool.peer is None:
        return None
    mod = "skcriteria" if tool.peer == "skcriteria" else "pymcdm"
    try:
        __import__(mod)
    except ImportError:
        return f"not installed (pip install {'scikit-criteria' if mod == 'skcriteria' else mod})"
    return None


# ----------------------------------------------------------------------------- timing


@dataclass
class Row:
    tool: Tool
    best: float | None = None
    scores: np.ndarray | None = None
    weights: np.ndarray | None = None
    error: str | None = None


def run_case(c: Case, tools: list[Tool], repeat: int) -> dict[str, Row]:
    rows = {t.key: Row(t) for t in tools}
    for t in tools:
        why = available(t)
        if why:
            rows[t.key].error = why
    for rnd in range(repeat + 1):  # round 0: untimed warm-up (lazy imports, caches)
        for t in tools:  # round-robin: one run of every tool per round
            r = rows[t.key]
            if r.error:
                continue
            t0 = time.perf_counter()
            try:
                s, w = t.fn(c)
            except Exception as e:  # a peer's failure is a result to report
                r.error = f"raises {type(e).__name__}: {str(e).splitlines()[0][:90]}"
                continue
            dt = time.perf_counter() - t0
            if rnd == 0:
                r.scores, r.weights = s, w
            else:
                r.best = dt if r.best is None else min(r.best, dt)
    return rows


def max_diff(a: np.ndarray | None, b: np.ndarray | None) -> str:
    if a is None or b is None:
        return "-"
    if a.shape != b.shape:
        return f"shape {a.shape} vs {b.shape}"
    nan = np.isnan(a) | np.isnan(b)
    if nan.all():
        return "all NaN"
    m = float(np.max(np.abs(a[~nan] - b[~nan])))
    out = f"{m:.1e}"
    if nan.any():
        out += f" ({int(nan.sum())} NaN)"
    return out


def table(c: Case, rows: dict[str, Row], notes: list[str]) -> list[str]:
    ref = rows["nqpf"]
    lines = [
        "| case | tool | best s | ratio vs nqpf | max abs score diff | max abs weight diff |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in rows.values():
        if r.best is None:
            secs, ratio = ("fails" if r.error and r.error.startswith("raises") else "skipped"), "-"
            notes.append(f"{c.name} {r.tool.label}: {r.error}")
        else:
            secs = f"{r.best:.4f}"
            ratio = f"{r.best / ref.best:.2f}" if ref.best else "-"
        ds = "0 (reference)" if r.tool.key == "nqpf" else max_diff(r.scores, ref.scores)
        dw = "-" if r.tool.key == "nqpf" else max_diff(r.weights, ref.weights)
        lines.append(f"| {c.name} | {r.tool.label} | {secs} | {ratio} | {ds} | {dw} |")
    return lines


def verdict(c: Case, rows: dict[str, Row]) -> list[str]:
    peers = [
        r for r in rows.values()
        if r.tool.peer and r.tool.same and r.best is not None
        and r.scores is not None and not np.isnan(r.scores).any()
    ]
    if not peers:
        return [f"{c.name}: no peer completed the same computation"]
    fastest = min(peers, key=lambda r: r.best or np.inf)
    out = []
    for key in ("nqpf", "engine"):
        r = rows[key]
        if r.best is None:
            out.append(f"{c.name}: {r.tool.label} did not run ({r.error})")
            continue
        speed = fastest.best / r.best
        out.append(
            f"{c.name}: {r.tool.label} is {speed:.2f}x the speed of the fastest peer doing "
            f"the same computation ({fastest.tool.label}, {fastest.best:.4f} s); "
            f"target 5x: {'met' if speed >= 5 else 'NOT met'}"
        )
    return out


def versions() -> str:
    out = [f"Python {platform.python_version()}"]
    for name in ("numpy", "scipy", "pandas", "pymcdm", "scikit-criteria"):
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} not installed")
    return ", ".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per tool (best of N); default 5")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    print(f"nqpf composite-index benchmark, {date.today().isoformat()}")
    print(f"{platform.platform()}, {os.cpu_count()} CPUs; {versions()}")
    print(f"best of {args.repeat} runs after one warm-up, round-robin; "
          "ratio = tool seconds / nqpf array-path seconds (> 1: nqpf faster)\n")
    cases = make_cases()
    all_lines: list[str] = []
    verdicts: list[str] = []
    notes: list[str] = []
    for c in cases:
        print(f"{c.name}: {c.source}")
        print(f"  {len(c.X)} rows x {c.X.shape[1]} indicators, "
              f"{int((c.directions < 0).sum())} cost; zeros in raw data: {int((c.X == 0).sum())}")
        rows = run_case(c, TOOLS, args.repeat)
        all_lines += table(c, rows, notes)[(2 if all_lines else 0):]
        verdicts += verdict(c, rows)
    print()
    print("\n".join(all_lines))
    print()
    for line in notes:
        print(f"  {line}")
    for t in TOOLS:
        print(f"  {t.label}: {t.note}")
    print()
    print("\n".join(verdicts))
    print(f"\ntotal wall time {time.perf_counter() - t_start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
