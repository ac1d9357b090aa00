"""Twilio's delivery reports (queued, sent, delivered, read, failed) on the outbox rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select

from bot.storage.database import Database
from bot.storage.models import OutboxItem
from bot.tickets import audit

CHANNEL = "whatsapp"  # the outbox rows' channel
# Delivery reports may arrive out of order; a later stage never gives way to an earlier one.
STATUS_STAGES = {"queued": 0, "sent": 1, "delivered": 2, "read": 3, "undelivered": 4,
                 "failed": 4}
FAILED_STATUSES = frozenset({"failed", "undelivered"})


async def record_status(database: Database, sid: str, status: str, error_code: str | None,
                        now: datetime) -> bool:
    """Record a delivery report on the outbox row that sent `sid`; False if none did.

    A failure is audited with Twilio's error code."""
    async with database.transaction() as session:
        row = (await session.execute(
            select(OutboxItem).where(OutboxItem.channel == CHANNEL,
                                     _sent_as(sid))
            .limit(1).with_for_update()
        )).scalars().first()
        if row is None:
            return False
        before = row.delivery_status
        if STATUS_STAGES[status] < STATUS_STAGES.get(before or "", -1):
            return True
        row.delivery_status, row.delivery_status_at = status, now
        if status in FAILED_STATUSES:
            await audit(session, now, "twilio", "outbox", row.id, "delivery_failed",
                        before={"delivery_status": before},
                        after={"delivery_status": status, "error_code": error_code,
                               "message_sid": sid})
    return True


def _sent_as(sid: str) -> ColumnElement[bool]:
    """Whether an outbox row's comma-joined message ids hold `sid` (an alphanumeric sid)."""
    ids = OutboxItem.platform_message_id
    return or_(ids == sid, ids.like(f"{sid},%"), ids.like(f"%,{sid}"), ids.like(f"%,{sid},%"))
