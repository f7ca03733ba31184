"""Fuzzy comprehensive evaluation: the garment and farming-plan examples as printed."""

import numpy as np
import pandas as pd
import pytest

from nqpf import DataError
from nqpf.index.fuzzy import compose, defuzzify, fuzzy_evaluate, membership

# Zhang Jingxin, 数学建模与评价类算法, ch. 10 "模糊综合评价"
PLANS = pd.DataFrame(
    {"product": [592.5, 529, 412], "quality": [3, 2, 1], "labor": [55, 38, 32],
     "income": [72, 105, 85], "ecology": [4, 3, 2]},
    index=["甲", "乙", "丙"],
)
# grade standards for 差, 中, 良, 优 (decreasing: smaller is better)
STANDARDS = {"product": [0, 350, 450, 550], "quality": [4, 3, 2, 1], "labor": [80, 60, 40, 20],
             "income": [0, 50, 90, 130], "ecology": [4, 3, 2, 1]}
W = [0.2, 0.1, 0.15, 0.3, 0.25]
GRADES = ["差", "中", "良", "优"]
SCORES = [30, 60, 75, 90]


def test_garment_example():
    R = np.array([[0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.6, 0.2, 0.2], [0.7, 0.1, 0.2]])
    b = compose([0.3, 0.3, 0.3, 0.1], R)
    np.testing.assert_allclose(b, [0.70, 0.16, 0.14], atol=1e-12)
    assert defuzzify(b, [90, 75, 50], "max") == 90
    assert defuzzify(b, [90, 75, 50], "weighted") == pytest.approx(82.0)


def test_farming_plans_memberships_and_scores():
    by_max = fuzzy_evaluate(PLANS, STANDARDS, W, grades=GRADES, scores=SCORES,
                            defuzzification="max")
    assert by_max.table["score"].tolist() == [60, 75, 75]
    weighted = fuzzy_evaluate(PLANS, STANDARDS, W, grades=GRADES, scores=SCORES)
    np.testing.assert_allclose(weighted.table["score"], [61.5375, 75.5325, 75.6975], atol=1e-10)
    R = weighted.matrices["乙"]
    np.testing.assert_allclose(R.loc["product", ["良", "优"]], [0.21, 0.79])
    np.testing.assert_allclose(R.loc["labor", ["良", "优"]], [0.9, 0.1])
    np.testing.assert_allclose(R.loc["income", ["良", "优"]], [0.625, 0.375])
    np.testing.assert_allclose(weighted.matrices["甲"].loc["labor", ["中", "良"]], [0.75, 0.25])
    assert weighted.table["grade"].tolist() == ["中", "良", "良"]


def test_membership_rows_sum_to_one_and_cost_axis_mirrors():
    x = np.linspace(-1, 12, 60)
    M = membership(x, [0, 3, 7, 10])
    np.testing.assert_allclose(M.sum(axis=1), 1.0)
    np.testing.assert_array_equal(membership([3.0], [0, 3, 7, 10])[0], [0, 1, 0, 0])
    # a cost indicator's decreasing standards are the benefit rule on the negated axis
    np.testing.assert_allclose(membership(x, [10, 7, 3, 0]), membership(-x, [-10, -7, -3, 0]))
    np.testing.assert_allclose(membership(4.0, [0, 3, 7, 10])[0], [0, 0.75, 0.25, 0])


@pytest.mark.parametrize(
    ("operator", "want"),
    [("min-max", [0.3, 0.2, 0.2]), ("product-max", [0.24, 0.06, 0.06]),
     ("bounded", [1.0, 0.6, 0.5]), ("weighted", [0.7, 0.16, 0.14])],
)
def test_operators_by_hand(operator, want):
    R = np.array([[0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.6, 0.2, 0.2], [0.7, 0.1, 0.2]])
    b = compose([0.3, 0.3, 0.3, 0.1], R, operator, normalise=False)
    np.testing.assert_allclose(b, want, atol=1e-12)


def test_bad_input_is_named():
    with pytest.raises(DataError, match="monotone|increasing"):
        membership(1.0, [0, 3, 2])
    with pytest.raises(DataError, match="no grade standards"):
        fuzzy_evaluate(PLANS, {"product": [0, 1, 2, 3]}, W)
    with pytest.raises(DataError, match="operator"):
        compose([1.0], [[1.0, 0.0]], "avg")
