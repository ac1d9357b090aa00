"""The website live-chat widget: `GET /chat/widget.js`, the demo page `GET /chat/demo`,
the WebSocket `GET /chat/ws` that carries a small JSON protocol (see the README), and the
visitor's file uploads `POST /chat/files` (channels/webchat_files.py).

A connection is refused with a close code the widget shows: 4403 origin not allowed,
4400 protocol error, 4429 too many connections or messages, 4408 idle; frames over the
size limit get 1009 from aiohttp. Replies are pushed to every open connection of the
visitor; a visitor who is not connected sees them in the history on the next visit.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections import Counter, defaultdict
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from bot.catalogue import Catalogue
from bot.channel import ChannelContext, Delivery
from bot.config import Settings
from bot.conversation import Inbound
from bot.rate_limits import Limiter
from channels import webchat_sessions
from channels.webchat_files import VisitorUploads, limits_frame, shown_files
from channels.webchat_greeting import greeting
from channels.webchat_presence import PresenceFrames
from channels.webchat_sessions import CHANNEL, Visitor
from channels.webchat_widget import STATIC, WIDGET_JS

log = logging.getLogger(__name__)
BUS_TOPIC = "webchat"


class Refused(Exception):
    """Ends a connection with a WebSocket close code and a reason the widget shows."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class WebChatChannel(PresenceFrames):
    """The widget's routes, its live connections and the sender that pushes to them."""

    channel = CHANNEL

    def __init__(self, settings: Settings, catalogue: Catalogue) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.allowed = {_origin(o) for o in settings.webchat_allowed_origins}
        self.allowed.add(_origin(settings.public_base_url))
        self.connections: defaultdict[str, set[web.WebSocketResponse]] = defaultdict(set)
        self.per_ip: Counter[str] = Counter()
        # a sliding-window counter: the moving window's in-memory storage re-scans every
        # key (a thread hop each) after each hit, which costs the loop dearly under load.
        # A connection lives in one process; a client address may reach every replica,
        # so its count is shared through Redis when there is one.
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())
        self.address_limiter = Limiter(SlidingWindowCounterRateLimiter, settings.redis_url,
                                       f"{settings.redis_channel_prefix}limits")
        self.message_rate = parse(settings.webchat_message_rate)
        self.ip_rate = parse(settings.webchat_ip_rate)
        self._context: ChannelContext | None = None
        self.uploads = VisitorUploads(settings, self.limiter, (self.message_rate, self.ip_rate),
                                      self._origin_allowed, lambda: self.context,
                                      self._answering)

    @staticmethod
    def enabled(settings: Settings) -> bool:
        """The widget is always on."""
        return True

    @classmethod
    def from_settings(cls, settings: Settings) -> WebChatChannel:
        values = settings.company.placeholders()
        values["kb_url"] = values["kb_url"] or f"{settings.public_base_url.rstrip('/')}/kb"
        return cls(settings, Catalogue.load(values))

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/chat/widget.js", self.widget)
        app.router.add_get("/chat/demo", self.demo)
        app.router.add_get("/chat/ws", self.socket)
        self.uploads.add_routes(app)
        app.on_shutdown.append(self._close_connections)

    async def start(self, context: ChannelContext) -> None:
        self._context = context
        context.bus.subscribe(BUS_TOPIC, self._deliver)

    async def stop(self) -> None:
        await self._close_connections()

    async def _close_connections(self, app: web.Application | None = None) -> None:
        """Close open widget connections (1001: the widget reconnects to another replica)."""
        for sockets in list(self.connections.values()):
            for ws in list(sockets):
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")

    @property
    def context(self) -> ChannelContext:
        if self._context is None:
            raise web.HTTPServiceUnavailable(text="the web chat is starting")
        return self._context

    async def widget(self, request: web.Request) -> web.Response:
        return web.Response(body=WIDGET_JS, headers={
            "Content-Type": "application/javascript; charset=utf-8",
            "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"})

    async def demo(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "demo.html",
                                headers={"Content-Type": "text/html; charset=utf-8"})

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        """`GET /chat/ws`: one widget connection, from hello to close."""
        context = self.context
        ws = web.WebSocketResponse(max_msg_size=self.settings.webchat_max_frame_bytes,
                                   heartbeat=30.0)
        await ws.prepare(request)
        ip = request.remote or "unknown"
        self.per_ip[ip] += 1
        visitor: Visitor | None = None
        try:
            self._check_origin(request)
            if self.per_ip[ip] > self.settings.webchat_max_connections_per_ip:
                raise Refused(4429, "too many chat connections from your address")
            visitor, lang = await self._hello(ws, request, context)
            self.connections[visitor.visitor_id].add(ws)
            await self._converse(ws, visitor, lang, ip, context)
        except Refused as refused:
            await ws.close(code=refused.code, message=refused.reason.encode()[:120])
        finally:
            self.per_ip[ip] -= 1
            if self.per_ip[ip] <= 0:
                del self.per_ip[ip]
            if visitor is not None:
                self.connections[visitor.visitor_id].discard(ws)
                if not self.connections[visitor.visitor_id]:
                    del self.connections[visitor.visitor_id]
        return ws

    def _check_origin(self, request: web.Request) -> None:
        if not self._origin_allowed(request):
            raise Refused(4403, "this website may not use the chat")

    def _origin_allowed(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin", "")
        same_origin = bool(origin) and urlsplit(origin).netloc == request.host
        return same_origin or "*" in self.allowed or _origin(origin) in self.allowed

    async def _hello(self, ws: web.WebSocketResponse, request: web.Request,
                     context: ChannelContext) -> tuple[Visitor, str | None]:
        frame = await self._next_frame(ws, wait_s=self.settings.webchat_hello_timeout_s)
        if frame is None or frame.get("type") != "hello":
            raise Refused(4400, "the first frame must be a hello")
        token = frame.get("token")
        visitor = await webchat_sessions.resume_or_start(
            context.database, token if isinstance(token, str) else None,
            request.headers.get("Origin", ""), context.clock.now())
        history = await webchat_sessions.history(context.database, visitor.visitor_id)
        for shown in history:
            if "files" in shown:
                shown["files"] = shown_files(self.settings, context.clock.now(), shown["files"])
        state = await webchat_sessions.chat_state(context.database, visitor.visitor_id)
        wanted = _language(frame.get("lang"))
        chat_lang = state.language or wanted or self.settings.default_language
        welcome: dict[str, Any] = {"type": "welcome", "history": history, "lang": chat_lang,
                                   "agent": state.agent, "human": state.human,
                                   "attachment_limits": limits_frame(self.settings)}
        if not history:  # first open: the greeting in the browser's language
            welcome["greeting"] = greeting(self.catalogue, wanted or chat_lang)
        if visitor.token is not None:
            welcome["token"] = visitor.token
        await ws.send_json(welcome)
        return visitor, wanted

    async def _converse(self, ws: web.WebSocketResponse, visitor: Visitor, lang: str | None,
                        ip: str, context: ChannelContext) -> None:
        while True:
            frame = await self._next_frame(ws, wait_s=self.settings.webchat_idle_timeout_s)
            if frame is None:
                return
            kind = frame.get("type")
            if kind == "hello":
                lang = _language(frame.get("lang"))
                continue
            if kind not in ("message", "button"):
                await _error(ws, "unknown_type", f"unknown frame type: {kind!r}")
                continue
            if not await self.limiter.hit(self.message_rate, "connection", str(id(ws))) or \
                    not await self.address_limiter.hit(self.ip_rate, "ip", ip):
                raise Refused(4429, "too many messages; please wait a moment")
            inbound = self._inbound(frame, visitor, lang)
            if inbound is None:
                await _error(ws, "invalid_message",
                             f"a message needs an id and 1 to "
                             f"{self.settings.webchat_max_text_chars} characters of text")
                continue
            await context.intake.receive(inbound)  # stored: now the reply is on its way
            await ws.send_json({"type": "ack", "id": frame["id"]})
            await self._answering(visitor.visitor_id, ws)

    async def _answering(self, visitor_id: str, ws: web.WebSocketResponse | None = None) -> None:
        """Show the assistant's typing dots for a stored message (on `ws`, else on every
        connection of the visitor), unless a person answers the chat: their typing comes
        from the console (`show_typing`)."""
        state = await webchat_sessions.chat_state(self.context.database, visitor_id)
        if state.human:
            return
        frame = {"type": "typing", "on": True, "who": "bot"}
        if ws is not None:
            await ws.send_json(frame)
        else:
            await self.push(visitor_id, frame)

    def _inbound(self, frame: dict[str, Any], visitor: Visitor,
                 lang: str | None) -> Inbound | None:
        frame_id, payload = frame.get("id"), frame.get("payload")
        text = frame.get("title") if frame.get("type") == "button" else frame.get("text")
        if not isinstance(frame_id, str) or not 0 < len(frame_id) <= 64:
            return None
        if not isinstance(text, str) or not text.strip() or \
                len(text) > self.settings.webchat_max_text_chars:
            return None
        return Inbound(channel=CHANNEL, chat_id=visitor.visitor_id,
                       user_id=visitor.visitor_id, message_id=f"{visitor.visitor_id}:{frame_id}",
                       text=text.strip(), payload=payload if isinstance(payload, str) else None,
                       language_hint=lang)

    async def _next_frame(self, ws: web.WebSocketResponse,
                          wait_s: float) -> dict[str, Any] | None:
        """The next JSON object from the client; None when the connection has ended."""
        try:
            message = await ws.receive(timeout=wait_s)
        except TimeoutError:
            raise Refused(4408, "the chat was paused because of inactivity") from None
        if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED,
                            WSMsgType.ERROR):
            return None
        if message.type != WSMsgType.TEXT:
            raise Refused(4400, "frames must be JSON text")
        try:
            frame = json.loads(message.data)
        except ValueError:
            raise Refused(4400, "frames must be JSON text") from None
        if not isinstance(frame, dict):
            raise Refused(4400, "a frame must be a JSON object")
        return frame

    async def send(self, delivery: Delivery) -> str:
        """Push the reply to the visitor's open connections; history keeps it otherwise."""
        details = await webchat_sessions.reply_details(self.context.database,
                                                       delivery.message_id)
        frame: dict[str, Any] = {
            "type": "message", "id": delivery.message_id, "from": delivery.sender,
            "text": delivery.reply.text, "at": delivery.now.isoformat(),
            "lang": details.language, "human": details.human,
            "buttons": [{"title": b.title, "payload": b.payload}
                        for b in delivery.reply.buttons]}
        if delivery.reply.files:  # an agent's files, as signed links that expire
            frame["files"] = shown_files(self.settings, delivery.now,
                                         [asdict(file) for file in delivery.reply.files])
        if details.agent and delivery.sender == "agent":
            frame["agent"] = details.agent
        await self.push(delivery.recipient, frame)
        return f"webchat:{delivery.message_id}"

    async def push(self, visitor_id: str, frame: dict[str, Any]) -> None:
        """Send a frame to the visitor's connections, on whichever replica they are."""
        await self.context.bus.publish(BUS_TOPIC, {"visitor": visitor_id, "frame": frame})

    async def _deliver(self, event: dict[str, Any]) -> None:
        await self.push_local(str(event["visitor"]), event["frame"])

    async def push_local(self, visitor_id: str, frame: dict[str, Any]) -> int:
        """Send a frame to this replica's open connections of a visitor; returns how many."""
        reached = 0
        for ws in list(self.connections.get(visitor_id, ())):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_json(frame)
                reached += 1
        return reached


async def _error(ws: web.WebSocketResponse, code: str, message: str) -> None:
    await ws.send_json({"type": "error", "code": code, "message": message})


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.netloc else url.strip().lower()


def _language(value: object) -> str | None:
    return value if value in ("nl", "de", "en") else None
