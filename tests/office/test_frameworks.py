"""Framework versions in the office: import, errors, providers and targets, frozen once used."""

from __future__ import annotations

from officetools import FRAMEWORK_YAML


def _upload(office, text: str, name: str = "f.yaml", **form):
    return office.post("admin", "/api/v1/frameworks", data=form,
                       files={"file": (name, text.encode(), "text/yaml")})


def test_framework_versions_import_and_freeze(office):
    r = _upload(office, FRAMEWORK_YAML)
    assert r.status_code == 409 and "version 1 exists" in r.json()["message"]
    v2 = office.ok(_upload(office, FRAMEWORK_YAML, version="2", valid_from="2025-01-01"), 201)
    assert v2["version"] == "2" and v2["valid_from"] == "2025-01-01"
    assert [i["code"] for i in v2["indicators"]] == ["rd", "patents", "energy", "forest"]
    assert v2["indicators"][0]["lo"] == 0 and v2["indicators"][0]["hi"] == 100  # a % unit
    got = office.ok(office.get("viewer", "/api/v1/frameworks/test-office/1"))
    assert {i["code"]: i["provider"] for i in got["indicators"]}["energy"] == "统计局"
    assert "研发投入强度" in got["yaml"]
    # version 1 is used by periods: its providers and targets are frozen
    r = office.patch("admin", "/api/v1/frameworks/test-office/1/indicators/rd",
                     json={"target": 3.0})
    assert r.status_code == 409 and "import a new version" in r.json()["message"]
    assert office.patch("admin", "/api/v1/frameworks/test-office/2/indicators/rd",
                        json={"target": 3.0}).status_code == 200


def test_bad_framework_files_are_refused_with_the_place_at_fault(office):
    bad = FRAMEWORK_YAML.replace("direction: +}", "direction: up}", 1)
    r = _upload(office, bad)
    assert r.status_code == 422 and "unknown direction 'up'" in r.json()["message"]
    r = _upload(office, "id: [unclosed")
    assert r.status_code == 422
    r = _upload(office, FRAMEWORK_YAML, name="f.txt")
    assert r.status_code == 422 and ".yaml" in r.json()["message"]
    assert len(office.ok(office.get("admin", "/api/v1/frameworks"))) == 1
