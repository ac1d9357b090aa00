"""The help of a form for answers it cannot read, with the real NLU model: typed yeses
the model does not know, and a way on that is offered, never taken for the customer."""

from __future__ import annotations

from sqlalchemy import select

from bot.form_help import says_yes
from bot.storage.models import Ticket
from tests.conversation import Customer


async def tickets(customer: Customer) -> list[Ticket]:
    async with customer.engine.database.sessions() as session:
        return list((await session.execute(select(Ticket))).scalars())


def test_a_typed_yes_is_a_yes_unless_the_model_reads_a_no() -> None:
    assert says_yes("out_of_scope", "Jup!")
    assert says_yes("affirm", "dat is goed zo")
    assert not says_yes("deny", "ja nee")
    assert not says_yes("out_of_scope", "jup, maar het nummer klopt niet")


async def test_a_typed_yes_the_model_does_not_know_confirms_a_callback(
        customer: Customer) -> None:
    await customer.says("bel me terug op 020 555 0123 over de factuur")
    confirmed = await customer.says("jup")
    assert confirmed.ticket is not None
    [ticket] = await tickets(customer)
    assert ticket.kind == "callback"


async def test_the_way_on_not_taken_is_offered_again_and_no_person_is_brought_in_unasked(
        customer: Customer) -> None:
    await customer.says("kunt u mij terugbellen?")
    await customer.says("weet ik niet meer")
    offer = await customer.says("999")
    assert [b.payload for b in offer.replies[-1].buttons] == ["=person", "=stop"]
    again = await customer.says("pff, geen flauw idee")
    assert [b.payload for b in again.replies[-1].buttons] == ["=person", "=stop"]
    assert again.ticket is None and await tickets(customer) == []
