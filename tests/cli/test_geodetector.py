"""``nqpf geodetector`` from the command line."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clitools import flat, run


def _table(path):
    rng = np.random.default_rng(2)
    n = 120
    df = pd.DataFrame(
        {
            "x1": rng.uniform(0, 1, n),
            "zone": rng.choice(["东部", "西部"], n),
        }
    )
    df["y"] = 3 * (df["x1"] > 0.5) + (df["zone"] == "东部") + rng.normal(0, 0.2, n)
    df.to_csv(path, index=False, encoding="utf-8-sig")
    return df


def test_writes_the_detectors(tmp_path):
    _table(tmp_path / "d.csv")
    rc, out, err = run(
        "geodetector", tmp_path / "d.csv", "--y", "y", "--factors", "x1,zone",
        "--categorical", "zone", "--out", tmp_path / "o", "--k-max", "5",
    )  # fmt: skip
    assert rc == 0, err
    f = pd.read_csv(tmp_path / "o" / "geodetector_factor.csv")
    assert list(f["factor"]) == ["x1", "zone"]
    assert f["q"].between(0, 1).all()
    assert (tmp_path / "o" / "figure.png").exists()
    inter = pd.read_csv(tmp_path / "o" / "geodetector_interaction.csv")
    assert inter["q_interaction"].iloc[0] >= f["q"].max() - 1e-12
    assert "Factor detector" in flat(out)


def test_text_factor_needs_categorical(tmp_path):
    _table(tmp_path / "d.csv")
    rc, _, err = run(
        "geodetector", tmp_path / "d.csv", "--y", "y", "--factors", "x1,zone",
        "--out", tmp_path / "o",
    )  # fmt: skip
    assert rc == 2
    assert "'zone'" in flat(err) and "categorical" in flat(err)
    assert not (tmp_path / "o").exists()


def test_bad_options(tmp_path):
    _table(tmp_path / "d.csv")
    base = ("geodetector", tmp_path / "d.csv", "--y", "y", "--factors", "x1")
    rc, _, err = run(*base, "--out", tmp_path / "o", "--discretisation", "jenks")
    assert rc == 2 and "--discretisation" in err
    rc, _, err = run(*base, "--out", tmp_path / "o", "--discretisation", "equal", "--k", "1")
    assert rc == 2 and "--k" in err
    rc, _, err = run(*base, "--out", tmp_path / "o", "--factors", "x9")
    assert rc == 2 and "x9" in err


def test_outputs_are_staged_and_never_overwritten_unasked(tmp_path):
    _table(tmp_path / "d.csv")
    args = ("geodetector", tmp_path / "d.csv", "--y", "y", "--factors", "x1", "--k-max", "4",
            "--out", tmp_path / "o")  # fmt: skip
    assert run(*args)[0] == 0
    assert (tmp_path / "o" / ".nqpf-files").exists()  # written through the staging folder
    before = (tmp_path / "o" / "geodetector_factor.csv").stat().st_mtime_ns
    rc, _, err = run(*args)
    assert rc == 2 and "--force" in flat(err)
    assert (tmp_path / "o" / "geodetector_factor.csv").stat().st_mtime_ns == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".o.partial")]
