"""Map classes: quantiles, Fisher-Jenks natural breaks, grade bands."""

from __future__ import annotations

import numpy as np
import pytest

from nqpf.errors import DataError
from nqpf.report.classify import breaks, class_of, jenks_breaks, method_label, range_labels


def test_jenks_is_the_least_squares_partition():
    # two clear groups and one outlier: the optimum puts each in its own class
    x = [1.0, 1.1, 1.2, 5.0, 5.1, 5.3, 20.0]
    assert jenks_breaks(x, 3) == [1.2, 5.3, 20.0]
    # brute force over every split of 8 sorted values into 3 classes
    rng = np.random.default_rng(3)
    v = np.sort(rng.gamma(2.0, 1.0, 8))

    def ssd(a):
        return float(((a - a.mean()) ** 2).sum())

    best = min(
        (ssd(v[:i]) + ssd(v[i:j]) + ssd(v[j:]), (v[i - 1], v[j - 1]))
        for i in range(1, 7) for j in range(i + 1, 8)
    )
    got = jenks_breaks(v, 3)
    assert got[:2] == [float(best[1][0]), float(best[1][1])] and got[2] == v[-1]


def test_jenks_agrees_with_mapclassify():
    mapclassify = pytest.importorskip("mapclassify")
    rng = np.random.default_rng(1)
    x = rng.lognormal(size=90)
    np.testing.assert_allclose(jenks_breaks(x, 5), mapclassify.FisherJenks(x, k=5).bins)


def test_quantiles_bands_and_labels():
    x = np.arange(1.0, 11.0)
    assert breaks(x, "quantiles", 5) == [2.8, 4.6, 6.4, 8.2, 10.0]
    assert breaks(x, [3, 6, 20]) == [3.0, 6.0, 20.0]  # grade bands, the top one open
    assert breaks(x, [3, 6]) == [3.0, 6.0, 10.0]
    assert breaks([2.0, 2.0, 5.0], "quantiles", 5) == [2.0, 5.0]  # 2 distinct values
    assert [class_of(v, [3.0, 6.0, 10.0]) for v in (1, 3, 3.5, 10)] == [0, 0, 1, 2]
    assert range_labels([3.0, 6.0], 1.0, 1) == ["1.0–3.0", "3.0–6.0"]
    assert method_label("jenks", 5, "zh") == "自然断点 (Jenks) 分级, 5 级"
    assert method_label([0.6, 0.8], 3, "en") == "grade bands"
    with pytest.raises(DataError, match="unknown method"):
        breaks(x, "equal")
    with pytest.raises(DataError, match="no finite"):
        breaks([np.nan], "quantiles")
