"""Live updates for the console: agents' browsers hold a WebSocket at `/console/ws` and get
small events (`queue`, `conversation`, `ticket_created`) telling them what to refetch."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web
from sqlalchemy import select

from bot.bus import EventBus
from bot.conversation import TurnResult
from bot.storage.database import Database
from bot.storage.models import Ticket

BUS_TOPIC = "console"


class ConsoleHub:
    """The open console connections of this process and the events sent to them; with an
    event bus attached, events reach the consoles connected to every replica."""

    def __init__(self) -> None:
        self.sockets: set[web.WebSocketResponse] = set()
        self.bus: EventBus | None = None

    def attach(self, bus: EventBus) -> None:
        self.bus = bus
        bus.subscribe(BUS_TOPIC, self._deliver)

    async def publish(self, event: dict[str, Any]) -> None:
        """Send an event to every connected console of every replica."""
        if self.bus is None:
            await self.publish_local(event)
        else:
            await self.bus.publish(BUS_TOPIC, event)

    async def _deliver(self, event: dict[str, Any]) -> None:
        await self.publish_local(event)

    async def publish_local(self, event: dict[str, Any]) -> int:
        """Send an event to this replica's consoles; returns how many got it."""
        reached = 0
        for ws in list(self.sockets):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_json(event)
                reached += 1
        return reached

    async def socket(self, request: web.Request,
                     on_event: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
                     ) -> web.WebSocketResponse:
        """`GET /console/ws` (the auth middleware has checked the session and Origin);
        JSON objects the console sends (typing) go to `on_event`, anything else is dropped."""
        ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=4096)
        await ws.prepare(request)
        self.sockets.add(ws)
        try:
            async for message in ws:
                if message.type == WSMsgType.ERROR:
                    break
                if message.type == WSMsgType.TEXT and on_event is not None:
                    with contextlib.suppress(ValueError):
                        event = json.loads(message.data)
                        if isinstance(event, dict):
                            await on_event(event)
        finally:
            self.sockets.discard(ws)
        return ws

    async def close_all(self, app: web.Application | None = None) -> None:
        for ws in list(self.sockets):
            await ws.close()


async def announce_turn(hub: ConsoleHub, database: Database, result: TurnResult) -> None:
    """Tell the consoles about an answered turn; a new ticket carries its team and assignee,
    so that only the agents who can take it are alerted."""
    event: dict[str, Any] = {"type": "conversation", "conversation_id": result.conversation_id,
                             "ticket": result.ticket}
    if result.ticket is not None:
        async with database.sessions() as session:
            row = (await session.execute(select(Ticket.id, Ticket.team, Ticket.assigned_to)
                                         .where(Ticket.reference == result.ticket))
                   ).one_or_none()
        ticket_id, team, assigned_to = row if row is not None else (None, None, None)
        event.update(type="ticket_created", ticket_id=ticket_id, team=team,
                     assigned_to=assigned_to)
    await hub.publish(event)
