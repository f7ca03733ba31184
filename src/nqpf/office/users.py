"""Accounts: create, change role or scope, reset passwords, API tokens."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Conflict, Invalid, NotFound
from .models import ROLES, ApiToken, Unit, User, utcnow
from .security import check_password_strength, hash_password, new_token

_NAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,64}$")


def _scope(s: Session, role: str, provider: str | None, unit: str | None) -> tuple[str | None,
                                                                                  int | None]:
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if role == "provider":
        if not (provider or "").strip():
            raise Invalid("a provider account needs its department (provider), e.g. 省统计局")
        return provider.strip(), None
    if role == "region":
        if not unit:
            raise Invalid("a region account needs its unit code")
        u = s.scalar(select(Unit).where(Unit.code == unit))
        if u is None:
            raise NotFound(f"no unit {unit}; add the unit first")
        return None, u.id
    return None, None


def create_user(s: Session, username: str, password: str, role: str, *,
                display_name: str = "", provider: str | None = None,
                unit: str | None = None) -> User:
    username = username.strip()
    if not _NAME.match(username):
        raise Invalid(f"user name {username!r}: use 2-64 letters, digits, Chinese, _ . or -")
    if s.scalar(select(User).where(User.username == username)):
        raise Conflict(f"user name {username} is taken; choose another")
    weak = check_password_strength(password)
    if weak:
        raise Invalid(weak)
    prov, unit_id = _scope(s, role, provider, unit)
    u = User(username=username, display_name=display_name or username, role=role,
             provider=prov, unit_id=unit_id, password_hash=hash_password(password))
    s.add(u)
    s.flush()
    return u


def get_user(s: Session, username: str) -> User:
    u = s.scalar(select(User).where(User.username == username))
    if u is None:
        raise NotFound(f"no user {username}")
    return u


def change_user(s: Session, u: User, *, role: str | None = None, provider: str | None = None,
                unit: str | None = None, active: bool | None = None,
                display_name: str | None = None) -> dict[str, Any]:
    """Change role/scope/active; returns the old values of what changed (for the audit)."""
    before = user_dict(s, u)
    if role is not None or provider is not None or unit is not None:
        new_role = role or u.role
        cur_unit = s.get(Unit, u.unit_id).code if u.unit_id else None
        u.provider, u.unit_id = _scope(s, new_role, provider if provider is not None
                                       else u.provider, unit if unit is not None else cur_unit)
        u.role = new_role
    if active is not None:
        u.active = active
    if display_name is not None:
        u.display_name = display_name
    after = user_dict(s, u)
    return {k: before[k] for k in before if before[k] != after[k]}


def set_password(u: User, password: str) -> None:
    weak = check_password_strength(password)
    if weak:
        raise Invalid(weak)
    u.password_hash = hash_password(password)


def create_token(s: Session, u: User, name: str, days: float | None = 365) -> str:
    """A new bearer token for ``u`` (shown once; only its hash is kept)."""
    tok, h = new_token()
    s.add(ApiToken(user_id=u.id, name=name.strip() or "api", token_hash=h,
                   expires_at=utcnow() + timedelta(days=days) if days else None))
    return tok


def user_dict(s: Session, u: User) -> dict[str, Any]:
    unit = s.get(Unit, u.unit_id).code if u.unit_id else None
    return {"username": u.username, "display_name": u.display_name, "role": u.role,
            "provider": u.provider, "unit": unit, "active": u.active}
