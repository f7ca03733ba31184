"""Markov chain statistics against hand-derived numbers and giddy (the oracle)."""

import numpy as np
import pytest

from nqpf.analysis.chains import (
    chi2_test,
    first_passage_times,
    homogeneity,
    recurrent_classes,
    steady_states,
)

OZ = np.array([[0.5, 0.25, 0.25], [0.5, 0.0, 0.5], [0.25, 0.25, 0.5]])


def test_land_of_oz_kemeny_snell():
    # Kemeny and Snell (1976) p. 218: stationary (0.4, 0.2, 0.4) and passage times
    np.testing.assert_allclose(steady_states(OZ), [[0.4, 0.2, 0.4]])
    m = first_passage_times(OZ)
    np.testing.assert_allclose(np.diag(m), 1 / np.array([0.4, 0.2, 0.4]))
    np.testing.assert_allclose(m[0, 1:], [4.0, 10 / 3])
    np.testing.assert_allclose(m[1, [0, 2]], [8 / 3, 8 / 3])


def test_reducible_chain_with_an_empty_row():
    p = np.array([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0], [0.0, 0.0, 0.0]])
    assert [c.tolist() for c in recurrent_classes(p)] == [[0, 1], [2]]
    np.testing.assert_allclose(steady_states(p), [[2 / 7, 5 / 7, 0], [0, 0, 1]])
    m = first_passage_times(p)
    assert np.isinf(m[0, 2]) and np.isinf(m[2, 0]) and m[2, 2] == 1
    np.testing.assert_allclose(m[0, 1], 2.0)  # geometric with success 0.5


def test_transient_state_reaching_two_classes_never_surely():
    p = np.array([[0.0, 0.5, 0.5], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    m = first_passage_times(p)
    assert np.isinf(m[0, 1]) and np.isinf(m[0, 2])
    assert np.isinf(m[0, 0])  # never returns
    np.testing.assert_allclose(steady_states(p), [[0, 1, 0], [0, 0, 1]])


def test_invariants_on_random_ergodic_chains():
    rng = np.random.default_rng(1)
    for k in (2, 4, 7):
        p = rng.random((k, k))
        p /= p.sum(axis=1, keepdims=True)
        pi = steady_states(p)[0]
        np.testing.assert_allclose(pi @ p, pi, atol=1e-12)
        m = first_passage_times(p)
        np.testing.assert_allclose(np.diag(m), 1 / pi)
        # M = 1 + P (M with zeroed diagonal)
        off = m - np.diag(np.diag(m))
        np.testing.assert_allclose(m, 1 + p @ off)


def _random_counts(rng, m, k, zero=0.3):
    t = rng.integers(0, 20, size=(m, k, k)).astype(float)
    t[rng.random(t.shape) < zero] = 0
    return t


def test_against_giddy():
    ergodic = pytest.importorskip("giddy.ergodic")
    markov = pytest.importorskip("giddy.markov")
    rng = np.random.default_rng(7)
    for _ in range(20):
        k = int(rng.integers(2, 6))
        t = _random_counts(rng, 3, k)
        p = t[0] / np.where(t[0].sum(axis=1) == 0, 1, t[0].sum(axis=1))[:, None]
        if len(recurrent_classes(p)) == 1:
            with np.errstate(all="ignore"):
                expected = ergodic.mfpt(p, fill_empty_classes=True)
            np.testing.assert_allclose(first_passage_times(p), expected)
        ss = np.atleast_2d(ergodic.steady_state(p, fill_empty_classes=True))
        ours = steady_states(p)
        assert ours.shape == ss.shape
        # same set of distributions, whatever the order of the classes
        key = lambda a: sorted(map(tuple, np.round(a, 9)))  # noqa: E731
        assert key(ours) == key(ss)
        with np.errstate(all="ignore"):
            h = markov.homogeneity(t)
        ours_h = homogeneity(t)
        assert ours_h.dof == h.dof
        np.testing.assert_allclose([ours_h.Q, ours_h.LR], [h.Q, h.LR])
        if t[1].sum() > 0:
            stat, pv, dof = chi2_test(t[1], t.sum(axis=0))
            g_stat, g_p, g_dof = markov.chi2(t[1], t.sum(axis=0))
            assert dof == g_dof
            np.testing.assert_allclose(stat, g_stat)
            if dof > 0:
                np.testing.assert_allclose(pv, g_p, atol=1e-12)


def test_mfpt_with_absorbing_rows_matches_giddy():
    ergodic = pytest.importorskip("giddy.ergodic")
    p = np.array([[0.2, 0.3, 0.5, 0], [0.1, 0.6, 0.3, 0], [0, 0, 0, 0], [0.5, 0, 0, 0.5]])
    with np.errstate(all="ignore"):
        expected = ergodic.mfpt(p, fill_empty_classes=True)
    np.testing.assert_allclose(first_passage_times(p), expected)


def test_shape_errors():
    with pytest.raises(ValueError, match="square"):
        steady_states(np.ones((2, 3)))
    with pytest.raises(ValueError, match="regimes"):
        homogeneity(np.ones((2, 3)))
