"""Getis-Ord Gi*: hand-derived values on a line of four units, esda, classes, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.analysis.hotspot import hotspots
from nqpf.errors import DataError

LINE = {"A": ["B"], "B": ["A", "C"], "C": ["B", "D"], "D": ["C"]}


def _data(values=(2.0, 1.0, 8.0, 5.0)):
    return pd.DataFrame({"unit": list("ABCD"), "period": 2020, "value": list(values)})


def test_gi_star_by_hand():
    # x = 2 1 8 5, mean 4, population sd sqrt(7.5); binary weights with the unit itself
    t = hotspots(_data(), LINE, permutations=0).table.set_index("unit")
    s = np.sqrt(7.5)
    assert t.loc["C", "gi_star"] == pytest.approx(14 / 16)
    assert t.loc["C", "z"] == pytest.approx((14 - 4 * 3) / (s * np.sqrt((4 * 3 - 9) / 3)))
    assert t.loc["A", "z"] == pytest.approx((3 - 4 * 2) / (s * np.sqrt((4 * 2 - 4) / 3)))
    assert t["p_sim"].isna().all()


def test_matches_esda():
    import esda
    import libpysal

    rng = np.random.default_rng(4)
    units = [f"u{i}" for i in range(30)]
    nb = {u: [units[(i - 1) % 30], units[(i + 1) % 30]] for i, u in enumerate(units)}
    x = rng.gamma(2.0, 1.0, 30)
    t = hotspots(
        pd.DataFrame({"unit": units, "period": 1, "value": x}), nb, permutations=0
    ).table.set_index("unit")
    w = libpysal.weights.W(nb)
    xs = pd.Series(x, index=units).loc[w.id_order].to_numpy()  # esda reads y in W's id order
    g = esda.G_Local(xs, w, transform="B", star=True, permutations=0)
    assert np.allclose(t.loc[w.id_order, "gi_star"], g.Gs, rtol=1e-12)
    assert np.allclose(t.loc[w.id_order, "z"], g.Zs, rtol=1e-10)


def test_ties_do_not_make_an_edge_value_significant():
    # A's only neighbour holds the smallest other value: a third of the draws tie with it
    t = hotspots(_data(), LINE, permutations=999, seed=1).table.set_index("unit")
    assert t.loc["A", "p_sim"] > 0.2 and t.loc["A", "bin"] == 0


def test_a_cluster_of_high_values_is_a_hot_spot():
    n = 40
    units = [f"u{i:02d}" for i in range(n)]
    nb = {u: [units[j] for j in (i - 2, i - 1, i + 1, i + 2) if 0 <= j < n] for i, u in
          enumerate(units)}  # fmt: skip
    x = np.ones(n)
    x[18:23] = 10.0
    res = hotspots(pd.DataFrame({"unit": units, "period": 1, "value": x}), nb, seed=3)
    t = res.table.set_index("unit")
    assert t.loc["u20", "bin"] == 3 and t.loc["u20", "label_zh"] == "热点（99%置信）"
    assert t.loc["u00", "bin"] <= 0
    s = res.summary()
    assert int(s[["hot99", "hot95", "hot90"]].sum(axis=1).iloc[0]) >= 3
    again = hotspots(pd.DataFrame({"unit": units, "period": 1, "value": x}), nb, seed=3)
    assert again.table["p_sim"].equals(res.table["p_sim"])


def test_bad_input():
    with pytest.raises(DataError, match="values >= 0"):
        hotspots(_data((1.0, -2.0, 3.0, 4.0)), LINE)
    with pytest.raises(DataError, match="same value"):
        hotspots(_data((0.0, 0.0, 0.0, 0.0)), LINE)
