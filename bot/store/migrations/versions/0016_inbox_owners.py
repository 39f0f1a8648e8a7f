"""One lease per process for its inbox rows, instead of one per row.

A process used to renew the lease of every unfinished row it held: with a backlog of thousands
of acknowledged interactions, that UPDATE held the event loop for 5-13 ms every few seconds.
Now it renews one row here, and a row is abandoned when its owner's lease has run out: found
through the owners (a handful of rows) and an index on (done, owner), not by scanning the
backlog.
Rows held before this revision get their owners' leases from the rows'.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_owners",
        sa.Column("owner", sa.String(200), primary_key=True),
        sa.Column("lease_until", UTCDateTime(), nullable=False),
    )
    op.execute(
        "INSERT INTO inbox_owners (owner, lease_until) "
        "SELECT claimed_by, MAX(lease_until) FROM inbox WHERE done_at IS NULL GROUP BY claimed_by"
    )
    # Unfinished rows are now looked up by owner, finished ones by age: one index serves both
    # (every index is written again with each acknowledged interaction).
    op.drop_index("ix_inbox_open", table_name="inbox")
    op.create_index("ix_inbox_open_by_owner", "inbox", ["done_at", "claimed_by"])


def downgrade() -> None:
    op.drop_index("ix_inbox_open_by_owner", table_name="inbox")
    op.create_index("ix_inbox_open", "inbox", ["done_at", "lease_until"])
    op.drop_table("inbox_owners")
