"""The web application: one aiohttp app for every HTTP surface, built from the parts
(`wiring.parts`) with its routes in one place and the parts run in one cleanup context."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

from aiohttp import web

from bot import kb_pages, metrics
from bot.app_keys import CLOCK, DATABASE, EVENTS, SERVICES, SETTINGS
from bot.channel import Channel, ChannelContext
from bot.clock import Clock
from bot.config import Settings
from bot.engine import Engine
from bot.forwarded import forwarded_for_middleware
from bot.intake import Intake
from bot.outbox import OutboxWorker
from console.web import add_console
from nlu.client import NluClient
from nlu.service import service_status
from wiring.parts import Parts, build_parts

PARTS = web.AppKey("parts", Parts)
# The parts tests and tools reach most often, under keys of their own.
ENGINE = web.AppKey("engine", Engine)
INTAKE = web.AppKey("intake", Intake)
OUTBOX = web.AppKey("outbox", OutboxWorker)
NLU = web.AppKey("nlu", NluClient)
CHANNELS = web.AppKey("channels", dict[str, Channel])

__all__ = ["CHANNELS", "CLOCK", "DATABASE", "ENGINE", "INTAKE", "NLU", "OUTBOX", "PARTS",
           "SERVICES", "SETTINGS", "init_app"]


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers, and which one (`supportbot run --workers N` runs
    several behind one port)."""
    return web.json_response({"status": "ok", "worker": os.getpid()})


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
    """Build the application: every part once, routes in one place, the parts started and
    stopped by one cleanup context.

    The knowledge base and bot texts are loaded and validated here, so a broken article
    stops the start with a message naming the file.
    """
    parts = build_parts(settings, clock)
    app = web.Application(client_max_size=1024 * 1024)
    if settings.trusted_proxies:  # first, so every later middleware sees the client address
        app.middlewares.append(forwarded_for_middleware(settings.trusted_proxies))
    app[PARTS] = parts
    app[SETTINGS], app[CLOCK], app[SERVICES] = settings, parts.clock, parts.services
    app[DATABASE], app[EVENTS] = parts.database, parts.events
    app[ENGINE], app[INTAKE], app[OUTBOX] = parts.engine, parts.intake, parts.outbox
    app[NLU], app[CHANNELS] = parts.nlu, parts.channels
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    metrics.add_routes(app, parts.metrics, parts.database, parts.clock)
    for channel in parts.channels.values():
        channel.add_routes(app)
    kb_pages.add_routes(app, parts.services.knowledge)
    add_console(app, parts.desk, parts.hub)
    app.cleanup_ctx.append(_running)
    return app


async def _running(app: web.Application) -> AsyncIterator[None]:
    """Start the parts in order (bus, channels, outbox, recovery, jobs); stop in reverse."""
    parts = app[PARTS]
    await parts.bus.start()
    context = ChannelContext(parts.settings, parts.intake, parts.database, parts.clock,
                             parts.bus)
    for channel in parts.channels.values():
        await channel.start(context)
    await parts.outbox.start()
    await parts.intake.recover()
    parts.scheduler.start()
    yield
    await parts.intake.drain()
    await parts.events.drain()
    await parts.scheduler.stop()
    await parts.outbox.stop()
    for channel in parts.channels.values():
        await channel.stop()
    await parts.nlu.close()
    await parts.bus.stop()
    await parts.database.close()
