"""Distributional dynamics: kernel density by period and (spatial) Markov chains.

Two views of how the cross-section of an index moves over time:

* :func:`kernel_density` estimates the density of the values in every period on one
  common grid, with a selectable bandwidth rule, and describes each density by the
  features that papers report (position and height of the main peak, its width at half
  maximum, the number of peaks, the direction of the tail);
* :func:`markov` discretises the values into classes and estimates the transition
  probabilities between classes, traditional or conditioned on the class of the spatial
  lag (Rey 2001), with steady states, mean first passage times and homogeneity tests.

Heavy libraries (libpysal, matplotlib) are imported inside the functions; the chain
statistics come from :mod:`nqpf.analysis.chains` (NumPy/SciPy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..extras import require
from ._input import values_frame
from .chains import chi2_test, first_passage_times, homogeneity, steady_states

__all__ = [
    "BANDWIDTH_RULES",
    "KernelResult",
    "MarkovResult",
    "kde_bandwidth",
    "kernel_density",
    "markov",
]

#: Bandwidth rules understood by :func:`kde_bandwidth` and :func:`kernel_density`.
BANDWIDTH_RULES = ("silverman", "scott", "nrd0", "normal")

_KERNELS = ("gaussian", "epanechnikov")
_SQRT5 = float(np.sqrt(5.0))


# ---------------------------------------------------------------------------------------------
# kernel density
# ---------------------------------------------------------------------------------------------


def _iqr(x: np.ndarray) -> float:
    q75, q25 = np.quantile(x, [0.75, 0.25])  # linear interpolation = R quantile type 7
    return float(q75 - q25)


def kde_bandwidth(values: Any, rule: str = "silverman") -> float:
    """Bandwidth (standard deviation of the kernel) of a univariate KDE by a named rule.

    ``sd`` is the sample standard deviation (ddof = 1), ``IQR`` the interquartile range
    with linearly interpolated quartiles (R's quantile type 7, NumPy's default) and ``n``
    the number of values.

    ``"silverman"``
        Silverman (1986, *Density Estimation for Statistics and Data Analysis*, eq. 3.31):
        ``h = 0.9 · min(sd, IQR/1.34) · n^(-1/5)``. When ``min(sd, IQR/1.34)`` is 0 (more
        than half the values tied) the rule gives no bandwidth and a :class:`DataError` is
        raised (use ``"nrd0"``, which has fallbacks, or a number).
    ``"scott"``
        SciPy's ``gaussian_kde(bw_method="scott")`` factor ``n^(-1/(d+4))`` times the
        sample standard deviation, for d = 1: ``h = sd · n^(-1/5)``. Note that Scott (1992,
        *Multivariate Density Estimation*, eq. 6.17) writes the normal reference rule as
        ``1.06 · sd · n^(-1/5)``; the constant 1.06 is *not* applied here, following SciPy.
        (SciPy's own ``"silverman"`` is ``(3n/4)^(-1/5) · sd``, a different rule from
        Silverman's eq. 3.31 used above.)
    ``"nrd0"``
        R's ``bw.nrd0``: ``0.9 · lo · n^(-1/5)`` with ``lo = min(sd, IQR/1.34)``; if
        ``lo`` is 0, R falls back to ``lo = sd``, then to ``|x[1]|`` (the first value; all
        values are equal at that point), then to 1.
    ``"normal"``
        MATLAB ``ksdensity``'s default normal-reference rule (Bowman and Azzalini 1997):
        ``h = σ̂ · (4/(3n))^(1/5)`` with the robust ``σ̂ = MAD/0.6745``, MAD the median
        absolute deviation from the median, ``median(|x − median(x)|)``. For
        ``[1, 3, 2, 5]`` this gives 1.1901, the value ``ksdensity`` reports. MATLAB does not
        document its fallback for MAD = 0; a :class:`DataError` is raised instead.

    Parameters
    ----------
    values : array-like
        At least two finite values.
    rule : str
        One of :data:`BANDWIDTH_RULES`.

    Returns
    -------
    float
        The bandwidth, > 0.
    """
    x = np.asarray(values, dtype=float).ravel()
    if rule not in BANDWIDTH_RULES:
        raise DataError(f"unknown bandwidth rule {rule!r}; use one of {BANDWIDTH_RULES}")
    if x.size < 2:
        raise DataError(f"a bandwidth needs at least 2 values, got {x.size}")
    if not np.isfinite(x).all():
        raise DataError("bandwidth rules need finite values (drop missing values first)")
    n = x.size
    sd = float(np.std(x, ddof=1))
    if rule == "scott":
        h = sd * n ** (-0.2)
    elif rule == "normal":
        mad = float(np.median(np.abs(x - np.median(x))))
        h = (mad / 0.6745) * (4.0 / (3.0 * n)) ** 0.2
    else:
        lo = min(sd, _iqr(x) / 1.34)
        if rule == "nrd0" and not lo:
            lo = sd or abs(float(x[0])) or 1.0
        h = 0.9 * lo * n ** (-0.2)
    if not h > 0:
        raise DataError(
            f"the {rule!r} bandwidth rule gives 0 for these {n} values (no spread: "
            "standard deviation, IQR or MAD is 0); use bandwidth='nrd0' or give a number"
        )
    return float(h)


def _kernel_sum(grid: np.ndarray, x: np.ndarray, h: float, kernel: str) -> np.ndarray:
    """Σ_i K((g − x_i)/h) / (n h) on the grid, in blocks to keep memory bounded."""
    out = np.zeros(grid.size)
    block = max(1, 2_000_000 // max(grid.size, 1))
    for s in range(0, x.size, block):
        u = (grid[:, None] - x[None, s : s + block]) / h
        if kernel == "gaussian":
            k = np.exp(-0.5 * u * u) / np.sqrt(2.0 * np.pi)
        else:  # Epanechnikov scaled to unit variance: support |u| < √5
            k = np.where(np.abs(u) < _SQRT5, 0.75 / _SQRT5 * (1.0 - u * u / 5.0), 0.0)
        out += k.sum(axis=1)
    return out / (x.size * h)


def _density(
    grid: np.ndarray, x: np.ndarray, h: float, kernel: str, bounds: tuple[float, float] | None
) -> np.ndarray:
    d = _kernel_sum(grid, x, h, kernel)
    if bounds is not None:  # reflection (Silverman 1986, sec. 2.10)
        lo, hi = bounds
        if np.isfinite(lo):
            d = d + _kernel_sum(2.0 * lo - grid, x, h, kernel)
        if np.isfinite(hi):
            d = d + _kernel_sum(2.0 * hi - grid, x, h, kernel)
    return d


def _peaks(grid: np.ndarray, d: np.ndarray) -> dict[str, float]:
    from scipy.signal import find_peaks

    padded = np.r_[-1.0, d, -1.0]  # lets a maximum at a bound (reflection) count
    idx, _ = find_peaks(padded)
    idx = idx - 1
    main = int(idx[np.argmax(d[idx])]) if idx.size else int(np.argmax(d))
    top = float(d[main])
    half = top / 2.0

    def cross(step: int) -> float:
        i = main
        while 0 <= i + step < d.size and d[i + step] >= half:
            i += step
        j = i + step
        if not 0 <= j < d.size:
            return float(grid[i])  # the density stays above half maximum up to the bound
        # linear interpolation between grid[i] (>= half) and grid[j] (< half)
        return float(grid[i] + (grid[j] - grid[i]) * (d[i] - half) / (d[i] - d[j]))

    return {
        "n_peaks": int(max(idx.size, 1)),
        "main_peak_x": float(grid[main]),
        "main_peak_height": top,
        "half_max_width": cross(+1) - cross(-1),
    }


def _skewness(x: np.ndarray) -> float:
    m = x - x.mean()
    m2 = float(np.mean(m * m))
    if m2 == 0.0:
        return 0.0
    return float(np.mean(m**3) / m2**1.5)


@dataclass(frozen=True)
class KernelResult:
    """Kernel densities by period on a common grid (see :func:`kernel_density`).

    Attributes
    ----------
    x : ndarray
        The common evaluation grid.
    periods : tuple
        The periods, in order; row ``i`` of ``density`` belongs to ``periods[i]``.
    density : ndarray
        ``(len(periods), len(x))`` estimated densities.
    bandwidths, n : dict
        Bandwidth and number of values per period.
    features : DataFrame
        The ``kernel_peaks`` table.
    params : dict
        The choices made (rule, kernel, grid, padding, bounds, conventions).
    """

    x: np.ndarray
    periods: tuple
    density: np.ndarray
    bandwidths: dict
    n: dict
    features: pd.DataFrame
    params: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The densities as a tidy table ``period, x, density``."""
        t, g = self.density.shape
        return pd.DataFrame(
            {
                "period": np.repeat(np.asarray(self.periods), g),
                "x": np.tile(self.x, t),
                "density": self.density.ravel(),
            }
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """``kernel_density`` (period, x, density), ``kernel_bandwidth`` (period, n,
        bandwidth, rule) and ``kernel_peaks`` (period, n_peaks, main_peak_x,
        main_peak_height, half_max_width, skewness, tail)."""
        bw = pd.DataFrame(
            {
                "period": list(self.periods),
                "n": [self.n[p] for p in self.periods],
                "bandwidth": [self.bandwidths[p] for p in self.periods],
                "rule": self.params["bandwidth"],
            }
        )
        return {
            "kernel_density": self.to_frame(),
            "kernel_bandwidth": bw,
            "kernel_peaks": self.features.copy(),
        }

    def summary(self) -> pd.DataFrame:
        """One row per period: n, bandwidth and the distribution features."""
        s = self.tables()["kernel_bandwidth"].drop(columns="rule")
        return s.merge(self.features, on="period", how="left")

    def plot(self, kind: str = "surface", xlabel: str = "value", **kw: Any):
        """A 3D surface (x, period, density) or a ridge plot of the densities.

        Parameters
        ----------
        kind : {"surface", "ridge"}
        xlabel : str
            Label of the value axis.
        **kw
            ``figsize`` (inches), ``cmap`` (surface colour map, default ``viridis``),
            ``overlap`` (ridge: height of the tallest density in units of the spacing
            between periods, default 1.5).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        if kind not in ("surface", "ridge"):
            raise DataError(f"unknown kernel plot {kind!r}; use 'surface' or 'ridge'")
        fig = Figure(figsize=kw.get("figsize", (8.0, 6.0)))
        FigureCanvasAgg(fig)
        t = len(self.periods)
        labels = [str(p) for p in self.periods]
        step = max(1, int(np.ceil(t / 12)))
        if kind == "surface":
            import mpl_toolkits.mplot3d  # noqa: F401  (registers the 3d projection)

            ax = fig.add_subplot(projection="3d")
            gx, gy = np.meshgrid(self.x, np.arange(t))
            ax.plot_surface(
                gx, gy, self.density, cmap=kw.get("cmap", "viridis"), linewidth=0,
                antialiased=True, rstride=1, cstride=1,
            )  # fmt: skip
            ax.set_yticks(np.arange(0, t, step))
            ax.set_yticklabels(labels[::step])
            ax.set_xlabel(xlabel)
            ax.set_ylabel("period")
            ax.set_zlabel("density")
        else:
            ax = fig.add_subplot()
            top = float(self.density.max()) or 1.0
            scale = kw.get("overlap", 1.5) / top
            for i in range(t - 1, -1, -1):
                base = float(i)
                y = base + self.density[i] * scale
                ax.fill_between(self.x, base, y, color=f"C{i % 10}", alpha=0.6, lw=0)
                ax.plot(self.x, y, color="black", lw=0.6)
            ax.set_yticks(np.arange(0, t, step))
            ax.set_yticklabels(labels[::step])
            ax.set_xlabel(xlabel)
            ax.set_ylabel("period")
        return fig


def kernel_density(
    data: Any,
    bandwidth: str | float = "silverman",
    kernel: str = "gaussian",
    grid: int = 256,
    periods: Sequence[Any] | None = None,
    bounds: tuple[float | None, float | None] | None = None,
    *,
    value: str = "value",
    node: str | None = None,
) -> KernelResult:
    """Kernel density of the values in every period, on one common grid.

    ``f̂(x) = (1/(n h)) Σ_i K((x − x_i)/h)`` (Rosenblatt 1956; Parzen 1962; Silverman 1986),
    with ``h`` the kernel's standard deviation, chosen in every period by ``bandwidth``.

    Parameters
    ----------
    data : table, Panel or IndexResult
        Anything :func:`~nqpf.analysis._input.values_frame` accepts.
    bandwidth : {"silverman", "scott", "nrd0", "normal"} or float
        A rule applied to each period's values (definitions in :func:`kde_bandwidth`), or
        one positive bandwidth used for every period.
    kernel : {"gaussian", "epanechnikov"}
        The Gaussian kernel, or the Epanechnikov kernel scaled to unit variance
        (support ``|u| < √5``, as Stata's and R's ``epanechnikov``), so that ``h`` means
        the same for both.
    grid : int
        Number of evaluation points (at least 16). The grid spans the pooled range of all
        selected periods padded by 3 times the largest bandwidth on each side, clipped to
        ``bounds``.
    periods : sequence, optional
        Periods to estimate (default: all). Each needs at least 2 values.
    bounds : (lower, upper), optional
        Known support of the values (e.g. ``(0, 1)`` for scores in [0, 1]); ``None`` for an
        open side. The density is then corrected for boundary bias by reflection
        (Silverman 1986, sec. 2.10): ``f̂(x) + f̂(2a − x) + f̂(2b − x)`` on ``[a, b]``.
        Values outside the bounds are an error.
    value, node
        Passed to :func:`~nqpf.analysis._input.values_frame`.

    Returns
    -------
    KernelResult
        Densities, bandwidths and per-period features. ``kernel_peaks`` reports the number
        of local maxima of the estimated density on the grid (every local maximum counts;
        with ``bounds`` a maximum at a bound counts too), the main (highest) peak's
        position and height, its full width at half maximum (linearly interpolated between
        grid points; truncated at the grid end if the density stays above half maximum) and
        the moment skewness ``g1 = m3 / m2^(3/2)`` of the values (population moments,
        Fisher–Pearson coefficient; 0 for constant values) with ``tail`` = ``right`` (g1 >
        0), ``left`` (g1 < 0) or ``none``.
    """
    df = values_frame(data, value=value, node=node)
    if kernel not in _KERNELS:
        raise DataError(f"unknown kernel {kernel!r}; use one of {_KERNELS}")
    if isinstance(grid, bool) or not isinstance(grid, int | np.integer) or grid < 16:
        raise DataError(f"grid must be an integer of at least 16 points, got {grid!r}")
    all_periods = pd.unique(df["period"]).tolist()
    if periods is None:
        chosen = all_periods
    else:
        from ..panel.core import normalise_period

        chosen = normalise_period(list(periods))
        lacking = [p for p in chosen if p not in set(all_periods)]
        if lacking:
            raise DataError(f"period(s) {lacking} not in the data; periods: {all_periods}")
        chosen = [p for p in all_periods if p in set(chosen)]
    lo_b, hi_b = -np.inf, np.inf
    if bounds is not None:
        if len(bounds) != 2:
            raise DataError("bounds must be a pair (lower, upper); use None for an open side")
        lo_b = -np.inf if bounds[0] is None else float(bounds[0])
        hi_b = np.inf if bounds[1] is None else float(bounds[1])
        if not lo_b < hi_b:
            raise DataError(f"bounds {bounds} are not increasing")
        out = df[(df["value"] < lo_b) | (df["value"] > hi_b)]
        out = out[out["period"].isin(chosen)]
        if not out.empty:
            r = out.iloc[0]
            raise DataError(
                f"value {r['value']} of unit {r['unit']!r}, period {r['period']!r} lies "
                f"outside the bounds {bounds}; widen the bounds or drop them"
            )
    fixed = not isinstance(bandwidth, str)
    if isinstance(bandwidth, bool):
        raise DataError(f"bandwidth must be a rule name or a number, not {bandwidth!r}")
    if fixed:
        try:
            hfix = float(bandwidth)
        except (TypeError, ValueError):
            raise DataError(
                f"bandwidth must be a rule name or a number, not {bandwidth!r}"
            ) from None
        if not (np.isfinite(hfix) and hfix > 0):
            raise DataError(f"a fixed bandwidth must be positive, got {bandwidth!r}")
    samples: dict[Any, np.ndarray] = {}
    hs: dict[Any, float] = {}
    for p in chosen:
        x = df.loc[df["period"] == p, "value"].to_numpy(dtype=float)
        if x.size < 2:
            raise DataError(
                f"period {p!r} has {x.size} value(s); a kernel density needs at least 2 "
                "(drop the period with periods=...)"
            )
        samples[p] = x
        if fixed:
            hs[p] = hfix
        else:
            try:
                hs[p] = kde_bandwidth(x, bandwidth)
            except DataError as e:
                raise DataError(f"period {p!r}: {e}") from None
    pooled = np.concatenate(list(samples.values()))
    pad = 3.0 * max(hs.values())
    g_lo = max(float(pooled.min()) - pad, lo_b)
    g_hi = min(float(pooled.max()) + pad, hi_b)
    xs = np.linspace(g_lo, g_hi, int(grid))
    refl = (lo_b, hi_b) if bounds is not None else None
    dens = np.vstack([_density(xs, samples[p], hs[p], kernel, refl) for p in chosen])
    if bounds is not None:
        dens = np.where((xs >= lo_b) & (xs <= hi_b), dens, 0.0)
    rows = []
    for i, p in enumerate(chosen):
        f = _peaks(xs, dens[i])
        g1 = _skewness(samples[p])
        tail = "right" if g1 > 1e-12 else "left" if g1 < -1e-12 else "none"
        rows.append({"period": p, **f, "skewness": g1, "tail": tail})
    features = pd.DataFrame(rows)
    params = {
        "method": "kernel density",
        "bandwidth": "fixed" if fixed else bandwidth,
        "bandwidth_value": hfix if fixed else None,
        "kernel": kernel,
        "grid": int(grid),
        "grid_padding": "3 x largest bandwidth beyond the pooled range",
        "bounds": None
        if bounds is None
        else [None if bounds[0] is None else lo_b, None if bounds[1] is None else hi_b],
        "boundary_correction": "reflection" if bounds is not None else "none",
        "sd_ddof": 1,
        "quantiles": "linear interpolation (R type 7)",
        "skewness": "g1 = m3/m2^1.5 (population moments)",
    }
    return KernelResult(
        x=xs,
        periods=tuple(chosen),
        density=dens,
        bandwidths=hs,
        n={p: int(samples[p].size) for p in chosen},
        features=features,
        params=params,
    )


# ---------------------------------------------------------------------------------------------
# Markov chains
# ---------------------------------------------------------------------------------------------

_DEFAULT_LABELS = {
    2: ("low", "high"),
    3: ("low", "middle", "high"),
    4: ("low", "mid-low", "mid-high", "high"),
    5: ("low", "mid-low", "middle", "mid-high", "high"),
}


def _labels(k: int, labels: Sequence[str] | None) -> tuple[str, ...]:
    if labels is None:
        return _DEFAULT_LABELS.get(k, tuple(f"C{i + 1}" for i in range(k)))
    out = tuple(str(s) for s in labels)
    if len(out) != k or len(set(out)) != k or "" in out:
        raise DataError(f"labels must be {k} distinct non-empty names, got {list(labels)}")
    return out


def _check_cutoffs(c: Any, what: str) -> np.ndarray:
    arr = np.asarray(c, dtype=float).ravel()
    if arr.size < 1 or not np.isfinite(arr).all() or np.any(np.diff(arr) <= 0):
        raise DataError(f"{what} must be one or more finite, strictly increasing numbers: {c}")
    return arr


def _pooled_cutoffs(v: np.ndarray, k: int, what: str) -> np.ndarray:
    q = np.quantile(v, np.arange(1, k) / k)
    if np.any(np.diff(q) <= 0):
        raise DataError(
            f"the pooled {k}-quantiles of the {what} coincide ({np.round(q, 6).tolist()}: too "
            "many tied values); use fewer classes or give cutoffs"
        )
    return q


def _classify(v: np.ndarray, cutoffs: np.ndarray) -> np.ndarray:
    # class i holds cutoffs[i-1] < v <= cutoffs[i] (right-closed, as mapclassify and giddy)
    return np.searchsorted(cutoffs, v, side="left")


def _weights_table(w: Any) -> dict[str, dict[str, float]]:
    """Neighbours and original (untransformed) weights of a libpysal W or a mapping."""
    if isinstance(w, Mapping):
        keys = {str(k) for k in w}
        for k, nb in w.items():
            if isinstance(nb, str) or not isinstance(nb, Sequence | set | frozenset | np.ndarray):
                raise DataError(f"neighbours of {k!r} must be a list of unit ids, not {nb!r}")
            stray = sorted({str(j) for j in nb} - keys)
            if stray:
                raise DataError(
                    f"neighbour(s) {stray[:10]} of unit {k!r} are not keys of the neighbour "
                    "mapping; list every unit as a key"
                )
        W = require("libpysal.weights", "spatial", "spatial weights").W

        w = W({str(k): [str(j) for j in nb] for k, nb in w.items()}, silence_warnings=True)
    if not (hasattr(w, "neighbors") and hasattr(w, "weights")):
        raise DataError(
            "w must be a libpysal weights object or a mapping unit -> list of neighbours, not "
            f"{type(w).__name__}"
        )
    orig = getattr(w, "transformations", {}).get("O", w.weights)
    out: dict[str, dict[str, float]] = {}
    for i, nbs in w.neighbors.items():
        key = str(i)
        if key in out:
            raise DataError(f"weights ids collide when read as text: {key!r}")
        wts = orig.get(i, [1.0] * len(nbs))
        row: dict[str, float] = {}
        for j, v in zip(nbs, wts, strict=True):
            v = float(v)
            if not np.isfinite(v) or v < 0:
                raise DataError(f"weight {v} between {key!r} and {str(j)!r} is not >= 0")
            row[str(j)] = row.get(str(j), 0.0) + v
        out[key] = row
    return out


def _lag_matrix(units: list[str], w: Any) -> tuple[Any, dict[str, Any]]:
    """Sparse (n × n) weights aligned with ``units`` by id, and notes for params."""
    from scipy import sparse

    table = _weights_table(w)
    missing = [u for u in units if u not in table]
    if missing:
        raise DataError(
            f"{len(missing)} unit(s) of the data are not in the weights: {missing[:10]}; give "
            "weights whose ids are the unit ids"
        )
    pos = {u: i for i, u in enumerate(units)}
    extra = sorted(set(table) - set(units))
    r, c, v = [], [], []
    lonely = []
    for u in units:
        row = {j: x for j, x in table[u].items() if j in pos and j != u and x > 0}
        if not row:
            lonely.append(u)
        for j, x in row.items():
            r.append(pos[u])
            c.append(pos[j])
            v.append(x)
    if lonely:
        raise DataError(
            f"{len(lonely)} unit(s) have no neighbour among the units of the data: "
            f"{lonely[:10]}; a spatial lag needs at least one (link them in the weights or "
            "drop them)"
        )
    n = len(units)
    m = sparse.csr_matrix((v, (r, c)), shape=(n, n))
    return m, {"weights_units_without_data": extra}


@dataclass(frozen=True)
class MarkovResult:
    """Markov chain of value classes, traditional or spatial (see :func:`markov`).

    Attributes
    ----------
    labels : tuple of str
        Class labels, low to high.
    cutoffs : ndarray
        The K − 1 upper class bounds (class i holds ``cutoffs[i-1] < v <= cutoffs[i]``).
    lag_cutoffs : ndarray or None
        Cutoffs of the spatial lag classes (spatial chains only).
    transitions, p : ndarray
        ``(K, K)`` pooled transition counts and probabilities (rows with no transitions
        are 0).
    steady_state : ndarray
        ``(r, K)`` stationary distribution(s) of ``p``; ``r`` = 1 unless the chain has
        several recurrent classes.
    mfpt : ndarray
        ``(K, K)`` mean first passage times of ``p`` (diagonal: mean recurrence times;
        ``inf`` where a class cannot be reached).
    T, P : ndarray or None
        ``(m, K, K)`` counts and probabilities conditioned on the lag class (spatial).
    S : list of ndarray or None
        Stationary distribution(s) of each conditional chain (empty array for a lag class
        with no transitions).
    F : ndarray or None
        ``(m, K, K)`` mean first passage times of each conditional chain (NaN for a lag
        class with no transitions; such classes are listed in ``params``).
    classes : DataFrame
        ``unit, period, value, class`` (and ``lag, lag_class`` for spatial chains).
    tests : DataFrame
        ``test, statistic, dof, p_value``.
    params : dict
        The choices made.
    """

    labels: tuple
    lag_labels: tuple | None
    cutoffs: np.ndarray
    lag_cutoffs: np.ndarray | None
    transitions: np.ndarray
    p: np.ndarray
    steady_state: np.ndarray
    mfpt: np.ndarray
    T: np.ndarray | None
    P: np.ndarray | None
    S: list | None
    F: np.ndarray | None
    classes: pd.DataFrame
    tests: pd.DataFrame
    params: dict = field(default_factory=dict)

    def _chains(self) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        out = [("", self.transitions, self.p, self.steady_state, self.mfpt)]
        if self.T is not None:
            for i, lab in enumerate(self.lag_labels):
                out.append((lab, self.T[i], self.P[i], self.S[i], self.F[i]))
        return out

    def to_frame(self) -> pd.DataFrame:
        """``markov_transitions``: lag_class ("" = the pooled chain), from, to, count,
        probability, row_total."""
        k = len(self.labels)
        rows = []
        for lab, t, p, _, _ in self._chains():
            tot = t.sum(axis=1)
            for i in range(k):
                for j in range(k):
                    rows.append((lab, self.labels[i], self.labels[j], int(t[i, j]), p[i, j],
                                 int(tot[i])))  # fmt: skip
        return pd.DataFrame(
            rows, columns=["lag_class", "from", "to", "count", "probability", "row_total"]
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """``markov_cutoffs``, ``markov_transitions``, ``markov_steady_state``,
        ``markov_mfpt``, ``markov_tests`` and ``markov_classes``."""
        k = len(self.labels)

        def bounds(cut: np.ndarray, labels: tuple, variable: str, col: str) -> list[tuple]:
            lo, hi = np.r_[-np.inf, cut], np.r_[cut, np.inf]
            counts = self.classes[col].value_counts()
            return [
                (variable, lab, float(lo[i]), float(hi[i]), int(counts.get(lab, 0)))
                for i, lab in enumerate(labels)
            ]

        rows = bounds(self.cutoffs, self.labels, "value", "class")
        if self.lag_cutoffs is not None:
            rows += bounds(self.lag_cutoffs, self.lag_labels, "lag", "lag_class")
        cut = pd.DataFrame(rows, columns=["variable", "class", "lower", "upper", "n"])
        ss, mf = [], []
        for lab, _, _, s, f in self._chains():
            for r in range(s.shape[0]):
                for i in range(k):
                    ss.append((lab, r + 1, self.labels[i], float(s[r, i])))
            if not np.isnan(f).all():  # a lag class with no transitions has none
                for i in range(k):
                    for j in range(k):
                        mf.append((lab, self.labels[i], self.labels[j], float(f[i, j])))
        return {
            "markov_cutoffs": cut,
            "markov_transitions": self.to_frame(),
            "markov_steady_state": pd.DataFrame(
                ss, columns=["lag_class", "solution", "class", "probability"]
            ),
            "markov_mfpt": pd.DataFrame(mf, columns=["lag_class", "from", "to", "mfpt"]),
            "markov_tests": self.tests.copy(),
            "markov_classes": self.classes.copy(),
        }

    def summary(self) -> pd.DataFrame:
        """Per chain (lag_class "" = pooled): transitions, share staying in class, moving
        up and moving down, and the number of stationary distributions."""
        rows = []
        for lab, t, _, s, _ in self._chains():
            n = t.sum()
            stay = np.trace(t) / n if n else 0.0
            up = np.triu(t, 1).sum() / n if n else 0.0
            down = np.tril(t, -1).sum() / n if n else 0.0
            rows.append((lab, int(n), stay, up, down, int(s.shape[0])))
        return pd.DataFrame(
            rows,
            columns=["lag_class", "transitions", "stay", "up", "down", "steady_states"],
        )

    def plot(self, **kw: Any):
        """Heat maps of the transition probability matrices (pooled, then by lag class).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        chains = self._chains()
        m = len(chains)
        ncol = min(m, 3)
        nrow = int(np.ceil(m / ncol))
        fig = Figure(figsize=kw.get("figsize", (4.2 * ncol, 3.8 * nrow)))
        FigureCanvasAgg(fig)
        k = len(self.labels)
        for a, (lab, _, p, _, _) in enumerate(chains):
            ax = fig.add_subplot(nrow, ncol, a + 1)
            im = ax.imshow(p, vmin=0.0, vmax=1.0, cmap=kw.get("cmap", "Blues"))
            for i in range(k):
                for j in range(k):
                    ax.text(j, i, f"{p[i, j]:.2f}", ha="center", va="center", fontsize=8,
                            color="white" if p[i, j] > 0.6 else "black")  # fmt: skip
            ax.set_xticks(range(k))
            ax.set_xticklabels(self.labels, rotation=45, ha="right")
            ax.set_yticks(range(k))
            ax.set_yticklabels(self.labels)
            ax.set_xlabel("to")
            ax.set_ylabel("from")
            ax.set_title("pooled" if lab == "" else f"lag: {lab}")
        fig.colorbar(im, ax=fig.axes, shrink=0.8)
        return fig


def _stationary(p: np.ndarray) -> np.ndarray:
    return steady_states(p)


def _passage(p: np.ndarray) -> np.ndarray:
    return first_passage_times(p)


def _probabilities(t: np.ndarray) -> np.ndarray:
    tot = t.sum(axis=-1, keepdims=True)
    return t / np.where(tot == 0, 1.0, tot)


def _homogeneity_rows(mats: np.ndarray, name: str, skipped: list[str]) -> list[tuple]:
    from scipy.stats import chi2 as chi2_dist

    mats = np.asarray(mats, dtype=float)
    mats = mats[mats.sum(axis=(1, 2)) > 0]
    if mats.shape[0] < 2:
        skipped.append(f"{name}: fewer than 2 regimes with transitions")
        return []
    h = homogeneity(mats)
    if h.dof < 1:
        skipped.append(f"{name}: 0 degrees of freedom")
        return []
    return [
        (f"{name}_Q", float(h.Q), int(h.dof), float(chi2_dist.sf(h.Q, h.dof))),
        (f"{name}_LR", float(h.LR), int(h.dof), float(chi2_dist.sf(h.LR, h.dof))),
    ]


def markov(
    data: Any,
    classes: int | None = None,
    cutoffs: Sequence[float] | None = None,
    k: int = 1,
    spatial: bool = False,
    w: Any = None,
    lag_cutoffs: str | Sequence[float] = "same",
    lag_classes: int | None = None,
    labels: Sequence[str] | None = None,
    *,
    value: str = "value",
    node: str | None = None,
) -> MarkovResult:
    """Traditional or spatial Markov chain of the values' classes, with k-step transitions.

    Values are put into K classes with right-closed intervals (class i holds
    ``c_{i-1} < v <= c_i``, as mapclassify and giddy do). By default the cutoffs are the
    pooled quantiles ``j/K`` (j = 1..K−1) of *all* unit-period values, linearly
    interpolated (NumPy's default, R's type 7, the same as giddy's ``fixed=True``), not
    per-period quantiles. The transition matrix ``P = [p_ij]``, ``p_ij = n_ij / n_i``, is
    the maximum-likelihood estimate from the counts ``n_ij`` of units in class i at period
    t and class j at period t + k (Kemeny and Snell 1976); a row with no transitions is
    reported as 0 (``row_total`` = 0).

    The spatial Markov chain (Rey 2001) conditions each transition on the class of the
    unit's spatial lag at the start period t: ``lag_it = Σ_j w_ij v_jt / Σ_j w_ij``, the
    weights row-standardised over the neighbours observed at t. By default the lag is
    classed with the *same* cutoffs as the values (``lag_cutoffs="same"``, the usual
    convention of Chinese studies; giddy ``Spatial_Markov(cutoffs=c, lag_cutoffs=c)``).

    Steady states and mean first passage times come from :mod:`nqpf.analysis.chains` (rows
    with no transitions treated as absorbing, as giddy's ``fill_empty_classes=True``);
    homogeneity tests from :func:`nqpf.analysis.chains.homogeneity` (Bickenbach and Bode
    2003: Q and LR with degrees of freedom corrected for empty cells) and
    :func:`nqpf.analysis.chains.chi2_test` (giddy's ``chi2``); giddy is the tests' oracle.

    The counts are built here rather than by ``giddy.markov.Markov`` or
    ``Spatial_Markov`` because those take a balanced ``n × t`` array whose rows must be in
    the weights' order and count only adjacent columns: here units are matched to the
    weights by id, only pairs (t, t + k) where the unit is observed at both periods count
    (unbalanced panels), and k-step transitions are supported. On a balanced panel with
    k = 1 the counts equal giddy's (the tests check this).

    Parameters
    ----------
    data : table, Panel or IndexResult
        Anything :func:`~nqpf.analysis._input.values_frame` accepts.
    classes : int, optional
        Number of classes K (default 4), cut at pooled quantiles. With ``cutoffs`` it may
        be left out (it is then ``len(cutoffs) + 1``).
    cutoffs : sequence of float, optional
        K − 1 strictly increasing upper class bounds, instead of pooled quantiles.
    k : int
        Step of the transitions: from the period at position t to the one at position
        t + k in the sorted periods of the table (years for an annual table with no
        year missing for every unit; decades for decadal data).
    spatial : bool
        Estimate the spatial Markov chain (needs ``w``).
    w : libpysal.weights.W or mapping
        Spatial weights whose ids are the unit ids, or a mapping unit → list of neighbour
        ids (converted with ``libpysal.weights.W``). The original (untransformed) weights
        are used and row-standardised here; the caller's object is not changed. Weights
        units absent from the data are dropped (listed in ``params``); data units absent
        from the weights, or with no neighbour among the data units, are an error.
    lag_cutoffs : "same", "quantiles" or sequence of float
        Lag classes: the value cutoffs (default), pooled quantiles of the lags of all
        unit-periods that have one (``lag_classes`` of them, default K; giddy's
        ``fixed=True`` default), or explicit cutoffs.
    lag_classes : int, optional
        Number of lag classes with ``lag_cutoffs="quantiles"``.
    labels : sequence of str, optional
        Class names, low to high (default ``low, mid-low, mid-high, high`` for 4 classes;
        ``low, middle, high`` for 3; ``low, mid-low, middle, mid-high, high`` for 5; ``C1``..
        otherwise). Lag classes use the same names when they have the same number of
        classes, else the defaults.
    value, node
        Passed to :func:`~nqpf.analysis._input.values_frame`.

    Returns
    -------
    MarkovResult
        Tables ``markov_cutoffs`` (variable, class, lower, upper, n), ``markov_transitions``
        (lag_class, from, to, count, probability, row_total; lag_class "" is the pooled
        chain), ``markov_steady_state`` (lag_class, solution, class, probability;
        ``solution`` numbers the stationary distributions of a chain with several recurrent
        classes), ``markov_mfpt`` (lag_class, from, to, mfpt), ``markov_tests`` (test,
        statistic, dof, p_value) and ``markov_classes`` (unit, period, value, class[, lag,
        lag_class]; a unit-period with no neighbour observed has lag NaN and lag_class "",
        is left out of the conditional counts and is counted in ``params``).
        Tests: ``time_homogeneity_Q``/``_LR`` across start periods (always, when there
        are two or more), and for spatial chains ``spatial_homogeneity_Q``/
        ``_LR`` across lag classes and ``chi2_lag[<class>]`` comparing each conditional
        matrix with the pooled one (giddy's ``chi2``, dof ``(r1 − 1)(r2 − 1)`` with r the
        non-empty rows). Tests with 0 degrees of freedom are left out and listed in
        ``params["tests_skipped"]``.

    References
    ----------
    Quah, D. (1993). Empirical cross-section dynamics in economic growth. *European
    Economic Review* 37, 426-434. Rey, S. J. (2001). Spatial empirics for economic growth
    and convergence. *Geographical Analysis* 33(3), 195-214. Bickenbach, F. and Bode, E.
    (2003). Evaluating the Markov property in studies of economic convergence.
    *International Regional Science Review* 26(3), 363-392.
    """
    df = values_frame(data, value=value, node=node)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise DataError(f"k (the transition step) must be a positive integer, got {k!r}")
    v_all = df["value"].to_numpy(dtype=float)
    if cutoffs is not None:
        cut = _check_cutoffs(cutoffs, "cutoffs")
        if classes is not None and classes != cut.size + 1:
            raise DataError(
                f"classes={classes} does not match {cut.size} cutoffs ({cut.size + 1} classes)"
            )
        source = "given"
    else:
        nk = 4 if classes is None else classes
        if isinstance(nk, bool) or not isinstance(nk, int | np.integer) or nk < 2:
            raise DataError(f"classes must be an integer >= 2, got {classes!r}")
        cut = _pooled_cutoffs(v_all, int(nk), "values")
        source = "pooled quantiles over all unit-periods, linear interpolation (R type 7)"
    nk = cut.size + 1
    labs = _labels(nk, labels)

    periods = sorted(pd.unique(df["period"]).tolist())
    units = sorted(pd.unique(df["unit"]).tolist())
    if len(periods) <= k:
        raise DataError(
            f"the table has {len(periods)} period(s); transitions over k={k} step(s) need at "
            f"least {k + 1}"
        )
    ppos = {p: i for i, p in enumerate(periods)}
    upos = {u: i for i, u in enumerate(units)}
    Y = np.full((len(units), len(periods)), np.nan)
    Y[df["unit"].map(upos).to_numpy(), df["period"].map(ppos).to_numpy()] = v_all
    obs = ~np.isnan(Y)
    C = np.where(obs, _classify(np.nan_to_num(Y), cut), -1)

    params: dict[str, Any] = {
        "method": "spatial markov" if spatial else "markov",
        "k": int(k),
        "classes": int(nk),
        "labels": list(labs),
        "cutoffs": cut.tolist(),
        "cutoffs_source": source,
        "intervals": "right-closed: c[i-1] < v <= c[i]",
        "step": "positions in the sorted periods of the table",
        "empty_rows": "probability 0 in the tables; absorbing for steady state and mfpt",
        "periods": list(periods),
    }

    lag = lag_cls = None
    lag_cut = None
    lag_labs = None
    if spatial:
        if w is None:
            raise DataError("a spatial Markov chain needs weights w (a libpysal W or a mapping)")
        M, notes = _lag_matrix(units, w)
        num = M @ np.where(obs, Y, 0.0)
        den = M @ obs.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            lag = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        has_lag = obs & ~np.isnan(lag)
        if isinstance(lag_cutoffs, str):
            if lag_cutoffs == "same":
                lag_cut = cut
            elif lag_cutoffs == "quantiles":
                nm = nk if lag_classes is None else lag_classes
                if isinstance(nm, bool) or not isinstance(nm, int | np.integer) or nm < 2:
                    raise DataError(f"lag_classes must be an integer >= 2, got {lag_classes!r}")
                lag_cut = _pooled_cutoffs(lag[has_lag], int(nm), "spatial lags")
            else:
                raise DataError(
                    f"lag_cutoffs must be 'same', 'quantiles' or a list, not {lag_cutoffs!r}"
                )
        else:
            lag_cut = _check_cutoffs(lag_cutoffs, "lag_cutoffs")
        nm = lag_cut.size + 1
        lag_labs = labs if nm == nk else _labels(nm, None)
        lag_cls = np.where(has_lag, _classify(np.nan_to_num(lag), lag_cut), -1)
        params.update(
            {
                "lag": "row-standardised weighted mean of the neighbours observed at the "
                "start period",
                "lag_cutoffs": lag_cut.tolist(),
                "lag_cutoffs_source": lag_cutoffs if isinstance(lag_cutoffs, str) else "given",
                "lag_classes": int(nm),
                "weights": "original weights, row-standardised over observed neighbours",
                **notes,
                "unit_periods_without_lag": int((obs & ~has_lag).sum()),
            }
        )

    # transitions (t, t + k) where the unit is observed at both ends
    a = C[:, :-k]
    b = C[:, k:]
    ok = (a >= 0) & (b >= 0)
    if not ok.any():
        raise DataError(
            f"no unit is observed at two periods {k} step(s) apart; nothing to estimate"
        )
    nstart = a.shape[1]
    Tt = np.zeros((nstart, nk, nk))
    for t in range(nstart):
        m = ok[:, t]
        np.add.at(Tt[t], (a[m, t], b[m, t]), 1.0)
    trans = Tt.sum(axis=0)
    p = _probabilities(trans)
    params["transitions"] = int(trans.sum())
    params["pairs_missing"] = int((~ok).sum())
    skipped: list[str] = []
    rows = _homogeneity_rows(Tt, "time_homogeneity", skipped)

    TT = PP = FF = None
    SS = None
    if spatial:
        la = lag_cls[:, :-k]
        okl = ok & (la >= 0)
        nm = lag_cut.size + 1
        TT = np.zeros((nm, nk, nk))
        np.add.at(TT, (la[okl], a[okl], b[okl]), 1.0)
        PP = _probabilities(TT)
        SS, Fs, empty = [], [], []
        for i in range(nm):
            if TT[i].sum() == 0:
                SS.append(np.zeros((0, nk)))
                Fs.append(np.full((nk, nk), np.nan))
                empty.append(lag_labs[i])
            else:
                SS.append(_stationary(PP[i]))
                Fs.append(_passage(PP[i]))
        FF = np.asarray(Fs)
        params["lag_classes_without_transitions"] = empty
        params["pairs_without_lag"] = int((ok & ~okl).sum())
        rows += _homogeneity_rows(TT, "spatial_homogeneity", skipped)
        for i in range(nm):
            if TT[i].sum() == 0:
                continue
            stat, pv, dof = chi2_test(TT[i], trans)
            if int(dof) < 1:
                skipped.append(f"chi2_lag[{lag_labs[i]}]: 0 degrees of freedom")
                continue
            rows.append((f"chi2_lag[{lag_labs[i]}]", float(stat), int(dof), pv))
    params["tests_skipped"] = skipped
    params["tests"] = (
        "Bickenbach-Bode (2003) Q and LR (nqpf.analysis.chains.homogeneity); chi2_lag: "
        "Pearson chi2 against the pooled probabilities (nqpf.analysis.chains.chi2_test)"
    )

    ui, ti = np.nonzero(obs)
    cls = pd.DataFrame(
        {
            "unit": [units[i] for i in ui],
            "period": [periods[t] for t in ti],
            "value": Y[ui, ti],
            "class": [labs[c] for c in C[ui, ti]],
        }
    )
    if spatial:
        cls["lag"] = lag[ui, ti]
        cls["lag_class"] = [lag_labs[c] if c >= 0 else "" for c in lag_cls[ui, ti]]
    cls = cls.sort_values(["period", "unit"]).reset_index(drop=True)

    return MarkovResult(
        labels=labs,
        lag_labels=lag_labs,
        cutoffs=cut,
        lag_cutoffs=lag_cut,
        transitions=trans,
        p=p,
        steady_state=_stationary(p),
        mfpt=_passage(p),
        T=TT,
        P=PP,
        S=SS,
        F=FF,
        classes=cls,
        tests=pd.DataFrame(rows, columns=["test", "statistic", "dof", "p_value"]),
        params=params,
    )
