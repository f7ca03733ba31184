"""Weights: hand-computed entropy, CRITIC, CV, SD, PCA, AHP and combinations; invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataError
from nqpf.index.normalise import normalise
from nqpf.index.weights import (
    RANDOM_INDEX,
    WeightResult,
    ahp,
    combine,
    critic,
    cv,
    entropy,
    equal,
    expert,
    pairwise_corr,
    pca,
    sd,
    varimax,
    weights,
)

# ----------------------------------------------------------------------------- entropy

# 3 × 2 example (min-max scores, each column has a zero):
#   col 1 = [0, 0.5, 1]:  sum 1.5, p = [0, 1/3, 2/3]
#         e1 = -(1/ln 3) [0·ln 0 + (1/3) ln(1/3) + (2/3) ln(2/3)]
#            = (0.366204 + 0.270310) / 1.098612 = 0.579380,   d1 = 0.420620
#   col 2 = [0, 1, 1]:    sum 2, p = [0, 1/2, 1/2]
#         e2 = -(1/ln 3) ln(1/2) = 0.693147 / 1.098612 = 0.630930, d2 = 0.369070
#   w = d / (d1 + d2) = [0.532640, 0.467360]
Z_ENT = np.array([[0.0, 0.0], [0.5, 1.0], [1.0, 1.0]])
E1 = -((1 / 3) * math.log(1 / 3) + (2 / 3) * math.log(2 / 3)) / math.log(3)
E2 = -math.log(0.5) / math.log(3)
W_ENT = np.array([1 - E1, 1 - E2]) / (2 - E1 - E2)


def test_entropy_by_hand():
    res = entropy(Z_ENT)
    np.testing.assert_allclose([E1, E2], [0.579380, 0.630930], atol=1e-6)
    np.testing.assert_allclose(res.weights, W_ENT, rtol=1e-12)
    np.testing.assert_allclose(res.weights, [0.532640, 0.467360], atol=1e-6)
    np.testing.assert_allclose(res.details["e"], [E1, E2])
    np.testing.assert_allclose(res.details["d"], [1 - E1, 1 - E2])
    np.testing.assert_allclose(res.details["p"][:, 0], [0, 1 / 3, 2 / 3])
    assert res.details["n"].tolist() == [3, 3] and res.details["constant"] == []
    assert res.method == "entropy"


def test_entropy_with_shift_by_hand():
    c = 0.0001
    zs = Z_ENT + c
    p = zs / zs.sum(axis=0)
    e = -(p * np.log(p)).sum(axis=0) / math.log(3)
    want = (1 - e) / (1 - e).sum()
    res = entropy(Z_ENT, shift=("add", c))
    np.testing.assert_allclose(res.weights, want, rtol=1e-12)
    assert res.details["shift"] == "add 0.0001"
    # the shift changes the weights (slightly), so it must be recorded
    assert not np.allclose(res.weights, W_ENT, rtol=1e-9)
    # rescale to [0.002, 0.998] == 0.996 z + 0.002
    a = entropy(Z_ENT, shift=("rescale", 0.002, 0.998)).weights
    b = entropy(Z_ENT, shift=("affine", 0.996, 0.002)).weights
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_entropy_constant_and_zero_columns_get_weight_zero():
    z = np.column_stack([Z_ENT, np.full(3, 0.7), np.zeros(3)])
    res = entropy(z, names=["a", "b", "flat", "zeros"])
    np.testing.assert_allclose(res.weights[:2], W_ENT, rtol=1e-12)
    assert res.weights[2] == 0.0 and res.weights[3] == 0.0
    assert res.details["constant"] == ["flat", "zeros"]
    assert res.details["is_constant"].tolist() == [False, False, True, True]
    assert not np.isnan(res.weights).any()
    frame = res.to_frame()
    assert list(frame.index) == ["a", "b", "flat", "zeros"]
    assert frame.loc["flat", "weight"] == 0.0 and frame.loc["flat", "e"] == 1.0


def test_entropy_missing_cell_uses_observed_cells():
    # col 1 = [0, 0.5, NaN, 1] -> same shares as [0, 0.5, 1], n = 3: e1 as above
    # col 2 = [0, 1, 1, 0.5]: sum 2.5, p = [0, 0.4, 0.4, 0.2], n = 4
    z = np.array([[0.0, 0.0], [0.5, 1.0], [np.nan, 1.0], [1.0, 0.5]])
    e2 = -(2 * 0.4 * math.log(0.4) + 0.2 * math.log(0.2)) / math.log(4)
    res = entropy(z)
    np.testing.assert_allclose(res.details["e"], [E1, e2])
    np.testing.assert_allclose(res.weights, np.array([1 - E1, 1 - e2]) / (2 - E1 - e2))
    assert res.details["n"].tolist() == [3, 4]
    assert np.isnan(res.details["p"][2, 0])


def test_entropy_errors():
    with pytest.raises(DataError, match=r"non-negative.*'growth'.*minmax first"):
        entropy(np.array([[0.1, -0.2], [0.3, 0.4], [0.2, 0.1]]), names=["gdp", "growth"])
    with pytest.raises(DataError, match="every indicator is constant"):
        entropy(np.ones((4, 3)))
    with pytest.raises(DataError, match="at least 2 observed values"):
        entropy(np.array([[0.1, np.nan], [0.3, np.nan], [0.2, 0.5]]))


# ----------------------------------------------------------------------------- CRITIC

# 4 × 3 example:
#   A = [0, 1, 0, 1], B = [0, 0, 1, 1], C = [0, 1, 1, 1]
#   means 0.5, 0.5, 0.75; sample sd (ddof 1): σA = σB = sqrt(1/3) = 1/√3, σC = sqrt(0.75/3) = 1/2
#   Σ dA dB = 0 -> r_AB = 0;  Σ dA dC = 0.5 -> r_AC = 0.5 / sqrt(1 · 0.75) = 1/√3 = r_BC
#   conflict A = (1 - 1) + (1 - 0) + (1 - 1/√3) = 2 - 1/√3 = conflict B; C = 2 (1 - 1/√3)
#   C_A = (1/√3)(2 - 1/√3) = 2/√3 - 1/3 = 0.821367;  C_C = (1/2) · 2 (1 - 1/√3) = 0.422650
#   Σ C = 2 (2/√3 - 1/3) + 1 - 1/√3 = √3 + 1/3
#   w = [0.397683, 0.397683, 0.204634]
Z_CR = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
S3 = math.sqrt(3)
W_CR = np.array([2 / S3 - 1 / 3, 2 / S3 - 1 / 3, 1 - 1 / S3]) / (S3 + 1 / 3)


def test_critic_by_hand():
    res = critic(Z_CR)
    np.testing.assert_allclose(res.weights, W_CR, rtol=1e-12)
    np.testing.assert_allclose(res.weights, [0.397683, 0.397683, 0.204634], atol=1e-6)
    np.testing.assert_allclose(res.details["sigma"], [1 / S3, 1 / S3, 0.5])
    np.testing.assert_allclose(
        res.details["r"], [[1, 0, 1 / S3], [0, 1, 1 / S3], [1 / S3, 1 / S3, 1]], atol=1e-15
    )
    np.testing.assert_allclose(res.details["conflict"], [2 - 1 / S3, 2 - 1 / S3, 2 - 2 / S3])
    assert res.details["ddof"] == 1


def test_critic_constant_column_weight_zero_others_unchanged():
    z = np.column_stack([Z_CR, np.full(4, 0.3)])
    res = critic(z, names=["a", "b", "c", "flat"])
    np.testing.assert_allclose(res.weights[:3], W_CR, rtol=1e-12)
    assert res.weights[3] == 0.0 and res.details["constant"] == ["flat"]
    assert np.isnan(res.details["r"][3]).all() and not np.isnan(res.weights).any()
    with pytest.raises(DataError, match="every indicator is constant"):
        critic(np.ones((4, 2)))
    with pytest.raises(DataError, match="perfectly correlated"):
        critic(np.column_stack([Z_CR[:, 0], Z_CR[:, 0] * 0.5]))


def test_critic_missing_cell_pairwise_complete():
    z = Z_CR.copy()
    z = np.vstack([z, [0.5, 0.2, 0.9]])
    z[1, 2] = np.nan
    res = critic(z)
    assert np.isfinite(res.weights).all() and res.weights.sum() == pytest.approx(1)
    want = pd.DataFrame(z).corr().to_numpy()  # pandas uses pairwise-complete rows too
    np.testing.assert_allclose(res.details["r"], want, atol=1e-12)


def test_pairwise_corr_matches_numpy_and_pandas():
    rng = np.random.default_rng(7)
    z = rng.normal(size=(30, 4))
    r, n = pairwise_corr(z)
    np.testing.assert_allclose(r, np.corrcoef(z, rowvar=False), atol=1e-12)
    assert (n == 30).all()
    z[[1, 5, 9], 0] = np.nan
    z[[2, 5], 3] = np.nan
    r, n = pairwise_corr(z)
    np.testing.assert_allclose(r, pd.DataFrame(z).corr().to_numpy(), atol=1e-12)
    assert n[0, 3] == 26 and n[0, 0] == 27


# ----------------------------------------------------------------------------- CV and SD


def test_cv_by_hand():
    # means 0.5, 0.5, 0.75; σ = 1/√3, 1/√3, 1/2 -> cv = 2/√3, 2/√3, 2/3
    res = cv(Z_CR)
    cvs = np.array([2 / S3, 2 / S3, 2 / 3])
    np.testing.assert_allclose(res.weights, cvs / cvs.sum(), rtol=1e-12)
    np.testing.assert_allclose(res.details["cv"], cvs)
    with pytest.raises(DataError, match=r"positive means; indicator 'zero'"):
        cv(np.column_stack([Z_CR[:, 0], np.zeros(4)]), names=["a", "zero"])


def test_sd_by_hand():
    res = sd(Z_CR)
    s = np.array([1 / S3, 1 / S3, 0.5])
    np.testing.assert_allclose(res.weights, s / s.sum(), rtol=1e-12)
    z = np.column_stack([Z_CR, np.full(4, 0.2)])
    assert sd(z).weights[3] == 0.0


# ----------------------------------------------------------------------------- PCA

Z_PCA = np.array(
    [[0.0, 0.1, 0.2], [0.2, 0.3, 0.1], [0.4, 0.35, 0.5], [0.6, 0.7, 0.55], [0.8, 0.75, 0.9],
     [1.0, 1.0, 0.8]]
)


def _hand_svd(z):
    zs = (z - z.mean(axis=0)) / z.std(axis=0, ddof=1)
    _, s, vt = np.linalg.svd(zs, full_matrices=False)
    return s**2 / (len(z) - 1), vt.T  # eigenvalues of the correlation matrix, eigenvectors


def test_pca_one_component_matches_hand_svd():
    lam, v = _hand_svd(Z_PCA)
    assert lam[0] > 1 > lam[1]  # Kaiser keeps one component
    res = pca(Z_PCA)
    # one factor: w_j ∝ L_j1² = λ1 v_j1², and Σ v² = 1, so w = v1² exactly
    np.testing.assert_allclose(res.weights, v[:, 0] ** 2, rtol=1e-10)
    np.testing.assert_allclose(res.details["components"]["eigenvalues"], lam, rtol=1e-10)
    assert res.details["n_retained"] == 1
    ab = pca(Z_PCA, variant="abs_loadings")
    np.testing.assert_allclose(ab.weights, np.abs(v[:, 0]) / np.abs(v[:, 0]).sum(), rtol=1e-10)


def test_pca_two_components_unrotated_matches_hand_formula():
    lam, v = _hand_svd(Z_PCA)
    load = v[:, :2] * np.sqrt(lam[:2])
    share = lam[:2] / lam[:2].sum()
    want_abs = (np.abs(load) * share).sum(axis=1)
    res = pca(Z_PCA, retain=2, rotation=None, variant="abs_loadings")
    np.testing.assert_allclose(res.weights, want_abs / want_abs.sum(), rtol=1e-9)
    # Handbook: (EV_m/ΣEV)(L²_jm/EV_m) on the factor of largest loading = L²_jm / ΣEV
    best = np.abs(load).argmax(axis=1)
    want_sq = load[np.arange(3), best] ** 2
    res = pca(Z_PCA, retain=2, rotation=None)
    np.testing.assert_allclose(res.weights, want_sq / want_sq.sum(), rtol=1e-9)
    assert res.details["assigned"].tolist() == best.tolist()
    # variance threshold: 0.999 needs every component but the exact-zero ones
    res = pca(Z_PCA, var_threshold=0.999)
    k = int(np.searchsorted(np.cumsum(lam) / lam.sum(), 0.999) + 1)
    assert res.details["n_retained"] == k


def test_varimax_recovers_simple_structure():
    simple = np.array([[0.8, 0.0], [0.7, 0.0], [0.0, 0.9], [0.0, 0.6]])
    t = math.radians(30)
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    rotated, r = varimax(simple @ rot)
    np.testing.assert_allclose(r @ r.T, np.eye(2), atol=1e-12)
    got = np.abs(rotated)
    if got[0, 0] < got[0, 1]:
        got = got[:, ::-1]
    np.testing.assert_allclose(got, simple, atol=1e-8)


def test_varimax_keeps_communalities_and_raises_criterion():
    def criterion(load):  # Kaiser's raw varimax criterion: Σ_m variance of squared loadings
        sq = load**2
        return ((sq**2).mean(axis=0) - sq.mean(axis=0) ** 2).sum()

    load = np.random.default_rng(1).normal(size=(9, 3))
    rotated, r = varimax(load, normalize=False)
    np.testing.assert_allclose(rotated, load @ r, atol=1e-12)
    np.testing.assert_allclose((rotated**2).sum(axis=1), (load**2).sum(axis=1), rtol=1e-12)
    assert criterion(rotated) > criterion(load) + 1.0
    # a stationary point: rotating a little further in any factor plane lowers the criterion
    for p, q in ((0, 1), (0, 2), (1, 2)):
        for eps in (1e-3, -1e-3):
            g = np.eye(3)
            g[p, p] = g[q, q] = math.cos(eps)
            g[p, q], g[q, p] = -math.sin(eps), math.sin(eps)
            assert criterion(rotated @ g) <= criterion(rotated) + 1e-12


def test_pca_constant_column_and_missing_cell():
    z = np.column_stack([Z_PCA, np.full(6, 0.4)])
    z[2, 1] = np.nan
    res = pca(z)
    assert res.weights[3] == 0.0 and np.isfinite(res.weights).all()
    assert res.weights.sum() == pytest.approx(1.0)


# ----------------------------------------------------------------------------- AHP


def test_ahp_consistent_matrix_recovers_weights():
    w = np.array([0.5, 0.3, 0.2])
    a = w[:, None] / w[None, :]
    for method in ("eigenvector", "geometric"):
        res = ahp(a, method=method)
        np.testing.assert_allclose(res.weights, w, rtol=1e-12)
        assert res.details["lambda_max"] == pytest.approx(3.0, abs=1e-12)
        assert res.details["CR"] == pytest.approx(0.0, abs=1e-12)


def test_ahp_three_by_three_closed_form():
    # For a 3 × 3 reciprocal matrix with a12 = a, a13 = b, a23 = c, det(A - λI) = 0 gives
    # (λ - 1)³ - 3(λ - 1) - (x + 1/x) = 0 with x = b/(ac); putting λ - 1 = y + 1/y gives
    # y³ = x, so λmax = 1 + x^(1/3) + x^(-1/3). Here a = 2, b = 6, c = 2, x = 1.5:
    # λmax = 1 + 1.144714 + 0.873580 = 3.018295; CI = 0.009147; CR = CI / 0.58 = 0.015771.
    # For n = 3 the eigenvector equals the row geometric means:
    # (12^(1/3), 1, 12^(-1/3)) / sum = (0.614411, 0.268369, 0.117221).
    a = np.array([[1, 2, 6], [1 / 2, 1, 2], [1 / 6, 1 / 2, 1]])
    lam = 1 + 1.5 ** (1 / 3) + 1.5 ** (-1 / 3)
    g = np.array([12 ** (1 / 3), 1.0, 12 ** (-1 / 3)])
    for method in ("eigenvector", "geometric"):
        res = ahp(a, method=method)
        np.testing.assert_allclose(res.weights, g / g.sum(), rtol=1e-10)
        assert res.details["lambda_max"] == pytest.approx(lam, rel=1e-12)
        assert res.details["CI"] == pytest.approx((lam - 3) / 2, rel=1e-9)
        assert res.details["CR"] == pytest.approx((lam - 3) / 2 / 0.58, rel=1e-9)
        assert res.details["CR"] == pytest.approx(0.015771, abs=1e-6)
        assert res.details["consistent"]


def test_ahp_saaty_1977_light_example():
    # Saaty (1977, J. Math. Psych. 15) light-intensity experiment: four chairs at
    # increasing distance from a light; published eigenvector ≈ (0.61, 0.24, 0.10, 0.05),
    # λmax = 4.39, hence CI = 0.13 and CR = 0.13/0.90 = 0.145 > 0.1.
    a = np.array([[1, 5, 6, 7], [1 / 5, 1, 4, 6], [1 / 6, 1 / 4, 1, 4], [1 / 7, 1 / 6, 1 / 4, 1]])
    with pytest.raises(DataError, match=r"CR = 0\.14\d\d > 0\.1"):
        ahp(a)
    res = ahp(a, allow_inconsistent=True)
    np.testing.assert_allclose(res.weights, [0.61, 0.24, 0.10, 0.05], atol=0.01)
    assert res.details["lambda_max"] == pytest.approx(4.39, abs=0.005)
    assert res.details["CR"] == pytest.approx(0.145, abs=0.001)
    assert res.details["consistent"] is False


def test_ahp_validation_names_cells():
    a = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 0.4, 1]])  # a32 should be 1/2
    with pytest.raises(DataError, match=r"row 'rd', column 'edu'"):
        ahp(a, names=["gdp", "rd", "edu"])
    b = np.array([[1, 3], [0.333, 1]])
    with pytest.raises(DataError, match="not reciprocal"):
        ahp(b)
    assert ahp(b, rtol=1e-2).details["CR"] == 0.0
    with pytest.raises(DataError, match="diagonal must be 1"):
        ahp(np.array([[2.0, 1.0], [1.0, 1.0]]))
    with pytest.raises(DataError, match="must be positive"):
        ahp(np.array([[1.0, -1.0], [-1.0, 1.0]]))
    with pytest.raises(DataError, match="up to n = 15"):
        ahp(np.ones((16, 16)))
    assert [RANDOM_INDEX[n] for n in (3, 4, 12, 15)] == [0.58, 0.90, 1.48, 1.59]


# ----------------------------------------------------------------------------- combinations

SUBJ = np.array([0.5, 0.3, 0.2])
OBJ = np.array([0.2, 0.2, 0.6])


def test_combine_linear_and_multiplicative():
    np.testing.assert_allclose(combine(SUBJ, OBJ).weights, [0.35, 0.25, 0.40])
    np.testing.assert_allclose(combine(SUBJ, OBJ, alpha=0.8).weights, 0.8 * SUBJ + 0.2 * OBJ)
    # s·o = (0.10, 0.06, 0.12) / 0.28
    np.testing.assert_allclose(
        combine(SUBJ, OBJ, method="multiplicative").weights, [0.1 / 0.28, 0.06 / 0.28, 0.12 / 0.28]
    )
    with pytest.raises(DataError, match="alpha"):
        combine(SUBJ, OBJ, alpha=1.5)
    with pytest.raises(DataError, match="all 0"):
        combine([1, 0], [0, 1], method="multiplicative")


def test_combine_game_by_hand():
    # s·s = 0.38, s·o = 0.28, o·o = 0.44; det = 0.38·0.44 - 0.28² = 0.0888
    # a1 = (0.38·0.44 - 0.28·0.44)/0.0888 = 0.044/0.0888 = 0.495495
    # a2 = (0.38·0.44 - 0.28·0.38)/0.0888 = 0.0608/0.0888 = 0.684685
    # a* = a / 1.180180 = (0.419847, 0.580153); w = a1* s + a2* o
    a = np.array([0.044, 0.0608]) / 0.0888
    an = a / a.sum()
    res = combine(SUBJ, OBJ, method="game")
    np.testing.assert_allclose(res.details["coefficients"], a, rtol=1e-12)
    np.testing.assert_allclose(res.weights, an[0] * SUBJ + an[1] * OBJ, rtol=1e-12)
    np.testing.assert_allclose(res.weights, [0.325954, 0.241985, 0.432061], atol=1e-6)
    same = combine(SUBJ, SUBJ * 10, method="game")  # identical after normalisation
    np.testing.assert_allclose(same.weights, SUBJ)


def test_dispatcher():
    ec = weights(Z_CR, "entropy+critic")
    np.testing.assert_allclose(
        ec.weights, 0.5 * entropy(Z_CR).weights + 0.5 * critic(Z_CR).weights
    )
    assert ec.method == "entropy+critic" and len(ec.details["parts"]) == 2
    game = weights(Z_CR, "critic+entropy", combine="game")
    np.testing.assert_allclose(
        game.weights, combine(critic(Z_CR), entropy(Z_CR), method="game").weights
    )
    np.testing.assert_allclose(weights(Z_CR, "expert", weights=[2, 1, 1]).weights, [.5, .25, .25])
    np.testing.assert_allclose(weights(Z_CR, "equal").weights, [1 / 3] * 3)
    np.testing.assert_allclose(
        weights(Z_ENT, "entropy", shift=("add", 0.0001)).weights,
        entropy(Z_ENT, shift=("add", 0.0001)).weights,
    )
    a = np.array([[1, 2, 6], [1 / 2, 1, 2], [1 / 6, 1 / 2, 1]])
    mix = weights(Z_CR, "ahp+entropy", matrix=a, alpha=0.7)
    np.testing.assert_allclose(mix.weights, 0.7 * ahp(a).weights + 0.3 * entropy(Z_CR).weights)
    with pytest.raises(DataError, match=r"unknown weighting method 'topsis'.*entropy, critic"):
        weights(Z_CR, "topsis")
    with pytest.raises(DataError, match="unexpected option"):
        weights(Z_CR, "entropy", shfit=("add", 0.01))
    with pytest.raises(DataError, match="2 weights given for 3 indicators"):
        weights(Z_CR, "ahp", matrix=[[1, 2], [0.5, 1]])
    with pytest.raises(DataError, match="positive numbers"):
        weights(Z_CR, "expert", weights=[1, 0, 1])
    with pytest.raises(DataError, match="need weights="):
        weights(Z_CR, "expert")


def test_equal_and_expert():
    assert equal(4).weights.tolist() == [0.25] * 4
    res = expert([30, 50, 20], names=["a", "b", "c"])
    np.testing.assert_allclose(res.weights, [0.3, 0.5, 0.2])
    assert isinstance(res, WeightResult) and res.names == ("a", "b", "c")
    with pytest.raises(DataError, match=r"indicator 'b' has -1"):
        expert([1, -1], names=["a", "b"])


# ----------------------------------------------------------------------------- invariants


def _raw_panel(seed=11):
    rng = np.random.default_rng(seed)
    x = rng.lognormal(size=(8, 3, 4))
    return x


@pytest.mark.parametrize("method", ["entropy", "critic", "cv", "sd", "pca"])
def test_weights_sum_to_one_and_nan_stays_local(method):
    x = _raw_panel()
    z = normalise(x, [1, -1, 1, 1], "minmax").values.reshape(-1, 4)
    z[5, 2] = np.nan
    if method == "cv":
        z = z + 0.01  # the cv needs positive means
    res = weights(z, method)
    other = weights(np.delete(z, 5, axis=0), method)  # the same data without the NaN row
    assert np.isfinite(other.weights).all()
    assert np.isfinite(res.weights).all() and (res.weights >= 0).all()
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("fn", [entropy, critic, cv])
def test_rescaling_a_raw_column_before_minmax_leaves_weights_unchanged(fn):
    x = _raw_panel(5)
    dirs = [1, -1, 1, -1]
    z1 = normalise(x, dirs, "minmax", shift=("add", 0.01)).values.reshape(-1, 4)
    x2 = x * np.array([1.0, 1000.0, 0.001, 7.0])
    z2 = normalise(x2, dirs, "minmax", shift=("add", 0.01)).values.reshape(-1, 4)
    np.testing.assert_allclose(fn(z1).weights, fn(z2).weights, rtol=1e-10)


def test_critic_uses_direction_adjusted_data():
    # a cost indicator entered raw would correlate with the wrong sign; after min-max with
    # direction -1 it is the negation, so its CRITIC weight equals that of the negated column
    x = _raw_panel(9)[..., :3]
    a = critic(normalise(x, [1, -1, 1], "minmax").values.reshape(-1, 3)).weights
    b = critic(normalise(x * [1, -1, 1], [1, 1, 1], "minmax").values.reshape(-1, 3)).weights
    np.testing.assert_array_equal(a, b)


def test_single_indicator_gets_weight_one():
    z = np.array([[0.0], [0.5], [1.0]])
    for fn in (entropy, critic, cv, sd, pca):
        if fn is cv:
            assert fn(z + 0.1).weights.tolist() == [1.0]
        else:
            assert fn(z).weights.tolist() == [1.0]


# ----------------------------------------------------------------------------- fast path


def _minmax_matrix(seed: int, n: int = 6000, k: int = 30) -> np.ndarray:
    """Min-max scores of a lognormal matrix: every column holds a 0 and a 1, plus zeros."""
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0.0, 1.0, (n, k))
    x[rng.random(x.shape) < 0.002] = 0.0
    return (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0))


def test_entropy_fast_path_equals_nan_aware_path_and_formula():
    # 6,000 x 30 = 180,000 values: more than one row block. An extra all-NaN row
    # changes no column's observed cells, so the NaN-aware path must give the same
    # numbers as the complete fast path
    z = _minmax_matrix(21)
    gap = np.vstack([z[:2500], np.full((1, 30), np.nan), z[2500:]])
    fast, slow = entropy(z), entropy(gap)
    np.testing.assert_allclose(fast.weights, slow.weights, rtol=1e-12, atol=0)
    np.testing.assert_allclose(fast.details["e"], slow.details["e"], rtol=1e-13, atol=0)
    assert fast.details["n"].tolist() == slow.details["n"].tolist() == [6000] * 30
    p_slow = slow.details["p"]
    assert np.isnan(p_slow[2500]).all()
    np.testing.assert_allclose(np.delete(p_slow, 2500, axis=0), fast.details["p"], rtol=1e-13)
    # the textbook formula with 0 ln 0 = 0
    p = z / z.sum(axis=0)
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(6000)
    np.testing.assert_allclose(fast.details["e"], e, rtol=1e-13, atol=0)
    np.testing.assert_allclose(fast.weights, (1 - e) / (1 - e).sum(), rtol=1e-12, atol=0)


def test_entropy_keep_arrays_false_drops_only_p():
    z = _minmax_matrix(22)
    z[:, 4] = 0.0  # a column of zeros: constant, weight 0, shares undefined
    full, lean = entropy(z), entropy(z, keep_arrays=False)
    np.testing.assert_array_equal(full.weights, lean.weights)
    assert "p" in full.details and "p" not in lean.details
    assert set(full.details) - set(lean.details) == {"p"}
    for key in ("e", "d", "n", "is_constant"):
        np.testing.assert_array_equal(full.details[key], lean.details[key])
    assert lean.details["constant"] == [4] and lean.weights[4] == 0.0
    assert np.isnan(full.details["p"][:, 4]).all()
    via = weights(z, "entropy", keep_arrays=False)
    np.testing.assert_array_equal(via.weights, full.weights)
    assert "p" not in via.details


def test_keep_arrays_accepted_by_every_method_and_combination():
    z = _minmax_matrix(23, n=200, k=5)
    for method in ("critic", "sd", "pca", "entropy+critic"):
        a, b = weights(z, method), weights(z, method, keep_arrays=False)
        np.testing.assert_array_equal(a.weights, b.weights)
    parts = weights(z, "entropy+critic", keep_arrays=False).details["parts"]
    assert "p" not in parts[0].details and "p" in weights(z, "entropy").details


def test_weights_do_not_copy_or_change_a_read_only_input():
    z = _minmax_matrix(24, n=15_000, k=10)
    z.flags.writeable = False
    before = z.copy()
    for method in ("entropy", "critic", "cv", "sd", "pca"):
        res = weights(z + 0.01 if method == "cv" else z, method)
        assert np.isfinite(res.weights).all() and abs(res.weights.sum() - 1) < 1e-12
    np.testing.assert_array_equal(z, before)
    res = entropy(z, shift=("add", 0.0001))
    np.testing.assert_array_equal(z, before)
    zs = z + 0.0001
    p = zs / zs.sum(axis=0)
    e = -(p * np.log(p)).sum(axis=0) / np.log(len(z))
    np.testing.assert_allclose(res.details["e"], e, rtol=1e-13, atol=0)


def test_entropy_negative_and_infinite_values_raise_on_the_fast_path():
    z = _minmax_matrix(25)
    neg = z.copy()
    neg[4000, 7] = -0.5
    with pytest.raises(DataError, match="column 7 has negative values"):
        entropy(neg)
    inf = z.copy()
    inf[10, 3] = np.inf
    with pytest.raises(DataError, match="column 3 has infinite values"):
        entropy(inf)
