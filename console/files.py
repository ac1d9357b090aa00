"""Serving stored attachments: to agents under `/console/api/files/{key}` (the console's
middleware demands a session there) and to anyone holding a signed, expiring link under
`/files/{key}` (customers, and Twilio fetching the `MediaUrl` of an agent's file).

The content type is sniffed from the bytes, never taken from the sender. Only common
raster images are shown inline; everything else, SVG and HTML above all, is a download
(`Content-Disposition: attachment`) in a sandbox, and nothing may be sniffed into
something else (`X-Content-Type-Options: nosniff`).
"""

from __future__ import annotations

import re
from typing import Any

import filetype
from aiohttp import web

from bot.app_keys import CLOCK, SETTINGS
from bot.config import AttachmentLimits, Settings
from bot.conversation import Attachment
from bot.file_stores import file_store
from bot.files import (
    GENERIC_TYPE,
    INLINE_TYPES,
    FileMissingError,
    checked_key,
    link_secret,
    link_valid,
    sniffed_type,
)
from console.actors import DeskError

_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")
MAX_REPLY_FILES = 5


def file_response(key: str, content: bytes, name: str = "") -> web.Response:
    """The file as an HTTP response with the headers that keep a browser safe."""
    mime = sniffed_type(content)
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"}
    if mime not in INLINE_TYPES:
        headers["Content-Disposition"] = f'attachment; filename="{_file_name(key, mime, name)}"'
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return web.Response(body=content, content_type=mime, headers=headers)


def _file_name(key: str, mime: str, name: str) -> str:
    """The customer's file name made safe for a header, or one made from the key."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip(" .")[:100]
    if cleaned:
        return cleaned
    extension = filetype.get_type(mime=mime).extension if mime != GENERIC_TYPE and \
        filetype.get_type(mime=mime) else "bin"
    return f"{key[:16]}.{extension}"


async def _read(request: web.Request) -> bytes:
    try:
        key = checked_key(request.match_info["key"])
        return await file_store(request.app[SETTINGS]).get(key)
    except FileMissingError:
        raise web.HTTPNotFound(text="no such file") from None


async def agent_file(request: web.Request) -> web.Response:
    """`GET /console/api/files/{key}`: a stored file, for a signed-in agent."""
    content = await _read(request)
    return file_response(request.match_info["key"], content, request.query.get("name", ""))


async def linked_file(request: web.Request) -> web.Response:
    """`GET /files/{key}?expires=...&signature=...`: a file behind a signed link."""
    key = request.match_info["key"]
    query = request.query
    try:
        valid = link_valid(link_secret(request.app[SETTINGS]), key, query.get("expires", ""),
                           query.get("signature", ""), request.app[CLOCK].now())
    except FileMissingError:
        valid = False
    if not valid:
        raise web.HTTPForbidden(text="this link is not valid or has expired")
    return file_response(key, await _read(request), query.get("name", ""))


def upload_limits(settings: Settings) -> tuple[int, list[str]]:
    """What an agent may upload (the largest size and every type any channel accepts), so
    that the page shows the same limits the upload enforces."""
    limits = list(settings.attachment_limits.values()) or [AttachmentLimits()]
    types = sorted({kind for limit in limits for kind in limit.types})
    return max(limit.max_bytes for limit in limits), types


async def upload(request: web.Request) -> web.Response:
    """`POST /console/api/files?name=...`: an agent's file (the raw body, not a form, so
    the app's small body limit does not apply), within the attachment limits; answers
    what a reply's `files` takes: `{"file", "name", "mime_type", "size"}`."""
    settings = request.app[SETTINGS]
    max_bytes, allowed = upload_limits(settings)
    content = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        content += chunk
        if len(content) > max_bytes:
            raise web.HTTPRequestEntityTooLarge(
                max_size=max_bytes, actual_size=len(content),
                text=f"a file can have at most {max_bytes / 1024 / 1024:g} MB")
    if not content:
        raise web.HTTPBadRequest(text="the file is empty")
    mime = sniffed_type(bytes(content))
    if mime not in allowed:
        raise web.HTTPUnsupportedMediaType(
            text=f"files of type {mime} cannot be sent (allowed: {', '.join(allowed)})")
    key = await file_store(settings).put(bytes(content))
    name = _UNSAFE_NAME.sub("_", request.query.get("name", "")).strip(" .")[:100]
    return web.json_response({"file": key, "name": name, "mime_type": mime,
                              "size": len(content)})


async def agent_files(request: web.Request, given: Any) -> tuple[Attachment, ...]:
    """The stored files a reply names (`[{"file": key, "name": ...}]`), checked to exist;
    a DeskError (400) names what is wrong."""
    if not given:
        return ()
    if not isinstance(given, list) or len(given) > MAX_REPLY_FILES or \
            not all(isinstance(item, dict) for item in given):
        raise DeskError(f"files must be a list of at most {MAX_REPLY_FILES} uploaded files",
                        status=400)
    store = file_store(request.app[SETTINGS])
    files = []
    for item in given:
        try:
            content = await store.get(checked_key(str(item.get("file", ""))))
        except FileMissingError:
            raise DeskError("a file of this reply was not uploaded", status=400) from None
        mime = sniffed_type(content)
        kind = "photo" if mime in INLINE_TYPES else "document"
        name = _UNSAFE_NAME.sub("_", str(item.get("name") or "")).strip(" .")[:100]
        files.append(Attachment(kind, f"file:{item['file']}", mime, len(content), name=name,
                                file=str(item["file"])))
    return tuple(files)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/console/api/files/{key}", agent_file)
    app.router.add_post("/console/api/files", upload)
    app.router.add_get("/files/{key}", linked_file)
