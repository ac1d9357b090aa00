"""The agent console: login, the live queue, conversations, callbacks and supervision,
served by the same aiohttp app under `/console`."""

from __future__ import annotations

from aiohttp import web

from bot.app_keys import BUS
from console import auth, desk_views, files, supervision, work_views
from console.keys import HUB
from console.templating import STATIC


def add_console(app: web.Application) -> None:
    """Register the console's middleware, routes and static files on the app."""
    app.middlewares.append(auth.middleware)
    auth.add_routes(app)
    desk_views.add_routes(app)
    app[HUB].attach(app[BUS])
    work_views.add_routes(app)
    supervision.add_routes(app)
    files.add_routes(app)
    app.router.add_static("/console/static", STATIC, append_version=True)
