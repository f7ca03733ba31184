"""Bad uploads: each gets a clear error and nothing is stored."""

from __future__ import annotations

import io
import zipfile

import pytest

from nqpf.office.errors import Invalid, TooLarge
from nqpf.office.uploads import Limits, check_xlsx_container
from officetools import fill


def _rezip(data: bytes, extra: dict[str, bytes] | None = None,
           replace: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, (replace or {}).get(info.filename, src.read(info)))
        for k, v in (extra or {}).items():
            z.writestr(k, v)
    return buf.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol3;</workbook>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&x;</workbook>"""


def test_every_bad_upload_is_refused_with_a_clear_error_and_nothing_stored(office):
    tpl = office.template("keji", "2024")
    good = fill(tpl, {("A", "rd"): 2.1})
    office.state("2023", "collecting", reason="补报")  # 2023 collecting again for one case
    tpl_2023 = office.template("keji", "2023")
    office.state("2023", "locked")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 5_000_000 + b"</a>")
    before = office.counts()
    bad = [
        ("t.xlsx", b"this is not a workbook", 422, "not a valid .xlsx"),
        ("t.xlsm", good, 422, "macros"),
        ("t.xlsx", _rezip(good, extra={"xl/vbaProject.bin": b"\0" * 64}), 422, "macros"),
        ("t.xlsx", bomb.getvalue(), 413, "zip bomb"),
        ("t.xlsx", _rezip(good, replace={"xl/workbook.xml": BILLION_LAUGHS}), 422, "entit"),
        ("t.xlsx", _rezip(good, replace={"xl/workbook.xml": XXE}), 422, "entit"),
        ("t.xlsx", b"PK" + b"\0" * (11 * 1024 * 1024), 413, "larger than the limit"),
        ("t.xlsx", fill(tpl_2023, {("A", "rd"): 2.1}), 422, "period 2023, not 2024"),
    ]
    for name, data, status, words in bad:
        r = office.upload("keji", "2024", data, name=name)
        assert r.status_code == status, (name, words, r.text)
        assert words in r.json()["message"], (words, r.json()["message"])
    # a value not assigned to the uploader (统计局 fills 科技厅's rd through its own template
    # is impossible, so it pushes it); and an upload into a locked period
    r = office.post("tongji", "/api/v1/periods/2024/values",
                    json={"values": [{"unit": "A", "indicator": "rd", "value": 2.1}]})
    assert r.status_code == 403 and "outside this user's assignment" in r.json()["message"]
    assert r.json()["detail"][0]["check"] == "not_assigned"
    office.state("2024", "locked")
    r = office.upload("keji", "2024", good)
    assert r.status_code == 409 and "only while it is collecting" in r.json()["message"]
    assert office.counts() == before
    rejected = office.ok(office.get("admin", "/api/v1/audit",
                                    params={"action": "upload_rejected"}))
    assert len(rejected) == len(bad) - 1 + 1  # the oversized body never reaches the route


def test_template_of_another_framework_version_is_refused(office):
    tpl = office.template("keji", "2024")
    wb_bytes = fill(tpl, {("A", "rd"): 2.1})
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(wb_bytes))
    wb["_meta"]["B3"] = "2"  # the version row
    buf = io.BytesIO()
    wb.save(buf)
    r = office.upload("keji", "2024", buf.getvalue())
    assert r.status_code == 422 and "version 2" in r.json()["message"]
    assert office.counts()["submissions"] == 1  # 2023's seed push only


def test_container_limits_without_the_server():
    small = Limits(upload_max_bytes=100, unzipped_max_bytes=10, zip_ratio_max=2,
                   zip_members_max=1)
    with pytest.raises(TooLarge):
        check_xlsx_container(b"x" * 101, "a.xlsx", small)
    with pytest.raises(Invalid, match="upload the .xlsx"):
        check_xlsx_container(b"x", "a.csv")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>" * 10)
    with pytest.raises(TooLarge, match="expands to"):
        check_xlsx_container(buf.getvalue(), "a.xlsx", Limits(10**6, 50, 1000, 10))
    with pytest.raises(Invalid, match="parts in the archive"):
        check_xlsx_container(buf.getvalue(), "a.xlsx", Limits(10**6, 10**6, 1000, 1))
