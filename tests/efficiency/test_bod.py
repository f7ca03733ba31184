"""Benefit-of-the-doubt composite indicators: hand-solved cases and the DEA engine."""

import numpy as np
import pandas as pd
import pytest

from nqpf import DataError
from nqpf.efficiency.bod import bod


def test_hand_solved_three_units():
    X = pd.DataFrame({"a": [1.0, 0.5, 0.4], "b": [0.5, 1.0, 0.4]}, index=["p", "q", "r"])
    res = bod(X)
    s = res.scores.set_index("unit")["score"]
    # r: max 0.4 (w1 + w2) with w1 + 0.5 w2 <= 1 and 0.5 w1 + w2 <= 1 -> w = (2/3, 2/3)
    np.testing.assert_allclose(s[["p", "q", "r"]], [1.0, 1.0, 0.4 * 4 / 3], rtol=1e-9)
    np.testing.assert_allclose(res.weights.loc["r"], [2 / 3, 2 / 3], rtol=1e-7)
    np.testing.assert_allclose(res.shares.sum(axis=1), 1.0)
    # each unit's own weights give its score, and nobody exceeds 1 with them
    for u in X.index:
        w = res.weights.loc[u].to_numpy()
        assert X.loc[u].to_numpy() @ w == pytest.approx(s[u], rel=1e-8)
        assert (X.to_numpy() @ w <= 1 + 1e-9).all()


def test_share_bounds_lower_the_scores_of_specialists():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(0.1, 1.0, (12, 3)), columns=list("abc"))
    free = bod(X).scores.set_index("unit")["score"]
    tied = bod(X, share_bounds=(0.2, 0.5))
    ts = tied.scores.set_index("unit")["score"].reindex(free.index)
    assert (ts <= free + 1e-9).all() and (ts < free - 1e-6).any()
    sh = tied.shares.to_numpy()
    assert (sh >= 0.2 - 1e-7).all() and (sh <= 0.5 + 1e-7).all()


def test_bad_input():
    X = pd.DataFrame({"a": [1.0, -0.5], "b": [0.5, 1.0]}, index=["p", "q"])
    with pytest.raises(DataError, match="'q'"):
        bod(X)
    with pytest.raises(DataError, match="share_bounds"):
        bod(X.abs(), share_bounds=(0.6, 0.9))
