"""Typed keys of the aiohttp application for the core objects that request handlers of
every part (channels, console) may read. The composition root (`wiring/`) sets them."""

from __future__ import annotations

from aiohttp import web

from bot.clock import Clock
from bot.config import Settings
from bot.events import Events
from bot.storage.database import Database
from bot.turn import Services

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
SERVICES = web.AppKey("services", Services)
DATABASE = web.AppKey("database", Database)
EVENTS = web.AppKey("events", Events)
