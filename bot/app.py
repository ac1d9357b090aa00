"""The composition root of the web application: one aiohttp app for every HTTP surface."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.config import Settings
from bot.storage.database import Database
from nlu.client import NluClient
from nlu.service import service_status

SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
NLU = web.AppKey("nlu", NluClient)


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database and the NLU service both answer."""
    settings = request.app[SETTINGS]
    database_ok = await request.app[DATABASE].ping()
    nlu_ok = await _nlu_ready(settings)
    status = 200 if database_ok and nlu_ok else 503
    return web.json_response(
        {"status": "ok" if status == 200 else "unavailable",
         "database": database_ok, "nlu": nlu_ok},
        status=status,
    )


async def _nlu_ready(settings: Settings) -> bool:
    import asyncio

    return await asyncio.to_thread(
        lambda: service_status(settings.resolved_nlu_url, settings.nlu_token.get_secret_value())
        is not None
    )


def init_app(settings: Settings) -> web.Application:
    """Build the application: routes in one place, resources in cleanup contexts."""
    app = web.Application(client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_nlu_client)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    database = Database(app[SETTINGS].database_url)
    app[DATABASE] = database
    yield
    await database.close()


async def _nlu_client(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    client = NluClient(settings.resolved_nlu_url, settings.nlu_token.get_secret_value(),
                       timeout=settings.nlu_timeout_s, retries=settings.nlu_retries)
    app[NLU] = client
    yield
    await client.close()
