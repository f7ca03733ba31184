"""Helpers of the office tests: a fresh office with units, a framework and users.

The PostgreSQL variant needs ``NQPF_TEST_POSTGRES_URL`` (e.g.
``postgresql://postgres@127.0.0.1:5432/test``, as .ci/run sets); each test
gets its own schema there, dropped afterwards.
"""

from __future__ import annotations

import io
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from nqpf.office.app import create_app
from nqpf.office.office import init_office

PG_ENV = "NQPF_TEST_POSTGRES_URL"
ADMIN_PW = "admin-pass-123"
USER_PW = "user-pass-1234"

FRAMEWORK_YAML = """\
id: test-office
name_zh: 测试评价体系
version: "1"
dimensions:
  - id: innov
    name_zh: 创新
    indicators:
      - {id: rd, name_zh: 研发投入强度, unit: "%", direction: +}
      - {id: patents, name_zh: 每万人发明专利, unit: 件/万人, direction: +}
  - id: green
    name_zh: 绿色
    indicators:
      - {id: energy, name_zh: 单位GDP能耗, unit: 吨标准煤/万元, direction: "-"}
      - {id: forest, name_zh: 森林覆盖率, unit: "%", direction: +}
"""
PROVIDERS = {"rd": "科技厅", "patents": "科技厅", "energy": "统计局", "forest": None}
TARGETS = {"rd": 2.5, "patents": 10.0, "energy": 0.5, "forest": 40.0}
UNITS = [("A", "甲市", "一类"), ("B", "乙市", "一类"), ("C", "丙县", "二类"),
         ("D", "丁县", "二类")]
USERS = {  # name: (role, provider, unit)
    "keji": ("provider", "科技厅", None),
    "tongji": ("provider", "统计局", None),
    "city_a": ("region", None, "A"),
    "city_b": ("region", None, "B"),
    "viewer": ("viewer", None, None),
}
#: last year's values, per unit: rd, patents, energy, forest
BASE_2023 = {"A": (2.0, 8.0, 0.60, 30.0), "B": (1.5, 5.0, 0.80, 35.0),
             "C": (1.0, 3.0, 0.90, 50.0), "D": (0.8, 2.0, 1.10, 45.0)}
CODES = ("rd", "patents", "energy", "forest")


def pg_schema(base: str):
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as c:
            c.execute(f"DROP SCHEMA {schema} CASCADE")


@dataclass
class Office:
    folder: Path
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def stop_worker(self) -> None:
        """Stop this process's run worker (when another server process runs the office)."""
        w = self.client.app.state.office.worker
        if w is not None:
            w.stop()
            self.client.app.state.office.worker = None

    def h(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def get(self, user, url, **kw):
        return self.client.get(url, headers=self.h(user), **kw)

    def post(self, user, url, **kw):
        return self.client.post(url, headers=self.h(user), **kw)

    def patch(self, user, url, **kw):
        return self.client.patch(url, headers=self.h(user), **kw)

    def ok(self, r, status=200):
        assert r.status_code == status, r.text
        return r.json()

    def state(self, period: str, to: str, reason: str = ""):
        return self.ok(self.post("admin", f"/api/v1/periods/{period}/state",
                                 json={"state": to, "reason": reason}))

    def push(self, user, period, values, reason="", status=201):
        body = {"reason": reason, "values": [
            {"unit": u, "indicator": i, "value": v} for u, i, v in values]}
        return self.ok(self.post(user, f"/api/v1/periods/{period}/values", json=body), status)

    def template(self, user, period, **params) -> bytes:
        r = self.get(user, f"/api/v1/periods/{period}/template", params=params)
        assert r.status_code == 200, r.text
        return r.content

    def upload(self, user, period, content: bytes, name="t.xlsx", reason=""):
        return self.post(user, f"/api/v1/periods/{period}/uploads",
                         files={"file": (name, content, "application/octet-stream")},
                         data={"reason": reason})

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func, select

        from nqpf.office.models import Revision, Submission

        db = self.client.app.state.office.db
        with db.session() as s:
            return {"submissions": s.scalar(select(func.count()).select_from(Submission)),
                    "revisions": s.scalar(select(func.count()).select_from(Revision))}


def fill(template: bytes, values: dict[tuple[str, str], object],
         notes: dict[tuple[str, str], str] | None = None) -> bytes:
    """The template with 本期值 (and notes) filled for the given (unit, indicator) keys."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb["填报"]
    for row in ws.iter_rows(min_row=4):
        key = (row[0].value, row[2].value)
        if key in values:
            row[7].value = values[key]
        if notes and key in notes:
            row[8].value = notes[key]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def setup_office(folder: Path, db_url: str, *, worker: bool = True) -> tuple[TestClient, dict]:
    init_office(folder, db_url=db_url, password=ADMIN_PW)
    client = TestClient(create_app(folder, worker=worker))
    client.__enter__()
    r = client.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PW})
    assert r.status_code == 200, r.text
    csrf = r.json()["csrf_token"]
    hdr = {"X-CSRF-Token": csrf}
    tok = client.post("/api/v1/auth/tokens", json={"name": "tests"}, headers=hdr).json()["token"]
    tokens = {"admin": tok}
    a = {"Authorization": f"Bearer {tok}"}
    client.cookies.clear()
    for code, name, cls in UNITS:
        assert client.post("/api/v1/units", json={"code": code, "name": name, "class": cls},
                           headers=a).status_code == 201
    r = client.post("/api/v1/frameworks", headers=a,
                    files={"file": ("f.yaml", FRAMEWORK_YAML.encode(), "text/yaml")})
    assert r.status_code == 201, r.text
    for ind, prov in PROVIDERS.items():
        body = {"target": TARGETS[ind]} | ({"provider": prov} if prov else {})
        r = client.patch(f"/api/v1/frameworks/test-office/1/indicators/{ind}", json=body,
                         headers=a)
        assert r.status_code == 200, r.text
    for user, (role, prov, unit) in USERS.items():
        r = client.post("/api/v1/users", headers=a, json={
            "username": user, "role": role, "provider": prov, "unit": unit,
            "password": USER_PW})
        assert r.status_code == 201, r.text
        tokens[user] = client.post(f"/api/v1/users/{user}/tokens", headers=a,
                                   json={"name": "t"}).json()["token"]
    for key in ("2023", "2024"):
        r = client.post("/api/v1/periods", headers=a,
                        json={"key": key, "framework": "test-office", "version": "1"})
        assert r.status_code == 201, r.text
    return client, tokens


def seed_2023(o: Office) -> None:
    """Period 2023 collected (admin pushes last year's values) and locked."""
    o.state("2023", "collecting")
    o.push("admin", "2023", [(u, c, v) for u, vals in BASE_2023.items()
                             for c, v in zip(CODES, vals, strict=True)])
    o.state("2023", "locked")


def pg_database(base: str, template: str | None = None) -> tuple[str, str]:
    """Create a fresh database (from ``template`` when given); return (name, URL)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = "nqpf_t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return name, make_url(base).set(database=name).render_as_string(hide_password=False)


def pg_drop(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def pg_base() -> str:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests: set {PG_ENV}=postgresql://postgres@127.0.0.1:5432/test "
                    "to run them (CI does)")
    return base


@dataclass
class Seed:
    """An office set up once (units, framework, users, tokens, 2023 locked, 2024 collecting)."""

    kind: str
    folder: Path
    tokens: dict[str, str]
    pg_name: str | None = None

    def clone(self, dest: Path) -> tuple[Path, str | None]:
        """A copy of the office in ``dest`` (its own database); returns (folder, pg name)."""
        import json
        import shutil

        shutil.copytree(self.folder, dest)
        if self.kind == "sqlite":
            return dest, None
        name, url = pg_database(pg_base(), template=self.pg_name)
        cfg = json.loads((dest / "office.json").read_text())
        cfg["db_url"] = url
        (dest / "office.json").write_text(json.dumps(cfg))
        return dest, name


def make_seed(folder: Path, kind: str) -> Seed:
    pg_name, url = (None, "")
    if kind == "postgres":
        pg_name, url = pg_database(pg_base())
    client, tokens = setup_office(folder, url)
    o = Office(folder, client, tokens)
    seed_2023(o)
    o.state("2024", "collecting")
    client.__exit__(None, None, None)
    return Seed(kind, folder, tokens, pg_name)


# ---------------------------------------------------------------------- a live server
def _serve_child(folder: str, port: int, env: dict[str, str]) -> None:
    import sys

    os.environ.update(env)
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the child's whole life
    from nqpf.office.serve import serve

    serve(folder, port=port, log_level="warning")


class LiveServer:
    """The office server in a child process (``nqpf office serve``), over loopback.

    The child is spawned, not forked: a fork of the test process copies the locks of its
    threads (BLAS, logging) and can hang; ``kill`` is a SIGKILL, like a power cut.
    """

    def __init__(self, folder: Path, env: dict[str, str] | None = None):
        self.folder, self.extra_env = folder, env or {}
        self.proc = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> LiveServer:
        import multiprocessing
        import socket
        import time

        import httpx

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        ctx = multiprocessing.get_context("spawn")
        self.proc = ctx.Process(target=_serve_child,
                                args=(str(self.folder), self.port, self.extra_env),
                                daemon=True)
        self.proc.start()
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if not self.proc.is_alive():
                raise RuntimeError(f"server exited with {self.proc.exitcode}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def wait(self, timeout: float) -> int | None:
        self.proc.join(timeout)
        return self.proc.exitcode

    def kill(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.proc.kill()
        if self.proc is not None:
            self.proc.join(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(20)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(10)


def push_load(url: str, tokens: dict[str, str], seconds: float, clients: int = 50,
              seed: int = 0) -> list[dict]:
    """``clients`` threads push and correct 2024 values for ``seconds``; one record per request.

    Each client alternates between the admin's and the providers' scope, writes one to
    three distinct keys per request with values within ±20 % of 2023 (no warnings), and
    reads a value's history every fifth request. Records: kind, status, latency, the
    values sent and the submission id answered.
    """
    import random
    import threading
    import time

    import httpx

    keys = [(u, c) for u in BASE_2023 for c in CODES]
    base = {(u, c): v for u, vs in BASE_2023.items() for c, v in zip(CODES, vs, strict=True)}
    who = {"rd": "keji", "patents": "keji", "energy": "tongji", "forest": "admin"}
    out: list[dict] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        with httpx.Client(base_url=url, timeout=60) as c:
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                if n % 5 == 0:
                    u, i = rng.choice(keys)
                    t = time.perf_counter()
                    try:
                        r = c.get(f"/api/v1/periods/2024/values/{u}/{i}/history",
                                  headers={"Authorization": f"Bearer {tokens['admin']}"})
                        rec = {"kind": "read", "status": r.status_code}
                    except httpx.HTTPError as e:
                        rec = {"kind": "read", "status": None, "error": repr(e)}
                    rec["latency"] = time.perf_counter() - t
                    with lock:
                        out.append(rec)
                    continue
                ind = rng.choice(CODES)
                user = who[ind] if rng.random() < 0.7 else "admin"
                units = rng.sample(sorted(BASE_2023), rng.randint(1, 3))
                vals = [(u, ind, round(base[(u, ind)] * rng.uniform(0.85, 1.15), 6))
                        for u in units]
                body = {"reason": f"client {k} request {n}", "values": [
                    {"unit": u, "indicator": i, "value": v} for u, i, v in vals]}
                t = time.perf_counter()
                try:
                    r = c.post("/api/v1/periods/2024/values", json=body,
                               headers={"Authorization": f"Bearer {tokens[user]}"})
                    rec = {"kind": "push", "status": r.status_code, "values": vals,
                           "submission": r.json().get("id") if r.status_code == 201 else None,
                           "state": r.json().get("state") if r.status_code == 201 else None}
                except httpx.HTTPError as e:
                    rec = {"kind": "push", "status": None, "error": repr(e), "values": vals}
                rec["latency"] = time.perf_counter() - t
                with lock:
                    out.append(rec)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return out


def check_consistency(db_url: str, folder: Path) -> dict[str, int]:
    """Invariants of the stored data after any load or crash; returns a few counts.

    - every accepted submission has exactly one revision per item, with its values;
    - no revision without an accepted submission (nothing half-accepted);
    - each key's current value is its revision with the largest id, one per key.
    """
    from sqlalchemy import func, select

    from nqpf.office.db import Database
    from nqpf.office.models import CurrentValue, Revision, Submission, SubmissionItem
    from nqpf.office.settings import Settings

    db = Database(Settings(db_url=db_url).database_url(folder))
    try:
        with db.session() as s:
            items = {}
            for it in s.scalars(select(SubmissionItem)):
                items.setdefault(it.submission_id, set()).add((it.unit_id, it.indicator,
                                                               it.value))
            revs = {}
            for r in s.scalars(select(Revision)):
                revs.setdefault(r.submission_id, set()).add((r.unit_id, r.indicator, r.value))
            states = dict(s.execute(select(Submission.id, Submission.state)).all())
            for sid, st in states.items():
                if st == "accepted":
                    assert revs.get(sid) == items.get(sid), f"submission {sid} half accepted"
                else:
                    assert sid not in revs, f"submission {sid} ({st}) has revisions"
            assert set(revs) <= set(states), "revisions without a submission"
            latest = {(p, u, i): m for p, u, i, m in s.execute(
                select(Revision.period_id, Revision.unit_id, Revision.indicator,
                       func.max(Revision.id))
                .group_by(Revision.period_id, Revision.unit_id, Revision.indicator))}
            cur = {(p, u, i): r for p, u, i, r in s.execute(
                select(CurrentValue.period_id, CurrentValue.unit_id, CurrentValue.indicator,
                       CurrentValue.revision_id))}
            assert cur == latest, "a current value is not the latest revision of its key"
            return {"submissions": len(states), "revisions": sum(map(len, revs.values())),
                    "keys": len(cur)}
    finally:
        db.dispose()
