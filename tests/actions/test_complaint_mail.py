"""A complaint made on another channel with "reply by e-mail" is acknowledged in writing at
once: a mail to the address the customer gave, with the reference and the 14-day promise,
through the e-mail channel on real mail servers; the customer's answer continues it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.models import Message, Ticket
from console.actors import Actor
from console.keys import DESK
from tests.apps import Client, app_clients
from tests.mail.helpers import (
    chat_in_widget,
    customer_mail,
    email_settings,
    eventually,
    mails_of,
    rows,
    text_of,
)
from tests.mail.servers import MailServers
from wiring.app import DATABASE


@pytest.fixture
async def client(database: Database, nlu_service: tuple[str, str],
                 mail: MailServers) -> AsyncIterator[tuple[Client, str]]:
    url, token = nlu_service
    support = mail.address("support", "example.com")
    settings = Settings(database_url=database.url, nlu_url=url, nlu_token=token,
                        email=email_settings(mail, support))
    async with app_clients() as start:
        yield await start(settings, None), support


async def test_a_complaint_in_the_chat_with_reply_by_email_gets_its_acknowledgement_mail(
    client: tuple[Client, str], mail: MailServers,
) -> None:
    app, support = client
    jane = mail.address("jane")
    steps = [("I want to file a formal complaint", None),
             ("The engineer never showed up for the appointment twice", None),
             ("By e-mail", "=email"), (jane, None), ("Yes", "/affirm")]
    await chat_in_widget(app.app, "visitor-1", "en", steps)
    [ticket] = await rows(app.app[DATABASE], select(Ticket))
    [ack] = await mails_of(mail, jane, 1)
    body = text_of(ack)
    assert ticket.reference in ack["Subject"] and ticket.reference in body
    assert "14 days" in body and "never showed up" in body
    assert ack["Auto-Submitted"] == "auto-generated" and ack["In-Reply-To"] is None
    answer = customer_mail(jane, support, "Thank you, I can be reached all week.",
                           subject="Re: " + ack["Subject"], In_Reply_To=ack["Message-ID"],
                           References=ack["Message-ID"])
    mail.put(support, answer)

    async def both_stored() -> list[int] | None:
        found = await rows(app.app[DATABASE], select(Message.conversation_id).where(
            Message.channel == "email"))
        return found if len(found) >= 2 else None  # the acknowledgement and the answer
    conversations = await eventually(both_stored)
    assert len(set(conversations)) == 1  # the answer joined the acknowledgement's thread


async def test_the_agents_answer_to_that_complaint_goes_by_mail_in_the_same_thread(
    client: tuple[Client, str], mail: MailServers,
) -> None:
    app, _ = client
    piet = mail.address("piet")
    steps = [("I want to file a formal complaint", None),
             ("Your technician damaged our server rack during the visit", None),
             ("By e-mail", "=email"), (piet, None), ("Yes", "/affirm")]
    await chat_in_widget(app.app, "visitor-2", "en", steps)
    [ticket] = await rows(app.app[DATABASE], select(Ticket))
    [ack] = await mails_of(mail, piet, 1)
    anna, now = Actor("anna", "Anna de Vries"), datetime.now(UTC)
    await app.app[DESK].claim(ticket.id, anna, now)
    await app.app[DESK].reply(ticket.id, anna, "We will replace the damaged rack panel.", now)
    found = await mails_of(mail, piet, 2)
    answer = next(m for m in found if "rack panel" in text_of(m))
    assert "Anna de Vries" in answer["From"] and answer["Auto-Submitted"] is None
    assert answer["In-Reply-To"] == ack["Message-ID"]  # the acknowledgement's thread
    chat = await rows(app.app[DATABASE], select(Message.text).where(
        Message.channel == "webchat", Message.sender == "agent"))
    assert chat == []  # not sent to the chat as well
