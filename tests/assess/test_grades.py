"""Grades by thresholds and by forced distribution."""

from __future__ import annotations

import numpy as np
import pytest

from nqpf.assess.grades import default_thresholds, grade_quantiles, grade_thresholds
from nqpf.errors import NqpfError


def test_thresholds_default_schedule():
    g = grade_thresholds(np.array([95.0, 90.0, 89.99, 60.0, 10.0]), default_thresholds("zh"))
    assert list(g) == ["优秀", "优秀", "良好", "一般", "较差"]
    assert grade_thresholds(np.array([85.0]), default_thresholds("en"))[0] == "Good"


def test_thresholds_must_cover_every_score():
    with pytest.raises(NqpfError, match="below the lowest threshold"):
        grade_thresholds(np.array([40.0]), [("A", 90), ("B", 50)])
    with pytest.raises(NqpfError, match="must decrease"):
        grade_thresholds(np.array([40.0]), [("A", 50), ("B", 90)])


def test_quantiles_with_ties():
    scores = np.array([90.0, 80.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0])
    g = grade_quantiles(scores, ["A", "B", "C", "D"], [0.25, 0.25, 0.25, 0.25])
    # ranks 1, 2, 2, 4, 5, 6, 7, 8; bounds 2, 4, 6, 8
    assert list(g) == ["A", "A", "A", "B", "C", "C", "D", "D"]
    with pytest.raises(NqpfError, match="sum to 1"):
        grade_quantiles(scores, ["A", "B"], [0.5, 0.4])
