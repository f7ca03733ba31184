"""Spatial weights and spatial autocorrelation: global Moran's I and Geary's C, local Moran (LISA).

Weights
-------
:func:`spatial_weights` builds a :class:`libpysal.weights.W` whose ids are the units (ISO
3166-2 codes such as ``CN-BJ`` for provinces); :func:`as_weights` turns the caller's own weights
(a libpysal ``W``, a neighbour mapping, a square matrix table, or a ``.gal``/``.gwt``/CSV file)
into one, aligned to a list of units. The kinds, with :math:`d_{ij}` the great-circle distance
and :math:`\\bar x_i` the mean of an economic variable of unit :math:`i` over the period:

``contiguity``
    :math:`w_{ij} = 1` if provinces *i* and *j* share a land border (queen contiguity, from
    :func:`nqpf.datasets.reference.contiguity`), else 0. By convention Hainan, an island, is
    linked to Guangdong (see :mod:`nqpf.datasets.reference`).
``inverse_distance``
    :math:`w_{ij} = 1/d_{ij}^{p}` for :math:`i \\ne j` (``power`` = *p*, 1 by default; 2 is the
    gravity form), set to 0 where :math:`d_{ij}` exceeds ``threshold`` km.
``economic_distance``
    :math:`w_{ij} = 1/|\\bar x_i - \\bar x_j|` for :math:`i \\ne j`, usually with *x* the real
    GDP per capita. Two units with the same mean are an error (the weight is infinite).
``nested`` (economic–geographic nested weights), two forms:

    - ``form="mix"``: :math:`W = \\varphi W_{geo} + (1 - \\varphi) W_{econ}`, with
      :math:`\\varphi` = ``alpha``, the geographic share. Both parts are row-standardised
      before they are mixed (their raw scales, 1/km and 1/yuan, are not comparable), so the
      result is row-standardised too. The form reviewed by Wang Shoukun (王守坤, 2013, 空间计量
      模型中权重矩阵的类型与选择, 经济数学 30(3): 57–63) and used by, e.g., Shao Shuai et al.
      (邵帅等, 2016, 经济研究 51(9)).
    - ``form="product"``: :math:`W = W_{geo}\\,\\mathrm{diag}(\\bar x_1/\\bar x, \\ldots,
      \\bar x_n/\\bar x)`, i.e. :math:`w_{ij} = w^{geo}_{ij}\\,\\bar x_j/\\bar x` with
      :math:`\\bar x` the mean of the :math:`\\bar x_i`: neighbours with a larger economy weigh
      more (Lin Guangping, Long Zhihe and Wu Mei, 林光平、龙志和、吴梅, 2005, 我国地区经济收敛
      的空间计量实证分析: 1978—2002年, 经济学(季刊) 4(增刊): 67–82). Needs positive means.

    :math:`W_{geo}` is ``inverse_distance`` (default) or ``contiguity`` (``base=``).

Distances are great-circle distances by the haversine formula on a sphere of radius
6371.0088 km (the IUGG mean Earth radius), between the points of ``province_centroids.csv`` or
those passed as ``points``.

``province_centroids.csv`` (bundled) gives for each of the 31 provinces the **geometric
centroid** (centre of area), not the capital city, computed once from the cn-atlas provincial
boundaries (ISC licence) in an Albers equal-area projection (standard parallels 25° N and
47° N, central meridian 105° E) and rounded to 4 decimals of a degree (about 10 m). Two
conventions: for **Hainan** only Hainan Island is used (the South China Sea islands would pull
the centroid into the sea); **Gansu**'s centroid, as that of a crescent-shaped province,
lies about 15 km outside its boundary (in Qinghai) and is kept, since distance weights want
the centre of area rather than an interior point. Beijing–Shanghai is 1,094 km between these
points (1,067 km between the two city centres).

Alignment
---------
Weights and data are always matched **by unit id, never by row order**: the weights are
subset to the units of the data (per period) and reordered to them. A unit of the data that
the weights lack is an error naming it; a unit left without any neighbour after subsetting
(an island, e.g. Hainan when Guangdong is absent) is an error naming it and the neighbours it
lost. The caller's weights object is never changed: every function works on a new ``W``.

Statistics
----------
:func:`moran` gives, per period, global Moran's I (Moran 1950; Cliff and Ord 1981) and Geary's
C (Geary 1954) through :class:`esda.Moran` and :class:`esda.Geary`; :func:`lisa` gives local
Moran :math:`I_i` (Anselin 1995) through :class:`esda.Moran_Local`. Conventions (esda's, stated
because other software differs):

- ``z`` is :math:`(S - E[S])/\\sqrt{V[S]}` under the normality assumption; ``z_rand`` the same
  under the randomisation assumption (Cliff and Ord 1981, the variance using the kurtosis of
  the data), which is R spdep's default (``moran.test(randomisation = TRUE)``). For Geary's C,
  values below :math:`E[C] = 1` mean positive autocorrelation, so a **negative z means positive
  autocorrelation** (R spdep's ``geary.test`` reports :math:`(E[C] - C)/sd`, the opposite sign).
- ``p_norm`` is **two-sided**, :math:`2\\,\\Phi(-|z|)`, for both statistics (spdep's
  ``moran.test`` defaults to the one-sided "greater" alternative; esda's Geary p is one-sided).
- ``p_sim`` is the one-sided pseudo p-value of a random permutation test in the direction of
  the observed value: :math:`(m + 1)/(R + 1)` with *R* permutations and *m* the number of
  permuted statistics at least as extreme on that side (Anselin 1995). A ``seed`` makes it
  reproducible: NumPy's global generator is seeded for the global statistics (esda draws
  from it) and restored afterwards. For local Moran the conditional permutations (the value
  of unit *i* held fixed, its neighbours' values drawn from the other units; Anselin 1995)
  are drawn by nqpf with ``numpy.random.default_rng(seed)`` following esda's algorithm,
  because esda's numba routine compiles for 20-30 s on its first call in each process;
  ``engine="esda"`` uses esda's own routine. The two differ only by Monte Carlo error.
- Local Moran is esda's :math:`I_i = (n-1)\\,z_i \\sum_j w_{ij} z_j / \\sum_k z_k^2` with
  :math:`z` the deviations from the mean divided by the standard deviation (ddof 0), so
  :math:`\\sum_i I_i = (n-1) I` under row-standardised weights; GeoDa's :math:`I_i` is
  :math:`n/(n-1)` times this. Quadrants follow esda: 1 = HH (value above the mean, lag above
  the mean), 2 = LH, 3 = LL, 4 = HL; a value (or lag) exactly at the mean counts as low. A
  unit is significant when ``p_sim <= alpha``; others are "not significant" (不显著).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..extras import require
from ._input import values_frame

__all__ = [
    "CLUSTER_LABELS",
    "EARTH_RADIUS_KM",
    "WEIGHT_KINDS",
    "LisaResult",
    "MoranResult",
    "as_weights",
    "distance_matrix",
    "haversine",
    "lisa",
    "moran",
    "province_centroids",
    "spatial_weights",
]

#: Mean Earth radius R1 of the IUGG (km), used by :func:`haversine`.
EARTH_RADIUS_KM = 6371.0088

#: Kinds of weights built by :func:`spatial_weights`.
WEIGHT_KINDS = ("contiguity", "inverse_distance", "economic_distance", "nested")

#: LISA cluster labels by esda quadrant (1 HH, 2 LH, 3 LL, 4 HL); 0 = not significant.
CLUSTER_LABELS: dict[int, dict[str, str]] = {
    1: {"code": "HH", "en": "High-High", "zh": "高-高"},
    2: {"code": "LH", "en": "Low-High", "zh": "低-高"},
    3: {"code": "LL", "en": "Low-Low", "zh": "低-低"},
    4: {"code": "HL", "en": "High-Low", "zh": "高-低"},
    0: {"code": "not significant", "en": "Not significant", "zh": "不显著"},
}

_TRANSFORMS = ("R", "B", "D", "V", "O")


# --------------------------------------------------------------------------- points, distances


@cache
def _centroids() -> pd.DataFrame:
    path = resources.files("nqpf.datasets").joinpath("province_centroids.csv")
    with path.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"iso": str, "lon": float, "lat": float})
    if list(df.columns) != ["iso", "lon", "lat"] or len(df) != 31:  # pragma: no cover
        raise DataError("the bundled province_centroids.csv is damaged; reinstall nqpf")
    return df


def province_centroids() -> pd.DataFrame:
    """Centroids of the 31 provinces (``iso, lon, lat`` in degrees, WGS 84), in adcode order.

    Geometric centroids from the cn-atlas boundaries (ISC licence); Hainan from Hainan Island
    only; see the module docstring. A fresh copy on every call.
    """
    return _centroids().copy()


def haversine(
    lon1: Any, lat1: Any, lon2: Any, lat2: Any, radius: float = EARTH_RADIUS_KM
) -> np.ndarray:
    """Great-circle distance (km) by the haversine formula; arguments in degrees, broadcast.

    :math:`d = 2R \\arcsin\\sqrt{\\sin^2(\\Delta\\phi/2) + \\cos\\phi_1 \\cos\\phi_2
    \\sin^2(\\Delta\\lambda/2)}` (Sinnott 1984, "Virtues of the haversine", Sky and Telescope
    68(2): 159), with *R* = 6371.0088 km by default.
    """
    lam1, phi1, lam2, phi2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    )
    return 2 * radius * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _points_table(points: pd.DataFrame | None) -> pd.DataFrame:
    """``unit, lon, lat`` from the bundled centroids or the caller's table."""
    if points is None:
        return _centroids().rename(columns={"iso": "unit"})
    if not isinstance(points, pd.DataFrame):
        raise DataError(f"points must be a table with columns unit, lon, lat, not {type(points)}")
    cols = {str(c).strip().lower(): c for c in points.columns}
    key = cols.get("unit", cols.get("iso"))
    if key is None or "lon" not in cols or "lat" not in cols:
        raise DataError(
            f"points need columns unit (or iso), lon and lat (degrees); has {list(points.columns)}"
        )
    out = pd.DataFrame(
        {
            "unit": points[key].astype(str).str.strip().to_numpy(),
            "lon": pd.to_numeric(points[cols["lon"]], errors="coerce").to_numpy(dtype=float),
            "lat": pd.to_numeric(points[cols["lat"]], errors="coerce").to_numpy(dtype=float),
        }
    )
    bad = out[out[["lon", "lat"]].isna().any(axis=1)]
    if not bad.empty:
        raise DataError(f"points of unit(s) {bad['unit'].tolist()[:10]} lack a numeric lon/lat")
    off = out[(out["lat"].abs() > 90) | (out["lon"].abs() > 180)]
    if not off.empty:
        raise DataError(f"points of unit(s) {off['unit'].tolist()[:10]} are not degrees")
    dup = out["unit"][out["unit"].duplicated()].unique().tolist()
    if dup:
        raise DataError(f"points list unit(s) {dup[:10]} twice")
    return out


def distance_matrix(
    units: Sequence[str] | None = None, points: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Great-circle distances (km) between units, a square table with index = columns = units.

    Parameters
    ----------
    units : sequence of str, optional
        Units in the order wanted; default all units of ``points``.
    points : DataFrame, optional
        Columns ``unit`` (or ``iso``), ``lon``, ``lat`` in degrees; default the bundled
        province centroids.
    """
    pts = _points_table(points).set_index("unit")
    ids = _unit_list(units) if units is not None else list(pts.index)
    missing = [u for u in ids if u not in pts.index]
    if missing:
        raise DataError(
            f"no coordinates for unit(s) {missing[:10]}; the bundled points are the 31 provinces "
            "as ISO 3166-2 codes (CN-BJ ...); pass points=<table unit, lon, lat> for others"
        )
    lon = pts.loc[ids, "lon"].to_numpy()
    lat = pts.loc[ids, "lat"].to_numpy()
    d = haversine(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.fill_diagonal(d, 0.0)
    return pd.DataFrame(d, index=pd.Index(ids, name="unit"), columns=ids)


# --------------------------------------------------------------------------- building weights


def _unit_list(units: Any) -> list[str]:
    ids = [str(u).strip() for u in units]
    seen: set[str] = set()
    dup = sorted({u for u in ids if u in seen or seen.add(u)})
    if dup:
        raise DataError(f"units listed twice: {dup[:10]}")
    if not ids:
        raise DataError("no units to build weights for")
    return ids


def _economic_means(economic: Any, ids: list[str]) -> np.ndarray:
    """Per-unit mean of the economic variable, in the order of ``ids``."""
    if economic is None:
        raise DataError(
            "economic distance and nested weights need economic=: a table unit, period, value "
            "(for example real GDP per capita; averaged over the periods), a Series or a mapping "
            "unit -> value"
        )
    if isinstance(economic, pd.Series):
        ser = pd.Series(
            pd.to_numeric(economic, errors="coerce").to_numpy(dtype=float),
            index=[str(i).strip() for i in economic.index],
        )
        if ser.index.duplicated().any():
            raise DataError(
                f"economic lists unit(s) twice: {ser.index[ser.index.duplicated()][:10]}"
            )
    elif isinstance(economic, Mapping):
        ser = (
            pd.Series({str(k).strip(): v for k, v in economic.items()}, dtype=object)
            .pipe(pd.to_numeric, errors="coerce")
            .astype(float)
        )
    else:
        vf = values_frame(economic)
        ser = vf.groupby("unit")["value"].mean()
    missing = [u for u in ids if u not in ser.index or not np.isfinite(ser.get(u, np.nan))]
    if missing:
        raise DataError(f"the economic variable has no value for unit(s) {missing[:10]}")
    return ser.loc[ids].to_numpy(dtype=float)


def _row_standardised(m: np.ndarray, ids: list[str], what: str) -> np.ndarray:
    rs = m.sum(axis=1)
    empty = [ids[i] for i in np.flatnonzero(rs <= 0)]
    if empty:
        raise DataError(
            f"{what}: unit(s) {empty[:10]} have no neighbour among the units (an island); drop "
            "them, add their neighbours, or use distance-based weights"
        )
    return m / rs[:, None]


def _geo_matrix(
    base: str, ids: list[str], power: float, threshold: float | None, points: Any
) -> np.ndarray:
    if base == "contiguity":
        from ..datasets.reference import contiguity

        nb = contiguity()
        unknown = [u for u in ids if u not in nb]
        if unknown:
            raise DataError(
                f"unit(s) {unknown[:10]} are not provinces as ISO 3166-2 codes (CN-BJ ...); the "
                "bundled contiguity covers the 31 provinces; pass your own weights for others"
            )
        pos = {u: k for k, u in enumerate(ids)}
        m = np.zeros((len(ids), len(ids)))
        for u in ids:
            for v in nb[u]:
                if v in pos:
                    m[pos[u], pos[v]] = 1.0
        return m
    if base != "inverse_distance":
        raise DataError(f"unknown geographic base {base!r}; use 'inverse_distance' or 'contiguity'")
    if not (isinstance(power, int | float) and power > 0):
        raise DataError(f"power must be a positive number, not {power!r}")
    d = distance_matrix(ids, points).to_numpy()
    off = ~np.eye(len(ids), dtype=bool)
    if np.any(d[off] <= 0):
        i, j = np.argwhere((d <= 0) & off)[0]
        raise DataError(f"units {ids[i]!r} and {ids[j]!r} have the same coordinates")
    m = np.zeros_like(d)
    m[off] = 1.0 / d[off] ** float(power)
    if threshold is not None:
        if not (isinstance(threshold, int | float) and threshold > 0):
            raise DataError(f"threshold must be a positive distance in km, not {threshold!r}")
        m[d > threshold] = 0.0
    return m


def spatial_weights(
    kind: str = "contiguity",
    units: Sequence[str] | None = None,
    *,
    power: float = 1,
    threshold: float | None = None,
    economic: Any = None,
    alpha: float = 0.5,
    form: str = "mix",
    base: str = "inverse_distance",
    row_standardise: bool = True,
    points: pd.DataFrame | None = None,
):
    """Spatial weights of a kind for Chinese provinces (or units with ``points``).

    Parameters
    ----------
    kind : {"contiguity", "inverse_distance", "economic_distance", "nested"}
        See the module docstring for the formulas and their sources.
    units : sequence of str, optional
        Units (ISO 3166-2 codes for provinces), in the order of the weights; default the 31
        provinces in adcode order (or every unit of ``points``).
    power : float
        Distance decay *p* of :math:`1/d^p` (inverse distance and the geographic part of nested
        weights).
    threshold : float, optional
        Distance band in km: pairs farther apart get weight 0.
    economic : table, Series or mapping
        The economic variable (economic distance and nested weights): a table that
        :func:`~nqpf.analysis._input.values_frame` reads (``unit, period, value``; averaged
        over its periods per unit, missing values skipped), a Series indexed by unit or a
        mapping unit -> value.
    alpha : float
        Geographic share :math:`\\varphi \\in [0, 1]` of the nested ``mix`` form.
    form : {"mix", "product"}
        Nested form: :math:`\\varphi W_{geo} + (1 - \\varphi) W_{econ}` or
        :math:`W_{geo}\\,\\mathrm{diag}(\\bar x_j / \\bar x)`.
    base : {"inverse_distance", "contiguity"}
        Geographic part of nested weights.
    row_standardise : bool
        Return the weights row-standardised (transform ``"R"``, each row sums to 1; the
        original weights stay available as transform ``"O"``).
    points : DataFrame, optional
        ``unit, lon, lat`` (degrees) instead of the bundled province centroids.

    Returns
    -------
    libpysal.weights.W
        Ids are the units (str), ``id_order`` is ``units``.
    """
    if kind not in WEIGHT_KINDS:
        raise DataError(f"unknown weights kind {kind!r}; use one of {', '.join(WEIGHT_KINDS)}")
    if units is None:
        ids = (
            list(_points_table(points)["unit"])
            if points is not None and kind != "contiguity"
            else list(_centroids()["iso"])
        )
    else:
        ids = _unit_list(units)
    if len(ids) < 2:
        raise DataError("spatial weights need at least two units")
    if kind == "nested" and form not in ("mix", "product"):
        raise DataError(f"unknown nested form {form!r}; use 'mix' or 'product'")
    n = len(ids)
    if kind == "contiguity":
        m = _geo_matrix("contiguity", ids, power, threshold, points)
    elif kind == "inverse_distance":
        m = _geo_matrix("inverse_distance", ids, power, threshold, points)
    else:
        x = _economic_means(economic, ids)
        if kind == "economic_distance" or form == "mix":
            diff = np.abs(x[:, None] - x[None, :])
            off = ~np.eye(n, dtype=bool)
            if np.any(diff[off] == 0):
                i, j = np.argwhere((diff == 0) & off)[0]
                raise DataError(
                    f"units {ids[i]!r} and {ids[j]!r} have the same economic value "
                    f"({x[i]!r}): their economic distance weight 1/|x_i - x_j| is infinite"
                )
            econ = np.zeros((n, n))
            econ[off] = 1.0 / diff[off]
        if kind == "economic_distance":
            m = econ
        elif form == "mix":
            if not (isinstance(alpha, int | float) and 0 <= alpha <= 1):
                raise DataError(f"alpha (the geographic share) must lie in [0, 1], not {alpha!r}")
            geo = _geo_matrix(base, ids, power, threshold, points)
            m = alpha * _row_standardised(geo, ids, f"geographic part ({base})") + (
                1 - alpha
            ) * _row_standardised(econ, ids, "economic part")
        elif form == "product":
            if np.any(x <= 0):
                bad = [ids[i] for i in np.flatnonzero(x <= 0)]
                raise DataError(
                    f"the product form W_geo diag(x_j / mean x) needs positive economic values; "
                    f"unit(s) {bad[:10]} have values <= 0"
                )
            geo = _geo_matrix(base, ids, power, threshold, points)
            m = geo * (x / x.mean())[None, :]
    lost = None
    if kind == "contiguity" or (kind == "nested" and base == "contiguity"):
        from ..datasets.reference import contiguity

        keep = set(ids)
        lost = {u: [v for v in nb if v not in keep] for u, nb in contiguity().items()}
    return _matrix_to_w(m, ids, "R" if row_standardise else "O", f"{kind} weights", lost)


def _matrix_to_w(
    m: np.ndarray,
    ids: list[str],
    transform: str,
    what: str,
    lost: Mapping[str, list[str]] | None = None,
):
    W = require("libpysal.weights", "spatial", "spatial weights").W

    neighbors: dict[str, list[str]] = {}
    weights: dict[str, list[float]] = {}
    for i, u in enumerate(ids):
        js = np.flatnonzero(m[i] != 0)
        neighbors[u] = [ids[j] for j in js]
        weights[u] = [float(m[i, j]) for j in js]
    _check_islands(neighbors, weights, what, lost)
    w = W(neighbors, weights, id_order=list(ids), silence_warnings=True)
    if transform != "O":
        w.transform = transform
    return w


def _check_islands(
    neighbors: Mapping[str, list[str]],
    weights: Mapping[str, list[float]],
    what: str,
    lost: Mapping[str, list[str]] | None = None,
) -> None:
    islands = [u for u in neighbors if not any(v > 0 for v in weights[u])]
    if not islands:
        return
    detail = ""
    if lost:
        parts = [f"{u} (lost {', '.join(lost[u])})" for u in islands[:10] if lost.get(u)]
        if parts:
            detail = "; their neighbours missing from the data: " + "; ".join(parts)
    raise DataError(
        f"{what}: unit(s) {islands[:10]} have no neighbour{detail}. Spatial statistics need "
        "every unit to have one: drop these units, add data for their neighbours, or use "
        "distance-based weights"
    )


# --------------------------------------------------------------------------- caller's weights


def _parts_from_w(w: Any) -> tuple[list[str], dict[str, dict[str, float]], str]:
    """(ids in id_order, {i: {j: original weight}}, current transform) of a libpysal W/Graph."""
    _graph = require("libpysal.graph", "spatial", "spatial weights")
    W = require("libpysal.weights", "spatial", "spatial weights").W

    if isinstance(w, _graph.Graph):
        w = w.to_W()
        transform = "O"
    elif isinstance(w, W):
        transform = str(w.transform).upper()
    else:  # pragma: no cover - guarded by the caller
        raise TypeError(type(w))
    original = w.transformations.get("O", w.weights)  # read only: the caller's W is untouched
    ids = [str(i) for i in w.id_order]
    if len(set(ids)) != len(ids):
        raise DataError("the weights' ids are not unique once read as text")
    out: dict[str, dict[str, float]] = {}
    for i in w.id_order:
        row: dict[str, float] = {}
        for j, v in zip(w.neighbors[i], original[i], strict=True):
            row[str(j)] = float(v)
        out[str(i)] = row
    return ids, out, transform


def _parts_from_mapping(w: Mapping) -> tuple[list[str], dict[str, dict[str, float]]]:
    ids = [str(k).strip() for k in w]
    out: dict[str, dict[str, float]] = {}
    for k, nb in w.items():
        key = str(k).strip()
        if isinstance(nb, Mapping):
            row = {str(j).strip(): float(v) for j, v in nb.items()}
        elif isinstance(nb, str):
            raise DataError(f"neighbours of {key!r} must be a list of ids, not the text {nb!r}")
        else:
            row = {str(j).strip(): 1.0 for j in nb}
        out[key] = row
    unknown = sorted({j for row in out.values() for j in row} - set(ids))
    if unknown:
        raise DataError(
            f"neighbour(s) {unknown[:10]} are not keys of the neighbour mapping; list every unit "
            "as a key (with an empty list if it has no neighbour)"
        )
    return ids, out


def _parts_from_matrix(df: pd.DataFrame) -> tuple[list[str], dict[str, dict[str, float]]]:
    ids = [str(i).strip() for i in df.index]
    cols = [str(c).strip() for c in df.columns]
    if len(set(ids)) != len(ids):
        raise DataError("the weights matrix lists a unit twice in its index")
    if sorted(ids) != sorted(cols) or len(cols) != len(ids):
        raise DataError(
            "a weights matrix must be square with the same unit ids as index and columns; "
            f"index-only: {sorted(set(ids) - set(cols))[:5]}, "
            f"columns-only: {sorted(set(cols) - set(ids))[:5]}"
        )
    m = df.copy()
    m.index = ids
    m.columns = cols
    m = m.loc[ids, ids].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(m).all():
        i, j = np.argwhere(~np.isfinite(m))[0]
        raise DataError(f"weights matrix cell ({ids[i]}, {ids[j]}) is not a finite number")
    if np.any(np.diag(m) != 0):
        i = int(np.flatnonzero(np.diag(m) != 0)[0])
        raise DataError(f"weights matrix: the diagonal must be 0, unit {ids[i]!r} has {m[i, i]}")
    out = {
        u: {ids[j]: float(m[i, j]) for j in np.flatnonzero(m[i] != 0)} for i, u in enumerate(ids)
    }
    return ids, out


def _read_weights_file(path: Path):
    suffix = path.suffix.lower()
    if suffix in (".gal", ".gwt"):
        libpysal = require("libpysal", "spatial", "reading a weights file")

        fh = libpysal.io.open(str(path))
        try:
            return fh.read()
        finally:
            fh.close()
    if suffix in (".csv", ".xlsx", ".xls", ".txt"):
        from ..panel.io import read_table

        df = read_table(path)
        first = df.columns[0]
        return df.set_index(first)
    raise DataError(
        f"weights file {str(path)!r}: use a .gal/.gwt file or a square matrix table (.csv/.xlsx, "
        "first column the unit ids, header the same ids)"
    )


def as_weights(w: Any, units: Sequence[str] | None = None, *, row_standardise: bool | None = None):
    """The caller's weights as a new :class:`libpysal.weights.W` aligned by id to ``units``.

    Parameters
    ----------
    w : libpysal W or Graph, mapping, DataFrame, str or path
        A libpysal ``W`` (its original weights, transform ``"O"``, are used; the object is not
        changed), a ``libpysal.graph.Graph``, a mapping unit -> list of neighbours (binary
        weights) or unit -> {neighbour: weight}, a square matrix table (index = columns = unit
        ids, zero diagonal, non-negative), a path to a ``.gal``/``.gwt`` file or a matrix
        table, or a kind name of :func:`spatial_weights`. Ids are compared as text.
    units : sequence of str, optional
        The units of the data. The weights are subset to them and put in their order; a unit
        absent from the weights is an error naming it, and so is a unit that has no neighbour
        left (an island).
    row_standardise : bool, optional
        ``True``: transform ``"R"``; ``False``: the original weights; ``None`` (default): the
        transform ``w`` had (a libpysal W), else the original weights.

    Returns
    -------
    libpysal.weights.W
        A new object; ``id_order`` is ``units`` (or the ids of ``w``).
    """
    _graph = require("libpysal.graph", "spatial", "spatial weights")
    W = require("libpysal.weights", "spatial", "spatial weights").W

    transform = "O"
    if isinstance(w, str) and w in WEIGHT_KINDS:
        w = spatial_weights(w, units, row_standardise=False)
    elif isinstance(w, str | Path):
        p = Path(w)
        if not p.is_file():
            raise DataError(
                f"weights {str(w)!r} is neither a kind ({', '.join(WEIGHT_KINDS)}) nor a file"
            )
        w = _read_weights_file(p)
    if isinstance(w, W | _graph.Graph):
        ids, parts, transform = _parts_from_w(w)
    elif isinstance(w, pd.DataFrame):
        ids, parts = _parts_from_matrix(w)
    elif isinstance(w, Mapping):
        ids, parts = _parts_from_mapping(w)
    else:
        raise DataError(
            "weights must be a libpysal W or Graph, a neighbour mapping, a square matrix table, "
            f"a file or one of {', '.join(WEIGHT_KINDS)}; got {type(w).__name__}"
        )
    for u, row in parts.items():
        for v, x in row.items():
            if not np.isfinite(x) or x < 0:
                raise DataError(f"weight of {u!r} -> {v!r} is {x}; weights must be >= 0")
            if v == u:
                raise DataError(f"unit {u!r} is its own neighbour; remove self links")
    if units is None:
        want = ids
    else:
        want = _unit_list(units)
        have = set(ids)
        missing = [u for u in want if u not in have]
        if missing:
            raise DataError(
                f"{len(missing)} unit(s) of the data are not in the spatial weights: "
                f"{missing[:10]}; give weights that cover every unit of the data (ids must match "
                f"the data's unit ids, e.g. {ids[:3]})"
            )
    keep = set(want)
    neighbors: dict[str, list[str]] = {}
    weights: dict[str, list[float]] = {}
    lost: dict[str, list[str]] = {}
    for u in want:
        row = parts[u]
        neighbors[u] = [v for v, x in row.items() if v in keep and x > 0]
        weights[u] = [row[v] for v in neighbors[u]]
        lost[u] = [v for v in row if v not in keep]
    _check_islands(neighbors, weights, "spatial weights aligned to the data", lost)
    out = W(neighbors, weights, id_order=list(want), silence_warnings=True)
    if row_standardise is True:
        transform = "R"
    elif row_standardise is False:
        transform = "O"
    if transform not in ("O",):
        out.transform = transform
    return out


# --------------------------------------------------------------------------- statistics


@contextmanager
def _seeded(seed: int | None) -> Iterator[None]:
    """Seed NumPy's global generator (esda's global tests draw from it), then restore it."""
    if seed is None:
        yield
        return
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _norm_p(z: float) -> float:
    from scipy import stats

    return float(2.0 * stats.norm.sf(abs(z)))


def _check_transform(transform: str | None) -> str | None:
    if transform is None:
        return None
    t = str(transform).upper()
    if t not in _TRANSFORMS:
        raise DataError(f"unknown weights transform {transform!r}; use one of R, B, D, V, O")
    return t


def _check_permutations(permutations: Any, minimum: int) -> int:
    if (
        isinstance(permutations, bool)
        or not isinstance(permutations, int | np.integer)
        or (permutations < minimum)
    ):
        raise DataError(f"permutations must be an integer >= {minimum}, not {permutations!r}")
    return int(permutations)


def _base_weights(w: Any, units: list[str], weights_options: Mapping[str, Any] | None):
    """Weights covering ``units`` (all periods), original transform kept for later alignment."""
    if isinstance(w, str) and w in WEIGHT_KINDS:
        return spatial_weights(w, units, row_standardise=False, **dict(weights_options or {}))
    if weights_options:
        raise DataError("weights_options apply only when the weights are given as a kind name")
    return w


def _periods(data: Any, value: str, node: str | None, indicator: str | None):
    vf = values_frame(data, value=value, node=node, indicator=indicator)
    for period, grp in vf.groupby("period", sort=True):
        units = grp["unit"].tolist()
        y = grp["value"].to_numpy(dtype=float)
        if len(units) < 3:
            raise DataError(
                f"period {period!r} has {len(units)} unit(s); spatial statistics need 3"
            )
        if np.ptp(y) == 0:
            raise DataError(
                f"period {period!r}: every unit has the same value ({y[0]!r}); spatial "
                "autocorrelation is undefined for a constant"
            )
        yield period, units, y


def _aligned(base: Any, units: list[str], transform: str | None, cache_: dict):
    key = tuple(units)
    if key not in cache_:
        wk = as_weights(base, units)
        if transform is not None:
            wk.transform = transform
        cache_[key] = wk
    return cache_[key]


def _scatter_frame(units: list[str], y: np.ndarray, w: Any) -> pd.DataFrame:
    z = (y - y.mean()) / y.std()
    lag = np.asarray(w.sparse @ z).ravel()
    return pd.DataFrame({"unit": units, "std_value": z, "std_lag": lag})


def _pick_period(periods: Sequence[Any], period: Any) -> Any:
    if period is None:
        return periods[-1]
    for p in periods:
        if p == period or str(p) == str(period):
            return p
    raise DataError(f"period {period!r} not among the analysed periods {list(periods)[:20]}")


def _moran_axes(ax: Any, sc: pd.DataFrame, slope: float, title: str, colors: Any = None) -> None:
    x = sc["std_value"].to_numpy()
    y = sc["std_lag"].to_numpy()
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.scatter(x, y, s=22, c=colors if colors is not None else "tab:blue", edgecolors="none")
    lim = np.array([min(x.min(), y.min()), max(x.max(), y.max())]) * 1.1
    ax.plot(lim, slope * lim, color="tab:red", lw=1.2, label=f"slope {slope:.4f}")
    for u, xi, yi in zip(sc["unit"], x, y, strict=True):
        ax.annotate(str(u), (xi, yi), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set_xlabel("standardised value z")
    ax.set_ylabel("spatial lag Wz")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I and Geary's C per period.

    ``table`` (stem ``moran``): ``period, statistic`` (``moran_i`` or ``geary_c``), ``value``,
    ``expected`` (:math:`-1/(n-1)` or 1), ``z`` (normality assumption), ``p_norm`` (two-sided),
    ``z_rand`` and ``p_rand`` (randomisation assumption, two-sided; R spdep's ``moran.test``
    default), ``p_sim`` (one-sided permutation pseudo p; NaN when ``permutations=0``), ``n``
    (units).
    """

    table: pd.DataFrame
    params: dict[str, Any]
    scatter: dict[Any, pd.DataFrame] = field(repr=False, default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"moran": self.table.copy()}

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """One row per period: ``period, moran_i, moran_p_sim, geary_c, geary_p_sim``."""
        t = self.table
        out = t.pivot(index="period", columns="statistic", values=["value", "p_sim"])
        return pd.DataFrame(
            {
                "period": out.index.to_numpy(),
                "moran_i": out[("value", "moran_i")].to_numpy(),
                "moran_p_sim": out[("p_sim", "moran_i")].to_numpy(),
                "geary_c": out[("value", "geary_c")].to_numpy(),
                "geary_p_sim": out[("p_sim", "geary_c")].to_numpy(),
            }
        )

    def plot(self, period: Any = None, **kw: Any):
        """Moran scatter plot of a period (default the last): z against Wz with slope z'Wz/z'z.

        Under row-standardised weights the slope equals Moran's I.
        """
        from matplotlib.figure import Figure

        p = _pick_period(list(self.scatter), period)
        sc = self.scatter[p]
        z, lag = sc["std_value"].to_numpy(), sc["std_lag"].to_numpy()
        slope = float(z @ lag / (z @ z))
        fig = Figure(figsize=kw.pop("figsize", (5.5, 5)))
        ax = fig.add_subplot(1, 1, 1)
        row = self.table[(self.table["period"] == p) & (self.table["statistic"] == "moran_i")]
        title = f"Moran scatter plot, {p}: I = {float(row['value'].iloc[0]):.4f}"
        _moran_axes(ax, sc, slope, title)
        fig.tight_layout()
        return fig


def moran(
    data: Any,
    w: Any = "contiguity",
    *,
    permutations: int = 999,
    seed: int | None = 0,
    transform: str | None = "R",
    value: str = "value",
    node: str | None = None,
    indicator: str | None = None,
    weights_options: Mapping[str, Any] | None = None,
) -> MoranResult:
    """Global Moran's I and Geary's C of each period, weights aligned to the data by unit id.

    Parameters
    ----------
    data : IndexResult, Panel or table
        Anything :func:`~nqpf.analysis._input.values_frame` accepts (``unit, period, value``).
    w : weights
        A kind name of :func:`spatial_weights` (built for the data's units; options in
        ``weights_options``) or anything :func:`as_weights` accepts. Never changed.
    permutations : int
        Random permutations for ``p_sim`` (0: none, ``p_sim`` is NaN).
    seed : int or None
        Seed of the permutations; NumPy's global generator is restored afterwards. None: not
        reproducible.
    transform : {"R", "B", "D", "V", "O"} or None
        Transform of the aligned weights: "R" (row-standardised, default, as in esda and most
        applied work); None keeps the transform of ``w``.

    Returns
    -------
    MoranResult
        Table ``moran``; see the module docstring for the conventions of z, p_norm and p_sim.
    """
    esda = require("esda", "spatial", "Moran's I and LISA")

    permutations = _check_permutations(permutations, 0)
    transform = _check_transform(transform)
    vf_periods = list(_periods(data, value, node, indicator))
    all_units = sorted({u for _, units, _ in vf_periods for u in units})
    base = _base_weights(w, all_units, weights_options)
    cache_: dict = {}
    rows: list[dict[str, Any]] = []
    scatter: dict[Any, pd.DataFrame] = {}
    for period, units, y in vf_periods:
        wk = _aligned(base, units, transform, cache_)
        t = wk.transform
        with _seeded(seed):
            mi = esda.Moran(y, copy.deepcopy(wk), transformation=t, permutations=permutations)
        with _seeded(seed):
            gc = esda.Geary(y, copy.deepcopy(wk), transformation=t, permutations=permutations)
        for stat, val, exp, z, zr, psim in (
            ("moran_i", mi.I, mi.EI, mi.z_norm, mi.z_rand, getattr(mi, "p_sim", np.nan)),
            ("geary_c", gc.C, gc.EC, gc.z_norm, gc.z_rand, getattr(gc, "p_sim", np.nan)),
        ):
            rows.append(
                {
                    "period": period,
                    "statistic": stat,
                    "value": float(val),
                    "expected": float(exp),
                    "z": float(z),
                    "p_norm": _norm_p(float(z)),
                    "z_rand": float(zr),
                    "p_rand": _norm_p(float(zr)),
                    "p_sim": float(psim) if permutations else np.nan,
                    "n": len(units),
                }
            )
        scatter[period] = _scatter_frame(units, y, wk)
    table = pd.DataFrame(rows)
    params = {
        "method": "moran",
        "statistics": "global Moran's I (esda.Moran) and Geary's C (esda.Geary)",
        "weights": w if isinstance(w, str) else type(w).__name__,
        "weights_options": dict(weights_options or {}),
        "transform": transform if transform is not None else "as given",
        "permutations": permutations,
        "seed": seed,
        "z": "(S - E[S]) / sd under normality; Geary: negative z = positive autocorrelation",
        "p_norm": "two-sided",
        "z_rand": "(S - E[S]) / sd under randomisation (Cliff and Ord 1981; spdep's default)",
        "p_rand": "two-sided",
        "p_sim": "one-sided pseudo p in the direction of the observed value, (m+1)/(R+1)",
        "alignment": "weights subset and ordered to each period's units by id",
    }
    return MoranResult(table=table, params=params, scatter=scatter)


def _conditional_p(
    z: np.ndarray, w: Any, Is: np.ndarray, permutations: int, seed: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Pseudo p-values and z of local Moran by conditional randomisation (Anselin 1995).

    For each unit *i* its value :math:`z_i` is held fixed and its :math:`k_i` neighbours' values
    are replaced by :math:`k_i` values drawn without replacement from the other *n* - 1 units,
    in random order (so unequal weights fall on random draws). As in esda's ``crand``, one
    table of *R* draws of :math:`k_{max}` positions among *n* - 1 is shared by all units,
    position *p* of unit *i* meaning unit *p* if *p* < *i* and *p* + 1 otherwise.
    :math:`p = (m + 1)/(R + 1)` with *m* the smaller of the numbers of simulated :math:`I_i`
    at least as large and at least as small as the observed one (one-sided, folded); values
    within 1e-12 (relative) of the observed one are ties and count on both sides, so that an
    observed value at the edge of a discrete distribution is not made significant by its ties
    (esda's ``crand`` counts ties as "as large" only).
    """
    n = len(z)
    sparse = w.sparse.tocsr()
    kmax = int(np.diff(sparse.indptr).max())
    rng = np.random.default_rng(seed)
    draws = np.argsort(rng.random((permutations, n - 1)), axis=1)[:, :kmax]
    scale = (n - 1) / float(z @ z)
    p_sim = np.empty(n)
    z_sim = np.empty(n)
    for i in range(n):
        lo, hi = sparse.indptr[i], sparse.indptr[i + 1]
        wi = sparse.data[lo:hi]
        ids = draws[:, : hi - lo]
        ids = ids + (ids >= i)
        sims = scale * z[i] * (z[ids] @ wi)
        # the observed value by the same arithmetic; ties within rounding count as "as large"
        obs = scale * z[i] * (z[sparse.indices[lo:hi]] @ wi)
        tol = 1e-12 * (1.0 + abs(obs))
        m = min(int(np.sum(sims >= obs - tol)), int(np.sum(sims <= obs + tol)))
        p_sim[i] = (m + 1.0) / (permutations + 1.0)
        sd = sims.std()
        z_sim[i] = (Is[i] - sims.mean()) / sd if sd > 0 else np.nan
    return p_sim, z_sim


@dataclass(frozen=True)
class LisaResult:
    """Local Moran's I per unit and period with LISA clusters.

    ``table`` (stem ``lisa``): ``period, unit, value, lag`` (spatial lag of the value,
    :math:`\\sum_j w_{ij} y_j`), ``Ii`` (esda's local Moran), ``z`` (:math:`(I_i - \\bar
    I_{i,sim})/sd_{sim}` from the conditional permutations; NaN only where every permuted
    :math:`I_i` is equal, as for a value exactly at the mean), ``p_sim``, ``quadrant`` (esda:
    1 HH, 2 LH, 3 LL, 4 HL), ``cluster`` (HH/LH/LL/HL or "not significant") and
    ``cluster_zh`` (高-高/低-高/低-低/高-低/不显著).
    """

    table: pd.DataFrame
    params: dict[str, Any]
    scatter: dict[Any, pd.DataFrame] = field(repr=False, default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"lisa": self.table.copy()}

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Units per cluster and period: ``period, HH, LH, LL, HL, not significant``."""
        order = [CLUSTER_LABELS[q]["code"] for q in (1, 2, 3, 4, 0)]
        counts = pd.crosstab(self.table["period"], self.table["cluster"])
        counts = counts.reindex(columns=order, fill_value=0)
        counts.columns.name = None
        return counts.reset_index()

    def plot(self, period: Any = None, **kw: Any):
        """Moran scatter plot of a period (default the last), points coloured by LISA cluster."""
        from matplotlib.figure import Figure

        p = _pick_period(list(self.scatter), period)
        sc = self.scatter[p]
        tab = self.table[self.table["period"] == p].set_index("unit").loc[sc["unit"]]
        palette = {"HH": "#d7191c", "LH": "#abd9e9", "LL": "#2c7bb6", "HL": "#fdae61"}
        colors = [palette.get(c, "0.75") for c in tab["cluster"]]
        z, lag = sc["std_value"].to_numpy(), sc["std_lag"].to_numpy()
        slope = float(z @ lag / (z @ z))
        fig = Figure(figsize=kw.pop("figsize", (5.5, 5)))
        ax = fig.add_subplot(1, 1, 1)
        _moran_axes(ax, sc, slope, f"LISA clusters, {p} (p_sim <= {self.params['alpha']})", colors)
        fig.tight_layout()
        return fig


def lisa(
    data: Any,
    w: Any = "contiguity",
    *,
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
    transform: str | None = "R",
    value: str = "value",
    node: str | None = None,
    indicator: str | None = None,
    weights_options: Mapping[str, Any] | None = None,
    engine: str = "numpy",
) -> LisaResult:
    """Local Moran's I (LISA, Anselin 1995) of each period with HH/LH/LL/HL clusters.

    Parameters
    ----------
    data, w, transform, value, node, indicator, weights_options
        As in :func:`moran`.
    permutations : int
        Conditional permutations for ``p_sim`` (at least 1; 999 gives a resolution of 0.001).
    seed : int or None
        Seed of the conditional randomisation (reproducible p_sim); None: not reproducible.
    alpha : float
        Significance level: a unit is in a cluster when ``p_sim <= alpha``.
    engine : {"numpy", "esda"}
        Who draws the conditional permutations. ``"numpy"`` (default): :func:`_conditional_p`,
        esda's algorithm in NumPy with ``numpy.random.default_rng(seed)``. ``"esda"``: esda's
        numba routine, whose first call in a process compiles for 20-30 s. Both give the same
        ``Ii`` and quadrants; p_sim differs only by Monte Carlo error (other random numbers).

    Returns
    -------
    LisaResult
        Table ``lisa``; conventions in the module docstring.
    """
    esda = require("esda", "spatial", "Moran's I and LISA")

    permutations = _check_permutations(permutations, 1)
    transform = _check_transform(transform)
    if not (isinstance(alpha, int | float) and 0 < alpha <= 1):
        raise DataError(f"alpha must lie in (0, 1], not {alpha!r}")
    if engine not in ("numpy", "esda"):
        raise DataError(f"unknown engine {engine!r}; use 'numpy' or 'esda'")
    vf_periods = list(_periods(data, value, node, indicator))
    all_units = sorted({u for _, units, _ in vf_periods for u in units})
    base = _base_weights(w, all_units, weights_options)
    cache_: dict = {}
    frames: list[pd.DataFrame] = []
    scatter: dict[Any, pd.DataFrame] = {}
    for period, units, y in vf_periods:
        wk = _aligned(base, units, transform, cache_)
        lm = esda.Moran_Local(
            y,
            copy.deepcopy(wk),
            transformation=wk.transform,
            permutations=permutations if engine == "esda" else 0,
            n_jobs=1,
            seed=seed,
        )
        q = np.asarray(lm.q, dtype=int)
        if engine == "esda":
            p_sim = np.asarray(lm.p_sim, dtype=float)
            z_sim = np.asarray(lm.z_sim, dtype=float)
        else:
            p_sim, z_sim = _conditional_p(lm.z, wk, np.asarray(lm.Is), permutations, seed)
        sig = p_sim <= alpha
        code = np.where(sig, q, 0)
        frames.append(
            pd.DataFrame(
                {
                    "period": period,
                    "unit": units,
                    "value": y,
                    "lag": np.asarray(wk.sparse @ y).ravel(),
                    "Ii": np.asarray(lm.Is, dtype=float),
                    "z": z_sim,
                    "p_sim": p_sim,
                    "quadrant": q,
                    "cluster": [CLUSTER_LABELS[int(c)]["code"] for c in code],
                    "cluster_zh": [CLUSTER_LABELS[int(c)]["zh"] for c in code],
                }
            )
        )
        scatter[period] = _scatter_frame(units, y, wk)
    table = pd.concat(frames, ignore_index=True)
    params = {
        "method": "lisa",
        "statistic": "local Moran I_i (esda.Moran_Local), (n-1) z_i (Wz)_i / sum z^2",
        "weights": w if isinstance(w, str) else type(w).__name__,
        "weights_options": dict(weights_options or {}),
        "transform": transform if transform is not None else "as given",
        "permutations": permutations,
        "seed": seed,
        "alpha": alpha,
        "significance": "p_sim <= alpha (one-sided conditional permutation pseudo p)",
        "quadrants": "esda: 1 HH, 2 LH, 3 LL, 4 HL; a value or lag equal to the mean is low",
        "z": "(I_i - mean of permuted I_i) / their sd (ddof 0)",
        "engine": engine,
        "alignment": "weights subset and ordered to each period's units by id",
    }
    return LisaResult(table=table, params=params, scatter=scatter)
