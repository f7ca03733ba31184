"""Boundaries (bundled world map, user GeoJSON, cnmaps) and the two map figures."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text

from nqpf.analysis.spatial import lisa
from nqpf.datasets.reference import provinces
from nqpf.errors import DataError
from nqpf.report import figures as F
from nqpf.report import maps as M
from nqpf.report.fonts import cjk_font

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
CN_ATLAS = DATA / "geo" / "china_provinces_cn-atlas.geojson"
needs_data = pytest.mark.skipif(not CN_ATLAS.exists(), reason="../shared/data not present")
DPI = 40


def texts(fig) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text)]


# ----------------------------------------------------------------------------- world


def test_bundled_world_map():
    w = M.world_countries()
    assert len(w) >= 170 and {"CHN", "USA", "DEU", "BRA", "IND", "XKX"} <= set(w.units)
    assert "ATA" not in w  # Antarctica is left out
    assert "Natural Earth" in w.source and "public domain" in w.source
    assert w.kind == "country"
    x0, y0, x1, y1 = w.bounds()
    assert -180 <= x0 < -160 and 170 < x1 <= 180 and -60 < y0 < -50 and 80 < y1 < 85
    # China's box: 73.5-134.8 E, 18-53.6 N (Natural Earth 1:110m)
    cx0, cy0, cx1, cy1 = w.bounds(["CHN"])
    assert 73 < cx0 < 74 and 134 < cx1 < 135.5 and 18 < cy0 < 19 and 53 < cy1 < 54
    # rings crossing the antimeridian were cut: no step of more than 180 degrees of longitude
    for u in ("RUS", "FJI"):
        for poly in w.shapes[u]:
            assert np.abs(np.diff(poly[0][:, 0])).max() < 180
    path = resources.files("nqpf.datasets").joinpath(M.WORLD_FILE)
    assert path.stat().st_size < 1_000_000


def test_world_choropleth_reports_unknown_codes(tmp_path):
    vals = pd.Series({"CHN": 0.9, "USA": 0.8, "DEU": 0.7, "ZZZ": 0.5, "BRA": np.nan})
    fig = F.choropleth(vals, M.world_countries(), lang="en", title="Scores")
    assert fig.missing == ["ZZZ"]
    assert any("ZZZ" in n for n in fig.nqpf_notes)
    assert any("Natural Earth" in n for n in fig.nqpf_notes)
    coll = fig.axes[0].collections[0]
    units = list(M.world_countries().shapes)
    faces = coll.get_facecolors()
    # quantile classes (3 values, up to 5 classes): Germany, the lowest, has the lightest class,
    # China, the highest, the darkest; Brazil (NaN) is "no data" grey; the legend says how
    # the classes were formed
    from matplotlib import colormaps

    cm = colormaps["YlGnBu"]
    np.testing.assert_allclose(faces[units.index("DEU")], cm(0.15))
    np.testing.assert_allclose(faces[units.index("CHN")], cm(0.95))
    np.testing.assert_allclose(faces[units.index("BRA")], to_rgba("#e0e0e0"))
    leg = fig.axes[0].get_legend()
    assert "quantiles, 3 classes" in leg.get_title().get_text()
    assert [t.get_text() for t in leg.get_texts()][:3] == ["0.70–0.77 (1)", "0.77–0.83 (1)",
                                                           "0.83–0.90 (1)"]
    cont = F.choropleth(vals, M.world_countries(), lang="en", classes="continuous")
    cf = cont.axes[0].collections[0].get_facecolors()
    np.testing.assert_allclose(cf[units.index("DEU")], cm(0.0))
    paths = F.save_figure(fig, tmp_path, "world", dpi=DPI)
    assert paths["png"].stat().st_size > 2000
    with pytest.raises(DataError, match="none of the units"):
        F.choropleth(pd.Series({"CN-BJ": 1.0}), M.world_countries())
    with pytest.raises(DataError, match="no values"):
        F.choropleth(pd.Series(dtype=float), M.world_countries())
    with pytest.raises(DataError, match="Geometry"):
        F.choropleth(vals, {"CHN": []})


# ----------------------------------------------------------------------------- GeoJSON


def _square(x: float, y: float, clockwise: bool = False) -> list[list[float]]:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return ring[::-1] if clockwise else ring


def test_geojson_reader_matches_codes_and_names(tmp_path):
    hole = [[116.2, 40.2], [116.2, 40.4], [116.4, 40.4], [116.4, 40.2], [116.2, 40.2]]
    feats = [
        {"type": "Feature", "properties": {"区划码": "110000", "地名": "北京市"},
         "geometry": {"type": "Polygon", "coordinates": [_square(116, 40, True), hole]}},
        {"type": "Feature", "properties": {"name": "Shanghai"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[_square(121, 31)]]}},
        {"type": "Feature", "properties": {"adcode": 710000, "name": "台湾省"},
         "geometry": {"type": "Polygon", "coordinates": [_square(121, 23)]}},
        {"type": "Feature", "properties": {"name": "Atlantis"},
         "geometry": {"type": "Polygon", "coordinates": [_square(0, 0)]}},
        {"type": "Feature", "properties": {"name": "九段线"},
         "geometry": {"type": "LineString", "coordinates": [[110, 10], [111, 11]]}},
    ]  # fmt: skip
    path = tmp_path / "p.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    g = M.china_provinces(path)
    assert g.units == ("CN-BJ", "CN-SH") and list(g.context) == ["CN-TW"]
    assert g.dropped == ("Atlantis", "九段线") and g.source == "p.geojson"
    ext, inner = g.shapes["CN-BJ"][0]

    def area(r):
        x, y = r[:, 0], r[:, 1]
        return 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))

    # exterior made counter-clockwise, hole clockwise (RFC 7946)
    assert area(ext) == pytest.approx(1.0) and area(inner) == pytest.approx(-0.04)
    assert g.bounds(["CN-SH"]) == (121.0, 31.0, 122.0, 32.0)
    assert g.subset(["CN-SH", "CN-XX"]).units == ("CN-SH",)
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "Feature"}), "utf-8")
    with pytest.raises(DataError, match="FeatureCollection"):
        M.china_provinces(bad)
    with pytest.raises(DataError, match="does not exist"):
        M.china_provinces(tmp_path / "nope.geojson")


def test_draw_units_colours_and_no_data():
    g = M.Geometry({"A": ((np.array([[0, 0], [1, 0], [1, 1.0]]),),),
                    "B": ((np.array([[2, 0], [3, 0], [3, 1.0]]),),)}, "test")  # fmt: skip
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    coll = M.draw_units(ax, g, {"A": "red"}, missing_color="blue")
    np.testing.assert_allclose(coll.get_facecolors(), [to_rgba("red"), to_rgba("blue")])
    assert ax.get_xlim()[0] < 0 and ax.get_xlim()[1] > 3


def test_map_note():
    assert "nqpf[maps]" in M.map_note("china", "en") and "cnmaps" in M.map_note("china", "en")
    assert "省界" in M.map_note("china", "zh")
    with pytest.raises(DataError):
        M.map_note("mars")


# ----------------------------------------------------------------------------- China


@pytest.fixture(scope="module")
def cn_atlas():
    if not CN_ATLAS.exists():
        pytest.skip("../shared/data not present")
    return M.china_provinces(CN_ATLAS)


@needs_data
def test_cn_atlas_provinces(cn_atlas):
    assert set(cn_atlas.units) == set(provinces()["iso"]) and len(cn_atlas) == 31
    assert set(cn_atlas.context) == {"CN-TW", "CN-HK", "CN-MO"}
    assert cn_atlas.dropped == ()
    x0, y0, x1, y1 = cn_atlas.bounds(["CN-BJ"])  # Beijing: 115.4-117.5 E, 39.4-41.1 N
    assert 115 < x0 < 116 and 117 < x1 < 118 and 39 < y0 < 40 and 40.5 < y1 < 41.5


@needs_data
def test_china_choropleth_and_lisa_map(cn_atlas, tmp_path):
    prov = provinces()
    vals = pd.Series(np.arange(31, dtype=float), index=prov["iso"])
    vals["CN-XX"] = 3.0
    lang = "zh" if cjk_font() else "en"
    fig = F.choropleth(vals, cn_atlas, lang=lang)
    assert fig.missing == ["CN-XX"]
    F.save_figure(fig, tmp_path, "cn_map", dpi=DPI)
    assert (tmp_path / "cn_map.png").stat().st_size > 2000
    # longitude gradient: the east is a High-High cluster, the far west Low-Low
    from nqpf.analysis.spatial import province_centroids

    cen = province_centroids()
    data = pd.DataFrame({"unit": cen["iso"], "period": 2022, "value": cen["lon"]})
    res = lisa(data[data["unit"] != "CN-XZ"], permutations=99, seed=1)
    fig = F.lisa_map(res, cn_atlas, lang=lang)
    tab = res.table.set_index("unit")
    units = list(cn_atlas.shapes)
    faces = fig.axes[0].collections[1].get_facecolors()
    for u in ("CN-SH", "CN-XJ"):
        want = F._CLUSTER_COLORS[tab.loc[u, "cluster"]]
        np.testing.assert_allclose(faces[units.index(u)], to_rgba(want))
    np.testing.assert_allclose(faces[units.index("CN-XZ")], to_rgba("white"))  # no data
    t = texts(fig)
    if lang == "zh":
        assert "高-高" in t and "无数据" in t
    assert fig.missing == []
    F.save_figure(fig, tmp_path, "lisa_map", formats=("png",), dpi=DPI)
    with pytest.raises(DataError, match="LisaResult"):
        F.lisa_map(vals, cn_atlas)


@pytest.mark.skipif(importlib.util.find_spec("cnmaps") is None, reason="cnmaps not installed")
def test_cnmaps_provinces():
    g = M.china_provinces()
    assert g is not None and set(g.units) == set(provinces()["iso"])
    assert set(g.context) == {"CN-TW", "CN-HK", "CN-MO"}
    assert "cnmaps" in g.source
    x0, y0, x1, y1 = g.bounds()
    assert 73 < x0 < 74 and 134 < x1 < 136 and 3 < y0 < 19 and 53 < y1 < 54


def test_albers_is_equal_area():
    # a 1 x 1 degree cell has the sphere's area R² Δλ (sin φ2 − sin φ1) wherever it lies
    r = 6371.0
    for lon, lat in ((80.0, 40.0), (105.0, 20.0), (125.0, 50.0), (110.0, 5.0)):
        # the cell's sides are arcs; densify them for the polygon area
        t = np.linspace(0, 1, 200)
        ring_lo = np.r_[lon + t, np.full(200, lon + 1), lon + 1 - t, np.full(200, lon)]
        ring_la = np.r_[np.full(200, lat), lat + t, np.full(200, lat + 1), lat + 1 - t]
        px, py = M.albers(ring_lo, ring_la)
        area = 0.5 * abs(np.dot(px, np.roll(py, 1)) - np.dot(py, np.roll(px, 1)))
        want = r * r * np.deg2rad(1.0) * (np.sin(np.deg2rad(lat + 1)) - np.sin(np.deg2rad(lat)))
        assert area == pytest.approx(want, rel=1e-4)
    x0, y0 = M.albers(np.array([105.0]), np.array([0.0]))
    assert abs(x0[0]) < 1e-9 and abs(y0[0]) < 1e-9  # the origin: lon0, lat0


@needs_data
def test_china_map_is_albers_with_the_south_china_sea_inset(cn_atlas):
    vals = pd.Series(np.arange(31, dtype=float), index=provinces()["iso"])
    fig = F.choropleth(vals, cn_atlas, lang="en", classes="jenks")
    ax = fig.axes[0]
    assert ax.get_aspect() == 1.0  # projected km, not degrees
    x0, x1 = ax.get_xlim()
    assert -3500 < x0 < -2000 and 1500 < x1 < 3000  # km east/west of 105°E
    insets = ax.child_axes
    assert len(insets) == 1
    assert "South China" in " ".join(t.get_text() for t in insets[0].texts)
    assert "natural breaks (Jenks)" in ax.get_legend().get_title().get_text()
