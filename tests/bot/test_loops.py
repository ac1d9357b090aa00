"""The loop guard: the third identical prompt in a row becomes the offer of a person."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models import Conversation, Ticket
from tests.conversation import Customer, text_of

YES_NO = ["/affirm", "/deny"]


async def test_a_form_question_answered_wrongly_again_and_again_offers_a_person(
        customer: Customer) -> None:
    await customer.says("kunnen jullie mij terugbellen?")
    await customer.says("dat weet ik niet uit mijn hoofd")
    first = await customer.says("even kijken hoor")  # two failures: the form offers a way on
    second = await customer.says("hmm lastig")
    assert text_of(first) == text_of(second)  # the way on, not taken, is offered again
    third = await customer.says("geen idee eigenlijk")
    assert text_of(third) != text_of(second)
    assert "collega" in text_of(third)
    assert [b.payload for b in third.replies[-1].buttons] == YES_NO
    handed = await customer.presses("Ja")
    assert handed.ticket is not None
    async with customer.engine.database.sessions() as session:
        conversation = (await session.execute(select(Conversation))).unique().scalar_one()
        ticket = (await session.execute(select(Ticket))).scalar_one()
    assert conversation.mode == "human" and ticket.kind == "handoff"


async def test_the_same_unclear_message_three_times_offers_a_person(customer: Customer) -> None:
    results = [await customer.says("which smartphone should I buy?") for _ in range(3)]
    texts = [text_of(result) for result in results]
    assert texts[0] == texts[1] and texts[2] != texts[1]
    assert "colleague" in texts[2]
    assert [b.payload for b in results[2].replies[-1].buttons] == YES_NO
    declined = await customer.presses("No")
    assert declined.ticket is None and "colleague" not in text_of(declined)


async def test_no_prompt_is_sent_three_times_in_a_row(customer: Customer) -> None:
    lines = ["asdf", "asdf", "asdf", "asdf", "asdf", "asdf", "qwertz", "qwertz", "qwertz"]
    texts = [text_of(await customer.says(line)) for line in lines]
    assert not any(a == b == c for a, b, c in zip(texts, texts[1:], texts[2:], strict=False))


async def test_saying_thanks_again_and_again_is_not_a_loop(customer: Customer) -> None:
    results = [await customer.says("danke!") for _ in range(3)]
    assert all(result.intent == "thank" for result in results)
    assert len({text_of(result) for result in results}) == 1
    assert not results[2].replies[-1].buttons


async def test_a_different_prompt_in_between_starts_counting_again(customer: Customer) -> None:
    first = await customer.says("which smartphone should I buy?")
    await customer.says("when are you open on saturday?")
    again = [await customer.says("which smartphone should I buy?") for _ in range(2)]
    assert text_of(again[0]) == text_of(again[1]) == text_of(first)
