"""Every role × endpoint × own/other scope: 401 without login, 403 where not allowed."""

from __future__ import annotations

import time

from officetools import FRAMEWORK_YAML

ROLES = ("admin", "keji", "tongji", "city_a", "city_b", "viewer")
SUBMITTERS = {"admin", "keji", "tongji", "city_a", "city_b"}
EVERYONE = set(ROLES)
ADMIN = {"admin"}


def cases(sub_id: int, run_id: int):
    """(method, url, request kwargs, roles allowed). Others must get 403, nobody 401."""
    fw = {"files": {"file": ("f.yaml", FRAMEWORK_YAML.replace('"1"', '"9"').encode(),
                             "text/yaml")}}
    return [
        ("GET", "/api/v1/auth/me", {}, EVERYONE),
        ("POST", "/api/v1/auth/tokens", {"json": {"name": "x"}}, EVERYONE),
        ("GET", "/api/v1/users", {}, ADMIN),
        ("POST", "/api/v1/users", {"json": {"username": "new_user", "role": "viewer"}}, ADMIN),
        ("PATCH", "/api/v1/users/viewer", {"json": {"display_name": "看"}}, ADMIN),
        ("POST", "/api/v1/users/viewer/password", {"json": {}}, ADMIN),
        ("POST", "/api/v1/users/viewer/tokens", {"json": {"name": "x"}}, ADMIN),
        ("GET", "/api/v1/units", {}, EVERYONE),
        ("POST", "/api/v1/units", {"json": {"code": "Z", "name": "戊"}}, ADMIN),
        ("GET", "/api/v1/frameworks", {}, EVERYONE),
        ("GET", "/api/v1/frameworks/test-office/1", {}, EVERYONE),
        ("POST", "/api/v1/frameworks", fw, ADMIN),
        ("PATCH", "/api/v1/frameworks/test-office/9/indicators/rd",
         {"json": {"target": 3}}, ADMIN),
        ("GET", "/api/v1/periods", {}, EVERYONE),
        ("GET", "/api/v1/periods/2024", {}, EVERYONE),
        ("POST", "/api/v1/periods", {"json": {"key": "2025", "framework": "test-office",
                                              "version": "1"}}, ADMIN),
        ("POST", "/api/v1/periods/2025/state", {"json": {"state": "collecting"}}, ADMIN),
        ("GET", "/api/v1/periods/2024/template", {}, SUBMITTERS),
        ("GET", "/api/v1/periods/2024/template", {"params": {"unit": "B"}}, ADMIN),
        # own scope: 科技厅's indicator; city_a's own unit and region-reported indicator
        ("POST", "/api/v1/periods/2024/values",
         {"json": {"values": [{"unit": "A", "indicator": "rd", "value": 2.05}]}},
         {"admin", "keji"}),
        ("POST", "/api/v1/periods/2024/values",
         {"json": {"values": [{"unit": "A", "indicator": "forest", "value": 31}]}},
         {"admin", "city_a"}),
        ("GET", "/api/v1/periods/2024/values", {"params": {"unit": "A"}},
         {"admin", "keji", "tongji", "city_a"}),
        ("GET", "/api/v1/periods/2024/values", {"params": {"indicator": "rd"}},
         {"admin", "keji", "city_a", "city_b"}),
        ("GET", "/api/v1/periods/2024/values/A/forest/history", {}, {"admin", "city_a"}),
        ("GET", "/api/v1/periods/2024/values/B/rd/history", {}, {"admin", "keji", "city_b"}),
        ("GET", "/api/v1/periods/2024/completeness", {}, ADMIN),
        ("GET", "/api/v1/submissions", {}, SUBMITTERS),
        ("GET", f"/api/v1/submissions/{sub_id}", {}, {"admin", "keji"}),
        ("POST", f"/api/v1/submissions/{sub_id}/explanations",
         {"json": {"explanations": {"1": "x"}}}, {"admin", "keji"}),
        ("POST", f"/api/v1/submissions/{sub_id}/accept", {"json": {}}, ADMIN),
        ("POST", f"/api/v1/submissions/{sub_id}/return", {"json": {"reason": "r"}}, ADMIN),
        ("POST", "/api/v1/periods/2023/runs", {"json": {}}, ADMIN),
        ("GET", "/api/v1/runs", {}, EVERYONE),
        ("GET", f"/api/v1/runs/{run_id}", {}, {"admin", "city_a", "city_b"}),
        ("GET", f"/api/v1/runs/{run_id}/results", {}, {"admin", "city_a", "city_b"}),
        ("GET", f"/api/v1/runs/{run_id}/results", {"params": {"unit": "A"}},
         {"admin", "city_a"}),
        ("GET", f"/api/v1/runs/{run_id}/files/assessment.csv", {}, ADMIN),
        ("GET", "/api/v1/audit", {}, ADMIN),
        ("POST", f"/api/v1/runs/{run_id}/publish", {}, ADMIN),
    ]


def test_role_endpoint_scope_matrix(office):
    sub = office.push("keji", "2024", [("B", "rd", 9.0)])  # a jump: waits for explanation
    run = office.ok(office.post("admin", "/api/v1/periods/2023/runs", json={}), 202)
    t0 = time.monotonic()
    while office.ok(office.get("admin", f"/api/v1/runs/{run['id']}"))["state"] != "complete":
        assert time.monotonic() - t0 < 60
        time.sleep(0.05)
    wrong = []
    for method, url, kw, allowed in cases(sub["id"], run["id"]):
        r = office.client.request(method, url, **kw)
        if r.status_code != 401:
            wrong.append((method, url, "anonymous", r.status_code))
        for role in ROLES:
            r = office.client.request(method, url, headers=office.h(role), **kw)
            want_forbidden = role not in allowed
            if (r.status_code == 403) != want_forbidden or r.status_code == 401:
                wrong.append((method, url, kw.get("params"), role, r.status_code,
                              r.text[:120]))
    assert wrong == []
    # the matrix ended with the admin publishing the run: its results are open to every role
    for user in ("keji", "city_a", "viewer"):
        rows = office.ok(office.get(user, f"/api/v1/runs/{run['id']}/results"))["rows"]
        assert {r["unit"] for r in rows} == {"A", "B", "C", "D"}
