"""Where the files customers and agents send are kept: once, by the SHA-256 of their
content, behind one small interface (`FileStore`), so every app replica finds a file any
other one stored. `LocalFileStore` (a folder, the default) is the one implementation so
far; an S3-compatible bucket only has to implement the same four methods.

Also here: the content type of a file by sniffing its bytes (never the sender's word),
and signed, expiring links that let a customer (or Twilio, fetching a `MediaUrl`) read
one file without a console session.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

import filetype

from bot.config import Settings
from bot.conversation import Inbound

log = logging.getLogger(__name__)
MAX_FETCH_BYTES = 20 * 1024 * 1024  # Telegram's own limit for bots; bigger stays a reference
Fetch = Callable[[str], Awaitable[bytes]]

KEY = re.compile(r"^[0-9a-f]{64}$")
GENERIC_TYPE = "application/octet-stream"
# Types a browser may show inline; everything else (SVG and HTML above all) is a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


class FileMissingError(LookupError):
    """No file is stored under this key (never stored, or erased by retention)."""


class FileStore(Protocol):
    """Content-addressed storage: `put` returns the key (SHA-256 hex) of the content."""

    async def put(self, content: bytes) -> str: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...

    async def exists(self, key: str) -> bool: ...


def content_key(content: bytes) -> str:
    """The key a file is stored under: the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(content).hexdigest()


def checked_key(key: str) -> str:
    """`key` if it is a well-formed content key (so it can name no other path)."""
    if not KEY.match(key):
        raise FileMissingError(f"not a file key: {key[:80]!r}")
    return key


class LocalFileStore:
    """Files in a folder, two levels deep by key (`ab/cd/abcd...`); writes are atomic
    (a temporary file renamed into place), so a reader never sees half a file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        key = checked_key(key)
        return self.folder / key[:2] / key[2:4] / key

    async def put(self, content: bytes) -> str:
        key = content_key(content)
        path = self._path(key)
        if not path.exists():
            await asyncio.to_thread(self._write, path, content)
        return key

    @staticmethod
    def _write(path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        temporary.write_bytes(content)
        os.replace(temporary, path)

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            raise FileMissingError(f"no file {key}") from None

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def exists(self, key: str) -> bool:
        return self._path(key).exists()


def sniffed_type(content: bytes) -> str:
    """The content type the bytes show (magic numbers), or the generic binary type."""
    kind = filetype.guess(content)
    return str(kind.mime) if kind is not None else GENERIC_TYPE


def link_signature(secret: str, key: str, expires: int) -> str:
    """The signature of a link to file `key` valid until `expires` (Unix seconds)."""
    message = f"{checked_key(key)}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_path(secret: str, key: str, expires_at: datetime) -> str:
    """The path of an unguessable link to one file that stops working at `expires_at`."""
    expires = int(expires_at.timestamp())
    return f"/files/{key}?expires={expires}&signature={link_signature(secret, key, expires)}"


def link_valid(secret: str, key: str, expires: str, signature: str, now: datetime) -> bool:
    """Whether a link's signature is ours and it has not expired."""
    if not expires.isdigit() or int(expires) < now.timestamp():
        return False
    return hmac.compare_digest(link_signature(secret, key, int(expires)), signature)


def link_secret(settings: Settings) -> str:
    """The secret links are signed with: the configured one, else one for this process."""
    if settings.file_link_secret is not None:
        return settings.file_link_secret.get_secret_value()
    return _process_secret()


@functools.cache
def _process_secret() -> str:
    return secrets.token_hex(32)


async def keep_files(inbound: Inbound, fetch: Fetch, store: FileStore,
                     timeout_s: float) -> Inbound:
    """The message with each attachment's content fetched from the platform and stored;
    its type becomes the sniffed one when the bytes show one. A file that cannot be fetched
    (too big, the platform down) stays a reference, logged: the message is never lost."""
    kept = []
    for attachment in inbound.attachments:
        if attachment.size is not None and attachment.size > MAX_FETCH_BYTES:
            kept.append(attachment)
            continue
        try:
            async with asyncio.timeout(timeout_s):
                content = await fetch(attachment.reference)
            if len(content) > MAX_FETCH_BYTES:
                raise ValueError(f"{len(content)} bytes is more than {MAX_FETCH_BYTES}")
            key = await store.put(content)
        except Exception as error:  # any failure keeps the reference
            log.warning("could not fetch %s %s: %r", inbound.channel, attachment.kind, error,
                        extra={"channel": inbound.channel})
            kept.append(attachment)
            continue
        sniffed = sniffed_type(content)
        mime = attachment.mime_type if sniffed == GENERIC_TYPE else sniffed
        kept.append(replace(attachment, file=key, mime_type=mime or GENERIC_TYPE,
                            size=len(content)))
    return replace(inbound, attachments=tuple(kept))
