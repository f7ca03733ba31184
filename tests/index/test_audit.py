import numpy as np
import pandas as pd
import pytest

from nqpf import Panel
from nqpf.index import audit, build_index, cronbach_alpha

FW = {
    "id": "aud",
    "name_zh": "审计",
    "dimensions": [
        {
            "id": "d1",
            "name_zh": "一",
            "indicators": [
                {"id": "a", "name_zh": "甲", "unit": "", "direction": "+"},
                {"id": "b", "name_zh": "乙", "unit": "", "direction": "+"},
                {"id": "c", "name_zh": "丙", "unit": "", "direction": "-"},
            ],
        },
        {
            "id": "d2",
            "name_zh": "二",
            "indicators": [
                {"id": "x", "name_zh": "戊", "unit": "", "direction": "+"},
                {"id": "y", "name_zh": "己", "unit": "", "direction": "+"},
            ],
        },
    ],
}


def test_cronbach_alpha_by_hand():
    # var(col1) = 1, var(col2) = 7/3, var(sum) = 19/3 -> alpha = 2 (1 - (10/3)/(19/3)) = 18/19
    X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0]])
    assert cronbach_alpha(X) == pytest.approx(18 / 19)
    assert np.isnan(cronbach_alpha(X[:, :1]))
    with_nan = np.vstack([X, [np.nan, 1.0]])
    assert cronbach_alpha(with_nan) == pytest.approx(18 / 19)  # complete rows only


def _panel():
    rng = np.random.default_rng(3)
    n = 40
    f = rng.normal(size=n)
    a = f + 0.1 * rng.normal(size=n)
    b = a * 2 + 0.001 * rng.normal(size=n)  # nearly identical to a: |r| > 0.9
    c = f + 0.3 * rng.normal(size=n)  # cost indicator moving WITH a: negative after adjustment
    x = rng.normal(size=n)
    y = rng.normal(size=n)
    df = pd.DataFrame(
        {
            "unit": [f"u{i}" for i in range(n)],
            "period": 2020,
            "a": a,
            "b": b,
            "c": c,
            "x": x,
            "y": y,
        }
    )
    return Panel.from_wide(df, unit="unit", period="period")


def test_audit_flags_and_tables():
    p = _panel()
    res = audit(p, FW, result=build_index(p, FW, normalise="zscore", weights="equal"))
    flags = res.flags
    neg = flags[flags.flag.str.startswith("negative")]
    assert {("a", "c"), ("b", "c")} <= set(zip(neg.indicator_a, neg.indicator_b, strict=True))
    red = flags[flags.flag.str.contains("double counting")]
    assert ("a", "b") in set(zip(red.indicator_a, red.indicator_b, strict=True))
    d = res.descriptives.set_index("indicator")
    assert d.loc["a", "n"] == 40
    assert d.loc["a", "mean"] == pytest.approx(p.frame("a").to_numpy().mean())
    assert d.loc["c", "direction"] == "-"
    # correlations use direction-adjusted data
    r = res.correlations.set_index(["indicator_a", "indicator_b"])["r"]
    raw = np.corrcoef(p.frame("a").to_numpy().ravel(), p.frame("c").to_numpy().ravel())[0, 1]
    assert r[("a", "c")] == pytest.approx(-raw)
    # PCA shares of a dimension sum to 1; alpha per dimension present
    pca = res.pca[res.pca.dimension == "d1"]
    assert pca["variance_explained"].sum() == pytest.approx(1.0)
    assert set(res.alpha["dimension"]) == {"d1", "d2"}
    assert "index" in res.dimension_correlations.columns
