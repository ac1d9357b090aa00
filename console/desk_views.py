"""Agent pages and their JSON API: the live queue, a conversation with its transcript,
and the actions on it. Each action wakes the outbox and tells every console to refresh."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy import select
from telegram.error import TelegramError

from bot.app_keys import (
    CHANNELS,
    CLOCK,
    DATABASE,
    OUTBOX,
    SERVICES,
    SETTINGS,
    TURN_LISTENERS,
)
from bot.conversation import TurnResult
from bot.storage.models import Ticket
from channels.telegram import TelegramChannel
from console import transcript
from console.actors import Actor, DeskError
from console.agents import AgentError, find_agent, list_agents, set_availability
from console.auth import AGENT
from console.desk import Desk
from console.files import agent_files
from console.keys import DESK, HUB
from console.live import ConsoleHub
from console.routing import capacity_of, loads, requeue_away
from console.templating import render

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger(__name__)


def add_routes(app: web.Application) -> None:
    app[HUB] = ConsoleHub()
    app.cleanup_ctx.append(_desk)
    app.cleanup_ctx.append(_requeue_away)
    app.on_shutdown.append(app[HUB].close_all)
    app.router.add_get("/console", queue_page)
    app.router.add_get("/console/ws", console_socket)
    app.router.add_get("/console/api/queue", queue_json)
    app.router.add_get("/console/tickets/{id:\\d+}", ticket_page)
    app.router.add_get("/console/api/tickets/{id:\\d+}", ticket_json)
    for action in ("claim", "reply", "note", "handback", "close", "transfer"):
        app.router.add_post(f"/console/api/tickets/{{id:\\d+}}/{action}", _ACTIONS[action])
    app.router.add_get("/console/api/me/availability", availability_json)
    app.router.add_post("/console/api/me/availability", set_availability_json)


async def _desk(app: web.Application) -> AsyncIterator[None]:
    """Built once the database exists; listens to the bot for new tickets and messages."""
    app[DESK] = Desk(app[DATABASE], app[SERVICES].catalogue, app[SETTINGS])
    tasks: set[asyncio.Task[None]] = set()

    def on_turn(result: TurnResult) -> None:
        task = asyncio.create_task(_announce(app, result))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    app[TURN_LISTENERS].append(on_turn)
    yield
    app[TURN_LISTENERS].remove(on_turn)


async def _announce(app: web.Application, result: TurnResult) -> None:
    """Tell the consoles about the turn; a new ticket carries its team and assignee so that
    only the agents who can take it are alerted, and pages the on-call agent out of hours."""
    event: dict[str, Any] = {"type": "conversation", "conversation_id": result.conversation_id,
                             "ticket": result.ticket}
    if result.ticket is None:
        await app[HUB].publish(event)
        return
    async with app[DATABASE].sessions() as session:
        row = (await session.execute(select(Ticket.id, Ticket.team, Ticket.assigned_to).where(
            Ticket.reference == result.ticket))).one_or_none()
    ticket_id, team, assigned_to = row if row is not None else (None, None, None)
    event.update(type="ticket_created", ticket_id=ticket_id, team=team,
                 assigned_to=assigned_to)
    await app[HUB].publish(event)
    await _page_oncall(app, result.ticket, ticket_id, team)


async def _page_oncall(app: web.Application, reference: str, ticket_id: int | None,
                       team: str | None) -> None:
    """Out of hours, a short Telegram message to the on-call chat (no customer data)."""
    settings = app[SETTINGS]
    channel = app[CHANNELS].get("telegram")
    if (settings.oncall_telegram_chat_id is None or not isinstance(channel, TelegramChannel)
            or app[SERVICES].calendar.is_open(app[CLOCK].now())):
        return
    link = f"{settings.public_base_url.rstrip('/')}/console/tickets/{ticket_id}"
    text = f"New handoff {reference} for team {team or settings.fallback_team}: {link}"
    try:
        await channel.application.bot.send_message(chat_id=settings.oncall_telegram_chat_id,
                                                   text=text)
    except TelegramError:
        log.exception("could not page the on-call agent about %s", reference)


async def _requeue_away(app: web.Application) -> AsyncIterator[None]:
    """Every `scheduler_interval_s`, tickets of agents away past the grace period go back
    to the queue."""
    settings = app[SETTINGS]

    async def run() -> None:
        while True:
            await asyncio.sleep(settings.scheduler_interval_s)
            try:
                requeued = await requeue_away(app[DATABASE], settings, app[CLOCK].now())
            except Exception:  # keep the loop alive; the next round tries again
                log.exception("requeueing the tickets of away agents failed")
                continue
            if requeued:
                await app[HUB].publish({"type": "queue"})

    task = asyncio.create_task(run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def availability_json(request: web.Request) -> web.Response:
    """`GET /console/api/me/availability`: available or away, teams, load and capacity."""
    return web.json_response(await _availability(request, request[AGENT].username))


async def set_availability_json(request: web.Request) -> web.Response:
    """`POST /console/api/me/availability` with `{"available": true|false}`."""
    available = (await _form(request)).get("available")
    if not isinstance(available, bool):
        return web.json_response({"error": "available must be true or false"}, status=400)
    username = request[AGENT].username
    try:
        await set_availability(request.app[DATABASE], username, available,
                               at=request.app[CLOCK].now())
    except AgentError as error:
        return web.json_response({"error": str(error)}, status=404)
    await request.app[HUB].publish({"type": "queue"})
    return web.json_response({"ok": True, **await _availability(request, username)})


async def _availability(request: web.Request, username: str) -> dict[str, Any]:
    agent = await find_agent(request.app[DATABASE], username)
    async with request.app[DATABASE].sessions() as session:
        load = (await loads(session)).get(username, 0)
    return {"username": username, "available": agent.available, "teams": agent.teams or [],
            "load": load, "capacity": capacity_of(agent, request.app[SETTINGS]),
            "away_since": agent.away_since.isoformat() if agent.away_since else None}


def _actor(request: web.Request) -> Actor:
    agent = request[AGENT]
    return Actor(agent.username, agent.display_name)


async def console_socket(request: web.Request) -> web.WebSocketResponse:
    return await request.app[HUB].socket(request)


async def queue_page(request: web.Request) -> web.Response:
    return render(request, "queue.html")


async def queue_json(request: web.Request) -> web.Response:
    items = await request.app[DESK].queue()
    return web.json_response({"now": request.app[CLOCK].now().isoformat(),
                              "tickets": [item.as_json() for item in items]})


async def ticket_page(request: web.Request) -> web.Response:
    view = await transcript.ticket_view(request.app[DATABASE], int(request.match_info["id"]))
    if view is None:
        raise web.HTTPNotFound(text="no such ticket")
    agents = [agent for agent in await list_agents(request.app[DATABASE])
              if agent.active and agent.username != request[AGENT].username]
    return render(request, "ticket.html", view=view, agents=agents,
                  teams=list(request.app[SETTINGS].teams))


async def ticket_json(request: web.Request) -> web.Response:
    view = await transcript.ticket_view(request.app[DATABASE], int(request.match_info["id"]))
    if view is None:
        raise web.HTTPNotFound(text="no such ticket")
    return web.json_response(transcript.as_json(view))


async def _form(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        body = await request.json()
        return body if isinstance(body, dict) else {}
    return dict(await request.post())


def _action(run: Callable[[Desk, int, Actor, dict[str, Any], web.Request],
                          Awaitable[dict[str, Any]]]) -> Handler:
    """Wrap a desk action: errors become JSON with a status; success refreshes consoles."""

    async def handler(request: web.Request) -> web.Response:
        ticket_id = int(request.match_info["id"])
        try:
            result = await run(request.app[DESK], ticket_id, _actor(request),
                               await _form(request), request)
        except DeskError as error:
            return web.json_response({"error": str(error)}, status=error.status)
        request.app[OUTBOX].wake()
        await request.app[HUB].publish({"type": "queue", "ticket_id": ticket_id})
        return web.json_response({"ok": True, **result})

    return handler


async def _claim(desk: Desk, ticket_id: int, actor: Actor, form: dict[str, Any],
                 request: web.Request) -> dict[str, Any]:
    holder = await desk.claim(ticket_id, actor, request.app[CLOCK].now())
    await _tell_widget(request, ticket_id, {"type": "agent_joined", "name": actor.display_name,
                                                "announced": True})
    return {"assigned_to": holder}


async def _reply(desk: Desk, ticket_id: int, actor: Actor, form: dict[str, Any],
                 request: web.Request) -> dict[str, Any]:
    text = str(form.get("text", ""))
    if len(text) > 4000:
        raise DeskError("a reply can have at most 4000 characters", status=400)
    files = await agent_files(request, form.get("files"))
    return {"message_id": await desk.reply(ticket_id, actor, text, request.app[CLOCK].now(),
                                           files=files)}


async def _note(desk: Desk, ticket_id: int, actor: Actor, form: dict[str, Any],
                request: web.Request) -> dict[str, Any]:
    await desk.note(ticket_id, actor, str(form.get("text", ""))[:4000],
                    request.app[CLOCK].now())
    return {}


async def _handback(desk: Desk, ticket_id: int, actor: Actor, form: dict[str, Any],
                    request: web.Request) -> dict[str, Any]:
    await desk.hand_back(ticket_id, actor, request.app[CLOCK].now())
    await _tell_widget(request, ticket_id, {"type": "agent_left", "announced": True})
    return {}


async def _close(desk: Desk, ticket_id: int, actor: Actor, form: dict[str, Any],
                 request: web.Request) -> dict[str, Any]:
    await desk.close(ticket_id, actor, str(form.get("resolution", ""))[:2000],
                     request.app[CLOCK].now())
    await _tell_widget(request, ticket_id, {"type": "agent_left", "announced": True})
    return {}


async def _transfer(desk: Desk, ticket_id: int, actor: Actor, form: dict[str, Any],
                    request: web.Request) -> dict[str, Any]:
    agent, team = form.get("agent") or None, form.get("team") or None
    holder = await desk.transfer(ticket_id, actor, str(form.get("note", ""))[:4000],
                                 request.app[CLOCK].now(),
                                 agent=str(agent) if agent else None,
                                 team=str(team) if team else None)
    return {"now_with": holder}


async def _tell_widget(request: web.Request, ticket_id: int, frame: dict[str, Any]) -> None:
    """Widget customers also see who joined or left in the chat's header."""
    where = await transcript.channel_of(request.app[DATABASE], ticket_id)
    webchat = request.app[CHANNELS].get("webchat")
    if where is not None and where[0] == "webchat" and webchat is not None:
        push = getattr(webchat, "push", None)
        if push is not None:
            await push(where[1], frame)


_ACTIONS: dict[str, Handler] = {
    "claim": _action(_claim), "reply": _action(_reply), "note": _action(_note),
    "handback": _action(_handback), "close": _action(_close), "transfer": _action(_transfer),
}
