import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from nqpf.errors import DataError
from nqpf.models.panel import fe_regression, hausman
from nqpf.models.simulate import threshold_panel


@pytest.fixture
def panel():
    return threshold_panel(30, 8, thresholds=(), slopes=(1.5,), seed=11)


def test_twoway_matches_dummy_variable_ols(panel):
    est = fe_regression(panel, "y", ["x", "z"], effects="twoway", vce="conventional")
    ols = smf.ols("y ~ x + z + C(unit) + C(year)", data=panel).fit()
    for v in ("x", "z"):
        assert est.coef.loc[v, "coef"] == pytest.approx(ols.params[v], rel=1e-8)
        assert est.coef.loc[v, "se"] == pytest.approx(ols.bse[v], rel=1e-6)
    assert est.effects == {"unit": True, "time": True}
    assert est.nobs == 240


def test_cluster_and_lags(panel):
    est = fe_regression(panel, "y", ["z"], lags={"x": 1}, effects="unit", vce="cluster")
    assert "L1.x" in est.coef.index
    assert est.nobs == 30 * 7  # the first period has no lag
    short = panel[panel["year"] == 2000]
    with pytest.raises(DataError, match="too few periods for a lag of 1"):
        fe_regression(short, "y", ["z"], lags={"x": 1}, effects="none")


def test_collinear_and_absorbed_regressors_named(panel):
    d = panel.assign(x3=panel["x"] + panel["z"])
    with pytest.raises(DataError, match="'x3' is collinear with \\['x', 'z'\\]"):
        fe_regression(d, "y", ["x", "z", "x3"])
    d = panel.assign(size=panel["unit"].str[1:].astype(int))
    with pytest.raises(DataError, match="'size'.*no variation left"):
        fe_regression(d, "y", ["x", "size"], effects="unit")


def test_bad_input_messages(panel):
    with pytest.raises(DataError, match="unknown variable"):
        fe_regression(panel, "y", ["nope"])
    d = panel.astype({"x": object})
    d.loc[3, "x"] = "abc"
    with pytest.raises(DataError, match="not numeric: 'abc' at unit 'u000'"):
        fe_regression(d, "y", ["x"])
    d = pd.concat([panel, panel.iloc[[0]]])
    with pytest.raises(DataError, match="more than once"):
        fe_regression(d, "y", ["x"])
    d = panel.copy()
    d.loc[5, "x"] = np.nan
    est = fe_regression(d, "y", ["x"])
    assert est.nobs == 239


def test_hausman_rejects_re_when_effects_correlate(panel):
    d = panel.copy()
    rng = np.random.default_rng(0)
    unit = d["unit"].str[1:].astype(int).to_numpy()
    mu = rng.normal(size=30)
    d["x"] = d["x"] + mu[unit]  # x correlated with the unit effect: RE is inconsistent
    d["y1"] = 0.5 * d["x"] + 2 * mu[unit] + rng.normal(size=len(d))
    h = hausman(d, "y1", ["x", "z"])
    assert h["p"] < 0.01 and h["df"] == 2
    d["y2"] = 0.5 * d["x"] + rng.normal(size=30)[unit] + rng.normal(size=len(d))
    assert hausman(d, "y2", ["x", "z"])["p"] > 0.01
