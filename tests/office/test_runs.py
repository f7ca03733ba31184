"""Runs: pinned, background, visible only when complete, reproducible, published."""

from __future__ import annotations

import json
import time

from officetools import BASE_2023, CODES


def wait_run(office, run_id, timeout=60):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        r = office.ok(office.get("admin", f"/api/v1/runs/{run_id}"))
        if r["state"] in ("complete", "failed", "published"):
            return r
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish: {r}")


def start(office, period="2023", **recipe):
    return office.ok(office.post("admin", f"/api/v1/periods/{period}/runs", json=recipe), 202)


def test_run_of_a_locked_period_completes_with_manifest_and_is_reproducible(office):
    run = start(office)
    assert run["state"] == "queued" and run["files"] == []
    # the worker reports progress while the server keeps answering
    states = set()
    while (r := office.ok(office.get("admin", f"/api/v1/runs/{run['id']}")))["state"] \
            not in ("complete", "failed"):
        states.add(r["state"])
        assert office.client.get("/health").status_code == 200
    assert states <= {"queued", "running"} and r["progress"] == 1.0
    done = wait_run(office, run["id"])
    assert done["state"] == "complete", done["message"]
    assert "manifest.json" in done["files"] and "assessment.xlsx" in done["files"]
    man = json.loads((office.folder / "runs" / str(run["id"]) / "manifest.json").read_text())
    assert man["period"] == "2023" and man["framework"]["code"] == "test-office"
    assert man["snapshot"]["values"] == 16 and man["tables_sha256"] == done["tables_sha256"]
    vals = office.ok(office.get("admin", f"/api/v1/runs/{run['id']}/results",
                                params={"table": "values"}))["rows"]
    got = {(r["unit"], r["indicator"]): float(r["value"]) for r in vals}
    assert got == {(u, c): v for u, vs in BASE_2023.items() for c, v in zip(CODES, vs,
                                                                           strict=True)}
    # same snapshot → the same snapshot id and byte-identical tables
    again = wait_run(office, start(office)["id"])
    assert again["snapshot"] == done["snapshot"]
    assert again["tables_sha256"] == done["tables_sha256"]
    # attainment against the targets set in the office, equal weights 0.5 × 0.5 (by hand):
    # A = 0.25 · (2.0/2.5 + 8/10 + 0.5/0.6 + 30/40) · 100 = 79.5833…
    rows = office.ok(office.get("admin", f"/api/v1/runs/{run['id']}/results"))["rows"]
    total = {r["unit"]: r for r in rows if r["level"] == "total"}
    assert abs(float(total["A"]["total_score"]) - 0.25 * (80 + 80 + 50 / 0.6 + 75)) < 1e-6
    assert [total[u]["rank"] for u in "ABCD"] == ["1", "2", "3", "4"]


def test_run_of_next_period_scores_progress_and_adds_the_index(office):
    office.push("admin", "2024", [(u, c, round(v * 1.1, 4)) for u, vs in BASE_2023.items()
                                  for c, v in zip(CODES, vs, strict=True)])
    office.state("2024", "locked")
    run = wait_run(office, start(office, "2024", index={"weights": "equal"})["id"])
    assert run["state"] == "complete", run["message"]
    assert {"assessment.csv", "index_scores.csv", "fixed_base.csv"} <= set(run["files"])
    rows = office.ok(office.get("admin", f"/api/v1/runs/{run['id']}/results"))["rows"]
    a = next(r for r in rows if r["unit"] == "A" and r["level"] == "total")
    assert a["period"] == "2024" and a["progress_score"] != ""


def test_a_run_needs_a_locked_period(office):
    r = office.post("admin", "/api/v1/periods/2024/runs", json={})
    assert r.status_code == 409 and "lock it" in r.json()["message"]
    r = office.post("admin", "/api/v1/periods/2023/runs", json={"bogus": 1})
    assert r.status_code == 422


def test_visibility_before_and_after_publication(office):
    run = wait_run(office, start(office)["id"])
    rid = run["id"]
    # viewer and providers: nothing before publication; a region: its own rows only
    for user in ("viewer", "keji"):
        assert office.get(user, f"/api/v1/runs/{rid}").status_code == 403
        assert office.ok(office.get(user, "/api/v1/runs")) == []
    rows = office.ok(office.get("city_a", f"/api/v1/runs/{rid}/results"))["rows"]
    assert rows and {r["unit"] for r in rows} == {"A"}
    assert office.get("city_a", f"/api/v1/runs/{rid}/results",
                      params={"unit": "B"}).status_code == 403
    assert office.get("city_a", f"/api/v1/runs/{rid}/files/assessment.xlsx").status_code == 403
    pub = office.ok(office.post("admin", f"/api/v1/runs/{rid}/publish"))
    assert pub["state"] == "published"
    assert office.ok(office.get("admin", "/api/v1/periods/2023"))["state"] == "published"
    rows = office.ok(office.get("viewer", f"/api/v1/runs/{rid}/results"))["rows"]
    assert {r["unit"] for r in rows} == {"A", "B", "C", "D"}
    f = office.get("viewer", f"/api/v1/runs/{rid}/files/assessment.xlsx")
    assert f.status_code == 200 and f.content[:2] == b"PK"
    assert office.get("viewer", f"/api/v1/runs/{rid}/files/..%2Foffice.json").status_code \
        == 404
    # reopening the period withdraws the publication and is logged with its reason
    office.state("2023", "collecting", reason="统计局更正数据")
    log = office.ok(office.get("admin", "/api/v1/audit", params={"action": "reopen"}))
    assert log[0]["target"] == "period:2023" and log[0]["detail"]["reason"] == "统计局更正数据"
