"""estimate_tfp and `nqpf tfp-pf`: one entry point for every estimator."""

import numpy as np
import pandas as pd
import pytest

from clitools import flat, run
from nqpf import DataError
from nqpf.efficiency.prodfn import estimate
from nqpf.efficiency.production import METHODS, estimate_tfp
from nqpf.efficiency.simulate import simulate_acf


@pytest.fixture(scope="module")
def panel():
    df, truth = simulate_acf(n_firms=400, n_periods=8, seed=3)
    return df, truth


def test_dispatch_equals_the_estimators(panel):
    df, truth = panel
    kw = dict(unit="id", period="period", output="y", free="l", state="k")
    a = estimate_tfp(df, "acf", proxy="m", **kw)
    b = estimate(df, method="acf", proxy="m", **kw)
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients)
    assert abs(a.beta("l") - truth["l"]) < 0.06 and abs(a.beta("k") - truth["k"]) < 0.06
    ols = estimate_tfp(df, "ols", **kw)
    assert ols.beta("l") > a.beta("l")  # OLS biased upward on the free input
    w = estimate_tfp(df, "wrdg", proxy="m", **kw)
    assert w.method == "wrdg"
    # TFP identity for every method
    for res in (a, ols, w):
        t = res.tfp.rename(columns={"unit": "id"}).merge(df, on=["id", "period"])
        np.testing.assert_allclose(
            t["log_tfp"], t["y"] - res.beta("l") * t["l"] - res.beta("k") * t["k"], atol=1e-9
        )
    assert set(METHODS) == {"acf", "op", "lp", "wrdg", "ols", "fe"}


def test_dispatch_errors(panel):
    df, _ = panel
    kw = dict(unit="id", period="period", output="y", free="l", state="k")
    with pytest.raises(DataError, match="proxy"):
        estimate_tfp(df, "acf", **kw)
    with pytest.raises(DataError, match="unknown method"):
        estimate_tfp(df, "gmm", proxy="m", **kw)
    with pytest.raises(DataError, match="Olley"):
        estimate_tfp(df, "acf", proxy="m", exit="x", **kw)


def test_command_writes_coefficients_and_tfp(panel, tmp_path):
    df, truth = panel
    data = tmp_path / "firms.csv"
    df.to_csv(data, index=False)
    args = [
        "tfp-pf",
        data,
        "--unit",
        "id",
        "--period",
        "period",
        "--output",
        "y",
        "--free",
        "l",
        "--state",
        "k",
        "--proxy",
        "m",
        "--method",
        "acf",
        "--bootstrap",
        "5",
        "--seed",
        "1",
    ]
    rc, out, err = run(*args, "--out", tmp_path / "a")
    assert rc == 0, err
    co = pd.read_csv(tmp_path / "a" / "coefficients.csv")
    assert list(co.columns) == ["term", "estimate", "std_error"]
    assert set(co["term"]) >= {"l", "k"}
    assert co["std_error"].notna().all()
    tfp = pd.read_csv(tmp_path / "a" / "tfp.csv")
    assert {"unit", "period", "tfp"} <= set(tfp.columns)
    rc, _, _ = run(*args, "--out", tmp_path / "b")
    assert rc == 0
    pd.testing.assert_frame_equal(co, pd.read_csv(tmp_path / "b" / "coefficients.csv"))
    no_proxy = [a for a in args if a not in ("--proxy", "m")]
    rc, _, err = run(*no_proxy, "--out", tmp_path / "c")
    assert rc == 2 and "proxy" in flat(err)
    rc, _, err = run(*args, "--out", tmp_path / "a")
    assert rc == 2 and "--force" in flat(err)


def test_command_reports_rows_left_out(panel, tmp_path):
    df, _ = panel
    bad = df.astype({"y": object})
    bad.loc[3, "y"] = "inf"
    bad.loc[7, "y"] = "n/a"
    data = tmp_path / "firms.csv"
    bad.to_csv(data, index=False)
    rc, _, err = run("tfp-pf", data, "--id", "id", "--period", "period", "--output", "y",
                     "--free", "l", "--state", "k", "--method", "ols", "--out", tmp_path / "o")
    assert rc == 0, err
    assert "2 row(s) left out: missing or unreadable value" in flat(err)
