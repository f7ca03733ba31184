"""The evaluation office's server: submissions with full history, roles, periods, runs.

An office collects data from departments and regions every period, checks it,
freezes the period, computes the assessment and publishes it. This package
keeps that cycle in one database (SQLite in the office folder, or PostgreSQL)
behind a JSON API:

- :mod:`.settings` — the office folder and its ``office.json``;
- :mod:`.db` — engines and transactions for SQLite and PostgreSQL;
- :mod:`.models` — the tables; :mod:`.migrations` — their Alembic history;
- :mod:`.security` — password hashing, sessions, API tokens, CSRF, login limits;
- :mod:`.roles` — who may do what to which unit and indicator;
- :mod:`.frameworks`, :mod:`.periods`, :mod:`.revisions`, :mod:`.templates`,
  :mod:`.uploads`, :mod:`.checks`, :mod:`.submissions`, :mod:`.runs`,
  :mod:`.audit`, :mod:`.backup` — one concern each;
- :mod:`.app` and :mod:`.api` — the FastAPI application.

Everything here needs the ``[office]`` extra: ``pip install 'nqpf[office]'``.
"""

from __future__ import annotations

__all__ = ["OFFICE_EXTRA_HINT", "require_office_extra"]

OFFICE_EXTRA_HINT = (
    "the office server needs the [office] extra: run  python3 -m pip install 'nqpf[office]'"
)


def require_office_extra() -> None:
    """Raise ImportError with the pip command when a dependency of the server is missing."""
    import importlib.util

    for mod in ("fastapi", "uvicorn", "sqlalchemy", "alembic", "argon2", "multipart",
                "defusedxml"):
        if importlib.util.find_spec(mod) is None:
            raise ImportError(f"{OFFICE_EXTRA_HINT} (missing module {mod})")
