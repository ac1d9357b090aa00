"""The ticket desk: creating tickets and callbacks with policy deadlines, finding a
customer's own tickets, and the append-only audit log of every status change."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import BusinessCalendar, PolicyTargets, complaint_deadlines, ticket_deadlines
from bot.domain import OPEN_TICKET_STATUSES
from bot.storage.models import AuditEntry, Callback, Conversation, Customer, Ticket

REFERENCE_OFFSET = 10000
CONTRACT_PRIORITY = {"premium": 2, "standard": 1, "none": 0}
EMAIL_CHANNEL = "email"  # mail to the support address is answered within 2 working hours
# A sales question (policy section 4: a complete answer, e.g. a quote, within 2 days).
_SALES = re.compile(r"\b(quote|quotation|price ?list|pricing|offerte|prijslijst|prijsopgave|"
                    r"angebot|preisliste|kostenvoranschlag)\b", re.IGNORECASE)


def asks_for_a_quote(text: str) -> bool:
    """Whether a message asks sales for a quote or a price list."""
    return bool(_SALES.search(text))


def reference_for(ticket_id: int) -> str:
    """Human reference of a ticket, e.g. `T-10234`."""
    return f"T-{REFERENCE_OFFSET + ticket_id}"


def normalize_reference(text: str) -> str | None:
    """Turn what a customer typed (`t10234`, `T-10234`) into `T-10234`; None if not one."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or not text.strip().lower().startswith("t") or not 4 <= len(digits) <= 6:
        return None
    return f"T-{digits}"


async def audit(session: AsyncSession, at: datetime, actor: str, entity: str,
                entity_id: int | None, action: str, before: dict[str, Any] | None = None,
                after: dict[str, Any] | None = None) -> None:
    """Append one entry to the audit log (never updated or deleted)."""
    session.add(AuditEntry(at=at, actor=actor, entity=entity, entity_id=entity_id,
                           action=action, before=before or {}, after=after or {}))


class TicketDesk:
    """Creates and finds tickets; deadlines come from the business calendar and the team
    from `team_of` (a ticket kind to its team, given by the composition root)."""

    def __init__(self, calendar: BusinessCalendar, targets: PolicyTargets | None = None,
                 team_of: Callable[[str], str | None] | None = None) -> None:
        self.calendar = calendar
        self.targets = targets or PolicyTargets()
        self.team_of = team_of

    async def open_ticket(
        self, session: AsyncSession, *, kind: str, customer: Customer,
        conversation: Conversation | None, subject: str, details: dict[str, Any],
        now: datetime, actor: str = "bot", urgency: int = 0, sales: bool = False,
    ) -> Ticket:
        """Create a ticket with its reference and SLA due times, and audit it; a `sales`
        question (a quote, a price list) is to be answered completely within 2 days."""
        deadlines = ticket_deadlines(self.calendar, now, self.targets)
        first_response_due = deadlines.first_response_due
        if conversation is not None and conversation.channel == EMAIL_CHANNEL:
            first_response_due = self.calendar.add_working_time(now,
                                                                self.targets.email_answer)
        ticket = Ticket(
            kind=kind, status="open", customer_id=customer.id,
            conversation_id=conversation.id if conversation else None,
            subject=subject[:200], details=details, created_at=now, urgency=urgency,
            priority=CONTRACT_PRIORITY.get(customer.contract_level, 0),
            first_response_due=first_response_due,
            resolution_due=deadlines.resolution_due,
            team=self.team_of(kind) if self.team_of is not None else None,
        )
        if sales:
            ticket.resolution_due = now + self.targets.sales_answer
            ticket.details = {**details, "sales": True}
        if kind == "complaint":
            ticket.acknowledge_due, handling_due = complaint_deadlines(self.calendar, now,
                                                                       self.targets)
            ticket.resolution_due = handling_due
        session.add(ticket)
        await session.flush()
        ticket.reference = reference_for(ticket.id)
        await audit(session, now, actor, "ticket", ticket.id, "created",
                    after={"reference": ticket.reference, "kind": kind, "status": "open"})
        return ticket

    async def schedule_callback(
        self, session: AsyncSession, *, ticket: Ticket, phone_e164: str, country: str | None,
        topic: str, now: datetime, actor: str = "bot",
    ) -> Callback:
        """Schedule a call back: within 10 minutes when open, else at the next opening."""
        due = self.calendar.callback_due(now, self.targets.callback)
        callback = Callback(ticket_id=ticket.id, phone_e164=phone_e164, country=country,
                            topic=topic, due_at=due, status="scheduled", created_at=now)
        session.add(callback)
        ticket.first_response_due = due
        await session.flush()
        await audit(session, now, actor, "callback", callback.id, "scheduled",
                    after={"due_at": due.isoformat(), "ticket": ticket.reference})
        return callback

    async def find_own(self, session: AsyncSession, reference: str,
                       customer: Customer) -> Ticket | None:
        """The ticket with that reference if it belongs to this customer, else None."""
        result = await session.execute(
            select(Ticket).where(Ticket.reference == reference,
                                 Ticket.customer_id == customer.id)
        )
        return result.scalar_one_or_none()

    async def open_handoff(self, session: AsyncSession,
                           conversation: Conversation) -> Ticket | None:
        """The conversation's handoff ticket that is still open, if any."""
        result = await session.execute(
            select(Ticket).where(Ticket.conversation_id == conversation.id,
                                 Ticket.kind == "handoff",
                                 Ticket.status.in_(OPEN_TICKET_STATUSES))
        )
        return result.scalars().first()
