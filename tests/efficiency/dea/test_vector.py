"""The vectorised small-problem radial path against the per-unit HiGHS path."""

from __future__ import annotations

import numpy as np
import pytest

from efficiency.dea._cases import HOSPITAL_CCR, HOSPITALS, random_data, ref_radial
from nqpf.efficiency.dea import DEASpec, solve
from nqpf.efficiency.dea import vector as _vector


def _both(monkeypatch, Xe, Ye, Xr, Yr, spec):
    fast = solve(Xe, Ye, None, Xr, Yr, None, spec, return_lambdas=True)
    monkeypatch.setattr(_vector, "MAX_REF", 0)
    slow = solve(Xe, Ye, None, Xr, Yr, None, spec, return_lambdas=True)
    monkeypatch.setattr(_vector, "MAX_REF", 150)
    return fast, slow


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
def test_vector_matches_highs_own_and_cross_period(monkeypatch, orientation, rts):
    X, Y, _ = random_data(40, m=3, s1=2, s2=0, seed=11)
    X2, Y2, _ = random_data(40, m=3, s1=2, s2=0, seed=12)
    spec = DEASpec(model="radial", rts=rts, orientation=orientation)
    for Xe, Ye in ((X, Y), (X2 * 1.3, Y2)):  # own frontier, then points outside it
        fast, slow = _both(monkeypatch, Xe, Ye, X, Y, spec)
        assert fast.info.get("vectorised", 0) > 0
        np.testing.assert_array_equal(fast.status, slow.status)
        ok = fast.status == "optimal"
        np.testing.assert_allclose(fast.efficiency[ok], slow.efficiency[ok], rtol=1e-9)
        # the max-slack phase: the sum of slacks (in data units) is unique
        sf = fast.slacks_x[ok].sum(1) + fast.slacks_y[ok].sum(1)
        ss = slow.slacks_x[ok].sum(1) + slow.slacks_y[ok].sum(1)
        assert np.all(np.abs(sf - ss) <= 1e-5 * (1 + np.abs(ss)))
        # targets are spanned by the intensities
        lam = fast.lambdas.toarray()[ok]
        np.testing.assert_allclose(lam @ X, fast.targets_x[ok], rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(lam @ Y, fast.targets_y[ok], rtol=1e-7, atol=1e-7)


def test_vector_degenerate_integer_data_and_published(monkeypatch):
    # ties and repeated units make the programs degenerate (Bland's rule must end them)
    rng = np.random.default_rng(3)
    X = rng.integers(1, 4, (30, 2)).astype(float)
    Y = rng.integers(1, 4, (30, 2)).astype(float)
    X[10:15], Y[10:15] = X[0], Y[0]
    for rts in ("crs", "vrs"):
        spec = DEASpec(model="radial", rts=rts)
        fast, slow = _both(monkeypatch, X, Y, X, Y, spec)
        np.testing.assert_allclose(fast.efficiency, slow.efficiency, rtol=1e-9)
        np.testing.assert_allclose(fast.efficiency, ref_radial(X, Y, X, Y, rts=rts),
                                   rtol=1e-7)
    r = solve(HOSPITALS[:, :2], HOSPITALS[:, 2:], None, HOSPITALS[:, :2], HOSPITALS[:, 2:],
              None, DEASpec(model="ccr"))
    assert r.info["vectorised"] == 12
    np.testing.assert_allclose(r.efficiency, HOSPITAL_CCR, atol=5e-5)


def test_returns_to_scale_ordering():
    # Färe, Grosskopf & Lovell (1994): T_VRS ⊆ T_NIRS, T_NDRS ⊆ T_CRS, so input efficiency
    # CRS <= NIRS, NDRS <= VRS, and min(NIRS, NDRS) = CRS
    X, Y, _ = random_data(50, m=2, s1=1, s2=0, seed=5)
    e = {r: solve(X, Y, None, X, Y, None, DEASpec(model="radial", rts=r)).efficiency
         for r in ("crs", "vrs", "nirs", "ndrs")}
    tol = 1e-9
    assert np.all(e["crs"] <= e["nirs"] + tol) and np.all(e["nirs"] <= e["vrs"] + tol)
    assert np.all(e["crs"] <= e["ndrs"] + tol) and np.all(e["ndrs"] <= e["vrs"] + tol)
    np.testing.assert_allclose(np.minimum(e["nirs"], e["ndrs"]), e["crs"], atol=1e-9)


def test_vector_chunks_give_the_same_answers(monkeypatch):
    X, Y, _ = random_data(60, m=2, s1=1, s2=0, seed=21)
    whole = solve(X, Y, None, X, Y, None, DEASpec("bcc"), return_lambdas=True)
    monkeypatch.setattr(_vector, "MAX_CELLS", 2000)  # a few units per chunk
    parts = solve(X, Y, None, X, Y, None, DEASpec("bcc"), return_lambdas=True)
    np.testing.assert_array_equal(whole.efficiency, parts.efficiency)
    np.testing.assert_array_equal(whole.slacks_x, parts.slacks_x)
    assert parts.info["vectorised"] == 60
