"""Callbacks and canned replies as agents work them: outcomes with notes, retries,
rescheduling, edits per language, all audited; and the pages behind a login."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import AuditEntry, Callback, Customer, Ticket
from console import callbacks, canned
from console.actors import Actor, DeskError
from tests.console.helpers import login

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ANNA = Actor("anna", "Anna")
Client = TestClient[Any, Any]
_numbers = itertools.count(1)


async def schedule(database: Database, minutes_from_now: int = 5) -> int:
    async with database.transaction() as session:
        customer = Customer(channel="telegram", external_id=f"tg-{next(_numbers)}",
                            name="Piet", created_at=NOW)
        session.add(customer)
        await session.flush()
        ticket = Ticket(kind="callback", status="open", customer_id=customer.id, created_at=NOW)
        session.add(ticket)
        await session.flush()
        callback = Callback(ticket_id=ticket.id, phone_e164="+31205550111", topic="mail",
                            due_at=NOW + timedelta(minutes=minutes_from_now), created_at=NOW)
        session.add(callback)
        await session.flush()
        return callback.id


async def test_no_answer_retries_then_marks_unreachable(database: Database) -> None:
    callback_id = await schedule(database)
    assert await callbacks.record_outcome(database, callback_id, ANNA, "no_answer",
                                          "voicemail", NOW) == "scheduled"
    rows = await callbacks.scheduled(database)
    assert rows[0].due_at == NOW + timedelta(minutes=10) and rows[0].attempts == 1
    for _ in range(2):
        status = await callbacks.record_outcome(database, callback_id, ANNA, "no_answer", "",
                                                NOW)
    assert status == "unreachable" and await callbacks.scheduled(database) == []
    async with database.sessions() as session:
        actions = (await session.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "callback"))).scalars().all()
    assert actions == ["no_answer"] * 3


async def test_done_and_rescheduled_with_notes(database: Database) -> None:
    first, second = await schedule(database), await schedule(database)
    assert await callbacks.record_outcome(database, first, ANNA, "done", "fixed", NOW) == "done"
    with pytest.raises(DeskError, match="future"):
        await callbacks.record_outcome(database, second, ANNA, "rescheduled", "", NOW, NOW)
    later = NOW + timedelta(hours=3)
    await callbacks.record_outcome(database, second, ANNA, "rescheduled", "after lunch", NOW,
                                   later)
    rows = await callbacks.scheduled(database)
    assert [(r.id, r.due_at, r.note) for r in rows] == [(second, later, "after lunch")]
    with pytest.raises(DeskError, match="not scheduled"):
        await callbacks.record_outcome(database, first, ANNA, "done", "", NOW)


async def test_canned_replies_are_kept_per_language_and_edits_audited(
    database: Database,
) -> None:
    reply_id = await canned.save(database, ANNA, "nl", "Groet", "Hallo, waarmee kan ik helpen?",
                                 NOW)
    await canned.save(database, ANNA, "de", "Gruß", "Hallo, wie kann ich helfen?", NOW)
    await canned.save(database, ANNA, "nl", "Groet", "Goedendag! Waarmee kan ik helpen?", NOW,
                      reply_id)
    assert [r.text for r in await canned.replies(database, "nl")] == \
        ["Goedendag! Waarmee kan ik helpen?"]
    with pytest.raises(DeskError, match="language"):
        await canned.save(database, ANNA, "fr", "Salut", "Bonjour", NOW)
    await canned.delete(database, ANNA, reply_id, NOW)
    assert [r.language for r in await canned.replies(database)] == ["de"]
    async with database.sessions() as session:
        actions = (await session.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "canned_reply"))).scalars().all()
    assert actions == ["save", "save", "save", "delete"]


@pytest.fixture
def console_now() -> datetime:
    return NOW


async def test_callback_page_records_an_outcome_through_the_form(
    client: Client, console_db: Database,
) -> None:
    callback_id = await schedule(console_db)
    csrf = await login(client, "ann")
    page = await client.get("/console/callbacks")
    assert "+31205550111" in await page.text()
    refused = await client.post(f"/console/callbacks/{callback_id}", allow_redirects=False,
                                data={"outcome": "done"})
    assert refused.status == 403
    saved = await client.post(f"/console/callbacks/{callback_id}", allow_redirects=False,
                              data={"outcome": "done", "note": "called", "csrf_token": csrf})
    assert saved.status == 302
    assert saved.headers["Location"].endswith("?message=Callback%20saved:%20done&ok=1")
    assert await callbacks.scheduled(console_db) == []


async def test_canned_replies_page_adds_and_the_api_lists_by_language(client: Client) -> None:
    csrf = await login(client, "ann")
    added = await client.post("/console/canned", data={"language": "en", "title": "Hi there",
                                                       "text": "Hello, how can I help?",
                                                       "csrf_token": csrf})
    assert 'class="status-ok"' in await added.text()  # saved is a success, not an error
    english = (await (await client.get("/console/api/canned?lang=en")).json())["replies"]
    dutch = (await (await client.get("/console/api/canned?lang=nl")).json())["replies"]
    assert "Hi there" in [r["title"] for r in english]
    assert "Hi there" not in [r["title"] for r in dutch]
    assert {r["language"] for r in dutch} == {"nl"}
