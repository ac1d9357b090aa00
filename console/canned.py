"""Canned replies per language, edited by agents, inserted into replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import CannedReply
from bot.tickets import audit
from console.actors import Actor, DeskError

LANGUAGES = ("nl", "de", "en")


async def replies(database: Database, language: str | None = None) -> list[CannedReply]:
    async with database.sessions() as session:
        query = select(CannedReply).order_by(CannedReply.language, CannedReply.title)
        if language:
            query = query.where(CannedReply.language == language)
        return list((await session.execute(query)).scalars())


async def save(database: Database, actor: Actor, language: str, title: str, text: str,
               now: datetime, reply_id: int | None = None) -> int:
    """Create or update a canned reply; returns its id."""
    if language not in LANGUAGES:
        raise DeskError("language must be one of {languages}", status=400,
                        languages=", ".join(LANGUAGES))
    if not title.strip() or not text.strip():
        raise DeskError("a canned reply needs a title and a text", status=400)
    async with database.transaction() as session:
        reply = await session.get(CannedReply, reply_id) if reply_id else None
        if reply_id and reply is None:
            raise DeskError("no canned reply {id}", status=404, id=reply_id)
        if reply is None:
            reply = CannedReply(language=language, title=title, text=text,
                                updated_by=actor.username, updated_at=now)
            session.add(reply)
        before = {"title": reply.title, "text": reply.text} if reply_id else {}
        reply.language, reply.title, reply.text = language, title.strip()[:120], text.strip()
        reply.updated_by, reply.updated_at = actor.username, now
        await session.flush()
        await audit(session, now, actor.username, "canned_reply", reply.id, "save",
                    before=before, after={"title": reply.title, "text": reply.text})
        return reply.id


async def delete(database: Database, actor: Actor, reply_id: int, now: datetime) -> None:
    async with database.transaction() as session:
        reply = await session.get(CannedReply, reply_id)
        if reply is None:
            raise DeskError("no canned reply {id}", status=404, id=reply_id)
        await audit(session, now, actor.username, "canned_reply", reply_id, "delete",
                    before={"title": reply.title, "text": reply.text})
        await session.delete(reply)
