"""`supportbot run` and `supportbot db upgrade`: the app with its NLU service and database."""

from __future__ import annotations

import argparse
import asyncio

from aiohttp import web

from bot.app import init_app
from bot.cli.common import Subparsers, nlu_service, say
from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade


def register_run(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("run", help="run the app (starts the NLU service if needed)")
    parser.add_argument("--host", help="bind address (default: SUPPORTBOT_HTTP_HOST)")
    parser.add_argument("--port", type=int, help="port (default: SUPPORTBOT_HTTP_PORT)")
    parser.add_argument("--telegram-polling", action="store_true",
                        help="fetch Telegram updates by polling (local use without a public URL)")
    parser.set_defaults(handler=run_app)


def register_db(subparsers: Subparsers) -> None:
    db = subparsers.add_parser("db", help="database schema")
    commands = db.add_subparsers(dest="db_command", required=True)
    commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=run_upgrade)


COMMANDS = (register_run, register_db)


def migrate(settings: Settings) -> None:
    """Apply every pending migration to the configured database."""

    async def apply() -> None:
        database = Database(settings.database_url)
        try:
            await upgrade(database)
        finally:
            await database.close()

    asyncio.run(apply())


def run_upgrade(args: argparse.Namespace) -> int:
    settings = Settings()
    migrate(settings)
    say(f"Database is up to date: {settings.database_url}")
    return 0


def run_app(args: argparse.Namespace) -> int:
    settings = Settings()
    if args.host:
        settings = settings.model_copy(update={"http_host": args.host})
    if args.port:
        settings = settings.model_copy(update={"http_port": args.port})
    if args.telegram_polling:
        if settings.telegram_token is None:
            say("--telegram-polling needs SUPPORTBOT_TELEGRAM_TOKEN")
            return 2
        settings = settings.model_copy(update={"telegram_polling": True})
    say(f"Migrating the database: {settings.database_url}")
    migrate(settings)
    with nlu_service(settings) as (settings, _):
        nlu_url = settings.resolved_nlu_url
        base = f"http://{settings.http_host}:{settings.http_port}"
        say(f"supportbot is running (Ctrl-C stops it and the NLU service it started):\n"
            f"  app health:   {base}/healthz\n"
            f"  readiness:    {base}/readyz\n"
            f"  NLU service:  {nlu_url}")
        web.run_app(init_app(settings), host=settings.http_host, port=settings.http_port,
                    print=None)
    return 0
