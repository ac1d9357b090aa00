"""Agent pages and their JSON API: the live queue, a conversation with its transcript,
and the actions on it. Each action wakes the outbox and tells every console to refresh."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.app_keys import CHANNELS, CLOCK, DATABASE, OUTBOX, SERVICES, TURN_LISTENERS
from bot.conversation import TurnResult
from console import transcript
from console.auth import AGENT
from console.desk import Actor, Desk, DeskError
from console.keys import DESK, HUB
from console.live import ConsoleHub
from console.templating import render

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_routes(app: web.Application) -> None:
    app[HUB] = ConsoleHub()
    app.cleanup_ctx.append(_desk)
    app.on_shutdown.append(app[HUB].close_all)
    app.router.add_get("/console", queue_page)
    app.router.add_get("/console/ws", console_socket)
    app.router.add_get("/console/api/queue", queue_json)
    app.router.add_get("/console/tickets/{id:\\d+}", ticket_page)
    app.router.add_get("/console/api/tickets/{id:\\d+}", ticket_json)
    for action in ("claim", "reply", "note", "handback", "close"):
        app.router.add_post(f"/console/api/tickets/{{id:\\d+}}/{action}", _ACTIONS[action])


async def _desk(app: web.Application) -> AsyncIterator[None]:
    """Built once the database exists; listens to the bot for new tickets and messages."""
    hub = app[HUB]
    app[DESK] = Desk(app[DATABASE], app[SERVICES].catalogue)
    tasks: set[asyncio.Task[int]] = set()

    def on_turn(result: TurnResult) -> None:
        event = {"type": "ticket_created" if result.ticket else "conversation",
                 "conversation_id": result.conversation_id, "ticket": result.ticket}
        task = asyncio.create_task(hub.publish(event))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    app[TURN_LISTENERS].append(on_turn)
    yield
    app[TURN_LISTENERS].remove(on_turn)


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
    return render(request, "ticket.html", view=view)


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
    return {"message_id": await desk.reply(ticket_id, actor, text, request.app[CLOCK].now())}


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
    "handback": _action(_handback), "close": _action(_close),
}
