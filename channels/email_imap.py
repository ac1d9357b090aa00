"""The support mailbox over IMAP (aioimaplib): connect with TLS, STARTTLS or in the clear,
find unseen mails, fetch them without marking them seen, mark them seen, and wait for
new mail with IDLE where the server has it."""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
from typing import Any

from aioimaplib import aioimaplib

from bot.channel import ChannelStartError
from bot.config import EmailSettings

TIMEOUT_S = 30.0
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The IMAP server refused a command; the reader reconnects and tries again."""


def _ok(response: Any, what: str) -> Any:
    if response.result != "OK":
        lines = b" ".join(bytes(line) for line in response.lines)[:300]
        raise MailboxError(f"IMAP {what} failed: {response.result} {lines!r}")
    return response


def tls_context(settings: EmailSettings) -> ssl.SSLContext:
    """Certificates checked against the system's CAs, or the configured CA bundle."""
    cafile = str(settings.tls_ca_file) if settings.tls_ca_file else None
    return ssl.create_default_context(cafile=cafile)


class Mailbox:
    """One logged-in IMAP session on the configured mailbox."""

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings
        self.client: Any = None

    async def open(self) -> None:
        settings = self.settings
        host = settings.imap_host or ""
        if settings.imap_security == "ssl":
            self.client = aioimaplib.IMAP4_SSL(host, settings.imap_port, timeout=TIMEOUT_S,
                                               ssl_context=tls_context(settings))
        else:
            self.client = aioimaplib.IMAP4(host, settings.imap_port, timeout=TIMEOUT_S)
        await self.client.wait_hello_from_server()
        if settings.imap_security == "starttls":
            await self._starttls(host)
        login = await self.client.login(settings.imap_user,
                                        settings.imap_password.get_secret_value())
        if login.result != "OK":
            raise ChannelStartError("the IMAP server refused the login; check "
                                    "SUPPORTBOT_EMAIL_IMAP_USER and _IMAP_PASSWORD")
        _ok(await self.client.select(settings.mailbox), f"SELECT {settings.mailbox}")

    async def _starttls(self, host: str) -> None:
        """Upgrade the plain connection (aioimaplib has no STARTTLS of its own)."""
        protocol = self.client.protocol
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        _ok(await asyncio.wait_for(protocol.execute(command), TIMEOUT_S), "STARTTLS")
        loop = asyncio.get_running_loop()
        protocol.transport = await loop.start_tls(
            protocol.transport, protocol, tls_context(self.settings), server_hostname=host)
        await protocol.capability()

    async def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.client.logout(), 5)
            self.client = None

    async def unseen(self) -> list[str]:
        """The UIDs of the mails not yet marked seen, oldest first."""
        response = _ok(await self.client.uid_search("UNSEEN"), "SEARCH UNSEEN")
        found: list[str] = []
        for line in response.lines:
            text = bytes(line).decode(errors="replace")
            if text and all(part.isdigit() for part in text.split()):
                found += text.split()
        return sorted(found, key=int)

    async def fetch(self, uid: str) -> tuple[bytes, bool]:
        """The mail (without marking it seen); only its header when it is too large,
        then the second value is True."""
        sized = _ok(await self.client.uid("fetch", uid, "(RFC822.SIZE)"), "FETCH SIZE")
        size = next((int(m.group(1)) for line in sized.lines
                     if (m := SIZE.search(bytes(line)))), 0)
        truncated = size > self.settings.max_mail_bytes
        part = "BODY.PEEK[HEADER]" if truncated else "BODY.PEEK[]"
        response = _ok(await self.client.uid("fetch", uid, f"({part})"), "FETCH")
        literals = [bytes(line) for line in response.lines if isinstance(line, bytearray)]
        if not literals:
            raise MailboxError(f"IMAP FETCH of {uid} returned no message")
        return literals[0], truncated

    async def mark_seen(self, uid: str) -> None:
        _ok(await self.client.uid("store", uid, "+FLAGS", "(\\Seen)"), "STORE \\Seen")

    @property
    def has_idle(self) -> bool:
        return bool(self.client.has_capability("IDLE"))

    async def wait_for_mail(self) -> None:
        """Return when the server reports a change (IDLE) or after the renew time; servers
        without IDLE are polled every `poll_interval_s`."""
        if not self.has_idle:
            await asyncio.sleep(self.settings.poll_interval_s)
            return
        renew = self.settings.idle_renew_s
        idle = await self.client.idle_start(timeout=renew)
        try:
            await self.client.wait_server_push(timeout=renew + TIMEOUT_S)
        finally:
            self.client.idle_done()
            await asyncio.wait_for(idle, TIMEOUT_S)
