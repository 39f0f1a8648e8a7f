"""Breaks (snoozes and paused schedules) and the roadmap week of progress polls.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breaks",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("member_id", sa.String(200), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_breaks"),
    )
    op.create_index("ix_breaks_group_id", "breaks", ["group_id"])
    with op.batch_alter_table("polls") as batch:
        batch.add_column(sa.Column("week", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("polls") as batch:
        batch.drop_column("week")
    op.drop_index("ix_breaks_group_id", table_name="breaks")
    op.drop_table("breaks")
