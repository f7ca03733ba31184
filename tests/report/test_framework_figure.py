"""The framework sunburst: every node a wedge sized by its weight, labelled with it."""

import numpy as np
import pytest

from nqpf import Panel, Recipe, build_index

FW = {"id": "ins", "name_zh": "洞察", "dimensions": [
    {"id": "d1", "name_zh": "一", "indicators": [
        {"id": "a", "name_zh": "甲", "unit": "", "direction": "+"},
        {"id": "b", "name_zh": "乙", "unit": "", "direction": "-"}]},
    {"id": "d2", "name_zh": "二", "indicators": [
        {"id": "c", "name_zh": "丙", "unit": "", "direction": "+"}]}]}


@pytest.fixture
def panel():
    v = np.array([[[3.0, 1.0, 5.0]], [[1.0, 2.0, 9.0]], [[2.0, 3.0, 1.0]], [[4.0, 4.0, 2.0]]])
    return Panel(v, ("w", "x", "y", "z"), (2022,), ("a", "b", "c"))


def test_framework_sunburst_draws_every_node(panel):
    from matplotlib.patches import Wedge

    from nqpf.report.framework_figure import framework_sunburst

    res = build_index(panel, FW, Recipe(weights="critic"))
    fig = framework_sunburst(res, framework=FW, lang="zh")
    wedges = [p for p in fig.axes[0].patches if isinstance(p, Wedge)]
    assert len(wedges) == 2 + 3  # dimensions, then indicators
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    eff = res.weights.set_index("node")["effective_weight"]
    assert f"{100 * eff['d1']:.1f}%" in texts and "甲" in texts
