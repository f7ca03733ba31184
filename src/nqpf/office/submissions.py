"""Submissions: check, store, explain, accept or return.

An upload (a filled template) and a push (JSON from another system) go the
same way:

1. the period must be collecting; a template must belong to this period and
   framework version;
2. every value is checked (:mod:`.checks`); any error refuses the whole
   submission and nothing is stored (the report says which cells to fix);
3. a submission without warnings is accepted at once: each value becomes a
   revision;
4. a warning needs an explanation (the template's note column counts); once
   every warning is explained the submission waits for the admin, who accepts
   it (its values become revisions) or returns it with a reason.

A submission is stored and, when accepted, turned into revisions in one
transaction: a server killed half-way leaves either all of it or none.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import revisions
from .checks import CheckResult, RawValue, check_values
from .errors import Conflict, Forbidden, Invalid, NotFound
from .frameworks import indicators_of
from .models import FrameworkVersion, Period, Submission, SubmissionItem, Unit, utcnow
from .periods import previous_period, require_collecting
from .roles import Principal, may_submit


def scope_rows(s: Session, p: Principal, period: Period, *,
               unit_code: str | None = None, provider: str | None = None):
    """(unit, indicator) pairs a principal submits for ``period``, in template order."""
    inds = indicators_of(s, period.version_id)
    units = list(s.scalars(select(Unit).order_by(Unit.code)))
    if p.role == "admin":
        if unit_code:
            units = [u for u in units if u.code == unit_code]
            if not units:
                raise NotFound(f"no unit {unit_code}")
            inds = [i for i in inds if not provider or i.provider == provider]
        elif provider:
            inds = [i for i in inds if i.provider == provider]
        return [(u, i) for u in units for i in inds]
    rows = [(u, i) for u in units for i in inds if may_submit(p, u, i) is None]
    if not rows:
        raise Forbidden(f"user {p.username} ({p.role}) has no indicator to submit "
                        f"in period {period.key}")
    return rows


def previous_values(s: Session, period: Period) -> dict[tuple[int, str], float]:
    prev = previous_period(s, period)
    return revisions.current_map(s, prev.id) if prev else {}


def check_meta(meta: dict[str, str], period: Period, version: FrameworkVersion,
               filename: str) -> None:
    if meta.get("period") != period.key:
        raise Invalid(f"{filename}: this template is for period {meta.get('period', '?')}, "
                      f"not {period.key}; download the template of {period.key}")
    if (meta.get("framework"), meta.get("version")) != (version.code, version.version) or \
            meta.get("framework_sha256") != version.spec_sha256:
        raise Invalid(
            f"{filename}: this template is for framework {meta.get('framework', '?')} version "
            f"{meta.get('version', '?')}, but period {period.key} uses {version.code} version "
            f"{version.version}; download a fresh template"
        )


def submit(
    s: Session,
    p: Principal,
    period: Period,
    raw: list[RawValue],
    *,
    channel: str,
    source_sha256: str,
    jump_ratio: float,
    reason: str = "",
    filename: str | None = None,
    meta: dict[str, str] | None = None,
) -> tuple[Submission, CheckResult]:
    """Check and store a submission; raise Invalid (with the report) on any error."""
    require_collecting(period)
    version = s.get(FrameworkVersion, period.version_id)
    if meta is not None:
        check_meta(meta, period, version, filename or "upload")
    if not raw:
        raise Invalid("the submission holds no value; fill in the 本期值 column")
    units = {u.code: u for u in s.scalars(select(Unit))}
    inds = {i.code: i for i in indicators_of(s, period.version_id)}
    expected = None
    if meta is not None and p.role != "admin":
        expected = {(u.code, i.code) for u, i in scope_rows(s, p, period)}
    result = check_values(raw, principal=p, units=units, indicators=inds,
                          previous=previous_values(s, period), jump_ratio=jump_ratio,
                          expected=expected)
    scope = [f for f in result.errors if f["check"] == "not_assigned"]
    if scope:
        raise Forbidden(f"{len(scope)} value(s) outside this user's assignment (e.g. "
                        f"{scope[0]['unit']}·{scope[0]['indicator']}); nothing was stored",
                        detail=result.findings)
    if result.errors:
        n = len(result.errors)
        raise Invalid(f"{n} error{'s' if n > 1 else ''} in the submission; nothing was stored. "
                      "Fix the cells listed and submit again", detail=result.findings)
    if not result.values:
        raise Invalid("the submission holds no value; fill in the 本期值 column",
                      detail=result.findings)
    unexplained = [v for v in result.values if v.warning and not v.note]
    state = "needs_explanation" if unexplained else ("pending" if result.warnings
                                                      else "accepted")
    sub = Submission(period_id=period.id, user_id=p.user_id, channel=channel, state=state,
                     filename=filename, source_sha256=source_sha256,
                     reason=reason.strip() or ("上传模板" if channel == "upload" else "系统推送"),
                     report_json=json.dumps(result.findings, ensure_ascii=False))
    s.add(sub)
    s.flush()
    s.add_all([SubmissionItem(submission_id=sub.id, unit_id=v.unit.id, indicator=v.indicator.code,
                              value=v.value, note=v.note, warning=v.warning,
                              explanation=(v.note or None) if v.warning else None, cell=v.cell)
               for v in result.values])
    s.flush()
    if state == "accepted":
        _make_revisions(s, period, sub)
    return sub, result


def _make_revisions(s: Session, period: Period, sub: Submission) -> None:
    items = list(s.scalars(select(SubmissionItem).where(SubmissionItem.submission_id == sub.id)
                           .order_by(SubmissionItem.id)))
    # the explanation of a warning is kept as the note of that value's revision
    revisions.append(
        s, period,
        [revisions.NewValue(it.unit_id, it.indicator, it.value,
                            note=(it.explanation or it.note or "")) for it in items],
        user_id=sub.user_id, reason=sub.reason, source_sha256=sub.source_sha256,
        submission_id=sub.id,
    )


def get_submission(s: Session, p: Principal, sub_id: int) -> Submission:
    sub = s.get(Submission, sub_id)
    if sub is None:
        raise NotFound(f"no submission {sub_id}")
    if p.role != "admin" and sub.user_id != p.user_id:
        raise Forbidden(f"submission {sub_id} was made by another user")
    return sub


def explain(s: Session, p: Principal, sub: Submission, explanations: dict[int, str]) -> None:
    """Attach explanations to warned items; all explained → waits for the admin."""
    if sub.user_id != p.user_id and p.role != "admin":
        raise Forbidden("only the submitter explains the warnings of a submission")
    if sub.state not in ("needs_explanation", "returned", "pending"):
        raise Conflict(f"submission {sub.id} is {sub.state}; it takes no explanation now")
    require_collecting(s.get(Period, sub.period_id))
    items = {it.id: it for it in s.scalars(select(SubmissionItem).where(
        SubmissionItem.submission_id == sub.id, SubmissionItem.warning.is_not(None)))}
    for item_id, text in explanations.items():
        if item_id not in items:
            raise Invalid(f"item {item_id} of submission {sub.id} has no warning to explain")
        if not text.strip():
            raise Invalid(f"the explanation of item {item_id} is empty")
        items[item_id].explanation = text.strip()
    if all(it.explanation for it in items.values()):
        sub.state = "pending"


def accept(s: Session, admin: Principal, sub: Submission, note: str = "") -> None:
    if sub.state != "pending":
        raise Conflict(f"submission {sub.id} is {sub.state}; only a submission whose warnings "
                       "are all explained (pending) can be accepted")
    period = s.get(Period, sub.period_id)
    require_collecting(period)
    sub.state, sub.decided_by, sub.decided_at = "accepted", admin.user_id, utcnow()
    sub.decision_note = note.strip() or None
    _make_revisions(s, period, sub)


def return_(s: Session, admin: Principal, sub: Submission, reason: str) -> None:
    if sub.state not in ("pending", "needs_explanation"):
        raise Conflict(f"submission {sub.id} is {sub.state}; it cannot be returned")
    if not reason.strip():
        raise Invalid("returning a submission needs a reason the submitter can act on")
    sub.state, sub.decided_by, sub.decided_at = "returned", admin.user_id, utcnow()
    sub.decision_note = reason.strip()


def submission_dict(s: Session, sub: Submission, items: bool = False) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": sub.id, "period": s.get(Period, sub.period_id).key, "channel": sub.channel,
        "state": sub.state, "filename": sub.filename, "source_sha256": sub.source_sha256,
        "reason": sub.reason, "created_at": sub.created_at.isoformat(),
        "decided_at": sub.decided_at.isoformat() if sub.decided_at else None,
        "decision_note": sub.decision_note, "report": json.loads(sub.report_json),
    }
    if items:
        rows = s.execute(select(SubmissionItem, Unit.code).join(Unit, Unit.id ==
                                                               SubmissionItem.unit_id)
                         .where(SubmissionItem.submission_id == sub.id)
                         .order_by(SubmissionItem.id))
        d["items"] = [{"id": it.id, "unit": code, "indicator": it.indicator, "value": it.value,
                       "note": it.note, "cell": it.cell, "warning": it.warning,
                       "explanation": it.explanation} for it, code in rows]
    return d
