"""Polls and their votes (one row per voter, so a second click changes the vote).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("anonymous", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("vote_key", sa.String(64), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_polls"),
    )
    op.create_index("ix_polls_group_id", "polls", ["group_id"])
    op.create_index("ix_polls_closes_at", "polls", ["closes_at"])
    op.create_table(
        "poll_votes",
        sa.Column("poll_id", sa.Integer, nullable=False),
        sa.Column("voter", sa.String(200), nullable=False),
        sa.Column("option_index", sa.Integer, nullable=False),
        sa.Column("voted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("poll_id", "voter", name="pk_poll_votes"),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name="fk_poll_votes_poll_id_polls", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    op.drop_table("poll_votes")
    op.drop_index("ix_polls_closes_at", table_name="polls")
    op.drop_index("ix_polls_group_id", table_name="polls")
    op.drop_table("polls")
