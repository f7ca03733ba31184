"""Tests of load_framework: YAML files, flat tables (CSV, xlsx), dicts, names, errors."""

from __future__ import annotations

import pandas as pd
import pytest

from nqpf.errors import FrameworkError
from nqpf.framework import Framework, framework_from_table, list_builtin, load_framework

YAML = """\
id: mini
name_zh: 迷你框架
name_en: Mini
version: "2"
unit_kind: province
dimensions:
  - id: labourers
    name_zh: 劳动者
    name_en: Labourers
    children:
      - id: quality
        name_zh: 劳动者素质
        name_en: Quality
        indicators:
          - id: edu_years
            name_zh: 人均受教育年限
            name_en: Years of schooling
            unit: 年
            direction: "+"
            weight: 0.4
          - id: rd_staff
            name_zh: 每万人研发人员
            name_en: R&D staff per 10k people
            unit: 人/万人
            direction: "+"
            weight: 0.6
            series: rd_personnel
            denominator: pop
      - id: productivity
        name_zh: 劳动效率
        name_en: Productivity
        indicators:
          - id: labour_prod
            name_zh: 劳动生产率
            name_en: Labour productivity
            unit: 元/人
            direction: "+"
            series: gdp
            denominator: employment
            scale: 10000
  - id: green
    name_zh: 绿色
    name_en: Green
    indicators:
      - id: energy_intensity
        name_zh: 单位GDP能耗
        name_en: Energy per GDP
        unit: 吨标准煤/万元
        direction: "-"
        series: energy
        denominator: gdp
      - id: forest
        name_zh: 森林覆盖率
        name_en: Forest cover
        unit: "%"
        direction: "+"
"""

# the same tree as a paper prints it: dimension and sub-dimension cells only on
# the first row of their group
TABLE = pd.DataFrame(
    {
        "dimension_id": ["labourers", "", "", "green", ""],
        "dimension": ["劳动者", "", "", "绿色", ""],
        "dimension_en": ["Labourers", "", "", "Green", ""],
        "subdimension_id": ["quality", "", "productivity", "", ""],
        "subdimension": ["劳动者素质", "", "劳动效率", "", ""],
        "subdimension_en": ["Quality", "", "Productivity", "", ""],
        "indicator": ["edu_years", "rd_staff", "labour_prod", "energy_intensity", "forest"],
        "name_zh": ["人均受教育年限", "每万人研发人员", "劳动生产率", "单位GDP能耗", "森林覆盖率"],
        "name_en": ["Years of schooling", "R&D staff per 10k people", "Labour productivity",
                    "Energy per GDP", "Forest cover"],
        "unit": ["年", "人/万人", "元/人", "吨标准煤/万元", "%"],
        "direction": ["+", "+", "+", "-", "+"],
        "weight": ["0.4", "0.6", "", "", ""],
        "series": ["", "rd_personnel", "gdp", "energy", ""],
        "denominator": ["", "pop", "employment", "gdp", ""],
        "scale": ["", "", "10000", "", ""],
    }
)
META = {"id": "mini", "name_zh": "迷你框架", "name_en": "Mini", "unit_kind": "province",
        "version": "2"}


@pytest.fixture()
def yaml_fw(tmp_path) -> Framework:
    p = tmp_path / "mini.yaml"
    p.write_text(YAML, encoding="utf-8")
    return load_framework(p)


def test_yaml_file_loads(yaml_fw):
    assert yaml_fw.id == "mini" and yaml_fw.version == "2"
    assert yaml_fw.indicator_ids == [
        "edu_years", "rd_staff", "labour_prod", "energy_intensity", "forest",
    ]
    assert yaml_fw.indicator("labour_prod").scale == 10000
    assert yaml_fw.path("rd_staff") == ["labourers", "quality"]


def test_csv_table_with_blank_group_cells_gives_the_same_tree(tmp_path, yaml_fw):
    p = tmp_path / "mini.csv"
    TABLE.to_csv(p, index=False, encoding="utf-8")
    fw = load_framework(p, **{k: v for k, v in META.items() if k != "id"})
    assert fw.id == "mini"  # from the file name
    assert fw == yaml_fw


def test_xlsx_table_with_chinese_headers_gives_the_same_tree(tmp_path, yaml_fw):
    zh = TABLE.rename(
        columns={
            "dimension_id": "维度编号", "dimension": "一级指标", "dimension_en": "维度英文名",
            "subdimension_id": "子维度编号", "subdimension": "二级指标",
            "subdimension_en": "子维度英文名", "indicator": "三级指标", "name_zh": "指标名称",
            "name_en": "英文名", "unit": "单位", "direction": "属性", "weight": "权重",
            "denominator": "分母",
        }
    )
    zh["属性"] = ["正向", "正向", "正向", "负向", "正向"]
    zh["说明"] = ["", "R&D人员全时当量/常住人口", "", "", ""]  # remark column: ignored
    # Excel leaves the merged cells empty (NaN), and stores weights as numbers
    zh = zh.replace("", None)
    zh["权重"] = [0.4, 0.6, None, None, None]
    p = tmp_path / "体系.xlsx"
    zh.to_excel(p, index=False)
    fw = load_framework(p, **META)
    assert fw == yaml_fw


def test_table_ids_from_names_when_no_id_column(tmp_path):
    df = pd.DataFrame(
        {
            "维度": ["Means of labour", "", "劳动对象", ""],
            "子维度": ["Digital infrastructure", "", "", ""],
            "指标": ["broadband", "研发投入强度（%）", "forest", "co2"],
            "中文名": ["宽带", "", "森林", "碳排放"],
            "方向": ["+", "+", "+", "-"],
        }
    )
    p = tmp_path / "t.csv"
    df.to_csv(p, index=False, encoding="gb18030")  # Chinese Windows encoding
    fw = load_framework(p)
    assert [n.id for n in fw.nodes] == ["means_of_labour", "digital_infrastructure", "劳动对象"]
    assert fw.node("means_of_labour").name_en == "Means of labour"
    assert fw.indicator_ids == ["broadband", "研发投入强度", "forest", "co2"]
    assert fw.indicator("研发投入强度").name_zh == "研发投入强度（%）"
    assert fw.indicator("co2").direction == -1
    assert fw.unit_kind == "any" and fw.id == "t"


def test_table_round_trip_through_to_table(tmp_path):
    fw = load_framework("nqpf-three-elements")
    p = tmp_path / "three.csv"
    fw.to_table().to_csv(p, index=False)
    again = load_framework(p, id=fw.id, name_zh=fw.name_zh, name_en=fw.name_en,
                           unit_kind=fw.unit_kind)
    # the flat table holds everything but the description and the bounds
    expected = fw.to_dict()
    expected.pop("description")
    for d in expected["dimensions"]:
        for n in d.get("children", [d]):
            for i in n["indicators"]:
                i.pop("bounds", None)
    assert again.to_dict() == expected


def test_table_direction_error_is_located(tmp_path):
    df = TABLE.copy()
    df.loc[4, "direction"] = "up"
    p = tmp_path / "bad.csv"
    df.to_csv(p, index=False)
    with pytest.raises(FrameworkError) as info:
        load_framework(p)
    assert str(info.value) == (
        "bad.csv: dimensions[green].indicators[forest].direction: unknown direction 'up' "
        "for indicator forest; use + (benefit) or - (cost)"
    )


def test_table_missing_direction_names_the_row():
    df = TABLE.copy()
    df.loc[2, "direction"] = ""
    with pytest.raises(FrameworkError, match="table, row 4: indicator 'labour_prod' has no dir"):
        framework_from_table(df)


def test_table_first_row_without_dimension():
    df = TABLE.copy()
    df.loc[0, ["dimension", "dimension_id"]] = ""
    with pytest.raises(FrameworkError, match="row 2: the dimension is empty"):
        framework_from_table(df)


def test_table_mixed_subdimension_rows():
    df = TABLE.drop(columns=["subdimension_id", "subdimension_en"]).copy()
    df["subdimension"] = ["", "", "劳动效率", "", ""]
    with pytest.raises(FrameworkError, match="rows without a sub-dimension \\(rows \\[2, 3\\]\\)"):
        framework_from_table(df)


def test_table_unknown_and_missing_columns():
    with pytest.raises(FrameworkError, match="unknown column\\(s\\) 'weigth' \\(did you mean"):
        framework_from_table(TABLE.rename(columns={"weight": "weigth"}))
    with pytest.raises(FrameworkError, match="needs column\\(s\\) \\['direction'\\]"):
        framework_from_table(TABLE.drop(columns="direction"))


def test_table_bad_number():
    df = TABLE.copy()
    df.loc[0, "weight"] = "abc"
    with pytest.raises(FrameworkError, match="row 2: weight 'abc' is not a number"):
        framework_from_table(df)


def test_malformed_yaml_gives_line(tmp_path):
    p = tmp_path / "broken.yaml"
    p.write_text("id: x\nname_zh: X\ndimensions:\n  - id: a\n   name_zh: A\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="broken.yaml, line 5, column 4: malformed YAML"):
        load_framework(p)


def test_bare_minus_direction_hint(tmp_path):
    p = tmp_path / "minus.yaml"
    p.write_text(YAML.replace('direction: "-"', "direction: -"), encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(p)
    msg = str(info.value)
    assert msg.startswith("minus.yaml, line 49, column 20: malformed YAML")
    assert 'quote it, direction: "-"' in msg


def test_yaml_validation_error_names_file(tmp_path):
    p = tmp_path / "nqpf-x.yaml"
    p.write_text(YAML.replace('direction: "-"', "direction: up"), encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(p)
    line = 1 + next(i for i, t in enumerate(p.read_text(encoding="utf-8").splitlines())
                    if "direction: up" in t)
    assert str(info.value).startswith(
        f"nqpf-x.yaml, line {line}: dimensions[green].indicators[energy_intensity].direction: "
        "unknown direction 'up'"
    )


def test_empty_yaml(tmp_path):
    p = tmp_path / "empty.yml"
    p.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="empty.yml: the file is empty"):
        load_framework(p)


def test_unknown_builtin_lists_builtins():
    with pytest.raises(FrameworkError) as info:
        load_framework("hqd-five-concept")
    msg = str(info.value)
    assert "unknown framework 'hqd-five-concept'" in msg
    assert "Did you mean 'hqd-five-concepts'?" in msg
    for name in list_builtin():
        assert name in msg


def test_missing_file_and_unsupported_inputs(tmp_path):
    with pytest.raises(FrameworkError, match="not found"):
        load_framework(tmp_path / "nope.yaml")
    (tmp_path / "old.xls").write_bytes(b"")
    with pytest.raises(FrameworkError, match="save it as .xlsx"):
        load_framework(tmp_path / "old.xls")
    with pytest.raises(FrameworkError, match="cannot load a framework from int"):
        load_framework(3)  # type: ignore[arg-type]


def test_dict_and_framework_inputs(yaml_fw):
    assert load_framework(yaml_fw) is yaml_fw
    assert load_framework(yaml_fw.to_dict()) == yaml_fw
    assert load_framework(yaml_fw.to_table(), **META) == yaml_fw


def test_official_flat_table_title_row_symbols_and_indicator_weights(tmp_path):
    """The usual official table: a title row, names with symbols, one 权重 per indicator."""
    import numpy as np

    from nqpf import Panel
    from nqpf.index import Recipe, build_index

    rows = [
        ["表1 新质生产力评价指标体系", "", "", "", ""],
        ["一级指标", "指标", "单位", "方向", "权重"],
        ["科技创新", "R&D经费投入强度(%)", "%", "正向", 0.3],
        ["", "发明专利授权量(件)", "件", "正向", 0.2],
        ["绿色发展", "单位GDP能耗(吨标准煤/万元)", "吨/万元", "负向", 0.5],
    ]
    path = tmp_path / "指标体系.xlsx"
    pd.DataFrame(rows).to_excel(path, header=False, index=False)
    fw = load_framework(path)
    inds = fw.indicators
    assert [i.series for i in inds] == ["R&D经费投入强度(%)", "发明专利授权量(件)",
                                        "单位GDP能耗(吨标准煤/万元)"]
    assert [i.name_zh for i in inds] == [i.series for i in inds]
    # data columns named as in the table match; expert weights as given, dimensions derived
    rng = np.random.default_rng(2)
    data = pd.DataFrame({"unit": list("ABCD") * 2, "period": [2020] * 4 + [2021] * 4})
    for i in inds:
        data[i.series] = rng.random(8) + 0.1
    panel = Panel.from_wide(data, unit="unit", period="period")
    res = build_index(panel, fw, Recipe(weights="expert"))
    w = res.weights.set_index("node")
    eff = w[w["level"] == "indicator"]["effective_weight"]
    np.testing.assert_allclose(eff.to_numpy(), [0.3, 0.2, 0.5], atol=1e-12)
    dims = w[w["level"] == "dimension"]["weight"]
    np.testing.assert_allclose(dims.to_numpy(), [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(
        w.loc[[i.id for i in inds[:2]], "weight"].to_numpy(), [0.6, 0.4], atol=1e-12)
