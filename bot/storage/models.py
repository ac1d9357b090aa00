"""The domain model as SQLAlchemy tables: customers, conversations, messages, tickets,
callbacks, the audit log, the outbox of replies and outage announcements."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime, dict[str, Any]: JSON}


class Customer(Base):
    """One person on one channel identity (a Telegram user, a WhatsApp number, a widget visitor)."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_customer_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    contract_level: Mapped[str] = mapped_column(String(20), default="none")
    reseller_model: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]


class Conversation(Base):
    """A customer's thread on one channel; `mode` says whether the bot or a person answers."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversation_chat", "channel", "external_chat_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(20))
    external_chat_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(2))
    mode: Mapped[str] = mapped_column(String(10), default="bot")
    status: Mapped[str] = mapped_column(String(10), default="open")
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    last_message_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(lazy="joined")


class Message(Base):
    """One message in or out; inbound ones are unique per channel message id."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "channel_message_id", name="uq_message_channel_id"),
        Index("ix_message_conversation", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    channel: Mapped[str] = mapped_column(String(20))
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(3))  # "in" or "out"
    sender: Mapped[str] = mapped_column(String(10))  # customer, bot, agent, system
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    language: Mapped[str | None] = mapped_column(String(2))
    intent: Mapped[str | None] = mapped_column(String(40))
    confidence: Mapped[float | None]
    processed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Ticket(Base):
    """Work for people: a handoff, warranty claim, complaint or callback, with SLA due times."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="open")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    urgency: Mapped[int] = mapped_column(Integer, default=0)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    assigned_to: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]
    first_response_due: Mapped[datetime | None]
    resolution_due: Mapped[datetime | None]
    acknowledge_due: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    csat_score: Mapped[int | None] = mapped_column(Integer)
    csat_asked_at: Mapped[datetime | None]
    csat_answered_at: Mapped[datetime | None]
    team: Mapped[str | None] = mapped_column(String(40))
    timeout_offered_at: Mapped[datetime | None]
    reopened_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    closed_by: Mapped[str | None] = mapped_column(String(80))


class Callback(Base):
    """A promised phone call back to an E.164 number."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    phone_e164: Mapped[str] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    topic: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    handled_by: Mapped[str | None] = mapped_column(String(80))
    done_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Append-only record of every status change: who did what, when, before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutboxItem(Base):
    """A reply waiting to be sent on its channel; written in the same transaction as its cause."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),
                      Index("ix_outbox_platform_id", "channel", "platform_message_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    # Empty for a message that is not part of the conversation (a page to the on-call agent).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    platform_message_id: Mapped[str | None] = mapped_column(String(1000))
    # Chunks of a long reply already accepted by the platform: a retry sends only the rest.
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The platform's latest delivery report (WhatsApp: queued, sent, delivered, read, failed).
    delivery_status: Mapped[str | None] = mapped_column(String(20))
    delivery_status_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Announcement(Base):
    """An outage or maintenance notice set by agents; current while `ended_at` is empty."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="outage")
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class WebChatSession(Base):
    """A widget visitor's resumable session; only a hash of the resume token is stored."""

    __tablename__ = "webchat_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    visitor_id: Mapped[str] = mapped_column(String(64), unique=True)
    origin: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class Agent(Base):
    """A person who works tickets in the console; `role` is `agent` or `supervisor`."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(12), default="agent")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    teams: Mapped[list[str]] = mapped_column(JSON, default=list)
    available: Mapped[bool] = mapped_column(default=False, server_default=false())
    away_since: Mapped[datetime | None]
    max_concurrent: Mapped[int | None] = mapped_column(Integer)
    locale: Mapped[str | None] = mapped_column(String(5))  # console language; NULL: browser's


class AgentSession(Base):
    """A console login; the cookie holds a random token of which only the hash is kept."""

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class TicketNote(Base):
    """An internal note on a ticket, never shown to the customer."""

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    author: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class CannedReply(Base):
    """A prepared answer agents insert and edit, per language."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime]
