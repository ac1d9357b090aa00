"""Mail the bot starts itself (a complaint's written acknowledgement to the address the
customer gave on another channel): a new e-mail conversation with that address, and the
mail queued in the outbox in the caller's transaction, so it is sent exactly once if and
only if its cause is committed. The customer's answer to the mail continues that thread
(it names the mail's Message-ID)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import Reply
from bot.domain import ConversationMode, ConversationStatus
from bot.outbound import queue_reply
from bot.storage.models import Conversation, Customer, Ticket
from bot.tickets import EMAIL_CHANNEL


async def queue_mail(session: AsyncSession, *, address: str, subject: str, reply: Reply,
                     language: str, now: datetime, name: str | None = None,
                     agent: str | None = None, thread: int | None = None) -> tuple[int, int]:
    """Queue `reply` as a mail with `subject` to `address`, in the e-mail conversation
    `thread` when given (a later reply of the same ticket), else in a new one; returns the
    message id and the conversation id. `agent` is the person who wrote it."""
    if thread is not None:
        conversation = (await session.execute(
            select(Conversation).where(Conversation.id == thread))).unique().scalar_one()
        message_id = await queue_reply(session, conversation, reply, now,
                                       sender="agent" if agent else "bot", agent=agent)
        return message_id, conversation.id
    address = address.strip().lower()
    customer = (await session.execute(
        select(Customer).where(Customer.channel == EMAIL_CHANNEL,
                               Customer.external_id == address))).scalar_one_or_none()
    if customer is None:
        customer = Customer(channel=EMAIL_CHANNEL, external_id=address, name=name,
                            language=language, email=address, created_at=now)
        session.add(customer)
        await session.flush()
    conversation = Conversation(
        customer_id=customer.id, channel=EMAIL_CHANNEL,
        external_chat_id=f"mail:out:{secrets.token_hex(16)}", language=language,
        mode=ConversationMode.BOT, status=ConversationStatus.OPEN, created_at=now,
        last_message_at=now,
        state={"mail_subject": subject})
    session.add(conversation)
    await session.flush()
    conversation.customer = customer
    message_id = await queue_reply(session, conversation, reply, now,
                                   sender="agent" if agent else "bot", agent=agent)
    return message_id, conversation.id


def by_mail(ticket: Ticket, conversation: Conversation) -> bool:
    """Whether people answer this ticket by e-mail although the customer wrote elsewhere:
    the customer chose it (waiting in the queue, or for a complaint) and gave an address."""
    details = ticket.details or {}
    return (conversation.channel != EMAIL_CHANNEL and details.get("reply_by") == "email"
            and bool(details.get("email")))
