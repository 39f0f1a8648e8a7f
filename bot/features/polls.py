"""/poll: quick polls with buttons, one vote per member, a live tally and a chart at the end."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.core.arguments import split_words
from bot.core.errors import UserError
from bot.core.instants import instant
from bot.core.model import Button, Context, Image, Reply, Section, Visibility
from bot.core.registry import OptionSpec, UsageForm, action, command
from bot.core.time import parse_duration
from bot.features.charts import bar_chart_png
from bot.features.private_notes import joined_by_taking_part
from bot.features.quiz_cards import reveal, week_answered
from bot.features.services import ActionContext, CommandContext, Services
from bot.store.polls import AlreadyVoted, Poll, PollClosed, Tally

VOTE_ACTION = "poll:vote"
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_QUESTION, MAX_OPTION = 200, 80
DEFAULT_OPEN = timedelta(hours=24)
LONGEST_OPEN = timedelta(days=14)
# Below this many voters an anonymous poll shows no per-option numbers: with two voters, each
# could work out the other's vote.
ANONYMITY_THRESHOLD = 3
USAGE = '/poll "question" "option" "option" … [anonymous] [closes 2h|30m|3d]'


@command(
    name="poll",
    description="Ask the group a question with buttons to vote.",
    options=[
        OptionSpec(name="details", description="question and options", rest=True, required=True)
    ],
    details="Put the question and each option in quotes. Add `anonymous` to keep voters secret "
    "(no names are stored at all) and `closes 2h` to choose when it closes (default 24 hours). "
    "One vote per member; vote again to change it. `/poll list` shows the open polls with their "
    "ids; `/poll close <id>` closes one early (the poll's creator or an organizer), `/poll close` "
    "your newest. Without quotes, end the question with `?` and list one-word options after it.",
    examples=(
        '/poll "Which topic next week?" "Statistics" "Deep learning" "MLOps"',
        '/poll "How confident are you?" "1" "2" "3" "4" "5" anonymous closes 2d',
        "/poll Which day suits you? Monday Thursday",
        "/poll list",
        "/poll close 3",
    ),
    forms=(
        UsageForm(
            usage='/poll "<question>" "<option>" … [anonymous] [closes 2h]',
            summary="a poll with 2 to 10 buttons, one vote each (vote again to change), a live "
            "tally and a chart when it closes; `anonymous` stores no names",
        ),
        UsageForm(usage="/poll list", summary="the open polls with their ids"),
        UsageForm(
            usage="/poll close [id]",
            summary="close one early (its creator or an organizer); without an id, your newest",
        ),
    ),
)
async def poll(ctx: CommandContext) -> Reply:
    text = ctx.text_arg("details") or ""
    words = split_words(text)
    first = words[0].lower() if words else ""
    if first == "list" and len(words) == 1:
        return await _list(ctx)
    if first == "close" and len(words) <= 2:
        return await _close(ctx, words[1] if len(words) == 2 else None)
    question, options, anonymous, open_for = parse_poll(words if _quoted(text) else _unquoted(text))
    services, invocation = ctx.services, ctx.invocation
    now = services.clock()
    created = await services.polls.create(
        group_id=invocation.group_id,
        platform=invocation.platform,
        question=question,
        options=options,
        anonymous=anonymous,
        created_by=invocation.member.id,
        closes_at=now + open_for,
        now=now,
    )
    return poll_card(created, Tally(counts=(0,) * len(options)))


QUOTES = "\"'“”‘’"


def _quoted(text: str) -> bool:
    return any(mark in text for mark in QUOTES)


def _unquoted(text: str) -> list[str]:
    """`Which topic next? Statistics MLOps closes 2h` → the question up to its `?`, then one
    option per word. Without a `?` there is no telling where the question ends: ask for quotes."""
    question, mark, rest = text.partition("?")
    if not mark or not question.strip():
        raise UserError(
            "Put the question and each option in quotes, or end the question with `?` and list "
            "one-word options after it.",
            hint=f"Usage: `{USAGE}`",
        )
    return [question.strip() + "?", *rest.split()]


def parse_poll(words: Sequence[str]) -> tuple[str, tuple[str, ...], bool, timedelta]:
    if not words:
        raise UserError("What should I ask?", hint=f"Usage: `{USAGE}`")
    question, rest = words[0].strip(), list(words[1:])
    anonymous, open_for = False, DEFAULT_OPEN
    options: list[str] = []
    while rest:
        word = rest.pop(0)
        if word.lower() == "anonymous":
            anonymous = True
        elif word.lower() == "closes" and rest:
            open_for = _open_for(rest.pop(0))
        else:
            options.append(word.strip())
    if len(question) > MAX_QUESTION:
        raise UserError(f"Keep the question under {MAX_QUESTION} characters.")
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise UserError(
            f"A poll needs {MIN_OPTIONS} to {MAX_OPTIONS} options; I found {len(options)}.",
            hint=f"Quote each option: `{USAGE}`",
        )
    if any(not option or len(option) > MAX_OPTION for option in options):
        raise UserError(f"Each option needs 1 to {MAX_OPTION} characters.")
    if len({option.lower() for option in options}) != len(options):
        raise UserError("Two options are the same; make each one different.")
    return question, tuple(options), anonymous, open_for


def _open_for(text: str) -> timedelta:
    span = parse_duration(text)
    if not timedelta(minutes=1) <= span <= LONGEST_OPEN:
        raise UserError("A poll can stay open from 1 minute to 14 days.")
    return span


async def _list(ctx: CommandContext) -> Reply:
    open_polls = await ctx.services.polls.open_polls(ctx.invocation.group_id)
    if not open_polls:
        return Reply(title="No open polls", parts=(Section(text=f"Start one: `{USAGE}`"),))
    lines = [
        f"#{found.id} {found.question} · {tally.voters} vote{'' if tally.voters == 1 else 's'}"
        f" · closes {instant(found.closes_at)}"
        for found, tally in open_polls
    ]
    return Reply(
        title=f"Open polls ({len(open_polls)})",
        parts=(Section(text="\n".join(lines)), Context(text="`/poll close <id>` closes one.")),
        visibility=Visibility.PRIVATE,
    )


async def _close(ctx: CommandContext, raw_id: str | None) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    found = (
        await _find(services, invocation.group_id, raw_id)
        if raw_id is not None
        else await _newest_of(ctx)
    )
    if not invocation.member.is_organizer and invocation.member.id != found.created_by:
        raise UserError("Only the poll's creator or an organizer can close it.")
    closed = await services.polls.close(found.id, now=services.clock())
    if closed is None:
        raise UserError(f"Poll #{found.id} has already closed.")
    return await results(services, closed)


async def _newest_of(ctx: CommandContext) -> Poll:
    """`/poll close` without an id: the newest open poll this member started."""
    member = ctx.invocation.member.id
    for found, _ in await ctx.services.polls.open_polls(ctx.invocation.group_id):
        if found.created_by == member:
            return found
    raise UserError(
        "You have no open poll in this channel.",
        hint="`/poll list` shows the open polls; `/poll close <id>` closes one.",
    )


async def _find(services: Services, group_id: str, raw_id: str) -> Poll:
    digits = raw_id.removeprefix("#")
    found = await services.polls.get(int(digits)) if digits.isdigit() else None
    if found is None or found.group_id != group_id:
        raise UserError(f"This group has no poll `{raw_id}`.")
    return found


@action(VOTE_ACTION)
async def vote(ctx: ActionContext) -> Reply:
    poll_id, _, index = ctx.press.value.partition(":")
    if not (poll_id.isdigit() and index.isdigit()):
        raise UserError("That button no longer works.")
    try:
        voted_on, tally = await ctx.services.polls.vote(
            int(poll_id), ctx.press.member.id, int(index), now=ctx.services.clock()
        )
    except PollClosed as closed:
        raise UserError(f"Sorry, {closed}.") from None
    except AlreadyVoted:
        raise UserError("Your first answer to the question of the week stands.") from None
    if voted_on.quiz_question is not None:
        # A question of the week reached through a poll button (an old or made-up one): its
        # tally stays hidden until it closes, and the answer is acknowledged privately.
        return week_answered(voted_on, int(index), first=True)
    if not voted_on.anonymous:
        member = ctx.press.member
        await joined_by_taking_part(ctx.services, voted_on.group_id, member.id, member.name)
    return poll_card(voted_on, tally)


def _bars(poll: Poll, tally: Tally) -> str:
    top = max(tally.counts, default=0) or 1
    lines = []
    for number, (label, count) in enumerate(zip(poll.options, tally.counts, strict=True), 1):
        share = round(100 * count / tally.voters) if tally.voters else 0
        bar = "█" * round(10 * count / top) if count else "·"
        lines.append(f"{number}. {label}  {bar} {count} ({share}%)")
    return "\n".join(lines)


def _hidden(poll: Poll, tally: Tally) -> bool:
    return poll.anonymous and tally.voters < ANONYMITY_THRESHOLD


def _body(poll: Poll, tally: Tally) -> str:
    if _hidden(poll, tally):
        listing = "\n".join(f"{n}. {label}" for n, label in enumerate(poll.options, 1))
        return (
            f"{listing}\n\nPer-option results appear once {ANONYMITY_THRESHOLD} members have "
            "voted (anonymous poll)."
        )
    return _bars(poll, tally)


def poll_card(poll: Poll, tally: Tally) -> Reply:
    closes = instant(poll.closes_at)
    secrecy = (
        "anonymous: no names are stored with votes" if poll.anonymous else "votes are not secret"
    )
    voters = f"{tally.voters} vote" + ("" if tally.voters == 1 else "s")
    return Reply(
        title=f"📊 {poll.question}",
        parts=(
            Section(text=_body(poll, tally)),
            Context(
                text=f"Poll #{poll.id} · {voters} · {secrecy} · one vote each, vote again to "
                f"change it · closes {closes}"
            ),
        ),
        buttons=tuple(
            Button(label=label, action_id=VOTE_ACTION, value=f"{poll.id}:{index}")
            for index, label in enumerate(poll.options)
        ),
        replace_original=True,
        summary=f"Poll: {poll.question}",
    )


async def results(services: Services, poll: Poll) -> Reply:
    tally = await services.polls.tally(poll)
    if poll.quiz_question is not None:
        # A question of the week: the tally plus the right answer and why.
        catalog = services.catalog
        return reveal(catalog, poll, tally, catalog.questions.get(poll.quiz_question))
    image = None
    if tally.voters and not _hidden(poll, tally):
        image = Image(
            data=bar_chart_png(poll.question, list(poll.options), list(tally.counts)),
            filename=f"poll-{poll.id}.png",
            alt=f"Bar chart of the results of poll #{poll.id}",
        )
    body = _body(poll, tally) if tally.voters else "Nobody voted."
    return Reply(
        title=f"📊 Results: {poll.question}",
        parts=(
            Section(text=body),
            Context(
                text=f"Poll #{poll.id} closed · {tally.voters} "
                + ("voter" if tally.voters == 1 else "voters")
            ),
        ),
        image=image,
        summary=f"Results: {poll.question}",
    )
