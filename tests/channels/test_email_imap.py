"""The mailbox session: IDLE where the server has it (the other e-mail tests), polling
where it does not, and a refused login that leaves the rest of the app running."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.storage.database import Database
from channels.email_imap import Mailbox
from tests.apps import Client, app_clients
from tests.mail.helpers import customer_mail, email_settings, mails_of, text_of
from tests.mail.servers import MailServers


def _settings(database: Database, nlu: tuple[str, str], mail: MailServers,
              support: str) -> Settings:
    return Settings(database_url=database.url, nlu_url=nlu[0], nlu_token=nlu[1],
                    email=email_settings(mail, support))


async def test_a_server_without_idle_is_polled(
    database: Database, nlu_service: tuple[str, str], mail: MailServers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Mailbox, "has_idle", property(lambda self: False))
    support, jan = mail.address("support", "example.com"), mail.address("jan")
    async with app_clients() as start:
        await start(_settings(database, nlu_service, mail, support), None)
        mail.put(support, customer_mail(jan, support, "Wie viel kostet eine Stunde Support?"))
        [answer] = await mails_of(mail, jan, 1)
    assert "95" in text_of(answer)


async def test_a_refused_login_keeps_the_app_up_and_the_mail_unread(
    database: Database, nlu_service: tuple[str, str], mail: MailServers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    support = mail.address("support", "example.com")
    settings = _settings(database, nlu_service, mail, support)
    wrong = settings.model_copy(update={"email": settings.email.model_copy(
        update={"imap_password": SecretStr("wrong")})})
    async with app_clients() as start:
        client: Client = await start(wrong, None)
        mail.put(support, customer_mail(mail.address("jan"), support, "Hello?"))
        assert (await client.get("/healthz")).status == 200
        for _ in range(50):
            if "refused the login" in caplog.text:
                break
            await asyncio.sleep(0.1)
    assert "_IMAP_PASSWORD" in caplog.text
    assert "wrong" not in caplog.text
    [(_, flags)] = mail.messages(support)
    assert "\\Seen" not in flags
