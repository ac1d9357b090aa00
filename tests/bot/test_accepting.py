"""Storing inbound messages in groups: a burst is stored once each, in few statements,
with duplicates recognised, chats kept together and idle conversations renewed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from bot.accepting import Acceptor, _Group
from bot.clock import FrozenClock
from bot.conversation import Inbound
from bot.storage.database import Database
from bot.storage.models import Conversation, Customer, Message

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _inbound(message: int, chat: int, text: str = "hallo") -> Inbound:
    return Inbound(channel="telegram", chat_id=str(chat), user_id=str(chat),
                   message_id=str(message), text=text, user_name="Ada")


async def _count(database: Database, model: Any) -> int:
    async with database.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_burst_is_stored_once_each_in_a_few_statements(database: Database) -> None:
    acceptor = Acceptor(database, FrozenClock(NOW), timedelta(hours=24))
    statements: list[str] = []
    event.listen(database.engine.sync_engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    # 100 messages from 40 chats, and 20 of them delivered twice in the same burst
    burst = [_inbound(m, m % 40) for m in range(100)] + [_inbound(m, m % 40) for m in range(20)]
    results = await asyncio.gather(*(acceptor.accept(i) for i in burst))

    assert await _count(database, Message) == 100
    assert await _count(database, Conversation) == 40
    assert await _count(database, Customer) == 40
    first, again = results[:20], results[100:]
    assert [r.message_id for r in again] == [r.message_id for r in first]
    assert all(r.duplicate for r in again) and not any(r.duplicate for r in results[:100])
    by_chat: dict[int, set[int]] = {}
    for index, result in enumerate(results[:100]):
        by_chat.setdefault(index % 40, set()).add(result.conversation_id)
    assert all(len(ids) == 1 for ids in by_chat.values())
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(statements) < 40 and len(inserts) < 10, statements


async def test_a_delivery_stored_earlier_is_a_duplicate(database: Database) -> None:
    acceptor = Acceptor(database, FrozenClock(NOW), timedelta(hours=24))
    stored = await acceptor.accept(_inbound(1, 7))
    again, other = await asyncio.gather(acceptor.accept(_inbound(1, 7)),
                                        acceptor.accept(_inbound(2, 7)))
    assert again.duplicate and again.message_id == stored.message_id
    assert not other.duplicate and other.conversation_id == stored.conversation_id


async def test_after_the_idle_window_a_new_conversation_welcomes_the_customer_back(
        database: Database) -> None:
    clock = FrozenClock(NOW)
    acceptor = Acceptor(database, clock, timedelta(hours=24))
    first = await acceptor.accept(_inbound(1, 7))
    clock.advance(timedelta(hours=25))
    later = await acceptor.accept(_inbound(2, 7))
    assert later.conversation_id != first.conversation_id
    async with database.sessions() as session:
        old, new = (await session.execute(
            select(Conversation).order_by(Conversation.id))).unique().scalars().all()
    assert old.status == "closed" and new.status == "open"
    assert new.state["welcome_back"] is True and new.customer_id == old.customer_id


async def test_a_message_stored_by_another_writer_meanwhile_does_not_hold_back_the_group(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another replica stores message 5 after our check for stored messages: our insert
    of the group fails, so the group is stored one by one and only 5 is a duplicate."""
    await Acceptor(database, FrozenClock(NOW), timedelta(hours=24)).accept(_inbound(5, 5))
    check = _Group._stored
    calls: list[int] = []

    async def misses_it_once(group: _Group, inbounds: list[Inbound]) -> Any:
        calls.append(len(inbounds))
        return {} if len(calls) == 1 else await check(group, inbounds)

    monkeypatch.setattr(_Group, "_stored", misses_it_once)
    ours = Acceptor(database, FrozenClock(NOW), timedelta(hours=24))
    results = await asyncio.gather(*(ours.accept(_inbound(m, m)) for m in range(1, 9)))
    assert calls[0] == 8  # the whole group first
    assert [r.duplicate for r in results] == [m == 5 for m in range(1, 9)]
    assert await _count(database, Message) == 8
