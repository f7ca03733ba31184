"""Periods and the collection cycle: templates, uploads, pushes, values, review."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from .. import audit, revisions
from ..checks import RawValue
from ..errors import Forbidden, NotFound, OfficeError
from ..frameworks import get_version, indicators_of
from ..models import FrameworkVersion, Period, Submission, SubmissionItem, Unit
from ..periods import REOPEN, create_period, get_period, period_dict, transition
from ..roles import check_unit_visible, indicator_visible
from ..runs import crash_point
from ..submissions import (
    accept,
    explain,
    get_submission,
    previous_values,
    return_,
    scope_rows,
    submission_dict,
    submit,
)
from ..templates import build_template
from ..units import get_unit
from ..uploads import Limits, read_template
from .deps import Admin, Anyone, Submitter, client_ip, ctx_of
from .schemas import DecisionIn, ExplainIn, PeriodIn, PushIn, ReturnIn, StateIn

router = APIRouter(prefix="/api/v1", tags=["collection"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/periods")
def list_periods(request: Request, p: Anyone) -> list[dict]:
    with ctx_of(request).db.session(readonly=True) as s:
        return [
            period_dict(x, s.get(FrameworkVersion, x.version_id))
            for x in s.scalars(select(Period).order_by(Period.key.desc()))
        ]


@router.post("/periods", status_code=201)
def new_period(body: PeriodIn, request: Request, p: Admin) -> dict:
    with ctx_of(request).db.session() as s:
        ver = get_version(s, body.framework, body.version)
        per = create_period(s, body.key, ver, body.deadline)
        audit.record(
            s,
            "period_create",
            user_id=p.user_id,
            username=p.username,
            target=f"period:{per.key}",
            ip=client_ip(request),
            framework=f"{ver.code}/{ver.version}",
        )
        return period_dict(per, ver)


@router.get("/periods/{key}")
def show_period(key: str, request: Request, p: Anyone) -> dict:
    with ctx_of(request).db.session(readonly=True) as s:
        per = get_period(s, key)
        return period_dict(per, s.get(FrameworkVersion, per.version_id))


@router.post("/periods/{key}/state")
def change_state(key: str, body: StateIn, request: Request, p: Admin) -> dict:
    """Move a period: open→collecting, collecting→locked, reopen (locked/published→collecting)."""
    with ctx_of(request).db.session() as s:
        per = get_period(s, key, for_update=True)
        frm, to = transition(s, per, body.state, body.reason)
        action = "reopen" if (frm, to) in REOPEN else "period_state"
        audit.record(
            s,
            action,
            user_id=p.user_id,
            username=p.username,
            target=f"period:{per.key}",
            ip=client_ip(request),
            before=frm,
            after=to,
            reason=body.reason,
        )
        return period_dict(per, s.get(FrameworkVersion, per.version_id))


@router.get("/periods/{key}/template")
def template(
    key: str, request: Request, p: Submitter, unit: str | None = None, provider: str | None = None
) -> Response:
    """The Excel template of this user (admin: of a unit or a provider) for the period."""
    if p.role != "admin" and (unit or provider):
        raise Forbidden("only the admin chooses another unit or provider for a template")
    with ctx_of(request).db.session(readonly=True) as s:
        per = get_period(s, key)
        ver = s.get(FrameworkVersion, per.version_id)
        rows = scope_rows(s, p, per, unit_code=unit, provider=provider)
        if p.role == "region":
            title = s.get(Unit, p.unit_id).name
            scope = f"unit:{s.get(Unit, p.unit_id).code}"
        elif p.role == "provider":
            title, scope = p.provider or "", f"provider:{p.provider}"
        else:
            title = unit or provider or "全部"
            scope = f"admin:{unit or provider or 'all'}"
        data = build_template(per, ver, rows, previous_values(s, per), scope=scope, title=title)
    fname = f"{per.key}_{title}_填报模板.xlsx"
    return Response(
        data,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="template.xlsx"; '
            f"filename*=UTF-8''{quote(fname)}"
        },
    )


def _submit_response(s, sub: Submission, result) -> dict:
    d = submission_dict(s, sub, items=True)
    d["errors"], d["warnings"] = len(result.errors), len(result.warnings)
    return d


@router.post("/periods/{key}/uploads", status_code=201)
def upload(
    key: str,
    request: Request,
    p: Submitter,
    file: Annotated[UploadFile, File()],
    reason: Annotated[str, Form()] = "",
) -> dict:
    """Upload a filled template: checked per cell; errors refuse it and store nothing."""
    ctx = ctx_of(request)
    name = file.filename or "upload.xlsx"
    content = file.file.read(ctx.settings.upload_max_bytes + 1)
    sha = hashlib.sha256(content).hexdigest()
    try:
        meta, raw = read_template(content, name, Limits.of(ctx.settings))
        with ctx.db.session() as s:
            per = get_period(s, key, for_share=True)
            sub, result = submit(
                s,
                p,
                per,
                raw,
                channel="upload",
                source_sha256=sha,
                jump_ratio=ctx.settings.jump_ratio,
                reason=reason,
                filename=name,
                meta=meta,
            )
            audit.record(
                s,
                "upload",
                user_id=p.user_id,
                username=p.username,
                target=f"period:{per.key}",
                ip=client_ip(request),
                submission=sub.id,
                state=sub.state,
                values=len(result.values),
                sha256=sha,
            )
            out = _submit_response(s, sub, result)
            crash_point("upload-before-commit")
        return out
    except OfficeError as e:
        ctx.record(
            "upload_rejected",
            user_id=p.user_id,
            username=p.username,
            target=f"period:{key}",
            ip=client_ip(request),
            reason=e.message[:300],
            sha256=sha,
        )
        raise


@router.post("/periods/{key}/values", status_code=201)
def push(key: str, body: PushIn, request: Request, p: Submitter) -> dict:
    """Values pushed by another system (JSON); checked exactly as an upload."""
    ctx = ctx_of(request)
    raw = [
        RawValue(unit=v.unit, indicator=v.indicator, raw=v.value, note=v.note, row=k)
        for k, v in enumerate(body.values, start=1)
    ]
    sha = hashlib.sha256(
        json.dumps(body.model_dump(), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    try:
        with ctx.db.session() as s:
            per = get_period(s, key, for_share=True)
            sub, result = submit(
                s,
                p,
                per,
                raw,
                channel="push",
                source_sha256=sha,
                jump_ratio=ctx.settings.jump_ratio,
                reason=body.reason,
            )
            audit.record(
                s,
                "push",
                user_id=p.user_id,
                username=p.username,
                target=f"period:{per.key}",
                ip=client_ip(request),
                submission=sub.id,
                state=sub.state,
                values=len(result.values),
            )
            return _submit_response(s, sub, result)
    except OfficeError as e:
        ctx.record(
            "push_rejected",
            user_id=p.user_id,
            username=p.username,
            target=f"period:{key}",
            ip=client_ip(request),
            reason=e.message[:300],
        )
        raise


@router.get("/periods/{key}/values")
def current_values(
    key: str, request: Request, p: Submitter, unit: str | None = None, indicator: str | None = None
) -> list[dict]:
    """Current values in this user's scope (region: its unit; provider: its indicators)."""
    with ctx_of(request).db.session(readonly=True) as s:
        per = get_period(s, key)
        unit_id = None
        if unit:
            u = get_unit(s, unit)
            check_unit_visible(p, u.id)
            unit_id = u.id
        elif p.role == "region":
            unit_id = p.unit_id
        inds = {i.code: i for i in indicators_of(s, per.version_id)}
        allowed = [c for c, i in inds.items() if indicator_visible(p, i)]
        if indicator:
            if indicator not in inds:
                raise NotFound(f"no indicator {indicator} in period {per.key}")
            if indicator not in allowed:
                raise Forbidden(f"indicator {indicator} is not in this user's scope")
            allowed = [indicator]
        return [
            {
                "unit": u.code,
                "indicator": r.indicator,
                "value": r.value,
                "revision": r.id,
                "at": r.created_at.isoformat(),
            }
            for r, u in revisions.current(s, per.id, unit_id=unit_id, indicators=allowed)
        ]


@router.get("/periods/{key}/values/{unit}/{indicator}/history")
def value_history(
    key: str, unit: str, indicator: str, request: Request, p: Submitter
) -> list[dict]:
    """Every revision of one value: who, when, why, old and new value, source hash."""
    with ctx_of(request).db.session(readonly=True) as s:
        per = get_period(s, key)
        u = get_unit(s, unit)
        check_unit_visible(p, u.id)
        inds = {i.code: i for i in indicators_of(s, per.version_id)}
        if indicator not in inds:
            raise NotFound(f"no indicator {indicator} in period {per.key}")
        if not indicator_visible(p, inds[indicator]):
            raise Forbidden(f"indicator {indicator} is not in this user's scope")
        return revisions.history(s, per.id, u.id, indicator)


@router.get("/periods/{key}/completeness")
def completeness(key: str, request: Request, p: Admin) -> dict:
    """Units × indicators: submitted, pending review, or missing."""
    with ctx_of(request).db.session(readonly=True) as s:
        per = get_period(s, key)
        inds = indicators_of(s, per.version_id)
        units = list(s.scalars(select(Unit).order_by(Unit.code)))
        have = revisions.current_map(s, per.id)
        pending = {
            (uid, ind)
            for uid, ind in s.execute(
                select(SubmissionItem.unit_id, SubmissionItem.indicator)
                .join(Submission, Submission.id == SubmissionItem.submission_id)
                .where(
                    Submission.period_id == per.id,
                    Submission.state.in_(("needs_explanation", "pending")),
                )
            )
        }
        grid = []
        for u in units:
            for i in inds:
                k = (u.id, i.code)
                state = "pending" if k in pending else ("submitted" if k in have else "missing")
                grid.append(
                    {
                        "unit": u.code,
                        "indicator": i.code,
                        "state": state,
                        "value": have.get(k),
                        "provider": i.provider,
                    }
                )
        counts = {
            st: sum(g["state"] == st for g in grid) for st in ("submitted", "pending", "missing")
        }
        return {"period": per.key, "counts": counts, "cells": grid}


@router.get("/submissions")
def list_submissions(
    request: Request,
    p: Submitter,
    period: str | None = None,
    state: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict]:
    """Submissions (the admin sees all, others their own), newest first."""
    with ctx_of(request).db.session(readonly=True) as s:
        q = select(Submission)
        if p.role != "admin":
            q = q.where(Submission.user_id == p.user_id)
        if period:
            q = q.where(Submission.period_id == get_period(s, period).id)
        if state:
            q = q.where(Submission.state == state)
        return [
            submission_dict(s, x) for x in s.scalars(q.order_by(Submission.id.desc()).limit(limit))
        ]


@router.get("/submissions/{sub_id}")
def show_submission(sub_id: int, request: Request, p: Submitter) -> dict:
    with ctx_of(request).db.session(readonly=True) as s:
        return submission_dict(s, get_submission(s, p, sub_id), items=True)


@router.post("/submissions/{sub_id}/explanations")
def explain_warnings(sub_id: int, body: ExplainIn, request: Request, p: Submitter) -> dict:
    with ctx_of(request).db.session() as s:
        sub = get_submission(s, p, sub_id)
        explain(s, p, sub, body.explanations)
        audit.record(
            s,
            "explain",
            user_id=p.user_id,
            username=p.username,
            target=f"submission:{sub.id}",
            ip=client_ip(request),
            items=sorted(body.explanations),
            state=sub.state,
        )
        return submission_dict(s, sub, items=True)


@router.post("/submissions/{sub_id}/accept")
def accept_submission(sub_id: int, body: DecisionIn, request: Request, p: Admin) -> dict:
    with ctx_of(request).db.session() as s:
        sub = get_submission(s, p, sub_id)
        accept(s, p, sub, body.note)
        audit.record(
            s,
            "accept",
            user_id=p.user_id,
            username=p.username,
            target=f"submission:{sub.id}",
            ip=client_ip(request),
            note=body.note,
        )
        return submission_dict(s, sub, items=True)


@router.post("/submissions/{sub_id}/return")
def return_submission(sub_id: int, body: ReturnIn, request: Request, p: Admin) -> dict:
    with ctx_of(request).db.session() as s:
        sub = get_submission(s, p, sub_id)
        return_(s, p, sub, body.reason)
        audit.record(
            s,
            "return",
            user_id=p.user_id,
            username=p.username,
            target=f"submission:{sub.id}",
            ip=client_ip(request),
            reason=body.reason,
        )
        return submission_dict(s, sub, items=True)


