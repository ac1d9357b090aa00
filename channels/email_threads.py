"""Which conversation a mail belongs to.

The chat id of an e-mail conversation is `mail:` and a digest of the Message-ID of the
mail that started the thread; the customer (the user id) is the From address. A mail joins
an existing conversation only when that conversation's customer has the mail's From
address AND the mail proves it belongs there:
- its In-Reply-To / References name a mail of the thread (ours carry a digest nobody
  outside the thread knows), or
- its subject has the thread's ticket token (`[T-10234]`) and our mail provider vouches
  for the From address (DMARC passed in its Authentication-Results header), because a
  ticket reference is a counter anyone can guess.
Anything else starts a thread of its own, so a mail can never reach another person's
conversation by its From address alone, nor by someone else's ticket reference.

Replies always go to the conversation's customer address (never to a Reply-To the sender
chose), so a forged From can at worst make the bot write to the real owner of the address:
the forger never sees an answer, a ticket or anything of the thread.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import Conversation, Customer, Message, OutboxItem, Ticket
from bot.tickets import EMAIL_CHANNEL
from channels.email_parse import ParsedMail

CHANNEL = EMAIL_CHANNEL  # one name for the channel, defined in the core


def new_thread(message_id: str) -> str:
    """The chat id of a thread started by the mail with this Message-ID."""
    return "mail:" + hashlib.sha256(message_id.encode()).hexdigest()[:32]


async def chat_for(database: Database, mail: ParsedMail) -> str:
    """The chat id this mail continues, or a new one (see the module docstring)."""
    async with database.sessions() as session:
        candidates: list[Any] = []
        if mail.references:
            candidates += list((await session.execute(
                select(Conversation.external_chat_id, Customer.external_id)
                .join(Message, Message.conversation_id == Conversation.id)
                .join(Customer, Customer.id == Conversation.customer_id)
                .where(Message.channel == CHANNEL,
                       Message.channel_message_id.in_(mail.references))
                .order_by(Message.id.desc()))).all())
            candidates += list((await session.execute(
                select(Conversation.external_chat_id, Customer.external_id)
                .join(OutboxItem, OutboxItem.conversation_id == Conversation.id)
                .join(Customer, Customer.id == Conversation.customer_id)
                .where(OutboxItem.channel == CHANNEL,
                       OutboxItem.platform_message_id.in_(mail.references))
                .order_by(OutboxItem.id.desc()))).all())
        if mail.token and mail.authenticated:
            candidates += list((await session.execute(
                select(Conversation.external_chat_id, Customer.external_id)
                .join(Ticket, Ticket.conversation_id == Conversation.id)
                .join(Customer, Customer.id == Conversation.customer_id)
                .where(Ticket.reference == mail.token,
                       Conversation.channel == CHANNEL))).all())
    for chat_id, address in candidates:
        if address == mail.sender:
            return str(chat_id)
    return new_thread(mail.message_id)
