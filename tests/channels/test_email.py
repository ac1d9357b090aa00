"""E-mail end to end with real mail servers (Dovecot behind aiosmtpd): customers' mails
arrive in the support mailbox, the app reads them over IMAP and its answers are delivered
to the customers' mailboxes over SMTP, with the real NLU model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.models import Conversation, Customer, Message, OutboxItem, Ticket
from channels.email import EmailChannel
from console import transcript
from tests.apps import Client, app_clients
from tests.mail.helpers import (
    all_seen,
    customer_mail,
    email_settings,
    eventually,
    mails_of,
    rows,
    text_of,
)
from tests.mail.servers import MailServers
from wiring.app import DATABASE, SERVICES

Start = Callable[[Settings], Awaitable[Client]]


@pytest.fixture
def support(mail: MailServers) -> str:
    return mail.address("support", "example.com")


@pytest.fixture
def settings(database: Database, nlu_service: tuple[str, str], mail: MailServers,
             support: str) -> Settings:
    url, token = nlu_service
    return Settings(
        database_url=database.url, nlu_url=url, nlu_token=token,
        email=email_settings(mail, support))


@pytest.fixture
async def start() -> AsyncIterator[Start]:
    async with app_clients() as starter:
        async def start_app(settings: Settings) -> Client:
            return await starter(settings, None)
        yield start_app


async def test_a_customer_mail_is_answered_by_one_reply_mail_in_the_same_thread(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    await start(settings)
    jan = mail.address("jan")
    question = customer_mail(jan, support, "Wie viel kostet eine Stunde Support?",
                             subject="Kosten")
    mail.put(support, question)
    [answer] = await mails_of(mail, jan, 1)
    assert "95" in text_of(answer)
    assert answer["In-Reply-To"] == question["Message-ID"]
    assert question["Message-ID"] in answer["References"]
    assert answer["Auto-Submitted"] == "auto-replied"
    assert answer["Subject"].startswith("Re: Kosten") and support in answer["From"]
    assert answer.get_body(preferencelist=("html",)) is not None
    await all_seen(mail, support, 1)
    await asyncio.sleep(1.5)  # one mail per inbound mail, however many replies the turn had
    assert len(await asyncio.to_thread(mail.messages, jan)) == 1


async def test_a_reply_continues_the_thread_and_a_forged_reference_starts_its_own(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    client = await start(settings)
    database = client.app[DATABASE]
    jan, eve = mail.address("jan"), mail.address("eve")
    mail.put(support, customer_mail(jan, support, "What does an hour of support cost?"))
    [answer] = await mails_of(mail, jan, 1)
    follow_up = customer_mail(jan, support, "And on Saturdays, when are you open?",
                              subject="Re: Question", In_Reply_To=answer["Message-ID"],
                              References=answer["References"] + " " + answer["Message-ID"])
    mail.put(support, follow_up)
    # Eve quotes Jan's thread but writes from her own address: a thread of her own.
    mail.put(support, customer_mail(eve, support, "What does an hour of support cost?",
                                    In_Reply_To=answer["Message-ID"]))
    await mails_of(mail, jan, 2)
    [to_eve] = await mails_of(mail, eve, 1)
    assert to_eve["In-Reply-To"] != answer["Message-ID"]
    conversations = await rows(database, select(Conversation.external_chat_id)
                               .join(Customer).where(Customer.external_id == jan))
    eve_chats = await rows(database, select(Conversation.external_chat_id)
                           .join(Customer).where(Customer.external_id == eve))
    assert len(conversations) == 1 and len(eve_chats) == 1
    assert eve_chats != conversations
    second = (await mails_of(mail, jan, 2))[1]
    assert second["In-Reply-To"] == follow_up["Message-ID"]


async def _ticket_thread(client: Client, mail: MailServers, support: str,
                         jan: str) -> tuple[str, int]:
    """Jan asks for a person: his first mail's Message-ID and the ticket's number."""
    first = customer_mail(jan, support, "I want to talk to a human", subject="Printer")
    mail.put(support, first)
    [answer] = await mails_of(mail, jan, 1)
    token = answer["Subject"].rsplit("[", 1)[-1].rstrip("]")
    assert token.startswith("T-"), answer["Subject"]
    return first["Message-ID"], int(token[2:])


async def test_a_forged_from_with_a_ticket_token_does_not_reach_the_ticket_or_the_forger(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    """Mallory writes as Jan, with Jan's ticket token but no reference to his thread and
    nothing that vouches for the sender: a new conversation, and its answer goes to Jan's
    own mailbox, never to Mallory's Reply-To."""
    client = await start(settings)
    jan, mallory = mail.address("jan"), mail.address("mallory")
    first, ticket = await _ticket_thread(client, mail, support, jan)
    forged = customer_mail(jan, support, "What does an hour of support cost?",
                           subject=f"Question [T-{ticket}]", Reply_To=mallory)
    mail.put(support, forged)
    await mails_of(mail, jan, 2)
    assert await asyncio.to_thread(mail.messages, mallory) == []
    conversations = await rows(client.app[DATABASE], select(Message.conversation_id)
                               .where(Message.channel_message_id.in_(
                                   [forged["Message-ID"], first])))
    assert len(set(conversations)) == 2


async def test_a_mail_handed_to_a_person_gets_the_two_hour_email_answer_target(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    client = await start(settings)
    await _ticket_thread(client, mail, support, mail.address("jan"))
    [ticket] = await rows(client.app[DATABASE], select(Ticket))
    calendar = client.app[SERVICES].desk.calendar
    assert ticket.first_response_due == calendar.add_working_time(ticket.created_at,
                                                                  timedelta(hours=2))


async def test_a_mail_the_bot_cannot_answer_with_confidence_goes_to_a_person_at_once(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    client = await start(settings)
    jan = mail.address("jan")
    mail.put(support, customer_mail(jan, support, "Xylophone purple monkey dishwasher galaxy"))
    [answer] = await mails_of(mail, jan, 1)
    [ticket] = await rows(client.app[DATABASE], select(Ticket))
    assert ticket.kind == "handoff" and f"[{ticket.reference}]" in answer["Subject"]
    assert "2 working hours" in text_of(answer)


async def test_a_ticket_token_from_an_authenticated_sender_joins_the_ticket_thread(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    client = await start(settings)
    jan = mail.address("jan")
    first, ticket = await _ticket_thread(client, mail, support, jan)
    domain = jan.split("@")[1]
    later = customer_mail(jan, support, "Is there any news?",
                          subject=f"Printer [T-{ticket}]",
                          Authentication_Results=f"mx.example.com; dkim=pass "
                          f"header.d={domain}; dmarc=pass (p=reject) header.from={domain}")
    mail.put(support, later)
    await all_seen(mail, support, 2)
    conversations = await eventually(lambda: rows(
        client.app[DATABASE], select(Message.conversation_id).where(
            Message.channel_message_id.in_([later["Message-ID"], first]))))
    assert len(conversations) == 2 and len(set(conversations)) == 1


async def test_auto_replies_lists_bulk_and_our_own_mails_get_no_answer(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    client = await start(settings)
    jan = mail.address("jan")
    for headers in ({"Auto_Submitted": "auto-replied"}, {"X_Autoreply": "yes"},
                    {"Precedence": "bulk"}, {"List_Id": "<news.example.org>"}):
        mail.put(support, customer_mail(jan, support, "I am out of office", **headers))
    mail.put(support, customer_mail(support, support, "What does support cost?"))
    await all_seen(mail, support, 5)
    await asyncio.sleep(1.0)
    assert await rows(client.app[DATABASE], select(Message.id)) == []
    assert await asyncio.to_thread(mail.messages, jan) == []


async def test_a_bounce_marks_the_reply_failed_with_the_reason(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    client = await start(settings)
    mail.put(support, customer_mail("kim@nowhere.invalid", support,
                                    "What does an hour of support cost?"))

    async def failed() -> list[str]:
        return [row for row in await rows(client.app[DATABASE], select(
            OutboxItem.last_error).where(OutboxItem.status == "failed")) if row]
    [reason] = await eventually(failed)
    assert "bounced" in reason and "5.1.2" in reason
    await all_seen(mail, support, 2)  # the question and the bounce, neither answered


async def test_a_20_mb_attachment_is_refused_with_a_message_and_the_mail_still_answered(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    client = await start(settings)
    jan = mail.address("jan")
    question = customer_mail(jan, support, "What does an hour of support cost?")
    question.add_attachment(b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024),
                            maintype="application", subtype="pdf", filename="invoice.pdf")
    mail.put(support, question)
    [answer] = await mails_of(mail, jan, 1, )
    assert "95" in text_of(answer) and "MB" in text_of(answer)
    [payload] = await rows(client.app[DATABASE], select(Message.payload)
                           .where(Message.direction == "in"))
    assert payload["refused_attachments"][0]["size"] > 20 * 1024 * 1024


async def test_an_html_only_mail_is_read_as_text(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    client = await start(settings)
    jan = mail.address("jan")
    question = customer_mail(jan, support, "")
    question.set_content("<html><body><p>Wie viel kostet eine <b>Stunde</b> Support?</p>"
                         "<blockquote>Old answer</blockquote></body></html>", subtype="html")
    mail.put(support, question)
    [answer] = await mails_of(mail, jan, 1)
    assert "95" in text_of(answer)
    [text] = await rows(client.app[DATABASE], select(Message.text)
                        .where(Message.direction == "in"))
    assert text == "Wie viel kostet eine Stunde Support?"


async def test_a_restart_between_storing_and_marking_seen_loses_and_doubles_nothing(
    settings: Settings, mail: MailServers, support: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    jan = mail.address("jan")

    async def killed(self: EmailChannel, mailbox: Any, uid: str) -> None:
        raise RuntimeError("killed after storing, before marking seen")

    async with app_clients() as start:
        with monkeypatch.context() as patch:
            patch.setattr(EmailChannel, "mark_seen", killed)
            client = await start(settings, None)
            mail.put(support, customer_mail(jan, support,
                                            "What does an hour of support cost?"))
            await eventually(lambda: rows(client.app[DATABASE], select(Message.id)
                                          .where(Message.direction == "in")))
            await client.close()
        assert "\\Seen" not in (await asyncio.to_thread(mail.messages, support))[0][1]
        client = await start(settings, None)
        await all_seen(mail, support, 1)
        await mails_of(mail, jan, 1)
        await asyncio.sleep(1.5)
        assert len(await rows(client.app[DATABASE], select(Message.id)
                              .where(Message.direction == "in"))) == 1
        assert len(await asyncio.to_thread(mail.messages, jan)) == 1


async def test_no_more_bot_mails_to_one_address_than_the_hourly_limit(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    limited = settings.model_copy(update={"email": settings.email.model_copy(
        update={"max_bot_mails_per_hour": 1})})
    client = await start(limited)
    jan = mail.address("jan")
    mail.put(support, customer_mail(jan, support, "What does an hour of support cost?"))
    await mails_of(mail, jan, 1)
    mail.put(support, customer_mail(jan, support, "When are you open on Saturday?",
                                    subject="Other question"))

    async def refused() -> list[str]:
        return [row for row in await rows(client.app[DATABASE], select(
            OutboxItem.last_error).where(OutboxItem.status == "failed")) if row]
    [reason] = await eventually(refused)
    assert "in the last hour" in reason
    assert len(await asyncio.to_thread(mail.messages, jan)) == 1




@pytest.mark.parametrize(("imap", "smtp"), [("ssl", "starttls"), ("starttls", "ssl")])
async def test_mail_is_read_and_answered_over_tls_and_starttls(
    settings: Settings, start: Start, mail: MailServers, support: str, imap: str, smtp: str,
) -> None:
    secure = settings.model_copy(update={"email": settings.email.model_copy(update={
        "imap_security": imap, "smtp_security": smtp, "tls_ca_file": mail.ca_file,
        "imap_port": mail.imaps_port if imap == "ssl" else mail.imap_port,
        "smtp_port": mail.smtps_port if smtp == "ssl" else mail.smtp_port})})
    await start(secure)
    jan = mail.address("jan")
    mail.put(support, customer_mail(jan, support, "Wie viel kostet eine Stunde Support?"))
    [answer] = await mails_of(mail, jan, 1)
    assert "95" in text_of(answer)


async def test_a_bounce_on_a_ticket_is_shown_to_agents_with_the_reason(
    settings: Settings, start: Start, mail: MailServers, support: str,
) -> None:
    client = await start(settings)
    mail.put(support, customer_mail("lena@nowhere.invalid", support,
                                    "Please let a person look at my broken laptop",
                                    subject="Laptop"))

    async def ticket_with_failure() -> dict[str, Any] | None:
        tickets = await rows(client.app[DATABASE], select(Ticket.id))
        if not tickets:
            return None
        view = await transcript.ticket_view(client.app[DATABASE], tickets[0])
        assert view is not None
        shown = transcript.as_json(view)
        return shown if any(m["failed"] for m in shown["messages"]) else None

    shown = await eventually(ticket_with_failure)
    [bounced] = [m for m in shown["messages"] if m["failed"]]
    assert bounced["sender"] == "bot" and "bounced" in bounced["failed"]
    [question] = [m for m in shown["messages"] if m["sender"] == "customer"]
    assert "broken laptop" in question["original"]
