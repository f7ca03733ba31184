"""LISA time paths and Rey's space-time transitions: hand-built cases and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.analysis.estda import estda, transition_type
from nqpf.errors import DataError

LINE = {"A": ["B"], "B": ["A", "C"], "C": ["B", "D"], "D": ["C"]}


def test_transition_types_of_rey_2001():
    q = {"HH": 1, "LH": 2, "LL": 3, "HL": 4}
    expect = {
        ("HH", "HH"): "0", ("HH", "LH"): "I", ("HH", "HL"): "II", ("HH", "LL"): "IIIa",
        ("LL", "HL"): "I", ("LL", "LH"): "II", ("LL", "HH"): "IIIa",
        ("HL", "LL"): "I", ("HL", "HH"): "II", ("HL", "LH"): "IIIb",
        ("LH", "HH"): "I", ("LH", "LL"): "II", ("LH", "HL"): "IIIb",
    }  # fmt: skip
    for (a, b), ty in expect.items():
        assert transition_type(q[a], q[b]) == ty, (a, b)


def _panel(rows):
    return pd.DataFrame(rows, columns=["unit", "period", "value"])


def test_coordinates_and_paths_by_hand():
    # 2020: 2 1 8 5 (z = (-2, -3, 4, 1)/sqrt(7.5)); 2021: the same values reversed
    v20, v21 = [2.0, 1.0, 8.0, 5.0], [5.0, 8.0, 1.0, 2.0]
    data = _panel([(u, p, v) for p, vals in ((2020, v20), (2021, v21))
                   for u, v in zip("ABCD", vals, strict=True)])  # fmt: skip
    res = estda(data, LINE)
    c = res.coordinates.set_index(["period", "unit"])
    s = np.sqrt(7.5)
    assert c.loc[(2020, "A"), "z"] == pytest.approx(-2 / s)
    assert c.loc[(2020, "A"), "lag"] == pytest.approx(-3 / s)  # A's only neighbour is B
    assert c.loc[(2020, "B"), "lag"] == pytest.approx((-2 + 4) / 2 / s)
    assert c.loc[(2020, "A"), "quadrant"] == "LL" and c.loc[(2021, "A"), "quadrant"] == "HH"
    p = res.paths.set_index("unit")
    a0 = np.array([-2, -3]) / s
    a1 = np.array([c.loc[(2021, "A"), "z"], c.loc[(2021, "A"), "lag"]])
    assert p.loc["A", "length"] == pytest.approx(np.hypot(*(a1 - a0)))
    assert p.loc["A", "tortuosity"] == pytest.approx(1.0)  # one step is a straight path
    assert res.paths["relative_length"].mean() == pytest.approx(1.0)
    t = res.transitions.set_index("unit")
    assert t.loc["A", "type"] == "IIIa" and t.loc["A", "type_zh"].startswith("类型IIIa")
    shares = res.type_shares().set_index("period_from").loc["all"]
    assert shares["n"] == 4
    assert shares[["type_0", "type_I", "type_II", "type_IIIa", "type_IIIb"]].sum() == 4
    assert int(res.transition_matrix().to_numpy().sum()) == 4


def test_winding_path_and_direction():
    rows = []
    vals = {2019: [1.0, 2, 3, 4], 2020: [4.0, 3, 2, 1], 2021: [1.0, 2, 3, 4]}
    for p, v in vals.items():
        rows += [(u, p, x) for u, x in zip("ABCD", v, strict=True)]
    res = estda(_panel(rows), LINE)
    assert res.paths["tortuosity"].isna().all()  # every path returns to its start
    assert any("end where they start" in n for n in res.notes)


def test_unbalanced_units_are_named():
    rows = [(u, 2020, v) for u, v in zip("ABCD", [1.0, 2, 3, 4], strict=True)]
    rows += [(u, 2021, v) for u, v in zip("ABC", [3.0, 1, 2], strict=True)]
    res = estda(_panel(rows), {"A": ["B"], "B": ["A", "C"], "C": ["B"], "D": ["C"]})
    assert "D" not in set(res.paths["unit"])
    assert any("D" in n for n in res.notes)


def test_needs_two_periods():
    with pytest.raises(DataError, match="two periods"):
        estda(_panel([(u, 2020, v) for u, v in zip("ABCD", [1.0, 2, 3, 4], strict=True)]), LINE)
