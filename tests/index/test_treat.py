"""Outlier treatment (COINr's Treat): winsorisation, log and Box-Cox transforms, the record."""

import numpy as np
import pandas as pd
import pytest

from nqpf import DataError, Panel, Recipe, build_index
from nqpf.index.treat import TreatSpec, skew_kurt, treat, treat_vector, winsorise

FW = {
    "id": "treat",
    "name_zh": "处理",
    "dimensions": [
        {
            "id": "d1",
            "name_zh": "一",
            "indicators": [
                {"id": "a", "name_zh": "甲", "unit": "", "direction": "+"},
                {"id": "b", "name_zh": "乙", "unit": "", "direction": "-"},
            ],
        },
        {
            "id": "d2",
            "name_zh": "二",
            "indicators": [{"id": "c", "name_zh": "丙", "unit": "", "direction": "+"}],
        },
    ],
}


def _excel_skew_kurt(x):
    """Excel's SKEW and KURT written out (Joanes and Gill 1998, G1 and G2)."""
    n = len(x)
    d = x - x.mean()
    s = np.sqrt((d**2).sum() / (n - 1))
    g1 = n / ((n - 1) * (n - 2)) * ((d / s) ** 3).sum()
    g2 = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * ((d / s) ** 4).sum() - 3 * (n - 1) ** 2 / (
        (n - 2) * (n - 3)
    )
    return g1, g2


def test_skewness_and_kurtosis_are_excels():
    x = np.r_[np.arange(1, 11), 30, 100].astype(float)
    np.testing.assert_allclose(skew_kurt(x), _excel_skew_kurt(x), rtol=1e-12)
    assert np.isnan(skew_kurt(np.ones(5))[0]) and np.isnan(skew_kurt(np.arange(3.0))[0])


def test_coinr_example_one_point_winsorised():
    # COINr's Treat example: 1..10 with outliers 30 and 100, winmax = 2
    x = np.r_[np.arange(1, 11), 30, 100].astype(float)
    out, row, how = treat_vector(x, TreatSpec(winmax=2))
    assert not row["pass_before"] and row["pass_after"]
    assert row["winsorised"] == 1 and row["side"] == "high" and row["transform"] == ""
    np.testing.assert_array_equal(out, np.r_[np.arange(1, 11), 30, 30])
    assert list(how).count("winhi") == 1 and how[-1] == "winhi"


def test_winsorised_points_never_pass_the_next_unwinsorised_value():
    rng = np.random.default_rng(3)
    for _ in range(40):
        x = rng.lognormal(0, rng.uniform(1, 2.5), 60) * rng.choice([-1, 1])
        w, side = winsorise(x, TreatSpec(winmax=8))
        kept = x[side == 0]
        if (side > 0).any():
            assert np.all(w[side > 0] == kept.max())
            assert np.all(x[side > 0] >= kept.max())
        if (side < 0).any():
            assert np.all(w[side < 0] == kept.min())
            assert np.all(x[side < 0] <= kept.min())
        np.testing.assert_array_equal(w[side == 0], kept)
        # order is kept: a larger original is never treated smaller
        o = np.argsort(x, kind="stable")
        assert np.all(np.diff(w[o]) >= 0)


def test_log_transforms_when_winsorising_is_not_enough():
    rng = np.random.default_rng(0)
    x = rng.lognormal(0, 2, 80)
    lo, hi = x.min(), x.max()
    out, row, how = treat_vector(x, TreatSpec(winmax=1))
    assert row["transform"] == "log_CT" and row["winsorised"] == 0  # original values logged
    np.testing.assert_allclose(out, np.log(x - lo + 0.01 * (hi - lo)), rtol=1e-14)
    assert set(how) == {"log_CT"}
    # negative skew: log_CT_plus mirrors the log
    y = -x
    out, row, _ = treat_vector(y, TreatSpec(winmax=1, transform="log_CT_plus"))
    a = 0.01 * (y.max() - y.min())
    assert row["transform"] == "log_CT_neg"
    np.testing.assert_allclose(out, -np.log(y.max() + a - y), rtol=1e-14)
    assert abs(row["skew_after"]) < abs(row["skew"])


def test_box_cox_with_a_given_and_an_estimated_lambda():
    from scipy import stats

    rng = np.random.default_rng(1)
    x = rng.lognormal(0, 2, 80)
    out, row, _ = treat_vector(x, TreatSpec(winmax=0, transform="boxcox", boxcox_lambda=0.5))
    y = x - x.min() + 1
    np.testing.assert_allclose(out, (np.sqrt(y) - 1) / 0.5, rtol=1e-13)
    out, row, _ = treat_vector(x, TreatSpec(winmax=0, transform="boxcox"))
    lam = stats.boxcox_normmax(y, method="mle")
    assert row["lambda"] == pytest.approx(lam)
    np.testing.assert_allclose(out, stats.boxcox(y, lam), rtol=1e-10)


def test_combined_treatment_logs_the_winsorised_values():
    rng = np.random.default_rng(0)
    x = rng.lognormal(0, 2, 80)
    out, row, how = treat_vector(x, TreatSpec(winmax=2, combine=True))
    w, side = winsorise(x, TreatSpec(winmax=2))
    np.testing.assert_allclose(out, np.log(w - w.min() + 0.01 * (w.max() - w.min())))
    assert row["winsorised"] == 2 and (how[side > 0] == "winhi+log_CT").all()


def test_missing_cells_stay_missing_and_short_series_are_reported():
    x = np.r_[np.arange(1, 11), 30, 100, np.nan].astype(float)
    out, row, how = treat_vector(x, TreatSpec(winmax=2))
    assert np.isnan(out[-1]) and how[-1] == "" and row["n"] == 12
    out, row, _ = treat_vector(np.array([1.0, 2.0, np.nan]), TreatSpec())
    assert "not checked" in row["note"]


def _panel(seed=5, outliers=True):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(20):
        for t in (2020, 2021):
            rows.append({"unit": f"u{u:02d}", "period": t, "a": rng.lognormal(0, 0.3),
                         "b": rng.lognormal(0, 0.3), "c": rng.lognormal(0, 0.3)})
    df = pd.DataFrame(rows)
    if outliers:
        df.loc[(df["unit"] == "u03") & (df["period"] == 2021), "a"] = 40.0  # one outlier
        df.loc[df["unit"] == "u07", "c"] = [90.0, 120.0]
    return Panel.from_wide(df, unit="unit", period="period")


def test_points_table_lists_every_changed_cell():
    p = _panel()
    res = treat(p.values, True, indicators=list(p.indicators), units=list(p.units),
                periods=list(p.periods))
    changed = np.argwhere(res.values != p.values)
    assert len(res.points) == len(changed) > 0
    got = {(r.unit, r.period, r.indicator) for r in res.points.itertuples()}
    want = {(p.units[u], p.periods[t], p.indicators[j]) for u, t, j in changed}
    assert got == want
    row = res.points[res.points["indicator"] == "a"].iloc[0]
    assert (row["unit"], row["period"], row["original"], row["how"]) == ("u03", 2021, 40.0, "winhi")
    assert set(res.table["indicator"]) == {"a", "b", "c"}
    assert res.table.set_index("indicator").loc["a", "pass_after"]


def test_per_period_scope_treats_each_cross_section():
    p = _panel()
    res = treat(p.values, {"scope": "per-period"}, indicators=list(p.indicators),
                periods=list(p.periods))
    assert len(res.table) == 6 and set(res.table["period"]) == {2020, 2021}
    for t in range(2):
        alone = treat(p.values[:, t : t + 1], True).values
        np.testing.assert_array_equal(res.values[:, t : t + 1], alone)


def test_treatment_off_equals_the_plain_index_and_on_is_recorded(tmp_path):
    p = _panel()
    plain = build_index(p, FW, Recipe())
    off = build_index(p, FW, Recipe(treat=False))
    pd.testing.assert_frame_equal(plain.scores, off.scores)
    assert off.treatment is None and off.recipe.treat is None
    on = build_index(p, FW, Recipe(treat=True), explain=True)
    assert on.treatment.n_points == on.meta["treated_points"] > 0
    assert "treatment" in on.explain and "treated points" in on.explain
    # treating the raw data first is the same as building on treated data
    treated = p.replace(values=on.treatment.values)
    np.testing.assert_allclose(
        on.wide().to_numpy(), build_index(treated, FW, Recipe()).wide().to_numpy()
    )
    # data that pass the check are not touched: the index equals the plain one
    calm = _panel(outliers=False)
    assert treat(calm.values, True).table["pass_before"].all()
    pd.testing.assert_frame_equal(
        build_index(calm, FW, Recipe(treat=True)).scores, build_index(calm, FW).scores
    )
    on.write(tmp_path / "out")
    sheets = pd.ExcelFile(tmp_path / "out" / "index.xlsx").sheet_names
    assert {"treatment", "treated_points"} <= set(sheets)
    assert "treated (log_CT, winmax 5)" in on.recipe.describe()


def test_bad_settings_are_named():
    with pytest.raises(DataError, match="unknown treatment setting"):
        Recipe(treat={"winmx": 3})
    with pytest.raises(DataError, match="transform"):
        TreatSpec(transform="sqrt")
    with pytest.raises(DataError, match="winmax"):
        TreatSpec(winmax=-1)
    with pytest.raises(DataError, match="mapping"):
        Recipe(treat="yes")
    with pytest.raises(DataError, match="skip"):
        treat(np.ones((4, 1, 2)), {"skip": ["zz"]}, indicators=["a", "b"])


def test_robustness_base_case_uses_the_treated_data():
    from nqpf.robustness.uncertainty import Uncertainty, robustness

    p = _panel()
    rec = Recipe(treat=True)
    res = robustness(p, FW, Uncertainty(weights=("entropy", "equal")), rec, replications=8)
    ref = build_index(p, FW, rec)
    got = res.base_scores.sort_values(["unit", "period"])["score"].to_numpy()
    want = ref.scores[ref.scores["node"] == "index"].sort_values(["unit", "period"])["score"]
    np.testing.assert_allclose(got, want.to_numpy(), rtol=1e-12)


def test_audit_flags_outliers_and_lists_the_treated_points():
    from nqpf.index import audit

    p = _panel()
    plain = audit(p, FW, build_index(p, FW))
    flagged = plain.flags[plain.flags["flag"].str.contains("kurtosis")]
    assert set(flagged["indicator_a"]) == {"a", "c"}
    assert "treatment" not in plain.tables()
    res = build_index(p, FW, Recipe(treat=True))
    a = audit(p, FW, res)
    assert len(a.tables()["treated_points"]) == res.treatment.n_points
    treated_flags = a.flags[a.flags["flag"].str.startswith("treated")]
    assert set(treated_flags["indicator_a"]) == {"a", "c"}


def test_index_command_treats_outliers(tmp_path):
    import yaml

    from clitools import flat, run

    p = _panel()
    data = tmp_path / "data.csv"
    p.to_wide().reset_index().to_csv(data, index=False)
    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump(FW, allow_unicode=True), encoding="utf-8")
    rc, _, err = run("index", data, "--framework", fw, "--winmax", "3", "--units", "none",
                     "--out", tmp_path / "o")
    assert rc == 0, err
    assert "outlier treatment changed" in flat(err)
    pts = pd.read_excel(tmp_path / "o" / "index.xlsx", sheet_name="treated_points")
    want = treat(p.values, {"winmax": 3}, indicators=list(p.indicators)).n_points
    assert len(pts) == want > 0
    rc, _, err = run("index", data, "--framework", fw, "--treat-transform", "sqrt",
                     "--units", "none", "--out", tmp_path / "o2")
    assert rc != 0 and "sqrt" in flat(err)
