"""Who is logged in: the agent of a request, set by the auth middleware and read by the
views and the templates."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web


@dataclass(frozen=True)
class AgentIdentity:
    """The logged-in agent of a request."""

    id: int
    username: str
    display_name: str
    role: str
    csrf_token: str
    locale: str | None = None  # the console language the agent chose


AGENT = web.RequestKey("agent", AgentIdentity)
