"""Centrography of a regional variable: the gravity centre, its migration, and the standard
deviational ellipse, per period.

Each unit is a point (its centroid: the bundled province centroids, or the caller's
``points`` table ``unit, lon, lat``) weighted by the variable (an index score, GDP …).

Projection
----------
Means, distances and ellipses are computed on a plane, in kilometres, by the spherical Albers
equal-area conic projection (Snyder 1987, *Map Projections: A Working Manual*, USGS
Professional Paper 1395, eqs. 14-1 to 14-6 and 14-8 to 14-11, sphere of radius 6371.0088 km)
with the parameters of maps of China: standard parallels 25° N and 47° N, central meridian
105° E, origin latitude 0° (all parameters of :func:`gravity_centre` and :func:`sde`). The
centre is projected back to degrees for reporting. Papers that average longitudes and
latitudes directly differ from this by a few kilometres at the scale of China.

Gravity centre (重心)
---------------------
:math:`\\bar X = \\sum_i w_i x_i / \\sum_i w_i`, :math:`\\bar Y = \\sum_i w_i y_i / \\sum_i w_i`
with :math:`w_i` the variable (weighted mean centre; e.g. Mitchell 2005, *The ESRI Guide to
GIS Analysis*, vol. 2). Weights must be ≥ 0 with a positive sum in every period; a negative
weight is an error naming the unit and period. The migration between consecutive periods is
the great-circle distance (km, haversine) between the two centres and the initial bearing in
degrees clockwise from north, with its eight-point compass direction (东北 …).

Standard deviational ellipse (标准差椭圆)
-----------------------------------------
With :math:`\\tilde x_i, \\tilde y_i` the projected coordinates minus the weighted centre and
:math:`W = \\sum w_i`, the rotation :math:`\\theta` (of the y axis, clockwise from north) solves
Yuill (1971)::

    tan θ = [(A − B) + sqrt((A − B)² + 4C²)] / (2C)
    A = Σ w x̃²,  B = Σ w ỹ²,  C = Σ w x̃ ỹ

and the standard deviations along the rotated axes are
:math:`\\sigma_x = \\sqrt{f \\sum w (\\tilde x \\cos\\theta - \\tilde y \\sin\\theta)^2 / D}`,
:math:`\\sigma_y = \\sqrt{f \\sum w (\\tilde x \\sin\\theta + \\tilde y \\cos\\theta)^2 / D}`,
where the conventions differ (``convention=``):

``yuill`` (default)
    f = 1, D = W: Yuill, R. S. (1971), "The standard distance deviation ellipse: an
    alternative approach to the analysis of two-dimensional spatial data", *Geographical
    Analysis* 3: 28–43. One standard deviation along each axis.
``arcgis``
    f = 2, D = W: ArcGIS Pro's Directional Distribution (the √2 correction since ArcGIS 10, so
    that one standard deviation covers about 63 % of the points).
``crimestat``
    f = 2, D = W − 2: CrimeStat III (Levine 2004), with n − 2 degrees of freedom for an
    unweighted pattern.

When C = 0 (axes already aligned), θ = 0 if A ≥ B, else 90°. The ellipse reports its centre,
``sigma_x``, ``sigma_y`` (km), the rotation, the area :math:`\\pi\\sigma_x\\sigma_y` (km²) and
the shape index ``sigma_min / sigma_max`` (1 = circle). ``major_axis_angle`` is the bearing of
the long axis, in [0°, 180°). At least three units with positive weight are needed per period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ._input import values_frame
from .spatial import EARTH_RADIUS_KM, _points_table, haversine

__all__ = ["CONVENTIONS", "CentreResult", "albers", "albers_inverse", "gravity_centre", "sde"]

CONVENTIONS = {"yuill": (1.0, 0), "arcgis": (2.0, 0), "crimestat": (2.0, 2)}

#: Albers parameters of maps of China: (standard parallel 1, standard parallel 2, central
#: meridian, latitude of origin), degrees.
CHINA_ALBERS = (25.0, 47.0, 105.0, 0.0)

_COMPASS = [
    ("N", "北"),
    ("NE", "东北"),
    ("E", "东"),
    ("SE", "东南"),
    ("S", "南"),
    ("SW", "西南"),
    ("W", "西"),
    ("NW", "西北"),
]


# ---------------------------------------------------------------------- projection
def _albers_constants(params: tuple[float, float, float, float]):
    p1, p2, lon0, lat0 = (np.radians(v) for v in params)
    n = (np.sin(p1) + np.sin(p2)) / 2
    c = np.cos(p1) ** 2 + 2 * n * np.sin(p1)
    rho0 = EARTH_RADIUS_KM * np.sqrt(c - 2 * n * np.sin(lat0)) / n
    return n, c, rho0, lon0


def albers(lon: Any, lat: Any, params: tuple = CHINA_ALBERS) -> tuple[np.ndarray, np.ndarray]:
    """Spherical Albers equal-area x, y (km) of points in degrees (Snyder 1987, 14-1 to 14-4)."""
    n, c, rho0, lon0 = _albers_constants(params)
    lam = np.radians(np.asarray(lon, dtype=float))
    phi = np.radians(np.asarray(lat, dtype=float))
    rho = EARTH_RADIUS_KM * np.sqrt(c - 2 * n * np.sin(phi)) / n
    theta = n * (lam - lon0)
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


def albers_inverse(x: Any, y: Any, params: tuple = CHINA_ALBERS) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees) of Albers x, y in km (Snyder 1987, 14-8 to 14-11)."""
    n, c, rho0, lon0 = _albers_constants(params)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    rho = np.hypot(x, rho0 - y)
    theta = np.arctan2(x, rho0 - y)
    phi = np.arcsin((c - (rho * n / EARTH_RADIUS_KM) ** 2) / (2 * n))
    return np.degrees(lon0 + theta / n), np.degrees(phi)


def _bearing(lon1, lat1, lon2, lat2) -> float:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north."""
    l1, p1, l2, p2 = np.radians([lon1, lat1, lon2, lat2])
    y = np.sin(l2 - l1) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(l2 - l1)
    return float(np.degrees(np.arctan2(y, x)) % 360.0)


def _compass(bearing: float) -> tuple[str, str]:
    return _COMPASS[int(((bearing + 22.5) % 360) // 45)]


# ---------------------------------------------------------------------- inputs
def _weighted_points(data: Any, value: str, node: str | None, points: Any) -> pd.DataFrame:
    vf = values_frame(data, value=value, node=node)
    pts = _points_table(points)
    missing = sorted(set(vf["unit"]) - set(pts["unit"]))
    if missing:
        raise DataError(
            f"no coordinates for unit(s) {missing[:10]}; the bundled points are the 31 provinces "
            "(CN-BJ …); give a points table with columns unit, lon, lat for other units"
        )
    df = vf.merge(pts, on="unit", how="left")
    neg = df[df["value"] < 0]
    if len(neg):
        r = neg.iloc[0]
        raise DataError(
            f"the weights must be >= 0: {len(neg)} negative value(s), e.g. unit {r['unit']}, "
            f"period {r['period']}: {r['value']:g} (use a positive variable such as a score)"
        )
    return df


def _albers_params(params: Any) -> tuple[float, float, float, float]:
    if len(params) != 4:
        raise DataError("projection parameters are (parallel 1, parallel 2, meridian, origin)")
    return tuple(float(v) for v in params)  # type: ignore[return-value]


# ---------------------------------------------------------------------- results
@dataclass
class CentreResult:
    """Per period: the gravity centre, its move from the previous period, and the ellipse."""

    centres: pd.DataFrame
    ellipses: pd.DataFrame | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"gravity_centre": self.centres}
        if self.ellipses is not None:
            out["sde"] = self.ellipses
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.centres

    def summary(self) -> pd.DataFrame:
        cols = ["period", "lon", "lat", "distance_km", "direction"]
        s = self.centres[cols]
        if self.ellipses is not None:
            s = s.merge(
                self.ellipses[["period", "sigma_x", "sigma_y", "rotation", "area_km2"]],
                on="period",
            )
        return s

    def ellipse_outline(self, period: Any, n: int = 180) -> pd.DataFrame:
        """Points (lon, lat) of the ellipse of ``period`` for drawing on a map."""
        if self.ellipses is None:
            raise DataError("no ellipses were computed")
        rows = self.ellipses[self.ellipses["period"] == period]
        if rows.empty:
            raise DataError(f"no ellipse for period {period!r}")
        e = rows.iloc[0]
        t = np.linspace(0, 2 * np.pi, n)
        th = np.radians(e["rotation"])
        # rotated axes: x' = x cos θ − y sin θ, y' = x sin θ + y cos θ (module docstring)
        xr, yr = e["sigma_x"] * np.cos(t), e["sigma_y"] * np.sin(t)
        dx = xr * np.cos(th) + yr * np.sin(th)
        dy = -xr * np.sin(th) + yr * np.cos(th)
        lon, lat = albers_inverse(e["x"] + dx, e["y"] + dy, self.params["projection"])
        return pd.DataFrame({"lon": lon, "lat": lat})

    def plot(self, lang: str = "en", ax: Any = None) -> Any:
        """The centre's track over the periods, with the ellipses of the first and last."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 5.0))
        c = self.centres
        ax.plot(c["lon"], c["lat"], "-o", color="#0072B2", ms=3, lw=1.2)
        for _, r in c.iloc[[0, -1]].iterrows():
            ax.annotate(str(r["period"]), (r["lon"], r["lat"]), textcoords="offset points",
                        xytext=(4, 4), fontsize=8)  # fmt: skip
        if self.ellipses is not None and len(self.ellipses):
            periods = list(self.ellipses["period"])
            for p, col in ((periods[0], "#999999"), (periods[-1], "#D55E00")):
                o = self.ellipse_outline(p)
                ax.plot(o["lon"], o["lat"], color=col, lw=1.0, label=str(p))
            ax.legend(title="标准差椭圆" if lang == "zh" else "Ellipse", loc="best")
        ax.set_xlabel("经度 (°E)" if lang == "zh" else "Longitude (°E)")
        ax.set_ylabel("纬度 (°N)" if lang == "zh" else "Latitude (°N)")
        ax.set_title("重心迁移轨迹" if lang == "zh" else "Gravity centre over time")
        ax.set_aspect(1 / np.cos(np.radians(float(c["lat"].mean()))))
        ax.figure.tight_layout()
        return ax.figure


# ---------------------------------------------------------------------- computations
def _centre_rows(df: pd.DataFrame, params: tuple) -> pd.DataFrame:
    rows = []
    for period, g in df.groupby("period", sort=True):
        w = g["value"].to_numpy(float)
        if not w.sum() > 0:
            raise DataError(f"period {period}: the weights sum to zero; no centre exists")
        x, y = albers(g["lon"], g["lat"], params)
        cx, cy = float(w @ x / w.sum()), float(w @ y / w.sum())
        lon, lat = albers_inverse(cx, cy, params)
        rows.append({"period": period, "lon": float(lon), "lat": float(lat), "x": cx, "y": cy,
                     "units": len(g), "weight": float(w.sum())})  # fmt: skip
    out = pd.DataFrame(rows)
    d = [np.nan]
    b = [np.nan]
    for i in range(1, len(out)):
        p, q = out.iloc[i - 1], out.iloc[i]
        d.append(float(haversine(p["lon"], p["lat"], q["lon"], q["lat"])))
        b.append(_bearing(p["lon"], p["lat"], q["lon"], q["lat"]) if d[-1] > 0 else np.nan)
    out["distance_km"] = d
    out["bearing"] = b
    out["direction"] = [_compass(v)[0] if np.isfinite(v) else "" for v in b]
    out["direction_zh"] = [_compass(v)[1] if np.isfinite(v) else "" for v in b]
    return out


def gravity_centre(
    data: Any,
    value: str = "value",
    node: str | None = None,
    points: pd.DataFrame | None = None,
    projection: tuple = CHINA_ALBERS,
) -> CentreResult:
    """Weighted mean centre per period and its migration (module docstring).

    ``data`` is a table ``unit, period, value`` (or scores.csv, a Panel of one series, an
    index result) as for the other analyses.
    """
    params = _albers_params(projection)
    df = _weighted_points(data, value, node, points)
    return CentreResult(
        centres=_centre_rows(df, params), params={"projection": params, "kind": "centre"}
    )


def _ellipse(x, y, w, convention: str) -> dict[str, float]:
    f, dof = CONVENTIONS[convention]
    wsum = w.sum()
    cx, cy = w @ x / wsum, w @ y / wsum
    xt, yt = x - cx, y - cy
    a, b, c = w @ (xt * xt), w @ (yt * yt), w @ (xt * yt)
    if abs(c) <= 1e-12 * max(a, b, 1e-300):
        theta = 0.0 if a >= b else np.pi / 2
    else:
        theta = float(np.arctan(((a - b) + np.sqrt((a - b) ** 2 + 4 * c * c)) / (2 * c)))
    theta %= np.pi
    ct, st = np.cos(theta), np.sin(theta)
    denom = wsum - dof
    if denom <= 0:
        raise DataError(f"the {convention} convention needs a total weight above {dof}")
    sx = float(np.sqrt(f * (w @ (xt * ct - yt * st) ** 2) / denom))
    sy = float(np.sqrt(f * (w @ (xt * st + yt * ct) ** 2) / denom))
    major = np.degrees(theta) if sy >= sx else (np.degrees(theta) + 90.0) % 180.0
    shape = min(sx, sy) / max(sx, sy) if max(sx, sy) > 0 else np.nan
    return {
        "x": float(cx),
        "y": float(cy),
        "sigma_x": sx,
        "sigma_y": sy,
        "rotation": float(np.degrees(theta)),
        "major_axis_angle": float(major),
        "area_km2": float(np.pi * sx * sy),
        "shape_index": float(shape),
    }


def sde(
    data: Any,
    value: str = "value",
    node: str | None = None,
    points: pd.DataFrame | None = None,
    convention: str = "yuill",
    projection: tuple = CHINA_ALBERS,
) -> CentreResult:
    """Standard deviational ellipse per period, with the gravity centre (module docstring)."""
    if convention not in CONVENTIONS:
        raise DataError(f"unknown convention {convention!r}; use one of {', '.join(CONVENTIONS)}")
    params = _albers_params(projection)
    df = _weighted_points(data, value, node, points)
    rows = []
    for period, g in df.groupby("period", sort=True):
        w = g["value"].to_numpy(float)
        if (w > 0).sum() < 3:
            raise DataError(f"period {period}: an ellipse needs at least 3 units with weight > 0")
        x, y = albers(g["lon"], g["lat"], params)
        e = _ellipse(x, y, w, convention)
        lon, lat = albers_inverse(e["x"], e["y"], params)
        rows.append({"period": period, "lon": float(lon), "lat": float(lat), **e})
    return CentreResult(
        centres=_centre_rows(df, params),
        ellipses=pd.DataFrame(rows),
        params={"projection": params, "convention": convention, "kind": "sde"},
    )
