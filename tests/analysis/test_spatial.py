"""Tests of spatial weights, global Moran's I / Geary's C and local Moran (LISA)."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nqpf.analysis import spatial as sp
from nqpf.datasets.reference import provinces
from nqpf.errors import DataError

libpysal = pytest.importorskip("libpysal")
from libpysal import examples  # noqa: E402

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
ATLAS = DATA / "geo" / "china_provinces_cn-atlas.geojson"
ISO = provinces()["iso"].tolist()


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def mexico():
    """mexico.csv (states in rows) and mexico.gal relabelled by state name.

    mexico.gal's ids are the 0-based row numbers of mexico.csv, but the file lists them in an
    order that swaps rows 10/11 and 23/24: libpysal keeps that file order in ``id_order``.
    """
    csv = pd.read_csv(examples.get_path("mexico.csv"))
    gal = libpysal.io.open(examples.get_path("mexico.gal")).read()
    names = csv["State"].tolist()
    nb = {names[int(i)]: [names[int(j)] for j in gal.neighbors[i]] for i in gal.id_order}
    w = libpysal.weights.W(nb, silence_warnings=True)
    return csv, gal, w


def _line4():
    """Units A-B-C-D on a line with values 2, 1, 8, 5 (deviations -2, -3, 4, 1; mean 4)."""
    w = {"A": ["B"], "B": ["A", "C"], "C": ["B", "D"], "D": ["C"]}
    data = pd.DataFrame({"unit": list("ABCD"), "period": 2020, "value": [2.0, 1.0, 8.0, 5.0]})
    return data, w


def _provinces_data(periods=(2020, 2021)):
    """A smooth north-south gradient: latitude of each centroid plus a period shift."""
    c = sp.province_centroids()
    rows = [
        {"unit": u, "period": p, "value": lat + 0.1 * k}
        for k, p in enumerate(periods)
        for u, lat in zip(c["iso"], c["lat"], strict=True)
    ]
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- points, distances


def test_centroids_table():
    c = sp.province_centroids()
    assert list(c.columns) == ["iso", "lon", "lat"]
    assert c["iso"].tolist() == ISO
    assert c["lon"].between(73, 135).all() and c["lat"].between(18, 54).all()
    assert np.allclose(c[["lon", "lat"]].to_numpy() * 1e4, np.round(c[["lon", "lat"]] * 1e4))
    c.loc[0, "lon"] = 0.0  # a copy: the cached table is unchanged
    assert sp.province_centroids().loc[0, "lon"] != 0.0


@pytest.mark.skipif(not ATLAS.exists(), reason="../shared/data not present")
def test_centroids_lie_in_their_province():
    shapely = pytest.importorskip("shapely.geometry")
    feats = json.loads(ATLAS.read_text(encoding="utf-8"))["features"]
    adcode_iso = dict(zip(provinces()["adcode"], provinces()["iso"], strict=True))
    shapes = {
        adcode_iso[int(f["properties"]["区划码"])]: shapely.shape(f["geometry"])
        for f in feats
        if int(f["properties"]["区划码"]) in adcode_iso
    }
    assert len(shapes) == 31
    for iso, lon, lat in sp.province_centroids().itertuples(index=False):
        pt = shapely.Point(lon, lat)
        if iso == "CN-GS":  # crescent: centroid ~15 km outside (documented)
            assert not shapes[iso].contains(pt) and shapes[iso].distance(pt) < 0.25
        else:
            assert shapes[iso].contains(pt), iso


def test_haversine_hand_values():
    # a quarter of a meridian is pi R / 2
    assert sp.haversine(0, 0, 0, 90) == pytest.approx(math.pi * sp.EARTH_RADIUS_KM / 2)
    # one degree of longitude on the equator is 2 pi R / 360
    assert sp.haversine(10, 0, 11, 0) == pytest.approx(2 * math.pi * sp.EARTH_RADIUS_KM / 360)
    # Beijing and Shanghai city centres: about 1,067 km
    assert sp.haversine(116.4074, 39.9042, 121.4737, 31.2304) == pytest.approx(1067.3, abs=1)
    d = sp.distance_matrix(["CN-SH", "CN-BJ"])
    assert list(d.index) == ["CN-SH", "CN-BJ"] and d.iloc[0, 0] == 0
    assert abs(d.loc["CN-BJ", "CN-SH"] - 1067) < 50


def test_distance_matrix_with_own_points_and_errors():
    pts = pd.DataFrame({"unit": ["X", "Y"], "lon": [0.0, 0.0], "lat": [0.0, 1.0]})
    d = sp.distance_matrix(points=pts)
    assert d.loc["X", "Y"] == pytest.approx(2 * math.pi * sp.EARTH_RADIUS_KM / 360)
    with pytest.raises(DataError, match="Beijing"):
        sp.distance_matrix(["CN-BJ", "Beijing"])


# ----------------------------------------------------------------------------- weights


def test_contiguity_weights():
    w = sp.spatial_weights("contiguity")
    assert w.id_order == ISO and w.transform == "R"
    assert np.allclose(w.full()[0].sum(axis=1), 1.0)
    assert w.neighbors["CN-HI"] == ["CN-GD"]  # Hainan-Guangdong by convention
    assert sorted(w.neighbors["CN-BJ"]) == ["CN-HE", "CN-TJ"] and w.weights["CN-BJ"] == [0.5, 0.5]
    b = sp.spatial_weights("contiguity", row_standardise=False)
    assert b.s0 == 2 * 69 and b.transform == "O"
    sub = sp.spatial_weights("contiguity", ["CN-TJ", "CN-BJ", "CN-HE"])
    assert sub.id_order == ["CN-TJ", "CN-BJ", "CN-HE"]
    assert sub.full()[0].tolist() == [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]
    with pytest.raises(DataError, match=r"CN-HI.*CN-GD"):
        sp.spatial_weights("contiguity", ["CN-HI", "CN-BJ", "CN-TJ"])
    with pytest.raises(DataError, match="Beijing"):
        sp.spatial_weights("contiguity", ["CN-HE", "Beijing"])
    with pytest.raises(DataError, match="unknown weights kind"):
        sp.spatial_weights("rook")


def test_inverse_distance_weights():
    raw = sp.spatial_weights("inverse_distance", row_standardise=False)
    m = raw.full()[0]
    assert np.allclose(m, m.T) and np.all(np.diag(m) == 0)
    d = sp.distance_matrix().to_numpy()
    off = ~np.eye(31, dtype=bool)
    assert np.allclose(m[off], 1 / d[off])
    w2 = sp.spatial_weights("inverse_distance", power=2)
    m2 = w2.full()[0]
    assert np.allclose(m2.sum(axis=1), 1.0)
    row = 1 / d[0, 1:] ** 2
    assert np.allclose(m2[0, 1:], row / row.sum())
    # distance band: Beijing keeps Shanghai (1,094 km) and loses Guangdong (about 1,900 km)
    band = sp.spatial_weights("inverse_distance", threshold=1200, row_standardise=False)
    assert "CN-SH" in band.neighbors["CN-BJ"] and "CN-GD" not in band.neighbors["CN-BJ"]
    with pytest.raises(DataError, match="no neighbour"):
        sp.spatial_weights("inverse_distance", threshold=50)


def test_economic_and_nested_weights_by_hand():
    units = ["CN-BJ", "CN-SH", "CN-TJ"]
    x = {"CN-BJ": 1.0, "CN-SH": 2.0, "CN-TJ": 4.0}
    e = sp.spatial_weights("economic_distance", units, economic=x, row_standardise=False)
    assert e.full()[0].tolist() == [[0, 1, 1 / 3], [1, 0, 1 / 2], [1 / 3, 1 / 2, 0]]
    er = sp.spatial_weights("economic_distance", units, economic=pd.Series(x)).full()[0]
    assert np.allclose(er[0], [0, 0.75, 0.25])
    # economic variable as a values table: the mean over periods per unit (BJ 1, SH 2, TJ 4)
    tab = pd.DataFrame(
        {"unit": units * 2, "period": [1] * 3 + [2] * 3, "value": [0.5, 1, 3, 1.5, 3, 5]}
    )
    assert np.allclose(sp.spatial_weights("economic_distance", units, economic=tab).full()[0], er)

    d = sp.distance_matrix(units).to_numpy()
    geo = np.where(d > 0, 1 / np.where(d > 0, d, 1), 0.0)
    geo_r = geo / geo.sum(axis=1, keepdims=True)
    mix = sp.spatial_weights("nested", units, economic=x, alpha=0.3).full()[0]
    assert np.allclose(mix, 0.3 * geo_r + 0.7 * er)
    prod = sp.spatial_weights("nested", units, economic=x, form="product", row_standardise=False)
    xbar = np.array([1.0, 2.0, 4.0])
    assert np.allclose(prod.full()[0], geo * (xbar / xbar.mean())[None, :])
    # with contiguity as the geographic part, Shanghai has no neighbour among these three
    with pytest.raises(DataError, match=r"\['CN-SH'\] have no neighbour"):
        sp.spatial_weights("nested", units, economic=x, form="product", base="contiguity")
    cp = sp.spatial_weights(
        "nested",
        ["CN-BJ", "CN-TJ", "CN-HE"],
        economic={"CN-BJ": 3, "CN-TJ": 2, "CN-HE": 1},
        form="product",
        base="contiguity",
    ).full()[0]
    # row BJ: neighbours TJ (x 2) and HE (x 1) -> 2/3, 1/3
    assert np.allclose(cp[0], [0, 2 / 3, 1 / 3])
    with pytest.raises(DataError, match=r"CN-BJ.*CN-TJ.*same economic value"):
        sp.spatial_weights("economic_distance", units, economic={**x, "CN-TJ": 1.0})
    with pytest.raises(DataError, match="positive"):
        sp.spatial_weights("nested", units, economic={**x, "CN-BJ": -1.0}, form="product")
    with pytest.raises(DataError, match="CN-TJ"):
        sp.spatial_weights("economic_distance", units, economic={"CN-BJ": 1, "CN-SH": 2})
    with pytest.raises(DataError, match="economic="):
        sp.spatial_weights("nested", units)
    with pytest.raises(DataError, match=r"alpha"):
        sp.spatial_weights("nested", units, economic=x, alpha=1.5)


def test_as_weights_aligns_by_id_and_never_changes_the_callers_w():
    w = libpysal.weights.W({"a": ["b"], "b": ["a", "c"], "c": ["b"]}, silence_warnings=True)
    w.transform = "B"
    before = {k: list(v) for k, v in w.weights.items()}
    out = sp.as_weights(w, ["c", "b", "a"], row_standardise=True)
    assert out.id_order == ["c", "b", "a"] and out.transform == "R"
    assert out.full()[0].tolist() == [[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0]]
    assert w.transform == "B" and w.weights == before and w.id_order == ["a", "b", "c"]
    assert sp.as_weights(w).transform == "B"  # default keeps the caller's transform
    # a square matrix table, its rows and columns in different orders
    m = pd.DataFrame([[0, 2, 0], [2, 0, 1], [0, 1, 0]], index=list("abc"), columns=list("abc"))
    shuffled = m.loc[["c", "a", "b"], ["b", "c", "a"]]
    mw = sp.as_weights(shuffled, ["a", "b", "c"])
    assert mw.full()[0].tolist() == [[0, 2, 0], [2, 0, 1], [0, 1, 0]] and mw.transform == "O"
    with pytest.raises(DataError, match=r"not in the spatial weights: \['d'\]"):
        sp.as_weights(w, ["a", "b", "d"])
    with pytest.raises(DataError, match=r"\['a', 'c'\] have no neighbour.*a \(lost b\); c \(lo"):
        sp.as_weights(w, ["a", "c"])
    with pytest.raises(DataError, match="not keys"):
        sp.as_weights({"a": ["b", "z"], "b": ["a"]})
    with pytest.raises(DataError, match="diagonal"):
        sp.as_weights(pd.DataFrame([[1, 1], [1, 0]], index=list("ab"), columns=list("ab")))
    with pytest.raises(DataError, match=">= 0"):
        sp.as_weights({"a": {"b": -1.0}, "b": {"a": 1.0}})


def test_as_weights_reads_gal_file_by_id(mexico, tmp_path):
    csv, gal, _ = mexico
    w = sp.as_weights(examples.get_path("mexico.gal"), [str(i) for i in range(32)])
    assert w.id_order == [str(i) for i in range(32)]
    assert sorted(w.neighbors["10"]) == sorted(gal.neighbors["10"])
    path = tmp_path / "w.csv"
    pd.DataFrame([[0, 1], [1, 0]], index=["a", "b"], columns=["a", "b"]).rename_axis("unit").to_csv(
        path
    )
    assert sp.as_weights(path, ["b", "a"]).neighbors == {"b": ["a"], "a": ["b"]}


# ----------------------------------------------------------------------------- global statistics


def test_moran_mexico_1940_matches_spdep_with_rows_shuffled(mexico):
    csv, gal, w = mexico
    data = pd.DataFrame({"unit": csv["State"], "period": 1940, "value": csv["pcgdp1940"]})
    shuffled = data.sample(frac=1.0, random_state=7).reset_index(drop=True)
    assert shuffled["unit"].tolist() != data["unit"].tolist()
    res = sp.moran(shuffled, w, permutations=99, seed=1)
    t = res.table.set_index("statistic")
    assert t.loc["moran_i", "value"] == pytest.approx(0.1075426, abs=5e-8)  # spdep moran.test
    assert t.loc["moran_i", "expected"] == pytest.approx(-1 / 31)
    assert t.loc["moran_i", "n"] == 32
    # the trap: mexico.gal in its file order against the csv rows gives another number
    import esda

    g = libpysal.io.open(examples.get_path("mexico.gal")).read()
    assert g.id_order[10:12] == ["11", "10"]
    naive = esda.Moran(csv["pcgdp1940"].to_numpy(), g, permutations=0).I
    assert naive == pytest.approx(0.0958724, abs=1e-6)
    assert w.transform == "O"  # the caller's W was not row-standardised in place


def test_moran_rook_from_shapefile_aligned_by_state(mexico):
    shp = examples.get_path("mexicojoin.shp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rook = libpysal.weights.Rook.from_shapefile(shp, idVariable="NAME")
        dbf = libpysal.io.open(examples.get_path("mexicojoin.dbf"))
        names, y = dbf.by_col("NAME"), np.array(dbf.by_col("PCGDP1940"), dtype=float)
        dbf.close()
    # libpysal orders the ids of this W alphabetically, not as the file: order-based
    # matching would pair values with the wrong polygons
    assert rook.id_order != names and sorted(rook.id_order) == sorted(names)
    # independent computation in file order: I = (n / S0) z'Wz / z'z with row-standardised W
    a = np.zeros((32, 32))
    pos = {u: k for k, u in enumerate(names)}
    for u, nbs in rook.neighbors.items():
        for v in nbs:
            a[pos[u], pos[v]] = 1.0
    wr = a / a.sum(axis=1, keepdims=True)
    z = y - y.mean()
    expected = z @ wr @ z / (z @ z)
    data = pd.DataFrame({"unit": names, "period": 1940, "value": y}).iloc[::-1]
    got = sp.moran(data, rook, permutations=0).table.set_index("statistic")
    assert got.loc["moran_i", "value"] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.1106423, abs=1e-7)
    assert np.isnan(got.loc["moran_i", "p_sim"])
    assert rook.transform == "O"


def test_geary_against_formula_and_conventions(mexico):
    csv, _, w = mexico
    data = pd.DataFrame({"unit": csv["State"], "period": 1940, "value": csv["pcgdp1940"]})
    t = sp.moran(data.iloc[::-1], w, permutations=199, seed=3).table.set_index("statistic")
    names = csv["State"].tolist()
    pos = {u: k for k, u in enumerate(names)}
    a = np.zeros((32, 32))
    for u, nbs in w.neighbors.items():
        for v in nbs:
            a[pos[u], pos[v]] = 1.0
    wr = a / a.sum(axis=1, keepdims=True)
    y = csv["pcgdp1940"].to_numpy(dtype=float)
    n, s0 = len(y), wr.sum()
    sq = np.sum(wr * (y[:, None] - y[None, :]) ** 2)
    c = (n - 1) * sq / (2 * s0 * np.sum((y - y.mean()) ** 2))
    assert t.loc["geary_c", "value"] == pytest.approx(c, rel=1e-12)
    assert t.loc["geary_c", "expected"] == 1.0
    # C < 1 (positive autocorrelation) gives a negative z; p_norm is two-sided
    assert t.loc["geary_c", "value"] < 1 and t.loc["geary_c", "z"] < 0
    from scipy import stats

    for s in ("moran_i", "geary_c"):
        assert t.loc[s, "p_norm"] == pytest.approx(2 * stats.norm.sf(abs(t.loc[s, "z"])))
        p = t.loc[s, "p_sim"]
        assert 1 / 200 <= p <= 0.5 and round(p * 200) == pytest.approx(p * 200)


def test_seed_makes_permutations_reproducible_and_restores_numpy_state(mexico):
    csv, _, w = mexico
    data = pd.DataFrame({"unit": csv["State"], "period": 1940, "value": csv["pcgdp1940"]})
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    a = sp.moran(data, w, permutations=99, seed=5).table
    assert np.array_equal(np.random.get_state()[1], state)
    b = sp.moran(data, w, permutations=99, seed=5).table
    pd.testing.assert_frame_equal(a, b)
    la = sp.lisa(data, w, permutations=99, seed=5).table
    lb = sp.lisa(data, w, permutations=99, seed=5).table
    pd.testing.assert_frame_equal(la, lb)
    lc = sp.lisa(data, w, permutations=99, seed=6).table
    assert not np.array_equal(la["p_sim"], lc["p_sim"])


def test_moran_on_provinces_by_kind_name_and_unbalanced_periods():
    data = _provinces_data()
    data = data[~((data["period"] == 2021) & (data["unit"] == "CN-XZ"))]
    res = sp.moran(data, "inverse_distance", weights_options={"power": 2}, permutations=99)
    t = res.table
    assert t["period"].tolist() == [2020, 2020, 2021, 2021]
    assert t["n"].tolist() == [31, 31, 30, 30]
    mi = t[t["statistic"] == "moran_i"]["value"]
    assert (mi > 0.3).all()  # a north-south gradient is strongly autocorrelated
    assert res.params["weights"] == "inverse_distance" and res.params["transform"] == "R"
    s = res.summary()
    assert list(s.columns) == ["period", "moran_i", "moran_p_sim", "geary_c", "geary_p_sim"]
    assert list(res.tables()) == ["moran"]
    assert list(t.columns) == [
        "period",
        "statistic",
        "value",
        "expected",
        "z",
        "p_norm",
        "z_rand",
        "p_rand",
        "p_sim",
        "n",
    ]
    fig = res.plot(2020)
    line = fig.axes[0].lines[-1]
    x, yline = line.get_data()
    slope = (yline[1] - yline[0]) / (x[1] - x[0])
    assert slope == pytest.approx(mi.iloc[0])  # row-standardised: the slope is Moran's I


def test_moran_errors():
    data = _provinces_data((2020,))
    with pytest.raises(DataError, match=r"not in the spatial weights: \['CN-XX'\]"):
        w = sp.spatial_weights("contiguity")
        extra = pd.concat([data, pd.DataFrame([{"unit": "CN-XX", "period": 2020, "value": 1.0}])])
        sp.moran(extra, w)
    const = data.assign(value=1.0)
    with pytest.raises(DataError, match="2020.*same value"):
        sp.moran(const, "contiguity")
    with pytest.raises(DataError, match="period 2020 has 2"):
        sp.moran(data.head(2), "inverse_distance")
    with pytest.raises(DataError, match=r"CN-HI.*lost CN-GD"):
        sp.moran(data[data["unit"] != "CN-GD"], "contiguity")
    with pytest.raises(DataError, match="permutations"):
        sp.moran(data, "contiguity", permutations=-1)
    with pytest.raises(DataError, match="weights_options"):
        sp.moran(data, sp.spatial_weights(), weights_options={"power": 2})


# ----------------------------------------------------------------------------- LISA


def test_lisa_line_of_four_by_hand():
    data, w = _line4()
    res = sp.lisa(data, w, permutations=999, seed=11, alpha=1.0)
    t = res.table.set_index("unit")
    # deviations -2, -3, 4, 1 (variance 7.5); lags of deviations -3, 1, -1, 4;
    # esda's I_i = (n - 1) z_i lag_i / sum z^2 = dev_i lag_i / 10
    assert np.allclose(t["Ii"], [0.6, -0.3, -0.4, 0.4])
    assert t["lag"].tolist() == [1.0, 5.0, 3.0, 8.0]
    assert t["quadrant"].tolist() == [3, 2, 4, 1]
    assert t["cluster"].tolist() == ["LL", "LH", "HL", "HH"]
    assert t["cluster_zh"].tolist() == ["低-低", "低-高", "高-低", "高-高"]
    # A's one neighbour is drawn from B, C, D: I_A would be 0.6, -0.8, -0.2, so the observed
    # value is the largest with probability 1/3
    assert t.loc["A", "p_sim"] == pytest.approx(1 / 3, abs=0.05)
    assert t.loc["D", "p_sim"] == pytest.approx(1 / 3, abs=0.05)
    # sum of I_i = (n - 1) I with I = 0.1
    assert t["Ii"].sum() == pytest.approx(0.3)
    assert sp.moran(data, w, permutations=0).table["value"].iloc[0] == pytest.approx(0.1)
    strict = sp.lisa(data, w, permutations=999, seed=11, alpha=0.05).table
    assert (strict["cluster"] == "not significant").all()
    assert (strict["cluster_zh"] == "不显著").all()
    assert list(strict.columns) == [
        "period",
        "unit",
        "value",
        "lag",
        "Ii",
        "z",
        "p_sim",
        "quadrant",
        "cluster",
        "cluster_zh",
    ]
    s = res.summary()
    assert s.iloc[0].tolist() == [2020, 1, 1, 1, 1, 0]
    assert list(s.columns) == ["period", "HH", "LH", "LL", "HL", "not significant"]
    assert res.plot().axes and list(res.tables()) == ["lisa"]


def test_lisa_mexico_aligned_and_weights_untouched(mexico):
    csv, _, w = mexico
    data = pd.DataFrame({"unit": csv["State"], "period": 1940, "value": csv["pcgdp1940"]})
    before = {k: list(v) for k, v in w.weights.items()}
    t = sp.lisa(data.sample(frac=1.0, random_state=2), w, permutations=499, seed=0).table
    assert w.transform == "O" and w.weights == before
    t = t.set_index("unit").loc[csv["State"]]
    names = csv["State"].tolist()
    y = csv["pcgdp1940"].to_numpy(dtype=float)
    z = (y - y.mean()) / y.std()
    lag = np.array([np.mean([z[names.index(v)] for v in w.neighbors[u]]) for u in names])
    assert np.allclose(t["Ii"], 31 * z * lag / 32)
    assert np.allclose(t["Ii"].sum(), 31 * 0.1075426, atol=1e-6)
    q = np.where(z > 0, np.where(lag > 0, 1, 4), np.where(lag > 0, 2, 3))
    assert t["quadrant"].tolist() == q.tolist()
    sig = t["p_sim"] <= 0.05
    assert (t.loc[~sig, "cluster"] == "not significant").all()
    assert sig.any() and (t.loc[sig, "cluster"] != "not significant").all()
    assert t["p_sim"].between(1 / 500, 0.5).all()


def test_lisa_errors():
    data, w = _line4()
    with pytest.raises(DataError, match="alpha"):
        sp.lisa(data, w, alpha=0)
    with pytest.raises(DataError, match="permutations"):
        sp.lisa(data, w, permutations=0)
    with pytest.raises(DataError, match="engine"):
        sp.lisa(data, w, engine="numba")


def test_moran_z_under_randomisation_by_hand():
    """Cliff and Ord (1981) variance of I under randomisation, on the line of four units."""
    data, nb = _line4()
    t = sp.moran(data, nb, permutations=0).table.set_index("statistic").loc["moran_i"]
    y = np.array([2.0, 1.0, 8.0, 5.0])
    w = np.array([[0, 1, 0, 0], [0.5, 0, 0.5, 0], [0, 0.5, 0, 0.5], [0, 0, 1, 0]])
    n = 4
    z = y - y.mean()
    s0 = w.sum()
    s1 = 0.5 * ((w + w.T) ** 2).sum()
    s2 = ((w.sum(1) + w.sum(0)) ** 2).sum()
    i = n / s0 * (z @ w @ z) / (z @ z)
    ei = -1 / (n - 1)
    k = n * (z**4).sum() / (z @ z) ** 2
    v = (
        n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0**2)
        - k * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0**2)
    ) / ((n - 1) * (n - 2) * (n - 3) * s0**2) - ei**2
    assert t["value"] == pytest.approx(i, rel=1e-12)
    assert t["z_rand"] == pytest.approx((i - ei) / np.sqrt(v), rel=1e-10)
    assert t["p_rand"] == pytest.approx(2 * stats.norm.sf(abs(t["z_rand"])), rel=1e-12)


def test_lisa_ties_at_the_edge_are_not_significant():
    """A's only neighbour holds the largest other value: its I_i is the smallest possible and a
    third of the conditional draws tie with it, so p_sim is about 1/3, not 1/(R+1)."""
    w = {"A": ["B"], "B": ["A", "C"], "C": ["B", "D"], "D": ["C"]}
    data = pd.DataFrame({"unit": list("ABCD"), "period": 2020, "value": [2.0, 9.0, 1.0, 5.0]})
    t = sp.lisa(data, w, permutations=999, seed=1).table.set_index("unit")
    assert 0.25 < t.loc["A", "p_sim"] < 0.42
    assert t.loc["A", "cluster"] == "not significant"
