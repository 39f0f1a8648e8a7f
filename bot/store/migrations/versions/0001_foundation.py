"""Groups, seen tips and key-values.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "groups",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("roadmap_week", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_groups"),
    )
    op.create_table(
        "seen_tips",
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("tip_id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "tip_id", name="pk_seen_tips"),
    )
    op.create_index("ix_seen_tips_topic", "seen_tips", ["topic"])
    op.create_table(
        "key_values",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_key_values"),
    )


def downgrade() -> None:
    op.drop_table("key_values")
    op.drop_index("ix_seen_tips_topic", table_name="seen_tips")
    op.drop_table("seen_tips")
    op.drop_table("groups")
