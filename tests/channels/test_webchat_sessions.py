"""What a returning widget visitor is shown: history with seen marks, who answers the
chat (the agent by name) and a reply's details, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.database import Database
from bot.storage.models import Agent, Conversation, Message, Ticket
from channels import webchat_sessions
from tests.console.helpers import add_ticket

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def chat_of(database: Database, ticket_id: int) -> tuple[int, str]:
    async with database.sessions() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.conversation_id is not None
        conversation = await session.get(Conversation, ticket.conversation_id)
        assert conversation is not None
        return conversation.id, conversation.external_chat_id


async def add_message(database: Database, conversation_id: int, sender: str, text: str,
                      minutes: int, **payload: str) -> int:
    async with database.transaction() as session:
        message = Message(conversation_id=conversation_id, channel="webchat",
                          direction="in" if sender == "customer" else "out", sender=sender,
                          text=text, payload=dict(payload), language="nl",
                          created_at=NOW + timedelta(minutes=minutes))
        session.add(message)
        await session.flush()
        return message.id


async def test_a_claimed_chat_is_answered_by_the_agent_by_name(database: Database) -> None:
    async with database.transaction() as session:
        session.add(Agent(username="anna", display_name="Anna de Vries", password_hash="!",
                          created_at=NOW, teams=[]))
    ticket_id = await add_ticket(database, NOW, status="claimed", assigned_to="anna",
                                 language="nl")
    _, visitor = await chat_of(database, ticket_id)
    state = await webchat_sessions.chat_state(database, visitor)
    assert state == webchat_sessions.ChatState("nl", "Anna de Vries", human=True)


async def test_a_chat_waiting_in_the_queue_has_no_agent_yet(database: Database) -> None:
    _, visitor = await chat_of(database, await add_ticket(database, NOW, language="de"))
    assert await webchat_sessions.chat_state(database, visitor) == \
        webchat_sessions.ChatState("de", None, human=True)
    assert await webchat_sessions.chat_state(database, "nobody") == webchat_sessions.ChatState()


async def test_history_marks_customer_messages_an_agent_answered_as_seen(
    database: Database,
) -> None:
    conversation_id, visitor = await chat_of(database, await add_ticket(database, NOW))
    await add_message(database, conversation_id, "customer", "mijn printer is kapot", 0)
    reply = await add_message(database, conversation_id, "agent", "Ik kijk even mee", 1,
                              agent="Anna de Vries")
    await add_message(database, conversation_id, "customer", "dank je", 2)
    frames = await webchat_sessions.history(database, visitor)
    assert [(f["from"], f.get("seen"), f.get("agent"), f["lang"]) for f in frames] == [
        ("customer", True, None, "nl"), ("agent", None, "Anna de Vries", "nl"),
        ("customer", False, None, "nl")]
    details = await webchat_sessions.reply_details(database, reply)
    assert details == webchat_sessions.ReplyDetails("nl", "Anna de Vries", human=True)
    assert await webchat_sessions.reply_details(database, reply + 99) == \
        webchat_sessions.ReplyDetails()
