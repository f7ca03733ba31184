"""Period states, reopening, and the audit log's filters."""

from __future__ import annotations


def test_period_states_and_logged_reopen(office):
    r = office.post("admin", "/api/v1/periods/2024/state", json={"state": "published"})
    assert r.status_code == 409 and "publishing one of its runs" in r.json()["message"]
    r = office.post("admin", "/api/v1/periods/2024/state", json={"state": "open"})
    assert r.status_code == 409
    office.state("2024", "locked")
    r = office.post("admin", "/api/v1/periods/2024/state", json={"state": "collecting"})
    assert r.status_code == 422 and "needs a reason" in r.json()["message"]
    assert office.state("2024", "collecting", reason="漏报")["state"] == "collecting"
    r = office.post("admin", "/api/v1/periods", json={"key": "2024H1", "framework":
                                                      "test-office", "version": "1"})
    assert r.status_code == 422 and "neither a year" in r.json()["message"]
    r = office.post("admin", "/api/v1/periods", json={"key": "2024", "framework":
                                                      "test-office", "version": "1"})
    assert r.status_code == 409


def test_audit_log_filters(office):
    office.push("keji", "2024", [("A", "rd", 2.1)])
    office.state("2024", "locked")
    everything = office.ok(office.get("admin", "/api/v1/audit"))
    assert {"push", "period_state", "user_create", "framework_import"} <= \
        {e["action"] for e in everything}
    pushes = office.ok(office.get("admin", "/api/v1/audit",
                                  params={"action": "push", "user": "keji"}))
    assert len(pushes) == 1 and pushes[0]["detail"]["values"] == 1
    by_target = office.ok(office.get("admin", "/api/v1/audit", params={"target": "period:2024"}))
    assert {e["action"] for e in by_target} == {"period_create", "period_state", "push"}
    later = office.ok(office.get("admin", "/api/v1/audit",
                                 params={"since": "2999-01-01T00:00:00"}))
    assert later == []
    page = office.ok(office.get("admin", "/api/v1/audit", params={"limit": 2, "offset": 1}))
    assert [e["id"] for e in page] == [e["id"] for e in everything[1:3]]
