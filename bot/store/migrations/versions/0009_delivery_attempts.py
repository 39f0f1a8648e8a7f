"""Deliveries record the moment a post is handed to the platform (`attempted_at`).

A claim without it was never sent and is simply delivered by whoever takes it over; one with it
may have reached the platform and is settled from the channel's history where the platform
allows (scheduler/service.py).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("attempted_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("attempted_at")
