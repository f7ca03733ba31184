"""Database engines and transactions, the same code on SQLite and PostgreSQL.

SQLite (the default, in the office folder) runs in WAL mode with a busy
timeout, and every transaction starts with ``BEGIN IMMEDIATE``: writers queue
for the one write lock instead of failing when a reader upgrades to a writer,
so fifty clients submitting at once are served one after the other rather
than refused. PostgreSQL runs at READ COMMITTED; the few places where two
writers race (the current value of a key) use an upsert that keeps the
larger revision id, so the order of commits cannot lose the latest revision.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (already normalised by :func:`settings.normalise_db_url`)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 60},
            pool_size=8,
            max_overflow=32,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None  # SQLAlchemy issues BEGIN itself
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # pragma: no cover - trivial
            readonly = conn.get_execution_options().get("nqpf_readonly")
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=10, max_overflow=40, pool_pre_ping=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """An engine plus a session factory; ``with db.session() as s:`` commits on success."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time: writers of this process queue on a lock (woken
        # at once when it is free) instead of polling SQLite's busy handler, which sleeps
        # up to 100 ms between tries and so gives long tails under load.
        self._sqlite = is_sqlite(self.engine)
        self._write_lock = threading.Lock()
        self._read_factory = sessionmaker(
            self.engine.execution_options(nqpf_readonly=True), expire_on_commit=False)

    @contextmanager
    def session(self, readonly: bool = False) -> Iterator[Session]:
        """A transaction committed on success; ``readonly`` ones on SQLite do not queue for
        the write lock (a write in them still works but may wait on a busy database)."""
        lock = self._write_lock if (self._sqlite and not readonly) else None
        if lock is not None:
            lock.acquire()
        s = (self._read_factory if readonly else self._factory)()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()
            if lock is not None:
                lock.release()

    def dispose(self) -> None:
        self.engine.dispose()
