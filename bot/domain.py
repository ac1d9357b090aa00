"""The states of the domain, one definition each: tickets, conversations, outbox rows and
callbacks. They are `StrEnum`s, so they are stored and compared as the plain strings the
database holds."""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    """A ticket waits in the queue (`open`), is with an agent (`claimed`), is done
    (`closed`), or the customer withdrew it before anyone took it (`cancelled`)."""

    OPEN = "open"
    CLAIMED = "claimed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


# "An open ticket": one that people still have to work on, in the queue or with an agent.
OPEN_TICKET_STATUSES: tuple[TicketStatus, ...] = (TicketStatus.OPEN, TicketStatus.CLAIMED)


class ConversationMode(StrEnum):
    """Who answers the customer: the bot, or people (after a handoff)."""

    BOT = "bot"
    HUMAN = "human"


class ConversationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class OutboxStatus(StrEnum):
    """A queued message: waiting, claimed by a worker for the platform call, sent, or
    failed for good (the reason stays on the row)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class CallbackStatus(StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    NO_ANSWER = "no_answer"
    RESCHEDULED = "rescheduled"


CONVERSATIONAL_INTENTS = frozenset({"greet", "thank", "affirm", "deny", "goodbye"})
"""Intents that carry no topic: they say nothing about what a ticket is for or who
should take it."""
