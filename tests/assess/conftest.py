"""Fixtures of the assessment tests."""

from __future__ import annotations

import pandas as pd
import pytest

from assesstools import data_frame, framework_dict


@pytest.fixture
def fw_dict() -> dict:
    return framework_dict()


@pytest.fixture
def data() -> pd.DataFrame:
    return data_frame()
