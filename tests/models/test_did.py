import numpy as np
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
