"""The composition root of the web application: one aiohttp app for every HTTP surface.
App keys live in `bot.app_keys` (re-exported here) so the console can use them too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from bot import kb_pages, metrics
from bot.app_keys import (
    BUS,
    CHANNELS,
    CLOCK,
    DATABASE,
    ENGINE,
    INTAKE,
    METRICS,
    NLU,
    OUTBOX,
    SERVICES,
    SETTINGS,
    TURN_LISTENERS,
)
from bot.bus import event_bus
from bot.channel import ChannelContext
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.conversation import TurnResult
from bot.forwarded import forwarded_for_middleware
from bot.intake import Intake
from bot.outbox import OutboxWorker
from bot.scheduler import Scheduler
from bot.storage.database import Database
from channels.registry import build_channels
from console import add_console
from nlu.client import NluClient
from nlu.service import service_status
from wiring.assembly import build_engine, build_services
from wiring.jobs import scheduled_jobs

__all__ = ["BUS", "CHANNELS", "CLOCK", "DATABASE", "ENGINE", "INTAKE", "METRICS", "NLU", "OUTBOX",
           "SERVICES", "SETTINGS", "TURN_LISTENERS", "init_app"]


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database and the NLU service both answer."""
    settings = request.app[SETTINGS]
    database_ok = await request.app[DATABASE].ping()
    nlu_ok = await asyncio.to_thread(
        lambda: service_status(settings.resolved_nlu_url, settings.nlu_token.get_secret_value())
        is not None
    )
    status = 200 if database_ok and nlu_ok else 503
    return web.json_response(
        {"status": "ok" if status == 200 else "unavailable",
         "database": database_ok, "nlu": nlu_ok},
        status=status,
    )


def init_app(settings: Settings, clock: Clock | None = None) -> web.Application:
    """Build the application: routes in one place, resources in cleanup contexts.

    The knowledge base and bot texts are loaded and validated here, so a broken article
    stops the start with a message naming the file.
    """
    app = web.Application(client_max_size=1024 * 1024)
    if settings.trusted_proxies:  # first, so every later middleware sees the client address
        app.middlewares.append(forwarded_for_middleware(settings.trusted_proxies))
    app[SETTINGS] = settings
    app[CLOCK] = clock or SystemClock()
    app[SERVICES] = build_services(settings)
    app.cleanup_ctx.append(_resources)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app[TURN_LISTENERS] = []
    app[BUS] = event_bus(settings.redis_url, settings.redis_channel_prefix)
    app[CHANNELS] = build_channels(settings)
    app[METRICS] = metrics.Metrics(app[CHANNELS].keys())
    metrics.add_routes(app)
    for channel in app[CHANNELS].values():
        channel.add_routes(app)
    kb_pages.add_routes(app, app[SERVICES].knowledge)
    add_console(app)
    return app


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    database = Database(settings.database_url)
    nlu = NluClient(settings.resolved_nlu_url, settings.nlu_token.get_secret_value(),
                    timeout=settings.nlu_timeout_s, retries=settings.nlu_retries,
                    metrics=app[METRICS])
    engine = build_engine(settings, database, nlu, app[CLOCK], services=app[SERVICES])
    channels = app[CHANNELS]
    outbox = OutboxWorker(database, channels, SystemClock(),
                          max_attempts=settings.outbox_max_attempts, metrics=app[METRICS])
    listeners = app[TURN_LISTENERS]

    def answered(result: TurnResult) -> None:
        outbox.wake()
        for listener in listeners:
            listener(result)

    intake = Intake(engine, on_replies=answered, metrics=app[METRICS],
                    concurrency=settings.answer_concurrency,
                    ack_target_s=settings.ack_target_ms / 1000)
    await app[BUS].start()
    context = ChannelContext(settings, intake, database, app[CLOCK], app[BUS])
    for channel in channels.values():
        await channel.start(context)
    app[DATABASE], app[NLU], app[ENGINE] = database, nlu, engine
    app[INTAKE], app[OUTBOX] = intake, outbox
    await outbox.start()
    await intake.recover()
    jobs = scheduled_jobs(settings, database, app[SERVICES], outbox, intake)
    scheduler = Scheduler(app[CLOCK], jobs)
    scheduler.start()
    yield
    await intake.drain()
    await scheduler.stop()
    await outbox.stop()
    for channel in channels.values():
        await channel.stop()
    await nlu.close()
    await app[BUS].stop()
    await database.close()
