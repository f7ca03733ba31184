"""Versions in force: no overlap, one version per date."""

from __future__ import annotations

import datetime as dt

import pytest

from nqpf.errors import FrameworkError
from nqpf.framework import Framework
from nqpf.framework.versions import check_versions, version_for


def _v(version, a, b, fid="hqd"):
    return Framework.from_dict({"id": fid, "name_zh": "x", "version": version, "valid_from": a,
                                "valid_to": b, "dimensions": [{"id": "d", "name_zh": "d",
                                "indicators": [{"id": "x", "name_zh": "x", "direction": "+"}]}]})


def test_versions_in_force():
    vs = [_v("2018", "2018-01-01", "2020-12-31"), _v("2021", "2021-01-01", None)]
    check_versions(vs)
    assert version_for(vs, 2019).version == "2018"
    assert version_for(vs, "2024-06-30").version == "2021"
    assert version_for(vs, dt.date(2020, 12, 31)).version == "2018"
    with pytest.raises(FrameworkError, match="no version is in force on 2017-12-31"):
        version_for(vs, 2017)


def test_overlap_and_duplicates():
    with pytest.raises(FrameworkError, match=r"versions 2018 \(a.yaml, valid 2018-01-01 … open\) "
                       r"and 2021 \(b.yaml.*overlap"):
        check_versions([_v("2018", "2018-01-01", None), _v("2021", "2021-01-01", None)],
                       ["a.yaml", "b.yaml"])
    with pytest.raises(FrameworkError, match="both version 2018"):
        check_versions([_v("2018", "2018-01-01", None), _v("2018", "2030-01-01", None)])
    check_versions([_v("1", None, None, "a"), _v("1", None, None, "b")])  # other ids
    with pytest.raises(FrameworkError, match="valid_from 2021-01-01 is after valid_to"):
        _v("x", "2021-01-01", "2020-01-01")
