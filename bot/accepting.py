"""Storing inbound messages in groups (group commit).

Every message that arrives while a store is in progress waits for the next one, which
writes the whole group in one transaction with a few set-based statements: a burst of a
hundred webhooks costs seven queries and one commit instead of seven queries and a commit
each. A message is acknowledged only after its group is committed. If a group fails
because a concurrent writer stored one of its messages first, its messages are stored
one by one, so a duplicate is recognised and nothing else is held back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.conversation import Inbound
from bot.domain import ConversationMode
from bot.storage.database import Database
from bot.storage.models import Conversation, Customer, Message

MAX_GROUP = 100
# Core statements on the tables: the ORM's bulk paths cost several times more CPU per row,
# and this is the path every webhook waits for
MESSAGE_TABLE, CONVERSATION_TABLE, CUSTOMER_TABLE = (
    cast(Table, model.__table__) for model in (Message, Conversation, Customer))
MESSAGES, CONVERSATIONS, CUSTOMERS = (
    table.c for table in (MESSAGE_TABLE, CONVERSATION_TABLE, CUSTOMER_TABLE))


@dataclass(frozen=True)
class Accepted:
    """Where an inbound message was stored; `duplicate` if it had been stored before."""

    message_id: int
    conversation_id: int
    duplicate: bool


class _Waiting(NamedTuple):
    inbound: Inbound
    future: asyncio.Future[Accepted]
    since: float  # loop time it arrived


class Acceptor:
    """Stores inbound messages, grouping those that arrive together. `on_stored` hears,
    after each group, how long its first message waited until it was committed."""

    def __init__(self, database: Database, clock: Clock, idle_window: timedelta, *,
                 on_stored: Callable[[float], None] | None = None) -> None:
        self.database = database
        self.clock = clock
        self.idle_window = idle_window
        self.on_stored = on_stored
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def accept(self, inbound: Inbound) -> Accepted:
        """Store `inbound` (or find it stored) and return where it is, once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Accepted] = loop.create_future()
        self._waiting.append(_Waiting(inbound, future, loop.time()))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="accept-writer")
        return await future

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            group, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
            try:
                _settle(group, await self._store_group([one.inbound for one in group]))
            except IntegrityError:
                for one in group:
                    await self._store_alone(one)
            except Exception as error:  # the database is down: every webhook gets a 5xx
                _fail(group, error)
            if self.on_stored is not None:
                self.on_stored(loop.time() - group[0].since)

    async def _store_alone(self, waiting: _Waiting) -> None:
        inbound = waiting.inbound
        try:
            try:
                result = await self._store_group([inbound])
            except IntegrityError:  # stored meanwhile by another replica
                result = await self._store_group([inbound])
            _settle([waiting], result)
        except Exception as error:
            _fail([waiting], error)

    async def _store_group(self, inbounds: list[Inbound]) -> list[Accepted]:
        async with self.database.transaction(urgent=True) as session:
            return await _Group(session, self.clock.now(), self.idle_window).store(inbounds)


def _settle(group: list[_Waiting], results: list[Accepted]) -> None:
    for waiting, result in zip(group, results, strict=True):
        if not waiting.future.done():  # the webhook may have given up waiting
            waiting.future.set_result(result)


def _fail(group: list[_Waiting], error: Exception) -> None:
    for waiting in group:
        if not waiting.future.done():
            waiting.future.set_exception(error)


class _Group:
    """One transaction storing a group of inbound messages. New rows are inserted with one
    multi-row INSERT per table and matched back by their natural keys (RETURNING gives no
    order guarantee on SQLite)."""

    def __init__(self, session: AsyncSession, now: datetime, idle_window: timedelta) -> None:
        self.session = session
        self.now = now
        self.idle_window = idle_window

    async def store(self, inbounds: list[Inbound]) -> list[Accepted]:
        stored = await self._stored(inbounds)
        fresh: dict[tuple[str, str], Inbound] = {}
        for inbound in inbounds:
            if _key(inbound) not in stored:
                fresh.setdefault(_key(inbound), inbound)
        if fresh:
            conversations = await self._conversations(list(fresh.values()))
            rows = [{"conversation_id": conversations[(i.channel, i.chat_id)],
                     "channel": i.channel, "channel_message_id": i.message_id,
                     "direction": "in", "sender": "customer", "text": i.text,
                     "payload": _payload(i), "created_at": i.received_at or self.now}
                    for i in fresh.values()]
            inserted = await self.session.execute(
                insert(MESSAGE_TABLE).returning(
                    MESSAGES.channel, MESSAGES.channel_message_id, MESSAGES.id,
                    MESSAGES.conversation_id), rows)
            new = {(channel, message_id or ""): (id_, conversation_id)
                   for channel, message_id, id_, conversation_id in inserted}
        else:
            new = {}
        results = []
        for inbound in inbounds:
            key = _key(inbound)
            if key in new:  # stored now; a second copy in this group is a duplicate
                results.append(Accepted(*new.pop(key), duplicate=False))
                stored[key] = results[-1].message_id, results[-1].conversation_id
            else:
                results.append(Accepted(*stored[key], duplicate=True))
        return results

    async def _stored(self, inbounds: list[Inbound]) -> dict[tuple[str, str], tuple[int, int]]:
        keys = list({_key(inbound) for inbound in inbounds})
        rows = await self.session.execute(
            select(MESSAGES.channel, MESSAGES.channel_message_id, MESSAGES.id,
                   MESSAGES.conversation_id)
            .where(tuple_(MESSAGES.channel, MESSAGES.channel_message_id).in_(keys)))
        return {(channel, message_id or ""): (id_, conversation_id)
                for channel, message_id, id_, conversation_id in rows}

    async def _conversations(self, inbounds: list[Inbound]) -> dict[tuple[str, str], int]:
        """The open conversation of every chat (its id), started where there is none or
        the old one has been idle too long (then a new conversation, same customer)."""
        chats = {(i.channel, i.chat_id): i for i in reversed(inbounds)}  # first one wins
        latest: dict[tuple[str, str], datetime] = {}
        for inbound in inbounds:
            chat = (inbound.channel, inbound.chat_id)
            sent = inbound.received_at or self.now
            latest[chat] = max(latest.get(chat, sent), sent)
        found: dict[tuple[str, str], int] = {}
        returning = set()
        rows = await self.session.execute(
            select(CONVERSATIONS.id, CONVERSATIONS.channel, CONVERSATIONS.external_chat_id,
                   CONVERSATIONS.mode, CONVERSATIONS.last_message_at)
            .where(tuple_(CONVERSATIONS.channel, CONVERSATIONS.external_chat_id)
                   .in_(list(chats)), CONVERSATIONS.status == "open")
            .order_by(CONVERSATIONS.id.desc()))
        closing = []
        for id_, channel, chat_id, mode, last_message_at in rows:
            chat = (channel, chat_id)
            if chat in found or chat in returning:
                continue
            if mode == ConversationMode.BOT and self.now - last_message_at > self.idle_window:
                closing.append(id_)
                returning.add(chat)
            else:
                found[chat] = id_
        if closing:
            await self.session.execute(update(CONVERSATION_TABLE).where(
                CONVERSATIONS.id.in_(closing)).values(status="closed"))
        if found:
            await self.session.execute(
                update(CONVERSATION_TABLE).where(CONVERSATIONS.id == bindparam("found_id"))
                .values(last_message_at=bindparam("latest")),
                [{"found_id": id_, "latest": latest[chat]} for chat, id_ in found.items()])
        starting = {chat: inbound for chat, inbound in chats.items() if chat not in found}
        if starting:
            customers = await self._customers(list(starting.values()))
            inserted = await self.session.execute(
                insert(CONVERSATION_TABLE).returning(
                    CONVERSATIONS.id, CONVERSATIONS.channel, CONVERSATIONS.external_chat_id),
                [{"customer_id": customers[(i.channel, i.user_id)], "channel": i.channel,
                  "external_chat_id": i.chat_id, "language": None, "mode": "bot",
                  "status": "open", "created_at": self.now, "last_message_at": latest[chat],
                  "state": {"language_hint": i.language_hint,
                            "welcome_back": chat in returning}}
                 for chat, i in starting.items()])
            found.update({(channel, chat_id): id_ for id_, channel, chat_id in inserted})
        return found

    async def _customers(self, inbounds: list[Inbound]) -> dict[tuple[str, str], int]:
        people = {(i.channel, i.user_id): i for i in reversed(inbounds)}
        known: dict[tuple[str, str], int] = {
            (channel, external_id): id_ for id_, channel, external_id in
            await self.session.execute(
                select(CUSTOMERS.id, CUSTOMERS.channel, CUSTOMERS.external_id).where(
                    tuple_(CUSTOMERS.channel, CUSTOMERS.external_id).in_(list(people))))}
        missing = [i for person, i in people.items() if person not in known]
        if missing:
            inserted = await self.session.execute(
                insert(CUSTOMER_TABLE).returning(
                    CUSTOMERS.id, CUSTOMERS.channel, CUSTOMERS.external_id),
                [{"channel": i.channel, "external_id": i.user_id, "name": i.user_name,
                  "language": i.language_hint, "created_at": self.now} for i in missing])
            known.update({(channel, external_id): id_
                          for id_, channel, external_id in inserted})
        return known


def _key(inbound: Inbound) -> tuple[str, str]:
    return inbound.channel, inbound.message_id


def _payload(inbound: Inbound) -> dict[str, Any]:
    payload: dict[str, Any] = dict(inbound.details or {})
    if inbound.payload:
        payload["button"] = inbound.payload
    if inbound.attachments:
        payload["attachments"] = [asdict(a) for a in inbound.attachments]
    if inbound.kind != "text":
        payload["kind"] = inbound.kind
    if inbound.content:
        payload["content"] = dict(inbound.content)
    if inbound.edit_of:
        payload["edit_of"] = inbound.edit_of
    return payload
