"""WhatsApp through Twilio: signed webhooks in (messages and delivery reports), replies out
through twilio's async client, as free text inside WhatsApp's customer-service window and
as an approved template outside it.

Twilio signs a webhook over the URL it was told to call, so signatures are checked against
`public_base_url` plus the request's path: behind a proxy the app itself sees another host.
Replies never go in the TwiML answer; like every channel's they take the outbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import ClientSession, ClientTimeout, TraceConfig, encode_basic_auth, web
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channel import ChannelContext, Delivery, DeliveryError
from bot.config import Settings
from bot.conversation import SURVEY_PREFIX, Attachment, Reply
from bot.file_stores import file_store
from bot.files import FileStore, keep_files, link_secret, signed_path
from channels.text import split_text
from channels.whatsapp_errors import SEND_ERRORS, delivery_error, remember_retry_after
from channels.whatsapp_messages import PREFIX, card_content, to_inbound
from channels.whatsapp_status import CHANNEL, STATUS_STAGES, record_status

MAX_TEXT = 1600
MAX_TEMPLATE_VARIABLE = 1000
SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'

log = logging.getLogger(__name__)


def is_survey(reply: Reply) -> bool:
    """Whether the reply is the satisfaction question (its buttons are the scores)."""
    return bool(reply.buttons) and all(b.payload.startswith(SURVEY_PREFIX)
                                       for b in reply.buttons)


def window_open(delivery: Delivery, window: timedelta) -> bool:
    """Whether the customer wrote within `window`, so free text may still be sent."""
    return delivery.last_inbound_at is not None and delivery.now - delivery.last_inbound_at < window


def template_text(text: str) -> str:
    """The reply as a template variable: whitespace flattened (variables may not hold
    newlines), at most 1,000 characters."""
    return " ".join(text.split())[:MAX_TEMPLATE_VARIABLE]


def address(number: str) -> str:
    """A number as a WhatsApp address for Twilio (`whatsapp:+31...`)."""
    return number if number.startswith(PREFIX) else PREFIX + number


class WhatsAppChannel:
    """The Twilio webhook routes for WhatsApp and the sender behind them."""

    channel = CHANNEL

    def __init__(self, account_sid: str, auth_token: str, *, from_number: str,
                 public_base_url: str, api_base_url: str = "https://api.twilio.com",
                 template_sid: str | None = None, window: timedelta = timedelta(hours=24),
                 csat_template_sid: str | None = None, send_timeout_s: float = 30.0) -> None:
        self.account_sid = account_sid
        self.send_timeout_s = send_timeout_s
        self.auth_token = auth_token
        self.from_address = address(from_number)
        self.public_base_url = public_base_url.rstrip("/")
        self.api_base_url = api_base_url
        self.template_sid = template_sid
        self.csat_template_sid = csat_template_sid
        self.window = window
        self.validator = RequestValidator(auth_token)
        self._context: ChannelContext | None = None
        self._client: Client | None = None
        self._media: ClientSession | None = None
        self._files: FileStore | None = None

    @staticmethod
    def enabled(settings: Settings) -> bool:
        """On when the Twilio account SID and auth token are configured."""
        return settings.twilio_account_sid is not None and settings.twilio_auth_token is not None

    @classmethod
    def from_settings(cls, settings: Settings) -> WhatsAppChannel:
        assert settings.twilio_account_sid is not None
        assert settings.twilio_auth_token is not None
        return cls(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
                   from_number=settings.whatsapp_from, public_base_url=settings.public_base_url,
                   api_base_url=settings.twilio_api_base_url,
                   template_sid=settings.whatsapp_template_sid,
                   window=timedelta(hours=settings.whatsapp_window_hours),
                   csat_template_sid=settings.whatsapp_csat_template_sid,
                   send_timeout_s=settings.send_timeout_s)

    @property
    def context(self) -> ChannelContext:
        if self._context is None:
            raise web.HTTPServiceUnavailable(text="the WhatsApp channel is starting")
        return self._context

    @property
    def client(self) -> Client:
        if self._client is None:
            raise RuntimeError("the WhatsApp channel is not started")
        return self._client

    @property
    def status_callback(self) -> str:
        return f"{self.public_base_url}/webhooks/whatsapp/status"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/webhooks/whatsapp", self.webhook)
        app.router.add_post("/webhooks/whatsapp/status", self.status)

    async def start(self, context: ChannelContext) -> None:
        # The async http client opens an aiohttp session, so it is made inside the loop.
        trace = TraceConfig()
        trace.on_request_end.append(remember_retry_after)
        http_client = AsyncTwilioHttpClient(trace_configs=[trace])
        self._client = Client(self.account_sid, self.auth_token, http_client=http_client)
        self._client.api.base_url = self.api_base_url
        self._media = ClientSession(timeout=ClientTimeout(
            total=context.settings.file_fetch_timeout_s))
        self._files = file_store(context.settings)
        self._context = context

    async def stop(self) -> None:
        if self._media is not None:
            await self._media.close()
            self._media = None
        if self._client is not None:
            await self._client.http_client.close()
            self._client = None

    async def webhook(self, request: web.Request) -> web.Response:
        """`POST /webhooks/whatsapp`: verify the signature, store the message, answer empty
        TwiML (the reply follows through the outbox)."""
        form = await self._signed_form(request)
        try:
            inbound = to_inbound(form)
        except ValueError as error:
            raise web.HTTPBadRequest(text=f"not a Twilio WhatsApp message: {error}") from error
        if inbound is not None and inbound.attachments and self._files is not None:
            inbound = await keep_files(inbound, self.fetch, self._files,
                                       self.context.settings.file_fetch_timeout_s)
            card = inbound.attachments[0]
            if inbound.kind == "contact" and card.file:
                content = card_content(await self._files.get(card.file))
                inbound = replace(inbound, content=content or None)
        if inbound is not None:
            await self.context.intake.receive(inbound)
        return web.Response(text=EMPTY_TWIML, content_type="text/xml")

    async def fetch(self, reference: str) -> bytes:
        """The content of a media item (its `MediaUrl`), read with the account's
        credentials; only URLs of the Twilio API are fetched."""
        if self._media is None or not reference.startswith(self.api_base_url.rstrip("/") + "/"):
            raise ValueError(f"not a Twilio media URL: {reference[:100]!r}")
        credentials = encode_basic_auth(self.account_sid, self.auth_token)
        async with self._media.get(reference, headers={"Authorization": credentials}) as response:
            response.raise_for_status()
            return await response.read()

    async def status(self, request: web.Request) -> web.Response:
        """`POST /webhooks/whatsapp/status`: record a delivery report on its outbox row."""
        form = await self._signed_form(request)
        sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
        if not (sid.isascii() and sid.isalnum()) or not status:
            raise web.HTTPBadRequest(text="not a Twilio status callback: need MessageSid "
                                          "and MessageStatus")
        if status not in STATUS_STAGES:
            log.info("WhatsApp status %r for %s not recorded", status, sid)
        elif not await record_status(self.context.database, sid, status,
                                     form.get("ErrorCode"), self.context.clock.now()):
            log.info("WhatsApp status %r for unknown message %s ignored", status, sid)
        return web.Response()

    async def _signed_form(self, request: web.Request) -> dict[str, str]:
        """The posted form, if Twilio signed it (403 if not, 400 if it is no form)."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            raise web.HTTPForbidden(text=f"missing {SIGNATURE_HEADER}")
        if request.content_type != "application/x-www-form-urlencoded":
            raise web.HTTPBadRequest(text="not a Twilio webhook: expected a form-encoded body, "
                                          f"got {request.content_type!r}")
        try:
            form = await request.post()
        except (ValueError, LookupError) as error:  # bad UTF-8, an unknown charset
            raise web.HTTPBadRequest(text=f"not a Twilio webhook: {error}") from error
        url = self.public_base_url + request.raw_path
        if not self.validator.validate(url, form, signature):
            raise web.HTTPForbidden(text=f"wrong {SIGNATURE_HEADER}")
        return {name: value for name, value in form.items() if isinstance(value, str)}

    async def send(self, delivery: Delivery) -> str:
        """Send a reply (buttons as numbered choices): free text in chunks while the
        customer-service window is open, the approved template once it has closed."""
        if self.csat_template_sid and is_survey(delivery.reply):
            return await self._send_survey(delivery, self.csat_template_sid)
        files = delivery.reply.files
        text = delivery.reply.as_text()
        chunks = split_text(text, MAX_TEXT) if text.strip() or not files else []
        if window_open(delivery, self.window):
            return await self._send_text(delivery, chunks, files)
        # A template carries no media: the files go as links in its text.
        links = [" ".join(self._file_link(file) for file in files)] if files else []
        return await self._send_template(delivery, chunks + links)

    def _file_link(self, file: Attachment) -> str:
        """A signed link to one of an agent's files that Twilio (and the customer) can
        open until it expires (`SUPPORTBOT_FILE_LINK_HOURS`)."""
        settings = self.context.settings
        expires = self.context.clock.now() + timedelta(hours=settings.file_link_hours)
        path = signed_path(link_secret(settings), file.file, expires)
        return f"{self.public_base_url}{path}&name={quote(file.name)}"

    async def _send_text(self, delivery: Delivery, chunks: list[str],
                         files: tuple[Attachment, ...] = ()) -> str:
        """Text chunks, then each file as a media message (Twilio fetches our link)."""
        sent_ids, done = list(delivery.sent_ids), delivery.parts_sent
        parts: list[dict[str, Any]] = [{"body": chunk} for chunk in chunks]
        parts += [{"media_url": [self._file_link(file)], **({"body": file.name} if file.name
                                                            else {})} for file in files]
        try:
            for part in parts[done:]:
                sent_ids.append(await self._create(delivery.recipient, **part))
                done += 1
        except SEND_ERRORS as error:
            raise delivery_error(error, done, sent_ids) from error
        return ",".join(sent_ids)

    async def _send_survey(self, delivery: Delivery, template_sid: str) -> str:
        """The satisfaction question as the approved quick-reply template (buttons 1-5),
        which WhatsApp delivers inside or outside the 24-hour window."""
        variables = json.dumps({"1": template_text(delivery.reply.text)}, ensure_ascii=False)
        try:
            return await self._create(delivery.recipient, content_sid=template_sid,
                                      content_variables=variables)
        except SEND_ERRORS as error:
            raise delivery_error(error, 0, []) from error

    async def _send_template(self, delivery: Delivery, chunks: list[str]) -> str:
        sent_ids = list(delivery.sent_ids)
        if not self.template_sid:
            raise DeliveryError(
                "WhatsApp's 24-hour customer-service window is closed and no template is "
                "configured (SUPPORTBOT_WHATSAPP_TEMPLATE_SID), so the reply cannot be sent",
                permanent=True, parts_sent=delivery.parts_sent, sent_ids=tuple(sent_ids))
        variables = json.dumps({"1": template_text(" ".join(chunks[delivery.parts_sent:]))},
                               ensure_ascii=False)
        try:
            sent_ids.append(await self._create(delivery.recipient, content_sid=self.template_sid,
                                               content_variables=variables))
        except SEND_ERRORS as error:
            raise delivery_error(error, delivery.parts_sent, sent_ids) from error
        return ",".join(sent_ids)

    async def _create(self, recipient: str, **content: Any) -> str:
        # twilio's async client has no timeout of its own (aiohttp's default is 5 minutes).
        async with asyncio.timeout(self.send_timeout_s):
            message = await self.client.messages.create_async(
                from_=self.from_address, to=address(recipient),
                status_callback=self.status_callback, **content)
        return str(message.sid)
