"""Agent pages and their JSON API: the live queue, a conversation with its transcript,
and the actions on it. Each action wakes the outbox and tells every console to refresh."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.app_keys import CLOCK, DATABASE, EVENTS, SETTINGS
from bot.events import PresenceChanged, RepliesQueued
from bot.routing import capacity_of, loads
from console import transcript
from console.actors import Actor, DeskError
from console.agents import AgentError, find_agent, list_agents, set_availability
from console.desk import Desk
from console.files import MAX_REPLY_FILES, agent_files, upload_limits
from console.i18n import error_text
from console.identity import AGENT
from console.keys import DESK, HUB
from console.signals import agent_signal
from console.templating import render

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_routes(app: web.Application) -> None:
    app.router.add_get("/console", queue_page)
    app.router.add_get("/console/ws", console_socket)
    app.router.add_get("/console/api/queue", queue_json)
    app.router.add_get("/console/tickets/{id:\\d+}", ticket_page)
    app.router.add_get("/console/api/tickets/{id:\\d+}", ticket_json)
    for action in ("claim", "reply", "note", "handback", "close", "transfer"):
        app.router.add_post(f"/console/api/tickets/{{id:\\d+}}/{action}", _ACTIONS[action])
    app.router.add_get("/console/api/me/availability", availability_json)
    app.router.add_post("/console/api/me/availability", set_availability_json)


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
    """The live connection: events to the console; typing and seen signals from it."""
    agent = request[AGENT]

    async def on_event(event: dict[str, Any]) -> None:
        await agent_signal(request.app[DATABASE], request.app[EVENTS], agent, event)

    return await request.app[HUB].socket(request, on_event)


async def queue_page(request: web.Request) -> web.Response:
    """The workspace: queue, conversation and customer panes in one page."""
    return _workspace(request, "")


async def queue_json(request: web.Request) -> web.Response:
    items = await request.app[DESK].queue()
    return web.json_response({"now": request.app[CLOCK].now().isoformat(),
                              "tickets": [item.as_json() for item in items]})


async def ticket_page(request: web.Request) -> web.Response:
    """The workspace with one conversation open (a link that can be shared or reloaded)."""
    ticket_id = int(request.match_info["id"])
    if await transcript.ticket_view(request.app[DATABASE], ticket_id) is None:
        raise web.HTTPNotFound(text="no such ticket")
    return _workspace(request, str(ticket_id))


def _workspace(request: web.Request, ticket_id: str) -> web.Response:
    """The workspace page, with the limits of the files an agent can attach to a reply."""
    max_bytes, types = upload_limits(request.app[SETTINGS])
    uploads = {"max_bytes": max_bytes, "megabytes": max_bytes / 1024 / 1024,
               "types": ",".join(types), "count": MAX_REPLY_FILES,
               "kinds": ", ".join(sorted({kind.split("/")[-1].upper() for kind in types}))}
    return render(request, "workspace.html", ticket_id=ticket_id, uploads=uploads)


async def ticket_json(request: web.Request) -> web.Response:
    """The conversation pane's data, with whom the ticket can be transferred to."""
    view = await transcript.ticket_view(request.app[DATABASE], int(request.match_info["id"]))
    if view is None:
        raise web.HTTPNotFound(text="no such ticket")
    agents = [{"username": agent.username, "name": agent.display_name,
               "available": agent.available}
              for agent in await list_agents(request.app[DATABASE])
              if agent.active and agent.username != request[AGENT].username]
    return web.json_response({**transcript.as_json(view, request.app[SETTINGS].map_url),
                              "agents": agents,
                              "teams": list(request.app[SETTINGS].teams)})


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
            return web.json_response({"error": error_text(request, error)},
                                     status=error.status)
        request.app[EVENTS].publish(RepliesQueued())
        await request.app[HUB].publish({"type": "queue", "ticket_id": ticket_id})
        return web.json_response({"ok": True, **result})

    return handler


async def _claim(desk: Desk, ticket_id: int, actor: Actor, form: dict[str, Any],
                 request: web.Request) -> dict[str, Any]:
    holder = await desk.claim(ticket_id, actor, request.app[CLOCK].now())
    await _tell_widget(request, ticket_id, actor.display_name)
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
    await _tell_widget(request, ticket_id)
    return {}


async def _close(desk: Desk, ticket_id: int, actor: Actor, form: dict[str, Any],
                 request: web.Request) -> dict[str, Any]:
    await desk.close(ticket_id, actor, str(form.get("resolution", ""))[:2000],
                     request.app[CLOCK].now(),
                     closing_message=str(form.get("closing_message", ""))[:4000])
    await _tell_widget(request, ticket_id)
    return {}


async def _transfer(desk: Desk, ticket_id: int, actor: Actor, form: dict[str, Any],
                    request: web.Request) -> dict[str, Any]:
    agent, team = form.get("agent") or None, form.get("team") or None
    holder = await desk.transfer(ticket_id, actor, str(form.get("note", ""))[:4000],
                                 request.app[CLOCK].now(),
                                 agent=str(agent) if agent else None,
                                 team=str(team) if team else None)
    return {"now_with": holder}


async def _tell_widget(request: web.Request, ticket_id: int, name: str = "") -> None:
    """The customer's chat shows who joined (`name`) or that the person left."""
    where = await transcript.channel_of(request.app[DATABASE], ticket_id)
    if where is not None:
        request.app[EVENTS].publish(PresenceChanged(where[0], where[1], name))


_ACTIONS: dict[str, Handler] = {
    "claim": _action(_claim), "reply": _action(_reply), "note": _action(_note),
    "handback": _action(_handback), "close": _action(_close), "transfer": _action(_transfer),
}
