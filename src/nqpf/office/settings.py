"""The office folder and its settings (``office.json``).

An office lives in one folder::

    DIR/office.json   settings (this module)
    DIR/office.db     the SQLite database, unless ``db_url`` names PostgreSQL
    DIR/runs/<id>/    outputs of completed runs, each with manifest.json
    DIR/backups/      backups made by ``nqpf office backup``

Settings are plain JSON so that an administrator can read and edit them; every
field has a default, unknown fields are an error (a typo must not be ignored).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import DataError
from ..output import atomic_write

SETTINGS_FILE = "office.json"


class Settings(BaseModel):
    """What an office may tune. Defaults suit one office on one machine."""

    model_config = ConfigDict(extra="forbid")

    name: str = "评价办公室"
    db_url: str = ""
    #: Largest upload accepted, in bytes.
    upload_max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    #: Largest total uncompressed size of an xlsx upload, and the largest ratio of
    #: uncompressed to compressed size of any member (zip-bomb defence).
    unzipped_max_bytes: int = Field(100 * 1024 * 1024, gt=0)
    zip_ratio_max: float = Field(200.0, gt=1)
    zip_members_max: int = Field(2000, gt=0)
    #: A value that changes by more than this share against the last period is a warning.
    jump_ratio: float = Field(0.5, gt=0)
    session_hours: float = Field(8.0, gt=0)
    login_max_failures: int = Field(5, gt=0)
    login_window_seconds: float = Field(300.0, gt=0)
    #: Origins allowed by CORS; empty (the default) sends no CORS headers at all.
    cors_origins: list[str] = []
    #: Mark the session cookie Secure: "auto" when the request came over https.
    cookie_secure: Literal["auto", "always", "never"] = "auto"

    def database_url(self, folder: Path) -> str:
        """The SQLAlchemy URL: ``db_url`` or SQLite in the office folder."""
        return normalise_db_url(self.db_url) if self.db_url else sqlite_url(folder)


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{(Path(folder) / 'office.db').resolve()}"


def normalise_db_url(url: str) -> str:
    """Map ``postgresql://`` and ``postgres://`` to the psycopg 3 driver SQLAlchemy needs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("postgresql+", "sqlite:")):
        return url
    raise DataError(
        f"unsupported database URL {redact_url(url)!r}: give postgresql://user@host/db "
        "or leave --db out for SQLite in the office folder"
    )


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages and logs)."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    cred, host = rest.rsplit("@", 1)
    if ":" in cred:
        cred = cred.split(":", 1)[0] + ":***"
    return f"{scheme}://{cred}@{host}"


def load_settings(folder: str | Path) -> Settings:
    """Read ``DIR/office.json``; a clear error when the folder is not an office."""
    p = Path(folder) / SETTINGS_FILE
    if not p.is_file():
        raise DataError(
            f"{folder} is not an office folder (no {SETTINGS_FILE}); "
            f"create one with: nqpf office init {folder}"
        )
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        return Settings.model_validate(data)
    except json.JSONDecodeError as e:
        raise DataError(f"{p}: not valid JSON (line {e.lineno}): {e.msg}") from None
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise DataError(f"{p}: {where}: {first['msg']}") from None


def save_settings(folder: str | Path, settings: Settings) -> Path:
    text = json.dumps(settings.model_dump(), ensure_ascii=False, indent=2) + "\n"
    return atomic_write(Path(folder) / SETTINGS_FILE, lambda t: t.write_text(text, "utf-8"))
