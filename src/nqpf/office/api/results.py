"""Runs (start, follow, results, files, publish) and the audit log."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from sqlalchemy import select

from .. import audit
from ..errors import Forbidden, NotFound
from ..models import Period, Run, Unit
from ..periods import get_period
from ..roles import Principal
from ..runs import get_run, output_path, publish, run_dict, start_run, visible
from .deps import Admin, Anyone, client_ip, ctx_of
from .schemas import RunIn

router = APIRouter(prefix="/api/v1", tags=["runs"])


def _may_see(p: Principal, run: Run) -> bool:
    """admin: every run; region: complete runs (own unit only) and published; others: published."""
    if p.role == "admin":
        return True
    if p.role == "region":
        return visible(run)
    return run.state == "published"


@router.post("/periods/{key}/runs", status_code=202)
def new_run(key: str, body: RunIn, request: Request, p: Admin) -> dict:
    """Start the assessment of a locked period; it runs in the background."""
    ctx = ctx_of(request)
    with ctx.db.session() as s:
        per = get_period(s, key)
        run = start_run(s, per, p.user_id, body.model_dump(exclude_none=True))
        audit.record(
            s,
            "run",
            user_id=p.user_id,
            username=p.username,
            target=f"run:{run.id}",
            ip=client_ip(request),
            period=per.key,
            snapshot=run.snapshot_id,
        )
        out = run_dict(run, ctx.folder, per.key)
    if ctx.worker:
        ctx.worker.notify()
    return out


@router.get("/runs")
def list_runs(request: Request, p: Anyone, period: str | None = None) -> list[dict]:
    ctx = ctx_of(request)
    with ctx.db.session(readonly=True) as s:
        q = select(Run, Period.key).join(Period, Period.id == Run.period_id)
        if period:
            q = q.where(Run.period_id == get_period(s, period).id)
        return [
            run_dict(r, ctx.folder, k)
            for r, k in s.execute(q.order_by(Run.id.desc()))
            if _may_see(p, r)
        ]


def _visible_run(s, p: Principal, run_id: int) -> Run:
    run = get_run(s, run_id)
    if not _may_see(p, run):
        if p.role in ("viewer", "provider") and run.state in ("complete", "queued", "running"):
            raise Forbidden(
                f"run {run_id} is not published; {p.role} users see published results only"
            )
        raise (
            NotFound(f"no run {run_id}")
            if run.state in ("queued", "running", "failed")
            else Forbidden(f"run {run_id} is not visible to this user")
        )
    return run


@router.get("/runs/{run_id}")
def show_run(run_id: int, request: Request, p: Anyone) -> dict:
    """A run with its progress (admin) or, once complete, its files."""
    ctx = ctx_of(request)
    with ctx.db.session(readonly=True) as s:
        run = _visible_run(s, p, run_id)
        return run_dict(run, ctx.folder, s.get(Period, run.period_id).key)


@router.get("/runs/{run_id}/results")
def run_results(
    run_id: int, request: Request, p: Anyone, table: str = "assessment", unit: str | None = None
) -> dict:
    """Rows of one result table; before publication a region gets its own unit's rows only."""
    ctx = ctx_of(request)
    with ctx.db.session(readonly=True) as s:
        run = _visible_run(s, p, run_id)
        out = output_path(ctx.folder, run)
        if out is None:
            raise NotFound(f"run {run_id} has no results yet ({run.state})")
        own = None
        if p.role == "region" and run.state != "published":
            own = s.get(Unit, p.unit_id).code
            if unit and unit != own:
                raise Forbidden(
                    f"unit {unit}'s results are not published yet; a region sees "
                    "only its own before publication"
                )
    path = out / f"{table}.csv"
    if not table.replace("_", "").isalnum() or not path.is_file():
        names = sorted(x.stem for x in out.glob("*.csv"))
        raise NotFound(f"run {run_id} has no table {table!r}; tables: {', '.join(names)}")
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    want = own or unit
    if want:
        rows = [r for r in rows if r.get("unit") == want]
    return {"run": run_id, "table": table, "rows": rows}


@router.get("/runs/{run_id}/files/{name}")
def run_file(run_id: int, name: str, request: Request, p: Anyone) -> FileResponse:
    """A file of a complete run (all units: admin, or anyone once published)."""
    ctx = ctx_of(request)
    with ctx.db.session(readonly=True) as s:
        run = _visible_run(s, p, run_id)
        if p.role != "admin" and run.state != "published":
            raise Forbidden(
                f"the files of run {run_id} hold every unit; they are available "
                "once the run is published"
            )
        out = output_path(ctx.folder, run)
    if (
        out is None
        or "/" in name
        or "\\" in name
        or name.startswith(".")
        or not (out / name).is_file()
    ):
        raise NotFound(f"run {run_id} has no file {name!r}")
    return FileResponse(out / name, filename=name)


@router.post("/runs/{run_id}/publish")
def publish_run(run_id: int, request: Request, p: Admin) -> dict:
    """Make a complete run the official result of its (locked) period."""
    ctx = ctx_of(request)
    with ctx.db.session() as s:
        run = get_run(s, run_id)
        per = get_period(s, s.get(Period, run.period_id).key, for_update=True)
        publish(s, run)
        audit.record(
            s,
            "publish",
            user_id=p.user_id,
            username=p.username,
            target=f"run:{run.id}",
            ip=client_ip(request),
            period=per.key,
            tables_sha256=run.tables_sha256,
        )
        return run_dict(run, ctx.folder, per.key)


@router.get("/audit")
def audit_log(
    request: Request,
    p: Admin,
    action: str | None = None,
    user: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict]:
    """The audit log, newest first, filtered by action, user, target prefix and time."""
    with ctx_of(request).db.session(readonly=True) as s:
        return [
            audit.as_dict(e)
            for e in audit.query(
                s,
                action=action,
                username=user,
                target=target,
                since=since,
                until=until,
                limit=limit,
                offset=offset,
            )
        ]
