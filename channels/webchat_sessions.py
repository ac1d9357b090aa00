"""Web-chat sessions: resume tokens (only their SHA-256 is stored), the history a
returning visitor sees and who is talking in the visitor's chat."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.database import Database
from bot.storage.models import Agent, Conversation, Message, Ticket, WebChatSession

CHANNEL = "webchat"
VISIBLE_SENDERS = ("customer", "bot", "agent", "system")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Visitor:
    """A widget visitor; `token` is set only when a new one was issued."""

    visitor_id: str
    token: str | None


@dataclass(frozen=True)
class ChatState:
    """Who answers the visitor's latest conversation, and in which language.

    `agent` is the display name of the person who holds it while a person answers,
    None while the assistant does; `language` is None before the first message."""

    language: str | None = None
    agent: str | None = None
    human: bool = False


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


async def visitor_of(database: Database, token: str) -> str | None:
    """The visitor id of a resume token, None for a token we did not issue."""
    async with database.sessions() as session:
        return (await session.execute(select(WebChatSession.visitor_id).where(
            WebChatSession.token_hash == token_hash(token)))).scalar_one_or_none()


def frame_of(message: Message) -> dict[str, Any]:
    """A message as the widget shows it: author, agent name, language and time; `files`
    holds its stored files (the customer's attachments, an agent's files) as they are
    kept, for the channel to turn into signed links."""
    outbound = message.direction == "out"
    frame: dict[str, Any] = {
        "id": message.id, "from": message.sender, "text": message.text,
        "at": message.created_at.isoformat(), "lang": message.language,
        "buttons": message.payload.get("buttons", []) if outbound else []}
    if message.sender == "agent" and message.payload.get("agent"):
        frame["agent"] = str(message.payload["agent"])
    files = message.payload.get("files" if outbound else "attachments")
    if files:
        frame["files"] = [f for f in files if isinstance(f, dict) and f.get("file")]
    return frame


async def _latest_conversation(session: AsyncSession, visitor_id: str) -> Conversation | None:
    return (await session.execute(
        select(Conversation).where(Conversation.channel == CHANNEL,
                                   Conversation.external_chat_id == visitor_id)
        .order_by(Conversation.id.desc()).limit(1))).scalar_one_or_none()


async def history(database: Database, visitor_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The visible messages of the visitor's latest conversation, oldest first.

    A customer message followed by an agent's reply is marked `seen` (the agent read it)."""
    async with database.sessions() as session:
        conversation = await _latest_conversation(session, visitor_id)
        if conversation is None:
            return []
        rows = (await session.execute(
            select(Message).where(Message.conversation_id == conversation.id,
                                  Message.sender.in_(VISIBLE_SENDERS))
            .order_by(Message.id.desc()).limit(limit))).scalars().all()
    frames = [frame_of(message) for message in reversed(rows)]
    answered = False
    for frame in reversed(frames):
        answered = answered or frame["from"] == "agent"
        if frame["from"] == "customer":
            frame["seen"] = answered
    return frames


async def chat_state(database: Database, visitor_id: str) -> ChatState:
    """The language of the visitor's chat and the agent who answers it, if a person does."""
    async with database.sessions() as session:
        conversation = await _latest_conversation(session, visitor_id)
        if conversation is None:
            return ChatState()
        if conversation.mode != "human":
            return ChatState(conversation.language)
        agent = (await session.execute(
            select(Agent.display_name).join(Ticket, Ticket.assigned_to == Agent.username)
            .where(Ticket.conversation_id == conversation.id, Ticket.status == "claimed")
            .order_by(Ticket.id.desc()).limit(1))).scalar_one_or_none()
    return ChatState(conversation.language, agent, human=True)


@dataclass(frozen=True)
class ReplyDetails:
    """What the widget shows with a reply besides its text: its language, the agent who
    wrote it and whether a person answers the conversation now."""

    language: str | None = None
    agent: str | None = None
    human: bool = False


async def reply_details(database: Database, message_id: int) -> ReplyDetails:
    """The details of a stored reply (empty ones for an unknown id)."""
    async with database.sessions() as session:
        row = (await session.execute(
            select(Message.language, Message.payload, Conversation.mode)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.id == message_id))).one_or_none()
    if row is None:
        return ReplyDetails()
    agent = row[1].get("agent") if isinstance(row[1], dict) else None
    return ReplyDetails(row[0], str(agent) if agent else None, row[2] == "human")
