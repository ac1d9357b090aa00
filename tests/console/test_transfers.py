"""Availability and transfer through the console's HTTP API, against the real app."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from bot.storage.database import Database
from bot.storage.models import Agent, AuditEntry, Message, Ticket, TicketNote
from tests.console.helpers import add_ticket, login

Client = TestClient[Any, Any]
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def console_now() -> datetime:
    return NOW


async def _set_available(database: Database, username: str, available: bool) -> None:
    async with database.transaction() as session:
        await session.execute(update(Agent).where(Agent.username == username)
                              .values(available=available))


async def _ticket(database: Database, ticket_id: int) -> Ticket:
    async with database.sessions() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


async def _last_message(database: Database) -> Message:
    async with database.sessions() as session:
        message = (await session.execute(
            select(Message).order_by(Message.id.desc()).limit(1))).scalar_one()
        return message


async def test_an_agent_sets_themselves_away_and_available(client: Client,
                                                           console_db: Database) -> None:
    csrf = await login(client, "ann")
    headers = {"X-CSRF-Token": csrf}
    start = await (await client.get("/console/api/me/availability")).json()
    assert start["available"] is False and start["capacity"] == 3 and start["load"] == 0
    on = await client.post("/console/api/me/availability", json={"available": True},
                           headers=headers)
    assert on.status == 200 and (await on.json())["available"] is True
    off = await client.post("/console/api/me/availability", json={"available": False},
                            headers=headers)
    assert (await off.json())["away_since"] == NOW.isoformat()
    bad = await client.post("/console/api/me/availability", json={"available": "yes"},
                            headers=headers)
    assert bad.status == 400
    async with console_db.sessions() as session:
        actions = (await session.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "agent", AuditEntry.action.in_(("available", "away")))
        )).scalars().all()
    assert actions == ["available", "away"]


async def test_availability_needs_the_csrf_token(client: Client) -> None:
    await login(client, "ann")
    refused = await client.post("/console/api/me/availability", json={"available": True})
    assert refused.status == 403


async def test_transfer_to_an_available_agent_tells_the_customer_in_their_language(
    client: Client, console_db: Database,
) -> None:
    ticket_id = await add_ticket(console_db, NOW, status="claimed", assigned_to="ann",
                                 language="nl")
    await _set_available(console_db, "sue", True)
    csrf = await login(client, "ann")
    response = await client.post(f"/console/api/tickets/{ticket_id}/transfer", json={
        "agent": "sue", "note": "Klant wil een offerte"}, headers={"X-CSRF-Token": csrf})
    assert response.status == 200, await response.text()
    ticket = await _ticket(console_db, ticket_id)
    assert (ticket.status, ticket.assigned_to) == ("claimed", "sue")
    told = await _last_message(console_db)
    assert told.text == "Sue neemt je gesprek over." and told.sender == "system"
    async with console_db.sessions() as session:
        note = (await session.execute(select(TicketNote.text))).scalar_one()
        entry = (await session.execute(select(AuditEntry).where(
            AuditEntry.action == "transfer"))).scalar_one()
    assert note == "Transfer to sue: Klant wil een offerte"
    assert entry.before["assigned_to"] == "ann" and entry.after["assigned_to"] == "sue"


async def test_transfer_to_a_team_puts_the_ticket_back_in_its_queue(
    client: Client, console_db: Database,
) -> None:
    ticket_id = await add_ticket(console_db, NOW, status="claimed", assigned_to="ann",
                                 language="de")
    csrf = await login(client, "ann")
    response = await client.post(f"/console/api/tickets/{ticket_id}/transfer", json={
        "team": "billing", "note": "Rechnungsfrage"}, headers={"X-CSRF-Token": csrf})
    assert response.status == 200, await response.text()
    ticket = await _ticket(console_db, ticket_id)
    assert (ticket.status, ticket.assigned_to, ticket.team) == ("open", None, "billing")
    told = await _last_message(console_db)
    assert told.text.startswith("Ich gebe Ihr Gespräch an unser billing-Team weiter")
    queue = await (await client.get("/console/api/queue")).json()
    assert queue["tickets"][0]["team"] == "billing"


async def test_transfer_is_refused_to_an_away_agent_without_a_note_or_by_a_bystander(
    client: Client, console_db: Database,
) -> None:
    ticket_id = await add_ticket(console_db, NOW, status="claimed", assigned_to="ann")
    csrf = await login(client, "ann")
    url, headers = f"/console/api/tickets/{ticket_id}/transfer", {"X-CSRF-Token": csrf}
    away = await client.post(url, json={"agent": "sue", "note": "x"}, headers=headers)
    assert away.status == 409 and "away" in (await away.json())["error"]
    no_note = await client.post(url, json={"team": "mail", "note": " "}, headers=headers)
    assert no_note.status == 400
    unknown = await client.post(url, json={"team": "nope", "note": "x"}, headers=headers)
    assert unknown.status == 400
    other = await add_ticket(console_db, NOW, status="claimed", assigned_to="sue")
    bystander = await client.post(f"/console/api/tickets/{other}/transfer",
                                  json={"team": "mail", "note": "x"}, headers=headers)
    assert bystander.status == 409
    assert (await _ticket(console_db, ticket_id)).assigned_to == "ann"


async def test_transfer_to_an_agent_at_capacity_is_refused(client: Client,
                                                          console_db: Database) -> None:
    async with console_db.transaction() as session:
        await session.execute(update(Agent).where(Agent.username == "sue")
                              .values(available=True, max_concurrent=1))
    await add_ticket(console_db, NOW, status="claimed", assigned_to="sue")
    ticket_id = await add_ticket(console_db, NOW, status="claimed", assigned_to="ann")
    csrf = await login(client, "ann")
    full = await client.post(f"/console/api/tickets/{ticket_id}/transfer",
                             json={"agent": "sue", "note": "x"}, headers={"X-CSRF-Token": csrf})
    assert full.status == 409 and "capacity" in (await full.json())["error"]


async def test_the_ticket_offers_colleagues_and_teams_to_transfer_to(
        client: Client, console_db: Database) -> None:
    ticket_id = await add_ticket(console_db, NOW)
    await login(client, "ann")
    page = await (await client.get(f"/console/tickets/{ticket_id}")).text()
    data = await (await client.get(f"/console/api/tickets/{ticket_id}")).json()
    assert 'id="transfer-form"' in page
    assert data["agents"] == [{"username": "sue", "name": "Sue", "available": False}]
    assert "hardware" in data["teams"]
