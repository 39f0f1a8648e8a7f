"""A check-in's digest and its reminder are claimed, marked attempted and marked posted, so they
survive a crash mid-send like a poll's results (bot/store/announcements.py).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = tuple(
    f"{what}_{mark}"
    for what in ("digest", "reminder")
    for mark in ("claimed_by", "claimed_at", "attempted_at", "posted_at")
)


def upgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("digest_claimed_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("digest_claimed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("digest_attempted_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("digest_posted_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("reminder_claimed_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("reminder_claimed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("reminder_attempted_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("reminder_posted_at", UTCDateTime(), nullable=True))
    # Check-ins closed or reminded before this revision had those posted (or lost) already.
    op.execute("UPDATE checkins SET digest_posted_at = closed_at WHERE closed_at IS NOT NULL")
    op.execute("UPDATE checkins SET reminder_posted_at = reminded_at WHERE reminded_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
