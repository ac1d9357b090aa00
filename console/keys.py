"""The console's own app keys."""

from __future__ import annotations

from aiohttp import web

from console.desk import Desk
from console.live import ConsoleHub

DESK = web.AppKey("desk", Desk)
HUB = web.AppKey("hub", ConsoleHub)
