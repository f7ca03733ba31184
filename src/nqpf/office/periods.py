"""Reporting periods and their states: open → collecting → locked → published.

- ``open``: created, templates can be downloaded, nothing submitted yet;
- ``collecting``: providers and regions submit and correct;
- ``locked``: frozen; no submission is taken; runs may start;
- ``published``: a run is the period's official result.

Reopening (locked or published back to collecting) is allowed with a reason
and logged; publishing is done by publishing a run (:mod:`.runs`).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Conflict, Invalid, NotFound
from .models import FrameworkVersion, Period

_YEAR = re.compile(r"^(19|20)\d\d$")
_QUARTER = re.compile(r"^(19|20)\d\dQ[1-4]$")

#: (from, to) transitions the state endpoint takes; ``published`` comes from a run.
TRANSITIONS = {
    ("open", "collecting"),
    ("collecting", "locked"),
    ("locked", "collecting"),
    ("published", "collecting"),
}
REOPEN = {("locked", "collecting"), ("published", "collecting")}


def period_kind(key: str) -> str:
    if _YEAR.match(key):
        return "year"
    if _QUARTER.match(key):
        return "quarter"
    raise Invalid(f"period {key!r} is neither a year (2024) nor a quarter (2024Q1)")


def create_period(s: Session, key: str, version: FrameworkVersion,
                  deadline: str | None = None) -> Period:
    key = key.strip().upper()
    kind = period_kind(key)
    if s.scalar(select(Period).where(Period.key == key)):
        raise Conflict(f"period {key} exists already")
    p = Period(key=key, kind=kind, version_id=version.id, state="open", deadline=deadline)
    s.add(p)
    s.flush()
    return p


def get_period(s: Session, key: str, *, for_update: bool = False,
               for_share: bool = False) -> Period:
    """The period ``key``; ``for_update`` locks it (state changes), ``for_share`` keeps it
    from changing state until the transaction ends (submissions, on PostgreSQL)."""
    q = select(Period).where(Period.key == key.strip().upper())
    if for_update:
        q = q.with_for_update()
    elif for_share:
        q = q.with_for_update(read=True)
    p = s.scalar(q)
    if p is None:
        raise NotFound(f"no period {key}")
    return p


def previous_period(s: Session, p: Period) -> Period | None:
    """The latest period of the same kind before ``p``."""
    return s.scalar(select(Period).where(Period.kind == p.kind, Period.key < p.key)
                    .order_by(Period.key.desc()).limit(1))


def transition(s: Session, p: Period, to: str, reason: str = "") -> tuple[str, str]:
    """Move ``p`` to state ``to``; reopening needs a reason. Returns (from, to)."""
    frm = p.state
    if (frm, to) not in TRANSITIONS:
        allowed = sorted(t for f, t in TRANSITIONS if f == frm)
        hint = f"from {frm} it can go to {', '.join(allowed)}" if allowed else ""
        if to == "published":
            hint = "a period is published by publishing one of its runs"
        raise Conflict(f"period {p.key} is {frm} and cannot become {to}; {hint}".rstrip("; "))
    if (frm, to) in REOPEN and not reason.strip():
        raise Invalid(f"reopening period {p.key} needs a reason")
    p.state = to
    if (frm, to) in REOPEN:
        p.published_run_id = None
    return frm, to


def require_collecting(p: Period) -> None:
    if p.state != "collecting":
        raise Conflict(
            f"period {p.key} is {p.state}: submissions are taken only while it is collecting"
            + ("; ask the office to reopen it" if p.state in ("locked", "published") else "")
        )


def period_dict(p: Period, version: FrameworkVersion | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"key": p.key, "kind": p.kind, "state": p.state,
                         "deadline": p.deadline, "published_run": p.published_run_id}
    if version is not None:
        d["framework"] = {"code": version.code, "version": version.version}
    return d
