"""Web-chat sessions: resume tokens (only their SHA-256 is stored) and the history a
returning visitor sees."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import Conversation, Message, WebChatSession

CHANNEL = "webchat"
VISIBLE_SENDERS = ("customer", "bot", "agent", "system")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Visitor:
    """A widget visitor; `token` is set only when a new one was issued."""

    visitor_id: str
    token: str | None


async def resume_or_start(database: Database, token: str | None, origin: str,
                          now: datetime) -> Visitor:
    """The visitor of a known token, or a new visitor with a fresh token."""
    async with database.transaction() as session:
        if token:
            known = (await session.execute(select(WebChatSession).where(
                WebChatSession.token_hash == token_hash(token)))).scalar_one_or_none()
            if known is not None:
                known.last_seen_at = now
                return Visitor(known.visitor_id, None)
        fresh = secrets.token_urlsafe(32)
        visitor = WebChatSession(token_hash=token_hash(fresh), visitor_id=uuid.uuid4().hex,
                                 origin=origin[:200], created_at=now, last_seen_at=now)
        session.add(visitor)
        return Visitor(visitor.visitor_id, fresh)


def frame_of(message: Message) -> dict[str, Any]:
    """A message as the widget shows it."""
    buttons = message.payload.get("buttons", []) if message.direction == "out" else []
    return {"id": message.id, "from": message.sender, "text": message.text,
            "at": message.created_at.isoformat(), "buttons": buttons}


async def history(database: Database, visitor_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The visible messages of the visitor's latest conversation, oldest first."""
    async with database.sessions() as session:
        conversation_id = (await session.execute(
            select(Conversation.id).where(Conversation.channel == CHANNEL,
                                          Conversation.external_chat_id == visitor_id)
            .order_by(Conversation.id.desc()).limit(1))).scalar_one_or_none()
        if conversation_id is None:
            return []
        rows = (await session.execute(
            select(Message).where(Message.conversation_id == conversation_id,
                                  Message.sender.in_(VISIBLE_SENDERS))
            .order_by(Message.id.desc()).limit(limit))).scalars().all()
    return [frame_of(message) for message in reversed(rows)]
