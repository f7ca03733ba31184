"""Hand-computed scores of each rule: caps, <= targets, zeros, negatives, ranges."""

from __future__ import annotations

import numpy as np
import pytest

from nqpf.assess.rules import attainment, banded, efficacy, full_mark, score
from nqpf.errors import FrameworkError
from nqpf.framework import Indicator
from nqpf.framework.targets import Target


def test_attainment_ge_with_cap_and_floor():
    x = np.array([1.0, 2.0, 2.5, 3.0, -1.0, 0.0, np.nan])
    s = attainment(x, Target(">=", 2.5))
    np.testing.assert_allclose(s[:6], [40.0, 80.0, 100.0, 100.0, 0.0, 0.0])
    assert np.isnan(s[6])
    s12 = attainment(x, Target(">=", 2.5), cap=1.2)
    np.testing.assert_allclose(s12[:4], [40.0, 80.0, 100.0, 120.0])
    assert attainment(np.array([10.0]), Target(">=", 2.5), cap=1.2)[0] == 120.0


def test_attainment_le_zero_and_negative_values():
    # cost indicator: 0.5 t/10k yuan target; 0.625 -> 0.5/0.625 = 0.8
    s = attainment(np.array([0.625, 0.5, 0.4, 0.0, -0.2]), Target("<=", 0.5))
    np.testing.assert_allclose(s, [80.0, 100.0, 100.0, 100.0, 100.0])
    s = attainment(np.array([0.4, 0.0]), Target("<=", 0.5), cap=1.2)
    np.testing.assert_allclose(s, [120.0, 120.0])  # 0.5/0.4 = 1.25 capped; x = 0 counts as met


def test_attainment_equal_and_range():
    s = attainment(np.array([4.0, 5.0, 6.0, 10.0]), Target("=", 5.0))
    np.testing.assert_allclose(s, [80.0, 100.0, 80.0, 0.0])
    r = Target("..", None, 2.0, 4.0)
    s = attainment(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 9.0]), r)
    # below: 1 - (2-1)/2 = 0.5; above: 1 - (5-4)/4 = 0.75; 1 - 5/4 < 0 -> 0
    np.testing.assert_allclose(s, [50.0, 100.0, 100.0, 100.0, 75.0, 0.0])
    r0 = Target("..", None, 0.0, 4.0)  # an end at 0 uses the width as scale
    np.testing.assert_allclose(attainment(np.array([-1.0]), r0), [75.0])


def test_attainment_rejects_non_positive_target():
    with pytest.raises(FrameworkError, match="indicator g.*not positive.*efficacy"):
        attainment(np.array([1.0]), Target(">=", -2.0), indicator="g")
    with pytest.raises(FrameworkError, match="target = 0"):
        attainment(np.array([1.0]), Target("=", 0.0))
    with pytest.raises(FrameworkError, match="cap must be at least 1"):
        attainment(np.array([1.0]), Target(">=", 1.0), cap=0.9)


def test_efficacy_benefit_cost_and_clip():
    x = np.array([2.0, 4.0, 6.0, 1.0, 7.0])
    # low 2, high 6: 60 + 40 * (x-2)/4
    np.testing.assert_allclose(efficacy(x, 2.0, 6.0, +1), [60.0, 80.0, 100.0, 50.0, 100.0])
    # cost: 60 + 40 * (6-x)/4
    np.testing.assert_allclose(efficacy(x, 2.0, 6.0, -1), [100.0, 80.0, 60.0, 100.0, 50.0])
    np.testing.assert_allclose(
        efficacy(np.array([1.0, 7.0]), 2.0, 6.0, +1, lower=60.0, upper=110.0), [60.0, 110.0]
    )
    # far below low: 60 + 40 * (-10 - 2)/4 = -60 -> clipped at 0
    assert efficacy(np.array([-10.0]), 2.0, 6.0, +1)[0] == 0.0
    with pytest.raises(FrameworkError, match="low .* below high"):
        efficacy(x, 6.0, 6.0, 1)


def test_banded_piecewise_linear_zero_below():
    bands = ((60.0, 60.0), (80.0, 80.0), (100.0, 100.0))
    x = np.array([50.0, 60.0, 70.0, 90.0, 100.0, 120.0])
    np.testing.assert_allclose(banded(x, bands, +1), [0.0, 60.0, 70.0, 90.0, 100.0, 100.0])
    cost = ((1.0, 60.0), (0.5, 100.0))  # thresholds decrease for a cost indicator
    np.testing.assert_allclose(banded(np.array([1.2, 1.0, 0.75, 0.4]), cost, -1),
                               [0.0, 60.0, 80.0, 100.0])


def _ind(**kw):
    return Indicator.model_validate({"id": "x", "name_zh": "x", "direction": "+", **kw})


def test_full_mark_at_target_for_every_rule():
    ind = _ind(target=5, low=1, high=5, bands=[[1, 60], [5, 100]])
    for rule in ("attainment", "efficacy", "banded"):
        s = score(np.array([5.0]), ind, rule)
        assert s[0] == pytest.approx(100.0)
        assert full_mark(rule, 1.0, 100.0, ind) == 100.0
    assert full_mark("attainment", 1.2, 100.0, ind) == 120.0


def test_missing_target_and_bands_are_errors_naming_indicator():
    ind = _ind()
    with pytest.raises(FrameworkError, match="indicator x .*class south.* no target"):
        score(np.array([1.0]), ind, "attainment", region_class="south")
    with pytest.raises(FrameworkError, match="no low/high"):
        score(np.array([1.0]), ind, "efficacy")
    with pytest.raises(FrameworkError, match="no bands"):
        score(np.array([1.0]), ind, "banded")


def test_efficacy_sample_range_and_target_as_high():
    ind = _ind()
    s = score(np.array([1.0, 2.0, 3.0]), ind, "efficacy", efficacy_range="sample")
    np.testing.assert_allclose(s, [60.0, 80.0, 100.0])
    s = score(np.array([1.0, 3.0]), _ind(target=3, low=1), "efficacy")
    np.testing.assert_allclose(s, [60.0, 100.0])
