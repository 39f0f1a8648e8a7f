"""Study sessions, their RSVPs, and polls for finding a time.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "study_sessions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("local_date", sa.String(10), nullable=False),
        sa.Column("local_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("weekly", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("minutes", sa.Integer, nullable=False, server_default="60"),
        sa.Column("cap", sa.Integer, nullable=True),
        sa.Column("place", sa.String(500), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("skipped_dates", sa.Text, nullable=False, server_default="[]"),
        sa.PrimaryKeyConstraint("id", name="pk_study_sessions"),
    )
    op.create_index("ix_study_sessions_group_id", "study_sessions", ["group_id"])
    op.create_table(
        "session_rsvps",
        sa.Column("session_id", sa.Integer, nullable=False),
        sa.Column("occurrence", sa.String(10), nullable=False),
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("answer", sa.String(10), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.Column("attended", sa.Boolean, nullable=True),
        sa.Column("attended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["study_sessions.id"],
            name="fk_session_rsvps_session_id_study_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "occurrence", "member_id", name="pk_session_rsvps"),
    )

    op.create_table(
        "time_polls",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("session_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_time_polls"),
    )
    op.create_index("ix_time_polls_group_id", "time_polls", ["group_id"])
    op.create_table(
        "time_poll_ticks",
        sa.Column("poll_id", sa.Integer, nullable=False),
        sa.Column("option_index", sa.Integer, nullable=False),
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["time_polls.id"],
            name="fk_time_poll_ticks_poll_id_time_polls",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "option_index", "member_id", name="pk_time_poll_ticks"),
    )


def downgrade() -> None:
    op.drop_table("time_poll_ticks")
    op.drop_index("ix_time_polls_group_id", table_name="time_polls")
    op.drop_table("time_polls")
    op.drop_table("session_rsvps")
    op.drop_index("ix_study_sessions_group_id", table_name="study_sessions")
    op.drop_table("study_sessions")
