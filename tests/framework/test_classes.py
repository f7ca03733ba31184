"""Region classes and global weights."""

from __future__ import annotations

import pytest

from nqpf.errors import FrameworkError
from nqpf.framework import Framework


def _fw(classes=None, weights=(0.5, 0.3, 0.2), dim_weights=None):
    d = {"id": "f", "name_zh": "f", "dimensions": [
        {"id": "a", "name_zh": "A", "indicators": [
            {"id": "x", "name_zh": "x", "direction": "+", "target": 2},
            {"id": "y", "name_zh": "y", "direction": "+", "target": 3}]},
        {"id": "b", "name_zh": "B", "indicators": [
            {"id": "z", "name_zh": "z", "direction": "-", "target": 1}]}]}
    inds = [i for dim in d["dimensions"] for i in dim["indicators"]]
    for i, w in zip(inds, weights or [None] * 3, strict=True):
        if w is not None:
            i["weight"] = w
    if dim_weights:
        for dim, w in zip(d["dimensions"], dim_weights, strict=True):
            dim["weight"] = w
    if classes is not None:
        d["classes"] = classes
    return Framework.from_dict(d, source="f.yaml")


def test_global_weight_rules():
    assert _fw().weights() == pytest.approx({"x": 0.5, "y": 0.3, "z": 0.2})
    assert _fw(weights=(50, 30, 20)).weights() == pytest.approx({"x": 0.5, "y": 0.3, "z": 0.2})
    assert _fw(weights=None).weights() == pytest.approx({"x": 0.25, "y": 0.25, "z": 0.5})
    # hierarchical: dimension weights times sibling-normalised indicator weights
    w = _fw(weights=(1, 3, 1), dim_weights=(0.6, 0.4)).weights()
    assert w == pytest.approx({"x": 0.15, "y": 0.45, "z": 0.4})


def test_class_targets_and_weights():
    fw = _fw([{"id": "south", "name_zh": "苏南", "targets": {"x": 2.5, "z": "<= 0.8"},
               "weights": {"x": 0.4, "y": 0.4}}])
    assert fw.weights("south") == pytest.approx({"x": 0.4, "y": 0.4, "z": 0.2})
    assert fw.indicator_for("x", "south").target_text() == ">= 2.5"
    assert fw.indicator_for("z", "south").target_text() == "<= 0.8"
    assert fw.indicator_for("y", "south").target_text() == ">= 3"
    assert Framework.from_dict(fw.to_dict()) == fw


def test_class_errors():
    with pytest.raises(FrameworkError, match="class south: weights sum to 1.1, not 1"):
        _fw([{"id": "south", "weights": {"x": 0.6, "y": 0.3}}])
    with pytest.raises(FrameworkError, match=r"classes\[south\].targets: unknown indicator"):
        _fw([{"id": "south", "targets": {"w": 1}}])
    with pytest.raises(FrameworkError, match="target 'lots' is not a number"):
        _fw([{"id": "south", "targets": {"x": "lots"}}])
    with pytest.raises(FrameworkError, match="class id 'south' is given twice"):
        _fw([{"id": "south"}, {"id": "south"}])
    with pytest.raises(FrameworkError, match="unknown class 'north'"):
        _fw([{"id": "south"}]).weights("north")
