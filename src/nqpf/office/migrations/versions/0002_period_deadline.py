"""Periods get a deadline (shown to providers and regions on their home page).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("periods") as batch:
        batch.add_column(sa.Column("deadline", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("periods") as batch:
        batch.drop_column("deadline")
