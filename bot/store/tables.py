"""Table definitions. Schema changes go through a new Alembic revision, never `create_all`."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

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
    # The local ISO week ("2026-W10") whose nudge last moved the roadmap; see features/nudges.py.
    Column("roadmap_week_of", String(10), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    # How a scheduled check-in reaches members: "channel" (one post) or "dm" (each member
    # privately, at the check-in's time in their own zone).
    Column("checkin_delivery", String(10), nullable=False, server_default="channel"),
    # Members per accountability group: 2 (pairs) or 3.
    Column("pairs_size", Integer, nullable=False, server_default="2"),
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

# Scheduling ------------------------------------------------------------------------------------
# The schedules table is the source of truth; the timer only asks it what is due.

schedules = Table(
    "schedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", String(200), nullable=False, index=True),
    Column("platform", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("weekdays", String(40), nullable=False),  # "mon,thu": names, never numbers
    Column("local_time", String(5), nullable=False),  # "18:30", wall clock in `timezone`
    Column("timezone", String(64), nullable=False),
    Column("paused", Boolean, nullable=False, server_default=false()),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("next_due_at", UTCDateTime(), nullable=False, index=True),
    Column("next_slot", String(16), nullable=False),  # local "YYYY-MM-DDTHH:MM" of next_due_at
)

# One row per occurrence (local slot) of a schedule. The unique key is the exactly-once guarantee:
# whoever inserts the row owns the occurrence; everyone else skips it.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "schedule_id",
        Integer,
        ForeignKey("schedules.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("slot", String(16), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("status", String(12), nullable=False),
    Column("claimed_by", String(120), nullable=True),
    Column("claimed_at", UTCDateTime(), nullable=True),
    # When the post was handed to the platform; NULL while it was only claimed.
    Column("attempted_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("late", Boolean, nullable=False, server_default=false()),
    Column("coalesced", Integer, nullable=False, server_default="0"),
    Column("payload", Text, nullable=True),
    Column("detail", Text, nullable=True),
    Column("message_ref", String(200), nullable=True),
    UniqueConstraint("schedule_id", "slot", name="uq_deliveries_occurrence"),
    Index("ix_deliveries_status", "status"),
)

# Things the group's organizers must hear about (e.g. a scheduled post that failed), shown on their
# next command when posting the notice to the channel failed too.
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", String(200), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Polls -----------------------------------------------------------------------------------------

polls = Table(
    "polls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", String(200), nullable=False, index=True),
    Column("platform", String(20), nullable=False),
    Column("question", String(300), nullable=False),
    Column("options", Text, nullable=False),  # JSON list of labels
    Column("anonymous", Boolean, nullable=False, server_default=false()),
    # Key of the keyed hash that stands in for voters of an anonymous poll; erased at close so
    # that nobody, not even we, can link a vote to a member afterwards.
    Column("vote_key", String(64), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("closes_at", UTCDateTime(), nullable=False, index=True),
    Column("closed_at", UTCDateTime(), nullable=True),
    # Set on the weekly progress polls: the roadmap week they ask about.
    Column("week", Integer, nullable=True),
    # Set on a question of the week (schedule kind `quiz`): the practice question it asks. Its
    # answers are private and final, and its results reveal the right answer.
    Column("quiz_question", String(64), nullable=True),
    # The results post, handed out like a delivery (see bot/store/announcements.py). A poll
    # closed by a command has its results in the command's reply: posted at close.
    Column("results_claimed_by", String(200), nullable=True),
    Column("results_claimed_at", UTCDateTime(), nullable=True),
    Column("results_attempted_at", UTCDateTime(), nullable=True),
    Column("results_posted_at", UTCDateTime(), nullable=True),
)

poll_votes = Table(
    "poll_votes",
    metadata,
    Column(
        "poll_id",
        Integer,
        ForeignKey("polls.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("voter", String(200), primary_key=True),  # member id, or a keyed hash if anonymous
    Column("option_index", Integer, nullable=False),
    Column("voted_at", UTCDateTime(), nullable=False),
)

# Check-ins -------------------------------------------------------------------------------------

checkins = Table(
    "checkins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", String(200), nullable=False, index=True),
    Column("platform", String(20), nullable=False),
    Column("week", Integer, nullable=False),
    Column("questions", Text, nullable=False),  # JSON list, fixed when the check-in opens
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("closes_at", UTCDateTime(), nullable=False, index=True),
    Column("reminded_at", UTCDateTime(), nullable=True),
    Column("closed_at", UTCDateTime(), nullable=True),
    # The platform's reference of the message that opened it, so the digest can answer in its
    # thread (Slack) or as a reply to it (Discord).
    Column("message_ref", String(200), nullable=True),
    # "<schedule id>:<local slot>" for a check-in a schedule opened: its private questions and
    # its channel card, sent by different processes at different times, find the same one.
    Column("slot_key", String(60), nullable=True, unique=True),
    # The digest, handed out like a delivery (see bot/store/announcements.py).
    Column("digest_claimed_by", String(200), nullable=True),
    Column("digest_claimed_at", UTCDateTime(), nullable=True),
    Column("digest_attempted_at", UTCDateTime(), nullable=True),
    Column("digest_posted_at", UTCDateTime(), nullable=True),
    # The reminder before it closes, the same way (ready once reminded_at is set).
    Column("reminder_claimed_by", String(200), nullable=True),
    Column("reminder_claimed_at", UTCDateTime(), nullable=True),
    Column("reminder_attempted_at", UTCDateTime(), nullable=True),
    Column("reminder_posted_at", UTCDateTime(), nullable=True),
)

checkin_answers = Table(
    "checkin_answers",
    metadata,
    Column(
        "checkin_id",
        Integer,
        ForeignKey("checkins.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("member_id", String(200), primary_key=True),
    Column("member_name", String(200), nullable=False),
    Column("answers", Text, nullable=False),  # JSON list, one per question
    Column("confidence", Integer, nullable=True),
    Column("answered_at", UTCDateTime(), nullable=False),
)

# Who belongs to a group, as far as studybot has seen: for "who has not answered" and reminders.
members = Table(
    "members",
    metadata,
    Column("group_id", String(200), primary_key=True),
    Column("member_id", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    # On the roster since (NULL: seen, e.g. opened a form, but not a member of the roster).
    Column("joined_at", UTCDateTime(), nullable=True),
    # Told privately, once, that answering or voting put them on the roster.
    Column("join_noted", Boolean, nullable=False, server_default=false()),
)

# Breaks from the routine that keep streaks intact: a member's snooze, or the group's paused
# schedules (member_id NULL). A break with no end is still going on.
breaks = Table(
    "breaks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", String(200), nullable=False, index=True),
    Column("member_id", String(200), nullable=True),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=True),
)

# Interactions a platform was told we received (acknowledged) but whose work may not be done yet.
# A row is written before the acknowledgement and marked done in the transaction of its effects,
# so a crash between the two loses nothing; see bot/store/inbox.py.
inbox = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(20), nullable=False),
    # The platform's own id of the request (Slack trigger_id): a second copy is not stored.
    Column("request_id", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("claimed_by", String(200), nullable=False),
    # When the row was accepted or taken over, plus a lease. Whether a row is abandoned is now
    # decided by its owner's lease (inbox_owners); versions before 0016 read this column.
    Column("lease_until", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("done_at", UTCDateTime(), nullable=True),
    UniqueConstraint("platform", "request_id", name="uq_inbox_request"),
    # Unfinished rows by owner (take_abandoned), finished rows by age (purge).
    Index("ix_inbox_open_by_owner", "done_at", "claimed_by"),
)

# Each process's lease on the inbox rows it holds: renewed as one row, however long its backlog.
inbox_owners = Table(
    "inbox_owners",
    metadata,
    Column("owner", String(200), primary_key=True),
    Column("lease_until", UTCDateTime(), nullable=False),
)

# People ----------------------------------------------------------------------------------------
# A member's own settings, shared by every group of the same platform (member ids carry the
# platform and the workspace or server, so one row serves them all).
member_settings = Table(
    "member_settings",
    metadata,
    Column("member_id", String(200), primary_key=True),
    Column("timezone", String(64), nullable=True),
    Column("dm_enabled", Boolean, nullable=False, server_default=true()),
    # Local wall-clock window ("08:00", "22:00") in which private messages may arrive.
    Column("hours_start", String(5), nullable=True),
    Column("hours_end", String(5), nullable=True),
    # The platform refused a private message (DMs closed): reminders fall back to the channel.
    Column("dm_closed_at", UTCDateTime(), nullable=True),
    # When the member was told how to reopen them (once per closing).
    Column("dm_closed_told_at", UTCDateTime(), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Members a group made organizers with `/organizers add` (platform admins and channel owners are
# organizers without a row).
organizers = Table(
    "organizers",
    metadata,
    Column("group_id", String(200), primary_key=True),
    Column("member_id", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("added_by", String(200), nullable=False),
    Column("added_at", UTCDateTime(), nullable=False),
)

# The private half of the deliveries ledger: one row per message to one member. The unique key
# (e.g. "checkin:12:2026-03-30T09:00:slack:T1:U7") is the exactly-once guarantee, as
# (schedule_id, slot) is for channel posts; rows are claimed, marked attempted and settled with
# the same rules (scheduler/private.py).
private_messages = Table(
    "private_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("platform", String(20), nullable=False),
    Column("group_id", String(200), nullable=False),
    Column("member_id", String(200), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("payload", Text, nullable=True),
    # Not before this instant: the member's local time, moved into their hours.
    Column("due_at", UTCDateTime(), nullable=False),
    Column("status", String(12), nullable=False),
    Column("claimed_by", String(120), nullable=True),
    Column("claimed_at", UTCDateTime(), nullable=True),
    Column("attempted_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("detail", Text, nullable=True),
    Column("message_ref", String(200), nullable=True),
    Index("ix_private_messages_due", "status", "due_at"),
)

# Accountability pairs ----------------------------------------------------------------------------

pair_optins = Table(
    "pair_optins",
    metadata,
    Column("group_id", String(200), primary_key=True),
    Column("member_id", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("joined_at", UTCDateTime(), nullable=False),
    # Sits out the next round only (`/pairs skip`); cleared when that round is made.
    Column("skipping", Boolean, nullable=False, server_default=false()),
)

pair_rounds = Table(
    "pair_rounds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", String(200), nullable=False, index=True),
    # "schedule:<id>:<slot>" for a scheduled round, so a retried occurrence makes it once.
    Column("key", String(200), nullable=False, unique=True),
    Column("size", Integer, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
)

pair_assignments = Table(
    "pair_assignments",
    metadata,
    Column(
        "round_id",
        Integer,
        ForeignKey("pair_rounds.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("member_id", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("team", Integer, nullable=False),
    # The member's answer to "Did you meet?": yes, not_yet, couldnt.
    Column("met", String(10), nullable=True),
    Column("answered_at", UTCDateTime(), nullable=True),
)

# Study sessions --------------------------------------------------------------------------------

study_sessions = Table(
    "study_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", String(200), nullable=False, index=True),
    Column("platform", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    # The first occurrence: local date and wall-clock time in `timezone` (a weekly series keeps
    # the wall-clock time across DST changes), and its instant.
    Column("local_date", String(10), nullable=False),
    Column("local_time", String(5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("weekly", Boolean, nullable=False, server_default=false()),
    Column("minutes", Integer, nullable=False, server_default="60"),
    Column("cap", Integer, nullable=True),
    Column("place", String(500), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("cancelled_at", UTCDateTime(), nullable=True),
    # Local dates of single occurrences of a series that were cancelled (JSON list).
    Column("skipped_dates", Text, nullable=False, server_default="[]"),
)

session_rsvps = Table(
    "session_rsvps",
    metadata,
    Column(
        "session_id",
        Integer,
        ForeignKey("study_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The occurrence's local date; "*" for "going to all" of a weekly series.
    Column("occurrence", String(10), primary_key=True),
    Column("member_id", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("answer", String(10), nullable=False),  # going, maybe, cant
    # When the member said "going": the waitlist is in this order.
    Column("answered_at", UTCDateTime(), nullable=False),
    # After the session: did they come (the "Were you there?" answer), and when they said so.
    Column("attended", Boolean, nullable=True),
    Column("attended_at", UTCDateTime(), nullable=True),
)

# Finding a time for a session: each member ticks every option that fits them.
time_polls = Table(
    "time_polls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", String(200), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("options", Text, nullable=False),  # JSON list of local "YYYY-MM-DD HH:MM"
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    # The session made from it (`/session pick`), which also closes it.
    Column("session_id", Integer, nullable=True),
)

time_poll_ticks = Table(
    "time_poll_ticks",
    metadata,
    Column(
        "poll_id",
        Integer,
        ForeignKey("time_polls.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("option_index", Integer, primary_key=True),
    Column("member_id", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
)

# Each running process's share of a platform's rate limit: a process reads the live rows of its
# platform (heartbeats younger than the expiry) and paces itself at its part of the posts waiting.
send_capacity = Table(
    "send_capacity",
    metadata,
    Column("platform", String(20), primary_key=True),
    Column("process", String(200), primary_key=True),
    Column("heartbeat_at", UTCDateTime(), nullable=False),
    # Posts this process has waiting for their turn on the platform, at its last heartbeat.
    Column("waiting", Integer, nullable=False, server_default="0"),
)

# Each member's Leitner box per practice question: when it is due again, and how they did.
quiz_reviews = Table(
    "quiz_reviews",
    metadata,
    Column("member_id", String(200), primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("box", Integer, nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("answered", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
    Column("last_answered_at", UTCDateTime(), nullable=False),
    Index("ix_quiz_reviews_member_due", "member_id", "due_at"),
)

# A question put to one member by `/quiz`. Its buttons name the card, so an answer counts once
# however often the button is pressed (or a platform retries the press).
quiz_cards = Table(
    "quiz_cards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member_id", String(200), nullable=False, index=True),
    Column("question_id", String(64), nullable=False),
    Column("asked_at", UTCDateTime(), nullable=False),
    Column("answered_option", Integer, nullable=True),
    Column("answered_at", UTCDateTime(), nullable=True),
)
