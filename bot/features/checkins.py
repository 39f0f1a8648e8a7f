"""/checkin: a weekly check-in that members answer in a form, then a digest for the group."""

from __future__ import annotations

from datetime import timedelta

from bot.core.errors import PermissionDenied, UserError
from bot.core.instants import instant
from bot.core.mentions import member_in_group_scope
from bot.core.model import Button, Context, Form, FormField, Reply, Section, Visibility
from bot.core.registry import OptionSpec, Permission, SubcommandSpec, action, command_group
from bot.core.time import parse_duration
from bot.features.checkin_delivery import set_delivery
from bot.features.checkin_digest import digest, not_answered
from bot.features.private_notes import joined_by_taking_part
from bot.features.services import ActionContext, CommandContext, Services
from bot.store.checkins import Checkin, CheckinClosed

ANSWER_ACTION = "checkin:answer"
SUBMIT_ACTION = "checkin:submit"
DEFAULT_WINDOW = timedelta(hours=48)
MAX_QUESTIONS, MAX_QUESTION = 4, 200
# Slack's modal text input takes up to 3,000 characters (Discord's 4,000): accept all of it.
MAX_ANSWER = 3000
CONFIDENCE_FIELD = "confidence"
CONFIDENCE_LABEL = "How confident do you feel about the material, 1 (lost) to 5 (solid)?"


async def _open(ctx: CommandContext, words: list[str]) -> Reply:
    window = _window(words[0]) if words else DEFAULT_WINDOW
    invocation = ctx.invocation
    return await open_checkin(ctx.services, invocation.group_id, invocation.platform, window)


async def _current(ctx: CommandContext) -> Checkin:
    services = ctx.services
    current = await services.checkins.latest_open(ctx.invocation.group_id, now=services.clock())
    if current is None:
        raise UserError(
            "No check-in is open right now.", hint="An organizer can open one with `/checkin open`."
        )
    return current


async def _answer(ctx: CommandContext, words: list[str]) -> Reply:
    return answer_form(await _current(ctx))


async def _show_status(ctx: CommandContext, words: list[str]) -> Reply:
    return await _status(ctx.services, await _current(ctx))


async def _close(ctx: CommandContext, words: list[str]) -> Reply:
    services = ctx.services
    closed = await services.checkins.close((await _current(ctx)).id, now=services.clock())
    if closed is None:
        raise UserError("That check-in has already closed.")
    return await digest(services, closed)


def _window(text: str) -> timedelta:
    window = parse_duration(
        text, units="hd", noun="window", hint="Use hours or days, e.g. `48h` or `2d`."
    )
    if not timedelta(hours=1) <= window <= timedelta(days=7):
        raise UserError("A check-in stays open from 1 hour to 7 days.")
    return window


async def open_checkin(
    services: Services, group_id: str, platform: str, window: timedelta = DEFAULT_WINDOW
) -> Reply:
    return checkin_card(await open_new_checkin(services, group_id, platform, window))


async def open_new_checkin(
    services: Services, group_id: str, platform: str, window: timedelta
) -> Checkin:
    now = services.clock()
    if (current := await services.checkins.latest_open(group_id, now=now)) is not None:
        raise UserError(
            f"A check-in is already open (#{current.id}); it closes {instant(current.closes_at)}."
        )
    group = await services.store.ensure_group(group_id, platform=platform, now=now)
    return await services.checkins.open(
        group_id=group_id,
        platform=platform,
        week=group.roadmap_week,
        closes_at=now + window,
        now=now,
    )


def checkin_card(item: Checkin) -> Reply:
    questions = "\n".join(f"{n}. {q}" for n, q in enumerate(item.questions, 1))
    return Reply(
        title=f"📝 Week {item.week} check-in",
        parts=(
            Section(text=f"{questions}\n{len(item.questions) + 1}. {CONFIDENCE_LABEL}"),
            Context(
                text=f"Answer with the button or `/checkin answer` · you can change your "
                f"answers until it closes, {instant(item.closes_at)}"
            ),
        ),
        buttons=(Button(label="Answer", action_id=ANSWER_ACTION, value=str(item.id)),),
        summary=f"Week {item.week} check-in is open",
    )


def answer_form(item: Checkin) -> Reply:
    fields = tuple(
        FormField(id=f"q{index}", label=question, max_length=MAX_ANSWER)
        for index, question in enumerate(item.questions)
    ) + (FormField(id=CONFIDENCE_FIELD, label=CONFIDENCE_LABEL, rating=True),)
    return Reply(
        title=f"Week {item.week} check-in",
        parts=(Section(text="A few short answers; leave any blank."),),
        form=Form(
            title=f"Week {item.week} check-in",
            fields=fields,
            submit_action=SUBMIT_ACTION,
            submit_value=str(item.id),
        ),
        visibility=Visibility.PRIVATE,
    )


@action(ANSWER_ACTION)
async def answer_button(ctx: ActionContext) -> Reply:
    return answer_form(await _checkin_of(ctx))


async def _checkin_of(ctx: ActionContext) -> Checkin:
    value = ctx.press.value
    item = await ctx.services.checkins.get(int(value)) if value.isdigit() else None
    if item is None or not item.is_open(ctx.services.clock()):
        raise UserError("That check-in has closed.")
    return item


@action(SUBMIT_ACTION)
async def submit(ctx: ActionContext) -> Reply:
    item = await _checkin_of(ctx)
    press, services = ctx.press, ctx.services
    answers = tuple(press.field(f"q{index}").strip() for index in range(len(item.questions)))
    for number, text in enumerate(answers, start=1):
        if len(text) > MAX_ANSWER:
            # Never cut an answer silently: say so, and keep nothing half-saved.
            raise UserError(
                f"Answer {number} is {len(text):,} characters; the limit is {MAX_ANSWER:,}. "
                "Nothing was saved.",
                hint="Shorten it and send the form again.",
            )
    raw = press.field(CONFIDENCE_FIELD).strip()
    confidence = None
    if raw:
        if raw not in {"1", "2", "3", "4", "5"}:
            raise UserError(
                f"Confidence is a number from 1 to 5, not `{raw}`.",
                hint="Your answers were not saved; please try again.",
            )
        confidence = int(raw)
    if not any(answers) and confidence is None:
        raise UserError("That form was empty, so nothing was saved.")
    now = services.clock()
    # Pressed in a DM (a check-in asked privately), the member is still the group's member.
    member_id = member_in_group_scope(press.member.id, item.group_id)
    try:
        changed = await services.checkins.answer(
            item.id,
            member_id=member_id,
            member_name=press.member.name,
            answers=answers,
            confidence=confidence,
            now=now,
        )
    except CheckinClosed as closed:
        raise UserError(f"Sorry, {closed}.") from None
    await joined_by_taking_part(services, item.group_id, member_id, press.member.name)
    verb = "updated" if changed else "saved"
    return Reply(
        title=f"Thanks, your check-in is {verb}",
        parts=(Context(text=f"You can change it until {instant(item.closes_at)}."),),
        visibility=Visibility.PRIVATE,
    )


async def _questions(ctx: CommandContext, words: list[str]) -> Reply:
    services, group_id = ctx.services, ctx.invocation.group_id
    if words and not ctx.invocation.member.is_organizer:
        raise PermissionDenied(
            "Only organizers can change the questions.",
            hint="`/checkin questions` on its own shows them.",
        )
    if words:
        if len(words) > MAX_QUESTIONS:
            raise UserError(
                f"Up to {MAX_QUESTIONS} questions, please (confidence is always asked as well)."
            )
        if any(not w.strip() or len(w) > MAX_QUESTION for w in words):
            raise UserError(f"Each question needs 1 to {MAX_QUESTION} characters.")
        await services.checkins.set_questions(
            group_id, tuple(w.strip() for w in words), now=services.clock()
        )
    questions = await services.checkins.questions(group_id)
    listing = "\n".join(f"{n}. {q}" for n, q in enumerate(questions, 1))
    return Reply(
        title="Check-in questions" + (" updated" if words else ""),
        parts=(
            Section(text=f"{listing}\n{len(questions) + 1}. {CONFIDENCE_LABEL}"),
            Context(
                text='Organizers: `/checkin questions "…" "…"` sets them for the next check-in.'
            ),
        ),
    )


async def _mentions(ctx: CommandContext, words: list[str]) -> Reply:
    services, group_id = ctx.services, ctx.invocation.group_id
    if words and words[0].lower() in {"on", "off"}:
        await services.checkins.set_mentions(
            group_id, words[0].lower() == "on", now=services.clock()
        )
    elif words:
        raise UserError("Use `/checkin mentions on` or `/checkin mentions off`.")
    enabled = await services.checkins.mentions(group_id)
    state = "ping the members who have not answered" if enabled else "name them without a ping"
    return Reply(
        title=f"Check-in reminders {state}",
        parts=(Context(text="`/checkin mentions on|off` changes it."),),
    )


async def _status(services: Services, item: Checkin) -> Reply:
    answers = await services.checkins.answers(item.id)
    missing = await not_answered(services, item, answers)
    lines = [f"{len(answers)} answered so far; closes {instant(item.closes_at)}."]
    if missing:
        lines.append("Not yet: " + ", ".join(sorted(missing)))
    return Reply(title=f"Week {item.week} check-in", parts=(Section(text="\n".join(lines)),))


CHECKIN = command_group(
    name="checkin",
    description="The weekly check-in: open it, answer it, see who answered.",
    subcommands=[
        SubcommandSpec(
            name="open",
            handler=_open,
            permission=Permission.ORGANIZER,
            usage="[48h]",
            summary="open a check-in now, for 1 hour to 7 days (48 hours unless given)",
        ),
        SubcommandSpec(
            name="answer",
            handler=_answer,
            summary="answer the open check-in in a form; change it until it closes",
        ),
        SubcommandSpec(
            name="status", handler=_show_status, summary="how many answered, and who not yet"
        ),
        # Anyone may read the questions; changing them is checked inside (organizers).
        SubcommandSpec(
            name="questions",
            handler=_questions,
            usage='["…" "…"]',
            summary="show the questions; organizers set up to four",
        ),
        SubcommandSpec(
            name="close",
            handler=_close,
            permission=Permission.ORGANIZER,
            summary="close it now and post the digest",
        ),
        SubcommandSpec(
            name="mentions",
            handler=_mentions,
            permission=Permission.ORGANIZER,
            usage="on|off",
            summary="let the reminder ping those who have not answered (off: names only)",
        ),
        SubcommandSpec(
            name="delivery",
            handler=set_delivery,
            permission=Permission.ORGANIZER,
            usage="dm|channel",
            summary="dm: ask each roster member privately at the check-in's time in their zone",
        ),
    ],
    details_option=OptionSpec(name="details", description="what the action needs", rest=True),
    details="`/checkin answer` opens a short form (you can change your answers until the "
    "check-in closes). Organizers: `/checkin open [48h]` opens one now, `/checkin close` closes it "
    'and posts the digest, `/checkin questions "…" "…"` sets up to four questions. '
    "`/schedule add checkin fri 17:00` opens one every week; `/checkin delivery dm` asks each "
    "roster member privately at that time in their own zone instead of one channel post.",
    examples=(
        "/checkin answer",
        "/checkin status",
        "/checkin open 24h",
        "/checkin close",
        "/checkin delivery dm",
    ),
)
