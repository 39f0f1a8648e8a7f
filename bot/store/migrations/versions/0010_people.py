"""People: the roster, members' own settings, organizers, private messages in the ledger, and
check-ins delivered privately (the group's choice, and the slot a scheduled check-in belongs to).

Members who answered a check-in before the roster existed are put on it (answering adds you
now), and zones set with `/progress zone` move from key_values into member_settings.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ZONE_PREFIX = "member-zone:"


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(
            sa.Column("checkin_delivery", sa.String(10), nullable=False, server_default="channel")
        )
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("slot_key", sa.String(60), nullable=True))
        batch.create_unique_constraint("uq_checkins_slot_key", ["slot_key"])
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("joined_at", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("join_noted", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE members SET joined_at = last_seen, join_noted = true WHERE member_id IN "
        "(SELECT member_id FROM checkin_answers)"
    )
    op.create_table(
        "member_settings",
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("dm_enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("hours_start", sa.String(5), nullable=True),
        sa.Column("hours_end", sa.String(5), nullable=True),
        sa.Column("dm_closed_at", UTCDateTime(), nullable=True),
        sa.Column("dm_closed_told_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name="pk_member_settings"),
    )
    # `substr` and `length` exist under these names in SQLite and PostgreSQL alike.
    op.execute(
        "INSERT INTO member_settings (member_id, timezone, dm_enabled, updated_at) "
        f"SELECT substr(key, {len(ZONE_PREFIX) + 1}), value, true, updated_at FROM key_values "
        f"WHERE key LIKE '{ZONE_PREFIX}%'"
    )
    op.execute(f"DELETE FROM key_values WHERE key LIKE '{ZONE_PREFIX}%'")
    op.create_table(
        "organizers",
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "member_id", name="pk_organizers"),
    )
    op.create_table(
        "private_messages",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("payload", sa.Text, nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("claimed_by", sa.String(120), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("attempted_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("message_ref", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_private_messages"),
        sa.UniqueConstraint("key", name="uq_private_messages_key"),
    )
    op.create_index("ix_private_messages_member_id", "private_messages", ["member_id"])
    op.create_index("ix_private_messages_due", "private_messages", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_private_messages_due", table_name="private_messages")
    op.drop_index("ix_private_messages_member_id", table_name="private_messages")
    op.drop_table("private_messages")
    op.drop_table("organizers")
    op.drop_table("member_settings")
    with op.batch_alter_table("checkins") as batch:
        batch.drop_constraint("uq_checkins_slot_key", type_="unique")
        batch.drop_column("slot_key")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("join_noted")
        batch.drop_column("joined_at")
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("checkin_delivery")
