"""Build src/nqpf/datasets/world_countries_110m.geojson, the world map bundled with nqpf.

Source: the npm package ``world-atlas`` version 2 (Mike Bostock, ISC licence), file
``countries-110m.json``: Natural Earth 1:110m "Admin 0 - Countries" as TopoJSON. Natural Earth
(https://www.naturalearthdata.com) is in the public domain ("No permission is needed to use
Natural Earth. Crediting the authors is unnecessary."). The output carries that statement in
its ``source`` and ``license`` members.

What the script does:

1. fetches the package with ``npm pack world-atlas@2`` into a temporary folder (or reads a
   ``.tgz`` given with ``--tgz``);
2. decodes the TopoJSON itself (no topojson library): undoes the quantisation (``transform``:
   ``scale`` and ``translate``) and the delta encoding of the arcs, joins the arcs of each ring
   (a negative index ``~i`` is arc ``i`` reversed; the first point of each following arc
   repeats the last of the previous one and is dropped);
3. maps the numeric ISO 3166-1 ids to alpha-3 codes with ``pycountry``; Natural Earth units
   without an ISO number get the codes of :data:`EXTRA` (Kosovo: ``XKX``, the code of the World
   Bank and of nqpf's reference tables) or are left out (Northern Cyprus, Somaliland:
   no code in any statistical source nqpf reads);
4. cuts the rings that cross the 180th meridian (Russia, Fiji) into one ring per side and
   leaves Antarctica out (:data:`LEFT_OUT`);
5. rounds coordinates to 3 decimals (about 100 m, far below the 1:110m resolution) and
   writes a compact GeoJSON FeatureCollection (``id`` = ISO3; properties ``name`` and
   ``iso_n3``).

Run from the repository root:  python scripts/build_world_map.py [--tgz FILE] [--overwrite]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "nqpf" / "datasets"
OUT_FILE = OUT / "world_countries_110m.geojson"
PACKAGE = "world-atlas@2"
MEMBER = "package/countries-110m.json"
DIGITS = 3

#: Natural Earth names without an ISO 3166-1 numeric id -> the code nqpf uses (None: dropped).
EXTRA = {"Kosovo": "XKX", "N. Cyprus": None, "Somaliland": None}

#: Left out: Antarctica (no statistics; its ring circles the pole and would take a fifth of
#: every world map).
LEFT_OUT = {"ATA"}

SOURCE = (
    "Natural Earth 1:110m Admin 0 - Countries (public domain), via the npm package "
    "world-atlas 2.0.2 by Mike Bostock (ISC licence); built by scripts/build_world_map.py"
)
LICENSE = "Natural Earth: public domain; world-atlas packaging: ISC"


def fetch(tgz: Path | None, work: Path) -> tuple[dict, str]:
    """The parsed countries-110m TopoJSON and the version of the package."""
    if tgz is None:
        subprocess.run(
            ["npm", "pack", PACKAGE, "--silent"], cwd=work, check=True, capture_output=True
        )
        found = sorted(work.glob("world-atlas-*.tgz"))
        if not found:
            raise SystemExit("npm pack did not produce world-atlas-*.tgz")
        tgz = found[-1]
    with tarfile.open(tgz, "r:gz") as tar:
        topo = json.load(tar.extractfile(MEMBER))
        pkg = json.load(tar.extractfile("package/package.json"))
    return topo, str(pkg.get("version", "?"))


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat positions of every arc (quantised and delta-encoded in the file)."""
    tf = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        if tf is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (sx, sy), (tx, ty) = tf["scale"], tf["translate"]
        x = y = 0
        pts = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Join the arcs of one ring; ``~i`` (negative) is arc ``i`` reversed."""
    pts: list[tuple[float, float]] = []
    for k, i in enumerate(indices):
        seg = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(seg if k == 0 else seg[1:])
    return pts


def rounded(pts: list[tuple[float, float]]) -> list[list[float]]:
    """Positions rounded to DIGITS decimals, repeats dropped, the ring closed."""
    out = [[round(x, DIGITS), round(y, DIGITS)] for x, y in pts]
    # drop repeated positions created by rounding, keep the ring closed
    clean = [out[0]]
    for p in out[1:]:
        if p != clean[-1]:
            clean.append(p)
    if clean[0] != clean[-1]:
        clean.append(clean[0])
    return clean


def _clip(pts: list[tuple[float, float]], east: bool) -> list[tuple[float, float]]:
    """Sutherland-Hodgman clip of a closed ring to lon <= 180 (``east=False``) or >= 180."""

    def inside(p: tuple[float, float]) -> bool:
        return p[0] >= 180 if east else p[0] <= 180

    out: list[tuple[float, float]] = []
    n = len(pts)
    for k in range(n):
        cur, prev = pts[k], pts[k - 1]
        if inside(cur):
            if not inside(prev):
                out.append(_cross(prev, cur))
            out.append(cur)
        elif inside(prev):
            out.append(_cross(prev, cur))
    return out


def _cross(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    t = (180 - a[0]) / (b[0] - a[0])
    return (180.0, a[1] + t * (b[1] - a[1]))


def split_antimeridian(pts: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Cut a ring that jumps across the 180th meridian (Russia, Fiji) into one ring per side.

    Longitudes are unwrapped (a step of more than 180 degrees is taken the short way round),
    the ring is clipped at lon = 180, and the part east of it is shifted back by -360.
    """
    lons = [p[0] for p in pts]
    if all(abs(b - a) <= 180 for a, b in zip(lons, lons[1:], strict=False)):
        return [pts]
    un = [pts[0]]
    for x, y in pts[1:]:
        px = un[-1][0]
        while x - px > 180:
            x -= 360
        while x - px < -180:
            x += 360
        un.append((x, y))
    if min(p[0] for p in un) < 0:  # keep the unwrapped ring on the 0..360 side
        un = [(x + 360, y) for x, y in un]
    west = _clip(un, east=False)
    east = [(x - 360, y) for x, y in _clip(un, east=True)]
    return [r for r in (west, east) if len(r) >= 3]


def geometry(obj: dict, arcs: list) -> dict | None:
    if obj["type"] == "Polygon":
        polys = [obj["arcs"]]
    elif obj["type"] == "MultiPolygon":
        polys = obj["arcs"]
    else:
        return None
    out = []
    for poly in polys:
        outer = split_antimeridian(ring(poly[0], arcs))
        holes = [rounded(ring(r, arcs)) for r in poly[1:]]
        for k, part in enumerate(outer):
            rings = [rounded(part)] + (holes if k == 0 and len(outer) == 1 else [])
            rings = [r for r in rings if len(r) >= 4]
            if rings:
                out.append(rings)
    if not out:
        return None
    if len(out) == 1:
        return {"type": "Polygon", "coordinates": out[0]}
    return {"type": "MultiPolygon", "coordinates": out}


def iso3(numeric: str | None, name: str) -> str | None:
    import pycountry

    if numeric is not None:
        c = pycountry.countries.get(numeric=str(numeric).zfill(3))
        if c is not None:
            return c.alpha_3
    if name in EXTRA:
        return EXTRA[name]
    raise SystemExit(f"no ISO3 code for {name!r} (id {numeric!r}); add it to EXTRA")


def build(topo: dict, version: str) -> dict:
    arcs = decode_arcs(topo)
    features = []
    for obj in topo["objects"]["countries"]["geometries"]:
        name = obj.get("properties", {}).get("name", "")
        code = iso3(obj.get("id"), name)
        geom = geometry(obj, arcs)
        if code is None or geom is None or code in LEFT_OUT:
            continue
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"name": name, "iso_n3": obj.get("id")},
                "geometry": geom,
            }
        )
    features.sort(key=lambda f: f["id"])
    ids = [f["id"] for f in features]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate ISO3 codes in the output")
    return {
        "type": "FeatureCollection",
        "source": SOURCE.replace("2.0.2", version),
        "license": LICENSE,
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tgz", type=Path, help="a world-atlas .tgz instead of npm pack")
    ap.add_argument("--out", type=Path, default=OUT_FILE)
    ap.add_argument("--overwrite", action="store_true", help="replace an existing output")
    args = ap.parse_args(argv)
    if args.out.exists() and not args.overwrite:
        print(f"{args.out} exists; pass --overwrite to rebuild it", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        topo, version = fetch(args.tgz, Path(tmp))
    data = build(topo, version)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(data['features'])} countries, {len(text) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
