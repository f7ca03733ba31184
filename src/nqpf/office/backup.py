"""Backup and restore of an office: every table and every run folder in one zip.

The backup is database-neutral (JSON lines per table, in foreign-key order,
plus the schema revision), so an office can also move from SQLite to
PostgreSQL by restoring into a new database. Run folders are copied as they
are, with their manifests. A restore goes into an empty database of the same
schema revision (or, with ``force``, empties it first), in one transaction.
"""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, delete, func, select, text

from ..errors import DataError
from .db import Database
from .migrate import current_revision
from .models import Base, User
from .runs import runs_dir

FORMAT = "nqpf-office-backup/1"


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


def backup(db: Database, folder: Path, dest: Path) -> dict[str, int]:
    """Write ``dest`` (.zip); return the number of rows per table. Never overwrites."""
    dest = Path(dest)
    if dest.exists():
        raise DataError(f"{dest} exists; choose another file name for the backup")
    counts: dict[str, int] = {}
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            with db.engine.connect() as conn:
                for table in Base.metadata.sorted_tables:
                    rows = conn.execute(select(table).order_by(*table.primary_key.columns))
                    lines = [json.dumps({k: _plain(v) for k, v in r._mapping.items()},
                                        ensure_ascii=False) for r in rows]
                    counts[table.name] = len(lines)
                    zf.writestr(f"tables/{table.name}.jsonl", "\n".join(lines))
            meta = {"format": FORMAT, "schema": current_revision(db.engine),
                    "made_at": datetime.now().isoformat(timespec="seconds"), "rows": counts}
            zf.writestr("backup.json", json.dumps(meta, indent=2))
            base = runs_dir(folder)
            if base.is_dir():
                for p in sorted(base.rglob("*")):
                    rel = p.relative_to(base)
                    if p.is_file() and not rel.parts[0].startswith("."):
                        zf.write(p, f"runs/{rel.as_posix()}")
        tmp.rename(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return counts


def restore(db: Database, folder: Path, src: Path, force: bool = False) -> dict[str, int]:
    """Load a backup into the office's database (empty unless ``force``) and runs folder."""
    src = Path(src)
    try:
        zf = zipfile.ZipFile(src)
        meta = json.loads(zf.read("backup.json"))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError):
        raise DataError(f"{src} is not an office backup (no backup.json inside)") from None
    if meta.get("format") != FORMAT:
        raise DataError(f"{src}: unknown backup format {meta.get('format')!r}")
    if meta.get("schema") != current_revision(db.engine):
        raise DataError(
            f"{src} was made at schema {meta.get('schema')} but the database is at "
            f"{current_revision(db.engine)}; run nqpf office migrate on both to the same revision"
        )
    counts: dict[str, int] = {}
    with db.engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(User)) and not force:
            raise DataError("the office database is not empty; restore into a new office "
                            "(nqpf office init) or pass --force to replace its contents")
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
        for table in Base.metadata.sorted_tables:
            raw = zf.read(f"tables/{table.name}.jsonl").decode("utf-8")
            rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
            dt = [c.name for c in table.columns if isinstance(c.type, DateTime)]
            for r in rows:
                for c in dt:
                    if r.get(c):
                        r[c] = datetime.fromisoformat(r[c])
            if rows:
                conn.execute(table.insert(), rows)
            counts[table.name] = len(rows)
        if conn.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                if "id" in table.columns and table.columns["id"].autoincrement is not False \
                        and len(table.primary_key.columns) == 1:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
    base = runs_dir(folder)
    for name in zf.namelist():
        if name.startswith("runs/") and not name.endswith("/"):
            rel = Path(name[len("runs/"):])
            if ".." in rel.parts or rel.is_absolute():
                raise DataError(f"{src}: unsafe path {name} in the backup")
            out = base / rel
            if not out.exists():
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(zf.read(name))
    return counts
