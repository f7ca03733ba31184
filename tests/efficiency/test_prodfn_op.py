"""Olley–Pakes and Wooldridge estimators on a simulated firm panel with known elasticities.

The simulator below (true β_l = 0.6, β_k = 0.4, value added) follows the timing both
estimators assume: ω_t AR(1) (ρ = 0.7, innovation sd 0.25) known when labour is chosen
(l = 0.3 + ω + 0.4 k + ν, ν an AR(1) wage shock), so OLS puts part of ω on l (upward
bias); capital predetermined, k_{t+1} = log(0.9 K_t + I_t); log investment
−2 + 1.5 ω + k (+ optional noise) increasing in ω and k, so OP's inversion holds
without noise; materials m = 0.5 + ω + 0.8 k (monotone in ω given k, Wooldridge's
proxy); optional exit when ω_{t+1} < cut − 0.6 (k_{t+1} − 2), a threshold falling in
k, so survivors with large k have lower ω and β_k is biased down without the
correction (Olley & Pakes 1996, §4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.efficiency.prodfn_op import olley_pakes, wooldridge
from nqpf.errors import DataError

BL, BK = 0.6, 0.4
KW = dict(unit="firm", period="year", output="y", free="l", state="k")


def simulate(n_firms=800, periods=10, seed=1, exit_cut=None, zero_inv=0.0, inv_noise=0.0):
    rng = np.random.default_rng(seed)
    rho = 0.7
    w = rng.normal(0, 0.25 / np.sqrt(1 - rho**2), n_firms)
    k = rng.normal(2.0, 0.6, n_firms)
    nu = rng.normal(0, 0.3 / np.sqrt(1 - 0.49), n_firms)
    alive = np.ones(n_firms, bool)
    frames = []
    for t in range(periods):
        lab = 0.3 + w + 0.4 * k + nu
        y = BL * lab + BK * k + w + rng.normal(0, 0.1, n_firms)
        inv = np.exp(-2.0 + 1.5 * w + k + inv_noise * rng.normal(0, 1, n_firms))
        if zero_inv:
            inv = np.where(rng.random(n_firms) < zero_inv, 0.0, inv)
        m = 0.5 + w + 0.8 * k
        w_next = rho * w + rng.normal(0, 0.25, n_firms)
        k_next = np.log(0.9 * np.exp(k) + inv)
        nu_next = 0.7 * nu + rng.normal(0, 0.3, n_firms)
        stay = np.ones(n_firms, bool)
        if exit_cut is not None and t < periods - 1:
            stay = w_next >= exit_cut - 0.6 * (k_next - 2.0)
        frames.append(pd.DataFrame({
            "firm": [f"F{i:04d}" for i in np.flatnonzero(alive)], "year": 2000 + t,
            "y": y[alive], "l": lab[alive], "k": k[alive], "inv": inv[alive], "m": m[alive],
            "omega": w[alive], "exit": (~stay[alive]).astype(float),
        }))
        alive &= stay
        w, k, nu = w_next, k_next, nu_next
    df = pd.concat(frames, ignore_index=True)
    df["linv"] = np.log(df["inv"].where(df["inv"] > 0))
    return df


@pytest.fixture(scope="module")
def panel():
    return simulate(seed=1)


@pytest.fixture(scope="module")
def panel_exit():
    return simulate(seed=1, exit_cut=-0.4)


def ols(d):
    X = np.column_stack([np.ones(len(d)), d["l"], d["k"]])
    return np.linalg.lstsq(X, d["y"].to_numpy(), rcond=None)[0][1:]


def test_op_recovers_betas_where_ols_is_biased(panel):
    before = panel.copy()
    r = olley_pakes(panel, proxy="linv", **KW)
    assert abs(r.beta("l") - BL) < 0.03  # measured 0.600
    assert abs(r.beta("k") - BK) < 0.07  # measured 0.389
    b_ols = ols(panel)
    assert b_ols[0] > BL + 0.25  # OLS β_l ≈ 0.996: ω sits in the error and raises l
    assert r.diagnostics["converged"] is True
    assert r.params["exit_correction"] is False
    assert r.method == "op" and list(r.coefficients["term"]) == ["l", "k"]
    assert r.coefficients["std_error"].isna().all()
    pd.testing.assert_frame_equal(panel, before)  # input untouched
    # TFP is the residual y − β_l l − β_k k and tracks the true ω (plus the constant)
    t = r.tfp.merge(panel, left_on=["unit", "period"], right_on=["firm", "year"])
    np.testing.assert_allclose(t["log_tfp"], t["y"] - r.beta("l") * t["l"] - r.beta("k") * t["k"])
    np.testing.assert_allclose(t["tfp"], np.exp(t["log_tfp"]))
    assert np.corrcoef(t["log_tfp"], t["omega"])[0, 1] > 0.9


def test_op_first_stage_is_the_hand_regression(panel):
    r = olley_pakes(panel, proxy="linv", poly_degree=2, **KW)
    i, k = panel["linv"].to_numpy(), panel["k"].to_numpy()
    X = np.column_stack([panel["l"], np.ones(len(i)), i, k, i * i, i * k, k * k])
    b = np.linalg.lstsq(X, panel["y"].to_numpy(), rcond=None)[0]
    assert r.beta("l") == pytest.approx(b[0], abs=1e-10)
    assert r.diagnostics["first_stage_obs"] == len(panel)
    # every row but each firm's first has a same-firm lag: 800 × 9
    assert r.diagnostics["second_stage_obs"] == 800 * 9


def test_op_exit_correction_moves_beta_k_up(panel_exit):
    d = panel_exit
    assert 0.03 < d["exit"].mean() < 0.1
    plain = olley_pakes(d, proxy="linv", **KW)
    corr = olley_pakes(d, proxy="linv", exit="exit", **KW)
    # selection on ω with a threshold falling in k biases β_k down (measured 0.215);
    # P̂ in g removes most of it (measured 0.411)
    assert plain.beta("k") < BK - 0.12
    assert corr.beta("k") > plain.beta("k") + 0.12
    assert abs(corr.beta("k") - BK) < 0.07
    assert corr.beta("l") == pytest.approx(plain.beta("l"), abs=1e-12)  # same first stage
    assert corr.params["exit_correction"] is True and corr.params["exit"] == "exit"
    assert corr.diagnostics["probit_converged"] is True
    assert corr.diagnostics["probit_obs"] == len(d)


def test_op_levels_zero_investment_and_nonpositive_named():
    d = simulate(n_firms=300, periods=8, seed=4, zero_inv=0.05)
    lv = d.assign(y=np.exp(d["y"]), l=np.exp(d["l"]), k=np.exp(d["k"]))
    r_log = olley_pakes(d, proxy="linv", **KW)
    r_lev = olley_pakes(lv, proxy="inv", logs=False, **KW)
    np.testing.assert_allclose(r_lev.coefficients["estimate"], r_log.coefficients["estimate"],
                               atol=1e-6)
    n_zero = int((d["inv"] == 0).sum())
    assert n_zero > 0
    assert r_lev.diagnostics["investment_unusable"] == n_zero
    assert r_lev.diagnostics["first_stage_obs"] == len(d) - n_zero
    assert len(r_lev.tfp) == len(d)  # zero-investment rows still get a TFP
    bad = lv.copy()
    bad.loc[5, "y"] = 0.0
    bad.loc[9, "k"] = -1.0
    r = olley_pakes(bad, proxy="inv", logs=False, **KW)
    named = {(e["unit"], e["period"], e["variable"]) for e in r.diagnostics["nonpositive"]}
    assert named == {(bad.loc[5, "firm"], int(bad.loc[5, "year"]), "y"),
                     (bad.loc[9, "firm"], int(bad.loc[9, "year"]), "k")}
    assert r.diagnostics["dropped"]["nonpositive_level"] == 2
    assert r.diagnostics["n_obs"] == len(d) - 2
    assert any(bad.loc[5, "firm"] in w for w in r.diagnostics["warnings"])


def test_lags_stay_within_firm_and_gaps_break_them():
    d = simulate(n_firms=200, periods=6, seed=5)
    full = olley_pakes(d, proxy="linv", **KW).diagnostics
    gap = d.drop(index=d.index[(d["firm"] == "F0003") & (d["year"] == 2002)])
    one = pd.concat([gap, pd.DataFrame([{**d.iloc[0].to_dict(), "firm": "ZZ", "year": 2001}])],
                    ignore_index=True)
    g = olley_pakes(one, proxy="linv", **KW).diagnostics
    # the dropped year loses its own lag and the next year's: 2 fewer; ZZ adds none
    assert g["second_stage_obs"] == full["second_stage_obs"] - 2 == 200 * 5 - 2
    assert g["firms_one_period"] == 1 and g["firms_one_period_ids"] == ["ZZ"]


def test_wooldridge_recovers_betas():
    d = simulate(seed=1, inv_noise=1.0)  # noise in investment: k_t moves apart from (k, m)_{t-1}
    r = wooldridge(d, proxy="m", **KW)
    assert abs(r.beta("l") - BL) < 0.03  # measured 0.600
    assert abs(r.beta("k") - BK) < 0.05  # measured 0.417
    assert r.diagnostics["hansen_j_df"] == 1
    assert r.diagnostics["n_moments"] == 2 * 9 + 5  # degree-3 c in (k, m): 9 terms
    assert 0 <= r.diagnostics["hansen_j_pvalue"] <= 1
    assert ols(d)[0] > BL + 0.25
    r2 = wooldridge(d, proxy="m", system=False, **KW)
    assert abs(r2.beta("k") - BK) < 0.07 and abs(r2.beta("l") - BL) < 0.05
    # with investment noise OP's scalar-unobservable assumption fails and it is biased
    assert olley_pakes(d, proxy="linv", **KW).beta("l") > BL + 0.2


def test_wooldridge_single_equation_is_the_hand_iv():
    d = simulate(n_firms=300, periods=6, seed=6, inv_noise=1.0)
    r = wooldridge(d, proxy="m", system=False, poly_degree=1, **KW)
    d = d.sort_values(["firm", "year"])
    lagged = d.groupby("firm")[["l", "k", "m"]].shift(1)
    ok = lagged.notna().all(axis=1).to_numpy()
    one = np.ones(len(d))
    X = np.column_stack([d["l"], d["k"], one, lagged["k"], lagged["m"]])[ok]
    Z = np.column_stack([one, d["k"], lagged["l"], lagged["k"], lagged["m"]])[ok]
    b = np.linalg.solve(Z.T @ X, Z.T @ d["y"].to_numpy()[ok])  # just identified: IV
    assert r.beta("l") == pytest.approx(b[0], abs=1e-8)
    assert r.beta("k") == pytest.approx(b[1], abs=1e-8)
    assert r.diagnostics["hansen_j"] == pytest.approx(0.0, abs=1e-8)


def test_bootstrap_same_seed_same_se():
    d = simulate(n_firms=300, periods=6, seed=7, inv_noise=0.0, exit_cut=-0.4)
    a = olley_pakes(d, proxy="linv", exit="exit", n_boot=6, seed=11, **KW)
    b = olley_pakes(d, proxy="linv", exit="exit", n_boot=6, seed=11, **KW)
    c = olley_pakes(d, proxy="linv", exit="exit", n_boot=6, seed=12, **KW)
    np.testing.assert_array_equal(a.coefficients["std_error"], b.coefficients["std_error"])
    assert not np.allclose(a.coefficients["std_error"], c.coefficients["std_error"])
    se = a.coefficients["std_error"].to_numpy()
    assert np.all((se > 0) & (se < 0.2))
    assert a.diagnostics["bootstrap_replications_ok"] == 6
    dw = simulate(n_firms=300, periods=6, seed=7, inv_noise=1.0)
    w1 = wooldridge(dw, proxy="m", n_boot=6, seed=3, **KW)
    w2 = wooldridge(dw, proxy="m", n_boot=6, seed=3, **KW)
    np.testing.assert_array_equal(w1.coefficients["std_error"], w2.coefficients["std_error"])
    assert np.all(w1.coefficients["std_error"] > 0)


def test_errors_are_named():
    d = simulate(n_firms=50, periods=4, seed=8, exit_cut=-0.4)
    with pytest.raises(DataError, match="'capital'"):
        olley_pakes(d, unit="firm", period="year", output="y", free="l", state="capital",
                    proxy="linv")
    dup = pd.concat([d, d.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataError, match="duplicate firm-period.*F0000"):
        olley_pakes(dup, proxy="linv", **KW)
    bad = d.assign(exit=d["exit"].where(d.index != 3, 2.0))
    msg = f"exit column 'exit' must be 0/1; firm '{d.loc[3, 'firm']}'"
    with pytest.raises(DataError, match=msg):
        olley_pakes(bad, proxy="linv", exit="exit", **KW)
    with pytest.raises(DataError, match="every firm-year .* survives"):
        olley_pakes(d.assign(exit=0.0), proxy="linv", exit="exit", **KW)
    with pytest.raises(DataError, match="whole numbers"):
        olley_pakes(d.assign(year=d["year"] + 0.5), proxy="linv", **KW)
    with pytest.raises(DataError, match="second stage needs more than"):
        olley_pakes(d.groupby("firm").head(1).head(30), proxy="linv", **KW)
    with pytest.raises(DataError, match="Wooldridge GMM needs more than"):
        wooldridge(d.head(12), proxy="m", **KW)
    with pytest.raises(DataError, match="more than one role"):
        wooldridge(d, unit="firm", period="year", output="y", free="l", state="l", proxy="m")
