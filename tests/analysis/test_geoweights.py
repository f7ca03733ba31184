"""Weights and centroids from boundary files: real provinces against the bundled tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nqpf.analysis.geoweights import read_boundaries, unit_centroids, weights_from_boundaries
from nqpf.analysis.spatial import haversine, province_centroids
from nqpf.datasets.reference import contiguity, provinces
from nqpf.errors import DataError

ATLAS = (
    Path(__file__).resolve().parents[3]
    / "shared" / "data" / "geo" / "china_provinces_cn-atlas.geojson"
)  # fmt: skip
needs_atlas = pytest.mark.skipif(not ATLAS.exists(), reason="../shared/data not present")


@pytest.fixture(scope="module")
def mainland(tmp_path_factory):
    """The 31 mainland provinces of cn-atlas (Hong Kong, Macao, Taiwan left out)."""
    doc = json.loads(ATLAS.read_text(encoding="utf-8"))
    keep = {str(a) for a in provinces()["adcode"]}
    doc["features"] = [f for f in doc["features"] if f["properties"]["区划码"] in keep]
    path = tmp_path_factory.mktemp("geo") / "provinces.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@needs_atlas
def test_queen_contiguity_of_provinces_matches_the_bundled_table(mainland):
    w = weights_from_boundaries(mainland, "区划码", "queen", islands="nearest")
    iso = dict(zip(provinces()["adcode"].astype(str), provinces()["iso"], strict=True))
    got = {iso[u]: sorted(iso[v] for v in w.neighbors[u]) for u in w.id_order}
    want = {u: sorted(v) for u, v in contiguity().items()}
    assert got == want  # Hainan, an island, linked to Guangdong as in the bundled table


@needs_atlas
def test_islands_are_named_by_default(mainland):
    with pytest.raises(DataError, match="460000"):
        weights_from_boundaries(mainland, "区划码", "queen")


@needs_atlas
def test_centroids_match_the_bundled_ones(mainland):
    # the bundled table: centres of area, Hainan from Hainan Island only
    iso = dict(zip(provinces()["adcode"].astype(str), provinces()["iso"], strict=True))
    ref = province_centroids().set_index("iso")
    for main_part in (False, True):
        c = unit_centroids(mainland, "区划码", main_part=main_part)
        c["unit"] = c["unit"].map(iso)
        c = c[(c["unit"] == "CN-HI") == main_part]
        r = ref.loc[c["unit"]]
        d = haversine(c["lon"], c["lat"], r["lon"], r["lat"])
        assert np.max(d) < 1.0  # km, at the scale of a province


@needs_atlas
def test_knn_and_distance_band(mainland):
    w = weights_from_boundaries(mainland, "区划码", "knn", k=3)
    assert all(len(v) == 3 for v in w.neighbors.values())
    with pytest.raises(DataError, match="540000"):  # Tibet: no centroid within 800 km
        weights_from_boundaries(mainland, "区划码", "distance_band", threshold=800)
    wb = weights_from_boundaries(
        mainland, "区划码", "inverse_distance", threshold=800, islands="keep"
    )
    bj = wb.neighbors["110000"]
    assert "120000" in bj and "460000" not in bj
    i = bj.index("120000")
    assert wb.weights["110000"][i] == pytest.approx(1 / 114.0, rel=0.2)  # ~114 km apart


def _write(tmp_path, features):
    p = tmp_path / "b.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return p


def _square(x, y, props):
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip


def test_rook_and_queen_on_a_grid(tmp_path):
    p = _write(tmp_path, [_square(x, y, {"code": f"{x}{y}"}) for x in range(2) for y in range(2)])
    q = weights_from_boundaries(p, "code", "queen")
    r = weights_from_boundaries(p, "code", "rook")
    assert sorted(q.neighbors["00"]) == ["01", "10", "11"]
    assert sorted(r.neighbors["00"]) == ["01", "10"]


def test_bad_boundary_files(tmp_path):
    p = _write(tmp_path, [_square(0, 0, {"code": "a"}), _square(1, 0, {"name": "b"})])
    with pytest.raises(DataError, match="feature 1 has no property 'code'"):
        read_boundaries(p, "code")
    p = _write(tmp_path, [_square(0, 0, {"code": "a"}), _square(1, 0, {"code": "a"})])
    with pytest.raises(DataError, match="repeated"):
        read_boundaries(p, "code")
    bad = tmp_path / "x.geojson"
    bad.write_text("{not json")
    with pytest.raises(DataError, match="not a GeoJSON"):
        read_boundaries(bad, "code")
    p = _write(tmp_path, [_square(0, 0, {"code": "a"}), _square(1, 0, {"code": "b"})])
    with pytest.raises(DataError, match="unknown weights kind"):
        weights_from_boundaries(p, "code", "delaunay")
