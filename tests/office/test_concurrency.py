"""Fifty clients submitting and correcting at once over loopback, on both databases."""

from __future__ import annotations

import json

from officetools import LiveServer, check_consistency, push_load

SECONDS = 10


def test_fifty_clients_lose_no_revision_and_keep_one_current_value(office):
    cfg = json.loads((office.folder / "office.json").read_text())
    server = LiveServer(office.folder).start()
    try:
        recs = push_load(server.url, office.tokens, SECONDS, clients=50)
    finally:
        server.stop()
    unanswered = [r for r in recs if r["status"] is None]
    assert unanswered == [], unanswered[:3]
    assert {r["status"] for r in recs if r["kind"] == "read"} <= {200}
    pushes = [r for r in recs if r["kind"] == "push"]
    assert {r["status"] for r in pushes} == {201} and len(pushes) >= 50
    assert {r["state"] for r in pushes} == {"accepted"}
    counts = check_consistency(cfg["db_url"], office.folder)
    sent = sum(len(r["values"]) for r in pushes)
    assert counts["revisions"] == 16 + sent  # 2023's seed plus every value acknowledged
    assert counts["submissions"] == 1 + len(pushes)
    # the current value of each key is the value of the last acknowledged request for it
    # (requests on one key never overlap in a way that changes the order of their ids,
    # so check the weaker, order-free property: it is one of the values sent for that key)
    sent_by_key: dict[tuple[str, str], set[float]] = {}
    for r in pushes:
        for u, i, v in r["values"]:
            sent_by_key.setdefault((u, i), set()).add(v)
    cur = office.ok(office.get("admin", "/api/v1/periods/2024/values"))
    assert len(cur) == len(sent_by_key)
    for c in cur:
        assert c["value"] in sent_by_key[(c["unit"], c["indicator"])]
