import zipfile

import pytest

from nqpf.models.panel import fe_regression
from nqpf.models.simulate import threshold_panel
from nqpf.models.tables import regression_table


@pytest.fixture(scope="module")
def table():
    d = threshold_panel(30, 8, thresholds=(), slopes=(1.5,), seed=11)
    m1 = fe_regression(d, "y", ["z"], effects="unit")
    m2 = fe_regression(d, "y", ["z"], controls=["x"], effects="twoway")
    return regression_table([m1, m2], labels={"z": "NQPF"}), (m1, m2)


def test_layout_stars_and_rows(table):
    tab, (m1, m2) = table
    df = tab.frame()
    assert list(df.columns) == ["", "(1)", "(2)"]
    assert df.iloc[1, 0] == "NQPF"
    coef = m2.coef.loc["z"]
    assert df.iloc[1, 2] == f"{coef['coef']:.3f}***"  # p < 0.01
    assert df.iloc[2, 2] == f"({coef['se']:.3f})"
    labels = df.iloc[:, 0].tolist()
    assert "x" not in labels  # a control, summarised
    assert labels[-5:] == ["Controls", "Unit FE", "Time FE", "Observations", "R²"]
    assert df.iloc[-5].tolist()[1:] == ["No", "Yes"]
    assert df.iloc[-3].tolist()[1:] == ["No", "Yes"]
    assert df.iloc[-2].tolist()[1:] == ["240", "240"]


def test_writers(tmp_path, table):
    tab, _ = table
    tex = tab.to_latex()
    assert "\\toprule" in tex and "\\bottomrule" in tex and "$^{***}$" in tex
    assert "(1) & (2)" in tex
    html = tab.to_html()
    assert html.startswith('<table class="regression">') and "NQPF" in html
    for suffix in ("xlsx", "docx", "tex", "html", "txt"):
        p = tab.write(tmp_path / f"t.{suffix}")
        assert p.stat().st_size > 0
    with zipfile.ZipFile(tmp_path / "t.docx") as z:
        xml = z.read("word/document.xml").decode()
    assert "NQPF" in xml and "Observations" in xml
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "t.xlsx").active
    assert ws.cell(1, 2).value == "(1)" and ws.cell(3, 1).value == "NQPF"


def test_chinese_labels_and_console(table):
    _, models = table
    tab = regression_table(models, lang="zh", stat="t")
    text = tab.console()
    assert "个体固定效应" in text and "括号内为 t 值" in text
