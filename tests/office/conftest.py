"""Fixtures of the office tests: a fresh office on SQLite and on PostgreSQL.

The PostgreSQL variant needs ``NQPF_TEST_POSTGRES_URL`` (e.g.
``postgresql://postgres@127.0.0.1:5432/test``, as .ci/run sets): each test then
gets its own database, cloned from a seed database made once per session.
"""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the office tests need: pip install 'nqpf[office]'")

from argon2 import PasswordHasher  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from nqpf.office import security  # noqa: E402
from nqpf.office.app import create_app  # noqa: E402
from officetools import Office, make_seed, pg_base, pg_drop  # noqa: E402

# Cheap Argon2 parameters for the tests only: each test creates several accounts, and the
# production cost (64 MiB, 3 passes) is what makes a password hash slow on purpose.
security._hasher = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)

KINDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def seeds(tmp_path_factory):
    made = {}
    yield made
    for seed in made.values():
        if seed.pg_name:
            pg_drop(pg_base(), seed.pg_name)


def _seed(seeds, kind, tmp_path_factory):
    if kind == "postgres":
        pg_base()  # skips with the message when PostgreSQL is not configured
    if kind not in seeds:
        seeds[kind] = make_seed(tmp_path_factory.mktemp("seed") / "office", kind)
    return seeds[kind]


@pytest.fixture(params=KINDS)
def office(request, seeds, tmp_path_factory, tmp_path):
    """An office with units, a framework, users of every role, 2023 locked, 2024 collecting."""
    seed = _seed(seeds, request.param, tmp_path_factory)
    folder, pg_name = seed.clone(tmp_path / "office")
    client = TestClient(create_app(folder))
    client.__enter__()
    try:
        yield Office(folder, client, dict(seed.tokens))
    finally:
        client.__exit__(None, None, None)
        if pg_name:
            pg_drop(pg_base(), pg_name)


@pytest.fixture(params=KINDS)
def db_url(request):
    """'' (SQLite in the office folder) or the URL of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield ""
        return
    from officetools import pg_database

    base = pg_base()
    name, url = pg_database(base)
    try:
        yield url
    finally:
        pg_drop(base, name)
