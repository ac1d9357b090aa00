"""The starter set of canned replies (console/data/canned_starter.yml), added on the first
start so a new team has replies in Dutch, German and English from day one. Added once:
an audit entry marks it, so replies the team deletes do not come back."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.storage.database import Database
from bot.storage.models import AuditEntry, CannedReply
from bot.tickets import audit
from console.canned import LANGUAGES

STARTER = Path(__file__).resolve().parent / "data" / "canned_starter.yml"
ACTOR = "starter-set"
log = logging.getLogger(__name__)


def starter_replies(values: dict[str, str]) -> list[tuple[str, str, str]]:
    """(language, title, text) of the starter set, placeholders filled from `values`."""
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load(STARTER.read_text("utf-8"))
    return [(language, str(reply["title"]), str(reply["text"]).format(**values))
            for language in LANGUAGES for reply in data[language]]


async def add_starter_set(database: Database, values: dict[str, str], now: datetime) -> int:
    """Add the starter set unless it was added before; returns how many replies were added."""
    async with database.transaction() as session:
        added_before = (await session.execute(select(AuditEntry.id).where(
            AuditEntry.entity == "canned_reply", AuditEntry.action == "starter_set")
            .limit(1))).scalar_one_or_none()
        if added_before is not None:
            return 0
        replies = starter_replies(values)
        for language, title, text in replies:
            session.add(CannedReply(language=language, title=title, text=text,
                                    updated_by=ACTOR, updated_at=now))
        await audit(session, now, ACTOR, "canned_reply", None, "starter_set",
                    after={"count": len(replies)})
        return len(replies)


async def add_starter_set_safely(database: Database, values: dict[str, str],
                                 now: datetime) -> None:
    """At start: a database that is not migrated yet only costs the starter set a log line
    (the next start adds it)."""
    try:
        added = await add_starter_set(database, values, now)
    except SQLAlchemyError as error:
        log.warning("starter canned replies not added: %s", error.__class__.__name__)
        return
    if added:
        log.info("added %d starter canned replies (nl, de, en)", added)
