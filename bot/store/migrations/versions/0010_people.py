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

from bot.core.ids import person_id
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
    # Settings belong to the person (bot.core.ids.person_id: a Discord user is one person in
    # every server), so the old per-member zones are re-keyed here, in Python.
    key_values = sa.table(
        "key_values",
        sa.column("key", sa.String),
        sa.column("value", sa.String),
        sa.column("updated_at", UTCDateTime()),
    )
    zones = (
        op.get_bind()
        .execute(
            sa.select(key_values.c.key, key_values.c.value, key_values.c.updated_at).where(
                key_values.c.key.like(f"{ZONE_PREFIX}%")
            )
        )
        .all()
    )
    people: dict[str, tuple[str, object]] = {}
    for key, value, updated_at in zones:
        people[person_id(key.removeprefix(ZONE_PREFIX))] = (value, updated_at)
    settings = sa.table(
        "member_settings",
        sa.column("member_id", sa.String),
        sa.column("timezone", sa.String),
        sa.column("dm_enabled", sa.Boolean),
        sa.column("updated_at", UTCDateTime()),
    )
    if people:
        op.bulk_insert(
            settings,
            [
                {"member_id": person, "timezone": zone, "dm_enabled": True, "updated_at": at}
                for person, (zone, at) in people.items()
            ],
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
