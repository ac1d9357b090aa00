"""A customer who chose "answer by e-mail" while waiting for a person gets the agent's
answers by mail (a thread of their own), not in the chat they left."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.storage.database import Database
from bot.storage.models import Message, Ticket
from console.actors import Actor
from console.keys import DESK
from tests.apps import app_clients
from tests.mail.helpers import chat_in_widget, email_settings, mails_of, rows, text_of
from tests.mail.servers import MailServers
from wiring.app import DATABASE

SATURDAY = datetime(2026, 11, 21, 11, 0, tzinfo=UTC)  # closed: the choices come at once


async def test_an_agent_answers_a_customer_who_chose_email_by_mail(
    database: Database, nlu_service: tuple[str, str], mail: MailServers,
) -> None:
    support, lotte = mail.address("support", "example.com"), mail.address("lotte")
    settings = Settings(database_url=database.url, nlu_url=nlu_service[0],
                        nlu_token=nlu_service[1], email=email_settings(mail, support))
    async with app_clients() as start:
        client = await start(settings, FrozenClock(SATURDAY))
        steps = [("Ik wil graag een medewerker spreken", None),
                 ("Per e-mail", "=handoff:email"), (f"mijn adres is {lotte}", None)]
        await chat_in_widget(client.app, "visitor-9", "nl", steps)
        [ticket] = await rows(client.app[DATABASE], select(Ticket))
        assert ticket.details["reply_by"] == "email"
        anna = Actor("anna", "Anna de Vries")
        await client.app[DESK].claim(ticket.id, anna, SATURDAY)
        await client.app[DESK].reply(ticket.id, anna, "Ik bel u maandag even op.", SATURDAY)
        await client.app[DESK].reply(ticket.id, anna, "Of past dinsdag beter?", SATURDAY)
        first, second = await mails_of(mail, lotte, 2)
    assert "maandag" in text_of(first) and "dinsdag" in text_of(second)
    assert ticket.reference in first["Subject"] and "Anna de Vries" in first["From"]
    assert second["In-Reply-To"] == first["Message-ID"]  # one thread per ticket
    chat = await rows(client.app[DATABASE], select(Message.text).where(
        Message.channel == "webchat", Message.sender == "agent"))
    assert chat == []
