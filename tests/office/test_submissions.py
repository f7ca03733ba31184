"""Uploads, pushes, warnings, review and the revision history."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from officetools import fill


def test_template_is_prefilled_with_chinese_headers_last_value_and_target(office):
    data = office.template("keji", "2024")
    ws = load_workbook(io.BytesIO(data))["填报"]
    assert [c.value for c in ws[3]] == ["地区代码", "地区", "指标代码", "指标", "计量单位",
                                         "上期值", "目标值", "本期值", "备注（说明）"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    # 科技厅 provides rd and patents for every unit: 4 units × 2 indicators
    assert [(r[0], r[2]) for r in rows] == [(u, i) for u in "ABCD" for i in ("patents", "rd")] \
        or sorted((r[0], r[2]) for r in rows) == sorted((u, i) for u in "ABCD"
                                                        for i in ("rd", "patents"))
    a_rd = next(r for r in rows if r[0] == "A" and r[2] == "rd")
    assert a_rd[1] == "甲市" and a_rd[3] == "研发投入强度" and a_rd[4] == "%"
    assert a_rd[5] == 2.0 and a_rd[6] == 2.5 and a_rd[7] is None
    # a region's template: its own unit, the indicators no department provides
    ws = load_workbook(io.BytesIO(office.template("city_a", "2024")))["填报"]
    assert [(r[0].value, r[2].value) for r in ws.iter_rows(min_row=4)] == [("A", "forest")]


def test_clean_upload_is_accepted_and_becomes_revisions(office):
    tpl = office.template("keji", "2024")
    rd = {"A": 2.1, "B": 1.6, "C": 1.1, "D": 0.9}
    vals = {(u, "rd"): v for u, v in rd.items()} | {("C", "patents"): "3.5"}
    r = office.upload("keji", "2024", fill(tpl, vals | {("A", "patents"): "8.5"}))
    sub = office.ok(r, 201)
    assert sub["state"] == "accepted" and sub["errors"] == 0
    # patents of B and D left blank: reported as missing, not blocking
    missing = {(f["unit"], f["indicator"]) for f in sub["report"] if f["check"] == "missing"}
    assert missing == {("B", "patents"), ("D", "patents")}
    cur = office.ok(office.get("keji", "/api/v1/periods/2024/values"))
    got = {(c["unit"], c["indicator"]): c["value"] for c in cur}
    assert got == {("A", "rd"): 2.1, ("B", "rd"): 1.6, ("C", "rd"): 1.1, ("D", "rd"): 0.9,
                   ("A", "patents"): 8.5, ("C", "patents"): 3.5}


def test_correction_is_a_new_revision_and_history_shows_both(office):
    office.push("keji", "2024", [("A", "rd", 2.1)], reason="初报")
    office.push("keji", "2024", [("A", "rd", 2.2)], reason="更正笔误")
    hist = office.ok(office.get("admin", "/api/v1/periods/2024/values/A/rd/history"))
    assert [(h["value"], h["previous_value"], h["reason"], h["user"], h["current"])
            for h in hist] == [(2.1, None, "初报", "keji", False),
                               (2.2, 2.1, "更正笔误", "keji", True)]
    assert all(len(h["source_sha256"]) == 64 for h in hist)
    cur = office.ok(office.get("city_a", "/api/v1/periods/2024/values"))
    assert cur == [] or all(c["unit"] == "A" for c in cur)
    cur = office.ok(office.get("keji", "/api/v1/periods/2024/values", params={"unit": "A"}))
    assert [(c["indicator"], c["value"]) for c in cur] == [("rd", 2.2)]


def test_warning_needs_explanation_then_admin_accepts(office):
    # A's rd was 2.0 in 2023: 3.5 is a jump of +75 % > 50 %
    sub = office.push("keji", "2024", [("A", "rd", 3.5), ("B", "rd", 1.6)])
    assert sub["state"] == "needs_explanation" and sub["warnings"] == 1
    warned = [it for it in sub["items"] if it["warning"]]
    assert len(warned) == 1 and "+75.0%" in warned[0]["warning"]
    assert office.counts()["revisions"] == 16  # only 2023's; nothing of 2024 yet
    r = office.post("admin", f"/api/v1/submissions/{sub['id']}/accept", json={})
    assert r.status_code == 409  # not explained yet
    body = {"explanations": {str(warned[0]["id"]): "新建研发中心投产"}}
    sub2 = office.ok(office.post("keji", f"/api/v1/submissions/{sub['id']}/explanations",
                                 json=body))
    assert sub2["state"] == "pending"
    done = office.ok(office.post("admin", f"/api/v1/submissions/{sub['id']}/accept",
                                 json={"note": "同意"}))
    assert done["state"] == "accepted"
    hist = office.ok(office.get("admin", "/api/v1/periods/2024/values/A/rd/history"))
    assert hist[-1]["value"] == 3.5 and hist[-1]["note"] == "新建研发中心投产"


def test_note_in_template_explains_the_warning_and_admin_can_return(office):
    tpl = office.template("city_a", "2024")
    sub = office.ok(office.upload("city_a", "2024", fill(tpl, {("A", "forest"): 60},
                                                        {("A", "forest"): "退耕还林"})), 201)
    assert sub["state"] == "pending"
    r = office.ok(office.post("admin", f"/api/v1/submissions/{sub['id']}/return",
                              json={"reason": "请附林业局证明"}))
    assert r["state"] == "returned" and r["decision_note"] == "请附林业局证明"
    assert office.ok(office.get("admin", "/api/v1/periods/2024/values",
                                params={"unit": "A"})) == []
    listed = office.ok(office.get("city_a", "/api/v1/submissions"))
    assert [x["id"] for x in listed] == [sub["id"]]
    assert office.ok(office.get("city_b", "/api/v1/submissions")) == []


def test_errors_refuse_the_whole_upload_with_a_report_per_cell(office):
    tpl = office.template("keji", "2024")
    before = office.counts()
    bad = fill(tpl, {("A", "rd"): "abc", ("B", "rd"): -1, ("C", "rd"): 1.0, ("D", "rd"): 150})
    r = office.upload("keji", "2024", bad)
    assert r.status_code == 422
    report = r.json()["detail"]
    errs = {(f["unit"], f["check"]): f for f in report if f["severity"] == "error"}
    assert set(errs) == {("A", "non_numeric"), ("B", "out_of_bounds"), ("D", "out_of_bounds")}
    assert errs[("A", "non_numeric")]["cell"].startswith("H")
    assert "不是数字" in errs[("A", "non_numeric")]["message"]
    assert office.counts() == before


def test_duplicate_rows_are_an_error(office):
    r = office.post("keji", "/api/v1/periods/2024/values", json={"values": [
        {"unit": "A", "indicator": "rd", "value": 2.1},
        {"unit": "A", "indicator": "rd", "value": 2.2}]})
    assert r.status_code == 422
    assert [f["check"] for f in r.json()["detail"]] == ["duplicate_key"]


def test_completeness_grid(office):
    office.push("keji", "2024", [("A", "rd", 2.1)])
    office.push("keji", "2024", [("B", "rd", 9.9)])  # jump: waiting for an explanation
    grid = office.ok(office.get("admin", "/api/v1/periods/2024/completeness"))
    cells = {(c["unit"], c["indicator"]): c["state"] for c in grid["cells"]}
    assert cells[("A", "rd")] == "submitted" and cells[("B", "rd")] == "pending"
    assert grid["counts"] == {"submitted": 1, "pending": 1, "missing": 14}
