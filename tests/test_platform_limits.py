"""Every reply of every command, rendered for Discord and for Slack, within each platform's
documented limits, and complete: nothing shipped is cut ("did not fit")."""

from __future__ import annotations

from typing import Any

from bot.adapters.discord.outbound import DID_NOT_FIT
from bot.adapters.discord.outbound import render as discord_render
from bot.adapters.slack.outbound import TRIMMED
from bot.adapters.slack.outbound import render as slack_render
from bot.app import Application
from bot.core.model import Reply
from tests.chat import Chat

# Every command with the arguments that make its longest replies.
LINES = [
    "/help",
    "/help schedule",
    "/help checkin",
    "/help poll",
    "/compare",
    "/compare skills",
    "/compare nope",
    "/tip",
    "/tip math",
    "/tip mlops",
    "/roadmap",
    "/roadmap 1",
    "/roadmap 12",
    "/schedule add nudge mon,thu 18:30 Europe/Berlin",
    "/schedule add checkin fri 17:00",
    "/schedule list",
    "/schedule status",
    "/schedule timezone America/New_York",
    '/poll "Which topic next?" "Statistics" "Deep learning" "MLOps" "Data" "Math" anonymous',
    '/checkin questions "What went well?" "What next?" "Blockers?" "Anything else?"',
    "/checkin open 24h",
    "/checkin status",
    "/checkin close",
    "/progress",
    "/progress group",
    "/snooze 2w",
    "/snooze off",
    "/join",
    "/members",
    "/me",
    "/me zone Europe/Berlin",
    "/me hours 08:00-21:00",
    "/organizers",
    "/organizers add @grace",
    "/leave",
    "/report",
    "/roadmap set 3",
    "/pairs join",
    "/pairs",
    '/session add "Paper club" thu 18:30 Europe/Berlin weekly cap 8 where "Room 2"',
    "/session list",
    "/session show 1",
    "/resources",
    "/resources 9",
    "/resources llm-engineering",
    "/quiz",
    "/quiz responsible-ml",
    "/quiz stats",
    "/schedule add quiz mon 09:00",
    "/quiz close",
    "/roadmap 9",
]


def discord_problems(reply: Reply) -> list[str]:
    message = discord_render(reply)
    problems = []
    if not 1 <= len(message.embeds) <= 10:
        problems.append(f"{len(message.embeds)} embeds")
    if sum(len(embed) for embed in message.embeds) > 6000:
        problems.append("over 6,000 characters")
    for embed in message.embeds:
        problems += [f"{len(embed.fields)} fields"] if len(embed.fields) > 25 else []
        problems += ["title"] if len(embed.title or "") > 256 else []
        problems += ["description"] if len(embed.description or "") > 4096 else []
        problems += ["footer"] if len(embed.footer.text or "") > 2048 else []
        for field in embed.fields:
            problems += ["field name"] if len(field.name or "") > 256 else []
            problems += ["field value"] if len(field.value or "") > 1024 else []
        if DID_NOT_FIT in (embed.footer.text or ""):
            problems.append("content cut")
    if len(message.buttons) > 25 or any(len(label) > 80 for label, _ in message.buttons):
        problems.append("buttons")
    return problems


def slack_problems(reply: Reply) -> list[str]:
    blocks: list[dict[str, Any]] = slack_render(reply)["blocks"]
    problems = [f"{len(blocks)} blocks"] if len(blocks) > 50 else []
    for block in blocks:
        if block["type"] == "header" and len(block["text"]["text"]) > 150:
            problems.append("header")
        if block["type"] == "section":
            if len(block.get("text", {}).get("text", "")) > 3000:
                problems.append("section text")
            fields = block.get("fields", [])
            if len(fields) > 10 or any(len(f["text"]) > 2000 for f in fields):
                problems.append("section fields")
        if block["type"] == "context":
            if len(block["elements"]) > 10 or any(len(e["text"]) > 3000 for e in block["elements"]):
                problems.append("context")
            if any(TRIMMED in e["text"] for e in block["elements"]):
                problems.append("content cut")
        if block["type"] == "actions":
            elements = block["elements"]
            if len(elements) > 25 or any(len(e["text"]["text"]) > 75 for e in elements):
                problems.append("buttons")
    return problems


async def test_every_reply_fits_both_platforms_whole(admin: Chat, app: Application) -> None:
    commands = {line.split()[0].lstrip("/") for line in LINES}
    assert commands == {spec.name for spec in app.services.registry.commands}
    for line in LINES:
        reply = await admin.send(line)
        assert discord_problems(reply) == [], line
        assert slack_problems(reply) == [], line
