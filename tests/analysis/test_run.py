"""`nqpf analyze` and run_analysis end to end, on an index of the 31 provinces."""

import numpy as np
import pandas as pd
import pytest

from clitools import flat, run
from nqpf import build_index
from nqpf.analysis.disparity import dagum
from nqpf.analysis.run import METHODS, run_analysis
from nqpf.datasets.reference import provinces
from nqpf.errors import DataError
from nqpf.panel.core import Panel

FW = {
    "id": "prov",
    "name_zh": "省级",
    "dimensions": [
        {
            "id": "tech",
            "name_zh": "科技",
            "indicators": [
                {"id": "rd", "name_zh": "研发", "unit": "", "direction": "+"},
                {"id": "pat", "name_zh": "专利", "unit": "", "direction": "+"},
            ],
        },
        {
            "id": "green",
            "name_zh": "绿色",
            "indicators": [{"id": "energy", "name_zh": "能耗", "unit": "", "direction": "-"}],
        },
    ],
}


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(7)
    units = provinces()["iso"].tolist()
    rows = []
    east = {"CN-BJ", "CN-SH", "CN-JS", "CN-ZJ", "CN-GD", "CN-TJ", "CN-FJ", "CN-SD"}
    for u in units:
        base = 2.0 if u in east else 1.0
        for t in range(2015, 2023):
            g = 1 + 0.05 * (t - 2015)
            rows.append(
                {
                    "unit": u,
                    "period": t,
                    "rd": base * g * rng.lognormal(0, 0.2),
                    "pat": base * g * rng.lognormal(0, 0.3),
                    "energy": rng.lognormal(0, 0.3) / g,
                }
            )
    return Panel.from_wide(pd.DataFrame(rows), unit="unit", period="period")


@pytest.fixture(scope="module")
def scores_csv(panel, tmp_path_factory):
    d = tmp_path_factory.mktemp("idx")
    res = build_index(panel, FW)
    res.write(d)
    return d / "scores.csv", res


def test_every_method_runs_from_the_command(scores_csv, tmp_path):
    path, _ = scores_csv
    extra = {
        "dagum": ["--groups", "cn-four-regions"],
        "theil": ["--groups", "cn-three-belts", "--kind", "L"],
        "markov": ["--spatial", "--classes", "3"],
        "moran": ["--permutations", "99"],
        "lisa": ["--permutations", "99"],
        "typology": ["--k", "3"],
    }
    first_file = {
        "dagum": "dagum.csv",
        "theil": "theil.csv",
        "kernel": "kernel_density.csv",
        "markov": "markov_transitions.csv",
        "convergence": "sigma.csv",
        "moran": "moran.csv",
        "lisa": "lisa.csv",
        "typology": "typology.csv",
    }
    for method, fname in first_file.items():
        out = tmp_path / method
        rc, stdout, stderr = run(
            "analyze", path, "--method", method, "--out", out, *extra.get(method, [])
        )
        assert rc == 0, (method, stderr)
        assert (out / fname).exists(), method
        assert f"{method}: summary" in flat(stdout)


def test_dagum_from_the_command_equals_the_api(scores_csv, tmp_path):
    path, res = scores_csv
    rc, _, stderr = run(
        "analyze", path, "--method", "dagum", "--groups", "cn-four-regions", "--out", tmp_path / "d"
    )
    assert rc == 0, stderr
    got = pd.read_csv(tmp_path / "d" / "dagum.csv")
    assert list(got.columns[:8]) == [
        "period",
        "gini",
        "within",
        "net_between",
        "transvariation",
        "within_share",
        "net_between_share",
        "transvariation_share",
    ]
    want = dagum(res, _groups_four()).to_frame()
    np.testing.assert_allclose(got["gini"], want["gini"], rtol=1e-12)
    np.testing.assert_allclose(
        got["within"] + got["net_between"] + got["transvariation"], got["gini"], rtol=1e-12
    )


def _groups_four():
    from nqpf.datasets.reference import province_groups

    return province_groups("region4", lang="en")


def test_coupling_and_obstacle_from_the_command(panel, scores_csv, tmp_path):
    path, res = scores_csv
    # coupling of the two dimensions, given as two tables
    sc = pd.read_csv(path)
    a, b = tmp_path / "tech.csv", tmp_path / "green.csv"
    sc[sc.node == "tech"].to_csv(a, index=False)
    sc[sc.node == "green"].to_csv(b, index=False)
    rc, _, stderr = run(
        "analyze", a, b, "--method", "coupling", "--systems", "tech,green", "--out", tmp_path / "c"
    )
    assert rc == 0, stderr
    cp = pd.read_csv(tmp_path / "c" / "coupling.csv")
    assert {"U_tech", "U_green", "C", "T", "D"} <= set(cp.columns)
    u1, u2 = cp["U_tech"], cp["U_green"]
    np.testing.assert_allclose(cp["C"], 2 * np.sqrt(u1 * u2) / (u1 + u2), rtol=1e-12)
    np.testing.assert_allclose(cp["D"], np.sqrt(cp["C"] * cp["T"]), rtol=1e-12)
    rc, _, stderr = run("analyze", a, "--method", "coupling", "--out", tmp_path / "c1")
    assert rc == 2 and "two or more" in flat(stderr)
    # obstacle needs the raw data and the framework
    data = tmp_path / "data.csv"
    panel.to_wide().reset_index().to_csv(data, index=False)
    fw = tmp_path / "fw.yaml"
    import yaml

    fw.write_text(yaml.safe_dump(FW, allow_unicode=True), encoding="utf-8")
    rc, _, stderr = run(
        "analyze", data, "--method", "obstacle", "--framework", fw, "--out", tmp_path / "o"
    )
    assert rc == 0, stderr
    ob = pd.read_csv(tmp_path / "o" / "obstacle.csv")
    sums = ob.groupby(["unit", "period"])["obstacle"].sum()
    np.testing.assert_allclose(sums, 100.0, atol=1e-9)


def test_errors_are_clear(scores_csv, tmp_path):
    path, res = scores_csv
    rc, _, stderr = run("analyze", path, "--method", "dagum", "--out", tmp_path / "x")
    assert rc == 2 and "groups" in flat(stderr)
    rc, _, stderr = run("analyze", path, "--method", "gini2", "--out", tmp_path / "y")
    assert rc == 2 and "dagum" in flat(stderr)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    rc, _, stderr = run("analyze", path, "--method", "kernel", "--out", tmp_path / "full")
    assert rc == 2 and "--force" in flat(stderr)
    assert (tmp_path / "full" / "keep.txt").read_text() == "x"
    with pytest.raises(Exception, match="unknown analysis"):
        run_analysis("nope", res)
    assert "dagum" in METHODS


@pytest.mark.parametrize(("method", "opts", "msg"), [
    ("markov", {"classes": 0}, "classes=0: must be a whole number ≥ 2"),
    ("markov", {"k": 0}, "k=0: must be a whole number ≥ 1"),
    ("moran", {"permutations": 0}, "permutations=0: must be a whole number ≥ 99"),
    ("typology", {"k": 0}, "k=0: must be a whole number ≥ 2"),
])
def test_option_zero_is_refused_not_replaced_by_the_default(scores_csv, method, opts, msg):
    _, res = scores_csv
    with pytest.raises(DataError, match=msg):
        run_analysis(method, res, **opts)


def test_analyze_reads_a_gal_weights_file(scores_csv, tmp_path):
    path, res = scores_csv
    units = sorted(res.units)
    ring = [f"{u} 2\n{units[i - 1]} {units[(i + 1) % len(units)]}\n" for i, u in enumerate(units)]
    gal = tmp_path / "ring.gal"
    gal.write_text(f"0 {len(units)}\n" + "".join(ring))
    out = tmp_path / "m"
    rc, stdout, stderr = run("analyze", path, "--method", "moran", "--weights", gal,
                             "--permutations", "99", "--out", out)
    assert rc == 0, stderr
    assert (out / "moran.csv").exists()
