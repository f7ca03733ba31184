"""Exact reference-set reduction: same answers as the full programs and as linprog."""

from __future__ import annotations

import numpy as np
import pytest

from efficiency.dea._cases import random_data, ref_ddf, ref_sbm
from nqpf.efficiency.dea import DEASpec, solve
from nqpf.efficiency.dea.frame import eval_order, initial_frame, price
from nqpf.efficiency.dea.lp import Engine
from nqpf.efficiency.dea.models import _sbm


@pytest.fixture(scope="module")
def data():
    return random_data(160, m=2, s1=2, s2=1, seed=7)


SPECS = [
    DEASpec("sbm"),
    DEASpec("sbm", rts="vrs"),
    DEASpec("sbm", orientation="input", rts="vrs"),
    DEASpec("super-sbm"),
    DEASpec("super-sbm", rts="vrs", super_mode="all"),
    DEASpec("ddf"),
    DEASpec("ddf", rts="vrs", direction="proportional"),
    DEASpec("nddf", rts="vrs", direction="proportional"),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.label)
def test_reduce_equals_full(data, spec):
    X, Y, B = data
    red = solve(X, Y, B, X, Y, B, spec, reduce=True)
    full = solve(X, Y, B, X, Y, B, spec, reduce=False)
    assert red.status.tolist() == full.status.tolist()
    ok = red.status == "optimal"
    np.testing.assert_allclose(red.efficiency[ok], full.efficiency[ok], atol=1e-8, rtol=0)
    assert red.info["frame_size"] < X.shape[0] // 2  # the frame really is small
    assert full.info["frame_size"] == X.shape[0]


@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_radial_reduce_equals_full(data, rts):
    X, Y, _ = data
    for orient in ("input", "output"):
        spec = DEASpec("radial", rts=rts, orientation=orient)
        red = solve(X, Y, None, X, Y, None, spec)
        full = solve(X, Y, None, X, Y, None, spec, reduce=False)
        np.testing.assert_allclose(red.efficiency, full.efficiency, atol=1e-8, rtol=0)
        # second phase: the max-slack sums agree too
        np.testing.assert_allclose(
            red.slacks_x.sum(1) + red.slacks_y.sum(1),
            full.slacks_x.sum(1) + full.slacks_y.sum(1),
            atol=1e-6,
        )


def test_reduce_matches_linprog_subset(data):
    X, Y, B = data
    Xs, Ys, Bs = X[:80], Y[:80], B[:80]
    ev = slice(0, 20)
    for rts in ("crs", "vrs"):
        r = solve(Xs[ev], Ys[ev], Bs[ev], Xs, Ys, Bs, DEASpec("sbm", rts=rts))
        np.testing.assert_allclose(r.rho, ref_sbm(Xs[ev], Ys[ev], Bs[ev], Xs, Ys, Bs, rts),
                                   atol=1e-6)
        s = solve(Xs[ev], Ys[ev], Bs[ev], Xs, Ys, Bs, DEASpec("super-sbm", rts=rts,
                                                                 super_mode="all"),
                  self_index=np.arange(20))
        ref = ref_sbm(Xs[ev], Ys[ev], Bs[ev], Xs, Ys, Bs, rts, super_=True,
                      exclude=np.arange(20))
        np.testing.assert_allclose(s.efficiency, ref, atol=1e-6)
        G = np.hstack([np.zeros_like(Xs[ev]), Ys[ev], -Bs[ev]])
        d = solve(Xs[ev], Ys[ev], Bs[ev], Xs, Ys, Bs, DEASpec("ddf", rts=rts))
        np.testing.assert_allclose(d.beta, ref_ddf(Xs[ev], Ys[ev], Bs[ev], Xs, Ys, Bs, G, rts),
                                   atol=1e-6)


def test_cross_evaluation_with_infeasible_restricted_programs(data):
    # VRS, points outside the reference technology: some programs are infeasible for real,
    # others only for the restricted column set (the full-model fallback decides)
    X, Y, B = data
    Xe, Ye, Be = X[:40] * 0.9, Y[:40] * 1.2, B[:40]
    rescued = 0
    for spec in (DEASpec("ddf", rts="vrs"), DEASpec("radial", rts="vrs"),
                 DEASpec("sbm", rts="vrs")):
        BB, Bref = (None, None) if spec.model == "radial" else (Be, B)
        red = solve(Xe, Ye, BB, X, Y, Bref, spec)
        full = solve(Xe, Ye, BB, X, Y, Bref, spec, reduce=False)
        assert red.status.tolist() == full.status.tolist()
        ok = red.status == "optimal"
        np.testing.assert_allclose(red.efficiency[ok], full.efficiency[ok], atol=1e-8, rtol=0)
        # restricted programs that lacked columns were rescued by Farkas pricing
        rescued += red.info["farkas_rounds"]
    assert rescued > 0
    assert (full.super_used).any()  # SBM outside points went to the super program


def test_full_program_fallback_without_certificate(data, monkeypatch):
    # with no usable dual ray, infeasible restricted programs are decided on the full LP
    X, Y, B = data
    Xe, Ye, Be = X[:40] * 0.9, Y[:40] * 1.2, B[:40]
    spec = DEASpec("ddf", rts="vrs")
    full = solve(Xe, Ye, Be, X, Y, B, spec, reduce=False)
    monkeypatch.setattr(Engine, "_farkas", lambda self, exclude: None)
    red = solve(Xe, Ye, Be, X, Y, B, spec)
    assert red.info["fallbacks"] > 0 and red.info["farkas_rounds"] == 0
    assert red.status.tolist() == full.status.tolist()
    ok = red.status == "optimal"
    np.testing.assert_allclose(red.efficiency[ok], full.efficiency[ok], atol=1e-8, rtol=0)


def test_price_finds_the_violating_column():
    # two rows, duals y = (1, -2): reduced cost of a column a is -(a1 - 2 a2)
    L = np.array([[1.0, 3.0, 1.0, 5.0], [1.0, 1.0, 2.0, 1.0]])
    y = np.array([1.0, -2.0])
    in_model = np.array([True, False, False, False])
    got = price(L, y, in_model, exclude=-1, k=5)
    assert got.tolist() == [3, 1]  # rc: col1 -1, col2 +3, col3 -3 -> most negative first
    assert price(L, y, in_model, exclude=3, k=5).tolist() == [1]
    assert price(L, y, in_model, exclude=-1, k=1).tolist() == [3]


def test_frame_is_learnt_once_and_shared():
    X, Y, B = random_data(400, seed=12)
    form = _sbm(X, Y, B, X, Y, B, DEASpec("sbm"), super_=False)
    eng = Engine(form, reduce=True, start=initial_frame(X, Y, B, "crs"))
    n_lp = []
    for k in range(400):
        sol = eng.solve_unit(k)
        n_lp.append(sol.n_lp)
    assert eng.frame.size < 100
    # later units rarely need a pricing round: the frame learnt from the first units suffices
    assert np.mean(n_lp[200:]) < 1.1 <= np.mean(n_lp[:20])


def test_evaluation_order_never_changes_results():
    X, Y, B = random_data(120, seed=30)
    Z = np.hstack([X, Y, B])
    perm = eval_order(Z)
    assert sorted(perm.tolist()) == list(range(120))
    rev = np.arange(120)[::-1]
    a = solve(X, Y, B, X, Y, B, DEASpec("super-sbm"), return_lambdas=True)
    b = solve(X[rev], Y[rev], B[rev], X, Y, B, DEASpec("super-sbm"), self_index=rev,
              return_lambdas=True)
    np.testing.assert_allclose(b.efficiency, a.efficiency[rev], atol=1e-9)
    np.testing.assert_allclose(b.slacks_x, a.slacks_x[rev], atol=1e-7)
    np.testing.assert_allclose(b.lambdas.toarray(), a.lambdas.toarray()[rev], atol=1e-7)
    # lambdas reproduce the targets: X'lambda <= target inputs, Y'lambda >= target outputs
    lam = a.lambdas.toarray()
    sbm = ~a.super_used
    assert np.all(lam[sbm] @ X <= a.targets_x[sbm] + 1e-7)
    assert np.all(lam[sbm] @ Y >= a.targets_y[sbm] - 1e-7)
