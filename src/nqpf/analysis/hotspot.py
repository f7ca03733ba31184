"""Hot spots: the Getis-Ord Gi* statistic per unit and period, with permutation inference.

Sources: Getis, A. and Ord, J. K. (1992), "The analysis of spatial association by use of
distance statistics", *Geographical Analysis* 24(3): 189–206; Ord, J. K. and Getis, A.
(1995), "Local spatial autocorrelation statistics: distributional issues and an application",
*Geographical Analysis* 27(4): 286–306.

Formulas and conventions
------------------------
Gi* includes the unit itself: the weights are the aligned spatial weights (binary by default,
``transform="B"``) with :math:`w_{ii} = 1` added (``star``). With :math:`W_i = \\sum_j w_{ij}`,
:math:`S_{1i} = \\sum_j w_{ij}^2`, the mean :math:`\\bar x` and the population standard
deviation *S* of the *n* values of the period::

    G*_i = Σ_j w_ij x_j / Σ_j x_j
    z_i  = (Σ_j w_ij x_j − x̄ W_i) / (S · sqrt((n S1_i − W_i²) / (n − 1)))

the standardised form of Ord and Getis (1995), the z that ArcGIS's Hot Spot Analysis reports
(``GiZScore``). ``p_norm`` is two-sided. ``p_sim`` comes from conditional permutations
(Anselin 1995): :math:`x_i` stays with unit *i* and the values of its neighbours are drawn
without replacement from the other *n* − 1 units, ``permutations`` times, seeded;
:math:`p = (m + 1)/(R + 1)` with *m* the smaller of the numbers of permuted :math:`G^*_i` at
least as large and at least as small as the observed one (one-sided, folded; a permuted value
equal to the observed one, within 1e-12 relative, counts on both sides, so that a value at the
edge of a discrete distribution is not called significant by ties).

Classes (ArcGIS's ``Gi_Bin``): hot spot when z > 0 and the p-value (``p_sim``, or ``p_norm``
with ``permutations=0``) is at most 0.01, 0.05 or 0.10 (99 %, 95 %, 90 % confidence), cold spot
likewise with z < 0, otherwise not significant; ``bin`` is ±3, ±2, ±1 or 0.
Values must be ≥ 0 (Gi* is a ratio of sums); a negative value is an error naming the unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .spatial import _aligned, _base_weights, _check_permutations, _periods

__all__ = ["HOTSPOT_LABELS", "HotspotResult", "hotspots"]

#: bin -> (English, Chinese)
HOTSPOT_LABELS: dict[int, tuple[str, str]] = {
    3: ("Hot spot, 99% confidence", "热点（99%置信）"),
    2: ("Hot spot, 95% confidence", "热点（95%置信）"),
    1: ("Hot spot, 90% confidence", "热点（90%置信）"),
    0: ("Not significant", "不显著"),
    -1: ("Cold spot, 90% confidence", "冷点（90%置信）"),
    -2: ("Cold spot, 95% confidence", "冷点（95%置信）"),
    -3: ("Cold spot, 99% confidence", "冷点（99%置信）"),
}


@dataclass(frozen=True)
class HotspotResult:
    """Gi* per unit and period: ``period, unit, value, gi_star, z, p_norm, p_sim, bin,
    label, label_zh``."""

    table: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"hotspots": self.table.copy()}

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Units per class and period (columns hot99 … cold99)."""
        names = {3: "hot99", 2: "hot95", 1: "hot90", 0: "ns", -1: "cold90", -2: "cold95",
                 -3: "cold99"}  # fmt: skip
        counts = pd.crosstab(self.table["period"], self.table["bin"])
        counts = counts.reindex(columns=list(names), fill_value=0).rename(columns=names)
        counts.columns.name = None
        return counts.reset_index()

    def plot(self, lang: str = "en", **kw: Any):
        """Units per hot/cold class over the periods (stacked bars)."""
        from matplotlib.figure import Figure

        s = self.summary().set_index("period")
        colours = ["#b2182b", "#ef8a62", "#fddbc7", "#e0e0e0", "#d1e5f0", "#67a9cf", "#2166ac"]
        labels = [HOTSPOT_LABELS[b][1 if lang == "zh" else 0] for b in (3, 2, 1, 0, -1, -2, -3)]
        fig = Figure(figsize=kw.pop("figsize", (7.0, 4.2)))
        ax = fig.add_subplot(1, 1, 1)
        bottom = np.zeros(len(s))
        x = np.arange(len(s))
        for col, colour, label in zip(s.columns, colours, labels, strict=True):
            ax.bar(x, s[col].to_numpy(), bottom=bottom, color=colour, label=label, width=0.8)
            bottom += s[col].to_numpy()
        ax.set_xticks(x, [str(p) for p in s.index], rotation=45 if len(s) > 8 else 0)
        ax.set_ylabel("单元数" if lang == "zh" else "Units")
        ax.set_title("冷热点（Gi*）" if lang == "zh" else "Hot and cold spots (Gi*)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        fig.tight_layout()
        return fig


def _gi_star(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gi* and its z for a dense weight matrix ``w`` that already includes the diagonal."""
    n = len(x)
    lag = w @ x
    wi = w.sum(axis=1)
    s1 = (w * w).sum(axis=1)
    xbar = x.mean()
    s = np.sqrt((x * x).mean() - xbar * xbar)
    denom = s * np.sqrt((n * s1 - wi * wi) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - xbar * wi) / denom
    return lag / x.sum(), z


def _permuted_p(x: np.ndarray, w: np.ndarray, g: np.ndarray, permutations: int, seed: Any):
    """Folded one-sided pseudo p of Gi* by conditional permutation (module docstring).

    As for local Moran, one table of draws (``permutations`` rows of positions among the other
    n - 1 units) is shared by all units; position *p* of unit *i* is unit *p* if *p* < *i*,
    else *p* + 1.
    """
    n = len(x)
    off = w.copy()
    np.fill_diagonal(off, 0.0)
    k = (off != 0).sum(axis=1)
    rng = np.random.default_rng(seed)
    draws = np.argsort(rng.random((permutations, n - 1)), axis=1)[:, : max(int(k.max()), 1)]
    total = x.sum()
    kmax = draws.shape[1]
    # neighbours of each unit and their weights, padded with weight 0 to kmax
    nbw = np.zeros((n, kmax))
    for i in np.flatnonzero(k):
        nbw[i, : k[i]] = off[i, np.flatnonzero(off[i])]
    units = np.arange(n)
    p = np.full(n, np.nan)
    for lo in range(0, n, 64):  # blocks of units keep the (units, R, kmax) array small
        i = units[lo : lo + 64]
        ids = draws[None, :, :] + (draws[None, :, :] >= i[:, None, None])
        sims = (np.diag(w)[i, None] * x[i, None] + (x[ids] * nbw[i, None, :]).sum(-1)) / total
        tol = 1e-12 * (1.0 + np.abs(g[i]))[:, None]
        hi = (sims >= g[i, None] - tol).sum(axis=1)
        lo_ = (sims <= g[i, None] + tol).sum(axis=1)
        p[i] = (np.minimum(hi, lo_) + 1.0) / (permutations + 1.0)
    p[k == 0] = np.nan
    return p


def hotspots(
    data: Any,
    w: Any = "contiguity",
    *,
    permutations: int = 999,
    seed: int | None = 0,
    transform: str | None = "B",
    value: str = "value",
    node: str | None = None,
    indicator: str | None = None,
    weights_options: Mapping[str, Any] | None = None,
) -> HotspotResult:
    """Getis-Ord Gi* of each unit and period, with hot- and cold-spot classes.

    ``data``, ``w``, ``node``, ``indicator`` and ``weights_options`` as in
    :func:`nqpf.analysis.spatial.moran`; ``transform`` of the aligned weights before the unit
    itself is added ("B", binary, by default, as ArcGIS's contiguity and fixed-distance
    conceptualisations; "R" row-standardises first). ``permutations=0`` classes by ``p_norm``.
    """
    from scipy.stats import norm

    permutations = _check_permutations(permutations, 0)
    vf_periods = list(_periods(data, value, node, indicator))
    all_units = sorted({u for _, units, _ in vf_periods for u in units})
    base = _base_weights(w, all_units, weights_options)
    cache_: dict = {}
    frames = []
    for period, units, y in vf_periods:
        y = np.asarray(y, dtype=float)
        neg = np.flatnonzero(y < 0)
        if len(neg):
            raise DataError(
                f"Gi* needs values >= 0: unit {units[neg[0]]}, period {period} has "
                f"{y[neg[0]]:g} ({len(neg)} negative value(s) in that period)"
            )
        if not y.sum() > 0:
            raise DataError(f"period {period}: every value is 0, Gi* is undefined")
        wk = _aligned(base, units, transform, cache_)
        dense = wk.sparse.toarray()
        np.fill_diagonal(dense, 1.0)
        g, z = _gi_star(y, dense)
        p_norm = 2 * norm.sf(np.abs(z))
        p_sim = (
            _permuted_p(y, dense, g, permutations, seed)
            if permutations
            else np.full(len(y), np.nan)
        )
        p_use = p_sim if permutations else p_norm
        level = np.select([p_use <= 0.01, p_use <= 0.05, p_use <= 0.10], [3, 2, 1], 0)
        b = np.where(np.isfinite(z), np.sign(z).astype(int) * level, 0)
        frames.append(
            pd.DataFrame(
                {
                    "period": period,
                    "unit": units,
                    "value": y,
                    "gi_star": g,
                    "z": z,
                    "p_norm": p_norm,
                    "p_sim": p_sim,
                    "bin": b,
                    "label": [HOTSPOT_LABELS[int(v)][0] for v in b],
                    "label_zh": [HOTSPOT_LABELS[int(v)][1] for v in b],
                }
            )
        )
    params = {
        "method": "hotspots",
        "statistic": "Getis-Ord Gi* (Ord and Getis 1995), unit itself included",
        "weights": w if isinstance(w, str) else type(w).__name__,
        "transform": transform if transform is not None else "as given",
        "permutations": permutations,
        "seed": seed,
        "classes": "ArcGIS Gi_Bin: 99/95/90 % confidence by p_sim (p_norm without permutations)",
    }
    return HotspotResult(table=pd.concat(frames, ignore_index=True), params=params)
