"""Every long-lived part of the running app, built once, and the listeners that connect
them: the one place that knows the outbox, the console, the channels and the metrics."""

from __future__ import annotations

from dataclasses import dataclass

from bot.bus import EventBus, event_bus
from bot.channel import Channel, ShowsPresence, ShowsSeen, ShowsTyping
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.engine import Engine
from bot.events import (
    AgentTyping,
    Events,
    MessageAccepted,
    MessagesSeen,
    PresenceChanged,
    RepliesQueued,
    TicketChanged,
    TurnAnswered,
)
from bot.intake import Intake
from bot.metrics import Metrics
from bot.oncall import OnCallPager
from bot.outbox import OutboxWorker
from bot.scheduler import Scheduler
from bot.storage.database import Database
from bot.turn import Services
from channels.registry import build_channels
from console.desk import Desk
from console.live import ConsoleHub, announce_turn
from nlu.client import NluClient
from wiring.assembly import build_engine, build_intake, build_services
from wiring.jobs import scheduled_jobs

ONCALL_CHANNEL = "telegram"


@dataclass(frozen=True)
class Parts:
    """The app's parts; `start` and `stop` run them in order."""

    settings: Settings
    clock: Clock
    services: Services
    database: Database
    nlu: NluClient
    events: Events
    bus: EventBus
    metrics: Metrics
    channels: dict[str, Channel]
    engine: Engine
    intake: Intake
    outbox: OutboxWorker
    hub: ConsoleHub
    desk: Desk
    scheduler: Scheduler


def build_parts(settings: Settings, clock: Clock | None = None) -> Parts:
    """Build every part once and subscribe the listeners to the core's events."""
    clock = clock or SystemClock()
    services = build_services(settings)
    database = Database(settings.database_url)
    channels = build_channels(settings)
    metrics = Metrics(channels.keys())
    nlu = NluClient(settings.resolved_nlu_url, settings.nlu_token.get_secret_value(),
                    timeout=settings.nlu_timeout_s, retries=settings.nlu_retries,
                    metrics=metrics)
    events = Events()
    engine = build_engine(settings, database, nlu, clock, services=services,
                          oncall=_oncall(settings, services, channels))
    intake = build_intake(settings, engine, events)
    outbox = OutboxWorker(database, channels, SystemClock(),
                          max_attempts=settings.outbox_max_attempts, metrics=metrics)
    bus = event_bus(settings.redis_url, settings.redis_channel_prefix)
    hub = ConsoleHub()
    hub.attach(bus)
    parts = Parts(settings, clock, services, database, nlu, events, bus, metrics, channels,
                  engine, intake, outbox, hub, Desk(database, services.catalogue, settings),
                  Scheduler(clock, scheduled_jobs(settings, database, services, intake,
                                                  events)))
    _subscribe(parts)
    return parts


def _oncall(settings: Settings, services: Services,
            channels: dict[str, Channel]) -> OnCallPager | None:
    """Out of hours a new ticket pages the on-call chat, when one is set up."""
    if settings.oncall_telegram_chat_id is None or ONCALL_CHANNEL not in channels:
        return None
    return OnCallPager(ONCALL_CHANNEL, str(settings.oncall_telegram_chat_id),
                       services.calendar, settings.public_base_url, settings.fallback_team)


def _subscribe(parts: Parts) -> None:
    events, outbox, hub = parts.events, parts.outbox, parts.hub
    events.subscribe(MessageAccepted, lambda event: parts.metrics.message_received(
        event.channel))
    events.subscribe(TurnAnswered, lambda event: outbox.wake())
    events.subscribe(RepliesQueued, lambda event: outbox.wake())
    events.subscribe(TurnAnswered, lambda event: announce_turn(hub, parts.database,
                                                                event.result))
    events.subscribe(TicketChanged, lambda event: hub.publish(
        {"type": "queue", "ticket_id": event.ticket_id}))

    async def show_presence(event: PresenceChanged) -> None:
        channel = parts.channels.get(event.channel)
        if isinstance(channel, ShowsPresence):
            await channel.show_presence(event.chat_id, event.name)

    events.subscribe(PresenceChanged, show_presence)

    async def show_typing(event: AgentTyping) -> None:
        channel = parts.channels.get(event.channel)
        if isinstance(channel, ShowsTyping):
            await channel.show_typing(event.chat_id, event.name, event.on)

    events.subscribe(AgentTyping, show_typing)

    async def show_seen(event: MessagesSeen) -> None:
        channel = parts.channels.get(event.channel)
        if isinstance(channel, ShowsSeen):
            await channel.show_seen(event.chat_id, event.message_id, event.at)

    events.subscribe(MessagesSeen, show_seen)
