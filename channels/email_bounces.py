"""Delivery status notifications (bounces) on the outbox rows of the mail they report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import OutboxItem
from bot.tickets import EMAIL_CHANNEL, audit
from channels.email_parse import Bounce

CHANNEL = EMAIL_CHANNEL  # one name for the channel, defined in the core


async def record_bounce(database: Database, bounce: Bounce, now: datetime) -> int:
    """Mark every outbox row of the bounced mail failed with the reason; returns how many
    (none when the report names no mail of ours)."""
    if bounce.message_id is None:
        return 0
    async with database.transaction() as session:
        rows = list((await session.execute(
            select(OutboxItem).where(OutboxItem.channel == CHANNEL,
                                     OutboxItem.platform_message_id == bounce.message_id)
            .with_for_update())).scalars())
        for row in rows:
            before = row.status
            row.status, row.delivery_status, row.delivery_status_at = \
                "failed", "bounced", now
            row.last_error = f"bounced: {bounce.reason}"[:2000]
            await audit(session, now, "email", "outbox", row.id, "failed",
                        before={"status": before},
                        after={"status": "failed", "error": row.last_error[:500]})
    return len(rows)
