"""``nqpf office``: create, serve, migrate, back up and restore an office; manage its users."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import NqpfError
from .common import out

office_app = typer.Typer(
    help="The evaluation office's server: submissions, periods, runs (needs nqpf[office]).",
    no_args_is_help=True,
)
user_app = typer.Typer(help="Accounts of an office: add, list, change, reset passwords.",
                       no_args_is_help=True)

DirArg = Annotated[Path, typer.Argument(help="The office folder.")]


def _need_extra() -> None:
    from ..office import require_office_extra

    try:
        require_office_extra()
    except ImportError as e:
        raise NqpfError(str(e)) from None


def _problem(e: Exception) -> NqpfError:
    """An office error as the one-line message the command prints."""
    return NqpfError(getattr(e, "message", str(e)))


@office_app.command("init")
def init(
    folder: DirArg,
    db: Annotated[str, typer.Option("--db", help="postgresql://user@host/db; default SQLite "
                                                 "in the folder.")] = "",
    admin: Annotated[str, typer.Option(help="User name of the first administrator.")] = "admin",
    password: Annotated[str | None, typer.Option(
        help="The administrator's password; generated and printed once if omitted.")] = None,
    name: Annotated[str | None, typer.Option(help="Name of the office.")] = None,
) -> None:
    """Create an office: its folder, settings, database and administrator account."""
    _need_extra()
    from ..office.errors import OfficeError
    from ..office.office import init_office
    from ..office.settings import redact_url

    try:
        c = init_office(folder, db_url=db, admin=admin, password=password, name=name)
    except OfficeError as e:
        raise _problem(e) from None
    out.print(f"office created in {c.folder} (database {redact_url(c.db_url)})")
    if c.password:
        out.print(f"administrator: {c.admin}  password: {c.password}  "
                  "(shown only now; change it after the first login)")
    out.print(f"start it with: nqpf office serve {c.folder}")


@office_app.command("serve")
def serve(
    folder: DirArg,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the office server (Ctrl+C stops it)."""
    _need_extra()
    from ..office.office import open_office
    from ..office.serve import serve as run

    _, db = open_office(folder)  # refuses a missing folder or an old schema before starting
    db.dispose()
    out.print(f"office {folder} at http://{host}:{port}  (API: /docs, health: /health)")
    run(folder, host=host, port=port)


@office_app.command("migrate")
def migrate(folder: DirArg) -> None:
    """Upgrade the office database to the schema of this nqpf."""
    _need_extra()
    from ..office.db import Database
    from ..office.migrate import current_revision, upgrade
    from ..office.settings import load_settings

    settings = load_settings(folder)
    db = Database(settings.database_url(folder))
    try:
        before = current_revision(db.engine)
        after = upgrade(db.engine)
    finally:
        db.dispose()
    out.print(f"schema {before or 'none'} → {after}" if before != after
              else f"schema {after}: up to date")


@office_app.command("backup")
def backup(
    folder: DirArg,
    dest: Annotated[Path | None, typer.Argument(help="The backup file (.zip); default "
                                                    "DIR/backups/office-<time>.zip.")] = None,
) -> None:
    """Save the database and every run folder into one zip."""
    _need_extra()
    from datetime import datetime

    from ..office.backup import backup as do_backup
    from ..office.office import open_office

    _, db = open_office(folder)
    if dest is None:
        dest = Path(folder) / "backups" / f"office-{datetime.now():%Y%m%d-%H%M%S}.zip"
        dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        counts = do_backup(db, Path(folder), dest)
    finally:
        db.dispose()
    out.print(f"backup written to {dest}: {sum(counts.values())} rows, "
              f"{counts.get('revisions', 0)} revisions, {counts.get('runs', 0)} runs")


@office_app.command("restore")
def restore(
    folder: DirArg,
    src: Annotated[Path, typer.Argument(help="A backup made by nqpf office backup.")],
    force: Annotated[bool, typer.Option("--force", help="Replace the contents of a database "
                                                        "that is not empty.")] = False,
) -> None:
    """Restore a backup into an office (a new one, or with --force an existing one)."""
    _need_extra()
    from ..office.backup import restore as do_restore
    from ..office.office import open_office

    _, db = open_office(folder)
    try:
        counts = do_restore(db, Path(folder), src, force=force)
    finally:
        db.dispose()
    out.print(f"restored {sum(counts.values())} rows from {src}")


def _with_session(folder: Path):
    from ..office.office import open_office

    _, db = open_office(folder)
    return db


RoleOpt = Annotated[str, typer.Option(help="admin, provider, region or viewer.")]


@user_app.command("add")
def user_add(
    folder: DirArg,
    username: Annotated[str, typer.Argument(help="The new user name.")],
    role: RoleOpt = "viewer",
    provider: Annotated[str | None, typer.Option(help="Department of a provider, e.g. "
                                                      "省统计局.")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit code of a region user.")] = None,
    password: Annotated[str | None, typer.Option(help="Password; generated and printed "
                                                      "once if omitted.")] = None,
    display_name: Annotated[str, typer.Option("--name", help="Name shown on pages.")] = "",
) -> None:
    """Add an account."""
    _need_extra()
    from ..office import audit
    from ..office.errors import OfficeError
    from ..office.security import generate_password
    from ..office.users import create_user

    pw = password or generate_password()
    db = _with_session(folder)
    try:
        with db.session() as s:
            u = create_user(s, username, pw, role, display_name=display_name,
                            provider=provider, unit=unit)
            audit.record(s, "user_create", username="(command line)",
                         target=f"user:{u.username}", role=role, provider=provider, unit=unit)
    except OfficeError as e:
        raise _problem(e) from None
    finally:
        db.dispose()
    out.print(f"user {username} ({role}) added" + ("" if password else f"; password: {pw} "
                                                    "(shown only now)"))


@user_app.command("list")
def user_list(folder: DirArg) -> None:
    """List the accounts."""
    _need_extra()
    import pandas as pd
    from sqlalchemy import select

    from ..office.models import User
    from ..office.users import user_dict
    from .common import table

    db = _with_session(folder)
    try:
        with db.session() as s:
            rows = [user_dict(s, u) for u in s.scalars(select(User).order_by(User.username))]
    finally:
        db.dispose()
    out.print(table(pd.DataFrame(rows), title="Users"))


@user_app.command("set")
def user_set(
    folder: DirArg,
    username: Annotated[str, typer.Argument(help="The user to change.")],
    role: Annotated[str | None, typer.Option(help="New role.")] = None,
    provider: Annotated[str | None, typer.Option(help="New department.")] = None,
    unit: Annotated[str | None, typer.Option(help="New unit code.")] = None,
    active: Annotated[bool | None, typer.Option("--active/--disabled",
                                                help="Enable or disable the account.")] = None,
) -> None:
    """Change an account's role, scope or whether it may log in."""
    _need_extra()
    from ..office import audit
    from ..office.errors import OfficeError
    from ..office.users import change_user, get_user

    db = _with_session(folder)
    try:
        with db.session() as s:
            u = get_user(s, username)
            old = change_user(s, u, role=role, provider=provider, unit=unit, active=active)
            if old:
                audit.record(s, "role_change", username="(command line)",
                             target=f"user:{username}", before=old)
    except OfficeError as e:
        raise _problem(e) from None
    finally:
        db.dispose()
    out.print(f"user {username}: " + (", ".join(sorted(old)) + " changed" if old
                                      else "nothing changed"))


@user_app.command("password")
def user_password(
    folder: DirArg,
    username: Annotated[str, typer.Argument(help="The user whose password is reset.")],
    password: Annotated[str | None, typer.Option(help="New password; generated and printed "
                                                      "once if omitted.")] = None,
) -> None:
    """Reset a password (for example when an administrator forgot theirs)."""
    _need_extra()
    from ..office import audit
    from ..office.errors import OfficeError
    from ..office.security import generate_password
    from ..office.users import get_user, set_password

    pw = password or generate_password()
    db = _with_session(folder)
    try:
        with db.session() as s:
            set_password(get_user(s, username), pw)
            audit.record(s, "password_reset", username="(command line)",
                         target=f"user:{username}")
    except OfficeError as e:
        raise _problem(e) from None
    finally:
        db.dispose()
    out.print(f"password of {username} reset" + ("" if password else f": {pw} (shown only now)"))


@office_app.command("unit")
def unit_add(
    folder: DirArg,
    code: Annotated[str, typer.Argument(help="Unit code, e.g. 420100.")],
    name: Annotated[str, typer.Argument(help="Unit name, e.g. 武汉市.")],
    unit_class: Annotated[str | None, typer.Option(
        "--class", help="Its class (分类), as the framework names it.")] = None,
) -> None:
    """Add a unit (a region assessed), before its region accounts."""
    _need_extra()
    from ..office import audit
    from ..office.errors import OfficeError
    from ..office.units import add_unit

    db = _with_session(folder)
    try:
        with db.session() as s:
            u = add_unit(s, code, name, unit_class)
            audit.record(s, "unit_create", username="(command line)", target=f"unit:{u.code}")
    except OfficeError as e:
        raise _problem(e) from None
    finally:
        db.dispose()
    out.print(f"unit {code} {name} added")


def register(app: typer.Typer) -> None:
    office_app.add_typer(user_app, name="user")
    app.add_typer(office_app, name="office")
