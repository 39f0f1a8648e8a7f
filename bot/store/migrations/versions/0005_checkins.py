"""Check-ins, their answers, and the members a group has shown.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("week", sa.Integer, nullable=False),
        sa.Column("questions", sa.Text, nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("reminded_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_checkins"),
    )
    op.create_index("ix_checkins_group_id", "checkins", ["group_id"])
    op.create_index("ix_checkins_closes_at", "checkins", ["closes_at"])
    op.create_table(
        "checkin_answers",
        sa.Column("checkin_id", sa.Integer, nullable=False),
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("member_name", sa.String(200), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("confidence", sa.Integer, nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("checkin_id", "member_id", name="pk_checkin_answers"),
        sa.ForeignKeyConstraint(
            ["checkin_id"],
            ["checkins.id"],
            name="fk_checkin_answers_checkin_id_checkins",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "members",
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "member_id", name="pk_members"),
    )


def downgrade() -> None:
    op.drop_table("members")
    op.drop_table("checkin_answers")
    op.drop_index("ix_checkins_closes_at", table_name="checkins")
    op.drop_index("ix_checkins_group_id", table_name="checkins")
    op.drop_table("checkins")
