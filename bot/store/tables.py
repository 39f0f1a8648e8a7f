"""Table definitions. Schema changes go through a new Alembic revision, never `create_all`."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Text

from bot.store.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

groups = Table(
    "groups",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("roadmap_week", Integer, nullable=False, server_default="1"),
    Column("created_at", UTCDateTime(), nullable=False),
)

seen_tips = Table(
    "seen_tips",
    metadata,
    Column("member_id", String(200), primary_key=True),
    Column("tip_id", String(64), primary_key=True),
    Column("topic", String(64), nullable=False, index=True),
    Column("seen_at", UTCDateTime(), nullable=False),
)

# Small facts the bot remembers about itself (e.g. the hash of the last synced command set).
key_values = Table(
    "key_values",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
