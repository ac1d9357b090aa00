"""The dialogue policy around forms, with the real NLU model: a person asked for in a
longer sentence inside a form, and a question in between that also gives a detail."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models import Ticket
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
