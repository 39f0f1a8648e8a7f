"""Reply → Block Kit. Pure: no I/O, unit-tested on its own.

Every piece of text is escaped (`&`, `<`, `>`), so nothing a member typed can become
`<!channel>`, `<!here>` or a `<@U…>` mention when we echo it. We never send `link_names`, so a
bare `@here` stays plain text. Slack's limits are respected by splitting or trimming, never by
failing: 50 blocks, 3,000 characters per text object, 10 fields per section, 2,000 per field,
150 per header, 75 per button label, 25 buttons per actions block.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.codec import FORM_CALLBACK, encode_action_id, encode_value
from bot.core.ids import local_part
from bot.core.instants import Instant, InstantStyle, plain, plain_text, render_instants
from bot.core.model import Button, Columns, Context, Form, Reply, Section
from bot.core.text import truncate

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_BUTTON_LABEL = 75
MAX_BUTTONS = 25
MAX_FALLBACK = 3000
TRIMMED = "…the rest did not fit in one Slack message."

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's own escaping (the only three characters that control formatting in mrkdwn), and
    instants as Slack date markup, which each reader's client shows in their own zone."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return render_instants(escaped, slack_date)


_DATE_FORMATS = {
    InstantStyle.DATE_TIME: "{date_short_pretty} {time}",
    InstantStyle.DATE: "{date_long_pretty}",
    InstantStyle.TIME: "{time}",
    # Slack's `{ago}`: "3 hours ago", "in 2 days".
    InstantStyle.RELATIVE: "{ago}",
}


def slack_date(moment: Instant) -> str:
    """`<!date^…^…|fallback>`: the fallback (in UTC) is for clients that cannot format dates."""
    return f"<!date^{moment.timestamp}^{_DATE_FORMATS[moment.style]}|{plain(moment)}>"


def render(reply: Reply) -> dict[str, Any]:
    """Return `text` (notification fallback) and `blocks` for chat.postMessage / respond."""
    blocks: list[Block] = []
    if reply.title:
        title = f"⚠️ {reply.title}" if reply.is_error else reply.title
        blocks.append(_header(title))
    for index, part in enumerate(reply.parts):
        warn = reply.is_error and not reply.title and index == 0
        blocks += _part(part, warn=warn)
    if reply.mentions:
        # Built from member ids we hold, never from member text: the one deliberate ping.
        pings = " ".join(f"<@{local_part(member)}>" for member in reply.mentions)
        blocks.append({"type": "section", "text": _mrkdwn(pings)})
    if reply.buttons:
        blocks += _buttons(reply.buttons)
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1] + [_context(TRIMMED)]
    fallback = escape(truncate(plain_text(reply.fallback_text()), MAX_FALLBACK))
    return {"text": fallback or " ", "blocks": blocks}


def _header(text: str) -> Block:
    return {
        "type": "header",
        # plain_text cannot hold date markup: instants are written out in UTC.
        "text": {
            "type": "plain_text",
            "text": truncate(plain_text(text), MAX_HEADER),
            "emoji": True,
        },
    }


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(truncate(escape(text), MAX_TEXT))]}


def _chunks(text: str, size: int) -> list[str]:
    """Split at line breaks where possible so a long section reads naturally."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > size:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:size])
            line = line[size:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > size:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def _part(part: Section | Columns | Context, *, warn: bool) -> list[Block]:
    if isinstance(part, Section):
        body = escape(part.text)
        if part.heading:
            body = f"*{escape(part.heading)}*\n{body}"
        if warn:
            body = f":warning: {body}"
        return [{"type": "section", "text": _mrkdwn(chunk)} for chunk in _chunks(body, MAX_TEXT)]
    if isinstance(part, Columns):
        fields = [
            _mrkdwn(truncate(f"*{escape(f.label)}*\n{escape(f.value)}", MAX_FIELD_TEXT))
            for f in part.fields
        ]
        blocks: list[Block] = []
        for start in range(0, len(fields), MAX_FIELDS):
            block: Block = {"type": "section", "fields": fields[start : start + MAX_FIELDS]}
            if part.heading and start == 0:
                block["text"] = _mrkdwn(f"*{truncate(escape(part.heading), MAX_TEXT - 2)}*")
            blocks.append(block)
        return blocks
    if isinstance(part, Context):
        return [_context(part.text)]
    raise TypeError(f"Slack cannot render {type(part).__name__}")


def _buttons(buttons: tuple[Button, ...]) -> list[Block]:
    blocks = []
    for start in range(0, len(buttons), MAX_BUTTONS):
        elements = [
            {
                "type": "button",
                "text": {
                    "type": "plain_text",
                    "text": truncate(button.label, MAX_BUTTON_LABEL),
                    "emoji": True,
                },
                "action_id": encode_action_id(button.action_id, start + offset),
                "value": encode_value(button.value),
            }
            for offset, button in enumerate(buttons[start : start + MAX_BUTTONS])
        ]
        blocks.append({"type": "actions", "elements": elements})
    return blocks


MAX_MODAL_TITLE = 24


def render_form(form: Form, *, metadata: str) -> dict[str, Any]:
    """A Form → a modal view for views.open. `metadata` comes back with the submission."""
    blocks: list[Block] = []
    for field in form.fields:
        if field.rating:
            element: dict[str, Any] = {
                "type": "static_select",
                "action_id": "value",
                "options": [
                    {"text": {"type": "plain_text", "text": str(n)}, "value": str(n)}
                    for n in range(1, 6)
                ],
            }
        else:
            element = {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": min(field.max_length, 3000),
            }
        blocks.append(
            {
                "type": "input",
                "block_id": field.id,
                "optional": not field.required,
                "label": {"type": "plain_text", "text": truncate(field.label, 2000)},
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": truncate(form.title, MAX_MODAL_TITLE)},
        "submit": {"type": "plain_text", "text": "Submit"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def busy_ack(kind: str, body: dict[str, Any], message: str) -> dict[str, Any]:
    """What to ack with when an interaction could not be stored: say so, keep nothing."""
    if kind != "submission":
        return {"text": message}
    blocks = (body.get("view") or {}).get("blocks") or [{}]
    # A modal stays open with the message under its first field, so nothing typed is lost.
    return {"response_action": "errors", "errors": {blocks[0].get("block_id", ""): message}}
