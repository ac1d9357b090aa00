"""Whole conversations in Dutch, German and English with the real NLU model."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import parse_instant
from bot.storage.models import Callback, Conversation, Ticket
from tests.conversation import Customer, text_of


async def test_callback_in_dutch_is_due_within_ten_minutes(customer: Customer) -> None:
    start = await customer.says("kunnen jullie mij terugbellen?")
    assert start.intent == "request_callback"
    await customer.says("+31 20 555 0142")
    confirm = await customer.says("vraag over mijn factuur")
    assert "+31 20 555 0142" in text_of(confirm)
    done = await customer.presses("Ja")
    assert done.ticket is not None and done.ticket in text_of(done)
    assert "10:10" in text_of(done)
    async with customer.engine.database.sessions() as session:
        callback = (await session.execute(select(Callback))).scalar_one()
    assert callback.due_at - customer.clock.now() == timedelta(minutes=10)


async def test_callback_asked_friday_night_is_scheduled_for_monday(customer: Customer) -> None:
    customer.clock._at = parse_instant("2026-11-27T22:00:00Z")
    await customer.says("please call me back on +44 20 7946 0018")
    await customer.says("my mail server")
    done = await customer.presses("Yes")
    text = text_of(done)
    assert "Monday" in text and "06:00" in text
    assert "+44 20 7946 0018" in text  # the dedicated UK callback line from configuration


async def test_warranty_claim_in_german_with_reseller_purchase(customer: Customer) -> None:
    customer.channel = "telegram"  # a channel that can send photos: the photo step comes
    start = await customer.says("Ich möchte einen Garantiefall melden, das Gerät ist defekt")
    assert start.intent == "warranty_claim" and "Produkt" in text_of(start)
    asks_serial = await customer.says("NetBox 500")
    assert "Seriennummer" in text_of(asks_serial)
    asks_fault = await customer.says("SN4K7Q2X91")
    assert "?" in text_of(asks_fault)
    await customer.says("Er geht nach zwei Sekunden einfach wieder aus")
    await customer.presses("Über einen Händler")
    await customer.presses("Überspringen")
    done = await customer.presses("Ja")
    assert done.ticket is not None and done.ticket in text_of(done)
    assert "Händler" in text_of(done)
    async with customer.engine.database.sessions() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
    assert ticket.kind == "warranty" and ticket.details["serial"] == "SN4K7Q2X91"


async def test_complaint_gets_acknowledgement_deadline_in_working_days(customer: Customer) -> None:
    customer.clock._at = parse_instant("2026-11-27T15:00:00Z")  # a Friday
    await customer.says("I want to file a formal complaint")
    await customer.says("The engineer never showed up for the appointment twice")
    await customer.presses("By e-mail")
    await customer.says("jane.doe@example.com")
    done = await customer.presses("Yes")
    assert done.ticket is not None
    assert "Tuesday" in text_of(done) and "14 days" in text_of(done)
    async with customer.engine.database.sessions() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
    assert ticket.acknowledge_due == parse_instant("2026-12-01T15:00:00Z")


async def test_form_can_be_cancelled_with_laat_maar(customer: Customer) -> None:
    await customer.says("bel me even terug aub")
    cancelled = await customer.says("laat maar")
    assert "gestopt" in text_of(cancelled).lower() or "oké" in text_of(cancelled).lower()
    async with customer.engine.database.sessions() as session:
        assert (await session.execute(select(Ticket))).first() is None


async def test_form_answers_a_digression_and_asks_again(customer: Customer) -> None:
    await customer.says("can someone call me back please")
    digression = await customer.says("what are your opening hours?")
    text = text_of(digression)
    assert "06:00" in text
    assert "phone number" in digression.replies[-1].text
    await customer.says("+1 202 555 0143")
    confirm = await customer.says("billing question")
    assert "+1 202-555-0143" in text_of(confirm)


async def test_handoff_switches_the_conversation_to_a_person(customer: Customer) -> None:
    result = await customer.says("ik wil graag met een medewerker praten")
    assert result.intent == "human_handoff"
    assert result.ticket is not None and result.ticket in text_of(result)
    async with customer.engine.database.sessions() as session:
        conversation = (await session.execute(select(Conversation))).unique().scalar_one()
        ticket = (await session.execute(select(Ticket))).scalar_one()
    assert conversation.mode == "human"
    assert ticket.kind == "handoff" and ticket.details["transcript"]
    waiting = await customer.says("hallo? is daar iemand")
    assert "nummer 1 in de wachtrij" in text_of(waiting)  # told once, then quiet
    silent = await customer.says("hallo??")
    assert not silent.replies


async def test_handoff_out_of_hours_names_the_emergency_line(customer: Customer) -> None:
    customer.clock._at = parse_instant("2026-11-28T12:00:00Z")  # Saturday
    result = await customer.says("I need to speak to a real person now")
    assert "+31 20 555 0199" in text_of(result)
    assert "Monday" in text_of(result)


async def test_ticket_status_only_shows_the_customers_own_ticket(customer: Customer) -> None:
    await customer.says("please call me back on +31 20 555 0142")
    await customer.says("invoice question")
    done = await customer.presses("Yes")
    reference = done.ticket
    assert reference is not None
    own = await customer.says(f"what is the status of ticket {reference}")
    assert reference in text_of(own) and "callback" in text_of(own)
    stranger = Customer(customer.intake, customer.clock, user="someone-else")
    other = await stranger.says(f"what is the status of ticket {reference}")
    assert "can't find" in text_of(other)


async def test_bot_challenge_is_answered_honestly(customer: Customer) -> None:
    result = await customer.says("am I talking to a real person or a bot?")
    assert "bot" in text_of(result).lower()
    assert [b.payload for b in result.replies[-1].buttons] == ["/affirm", "/deny"]
