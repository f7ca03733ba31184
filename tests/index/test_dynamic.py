"""Dynamic evaluation: time weights (Guo Yajun's table) and the scatter-degree method."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from nqpf import DataError, Panel
from nqpf.index.dynamic import scatter_degree, time_degree, time_weighted, time_weights


@pytest.mark.parametrize(
    ("lam", "want"),
    [(0.1, [0.0263, 0.1474, 0.8263]), (0.2, [0.0819, 0.2363, 0.6819]),
     (0.3, [0.1540, 0.2921, 0.5540]), (0.5, [1 / 3, 1 / 3, 1 / 3])],
)
def test_time_weights_of_three_periods_as_tabulated(lam, want):
    # the table of time weights for p = 3 in 郭亚军《综合评价理论、方法及应用》(2007)
    w = time_weights(3, lam)
    np.testing.assert_allclose(w, want, atol=5e-5)
    assert time_degree(w) == pytest.approx(lam, abs=1e-12)


def test_time_weights_maximise_entropy_under_the_time_degree():
    p, lam = 6, 0.27
    w = time_weights(p, lam)
    x = (p - np.arange(1, p + 1)) / (p - 1)
    cons = [{"type": "eq", "fun": lambda v: v.sum() - 1},
            {"type": "eq", "fun": lambda v: v @ x - lam}]
    opt = minimize(lambda v: np.sum(v * np.log(v)), np.full(p, 1 / p), constraints=cons,
                   bounds=[(1e-9, 1)] * p, method="SLSQP", options={"ftol": 1e-14})
    np.testing.assert_allclose(w, opt.x, atol=1e-6)
    assert np.all(np.diff(w) > 0)  # λ < 0.5: later periods weigh more


def test_time_weighted_scores():
    s = pd.DataFrame({2020: [1.0, 2.0], 2021: [3.0, 1.0], 2022: [2.0, 2.0]}, index=["a", "b"])
    out = time_weighted(s, 0.1)
    w = time_weights(3, 0.1)
    got = out.set_index("unit")["score"]
    assert got["a"] == pytest.approx(s.loc["a"].to_numpy() @ w)
    assert list(out.attrs["time_weights"]) == [2020, 2021, 2022]
    with pytest.raises(DataError, match="λ"):
        time_weights(3, 1.0)


def _panel(seed=0):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(8, 4, 1))
    X = np.concatenate([f + 0.5 * rng.normal(size=(8, 4, 1)) for _ in range(3)], axis=2)
    X[:, :, 2] = -X[:, :, 2]  # a cost indicator
    return Panel(X + 10, tuple(f"u{i}" for i in range(8)), (2019, 2020, 2021, 2022),
                 ("a", "b", "c"))


def test_scatter_degree_weights_solve_the_eigenproblem_and_maximise_dispersion():
    p = _panel()
    res = scatter_degree(p, [1, 1, -1])
    w = res.weights.to_numpy()
    assert w.sum() == pytest.approx(1.0) and (w > 0).all()
    v = w / np.linalg.norm(w)
    np.testing.assert_allclose(res.H @ v, res.eigenvalue * v, rtol=1e-10, atol=1e-10)
    # no other unit direction gives more total dispersion Σ_t Σ_i y²
    rng = np.random.default_rng(1)
    for _ in range(200):
        u = rng.normal(size=3)
        u /= np.linalg.norm(u)
        assert u @ res.H @ u <= res.eigenvalue + 1e-9
    # H by hand from the pooled z-scores
    X = p.values * np.array([1, 1, -1])
    flat = X.reshape(-1, 3)
    Z = (X - flat.mean(axis=0)) / flat.std(axis=0, ddof=1)
    H = sum(Z[:, t].T @ Z[:, t] for t in range(4))
    np.testing.assert_allclose(res.H, H, rtol=1e-12)
    np.testing.assert_allclose(res.scores.to_numpy(), Z @ w, rtol=1e-12)
    assert res.overall["rank"].min() == 1


def test_scatter_degree_with_one_period_is_the_first_principal_component():
    p = _panel()
    one = p.sel(periods=[2022])
    res = scatter_degree(one, [1, 1, -1])
    Z = (one.values[:, 0] * [1, 1, -1])
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0, ddof=1)
    lam, vec = np.linalg.eigh(np.corrcoef(Z, rowvar=False))
    v = np.abs(vec[:, -1])
    np.testing.assert_allclose(res.weights.to_numpy(), v / v.sum(), rtol=1e-10)


def test_scatter_degree_refuses_holes_and_constants():
    p = _panel()
    v = p.values.copy()
    v[1, 2, 0] = np.nan
    with pytest.raises(DataError, match="'u1'"):
        scatter_degree(p.replace(values=v))
    v = p.values.copy()
    v[:, :, 1] = 3.0
    with pytest.raises(DataError, match="constant"):
        scatter_degree(p.replace(values=v))
