"""The audit log: every action, who did it, when, on what, from where.

Actions are short verbs (``login``, ``login_failed``, ``upload``,
``upload_rejected``, ``push``, ``explain``, ``accept``, ``return``,
``period_state``, ``reopen``, ``run``, ``run_complete``, ``run_failed``,
``publish``, ``user_create``, ``role_change``, ``password_reset``,
``token_create``, ``framework_import``, ``unit_create``, ``restore``).
Details are small JSON objects and never carry a password or a token.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEntry


def record(
    s: Session,
    action: str,
    *,
    user_id: int | None = None,
    username: str = "",
    target: str = "",
    ip: str = "",
    **detail: Any,
) -> AuditEntry:
    e = AuditEntry(
        action=action,
        user_id=user_id,
        username=username,
        target=target[:200],
        ip=ip[:64],
        detail_json=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
    )
    s.add(e)
    return e


def query(
    s: Session,
    *,
    action: str | None = None,
    username: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    """Entries newest first, filtered by action, user, target (prefix) and time."""
    q = select(AuditEntry)
    if action:
        q = q.where(AuditEntry.action == action)
    if username:
        q = q.where(AuditEntry.username == username)
    if target:
        q = q.where(AuditEntry.target.startswith(target))
    if since:
        q = q.where(AuditEntry.at >= since)
    if until:
        q = q.where(AuditEntry.at <= until)
    q = q.order_by(AuditEntry.id.desc()).limit(min(limit, 1000)).offset(offset)
    return list(s.scalars(q))


def as_dict(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "username": e.username,
        "action": e.action,
        "target": e.target,
        "detail": json.loads(e.detail_json or "{}"),
        "ip": e.ip,
    }
