from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def hansen1999() -> pd.DataFrame:
    d = pd.read_csv(DATA / "hansen1999.csv.gz")
    d["q2"] = (d["q1"] ** 2 / 100).astype(np.float32).astype(float)
    d["q3"] = (d["q1"] ** 3 / 1000).astype(np.float32).astype(float)
    d["qd1"] = (d["q1"] * d["d1"]).astype(np.float32).astype(float)
    return d
