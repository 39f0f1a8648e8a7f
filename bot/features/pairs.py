"""/pairs: weekly accountability partners matched by free-hour overlap, a shared private
conversation per pair, and "Did you meet?" three days later. Rounds run with `/pairs round`
(organizers) or `/schedule add pairs <days> <HH:MM>` (kind `pairs`)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from bot.core.errors import PermissionDenied, UserError
from bot.core.hours import stored_hours
from bot.core.ids import platform_of
from bot.core.instants import instant
from bot.core.mentions import member_in_group_scope
from bot.core.model import Button, Context, Reply, Section, Visibility
from bot.core.private import PrivateDelivery, PrivatePost
from bot.core.registry import OptionSpec, UsageForm, action, command
from bot.core.scheduled import DecidesNothingAtClaim, ScheduledOccurrence, ScheduledPost
from bot.core.text import truncate
from bot.features.pairs_matching import Candidate, match, shared_intervals
from bot.features.services import ActionContext, CommandContext, Services
from bot.store.pairs import Round
from bot.store.private_messages import PlannedMessage

PAIRS_KIND = "pairs"
INTRO_KIND = "pair_intro"
FOLLOW_UP_KIND = "pair_followup"
MET_ACTION = "pairs:met"
RECENT_ROUNDS = 3
FOLLOW_UP_AFTER = timedelta(days=3)
ACTIONS = ("join", "leave", "skip", "round", "size")
MET_LABELS = {"yes": "Yes", "not_yet": "Not yet", "couldnt": "We couldn't"}


@command(
    name="pairs",
    description="Weekly accountability partners: join, skip a round, see your partner.",
    options=[
        OptionSpec(
            name="action",
            description="`join`, `leave`, `skip`; organizers: `round`, `size 2|3`",
            choices=lambda _services: ACTIONS,
        ),
        OptionSpec(name="value", description="with `size`: 2 or 3", rest=True),
    ],
    details="`/pairs join` puts you in the weekly rounds: you are matched with someone whose "
    "free hours (`/me hours`, else 08:00-22:00 your time) overlap yours, never the same partner "
    "as in the last three rounds when that can be avoided, and you two get a private "
    "conversation with a 30-minute exercise. Three days later I ask whether you met; a yes "
    "counts toward your streak. `/pairs skip` sits out the next round, `/pairs leave` stops. "
    "Organizers: `/pairs round` matches now, `/pairs size 3` makes trios, `/schedule add pairs "
    "mon 09:00` runs a round every week.",
    examples=("/pairs join", "/pairs", "/pairs skip", "/pairs round", "/pairs size 3"),
    forms=(
        UsageForm(
            usage="/pairs",
            summary="your partner this round, your last rounds and how often you met",
        ),
        UsageForm(usage="/pairs join", summary="take part in the weekly rounds"),
        UsageForm(usage="/pairs leave", summary="stop taking part"),
        UsageForm(usage="/pairs skip", summary="sit out the next round only"),
        UsageForm(usage="/pairs round", summary="match everyone now", organizers_only=True),
        UsageForm(
            usage="/pairs size 2|3", summary="pairs or groups of three", organizers_only=True
        ),
    ),
)
async def pairs(ctx: CommandContext) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    group_id, member = invocation.group_id, invocation.member
    now = services.clock()
    choice = ctx.text_arg("action")
    value = (ctx.text_arg("value") or "").strip()
    await services.store.ensure_group(group_id, platform=invocation.platform, now=now)
    if choice is None:
        return await _status(services, group_id, member.id)
    if choice in {"round", "size"} and not member.is_organizer:
        raise PermissionDenied(
            f"Only organizers can use /pairs {choice}.", hint="`/pairs join` to take part."
        )
    if choice == "size":
        if value not in {"2", "3"}:
            raise UserError(
                f"`{value or 'nothing'}`: groups are 2 or 3 people.", hint="`/pairs size 2`"
            )
        await services.pairs.set_size(group_id, int(value))
        return Reply(title=f"Rounds now make groups of {value}")
    if value:
        raise UserError(f"`/pairs {choice}` takes nothing more.")
    if choice == "round":
        started = await start_round(services, group_id, key=f"now:{uuid.uuid4().hex}")
        if started is None:
            raise UserError(
                "A round needs at least two members who joined (`/pairs join`) and are not "
                "skipping it.",
            )
        return announcement(started)
    if choice == "join":
        await services.members.join(group_id, member.id, member.name, now=now)
        added = await services.pairs.opt_in(group_id, member.id, member.name, now=now)
        title = "You're in the next round" if added else "You're already in the rounds"
        return Reply(
            title=title,
            parts=(
                Context(text="`/me hours` helps me find you a partner who is free when you are."),
            ),
            visibility=Visibility.PRIVATE,
        )
    if choice == "leave":
        if not await services.pairs.opt_out(group_id, member.id):
            raise UserError("You're not in the rounds.", hint="`/pairs join` to take part.")
        return Reply(title="You're out of the rounds", visibility=Visibility.PRIVATE)
    if not await services.pairs.skip_next(group_id, member.id):
        raise UserError("You're not in the rounds.", hint="`/pairs join` to take part.")
    return Reply(
        title="You'll sit out the next round",
        parts=(Context(text="You're back in the one after."),),
        visibility=Visibility.PRIVATE,
    )


async def _status(services: Services, group_id: str, member_id: str) -> Reply:
    rounds = await services.pairs.rounds_of(group_id, member_id, limit=RECENT_ROUNDS)
    met = await services.pairs.meetings(group_id, member_id)
    opted = {o.member_id: o for o in await services.pairs.opted_in(group_id)}.get(member_id)
    lines = []
    if rounds:
        current = rounds[0]
        lines.append(f"This round: {', '.join(current.partners) or 'nobody'}")
        for item in rounds:
            answer = MET_LABELS.get(item.met or "", "not answered")
            lines.append(f"• {instant(item.started_at)}: {', '.join(item.partners)} ({answer})")
    else:
        lines.append("No rounds for you yet.")
    lines.append(f"Meetings so far: {met}")
    state = "not in the rounds (`/pairs join`)"
    if opted is not None:
        state = "skipping the next round" if opted.skipping else "in the next round"
    return Reply(
        title="Your study partners",
        parts=(Section(text="\n".join(lines)), Context(text=f"You're {state}.")),
        visibility=Visibility.PRIVATE,
    )


# Rounds -----------------------------------------------------------------------------------------


async def start_round(services: Services, group_id: str, *, key: str) -> Round | None:
    """Match the opted-in members (once per key) and plan each team's introduction and the
    follow-ups. None when fewer than two take part."""
    existing = await services.pairs.round_by_key(key)
    if existing is not None:
        await services.private.plan(_planned(existing, services))  # once more: idempotent
        return existing
    now = services.clock()
    group = await services.store.get_group(group_id)
    zone_of_group = group.timezone if group else "UTC"
    taking_part = [o for o in await services.pairs.opted_in(group_id) if not o.skipping]
    if len(taking_part) < 2:
        return None
    candidates = []
    for person in taking_part:
        settings = await services.members.settings(person.member_id)
        candidates.append(
            Candidate(
                member_id=person.member_id,
                zone=ZoneInfo(settings.timezone or zone_of_group),
                hours=stored_hours(settings.hours_start, settings.hours_end),
            )
        )
    recent = {
        frozenset(pair)
        for team in await services.pairs.recent_teams(group_id, rounds=RECENT_ROUNDS)
        for pair in combinations(team, 2)
    }
    size = await services.pairs.size(group_id)
    # Matching is pure CPU (about 1.3 s for 200 members): on a thread, and outside any
    # transaction, so the loop keeps answering and no database lock is held meanwhile.
    teams = await asyncio.to_thread(
        match, candidates, day=now.date(), recent=recent, size=size, seed=key
    )
    started = await services.pairs.store_round(
        group_id,
        key=key,
        now=now,
        teams=teams,
        names={person.member_id: person.name for person in taking_part},
    )
    await services.private.plan(_planned(started, services))
    return started


def _planned(started: Round, services: Services) -> list[PlannedMessage]:
    platform = platform_of(started.group_id)
    planned = []
    for team in started.teams:
        planned.append(
            PlannedMessage(
                key=f"pair-intro:{started.id}:{team.number}",
                platform=platform,
                group_id=started.group_id,
                member_id=team.members[0][0],
                kind=INTRO_KIND,
                due_at=started.started_at,
                payload=json.dumps({"round_id": started.id, "team": team.number}),
            )
        )
        planned += [
            PlannedMessage(
                key=f"pair-followup:{started.id}:{member_id}",
                platform=platform,
                group_id=started.group_id,
                member_id=member_id,
                kind=FOLLOW_UP_KIND,
                due_at=started.started_at + FOLLOW_UP_AFTER,
                payload=json.dumps({"round_id": started.id}),
            )
            for member_id, _ in team.members
        ]
    return planned


def announcement(started: Round) -> Reply:
    """The channel's list of teams; it mentions them: they opted in to being matched."""
    lines = [" · ".join(name for _, name in team.members) for team in started.teams]
    return Reply(
        title="🤝 This week's study partners",
        parts=(
            Section(text="\n".join(f"• {line}" for line in lines)),
            Context(
                text="Each pair has a private conversation with a 30-minute exercise. "
                "`/pairs join` to be in the next round."
            ),
        ),
        mentions=tuple(member_id for team in started.teams for member_id, _ in team.members),
        summary="This week's study partners",
    )


class PairsKind(DecidesNothingAtClaim):
    """The weekly round (kind `pairs`): the round is keyed by its occurrence, so a retried or
    taken-over occurrence announces the same pairs rather than matching again."""

    name = PAIRS_KIND

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, occurrence: ScheduledOccurrence) -> ScheduledPost:
        key = f"schedule:{occurrence.schedule_id}:{occurrence.slot}"
        started = await start_round(self.services, occurrence.group_id, key=key)
        if started is None:
            return ScheduledPost(
                reply=Reply(
                    title="🤝 No study partners this week",
                    parts=(Context(text="Two members need to `/pairs join` for a round."),),
                )
            )
        return ScheduledPost(reply=announcement(started))


# Private messages -------------------------------------------------------------------------------


class PairIntroKind:
    """The team's shared conversation: who, when both are free, and an exercise to do."""

    name = INTRO_KIND

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, message: PrivateDelivery) -> PrivatePost | None:
        services = self.services
        data = json.loads(message.payload or "{}")
        started = await services.pairs.get_round(int(data.get("round_id", 0)))
        if started is None:
            return None
        team = next((t for t in started.teams if t.number == data.get("team")), None)
        if team is None:
            return None
        group = await services.store.get_group(started.group_id)
        names = " and ".join(name for _, name in team.members)
        windows = await self._free_together(started, [m for m, _ in team.members])
        week = services.catalog.weeks.get(group.roadmap_week if group else 1)
        exercise = truncate(week.exercise, 600) if week else "Explain one idea from this week."
        return PrivatePost(
            reply=Reply(
                title="🤝 Your study partners this week",
                parts=(
                    Section(text=f"{names}: you're matched for this round."),
                    Section(heading="Free at the same time", text=windows),
                    Section(
                        heading="A 30-minute exercise",
                        text=f"{exercise}\nTake turns: one explains, the other asks why.",
                    ),
                    Context(text="In three days I'll ask each of you whether you met."),
                ),
                summary="Your study partners this week",
            ),
            shared_with=tuple(member_id for member_id, _ in team.members),
        )

    async def _free_together(self, started: Round, member_ids: list[str]) -> str:
        group = await self.services.store.get_group(started.group_id)
        fallback_zone = group.timezone if group else "UTC"
        people = []
        for member_id in member_ids:
            settings = await self.services.members.settings(member_id)
            people.append(
                Candidate(
                    member_id=member_id,
                    zone=ZoneInfo(settings.timezone or fallback_zone),
                    hours=stored_hours(settings.hours_start, settings.hours_end),
                )
            )
        day: date = started.started_at.date()
        lines = []
        for offset in range(3):
            for start, end in shared_intervals(people, day + timedelta(days=offset)):
                lines.append(f"• {instant(start)} to {instant(end)}")
        if not lines:
            return "Your hours don't overlap on a day; pick a weekend slot together."
        return "\n".join(lines[:3]) + "\n(each of you sees these in your own time)"


class PairFollowUpKind:
    name = FOLLOW_UP_KIND

    def __init__(self, services: Services) -> None:
        self.services = services

    async def compose(self, message: PrivateDelivery) -> PrivatePost | None:
        round_id = int(json.loads(message.payload or "{}").get("round_id", 0))
        mine = await self.services.pairs.rounds_of(message.group_id, message.member_id, limit=5)
        item = next((r for r in mine if r.round_id == round_id), None)
        if item is None or item.met == "yes":
            return None
        return PrivatePost(
            reply=Reply(
                title=f"Did you meet with {', '.join(item.partners)}?",
                parts=(Context(text="A yes counts toward your streak in `/progress`."),),
                buttons=tuple(
                    Button(label=label, action_id=MET_ACTION, value=f"{round_id}:{answer}")
                    for answer, label in MET_LABELS.items()
                ),
                summary="Did you meet your study partner?",
            )
        )


@action(MET_ACTION)
async def met(ctx: ActionContext) -> Reply:
    raw_round, _, answer = ctx.press.value.partition(":")
    started = await ctx.services.pairs.get_round(int(raw_round)) if raw_round.isdigit() else None
    if started is None or answer not in MET_LABELS:
        raise UserError("That button no longer works.")
    member_id = member_in_group_scope(ctx.press.member.id, started.group_id)
    if not await ctx.services.pairs.record_met(
        started.id, member_id, answer, now=ctx.services.clock()
    ):
        raise UserError("You weren't in that round.")
    thanks = {
        "yes": "Great: noted, and it counts toward your streak.",
        "not_yet": "Noted. There's still time this week.",
        "couldnt": "Noted. Next round is a fresh start.",
    }[answer]
    return Reply(title=thanks, visibility=Visibility.PRIVATE, replace_original=True)
