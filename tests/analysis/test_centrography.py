"""Gravity centre and standard deviational ellipse: Snyder's numbers, hand-built patterns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.analysis.centrography import albers, albers_inverse, gravity_centre, sde
from nqpf.analysis.spatial import EARTH_RADIUS_KM, haversine, province_centroids
from nqpf.errors import DataError


def test_albers_matches_snyder_example():
    # Snyder (1987), Map Projections: A Working Manual, p. 291: sphere R = 1, parallels 29.5
    # and 45.5, origin 23 N 96 W; 35 N 75 W -> x = 0.2952720, y = 0.2416774
    x, y = albers(-75.0, 35.0, (29.5, 45.5, -96.0, 23.0))
    assert x / EARTH_RADIUS_KM == pytest.approx(0.2952720, abs=5e-8)
    assert y / EARTH_RADIUS_KM == pytest.approx(0.2416774, abs=5e-8)
    lon, lat = albers_inverse(x, y, (29.5, 45.5, -96.0, 23.0))
    assert (lon, lat) == (pytest.approx(-75.0, abs=1e-10), pytest.approx(35.0, abs=1e-10))


def _pattern(xy: np.ndarray, weights=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Points at planar offsets (km) from (105 E, 35 N) with a value per unit, one period."""
    x0, y0 = albers(105.0, 35.0)
    lon, lat = albers_inverse(x0 + xy[:, 0], y0 + xy[:, 1])
    units = [f"u{i}" for i in range(len(xy))]
    pts = pd.DataFrame({"unit": units, "lon": lon, "lat": lat})
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, float)
    data = pd.DataFrame({"unit": units, "period": 2020, "value": w})
    return data, pts


def test_ellipse_of_a_cross_by_hand():
    a, b = 300.0, 100.0
    data, pts = _pattern(np.array([[a, 0], [-a, 0], [0, b], [0, -b]]))
    e = sde(data, points=pts).ellipses.iloc[0]
    # A = 2a², B = 2b², C = 0 -> θ = 0; σx = sqrt(2a²/4), σy = sqrt(2b²/4)
    assert e["rotation"] == pytest.approx(0.0, abs=1e-9)
    assert e["sigma_x"] == pytest.approx(a / np.sqrt(2), rel=1e-9)
    assert e["sigma_y"] == pytest.approx(b / np.sqrt(2), rel=1e-9)
    assert e["major_axis_angle"] == pytest.approx(90.0, abs=1e-9)  # long axis points east
    assert e["area_km2"] == pytest.approx(np.pi * a * b / 2, rel=1e-9)
    arc = sde(data, points=pts, convention="arcgis").ellipses.iloc[0]
    assert arc["sigma_x"] == pytest.approx(a, rel=1e-9)  # sqrt(2 · 2a² / 4)
    cs = sde(data, points=pts, convention="crimestat").ellipses.iloc[0]
    assert cs["sigma_x"] == pytest.approx(np.sqrt(2 * 2 * a * a / 2), rel=1e-9)


@pytest.mark.parametrize("bearing", [20.0, 60.0, 135.0])
def test_ellipse_recovers_the_direction_of_a_line(bearing):
    t = np.radians(bearing)
    along = np.array([np.sin(t), np.cos(t)])  # unit vector at this bearing
    across = np.array([np.cos(t), -np.sin(t)])
    xy = np.array([s * along * 400 + r * across * 50 for s in (-1, -0.5, 0.5, 1) for r in (-1, 1)])
    e = sde(*_pattern(xy)[0:1], points=_pattern(xy)[1]).ellipses.iloc[0]
    assert e["major_axis_angle"] == pytest.approx(bearing, abs=1e-7)
    assert e["shape_index"] < 0.3


def test_weights_pull_the_centre():
    pts = province_centroids().rename(columns={"iso": "unit"})
    units = ["CN-BJ", "CN-SH", "CN-GD"]
    data = pd.DataFrame(
        {
            "unit": units * 2,
            "period": [2019] * 3 + [2020] * 3,
            "value": [1e-12, 1.0, 1e-12, 0.0, 0.0, 5.0],
        }
    )
    res = gravity_centre(data)
    c = res.centres.set_index("period")
    sh = pts.set_index("unit").loc["CN-SH"]
    gd = pts.set_index("unit").loc["CN-GD"]
    assert c.loc[2019, "lon"] == pytest.approx(sh["lon"], abs=1e-6)
    assert c.loc[2020, "lat"] == pytest.approx(gd["lat"], abs=1e-9)
    dist = float(haversine(sh["lon"], sh["lat"], gd["lon"], gd["lat"]))
    assert c.loc[2020, "distance_km"] == pytest.approx(dist, rel=1e-6)
    assert c.loc[2020, "direction"] == "SW" and c.loc[2020, "direction_zh"] == "西南"
    # scaling every weight leaves the centre where it is
    again = gravity_centre(data.assign(value=data["value"] * 7)).centres
    assert np.allclose(again[["lon", "lat"]], res.centres[["lon", "lat"]])


def test_outline_is_on_the_ellipse():
    data, pts = _pattern(np.array([[300.0, 10], [-300, -10], [5, 100], [-5, -100], [0, 0]]))
    res = sde(data, points=pts)
    o = res.ellipse_outline(2020, n=36)
    e = res.ellipses.iloc[0]
    x, y = albers(o["lon"], o["lat"])
    th = np.radians(e["rotation"])
    xr = (x - e["x"]) * np.cos(th) - (y - e["y"]) * np.sin(th)
    yr = (x - e["x"]) * np.sin(th) + (y - e["y"]) * np.cos(th)
    assert np.allclose((xr / e["sigma_x"]) ** 2 + (yr / e["sigma_y"]) ** 2, 1.0)


def test_bad_input():
    data, pts = _pattern(np.array([[1.0, 0], [0, 1], [2, 2]]), weights=[1, -1, 2])
    with pytest.raises(DataError, match="negative"):
        gravity_centre(data, points=pts)
    data, pts = _pattern(np.array([[1.0, 0], [0, 1]]))
    with pytest.raises(DataError, match="at least 3"):
        sde(data, points=pts)
    with pytest.raises(DataError, match="no coordinates"):
        gravity_centre(pd.DataFrame({"unit": ["XX"], "period": [1], "value": [1.0]}))
    with pytest.raises(DataError, match="unknown convention"):
        sde(data, points=pts, convention="esri")
