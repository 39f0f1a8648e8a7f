"""Answering Slack interactions: through the response_url while it lasts, with coalesced edits for
bursts of clicks, modals for forms, chart uploads, and a late path once the response_url expired."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.common import EditCoalescer
from bot.adapters.slack.codec import FormOrigin, encode_form_origin, parse_message_ref
from bot.adapters.slack.outbound import render, render_form
from bot.core.model import Form, Reply, Section, Visibility

log = logging.getLogger(__name__)

FORM_TOO_LATE = Reply(
    title="That form could not open in time",
    parts=(Section(text="Please run the command again."),),
    visibility=Visibility.PRIVATE,
)


class SlackReplies:
    def __init__(self) -> None:
        self._http: aiohttp.ClientSession | None = None
        # A vote burst on one message becomes one edit: keyed by message, carrying (url, reply).
        self._edits: EditCoalescer[str, tuple[str, Reply]] = EditCoalescer(self._apply_edit)

    async def respond(self, response_url: str, reply: Reply, **extra: Any) -> None:
        """Answer through the response_url, on one shared HTTP session (bolt's `respond` opens a
        new connection per call)."""
        if not response_url:
            log.warning("a Slack request without response_url; the reply was dropped")
            return
        visible = "ephemeral" if reply.visibility is Visibility.PRIVATE else "in_channel"
        webhook = AsyncWebhookClient(url=response_url, session=self._session())
        response = await webhook.send_dict({**render(reply), "response_type": visible, **extra})
        if response.status_code >= 400:
            log.warning("Slack refused a reply on response_url: HTTP %s", response.status_code)

    def edit(self, message_ref: str, response_url: str, reply: Reply) -> None:
        """Replace the clicked message with `reply`, coalesced with other clicks on it."""
        self._edits.submit(message_ref, (response_url, reply))

    async def _apply_edit(self, edit: tuple[str, Reply]) -> None:
        response_url, reply = edit
        await self.respond(response_url, reply, replace_original=True)

    async def post_late(
        self,
        client: AsyncWebClient,
        channel: str,
        user: str,
        reply: Reply,
        *,
        edit_of: str | None = None,
    ) -> None:
        """Answer work resumed after its response_url expired: edit the message the member
        clicked, post to the channel what the channel would have seen, or else show it to the
        member alone."""
        clicked = parse_message_ref(edit_of)
        try:
            if clicked is not None and reply.replace_original:
                await client.chat_update(channel=channel, ts=clicked.ts, **render(reply))
            elif reply.visibility is Visibility.PRIVATE:
                await client.chat_postEphemeral(channel=channel, user=user, **render(reply))
            else:
                await client.chat_postMessage(channel=channel, **render(reply))
        except SlackApiError as error:
            log.warning("Slack refused a late reply (%s)", error.response.get("error"))

    async def open_form(
        self, client: AsyncWebClient, trigger_id: str, form: Form, channel: str, *, user: str
    ) -> None:
        origin = FormOrigin(action=form.submit_action, value=form.submit_value, channel=channel)
        try:
            await client.views_open(
                trigger_id=trigger_id, view=render_form(form, metadata=encode_form_origin(origin))
            )
        except SlackApiError as error:
            # A trigger id is good for 3 seconds: work resumed after a restart cannot open it.
            log.warning("Slack did not open a form (%s)", error.response.get("error"))
            await self.post_late(client, channel, user, FORM_TOO_LATE)

    async def upload_image(self, client: AsyncWebClient, channel: str, reply: Reply) -> None:
        """Charts go up as files into the channel (files.uploadV2: get URL, upload, complete)."""
        if reply.image is None or not channel:
            return
        try:
            await client.files_upload_v2(
                channel=channel,
                file=reply.image.data,
                filename=reply.image.filename,
                title=reply.image.alt,
            )
        except SlackApiError as error:
            log.warning("Slack refused the chart upload (%s)", error.response.get("error"))

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._http

    async def close(self) -> None:
        await self._edits.drain()
        if self._http is not None:
            await self._http.close()
