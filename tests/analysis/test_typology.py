"""Region typology: recovery of known clusters, silhouettes by hand, naming, gaps, determinism."""

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import pdist, squareform

from nqpf import DataError, Panel
from nqpf.analysis.typology import silhouette_samples, typology
from nqpf.index import build_index

DIMS = ["innovation", "green", "openness", "sharing"]
CENTRES = np.array([[3.0, 0, 0, 0], [0, 3.0, 0, 0], [0, 0, 3.0, -3.0]])


def _clusters(seed=1, per=8, scale=0.3):
    rng = np.random.default_rng(seed)
    X = np.vstack([c + rng.normal(scale=scale, size=(per, 4)) for c in CENTRES])
    df = pd.DataFrame(X, columns=DIMS)
    df.insert(0, "unit", [f"u{i:02d}" for i in range(len(X))])
    truth = np.repeat(np.arange(len(CENTRES)), per)
    return df, truth


def _same_partition(a, b) -> bool:
    """Equal up to a relabelling: a one-to-one map between the labels of a and b."""
    pairs = set(zip(a, b, strict=True))
    return len(pairs) == len(set(a)) == len(set(b))


@pytest.mark.parametrize("method", ["kmeans", "ward"])
def test_well_separated_clusters_are_recovered(method):
    df, truth = _clusters()
    res = typology(df, method=method)
    assert res.params["k"] == 3
    kt = res.k_table
    assert kt.loc[kt["chosen"], "k"].item() == 3
    assert kt.loc[kt["chosen"], "silhouette"].item() == kt["silhouette"].max()
    assert list(kt["k"]) == list(range(2, 9))
    got = res.assignments.set_index("unit").loc[df["unit"], "type"].to_numpy()
    assert _same_partition(got, truth)


def test_silhouette_by_hand():
    # 1-D points 0, 1, 5, 6 in clusters {0, 1} and {5, 6}:
    # s(0) = (5.5 - 1)/5.5, s(1) = (4.5 - 1)/4.5, symmetric for the other cluster
    x = np.array([[0.0], [1.0], [5.0], [6.0]])
    D = squareform(pdist(x))
    s = silhouette_samples(D, np.array([0, 0, 1, 1]))
    want = [4.5 / 5.5, 3.5 / 4.5, 3.5 / 4.5, 4.5 / 5.5]
    assert s.tolist() == pytest.approx(want)
    # clusters {0} and {1, 5, 6}: the singleton has silhouette 0;
    # point 1: a = mean(4, 5) = 4.5, b = 1 -> (1 - 4.5)/4.5
    # point 5: a = mean(4, 1) = 2.5, b = 5 -> 0.5; point 6: a = mean(5, 1) = 3, b = 6 -> 0.5
    s2 = silhouette_samples(D, np.array([0, 1, 1, 1]))
    assert s2.tolist() == pytest.approx([0.0, -3.5 / 4.5, 0.5, 0.5])
    # the same numbers through typology() on unscaled data with k = 2
    df = pd.DataFrame({"unit": ["a", "b", "c", "d"], "x": x[:, 0]})
    res = typology(df, k=2, standardise="none")
    sil = res.assignments.set_index("unit")["silhouette"]
    assert sil.loc[["a", "b", "c", "d"]].tolist() == pytest.approx(want)
    assert res.params["mean_silhouette"] == pytest.approx(np.mean(want))


def test_deterministic_with_the_seed():
    df, _ = _clusters(seed=5, scale=1.2)  # overlapping clusters: starts matter
    a = typology(df, k=4, seed=7)
    b = typology(df, k=4, seed=7)
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    assert a.params["inertia"] == b.params["inertia"]
    assert a.params["seed"] == 7 and a.params["n_init"] == 50
    # row order of the input does not change the result
    c = typology(df.iloc[::-1], k=4, seed=7)
    pd.testing.assert_frame_equal(a.assignments, c.assignments)
    # the kept run is the best of the starts: no worse than a single start
    one = typology(df, k=4, seed=7, n_init=1)
    assert a.params["inertia"] <= one.params["inertia"] + 1e-12


def test_type_names_profiles_and_numbering():
    df, truth = _clusters()
    res = typology(df)
    raw = df[DIMS].to_numpy()
    z = (raw - raw.mean(axis=0)) / raw.std(axis=0, ddof=1)
    a = res.assignments.set_index("unit")
    for c in range(3):
        members = df["unit"][truth == c]
        t = a.loc[members, "type"].unique()
        assert len(t) == 1
        prof = res.profiles[res.profiles["type"] == t[0]].set_index("dimension")
        assert prof["z"].to_numpy() == pytest.approx(z[truth == c].mean(axis=0))
        assert prof["mean"].to_numpy() == pytest.approx(raw[truth == c].mean(axis=0))
    # the innovation cluster: z(innovation) > 0.5 and z(sharing) > 0.5 (the third cluster
    # drags sharing down), the rest below -0.5; strong dimensions by descending z
    t_innov = a.loc["u00", "type"]
    name = a.loc["u00", "type_name"]
    assert name.startswith("strong: innovation, sharing; weak: ")
    assert a.loc["u00", "type_name_zh"].startswith("优势：innovation、sharing；短板：")
    roles = res.profiles[res.profiles["type"] == t_innov].set_index("dimension")["role"]
    assert roles.to_dict() == {"innovation": "strong", "green": "weak", "openness": "weak",
                               "sharing": "strong"}
    # types numbered by mean overall score (mean of the dimensions here), 1 the highest
    over = res.summary().set_index("type")["overall_mean"]
    assert over.is_monotonic_decreasing


def test_gaps_to_type_and_to_best_in_type():
    df, truth = _clusters()
    res = typology(df)
    g = res.gaps.set_index(["unit", "dimension"])
    raw = df.set_index("unit")[DIMS]
    overall = raw.mean(axis=1)
    members = df["unit"][truth == 0].tolist()
    best = overall[members].idxmax()
    tmean = raw.loc[members].mean()
    sd = raw.std(ddof=1)
    for u in members[:3]:
        for d in DIMS:
            r = g.loc[(u, d)]
            assert r["value"] == pytest.approx(raw.loc[u, d])
            assert r["type_mean"] == pytest.approx(tmean[d])
            assert r["gap_to_type"] == pytest.approx(raw.loc[u, d] - tmean[d])
            assert r["gap_to_type_z"] == pytest.approx((raw.loc[u, d] - tmean[d]) / sd[d])
            assert r["best_unit"] == best
            assert r["best_in_type"] == pytest.approx(raw.loc[best, d])
            assert r["gap_to_best"] == pytest.approx(raw.loc[u, d] - raw.loc[best, d])
    assert (g.loc[best]["gap_to_best"] == 0).all()
    a = res.assignments.set_index("unit")
    assert a.loc[members[0], "best_in_type"] == best
    t = res.tables()
    assert set(t) == {"typology", "typology_profiles", "typology_gaps", "typology_k"}
    assert list(t["typology"].columns[:4]) == ["unit", "type", "type_name", "type_name_zh"]
    assert res.plot().axes


def test_strengths_and_weaknesses_against_the_type():
    # one type of four units; 'd' is 1 sd above its type mean on x
    df = pd.DataFrame({
        "unit": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "x": [0.0, 0.0, 0.0, 1.0, 10.0, 10.0, 10.0, 10.0],
        "y": [0.0, 0.1, 0.2, 0.0, 10.0, 10.2, 10.1, 10.0],
    })
    res = typology(df, k=2, method="ward")
    a = res.assignments.set_index("unit")
    sd_x = df["x"].std(ddof=1)
    gap_d = 1.0 - 0.25  # d's x minus the mean of a, b, c, d
    assert gap_d / sd_x < 0.5  # below the threshold: on par
    assert a.loc["d", "strengths"] == ""
    strict = typology(df, k=2, method="ward", threshold=0.1)
    assert strict.assignments.set_index("unit").loc["d", "strengths"] == "x"
    gd = strict.gaps.set_index(["unit", "dimension"]).loc[("d", "x")]
    assert gd["assessment"] == "strength"
    assert gd["gap_to_type_z"] == pytest.approx(gap_d / sd_x)


def test_index_result_profiles_averaged_over_periods():
    rows = []
    vals = {"u1": (1, 9, 2), "u2": (2, 8, 1), "u3": (8, 1, 9), "u4": (9, 2, 8), "u5": (5, 5, 5)}
    for u, v in vals.items():
        for t, bump in ((2020, 0.0), (2021, 0.5)):
            rows.append({"unit": u, "period": t, "a": v[0] + bump, "b": v[1] + bump,
                         "c": v[2] + bump})
    panel = Panel.from_wide(pd.DataFrame(rows), unit="unit", period="period")
    fw = {
        "id": "t3", "name_zh": "三", "name_en": "Three",
        "dimensions": [
            {"id": "da", "name_zh": "甲", "indicators": [
                {"id": "a", "name_zh": "甲", "unit": "", "direction": "+"}]},
            {"id": "db", "name_zh": "乙", "indicators": [
                {"id": "b", "name_zh": "乙", "unit": "", "direction": "+"},
                {"id": "c", "name_zh": "丙", "unit": "", "direction": "+"}]},
        ],
    }
    res = build_index(panel, fw, weights="equal")
    ty = typology(res, k=2)
    s = res.scores[res.scores.level == "dimension"]
    want = s.groupby(["unit", "node"])["score"].mean().unstack()[["da", "db"]]
    assert np.allclose(ty.profile_values.to_numpy(), want.loc[ty.profile_values.index].to_numpy())
    assert ty.params["periods"] == [2020, 2021]
    both = typology(res, k=2, periods=range(2020, 2022))
    pd.testing.assert_frame_equal(both.profile_values, ty.profile_values)
    one = typology(res, k=2, periods=2021)
    s21 = s[s.period == 2021].pivot(index="unit", columns="node", values="score")[["da", "db"]]
    assert np.allclose(one.profile_values.to_numpy(), s21.loc[one.profile_values.index])
    # the best unit of a type is the one with the highest mean index
    idx = res.scores[res.scores.node == "index"].groupby("unit")["score"].mean()
    a = ty.assignments.set_index("unit")
    for _t, grp in a.groupby("type"):
        assert grp["best_in_type"].iloc[0] == idx[grp.index].idxmax()
    with pytest.raises(DataError, match="not in the data"):
        typology(res, periods=2030)
    # a unit without a score (all its indicators missing in 2021) is an error or left out
    gap = panel.to_long()
    gap = gap[~((gap.unit == "u5") & (gap.period == 2021))]
    holed = build_index(Panel.from_long(gap, unit="unit", period="period", indicator="indicator",
                                        value="value"), fw, weights="equal")
    with pytest.raises(DataError, match="unit 'u5', period 2021"):
        typology(holed, k=2)
    assert typology(holed, k=2, missing="drop").params["dropped_units"] == ["u5"]
    assert len(typology(holed, k=2, periods=2020).assignments) == 5


def test_wide_table_with_periods_and_overall_column():
    df = pd.DataFrame({
        "unit": ["a", "a", "b", "b", "c", "c", "d", "d"],
        "period": [2020, 2021] * 4,
        "x": [0.0, 1.0, 0.2, 0.4, 5.0, 5.0, 6.0, 5.0],
        "y": [1.0, 1.0, 0.0, 0.0, 4.0, 6.0, 5.0, 5.0],
        "score": [0.1, 0.2, 0.9, 0.9, 0.3, 0.3, 0.5, 0.6],
    })
    res = typology(df, k=2, overall="score")
    assert res.profile_values.loc["a", "x"] == pytest.approx(0.5)
    a = res.assignments.set_index("unit")
    assert a.loc["a", "best_in_type"] == "b"  # b has the higher mean score in its type
    assert a.loc["c", "best_in_type"] == "d"
    assert a.loc["b", "type"] == 1  # the type with the higher mean overall score is type 1
    assert "score" not in res.profile_values.columns


def test_errors():
    df, _ = _clusters()
    with pytest.raises(DataError, match="at least three units"):
        typology(df.head(2))
    const = df.assign(green=1.0)
    with pytest.raises(DataError, match="'green' has the same value"):
        typology(const)
    with pytest.raises(DataError, match="k must be"):
        typology(df, k=1)
    with pytest.raises(DataError, match="k must be"):
        typology(df.head(4), k=4)
    with pytest.raises(DataError, match="unknown typology method"):
        typology(df, method="dbscan")
    with pytest.raises(DataError, match="appears twice"):
        typology(pd.concat([df, df.head(1)]))
    holed = df.assign(green=[np.nan] + df["green"].tolist()[1:])
    with pytest.raises(DataError, match="'u00' has no value for dimension 'green'"):
        typology(holed)
    dropped = typology(holed, missing="drop")
    assert dropped.params["dropped_units"] == ["u00"]
    assert "u00" not in set(dropped.assignments["unit"]) and len(dropped.assignments) == 23
    assert df["green"].notna().all()  # inputs untouched
