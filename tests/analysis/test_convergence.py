"""Tests of nqpf.analysis.convergence: hand-computed sigma values, an exactly known beta,
the Phillips-Sul log t regression and HAC formulas, club recovery on simulated panels,
and club numbers checked against the R package ConvergenceClubs (Sichera & Pizzuto 2019)."""

import math

import numpy as np
import pandas as pd
import pytest

from nqpf.analysis.convergence import (
    _log_t,
    _nw_cov,
    _qs_lrv,
    beta_convergence,
    phillips_sul,
    sigma_convergence,
)
from nqpf.errors import DataError
from nqpf.panel.core import Panel


def _tidy(values: np.ndarray, units=None, start: int = 2000) -> pd.DataFrame:
    n, t = values.shape
    units = units or [f"u{i:02d}" for i in range(n)]
    return pd.DataFrame(
        [(units[i], start + j, float(values[i, j])) for i in range(n) for j in range(t)],
        columns=["unit", "period", "value"],
    )


# ------------------------------------------------------------------------------------
# sigma convergence

SIGMA = pd.DataFrame(
    {
        "unit": ["A", "B", "C"] * 3,
        "period": [2000] * 3 + [2001] * 3 + [2002] * 3,
        "value": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0, 3.0, 4.0, 5.0],
    }
)


def test_sigma_hand_values_and_trend():
    r = sigma_convergence(SIGMA)
    t = r.to_frame()
    # sd (ddof 1) is 1 in every period; means 2, 3, 4
    np.testing.assert_allclose(t["sd"], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(t["cv"], [0.5, 1 / 3, 0.25])
    # ln 1, ln 2, ln 3: mean 0.597253, squared deviations sum 0.617268, / 2, sqrt
    np.testing.assert_allclose(t["sd_log"], [0.5555483670, 0.3482374531, 0.2560914020], rtol=1e-9)
    assert list(t["n"]) == [3, 3, 3]
    tr = r.trend.set_index("measure")
    # slope of (0.5, 1/3, 0.25) on (2000, 2001, 2002) = (0.25 - 0.5) / 2
    assert tr.loc["cv", "slope"] == pytest.approx(-0.125)
    # residuals (1/72, -1/36, 1/72): SSR = 1/864, se = sqrt(SSR / 1 / 2), t = -5.196, df 1
    assert tr.loc["cv", "std_error"] == pytest.approx(math.sqrt(1 / 864 / 2))
    assert tr.loc["cv", "p_value"] == pytest.approx(0.1210377183, rel=1e-8)
    assert not tr.loc["cv", "converges"]  # negative slope, not significant at 5 %
    assert tr.loc["cv", "first"] == 0.5 and tr.loc["cv", "last"] == 0.25
    assert r.params["ddof"] == 1 and r.params["time_axis"] == "period value"
    assert set(r.tables()) == {"sigma", "sigma_trend"}


def test_sigma_ddof0_cv_only_and_significant_trend():
    r = sigma_convergence(SIGMA, measure="cv", ddof=0)
    np.testing.assert_allclose(
        r.table["cv"], [math.sqrt(2 / 3) / 2, math.sqrt(2 / 3) / 3, math.sqrt(2 / 3) / 4]
    )
    assert "sd_log" not in r.table.columns
    # dispersion falling linearly: 4 periods, cv = 0.4, 0.3, 0.2, 0.1 exactly -> p ~ 0
    vals = []
    for j, c in enumerate([0.4, 0.3, 0.2, 0.1]):
        # two units around mean 10 with sd (ddof 1) = 10c: 10 -+ 10c/sqrt(2)
        d = 10 * c / math.sqrt(2)
        vals += [("a", 2010 + j, 10 - d), ("b", 2010 + j, 10 + d)]
    r2 = sigma_convergence(pd.DataFrame(vals, columns=["unit", "period", "value"]), "cv")
    np.testing.assert_allclose(r2.table["cv"], [0.4, 0.3, 0.2, 0.1])
    tr = r2.trend.iloc[0]
    assert tr["slope"] == pytest.approx(-0.1) and tr["converges"]


def test_sigma_errors_name_unit_and_period():
    bad = SIGMA.copy()
    bad.loc[4, "value"] = 0.0
    with pytest.raises(DataError, match=r"unit 'B'.*period 2001"):
        sigma_convergence(bad)
    sigma_convergence(bad, measure="cv")  # a zero is fine for the CV
    with pytest.raises(DataError, match=r"period 2002 has 1 unit"):
        sigma_convergence(SIGMA.drop(index=[6, 7]))
    with pytest.raises(DataError, match="at least 3"):
        sigma_convergence(SIGMA[SIGMA["period"] < 2002])
    with pytest.raises(DataError, match="measure"):
        sigma_convergence(SIGMA, measure="gini")


def test_sigma_does_not_modify_input_and_plots():
    before = SIGMA.copy()
    r = sigma_convergence(SIGMA)
    pd.testing.assert_frame_equal(SIGMA, before)
    fig = r.plot()
    assert len(fig.axes[0].lines) == 2


# ------------------------------------------------------------------------------------
# beta convergence


def _beta_panel(beta=-0.1, T=12, noise=0.0, period_fx=False, control=None, seed=0):
    """ln y_{t+1} - ln y_t = a_i (+ l_t) + beta ln y_t (+ 0.5 x_t) (+ noise), exactly."""
    rng = np.random.default_rng(seed)
    L0 = np.array([0.5, 2.9, 1.2, 3.3, 0.8, 2.0])
    a = np.array([0.2, 0.25, 0.3, 0.35, 0.4, 0.45])
    lt = rng.normal(0, 0.05, T) if period_fx else np.zeros(T)
    L = np.empty((6, T))
    L[:, 0] = L0
    for t in range(T - 1):
        g = a + lt[t] + beta * L[:, t] + noise * rng.normal(size=6)
        if control is not None:
            g = g + 0.5 * control[:, t]
        L[:, t + 1] = L[:, t] + g
    return _tidy(np.exp(L))


def test_beta_exact_recovery_speed_and_half_life():
    df = _beta_panel()
    for effects in ("unit", "twoway"):
        r = beta_convergence(df, effects=effects)
        row = r.table.set_index("term").loc["ln_y"]
        assert row["estimate"] == pytest.approx(-0.1, abs=1e-6)
        # theta = -ln(1 - 0.1) = 0.1053605, half-life = ln 2 / theta = 6.578813 periods
        assert row["speed"] == pytest.approx(0.1053605157, rel=1e-6)
        assert row["half_life"] == pytest.approx(6.5788135, rel=1e-6)
        assert row["n_obs"] == 6 * 11
        assert r.summary()["converges"].iloc[0]
    assert list(r.table.columns) == [
        "model",
        "term",
        "estimate",
        "std_error",
        "t",
        "p_value",
        "n_obs",
        "speed",
        "half_life",
    ]
    # k = 2: ln y(t+2) - ln y(t) = 1.9 a - 0.19 ln y(t); same speed per period
    r2 = beta_convergence(df, k=2)
    row = r2.table.set_index("term").loc["ln_y"]
    assert row["estimate"] == pytest.approx(-0.19, abs=1e-6)
    assert row["speed"] == pytest.approx(-math.log(0.9), rel=1e-6)
    assert row["n_obs"] == 6 * 10


def test_beta_tiny_noise_and_period_effects():
    r = beta_convergence(_beta_panel(noise=1e-7, seed=1))
    s = r.summary().iloc[0]
    assert s["beta"] == pytest.approx(-0.1, abs=1e-5) and s["p_value"] < 1e-6
    # period shocks l_t: only the two-way model recovers beta exactly
    df = _beta_panel(period_fx=True, seed=2)
    tw = beta_convergence(df, effects="twoway").summary().iloc[0]
    assert tw["beta"] == pytest.approx(-0.1, abs=1e-6)
    one = beta_convergence(df, effects="unit").summary().iloc[0]
    assert abs(one["beta"] + 0.1) > 1e-4


def test_beta_conditional_with_controls_table_and_panel():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 12))
    df = _beta_panel(control=x)
    ctl = _tidy(x).rename(columns={"value": "rd"})
    r = beta_convergence(df, kind="conditional", controls=ctl)
    est = r.table.set_index("term")["estimate"]
    assert est["ln_y"] == pytest.approx(-0.1, abs=1e-6)
    assert est["rd"] == pytest.approx(0.5, abs=1e-6)
    assert r.params["controls"] == ["rd"] and r.table["model"].iloc[0] == "conditional:unit"
    panel = Panel.from_long(
        ctl.assign(indicator="rd"), unit="unit", period="period", indicator="indicator", value="rd"
    )
    rp = beta_convergence(df, kind="conditional", controls=panel)
    assert rp.table.set_index("term")["estimate"]["rd"] == pytest.approx(0.5, abs=1e-6)
    # absolute beta omits the control and is biased
    assert abs(beta_convergence(df).summary()["beta"].iloc[0] + 0.1) > 1e-3
    # a missing control value in the sample is named
    with pytest.raises(DataError, match=r"u03/2004/rd"):
        beta_convergence(
            df, kind="conditional", controls=ctl[~((ctl.unit == "u03") & (ctl.period == 2004))]
        )


def test_beta_cross_section_hand_ols():
    # 4 units, 2000 -> 2010; growth g = ln y1 - ln y0 on x = ln y0
    y0 = np.array([1.0, 2.0, 4.0, 8.0])
    y1 = np.array([3.0, 4.0, 6.0, 9.0])
    df = pd.concat([_tidy(y0[:, None], start=2000), _tidy(y1[:, None], start=2010)])
    r = beta_convergence(df, kind="cross_section", cluster="none")
    x, g = np.log(y0), np.log(y1) - np.log(y0)
    sxx = ((x - x.mean()) ** 2).sum()
    b = ((x - x.mean()) * (g - g.mean())).sum() / sxx
    resid = g - g.mean() - b * (x - x.mean())
    se = math.sqrt((resid**2).sum() / 2 / sxx)
    row = r.table.set_index("term").loc["ln_y"]
    assert row["estimate"] == pytest.approx(b, rel=1e-12)
    assert row["std_error"] == pytest.approx(se, rel=1e-10)
    assert row["speed"] == pytest.approx(-math.log(1 + b) / 10, rel=1e-12)
    assert row["half_life"] == pytest.approx(math.log(2) / (-math.log(1 + b) / 10), rel=1e-12)
    assert r.params["covariance"] == "nonrobust" and r.params["k"] == 10.0
    assert beta_convergence(df, kind="cross_section").params["covariance"] == "HC1"


def test_beta_errors():
    df = _beta_panel()
    bad = df.copy()
    bad.loc[7, "value"] = -1.0
    with pytest.raises(DataError, match=r"unit 'u00'.*period 2007"):
        beta_convergence(bad)
    with pytest.raises(DataError, match="needs controls"):
        beta_convergence(df, kind="conditional")
    with pytest.raises(DataError, match="kind='conditional'"):
        beta_convergence(df, controls=df.rename(columns={"value": "x"}))
    with pytest.raises(DataError, match="k"):
        beta_convergence(df, k=0)
    with pytest.raises(DataError, match="first"):
        beta_convergence(df[~((df.unit == "u02") & (df.period == 2000))], kind="cross_section")


# spatial beta (optional spreg)


def _has_spreg() -> bool:
    try:
        import spreg  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(_has_spreg(), reason="spreg is installed")
def test_spatial_beta_without_spreg_says_how_to_install():
    from nqpf.extras import MissingExtraError

    with pytest.raises(MissingExtraError) as exc:
        beta_convergence(_beta_panel(), spatial="lag")
    assert str(exc.value) == (
        "spatial beta convergence needs the optional package spreg, which is not installed; "
        'install it with: pip install "nqpf[spatial]"'
    )


def test_spatial_beta_with_spreg_on_provinces():
    pytest.importorskip("spreg")
    from nqpf.datasets.reference import provinces

    units = [str(u) for u in provinces()["iso"]]
    rng = np.random.default_rng(7)
    n, T = len(units), 8
    L = np.empty((n, T))
    L[:, 0] = rng.uniform(0.5, 3.0, n)
    a = rng.uniform(0.2, 0.4, n)
    for t in range(T - 1):
        L[:, t + 1] = L[:, t] + a - 0.1 * L[:, t] + rng.normal(0, 1e-3, n)
    df = _tidy(np.exp(L), units=units)
    for kind, extra in (("lag", "rho"), ("error", "lambda")):
        r = beta_convergence(df, spatial=kind)  # bundled contiguity, aligned by id
        t = r.table.set_index("term")
        assert list(t.index) == ["ln_y", extra]
        assert t.loc["ln_y", "estimate"] == pytest.approx(-0.1, abs=2e-3)
        assert t.loc["ln_y", "n_obs"] == n * (T - 1)
        assert r.params["effects"] == "unit"
    # caller's weights: matched by id (any id order), never row-standardised in place
    import libpysal

    from nqpf.datasets.reference import contiguity

    nb = contiguity()
    w = libpysal.weights.W(nb, id_order=sorted(nb, reverse=True), silence_warnings=True)
    r = beta_convergence(df, spatial="lag", w=w)
    assert w.transform == "O"
    assert r.table["estimate"].iloc[0] == pytest.approx(
        beta_convergence(df, spatial="lag").table["estimate"].iloc[0], rel=1e-9
    )
    with pytest.raises(DataError, match="unit fixed effects"):
        beta_convergence(df, spatial="lag", effects="twoway")
    with pytest.raises(DataError, match="in w but not in the data"):
        beta_convergence(df[df.unit != "CN-BJ"], spatial="lag", w=w)


# ------------------------------------------------------------------------------------
# Phillips-Sul: the log t regression and its HAC variances


def test_log_t_regression_exact_b_and_t_indexing():
    # H_t = t^(-2*0.3) / (log t)^2 (t >= 2), H_1 = 1: log(H_1/H_t) - 2 log log t = 0.6 log t
    T = 30
    t = np.arange(1, T + 1, dtype=float)
    H = np.ones(T)
    H[1:] = t[1:] ** -0.6 / np.log(t[1:]) ** 2
    res = _log_t(H, r=1 / 3)
    assert res["t_first"] == 11 and res["t_last"] == 30 and res["n_points"] == 20
    assert res["b"] == pytest.approx(0.6, abs=1e-12) and res["a"] == pytest.approx(0, abs=1e-10)
    assert res["t_stat"] > 1e10  # residuals are rounding noise
    # round(r T) + 1: T = 20 -> round(6.67) + 1 = 8; T = 25 -> 9
    assert _log_t(np.linspace(1, 0.1, 20) ** 2, r=1 / 3)["t_first"] == 8
    assert _log_t(np.linspace(1, 0.1, 25) ** 2, r=1 / 3)["t_first"] == 9
    # noisy H: b is the OLS slope on log t
    rng = np.random.default_rng(0)
    H2 = H * np.exp(rng.normal(0, 0.05, T))
    y = np.log(H2[0] / H2[10:]) - 2 * np.log(np.log(t[10:]))
    assert _log_t(H2)["b"] == pytest.approx(np.polyfit(np.log(t[10:]), y, 1)[0], rel=1e-10)


def test_qs_long_run_variance_by_hand():
    e = np.array([1.0, -1.0, 1.0, -1.0])
    # rho = (e1e2 + e2e3 + e3e4) / (e1^2 + e2^2 + e3^2) = -1; alpha = 4/16; B = 1.3221 (1)^0.2
    B = 1.3221
    k = []
    for j in (1, 2):
        z = 6 * math.pi * j / (5 * B)
        k.append(3 / z**2 * (math.sin(z) / z - math.cos(z)))
    # m = 3: gamma_0 = 4/3 (all four residuals), gamma_1 = (e1e2 + e2e3)/3, gamma_2 = e1e3/3
    want = 4 / 3 + 2 * (k[0] * (-2 / 3) + k[1] * (1 / 3))
    lrv, bw = _qs_lrv(e)
    assert bw == pytest.approx(B) and lrv == pytest.approx(want, rel=1e-12)
    # no autocorrelation at lag 1: bandwidth 0, LRV = sum e^2 / (n - 1)
    lrv0, bw0 = _qs_lrv(np.array([1.0, 0.0, -1.0, 0.0, 1.0]))
    assert bw0 == 0 and lrv0 == pytest.approx(3 / 4)


def test_newey_west_matches_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(1)
    X = np.column_stack([np.ones(17), np.log(np.arange(8, 25))])
    y = X[:, 1] + rng.normal(size=17)
    fit = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": False})
    np.testing.assert_allclose(_nw_cov(X, y - X @ fit.params, 2), fit.cov_params(), rtol=1e-10)


# ------------------------------------------------------------------------------------
# Phillips-Sul clubs against the R package ConvergenceClubs

# 14 units x 20 periods of x = ln y (4 decimals), simulated: three levels, decaying
# idiosyncratic gaps, small noise. The expected numbers come from ConvergenceClubs'
# findClubs (refCol = last period, time_trim = 1/3, cstar = 0, HACmethod = "FQSB") and
# mergeClubs (mergeMethod = "PS"), run in R on these values (after mFilter's hpfilter with
# freq = 400, type = "lambda", for the filtered case).
# fmt: off
X39 = np.array(
    [
        [2.2653, 2.3049, 2.3284, 2.3642, 2.3586, 2.3869, 2.4013, 2.4130, 2.4167, 2.4282,
         2.4749, 2.4621, 2.4979, 2.4947, 2.4906, 2.5099, 2.4983, 2.5160, 2.5277, 2.5371],
        [2.5367, 2.4937, 2.4635, 2.4469, 2.4268, 2.4066, 2.3684, 2.3576, 2.3550, 2.3421,
         2.3448, 2.3211, 2.3242, 2.3043, 2.2980, 2.2967, 2.3080, 2.2753, 2.2848, 2.2770],
        [2.5421, 2.5442, 2.5408, 2.5168, 2.5143, 2.4782, 2.4822, 2.4803, 2.4598, 2.4403,
         2.4303, 2.4278, 2.4295, 2.4129, 2.4115, 2.4001, 2.4006, 2.4009, 2.3957, 2.3944],
        [2.0731, 2.0902, 2.0725, 2.0795, 2.0666, 2.0724, 2.0652, 2.0484, 2.0670, 2.0461,
         2.0467, 2.0565, 2.0377, 2.0446, 2.0525, 2.0445, 2.0428, 2.0518, 2.0461, 2.0353],
        [2.5880, 2.5466, 2.4858, 2.4694, 2.4350, 2.4194, 2.3713, 2.3669, 2.3563, 2.3254,
         2.3246, 2.3130, 2.3206, 2.3000, 2.3005, 2.3013, 2.3014, 2.2886, 2.2833, 2.2877],
        [2.4864, 2.5005, 2.4599, 2.4508, 2.4660, 2.4602, 2.4608, 2.4587, 2.4573, 2.4614,
         2.4392, 2.4446, 2.4385, 2.4325, 2.4283, 2.4374, 2.4102, 2.4186, 2.4268, 2.4076],
        [2.6001, 2.5579, 2.5447, 2.5209, 2.4945, 2.4779, 2.4580, 2.4554, 2.4244, 2.4181,
         2.4162, 2.3861, 2.3935, 2.3646, 2.3728, 2.3720, 2.3488, 2.3372, 2.3344, 2.3457],
        [2.5101, 2.5077, 2.5041, 2.4970, 2.4825, 2.4705, 2.4591, 2.4921, 2.4680, 2.4620,
         2.4473, 2.4536, 2.4501, 2.4452, 2.4413, 2.4405, 2.4350, 2.4231, 2.4308, 2.4120],
        [2.5863, 2.5507, 2.5268, 2.5037, 2.4993, 2.4674, 2.4715, 2.4620, 2.4425, 2.4120,
         2.4484, 2.4282, 2.4268, 2.4274, 2.4148, 2.4273, 2.4110, 2.3950, 2.3973, 2.3856],
        [2.3745, 2.3717, 2.3561, 2.3517, 2.3160, 2.3193, 2.3464, 2.3337, 2.3168, 2.3265,
         2.3138, 2.3184, 2.2987, 2.3115, 2.2953, 2.2999, 2.3122, 2.2904, 2.2985, 2.3004],
        [2.1451, 2.1815, 2.2039, 2.1989, 2.2113, 2.2393, 2.2359, 2.2355, 2.2598, 2.2370,
         2.2509, 2.2880, 2.2784, 2.2646, 2.2813, 2.2767, 2.2895, 2.2887, 2.2939, 2.2912],
        [2.6501, 2.6283, 2.6133, 2.6029, 2.5956, 2.5860, 2.5572, 2.5470, 2.5156, 2.5127,
         2.5162, 2.5053, 2.4888, 2.4850, 2.4584, 2.4790, 2.4346, 2.4572, 2.4362, 2.4209],
        [2.4628, 2.4645, 2.4413, 2.4354, 2.4320, 2.4078, 2.3960, 2.3907, 2.3863, 2.3840,
         2.3689, 2.3561, 2.3507, 2.3564, 2.3633, 2.3440, 2.3521, 2.3166, 2.3274, 2.3455],
        [2.1643, 2.1905, 2.2120, 2.2237, 2.2513, 2.2696, 2.2593, 2.2726, 2.2695, 2.2871,
         2.2970, 2.3004, 2.2911, 2.3104, 2.2922, 2.2952, 2.3138, 2.3028, 2.3020, 2.3114],
    ]
)
# fmt: on

UNITS39 = [f"P{i:02d}" for i in range(14)]


def test_clubs_match_convergenceclubs_filtered():
    r = phillips_sul(_tidy(np.exp(X39), units=UNITS39), r=1 / 3, hp_lambda=400)
    lt = r.log_t.iloc[0]
    assert lt["b"] == pytest.approx(-0.62743113, abs=1e-7)
    assert lt["se"] == pytest.approx(0.02168212, abs=1e-7)
    assert lt["t_stat"] == pytest.approx(-28.93772381, abs=1e-6)
    assert not lt["converges"]
    c = r.clubs.set_index("unit")
    clubs = {k: sorted(g.index) for k, g in c.dropna(subset=["club"]).groupby("club")}
    assert clubs == {
        1: ["P00", "P07", "P11"],
        2: ["P02", "P08", "P09", "P10", "P13"],
        3: ["P06", "P12"],
        4: ["P01", "P04"],
    }
    assert sorted(c.index[c["divergent"]]) == ["P03", "P05"]
    init = r.club_tests[r.club_tests["stage"] == "initial"]
    np.testing.assert_allclose(
        init["t_stat"], [-1.35103810, 12.65517184, 4.25488960, 0.57394795], atol=1e-6
    )
    np.testing.assert_allclose(
        init["b"], [-0.82331510, 1.22540966, 6.25834843, 1.26452189], atol=1e-7
    )
    # merging: club 1 alone; clubs 2 + 3 + 4 merge (t = 22.33897928)
    assert r.params["merged_from"] == [[1], [2, 3, 4]]
    merged = r.club_tests[r.club_tests["stage"] == "merged"]
    np.testing.assert_allclose(merged["t_stat"], [-1.35103810, 22.33897928], atol=1e-6)
    assert sorted(c.index[c["merged_club"] == 2]) == sorted(clubs[2] + clubs[3] + clubs[4])
    # the order column ranks by the last filtered value
    assert list(r.clubs["unit"][:4]) == ["P00", "P11", "P07", "P05"]


def test_clubs_match_convergenceclubs_unfiltered_and_core_rule():
    df = _tidy(X39, units=UNITS39)
    r = phillips_sul(df, log=False, hp_lambda=None)
    assert r.log_t["t_stat"].iloc[0] == pytest.approx(-19.80055999, abs=1e-6)
    c = r.clubs.set_index("unit")
    clubs = {k: sorted(g.index) for k, g in c.dropna(subset=["club"]).groupby("club")}
    assert clubs == {
        1: ["P00", "P05", "P07", "P11"],
        2: ["P02", "P08", "P10", "P13"],
        3: ["P01", "P04", "P06", "P09", "P12"],
    }
    assert list(c.index[c["divergent"]]) == ["P03"]
    init = r.club_tests[r.club_tests["stage"] == "initial"]
    np.testing.assert_allclose(init["t_stat"], [-1.61894211, 8.71239969, 1.28717144], atol=1e-6)
    assert r.params["merged_from"] == [[1, 2], [3]]
    merged = r.club_tests[r.club_tests["stage"] == "merged"]
    np.testing.assert_allclose(merged["t_stat"], [-0.22985773, 1.28717144], atol=1e-6)
    # the paper's argmax t_k picks a smaller first core here (P00, P11: t = 0.029 > -1.62)
    r2 = phillips_sul(df, log=False, hp_lambda=None, core_rule="max_t")
    c2 = r2.clubs.set_index("unit")
    assert sorted(c2.index[c2["club"] == 1]) == ["P00", "P11"]
    assert r2.club_tests["t_stat"].iloc[0] > r.club_tests["t_stat"].iloc[0]


# ------------------------------------------------------------------------------------
# Phillips-Sul on simulated panels with known structure


def _levels_panel(levels, sizes, T=25, seed=1, rate=0.15):
    rng = np.random.default_rng(seed)
    t = np.arange(1, T + 1)
    rows, truth = [], {}
    for c, (a, n) in enumerate(zip(levels, sizes, strict=True)):
        for _ in range(n):
            truth[f"u{len(truth):02d}"] = c + 1
            rows.append(a + rng.uniform(-0.4, 0.4) * np.exp(-rate * t) + rng.normal(0, 0.003, T))
    return _tidy(np.exp(np.array(rows))), truth


def test_three_clubs_recovered():
    df, truth = _levels_panel([3.0, 2.5, 2.0], [12, 12, 12])
    r = phillips_sul(df)
    assert r.log_t["t_stat"].iloc[0] < -1.65 and not r.log_t["converges"].iloc[0]
    got = dict(zip(r.clubs["unit"], r.clubs["club"].astype(int), strict=True))
    assert got == truth  # clubs numbered from the highest level
    assert not r.clubs["divergent"].any()
    assert r.params["merged_from"] == [[1], [2], [3]]  # distinct levels do not merge
    assert r.club_tests["converges"].all()
    s = r.summary().iloc[0]
    assert s["n_clubs"] == 3 and s["n_merged_clubs"] == 3 and s["n_divergent"] == 0
    assert set(r.tables()) == {"log_t", "clubs", "club_tests", "transition_paths"}
    tr = r.transition
    np.testing.assert_allclose(tr.groupby("period")["h"].mean(), 1.0)  # h averages to 1
    fig = r.plot()
    assert len(fig.axes[0].get_legend().get_texts()) == 3


def test_convergent_panel_passes_and_divergent_panel_rejects():
    df, _ = _levels_panel([2.5], [30], T=20, seed=3)
    r = phillips_sul(df)
    assert r.log_t["t_stat"].iloc[0] > -1.65 and r.log_t["b"].iloc[0] > 0
    assert (r.clubs["club"] == 1).all() and r.summary()["n_clubs"].iloc[0] == 1
    # log levels fanning out: x_it = 2 + g_i t
    rng = np.random.default_rng(4)
    g = rng.uniform(0.0, 0.05, 30)
    X = 2.0 + g[:, None] * np.arange(1, 21)[None, :]
    r2 = phillips_sul(_tidy(np.exp(X)))
    assert r2.log_t["t_stat"].iloc[0] < -1.65 and r2.log_t["b"].iloc[0] < 0


def test_incremental_sieve_makes_every_club_pass():
    # four close levels: with c* = 0 fixed the first club swallows two levels and fails
    rng = np.random.default_rng(0)
    t = np.arange(1, 25)
    rows = []
    for _ in range(40):
        a = rng.choice([2.0, 2.3, 2.6, 2.9]) + rng.normal(0, 0.05)
        rows.append(
            a
            + rng.uniform(-0.5, 0.5) * np.exp(-rng.uniform(0.02, 0.2) * t)
            + rng.normal(0, 0.01, t.size)
        )
    df = _tidy(np.exp(np.array(rows)))
    fixed = phillips_sul(df)
    assert fixed.params["clubs_rejecting"] and "warnings" in fixed.params
    inc = phillips_sul(df, sieve="incremental")
    assert inc.club_tests.loc[inc.club_tests["stage"] == "initial", "converges"].all()
    assert inc.params["clubs_rejecting"] == []
    assert max(c for c in inc.params["cstar_used"] if c is not None) > 0


def test_newey_west_option_and_params():
    df, _ = _levels_panel([3.0, 2.0], [8, 8], T=22)
    r = phillips_sul(df, hac="newey-west")
    # n = 22 - round(22/3) = 15 points: floor(4 (0.15)^(2/9)) = 2 lags
    assert r.params["bandwidth"] == 2.0 and "Newey-West" in r.params["hac_rule"]
    assert r.clubs["club"].nunique() == 2
    assert r.params["r"] == pytest.approx(1 / 3) and r.params["hp_lambda"] == 400.0


def test_phillips_sul_errors_name_cells():
    df, _ = _levels_panel([3.0, 2.0], [4, 4], T=20)
    with pytest.raises(DataError, match=r"u03/2005"):
        phillips_sul(df[~((df.unit == "u03") & (df.period == 2005))])
    neg = df.copy()
    neg.loc[5, "value"] = -2.0
    with pytest.raises(DataError, match=r"unit 'u00'.*period 2005"):
        phillips_sul(neg)
    mixed = _tidy(np.array([[0.5, 0.6, 0.7, 0.8, 0.9] * 2, [1.5, 1.4, 1.3, 1.2, 1.1] * 2]))
    with pytest.raises(DataError, match="one sign"):
        phillips_sul(mixed, hp_lambda=None)
    with pytest.raises(DataError, match="too few"):
        phillips_sul(df[df.period < 2003])  # T = 3: t = 2..3, two points
    with pytest.raises(DataError, match="identical"):
        phillips_sul(_tidy(np.exp(np.tile(np.linspace(1, 2, 12), (2, 1)))))
    with pytest.raises(DataError, match="r "):
        phillips_sul(df, r=0)
    before = df.copy()
    phillips_sul(df)
    pd.testing.assert_frame_equal(df, before)


def test_beta_convergence_on_constant_scores_is_a_clear_error():
    df = pd.DataFrame([(u, t, 0.5) for u in ("a", "b", "c", "d") for t in range(2010, 2016)],
                      columns=["unit", "period", "value"])
    with pytest.raises(DataError, match="zero growth everywhere"):
        beta_convergence(df)
