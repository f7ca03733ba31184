"""Tests of the framework models: directions, validation messages, look-ups, views."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from nqpf.errors import FrameworkError
from nqpf.framework import Framework, Indicator, parse_direction


def _base() -> dict:
    return {
        "id": "demo",
        "name_zh": "演示",
        "name_en": "Demo",
        "unit_kind": "province",
        "dimensions": [
            {
                "id": "labour",
                "name_zh": "劳动者",
                "name_en": "Labourers",
                "children": [
                    {
                        "id": "skills",
                        "name_zh": "素质",
                        "indicators": [
                            {"id": "edu_years", "name_zh": "受教育年限", "unit": "年",
                             "direction": "+"},
                            {"id": "rd_staff", "name_zh": "研发人员", "unit": "人/万人",
                             "direction": "正向", "series": "rd_personnel",
                             "denominator": "pop"},
                        ],
                    },
                    {
                        "id": "pay",
                        "name_zh": "收入",
                        "indicators": [
                            {"id": "wage", "name_zh": "工资", "unit": "元", "direction": 1},
                        ],
                    },
                ],
            },
            {
                "id": "green",
                "name_zh": "绿色",
                "name_en": "Green",
                "indicators": [
                    {"id": "energy", "name_zh": "能耗强度", "name_en": "Energy intensity",
                     "unit": "吨标准煤/万元", "direction": "cost",
                     "series": "energy_use", "denominator": "gdp"},
                    {"id": "forest", "name_zh": "森林覆盖率", "unit": "%", "direction": "+"},
                    {"id": "gdp_pc", "name_zh": "人均GDP", "unit": "ln(元)", "direction": "+",
                     "series": "gdp", "denominator": "pop", "scale": 1e4, "log": True},
                ],
            },
        ],
    }


def _error(data: dict, source: str = "nqpf-x.yaml") -> str:
    with pytest.raises(FrameworkError) as info:
        Framework.from_dict(data, source=source)
    return str(info.value)


# ---------------------------------------------------------------------- directions
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+", 1), ("-", -1), ("+1", 1), ("-1", -1), (1, 1), (-1, -1), (1.0, 1), ("1", 1),
        ("benefit", 1), ("cost", -1), ("Positive", 1), ("NEGATIVE", -1), ("正", 1), ("负", -1),
        ("正向", 1), ("逆向", -1), ("负向", -1), ("−", -1), ("＋", 1), (" + ", 1),
    ],
)
def test_parse_direction_accepts_documented_spellings(raw, expected):
    assert parse_direction(raw, "x") == expected


@pytest.mark.parametrize("raw", ["up", "", None, 0, 2, True, "++", "larger"])
def test_parse_direction_rejects_others(raw):
    with pytest.raises(ValueError, match="use \\+ \\(benefit\\) or - \\(cost\\)"):
        parse_direction(raw, "x")


def test_unknown_direction_message_names_file_and_place_by_ids():
    d = _base()
    d["dimensions"][0]["children"][0]["indicators"][1]["direction"] = "up"
    msg = _error(d)
    assert msg == (
        "nqpf-x.yaml: dimensions[labour].children[skills].indicators[rd_staff].direction: "
        "unknown direction 'up' for indicator rd_staff; use + (benefit) or - (cost)"
    )


# ---------------------------------------------------------------------- validation
def test_valid_framework_fills_defaults():
    fw = Framework.from_dict(_base())
    edu = fw.indicator("edu_years")
    assert edu.series == "edu_years" and edu.name_en == "edu_years"
    assert edu.scale == 1.0 and edu.log is False and edu.denominator is None
    assert fw.node("skills").name_en == "skills"
    assert fw.version == "1"
    assert [i.direction for i in fw.indicators] == [1, 1, 1, -1, 1, 1]


def test_duplicated_id_names_both_places():
    d = _base()
    d["dimensions"][1]["indicators"][1]["id"] = "wage"
    msg = _error(d)
    assert "duplicated id 'wage'" in msg
    assert "dimensions[labour].children[pay].indicators[wage]" in msg
    assert "dimensions[green].indicators[wage]" in msg


def test_duplicated_id_between_node_and_indicator():
    d = _base()
    d["dimensions"][1]["indicators"][0]["id"] = "skills"
    msg = _error(d)
    assert "'skills' at dimensions[labour].children[skills] and dimensions[green]" in msg


def test_node_with_both_children_and_indicators():
    d = _base()
    d["dimensions"][0]["indicators"] = [{"id": "q", "name_zh": "q", "direction": "+"}]
    msg = _error(d)
    assert msg.startswith("nqpf-x.yaml: dimensions[labour]: ")
    assert "both children and indicators" in msg


def test_node_with_neither():
    d = _base()
    d["dimensions"][1]["indicators"] = []
    assert "neither children nor indicators" in _error(d)


def test_missing_name_is_located():
    d = _base()
    del d["dimensions"][1]["indicators"][1]["name_zh"]
    assert _error(d) == (
        "nqpf-x.yaml: dimensions[green].indicators[forest].name_zh: missing (required)"
    )


def test_empty_name_is_an_error():
    d = _base()
    d["dimensions"][1]["name_zh"] = "  "
    assert "dimensions[green].name_zh: name_zh is empty" in _error(d)


@pytest.mark.parametrize("w", [0, -0.5])
def test_weight_must_be_positive(w):
    d = _base()
    for ind in d["dimensions"][1]["indicators"]:
        ind["weight"] = 1.0
    d["dimensions"][1]["indicators"][2]["weight"] = w
    msg = _error(d)
    assert "dimensions[green].indicators[gdp_pc].weight: weight must be positive" in msg


def test_weights_given_for_some_siblings_only():
    d = _base()
    d["dimensions"][0]["weight"] = 0.6
    msg = _error(d)
    assert "some siblings have weights (labour) and others not (green)" in msg


def test_deeper_nesting_is_an_error():
    d = _base()
    skills = d["dimensions"][0]["children"][0]
    d["dimensions"][0]["children"][0] = {
        "id": "outer", "name_zh": "外", "children": [skills]
    }
    assert "dimensions[labour].children[outer]: nesting deeper" in _error(d)


def test_unknown_field_suggests_the_right_one():
    d = _base()
    d["dimensions"][1]["indicators"][1]["wieght"] = 2
    msg = _error(d)
    assert "dimensions[green].indicators[forest].wieght: unknown field 'wieght'" in msg
    assert "did you mean 'weight'?" in msg


def test_several_problems_are_all_listed():
    d = _base()
    d["unit_kind"] = "city"
    d["dimensions"][1]["indicators"][0]["direction"] = "up"
    d["dimensions"][1]["indicators"][1]["scale"] = -1
    msg = _error(d)
    assert msg.startswith("nqpf-x.yaml: 3 problems in the framework:")
    assert "unit_kind: unknown unit_kind 'city'" in msg
    assert "dimensions[green].indicators[energy].direction: unknown direction 'up'" in msg
    assert "dimensions[green].indicators[forest].scale: scale must be a positive number" in msg


def test_indicator_id_must_be_identifier_like():
    d = _base()
    d["dimensions"][1]["indicators"][1]["id"] = "forest-cover"
    msg = _error(d)
    assert "not identifier-like" in msg and "'forest_cover'" in msg


def test_bounds_order_checked():
    d = _base()
    d["dimensions"][1]["indicators"][1]["bounds"] = [100, 0]
    assert "lo < hi" in _error(d)


def test_not_a_mapping():
    with pytest.raises(FrameworkError, match="expected a mapping"):
        Framework.from_dict([1, 2], source="f.yaml")


def test_models_are_frozen():
    fw = Framework.from_dict(_base())
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        fw.id = "other"


# ---------------------------------------------------------------------- bounds
@pytest.mark.parametrize(
    "unit, log, bounds, expected",
    [
        ("%", False, None, (0.0, 100.0)),
        ("万人", False, None, (0.0, None)),
        ("件/万人", False, None, (0.0, None)),
        ("吨标准煤/万元", False, None, (0.0, None)),
        ("亿元", False, None, (0.0, None)),
        ("persons", False, None, (0.0, None)),
        ("mil. 2011 US$", False, None, (0.0, None)),
        ("index", False, None, (None, None)),
        ("", False, None, (None, None)),
        ("元", True, None, (None, None)),
        ("%", False, (0.0, None), (0.0, None)),
        ("%", False, (None, 5.0), (None, 5.0)),
    ],
)
def test_effective_bounds_rule(unit, log, bounds, expected):
    ind = Indicator(id="x", name_zh="x", unit=unit, direction="+", log=log, bounds=bounds)
    assert ind.effective_bounds == expected


# ---------------------------------------------------------------------- look-ups
def test_lookups():
    fw = Framework.from_dict(_base())
    assert fw.indicator_ids == ["edu_years", "rd_staff", "wage", "energy", "forest", "gdp_pc"]
    assert [n.id for n in fw.nodes] == ["labour", "skills", "pay", "green"]
    assert fw.path("rd_staff") == ["labour", "skills"]
    assert fw.path("forest") == ["green"]
    assert fw.leaves_of("labour") == ["edu_years", "rd_staff", "wage"]
    assert fw.leaves_of("pay") == ["wage"]
    assert fw.leaves_of("demo") == fw.indicator_ids
    assert fw.leaves_of("forest") == ["forest"]
    assert fw.required_series() == [
        "edu_years", "rd_personnel", "pop", "wage", "energy_use", "gdp", "forest",
    ]
    assert fw.indicator("gdp_pc").formula() == "ln(gdp / pop * 10000)"
    with pytest.raises(FrameworkError, match="Did you mean 'forest'"):
        fw.indicator("forrest")
    with pytest.raises(FrameworkError, match="unknown indicator"):
        fw.path("nope")
    with pytest.raises(FrameworkError, match="unknown node"):
        fw.leaves_of("nope")


def test_tree_frame():
    fw = Framework.from_dict(_base())
    tf = fw.tree_frame("en")
    assert list(tf.columns[:7]) == [
        "dimension", "subdimension", "indicator", "name", "unit", "direction", "weight",
    ]
    assert tf["indicator"].tolist() == fw.indicator_ids
    assert tf["direction"].tolist() == ["+", "+", "+", "-", "+", "+"]
    assert tf["dimension"].tolist() == ["labour"] * 3 + ["green"] * 3
    assert tf["subdimension"].tolist()[:3] == ["skills", "skills", "pay"]
    assert pd.isna(tf["subdimension"].iloc[4])
    assert tf.loc[3, "name"] == "Energy intensity"
    assert fw.tree_frame("zh").loc[3, "name"] == "能耗强度"
    assert tf["weight"].isna().all()
    with pytest.raises(FrameworkError, match="unknown language"):
        fw.tree_frame("fr")


def test_render_tree():
    fw = Framework.from_dict(_base())
    zh = fw.render_tree("zh")
    lines = zh.splitlines()
    assert lines[0] == "演示 [demo]"
    assert lines[1] == "├── 劳动者 [labour]"
    assert lines[2] == "│   ├── 素质 [skills]"
    assert lines[3] == "│   │   ├── + 受教育年限 [edu_years] (年)"
    assert "    ├── - 能耗强度 [energy] (吨标准煤/万元)" in lines
    assert lines[-1] == "    └── + 人均GDP [gdp_pc] (ln(元))"
    en = fw.render_tree("en")
    assert en.splitlines()[0] == "Demo [demo]" and "- Energy intensity [energy]" in en


def test_round_trip_through_dict_and_yaml(tmp_path):
    d = _base()
    d["dimensions"][1]["indicators"][1]["bounds"] = [0, None]
    fw = Framework.from_dict(d)
    again = Framework.from_dict(fw.to_dict())
    assert again == fw
    out = tmp_path / "fw.yaml"
    text = fw.to_yaml(out)
    assert out.read_text(encoding="utf-8") == text
    assert "direction: '-'" in text
    with pytest.raises(FrameworkError, match="overwrite=True"):
        fw.to_yaml(out)
    fw.to_yaml(out, overwrite=True)


def test_caller_dict_is_not_changed():
    d = _base()
    before = copy.deepcopy(d)
    Framework.from_dict(d)
    assert d == before
