"""Server-rendered console pages: Jinja2 with autoescaping, so customer text is never HTML,
and the i18n extension, so every label goes through the agent's message catalogue."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from console.i18n import LOCALES, NAMES, formatters, js_texts, request_locale, translations
from console.identity import AGENT

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"


@cache
def environment(locale: str) -> Environment:
    """The templates in one console language, with its date and number filters."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True), enable_async=False,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(formatters(locale))
    env.globals.update(locales=[(code, NAMES[code]) for code in LOCALES])
    return env


def render(request: web.Request, template: str, status: int = 200,
           **context: Any) -> web.Response:
    """Render a template in the agent's language with the logged-in agent (if any), the
    CSRF token and the texts the page's scripts need in context."""
    agent = request.get(AGENT)
    locale = request_locale(request)
    html = environment(locale).get_template(template).render(
        agent=agent, csrf_token=agent.csrf_token if agent else "", path=request.path,
        locale=locale, js_text=js_texts(locale), **context)
    return web.Response(text=html, status=status, content_type="text/html",
                        headers={"Cache-Control": "no-store",
                                 "Content-Security-Policy": CSP,
                                 "X-Frame-Options": "DENY",
                                 "Content-Language": locale})


CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self' ws: wss:; frame-ancestors 'none'")
