"""Every command through the dispatcher, read like a chat."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.app import Application
from bot.core.model import Columns, Member, Visibility
from bot.core.text import MAX_INPUT_CHARS
from tests.chat import Chat, reply_text


async def test_help_lists_every_command(chat: Chat, app: Application) -> None:
    reply = await chat.send("/help")
    text = reply_text(reply)
    for spec in app.services.registry.commands:
        assert spec.usage in text
        assert spec.description in text
    assert reply.visibility is Visibility.PRIVATE


async def test_help_for_one_command(chat: Chat) -> None:
    reply = await chat.send("/help /tip")
    text = reply_text(reply)
    assert "/tip [topic]" in text
    assert "mlops" in text  # its choices are listed
    unknown = await chat.send("/help tpi")
    assert unknown.is_error
    assert "Did you mean `/tip`?" in reply_text(unknown)


async def test_compare_overview_is_side_by_side_for_every_aspect(
    chat: Chat, app: Application
) -> None:
    reply = await chat.send("/compare")
    columns = [part for part in reply.parts if isinstance(part, Columns)]
    assert len(columns) == len(app.services.catalog.aspects)
    for part in columns:
        assert [field.label for field in part.fields] == ["Software engineer", "ML engineer"]


async def test_compare_one_aspect_in_depth(chat: Chat) -> None:
    reply = await chat.send("/compare uncertainty")
    text = reply_text(reply)
    assert reply.title is not None
    assert reply.title.startswith("Uncertainty")
    assert "What this means for your move" in text
    assert "failed experiment" in text


async def test_compare_unknown_aspect_lists_valid_ones(chat: Chat) -> None:
    reply = await chat.send("/compare salary")
    text = reply_text(reply)
    assert reply.is_error
    assert "I don't know the aspect `salary`" in text
    assert "`skills`" in text
    assert "`overlap`" in text


async def test_tip_never_repeats_until_topic_is_exhausted(chat: Chat, app: Application) -> None:
    in_topic = {tip.id for tip in app.services.catalog.tips_in("math")}
    titles = []
    for _ in range(len(in_topic)):
        reply = await chat.send("/tip math")
        assert not reply.is_error
        titles.append(reply.title)
    assert len(set(titles)) == len(in_topic)
    # The next one starts a new cycle rather than failing.
    again = await chat.send("/tip math")
    assert "tip 1 of" in reply_text(again)


async def test_tips_are_remembered_per_member(chat: Chat, app: Application) -> None:
    total = len(app.services.catalog.tips_in("data"))
    for _ in range(total - 1):
        await chat.send("/tip data")
    grace = chat.as_member(Member(id="test:grace", name="grace"))
    reply = await grace.send("/tip data")
    assert f"tip 1 of {total}" in reply_text(reply)


async def test_tip_without_topic_picks_least_covered(chat: Chat, app: Application) -> None:
    catalog = app.services.catalog
    first_topic = next(iter(catalog.topics))
    for _ in range(3):
        await chat.send(f"/tip {first_topic}")
    topics_seen = Counter()
    for _ in range(len(catalog.topics) - 1):
        reply = await chat.send("/tip")
        name = reply.title.split(" tip:")[0] if reply.title else ""
        topics_seen[name] += 1
    assert catalog.topics[first_topic].name not in topics_seen
    assert len(topics_seen) == len(catalog.topics) - 1


async def test_another_tip_button(chat: Chat) -> None:
    first = await chat.send("/tip mlops")
    second = await chat.press("Another tip")
    assert not second.is_error
    assert second.title != first.title
    assert second.title.startswith("MLOps and deployment tip")


async def test_tip_unknown_topic(chat: Chat) -> None:
    reply = await chat.send("/tip cooking")
    assert reply.is_error
    assert "`math`" in reply_text(reply)


async def test_roadmap_overview_marks_the_group_week(chat: Chat) -> None:
    reply = await chat.send("/roadmap")
    text = reply_text(reply)
    assert "Week 1: Map the gap and pick a capstone  ← your group is here" in text
    assert "Week 12:" in text


async def test_roadmap_week_detail(chat: Chat) -> None:
    reply = await chat.send("/roadmap 3")
    headings = [getattr(part, "heading", None) for part in reply.parts]
    assert reply.title == "Week 3: Probability and statistics for ML"
    assert headings[:4] == ["Goal", "Concepts", "Hands-on exercise", "Check-in question"]
    assert headings[4].startswith("Capstone step (about 3 hours)")
    assert headings[5] == "Read and watch"
    assert "https://seeing-theory.brown.edu/" in reply_text(reply)
    tip = await chat.press("A tip on Math and statistics")
    assert tip.title.startswith("Math and statistics tip")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/roadmap 13", "there is no week 13"),
        ("/roadmap 0", "there is no week 0"),
        ("/roadmap set 4", "Only organizers can move"),
        ("/roadmap three", "whole number"),
        ("/nope", "I don't know the command `/nope`"),
        ("/tpi math", "Did you mean `/tip`?"),
        ("hello there", "Commands start with `/`"),
        ("/tip math extra", "doesn't take `extra`"),
    ],
)
async def test_bad_input_gets_a_friendly_error(chat: Chat, line: str, expected: str) -> None:
    reply = await chat.send(line)
    assert reply.is_error
    assert expected in reply_text(reply)
    assert "/help" in reply_text(reply) or "Usage" in reply_text(reply) or reply.parts


async def test_oversized_input_is_refused_and_changes_nothing(chat: Chat, app: Application) -> None:
    reply = await chat.send("/tip " + "x" * MAX_INPUT_CHARS)
    assert reply.is_error
    assert "longer than 4,000 characters" in reply_text(reply)
    assert await app.services.store.seen_tip_ids(chat.member.id) == set()


async def test_bad_topic_changes_nothing(chat: Chat, app: Application) -> None:
    await chat.send("/tip astrology")
    assert await app.services.store.seen_tip_ids(chat.member.id) == set()
    assert await app.services.store.get_group(chat.group_id) is None


async def test_a_crashing_handler_gives_a_generic_error_without_details(
    chat: Chat, app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database password=hunter2 leaked?")

    monkeypatch.setattr(app.services.store, "pick_tip", broken)
    reply = await chat.send("/tip math")
    assert reply.is_error
    assert "hunter2" not in reply_text(reply)
    assert "Something went wrong on my side" in reply_text(reply)
