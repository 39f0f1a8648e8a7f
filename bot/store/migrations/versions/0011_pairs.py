"""Accountability pairs: who opted in, each round, and who was matched with whom.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("pairs_size", sa.Integer, nullable=False, server_default="2"))
    op.create_table(
        "pair_optins",
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("skipping", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("group_id", "member_id", name="pk_pair_optins"),
    )
    op.create_table(
        "pair_rounds",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pair_rounds"),
        sa.UniqueConstraint("key", name="uq_pair_rounds_key"),
    )
    op.create_index("ix_pair_rounds_group_id", "pair_rounds", ["group_id"])
    op.create_table(
        "pair_assignments",
        sa.Column("round_id", sa.Integer, nullable=False),
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("team", sa.Integer, nullable=False),
        sa.Column("met", sa.String(10), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["pair_rounds.id"],
            name="fk_pair_assignments_round_id_pair_rounds",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "member_id", name="pk_pair_assignments"),
    )


def downgrade() -> None:
    op.drop_table("pair_assignments")
    op.drop_index("ix_pair_rounds_group_id", table_name="pair_rounds")
    op.drop_table("pair_rounds")
    op.drop_table("pair_optins")
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("pairs_size")
