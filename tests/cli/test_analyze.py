"""``nqpf analyze`` for the centrography methods (gravity centre, ellipse)."""

from __future__ import annotations

import pandas as pd

from clitools import run


def _scores(path):
    units = ["北京", "上海", "广东", "四川"]
    rows = [
        (u, y, v)
        for y in (2020, 2021)
        for u, v in zip(units, (1.0, 2.0, 3.0, 1.0 + y - 2020), strict=True)
    ]
    pd.DataFrame(rows, columns=["unit", "period", "value"]).to_csv(path, index=False)


def test_sde_from_the_command_line(tmp_path):
    _scores(tmp_path / "s.csv")
    rc, out, err = run(
        "analyze", tmp_path / "s.csv", "--method", "sde", "--convention", "arcgis",
        "--out", tmp_path / "o",
    )  # fmt: skip
    assert rc == 0, err
    e = pd.read_csv(tmp_path / "o" / "sde.csv")
    c = pd.read_csv(tmp_path / "o" / "gravity_centre.csv")
    assert list(e["period"]) == [2020, 2021]
    assert (e["sigma_x"] > 0).all() and (e["sigma_y"] > 0).all()
    assert c["distance_km"].iloc[1] > 0  # Sichuan weighs more in 2021: the centre moves west
    assert c["direction"].iloc[1] in ("W", "SW", "NW")


def test_centre_with_own_points(tmp_path):
    _scores(tmp_path / "s.csv")
    pd.DataFrame(
        {"unit": ["北京", "上海", "广东", "四川"], "lon": [116.4, 121.5, 113.3, 104.1],
         "lat": [39.9, 31.2, 23.1, 30.7]}
    ).to_csv(tmp_path / "p.csv", index=False)  # fmt: skip
    rc, _, err = run(
        "analyze", tmp_path / "s.csv", "--method", "centre", "--points", tmp_path / "p.csv",
        "--out", tmp_path / "o",
    )  # fmt: skip
    assert rc == 0, err
    c = pd.read_csv(tmp_path / "o" / "gravity_centre.csv")
    assert 104 < c["lon"].iloc[0] < 121.5 and 23 < c["lat"].iloc[0] < 40
    rc, _, err = run(
        "analyze", tmp_path / "s.csv", "--method", "sde", "--convention", "esri",
        "--out", tmp_path / "o2",
    )  # fmt: skip
    assert rc == 2 and "esri" in err
