"""Log in and out, who am I, my password, my API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from .. import audit
from ..errors import Invalid, NotLoggedIn, TooManyAttempts
from ..models import LoginSession, User, utcnow
from ..security import (
    SESSION_COOKIE,
    hash_password,
    needs_rehash,
    new_token,
    token_hash,
    verify_password,
)
from ..users import create_token, set_password, user_dict
from .deps import Anyone, client_ip, ctx_of
from .schemas import LoginIn, PasswordChangeIn, TokenIn

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
_DUMMY = hash_password("not a real password, used to spend the same time")


@router.post("/login")
def login(body: LoginIn, request: Request, response: Response) -> dict:
    """Log in with user name and password: sets the session cookie, returns the CSRF token."""
    ctx = ctx_of(request)
    ip = client_ip(request)
    keys = (f"user:{body.username}", f"ip:{ip}")
    wait = ctx.limiter.retry_after(*keys)
    if wait > 0:
        ctx.record("login_blocked", username=body.username[:64], ip=ip)
        raise TooManyAttempts(
            f"too many failed logins; try again in {int(wait) + 1} s",
            detail={"retry_after": int(wait) + 1},
        )
    with ctx.db.session() as s:
        u = s.scalar(select(User).where(User.username == body.username))
        ok = verify_password(u.password_hash if u else _DUMMY, body.password)
        if u and ok and u.active:
            ctx.limiter.succeeded(keys[0])
            if needs_rehash(u.password_hash):
                u.password_hash = hash_password(body.password)
            tok, h = new_token()
            csrf = secrets.token_urlsafe(24)
            s.add(LoginSession(token_hash=h, user_id=u.id, csrf_token=csrf,
                               expires_at=utcnow() + timedelta(hours=ctx.settings.session_hours)))
            audit.record(s, "login", user_id=u.id, username=u.username, ip=ip)
            info = user_dict(s, u)
        else:
            info = None
    if info is None:
        ctx.limiter.failed(*keys)
        ctx.record("login_failed", username=body.username[:64], ip=ip)
        raise NotLoggedIn("wrong user name or password")
    secure = ctx.settings.cookie_secure == "always" or (
        ctx.settings.cookie_secure == "auto" and request.url.scheme == "https"
    )
    response.set_cookie(
        SESSION_COOKIE,
        tok,
        httponly=True,
        samesite="strict",
        secure=secure,
        max_age=int(ctx.settings.session_hours * 3600),
        path="/",
    )
    return {"user": info, "csrf_token": csrf}


@router.post("/logout")
def logout(request: Request, p: Anyone, response: Response) -> dict:
    ctx = ctx_of(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    with ctx.db.session() as s:
        if cookie:
            sess = s.get(LoginSession, token_hash(cookie))
            if sess is not None:
                s.delete(sess)
        audit.record(s, "logout", user_id=p.user_id, username=p.username, ip=client_ip(request))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/me")
def me(request: Request, p: Anyone) -> dict:
    """The logged-in user; for a browser session also its CSRF token."""
    ctx = ctx_of(request)
    with ctx.db.session() as s:
        info = user_dict(s, s.get(User, p.user_id))
        csrf = None
        cookie = request.cookies.get(SESSION_COOKIE)
        if p.via == "session" and cookie:
            sess = s.get(LoginSession, token_hash(cookie))
            csrf = sess.csrf_token if sess else None
    return {"user": info, "via": p.via, "csrf_token": csrf}


@router.post("/password")
def change_password(body: PasswordChangeIn, request: Request, p: Anyone) -> dict:
    ctx = ctx_of(request)
    with ctx.db.session() as s:
        u = s.get(User, p.user_id)
        if not verify_password(u.password_hash, body.old_password):
            raise Invalid("the old password is wrong")
        set_password(u, body.new_password)
        audit.record(s, "password_change", user_id=u.id, username=u.username, ip=client_ip(request))
    return {"ok": True}


@router.post("/tokens", status_code=201)
def new_api_token(body: TokenIn, request: Request, p: Anyone) -> dict:
    """A bearer token for a machine acting as this user; shown once."""
    ctx = ctx_of(request)
    with ctx.db.session() as s:
        tok = create_token(s, s.get(User, p.user_id), body.name, body.days)
        audit.record(
            s,
            "token_create",
            user_id=p.user_id,
            username=p.username,
            target=body.name,
            ip=client_ip(request),
        )
    return {"token": tok, "name": body.name}
