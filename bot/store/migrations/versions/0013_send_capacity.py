"""Processes' heartbeats per platform, so they share the platform's rate limit.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_capacity",
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("process", sa.String(200), nullable=False),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=False),
        sa.Column("waiting", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("platform", "process", name="pk_send_capacity"),
    )


def downgrade() -> None:
    op.drop_table("send_capacity")
