"""Bias-corrected radial DEA scores and confidence intervals: the Simar–Wilson (1998)
smoothed bootstrap.

Convention. Work with the Shephard-type distance ``delta >= 1`` of each unit: ``1/theta``
for input orientation (theta the Farrell input efficiency) and ``phi`` for output
orientation. For a reference set of ``n`` observations (Simar & Wilson 1998, sec. 4;
Daraio & Wilson 2007, Algorithm 3.1 with the reflection method):

1. ``delta_i`` from the DEA program (CRS, VRS, NIRS or NDRS).
2. Bandwidth ``h`` for the kernel density of the distances, reflected about 1: the
   rule (``"ucv"``: least-squares cross-validation, the default; ``"silverman"``:
   ``0.9 min(sd, IQR/1.34) N^-1/5``) is applied to ``{delta_i, 2 - delta_i}`` for the
   ``m`` distances above 1 (values at 1 are an artefact of DEA), then adjusted as in
   Daraio & Wilson (2007, eq. 3.26): ``h = h_0 2^{1/5} (m/n)^{1/5} sd(delta)/sd(reflected)``.
   A number gives ``h`` directly. (R's Benchmarking ``dea.boot`` reflects the Farrell
   scores below 1 instead of the distances above 1 when it picks ``h``, which gives a
   somewhat different bandwidth; with the same ``h`` both agree within Monte Carlo error,
   ``bench/bench_dea_crosscheck.py``.)
3. For each replicate ``b = 1..B``: draw ``beta*_i`` with replacement from the reflected
   set ``{delta_i, 2 - delta_i}``, smooth ``beta*_i + h eps_i`` (``eps`` standard normal),
   rescale ``beta-bar* + (beta*_i + h eps_i - beta-bar*) / sqrt(1 + h^2 / s^2)`` (``s^2``
   the variance of the reflected set) and reflect values below 1 to ``2 - value``, giving
   ``delta*_i``. Pseudo-data move each unit along its ray through its frontier projection:
   input ``x*_i = (delta*_i / delta_i) x_i`` (outputs kept); output
   ``y*_i = (delta_i / delta*_i) y_i`` (inputs kept). Each original unit is evaluated against
   the pseudo-sample: ``delta*_{b,i}``.
4. ``bias_i = mean_b delta*_{b,i} - delta_i``; bias-corrected ``delta^bc_i = delta_i -
   bias_i``; the ``1 - alpha`` interval ``[delta_i - q_{1-alpha/2}, delta_i - q_{alpha/2}]``
   with ``q`` the quantiles of ``delta*_{b,i} - delta_i`` (SW 1998, eq. 4.13-4.14).

Results are reported back in Farrell terms (``efficiency = 1/delta`` for input orientation
as theta, ``1/phi`` for output orientation), so the interval bounds swap. Simar & Wilson
(1998) advise using the corrected score only where ``bias^2 / var > 1/3``; the column
``correct`` marks those units. The seed makes every run reproducible
(``numpy.random.default_rng(seed)``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from ...errors import DataError
from . import vector as _vector
from .api import _period_column
from .data import prepare
from .models import solve
from .spec import DEASpec

BANDWIDTHS = ("ucv", "silverman")


def _nrd0(v: np.ndarray) -> float:
    sd = float(np.std(v, ddof=1))
    iqr = float(np.subtract(*np.percentile(v, [75, 25]))) / 1.34
    lo = min(sd, iqr) if iqr > 0 else sd
    return 0.9 * lo * v.size ** (-0.2) if lo > 0 else 0.0


def _ucv(v: np.ndarray) -> float:
    """Least-squares cross-validation bandwidth of a Gaussian kernel density (Rudemo 1982;
    Bowman 1984), minimised over ``[0.1 h_max, h_max]``, ``h_max = 1.144 sd n^-1/5``."""
    n = v.size
    sd = float(np.std(v, ddof=1))
    if n < 2 or sd <= 0:
        return 0.0
    d = np.abs(v[:, None] - v[None, :])[np.triu_indices(n, 1)]
    hmax = 1.144 * sd * n ** (-0.2)

    def score(h: float) -> float:
        z = (d / h) ** 2
        s = np.sum(np.exp(-z / 4.0) - np.sqrt(8.0) * np.exp(-z / 2.0))
        return (0.5 + s / n) / (n * h * np.sqrt(np.pi))

    r = minimize_scalar(score, bounds=(0.1 * hmax, hmax), method="bounded",
                        options={"xatol": 1e-6 * hmax})
    return float(r.x)


def bandwidth(delta: np.ndarray, rule: str | float = "ucv") -> float:
    """The smoothing bandwidth for distances ``delta >= 1`` (module docstring, step 2)."""
    if not isinstance(rule, str):
        h = float(rule)
        if not np.isfinite(h) or h < 0:
            raise DataError(f"bandwidth must be a non-negative number, not {rule!r}")
        return h
    if rule not in BANDWIDTHS:
        raise DataError(f"unknown bandwidth rule {rule!r}; choose {', '.join(BANDWIDTHS)} "
                        "or give a number")
    dm = delta[delta > 1.0 + 1e-9]
    if dm.size < 2:
        return 0.0
    refl = np.concatenate([dm, 2.0 - dm])
    h0 = _ucv(refl) if rule == "ucv" else _nrd0(refl)
    sd_all = float(np.std(delta, ddof=1))
    return h0 * 2 ** 0.2 * (dm.size / delta.size) ** 0.2 * sd_all / float(np.std(refl, ddof=1))


@dataclass
class SWArrays:
    """Bootstrap results for one reference set (distances ``delta >= 1``)."""

    delta: np.ndarray
    delta_bc: np.ndarray
    bias: np.ndarray
    var: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    h: float
    replicates: np.ndarray


def sw98(X: np.ndarray, Y: np.ndarray, spec: DEASpec, B: int = 2000, alpha: float = 0.05,
         seed: int | None = None, bw: str | float = "ucv",
         progress: Callable[[int, int], None] | None = None) -> SWArrays:
    """The Simar–Wilson (1998) bootstrap for one reference set (module docstring).

    ``spec`` is a radial model (``radial``/``ccr``/``bcc``, any orientation and returns to
    scale). Returns distances ``delta >= 1`` (``1/theta`` or ``phi``).
    """
    if spec.model != "radial":
        raise DataError("the Simar–Wilson bootstrap is for radial models (ccr, bcc)")
    if int(B) != B or B < 10:
        raise DataError(f"bootstrap replicates B must be a whole number >= 10, not {B!r}")
    if not 0 < alpha < 1:
        raise DataError(f"alpha must lie in (0, 1), not {alpha!r}")
    inp = spec.orientation == "input"
    base = solve(X, Y, None, X, Y, None, spec)
    if not np.all(base.status == "optimal"):
        bad = np.flatnonzero(base.status != "optimal")[:5].tolist()
        raise DataError(f"the DEA program failed for row(s) {bad}; the bootstrap needs every "
                        "score")
    delta = 1.0 / base.theta if inp else base.phi.copy()
    delta = np.maximum(delta, 1.0)
    n = delta.size
    h = bandwidth(delta, bw)
    refl = np.concatenate([delta, 2.0 - delta])
    s2 = float(np.var(refl, ddof=1)) if n > 1 else 0.0
    shrink = 1.0 / np.sqrt(1.0 + h * h / s2) if s2 > 0 else 1.0
    rng = np.random.default_rng(seed)
    reps = np.empty((int(B), n))
    sx = np.abs(X).mean(axis=0)
    sy = np.abs(Y).mean(axis=0)
    sx, sy = np.where(sx > 0, sx, 1.0), np.where(sy > 0, sy, 1.0)
    xs, ys = X / sx, Y / sy
    fast = _vector.usable(n, n)
    wts = np.ones(X.shape[1] + Y.shape[1])
    per = max(1, 4000 // n) if fast else 1  # replicates solved together

    def pseudo(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if inp:
            return X * (d / delta)[:, None], Y
        return X, Y * (delta / d)[:, None]

    done = 0
    while done < int(B):
        k = min(per, int(B) - done)
        draws = []
        for _ in range(k):
            beta = refl[rng.integers(0, 2 * n, n)]
            bbar = beta.mean()
            d = bbar + (beta + h * rng.standard_normal(n) - bbar) * shrink
            draws.append(np.where(d < 1.0, 2.0 - d, d))
        got = None
        if fast:  # every original unit against each replicate's pseudo-sample, in one run
            refs = [pseudo(d) for d in draws]
            Xr = np.repeat(np.stack([r[0] for r in refs]) / sx, n, axis=0)
            Yr = np.repeat(np.stack([r[1] for r in refs]) / sy, n, axis=0)
            v = _vector.radial(np.tile(xs, (k, 1)), np.tile(ys, (k, 1)), Xr, Yr,
                               spec.orientation, spec.rts, wts, slacks=False)
            if v["ok"].all():
                sc = v["score"].reshape(k, n)
                got = 1.0 / sc if inp else sc
        if got is None:
            got = np.empty((k, n))
            for i, d in enumerate(draws):
                Xr, Yr = pseudo(d)
                r = solve(X, Y, None, Xr, Yr, None, spec)
                got[i] = 1.0 / r.theta if inp else r.phi
        reps[done : done + k] = got
        done += k
        if progress is not None:
            progress(done, int(B))
    diff = reps - delta
    bias = np.nanmean(diff, axis=0)
    var = np.nanvar(reps, axis=0, ddof=1)
    qlo, qhi = np.nanquantile(diff, [alpha / 2, 1 - alpha / 2], axis=0)
    return SWArrays(delta, delta - bias, bias, var, delta - qhi, delta - qlo, h, reps)


@dataclass
class BootstrapResult:
    """Bias-corrected efficiencies and intervals (Farrell terms, module docstring).

    Attributes
    ----------
    efficiency : DataFrame
        ``unit, period, efficiency, bias, efficiency_bc, lower, upper, correct`` where
        ``bias`` is the bias of the efficiency (``efficiency - efficiency_bc``), ``lower``
        and ``upper`` the ``1 - alpha`` interval, ``correct`` True where
        ``bias^2 / var > 1/3``.
    bandwidths : DataFrame
        ``reference, h`` per reference set.
    warnings, params
    """

    efficiency: pd.DataFrame
    bandwidths: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


def bootstrap(
    data: Any,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    *,
    unit: str = "unit",
    period: str = "period",
    model: str = "ccr",
    rts: str | None = None,
    orientation: str | None = None,
    frontier: str = "contemporaneous",
    B: int = 2000,
    alpha: float = 0.05,
    seed: int | None = None,
    bandwidth: str | float = "ucv",
    dropna: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BootstrapResult:
    """Simar–Wilson (1998) bootstrap of radial DEA scores on a panel.

    Parameters
    ----------
    data, inputs, outputs, unit, period, dropna
        As for :func:`~nqpf.efficiency.dea.dea` (no bad outputs: radial models).
    model, rts, orientation
        ``ccr``/``bcc``/``radial`` with its returns to scale and orientation.
    frontier : {"contemporaneous", "global"}
        One bootstrap per period, or one for all periods pooled.
    B : int
        Replicates (Simar & Wilson recommend 2,000 for intervals).
    alpha : float
        ``1 - alpha`` intervals.
    seed : int, optional
        Seed of ``numpy.random.default_rng``; the same seed gives the same numbers.
    bandwidth : "ucv", "silverman" or a number
    progress : callable, optional
        ``progress(done, total)`` over all replicates.
    """
    spec = DEASpec(model=model, rts=rts, orientation=orientation)
    if spec.model != "radial":
        raise DataError(f"the Simar–Wilson bootstrap is for radial models (ccr, bcc), not "
                        f"{model!r}")
    fr = str(frontier).lower()
    if fr not in ("contemporaneous", "global"):
        raise DataError(f"the bootstrap takes frontier 'contemporaneous' or 'global', not "
                        f"{frontier!r}")
    d = prepare(data, inputs, outputs, None, unit=unit, period=period, model="radial",
                dropna=dropna)
    periods = list(dict.fromkeys(d.periods.tolist()))
    sets = ([(np.arange(d.units.size), "all periods")] if fr == "global" else
            [(np.flatnonzero(d.periods == p), str(p)) for p in periods])
    total = int(B) * len(sets)
    warnings = list(d.notes)
    n = d.units.size
    cols = {k: np.full(n, np.nan) for k in ("efficiency", "bias", "efficiency_bc", "lower",
                                            "upper", "ratio")}
    hs = []
    for j, (rows, label) in enumerate(sets):
        if rows.size < 5:
            warnings.append(f"{label}: {rows.size} units; the bootstrap is unreliable")
        cb = None
        if progress is not None:
            def cb(i: int, _t: int, off: int = j * int(B)) -> None:
                progress(off + i, total)
        seed_j = None if seed is None else [int(seed), j]
        r = sw98(d.X[rows], d.Y[rows], spec, B=B, alpha=alpha, seed=seed_j, bw=bandwidth,
                 progress=cb)
        eff, bc = 1.0 / r.delta, 1.0 / r.delta_bc
        cols["efficiency"][rows] = eff
        cols["efficiency_bc"][rows] = bc
        cols["bias"][rows] = eff - bc
        cols["lower"][rows] = 1.0 / r.upper
        cols["upper"][rows] = 1.0 / r.lower
        with np.errstate(divide="ignore", invalid="ignore"):
            cols["ratio"][rows] = np.where(r.var > 0, r.bias ** 2 / r.var, 0.0)
        hs.append({"reference": label, "h": r.h})
    out = pd.DataFrame({"unit": d.units.astype(str), "period": _period_column(d.periods),
                        "efficiency": cols["efficiency"], "bias": cols["bias"],
                        "efficiency_bc": cols["efficiency_bc"], "lower": cols["lower"],
                        "upper": cols["upper"], "correct": cols["ratio"] > 1.0 / 3.0})
    params = {"method": "Simar & Wilson (1998) smoothed bootstrap, reflection method",
              "spec": spec.to_dict(), "frontier": fr, "B": int(B), "alpha": alpha,
              "seed": seed, "bandwidth": bandwidth}
    return BootstrapResult(out, pd.DataFrame(hs), warnings, params)
