"""Data retention: texts and attachments of conversations that ended long ago are erased,
statistics stay, conversations still being worked are kept, and every run is audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.files import LocalFileStore
from bot.retention import ERASED, apply_retention
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import AuditEntry, Conversation, Customer, Message, Ticket
from cli import main

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def seed(database: Database, key: str, days_ago: int, ticket_status: str | None = None,
               status: str = "closed") -> int:
    at = NOW - timedelta(days=days_ago)
    async with database.transaction() as session:
        customer = Customer(channel="telegram", external_id=key, name="Jan", created_at=at)
        session.add(customer)
        await session.flush()
        conversation = Conversation(customer_id=customer.id, channel="telegram",
                                    external_chat_id=key, language="nl", mode="bot",
                                    status=status, state={}, created_at=at, last_message_at=at)
        session.add(conversation)
        await session.flush()
        session.add_all([
            Message(conversation_id=conversation.id, channel="telegram", direction="in",
                    sender="customer", text="mijn adres is Dorpsstraat 1", intent="greet",
                    confidence=0.9, created_at=at,
                    payload={"attachments": [{"kind": "photo", "reference": "telegram:x"}]}),
            Message(conversation_id=conversation.id, channel="telegram", direction="out",
                    sender="bot", text="Dank je!", payload={}, created_at=at),
        ])
        if ticket_status:
            session.add(Ticket(kind="handoff", status=ticket_status, customer_id=customer.id,
                               conversation_id=conversation.id, created_at=at))
        return conversation.id


async def texts(database: Database, conversation_id: int) -> list[str]:
    async with database.sessions() as session:
        return list((await session.execute(select(Message.text).where(
            Message.conversation_id == conversation_id).order_by(Message.id))).scalars())


async def test_old_conversations_are_erased_and_recent_or_busy_ones_kept(
    database: Database,
) -> None:
    old = await seed(database, "old", days_ago=100)
    recent = await seed(database, "recent", days_ago=5)
    busy = await seed(database, "busy", days_ago=100, ticket_status="open", status="open")
    dry = await apply_retention(database, 90, NOW, dry_run=True)
    assert (dry.conversations, dry.messages, dry.attachments) == (1, 2, 1)
    assert await texts(database, old) == ["mijn adres is Dorpsstraat 1", "Dank je!"]

    report = await apply_retention(database, 90, NOW)
    assert (report.conversations, report.messages, report.attachments) == (1, 2, 1)
    assert await texts(database, old) == [ERASED, ERASED]
    assert await texts(database, recent) == ["mijn adres is Dorpsstraat 1", "Dank je!"]
    assert await texts(database, busy) == ["mijn adres is Dorpsstraat 1", "Dank je!"]
    async with database.sessions() as session:
        intents = (await session.execute(select(Message.intent).where(
            Message.conversation_id == old, Message.direction == "in"))).scalars().all()
        entries = (await session.execute(select(AuditEntry).where(
            AuditEntry.entity == "retention"))).scalars().all()
    assert intents == ["greet"]  # statistics stay
    assert len(entries) == 1 and entries[0].after["messages"] == 2
    assert (await apply_retention(database, 90, NOW)).messages == 0  # nothing twice


def test_cli_dry_run_shows_what_would_be_erased(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    url = f"sqlite+aiosqlite:///{tmp_path / 'retention.db'}"

    async def prepare() -> None:
        database = Database(url)
        await upgrade(database)
        await seed(database, "ancient", days_ago=4000)
        await database.close()

    asyncio.run(prepare())
    monkeypatch.setenv("SUPPORTBOT_DATABASE_URL", url)
    assert main(["retention", "run", "--dry-run", "--days", "30"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["dry_run"] is True and report["messages"] == 2
    assert "would erase 2 messages" in captured.err
    monkeypatch.delenv("SUPPORTBOT_RETENTION_DAYS", raising=False)
    assert main(["retention", "run"]) == 2  # no period configured: a clear error


async def test_stored_files_go_with_their_messages_unless_another_message_holds_them(
    database: Database, tmp_path: Path,
) -> None:
    store = LocalFileStore(tmp_path / "files")
    only_old = await store.put(b"%PDF-1.7 invoice of the old conversation")
    shared = await store.put(b"\xff\xd8\xff\xe0 the same photo sent twice")
    old = await seed(database, "old-files", days_ago=100)
    recent = await seed(database, "recent-files", days_ago=5)
    for conversation_id, keys in ((old, [only_old, shared]), (recent, [shared])):
        async with database.transaction() as session:
            message = (await session.execute(select(Message).where(
                Message.conversation_id == conversation_id, Message.direction == "in"))
            ).scalar_one()
            message.payload = {"attachments": [
                {"kind": "photo", "reference": f"telegram:{key[:8]}", "file": key}
                for key in keys]}
    report = await apply_retention(database, 90, NOW, files=store)
    assert report.attachments == 2
    assert not await store.exists(only_old)
    assert await store.exists(shared)  # the recent conversation still shows it
