import numpy as np
import pandas as pd

from clitools import flat, run
from nqpf.models.simulate import sdm_panel, staggered_panel, threshold_panel


def test_threshold_command_writes_tables_and_figure(tmp_path):
    data = tmp_path / "thr.csv"
    threshold_panel(31, 15, thresholds=(-0.3,), slopes=(1.0, 2.0), seed=1).to_csv(data, index=False)
    out = tmp_path / "out"
    rc, o, e = run(
        "model",
        "threshold",
        data,
        "--y",
        "y",
        "--regime",
        "z",
        "--q",
        "q",
        "--controls",
        "x",
        "--bootstrap",
        "49",
        "--out",
        out,
        "--unit",
        "unit",
        "--period",
        "year",
    )
    assert rc == 0, e
    assert "Threshold effect tests" in flat(o)
    for f in (
        "table.xlsx",
        "table.tex",
        "table.docx",
        "table.html",
        "tests.csv",
        "figure.png",
        "figure.pdf",
    ):
        assert (out / f).stat().st_size > 0
    tests = pd.read_csv(out / "tests.csv", index_col=0)
    assert tests.loc[0, "p-value"] < 0.05
    # the folder is not written over
    rc, _, e = run(
        "model",
        "threshold",
        data,
        "--y",
        "y",
        "--regime",
        "z",
        "--q",
        "q",
        "--out",
        out,
        "--unit",
        "unit",
        "--period",
        "year",
        "--bootstrap",
        "0",
    )
    assert rc == 2 and "not empty" in flat(e)


def test_bad_input_gets_a_message(tmp_path):
    data = tmp_path / "thr.csv"
    d = threshold_panel(10, 5, seed=2)
    d["q"] = (d["q"] > 1.2).astype(float)
    d.to_csv(data, index=False)
    rc, _, e = run(
        "model",
        "threshold",
        data,
        "--y",
        "y",
        "--regime",
        "z",
        "--q",
        "q",
        "--trim",
        "0.2",
        "--out",
        tmp_path / "o",
        "--unit",
        "unit",
        "--period",
        "year",
    )
    assert rc == 2 and "too few distinct values" in flat(e)
    rc, _, e = run(
        "model",
        "fe",
        data,
        "--y",
        "y",
        "--x",
        "nope",
        "--out",
        tmp_path / "o2",
        "--unit",
        "unit",
        "--period",
        "year",
    )
    assert rc == 2 and "unknown variable" in flat(e)


def test_spatial_and_did_commands(tmp_path):
    ids = [f"r{i:02d}" for i in range(16)]
    m = np.zeros((16, 16))
    for i in range(16):
        for j in (i - 4, i + 4, i - 1 if i % 4 else -1, i + 1 if i % 4 != 3 else -1):
            if 0 <= j < 16:
                m[i, j] = 1
    wfile = tmp_path / "w.csv"
    pd.DataFrame(m, index=ids, columns=ids).to_csv(wfile)
    data = tmp_path / "sdm.csv"
    sdm_panel(m / m.sum(1, keepdims=True), 10, seed=3).to_csv(data, index=False)
    rc, o, e = run(
        "model",
        "spatial",
        data,
        "--y",
        "y",
        "--x",
        "x",
        "--weights",
        wfile,
        "--out",
        tmp_path / "sp",
        "--unit",
        "unit",
        "--period",
        "year",
        "--draws",
        "200",
    )
    assert rc == 0, e
    assert "LeSage-Pace effects" in flat(o)
    eff = pd.read_csv(tmp_path / "sp" / "effects.csv")
    assert set(eff["effect"]) == {"direct", "indirect", "total"}
    data = tmp_path / "stag.csv"
    staggered_panel(90, 8, cohorts=(4, 6), seed=4).to_csv(data, index=False)
    rc, o, e = run(
        "model",
        "staggered",
        data,
        "--y",
        "y",
        "--treat",
        "treated",
        "--reps",
        "60",
        "--out",
        tmp_path / "cs",
        "--unit",
        "unit",
        "--period",
        "year",
    )
    assert rc == 0, e
    assert "Callaway-Sant'Anna ATT" in flat(o)
    rc, o, e = run(
        "model",
        "event-study",
        data,
        "--y",
        "y",
        "--treat",
        "treated",
        "--out",
        tmp_path / "es",
        "--unit",
        "unit",
        "--period",
        "year",
        "--leads",
        "3",
        "--lags",
        "2",
    )
    assert rc == 0, e
    assert "Parallel trends" in flat(o) and (tmp_path / "es" / "figure.png").exists()
