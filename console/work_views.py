"""Pages for callbacks and canned replies (plain forms, redirect after post)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.app_keys import CLOCK, DATABASE
from console import callbacks, canned
from console.actors import Actor, DeskError
from console.i18n import N_, error_text, translate
from console.identity import AGENT
from console.templating import render


def add_routes(app: web.Application) -> None:
    app.router.add_get("/console/callbacks", callbacks_page)
    app.router.add_post("/console/callbacks/{id:\\d+}", callback_outcome)
    app.router.add_get("/console/canned", canned_page)
    app.router.add_post("/console/canned", canned_save)
    app.router.add_post("/console/canned/{id:\\d+}/delete", canned_delete)
    app.router.add_get("/console/api/canned", canned_json)


CALLBACK_STATUSES = (N_("done"), N_("scheduled"), N_("unreachable"))


def _back(path: str, message: str, ok: bool = False) -> str:
    """Where a form goes after posting: the page, with the outcome (`ok` shows success)."""
    return f"{path}?message={quote(message)}" + ("&ok=1" if ok else "")


def _actor(request: web.Request) -> Actor:
    agent = request[AGENT]
    return Actor(agent.username, agent.display_name)


def _outcome(request: web.Request) -> dict[str, Any]:
    return {"message": request.query.get("message", ""), "ok": request.query.get("ok") == "1"}


async def callbacks_page(request: web.Request) -> web.Response:
    rows = await callbacks.scheduled(request.app[DATABASE])
    return render(request, "callbacks.html", rows=rows, now=request.app[CLOCK].now(),
                  **_outcome(request))


async def callback_outcome(request: web.Request) -> web.Response:
    form = await request.post()
    due_text = str(form.get("due_at", "")).strip()
    try:
        due = datetime.fromisoformat(due_text).replace(tzinfo=UTC) if due_text else None
        status = await callbacks.record_outcome(
            request.app[DATABASE], int(request.match_info["id"]), _actor(request),
            str(form.get("outcome", "")), str(form.get("note", "")),
            request.app[CLOCK].now(), due)
    except (DeskError, ValueError) as error:
        raise web.HTTPFound(_back("/console/callbacks", translate(
            request, "Not saved: {error}", error=error_text(request, error)))) from error
    raise web.HTTPFound(_back("/console/callbacks", translate(
        request, "Callback saved: {status}", status=translate(request, status)), ok=True))


async def canned_page(request: web.Request) -> web.Response:
    return render(request, "canned.html", replies=await canned.replies(request.app[DATABASE]),
                  languages=canned.LANGUAGES, **_outcome(request))


async def canned_save(request: web.Request) -> web.Response:
    form = await request.post()
    reply_id = str(form.get("id", "")).strip()
    try:
        await canned.save(request.app[DATABASE], _actor(request), str(form.get("language", "")),
                          str(form.get("title", "")), str(form.get("text", "")),
                          request.app[CLOCK].now(), int(reply_id) if reply_id else None)
    except (DeskError, ValueError) as error:
        raise web.HTTPFound(_back("/console/canned", translate(
            request, "Not saved: {error}", error=error_text(request, error)))) from error
    raise web.HTTPFound(_back("/console/canned", translate(request, "Saved"), ok=True))


async def canned_delete(request: web.Request) -> web.Response:
    try:
        await canned.delete(request.app[DATABASE], _actor(request),
                            int(request.match_info["id"]), request.app[CLOCK].now())
    except DeskError as error:
        raise web.HTTPFound(_back("/console/canned", error_text(request, error))) from error
    raise web.HTTPFound(_back("/console/canned", translate(request, "Deleted"), ok=True))


async def canned_json(request: web.Request) -> web.Response:
    language = request.query.get("lang") or None
    rows = await canned.replies(request.app[DATABASE], language)
    return web.json_response({"replies": [{"id": r.id, "language": r.language,
                                           "title": r.title, "text": r.text} for r in rows]})
