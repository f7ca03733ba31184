"""Request dependencies: the office context and the logged-in principal."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from ..context import OfficeContext
from ..errors import Forbidden, NotLoggedIn
from ..models import ApiToken, LoginSession, User, utcnow
from ..roles import Principal, require_role
from ..security import CSRF_HEADER, SESSION_COOKIE, token_hash

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def ctx_of(request: Request) -> OfficeContext:
    return request.app.state.office


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def principal(request: Request) -> Principal:
    """The user of this request, from a bearer token or a session cookie (with CSRF)."""
    ctx = ctx_of(request)
    auth = request.headers.get("authorization", "")
    now = utcnow()
    with ctx.db.session(readonly=True) as s:
        if auth.lower().startswith("bearer "):
            tok = s.scalar(
                select(ApiToken).where(ApiToken.token_hash == token_hash(auth[7:].strip()))
            )
            if tok is None or tok.revoked:
                raise NotLoggedIn("unknown or revoked API token")
            if tok.expires_at is not None and tok.expires_at < now:
                raise NotLoggedIn("the API token has expired; create a new one")
            user, via = s.get(User, tok.user_id), "token"
        else:
            cookie = request.cookies.get(SESSION_COOKIE)
            if not cookie:
                raise NotLoggedIn("not logged in; log in first")
            sess = s.get(LoginSession, token_hash(cookie))
            if sess is None:
                raise NotLoggedIn("not logged in (the session is unknown); log in again")
            if sess.expires_at < now:
                raise NotLoggedIn("the session has expired; log in again")
            if request.method in UNSAFE:
                sent = request.headers.get(CSRF_HEADER, "")
                if not hmac.compare_digest(sent, sess.csrf_token):
                    raise Forbidden(
                        f"missing or wrong {CSRF_HEADER} header; reload the page and try again"
                    )
            user, via = s.get(User, sess.user_id), "session"
        if user is None or not user.active:
            raise NotLoggedIn("this account is disabled; ask the office administrator")
        return Principal(user.id, user.username, user.role, user.provider, user.unit_id, via)


def admin(request: Request) -> Principal:
    p = principal(request)
    require_role(p, "admin")
    return p


def submitter(request: Request) -> Principal:
    p = principal(request)
    require_role(p, "admin", "provider", "region")
    return p


Anyone = Annotated[Principal, Depends(principal)]
Admin = Annotated[Principal, Depends(admin)]
Submitter = Annotated[Principal, Depends(submitter)]
