"""Times in replies render in each reader's zone: Slack date markup, Discord timestamps, and the
group's zone in the console; where markup cannot go, the time is written out with its zone."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from bot.adapters.console.render import render as console_render
from bot.adapters.discord.outbound import render as discord_render
from bot.adapters.slack.outbound import render as slack_render
from bot.core.instants import InstantStyle, has_instants, instant, plain_text
from bot.core.model import Context, Reply, Section

CLOSES = datetime(2026, 3, 29, 16, 30, tzinfo=UTC)  # 18:30 in Berlin, just after DST began
STAMP = int(CLOSES.timestamp())


def test_an_instant_is_written_out_in_any_zone() -> None:
    text = f"closes {instant(CLOSES)}"
    assert has_instants(text)
    assert plain_text(text) == "closes Sun 29 Mar 16:30 UTC"
    assert plain_text(text, ZoneInfo("Europe/Berlin")) == "closes Sun 29 Mar 18:30 CEST"
    assert plain_text(instant(CLOSES, InstantStyle.TIME)) == "16:30 UTC"
    assert plain_text(instant(CLOSES, InstantStyle.DATE)) == "Sun 29 Mar 2026"


def test_an_instant_keeps_its_moment_whatever_the_offset_it_was_made_in() -> None:
    tokyo = CLOSES.astimezone(timezone(timedelta(hours=9)))
    assert instant(tokyo) == instant(CLOSES)
    with pytest.raises(ValueError, match="aware"):
        instant(CLOSES.replace(tzinfo=None))


def test_slack_renders_date_markup_and_writes_out_headers() -> None:
    reply = Reply(
        title=f"Closes {instant(CLOSES)}",
        parts=(Section(text=f"Open until {instant(CLOSES)}"), Context(text=instant(CLOSES))),
        summary=f"closes {instant(CLOSES)}",
    )
    rendered = slack_render(reply)
    markup = f"<!date^{STAMP}^{{date_short_pretty}} {{time}}|Sun 29 Mar 16:30 UTC>"
    assert rendered["blocks"][0]["text"]["text"] == "Closes Sun 29 Mar 16:30 UTC"  # plain_text
    assert rendered["blocks"][1]["text"]["text"] == f"Open until {markup}"
    assert rendered["blocks"][2]["elements"][0]["text"] == markup
    assert rendered["text"] == "closes Sun 29 Mar 16:30 UTC"
    assert "\u2063" not in str(rendered)


def test_discord_renders_timestamps_and_keeps_them_out_of_the_footer() -> None:
    reply = Reply(
        title=f"Closes {instant(CLOSES)}",
        parts=(
            Section(text="Vote below"),
            Context(text=f"Poll #1 · closes {instant(CLOSES)}"),
            Context(text="one vote each"),
        ),
    )
    embed = discord_render(reply).embeds[0]
    assert embed.title == "Closes Sun 29 Mar 16:30 UTC"
    assert embed.description == f"Vote below\n\n*Poll #1 · closes <t:{STAMP}:f>*"
    assert embed.footer.text == "one vote each"
    assert "\u2063" not in str(embed.to_dict())


def test_the_console_shows_the_group_zone() -> None:
    reply = Reply(title="Poll", parts=(Context(text=f"closes {instant(CLOSES)}"),))
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(
        console_render(reply, ZoneInfo("Europe/Berlin"))
    )
    assert "closes Sun 29 Mar 18:30 CEST" in out.getvalue()
