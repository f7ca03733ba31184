"""Chinese and other names of methods are accepted wherever a method name is."""

import pytest

from nqpf.aliases import ALIASES, _key, canonical
from nqpf.analysis.run import METHODS as ANALYSES
from nqpf.efficiency.dea import DEASpec
from nqpf.errors import DataError
from nqpf.index import Recipe
from nqpf.index.aggregate import METHODS as AGGREGATE
from nqpf.index.normalise import METHODS as NORMALISE
from nqpf.index.normalise import PANEL_MODES
from nqpf.index.weights import METHODS as WEIGHTS

OWN = {"normalise": NORMALISE, "panel_mode": PANEL_MODES, "weights": WEIGHTS,
       "aggregate": AGGREGATE, "analysis": ANALYSES,
       "dea_model": ("radial", "ccr", "bcc", "sbm", "super-sbm", "ddf", "nddf")}


def test_every_alias_names_an_own_method_and_is_stored_as_a_key():
    for kind, table in ALIASES.items():
        for alias, own in table.items():
            assert own in OWN[kind], (kind, alias, own)
            assert _key(alias) == alias, alias


@pytest.mark.parametrize(("kind", "name", "own"), [
    ("weights", "熵权法", "entropy"), ("weights", "熵值法", "entropy"),
    ("weights", "变异系数法", "cv"), ("weights", "CRITIC", "critic"),
    ("weights", "CRITIC法", "critic"), ("aggregate", "TOPSIS", "topsis"),
    ("aggregate", "灰色关联", "gra"), ("aggregate", "灰色关联分析", "gra"),
    ("normalise", "极差标准化", "minmax"), ("normalise", "Min-Max", "minmax"),
    ("panel_mode", "per_period", "per-period"), ("analysis", "泰尔指数", "theil"),
    ("dea_model", "超效率SBM", "super-sbm"), ("weights", "unknown", "unknown"),
])
def test_canonical(kind, name, own):
    assert canonical(kind, name, OWN[kind]) == own


def test_recipe_takes_chinese_names_and_stores_own_names():
    r = Recipe(normalise="极差标准化", weights="专家打分+熵权法", aggregate="灰色关联",
               levels={"index": {"aggregate": "几何平均"}})
    assert (r.normalise, r.weights, r.aggregate) == ("minmax", "expert+entropy", "gra")
    assert r.levels == {"index": {"aggregate": "geometric"}}
    assert Recipe(weights="变异系数法", aggregate="TOPSIS") == Recipe(weights="cv",
                                                                     aggregate="topsis")
    with pytest.raises(DataError, match="unknown weighting method '神秘法'"):
        Recipe(weights="神秘法")


def test_dea_and_analysis_names():
    assert DEASpec(model="超效率SBM").model == "super-sbm"
    assert DEASpec(model="CCR").to_dict() == DEASpec(model="ccr").to_dict()


def test_study_spec_takes_chinese_analysis_and_model_names():
    from nqpf.study.spec import AnalysesSpec, DeaSpec

    assert AnalysesSpec.model_validate({"核密度": None, "泰尔指数": {}}).asked() == [
        "theil", "kernel"]
    assert DeaSpec(inputs=["k"], outputs=["y"], model="超效率SBM").model == "super-sbm"
