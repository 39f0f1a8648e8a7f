"""The roster: /join, /leave, /members; and who organizes the group: /organizers."""

from __future__ import annotations

from datetime import datetime

from bot.core.errors import PermissionDenied, UserError
from bot.core.instants import instant
from bot.core.mentions import read_member
from bot.core.model import Context, Reply, Section, Visibility
from bot.core.registry import OptionSpec, UsageForm, command
from bot.features.services import CommandContext, Services

ORGANIZER_SOURCES = (
    "Organizers are also, without being listed: workspace admins and owners and the channel's "
    "creator (Slack), members with Manage Server or Manage Channels here (Discord), and the "
    "person at the keyboard (console)."
)
MENTION_HINT = "Name them with a mention, e.g. `/organizers add @ada`."


@command(
    name="join",
    description="Join this group's roster: check-ins, reminders and sessions reach you.",
    details="Being on the roster means the group counts you in: check-ins ask you (privately "
    "when the group chose that, at the time in your own zone), reminders name you, and the "
    "digest knows who has not answered yet. Answering a check-in or voting in a named poll "
    "puts you on it too. `/leave` takes you off; `/me` shows your settings.",
    examples=("/join",),
)
async def join(ctx: CommandContext) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    member = invocation.member
    now = services.clock()
    await services.store.ensure_group(invocation.group_id, platform=invocation.platform, now=now)
    added = await services.members.join(invocation.group_id, member.id, member.name, now=now)
    settings = await services.members.settings(member.id)
    dms = "on" if settings.dm_enabled else "off"
    return Reply(
        title="Welcome to the roster" if added else "You're already on the roster",
        parts=(
            Section(
                text=f"Private messages from studybot are {dms} (`/me dm on|off`). "
                "`/me zone <Area/City>` makes reminders arrive at your local time."
            ),
            Context(text="`/leave` takes you off the roster at any time."),
        ),
        visibility=Visibility.PRIVATE,
    )


@command(
    name="leave",
    description="Leave this group's roster; studybot stops messaging you privately for it.",
    details="Your answers and votes stay in the group's statistics; `/me forget` deletes them "
    "as well (it asks first).",
    examples=("/leave",),
)
async def leave(ctx: CommandContext) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    left = await services.members.leave(
        invocation.group_id, invocation.member.id, now=services.clock()
    )
    if not left:
        raise UserError("You're not on this group's roster.", hint="`/join` puts you on it.")
    return Reply(
        title="You've left the roster",
        parts=(
            Section(text="Nothing more reaches you privately for this group."),
            Context(text="Your answers stay in the group's statistics; `/me forget` erases them."),
        ),
        visibility=Visibility.PRIVATE,
    )


@command(
    name="members",
    description="Who is on the roster (organizers also see zones and last activity).",
    examples=("/members",),
)
async def members(ctx: CommandContext) -> Reply:
    services, invocation = ctx.services, ctx.invocation
    roster = await services.members.roster(invocation.group_id)
    if not roster:
        return Reply(
            title="Nobody is on the roster yet",
            parts=(Context(text="`/join` puts you on it."),),
            visibility=Visibility.PRIVATE,
        )
    count = f"{len(roster)} member" + ("" if len(roster) == 1 else "s")
    if not invocation.member.is_organizer:
        names = ", ".join(entry.name for entry in roster)
        return Reply(
            title=f"Roster: {count}",
            parts=(Section(text=names),),
            visibility=Visibility.PRIVATE,
        )
    group = await services.store.ensure_group(
        invocation.group_id, platform=invocation.platform, now=services.clock()
    )
    latest = await _last_activity(services, invocation.group_id)
    lines = []
    for entry in roster:
        zone = entry.settings.timezone or f"{group.timezone} (group's)"
        active = latest.get(entry.member_id, entry.joined_at)
        dms = "" if entry.settings.can_receive_dms else " · no DMs"
        lines.append(f"• {entry.name} · {zone} · last active {instant(active)}{dms}")
    return Reply(
        title=f"Roster: {count}",
        parts=(Section(text="\n".join(lines)),),
        visibility=Visibility.PRIVATE,
    )


async def _last_activity(services: Services, group_id: str) -> dict[str, datetime]:
    latest: dict[str, datetime] = {}
    for member_id, moment in await services.progress.activity(group_id):
        if member_id not in latest or moment > latest[member_id]:
            latest[member_id] = moment
    return latest


@command(
    name="organizers",
    description="List the group's organizers; organizers add or remove others.",
    options=[
        OptionSpec(
            name="action",
            description="`add` or `remove` (organizers only)",
            choices=lambda _services: ("list", "add", "remove"),
        ),
        OptionSpec(name="member", description="the member, as a mention", rest=True),
    ],
    details="Organizers run the group's rhythm: schedules, check-ins, `/report`, `/roadmap set`. "
    + ORGANIZER_SOURCES,
    examples=("/organizers", "/organizers add @ada", "/organizers remove @ada"),
    forms=(
        UsageForm(usage="/organizers", summary="who organizes the group"),
        UsageForm(
            usage="/organizers add @member",
            summary="make a member an organizer",
            organizers_only=True,
        ),
        UsageForm(
            usage="/organizers remove @member", summary="take the role back", organizers_only=True
        ),
    ),
    takes_mentions=True,
)
async def organizers(ctx: CommandContext) -> Reply:
    action = ctx.text_arg("action") or "list"
    if action == "list":
        return await _list_organizers(ctx)
    invocation = ctx.invocation
    if not invocation.member.is_organizer:
        raise PermissionDenied(
            f"Only organizers can {action} organizers.",
            hint="`/organizers` lists who can.",
        )
    raw = (ctx.text_arg("member") or "").strip()
    if not raw:
        raise UserError(f"Who should I {action}?", hint=MENTION_HINT)
    named = read_member(raw, group_id=invocation.group_id)
    if named is None:
        raise UserError(f"`{raw}` isn't a mention of a member.", hint=MENTION_HINT)
    services = ctx.services
    roster = {
        entry.member_id: entry.name for entry in await services.members.roster(invocation.group_id)
    }
    name = roster.get(named.id) or named.name or named.id.rsplit(":", 1)[-1]
    if action == "add":
        added = await services.members.add_organizer(
            invocation.group_id,
            named.id,
            name,
            added_by=invocation.member.id,
            now=services.clock(),
        )
        title = f"{name} is now an organizer" if added else f"{name} is an organizer already"
    else:
        removed = await services.members.remove_organizer(invocation.group_id, named.id)
        if not removed:
            raise UserError(
                f"{name} wasn't added as an organizer, so there is nothing to remove.",
                hint="Platform admins and channel owners are organizers by their platform role.",
            )
        title = f"{name} is no longer an organizer"
    return Reply(title=title, parts=(Context(text=ORGANIZER_SOURCES),))


async def _list_organizers(ctx: CommandContext) -> Reply:
    added = await ctx.services.members.organizers(ctx.invocation.group_id)
    lines = "\n".join(f"• {item.name} (added {instant(item.added_at)})" for item in added)
    return Reply(
        title="Organizers",
        parts=(
            Section(text=lines or "Nobody has been added with `/organizers add` yet."),
            Context(text=ORGANIZER_SOURCES),
        ),
        visibility=Visibility.PRIVATE,
    )
