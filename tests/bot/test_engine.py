"""The engine end to end with the real NLU model: persistence, idempotency, languages,
fallbacks and the NLU service being down."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.engine import Engine
from bot.storage.models import Message, OutboxItem
from nlu.client import ParseResult
from nlu.errors import NluUnavailableError
from tests.conversation import Customer, text_of


async def _count(engine: Engine, model: type[Message] | type[OutboxItem]) -> int:
    async with engine.database.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_question_is_answered_and_queued_in_the_outbox(customer: Customer) -> None:
    result = await customer.says("when are you open on saturday?")
    assert result.intent == "support_hours"
    assert "06:00" in text_of(result) and "GMT" in text_of(result)
    assert await _count(customer.engine, OutboxItem) == len(result.replies) >= 1


async def test_duplicate_delivery_is_processed_once(customer: Customer) -> None:
    first = await customer.says("hoe laat gaan jullie open morgen", message_id="tg-42")
    again = await customer.says("hoe laat gaan jullie open morgen", message_id="tg-42")
    assert first.replies and not first.duplicate
    assert again.duplicate and not again.replies
    assert await _count(customer.engine, OutboxItem) == len(first.replies)
    assert await _count(customer.engine, Message) == 1 + len(first.replies)


async def test_handling_a_stored_message_twice_sends_no_second_reply(customer: Customer) -> None:
    result = await customer.says("what does an hour of support cost")
    again = await customer.engine.answer(result.message_id)
    assert again.duplicate and not again.replies
    assert await _count(customer.engine, OutboxItem) == len(result.replies)


async def test_reply_is_in_the_customers_language(customer: Customer) -> None:
    dutch = await customer.says("Hallo, wanneer zijn jullie bereikbaar in het weekend?")
    assert dutch.language == "nl"
    assert "maandag" in text_of(dutch).lower()
    german = await Customer(customer.intake, customer.clock, user="kunde-2").says(
        "Guten Tag, wann ist Ihr Support am Wochenende erreichbar?")
    assert german.language == "de"
    assert "montag" in text_of(german).lower()


async def test_short_message_keeps_the_conversation_language(customer: Customer) -> None:
    await customer.says("Goedemorgen, ik heb een vraag over mijn factuur en support kosten")
    result = await customer.says("ok")
    assert result.language == "nl"


async def test_unclear_message_asks_to_clarify_then_offers_a_person(customer: Customer) -> None:
    first = await customer.says("about that thing from before")
    assert first.replies and "?" in first.replies[0].text
    second = await customer.says("hmm see above")
    offer = second.replies[-1]
    assert [b.payload for b in offer.buttons] == ["/affirm", "/deny"]
    accepted = await customer.presses("/affirm")
    assert accepted.ticket is not None and accepted.ticket.startswith("T-")


async def test_nlu_down_apologises_keeps_the_message_and_offers_a_person(
    customer: Customer,
) -> None:
    class DownNlu:
        async def parse(self, text: str) -> ParseResult:
            raise NluUnavailableError("connection refused")

    customer.engine.nlu = DownNlu()
    result = await customer.says("my router is broken, can you help")
    assert "technical problem" in text_of(result)
    assert [b.payload for b in result.replies[-1].buttons] == ["/affirm", "/deny"]
    async with customer.engine.database.sessions() as session:
        stored = (await session.execute(
            select(Message).where(Message.id == result.message_id))).scalar_one()
    assert stored.text == "my router is broken, can you help"
    accepted = await customer.presses("Yes")
    assert accepted.ticket is not None
