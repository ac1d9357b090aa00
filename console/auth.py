"""Console access: login and logout, the session cookie, CSRF checks and roles.

The middleware puts an `AgentIdentity` in `request[AGENT]` for every console route except
the login page and static files; nothing under `/console` runs without one.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote, urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter

from bot.app_keys import CLOCK, DATABASE, SETTINGS
from bot.rate_limits import Limiter
from console.agents import authenticate, close_session, find_session, open_session
from console.identity import AGENT, AgentIdentity
from console.templating import render

SESSION_COOKIE = "sb_console"
LOGIN_COOKIE = "sb_login"  # double-submit token of the login form
LOGIN_PATH = "/console/login"
LOGIN_FORM_SECONDS = 30 * 60
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
SUPERVISOR_PREFIXES = ("/console/supervisor", "/console/api/supervisor")
TOO_MANY = "Too many login attempts; try again in a minute"


class LoginLimiter:
    """Counts failed logins per username and per client address in a moving window, in
    Redis when `redis_url` is set (so replicas share the count)."""

    def __init__(self, rate: str, redis_url: str | None = None,
                 key_prefix: str = "supportbot:limits") -> None:
        self.rate = parse(rate)
        self.limiter = Limiter(MovingWindowRateLimiter, redis_url, key_prefix)

    async def allows(self, username: str, address: str) -> bool:
        return (await self.limiter.test(self.rate, "user", username.casefold())
                and await self.limiter.test(self.rate, "ip", address))

    async def failed(self, username: str, address: str) -> None:
        await self.limiter.hit(self.rate, "user", username.casefold())
        await self.limiter.hit(self.rate, "ip", address)


LIMITER = web.AppKey("console_login_limiter", LoginLimiter)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _is_websocket(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def _wants_json(request: web.Request) -> bool:
    return _under(request.path, "/console/api") or _is_websocket(request)


def _refuse(request: web.Request, status: int, message: str) -> web.Response:
    if _wants_json(request) or request.method not in ("GET", "HEAD"):
        return web.json_response({"error": message}, status=status)
    return render(request, "login.html", status=status, refusal=message)


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Require a session under /console, a supervisor under the supervisor paths, a CSRF
    token on every state change and a same-site Origin on WebSocket upgrades."""
    path = request.path
    if not _under(path, "/console") or path.startswith("/console/static/"):
        return await handler(request)
    if path == LOGIN_PATH:
        return await _readable_body(request) or await handler(request)
    if _is_websocket(request) and not _same_origin(request):
        return web.json_response({"error": "cross-site WebSocket refused"}, status=403)
    agent = await _session_agent(request)
    if agent is None:
        if request.method in ("GET", "HEAD") and not _wants_json(request):
            raise web.HTTPFound(f"{LOGIN_PATH}?next={quote(request.path_qs, safe='')}")
        return web.json_response({"error": "login required"}, status=401)
    request[AGENT] = agent
    if any(_under(path, prefix) for prefix in SUPERVISOR_PREFIXES) and \
            agent.role != "supervisor":
        return _refuse(request, 403, "Supervisors only")
    if request.method in UNSAFE_METHODS:
        refused = await _readable_body(request)
        if refused is not None:
            return refused
        if not await _csrf_ok(request, agent):
            return _refuse(request, 403, "CSRF token missing or wrong")
    return await handler(request)


async def _readable_body(request: web.Request) -> web.Response | None:
    """A 400 naming the problem when a state change's form or JSON body cannot be decoded
    (bad UTF-8, an unknown charset, a multipart body without its boundary); the parsed
    form is cached for the handler."""
    if request.method not in UNSAFE_METHODS:
        return None
    try:
        if request.content_type in FORM_TYPES:
            await request.post()
        elif request.content_type == "application/json":
            await request.json()
    except (ValueError, LookupError) as error:
        kind = "JSON" if request.content_type == "application/json" else "form"
        return _refuse(request, 400, f"The request body is not a readable {kind}: {error}")
    return None


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin", "")
    return bool(origin) and urlsplit(origin).netloc == request.host


async def _session_agent(request: web.Request) -> AgentIdentity | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = await find_session(request.app[DATABASE], token, request.app[CLOCK].now())
    if found is None:
        return None
    session, agent = found
    return AgentIdentity(id=agent.id, username=agent.username,
                         display_name=agent.display_name, role=agent.role,
                         csrf_token=session.csrf_token, locale=agent.locale)


async def _csrf_ok(request: web.Request, agent: AgentIdentity) -> bool:
    given = request.headers.get("X-CSRF-Token")
    if given is None and request.content_type in FORM_TYPES:
        field = (await request.post()).get("csrf_token")  # cached for the handler
        given = field if isinstance(field, str) else None
    return given is not None and hmac.compare_digest(given.encode(), agent.csrf_token.encode())


def safe_next(target: str | None) -> str:
    """Where to go after login: a console path on this site, never another site."""
    if not target or "\\" in target or any(ord(char) < 33 for char in target):
        return "/console"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not _under(parts.path, "/console"):
        return "/console"
    return target


def _login_page(request: web.Request, status: int = 200, *, next_path: str,
                error: str | None = None, username: str = "",
                form_token: str | None = None) -> web.Response:
    """The login form; a new double-submit token goes into the form and a cookie unless
    the caller passes the one that is still valid."""
    fresh = form_token is None
    token = form_token or secrets.token_urlsafe(24)
    response = render(request, "login.html", status=status, login_token=token,
                      next=next_path, error=error, username=username)
    if fresh:
        response.set_cookie(LOGIN_COOKIE, token, max_age=LOGIN_FORM_SECONDS, path=LOGIN_PATH,
                            httponly=True, samesite="Strict", secure=_secure(request))
    return response


def _secure(request: web.Request) -> bool:
    return request.app[SETTINGS].public_base_url.startswith("https")


async def login_form(request: web.Request) -> web.Response:
    """`GET /console/login`."""
    return _login_page(request, next_path=safe_next(request.query.get("next")))


async def login(request: web.Request) -> web.Response:
    """`POST /console/login`: check the form token, the rate limit and the password."""
    form = await request.post()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    next_path = safe_next(str(form.get("next", "")))
    posted = str(form.get("login_token", ""))
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not (posted and cookie and hmac.compare_digest(posted.encode(), cookie.encode())):
        return _login_page(request, 403, next_path=next_path, username=username,
                           error="The login form expired; please try again.")
    limiter, address = request.app[LIMITER], request.remote or "unknown"
    if not await limiter.allows(username, address):
        response = _login_page(request, 429, next_path=next_path, username=username,
                               error=TOO_MANY, form_token=posted)
        response.headers["Retry-After"] = "60"
        return response
    agent = await authenticate(request.app[DATABASE], username, password)
    if agent is None:
        await limiter.failed(username, address)
        return _login_page(request, 401, next_path=next_path, username=username,
                           error="Wrong username or password.", form_token=posted)
    settings = request.app[SETTINGS]
    token, _ = await open_session(request.app[DATABASE], agent, request.app[CLOCK].now(),
                                  settings.console_session_hours)
    response = web.HTTPFound(next_path)
    response.set_cookie(SESSION_COOKIE, token, path="/console", httponly=True,
                        samesite="Strict", secure=_secure(request),
                        max_age=int(settings.console_session_hours * 3600))
    response.del_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    raise response


async def logout(request: web.Request) -> web.Response:
    """`POST /console/logout` (the middleware has checked the CSRF token)."""
    agent = request[AGENT]
    await close_session(request.app[DATABASE], request.cookies.get(SESSION_COOKIE, ""),
                        agent.username, request.app[CLOCK].now())
    response = web.HTTPFound(LOGIN_PATH)
    response.del_cookie(SESSION_COOKIE, path="/console")
    raise response


async def me(request: web.Request) -> web.Response:
    """`GET /console/api/me`: who is logged in, and the CSRF token for scripts."""
    agent = request[AGENT]
    return web.json_response({"username": agent.username, "display_name": agent.display_name,
                              "role": agent.role, "csrf_token": agent.csrf_token},
                             headers={"Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    """Login and logout routes, and `/console/api/me`."""
    settings = app[SETTINGS]
    app[LIMITER] = LoginLimiter(settings.console_login_rate, settings.redis_url,
                                f"{settings.redis_channel_prefix}limits")
    app.router.add_get(LOGIN_PATH, login_form)
    app.router.add_post(LOGIN_PATH, login)
    app.router.add_post("/console/logout", logout)
    app.router.add_get("/console/api/me", me)
