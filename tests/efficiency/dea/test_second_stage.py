"""Simar–Wilson (2007) second stage: truncated regression and its bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from nqpf.efficiency.dea import DEASpec, solve
from nqpf.efficiency.dea.second_stage import sw07, truncated_regression
from nqpf.errors import DataError


def _truncated_sample(n, beta, sigma, seed):
    rng = np.random.default_rng(seed)
    z = rng.uniform(0, 2, n)
    mu = beta[0] + beta[1] * z
    e = stats.truncnorm.rvs((1 - mu) / sigma, np.inf, scale=sigma, size=n, random_state=rng)
    return mu + e, z


def test_truncated_regression_recovers_the_parameters():
    d, z = _truncated_sample(2000, (1.2, 0.5), 0.4, seed=1)
    b, s = truncated_regression(d, np.column_stack([np.ones_like(z), z]))
    np.testing.assert_allclose(b, [1.2, 0.5], atol=0.08)
    assert s == pytest.approx(0.4, abs=0.04)
    # ordinary least squares on the truncated sample is biased towards zero slope
    ols = np.polyfit(z, d, 1)[0]
    assert abs(ols - 0.5) > abs(b[1] - 0.5)


def test_sw07_intervals_cover_and_seeded():
    d, z = _truncated_sample(200, (1.1, 0.6), 0.3, seed=2)
    r = sw07(d, z, names=["z"], L=40, seed=3)
    c = r.coefficients.set_index("term")
    assert r.n_used == 200
    # the interval brackets the estimate, the truth lies within 3 bootstrap SE of it
    # (this sample's estimate is 2.1 SE above 0.6), and the effect is significant
    assert c.loc["z", "lower"] < c.loc["z", "estimate"] < c.loc["z", "upper"]
    assert abs(c.loc["z", "estimate"] - 0.6) < 3 * c.loc["z", "se"]
    assert abs(c.loc["const", "estimate"] - 1.1) < 3 * c.loc["const", "se"]
    assert c.loc["z", "lower"] > 0
    again = sw07(d, z, names=["z"], L=40, seed=3)
    np.testing.assert_array_equal(r.coefficients["lower"], again.coefficients["lower"])


def test_dea_then_second_stage_finds_the_environmental_effect():
    # inefficiency grows with z: the distance rises with z, a positive coefficient
    rng = np.random.default_rng(4)
    n = 150
    z = rng.uniform(0, 1, n)
    x = rng.uniform(1, 10, n)
    u = np.abs(rng.normal(0, 0.1, n)) + 0.4 * z
    y = x**0.7 * np.exp(-u)
    r = solve(x, y, None, x, y, None, DEASpec("bcc", orientation="output"))
    res = sw07(r.phi, z, names=["z"], L=30, seed=1)
    c = res.coefficients.set_index("term")
    assert c.loc["z", "estimate"] > 0 and c.loc["z", "lower"] > 0
    with pytest.raises(DataError, match=">= 1"):
        sw07(r.efficiency, z)  # Farrell output efficiencies below 1 are not distances
