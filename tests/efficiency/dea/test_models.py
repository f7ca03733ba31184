"""DEA programs: published and hand-derived scores, invariants, the low-level solve()."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

from efficiency.dea._cases import HOSPITAL_CCR, HOSPITALS, random_data, ref_ddf, ref_radial, ref_sbm
from nqpf.efficiency.dea import DEASpec, solve
from nqpf.errors import DataError

# Coelli (1996), DEAP 2.1 manual, example 1: 5 firms, 1 output, 2 inputs (y, x1, x2)
EG1_Y = np.array([1.0, 2, 3, 1, 2])
EG1_X = np.array([[2.0, 5], [2, 4], [6, 6], [3, 2], [6, 2]])
# Coelli (1996), DEAP 2.1 manual, example 2: 5 firms, 1 output, 1 input (y, x)
EG2_Y = np.array([1.0, 2, 3, 4, 5])
EG2_X = np.array([2.0, 4, 3, 5, 6])


def run(X, Y, B=None, **kw):
    return solve(X, Y, B, X, Y, B, DEASpec(**kw))


# ------------------------------------------------------------------ radial
def test_coelli_example1_crs_input():
    # hand: firm 3 projects on 2/3 firm2 + 1/3 firm5 -> 5/6; firm 4: 7 theta = 5;
    # firm 1 hits the vertical facet through firm 2 with an x2 slack of 0.5
    r = run(EG1_X, EG1_Y, model="ccr")
    np.testing.assert_allclose(r.efficiency, [0.5, 1, 5 / 6, 5 / 7, 1], atol=1e-9)
    np.testing.assert_allclose(r.slacks_x[0], [0.0, 0.5], atol=1e-9)
    np.testing.assert_allclose(r.targets_x[0], [1.0, 2.0], atol=1e-9)
    assert (r.status == "optimal").all()
    assert np.isnan(r.phi).all()


def test_coelli_example2_crs_vrs_scale():
    crs = run(EG2_X, EG2_Y, model="ccr").efficiency
    vrs = run(EG2_X, EG2_Y, model="bcc").efficiency
    np.testing.assert_allclose(crs, [0.5, 0.5, 1.0, 0.8, 5 / 6], atol=1e-9)
    np.testing.assert_allclose(vrs, [1.0, 0.625, 1.0, 0.9, 1.0], atol=1e-9)
    np.testing.assert_allclose(crs / vrs, [0.5, 0.8, 1.0, 8 / 9, 5 / 6], atol=1e-9)
    # output orientation, VRS: firm 2 (x=4) lies below the B-C facet y = 3 + 2(x-3)/3
    out = run(EG2_X, EG2_Y, model="bcc", orientation="output")
    np.testing.assert_allclose(out.phi[[0, 1, 3]], [1.0, 11 / 6, 13 / 12], atol=1e-9)
    np.testing.assert_allclose(out.efficiency, 1 / out.phi)
    np.testing.assert_allclose(out.targets_y[1], [11 / 3], atol=1e-9)


def test_cooper_seiford_tone_hospitals_ccr():
    X, Y = HOSPITALS[:, :2], HOSPITALS[:, 2:]
    r = run(X, Y, model="ccr")
    np.testing.assert_allclose(r.efficiency, HOSPITAL_CCR, atol=5e-5)
    assert r.iterations.sum() > 0


# ------------------------------------------------------------------ SBM
def test_sbm_single_input_output_equals_ccr():
    # Tone (2001): with one input and one output the CRS SBM score equals the CCR score
    r = run(EG2_X, EG2_Y, model="sbm")
    np.testing.assert_allclose(r.rho, [0.5, 0.5, 1.0, 0.8, 5 / 6], atol=1e-9)


def test_sbm_hand_case_input_slack():
    # A (1,1 | 1) dominates B (2,1 | 1): B keeps y, drops x1 by 1 -> rho = 1 - (1/2)(1/2)
    X = np.array([[1.0, 1.0], [2.0, 1.0]])
    Y = np.array([[1.0], [1.0]])
    r = solve(X, Y, None, X, Y, None, DEASpec("sbm"), return_lambdas=True)
    np.testing.assert_allclose(r.rho, [1.0, 0.75], atol=1e-12)
    np.testing.assert_allclose(r.slacks_x[1], [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(r.targets_x[1], [1.0, 1.0], atol=1e-12)
    assert r.lambdas.toarray()[1].tolist() == pytest.approx([1.0, 0.0])


def test_sbm_vrs_uses_sum_lambda_equals_t():
    # 1 input, 1 output: A(1,1), B(2,3), C(4,4), D(3,2). Under VRS the best projection of D
    # is B: rho = (2/3) / (3/2) = 4/9 (checked over the whole frontier by hand).
    X = np.array([[1.0], [2.0], [4.0], [3.0]])
    Y = np.array([[1.0], [3.0], [4.0], [2.0]])
    r = run(X, Y, model="sbm", rts="vrs")
    np.testing.assert_allclose(r.rho, [1.0, 1.0, 1.0, 4 / 9], atol=1e-10)
    # the old Stata sbmeff form (sum of the Charnes-Cooper-scaled lambdas = 1) differs
    nv = 1 + 4 + 2  # t, L1..L4, S-, S+
    c = np.zeros(nv)
    c[0], c[5] = 1.0, -1.0 / 3.0
    A_eq = [
        [1, 0, 0, 0, 0, 0, 1 / 2],  # t + S+/y0 = 1
        [-3, 1, 2, 4, 3, 1, 0],  # X L + S- = t x0
        [-2, 1, 3, 4, 2, 0, -1],  # Y L - S+ = t y0
        [0, 1, 1, 1, 1, 0, 0],  # sum L = 1 (wrong)
    ]
    wrong = linprog(c, A_eq=A_eq, b_eq=[1, 0, 0, 1], bounds=[(0, None)] * nv, method="highs")
    assert wrong.status == 0
    assert abs(wrong.fun - 4 / 9) > 0.05


def test_sbm_zero_good_output_term_dropped():
    # unit 1 has y2 = 0: its ratio averages over y1 only (Tone's DEA-Solver convention)
    X = np.array([[2.0], [2.0]])
    Y = np.array([[2.0, 1.0], [1.0, 0.0]])
    r = run(X, Y, model="sbm")
    # unit 1 -> project on unit 0: s+ = (1, 1); only y1 counts: rho = 1 / (1 + 1/1)
    np.testing.assert_allclose(r.rho, [1.0, 0.5], atol=1e-10)


def test_super_sbm_hand_and_modes():
    # example 2: only firm 3 (3,3) is efficient; without it the best ratio is firm 5 (5/6)
    r = run(EG2_X, EG2_Y, model="super-sbm")
    np.testing.assert_allclose(r.efficiency, [0.5, 0.5, 1.2, 0.8, 5 / 6], atol=1e-9)
    assert r.super_used.tolist() == [False, False, True, False, False]
    allm = run(EG2_X, EG2_Y, model="super-sbm", super_mode="all")
    np.testing.assert_allclose(allm.efficiency, [1, 1, 1.2, 1, 1], atol=1e-9)


def test_super_sbm_vrs_infeasible_is_flagged():
    # VRS: the unit with the largest output cannot be enveloped by the others
    X = np.array([[1.0], [2.0], [3.0]])
    Y = np.array([[1.0], [3.0], [5.0]])
    r = run(X, Y, model="super-sbm", rts="vrs", orientation="input")
    assert r.status[2] == "infeasible"
    assert np.isnan(r.efficiency[2]) and np.isnan(r.slacks_x[2]).all()
    assert r.status[0] == "optimal" and r.efficiency[0] > 1


def test_sbm_with_bad_output_matches_linprog():
    X, Y, B = random_data(40, seed=11)
    for rts in ("crs", "vrs"):
        r = run(X, Y, B, model="sbm", rts=rts)
        np.testing.assert_allclose(r.rho, ref_sbm(X, Y, B, X, Y, B, rts), atol=1e-6)
        s = run(X, Y, B, model="super-sbm", rts=rts, super_mode="all")
        ref = ref_sbm(X, Y, B, X, Y, B, rts, super_=True, exclude=np.arange(40))
        np.testing.assert_allclose(s.efficiency, ref, atol=1e-6)


def test_sbm_outside_reference_switches_to_super():
    X, Y, B = random_data(30, seed=4)
    Xe, Ye, Be = X[:5] * 0.5, Y[:5] * 1.5, B[:5]  # far outside the technology
    r = solve(Xe, Ye, Be, X, Y, B, DEASpec("sbm"))
    assert r.super_used.all() and (r.efficiency > 1).all()
    np.testing.assert_allclose(r.efficiency, ref_sbm(Xe, Ye, Be, X, Y, B, super_=True),
                               atol=1e-6)
    off = solve(Xe, Ye, Be, X, Y, B, DEASpec("sbm", outside="infeasible"))
    assert (off.status == "infeasible").all() and np.isnan(off.efficiency).all()


# ------------------------------------------------------------------ DDF / NDDF
def test_ddf_output_direction_hand():
    # g = (0, y): beta = phi - 1 of the output-oriented radial model
    crs = run(EG2_X, EG2_Y, model="ddf")
    np.testing.assert_allclose(crs.beta, [1.0, 1.0, 0.0, 0.25, 0.2], atol=1e-9)
    np.testing.assert_allclose(crs.efficiency, 1 / (1 + crs.beta))
    vrs = run(EG2_X, EG2_Y, model="ddf", rts="vrs")
    np.testing.assert_allclose(vrs.beta[[1, 3]], [5 / 6, 1 / 12], atol=1e-9)


def test_ddf_beta_negative_outside_and_bads_weakly_disposable():
    X, Y, B = random_data(40, seed=5)
    Xe, Ye, Be = X[:6], Y[:6] * 2.0, B[:6]
    r = solve(Xe, Ye, Be, X, Y, B, DEASpec("ddf", direction="proportional"))
    G = np.hstack([-Xe, Ye, -Be])
    np.testing.assert_allclose(r.beta, ref_ddf(Xe, Ye, Be, X, Y, B, G), atol=1e-6)
    assert (r.beta < 0).all()
    # targets: bad outputs exactly on B lambda (equality), goods at least y + beta g
    own = solve(X, Y, B, X, Y, B, DEASpec("ddf"), return_lambdas=True)
    lam = own.lambdas.toarray()
    np.testing.assert_allclose(lam @ B, own.targets_b, atol=1e-7)
    assert np.all(lam @ Y >= own.targets_y - 1e-7)


def test_nddf_weights_and_betas():
    X, Y, B = random_data(30, seed=8)
    r = run(X, Y, B, model="nddf", direction="proportional")
    w = np.full(5, 0.2)
    np.testing.assert_allclose(r.beta, r.betas @ w, atol=1e-12)
    np.testing.assert_allclose(r.beta, ref_ddf(X, Y, B, X, Y, B, np.hstack([-X, Y, -B]),
                                                weights=w), atol=1e-6)
    d = run(X, Y, B, model="nddf")  # default g = (0, y, -b): inputs get no weight
    assert np.all(d.betas[:, :2] == 0)
    w2 = [0, 0, 0.5, 0.25, 0.25]
    e = run(X, Y, B, model="nddf", weights=w2)
    np.testing.assert_allclose(e.beta, e.betas @ np.array(w2), atol=1e-12)


def test_custom_direction_per_unit_and_shape_check():
    X, Y, B = random_data(10, seed=2)
    g = np.hstack([np.zeros_like(X), Y, -B])
    a = run(X, Y, B, model="ddf")
    b = run(X, Y, B, model="ddf", direction=g)
    np.testing.assert_allclose(a.beta, b.beta, atol=1e-9)
    with pytest.raises(DataError, match="direction has shape"):
        run(X, Y, B, model="ddf", direction=np.ones(4))


# ------------------------------------------------------------------ invariants
@pytest.fixture(scope="module")
def rnd():
    return random_data(100, s2=0, seed=21)


def test_invariants_random(rnd):
    X, Y, _ = rnd
    sbm = run(X, Y, model="sbm").efficiency
    ccr = run(X, Y, model="ccr").efficiency
    bcc = run(X, Y, model="bcc").efficiency
    vsbm = run(X, Y, model="sbm", rts="vrs").efficiency
    assert np.all((sbm > 0) & (sbm <= 1 + 1e-12))
    assert np.all((ccr > 0) & (ccr <= 1 + 1e-12))
    assert np.all(sbm <= ccr + 1e-9)  # Tone (2001): SBM <= CCR
    assert np.all(bcc >= ccr - 1e-9) and np.all(vsbm >= sbm - 1e-9)
    scaled = run(X * 7.5, Y, model="sbm").efficiency
    np.testing.assert_allclose(scaled, sbm, atol=1e-9)
    sup = run(X, Y, model="super-sbm").efficiency
    eff = sbm >= 1 - 1e-9
    assert eff.any() and np.all(sup[eff] >= 1 - 1e-12)
    np.testing.assert_allclose(sup[~eff], sbm[~eff])
    np.testing.assert_allclose(ccr[:40], ref_radial(X[:40], Y[:40], X, Y), atol=1e-6)


def test_efficient_units_zero_slacks_and_targets_on_frontier(rnd):
    X, Y, _ = rnd
    for spec in (DEASpec("sbm"), DEASpec("ccr"), DEASpec("bcc"), DEASpec("sbm", rts="vrs")):
        r = solve(X, Y, None, X, Y, None, spec)
        eff = r.efficiency >= 1 - 1e-9
        if spec.model == "radial":  # CCR-efficient = theta 1 and zero slacks
            eff &= (r.slacks_x.sum(1) + r.slacks_y.sum(1)) < 1e-7
        assert np.abs(r.slacks_x[eff]).max() < 1e-7 and np.abs(r.slacks_y[eff]).max() < 1e-7
        t = solve(r.targets_x, r.targets_y, None, X, Y, None, spec)
        np.testing.assert_allclose(t.efficiency, 1.0, atol=1e-6)


def test_spec_validation():
    assert DEASpec("ccr").rts == "crs" and DEASpec("bcc").rts == "vrs"
    assert DEASpec("bcc").model == "radial" and DEASpec("sbm").orientation == "non"
    with pytest.raises(DataError, match="choose one of: radial, ccr"):
        DEASpec("sbn")
    with pytest.raises(DataError, match="returns to scale"):
        DEASpec("sbm", rts="increasing")
    with pytest.raises(DataError, match="bad_disposal"):
        DEASpec("ddf", bad_disposal="strongish")
    with pytest.raises(DataError, match="orientation"):
        DEASpec("sbm", orientation="sideways")
    with pytest.raises(DataError, match="use model='bcc'"):
        DEASpec("ccr", rts="vrs")
    with pytest.raises(DataError, match="radial"):
        DEASpec("radial", orientation="non")
    with pytest.raises(DataError, match="direction"):
        DEASpec("sbm", direction="output")
    with pytest.raises(DataError, match="super_mode"):
        DEASpec("super-sbm", super_mode="some")
    with pytest.raises(DataError, match="weights"):
        DEASpec("nddf", weights=[-1, 1])
    assert DEASpec("sbm", rts="VRS") == DEASpec("sbm", rts="vrs")


def test_solve_input_errors():
    X, Y, B = random_data(5, seed=1)
    with pytest.raises(DataError, match="no bad outputs"):
        run(X, Y, B, model="ccr")
    with pytest.raises(DataError, match="or neither"):
        solve(X, Y, B, X, Y, None, DEASpec("sbm"))
    Xn = X.copy()
    Xn[2, 1] = np.nan
    with pytest.raises(DataError, match="row 2, column 1"):
        solve(Xn, Y, B, X, Y, B, DEASpec("sbm"))
    with pytest.raises(DataError, match="self_index"):
        solve(X, Y, B, X, Y, B, DEASpec("super-sbm"), self_index=[0, 1])


def test_progress_and_dask_threads_identical():
    X, Y, B = random_data(80, seed=3)
    seen = []
    base = solve(X, Y, B, X, Y, B, DEASpec("super-sbm"), progress=lambda i, n: seen.append(i))
    assert seen[-1] == 80 and len(seen) == 80
    par = solve(X, Y, B, X, Y, B, DEASpec("super-sbm"), dask="threads", chunks=3)
    np.testing.assert_allclose(par.efficiency, base.efficiency, atol=1e-9, rtol=0)
    assert par.status.tolist() == base.status.tolist()
    assert par.super_used.tolist() == base.super_used.tolist()


def test_bad_disposal_free_and_weights_as_given():
    X, Y, B = random_data(30, seed=8)
    weak = run(X, Y, B, model="ddf")
    free = run(X, Y, B, model="ddf", bad_disposal="free")
    # B lam <= b0 + beta g_b enlarges the technology: beta can only grow
    assert np.all(free.beta >= weak.beta - 1e-9)
    assert np.any(free.beta > weak.beta + 1e-6)
    w = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
    given = run(X, Y, B, model="nddf", weights=w)
    normed = run(X, Y, B, model="nddf", weights=w, normalise_weights=True)
    np.testing.assert_allclose(given.beta, given.betas @ w, atol=1e-12)
    np.testing.assert_allclose(normed.beta, given.beta / 3, atol=1e-9)


@pytest.mark.parametrize("model", ["sbm", "ddf"])
def test_nirs_ndrs_between_crs_and_vrs(model):
    X, Y, B = random_data(30, seed=4)
    e = {r: run(X, Y, B, model=model, rts=r).efficiency for r in ("crs", "vrs", "nirs", "ndrs")}
    for r in ("nirs", "ndrs"):
        assert np.all(e["crs"] <= e[r] + 1e-8) and np.all(e[r] <= e["vrs"] + 1e-8)


# ------------------------------------------------------------------ super-radial, FDH
def test_andersen_petersen_super_efficiency_hand():
    # one input, one output: firm 3 (ratio 1) is measured against the next best ratio 5/6
    r = run(EG2_X, EG2_Y, model="super-radial")
    np.testing.assert_allclose(r.efficiency, [0.5, 0.5, 1.2, 0.8, 5 / 6], atol=1e-9)
    o = run(EG2_X, EG2_Y, model="super-radial", orientation="output")
    np.testing.assert_allclose(o.efficiency, r.efficiency, atol=1e-9)  # CRS: same
    # VRS input: firm 1 needs x = 3 for y >= 1; firm 3 the mix 1/3 (2,1) + 2/3 (5,4);
    # firm 5 has the largest output: no convex mix of the others reaches it (infeasible)
    v = run(EG2_X, EG2_Y, model="super-radial", rts="vrs")
    np.testing.assert_allclose(v.efficiency[:4], [1.5, 0.625, 4 / 3, 0.9], atol=1e-9)
    assert v.status[4] == "infeasible" and np.isnan(v.efficiency[4])
    vo = run(EG2_X, EG2_Y, model="super-radial", rts="vrs", orientation="output")
    assert vo.status[0] == "infeasible"  # smallest input: nothing uses as little


def test_super_radial_equals_radial_for_inefficient_and_exceeds_one_else(monkeypatch):
    from nqpf.efficiency.dea import vector as _vector

    X, Y, _ = random_data(40, m=2, s1=2, s2=0, seed=9)
    base = run(X, Y, model="ccr").efficiency
    sup = run(X, Y, model="super-radial").efficiency
    eff = base > 1 - 1e-9
    np.testing.assert_allclose(sup[~eff], base[~eff], atol=1e-9)
    assert np.all(sup[eff] >= 1 - 1e-9) and np.any(sup[eff] > 1 + 1e-6)
    monkeypatch.setattr(_vector, "MAX_REF", 0)  # the HiGHS path gives the same
    np.testing.assert_allclose(run(X, Y, model="super-radial").efficiency, sup, rtol=1e-9)


def test_fdh_hand_and_ordering():
    # DEAP example 2: firm 2 (x=4, y=2) is dominated by firm 3 (x=3, y=3): theta 3/4,
    # output phi = 3/2
    r = run(EG2_X, EG2_Y, model="fdh")
    np.testing.assert_allclose(r.efficiency, [1, 0.75, 1, 1, 1], atol=1e-12)
    np.testing.assert_allclose(r.targets_x[1], [3.0])
    o = run(EG2_X, EG2_Y, model="fdh", orientation="output")
    np.testing.assert_allclose(o.efficiency, [1, 2 / 3, 1, 1, 1], atol=1e-12)
    # FDH >= VRS >= CRS (the technologies are nested)
    X, Y, _ = random_data(60, m=2, s1=2, s2=0, seed=3)
    for orient in ("input", "output"):
        f = run(X, Y, model="fdh", orientation=orient).efficiency
        v = run(X, Y, model="bcc", orientation=orient).efficiency
        c = run(X, Y, model="ccr", orientation=orient).efficiency
        assert np.all(f >= v - 1e-9) and np.all(v >= c - 1e-9)
    # a point no observation dominates is infeasible
    far = solve(X[:1] * 0.01, Y[:1] * 100, None, X, Y, None, DEASpec("fdh"))
    assert far.status[0] == "infeasible" and np.isnan(far.efficiency[0])


def test_nondiscretionary_inputs_banker_morey(monkeypatch):
    from nqpf.efficiency.dea import vector as _vector

    # one output; x1 discretionary, x2 fixed. Unit 0 (x = (4, 1), y = 1) against unit 1
    # (x = (2, 1), y = 1): theta scales only x1, so theta = 2/4 = 0.5; in the CCR model x2
    # must shrink too, so theta = 1 with an x1 slack of 2. Unit 2 (x = (2, 4)) keeps theta 1.
    X = np.array([[4.0, 1.0], [2.0, 1.0], [2.0, 4.0]])
    Y = np.ones((3, 1))
    for max_ref in (150, 0):  # vectorised and HiGHS paths
        monkeypatch.setattr(_vector, "MAX_REF", max_ref)
        nd = run(X, Y, model="ccr", nondiscretionary=[1])
        np.testing.assert_allclose(nd.efficiency, [0.5, 1.0, 1.0], atol=1e-9)
        # theta is optimal and the discretionary x1 has no slack left (the slacks of
        # non-discretionary inputs are not maximised)
        np.testing.assert_allclose(nd.targets_x[0, 0], 2.0, atol=1e-9)
        full = run(X, Y, model="ccr")
        np.testing.assert_allclose(full.efficiency, [1.0, 1.0, 1.0], atol=1e-9)
        np.testing.assert_allclose(full.slacks_x[0], [2.0, 0.0], atol=1e-9)
    with pytest.raises(DataError, match="at least one input discretionary"):
        run(X, Y, model="ccr", nondiscretionary=[0, 1])
    with pytest.raises(DataError, match="radial"):
        DEASpec("sbm", nondiscretionary=[0])
# ------------------------------------------------------------------ properties
_POS = st.floats(0.1, 1000, allow_nan=False, allow_infinity=False)


@settings(max_examples=25, deadline=None)
@given(X=arrays(np.float64, (8, 2), elements=_POS), Y=arrays(np.float64, (8, 1), elements=_POS),
       c=st.floats(0.01, 100))
def test_radial_invariants(X, Y, c):
    crs = run(X, Y, model="ccr").efficiency
    vrs = run(X, Y, model="bcc").efficiency
    assert np.all((crs > 0) & (crs <= 1 + 1e-9)) and np.isclose(crs.max(), 1.0)
    assert np.all(vrs >= crs - 1e-9)  # a larger technology set under CRS: never more efficient
    np.testing.assert_allclose(run(X * c, Y, model="ccr").efficiency, crs, rtol=1e-7)  # units
    order = np.random.default_rng(0).permutation(8)  # the order of the units does not matter
    np.testing.assert_allclose(run(X[order], Y[order], model="ccr").efficiency, crs[order],
                               rtol=1e-7)
