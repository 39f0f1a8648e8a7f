"""A check-in's digest for the group, and who has not answered yet."""

from __future__ import annotations

from statistics import mean

from bot.core.model import Context, Reply, Section
from bot.core.text import truncate
from bot.features.services import Services
from bot.store.checkins import Answer, Checkin

NO_BLOCKERS = {"", "-", "none", "no", "n/a", "nothing", "nope"}
MOST_LISTED = 5


async def not_answered(
    services: Services, item: Checkin, answers: list[Answer], *, skip_snoozed: bool = False
) -> list[str]:
    return list(
        (await missing_members(services, item, answers, skip_snoozed=skip_snoozed)).values()
    )


async def missing_members(
    services: Services, item: Checkin, answers: list[Answer], *, skip_snoozed: bool = False
) -> dict[str, str]:
    """Member id → name of everyone in the roster who has not answered."""
    roster = {entry.member_id: entry.name for entry in await services.members.roster(item.group_id)}
    answered = {a.member_id for a in answers}
    missing = {}
    now = services.clock()
    for member_id, name in roster.items():
        if member_id in answered:
            continue
        snoozing = skip_snoozed and await services.progress.snoozed_until(
            item.group_id, member_id, now=now
        )
        if not snoozing:
            missing[member_id] = name
    return missing


def average_confidence(answers: list[Answer]) -> float | None:
    ratings = [a.confidence for a in answers if a.confidence is not None]
    return round(mean(ratings), 1) if ratings else None


def listed(answers: list[Answer], index: int, *, skip_empty: set[str]) -> str:
    lines = []
    for answer in answers:
        text = answer.answers[index] if index < len(answer.answers) else ""
        if text.strip().lower() in skip_empty:
            continue
        lines.append(f"• {answer.member_name}: {truncate(text, 200)}")
    extra = len(lines) - MOST_LISTED
    return "\n".join(lines[:MOST_LISTED] + ([f"…and {extra} more"] if extra > 0 else []))


async def digest(services: Services, item: Checkin) -> Reply:
    answers = await services.checkins.answers(item.id)
    missing = await not_answered(services, item, answers)
    title = f"📝 Week {item.week} check-in digest"
    if not answers:
        text = "Nobody answered this week's check-in. A fresh start next week!"
        parts: list[Section | Context] = [Section(text=text)]
        if missing:
            parts.append(Context(text="Members: " + ", ".join(sorted(missing))))
        return Reply(title=title, parts=tuple(parts), summary=title, thread_of=item.message_ref)
    total = len(answers) + len(missing)
    parts = [Section(text=f"{len(answers)} of {total} members answered.")]
    for index, heading in ((0, "Highlights"), (1, "What's next")):
        if index < len(item.questions) and (shown := listed(answers, index, skip_empty={""})):
            parts.append(Section(heading=heading, text=shown))
    if len(item.questions) > 2 and (blockers := listed(answers, 2, skip_empty=NO_BLOCKERS)):
        parts.append(Section(heading="Blockers", text=blockers))
    average = average_confidence(answers)
    if average is not None:
        line = f"Average confidence {average} / 5"
        previous = await services.checkins.previous_closed(item)
        before = (
            average_confidence(await services.checkins.answers(previous.id)) if previous else None
        )
        if before is not None:
            change = round(average - before, 1)
            line += f" ({'+' if change >= 0 else ''}{change} since the last check-in)"
        parts.append(Section(text=line))
    if missing:
        parts.append(Context(text="Not answered: " + ", ".join(sorted(missing))))
    return Reply(title=title, parts=tuple(parts), summary=title, thread_of=item.message_ref)
