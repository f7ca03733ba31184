"""Rank-sum ratio: the textbook example of 10 regions, reproduced to the printed digits."""

import numpy as np
import pandas as pd
import pytest

from nqpf import DataError
from nqpf.index.rsr import rank_matrix, rsr

# 孙振球《医学统计学》: maternal health work of 10 regions (prenatal examination rate %,
# maternal mortality 1/10^5, perinatal mortality ‰), as reprinted with its results in
# Zhang Jingxin, 数学建模与评价类算法, ch. 9 "秩和比法"
DATA = pd.DataFrame(
    {
        "x1": [99.54, 96.52, 99.36, 92.83, 91.71, 95.35, 96.09, 99.27, 94.76, 84.80],
        "x2": [60.27, 59.67, 43.91, 58.99, 35.40, 44.71, 49.81, 31.69, 22.91, 81.49],
        "x3": [16.15, 20.10, 15.60, 17.04, 15.01, 13.93, 17.43, 13.89, 19.87, 23.63],
    },
    index=list("ABCDEFGHIJ"),
)
DIRS = ["+", "-", "-"]


def test_textbook_integer_ranks_regression_and_fitted_values():
    res = rsr(DATA, DIRS)
    ranks = res.ranks.loc[["A", "H", "J"]].to_numpy()
    np.testing.assert_array_equal(ranks, [[10, 2, 6], [8, 9, 10], [1, 1, 1]])
    t = res.table.set_index("unit")
    np.testing.assert_allclose(t.loc[list("JBGIAFCH"), "RSR"],
                               [0.1, 0.4, 0.5, 0.566667, 0.6, 0.666667, 0.766667, 0.9], atol=5e-7)
    np.testing.assert_allclose(t.loc[list("JBGIAFCH"), "probit"],
                               [3.72, 4.33, 4.75, 5.0, 5.39, 5.84, 6.28, 6.96], atol=5e-3)
    np.testing.assert_allclose(t.loc[list("JBGIAFCH"), "RSR_fit"],
                               [0.216, 0.350, 0.444, 0.500, 0.585, 0.686, 0.784, 0.934], atol=5e-4)
    assert t.loc["H", "p"] == pytest.approx(0.975)  # last group: 1 - 1/(4n)
    reg = res.regression
    assert reg["a"] == pytest.approx(-0.60855, abs=5e-6)
    assert reg["b"] == pytest.approx(0.22169, abs=5e-6)
    assert reg["r2"] == pytest.approx(0.9379, abs=5e-5)
    assert reg["a_se"] == pytest.approx(0.12516, abs=5e-6)
    assert reg["b_p"] == pytest.approx(7.66e-05, rel=1e-3)
    assert reg["n_groups"] == 8
    # three grades at probits 4 and 6
    assert list(t.loc[["H", "C"], "grade"]) == [1, 1] and t.loc["J", "grade"] == 3
    assert res.thresholds["grade"].tolist() == [1, 2, 3]


def test_textbook_non_integer_ranks_with_entropy_weights():
    w = [0.2945205, 0.3631078, 0.3423717]  # the book's entropy weights of the raw data
    res = rsr(DATA, DIRS, weights=w, ranking="non-integer")
    t = res.table.set_index("unit")
    np.testing.assert_allclose(
        t.loc[list("JBDGAIEFCH"), "RSR"],
        [0.1, 0.544, 0.578, 0.676, 0.720, 0.725, 0.754, 0.802, 0.826, 0.946], atol=5e-4,
    )
    np.testing.assert_allclose(
        t.loc[list("JBDGAIEFCH"), "RSR_fit"],
        [0.366, 0.456, 0.521, 0.576, 0.627, 0.679, 0.734, 0.798, 0.888, 1.03], atol=5e-3,
    )


def test_ranks_ties_and_directions():
    X = np.array([[1.0, 5.0], [2.0, 5.0], [2.0, 1.0], [4.0, 3.0]])
    R = rank_matrix(X, np.array([1.0, -1.0]))
    np.testing.assert_array_equal(R[:, 0], [1, 2.5, 2.5, 4])
    np.testing.assert_array_equal(R[:, 1], [1.5, 1.5, 4, 3])
    nR = rank_matrix(X, np.array([1.0, -1.0]), "non-integer")
    np.testing.assert_allclose(nR[:, 0], 1 + 3 * (X[:, 0] - 1) / 3)
    np.testing.assert_allclose(nR[:, 1], 1 + 3 * (5 - X[:, 1]) / 4)


def test_custom_cutoffs_and_bad_input():
    res = rsr(DATA, DIRS, cutoffs=[3.72, 4.48, 5.52, 6.28])
    assert res.table["grade"].max() == 5 and res.table["grade"].min() == 1
    assert res.params["cutoffs"] == rsr(DATA, DIRS, grades=5).params["cutoffs"]
    with pytest.raises(DataError, match="ascending"):
        rsr(DATA, DIRS, cutoffs=[6, 4])
    with pytest.raises(DataError, match="grades"):
        rsr(DATA, DIRS, grades=9)
    bad = DATA.copy()
    bad.iloc[2, 1] = np.nan
    with pytest.raises(DataError, match="'C'"):
        rsr(bad, DIRS)
    with pytest.raises(DataError, match="direction"):
        rsr(DATA, ["+", "x", "-"])
