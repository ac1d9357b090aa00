"""`supportbot run` and `supportbot db upgrade`: the app with its NLU service and database."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gc
import logging
import sys
from collections.abc import Callable

from aiohttp import web
from pydantic import ValidationError

from bot.config import Settings
from bot.logs import LogSettings, configure_logging
from bot.storage.database import Database
from cli.common import CliError, Subparsers, nlu_service, say
from cli.workers import nlu_worker_count, supervise, worker_count
from wiring.app import init_app


def register_run(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("run", help="run the app (starts the NLU service if needed)")
    parser.add_argument("--host", help="bind address (default: SUPPORTBOT_HTTP_HOST)")
    parser.add_argument("--port", type=int, help="port (default: SUPPORTBOT_HTTP_PORT)")
    parser.add_argument("--telegram-polling", action="store_true",
                        help="fetch Telegram updates by polling (local use without a public URL)")
    parser.add_argument("--log-format", choices=("text", "json"),
                        help="log lines on stderr (default: SUPPORTBOT_LOG_FORMAT, else json)")
    parser.add_argument("--no-start-nlu", action="store_true",
                        help="use the NLU service at SUPPORTBOT_NLU_URL and never start one "
                             "(containers; the bot apologises while it is down)")
    parser.add_argument("--no-migrate", action="store_true",
                        help="do not migrate the database first (a separate job does it)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="app processes serving the port (default: SUPPORTBOT_WORKERS, "
                             "else one per core; more than one needs PostgreSQL and Redis)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run_app)


def register_db(subparsers: Subparsers) -> None:
    db = subparsers.add_parser("db", help="database schema")
    commands = db.add_subparsers(dest="db_command", required=True)
    commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=run_upgrade)


COMMANDS = (register_run, register_db)
M_ARENA_MAX = -8  # glibc's mallopt parameter number
GC_THRESHOLDS = (5000, 20, 20)  # allocations, young and middle collections (defaults: 700, 10, 10)


def migrate(settings: Settings) -> None:
    """Apply every pending migration to the configured database."""

    async def apply() -> None:
        from bot.storage.migrate import upgrade  # alembic and mako: only when migrating

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
    try:
        log_settings = LogSettings()
    except ValidationError as error:
        raise CliError(f"invalid SUPPORTBOT_LOG_* setting: {error}") from error
    configure_logging(args.log_format or log_settings.format, log_settings.level)
    log = logging.getLogger("cli.run")
    tune_process()
    if args.worker:  # one of the supervisor's workers: the port is shared
        _serve(settings, log.info, reuse_port=True)
        return 0
    if args.workers is not None and args.workers < 1:
        raise CliError("--workers must be at least 1")
    workers = worker_count(args.workers, settings, log.info)
    if not args.no_migrate:  # once, before any worker starts
        log.info("Migrating the database: %s", settings.database_url)
        migrate(settings)
    with contextlib.ExitStack() as stack:
        if not args.no_start_nlu:
            nlu_workers = nlu_worker_count(settings, workers, log.warning)
            settings, _ = stack.enter_context(nlu_service(settings, nlu_workers))
        if workers > 1:
            return supervise(settings, workers, args.log_format, log.info)
        _serve(settings, log.info)
    return 0


def tune_process() -> None:
    """Two process settings for a busy event loop with database driver threads: a short
    GIL switch interval, so a driver thread with a result gets the interpreter back in
    0.5 ms instead of 5 ms, and at most two malloc arenas (glibc gives every thread one,
    each keeping its freed memory: some 30-40 MB under load)."""
    sys.setswitchinterval(0.0005)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 2)


def _serve(settings: Settings, announce: Callable[[str], None], reuse_port: bool = False) -> None:
    base = f"http://{settings.http_host}:{settings.http_port}"
    announce(f"supportbot is running (Ctrl-C stops it and any NLU service it started): "
             f"app health {base}/healthz, readiness {base}/readyz, metrics {base}/metrics, "
             f"NLU service {settings.resolved_nlu_url}")
    app = init_app(settings)
    app.on_startup.append(_freeze_heap)
    web.run_app(app, host=settings.http_host, port=settings.http_port, print=None,
                reuse_port=reuse_port or None)


async def _freeze_heap(app: web.Application) -> None:
    """Once started, move what was loaded (libraries, the knowledge base, the catalogue)
    out of the garbage collector's sight and collect the oldest generation less often: a
    full collection over all of it paused the event loop for 50-90 ms under load."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
