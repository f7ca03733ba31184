"""Schema migrations: a database made by the first schema upgrades with its data intact."""

from __future__ import annotations

from datetime import datetime

import pytest

pytest.importorskip("alembic")

from alembic.autogenerate import compare_metadata  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402
from sqlalchemy import inspect, select, text  # noqa: E402

from nqpf.office.db import make_engine  # noqa: E402
from nqpf.office.migrate import current_revision, head_revision, upgrade  # noqa: E402
from nqpf.office.models import Base  # noqa: E402
from nqpf.office.settings import normalise_db_url, sqlite_url  # noqa: E402

NOW = datetime(2025, 3, 1, 9, 30)
ROWS_0001 = [
    ("office", {"id": 1, "name": "测试办公室", "created_at": NOW}),
    ("units", {"id": 1, "code": "A", "name": "甲市", "unit_class": "一类"}),
    ("users", {"id": 1, "username": "admin", "display_name": "管理员", "role": "admin",
               "provider": None, "unit_id": None, "password_hash": "$argon2id$x",
               "active": True, "created_at": NOW}),
    ("framework_versions", {"id": 1, "code": "f", "version": "1", "name": "体系",
                            "valid_from": None, "valid_to": None, "spec_yaml": "id: f",
                            "spec_sha256": "0" * 64, "created_at": NOW}),
    ("indicators", {"id": 1, "version_id": 1, "code": "rd", "name_zh": "研发", "name_en": "rd",
                    "unit": "%", "direction": 1, "dimension": "创新", "provider": "科技厅",
                    "target": 2.5, "lo": 0.0, "hi": 100.0, "position": 0}),
    ("periods", {"id": 1, "key": "2024", "kind": "year", "version_id": 1,
                 "state": "collecting", "published_run_id": None, "created_at": NOW}),
    ("submissions", {"id": 1, "period_id": 1, "user_id": 1, "channel": "push",
                     "state": "accepted", "filename": None, "source_sha256": "a" * 64,
                     "reason": "初报", "report_json": "[]", "created_at": NOW,
                     "decided_by": None, "decided_at": None, "decision_note": None}),
    ("revisions", {"id": 1, "period_id": 1, "unit_id": 1, "indicator": "rd", "value": 2.1,
                   "user_id": 1, "created_at": NOW, "reason": "初报", "note": "",
                   "source_sha256": "a" * 64, "submission_id": 1}),
    ("current_values", {"period_id": 1, "unit_id": 1, "indicator": "rd", "revision_id": 1}),
]


def test_first_schema_upgrades_with_data_intact(tmp_path, db_url):
    engine = make_engine(normalise_db_url(db_url) if db_url else sqlite_url(tmp_path))
    try:
        assert upgrade(engine, "0001") == "0001"
        assert "deadline" not in {c["name"] for c in inspect(engine).get_columns("periods")}
        with engine.begin() as c:
            for table, row in ROWS_0001:
                cols = ", ".join(row)
                c.execute(text(f"INSERT INTO {table} ({cols}) VALUES "
                               f"({', '.join(':' + k for k in row)})"), row)
        assert upgrade(engine) == head_revision() == current_revision(engine)
        with engine.connect() as c:
            for table, row in ROWS_0001:
                got = dict(c.execute(select(Base.metadata.tables[table])).mappings().one())
                assert {k: got[k] for k in row} == row, table
            assert c.execute(text("SELECT deadline FROM periods")).scalar() is None
            # the migrated schema is exactly what the models describe
            diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}),
                                    Base.metadata)
        assert diff == []
        assert upgrade(engine) == head_revision()  # idempotent
    finally:
        engine.dispose()
