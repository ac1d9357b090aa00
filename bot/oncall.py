"""Paging the on-call agent out of hours: a short message (reference, team and console
link, never customer text) queued in the outbox with the turn that created the ticket,
so it is sent exactly once, with retries, like every other message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import BusinessCalendar
from bot.domain import OutboxStatus
from bot.storage.models import OutboxItem, Ticket

PAGE_KIND = "oncall"


class OnCallPager:
    """Queues a page to `recipient` on `channel` for tickets created while support is
    closed."""

    def __init__(self, channel: str, recipient: str, calendar: BusinessCalendar,
                 console_url: str, fallback_team: str) -> None:
        self.channel = channel
        self.recipient = recipient
        self.calendar = calendar
        self.console_url = console_url.rstrip("/")
        self.fallback_team = fallback_team

    async def page(self, session: AsyncSession, reference: str, now: datetime) -> bool:
        """Queue the page in the caller's transaction; False during opening hours."""
        if self.calendar.is_open(now):
            return False
        ticket = (await session.execute(select(Ticket.id, Ticket.team, Ticket.conversation_id)
                                        .where(Ticket.reference == reference))).one_or_none()
        if ticket is None or ticket.conversation_id is None:
            return False
        text = (f"New handoff {reference} for team {ticket.team or self.fallback_team}: "
                f"{self.console_url}/console/tickets/{ticket.id}")
        session.add(OutboxItem(conversation_id=ticket.conversation_id, message_id=None,
                               channel=self.channel, recipient=self.recipient,
                               payload={"text": text, "buttons": [], "kind": PAGE_KIND},
                               status=OutboxStatus.PENDING, next_attempt_at=now,
                               created_at=now))
        return True
