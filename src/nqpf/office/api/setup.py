"""Users, units and frameworks (set up by the admin; read by everyone logged in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy import select

from .. import audit
from ..frameworks import (
    get_version,
    import_version,
    indicator_dict,
    indicators_of,
    parse_framework,
    set_indicator,
    version_dict,
)
from ..models import FrameworkVersion, User
from ..security import generate_password
from ..units import add_unit, all_units, unit_dict
from ..users import change_user, create_token, create_user, get_user, set_password, user_dict
from .deps import Admin, Anyone, client_ip, ctx_of
from .schemas import IndicatorPatch, PasswordResetIn, TokenIn, UnitIn, UserIn, UserPatch

router = APIRouter(prefix="/api/v1", tags=["setup"])


@router.get("/users")
def list_users(request: Request, p: Admin) -> list[dict]:
    with ctx_of(request).db.session(readonly=True) as s:
        return [user_dict(s, u) for u in s.scalars(select(User).order_by(User.username))]


@router.post("/users", status_code=201)
def add_user(body: UserIn, request: Request, p: Admin) -> dict:
    """Create an account; without a password one is generated and returned once."""
    pw = body.password or generate_password()
    with ctx_of(request).db.session() as s:
        u = create_user(
            s,
            body.username,
            pw,
            body.role,
            display_name=body.display_name,
            provider=body.provider,
            unit=body.unit,
        )
        info = user_dict(s, u)
        audit.record(
            s,
            "user_create",
            user_id=p.user_id,
            username=p.username,
            target=f"user:{u.username}",
            ip=client_ip(request),
            role=u.role,
            provider=info["provider"],
            unit=info["unit"],
        )
    return {"user": info, "password": None if body.password else pw}


@router.patch("/users/{username}")
def patch_user(username: str, body: UserPatch, request: Request, p: Admin) -> dict:
    with ctx_of(request).db.session() as s:
        u = get_user(s, username)
        old = change_user(s, u, **body.model_dump(exclude_unset=True))
        info = user_dict(s, u)
        if old:
            audit.record(
                s,
                "role_change",
                user_id=p.user_id,
                username=p.username,
                target=f"user:{username}",
                ip=client_ip(request),
                before=old,
                after={k: info[k] for k in old},
            )
    return info


@router.post("/users/{username}/password")
def reset_password(username: str, body: PasswordResetIn, request: Request, p: Admin) -> dict:
    pw = body.password or generate_password()
    with ctx_of(request).db.session() as s:
        set_password(get_user(s, username), pw)
        audit.record(
            s,
            "password_reset",
            user_id=p.user_id,
            username=p.username,
            target=f"user:{username}",
            ip=client_ip(request),
        )
    return {"password": None if body.password else pw}


@router.post("/users/{username}/tokens", status_code=201)
def user_token(username: str, body: TokenIn, request: Request, p: Admin) -> dict:
    with ctx_of(request).db.session() as s:
        tok = create_token(s, get_user(s, username), body.name, body.days)
        audit.record(
            s,
            "token_create",
            user_id=p.user_id,
            username=p.username,
            target=f"user:{username}",
            ip=client_ip(request),
            name=body.name,
        )
    return {"token": tok, "name": body.name}


@router.get("/units")
def list_units(request: Request, p: Anyone) -> list[dict]:
    with ctx_of(request).db.session(readonly=True) as s:
        return [unit_dict(u) for u in all_units(s)]


@router.post("/units", status_code=201)
def new_unit(body: UnitIn, request: Request, p: Admin) -> dict:
    with ctx_of(request).db.session() as s:
        u = add_unit(s, body.code, body.name, body.unit_class)
        audit.record(
            s,
            "unit_create",
            user_id=p.user_id,
            username=p.username,
            target=f"unit:{u.code}",
            ip=client_ip(request),
        )
        return unit_dict(u)


@router.get("/frameworks")
def list_frameworks(request: Request, p: Anyone) -> list[dict]:
    with ctx_of(request).db.session(readonly=True) as s:
        rows = s.scalars(
            select(FrameworkVersion).order_by(FrameworkVersion.code, FrameworkVersion.id)
        )
        return [version_dict(r) for r in rows]


@router.get("/frameworks/{code}/{version}")
def show_framework(code: str, version: str, request: Request, p: Anyone) -> dict:
    """A version with its indicators and its YAML text."""
    with ctx_of(request).db.session(readonly=True) as s:
        row = get_version(s, code, version)
        d = version_dict(row, indicators_of(s, row.id))
        d["yaml"] = row.spec_yaml
        return d


@router.post("/frameworks", status_code=201)
def upload_framework(
    request: Request,
    p: Admin,
    file: Annotated[UploadFile, File()],
    version: Annotated[str | None, Form()] = None,
    valid_from: Annotated[str | None, Form()] = None,
    valid_to: Annotated[str | None, Form()] = None,
) -> dict:
    """Import a framework version from YAML, xlsx or csv."""
    ctx = ctx_of(request)
    content = file.file.read(ctx.settings.upload_max_bytes + 1)
    fw = parse_framework(content, file.filename or "framework.yaml")
    with ctx.db.session() as s:
        row = import_version(s, fw, version=version, valid_from=valid_from, valid_to=valid_to)
        audit.record(
            s,
            "framework_import",
            user_id=p.user_id,
            username=p.username,
            target=f"framework:{row.code}/{row.version}",
            ip=client_ip(request),
            sha256=row.spec_sha256,
        )
        return version_dict(row, indicators_of(s, row.id))


@router.patch("/frameworks/{code}/{version}/indicators/{indicator}")
def patch_indicator(
    code: str, version: str, indicator: str, body: IndicatorPatch, request: Request, p: Admin
) -> dict:
    """Set the provider department or the target of an indicator (before any period uses it)."""
    with ctx_of(request).db.session() as s:
        ind = set_indicator(
            s, get_version(s, code, version), indicator, **body.model_dump(exclude_unset=True)
        )
        audit.record(
            s,
            "indicator_change",
            user_id=p.user_id,
            username=p.username,
            target=f"framework:{code}/{version}/{indicator}",
            ip=client_ip(request),
            changes=body.model_dump(exclude_unset=True),
        )
        return indicator_dict(ind)
