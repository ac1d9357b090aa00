"""Server-rendered console pages: Jinja2 with autoescaping, so customer text is never HTML,
and the i18n extension, so every label goes through the agent's message catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from console.identity import AGENT

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"


def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(HERE / "templates"),
                              autoescape=select_autoescape(default=True), enable_async=False,
                              extensions=["jinja2.ext.i18n"])
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return environment


_environments = {"en": _environment()}


def render(request: web.Request, template: str, status: int = 200,
           **context: Any) -> web.Response:
    """Render a template with the logged-in agent (if any) and the CSRF token in context."""
    agent = request.get(AGENT)
    html = _environments["en"].get_template(template).render(
        agent=agent, csrf_token=agent.csrf_token if agent else "", path=request.path,
        locale="en", js_text={}, **context)
    return web.Response(text=html, status=status, content_type="text/html",
                        headers={"Cache-Control": "no-store",
                                 "Content-Security-Policy": CSP,
                                 "X-Frame-Options": "DENY"})


CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self' ws: wss:; frame-ancestors 'none'")
