"""Backup and restore: every table and run folder, into a new office (even across databases)."""

from __future__ import annotations

import time

import pytest

from nqpf.errors import DataError
from nqpf.office.backup import backup, restore
from nqpf.office.office import init_office, open_office
from officetools import ADMIN_PW


def test_backup_restores_into_a_new_office(office, tmp_path):
    office.push("keji", "2024", [("A", "rd", 2.1)], reason="初报")
    office.push("keji", "2024", [("A", "rd", 2.2)], reason="更正")
    run = office.ok(office.post("admin", "/api/v1/periods/2023/runs", json={}), 202)
    t0 = time.monotonic()
    while office.ok(office.get("admin", f"/api/v1/runs/{run['id']}"))["state"] != "complete":
        assert time.monotonic() - t0 < 60
        time.sleep(0.05)
    ctx = office.client.app.state.office
    dest = tmp_path / "b.zip"
    counts = backup(ctx.db, office.folder, dest)
    assert counts["revisions"] == 18 and counts["runs"] == 1
    with pytest.raises(DataError, match="exists"):
        backup(ctx.db, office.folder, dest)
    # into a fresh SQLite office; its own admin is replaced by the backup's accounts
    new = tmp_path / "new"
    init_office(new, password=ADMIN_PW)
    _, db = open_office(new)
    try:
        with pytest.raises(DataError, match="not empty"):
            restore(db, new, dest)
        got = restore(db, new, dest, force=True)
    finally:
        db.dispose()
    assert got == counts
    assert (new / "runs" / str(run["id"]) / "manifest.json").is_file()
    from fastapi.testclient import TestClient

    from nqpf.office.app import create_app

    with TestClient(create_app(new, worker=False)) as c:
        h = {"Authorization": f"Bearer {office.tokens['admin']}"}
        hist = c.get("/api/v1/periods/2024/values/A/rd/history", headers=h).json()
        assert [x["value"] for x in hist] == [2.1, 2.2]
        assert c.get(f"/api/v1/runs/{run['id']}", headers=h).json()["state"] == "complete"
        r = c.post("/api/v1/units", json={"code": "Z", "name": "新"}, headers=h)
        assert r.status_code == 201  # the id sequences continue after the restored rows
