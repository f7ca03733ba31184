"""Creating and opening an office folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..errors import DataError
from . import audit
from .db import Database
from .errors import Invalid
from .migrate import current_revision, head_revision, upgrade
from .models import Office
from .security import check_password_strength, generate_password
from .settings import SETTINGS_FILE, Settings, load_settings, redact_url, save_settings
from .users import create_user


@dataclass
class Created:
    folder: Path
    admin: str
    password: str | None  # the generated password, shown once; None when given
    db_url: str


def init_office(folder: str | Path, *, db_url: str = "", admin: str = "admin",
                password: str | None = None, name: str | None = None) -> Created:
    """Create ``folder`` with its settings, a migrated database and the admin account."""
    folder = Path(folder)
    if (folder / SETTINGS_FILE).exists():
        raise DataError(f"{folder} is an office already; start it with nqpf office serve {folder}")
    if folder.exists() and any(folder.iterdir()):
        raise DataError(f"{folder} exists and is not empty; choose a new folder for the office")
    if password is not None and check_password_strength(password):
        raise Invalid(check_password_strength(password))
    settings = Settings(db_url=db_url, **({"name": name} if name else {}))
    url = settings.database_url(folder)  # refuses an unsupported URL before anything is made
    folder.mkdir(parents=True, exist_ok=True)
    db = Database(url)
    try:
        if current_revision(db.engine) is not None:
            raise DataError(f"the database {redact_url(db_url)} holds an office already; "
                            "give an empty database")
        upgrade(db.engine)
        generated = password is None
        pw = password if password is not None else generate_password()
        with db.session() as s:
            s.add(Office(name=settings.name))
            create_user(s, admin, pw, "admin", display_name="管理员")
            audit.record(s, "office_init", username=admin, target=str(folder))
    finally:
        db.dispose()
    save_settings(folder, settings)
    return Created(folder, admin, pw if generated else None, url)


def open_office(folder: str | Path) -> tuple[Settings, Database]:
    """The settings and database of an office; refuses an out-of-date schema."""
    folder = Path(folder)
    settings = load_settings(folder)
    db = Database(settings.database_url(folder))
    cur, head = current_revision(db.engine), head_revision()
    if cur != head:
        db.dispose()
        raise DataError(f"the office database is at schema {cur or 'none'}, this nqpf needs "
                        f"{head}; run: nqpf office migrate {folder}")
    return settings, db


def office_name(db: Database) -> str:
    with db.session() as s:
        o = s.scalar(select(Office).limit(1))
        return o.name if o else ""
