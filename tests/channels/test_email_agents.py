"""An agent's reply to an e-mail ticket goes out as a mail in the customer's thread, from
the agent by name, and not marked as a robot's mail."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.config import Settings
from bot.conversation import Attachment
from bot.file_stores import file_store
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


async def test_a_file_an_agent_sends_arrives_as_an_attachment(
    database: Database, nlu_service: tuple[str, str], mail: MailServers, tmp_path: Path,
) -> None:
    support, kim = mail.address("support", "example.com"), mail.address("kim")
    settings = Settings(database_url=database.url, nlu_url=nlu_service[0],
                        nlu_token=nlu_service[1], email=email_settings(mail, support),
                        files_dir=tmp_path / "files")
    manual = b"%PDF-1.4\n% the router manual\n"
    async with app_clients() as start:
        client = await start(settings, None)
        mail.put(support, customer_mail(kim, support, "I want to talk to a human",
                                        subject="Router"))
        await mails_of(mail, kim, 1)
        [ticket] = await rows(client.app[DATABASE], select(Ticket))
        key = await file_store(settings).put(manual)
        anna, now = Actor("anna", "Anna de Vries"), datetime.now(UTC)
        await client.app[DESK].claim(ticket.id, anna, now)
        await client.app[DESK].reply(
            ticket.id, anna, "Here is the manual.", now,
            files=(Attachment("document", f"file:{key}", "application/pdf", len(manual),
                              name="router-manual.pdf", file=key),))
        found = await mails_of(mail, kim, 3)
    reply = next(m for m in found if "Here is the manual" in text_of(m))
    [attached] = list(reply.iter_attachments())
    assert attached.get_filename() == "router-manual.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == manual
