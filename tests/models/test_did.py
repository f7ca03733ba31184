import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataError
from nqpf.models.did import callaway_santanna, event_study, twfe_did
from nqpf.models.simulate import staggered_panel


@pytest.fixture(scope="module")
def stag():
    return staggered_panel(300, 10, cohorts=(4, 6, 8), effect=1.0, dynamic=0.5, seed=3)


def test_callaway_santanna_recovers_known_att(stag):
    r = callaway_santanna(stag, "y", "treated", unit="unit", time="year", reps=199)
    # dynamic effects: ATT at event time e is 1 + 0.5 e for every cohort
    # (tolerance: 3 bootstrap standard errors)
    for e in (0, 1, 2, 3):
        row = r.dynamic.loc[e]
        assert abs(row["att"] - (1 + 0.5 * e)) < 3 * row["se"]
    # pre-treatment placebo effects are near zero
    assert abs(r.dynamic.loc[-2, "att"]) < 3 * r.dynamic.loc[-2, "se"]
    # overall ATT: cohort-size-weighted average of post-treatment ATT(g, t)
    gt = r.att_gt[r.att_gt["event_time"] >= 0]
    true = float((1 + 0.5 * gt["event_time"]).mean())
    assert abs(r.overall["att"] - true) < 3 * r.overall["se"]
    nt = callaway_santanna(
        stag, "y", "treated", unit="unit", time="year", control="notyet", reps=99
    )
    assert abs(nt.overall["att"] - true) < 3 * nt.overall["se"]


def test_att_gt_by_hand(stag):
    r = callaway_santanna(stag, "y", "treated", unit="unit", time="year", reps=50)
    w = stag.pivot(index="unit", columns="year", values="y")
    c = stag.groupby("unit")["cohort"].first()
    g, t = 6, 8
    d = w[t] - w[g - 1]
    by_hand = d[c == g].mean() - d[c == 0].mean()
    row = r.att_gt[(r.att_gt["cohort"] == g) & (r.att_gt["period"] == t)].iloc[0]
    assert row["att"] == pytest.approx(by_hand, rel=1e-12)


def test_twfe_and_event_study():
    # constant effects: the setting where TWFE event studies are unbiased
    stag = staggered_panel(300, 10, cohorts=(4, 6, 8), effect=1.0, dynamic=0.0, seed=4)
    est = twfe_did(stag, "y", "treated", unit="unit", time="year")
    assert est.coef.loc["treated", "coef"] == pytest.approx(1.0, abs=0.15)
    es = event_study(stag, "y", "treated", unit="unit", time="year", leads=3, lags=3)
    assert es.coef.loc[-1, "coef"] == 0
    assert es.pretrend["p"] > 0.01
    assert es.coef.loc[0, "coef"] == pytest.approx(1.0, abs=0.35)
    fig = es.plot()
    assert fig.axes


def test_pretrend_detected_when_trends_differ(stag):
    d = stag.copy()
    d["y"] = d["y"] + 0.4 * d["year"] * (d["cohort"] == 8)
    es = event_study(d, "y", "treated", unit="unit", time="year", leads=4, lags=2)
    assert es.pretrend["p"] < 0.01


def test_bad_treatment_and_unbalanced(stag):
    d = stag.copy()
    d.loc[(d["unit"] == 0) & (d["year"] == 9), "treated"] = 0
    with pytest.raises(DataError, match="switches off at unit 0, period 9"):
        callaway_santanna(d, "y", "treated", unit="unit", time="year", reps=50)
    d = stag.drop(index=stag.index[5])
    with pytest.raises(DataError, match="Callaway-Sant'Anna.*balanced panel.*balanced=True"):
        callaway_santanna(d, "y", "treated", unit="unit", time="year", reps=50)
    r = callaway_santanna(d, "y", "treated", unit="unit", time="year", reps=50, balanced=True)
    assert np.isfinite(r.overall["att"])
    d = stag.assign(treated=stag["treated"] * 2)
    with pytest.raises(DataError, match="must be 0 or 1"):
        twfe_did(d, "y", "treated", unit="unit", time="year")


def _mpdta_cells() -> pd.DataFrame:
    """A panel with the cohort-by-year means of log teen employment of ``mpdta``.

    ``mpdta`` (R package did; Callaway and Sant'Anna 2021): 500 US counties, 2003-2007,
    first treated 2004 (20 counties), 2006 (40), 2007 (131) or never (309). Without
    covariates every ATT(g, t) and its aggregations depend only on the cohort-by-year
    means and the cohort sizes, so each county is replaced by its cohort's mean path.
    """
    means = {
        0: [5.6546300225, 5.59199999814, 5.60480843375, 5.63889628205, 5.66113254037],
        2004: [6.17969683359, 6.10656356301, 6.05945208674, 6.02670435425, 6.08538798837],
        2006: [6.57399362823, 6.5178837163, 6.52794133316, 6.55743457451, 6.54304096823],
        2007: [5.84290649638, 5.81078312761, 5.82086567033, 5.82386639925, 5.82004824684],
    }
    sizes = {0: 309, 2004: 20, 2006: 40, 2007: 131}
    rows = []
    unit = 0
    for g, path in means.items():
        for _ in range(sizes[g]):
            for year, v in zip(range(2003, 2008), path, strict=True):
                rows.append((unit, year, v, int(g > 0 and year >= g)))
            unit += 1
    return pd.DataFrame(rows, columns=["county", "year", "lemp", "treated"])


def test_callaway_santanna_reproduces_the_did_package_on_mpdta():
    r = callaway_santanna(_mpdta_cells(), "lemp", "treated", unit="county", time="year", reps=50)
    # did's README: att_gt(yname = "lemp", ..., xformla = ~1, data = mpdta)
    published = {
        (2004, 2004): -0.0105,
        (2004, 2005): -0.0704,
        (2004, 2006): -0.1373,
        (2004, 2007): -0.1008,
        (2006, 2004): 0.0065,
        (2006, 2005): -0.0028,
        (2006, 2006): -0.0046,
        (2006, 2007): -0.0412,
        (2007, 2004): 0.0305,
        (2007, 2005): -0.0027,
        (2007, 2006): -0.0311,
        (2007, 2007): -0.0261,
    }
    got = r.att_gt.set_index(["cohort", "period"])["att"]
    for key, v in published.items():
        assert round(got[key], 4) == v
    dynamic = {-3: 0.0305, -2: -0.0006, -1: -0.0245, 0: -0.0199, 1: -0.0510, 2: -0.1373, 3: -0.1008}
    for e, v in dynamic.items():
        assert round(r.dynamic.loc[e, "att"], 4) == v
    assert round(r.overall_dynamic["att"], 4) == -0.0772
    for g, v in {2004: -0.0797, 2006: -0.0229, 2007: -0.0261}.items():
        assert round(r.group.loc[g, "att"], 4) == v
    assert round(r.overall_group["att"], 3) == -0.031
    assert round(r.overall["att"], 4) == -0.0400  # aggte(type = "simple")
