"""Data retention: message texts and attachments of conversations that ended more than N
days ago are erased; intents, times, tickets' figures and CSAT stay for the statistics.
Every run (not a dry run) writes one audit entry with the counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, update

from bot.domain import OPEN_TICKET_STATUSES, ConversationMode, ConversationStatus
from bot.storage.database import Database
from bot.storage.models import Conversation, Message, OutboxItem, Ticket
from bot.tickets import audit

ERASED = "[deleted by retention]"


@dataclass(frozen=True)
class RetentionReport:
    """What a run erased (or, in a dry run, would erase)."""

    cutoff: datetime
    conversations: int
    messages: int
    attachments: int
    dry_run: bool


def _expired(cutoff: datetime):  # type: ignore[no-untyped-def]
    """Conversations that ended before the cutoff and have no ticket still being worked."""
    busy = exists().where(Ticket.conversation_id == Conversation.id,
                          Ticket.status.in_(OPEN_TICKET_STATUSES))
    return and_(Conversation.last_message_at < cutoff,
                or_(Conversation.status == ConversationStatus.CLOSED,
                    Conversation.mode == ConversationMode.BOT), ~busy)


async def apply_retention(database: Database, days: int, now: datetime,
                          dry_run: bool = False) -> RetentionReport:
    """Erase (or count, with `dry_run`) what is older than `days` days."""
    cutoff = now - timedelta(days=days)
    ids = select(Conversation.id).where(_expired(cutoff)).scalar_subquery()
    pending = and_(Message.conversation_id.in_(ids), Message.text != ERASED)
    async with database.transaction() as session:
        conversations = int((await session.execute(
            select(func.count()).select_from(Conversation).where(_expired(cutoff))
        )).scalar_one())
        rows = (await session.execute(select(Message.id, Message.payload).where(pending))).all()
        attachments = sum(len(payload.get("attachments", [])) for _, payload in rows)
        report = RetentionReport(cutoff, conversations, len(rows), attachments, dry_run)
        if dry_run or not rows:
            return report
        await session.execute(update(Message).where(pending).values(text=ERASED, payload={}))
        await session.execute(update(OutboxItem).where(
            OutboxItem.conversation_id.in_(ids), OutboxItem.status.in_(("sent", "failed")))
            .values(payload={}))
        after = {k: v for k, v in asdict(report).items() if k != "cutoff"}
        await audit(session, now, "retention", "retention", None, "erase",
                    after={**after, "cutoff": cutoff.isoformat(), "days": days})
    return report
