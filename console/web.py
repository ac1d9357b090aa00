"""The console's part of the web app: its middleware, routes and static files."""

from __future__ import annotations

from aiohttp import web

from bot.app_keys import CLOCK, DATABASE, SETTINGS
from console import auth, desk_views, files, preferences, supervision, work_views
from console.canned_starter import add_starter_set_safely
from console.desk import Desk
from console.keys import DESK, HUB
from console.live import ConsoleHub
from console.templating import STATIC


def add_console(app: web.Application, desk: Desk, hub: ConsoleHub) -> None:
    """Register the console on the app; `desk` and `hub` are built by the composition root."""
    app[DESK], app[HUB] = desk, hub
    app.middlewares.append(auth.middleware)
    auth.add_routes(app)
    desk_views.add_routes(app)
    work_views.add_routes(app)
    supervision.add_routes(app)
    files.add_routes(app)  # behind the auth middleware: agents' file routes need a session
    preferences.add_routes(app)
    app.on_startup.append(_starter_set)
    app.on_shutdown.append(hub.close_all)
    app.router.add_static("/console/static", STATIC, append_version=True)


async def _starter_set(app: web.Application) -> None:
    """The first start gives the team canned replies in every language."""
    await add_starter_set_safely(app[DATABASE], app[SETTINGS].company.placeholders(),
                                 app[CLOCK].now())
