"""The handoff action routes: the ticket gets the team of the latest intents, an "auto"
team gives it to a free agent, and a recently closed handoff is reopened instead of a new
one, back with the agent who closed it when they can take it, never with an away agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from actions.handoff import HumanHandoff
from bot.config import Settings, TeamSettings
from bot.storage.database import Database
from bot.storage.models import Agent, AuditEntry, Conversation, Customer, Message, Ticket
from bot.turn import Services, Turn
from tests.console.helpers import add_agent_row
from wiring.assembly import build_services

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday, open
SETTINGS = Settings.model_construct(
    teams={"mail": TeamSettings(intents=["mail_setup"], assignment="auto"),
           "hardware": TeamSettings(intents=["warranty_claim"]),
           "general": TeamSettings()},
    conversation_idle_hours=24.0)


@pytest.fixture(scope="module")
def services() -> Services:
    return build_services(Settings())


async def ask_for_a_person(database: Database, services: Services, intents: list[str],
                           now: datetime = NOW, user: str = "c1") -> Ticket:
    """One customer turn that runs the handoff action; returns the customer's ticket."""
    async with database.transaction() as session:
        customer = (await session.execute(select(Customer).where(
            Customer.external_id == user))).scalar_one_or_none()
        if customer is None:
            customer = Customer(channel="webchat", external_id=user, created_at=now)
            session.add(customer)
            await session.flush()
        conversation = Conversation(customer_id=customer.id, channel="webchat",
                                    external_chat_id=user, language="en", mode="bot",
                                    state={}, created_at=now, last_message_at=now)
        session.add(conversation)
        await session.flush()
        message = Message(conversation_id=conversation.id, channel="webchat",
                          direction="in", sender="customer", text="a person please",
                          created_at=now)
        session.add(message)
        await session.flush()
        turn = Turn(session=session, services=services, customer=customer,
                    conversation=conversation, message=message, text=message.text,
                    parse=None, lang="en", now=now, state={"last_intents": intents})
        await HumanHandoff(SETTINGS).run(turn)
        assert conversation.mode == "human" and turn.ticket is not None
        ticket = (await session.execute(select(Ticket).where(
            Ticket.reference == turn.ticket))).scalar_one()
        await session.refresh(ticket)
        return ticket


async def close(database: Database, ticket_id: int, by: str, at: datetime) -> None:
    async with database.transaction() as session:
        await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(
            status="closed", assigned_to=by, closed_by=by, closed_at=at))


async def test_the_ticket_goes_to_the_team_of_the_latest_intent(
    database: Database, services: Services,
) -> None:
    ticket = await ask_for_a_person(database, services, ["mail_setup", "warranty_claim"])
    assert (ticket.team, ticket.status, ticket.assigned_to) == ("hardware", "open", None)
    other = await ask_for_a_person(database, services, ["greet"], user="c2")
    assert other.team == "general"


async def test_an_auto_team_gives_the_ticket_to_a_free_agent(
    database: Database, services: Services,
) -> None:
    await add_agent_row(database, "away", teams=["mail"], available=False)
    await add_agent_row(database, "mia", teams=["mail"])
    ticket = await ask_for_a_person(database, services, ["mail_setup"])
    assert (ticket.team, ticket.status, ticket.assigned_to) == ("mail", "claimed", "mia")


async def test_an_auto_team_without_free_agents_keeps_the_ticket_in_the_queue(
    database: Database, services: Services,
) -> None:
    await add_agent_row(database, "away", teams=["mail"], available=False)
    ticket = await ask_for_a_person(database, services, ["mail_setup"])
    assert (ticket.team, ticket.status, ticket.assigned_to) == ("mail", "open", None)


async def test_a_recent_closed_handoff_is_reopened_for_the_agent_who_closed_it(
    database: Database, services: Services,
) -> None:
    await add_agent_row(database, "anna", teams=["hardware"])
    first = await ask_for_a_person(database, services, ["warranty_claim"])
    await close(database, first.id, "anna", NOW)
    again = await ask_for_a_person(database, services, ["greet"], now=NOW + timedelta(hours=2))
    assert again.id == first.id and again.reopened_count == 1
    assert (again.status, again.assigned_to, again.closed_at) == ("claimed", "anna", None)
    async with database.sessions() as session:
        count = (await session.execute(select(func.count()).select_from(Ticket))).scalar()
        actions = (await session.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "ticket", AuditEntry.entity_id == first.id))).scalars().all()
    assert count == 1 and "reopened" in actions


async def test_a_reopened_ticket_of_an_away_agent_goes_to_the_team_queue(
    database: Database, services: Services,
) -> None:
    await add_agent_row(database, "anna", teams=["hardware"])
    first = await ask_for_a_person(database, services, ["warranty_claim"])
    await close(database, first.id, "anna", NOW)
    async with database.transaction() as session:
        await session.execute(update(Agent).where(Agent.username == "anna")
                              .values(available=False, away_since=NOW))
    again = await ask_for_a_person(database, services, ["greet"], now=NOW + timedelta(hours=1))
    assert again.id == first.id
    assert (again.status, again.assigned_to, again.team) == ("open", None, "hardware")


async def test_after_the_idle_window_a_new_ticket_is_opened(
    database: Database, services: Services,
) -> None:
    first = await ask_for_a_person(database, services, ["warranty_claim"])
    await close(database, first.id, "anna", NOW)
    later = await ask_for_a_person(database, services, ["greet"], now=NOW + timedelta(hours=25))
    assert later.id != first.id and later.reopened_count == 0
