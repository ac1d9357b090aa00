"""`supportbot kb check|search` and `supportbot outage add|end|list`."""

from __future__ import annotations

import argparse
import asyncio

from sqlalchemy import select

from bot.catalogue import Catalogue
from bot.clock import SystemClock
from bot.config import Settings
from bot.knowledge import KnowledgeBase
from bot.storage.database import Database
from bot.storage.models import Announcement
from bot.tickets import audit
from cli.common import CliError, Subparsers, say
from cli.run_command import migrate
from nlu.taxonomy import LANGUAGES


def register_kb(subparsers: Subparsers) -> None:
    kb = subparsers.add_parser("kb", help="the knowledge base")
    commands = kb.add_subparsers(dest="kb_command", required=True)
    commands.add_parser("check", help="validate every article and the bot texts") \
        .set_defaults(handler=run_check)
    search = commands.add_parser("search", help="search the articles of one language")
    search.add_argument("query")
    search.add_argument("--lang", choices=LANGUAGES, default="en")
    search.set_defaults(handler=run_search)


def register_outage(subparsers: Subparsers) -> None:
    outage = subparsers.add_parser("outage", help="outage and maintenance notices")
    commands = outage.add_subparsers(dest="outage_command", required=True)
    add = commands.add_parser("add", help="announce an outage or maintenance")
    add.add_argument("text")
    add.add_argument("--kind", choices=("outage", "maintenance"), default="outage")
    add.add_argument("--by", default="cli", help="who announces it (for the audit log)")
    add.set_defaults(handler=run_outage_add)
    end = commands.add_parser("end", help="end a notice")
    end.add_argument("id", type=int)
    end.add_argument("--by", default="cli")
    end.set_defaults(handler=run_outage_end)
    commands.add_parser("list", help="current notices").set_defaults(handler=run_outage_list)


COMMANDS = (register_kb, register_outage)


def run_check(args: argparse.Namespace) -> int:
    values = Settings().company.placeholders()
    knowledge = KnowledgeBase.load(values)
    catalogue = Catalogue.load(values)
    ids = sorted({a.id for a in knowledge.articles()})
    say(f"Knowledge base OK: {len(ids)} articles in {len(LANGUAGES)} languages; "
        f"{len(catalogue.keys())} bot texts in every language.")
    return 0


def run_search(args: argparse.Namespace) -> int:
    knowledge = KnowledgeBase.load(Settings().company.placeholders())
    hits = knowledge.search(args.query, args.lang, limit=5)
    if not hits:
        print("No matching article.")
    for hit in hits:
        print(f"{hit.score:6.2f}  {hit.article.id}  {hit.article.title}\n"
              f"        {knowledge.link(hit.article)}")
    return 0


def run_outage_add(args: argparse.Namespace) -> int:
    async def add() -> int:
        async with _database() as database, database.transaction() as session:
            now = SystemClock().now()
            notice = Announcement(kind=args.kind, text=args.text, created_by=args.by,
                                  started_at=now)
            session.add(notice)
            await session.flush()
            await audit(session, now, args.by, "announcement", notice.id, "started",
                        after={"kind": args.kind, "text": args.text})
            return notice.id

    say(f"Notice {asyncio.run(add())} is live.")
    return 0


def run_outage_end(args: argparse.Namespace) -> int:
    async def end() -> None:
        async with _database() as database, database.transaction() as session:
            notice = await session.get(Announcement, args.id)
            if notice is None or notice.ended_at is not None:
                raise CliError(f"no current notice with id {args.id}")
            notice.ended_at = SystemClock().now()
            await audit(session, notice.ended_at, args.by, "announcement", notice.id, "ended")

    asyncio.run(end())
    say(f"Notice {args.id} ended.")
    return 0


def run_outage_list(args: argparse.Namespace) -> int:
    async def current() -> list[Announcement]:
        async with _database() as database, database.sessions() as session:
            result = await session.execute(
                select(Announcement).where(Announcement.ended_at.is_(None)))
            return list(result.scalars())

    for notice in asyncio.run(current()):
        print(f"{notice.id}  {notice.kind:<12} since {notice.started_at:%Y-%m-%d %H:%M} GMT  "
              f"{notice.text}")
    return 0


class _database:
    """The configured database, migrated, closed on exit."""

    async def __aenter__(self) -> Database:
        settings = Settings()
        await asyncio.to_thread(migrate, settings)
        self._database = Database(settings.database_url)
        return self._database

    async def __aexit__(self, *exc_info: object) -> None:
        await self._database.close()
