"""Composing and sending reply mails over SMTP.

The bot's replies of one turn are one mail: the turn's first outbox row sends every reply
of the turn (read from the stored messages, committed together), the others are recorded
as sent with the same Message-ID. The Message-ID is derived from the first reply's id and
its conversation, so every row of the mail names it, and a bounce finds them all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

import aiosmtplib
from sqlalchemy import func, select

from bot.channel import Delivery, DeliveryError, outcome_unknown
from bot.config import EmailSettings
from bot.conversation import Reply
from bot.storage.database import Database
from bot.storage.models import Conversation, Customer, Message, OutboxItem, Ticket
from bot.tickets import EMAIL_CHANNEL
from channels.email_html import text_to_html
from channels.email_parse import clean_subject

CHANNEL = EMAIL_CHANNEL  # one name for the channel, defined in the core
MAX_REFERENCES = 10
AUTOMATIC_SENDERS = ("bot", "system")
SUBJECTS = {"en": "Your question", "nl": "Uw vraag", "de": "Ihre Frage"}


@dataclass(frozen=True)
class Outgoing:
    """What one reply mail is made of, read from the database."""

    address: str
    language: str
    replies: list[Reply]
    first_message_id: int
    first_of_turn: bool
    automatic: bool  # written by the bot or the system, not by a person
    agent: str | None  # the name of the person who wrote it
    subject: str
    in_reply_to: str | None
    references: list[str]
    ticket: str | None
    thread_salt: str
    previous_own: int | None = None  # first message of our last mail in a thread we began


def message_id_for(outgoing: Outgoing, conversation_id: int, domain: str,
                   first_message_id: int | None = None) -> str:
    """The Message-ID of a reply mail, the same for every outbox row of the mail (of the
    mail starting at `first_message_id`, when given: an earlier mail of the thread)."""
    salt = hashlib.sha256(outgoing.thread_salt.encode()).hexdigest()[:12]
    first = outgoing.first_message_id if first_message_id is None else first_message_id
    return f"<sb.{conversation_id}.{first}.{salt}@{domain}>"


async def load(database: Database, delivery: Delivery) -> Outgoing:
    """The reply mail this outbox row belongs to, with the thread it answers."""
    async with database.sessions() as session:
        message = await session.get(Message, delivery.message_id)
        conversation = await session.get(Conversation, delivery.conversation_id)
        if message is None or conversation is None:
            raise DeliveryError("the reply's message or conversation is gone", permanent=True)
        customer = await session.get(Customer, conversation.customer_id)
        automatic = message.sender in AUTOMATIC_SENDERS
        turn = [message]
        if message.sender == "bot":  # the bot's replies of one turn share their created_at
            turn = list((await session.execute(
                select(Message).where(Message.conversation_id == conversation.id,
                                      Message.direction == "out", Message.sender == "bot",
                                      Message.created_at == message.created_at)
                .order_by(Message.id))).scalars())
        inbound = list((await session.execute(
            select(Message.payload).where(Message.conversation_id == conversation.id,
                                          Message.direction == "in",
                                          Message.id < turn[0].id)
            .order_by(Message.id.desc()).limit(1))).scalars())
        first = (await session.execute(
            select(Message.payload).join(Conversation,
                                         Conversation.id == Message.conversation_id)
            .where(Conversation.external_chat_id == conversation.external_chat_id,
                   Message.channel == CHANNEL, Message.direction == "in")
            .order_by(Message.id).limit(1))).scalar()
        # A thread we started (an acknowledgement, an agent's answer by mail) continues
        # from our own last mail: its first message, whose Message-ID is derived from it.
        previous = None if inbound else (await session.execute(
            select(Message.id, Message.sender, Message.created_at).where(
                Message.conversation_id == conversation.id, Message.direction == "out",
                Message.id < turn[0].id)
            .order_by(Message.id.desc()).limit(1))).first()
        ours = previous.id if previous is not None else None
        if previous is not None and previous.sender == "bot":
            ours = (await session.execute(select(func.min(Message.id)).where(
                Message.conversation_id == conversation.id, Message.sender == "bot",
                Message.created_at == previous.created_at))).scalar()
        ticket = (await session.execute(
            select(Ticket.reference).where(Ticket.conversation_id == conversation.id)
            .order_by(Ticket.id.desc()).limit(1))).scalar()
    last: dict[str, Any] = (inbound[0] if inbound else {}).get("email", {})
    started: dict[str, Any] = (first or {}).get("email", {})
    references = list(last.get("references", []))[-MAX_REFERENCES + 1:]
    if last.get("message_id"):
        references.append(str(last["message_id"]))
    language = message.language or conversation.language or "en"
    own_subject = str((conversation.state or {}).get("mail_subject", ""))
    return Outgoing(
        address=customer.external_id if customer else delivery.recipient,
        language=language, replies=[Reply.from_payload(m.payload) for m in turn],
        first_message_id=turn[0].id, first_of_turn=turn[0].id == message.id,
        automatic=automatic, agent=(message.payload or {}).get("agent"),
        subject=own_subject or clean_subject(str(started.get("subject", ""))) or
        SUBJECTS.get(language, "Support"),
        in_reply_to=last.get("message_id"), references=references, ticket=ticket,
        thread_salt=f"{conversation.external_chat_id}:{conversation.created_at.isoformat()}",
        previous_own=ours)


async def bot_mails_last_hour(database: Database, address: str, now: datetime) -> int:
    """How many bot mails went to this address in the last hour (one per Message-ID)."""
    async with database.sessions() as session:
        return int((await session.execute(
            select(func.count(func.distinct(OutboxItem.platform_message_id)))
            .join(Message, Message.id == OutboxItem.message_id)
            .join(Conversation, Conversation.id == OutboxItem.conversation_id)
            .join(Customer, Customer.id == Conversation.customer_id)
            .where(OutboxItem.channel == CHANNEL, OutboxItem.status == "sent",
                   OutboxItem.sent_at >= now - timedelta(hours=1),
                   Message.sender.in_(AUTOMATIC_SENDERS),
                   Customer.external_id == address))).scalar_one())


def compose(outgoing: Outgoing, settings: EmailSettings, message_id: str,
            now: datetime) -> EmailMessage:
    """The reply mail: threading headers, the ticket token, a text and an HTML part."""
    mail = EmailMessage()
    name = settings.display_names.get(outgoing.language) or \
        settings.display_names.get("en", "")
    if outgoing.agent:  # "Anna, Example Systems Support"
        name = f"{outgoing.agent}, {name}" if name else outgoing.agent
    mail["From"] = formataddr((name, settings.from_address))
    mail["To"] = outgoing.address
    mail["Reply-To"] = settings.from_address
    token = f" [{outgoing.ticket}]" if outgoing.ticket and \
        outgoing.ticket not in outgoing.subject else ""
    prefix = "Re: " if outgoing.in_reply_to else ""  # a mail we start answers nothing
    mail["Subject"] = f"{prefix}{outgoing.subject}{token}"
    mail["Message-ID"] = message_id
    mail["Date"] = format_datetime(now)
    if outgoing.in_reply_to:
        mail["In-Reply-To"] = outgoing.in_reply_to
    if outgoing.references:
        mail["References"] = " ".join(outgoing.references)
    if outgoing.automatic:  # RFC 3834: robots must not answer it
        mail["Auto-Submitted"] = "auto-replied" if outgoing.in_reply_to else "auto-generated"
    mail["Content-Language"] = outgoing.language
    mail.set_content("\n\n".join(reply.as_text() for reply in outgoing.replies) + "\n")
    mail.add_alternative(text_to_html(
        [reply.text for reply in outgoing.replies],
        [[button.title for button in reply.buttons] for reply in outgoing.replies]),
        subtype="html")
    return mail


async def submit(mail: EmailMessage, settings: EmailSettings,
                 send_timeout_s: float) -> None:
    """Hand the mail to the SMTP server; a refusal is final, a passing fault retried."""
    try:
        await aiosmtplib.send(
            mail, hostname=settings.smtp_host, port=settings.smtp_port,
            username=settings.smtp_user or None,
            password=settings.smtp_password.get_secret_value() or None,
            use_tls=settings.smtp_security == "ssl",
            start_tls=settings.smtp_security == "starttls",
            cert_bundle=str(settings.tls_ca_file) if settings.tls_ca_file else None,
            timeout=send_timeout_s)
    except aiosmtplib.SMTPRecipientsRefused as error:
        raise DeliveryError(f"the mail server refused the address: {error}",
                            permanent=True) from error
    except aiosmtplib.SMTPResponseException as error:
        raise DeliveryError(f"the mail server answered {error.code}: {error.message}",
                            permanent=error.code >= 500) from error
    except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPConnectTimeoutError) as error:
        raise DeliveryError(f"the mail server cannot be reached: {error}") from error
    except (aiosmtplib.SMTPTimeoutError, aiosmtplib.SMTPServerDisconnected) as error:
        raise outcome_unknown("The mail server", error, 0, []) from error
    except aiosmtplib.SMTPException as error:
        raise DeliveryError(f"sending the mail failed: {error}") from error
