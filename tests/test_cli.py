"""End-to-end tests of the ``nqpf`` command: validate, framework, units, convert, impute, index.

Commands run in this process through :func:`nqpf.cli.main` (fast); one test runs the
command in a subprocess to check what a user sees on an error, with and without
``--debug``. The index on the bundled demo data (the slow part, about 6 s: it writes
two large workbooks) runs once per module.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from clitools import flat, run
from nqpf.datasets import demo_data_path
from nqpf.panel.io import read_panel

# ---------------------------------------------------------------------- helpers






def table_rows(text: str) -> list[list[str]]:
    """The body rows of the rich tables printed in ``text``, as lists of cell texts."""
    return [
        [c.strip() for c in line.split("│")[1:-1]]
        for line in text.splitlines()
        if line.startswith("│")
    ]


TINY_FW = """\
id: tiny
name_zh: 小框架
name_en: Tiny
unit_kind: province
dimensions:
  - id: people
    name_zh: 人员
    name_en: People
    indicators:
      - id: staff
        name_zh: 研发人员
        name_en: R&D staff
        unit: 人
        direction: "+"
      - id: output
        name_zh: 产出
        name_en: Output
        unit: 亿元
        direction: "+"
"""

# five indicators in two dimensions; 甘肃 is not the worst on every indicator of a
# dimension, so no dimension score is 0 (geometric aggregation needs positive values)
MINI_FW = """\
id: mini
name_zh: 迷你框架
name_en: Mini framework
unit_kind: province
dimensions:
  - id: innovation
    name_zh: 创新
    name_en: Innovation
    indicators:
      - {id: rd, name_zh: 研发强度, name_en: R&D intensity, unit: "%", direction: "+"}
      - {id: patents, name_zh: 专利, name_en: Patents, unit: 件, direction: "+"}
      - {id: energy, name_zh: 能耗, name_en: Energy use, unit: 吨标准煤/万元, direction: "-"}
  - id: openness
    name_zh: 开放
    name_en: Openness
    indicators:
      - {id: exports, name_zh: 出口, name_en: Exports, unit: 亿元, direction: "+"}
      - {id: fdi, name_zh: 外资, name_en: FDI, unit: 亿元, direction: "+"}
"""
MINI_DATA = """\
地区,年份,rd,patents,energy,exports,fdi
北京,2020,6.4,160,0.20,4600,140
北京,2021,6.5,200,0.19,6100,155
上海,2020,4.2,140,0.35,13700,200
上海,2021,4.1,180,0.33,15700,225
广东,2020,3.1,700,0.30,43500,230
广东,2021,3.2,870,0.29,50500,185
甘肃,2020,1.2,8,0.15,80,260
甘肃,2021,1.3,10,0.14,90,250
"""
MINI_PROVINCE = {"北京": "CN-BJ", "上海": "CN-SH", "广东": "CN-GD", "甘肃": "CN-GS"}


def mini_z() -> pd.DataFrame:
    """Min-max over the pooled panel by hand: (x - min)/(max - min), (max - x)/(...) for -."""
    x = pd.read_csv(io.StringIO(MINI_DATA))
    x["unit"] = x["地区"].map(MINI_PROVINCE)
    x = x.rename(columns={"年份": "period"}).set_index(["unit", "period"]).drop(columns="地区")
    z = (x - x.min()) / (x.max() - x.min())
    z["energy"] = 1.0 - z["energy"]
    return z


@pytest.fixture
def tiny_fw(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.yaml"
    p.write_text(TINY_FW, encoding="utf-8")
    return p


@pytest.fixture
def mini(tmp_path: Path) -> tuple[Path, Path]:
    fw = tmp_path / "mini.yaml"
    fw.write_text(MINI_FW, encoding="utf-8")
    data = tmp_path / "mini.csv"
    data.write_text(MINI_DATA, encoding="utf-8")
    return fw, data


# ---------------------------------------------------------------------- validate
BAD_CSV = """\
province,year,staff,output
北京,2020,100,5
北京,2021,abc,6
上海,2020,-5,7
上海,2021,120,—
天津,2020,90,3
天津,2020,95,4
"""
CLEAN_CSV = """\
province,year,staff,output
北京,2020,100,5.5
北京,2021,110,6.0
上海,2020,80,7.1
上海,2021,90,7.4
天津,2020,60,3.2
天津,2021,65,3.3
"""


def test_validate_names_unit_period_indicator(tmp_path, tiny_fw):
    data = tmp_path / "bad.csv"
    data.write_text(BAD_CSV, encoding="utf-8")
    findings = tmp_path / "findings.csv"
    rc, stdout, stderr = run("validate", data, "-f", tiny_fw, "--out", findings)
    assert rc == 1, stderr
    assert "4 error(s)" in stdout
    assert "Traceback" not in stderr
    f = pd.read_csv(findings)
    err = f[f["severity"] == "error"]
    assert sorted(err["check"]) == [
        "duplicate key", "duplicate key", "non-numeric", "out of bounds"
    ]

    dup = err[(err["check"] == "duplicate key") & (err["indicator"] == "staff")].iloc[0]
    assert (dup["unit"], dup["period"]) == ("CN-TJ", 2020)
    assert "rows 6, 7" in dup["message"] and "values 90, 95" in dup["message"]

    nn = err[err["check"] == "non-numeric"].iloc[0]
    assert (nn["unit"], nn["period"], nn["indicator"]) == ("CN-BJ", 2021, "staff")
    assert "'abc'" in nn["message"] and "row 3" in nn["message"]

    ob = err[err["check"] == "out of bounds"].iloc[0]
    assert (ob["unit"], ob["period"], ob["indicator"], ob["value"]) == ("CN-SH", 2020, "staff", -5)
    assert "lower bound 0" in ob["message"] and "人" in ob["message"]

    # the yearbook token is a missing value, counted, not an error
    conv = f[f["check"] == "conversion"]
    assert len(conv) == 1 and conv["severity"].item() == "info"
    assert "'—'" in conv["message"].item() and conv["value"].item() == 1
    # the printed findings name the same places
    shown = flat(stdout)
    assert "The cell 'abc' at row 3, unit 'CN-BJ', period 2021, indicator 'staff'" in shown
    assert "unit 'CN-SH', period 2020, indicator 'staff' is below the lower bound 0" in shown


def test_validate_unknown_unit_suggests(tmp_path, tiny_fw):
    data = tmp_path / "unknown.csv"
    data.write_text("province,year,staff,output\n北京,2020,100,5\n湖bei,2020,100,5\n", "utf-8")
    rc, stdout, stderr = run("validate", data, "-f", tiny_fw)
    assert rc == 2
    msg = flat(stderr)
    assert "unknown.csv" in msg and "'湖bei'" in msg
    assert "did you mean 湖北 (CN-HB)" in msg
    assert "row 3" in msg
    assert "Traceback" not in stderr


def test_validate_clean_file_and_findings_workbook(tmp_path, tiny_fw):
    data = tmp_path / "clean.csv"
    data.write_text(CLEAN_CSV, encoding="utf-8")
    book = tmp_path / "findings.xlsx"
    rc, stdout, _ = run("validate", data, "-f", tiny_fw, "--out", book)
    assert rc == 0
    assert "no errors" in stdout and f": {book}" in flat(stdout)
    wb = openpyxl.load_workbook(book, read_only=True)
    assert "findings" in wb.sheetnames
    wb.close()
    before = book.read_bytes()

    rc, _, stderr = run("validate", data, "-f", tiny_fw, "--out", book)
    assert rc == 2
    assert "--force" in stderr and "findings.xlsx" in stderr
    assert book.read_bytes() == before

    rc, _, _ = run("validate", data, "-f", tiny_fw, "--out", book, "--force")
    assert rc == 0 and book.exists()


# ---------------------------------------------------------------------- framework
def test_framework_list():
    rc, stdout, _ = run("framework", "list")
    assert rc == 0
    rows = {r[0]: r for r in table_rows(stdout)}
    assert set(rows) == {"hqd-five-concepts", "nqpf-countries", "nqpf-three-elements", "pwt-demo"}
    assert rows["pwt-demo"][-1] == "9"  # nine indicators
    assert rows["hqd-five-concepts"][1].startswith("经济高质量发展")


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("en", ["Labourers", "Human capital index [human_capital]", "Means of labour"]),
        ("zh", ["劳动者 [labourers]", "人力资本指数 [human_capital]", "劳动资料"]),
    ],
)
def test_framework_show(lang, names):
    rc, stdout, _ = run("framework", "show", "pwt-demo", "--lang", lang)
    assert rc == 0
    for name in names:
        assert name in stdout
    assert "[pwt-demo]" in stdout.splitlines()[0]


def test_framework_check_bad_direction(tmp_path):
    bad = tmp_path / "bad_fw.yaml"
    bad.write_text(TINY_FW.replace('direction: "+"', 'direction: "up"', 1), encoding="utf-8")
    rc, stdout, stderr = run("framework", "check", bad)
    assert rc == 2
    msg = flat(stderr)
    assert "bad_fw.yaml" in msg
    assert "direction" in msg and "'up'" in msg and "staff" in msg
    assert "Traceback" not in stderr and "OK" not in stdout


def test_framework_check_flat_table_and_data(tmp_path):
    table = tmp_path / "flat.csv"
    table.write_text(
        "dimension,indicator,name_zh,name_en,unit,direction,weight\n"
        "人员,staff,研发人员,R&D staff,人,+,0.5\n"
        "人员,output,产出,Output,亿元,-,0.5\n",
        encoding="utf-8",
    )
    data = tmp_path / "clean.csv"
    data.write_text(CLEAN_CSV, encoding="utf-8")
    rc, stdout, stderr = run("framework", "check", table, "--data", data)
    assert rc == 0, stderr
    assert "1 dimensions, 2 indicators" in stdout
    assert "holds all 2 series" in stdout
    rc, stdout, _ = run("framework", "show", table, "--lang", "en")
    assert rc == 0
    assert "+ R&D staff [staff] (人)" in stdout and "- Output [output] (亿元)" in stdout

    partial = tmp_path / "partial.csv"
    partial.write_text("province,year,staff\n北京,2020,100\n", encoding="utf-8")
    rc, stdout, stderr = run("framework", "check", table, "--data", partial)
    assert rc == 2
    assert "partial.csv" in stderr and "'output'" in stderr


def test_framework_check_missing_file(tmp_path):
    rc, _, stderr = run("framework", "check", tmp_path / "nope.yaml")
    assert rc == 2
    assert "nope.yaml" in stderr and "Traceback" not in stderr


# ---------------------------------------------------------------------- units
def test_units_resolve_to_one_province():
    names = ["北京", "北   京", "BJ", "110000", "CN-BJ", "上海市"]
    rc, stdout, _ = run("units", *names)
    assert rc == 0
    rows = table_rows(stdout)
    assert [r[0] for r in rows] == names
    assert [r[1] for r in rows] == ["CN-BJ"] * 5 + ["CN-SH"]
    assert [r[2] for r in rows] == ["北京"] * 5 + ["上海"]
    rc, stdout, _ = run("units", "BJ", "--lang", "en")
    assert table_rows(stdout) == [["BJ", "CN-BJ", "Beijing"]]


def test_units_unknown_name_suggests():
    rc, stdout, stderr = run("units", "北京", "Beijng")
    assert rc == 2
    assert "did you mean Beijing (CN-BJ)" in flat(stderr)
    assert "'Beijng'" in stderr


def test_units_name_with_brackets_is_shown_literally():
    # rich would read "[/b]" as a closing markup tag; the message must print it as text
    rc, _, stderr = run("units", "[/b]")
    assert rc == 2
    assert "unknown unit '[/b]'" in stderr
    assert "Traceback" not in stderr and "internal error" not in stderr


# ---------------------------------------------------------------------- convert
GBK_LONG = (
    "地区,年份,指标,数值\n"
    "北京市,2020,人口,2189.3\n北京市,2021,人口,2188.6\n"
    "上海市,2020,人口,2488.4\n上海市,2021,人口,2489.4\n"
    "北京市,2020,GDP,36102.6\n北京市,2021,GDP,40269.6\n"
    "上海市,2020,GDP,38700.6\n上海市,2021,GDP,43214.9\n"
)
GBK_VALUES = {  # (unit, period, indicator) -> value, as written above
    ("CN-BJ", 2020, "人口"): 2189.3,
    ("CN-BJ", 2021, "人口"): 2188.6,
    ("CN-SH", 2020, "人口"): 2488.4,
    ("CN-SH", 2021, "人口"): 2489.4,
    ("CN-BJ", 2020, "GDP"): 36102.6,
    ("CN-BJ", 2021, "GDP"): 40269.6,
    ("CN-SH", 2020, "GDP"): 38700.6,
    ("CN-SH", 2021, "GDP"): 43214.9,
}


def _as_dict(panel) -> dict[tuple[str, int, str], float]:
    long = panel.to_long()
    return {
        (u, int(t), i): float(v)
        for u, t, i, v in zip(
            long["unit"], long["period"], long["indicator"], long["value"], strict=True
        )
    }


def test_convert_gbk_to_stata_and_excel_and_back(tmp_path):
    src = tmp_path / "gbk.csv"
    src.write_bytes(GBK_LONG.encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        src.read_bytes().decode("utf-8")  # really GBK
    for ext in ("dta", "xlsx"):
        dest = tmp_path / f"panel.{ext}"
        rc, stdout, stderr = run("convert", src, "--out", dest)
        assert rc == 0, stderr
        assert "2 units × 2 periods" in stdout and "Written to" in stdout
        back = read_panel(dest)
        assert back.units == ("CN-BJ", "CN-SH")
        assert back.periods == (2020, 2021)
        assert set(back.indicators) == {"人口", "GDP"}
        assert _as_dict(back) == pytest.approx(GBK_VALUES)
    # and back again: Stata → long CSV
    again = tmp_path / "again.csv"
    rc, _, _ = run("convert", tmp_path / "panel.dta", "--out", again, "--to", "long")
    assert rc == 0
    assert _as_dict(read_panel(again)) == pytest.approx(GBK_VALUES)


def test_convert_refuses_to_overwrite(tmp_path):
    src = tmp_path / "gbk.csv"
    src.write_bytes(GBK_LONG.encode("gbk"))
    dest = tmp_path / "panel.xlsx"
    dest.write_bytes(b"the user's own file")
    rc, _, stderr = run("convert", src, "--out", dest)
    assert rc == 2
    assert "panel.xlsx" in stderr and "--force" in stderr
    assert dest.read_bytes() == b"the user's own file"
    rc, _, _ = run("convert", src, "--out", dest, "--force")
    assert rc == 0
    assert _as_dict(read_panel(dest)) == pytest.approx(GBK_VALUES)


def test_convert_duplicates_option(tmp_path):
    src = tmp_path / "dup.csv"
    src.write_text("province,year,gdp\n天津,2020,90\n天津,2020,96\n北京,2020,10\n", "utf-8")
    rc, _, stderr = run("convert", src, "--out", tmp_path / "a.csv")
    assert rc == 2 and "--duplicates" in flat(stderr)
    rc, _, stderr = run("convert", src, "--out", tmp_path / "b.csv", "--duplicates", "mean")
    assert rc == 0, stderr
    assert _as_dict(read_panel(tmp_path / "b.csv"))[("CN-TJ", 2020, "gdp")] == 93.0


# ---------------------------------------------------------------------- impute
def test_impute_linear(tmp_path):
    src = tmp_path / "gap.csv"
    # periods 2018, 2019, 2021: interpolation runs on the year, not the position
    src.write_text(
        "province,year,gdp,pop\n"
        "北京,2018,10,1\n北京,2019,,2\n北京,2021,40,4\n"
        "上海,2018,5,\n上海,2019,6,3\n上海,2021,8,7\n",
        encoding="utf-8",
    )
    dest = tmp_path / "filled.csv"
    rc, stdout, stderr = run("impute", src, "--method", "linear", "--out", dest)
    assert rc == 0, stderr
    # 上海 pop 2018 lies before the first observation: linear fills interior gaps only
    assert "1 cells imputed by linear; 1 cells still missing" in stdout
    out = pd.read_csv(dest, encoding="utf-8-sig")
    assert list(out.columns) == ["unit", "period", "indicator", "value", "imputed"]
    key = out.set_index(["unit", "period", "indicator"])
    # 10 + (40 - 10) × (2019 - 2018) / (2021 - 2018) = 20
    assert key.loc[("CN-BJ", 2019, "gdp"), "value"] == pytest.approx(20.0)
    assert bool(key.loc[("CN-BJ", 2019, "gdp"), "imputed"]) is True
    assert int(out["imputed"].astype(bool).sum()) == 1
    assert key.loc[("CN-BJ", 2021, "gdp"), "value"] == 40.0
    assert bool(key.loc[("CN-BJ", 2021, "gdp"), "imputed"]) is False

    rc, _, stderr = run("impute", src, "--method", "linear", "--out", dest)
    assert rc == 2 and "--force" in stderr


# ---------------------------------------------------------------------- index
@pytest.fixture(scope="module")
def demo_index(tmp_path_factory):
    out = tmp_path_factory.mktemp("index") / "critic-topsis"
    rc, stdout, stderr = run(
        "index", demo_data_path(), "-f", "pwt-demo", "--out", out,
        "--unit", "isocode", "--period", "year", "--impute", "linear",
        "--weights", "critic", "--aggregate", "topsis", "--explain", "--audit",
    )  # fmt: skip
    assert rc == 0, stderr
    return out, stdout, stderr


def test_index_on_demo_data(demo_index):
    out, stdout, stderr = demo_index
    files = {p.name for p in out.iterdir()}
    assert {"scores.csv", "weights.csv", "index.xlsx", "recipe.json"} <= files
    assert {"explain.xlsx", "audit.xlsx"} <= files
    assert "recipe: minmax (pooled) · critic weights · topsis · flat" in flat(stderr)

    sc = pd.read_csv(out / "scores.csv")
    assert list(sc.columns) == ["unit", "period", "node", "score", "rank", "level"]
    assert set(sc["node"]) == {"index", "labourers", "means_of_labour", "objects_of_labour"}
    idx = sc[sc["node"] == "index"]
    assert idx["score"].notna().sum() > 1000
    assert idx["score"].dropna().between(0.0, 1.0).all()  # TOPSIS closeness
    for _period, g in idx.dropna(subset=["score"]).groupby("period"):
        assert g["rank"].min() == 1 and g["rank"].max() <= len(g)

    w = pd.read_csv(out / "weights.csv")
    assert list(w.columns[:3]) == ["parent", "node", "weight"]
    for _parent, g in w.groupby("parent"):
        assert g["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    recipe = json.loads((out / "recipe.json").read_text("utf-8"))
    assert recipe["recipe"]["weights"] == "critic"
    assert recipe["recipe"]["aggregate"] == "topsis"

    for name in ("explain.xlsx", "audit.xlsx"):
        wb = openpyxl.load_workbook(out / name, read_only=True)
        assert len(wb.sheetnames) >= 2, name
        wb.close()
    # the printed ranking: the last year, Chinese labels by default
    last = idx[idx["period"] == idx["period"].max()].sort_values("rank")
    top = last.iloc[0]
    assert "国家层面新质生产力演示框架(PWT 9.1), 2017" in flat(stdout)
    assert top["unit"] in stdout


def test_index_bad_weights_lists_valid_names(tmp_path, mini):
    fw, data = mini
    rc, _, stderr = run("index", data, "-f", fw, "--out", tmp_path / "o", "--weights", "bogus")
    assert rc == 2
    msg = flat(stderr)
    assert "'bogus'" in msg
    for name in ("equal", "expert", "entropy", "critic", "cv", "pca", "ahp"):
        assert name in msg
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("shift", ["add:x", "rescale:1", "scale:1,2", "affine:0.996"])
def test_index_shift_parse_errors(tmp_path, mini, shift):
    fw, data = mini
    rc, _, stderr = run("index", data, "-f", fw, "--out", tmp_path / "o", "--shift", shift)
    assert rc == 2
    assert "--shift" in stderr and repr(shift) in stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    assert not (tmp_path / "o").exists()


def test_parse_shift_and_levels():
    from nqpf.cli.index import parse_levels, parse_shift

    assert parse_shift("add:0.0001") == ("add", 0.0001)
    assert parse_shift("affine:0.996,0.002") == ("affine", 0.996, 0.002)
    assert parse_shift("rescale:0.002, 0.998") == ("rescale", 0.002, 0.998)
    assert parse_levels(["index:aggregate=geometric", "dimension:weights=equal"]) == {
        "index": {"aggregate": "geometric"},
        "dimension": {"weights": "equal"},
    }


def test_index_bad_level_is_a_usage_error(tmp_path, mini):
    fw, data = mini
    rc, _, stderr = run("index", data, "-f", fw, "--out", tmp_path / "o", "--level", "index")
    assert rc == 2
    assert "LEVEL:SETTING=METHOD" in stderr


def test_index_recipe_file_equal_weights(tmp_path, mini):
    fw, data = mini
    recipe = tmp_path / "r.yaml"
    recipe.write_text("weights: equal\naggregate: sum\n", encoding="utf-8")
    out = tmp_path / "o"
    rc, stdout, stderr = run("index", data, "-f", fw, "--out", out, "--recipe", recipe)
    assert rc == 0, stderr
    w = pd.read_csv(out / "weights.csv")
    local = w.set_index("node")["weight"]
    assert local[["rd", "patents", "energy"]].tolist() == pytest.approx([1 / 3] * 3)
    assert local[["exports", "fdi"]].tolist() == pytest.approx([1 / 2] * 2)
    # flat structure: every indicator weighs 1/5, a dimension the share of its indicators
    assert local[["innovation", "openness"]].tolist() == pytest.approx([3 / 5, 2 / 5])
    ind = w[w["level"] == "indicator"].set_index("node")["effective_weight"]
    assert ind.tolist() == pytest.approx([1 / 5] * 5)
    # index = mean of the five pooled min-max scores, by hand
    sc = pd.read_csv(out / "scores.csv").set_index(["unit", "period", "node"])["score"]
    z = mini_z()
    for (unit, period), row in z.iterrows():
        assert sc[(unit, period, "index")] == pytest.approx(row.mean(), abs=1e-12)
        inno = row[["rd", "patents", "energy"]].mean()
        assert sc[(unit, period, "innovation")] == pytest.approx(inno, abs=1e-12)
    # 北京 2020 by hand: rd, patents, energy (a cost), exports, fdi (北京 2020 is the minimum)
    bj = np.mean([5.2 / 5.3, 152 / 862, (0.35 - 0.20) / (0.35 - 0.14), 4520 / 50420, 0.0])
    assert sc[("CN-BJ", 2020, "index")] == pytest.approx(bj, abs=1e-12)
    # options on the command line override the recipe file
    out2 = tmp_path / "o2"
    rc, _, stderr = run(
        "index", data, "-f", fw, "--out", out2, "--recipe", recipe, "--weights", "entropy"
    )
    assert rc == 0
    assert json.loads((out2 / "recipe.json").read_text("utf-8"))["recipe"]["weights"] == "entropy"


def test_index_bad_recipe_file(tmp_path, mini):
    fw, data = mini
    recipe = tmp_path / "r.yaml"
    recipe.write_text("wieghts: equal\n", encoding="utf-8")
    rc, _, stderr = run("index", data, "-f", fw, "--out", tmp_path / "o", "--recipe", recipe)
    assert rc == 2
    assert "wieghts" in stderr


def test_index_hierarchical_geometric_top_level(tmp_path, mini):
    fw, data = mini
    out = tmp_path / "o"
    rc, _, stderr = run(
        "index", data, "-f", fw, "--out", out,
        "--structure", "hierarchical", "--level", "index:aggregate=geometric",
    )  # fmt: skip
    assert rc == 0, stderr
    recipe = json.loads((out / "recipe.json").read_text("utf-8"))["recipe"]
    assert recipe["structure"] == "hierarchical"
    assert recipe["levels"] == {"index": {"aggregate": "geometric"}}
    w = pd.read_csv(out / "weights.csv")
    wd = w[w["parent"] == "index"].set_index("node")["weight"]
    assert wd.sum() == pytest.approx(1.0)
    sc = pd.read_csv(out / "scores.csv").pivot_table(
        index=["unit", "period"], columns="node", values="score"
    )
    # index = Π d_k^{w_k}: weighted geometric mean of the dimension scores
    hand = np.exp((np.log(sc[wd.index]) * wd).sum(axis=1))
    assert np.allclose(sc["index"], hand, atol=1e-12)
    # dimensions still aggregate by the weighted sum of their indicators
    wi = w[w["parent"] == "openness"].set_index("node")["weight"]
    z = mini_z()
    hand_open = (z[wi.index] * wi).sum(axis=1)
    assert np.allclose(sc["openness"].loc[hand_open.index], hand_open, atol=1e-12)


def test_index_existing_output_folder(tmp_path, mini):
    fw, data = mini
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    rc, _, stderr = run("index", data, "-f", fw, "--out", out)
    assert rc == 2
    assert "--force" in stderr and "not empty" in stderr
    assert {p.name for p in out.iterdir()} == {"notes.txt"}
    rc, stdout, stderr = run("index", data, "-f", fw, "--out", out, "--force")
    assert rc == 0, stderr
    assert (out / "scores.csv").exists() and (out / "notes.txt").read_text("utf-8") == "mine"
    assert "迷你框架, 2021" in flat(stdout)


# ---------------------------------------------------------------------- bad input
@pytest.fixture
def broken(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    ok = tmp_path / "ok.xlsx"
    pd.DataFrame({"province": ["北京"], "year": [2020], "gdp": [1.0]}).to_excel(ok, index=False)
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(ok.read_bytes()[:2000])
    return {"empty": empty, "truncated": truncated, "missing": tmp_path / "missing.csv"}


@pytest.mark.parametrize("kind", ["empty", "truncated", "missing"])
@pytest.mark.parametrize("command", ["convert", "validate", "index", "impute"])
def test_bad_input_files(tmp_path, broken, kind, command, mini):
    path = broken[kind]
    args = {
        "convert": ["convert", path, "--out", tmp_path / "x.csv"],
        "validate": ["validate", path],
        "index": ["index", path, "-f", mini[0], "--out", tmp_path / "o"],
        "impute": ["impute", path, "--method", "linear", "--out", tmp_path / "x.csv"],
    }[command]
    rc, stdout, stderr = run(*args)
    assert rc == 2
    assert path.name in stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["bogus"], "No such command 'bogus'"),
        (["index", "data.csv"], "Missing option '--framework'"),
        (["units", "BJ", "--kind-of", "x"], "No such option"),
    ],
)
def test_usage_errors_exit_2(args, phrase):
    rc, _, stderr = run(*args)
    assert rc == 2
    assert phrase in stderr
    assert "internal error" not in stderr


def test_version():
    rc, stdout, _ = run("--version")
    assert rc == 0
    assert stdout.startswith("nqpf ")


def test_subprocess_error_without_and_with_debug(tmp_path):
    """What a user sees: one message and status 2; --debug adds the traceback."""
    code = "import sys; from nqpf.cli import main; sys.exit(main(sys.argv[1:]))"
    cmd = [sys.executable, "-c", code]
    args = ["convert", "missing.csv", "--out", "x.csv"]
    p = subprocess.run(cmd + args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    assert "missing.csv" in p.stderr and "file not found" in p.stderr
    assert "Traceback" not in p.stderr
    p = subprocess.run(
        cmd + ["--debug", *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 2
    assert "Traceback (most recent call last)" in p.stderr
    assert "DataError" in p.stderr and "missing.csv" in p.stderr
    assert not (tmp_path / "x.csv").exists()


# ---------------------------------------------------------------------- bad input catalogue
CAT_FW = "dimension,indicator,direction\nA,x1,+\nA,x2,+\nB,x3,-\n"


def _cat(tmp_path, body: str) -> tuple[Path, Path]:
    data = tmp_path / "d.csv"
    data.write_text("province,year,x1,x2,x3\n" + body, "utf-8")
    fw = tmp_path / "fw.csv"
    fw.write_text(CAT_FW, "utf-8")
    return data, fw


_ROWS = "".join(f"{p},{y},{i + y - 2014},{i * 2 + 1},{y - 2013 + i % 3}\n"
                for i, p in enumerate(["北京", "天津", "河北", "山西"]) for y in (2015, 2016))


def test_index_trailing_comma_shifts_nothing(tmp_path):
    data, fw = _cat(tmp_path, _ROWS.replace("\n", ",\n", 1))  # a comma after the first row
    rc, stdout, stderr = run("index", data, "-f", fw, "--out", tmp_path / "o", "--lang", "en")
    assert rc == 0, stderr
    scores = pd.read_csv(tmp_path / "o" / "scores.csv")
    assert sorted(scores["period"].unique()) == [2015, 2016]
    assert set(scores["unit"]) == {"CN-BJ", "CN-TJ", "CN-HE", "CN-SX"}


@pytest.mark.parametrize("cell", ["1e400", "TRUE", "#DIV/0!", "(3)"])
def test_index_non_numeric_cell_is_an_error_or_counted_when_accepted(tmp_path, cell):
    data, fw = _cat(tmp_path, _ROWS.replace("天津,2016,3,", f"天津,2016,{cell},"))
    rc, _, stderr = run("index", data, "-f", fw, "--out", tmp_path / "o")
    assert rc == 2
    assert f"row 5, unit 'CN-TJ', period 2016, indicator 'x1': '{cell}'" in flat(stderr)
    assert not (tmp_path / "o").exists()
    rc, _, stderr = run("index", data, "-f", fw, "--out", tmp_path / "o", "--non-numeric",
                        "missing")
    assert rc == 0, stderr
    assert "1 cell(s) that are not numbers are read as missing" in flat(stderr)


def test_index_wan_and_yi_are_converted_with_a_note(tmp_path):
    body = _ROWS.replace("北京,2015,1,", "北京,2015,1万,")
    body = body.replace("天津,2015,2,", "天津,2015,0.0002亿,")
    data, fw = _cat(tmp_path, body)
    rc, _, stderr = run("index", data, "-f", fw, "--out", tmp_path / "o")
    assert rc == 0, stderr
    assert "1 cell(s) written with 万 were multiplied out" in flat(stderr)
    assert "1 cell(s) written with 亿 were multiplied out" in flat(stderr)


def test_index_bad_period_and_empty_column_name_the_problem(tmp_path):
    data, fw = _cat(tmp_path, _ROWS.replace("河北,2016", "河北,2016.5"))
    rc, _, stderr = run("index", data, "-f", fw, "--out", tmp_path / "o")
    assert rc == 2 and "neither a whole year nor a quarter: 2016.5 at row 7" in flat(stderr)
    body = "".join(",".join(r.split(",")[:4]) + ",\n" for r in _ROWS.splitlines())
    data, fw = _cat(tmp_path, body)
    rc, _, stderr = run("index", data, "-f", fw, "--out", tmp_path / "o")
    assert rc == 2 and "column(s) ['x3'] are empty (no value in any row)" in flat(stderr)


@pytest.mark.parametrize("cmd", ["index", "analyze"])
def test_out_under_a_file_is_a_clear_error(tmp_path, cmd):
    data, fw = _cat(tmp_path, _ROWS)
    args = ["-f", fw] if cmd == "index" else ["--method", "theil"]
    rc, _, stderr = run(cmd, data, *args, "--out", data / "res")
    assert rc == 2, stderr
    assert "internal error" not in stderr and "a part of its path is a file" in flat(stderr)


def test_index_interrupted_leaves_no_output_and_concurrent_run_is_refused(tmp_path):
    """A real ``nqpf index`` process: SIGINT once it has started writing to its staging folder."""
    import os
    import signal

    body = "".join(f"U{u:04d},{y},{u + y},{u % 7 + 1},{y - 1990}\n"
                   for u in range(1500) for y in range(2000, 2020))
    data, fw = _cat(tmp_path, body)
    out = tmp_path / "res"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    main = "import sys; from nqpf.cli import main; sys.exit(main())"
    cmd = [sys.executable, "-c", main, "index", str(data), "-f", str(fw), "--out", str(out),
           "--units", "none"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    for line in proc.stderr:  # "recipe: ..." is printed once the staging folder exists
        if line.startswith("recipe:"):
            break
    lock = tmp_path / ".res.nqpf-lock"
    assert lock.exists()
    rc, _, stderr = run("index", data, "-f", fw, "--out", out, "--units", "none")
    assert rc == 2 and f"another nqpf run (process {proc.pid}) is writing" in flat(stderr)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    if out.exists():  # the run finished before the signal: then it is complete
        assert (out / ".nqpf-files").exists() and (out / "index.xlsx").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_validate_summarises_outliers_per_indicator(tmp_path, tiny_fw):
    provs = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏",
             "浙江", "安徽"]
    rows = [f"{p},2020,{100 + i},{5 + i % 3}" for i, p in enumerate(provs)]
    rows[4] = "内蒙古,2020,100000,6"
    rows[5] = "辽宁,2020,90000,6"
    data = tmp_path / "o.csv"
    data.write_text("province,year,staff,output\n" + "\n".join(rows) + "\n", "utf-8")
    rc, stdout, _ = run("validate", data, "-f", tiny_fw, "--out", tmp_path / "f.csv")
    shown = flat(stdout)
    # one line for the indicator, not one per cell
    assert shown.count("outlier staff") == 1 and "2 findings, first CN-NM" in shown
    f = pd.read_csv(tmp_path / "f.csv")
    assert ((f["check"] == "outlier") & (f["unit"] == "CN-NM")).any()  # the cells: in the file


def test_python_warnings_become_nqpf_notes(capsys):
    import importlib
    import warnings

    cli_app = importlib.import_module("nqpf.cli.app")

    msgs = [warnings.WarningMessage(RuntimeWarning("overflow encountered in subtract"),
                                    RuntimeWarning, "/x/site-packages/numpy/core/_methods.py", 1)
            for _ in range(2)]
    cli_app._notes_from_warnings(msgs)
    err = capsys.readouterr().err
    assert err.count("note: a computation step warned (numpy): overflow encountered") == 1


def test_validate_prints_one_line_per_kind_and_writes_every_finding(tmp_path, tiny_fw,
                                                                    monkeypatch):
    data = tmp_path / "bad.csv"
    data.write_text(BAD_CSV, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad-findings.csv").write_text("mine", encoding="utf-8")  # never replaced
    rc, stdout, _ = run("validate", data, "-f", tiny_fw)
    assert rc == 1
    lines = [ln for ln in stdout.splitlines() if ln.startswith(("error", "warning", "info"))]
    # one line per kind (severity, check, indicator): the duplicate key of staff and of output
    full = pd.read_csv(tmp_path / "bad-findings-2.csv")
    kinds = full.groupby(["severity", "check", "indicator"], dropna=False).ngroups
    assert len(lines) == kinds and sum("duplicate key" in ln for ln in lines) == 2
    assert (tmp_path / "bad-findings.csv").read_text("utf-8") == "mine"
    assert "bad-findings-2.csv" in flat(stdout)
