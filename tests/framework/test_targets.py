"""Targets, operators, ranges and bands as an office writes them."""

from __future__ import annotations

import pytest

from nqpf.framework.targets import Target, parse_bands, parse_target, shortfall


@pytest.mark.parametrize(("target", "op", "direction", "expected"), [
    (2.5, None, 1, Target(">=", 2.5)),
    ("0.5", None, -1, Target("<=", 0.5)),
    ("1,200", "不低于", -1, Target(">=", 1200.0)),
    (3, "≤", 1, Target("<=", 3.0)),
    (5, "等于", 1, Target("=", 5.0)),
    ("2..3", None, 1, Target("..", None, 2.0, 3.0)),
    ("2～3", None, 1, Target("..", None, 2.0, 3.0)),
    (None, "2..3", 1, Target("..", None, 2.0, 3.0)),
    ([1, 4], None, 1, Target("..", None, 1.0, 4.0)),
    (None, None, 1, None),
])
def test_parse_target(target, op, direction, expected):
    assert parse_target(target, op, direction, "x") == expected


@pytest.mark.parametrize(("target", "op", "message"), [
    ("abc", None, "indicator x: target 'abc' is not a number"),
    (3, "~=", "unknown target_op '~='"),
    ("3..2", None, "lo < hi"),
    (None, ">=", "target is empty"),
    ("2..3", ">=", "is a range but target_op"),
])
def test_bad_targets(target, op, message):
    with pytest.raises(ValueError, match=message):
        parse_target(target, op, 1, "x")


def test_shortfall():
    assert shortfall(Target(">=", 3.0), 2.0) == 1.0
    assert shortfall(Target("<=", 3.0), 2.0) == 0.0
    assert shortfall(Target("=", 3.0), 4.5) == 1.5
    assert shortfall(Target("..", None, 1.0, 2.0), 0.5) == 0.5
    assert Target("..", None, 1.0, 2.0).text() == "1..2"


def test_bands():
    assert parse_bands([[60, 60], [100, 100]], 1) == ((60.0, 60.0), (100.0, 100.0))
    assert parse_bands({1.0: 60, 0.5: 100}, -1) == ((1.0, 60.0), (0.5, 100.0))
    with pytest.raises(ValueError, match="strictly increase"):
        parse_bands([[100, 60], [60, 100]], 1)
    with pytest.raises(ValueError, match="decrease"):
        parse_bands([[0.5, 60], [1.0, 100]], -1)
    with pytest.raises(ValueError, match=r"\[0, 100\]"):
        parse_bands([[1, 60], [2, 120]], 1)
