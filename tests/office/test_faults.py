"""A server killed during an upload or a run leaves nothing half-done and restarts cleanly."""

from __future__ import annotations

import json
import threading
import time

import httpx

from nqpf.office.runs import CRASH_ENV
from officetools import LiveServer, check_consistency, fill, push_load


def _cfg(office) -> str:
    return json.loads((office.folder / "office.json").read_text())["db_url"]


def test_killed_during_an_upload_stores_nothing(office):
    tpl = office.template("keji", "2024")
    data = fill(tpl, {("A", "rd"): 2.1, ("B", "rd"): 1.6})
    before = office.counts()
    server = LiveServer(office.folder, env={CRASH_ENV: "upload-before-commit"}).start()
    h = {"Authorization": f"Bearer {office.tokens['keji']}"}
    try:
        try:
            r = httpx.post(server.url + "/api/v1/periods/2024/uploads", headers=h, timeout=60,
                           files={"file": ("t.xlsx", data, "application/octet-stream")})
            answered = r.status_code
        except httpx.HTTPError:
            answered = None
        assert answered is None  # the server died after storing, before committing
    finally:
        server.kill()
    assert office.counts() == before
    check_consistency(_cfg(office), office.folder)
    server = LiveServer(office.folder).start()
    try:
        r = httpx.post(server.url + "/api/v1/periods/2024/uploads", headers=h, timeout=60,
                       files={"file": ("t.xlsx", data, "application/octet-stream")})
        assert r.status_code == 201 and r.json()["state"] == "accepted"
    finally:
        server.stop()
    assert office.counts()["revisions"] == before["revisions"] + 2


def test_killed_during_a_run_leaves_no_visible_run_and_the_run_completes_after_restart(office):
    office.stop_worker()
    h = {"Authorization": f"Bearer {office.tokens['admin']}"}
    server = LiveServer(office.folder, env={CRASH_ENV: "run-files-moved"}).start()
    try:
        r = httpx.post(server.url + "/api/v1/periods/2023/runs", headers=h, json={})
        assert r.status_code == 202
        run_id = r.json()["id"]
        server.wait(60)  # the worker dies after moving the files, before committing
    finally:
        server.kill()
    assert (office.folder / "runs" / str(run_id)).is_dir()  # files the database ignores
    r = office.ok(office.get("admin", f"/api/v1/runs/{run_id}"))
    assert r["state"] == "running" and r["files"] == []
    assert office.get("city_a", f"/api/v1/runs/{run_id}").status_code == 404
    server = LiveServer(office.folder).start()
    try:
        t0 = time.monotonic()
        while True:
            r = httpx.get(server.url + f"/api/v1/runs/{run_id}", headers=h).json()
            if r["state"] == "complete":
                break
            assert r["state"] in ("queued", "running") and time.monotonic() - t0 < 60, r
            time.sleep(0.1)
        assert "manifest.json" in r["files"]
    finally:
        server.stop()
    assert not list((office.folder / "runs").glob(".tmp-*"))


def test_killed_under_load_keeps_every_submission_whole(office):
    server = LiveServer(office.folder).start()
    result: list = []
    th = threading.Thread(target=lambda: result.extend(
        push_load(server.url, office.tokens, seconds=3, clients=10, seed=7)))
    th.start()
    time.sleep(1.5)
    server.kill()
    th.join()
    acknowledged = [r for r in result if r["kind"] == "push" and r["status"] == 201]
    counts = check_consistency(_cfg(office), office.folder)
    # every acknowledged submission survived the kill (it was committed before the answer)
    assert counts["submissions"] >= 1 + len(acknowledged)
    server = LiveServer(office.folder).start()
    try:
        assert httpx.get(server.url + "/health").status_code == 200
    finally:
        server.stop()
