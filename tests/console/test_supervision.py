"""Supervisor pages through the real app: dashboard, SVG charts, the CSV export, date
checks, and the customer JSON export and erasure with their audit entries and CSRF."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import AuditEntry, Conversation, Customer, Message, Ticket
from bot.tickets import reference_for
from console.supervision import CHART_TITLES
from tests.console.helpers import login

Client = TestClient[Any, Any]
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
RANGE = "from=2026-03-01&to=2026-03-05"


@pytest.fixture
def console_now() -> datetime:
    return NOW


@pytest.fixture
async def customer_id(console_db: Database) -> int:
    """Customer Lotte with one conversation, two messages and a breached handoff ticket."""
    created = NOW - timedelta(days=1)
    async with console_db.transaction() as session:
        customer = Customer(channel="telegram", external_id="7001", name="Lotte Jansen",
                            email="lotte@example.com", created_at=created)
        session.add(customer)
        await session.flush()
        conversation = Conversation(customer_id=customer.id, channel="telegram",
                                    external_chat_id="7001", language="nl", state={},
                                    created_at=created, last_message_at=created)
        session.add(conversation)
        await session.flush()
        session.add_all([
            Message(conversation_id=conversation.id, channel="telegram", direction="in",
                    sender="customer", text="Mijn router is kapot", payload={},
                    intent="warranty_claim", confidence=0.9, created_at=created),
            Message(conversation_id=conversation.id, channel="telegram", direction="in",
                    sender="customer", text="Ik wil een mens", payload={},
                    intent="human_handoff", confidence=0.3, created_at=created),
            Ticket(kind="handoff", status="closed", customer_id=customer.id,
                   conversation_id=conversation.id, subject="Router kapot", details={},
                   created_at=created, first_response_due=created + timedelta(minutes=5),
                   first_response_at=created + timedelta(minutes=7), closed_at=created
                   + timedelta(hours=1), resolution_due=created + timedelta(hours=5),
                   assigned_to="ann", csat_score=4),
        ])
        return customer.id


@pytest.fixture
async def handoffs(console_db: Database) -> None:
    """Two billing handoffs: one from Wednesday 21:55 answered Thursday 06:05 (10 working
    minutes), reopened and scored 3; one the customer cancelled after the timeout offer."""
    wednesday = datetime(2026, 3, 4, 21, 55, tzinfo=UTC)
    async with console_db.transaction() as session:
        customer = Customer(channel="webchat", external_id="visitor-9", created_at=wednesday)
        session.add(customer)
        await session.flush()
        session.add_all([
            Ticket(kind="handoff", status="closed", customer_id=customer.id, subject="Bill",
                   details={}, team="billing", created_at=wednesday,
                   first_response_at=datetime(2026, 3, 5, 6, 5, tzinfo=UTC), csat_score=3,
                   reopened_count=1),
            Ticket(kind="handoff", status="cancelled", customer_id=customer.id,
                   subject="Bill", details={}, team="billing", created_at=wednesday,
                   resolution="cancelled by the customer", timeout_offered_at=wednesday),
        ])


def card(page: str, label: str) -> str:
    """The figure shown on the dashboard card with that label."""
    found = re.search(rf'<div class="label">{label}</div>\s*<div class="figure">([^<]*)<',
                      page)
    assert found is not None, f"no card {label!r}"
    return found.group(1)


@pytest.fixture
async def supervisor(client: Client) -> str:
    """Log in as supervisor `sue`; returns the CSRF token."""
    return await login(client, "sue")


async def test_the_dashboard_shows_figures_and_chart_images(
        client: Client, supervisor: str, customer_id: int) -> None:
    response = await client.get(f"/console/supervisor?{RANGE}")
    page = await response.text()
    assert response.status == 200
    assert "50.0%" in page  # one of two inbound messages below the confidence threshold
    for name in CHART_TITLES:
        src = f"/console/supervisor/charts/{name}.svg?{RANGE}".replace("&", "&amp;")
        assert f'src="{src}"' in page


async def test_the_dashboard_shows_the_handoff_figures(
        client: Client, supervisor: str, handoffs: None) -> None:
    page = await (await client.get(f"/console/supervisor?{RANGE}")).text()
    assert card(page, "Handoff to first response") == "10.0 min"
    assert "p90 10.0 min, 1 answered" in page
    assert card(page, "Queue abandonment") == "50.0%"
    assert "1 of 2 handoffs left before a reply" in page
    assert card(page, "Queue timeouts") == "50.0%"
    assert card(page, "Reopen rate") == "50.0%"
    assert re.search(r"<td>billing</td>\s*<td[^>]*>3.00 / 5</td>\s*<td[^>]*>1</td>", page)


async def test_the_dashboard_without_handoffs_says_so(client: Client, supervisor: str) -> None:
    page = await (await client.get(f"/console/supervisor?{RANGE}")).text()
    assert card(page, "Handoff to first response") == "n/a"
    assert card(page, "Queue abandonment") == "n/a"
    assert "No handoff was scored in this period." in page


async def test_the_dashboard_defaults_to_the_last_fourteen_days(
        client: Client, supervisor: str) -> None:
    page = await (await client.get("/console/supervisor")).text()
    assert 'value="2026-02-20"' in page and 'value="2026-03-05"' in page


async def test_an_agent_cannot_open_the_dashboard(client: Client) -> None:
    await login(client, "ann")
    response = await client.get("/console/supervisor", allow_redirects=False)
    assert response.status == 403


@pytest.mark.parametrize("name", list(CHART_TITLES))
async def test_each_chart_is_an_svg_document(client: Client, supervisor: str,
                                             customer_id: int, name: str) -> None:
    response = await client.get(f"/console/supervisor/charts/{name}.svg?{RANGE}")
    assert response.status == 200
    assert response.content_type == "image/svg+xml"
    root = ElementTree.fromstring(await response.read())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


async def test_the_handoff_charts_name_intents_and_working_minutes(
        client: Client, supervisor: str, customer_id: int, handoffs: None) -> None:
    intents = await (await client.get(
        f"/console/supervisor/charts/handoff-intents.svg?{RANGE}")).text()
    assert "human_handoff" in intents and "warranty_claim" in intents and "1/1" in intents
    response = await (await client.get(
        f"/console/supervisor/charts/handoff-response.svg?{RANGE}")).text()
    assert "working minutes" in response and "2 answered" in response


@pytest.mark.parametrize("name", ["handoff-intents", "handoff-response"])
async def test_the_handoff_charts_draw_an_empty_period(client: Client, supervisor: str,
                                                       name: str) -> None:
    response = await client.get(f"/console/supervisor/charts/{name}.svg?{RANGE}")
    assert response.status == 200
    assert "in this period" in await response.text()


async def test_an_unknown_chart_is_not_found(client: Client, supervisor: str) -> None:
    response = await client.get("/console/supervisor/charts/nothing.svg")
    assert response.status == 404


@pytest.mark.parametrize("path", [
    "/console/supervisor?from=2026-02-30", "/console/supervisor/export.csv?to=05-03-2026",
    "/console/supervisor/charts/csat.svg?from=2026-03-05&to=2026-03-01",
])
async def test_a_bad_date_is_a_bad_request_with_a_message(client: Client, supervisor: str,
                                                          path: str) -> None:
    response = await client.get(path)
    assert response.status == 400
    assert "YYYY-MM-DD" in await response.text() or "after" in await response.text()


async def test_the_csv_export_has_one_row_per_ticket(client: Client, supervisor: str,
                                                     console_db: Database,
                                                     customer_id: int) -> None:
    response = await client.get(f"/console/supervisor/export.csv?{RANGE}")
    assert response.status == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    header, *rows = list(csv.reader(io.StringIO(await response.text())))
    assert header[:3] == ["reference", "kind", "status"]
    async with console_db.transaction() as session:
        ticket_id = await session.scalar(select(Ticket.id))
    assert ticket_id is not None
    record = dict(zip(header, rows[0], strict=True))
    assert len(rows) == 1
    assert record["reference"] == reference_for(ticket_id)
    assert (record["channel"], record["language"], record["csat_score"]) == ("telegram", "nl",
                                                                            "4")
    assert (record["first_response_breached"], record["resolution_breached"]) == ("true",
                                                                                  "false")
    assert (record["team"], record["timeout_offered_at"], record["reopened_count"]) == (
        "", "", "0")


async def audit_actions(database: Database) -> list[tuple[str, str, int | None]]:
    async with database.transaction() as session:
        rows = await session.execute(select(AuditEntry.actor, AuditEntry.action,
                                            AuditEntry.entity_id)
                                     .where(AuditEntry.entity == "customer"))
        return [(actor, action, entity_id) for actor, action, entity_id in rows]


async def test_the_customer_search_finds_by_email(client: Client, supervisor: str,
                                                  customer_id: int) -> None:
    page = await (await client.get("/console/supervisor/customers?q=LOTTE@")).text()
    assert "Lotte Jansen" in page
    assert f"/console/supervisor/customers/{customer_id}/export.json" in page


async def test_the_json_export_holds_the_messages_and_is_audited(
        client: Client, supervisor: str, console_db: Database, customer_id: int) -> None:
    response = await client.get(f"/console/supervisor/customers/{customer_id}/export.json")
    assert response.status == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = json.loads(await response.text())
    texts = [m["text"] for m in document["conversations"][0]["messages"]]
    assert texts == ["Mijn router is kapot", "Ik wil een mens"]
    assert await audit_actions(console_db) == [("sue", "privacy_export", customer_id)]


async def test_delete_erases_personal_data_and_is_audited(
        client: Client, supervisor: str, console_db: Database, customer_id: int) -> None:
    response = await client.post(f"/console/supervisor/customers/{customer_id}/delete",
                                 data={"csrf_token": supervisor, "confirm": "yes"})
    assert response.status == 200
    assert "has been erased" in await response.text()
    async with console_db.transaction() as session:
        customer = await session.get(Customer, customer_id)
        texts = list(await session.scalars(select(Message.text)))
        subject = await session.scalar(select(Ticket.subject))
    assert customer is not None and (customer.name, customer.email) == (None, None)
    assert texts == ["[deleted]", "[deleted]"] and subject == "[deleted]"
    assert await audit_actions(console_db) == [("sue", "privacy_delete", customer_id)]


async def test_delete_without_csrf_token_is_refused(
        client: Client, supervisor: str, console_db: Database, customer_id: int) -> None:
    response = await client.post(f"/console/supervisor/customers/{customer_id}/delete",
                                 data={"confirm": "yes"})
    assert response.status == 403
    async with console_db.transaction() as session:
        customer = await session.get(Customer, customer_id)
    assert customer is not None and customer.name == "Lotte Jansen"
    assert await audit_actions(console_db) == []


async def test_delete_needs_the_confirmation(client: Client, supervisor: str,
                                             customer_id: int) -> None:
    response = await client.post(f"/console/supervisor/customers/{customer_id}/delete",
                                 data={"csrf_token": supervisor})
    assert response.status == 400
