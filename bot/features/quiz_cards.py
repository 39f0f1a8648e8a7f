"""How practice questions read: a member's own question, the answer that comes back privately,
their stats, and the question of the week with its reveal."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.instants import InstantStyle, instant
from bot.core.model import Button, Context, Reply, Section, Visibility
from bot.features.quiz_practice import Pick, TopicStats, Why
from bot.store.polls import Poll, Tally
from bot.store.quiz import BOX_INTERVALS, Answered
from content.catalog import Catalog
from content.models import Question
from content.resources import resource_line

ANSWER_ACTION = "quiz:answer"
NEXT_ACTION = "quiz:next"
WEEK_ANSWER_ACTION = "quiz:week"

WHY_ASKED = {
    Why.DUE: "Due for review: you last got it wrong or it's time to check you still know it.",
    Why.NEW: "New to you, from your weakest topic so far.",
    Why.EARLY: "Nothing is due; this is the one due soonest, a little early.",
}


def question_card(catalog: Catalog, pick: Pick, card_id: int) -> Reply:
    question = pick.question
    topic = catalog.topics[question.topic]
    return Reply(
        title=f"🧠 {topic.name} · practice question",
        parts=(
            Section(text=question.prompt),
            Context(text=f"{WHY_ASKED[pick.why]} Only you see this. · /quiz stats"),
        ),
        buttons=tuple(
            Button(label=option, action_id=ANSWER_ACTION, value=f"{card_id}:{index}")
            for index, option in enumerate(question.options, start=1)
        ),
        visibility=Visibility.PRIVATE,
        summary=f"Practice question: {question.prompt}",
    )


def answer_card(
    catalog: Catalog, question: Question, answered: Answered, *, topic_asked: str | None
) -> Reply:
    right = answered.option == question.answer
    title = (
        f"✅ Right: {question.correct}"
        if right
        else f"❌ Not quite. The answer is: {question.correct}"
    )
    days = BOX_INTERVALS[answered.box].days
    again = f"You'll see this question again in {days} day{'s' if days != 1 else ''} " + (
        f"({instant(answered.due_at, InstantStyle.DATE)})."
    )
    return Reply(
        title=title,
        parts=(
            Section(heading="Why", text=question.explanation),
            *_further(catalog, question),
            Context(text=f"{again} · /quiz stats"),
        ),
        buttons=(Button(label="Next question", action_id=NEXT_ACTION, value=topic_asked or ""),),
        visibility=Visibility.PRIVATE,
        summary=title,
    )


def _further(catalog: Catalog, question: Question) -> tuple[Section, ...]:
    if question.resource is None:
        return ()
    return (
        Section(heading="Go further", text=resource_line(catalog.resources[question.resource])),
    )


def stats_card(catalog: Catalog, stats: Sequence[TopicStats], *, due_total: int) -> Reply:
    if not stats:
        return Reply(
            title="No practice answers yet",
            parts=(
                Section(text="`/quiz` asks your first question; `/quiz <topic>` picks a topic."),
            ),
            visibility=Visibility.PRIVATE,
        )
    answered = sum(s.answered for s in stats)
    correct = sum(s.correct for s in stats)
    lines = [
        f"{catalog.topics[s.topic].name}: {s.correct} of {s.answered} right "
        f"({round(100 * s.accuracy)}%) · {s.due} due · {s.learned} of {s.total} learned"
        for s in stats
    ]
    due_text = (
        f"{due_total} question{'s' if due_total != 1 else ''} due now: `/quiz` asks them first."
        if due_total
        else "Nothing due now: `/quiz` brings something new from your weakest topic."
    )
    return Reply(
        title=f"Your practice: {answered} answer{'s' if answered != 1 else ''}, "
        f"{round(100 * correct / answered)}% right",
        parts=(
            Section(heading="By topic, weakest first", text="\n".join(lines)),
            Context(
                text=f"{due_text} A missed question returns after 1 day, then 3, then 7; "
                "learned ones after 21."
            ),
        ),
        visibility=Visibility.PRIVATE,
    )


def week_card(catalog: Catalog, poll: Poll, question: Question) -> Reply:
    topic = catalog.topics[question.topic]
    return Reply(
        title="🧠 Question of the week",
        parts=(
            Section(text=question.prompt),
            Context(
                text=f"{topic.name} · answers are private and final · the tally and the right "
                f"answer are revealed when it closes {instant(poll.closes_at)} · #{poll.id}"
            ),
        ),
        buttons=tuple(
            Button(label=option, action_id=WEEK_ANSWER_ACTION, value=f"{poll.id}:{index}")
            for index, option in enumerate(poll.options)
        ),
        summary=f"Question of the week: {question.prompt}",
    )


def week_answered(poll: Poll, option_index: int, *, first: bool) -> Reply:
    chosen = poll.options[option_index]
    title = f"Answer noted: {chosen}" if first else f"You already answered: {chosen}"
    return Reply(
        title=title,
        parts=(
            Context(
                text=f"Only you see this. The right answer and the group's tally are revealed "
                f"{instant(poll.closes_at, InstantStyle.RELATIVE)} ({instant(poll.closes_at)})."
            ),
        ),
        visibility=Visibility.PRIVATE,
        summary=title,
    )


def reveal(catalog: Catalog, poll: Poll, tally: Tally, question: Question | None) -> Reply:
    """The closed question of the week: every option with its count, the right one marked."""
    right_index = question.answer - 1 if question is not None else -1
    lines = [
        f"{'✅' if index == right_index else '▫️'} {label}: {count}"
        for index, (label, count) in enumerate(zip(poll.options, tally.counts, strict=True))
    ]
    voters = tally.voters
    right = tally.counts[right_index] if 0 <= right_index < len(tally.counts) else 0
    share = f" · {round(100 * right / voters)}% got it right" if voters else ""
    explanation: tuple[Section, ...] = ()
    if question is not None:
        explanation = (Section(heading="Why", text=question.explanation),) + _further(
            catalog, question
        )
    return Reply(
        title=f"🧠 Answer: {poll.question}",
        parts=(
            Section(text="\n".join(lines) if voters else "Nobody answered this time."),
            *explanation,
            Context(
                text=f"Question of the week #{poll.id} closed · {voters} "
                f"answer{'s' if voters != 1 else ''}{share} · practise more with /quiz"
            ),
        ),
        summary=f"Answer: {poll.question}",
    )
