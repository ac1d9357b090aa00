"""Messages the bot cannot read get an answer saying what it can do; during a handoff
they go to the agent, who reads them in the transcript."""

from __future__ import annotations

from sqlalchemy import select

from bot.conversation import Attachment
from bot.message_kinds import describe, map_link
from bot.storage.database import Database
from bot.storage.models import Ticket
from bot.turn import Services
from console.actors import Actor
from console.desk import Desk
from console.transcript import as_json, ticket_view
from tests.conversation import Customer, text_of

VOICE = Attachment("voice", "telegram:AwACAgQAAxkBAAIC", "audio/ogg", 11237, duration=4)
PLACE = {"latitude": 52.370216, "longitude": 4.895168}


async def test_voice_note_is_answered_with_what_the_bot_can_do(customer: Customer) -> None:
    await customer.says("Hello, I have a question about my router")
    answer = text_of(await customer.sends("voice", attachments=(VOICE,)))
    assert "can't listen to voice messages" in answer and "type your question" in answer


async def test_answer_is_in_the_language_of_the_conversation(customer: Customer) -> None:
    await customer.says("Guten Tag, ich habe eine Frage zu meinem Router")
    assert "Standort" in text_of(await customer.sends("location", content=PLACE))


async def test_a_contact_card_is_acknowledged_by_name(customer: Customer) -> None:
    await customer.says("hallo, ik heb een vraag")
    answer = text_of(await customer.sends("contact", content={"name": "Piet Jansen",
                                                                "phone": "+31205550142"}))
    assert "Piet Jansen" in answer and "bel me terug" in answer


async def test_a_file_without_words_is_acknowledged_with_a_question(customer: Customer) -> None:
    photo = Attachment("photo", "telegram:AgAC", "image/jpeg", 51234)
    answer = text_of(await customer.sends("photo", attachments=(photo,)))
    assert "received your file" in answer


async def test_during_a_handoff_the_agent_gets_the_message_and_the_bot_stays_silent(
    customer: Customer, database: Database, services: Services,
) -> None:
    assert "T-" in text_of(await customer.says("I want to talk to a person"))
    async with database.sessions() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
    await Desk(database, services.catalogue).claim(ticket.id, Actor("anna", "Anna"),
                                                   customer.clock.now())
    assert (await customer.sends("location", content=PLACE)).replies == ()
    assert (await customer.sends("voice", attachments=(VOICE,))).replies == ()
    view = await ticket_view(database, ticket.id)
    assert view is not None
    location, voice = as_json(view)["messages"][-2:]
    assert location["summary"] == "Location: 52.370216, 4.895168"
    assert location["map_url"].startswith("https://www.openstreetmap.org/?mlat=52.370216")
    assert voice["kind"] == "voice" and voice["attachments"][0]["duration"] == 4


def test_transcript_line_says_what_each_kind_holds() -> None:
    assert describe({"kind": "contact", "content": {"name": "Piet", "phone": "+31205550142"}}) \
        == "Contact: Piet, +31205550142"
    assert describe({"kind": "poll", "content": {"question": "Router?", "options": ["A", "B"]}}) \
        == "Poll: Router? (A / B)"
    assert describe({"kind": "venue", "content": {**PLACE, "title": "Central Station"}}) == \
        "Location: 52.370216, 4.895168 (Central Station)"
    assert describe({"kind": "video_note"}) == "Video note"
    assert describe({"kind": "text", "edit_of": "4242:7"}) == "(edited)"
    assert describe({}) == "" and map_link({}) is None
