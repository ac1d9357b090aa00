"""Queueing a message to a customer: the stored outbound message and its outbox row, in the
caller's transaction, so a reply is sent if and only if its cause is committed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import Reply
from bot.storage.models import Conversation, Message, OutboxItem


async def queue_reply(session: AsyncSession, conversation: Conversation, reply: Reply,
                      now: datetime, sender: str = "bot", agent: str | None = None) -> int:
    """Store `reply` as an outbound message and queue it; returns the message id. `agent`
    is the display name of the person who wrote it, shown in the console and the widget."""
    payload = reply.to_payload()
    if agent:
        payload["agent"] = agent
    message = Message(conversation_id=conversation.id, channel=conversation.channel,
                      direction="out", sender=sender, text=reply.text, payload=payload,
                      language=conversation.language, created_at=now)
    session.add(message)
    await session.flush()
    session.add(OutboxItem(conversation_id=conversation.id, message_id=message.id,
                           channel=conversation.channel,
                           recipient=conversation.external_chat_id, payload=payload,
                           status="pending", next_attempt_at=now, created_at=now))
    return message.id
