"""Spatial weights and centroids from any boundary file (GeoJSON), aligned by a unit id.

For units other than the bundled provinces (prefecture-level cities, counties, countries, a
user's own regions) the weights come from the polygons themselves:

``queen`` / ``rook``
    contiguity: :math:`w_{ij} = 1` when the boundaries of *i* and *j* share at least a point
    (queen) or an edge (rook), through :class:`libpysal.weights.Queen` and
    :class:`libpysal.weights.Rook` on shapely geometries.
``knn``
    the ``k`` nearest units by great-circle distance between centroids (:math:`w_{ij} = 1`);
    not symmetric in general.
``distance_band``
    :math:`w_{ij} = 1` when the centroids are at most ``threshold`` km apart.
``inverse_distance``
    :math:`w_{ij} = 1/d_{ij}^{p}` (``power`` = *p*), 0 beyond ``threshold`` km when given.

Centroids are the centres of area of each unit's polygons computed on the Albers equal-area
plane of :mod:`nqpf.analysis.centrography` (largest part only with ``main_part=True``, the
convention the bundled province centroids use for Hainan), returned as longitude and latitude;
distances are haversine distances between them (:func:`nqpf.analysis.spatial.haversine`).

Islands (units with no neighbour under contiguity or a distance band) get a documented
handling, ``islands=``: ``"error"`` (default) names them; ``"nearest"`` links each island to
its nearest unit by centroid distance, both ways (the convention nqpf uses for Hainan and
Guangdong); ``"keep"`` leaves them without neighbours (some statistics then fail by design).

The id of each unit is the feature property ``id_field``; a feature without it, or two
features with the same id, is an error naming the feature. Several features with one id are
not merged: give one feature (a multipolygon) per unit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .centrography import albers, albers_inverse
from .spatial import haversine

__all__ = ["KINDS", "read_boundaries", "unit_centroids", "weights_from_boundaries"]

KINDS = ("queen", "rook", "knn", "distance_band", "inverse_distance")


def read_boundaries(path: str | Path, id_field: str) -> tuple[list[str], list[Any]]:
    """Unit ids and shapely geometries of a GeoJSON FeatureCollection."""
    from shapely.geometry import shape

    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise DataError(f"{p}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataError(f"{p}: not a GeoJSON file ({e})") from None
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list) or not feats:
        raise DataError(f"{p}: no features (a GeoJSON FeatureCollection is expected)")
    ids, geoms = [], []
    for k, f in enumerate(feats):
        props = (f or {}).get("properties") or {}
        if id_field not in props or props[id_field] in (None, ""):
            have = sorted(props)[:12]
            raise DataError(
                f"{p}: feature {k} has no property {id_field!r} (its properties: {have}); "
                "name the id property of the file"
            )
        try:
            g = shape(f["geometry"])
        except Exception as e:  # shapely raises several types for bad geometry
            raise DataError(
                f"{p}: feature {k} ({props[id_field]}) has no valid geometry: {e}"
            ) from None
        ids.append(str(props[id_field]).strip())
        geoms.append(g)
    dup = sorted({u for u in ids if ids.count(u) > 1})
    if dup:
        raise DataError(f"{p}: ids repeated in {id_field!r}: {dup[:10]} (one feature per unit)")
    return ids, geoms


def unit_centroids(path: str | Path, id_field: str, main_part: bool = False) -> pd.DataFrame:
    """``unit, lon, lat``: centre of area of each unit (module docstring)."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    ids, geoms = read_boundaries(path, id_field)
    rows = []
    for u, g in zip(ids, geoms, strict=True):
        if not isinstance(g, Polygon | MultiPolygon):
            raise DataError(f"{path}: unit {u} is not a polygon ({g.geom_type})")
        proj = shapely.transform(g, lambda xy: np.column_stack(albers(xy[:, 0], xy[:, 1])))
        if main_part and isinstance(proj, MultiPolygon):
            proj = max(proj.geoms, key=lambda part: part.area)
        c = proj.centroid
        lon, lat = albers_inverse(c.x, c.y)
        rows.append((u, float(lon), float(lat)))
    return pd.DataFrame(rows, columns=["unit", "lon", "lat"])


def _link_islands(nb: dict[str, list[str]], d: np.ndarray, ids: list[str], how: str):
    islands = [u for u in ids if not nb[u]]
    if not islands:
        return nb, []
    if how == "error":
        raise DataError(
            f"{len(islands)} unit(s) have no neighbour: {islands[:10]}; pass "
            "islands='nearest' to link each to its nearest unit, or 'keep'"
        )
    if how == "nearest":
        pos = {u: i for i, u in enumerate(ids)}
        for u in islands:
            row = d[pos[u]].copy()
            row[pos[u]] = np.inf
            v = ids[int(np.argmin(row))]
            nb[u].append(v)
            if u not in nb[v]:
                nb[v].append(u)
    elif how != "keep":
        raise DataError(f"unknown islands handling {how!r}; use error, nearest or keep")
    return nb, islands


def weights_from_boundaries(
    path: str | Path,
    id_field: str,
    kind: str = "queen",
    *,
    k: int = 4,
    threshold: float | None = None,
    power: float = 1.0,
    islands: str = "error",
) -> Any:
    """A :class:`libpysal.weights.W` whose ids are the units of a boundary file.

    The weights are binary (or inverse distances) and untransformed; the analyses align and
    row-standardise them by unit id as for any other weights.
    """
    import libpysal

    if kind not in KINDS:
        raise DataError(f"unknown weights kind {kind!r}; use one of {', '.join(KINDS)}")
    ids, geoms = read_boundaries(path, id_field)
    pts = unit_centroids(path, id_field)
    lon, lat = pts["lon"].to_numpy(), pts["lat"].to_numpy()
    d = haversine(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.fill_diagonal(d, 0.0)
    weights: dict[str, list[float]] | None = None
    if kind in ("queen", "rook"):
        cls = libpysal.weights.Queen if kind == "queen" else libpysal.weights.Rook
        w0 = cls.from_iterable(geoms, ids=ids, silence_warnings=True)
        nb = {u: [str(v) for v in w0.neighbors[u]] for u in ids}
    elif kind == "knn":
        if not (isinstance(k, int) and 1 <= k < len(ids)):
            raise DataError(f"k must be an integer from 1 to {len(ids) - 1}, not {k!r}")
        order = np.argsort(d + np.diag(np.full(len(ids), np.inf)), axis=1)[:, :k]
        nb = {u: [ids[j] for j in order[i]] for i, u in enumerate(ids)}
    else:
        if kind == "distance_band" and threshold is None:
            raise DataError("a distance band needs threshold= (km)")
        if threshold is not None and not threshold > 0:
            raise DataError(f"threshold must be a positive distance in km, not {threshold!r}")
        lim = np.inf if threshold is None else float(threshold)
        nb = {u: [ids[j] for j in np.flatnonzero((d[i] <= lim) & (np.arange(len(ids)) != i))]
              for i, u in enumerate(ids)}  # fmt: skip
    nb, _ = _link_islands(nb, d, ids, islands)
    if kind == "inverse_distance":
        pos = {u: i for i, u in enumerate(ids)}
        weights = {u: [1.0 / d[pos[u], pos[v]] ** power for v in nb[u]] for u in ids}
    w = libpysal.weights.W(nb, weights, id_order=ids, silence_warnings=True)
    return w
