"""The dialogue policy around forms, with the real NLU model: a person asked for in a
longer sentence inside a form, and a question in between that also gives a detail."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models import Conversation, Ticket
from tests.conversation import Customer


async def tickets(customer: Customer) -> list[Ticket]:
    async with customer.engine.database.sessions() as session:
        return list((await session.execute(select(Ticket))).scalars())


async def test_a_person_named_in_a_longer_sentence_inside_a_form_hands_off(
        customer: Customer) -> None:
    await customer.says("warranty claim for my NetBox 300, serial NB3-4410-77")
    handoff = await customer.says("can a staff member take over? this is tricky")
    assert handoff.ticket is not None
    [ticket] = await tickets(customer)
    assert ticket.kind == "handoff"
    assert ticket.details["form"]["values"]["serial"] == "NB3-4410-77"


async def test_details_of_a_message_the_bot_asked_to_clarify_go_into_the_form(
        customer: Customer) -> None:
    unclear = await customer.says("irgendwas stimmt mit dem Ding nicht, Seriennummer QX7-2210")
    assert unclear.replies[-1].buttons  # the bot asked what it is about
    form = await customer.says(
        "meine Kamera CX-20 ist kaputt, ich will sie über die Garantie reparieren lassen")
    assert "Seriennummer" not in form.replies[-1].text
    async with customer.engine.database.sessions() as session:
        conversation = (await session.execute(select(Conversation))).unique().scalar_one()
    assert conversation.state["form"]["values"]["serial"] == "QX7-2210"


async def test_a_question_that_also_gives_a_detail_is_answered_and_the_detail_kept(
        customer: Customer) -> None:
    await customer.says("I'd like to file a warranty claim for my NetBox 300")
    answered = await customer.says("hang on, I got it from a reseller, shouldn't I ask them?")
    assert "reseller" in answered.replies[0].text.lower() and len(answered.replies) >= 2
    assert "serial" in answered.replies[-1].text.lower()
