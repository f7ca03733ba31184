"""Units (the regions assessed) and their classes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Conflict, Invalid, NotFound
from .models import Unit


def add_unit(s: Session, code: str, name: str, unit_class: str | None = None) -> Unit:
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise Invalid("a unit needs a code and a name")
    if s.scalar(select(Unit).where(Unit.code == code)):
        raise Conflict(f"unit {code} exists already")
    u = Unit(code=code, name=name, unit_class=(unit_class or None))
    s.add(u)
    s.flush()
    return u


def get_unit(s: Session, code: str) -> Unit:
    u = s.scalar(select(Unit).where(Unit.code == code))
    if u is None:
        raise NotFound(f"no unit {code}")
    return u


def all_units(s: Session) -> list[Unit]:
    return list(s.scalars(select(Unit).order_by(Unit.code)))


def unit_dict(u: Unit) -> dict[str, Any]:
    return {"code": u.code, "name": u.name, "class": u.unit_class}
