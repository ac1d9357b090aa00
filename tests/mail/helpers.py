"""Helpers of the e-mail tests: customers' mails, waiting for mailboxes and rows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from aiohttp import web

from bot.config import EmailSettings
from bot.conversation import Inbound
from bot.storage.database import Database
from tests.mail.servers import PASSWORD, MailServers
from wiring.app import INTAKE


def email_settings(mail: MailServers, support: str) -> EmailSettings:
    """The channel on the test mail servers, reading `support`'s mailbox."""
    return EmailSettings(
        imap_host="127.0.0.1", imap_port=mail.imap_port, imap_user=support,
        imap_password=PASSWORD, imap_security="none", smtp_host="127.0.0.1",
        smtp_port=mail.smtp_port, smtp_security="none", from_address=support,
        poll_interval_s=0.5, idle_renew_s=10)


def customer_mail(sender: str, to: str, text: str, subject: str = "Question",
                  **headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(text)
    return mail


async def eventually(check: Callable[[], Awaitable[Any]], within_s: float = 30.0) -> Any:
    """Wait until `check()` returns something true; returns it."""
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            assert result, "the expected state was not reached in time"
            return result
        await asyncio.sleep(0.2)


async def mails_of(mail: MailServers, user: str, count: int) -> list[EmailMessage]:
    async def found() -> list[EmailMessage] | None:
        messages = await asyncio.to_thread(mail.messages, user)
        return [m for m, _ in messages] if len(messages) >= count else None  # type: ignore[misc]
    return list(await eventually(found))


async def all_seen(mail: MailServers, user: str, count: int) -> None:
    async def seen() -> bool:
        messages = await asyncio.to_thread(mail.messages, user)
        return len(messages) == count and all("\\Seen" in flags for _, flags in messages)
    await eventually(seen)


async def rows(database: Database, query: Any) -> list[Any]:
    async with database.sessions() as session:
        return list((await session.execute(query)).scalars())


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


async def chat_in_widget(app: web.Application, visitor: str, lang: str,
                         steps: list[tuple[str, str | None]]) -> None:
    """A web-chat customer's lines (text, button payload), each answered before the next."""
    for number, (text, button) in enumerate(steps):
        await app[INTAKE].receive(Inbound(
            channel="webchat", chat_id=visitor, user_id=visitor,
            message_id=f"{visitor}-{number}", text=text, payload=button, language_hint=lang))
        await app[INTAKE].drain()
