"""Multiplier form, assurance regions and cross-efficiency."""

from __future__ import annotations

import numpy as np
import pytest

from efficiency.dea._cases import HOSPITAL_CCR, HOSPITALS, random_data
from nqpf.efficiency.dea import DEASpec, solve
from nqpf.efficiency.dea.multiplier import cross_efficiency, multiplier
from nqpf.errors import DataError

HX, HY = HOSPITALS[:, :2], HOSPITALS[:, 2:]


@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_multiplier_equals_envelopment(rts, orientation):
    # LP duality: the multiplier optimum is the envelopment score
    X, Y, _ = random_data(30, m=3, s1=2, s2=0, seed=3)
    a = multiplier(X, Y, rts, orientation)
    b = solve(X, Y, None, X, Y, None, DEASpec("radial", rts=rts, orientation=orientation))
    np.testing.assert_allclose(a.efficiency, b.efficiency, atol=1e-9)
    if orientation == "input":  # the weights satisfy v'x0 = 1 and give the score
        np.testing.assert_allclose((a.v * X).sum(1), 1.0, atol=1e-9)
        np.testing.assert_allclose((a.u * Y).sum(1) - a.u0, a.efficiency, atol=1e-9)


def test_assurance_region_bounds_and_scores():
    # Cooper, Seiford & Tone (2007) hospitals: CCR scores as published; a region
    # 1 <= v_nurse / v_doctor <= 5 holds in every optimal weight vector and lowers no score
    # above its CCR value
    base = multiplier(HX, HY)
    np.testing.assert_allclose(base.efficiency, HOSPITAL_CCR, atol=5e-5)
    ar = multiplier(HX, HY, input_ratios={(1, 0): (1.0, 5.0)})
    ratio = ar.v[:, 1] / ar.v[:, 0]
    assert np.all(ratio >= 1 - 1e-9) and np.all(ratio <= 5 + 1e-9)
    assert np.all(ar.efficiency <= base.efficiency + 1e-9)
    assert np.any(ar.efficiency < base.efficiency - 1e-3)
    with pytest.raises(DataError, match="assurance region"):
        multiplier(HX, HY, input_ratios={(0, 0): (1, 2)})
    with pytest.raises(DataError, match="lo <= hi"):
        multiplier(HX, HY, output_ratios={(0, 1): (3, 2)})


def test_cross_efficiency_hand_and_invariants():
    # one input, one output: every unit's weights rate unit j at its CCR score, so the
    # cross-efficiency is the CCR score whatever the method
    x = np.array([2.0, 4, 3, 5, 6])
    y = np.array([1.0, 2, 3, 4, 5])
    for method in ("simple", "aggressive", "benevolent"):
        c = cross_efficiency(x, y, method)
        np.testing.assert_allclose(c.score, [0.5, 0.5, 1.0, 0.8, 5 / 6], atol=1e-9)
    agg = cross_efficiency(HX, HY, "aggressive")
    ben = cross_efficiency(HX, HY, "benevolent")
    for c in (agg, ben):
        np.testing.assert_allclose(np.diag(c.matrix), c.ccr, atol=1e-8)  # k keeps theta_k
        assert np.all(c.matrix <= 1 + 1e-9) and np.all(c.score <= c.ccr + 1e-9)
    # row k: aggressive minimises, benevolent maximises the others' aggregate ratio
    off = ~np.eye(12, dtype=bool)
    for c_a, c_b in ((agg, ben),):
        for k in range(12):
            xo, yo = HX[off[k]].sum(0), HY[off[k]].sum(0)
            ra = (c_a.u[k] @ yo) / (c_a.v[k] @ xo)
            rb = (c_b.u[k] @ yo) / (c_b.v[k] @ xo)
            assert ra <= rb + 1e-9
    assert agg.score.mean() < ben.score.mean()
    with pytest.raises(DataError, match="method"):
        cross_efficiency(HX, HY, "neutral")
