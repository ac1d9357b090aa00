"""`supportbot retention run [--dry-run] [--days N]`: apply the data-retention rule now."""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict

from bot.clock import SystemClock
from bot.config import Settings
from bot.file_stores import file_store
from bot.retention import RetentionReport, apply_retention
from bot.storage.database import Database
from cli.common import CliError, Subparsers, say
from cli.run_command import migrate


def register_retention(subparsers: Subparsers) -> None:
    retention = subparsers.add_parser("retention", help="data retention")
    commands = retention.add_subparsers(dest="retention_command", required=True)
    run = commands.add_parser("run", help="erase message texts and attachments of "
                                          "conversations that ended more than N days ago")
    run.add_argument("--dry-run", action="store_true", help="only show what would be erased")
    run.add_argument("--days", type=int, help="default: SUPPORTBOT_RETENTION_DAYS")
    run.set_defaults(handler=run_retention)


COMMANDS = (register_retention,)


def run_retention(args: argparse.Namespace) -> int:
    settings = Settings()
    days = args.days if args.days is not None else settings.retention_days
    if days is None or days < 1:
        raise CliError("no retention period: set SUPPORTBOT_RETENTION_DAYS or pass --days N")
    migrate(settings)

    async def apply() -> RetentionReport:
        database = Database(settings.database_url)
        try:
            return await apply_retention(database, days, SystemClock().now(), args.dry_run,
                                         files=file_store(settings))
        finally:
            await database.close()

    report = asyncio.run(apply())
    verb = "would erase" if report.dry_run else "erased"
    say(f"Retention ({days} days, before {report.cutoff:%Y-%m-%d %H:%M} UTC): {verb} "
        f"{report.messages} messages with {report.attachments} attachments in "
        f"{report.conversations} conversations")
    print(json.dumps({**asdict(report), "cutoff": report.cutoff.isoformat(), "days": days}))
    return 0
