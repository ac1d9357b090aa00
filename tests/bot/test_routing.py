"""Routing of handoffs: the team of the latest intents, auto-assignment to the least-loaded
available agent with room, capacity on claims, and requeueing the tickets of away agents."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.catalogue import Catalogue
from bot.config import CompanySettings, Settings, TeamSettings
from bot.routing import auto_assign, requeue_away, team_for, team_for_kind
from bot.storage.database import Database
from bot.storage.models import Agent, AuditEntry, Conversation, Customer, Ticket
from console.actors import Actor, DeskError
from console.desk import Desk
from tests.console.helpers import add_agent_row, add_ticket

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SETTINGS = Settings.model_construct(
    teams={"mail": TeamSettings(intents=["mail_setup"], assignment="auto"),
           "hardware": TeamSettings(intents=["warranty_claim"]),
           "general": TeamSettings(assignment="auto")},
    agent_max_concurrent=2, away_grace_minutes=5.0)


async def _assign(database: Database, ticket_id: int, now: datetime = NOW) -> str | None:
    async with database.transaction() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        return await auto_assign(session, ticket, SETTINGS, now)


async def _ticket(database: Database, ticket_id: int) -> Ticket:
    async with database.sessions() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


def test_the_latest_intent_a_team_takes_decides_the_team() -> None:
    assert team_for(["mail_setup", "warranty_claim", "greet"], SETTINGS) == "hardware"
    assert team_for(["warranty_claim", "mail_setup"], SETTINGS) == "mail"
    assert team_for(["greet", "human_handoff"], SETTINGS) == "general"
    assert team_for([], SETTINGS) == "general"


def test_every_ticket_kind_gets_a_team() -> None:
    assert team_for_kind("warranty", SETTINGS) == "hardware"
    assert {team_for_kind(kind, SETTINGS) for kind in ("complaint", "callback", "handoff",
                                                        "unknown")} == {"general"}


async def test_a_warranty_ticket_opened_by_the_assembled_desk_has_the_hardware_team(
    database: Database,
) -> None:
    from wiring.assembly import build_services  # the composition root wires the team

    desk = build_services(Settings()).desk
    async with database.transaction() as session:
        customer = Customer(channel="webchat", external_id="w1", created_at=NOW)
        session.add(customer)
        await session.flush()
        ticket = await desk.open_ticket(session, kind="warranty", customer=customer,
                                        conversation=None, subject="Warranty: X200",
                                        details={}, now=NOW)
    assert ticket.team == "hardware"


async def test_auto_assignment_picks_the_least_loaded_available_agent_of_the_team(
    database: Database,
) -> None:
    await add_agent_row(database, "busy", teams=["mail"])
    await add_agent_row(database, "free", teams=["mail"])
    await add_agent_row(database, "away", teams=["mail"], available=False)
    await add_agent_row(database, "billing", teams=["hardware"])
    await add_ticket(database, NOW, team="mail", status="claimed", assigned_to="busy")
    ticket_id = await add_ticket(database, NOW, team="mail")
    assert await _assign(database, ticket_id) == "free"
    ticket = await _ticket(database, ticket_id)
    assert (ticket.status, ticket.assigned_to, ticket.claimed_at) == ("claimed", "free", NOW)


async def test_ties_go_to_the_agent_idle_longest_then_the_lowest_id(database: Database) -> None:
    for name in ("first", "second", "third"):
        await add_agent_row(database, name, teams=["mail"])
    closed = await add_ticket(database, NOW, team="mail", status="claimed", assigned_to="first")
    async with database.transaction() as session:
        await session.execute(update(Ticket).where(Ticket.id == closed)
                              .values(status="closed"))
    assert await _assign(database, await add_ticket(database, NOW, team="mail")) == "second"
    assert await _assign(database, await add_ticket(database, NOW, team="mail")) == "third"


async def test_nobody_free_leaves_the_ticket_in_the_queue(database: Database) -> None:
    await add_agent_row(database, "full", teams=["mail"], max_concurrent=1)
    await add_agent_row(database, "other_team", teams=["hardware"])
    await add_ticket(database, NOW, team="mail", status="claimed", assigned_to="full")
    ticket_id = await add_ticket(database, NOW, team="mail")
    assert await _assign(database, ticket_id) is None
    ticket = await _ticket(database, ticket_id)
    assert (ticket.status, ticket.assigned_to) == ("open", None)


async def test_concurrent_auto_assignments_never_exceed_capacity(database: Database) -> None:
    await add_agent_row(database, "solo", teams=["mail"], max_concurrent=2)
    tickets = [await add_ticket(database, NOW, team="mail") for _ in range(5)]
    results = await asyncio.gather(*(_assign(database, t) for t in tickets),
                                   return_exceptions=True)
    assert [r for r in results if r == "solo"] and len([r for r in results if r == "solo"]) <= 2
    async with database.sessions() as session:
        held = (await session.execute(select(Ticket.id).where(
            Ticket.assigned_to == "solo"))).scalars().all()
    assert len(held) == 2


async def test_claim_is_refused_at_capacity_with_a_clear_message(database: Database) -> None:
    await add_agent_row(database, "anna", max_concurrent=1)
    desk = Desk(database, Catalogue.load(CompanySettings().placeholders()), SETTINGS)
    anna = Actor("anna", "Anna")
    await desk.claim(await add_ticket(database, NOW), anna, NOW)
    second = await add_ticket(database, NOW)
    with pytest.raises(DeskError, match="at your capacity") as refused:
        await desk.claim(second, anna, NOW)
    assert refused.value.status == 409
    assert (await _ticket(database, second)).status == "open"


async def test_tickets_of_agents_away_past_the_grace_period_go_back_to_the_queue(
    database: Database,
) -> None:
    await add_agent_row(database, "gone", teams=["hardware"], available=False)
    await add_agent_row(database, "brief", teams=["hardware"], available=False)
    await add_agent_row(database, "here", teams=["hardware"])
    async with database.transaction() as session:
        await session.execute(update(Agent).where(Agent.username == "gone")
                              .values(away_since=NOW - timedelta(minutes=6)))
        await session.execute(update(Agent).where(Agent.username == "brief")
                              .values(away_since=NOW - timedelta(minutes=2)))
    gone = await add_ticket(database, NOW, team="hardware", status="claimed", assigned_to="gone")
    brief = await add_ticket(database, NOW, team="hardware", status="claimed",
                             assigned_to="brief")
    here = await add_ticket(database, NOW, team="hardware", status="claimed", assigned_to="here")
    assert await requeue_away(database, SETTINGS, NOW) == 1
    assert await requeue_away(database, SETTINGS, NOW) == 0
    back = await _ticket(database, gone)
    assert (back.status, back.assigned_to) == ("open", None)
    assert (await _ticket(database, brief)).assigned_to == "brief"
    assert (await _ticket(database, here)).assigned_to == "here"
    async with database.sessions() as session:
        conversation = await session.get(Conversation, back.conversation_id)
        entry = (await session.execute(select(AuditEntry).where(
            AuditEntry.action == "requeue_away"))).scalar_one()
    assert conversation is not None and conversation.mode == "human"
    assert entry.entity_id == gone and entry.before["assigned_to"] == "gone"


async def test_requeued_tickets_of_auto_teams_go_to_an_available_colleague(
    database: Database,
) -> None:
    await add_agent_row(database, "gone", teams=["mail"], available=False)
    await add_agent_row(database, "here", teams=["mail"])
    async with database.transaction() as session:
        await session.execute(update(Agent).where(Agent.username == "gone")
                              .values(away_since=NOW - timedelta(hours=1)))
    ticket_id = await add_ticket(database, NOW, team="mail", status="claimed",
                                 assigned_to="gone")
    assert await requeue_away(database, SETTINGS, NOW) == 1
    assert (await _ticket(database, ticket_id)).assigned_to == "here"
