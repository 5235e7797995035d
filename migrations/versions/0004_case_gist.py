"""The automatic summary (gist) of a case message: language, topic and labels, as JSON.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_messages") as batch:
        batch.add_column(sa.Column("gist", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_messages") as batch:
        batch.drop_column("gist")
