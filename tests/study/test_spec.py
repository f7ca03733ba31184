"""The study file: validation, line-numbered errors, vars and --set overrides."""

from __future__ import annotations

import pytest

from nqpf.errors import DataError
from nqpf.study.load import load_study, parse_overrides, study_from_text

BASE = """\
title: {zh: 测试研究, en: Test study}
data:
  - builtin: pwt91-demo
framework: pwt-demo
"""


def _err(text: str, **kw) -> str:
    with pytest.raises(DataError) as e:
        study_from_text(text, where="s.yaml", **kw)
    return str(e.value)


def test_minimal_study_gets_the_documented_defaults():
    s = study_from_text(BASE).spec
    assert s.title_text("zh") == "测试研究" and s.title_text("en") == "Test study"
    assert s.lang == "en" and s.seed == 0
    assert s.cleaning.impute == "linear" and s.cleaning.complete == "units"
    assert s.cleaning.outliers.rule == "mad"
    r = s.index.recipe()
    assert (r.normalise, r.weights, r.aggregate, r.panel_mode) == (
        "minmax", "entropy", "sum", "pooled")
    assert s.robustness is None and s.tfp is None
    assert s.analyses.asked() == []
    assert s.outputs.figures == ["png", "svg"]
    assert s.outputs.tables == ["xlsx", "csv", "latex", "dta"]
    assert s.data[0].kind == "builtin"


def test_typo_names_the_key_its_line_and_the_closest_key():
    text = BASE + "index:\n  normalise: zscore\n  weigths: critic\n"
    msg = _err(text)
    assert msg.startswith("s.yaml, line 7: index.weigths: unknown key 'weigths'")
    assert "did you mean 'weights'?" in msg


def test_typo_at_the_top_and_in_a_list_item():
    assert "line 5: periodz: unknown key 'periodz'; did you mean 'periods'?" in _err(
        BASE + "periodz: {from: 2005, to: 2010}\n")
    text = "data:\n  - file: a.csv\n    layot: wide\nframework: x\n"
    msg = _err(text)
    assert "line 3: data[0].layot: unknown key 'layot'; did you mean 'layout'?" in msg


def test_typo_in_an_analysis_and_a_title():
    msg = _err(BASE + "analyses:\n  kernel:\n  dagum: {grops: cn-four-regions}\n")
    assert "line 7: analyses.dagum.grops: unknown key 'grops'; did you mean 'groups'?" in msg
    msg = _err(BASE.replace("title: {zh: 测试研究, en: Test study}", "title: {zn: 测试}"))
    # one message for the union "a string, or zh/en": the informative branch
    assert msg == ("s.yaml, line 1: title.zn: unknown key 'zn'; did you mean 'zh'? "
                   "Valid keys here: zh, en")


def test_several_problems_are_listed_with_lines():
    msg = _err(BASE + "lang: fr\nseed: many\n")
    assert msg.startswith("s.yaml: 2 problems:")
    assert "line 5: lang: Input should be 'zh' or 'en', got 'fr'" in msg
    assert "line 6: seed:" in msg


def test_missing_required_keys():
    msg = _err("title: x\ndata:\n  - builtin: pwt91-demo\n")
    assert "framework: missing (required)" in msg
    assert "data: List should have at least 1 item" in _err("data: []\nframework: x\n")


def test_a_source_names_exactly_one_kind_and_its_own_options():
    msg = _err("data:\n  - file: a.csv\n    ceads: b.csv\nframework: x\n")
    assert "line 2: data[0]: " in msg and "exactly one of file, pack, yearbook, ceads" in msg
    msg = _err("data:\n  - ceads: b.csv\n    layout: wide\nframework: x\n")
    assert "option(s) layout do not apply to a ceads source" in msg


def test_recipe_errors_come_from_the_index_engine_with_the_line():
    msg = _err(BASE + "index:\n  weights: entropie\n")
    assert msg.startswith("s.yaml, line 5: index: unknown weighting method 'entropie'")


def test_bad_imputation_method():
    msg = _err(BASE + "cleaning:\n  impute: linear+spline\n")
    assert "line 6: cleaning.impute: unknown imputation method 'spline'" in msg
    s = study_from_text(BASE + "cleaning: {impute: none}\n").spec
    assert s.cleaning.impute_methods() == []
    s = study_from_text(BASE + "cleaning: {impute: linear+nearest}\n").spec
    assert s.cleaning.impute_methods() == ["linear", "nearest"]


def test_malformed_yaml_and_empty_files():
    assert _err(BASE + "index:\n\tweights: critic\n").startswith("s.yaml, line 6, column 1")
    assert "is empty; it must describe the study" in _err("# nothing\n")
    assert "a study file is a mapping of keys" in _err("- a\n- b\n")


def test_bare_analysis_keys_and_robustness_run_with_defaults():
    s = study_from_text(BASE + "analyses:\n  kernel:\n  typology: {k: 3}\n  moran: false\n"
                        "robustness:\n").spec
    assert s.analyses.asked() == ["kernel", "typology"]
    assert s.analyses.kernel.bandwidth == "silverman"
    assert s.analyses.typology.k == 3
    assert s.robustness is not None and s.robustness.replications == 1024
    s = study_from_text(BASE + "analyses: [dagum, kernel]\nrobustness: false\n").spec
    assert s.analyses.asked() == ["dagum", "kernel"] and s.robustness is None


def test_periods_as_a_range_or_a_list():
    s = study_from_text(BASE + "periods: {from: 2006, to: 2008}\n").spec
    assert s.period_list([2005, 2006, 2007, 2008, 2009]) == [2006, 2007, 2008]
    s = study_from_text(BASE + "periods: [2009, 2005]\n").spec
    assert s.period_list([2005, 2006, 2009]) == [2005, 2009]
    assert "'to' is before 'from'" in _err(BASE + "periods: {from: 2010, to: 2008}\n")


def test_vars_are_substituted_and_set_overrides_them(tmp_path):
    text = ("vars:\n  data_dir: here\ndata:\n  - file: '{data_dir}/x.csv'\n"
            "framework: '{data_dir}/fw.yaml'\n")
    s = study_from_text(text, base_dir=tmp_path)
    assert s.spec.data[0].file == ["here/x.csv"]
    assert s.spec.framework == "here/fw.yaml"
    assert s.resolve_path(s.spec.data[0].file[0], "data[0].file") == tmp_path / "here/x.csv"
    s = study_from_text(text, base_dir=tmp_path, overrides=["data_dir=/abs/data"])
    assert s.spec.data[0].file == ["/abs/data/x.csv"]
    assert s.resolve_path(s.spec.data[0].file[0], "k").as_posix() == "/abs/data/x.csv"
    assert s.overrides == {"data_dir": "/abs/data"}
    assert s.resolved["vars"] == {"data_dir": "/abs/data"}


def test_an_undefined_variable_is_named_when_the_path_is_used(tmp_path):
    s = study_from_text("data:\n  - file: '{where}/x.csv'\nframework: x\n", where="s.yaml")
    with pytest.raises(DataError, match=r"data\[0\].file: unknown variable \{where\}.*"
                                        r"--set where=VALUE"):
        s.resolve_path(s.spec.data[0].file[0], "data[0].file")


def test_set_changes_settings_by_dotted_path():
    s = study_from_text(BASE + "robustness: {replications: 1024}\n",
                        overrides=["robustness.replications=256", "lang=zh", "seed=7",
                                   "outputs.figures=[png]"]).spec
    assert s.robustness.replications == 256 and s.lang == "zh" and s.seed == 7
    assert s.outputs.figures == ["png"]
    with pytest.raises(DataError, match="'indx' is not a study key; did you mean 'index'"):
        study_from_text(BASE, overrides=["indx.weights=critic"])
    with pytest.raises(DataError, match="write KEY=VALUE"):
        parse_overrides(["robustness"])
    assert parse_overrides(["a=1", "b=x=y", "c="]) == {"a": 1, "b": "x=y", "c": ""}


def test_load_study_reads_files_and_hashes_them(tmp_path):
    p = tmp_path / "study.yaml"
    p.write_text(BASE, encoding="utf-8")
    s = load_study(p)
    import hashlib

    assert s.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
    assert s.base_dir == tmp_path.resolve() and s.path == p
    with pytest.raises(DataError, match="not found"):
        load_study(tmp_path / "nope.yaml")
    bad = tmp_path / "gbk.yaml"
    bad.write_bytes("title: 测试\n".encode("gbk"))
    with pytest.raises(DataError, match="not UTF-8"):
        load_study(bad)


def test_index_treatment_and_robustness_settings_reach_the_recipe_and_uncertainty():
    s = study_from_text(
        BASE + "index:\n  treat: {winmax: 3, transform: log_CT_plus}\n  weights: optimal\n"
        "robustness:\n  settings: {structure: [flat, hierarchical]}\n  remove: [d1]\n"
        "  level_perturb: {dimension: 0.2}\n"
    ).spec
    rec = s.index.recipe()
    assert rec.treat["winmax"] == 3 and rec.treat["transform"] == "log_CT_plus"
    assert rec.weights == "optimal"
    assert s.robustness.settings == {"structure": ["flat", "hierarchical"]}
    assert s.robustness.remove == ["d1"] and s.robustness.level_perturb == {"dimension": 0.2}
    assert s.robustness.replications == 1024
    with pytest.raises(Exception, match="winmx"):
        study_from_text(BASE + "index:\n  treat: {winmx: 3}\n")
def test_file_source_passes_the_non_numeric_options():
    from nqpf.study.spec import DataSource

    src = DataSource(file=["x.csv"], non_numeric="missing", parentheses_negative=True)
    assert src.read_options() == {"non_numeric": "missing", "parentheses_negative": True}
