"""The agent's own settings: the console language (kept per agent, so it follows them to
every browser)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import update

from bot.app_keys import DATABASE
from bot.storage.models import Agent
from console.i18n import LOCALES
from console.identity import AGENT


def add_routes(app: web.Application) -> None:
    app.router.add_post("/console/me/locale", set_locale)


async def set_locale(request: web.Request) -> web.Response:
    """`POST /console/me/locale` with `locale` (nl, de or en) and where to go back to."""
    form = await request.post()
    locale = str(form.get("locale", ""))
    if locale not in LOCALES:
        raise web.HTTPBadRequest(text=f"locale must be one of {', '.join(LOCALES)}")
    async with request.app[DATABASE].transaction() as session:
        await session.execute(update(Agent).where(Agent.id == request[AGENT].id)
                              .values(locale=locale))
    back = str(form.get("next", ""))
    raise web.HTTPFound(back if back.startswith("/console") and "//" not in back
                        else "/console")
