import warnings

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataError
from nqpf.models.simulate import sdm_panel
from nqpf.models.spatial import align_weights, lm_tests, sdm_tests, spatial_panel


def _lattice(k: int) -> pd.DataFrame:
    ids = [f"r{i:02d}" for i in range(k * k)]
    m = np.zeros((k * k, k * k))
    for i in range(k):
        for j in range(k):
            a = i * k + j
            for di, dj in ((0, 1), (1, 0), (0, -1), (-1, 0)):
                if 0 <= i + di < k and 0 <= j + dj < k:
                    m[a, (i + di) * k + j + dj] = 1
    return pd.DataFrame(m, index=ids, columns=ids)


@pytest.fixture(scope="module")
def wdf():
    return _lattice(7)


@pytest.fixture(scope="module")
def sdm_data(wdf):
    w = wdf.to_numpy() / wdf.to_numpy().sum(1, keepdims=True)
    return sdm_panel(w, 30, rho=0.4, beta=1.0, theta=0.5, sigma=0.5, seed=2), w


def test_sdm_recovers_known_effects(sdm_data, wdf):
    d, w = sdm_data
    r = spatial_panel(d, "y", ["x"], wdf, model="sdm", effects="twoway", draws=500)
    c = r.coef["coef"]
    assert c["rho"] == pytest.approx(0.4, abs=0.06)
    assert c["x"] == pytest.approx(1.0, abs=0.06)
    assert c["W*x"] == pytest.approx(0.5, abs=0.12)
    # true LeSage-Pace effects of the design
    s = np.linalg.inv(np.eye(49) - 0.4 * w) @ (1.0 * np.eye(49) + 0.5 * w)
    direct, total = np.trace(s) / 49, 1.5 / 0.6
    imp = r.impacts.loc["x"]
    assert imp.loc["direct", "estimate"] == pytest.approx(direct, abs=0.06)
    assert imp.loc["total", "estimate"] == pytest.approx(total, abs=0.35)
    assert imp.loc["indirect", "estimate"] == pytest.approx(total - direct, abs=0.35)
    # the effect identities hold exactly at the estimates
    assert imp.loc["total", "estimate"] == pytest.approx(
        imp.loc["direct", "estimate"] + imp.loc["indirect", "estimate"]
    )
    assert imp.loc["total", "estimate"] == pytest.approx((c["x"] + c["W*x"]) / (1 - c["rho"]))
    assert (imp["se"] > 0).all()


def test_unit_effects_match_spreg(sdm_data, wdf):
    spreg = pytest.importorskip("spreg")
    libpysal = pytest.importorskip("libpysal")
    d, w = sdm_data
    d = d.assign(x2=np.random.default_rng(0).normal(size=len(d)))
    wobj = libpysal.weights.full2W(w, ids=list(wdf.index))
    wobj.transform = "r"
    dd = d.sort_values(["year", "unit"])
    y, x = dd[["y"]].to_numpy(), dd[["x", "x2"]].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lag = spreg.Panel_FE_Lag(y, x, wobj)
        err = spreg.Panel_FE_Error(y, x, wobj)
    for model, ref in (("sar", lag), ("sem", err)):
        r = spatial_panel(
            d, "y", ["x", "x2"], wdf, model=model, effects="unit", lee_yu=False, impacts=False
        )
        np.testing.assert_allclose(r.coef["coef"], ref.betas.ravel(), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(r.coef["se"], np.sqrt(np.diag(ref.vm)), rtol=1e-4)
    # the SDM is spreg's lag model with W x among the regressors
    wx = np.vstack([w @ g[["x", "x2"]].to_numpy() for _, g in dd.groupby("year")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = spreg.Panel_FE_Lag(y, np.hstack([x, wx]), wobj)
    r = spatial_panel(
        d, "y", ["x", "x2"], wdf, model="sdm", effects="unit", lee_yu=False, impacts=False
    )
    np.testing.assert_allclose(r.coef["coef"], ref.betas.ravel(), rtol=1e-5, atol=1e-7)


def test_lee_yu_scales_sigma_with_unit_effects(sdm_data, wdf):
    d, _ = sdm_data
    a = spatial_panel(d, "y", ["x"], wdf, model="sar", effects="unit", impacts=False)
    b = spatial_panel(d, "y", ["x"], wdf, model="sar", effects="unit", lee_yu=False, impacts=False)
    assert a.coef.loc["rho", "coef"] == pytest.approx(b.coef.loc["rho", "coef"], abs=1e-7)
    assert a.sigma2 == pytest.approx(b.sigma2 * 30 / 29, rel=1e-8)


def test_specification_tests(sdm_data, wdf):
    d, _ = sdm_data
    lm = lm_tests(d, "y", ["x"], wdf, effects="twoway")
    assert lm.loc["LM lag", "p"] < 1e-6
    sdm = spatial_panel(d, "y", ["x"], wdf, model="sdm", impacts=False)
    sar = spatial_panel(d, "y", ["x"], wdf, model="sar", impacts=False)
    sem = spatial_panel(d, "y", ["x"], wdf, model="sem", impacts=False)
    t = sdm_tests(sdm, sar, sem)
    assert t.loc["Wald SDM vs SAR (theta = 0)", "p"] < 1e-4
    assert t.loc["LR SDM vs SAR", "p"] < 1e-4
    assert t.loc["LR SDM vs SAR", "statistic"] > 0
    assert t.loc["Wald SDM vs SEM (theta + rho beta = 0)", "p"] < 0.01  # theta = 0.5 != -0.4


def test_bad_weights_and_unbalanced(sdm_data, wdf):
    d, _ = sdm_data
    with pytest.raises(DataError, match="misaligned.*panel units without weights: \\['r48'\\]"):
        spatial_panel(d, "y", ["x"], wdf.iloc[:48, :48], impacts=False)
    with pytest.raises(DataError, match="needs ids="):
        align_weights(wdf.to_numpy(), list(wdf.index))
    iso = wdf.copy()
    iso.loc["r00", :] = 0
    with pytest.raises(DataError, match="'r00'.*no neighbour"):
        spatial_panel(d, "y", ["x"], iso, impacts=False)
    short = d.drop(index=d.index[3])
    with pytest.raises(DataError, match="spatial panel ML estimator needs a balanced panel"):
        spatial_panel(short, "y", ["x"], wdf, impacts=False)
    r = spatial_panel(
        short, "y", ["x"], wdf.drop(index="r03", columns="r03"), balanced=True, impacts=False
    )
    assert r.n == 48
