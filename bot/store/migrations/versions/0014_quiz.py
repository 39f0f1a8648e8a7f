"""Practice questions: each member's Leitner boxes, the question cards they were asked, and the
question of the week (a poll that names its quiz question). Also: a poll's results post is
claimed, marked attempted and marked posted, so it survives a crash mid-send like any delivery.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quiz_reviews",
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("box", sa.Integer, nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("answered", sa.Integer, nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
        sa.Column("last_answered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "question_id", name="pk_quiz_reviews"),
    )
    op.create_index("ix_quiz_reviews_member_due", "quiz_reviews", ["member_id", "due_at"])
    op.create_table(
        "quiz_cards",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(200), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("answered_option", sa.Integer, nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_quiz_cards"),
    )
    op.create_index("ix_quiz_cards_member_id", "quiz_cards", ["member_id"])
    with op.batch_alter_table("polls") as batch:
        batch.add_column(sa.Column("quiz_question", sa.String(64), nullable=True))
        batch.add_column(sa.Column("results_claimed_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("results_claimed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("results_attempted_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("results_posted_at", UTCDateTime(), nullable=True))
    # Polls closed before this revision had their results posted (or lost) already.
    op.execute("UPDATE polls SET results_posted_at = closed_at WHERE closed_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("polls") as batch:
        for column in (
            "results_posted_at",
            "results_attempted_at",
            "results_claimed_at",
            "results_claimed_by",
            "quiz_question",
        ):
            batch.drop_column(column)
    op.drop_index("ix_quiz_cards_member_id", table_name="quiz_cards")
    op.drop_table("quiz_cards")
    op.drop_index("ix_quiz_reviews_member_due", table_name="quiz_reviews")
    op.drop_table("quiz_reviews")
