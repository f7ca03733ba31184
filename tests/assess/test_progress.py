"""Progress to target (ESCAP current-status measure), hand-computed."""

from __future__ import annotations

import numpy as np

from nqpf.assess.progress import progress, progress_goal
from nqpf.framework import Indicator
from nqpf.framework.targets import Target


def test_share_of_distance_closed():
    t = Target(">=", 10.0)
    now = np.array([8.0, 6.0, 4.0, 11.0, 12.0, 9.0])
    ref = np.array([6.0, 6.0, 6.0, 6.0, 10.0, 10.0])
    # (4-2)/4 = 0.5; no move 0; moved away -> 0; beyond target 1; stayed above 1; fell below 0
    np.testing.assert_allclose(progress(now, ref, t), [50.0, 0.0, 0.0, 100.0, 100.0, 0.0])


def test_cost_and_range_targets():
    np.testing.assert_allclose(
        progress(np.array([0.55]), np.array([0.7]), Target("<=", 0.5)), [75.0]
    )
    r = Target("..", None, 2.0, 4.0)
    np.testing.assert_allclose(progress(np.array([5.0, 1.5]), np.array([6.0, 1.0]), r),
                               [50.0, 50.0])


def test_goal_falls_back_to_high_or_bands():
    ind = Indicator.model_validate({"id": "x", "name_zh": "x", "direction": "-", "low": 1,
                                    "high": 3})
    assert progress_goal(ind) == Target("<=", 1.0)
