"""E-mail: the support mailbox read over IMAP, replies sent over SMTP.

Each new mail is stored as an inbound message (`intake.receive`) before it is marked seen,
so a crash in between makes the next run read it again, and the Message-ID (the channel
message id) makes that read a duplicate: nothing is lost or answered twice. Robots' mail
(auto-replies, lists, bulk, our own address) is marked seen unanswered; bounces fail the
outbox rows of the mail they report. How mails find their conversation is told in
`channels.email_threads`; composing and sending replies in `channels.email_send`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from email.message import EmailMessage

from aiohttp import web

from bot.channel import ChannelContext, ChannelStartError, Delivery, DeliveryError
from bot.config import EmailSettings, Settings
from bot.conversation import Attachment, Inbound
from bot.file_stores import file_store
from bot.files import GENERIC_TYPE, FileMissingError
from bot.tickets import EMAIL_CHANNEL
from channels.email_bounces import record_bounce
from channels.email_imap import Mailbox
from channels.email_parse import ParsedMail, parse_mail
from channels.email_send import (
    Outgoing,
    bot_mails_last_hour,
    compose,
    load,
    message_id_for,
    submit,
)
from channels.email_threads import chat_for

CHANNEL = EMAIL_CHANNEL  # one name for the channel, defined in the core
RETRY_MAX_S = 300.0
log = logging.getLogger(__name__)


class EmailChannel:
    """The mailbox reader and the SMTP sender of the e-mail channel."""

    channel = CHANNEL

    def __init__(self, settings: EmailSettings, send_timeout_s: float = 30.0) -> None:
        self.settings = settings
        self.send_timeout_s = send_timeout_s
        self.domain = settings.from_address.rsplit("@", 1)[-1]
        self.own = {settings.from_address.lower(), settings.imap_user.lower()}
        self._context: ChannelContext | None = None
        self._reader: asyncio.Task[None] | None = None

    @staticmethod
    def enabled(settings: Settings) -> bool:
        """On when an IMAP host is configured."""
        return bool(settings.email.imap_host)

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailChannel:
        return cls(settings.email, send_timeout_s=settings.send_timeout_s)

    @property
    def context(self) -> ChannelContext:
        if self._context is None:
            raise DeliveryError("the e-mail channel is not started")
        return self._context

    def add_routes(self, app: web.Application) -> None:
        """Mail comes from the mailbox, not over HTTP: no routes."""

    async def start(self, context: ChannelContext) -> None:
        self._context = context
        self._reader = asyncio.create_task(self._read_forever(), name="email-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None

    async def _read_forever(self) -> None:
        """Keep a session on the mailbox; reconnect after a failure, waiting longer each
        time (the app runs on while the mail server is away)."""
        delay = 1.0
        while True:
            mailbox = Mailbox(self.settings)
            try:
                await mailbox.open()
                delay = 1.0
                while True:
                    await self.read_new(mailbox)
                    await mailbox.wait_for_mail()
            except asyncio.CancelledError:
                raise
            except ChannelStartError as error:
                log.error("e-mail channel: %s", error)
            except Exception as error:
                log.warning("e-mail channel: the mailbox failed (%s: %s); trying again in "
                            "%.0f s", type(error).__name__, error, delay)
            finally:
                await mailbox.close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)

    async def read_new(self, mailbox: Mailbox) -> int:
        """Store every unseen mail, marking each seen only once it is stored."""
        uids = await mailbox.unseen()
        for uid in uids:
            raw, truncated = await mailbox.fetch(uid)
            await self.take(parse_mail(raw, self.settings.authserv_id), truncated)
            await self.mark_seen(mailbox, uid)
        return len(uids)

    async def mark_seen(self, mailbox: Mailbox, uid: str) -> None:
        await mailbox.mark_seen(uid)

    async def take(self, mail: ParsedMail, truncated: bool = False) -> None:
        """Store a customer's mail as an inbound message; robots' mail is only logged."""
        context = self.context
        if mail.bounce is not None:
            failed = await record_bounce(context.database, mail.bounce, context.clock.now())
            log.info("e-mail bounce for %s: %s (%s outbox row(s) failed)",
                     mail.bounce.message_id, mail.bounce.reason, failed)
            return
        if mail.sender in self.own:
            log.info("e-mail %s from our own address is not answered", mail.message_id)
            return
        if mail.automatic is not None:
            log.info("e-mail %s is not answered: %s", mail.message_id, mail.automatic)
            return
        chat_id = await chat_for(context.database, mail)
        attachments = tuple(
            Attachment(item["kind"], f"email:{mail.message_id}#{item['reference']}",
                       item["mime_type"], item["size"]) for item in mail.attachments)
        details = {"email": {
            "message_id": mail.message_id, "subject": mail.subject,
            "from": mail.headers.get("From", mail.sender),
            "references": list(reversed(mail.references)), "original": mail.original,
            "headers": mail.headers, "truncated": truncated,
            "attachment_names": [item.get("name") for item in mail.attachments]}}
        await context.intake.receive(Inbound(
            channel=CHANNEL, chat_id=chat_id, user_id=mail.sender,
            message_id=mail.message_id, text=mail.text, user_name=mail.sender_name,
            language_hint=mail.language, attachments=attachments, details=details))

    async def _attach(self, mail: EmailMessage, outgoing: Outgoing) -> None:
        """Files an agent sent with the reply travel as attachments of the mail."""
        files = [file for reply in outgoing.replies for file in reply.files if file.file]
        if not files:
            return
        store = file_store(self.context.settings)
        for file in files:
            try:
                content = await store.get(file.file)
            except FileMissingError as error:
                raise DeliveryError(f"the file {file.name or file.file} is gone",
                                    permanent=True) from error
            maintype, _, subtype = (file.mime_type or GENERIC_TYPE).partition("/")
            mail.add_attachment(content, maintype=maintype, subtype=subtype or "octet-stream",
                                filename=file.name or file.file[:16])

    async def send(self, delivery: Delivery) -> str:
        """Send the reply mail of this outbox row; returns its Message-ID."""
        context = self.context
        outgoing = await load(context.database, delivery)
        message_id = message_id_for(outgoing, delivery.conversation_id, self.domain)
        if outgoing.in_reply_to is None and outgoing.previous_own is not None:
            earlier = message_id_for(outgoing, delivery.conversation_id, self.domain,
                                     outgoing.previous_own)
            outgoing = replace(outgoing, in_reply_to=earlier,
                               references=[*outgoing.references, earlier])
        if not outgoing.first_of_turn:
            return message_id  # sent in one mail with the turn's first reply
        if outgoing.automatic:  # people's mails always go
            sent = await bot_mails_last_hour(context.database, outgoing.address,
                                             context.clock.now())
            if sent >= self.settings.max_bot_mails_per_hour:
                raise DeliveryError(
                    f"not sent: {sent} bot mails went to {outgoing.address} in the last "
                    f"hour (the most allowed; a mail loop with another robot?)",
                    permanent=True)
        mail = compose(outgoing, self.settings, message_id, context.clock.now())
        await self._attach(mail, outgoing)
        await submit(mail, self.settings, self.send_timeout_s)
        return message_id
