"""/quiz: practice questions with spaced repetition, and the group's question of the week.

A member's own questions are private (ephemeral) cards; each answer comes back privately with
why, and moves the question between Leitner boxes (bot/store/quiz.py). The question of the week
is a poll whose answers are private and final (bot/features/quiz_schedule.py posts it).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.errors import PermissionDenied, UserError
from bot.core.model import Member, Reply
from bot.core.registry import OptionSpec, UsageForm, action, command
from bot.features.polls import results
from bot.features.private_notes import joined_by_taking_part
from bot.features.quiz_cards import (
    ANSWER_ACTION,
    NEXT_ACTION,
    WEEK_ANSWER_ACTION,
    answer_card,
    question_card,
    stats_card,
    week_answered,
)
from bot.features.quiz_practice import pick_question, topic_stats
from bot.features.services import ActionContext, CommandContext, Services
from bot.store.polls import AlreadyVoted, PollClosed
from bot.store.quiz import LEARNED_BOX, CardAnswered, UnknownCard, practice_alongside_vote

WORDS = ("stats", "close")


def quiz_choices(services: Services) -> Sequence[str]:
    return [*WORDS, *services.catalog.topics]


@command(
    name="quiz",
    description="A practice question for you; missed ones come back until you know them.",
    options=[
        OptionSpec(
            name="topic",
            description="a topic, or `stats`, or `close` (organizers)",
            choices=quiz_choices,
        )
    ],
    details="Each question has four answers; yours comes back privately, right or not, and why. "
    "A missed question returns after 1 day, then 3, then 7 days as you get it right. `/quiz` "
    "asks what is due first (every fourth question is a new one all the same), then something "
    "new from your weakest topic. "
    "`/schedule add quiz <days> <HH:MM>` (organizers) posts a question of the week in the "
    "channel: answers are private, and the tally and the right answer are revealed after 24 "
    "hours or at `/quiz close`.",
    examples=("/quiz", "/quiz llm-engineering", "/quiz stats", "/quiz close"),
    forms=(
        UsageForm(usage="/quiz [topic]", summary="a practice question for you, privately"),
        UsageForm(usage="/quiz stats", summary="your accuracy by topic and what is due"),
        UsageForm(
            usage="/quiz close",
            summary="reveal the open question of the week now",
            organizers_only=True,
        ),
    ),
)
async def quiz(ctx: CommandContext) -> Reply:
    wanted = ctx.text_arg("topic")
    if wanted == "stats":
        return await stats(ctx.services, ctx.invocation.member)
    if wanted == "close":
        return await close_week_question(ctx)
    return await ask(ctx.services, ctx.invocation.member, wanted)


async def ask(services: Services, member: Member, topic: str | None) -> Reply:
    now = services.clock()
    reviews = await services.quiz.reviews(member.id)
    asked_before = await services.quiz.cards_asked(member.id)
    pick = pick_question(services.catalog, reviews, now=now, topic=topic, asked_before=asked_before)
    card_id = await services.quiz.ask(member.id, pick.question.id, now=now)
    return question_card(services.catalog, pick, card_id)


async def stats(services: Services, member: Member) -> Reply:
    now = services.clock()
    reviews = await services.quiz.reviews(member.id)
    by_topic = topic_stats(services.catalog, reviews, now=now, learned_box=LEARNED_BOX)
    due_total = sum(review.due_at <= now for review in reviews.values())
    return stats_card(services.catalog, by_topic, due_total=due_total)


@action(ANSWER_ACTION)
async def answer(ctx: ActionContext) -> Reply:
    services, member = ctx.services, ctx.press.member
    card, _, option = ctx.press.value.partition(":")
    if not (card.isdigit() and option.isdigit() and 1 <= int(option) <= 4):
        raise UserError("That button no longer works. `/quiz` asks a new question.")
    catalog = services.catalog
    try:
        answered = await services.quiz.answer(
            int(card),
            member.id,
            int(option),
            topic_of={q.id: q.topic for q in catalog.questions.values()},
            right_option={q.id: q.answer for q in catalog.questions.values()},
            now=services.clock(),
        )
    except CardAnswered:
        raise UserError(
            "You have answered this question already; your first answer counts.",
            hint="`/quiz` asks the next one.",
        ) from None
    except UnknownCard:
        raise UserError(
            "That question was asked to someone else (or no longer exists).",
            hint="`/quiz` asks one of your own.",
        ) from None
    question = catalog.questions[answered.question_id]
    return answer_card(catalog, question, answered, topic_asked=None)


@action(NEXT_ACTION)
async def next_question(ctx: ActionContext) -> Reply:
    topic = ctx.press.value or None
    if topic is not None and topic not in ctx.services.catalog.topics:
        topic = None
    return await ask(ctx.services, ctx.press.member, topic)


@action(WEEK_ANSWER_ACTION)
async def answer_week_question(ctx: ActionContext) -> Reply:
    services, member = ctx.services, ctx.press.member
    poll_id, _, index = ctx.press.value.partition(":")
    if not (poll_id.isdigit() and index.isdigit()):
        raise UserError("That button no longer works.")
    catalog = services.catalog
    now = services.clock()

    asked = await services.polls.get(int(poll_id))
    if asked is None or asked.quiz_question is None or not int(index) < len(asked.options):
        raise UserError("That button no longer works.")  # a made-up or outdated button
    # The answer also counts as practice of that question (unless the content changed since).
    question = catalog.questions.get(asked.quiz_question)
    alongside = (
        practice_alongside_vote(
            member_id=member.id,
            question_id=question.id,
            topic=question.topic,
            right_option=question.answer,
            now=now,
        )
        if question is not None
        else None
    )
    try:
        poll, _ = await services.polls.vote(
            int(poll_id), member.id, int(index), now=now, alongside=alongside
        )
    except PollClosed as closed:
        raise UserError(f"Sorry, {closed}: the answer has been revealed in the channel.") from None
    except AlreadyVoted as earlier:
        return week_answered(asked, earlier.option_index, first=False)
    await joined_by_taking_part(services, poll.group_id, member.id, member.name)
    return week_answered(poll, int(index), first=True)


async def close_week_question(ctx: CommandContext) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    if not invocation.member.is_organizer:
        raise PermissionDenied(
            "Only organizers can close the question of the week early.",
            hint="It closes by itself 24 hours after it was posted.",
        )
    open_quizzes = [
        found
        for found, _ in await services.polls.open_polls(invocation.group_id)
        if found.quiz_question is not None
    ]
    if not open_quizzes:
        raise UserError(
            "There is no open question of the week in this channel.",
            hint="`/schedule add quiz <days> <HH:MM>` posts one on a schedule.",
        )
    closed = await services.polls.close(open_quizzes[0].id, now=services.clock())
    if closed is None:
        raise UserError("It has just closed; the answer is in the channel.")
    return await results(services, closed)
