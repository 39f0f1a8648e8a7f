"""/quiz: practice questions with Leitner boxes, stats, and the question of the week."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import Application, build_application
from bot.core.model import ActionPress, Member, Visibility
from bot.features.quiz_practice import Why, pick_question
from bot.settings import Settings
from bot.store.quiz import Review, next_box
from content.catalog import load_catalog
from tests.chat import Chat, reply_text
from tests.fakes.clock import FakeClock
from tests.fakes.outbox import FakeOutbox

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def review(question_id: str, *, box: int, due_in: timedelta, answered: int = 1, correct: int = 0):  # type: ignore[no-untyped-def]
    catalog = load_catalog()
    return Review(
        question_id=question_id,
        topic=catalog.questions[question_id].topic,
        box=box,
        due_at=NOW + due_in,
        answered=answered,
        correct=correct,
    )


def test_boxes_follow_one_three_seven_days() -> None:
    assert next_box(None, correct=False) == 1
    assert next_box(None, correct=True) == 2
    assert next_box(1, correct=True) == 2
    assert next_box(2, correct=True) == 3
    assert next_box(3, correct=True) == 4
    assert next_box(4, correct=True) == 4
    assert next_box(3, correct=False) == 1


def test_due_questions_come_first_lowest_box_then_longest_overdue() -> None:
    catalog = load_catalog()
    reviews = {
        "q-math-dot-product": review("q-math-dot-product", box=2, due_in=-timedelta(days=2)),
        "q-eval-precision": review("q-eval-precision", box=1, due_in=-timedelta(hours=1)),
        "q-dl-backprop": review("q-dl-backprop", box=1, due_in=-timedelta(days=1)),
        "q-mlops-container": review("q-mlops-container", box=1, due_in=timedelta(days=1)),
    }
    pick = pick_question(catalog, reviews, now=NOW)
    assert (pick.question.id, pick.why) == ("q-dl-backprop", Why.DUE)
    # Restricted to a topic, a due question of that topic wins.
    in_math = pick_question(catalog, reviews, now=NOW, topic="math")
    assert (in_math.question.id, in_math.why) == ("q-math-dot-product", Why.DUE)


def test_without_due_questions_a_new_one_comes_from_the_weakest_topic() -> None:
    catalog = load_catalog()
    reviews = {
        # Two misses in evaluation; every other answered topic was right.
        "q-eval-precision": review("q-eval-precision", box=1, due_in=timedelta(days=1), answered=2),
        "q-math-dot-product": review(
            "q-math-dot-product", box=3, due_in=timedelta(days=7), answered=2, correct=2
        ),
    }
    for seed in range(20):
        pick = pick_question(catalog, reviews, now=NOW, rng=random.Random(seed))
        assert pick.why is Why.NEW
        assert pick.question.topic == "evaluation"
        assert pick.question.id not in reviews


def test_with_everything_seen_and_nothing_due_the_soonest_comes_early() -> None:
    catalog = load_catalog()
    in_topic = catalog.questions_in("data")
    reviews = {
        q.id: review(q.id, box=4, due_in=timedelta(days=10 + index))
        for index, q in enumerate(in_topic)
    }
    pick = pick_question(catalog, reviews, now=NOW, topic="data")
    assert (pick.question.id, pick.why) == (in_topic[0].id, Why.EARLY)


def _wrong_label(chat: Chat) -> str:
    assert chat.last is not None
    catalog = load_catalog()
    prompt = chat.last.parts[0].text  # type: ignore[union-attr]
    question = next(q for q in catalog.questions.values() if q.prompt == prompt)
    return next(option for option in question.options if option != question.correct)


def _right_label(chat: Chat) -> str:
    assert chat.last is not None
    prompt = chat.last.parts[0].text  # type: ignore[union-attr]
    return next(q.correct for q in load_catalog().questions.values() if q.prompt == prompt)


async def test_a_missed_question_is_due_again_one_day_later(chat: Chat, clock: FakeClock) -> None:
    card = await chat.send("/quiz llm-engineering")
    assert card.visibility is Visibility.PRIVATE
    assert "LLM engineering · practice question" in reply_text(card)
    assert len(card.buttons) == 4
    prompt = card.parts[0].text  # type: ignore[union-attr]
    missed = await chat.press(_wrong_label(chat))
    assert missed.visibility is Visibility.PRIVATE
    assert missed.title is not None
    assert missed.title.startswith("❌ Not quite")
    assert "again in 1 day" in reply_text(missed)
    stats = await chat.send("/quiz stats")
    assert "0 of 1 right (0%)" in reply_text(stats)
    assert "0 due" in reply_text(stats)

    clock.advance(timedelta(hours=23))
    not_yet = await chat.send("/quiz llm-engineering")
    assert not_yet.parts[0].text != prompt  # type: ignore[union-attr]
    clock.advance(timedelta(hours=1))
    assert "1 question due now" in reply_text(await chat.send("/quiz stats"))
    again = await chat.send("/quiz")
    assert again.parts[0].text == prompt  # type: ignore[union-attr]
    assert "Due for review" in reply_text(again)
    right = await chat.press(_right_label(chat))
    assert right.title is not None
    assert right.title.startswith("✅ Right")
    assert "again in 3 days" in reply_text(right)


async def test_an_answer_counts_once_and_only_for_its_member(app: Application, chat: Chat) -> None:
    card = await chat.send("/quiz math")
    button = card.buttons[0]
    await chat.press(button.label)
    repeat = await app.dispatcher.press(
        ActionPress(
            action_id=button.action_id,
            value=button.value,
            member=chat.member,
            group_id=chat.group_id,
            platform=chat.platform,
        )
    )
    assert repeat.is_error
    assert "answered this question already" in reply_text(repeat)
    stranger = await app.dispatcher.press(
        ActionPress(
            action_id=button.action_id,
            value=button.value.replace(":1", ":2"),
            member=Member(id="test:eve", name="eve"),
            group_id=chat.group_id,
            platform=chat.platform,
        )
    )
    assert "asked to someone else" in reply_text(stranger)
    reviews = await app.services.quiz.reviews(chat.member.id)
    assert sum(r.answered for r in reviews.values()) == 1
    assert await app.services.quiz.reviews("test:eve") == {}


@pytest.mark.parametrize("value", ["x:1", "1:9", "", "1"])
async def test_a_forged_answer_button_changes_nothing(
    app: Application, chat: Chat, value: str
) -> None:
    await chat.send("/quiz")
    reply = await app.dispatcher.press(
        ActionPress(
            action_id="quiz:answer",
            value=value,
            member=chat.member,
            group_id=chat.group_id,
            platform=chat.platform,
        )
    )
    assert reply.is_error
    assert await app.services.quiz.reviews(chat.member.id) == {}


async def test_only_organizers_close_the_question_of_the_week(chat: Chat, admin: Chat) -> None:
    refused = await chat.send("/quiz close")
    assert "Only organizers" in reply_text(refused)
    nothing = await admin.send("/quiz close")
    assert "no open question of the week" in reply_text(nothing)


async def _post_week_question(app: Application, admin: Chat, clock: FakeClock) -> FakeOutbox:
    await admin.send("/schedule add quiz mon 09:00 UTC")
    [record] = await app.services.schedules.list_schedules("test:group")
    outbox = FakeOutbox()
    service = app.scheduler({"test": outbox})
    clock.set(record.next_due_at + timedelta(seconds=1))
    await service.tick()
    await service.drain()
    return outbox


async def _answer_week(app: Application, member_id: str, value: str):  # type: ignore[no-untyped-def]
    return await app.dispatcher.press(
        ActionPress(
            action_id="quiz:week",
            value=value,
            member=Member(id=member_id, name=member_id),
            group_id="test:group",
            platform="test",
        )
    )


async def test_the_question_of_the_week_keeps_answers_private_and_reveals_once(
    admin: Chat, app: Application, clock: FakeClock, database_url: str
) -> None:
    outbox = await _post_week_question(app, admin, clock)
    [post] = outbox.posts
    assert post.reply.title == "🧠 Question of the week"
    catalog = app.services.catalog
    question = next(q for q in catalog.questions.values() if q.prompt == post.reply.parts[0].text)  # type: ignore[union-attr]
    # The group's roadmap week 1 is about communication: its question comes from that topic.
    assert question.topic == catalog.weeks[1].topic
    right_value = post.reply.buttons[question.answer - 1].value
    wrong_value = next(b.value for b in post.reply.buttons if b.value != right_value)

    first = await _answer_week(app, "test:bo", right_value)
    assert first.visibility is Visibility.PRIVATE
    assert "Answer noted" in reply_text(first)
    await _answer_week(app, "test:cy", wrong_value)
    changed = await _answer_week(app, "test:cy", right_value)
    assert "You already answered" in reply_text(changed)
    # Answers count as practice, and toward the streak like any named vote.
    assert (await app.services.quiz.reviews("test:bo"))[question.id].box == 2
    assert (await app.services.quiz.reviews("test:cy"))[question.id].box == 1
    active = {member for member, _ in await app.services.progress.activity("test:group")}
    assert {"test:bo", "test:cy"} <= active

    # It closes after 24 hours; two processes sweep, the reveal posts once.
    other = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url), clock=clock)
    reveal_outbox = FakeOutbox()
    try:
        services = [application.scheduler({"test": reveal_outbox}) for application in (app, other)]
        clock.advance(timedelta(hours=24, seconds=1))
        await asyncio.gather(*(service.tick() for service in services))
        await asyncio.gather(*(service.drain() for service in services))
        await asyncio.gather(*(service.tick() for service in services))
    finally:
        await other.close()
    [revealed] = reveal_outbox.posts
    text = reply_text(revealed.reply)
    assert revealed.reply.title == f"🧠 Answer: {question.prompt}"
    assert f"✅ {question.correct}: 1" in text
    assert "2 answers · 50% got it right" in text
    assert question.explanation in text
    late = await _answer_week(app, "test:dee", right_value)
    assert "has closed" in reply_text(late)


async def test_an_organizer_can_reveal_the_question_of_the_week_early(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    await _post_week_question(app, admin, clock)
    revealed = await admin.send("/quiz close")
    assert (revealed.title or "").startswith("🧠 Answer:")
    assert "Nobody answered this time." in reply_text(revealed)
    again = await admin.send("/quiz close")
    assert "no open question of the week" in reply_text(again)


def test_every_fourth_question_is_new_even_with_reviews_due() -> None:
    catalog = load_catalog()
    reviews = {
        q.id: review(q.id, box=1, due_in=-timedelta(hours=1)) for q in catalog.questions_in("math")
    }
    picks = [
        pick_question(catalog, reviews, now=NOW, asked_before=asked, rng=random.Random(asked))
        for asked in range(8)
    ]
    assert [pick.why for pick in picks] == [Why.DUE, Why.DUE, Why.DUE, Why.NEW] * 2
    assert all(pick.question.topic != "math" for pick in picks if pick.why is Why.NEW)


@pytest.mark.parametrize("value", ["1:9", "99:0", "x:1"])
async def test_a_forged_week_answer_changes_nothing(
    admin: Chat, app: Application, clock: FakeClock, value: str
) -> None:
    await admin.send('/poll "An ordinary poll?" "a" "b"')  # poll #1, not a question of the week
    reply = await _answer_week(app, "test:mallory", value)
    assert reply.is_error
    assert "no longer works" in reply_text(reply)
    ordinary = await app.dispatcher.press(
        ActionPress(
            action_id="quiz:week",
            value="1:0",
            member=Member(id="test:mallory", name="m"),
            group_id="test:group",
            platform="test",
        )
    )
    assert ordinary.is_error
    [(poll, tally)] = await app.services.polls.open_polls("test:group")
    assert tally.voters == 0


async def test_a_poll_button_cannot_reveal_or_change_a_question_of_the_week(
    admin: Chat, app: Application, clock: FakeClock
) -> None:
    outbox = await _post_week_question(app, admin, clock)
    [post] = outbox.posts
    poll_id = post.reply.buttons[0].value.split(":")[0]

    async def poll_vote(index: int):  # type: ignore[no-untyped-def]
        return await app.dispatcher.press(
            ActionPress(
                action_id="poll:vote",
                value=f"{poll_id}:{index}",
                member=Member(id="test:eve", name="eve"),
                group_id="test:group",
                platform="test",
            )
        )

    first = await poll_vote(0)
    assert first.visibility is Visibility.PRIVATE  # no live tally in the channel
    assert "Answer noted" in reply_text(first)
    again = await poll_vote(1)
    assert "first answer" in reply_text(again)
    [(poll, tally)] = await app.services.polls.open_polls("test:group")
    assert tally.counts[0] == 1
    assert tally.voters == 1
