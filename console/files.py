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

import filetype
from aiohttp import web

from bot.app_keys import CLOCK, SETTINGS
from bot.files import (
    GENERIC_TYPE,
    INLINE_TYPES,
    FileMissingError,
    checked_key,
    file_store,
    link_secret,
    link_valid,
    sniffed_type,
)

_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


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


def add_routes(app: web.Application) -> None:
    app.router.add_get("/console/api/files/{key}", agent_file)
    app.router.add_get("/files/{key}", linked_file)
