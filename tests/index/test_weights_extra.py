"""Independence, factor-analysis and fuzzy AHP weights."""

import numpy as np
import pytest

from nqpf import DataError
from nqpf.index.weights import weights
from nqpf.index.weights_extra import factor, fahp, independence


def _data(seed=0, n=80):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    e = rng.normal(size=(n, 5))
    return np.column_stack([f[:, 0] + 0.5 * e[:, 0], f[:, 0] + 0.7 * e[:, 1],
                            f[:, 1] + 0.5 * e[:, 2], f[:, 1] + 0.4 * e[:, 3],
                            0.3 * f[:, 0] + 0.3 * f[:, 1] + e[:, 4]])


def test_independence_weights_follow_the_regressions():
    Z = _data()
    res = independence(Z)
    R = []
    for j in range(Z.shape[1]):
        y = Z[:, j]
        X = np.column_stack([np.ones(len(Z)), np.delete(Z, j, axis=1)])
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        resid = y - X @ beta
        R.append(np.sqrt(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))))
    np.testing.assert_allclose(res.details["R"], R, rtol=1e-10)
    np.testing.assert_allclose(res.weights, (1 / np.array(R)) / (1 / np.array(R)).sum())
    # the least redundant indicator (the fifth) gets the largest weight
    assert np.argmax(res.weights) == 4
    assert np.allclose(weights(Z, "independence").weights, res.weights)


def test_factor_weights_by_hand_for_one_factor_and_two():
    Z = _data()
    one = factor(Z, retain=1)
    C = np.corrcoef(Z, rowvar=False)
    lam, vec = np.linalg.eigh(C)
    v = vec[:, -1] * np.sign(vec[:, -1].sum())
    np.testing.assert_allclose(one.weights, v / v.sum(), rtol=1e-10)  # L/√EV = v
    two = factor(Z)
    assert two.details["n_factors"] == 2
    L, ev = two.details["loadings"], two.details["factor_variance"]
    comp = (L / np.sqrt(ev)) @ ev / ev.sum()
    np.testing.assert_allclose(two.weights, comp / comp.sum(), rtol=1e-12)
    np.testing.assert_allclose((L**2).sum(axis=0), ev)


def test_fuzzy_ahp_with_crisp_judgements_is_the_geometric_mean_ahp():
    A = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    g = np.exp(np.log(A).mean(axis=1))
    np.testing.assert_allclose(fahp(A.tolist()).weights, g / g.sum(), rtol=1e-12)


def test_fuzzy_ahp_buckley_and_chang_by_hand():
    M = [[1, [2, 3, 4]], [[1 / 4, 1 / 3, 1 / 2], 1]]
    # Buckley: geometric means (√2, √3, 2) and (1/2, 1/√3, 1/√2)
    r1, r2 = np.sqrt([2, 3, 4]), np.sqrt([1 / 4, 1 / 3, 1 / 2])
    tot = r1 + r2
    w1 = np.array([r1[0] / tot[2], r1[1] / tot[1], r1[2] / tot[0]]).mean()
    w2 = np.array([r2[0] / tot[2], r2[1] / tot[1], r2[2] / tot[0]]).mean()
    np.testing.assert_allclose(fahp(M).weights, [w1 / (w1 + w2), w2 / (w1 + w2)], rtol=1e-12)
    # Chang: S1 = (3/6.5, 4/(16/3), 5/4.25) dominates S2 entirely: weight (1, 0), the flaw
    res = fahp(M, fuzzy_method="chang")
    np.testing.assert_allclose(res.details["extents"][0], [3 / 6.5, 0.75, 5 / 4.25])
    np.testing.assert_allclose(res.weights, [1.0, 0.0])
    # overlapping extents: V(S2 ≥ S1) = (l1 − u2)/((m2 − u2) − (m1 − l1))
    M2 = [[1, [0.5, 1, 2]], [[0.5, 1, 2], 1]]
    np.testing.assert_allclose(fahp(M2, fuzzy_method="chang").weights, [0.5, 0.5])


def test_fuzzy_ahp_checks_reciprocity_and_reaches_the_engine():
    with pytest.raises(DataError, match="reciprocal"):
        fahp([[1, [2, 3, 4]], [[1, 1, 1], 1]])
    with pytest.raises(DataError, match="triple"):
        fahp([[1, [3, 2, 4]], [[0.25, 0.5, 1 / 3], 1]])
    from nqpf import Panel, Recipe, build_index

    fw = {"id": "f", "name_zh": "模糊", "dimensions": [
        {"id": "d1", "name_zh": "一", "indicators": [
            {"id": "a", "name_zh": "甲", "unit": "", "direction": "+"},
            {"id": "b", "name_zh": "乙", "unit": "", "direction": "+"}]},
        {"id": "d2", "name_zh": "二", "indicators": [
            {"id": "c", "name_zh": "丙", "unit": "", "direction": "+"}]}]}
    rng = np.random.default_rng(0)
    p = Panel(rng.lognormal(size=(6, 2, 3)), tuple("uvwxyz"), (2020, 2021), ("a", "b", "c"))
    ahp = {"index": [[1, [2, 3, 4]], [[1 / 4, 1 / 3, 1 / 2], 1]],
           "d1": [[1, 1], [1, 1]], "d2": [[1]]}
    res = build_index(p, fw, Recipe(weights="fahp", ahp=ahp))
    wt = res.weights.set_index("node")["weight"]
    np.testing.assert_allclose([wt["d1"], wt["d2"]], fahp(ahp["index"]).weights)
    chang = build_index(p, fw, Recipe(weights="fahp", ahp=ahp, structure="hierarchical",
                                      params={"fahp_method": "chang"}))
    assert chang.weights.set_index("node")["weight"]["d2"] == 0


def test_optimal_weights_equalise_the_correlations_with_the_index():
    Z = _data()[:, :3]
    res = weights(Z, "optimal")
    y = Z @ res.weights
    r = np.array([np.corrcoef(Z[:, j], y)[0, 1] for j in range(3)])
    np.testing.assert_allclose(r, r.mean(), atol=1e-6)
    np.testing.assert_allclose(res.details["correlations"], r, atol=1e-9)
    start = res.details["start_correlations"]
    assert np.ptp(start) > np.ptp(r)
    # an unequal target moves the shares towards it (as far as correlations allow)
    tgt = np.array([0.5, 0.3, 0.2])
    res2 = weights(Z, "optimal", target=tgt)
    r2 = res2.details["correlations"]
    assert ((r2 / r2.sum() - tgt) ** 2).sum() < ((r / r.sum() - tgt) ** 2).sum()
    assert res2.weights[0] > res.weights[0]
