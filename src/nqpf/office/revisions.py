"""Append-only revisions, current values, history and snapshots.

A revision is written once and never changed. The current value of a
(period, unit, indicator) is its accepted revision with the largest id, kept
in ``current_values`` by an upsert that takes the larger of the stored and the
new revision id (``MAX`` on SQLite, ``GREATEST`` on PostgreSQL): two
transactions that commit in the opposite order of their ids still leave the
largest id current.

A snapshot is the sorted list of current revision ids of a period at one
moment; its SHA-256 digest identifies it, and taking a snapshot of unchanged
data returns the same snapshot, so a run can be repeated on exactly the same
numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import CurrentValue, Period, Revision, Snapshot, SnapshotItem, Unit, User


@dataclass(frozen=True)
class NewValue:
    unit_id: int
    indicator: str
    value: float
    note: str = ""


def append(
    s: Session,
    period: Period,
    values: Iterable[NewValue],
    *,
    user_id: int,
    reason: str,
    source_sha256: str,
    submission_id: int,
) -> list[Revision]:
    """Add one revision per value and make each the current one (unless a later exists)."""
    revs = [
        Revision(period_id=period.id, unit_id=v.unit_id, indicator=v.indicator,
                 value=float(v.value), user_id=user_id, reason=reason, note=v.note,
                 source_sha256=source_sha256, submission_id=submission_id)
        for v in values
    ]
    if not revs:
        return []
    s.add_all(revs)
    s.flush()
    rows = [{"period_id": r.period_id, "unit_id": r.unit_id, "indicator": r.indicator,
             "revision_id": r.id} for r in revs]
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        stmt = insert(CurrentValue)
        stmt = stmt.on_conflict_do_update(
            index_elements=["period_id", "unit_id", "indicator"],
            set_={"revision_id": func.greatest(CurrentValue.revision_id,
                                               stmt.excluded.revision_id)},
        )
    else:
        from sqlalchemy.dialects.sqlite import insert

        stmt = insert(CurrentValue)
        stmt = stmt.on_conflict_do_update(
            index_elements=["period_id", "unit_id", "indicator"],
            set_={"revision_id": func.max(CurrentValue.revision_id, stmt.excluded.revision_id)},
        )
    # one statement per row keeps the lock order stable (sorted keys) on PostgreSQL
    for row in sorted(rows, key=lambda r: (r["unit_id"], r["indicator"])):
        s.execute(stmt, row)
    return revs


def current(
    s: Session, period_id: int, *, unit_id: int | None = None,
    indicators: Iterable[str] | None = None,
) -> list[tuple[Revision, Unit]]:
    q = (select(Revision, Unit)
         .join(CurrentValue, CurrentValue.revision_id == Revision.id)
         .join(Unit, Unit.id == Revision.unit_id)
         .where(CurrentValue.period_id == period_id))
    if unit_id is not None:
        q = q.where(Revision.unit_id == unit_id)
    if indicators is not None:
        q = q.where(Revision.indicator.in_(list(indicators)))
    return [(r, u) for r, u in s.execute(q.order_by(Unit.code, Revision.indicator))]


def current_map(s: Session, period_id: int) -> dict[tuple[int, str], float]:
    q = (select(Revision.unit_id, Revision.indicator, Revision.value)
         .join(CurrentValue, CurrentValue.revision_id == Revision.id)
         .where(CurrentValue.period_id == period_id))
    return {(u, i): v for u, i, v in s.execute(q)}


def history(s: Session, period_id: int, unit_id: int, indicator: str) -> list[dict[str, Any]]:
    """Every revision of one key, oldest first, with who/when/why and the previous value."""
    q = (select(Revision, User.username)
         .join(User, User.id == Revision.user_id)
         .where(Revision.period_id == period_id, Revision.unit_id == unit_id,
                Revision.indicator == indicator)
         .order_by(Revision.id))
    cur = s.scalar(select(CurrentValue.revision_id).where(
        CurrentValue.period_id == period_id, CurrentValue.unit_id == unit_id,
        CurrentValue.indicator == indicator))
    out, prev = [], None
    for r, username in s.execute(q):
        out.append({"revision": r.id, "value": r.value, "previous_value": prev,
                    "user": username, "at": r.created_at.isoformat(), "reason": r.reason,
                    "note": r.note, "source_sha256": r.source_sha256,
                    "submission": r.submission_id, "current": r.id == cur})
        prev = r.value
    return out


def take_snapshot(s: Session, period: Period, previous: Period | None = None) -> Snapshot:
    """The current revisions of ``period`` (and of ``previous``, the reference of progress)
    as a snapshot, reused when nothing changed."""
    pids = [period.id] + ([previous.id] if previous is not None else [])
    ids = sorted(s.scalars(select(CurrentValue.revision_id)
                           .where(CurrentValue.period_id.in_(pids))))
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
    old = s.scalar(select(Snapshot).where(Snapshot.period_id == period.id,
                                          Snapshot.digest == digest).limit(1))
    if old is not None:
        return old
    snap = Snapshot(period_id=period.id, digest=digest)
    s.add(snap)
    s.flush()
    if ids:
        s.execute(SnapshotItem.__table__.insert(),
                  [{"snapshot_id": snap.id, "revision_id": i} for i in ids])
    return snap


def snapshot_values(s: Session, snapshot_id: int) -> list[tuple[str, str, str, float]]:
    """(unit code, period key, indicator, value) of every revision in a snapshot."""
    q = (select(Unit.code, Period.key, Revision.indicator, Revision.value)
         .join(SnapshotItem, SnapshotItem.revision_id == Revision.id)
         .join(Unit, Unit.id == Revision.unit_id)
         .join(Period, Period.id == Revision.period_id)
         .where(SnapshotItem.snapshot_id == snapshot_id)
         .order_by(Period.key, Unit.code, Revision.indicator))
    return [(u, p, i, v) for u, p, i, v in s.execute(q)]
