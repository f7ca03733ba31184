"""The HiGHS engine's process-level behaviour: nothing on standard output."""

import os
import subprocess
import sys
from pathlib import Path

import nqpf

SRC = Path(nqpf.__file__).resolve().parents[1]

_RUN = """
import pandas as pd
from nqpf.efficiency.dea import dea
df = pd.DataFrame({"unit": ["A", "B", "C"], "period": 2020, "x1": [2.0, 4.0, 4.0],
                   "x2": [3.0, 1.0, 4.0], "y": 1.0})
res = dea(df, ["x1", "x2"], "y", model="ccr")
print("scores", res.efficiency["efficiency"].round(6).tolist())
"""


def test_highs_banner_never_reaches_stdout():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *sys.path])}
    res = subprocess.run(
        [sys.executable, "-c", _RUN], capture_output=True, text=True, env=env, timeout=120,
        check=True,
    )
    assert "HiGHS" not in res.stdout
    assert res.stdout.strip() == "scores [1.0, 1.0, 0.625]"
