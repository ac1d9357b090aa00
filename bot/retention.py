"""Data retention: message texts and attachments of conversations that ended more than N
days ago are erased, the stored files too (once no other message still holds the same
content); intents, times, tickets' figures and CSAT stay for the statistics.
Every run (not a dry run) writes one audit entry with the counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import OPEN_TICKET_STATUSES, ConversationMode, ConversationStatus
from bot.files import FileStore
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
                          dry_run: bool = False, files: FileStore | None = None
                          ) -> RetentionReport:
    """Erase (or count, with `dry_run`) what is older than `days` days; the files of the
    erased messages go from `files` after the erasure is committed."""
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
        keys = {str(a["file"]) for _, payload in rows
                for a in [*payload.get("attachments", []), *payload.get("refused_attachments", [])]
                if a.get("file")}
        await session.execute(update(Message).where(pending).values(text=ERASED, payload={}))
        orphans = [key for key in sorted(keys) if not await _still_held(session, key)]
        await session.execute(update(OutboxItem).where(
            OutboxItem.conversation_id.in_(ids), OutboxItem.status.in_(("sent", "failed")))
            .values(payload={}))
        after = {k: v for k, v in asdict(report).items() if k != "cutoff"}
        await audit(session, now, "retention", "retention", None, "erase",
                    after={**after, "cutoff": cutoff.isoformat(), "days": days,
                           "files": len(orphans) if files is not None else 0})
    if files is not None:
        for key in orphans:
            await files.delete(key)
    return report


async def _still_held(session: AsyncSession, key: str) -> bool:
    """Whether a message kept by retention still refers to this content (the same file
    sent again in another conversation is stored once)."""
    held: Any = cast(Message.payload, String).contains(key)
    return bool((await session.execute(select(func.count()).select_from(Message)
                                       .where(held))).scalar_one())
