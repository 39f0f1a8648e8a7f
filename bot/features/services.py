"""The services every feature handler may use, and the handler contexts typed by them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import context
from bot.core.context import Clock
from bot.core.registry import Registry
from bot.store.checkins import CheckinStore
from bot.store.deliveries import DeliveryLedger
from bot.store.members import MemberStore
from bot.store.notices import NoticeStore
from bot.store.pairs import PairStore
from bot.store.polls import PollStore
from bot.store.private_messages import PrivateLedger
from bot.store.progress import ProgressStore
from bot.store.quiz import QuizStore
from bot.store.repos import Store
from bot.store.schedules import ScheduleStore
from bot.store.sessions import SessionStore, TimePollStore
from content.catalog import Catalog


@dataclass(frozen=True, kw_only=True)
class Services:
    catalog: Catalog
    store: Store
    registry: Registry
    # Time is an argument: tests pass a controllable clock; production passes an aware UTC now.
    clock: Clock
    schedules: ScheduleStore
    deliveries: DeliveryLedger
    notices: NoticeStore
    polls: PollStore
    checkins: CheckinStore
    progress: ProgressStore
    members: MemberStore
    # Messages to one member each (DMs), exactly once: see bot/store/private_messages.py.
    private: PrivateLedger
    pairs: PairStore
    sessions: SessionStore
    time_polls: TimePollStore
    # Practice questions: each member's Leitner boxes and the cards they were asked.
    quiz: QuizStore
    # The kinds this build can deliver on a schedule (e.g. {"nudge"}).
    schedule_kinds: frozenset[str] = frozenset()
    # Where people reach the bot's HTTP server (STUDYBOT_PUBLIC_URL), for links it hands out.
    public_url: str | None = None


CommandContext = context.CommandContext[Services]
ActionContext = context.ActionContext[Services]
