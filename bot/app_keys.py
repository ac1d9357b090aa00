"""Typed keys of the aiohttp application: what the app holds while it runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from bot.bus import EventBus
from bot.channel import Channel
from bot.clock import Clock
from bot.config import Settings
from bot.conversation import TurnResult
from bot.engine import Engine
from bot.intake import Intake
from bot.outbox import OutboxWorker
from bot.storage.database import Database
from bot.turn import Services
from nlu.client import NluClient

if TYPE_CHECKING:  # bot.metrics reads these keys, so it is imported for typing only
    from bot.metrics import Metrics

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
SERVICES = web.AppKey("services", Services)
DATABASE = web.AppKey("database", Database)
NLU = web.AppKey("nlu", NluClient)
ENGINE = web.AppKey("engine", Engine)
INTAKE = web.AppKey("intake", Intake)
OUTBOX = web.AppKey("outbox", OutboxWorker)
CHANNELS = web.AppKey("channels", dict[str, Channel])
# Called after every answered inbound message (the console listens for new tickets).
TURN_LISTENERS = web.AppKey("turn_listeners", list[Callable[[TurnResult], None]])
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
BUS = web.AppKey("bus", EventBus)
