"""Exploratory space-time data analysis: LISA time paths and space-time transitions.

Each unit, in each period, is a point of the Moran scatter plot: its standardised value
:math:`z_{it}` (mean 0, population SD 1 across the units of the period) and the spatial lag
:math:`(Wz)_{it}` under row-standardised weights aligned to the units by id. Its quadrant is
esda's: 1 HH (z > 0, lag > 0), 2 LH, 3 LL, 4 HL (a coordinate exactly 0 counts as low).

LISA time paths
---------------
Rey, S. J., Murray, A. T. and Anselin, L. (2011), "Visualizing regional income distribution
dynamics", *Letters in Spatial and Resource Sciences* 4: 81–90; Ye, X. and Rey, S. (2013), "A
framework for exploratory space-time analysis of economic data", *The Annals of Regional
Science* 50: 315–339. With :math:`L_{it} = (z_{it}, (Wz)_{it})`, *T* periods and *N* units
with a value in every period, d the Euclidean distance::

    relative length  Γ_i = N · Σ_t d(L_it, L_i,t+1) / Σ_j Σ_t d(L_jt, L_j,t+1)
    tortuosity       Δ_i = Σ_t d(L_it, L_i,t+1) / d(L_i1, L_iT)
    direction        θ_i = atan2(Σ_t sin α_it, Σ_t cos α_it)

with :math:`\\alpha_{it}` the angle of the move from t to t + 1 (degrees counter-clockwise from
the positive z axis, in [0°, 360°)). Γ above 1 marks a unit whose local structure moves more
than the average; Δ near 1 a straight path, large Δ a winding one (infinite when the path ends
where it started: reported as missing with the count in ``notes``). Directions in
(0°, 90°) mean the unit and its neighbours grow together (协同高增长), (90°, 180°) the unit
falls relative to rising neighbours, (180°, 270°) both fall together (协同低增长), (270°, 360°)
the unit rises while its neighbours fall. A unit missing in any period is left out of the paths
(named in ``notes``).

Space-time transitions
----------------------
Rey, S. J. (2001), "Spatial empirics for economic growth and convergence", *Geographical
Analysis* 33(3): 195–214. Between consecutive periods each unit's move from quadrant to
quadrant is one of four types: 0, unit and neighbourhood stay (HH→HH …); I, only the unit
moves (HH↔LH, HL↔LL); II, only the neighbourhood moves (HH↔HL, LH↔LL); III, both move
(HH↔LL, LH↔HL). Shares of type 0 measure spatial stability ("space-time flux" = 1 − type-0
share), and the share of moves of type IIIa (HH↔LL, both in the same direction) measures
spatial cohesion. Transitions need the unit in both periods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .spatial import _aligned, _base_weights, _periods

__all__ = ["QUADRANTS", "EstdaResult", "estda", "transition_type"]

#: esda quadrant -> (code, Chinese)
QUADRANTS = {1: ("HH", "高-高"), 2: ("LH", "低-高"), 3: ("LL", "低-低"), 4: ("HL", "高-低")}

# (own high, neighbours high) of each quadrant
_STATE = {1: (1, 1), 2: (0, 1), 3: (0, 0), 4: (1, 0)}

_DIRECTIONS_EN = ("both rising", "unit falling, neighbours rising", "both falling",
                  "unit rising, neighbours falling")  # fmt: skip
_DIRECTIONS_ZH = ("协同高增长", "自身低增长、邻域高增长", "协同低增长", "自身高增长、邻域低增长")

_TYPE_ZH = {"0": "类型0（均不变）", "I": "类型I（自身跃迁）", "II": "类型II（邻域跃迁）",
            "IIIa": "类型IIIa（同向跃迁）", "IIIb": "类型IIIb（反向跃迁）"}  # fmt: skip


def transition_type(q_from: int, q_to: int) -> str:
    """Rey's (2001) type of a move between esda quadrants: "0", "I", "II", "IIIa" or "IIIb".

    Type III is split as in Rey (2001): IIIa when unit and neighbours move in the same
    direction (HH↔LL), IIIb when in opposite directions (HL↔LH).
    """
    a, b = _STATE[int(q_from)], _STATE[int(q_to)]
    own, nb = a[0] != b[0], a[1] != b[1]
    if not own and not nb:
        return "0"
    if own and not nb:
        return "I"
    if nb and not own:
        return "II"
    return "IIIa" if a[0] == a[1] else "IIIb"


@dataclass(frozen=True)
class EstdaResult:
    """LISA coordinates per unit and period, time-path measures and transitions."""

    coordinates: pd.DataFrame
    paths: pd.DataFrame
    transitions: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def transition_matrix(self) -> pd.DataFrame:
        """Counts of moves from quadrant (rows) to quadrant (columns), all periods pooled."""
        codes = [QUADRANTS[q][0] for q in (1, 2, 3, 4)]
        m = pd.crosstab(self.transitions["from"], self.transitions["to"])
        return m.reindex(index=codes, columns=codes, fill_value=0).rename_axis(
            index="from", columns="to"
        )

    def type_shares(self) -> pd.DataFrame:
        """Per pair of periods and overall: count and share of each type, flux and cohesion."""
        t = self.transitions
        rows = []
        for key, g in [*t.groupby(["period_from", "period_to"], sort=True), (("all", "all"), t)]:
            n = len(g)
            counts = g["type"].value_counts()
            row = {"period_from": key[0], "period_to": key[1], "n": n}
            for ty in ("0", "I", "II", "IIIa", "IIIb"):
                row[f"type_{ty}"] = int(counts.get(ty, 0))
            row["flux"] = 1 - row["type_0"] / n if n else np.nan
            row["cohesion"] = row["type_IIIa"] / n if n else np.nan
            rows.append(row)
        return pd.DataFrame(rows)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "lisa_coordinates": self.coordinates,
            "lisa_paths": self.paths,
            "lisa_transitions": self.transitions,
            "lisa_transition_matrix": self.transition_matrix().reset_index(),
            "lisa_transition_types": self.type_shares(),
        }

    def to_frame(self) -> pd.DataFrame:
        return self.paths

    def summary(self) -> pd.DataFrame:
        return self.type_shares()

    def plot(self, lang: str = "en", **kw: Any):
        """LISA time paths in the Moran scatter plane, one line per unit."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=kw.pop("figsize", (6.0, 5.5)))
        ax = fig.add_subplot(1, 1, 1)
        c = self.coordinates
        for _, g in c.groupby("unit", sort=True):
            ax.plot(g["z"], g["lag"], lw=0.7, alpha=0.6)
            ax.plot(g["z"].iloc[-1], g["lag"].iloc[-1], "o", ms=2.5, color="0.2")
        ax.axhline(0, color="0.5", lw=0.6)
        ax.axvline(0, color="0.5", lw=0.6)
        zh = lang == "zh"
        ax.set_xlabel("标准化值 z" if zh else "Standardised value z")
        ax.set_ylabel("空间滞后 Wz" if zh else "Spatial lag Wz")
        ax.set_title("LISA 时间路径" if zh else "LISA time paths")
        fig.tight_layout()
        return fig


def estda(
    data: Any,
    w: Any = "contiguity",
    *,
    value: str = "value",
    node: str | None = None,
    indicator: str | None = None,
    weights_options: Mapping[str, Any] | None = None,
) -> EstdaResult:
    """LISA time paths and Rey's space-time transitions of a panel (module docstring)."""
    vf_periods = list(_periods(data, value, node, indicator))
    if len(vf_periods) < 2:
        raise DataError("LISA time paths need at least two periods")
    all_units = sorted({u for _, units, _ in vf_periods for u in units})
    base = _base_weights(w, all_units, weights_options)
    cache_: dict = {}
    frames = []
    for period, units, y in vf_periods:
        wk = _aligned(base, units, "R", cache_)
        y = np.asarray(y, dtype=float)
        z = (y - y.mean()) / y.std()
        lag = wk.sparse @ z
        q = np.where(z > 0, np.where(lag > 0, 1, 4), np.where(lag > 0, 2, 3))
        frames.append(pd.DataFrame({"period": period, "unit": units, "z": z, "lag": lag,
                                    "quadrant": [QUADRANTS[int(v)][0] for v in q],
                                    "q": q}))  # fmt: skip
    coords = pd.concat(frames, ignore_index=True)
    periods = [p for p, _, _ in vf_periods]
    notes: list[str] = []
    complete = coords.groupby("unit")["period"].nunique() == len(periods)
    left = sorted(complete.index[~complete])
    if left:
        notes.append(
            f"{len(left)} unit(s) lack a value in some period and are left out of the paths: "
            + ", ".join(map(str, left[:10]))
        )
    paths = _paths(coords[coords["unit"].isin(complete.index[complete])], notes)
    trans = _transitions(coords, periods)
    params = {
        "method": "estda",
        "weights": w if isinstance(w, str) else type(w).__name__,
        "transform": "R",
        "z": "standardised per period with the population SD",
    }
    return EstdaResult(
        coordinates=coords.drop(columns="q"),
        paths=paths,
        transitions=trans,
        params=params,
        notes=notes,
    )


def _paths(coords: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    rows = []
    for unit, g in coords.sort_values("period").groupby("unit", sort=True):
        xy = g[["z", "lag"]].to_numpy()
        step = np.diff(xy, axis=0)
        seg = np.hypot(step[:, 0], step[:, 1])
        disp = float(np.hypot(*(xy[-1] - xy[0])))
        ang = np.arctan2(step[:, 1], step[:, 0])
        moving = seg > 0
        theta = (
            float(np.degrees(np.arctan2(np.sin(ang[moving]).sum(), np.cos(ang[moving]).sum()))
                  % 360.0)
            if moving.any()
            else np.nan
        )  # fmt: skip
        rows.append({"unit": unit, "length": float(seg.sum()), "displacement": disp,
                     "tortuosity": float(seg.sum() / disp) if disp > 0 else np.nan,
                     "direction": theta})  # fmt: skip
    out = pd.DataFrame(rows, columns=["unit", "length", "displacement", "tortuosity",
                                      "direction"])  # fmt: skip
    mean_len = out["length"].mean()
    out.insert(2, "relative_length", out["length"] / mean_len if mean_len > 0 else np.nan)
    n_loop = int((out["displacement"] == 0).sum())
    if n_loop:
        notes.append(f"{n_loop} path(s) end where they start: tortuosity left missing")
    sector = np.floor(out["direction"].to_numpy(float) / 90.0)
    for col, names in (("direction_class", _DIRECTIONS_EN), ("direction_class_zh", _DIRECTIONS_ZH)):
        out[col] = [names[int(s)] if np.isfinite(s) else "" for s in sector]
    return out


def _transitions(coords: pd.DataFrame, periods: list[Any]) -> pd.DataFrame:
    q = coords.pivot(index="unit", columns="period", values="q")
    rows = []
    for a, b in zip(periods[:-1], periods[1:], strict=True):
        both = q[[a, b]].dropna()
        for unit, (qa, qb) in both.iterrows():
            ty = transition_type(int(qa), int(qb))
            rows.append({"unit": unit, "period_from": a, "period_to": b,
                         "from": QUADRANTS[int(qa)][0], "to": QUADRANTS[int(qb)][0],
                         "type": ty, "type_zh": _TYPE_ZH[ty]})  # fmt: skip
    return pd.DataFrame(
        rows, columns=["unit", "period_from", "period_to", "from", "to", "type", "type_zh"]
    )
