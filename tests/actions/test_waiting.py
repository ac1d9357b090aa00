"""The customer's side of a handoff with the real engine and model: cancel, queue position,
the timeout offer and its choices, out-of-hours alternatives, a new conversation after the
idle window, attachment limits, and a satisfaction survey that expires."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock, parse_instant
from bot.conversation import Attachment
from bot.handoff_timeouts import HandoffTimeouts
from bot.intake import Intake
from bot.storage.database import Database
from bot.storage.models import Conversation, Message, OutboxItem, Ticket
from bot.turn import Services
from console.actors import Actor
from console.desk import Desk
from tests.conversation import Customer, text_of

SATURDAY = "2026-11-28T11:00:00Z"


async def _ticket(database: Database) -> Ticket:
    async with database.sessions() as session:
        return (await session.execute(select(Ticket).order_by(Ticket.id.desc()))).scalars().first()


async def test_customer_cancels_a_handoff_and_is_back_with_the_bot(
    customer: Customer, database: Database,
) -> None:
    assert "T-" in text_of(await customer.says("ik wil graag een medewerker spreken"))
    cancelled = await customer.says("laat maar")
    assert "geannuleerd" in text_of(cancelled)
    assert (await _ticket(database)).status == "cancelled"
    hours = await customer.says("tot hoe laat zijn jullie vandaag open?")
    assert "22:00" in text_of(hours)


async def test_waiting_customer_hears_the_queue_position_at_most_every_two_minutes(
    intake: Intake, clock: FrozenClock, database: Database,
) -> None:
    first, second = Customer(intake, clock, user="a"), Customer(intake, clock, user="b")
    await first.says("I want to speak to a human please")
    await second.says("can I talk to a real person?")
    assert "number 2 in the queue" in text_of(await second.says("hello? anyone there?"))
    assert (await second.says("still waiting")).replies == ()
    clock.advance(timedelta(minutes=3))
    assert "number 2" in text_of(await second.says("hello??"))


async def test_the_queue_position_counts_only_other_customers(
    intake: Intake, clock: FrozenClock, database: Database,
) -> None:
    customer = Customer(intake, clock, user="solo")
    await customer.says("I want to speak to a human please")
    async with database.transaction() as session:  # an older ticket of the same customer
        handoff = (await session.execute(select(Ticket))).scalar_one()
        session.add(Ticket(kind="complaint", status="open", customer_id=handoff.customer_id,
                           subject="Complaint", team=handoff.team, details={},
                           created_at=handoff.created_at - timedelta(days=1)))
    assert "number 1 in the queue" in text_of(await customer.says("hello? anyone there?"))


async def test_queue_timeout_offers_alternatives_and_a_callback_can_be_chosen(
    customer: Customer, clock: FrozenClock, database: Database, services: Services,
) -> None:
    await customer.says("connect me with an agent please")
    timeouts = HandoffTimeouts(database, services.catalogue)
    assert await timeouts.run(clock.now() + timedelta(minutes=1)) == 0
    assert await timeouts.run(clock.now() + timedelta(minutes=6)) == 1
    assert await timeouts.run(clock.now() + timedelta(minutes=7)) == 0  # once per ticket
    async with database.sessions() as session:
        offer = (await session.execute(select(OutboxItem).order_by(OutboxItem.id.desc()))
                 ).scalars().first()
    assert offer is not None and "keep waiting" in offer.payload["text"]
    assert [b["payload"] for b in offer.payload["buttons"]] == \
        ["=handoff:wait", "/request_callback", "=handoff:email"]
    callback = await customer.says("2")  # text channels answer with the number
    assert "phone" in text_of(callback).lower() or "number" in text_of(callback).lower()
    assert (await _ticket(database)).status == "cancelled"


async def test_out_of_hours_the_alternatives_come_with_the_handoff_and_email_works(
    intake: Intake, clock: FrozenClock, database: Database,
) -> None:
    clock.advance(parse_instant(SATURDAY) - clock.now())
    customer = Customer(intake, clock)
    handoff = await customer.says("Ich möchte bitte mit einem Mitarbeiter sprechen")
    assert len(handoff.replies) == 1  # one message for the situation
    assert "+31 20 555 0199" in handoff.replies[0].text  # the emergency line
    assert [b.payload for b in handoff.replies[0].buttons] == \
        ["=handoff:wait", "/request_callback", "=handoff:email"]
    assert "E-Mail-Adresse" in text_of(await customer.presses("=handoff:email"))
    confirm = await customer.says("klaus.weber@example.com")
    assert "klaus.weber@example.com" in text_of(confirm)
    ticket = await _ticket(database)
    assert ticket.status == "open" and ticket.details["reply_by"] == "email"


async def test_after_the_idle_window_a_new_conversation_starts_with_a_greeting(
    customer: Customer, clock: FrozenClock, database: Database,
) -> None:
    first = await customer.says("what are your opening hours?")
    clock.advance(timedelta(hours=25))
    later = await customer.says("how much does an hour of support cost?")
    assert later.conversation_id != first.conversation_id
    assert later.replies[0].text == "Welcome back!"
    async with database.sessions() as session:
        old = await session.get(Conversation, first.conversation_id)
        new = await session.get(Conversation, later.conversation_id)
    assert old is not None and new is not None
    assert old.status == "closed" and old.customer_id == new.customer_id


async def test_attachments_over_the_limits_are_refused_with_a_message(
    customer: Customer, database: Database,
) -> None:
    customer.channel = "telegram"
    big = Attachment("photo", "telegram:big", "image/jpeg", 30 * 1024 * 1024)
    gif = Attachment("file", "telegram:anim", "image/gif", 1000)
    ok = Attachment("photo", "telegram:ok", "image/jpeg", 200_000)
    result = await customer.says("hier is een foto van het kapotte scherm",
                                 attachments=(big, gif, ok))
    text = text_of(result)
    assert "groter dan 10 MB" in text and "image/gif" in text
    async with database.sessions() as session:
        message = await session.get(Message, result.message_id)
    assert message is not None
    assert [a["reference"] for a in message.payload["attachments"]] == ["telegram:ok"]
    assert {a["reference"] for a in message.payload["refused_attachments"]} == \
        {"telegram:big", "telegram:anim"}


async def test_a_rating_after_the_survey_expired_is_not_stored(
    customer: Customer, clock: FrozenClock, database: Database, services: Services,
) -> None:
    await customer.says("I want to talk to a person")
    desk = Desk(database, services.catalogue)
    ticket = await _ticket(database)
    anna = Actor("anna", "Anna")
    await desk.claim(ticket.id, anna, clock.now())
    await desk.close(ticket.id, anna, "Answered", clock.now())
    clock.advance(timedelta(days=4))
    await customer.says("5")
    assert (await _ticket(database)).csat_score is None
