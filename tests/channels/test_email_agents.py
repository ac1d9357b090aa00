"""An agent's reply to an e-mail ticket goes out as a mail in the customer's thread, from
the agent by name, and not marked as a robot's mail."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.models import Ticket
from console.actors import Actor
from console.keys import DESK
from tests.apps import app_clients
from tests.mail.helpers import customer_mail, email_settings, mails_of, rows, text_of
from tests.mail.servers import MailServers
from wiring.app import DATABASE


async def test_an_agent_reply_arrives_in_the_customers_thread(
    database: Database, nlu_service: tuple[str, str], mail: MailServers,
) -> None:
    support, jan = mail.address("support", "example.com"), mail.address("jan")
    settings = Settings(database_url=database.url, nlu_url=nlu_service[0],
                        nlu_token=nlu_service[1], email=email_settings(mail, support))
    async with app_clients() as start:
        client = await start(settings, None)
        question = customer_mail(jan, support, "I want to talk to a human", subject="Printer")
        mail.put(support, question)
        await mails_of(mail, jan, 1)
        [ticket] = await rows(client.app[DATABASE], select(Ticket))
        anna, now = Actor("anna", "Anna de Vries"), datetime.now(UTC)
        await client.app[DESK].claim(ticket.id, anna, now)
        await client.app[DESK].reply(ticket.id, anna, "Hello Jan, which printer model is it?",
                                     now)
        found = await mails_of(mail, jan, 3)  # the handoff, "Anna joined", Anna's reply
    reply = next(m for m in found if "which printer model" in text_of(m))
    assert "Anna de Vries" in reply["From"] and reply["Auto-Submitted"] is None
    assert reply["In-Reply-To"] == question["Message-ID"]
    assert reply["Subject"] == f"Re: Printer [{ticket.reference}]"
