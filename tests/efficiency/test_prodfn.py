"""Production-function estimators on ACF-style simulated panels with known betas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.efficiency.prodfn import estimate
from nqpf.efficiency.simulate import simulate_acf
from nqpf.errors import DataError

COLS = dict(unit="id", period="period", output="y", free="l", state="k", proxy="m")


@pytest.fixture(scope="module")
def dgp1() -> pd.DataFrame:
    data, _ = simulate_acf(n_firms=1000, n_periods=10, seed=11, design="DGP1")
    return data


# ----------------------------------------------------------------------------- simulation
def test_simulation_is_reproducible_and_follows_its_laws():
    a, truth = simulate_acf(n_firms=300, n_periods=8, seed=5)
    b, _ = simulate_acf(n_firms=300, n_periods=8, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert truth == {"l": 0.6, "k": 0.4, "const": 1.0}
    assert list(a.columns[:7]) == ["id", "period", "y", "l", "k", "m", "i"]
    w = a.pivot(index="id", columns="period", values="omega").to_numpy()
    cur, lag = w[:, 1:].ravel(), w[:, :-1].ravel()
    assert np.polyfit(lag, cur, 1)[0] == pytest.approx(0.7, abs=0.04)
    # capital accumulation: K_{t+1} = 0.8 K_t + I_t exactly
    k = a.pivot(index="id", columns="period", values="k").to_numpy()
    inv = a.pivot(index="id", columns="period", values="i").to_numpy()
    np.testing.assert_allclose(np.exp(k[:, 1:]), 0.8 * np.exp(k[:, :-1]) + inv[:, :-1])
    # Leontief materials: m = y − ε + ln 0.5, so y − m + ln 0.5 = ε has sd sigma_eps
    eps = a["y"] - a["m"] + np.log(0.5)
    assert eps.std() == pytest.approx(0.1, abs=0.01)
    with pytest.raises(DataError, match="design"):
        simulate_acf(design="DGP9")


# ----------------------------------------------------------------------------- recovery and biases
@pytest.mark.parametrize("design", ["DGP1", "DGP2", "DGP3"])
def test_acf_recovers_true_elasticities(design):
    data, truth = simulate_acf(n_firms=1000, n_periods=10, seed=11, design=design)
    res = estimate(data, method="acf", **COLS)
    assert res.beta("l") == pytest.approx(truth["l"], abs=0.05)
    assert res.beta("k") == pytest.approx(truth["k"], abs=0.05)
    opt = res.diagnostics["optimizer"]
    # over-identified by k_{t-1}: the objective at the root is small but not zero
    assert opt["converged"] and opt["objective"] < 1e-5
    assert res.diagnostics["n_second_stage"] == 9000


@pytest.mark.parametrize("seed", [0, 4])
def test_acf_avoids_the_spurious_root(seed):
    # from OLS starting values alone, these samples converged to (0.94, 0.06) and
    # (0.93, 0.08): a second root of the just-identified moments
    data, truth = simulate_acf(n_firms=1000, n_periods=10, seed=seed)
    res = estimate(data, method="acf", **COLS)
    assert res.beta("l") == pytest.approx(truth["l"], abs=0.05)
    assert res.beta("k") == pytest.approx(truth["k"], abs=0.05)
    assert res.diagnostics["optimizer"]["starts"] == 3


def test_acf_optimisers_agree(dgp1):
    a = estimate(dgp1, method="acf", optimizer="least_squares", **COLS)
    b = estimate(dgp1, method="acf", optimizer="nelder-mead", **COLS)
    np.testing.assert_allclose(a.coefficients["estimate"], b.coefficients["estimate"], atol=1e-5)


def test_ols_biased_up_on_labour_fe_biased_down_on_capital(dgp1):
    ols = estimate(dgp1, method="ols", **COLS)
    fe = estimate(dgp1, method="fe", **COLS)
    assert ols.beta("l") > 0.6 + 0.08  # labour responds to ω: transmission bias
    assert fe.beta("k") < 0.4 - 0.1  # within variation of k is small and noisy


def test_lp_labour_not_identified_under_leontief(dgp1):
    # ACF (2015, section 3): with m ∝ output, the LP first stage absorbs l in φ(k, m);
    # y − φ(k, m) = ε does not move with l, so β_l collapses to about zero.
    res = estimate(dgp1, method="lp", **COLS)
    assert abs(res.beta("l")) < 0.05
    assert res.diagnostics["optimizer"]["optimizer"] == "least_squares"


def test_ols_and_fe_match_hand_least_squares():
    data, _ = simulate_acf(n_firms=40, n_periods=5, seed=3)
    x = np.column_stack([np.ones(len(data)), data["l"], data["k"]])
    b = np.linalg.lstsq(x, data["y"].to_numpy(), rcond=None)[0]
    ols = estimate(data, method="ols", **COLS)
    np.testing.assert_allclose(ols.coefficients["estimate"], b[1:], rtol=1e-9)
    dummies = pd.get_dummies(data["id"]).to_numpy(dtype=float)
    xd = np.column_stack([data["l"], data["k"], dummies])
    bd = np.linalg.lstsq(xd, data["y"].to_numpy(), rcond=None)[0]
    fe = estimate(data, method="fe", **COLS)
    np.testing.assert_allclose(fe.coefficients["estimate"], bd[:2], rtol=1e-8)
    t = ols.tfp.rename(columns={"unit": "id"}).merge(data, on=["id", "period"])
    np.testing.assert_allclose(t["log_tfp"], t["y"] - b[1] * t["l"] - b[2] * t["k"])
    np.testing.assert_allclose(t["tfp"], np.exp(t["log_tfp"]))


# ----------------------------------------------------------------------------- bootstrap
def test_bootstrap_same_seed_same_standard_errors():
    data, _ = simulate_acf(n_firms=200, n_periods=6, seed=2)
    a = estimate(data, method="acf", n_boot=20, seed=4, **COLS)
    b = estimate(data, method="acf", n_boot=20, seed=4, **COLS)
    c = estimate(data, method="acf", n_boot=20, seed=5, **COLS)
    se_a = a.coefficients["std_error"].to_numpy()
    np.testing.assert_array_equal(se_a, b.coefficients["std_error"].to_numpy())
    assert not np.allclose(se_a, c.coefficients["std_error"].to_numpy())
    assert np.all((se_a > 0.005) & (se_a < 0.08))  # no replicate jumps to another GMM root
    assert a.diagnostics["bootstrap"]["successful"] == 20
    none = estimate(data, method="ols", **COLS)
    assert none.coefficients["std_error"].isna().all()


# ----------------------------------------------------------------------------- panels
def test_unbalanced_panel_uses_only_true_lags(dgp1):
    rng = np.random.default_rng(0)
    data = dgp1.loc[rng.random(len(dgp1)) > 0.2].copy()
    data = pd.concat([data, pd.DataFrame({"id": [5000], "period": [3], "y": [1.0], "l": [0.5],
                                          "k": [2.0], "m": [0.4], "i": [1.0], "omega": [0.0]})])
    data = data.sample(frac=1.0, random_state=1)  # row order must not matter
    before = data.copy()
    res = estimate(data, method="acf", **COLS)
    pd.testing.assert_frame_equal(data, before)
    pairs = data[["id", "period"]].assign(period=lambda d: d["period"] + 1)
    n_pairs = len(pairs.merge(data[["id", "period"]], on=["id", "period"]))
    assert res.diagnostics["n_second_stage"] == n_pairs
    assert 5000 in res.diagnostics["firms_fewer_than_2_periods"]
    assert res.beta("l") == pytest.approx(0.6, abs=0.05)
    assert res.beta("k") == pytest.approx(0.4, abs=0.05)
    assert len(res.tfp) == len(data)


def test_levels_are_logged_and_nonpositive_levels_named(dgp1):
    levels = dgp1.assign(**{c: np.exp(dgp1[c]) for c in ["y", "l", "k", "m"]})
    a = estimate(dgp1, method="acf", **COLS)
    b = estimate(levels, method="acf", logs=False, **COLS)
    np.testing.assert_allclose(a.coefficients["estimate"], b.coefficients["estimate"], atol=1e-8)
    bad = levels.copy()
    bad.loc[(bad["id"] == 17) & (bad["period"] == 4), "k"] = 0.0
    with pytest.raises(DataError, match=r"\(columns \['k'\]\) at firm/period 17/4;"):
        estimate(bad, method="acf", logs=False, **COLS)


def test_gross_output_acf_includes_materials(dgp1):
    res = estimate(dgp1, method="acf", value_added=False, **COLS)
    assert list(res.coefficients["term"]) == ["l", "k", "m"]
    t = res.tfp.rename(columns={"unit": "id"}).merge(dgp1, on=["id", "period"])
    b = res.coefficients.set_index("term")["estimate"]
    np.testing.assert_allclose(t["log_tfp"], t["y"] - b["l"] * t["l"] - b["k"] * t["k"]
                               - b["m"] * t["m"])
    assert isinstance(res.diagnostics["optimizer"]["converged"], bool)


def test_errors_are_named(dgp1, tmp_path):
    with pytest.raises(DataError, match="capital"):
        estimate(dgp1, method="acf", **{**COLS, "state": "capital"})
    with pytest.raises(DataError, match="proxy"):
        estimate(dgp1, method="lp", **{**COLS, "proxy": None})
    with pytest.raises(DataError, match="op"):
        estimate(dgp1, method="op", **COLS)
    one = dgp1[dgp1["period"] == dgp1["id"] % 10 + 1]  # every firm seen once
    with pytest.raises(DataError, match="previous period"):
        estimate(one, method="acf", **COLS)
    dup = pd.concat([dgp1, dgp1.iloc[[5]]])
    with pytest.raises(DataError, match="duplicate firm/period rows: 1/6"):
        estimate(dup, method="ols", **COLS)
    res = estimate(dgp1, method="ols", **COLS)
    assert res.write(tmp_path) == [tmp_path / n for n in ("coefficients.csv", "tfp.csv",
                                                        "estimation.json")]
    coef = pd.read_csv(tmp_path / "coefficients.csv", encoding="utf-8-sig")
    assert list(coef.columns) == ["term", "estimate", "std_error"]


def test_result_long_frame_html_and_plot(dgp1):
    res = estimate(dgp1, method="ols", **COLS)
    frame = res.to_frame()
    assert list(frame.columns[:4]) == ["unit", "period", "tfp", "log_tfp"]
    assert len(frame) == len(dgp1)
    html = res._repr_html_()
    assert "ProdFnResult" in html and "Coefficients" in html
    fig = res.plot()
    assert fig.axes[0].get_ylabel() == "log TFP"
