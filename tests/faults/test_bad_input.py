"""Garbage on every route: random bytes, invalid UTF-8, JSON where a form is expected and the
reverse, empty and oversized bodies, wrong content types and odd query strings, with valid
credentials and without. Every answer is a 4xx that says what was wrong, never a 5xx, and
nothing reaches the messages, tickets or outbox tables.

Routes are read from the app's router, so a new route is covered without touching this file.
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from yarl import URL

from channels import webchat_sessions
from tests.console.helpers import login, make_agent
from tests.faults.conftest import (
    PUBLIC_BASE_URL,
    SECRET_HEADER,
    SIGNATURE_HEADER,
    TELEGRAM_SECRET,
    App,
    Stack,
    StartStack,
    twilio_signature,
)

MAX_BODY = 1024 * 1024  # the app's client_max_size
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
INVALID_UTF8 = b"Body=caf\xe9&From=\xff\xfe\xfd&MessageSid=\xc3\x28"
_PLACEHOLDER = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
# A console form that answers with a redirect carries its verdict in the query string.
_REDIRECT_WITH_REASON = re.compile(r"[?&](message|next)=.+")


@dataclass(frozen=True)
class Body:
    """One kind of bad body: the bytes and the Content-Type they are sent with."""

    name: str
    data: bytes
    content_type: str | None
    signed_params: dict[str, str] | None = None  # what a Twilio signature can cover


def bad_bodies() -> list[Body]:
    noise = random.Random(20240611).randbytes(2048)
    oversized_form = "Body=" + "x" * MAX_BODY
    return [
        Body("random bytes", noise, "application/octet-stream"),
        Body("random bytes as a form", noise, FORM),
        Body("random bytes as JSON", noise, JSON),
        Body("invalid UTF-8 form", INVALID_UTF8, FORM),
        Body("invalid UTF-8 JSON", b'{"text": "caf\xe9 \xff"}', JSON),
        Body("invalid UTF-8 multipart", b"--b\r\ncontent-disposition: form-data; name=\"a\""
             b"\r\n\r\n\xff\xfe\r\n--b--\r\n", "multipart/form-data; boundary=b"),
        Body("JSON where a form is expected", b'{"From": "whatsapp:+31612345678"}', JSON),
        Body("JSON array", b"[1, 2, 3]", JSON),
        Body("JSON scalar", b'"hello"', JSON),
        Body("JSON null", b"null", JSON),
        Body("form where JSON is expected", b"update_id=1&message=hello", FORM,
             signed_params={"update_id": "1", "message": "hello"}),
        Body("empty body", b"", None, signed_params={}),
        Body("empty form", b"", FORM, signed_params={}),
        Body("empty JSON", b"", JSON),
        Body("plain text", b"hello there", "text/plain", signed_params={}),
        Body("XML", b"<Response><Message>hi</Message></Response>", "text/xml",
             signed_params={}),
        Body("multipart without a boundary", b"--x\r\n\r\n", "multipart/form-data"),
        Body("form in an unknown charset", b"Body=hallo", f"{FORM}; charset=klingon",
             signed_params={"Body": "hallo"}),
        Body("JSON in an unknown charset", b'{"text": "hallo"}', f"{JSON}; charset=klingon"),
        Body("oversized form", oversized_form.encode(), FORM,
             signed_params={"Body": oversized_form[5:]}),
        Body("oversized JSON", b'{"text": "' + b"x" * MAX_BODY + b'"}', JSON),
    ]


@dataclass
class Verdicts:
    """Every answer that broke the rules, reported together at the end."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    def check(self, what: str, status: int, text: str, location: str | None = None,
              authenticated: bool = False) -> None:
        self.checked += 1
        if authenticated and status in (401, 403):
            self.problems.append(f"{what}: the credentials were refused ({status} {text!r}), "
                                 "so the body was never examined")
        elif status >= 500:
            self.problems.append(f"{what}: {status} {text[:200]!r}")
        elif status in (302, 303) and location and _REDIRECT_WITH_REASON.search(location):
            return
        elif status in (302, 303) and location == "/console/login":
            return  # logging out ignores the body, and that is fine
        elif not 400 <= status < 500:
            self.problems.append(f"{what}: expected a 4xx, got {status} {text[:200]!r}")
        elif not text.strip():
            self.problems.append(f"{what}: {status} without saying what was wrong")

    def assert_clean(self) -> None:
        assert self.checked > 0
        assert not self.problems, (f"{len(self.problems)} of {self.checked} bad requests "
                                   "were mishandled:\n" + "\n".join(self.problems))


def route_paths(app: web.Application, method: str) -> list[str]:
    """A concrete path for every route of `method`; placeholders get `value`."""
    paths: set[str] = set()
    for route in app.router.routes():
        if route.method != method:
            continue
        info = route.resource.get_info() if route.resource else {}
        if "path" in info:
            paths.add(str(info["path"]))
        elif "formatter" in info:
            paths.add(_PLACEHOLDER.sub("1", str(info["formatter"])))
        elif "prefix" in info:  # static files
            paths.add(f"{info['prefix']}/console.css")
    return sorted(paths)


@pytest.fixture
async def stack(start_stack: StartStack, nlu_service: tuple[str, str]) -> Stack:
    return await start_stack(*nlu_service)


@pytest.fixture
async def anonymous(stack: Stack) -> AsyncIterator[aiohttp.ClientSession]:
    """A client without cookies, for the requests without credentials."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


class Supervisor:
    """A logged-in supervisor; logs in again when a request has ended the session."""

    def __init__(self, client: App) -> None:
        self.client = client
        self.csrf = ""

    async def ensure(self) -> dict[str, str]:
        if not self.csrf or (await self.client.get("/console/api/me")).status != 200:
            self.csrf = await login(self.client, "sue")
        return {"X-CSRF-Token": self.csrf}


@pytest.fixture
async def supervisor(stack: Stack) -> Supervisor:
    await make_agent(stack.database, "sue", role="supervisor")
    return Supervisor(stack.client)


def credentials(path: str, body: Body,
                visitor_token: str = "") -> Iterator[tuple[str, dict[str, str], bool]]:
    """The route's credentials as headers, each with whether it is valid for this body: a
    Twilio signature only covers form params, so garbage gets one over no params."""
    if path == "/chat/files":
        yield "a widget visitor's token", {"Authorization": f"Bearer {visitor_token}",
                                           "Origin": PUBLIC_BASE_URL}, True
    elif path.startswith("/webhooks/telegram"):
        yield "correct secret", {SECRET_HEADER: TELEGRAM_SECRET}, True
    elif path.startswith("/webhooks/whatsapp"):
        yield ("signature over no params", {SIGNATURE_HEADER: twilio_signature(path, {})},
               body.signed_params == {})
        if body.signed_params:
            yield "signature over the params", {
                SIGNATURE_HEADER: twilio_signature(path, body.signed_params)}, True


async def _send(session: Any, url: Any, body: Body,
                headers: dict[str, str]) -> tuple[int, str, str | None]:
    send_headers = dict(headers)
    if body.content_type is not None:
        send_headers["Content-Type"] = body.content_type
    async with session.post(url, data=body.data, headers=send_headers,
                            allow_redirects=False) as response:
        text = await response.text(errors="replace")
        return response.status, text, response.headers.get("Location")


async def test_every_route_is_enumerated(stack: Stack) -> None:
    posts = route_paths(stack.client.app, "POST")
    gets = route_paths(stack.client.app, "GET")
    assert {"/webhooks/telegram", "/webhooks/whatsapp", "/webhooks/whatsapp/status",
            "/console/login"} <= set(posts)
    assert {"/chat/ws", "/console", "/healthz"} <= set(gets)


async def test_bad_bodies_on_every_post_route_get_a_clear_4xx_and_store_nothing(
    stack: Stack, anonymous: aiohttp.ClientSession, supervisor: Supervisor,
) -> None:
    verdicts = Verdicts()
    visitor = await webchat_sessions.resume_or_start(stack.database, None, PUBLIC_BASE_URL,
                                                     datetime.now(UTC))
    for path in route_paths(stack.client.app, "POST"):
        url = stack.client.make_url(path)
        if path == "/chat/files":  # an upload names its message
            url = url.with_query(id="bad-input")
        for body in bad_bodies():
            status, text, location = await _send(anonymous, url, body, {})
            verdicts.check(f"POST {path} {body.name} (no credentials)", status, text, location)
            for how, headers, valid in credentials(path, body, visitor.token or ""):
                status, text, location = await _send(anonymous, url, body, headers)
                verdicts.check(f"POST {path} {body.name} ({how})", status, text, location,
                               authenticated=valid)
            if path.startswith("/console") and path != "/console/login":
                headers = await supervisor.ensure()
                status, text, location = await _send(stack.client.session, url, body,
                                                      headers)
                verdicts.check(f"POST {path} {body.name} (supervisor with CSRF token)",
                               status, text, location, authenticated=True)
                await supervisor.ensure()
                status, text, location = await _send(stack.client.session, url, body, {})
                verdicts.check(f"POST {path} {body.name} (supervisor, no CSRF token)",
                               status, text, location)
    verdicts.assert_clean()
    assert await stack.stored() == {"messages": 0, "tickets": 0, "outbox": 0}


ODD_QUERIES = [
    "from=garbage&to=garbage",
    "from=2024-13-45&to=2024-02-30",
    "from=2024-06-01&to=2023-06-01",
    "from=0001-01-01&to=9999-12-31",
    "to=9999-12-31",
    "from=0001-01-01&to=0001-01-01",
    "to=0001-01-05",
    "q=" + "%" * 3 + "x" * 4000,
    "next=%ff%fe&message=%c3%28&lang=%00",
    "erased=%C2%B2&lang=xx&q=%27%22%3C",
    "from=" + "9" * 4000,
    "id=1&id=2&from=&to=&q=&erased=-1",
]


async def test_odd_query_strings_on_every_get_route_never_give_a_5xx(
    stack: Stack, anonymous: aiohttp.ClientSession, supervisor: Supervisor,
) -> None:
    verdicts = Verdicts()
    for path in route_paths(stack.client.app, "GET"):
        for query in ODD_QUERIES:
            target = f"{path}?{query}"
            await supervisor.ensure()
            for who, session in (("anonymous", anonymous),
                                 ("supervisor", stack.client.session)):
                async with session.get(_raw_url(stack, target),
                                       allow_redirects=False) as response:
                    verdicts.checked += 1
                    if response.status >= 500:
                        text = await response.text(errors="replace")
                        verdicts.problems.append(
                            f"GET {target[:120]} ({who}): {response.status} {text[:200]!r}")
    verdicts.assert_clean()
    assert await stack.stored() == {"messages": 0, "tickets": 0, "outbox": 0}


def _raw_url(stack: Stack, target: str) -> URL:
    """The URL of `target` exactly as written: odd escapes are sent, not re-encoded."""
    root = str(stack.client.make_url("/")).rstrip("/")
    return URL(root + target, encoded=True)


async def _chat(stack: Stack) -> aiohttp.ClientWebSocketResponse:
    """A widget connection past its hello."""
    ws = await stack.client.ws_connect("/chat/ws", headers={"Origin": PUBLIC_BASE_URL})
    await ws.send_json({"type": "hello", "lang": "en"})
    welcome = await ws.receive_json(timeout=5)
    assert welcome["type"] == "welcome"
    return ws


async def _close_code(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    while True:
        message = await ws.receive(timeout=5)
        if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING,
                            WSMsgType.ERROR):
            return ws.close_code


@pytest.mark.parametrize(("frame", "opcode"), [
    (b"\xff\xfe{\"type\": \"message\"}", WSMsgType.TEXT),
    (b"caf\xe9", WSMsgType.TEXT),
    (random.Random(7).randbytes(512), WSMsgType.BINARY),
    (b'{"type": "message", "id": "1", "text": "' + b"x" * 20000 + b'"}', WSMsgType.TEXT),
    (b"not json", WSMsgType.TEXT),
    (b"[1, 2]", WSMsgType.TEXT),
], ids=["invalid-utf8", "latin1-text", "binary", "oversized", "not-json", "not-an-object"])
async def test_bad_chat_frames_close_the_connection_with_a_protocol_code(
    stack: Stack, frame: bytes, opcode: WSMsgType,
) -> None:
    ws = await _chat(stack)
    await ws.send_frame(frame, opcode)
    code = await _close_code(ws)
    assert code is not None and (code >= 4000 or code in (1007, 1009)), code
    # The server is still well: a new connection works and nothing was stored.
    again = await _chat(stack)
    await again.close()
    assert (await stack.client.get("/healthz")).status == 200
    assert await stack.stored() == {"messages": 0, "tickets": 0, "outbox": 0}
