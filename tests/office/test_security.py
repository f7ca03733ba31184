"""Passwords, sessions with CSRF, tokens, login rate limit, secrets kept out of logs, CORS."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import update

from nqpf.office.models import LoginSession, utcnow
from nqpf.office.security import (
    LoginLimiter,
    RedactingFilter,
    hash_password,
    redact,
    verify_password,
)
from officetools import ADMIN_PW, USER_PW


def login(client, user="admin", pw=ADMIN_PW):
    return client.post("/api/v1/auth/login", json={"username": user, "password": pw})


def test_argon2_hashes_verify_and_never_equal_the_password():
    h = hash_password("correct horse battery")
    assert h.startswith("$argon2id$") and "correct horse" not in h
    assert verify_password(h, "correct horse battery")
    assert not verify_password(h, "wrong horse battery")
    assert not verify_password("not a hash", "x")


def test_session_cookie_is_httponly_strict_and_needs_csrf_for_changes(office):
    c = office.client
    r = login(c)
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    csrf = r.json()["csrf_token"]
    assert c.get("/api/v1/auth/me").json()["csrf_token"] == csrf
    body = {"code": "E", "name": "戊县"}
    assert c.post("/api/v1/units", json=body).status_code == 403  # no CSRF header
    assert c.post("/api/v1/units", json=body, headers={"X-CSRF-Token": "forged"}).status_code \
        == 403
    assert c.post("/api/v1/units", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert c.get("/api/v1/auth/me").status_code == 401


def test_expired_session_is_refused_with_a_message(office):
    c = office.client
    assert login(c).status_code == 200
    with office.client.app.state.office.db.session() as s:
        s.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    r = c.get("/api/v1/auth/me")
    assert r.status_code == 401 and "expired" in r.json()["message"]


def test_bad_and_revoked_tokens_are_401(office):
    r = office.client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    office.ok(office.patch("admin", "/api/v1/users/viewer", json={"active": False}))
    assert office.get("viewer", "/api/v1/auth/me").status_code == 401


def test_login_is_rate_limited(office):
    c = office.client
    for _ in range(5):
        assert login(c, "keji", "wrong password!").status_code == 401
    r = login(c, "keji", USER_PW)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    log = office.ok(office.get("admin", "/api/v1/audit", params={"action": "login_failed"}))
    assert len(log) == 5 and log[0]["username"] == "keji"


def test_limiter_window_and_reset():
    lim = LoginLimiter(2, window=60)
    lim.failed("u")
    assert lim.retry_after("u") == 0
    lim.failed("u")
    assert 0 < lim.retry_after("u") <= 60
    lim.succeeded("u")
    assert lim.retry_after("u") == 0


def test_no_password_or_token_in_logs_or_audit(office, caplog):
    caplog.set_level(logging.DEBUG)
    login(office.client, "keji", USER_PW)
    login(office.client, "keji", "a-wrong-secret-pw")
    r = office.post("admin", "/api/v1/users", json={"username": "new1", "role": "viewer",
                                                    "password": "brand-new-pw-77"})
    assert r.status_code == 201
    text = caplog.text + str(office.ok(office.get("admin", "/api/v1/audit")))
    for secret in (USER_PW, "a-wrong-secret-pw", "brand-new-pw-77", office.tokens["admin"]):
        assert secret not in text
    assert redact("password=hunter2 token: abc") == "password=*** token: ***"
    rec = logging.LogRecord("x", logging.INFO, "", 0, "Authorization: Bearer %s", ("zzz",),
                            None)
    RedactingFilter().filter(rec)
    assert "zzz" not in rec.getMessage()


def test_duplicate_user_name_is_refused(office):
    r = office.post("admin", "/api/v1/users", json={"username": "keji", "role": "viewer"})
    assert r.status_code == 409 and "taken" in r.json()["message"]
    r = office.post("admin", "/api/v1/users", json={"username": "x1", "role": "region",
                                                    "unit": "nowhere"})
    assert r.status_code == 404 and "no unit nowhere" in r.json()["message"]
    r = office.post("admin", "/api/v1/users", json={"username": "x2", "role": "viewer",
                                                    "password": "short"})
    assert r.status_code == 422 and "too short" in r.json()["message"]


def test_cors_is_closed_by_default_and_health_and_openapi_answer(office):
    c = office.client
    r = c.options("/api/v1/periods", headers={"Origin": "https://evil.example",
                                              "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}
    r = c.get("/api/v1/auth/me", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}
    assert c.get("/health").json() == {"status": "ok"}
    paths = c.get("/openapi.json").json()["paths"]
    assert "/api/v1/periods/{key}/uploads" in paths and "/api/v1/runs/{run_id}" in paths
