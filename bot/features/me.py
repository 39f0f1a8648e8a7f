"""/me: a member's own settings (zone, private messages, hours) and erasing their data."""

from __future__ import annotations

from bot.core.errors import UserError
from bot.core.hours import HOURS_HELP, parse_hours, stored_hours
from bot.core.instants import instant
from bot.core.model import Button, Context, Reply, Section, Visibility
from bot.core.registry import OptionSpec, UsageForm, action, command
from bot.core.time import parse_zone, suggest_zone_completion
from bot.features.services import ActionContext, CommandContext

FORGET_ACTION = "me:forget"
SETTINGS = ("zone", "dm", "hours", "forget")


@command(
    name="me",
    description="Your settings: time zone, private messages, hours; or erase your data here.",
    options=[
        OptionSpec(
            name="setting",
            description="`zone`, `dm`, `hours` or `forget`",
            choices=lambda _services: SETTINGS,
        ),
        OptionSpec(
            name="value",
            description="the new value",
            rest=True,
            suggest=lambda _services, typed: suggest_zone_completion(typed),
        ),
    ],
    details="`/me` shows your settings. `/me zone Europe/Berlin`: reminders and check-ins reach "
    "you at their time in your zone, and your streak counts your weeks. `/me dm off` stops "
    "private messages (reminders then name you in the channel, without a ping). `/me hours "
    "08:00-22:00`: private messages wait for your hours (`/me hours off` lifts it). Settings "
    "apply in every group on this platform. `/me forget` deletes your answers, votes and "
    "settings in this group (it asks first).",
    examples=("/me", "/me zone Asia/Kolkata", "/me dm off", "/me hours 08:00-21:30", "/me forget"),
    forms=(
        UsageForm(usage="/me", summary="your settings"),
        UsageForm(
            usage="/me zone <Area/City>",
            summary="your time zone, for reminders, check-ins and your streak",
        ),
        UsageForm(usage="/me dm on|off", summary="private messages from studybot on or off"),
        UsageForm(
            usage="/me hours <HH:MM-HH:MM>|off",
            summary="the local hours in which private messages may arrive",
        ),
        UsageForm(
            usage="/me forget",
            summary="after a confirmation, erase your answers, votes and place in this group",
        ),
    ),
)
async def me(ctx: CommandContext) -> Reply:
    setting = ctx.text_arg("setting")
    value = (ctx.text_arg("value") or "").strip()
    if setting is None:
        return await _show(ctx)
    if setting == "forget":
        return _confirm_forget()
    if not value:
        raise UserError(f"`/me {setting}` needs a value.", hint=_HINTS[setting])
    member_id, now = ctx.invocation.member.id, ctx.services.clock()
    members = ctx.services.members
    if setting == "zone":
        zone = parse_zone(value)
        await members.update_settings(member_id, now=now, timezone=zone.key)
        title = f"Your time zone is now {zone.key}"
    elif setting == "dm":
        if value.lower() not in {"on", "off"}:
            raise UserError(f"`{value}`: say `on` or `off`.", hint=_HINTS["dm"])
        enabled = value.lower() == "on"
        # Turning them on is also how a member says they reopened their DMs.
        await members.update_settings(
            member_id, now=now, dm_enabled=enabled, dm_closed_at=None, dm_closed_told_at=None
        )
        title = "Private messages are on" if enabled else "Private messages are off"
    elif value.lower() == "off":
        await members.update_settings(member_id, now=now, hours_start=None, hours_end=None)
        title = "Private messages may reach you at any hour"
    else:
        hours = parse_hours(value)
        await members.update_settings(
            member_id, now=now, hours_start=f"{hours.start:%H:%M}", hours_end=f"{hours.end:%H:%M}"
        )
        title = f"Private messages now wait for {hours} your time"
    return Reply(
        title=title,
        parts=(Context(text="`/me` shows all your settings."),),
        visibility=Visibility.PRIVATE,
    )


_HINTS = {
    "zone": "Use an IANA time zone name such as `Europe/Berlin` or `America/New_York`.",
    "dm": "`/me dm on` or `/me dm off`.",
    "hours": HOURS_HELP + " `/me hours off` lifts it.",
}


async def _show(ctx: CommandContext) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    settings = await services.members.settings(invocation.member.id)
    group = await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=services.clock()
    )
    on_roster = await services.members.is_on_roster(invocation.group_id, invocation.member.id)
    zone = settings.timezone or f"not set (the group's {group.timezone} is used)"
    if not settings.dm_enabled:
        dms = "off"
    elif settings.dm_closed_at is not None:
        dms = f"on, but I couldn't reach you since {instant(settings.dm_closed_at)}"
    else:
        dms = "on"
    hours = stored_hours(settings.hours_start, settings.hours_end)
    lines = [
        f"Time zone: {zone}",
        f"Private messages: {dms}",
        f"Hours: {hours if hours else 'any time'}",
        f"On this group's roster: {'yes' if on_roster else 'no (`/join`)'}",
        f"Organizer here: {'yes' if invocation.member.is_organizer else 'no'}",
    ]
    return Reply(
        title=f"{invocation.member.name}'s settings",
        parts=(
            Section(text="\n".join(lines)),
            Context(text="`/me zone`, `/me dm`, `/me hours` change them; `/help me` explains."),
        ),
        visibility=Visibility.PRIVATE,
    )


def _confirm_forget() -> Reply:
    return Reply(
        title="Erase your data in this group?",
        parts=(
            Section(
                text="This deletes your check-in answers, your votes in named polls, your place "
                "on the roster and anything waiting to be sent to you for this group. Your "
                "settings, quiz practice and seen tips go too unless another group uses them. It "
                "cannot be undone."
            ),
        ),
        buttons=(Button(label="Erase my data", action_id=FORGET_ACTION, value="confirm"),),
        visibility=Visibility.PRIVATE,
    )


@action(FORGET_ACTION)
async def forget(ctx: ActionContext) -> Reply:
    # Whoever presses erases their own data only: the button carries no member.
    press = ctx.press
    await ctx.services.members.forget(press.group_id, press.member.id)
    return Reply(
        title="Your data in this group is erased",
        parts=(Context(text="`/join` puts you back on the roster whenever you like."),),
        visibility=Visibility.PRIVATE,
        replace_original=True,
    )
