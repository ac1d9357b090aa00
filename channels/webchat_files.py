"""Files in the web chat: a visitor's upload (`POST /chat/files`) and the signed links the
widget shows for the files of a message (the visitor's own and an agent's).

An upload is the raw file as the request body (not a form: the app's 1 MiB body limit does
not apply, the channel's `max_bytes` does, read as it streams in), authenticated by the
visitor's resume token (`Authorization: Bearer ...`), so nobody else can post into the
conversation. Its type is sniffed from the bytes and checked against the channel's allowed
types whatever the browser says; it is stored once in the file store and handed to the
intake as a photo or document message, like a Telegram photo.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web
from limits import RateLimitItem
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from bot.channel import ChannelContext
from bot.config import AttachmentLimits, Settings
from bot.conversation import Attachment, Inbound
from bot.file_stores import file_store
from bot.files import INLINE_TYPES, KEY, link_secret, signed_path, sniffed_type
from channels import webchat_sessions
from channels.webchat_sessions import CHANNEL

CHUNK = 64 * 1024
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")
_FRAME_ID = re.compile(r"^[\w-]{1,64}$")


def upload_limits(settings: Settings) -> AttachmentLimits:
    """What the widget may upload: the web chat's attachment limits (defaults when unset)."""
    return settings.attachment_limits.get(CHANNEL) or AttachmentLimits()


def limits_frame(settings: Settings) -> dict[str, Any]:
    """The limits as the welcome frame tells the widget, so it can refuse before uploading."""
    limits = upload_limits(settings)
    return {"max_bytes": limits.max_bytes, "max_count": limits.max_count,
            "types": list(limits.types)}


def shown_file(settings: Settings, now: datetime, file: Mapping[str, Any]) -> dict[str, Any] | None:
    """A stored file as the widget shows it: a signed, expiring link (a path on this app),
    its name, type and size, and whether it is an image to show as a thumbnail; None for
    an attachment that was never stored (a reference only)."""
    key = str(file.get("file") or "")
    if not KEY.match(key):
        return None
    expires = now + timedelta(hours=settings.file_link_hours)
    name = str(file.get("name") or "")
    url = signed_path(link_secret(settings), key, expires)
    if name:
        url += f"&name={quote(name)}"
    mime = str(file.get("mime_type") or "")
    size = file.get("size")
    return {"url": url, "name": name, "mime_type": mime,
            "size": size if isinstance(size, int) else None, "image": mime in INLINE_TYPES}


def shown_files(settings: Settings, now: datetime,
                files: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The stored ones of `files` as the widget shows them."""
    return [shown for file in files if (shown := shown_file(settings, now, file)) is not None]


class UploadRefused(Exception):
    """An upload that is not accepted: the HTTP status and the reason in plain words."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class VisitorUploads:
    """`POST /chat/files?id=...&name=...`: one file from a widget visitor into their chat."""

    def __init__(self, settings: Settings, limiter: SlidingWindowCounterRateLimiter,
                 rates: tuple[RateLimitItem, RateLimitItem],
                 origin_allowed: Callable[[web.Request], bool],
                 context: Callable[[], ChannelContext],
                 after: Callable[[str], Awaitable[None]]) -> None:
        self.settings = settings
        self.limiter = limiter
        self.visitor_rate, self.ip_rate = rates
        self.origin_allowed = origin_allowed
        self.context = context
        self.after = after  # what the widget sees once the file is stored (typing dots)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/chat/files", self.upload)
        app.router.add_route("OPTIONS", "/chat/files", self.preflight)

    def _cors(self, request: web.Request) -> dict[str, str]:
        origin = request.headers.get("Origin")
        if not origin or not self.origin_allowed(request):
            return {}
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}

    async def preflight(self, request: web.Request) -> web.Response:
        """The browser's CORS preflight for an upload from a website that embeds the widget."""
        headers = self._cors(request)
        if not headers:
            return web.Response(status=403, text="this website may not use the chat")
        headers.update({"Access-Control-Allow-Methods": "POST",
                        "Access-Control-Allow-Headers": "Authorization, Content-Type",
                        "Access-Control-Max-Age": "600"})
        return web.Response(status=204, headers=headers)

    async def upload(self, request: web.Request) -> web.Response:
        """Store the visitor's file and hand it to the intake; answers the file's link."""
        cors = self._cors(request)
        try:
            body = await self._accept(request)
        except UploadRefused as refused:
            return web.json_response({"error": refused.reason}, status=refused.status,
                                     headers=cors)
        return web.json_response(body, headers=cors)

    async def _accept(self, request: web.Request) -> dict[str, Any]:
        context = self.context()
        if not self.origin_allowed(request):
            raise UploadRefused(403, "this website may not use the chat")
        visitor_id = await self._visitor(request, context)
        frame_id = request.query.get("id", "")
        if not _FRAME_ID.match(frame_id):
            raise UploadRefused(400, "an upload needs an id of 1 to 64 letters, digits or -")
        ip = request.remote or "unknown"
        if not await self.limiter.hit(self.visitor_rate, "upload", visitor_id) or \
                not await self.limiter.hit(self.ip_rate, "ip", ip):
            raise UploadRefused(429, "too many messages; please wait a moment")
        limits = upload_limits(self.settings)
        content = await _read_body(request, limits.max_bytes)
        mime = sniffed_type(content)
        if mime not in limits.types:
            raise UploadRefused(415, f"files of type {mime} cannot be sent "
                                     f"(allowed: {', '.join(limits.types)})")
        key = await file_store(self.settings).put(content)
        name = _UNSAFE_NAME.sub("_", request.query.get("name", "")).strip(" .")[:100]
        kind = "photo" if mime.startswith("image/") else "document"
        attachment = Attachment(kind, f"file:{key}", mime, len(content), name=name, file=key)
        lang = request.query.get("lang")
        await context.intake.receive(Inbound(
            channel=CHANNEL, chat_id=visitor_id, user_id=visitor_id,
            message_id=f"{visitor_id}:{frame_id}", text="", attachments=(attachment,),
            kind=kind, language_hint=lang if lang in ("nl", "de", "en") else None))
        await self.after(visitor_id)
        return {"id": frame_id, "file": shown_file(self.settings, context.clock.now(),
                                                   {"file": key, "name": name,
                                                    "mime_type": mime, "size": len(content)})}

    async def _visitor(self, request: web.Request, context: ChannelContext) -> str:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        visitor_id = None
        if scheme.lower() == "bearer" and token.strip():
            visitor_id = await webchat_sessions.visitor_of(context.database, token.strip())
        if visitor_id is None:
            raise UploadRefused(403, "this chat session is not known; reload the page")
        return visitor_id


async def _read_body(request: web.Request, max_bytes: int) -> bytes:
    """The request body, read as it streams in and refused (413) once over `max_bytes`."""
    too_large = UploadRefused(413, f"a file can have at most {max_bytes / 1024 / 1024:g} MB")
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large
    content = bytearray()
    async for chunk in request.content.iter_chunked(CHUNK):
        content += chunk
        if len(content) > max_bytes:
            raise too_large
    if not content:
        raise UploadRefused(400, "the file is empty")
    return bytes(content)
