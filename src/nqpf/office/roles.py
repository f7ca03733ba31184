"""Roles and scope: who may do what to which unit and indicator.

====================  =====================================================
role                  may
====================  =====================================================
admin                 everything
provider (a 部门)     submit the indicators whose ``provider`` is its
                      department, for any unit; see those indicators' values
                      and its own submissions; see published results
region (a 市/县)      submit the indicators that no department provides
                      (provider empty) for its own unit; see its own unit's
                      values and its own results before publication
viewer                see published results
====================  =====================================================

Every API route calls one of the functions below before it touches data; each
raises :class:`~nqpf.office.errors.Forbidden` with a message naming the role,
the unit or the indicator at fault.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Forbidden
from .models import Indicator, Unit


@dataclass(frozen=True)
class Principal:
    """The logged-in user of one request."""

    user_id: int
    username: str
    role: str
    provider: str | None = None
    unit_id: int | None = None
    via: str = "session"  # "session" (browser cookie) or "token" (bearer)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def require_role(p: Principal, *roles: str) -> None:
    if p.role not in roles:
        raise Forbidden(
            f"user {p.username} ({p.role}) may not do this; it needs the role "
            + " or ".join(roles)
        )


def may_submit(p: Principal, unit: Unit, ind: Indicator) -> str | None:
    """None when ``p`` may submit ``ind`` for ``unit``, else the reason it may not."""
    if p.role == "admin":
        return None
    if p.role == "provider":
        if ind.provider and ind.provider == p.provider:
            return None
        owner = ind.provider or "各地区自报"
        return (f"indicator {ind.code} is assigned to {owner}, not to {p.provider or '?'}; "
                "it cannot be submitted by this user")
    if p.role == "region":
        if unit.id != p.unit_id:
            return f"unit {unit.code} is not this user's unit; a region submits only its own"
        if ind.provider:
            return (f"indicator {ind.code} is provided by {ind.provider}; "
                    "a region submits only indicators no department provides")
        return None
    return f"role {p.role} cannot submit values"


def check_unit_visible(p: Principal, unit_id: int) -> None:
    """Values and unpublished results of a unit: admin, providers, and the unit's region."""
    if p.role in ("admin", "provider"):
        return
    if p.role == "region" and p.unit_id == unit_id:
        return
    raise Forbidden(f"user {p.username} ({p.role}) may not see this unit's data")


def indicator_visible(p: Principal, ind: Indicator) -> bool:
    if p.role in ("admin", "region"):
        return True
    return p.role == "provider" and bool(ind.provider) and ind.provider == p.provider
