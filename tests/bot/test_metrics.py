"""`GET /metrics` against the real app and NLU model, and the database gauges on their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.metrics import Metrics
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Conversation, Customer, Message, OutboxItem, Ticket
from wiring.app import OUTBOX, init_app

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Every sample by (name, sorted labels)."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


@pytest.fixture
async def client(tmp_path: Path,
                 nlu_service: tuple[str, str]) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    url, token = nlu_service
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'metrics.db'}",
                        nlu_url=url, nlu_token=token, public_base_url="https://shop.example.com")
    database = Database(settings.database_url)
    await upgrade(database)
    await database.close()
    test_client: TestClient = TestClient(TestServer(init_app(settings)))  # type: ignore[type-arg]
    await test_client.start_server()
    yield test_client
    await test_client.close()


async def test_a_widget_conversation_moves_the_counters(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    ws = await client.ws_connect("/chat/ws", headers={"Origin": "https://shop.example.com"})
    await ws.send_json({"type": "hello", "token": None, "lang": "en"})
    assert (await ws.receive_json(timeout=5))["type"] == "welcome"
    await ws.send_json({"type": "message", "id": "m1",
                        "text": "What are your opening hours?"})
    while (await ws.receive_json(timeout=15))["type"] != "message":
        pass
    await ws.close()
    await client.app[OUTBOX].run_once()  # nothing may be left pending

    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = parse(await response.text())
    channel = (("channel", "webchat"),)
    assert samples[("supportbot_messages_in_total", channel)] == 1
    assert samples[("supportbot_messages_out_total", channel)] >= 1
    assert samples[("supportbot_nlu_parse_seconds_count", ())] >= 1
    assert samples[("supportbot_reply_seconds_count", channel)] >= 1
    assert samples[("supportbot_outbox_pending", channel)] == 0
    assert samples[("supportbot_outbox_failed", channel)] == 0
    assert samples[("supportbot_sla_first_response_breaches", ())] == 0


async def test_each_app_counts_in_its_own_registry() -> None:
    first, second = Metrics(["webchat"]), Metrics(["webchat"])
    first.message_received("webchat")
    assert parse(first.render().decode())[
        ("supportbot_messages_in_total", (("channel", "webchat"),))] == 1
    assert ("supportbot_messages_in_total", (("channel", "webchat"),)) \
        not in parse(second.render().decode())


async def test_database_gauges_count_outbox_rows_tickets_and_breaches(
    database: Database,
) -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    async with database.transaction() as session:
        customer = Customer(channel="webchat", external_id="c1", created_at=now)
        session.add(customer)
        await session.flush()
        conversation = Conversation(customer_id=customer.id, channel="webchat",
                                    external_chat_id="c1", created_at=now, last_message_at=now)
        session.add(conversation)
        await session.flush()
        message = Message(conversation_id=conversation.id, channel="webchat", direction="out",
                          sender="bot", created_at=now)
        session.add(message)
        await session.flush()
        for status in ("pending", "pending", "failed", "sent"):
            session.add(OutboxItem(conversation_id=conversation.id, message_id=message.id,
                                   channel="webchat", recipient="c1", status=status,
                                   next_attempt_at=now, created_at=now))
        late = now - timedelta(minutes=1)
        for status, due, answered in (("open", late, None), ("open", late, late),
                                      ("claimed", late, None), ("open", now + timedelta(1), None),
                                      ("closed", late, None)):
            session.add(Ticket(kind="handoff", status=status, customer_id=customer.id,
                               created_at=now - timedelta(hours=1), first_response_due=due,
                               first_response_at=answered))

    metrics = Metrics(["webchat", "telegram"])
    await metrics.refresh(database, now)
    samples = parse(metrics.render().decode())

    assert samples[("supportbot_outbox_pending", (("channel", "webchat"),))] == 2
    assert samples[("supportbot_outbox_failed", (("channel", "webchat"),))] == 1
    assert samples[("supportbot_outbox_pending", (("channel", "telegram"),))] == 0
    assert samples[("supportbot_tickets", (("status", "open"),))] == 3
    assert samples[("supportbot_tickets", (("status", "claimed"),))] == 1
    assert ("supportbot_tickets", (("status", "waiting"),)) not in samples
    assert samples[("supportbot_tickets", (("status", "closed"),))] == 1
    assert samples[("supportbot_sla_first_response_breaches", ())] == 2
