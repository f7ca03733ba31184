"""Batched replications equal the engine's single-replication functions, and are fast."""

import time

import numpy as np
import pandas as pd
import pytest

from nqpf import DataError, Panel
from nqpf.index import Recipe, build_index
from nqpf.index.aggregate import aggregate
from nqpf.index.weights import weights
from nqpf.robustness.batch import batch_scores, bootstrap_weights, ranks

N_U, N_T, K = 7, 4, 6
MODES = ("pooled", "per-period")


def _groups(mode, n_u=N_U, n_t=N_T):
    return np.tile(np.arange(n_t), n_u) if mode == "per-period" else np.zeros(n_u * n_t, int)


@pytest.fixture
def Z():
    rng = np.random.default_rng(11)
    z = rng.random((N_U, N_T, K))
    z[0, 0, 1] = 0.0  # a few exact zeros
    z[3, 2, 4] = 0.0
    z[5, 1, 1] = 0.0
    z[2, 3] = z[4, 3]  # a tie between two units in one period
    return z


@pytest.fixture
def W():
    rng = np.random.default_rng(12)
    w = rng.dirichlet(np.ones(K), size=12)
    w[2, 1] = 0.0  # indicator 1 (with zeros) left out
    w[3, [0, 4]] = 0.0
    w[5, 1] = 0.0
    w[5, 4] = 0.0  # both zero-holding indicators left out
    w[6] = 0.0
    w[6, 2] = 1.0  # a single indicator
    return w / w.sum(axis=1, keepdims=True)


def _loop(Z, W, method, mode, **kw):
    X = Z.reshape(-1, Z.shape[2])
    g = _groups(mode, Z.shape[0], Z.shape[1])
    out = [aggregate(X, w, method, groups=g, **kw).scores for w in W]
    return np.array(out).reshape(len(W), Z.shape[0], Z.shape[1])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("method", "kw"),
    [
        ("sum", {}),
        ("geometric", {"zeros": "shift"}),
        ("harmonic", {"zeros": "shift", "shift": 0.01}),
        ("topsis", {}),
        ("gra", {}),
        ("gra", {"rho": 0.3}),
    ],
)
def test_batch_equals_loop_of_aggregate(Z, W, method, kw, mode):
    got = batch_scores(Z, W, method, panel_mode=mode, **kw)
    assert got.shape == (len(W), N_U, N_T)
    np.testing.assert_allclose(got, _loop(Z, W, method, mode, **kw), rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["geometric", "harmonic"])
def test_zeros_allowed_only_where_weight_is_zero(Z, W, method):
    # rows 5 and 6 give no weight to indicators 1 and 4, which hold the zeros
    sub = W[[5, 6]]
    got = batch_scores(Z, sub, method)
    np.testing.assert_allclose(got, _loop(Z, sub, method, "pooled"), rtol=0, atol=1e-12)
    with pytest.raises(DataError, match=r"indicator index 1 is 0.0 at unit index 0, period"):
        batch_scores(Z, W, method)
    with pytest.raises(DataError, match="non-negative"):
        batch_scores(Z - 0.5, W, method, zeros="shift")


def test_topsis_hand_computed_and_tie_rule():
    # ideal (1, 1), anti-ideal (0, 0), w = (0.8, 0.2):
    # unit 0: d+ = 0.2, d- = 0.8 -> 0.8; unit 1: 0.2; unit 2: d+ = d- -> 0.5
    Z = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])[:, None, :]
    got = batch_scores(Z, [[0.8, 0.2], [0.5, 0.5]], "topsis")
    np.testing.assert_allclose(got[0, :, 0], [0.8, 0.2, 0.5], atol=1e-15)
    np.testing.assert_allclose(got[1, :, 0], [0.5, 0.5, 0.5], atol=1e-15)
    # every weighted column constant in the reference set: d+ = d- = 0 -> 0.5 for all
    Zc = np.concatenate([np.full((3, 1, 1), 0.4), Z], axis=2)
    tie = batch_scores(Zc, [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], "topsis")
    assert (tie[0] == 0.5).all()
    np.testing.assert_allclose(tie[1], _loop(Zc, [[0.5, 0.5, 0.0]], "topsis", "pooled")[0])


@pytest.mark.parametrize("mode", MODES)
def test_gra_dmax_over_weighted_indicators_only(mode):
    # indicator 0 spans [0, 1] in every period, the others [0.3, 0.7]: leaving out
    # indicator 0 shrinks Δmax and so changes ξ of every cell
    rng = np.random.default_rng(3)
    Z = 0.3 + 0.4 * rng.random((6, 3, 4))
    Z[:, :, 0] = rng.random((6, 3))
    Z[0, :, 0], Z[1, :, 0] = 0.0, 1.0
    W = np.array([[0.0, 0.5, 0.3, 0.2], [0.1, 0.4, 0.3, 0.2], [0.0, 0.0, 1.0, 0.0]])
    got = batch_scores(Z, W, "gra", panel_mode=mode)
    np.testing.assert_allclose(got, _loop(Z, W, "gra", mode), rtol=0, atol=1e-12)
    # the rule matters: with Δmax = 1 (over all indicators) row 0 would differ
    X = Z.reshape(-1, 4)
    g = _groups(mode, 6, 3)
    ref = np.array([X[g == q].max(axis=0) for q in range(g.max() + 1)])[g]
    naive = ((0.5 * 1.0) / (np.abs(X - ref) + 0.5 * 1.0)) @ W[0]
    assert np.abs(naive - got[0].ravel()).max() > 1e-2


def test_chunking_gives_the_same_scores(Z, W):
    for method in ("sum", "topsis", "gra"):
        a = batch_scores(Z, W, method, panel_mode="per-period")
        b = batch_scores(Z, W, method, panel_mode="per-period", chunk=5)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


def test_one_weight_vector_and_input_untouched(Z, W):
    z0, w0 = Z.copy(), W.copy()
    one = batch_scores(Z, W[0], "topsis")
    assert one.shape == (1, N_U, N_T)
    np.testing.assert_allclose(one[0], batch_scores(Z, W, "topsis")[0], rtol=0, atol=1e-14)
    np.testing.assert_array_equal(Z, z0)
    np.testing.assert_array_equal(W, w0)


def test_input_errors(Z, W):
    bad = Z.copy()
    bad[2, 1, 3] = np.nan
    with pytest.raises(DataError, match="unit index 2, period index 1, indicator index 3"):
        batch_scores(bad, W)
    with pytest.raises(DataError, match="row 1 sums to"):
        batch_scores(Z, np.vstack([W[0], W[1] * 1.1]))
    with pytest.raises(DataError, match="non-negative"):
        batch_scores(Z, [[1.5, -0.5, 0, 0, 0, 0]])
    with pytest.raises(DataError, match="shape"):
        batch_scores(Z, W[:, :3])
    with pytest.raises(DataError, match="supports"):
        batch_scores(Z, W, "vikor")
    with pytest.raises(DataError, match="panel_mode"):
        batch_scores(Z, W, "topsis", panel_mode="yearly")
    with pytest.raises(DataError, match="rho"):
        batch_scores(Z, W, "gra", rho=0.0)
    with pytest.raises(DataError, match="3-D"):
        batch_scores(Z.reshape(-1, K), W)


# ------------------------------------------------------------------------------ ranks


def test_ranks_hand_and_pandas():
    s = np.array([[3.0], [1.0], [3.0], [2.0]])[None]
    np.testing.assert_array_equal(ranks(s)[0, :, 0], [1, 4, 1, 3])
    rng = np.random.default_rng(5)
    many = np.round(rng.random((20, 9, 5)), 1)  # many ties
    got = ranks(many)
    assert got.dtype == np.int64
    for r in range(20):
        want = pd.DataFrame(many[r]).rank(axis=0, ascending=False, method="min")
        np.testing.assert_array_equal(got[r], want.to_numpy().astype(int))
    with pytest.raises(DataError, match="NaN"):
        ranks(np.full((1, 2, 2), np.nan))


# ------------------------------------------------------------------------------ bootstrap


@pytest.mark.parametrize("method", ["entropy", "critic", "cv", "sd"])
def test_bootstrap_weights_equal_weights_per_replicate(Z, method):
    rng = np.random.default_rng(8)
    idx = rng.integers(0, N_U, size=(15, N_U))
    idx[0] = np.arange(N_U)  # the original sample
    got = bootstrap_weights(Z, method, idx)
    want = np.array([weights(Z[i].reshape(-1, K), method).weights for i in idx])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-14)


def test_bootstrap_entropy_with_shift_and_smaller_resamples(Z):
    rng = np.random.default_rng(9)
    idx = rng.integers(0, N_U, size=(6, 3))  # m-out-of-n resamples
    got = bootstrap_weights(Z, "entropy", idx, shift=("add", 1e-4))
    want = [weights(Z[i].reshape(-1, K), "entropy", shift=("add", 1e-4)).weights for i in idx]
    np.testing.assert_allclose(got, np.array(want), rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["entropy", "critic", "sd"])
def test_bootstrap_constant_column_gets_zero(method):
    # unit 0 is constant on indicator 0 across periods; a resample of unit 0 only
    # makes indicator 0 constant: weight 0, the rest to indicators 1 and 2
    Z = np.array(
        [
            [[0.5, 0.0, 1.0], [0.5, 1.0, 0.2]],
            [[0.1, 0.3, 0.4], [0.9, 0.6, 0.8]],
        ]
    )
    got = bootstrap_weights(Z, method, np.array([[0, 0], [0, 1]]))
    assert got[0, 0] == 0.0
    want = [weights(Z[i].reshape(-1, 3), method).weights for i in ([0, 0], [0, 1])]
    np.testing.assert_allclose(got, np.array(want), rtol=0, atol=1e-12)
    if method == "sd":  # sd of (0, 1, 0, 1) and (1, 0.2, 1, 0.2), hand-computed ratio
        np.testing.assert_allclose(got[0], [0.0, 1.0 / 1.8, 0.8 / 1.8], atol=1e-14)


def test_bootstrap_errors(Z):
    idx = np.zeros((2, N_U), dtype=int)
    with pytest.raises(DataError, match="support"):
        bootstrap_weights(Z, "pca", idx)
    with pytest.raises(DataError, match="entropy weights only"):
        bootstrap_weights(Z, "critic", idx, shift=("add", 0.01))
    with pytest.raises(DataError, match="not a unit index"):
        bootstrap_weights(Z, "sd", idx + N_U)
    with pytest.raises(DataError, match="integer"):
        bootstrap_weights(Z, "sd", idx.astype(float))
    with pytest.raises(DataError, match="negative"):
        bootstrap_weights(Z - 0.5, "entropy", idx)
    flat = np.ones((2, 2, 2))
    with pytest.raises(DataError, match="replicate 0"):
        bootstrap_weights(flat, "entropy", np.array([[0, 1]]))


# ------------------------------------------------------------------------------ engine


def _framework(k):
    half = k // 2
    dims = [
        {
            "id": f"d{d}",
            "name_zh": f"维{d}",
            "name_en": f"Dim {d}",
            "indicators": [
                {
                    "id": f"x{j}",
                    "name_zh": f"指标{j}",
                    "unit": "",
                    "direction": "-" if j == 2 else "+",
                }
                for j in js
            ],
        }
        for d, js in enumerate([range(half), range(half, k)])
    ]
    return {"id": "toy_batch", "name_zh": "测试", "name_en": "Test", "dimensions": dims}


def _panel(n_u, n_t, k, seed=21):
    rng = np.random.default_rng(seed)
    rows = [
        {"unit": f"u{u}", "period": 2010 + t, **{f"x{j}": rng.lognormal() for j in range(k)}}
        for u in range(n_u)
        for t in range(n_t)
    ]
    return Panel.from_wide(pd.DataFrame(rows), unit="unit", period="period")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("wmethod", "agg", "params"),
    [
        ("equal", "sum", {}),
        ("entropy", "sum", {}),
        ("critic", "topsis", {}),
        ("entropy", "gra", {"rho": 0.4}),
        ("sd", "geometric", {"zeros": "shift"}),
    ],
)
def test_engine_index_equals_batch(wmethod, agg, params, mode):
    n_u, n_t, k = 6, 4, 5
    fw = _framework(k)
    res = build_index(
        _panel(n_u, n_t, k),
        fw,
        Recipe(weights=wmethod, aggregate=agg, panel_mode=mode, params=params),
        explain=True,
    )
    inds = [f"x{j}" for j in range(k)]
    norm = res.explain["normalised"]
    assert list(norm["unit"][::n_t]) == list(res.units)
    Z = norm[inds].to_numpy(dtype=float).reshape(n_u, n_t, k)
    eff = res.weights[res.weights["level"] == "indicator"].set_index("node")["effective_weight"]
    w = eff.loc[inds].to_numpy(dtype=float)
    batch = batch_scores(Z, w[None, :], agg, panel_mode=mode, **params)[0]
    engine = res.wide("index").to_numpy(dtype=float)
    np.testing.assert_allclose(batch, engine, rtol=0, atol=1e-12)
    idx_rows = res.scores[res.scores["node"] == "index"]
    rk = idx_rows.pivot(index="unit", columns="period", values="rank").reindex(list(res.units))
    np.testing.assert_array_equal(ranks(batch[None])[0], rk.to_numpy(dtype=int))
    if wmethod in ("entropy", "critic", "sd"):  # the original sample as a bootstrap draw
        own = bootstrap_weights(Z, wmethod, np.arange(n_u)[None, :])[0]
        np.testing.assert_allclose(own, w, rtol=0, atol=1e-12)


# ------------------------------------------------------------------------------ speed


@pytest.mark.parametrize("method", ["sum", "topsis"])
def test_ten_thousand_replications_under_two_seconds(method):
    rng = np.random.default_rng(0)
    Z = rng.random((31, 13, 30))
    W = rng.dirichlet(np.ones(30), size=10_000)
    batch_scores(Z, W[:10], method)  # warm up BLAS
    t0 = time.perf_counter()
    out = batch_scores(Z, W, method)
    elapsed = time.perf_counter() - t0
    assert out.shape == (10_000, 31, 13)
    assert elapsed < 2.0, f"{method}: {elapsed:.2f} s for 10,000 replications"
    # spot check one replication against the single-replication aggregate
    one = aggregate(Z.reshape(-1, 30), W[1234], method).scores
    np.testing.assert_allclose(out[1234].ravel(), one, rtol=0, atol=1e-12)
