"""The conversation engine: the one entry point from every channel.

`process(inbound)` persists the message, detects the language, parses it with the NLU
service, runs the dialogue policy and writes the replies to the outbox, idempotently:
the same channel message id twice gives one set of replies.
"""

from __future__ import annotations

import asyncio
import copy
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.accepting import Acceptor
from bot.attachments import refuse_attachments
from bot.clock import Clock
from bot.conversation import Inbound, Reply, TurnResult
from bot.message_kinds import answer_kind
from bot.outbound import queue_reply
from bot.policy import DialoguePolicy
from bot.storage.database import Database
from bot.storage.models import Conversation, Message
from bot.turn import Services, Turn
from nlu.client import IntentScore, ParseResult
from nlu.errors import NluUnavailableError
from nlu.language import LanguageIdentifier

# (button choice, NLU parse, NLU service down) for one message
Understood = tuple[str | None, ParseResult | None, bool]


class Parser(Protocol):
    """What the engine needs of the NLU client."""

    async def parse(self, text: str) -> ParseResult: ...


class Waiting(Protocol):
    """Answers a customer while the conversation is with people (see actions/waiting.py)."""

    async def respond(self, turn: Turn) -> bool: ...

    async def after_handoff(self, turn: Turn) -> None: ...


class Engine:
    """Turns inbound messages into stored replies in the outbox."""

    def __init__(self, database: Database, nlu: Parser, languages: LanguageIdentifier,
                 policy: DialoguePolicy, services: Services, clock: Clock,
                 default_language: str = "en", waiting: Waiting | None = None) -> None:
        self.database = database
        self.nlu = nlu
        self.languages = languages
        self.policy = policy
        self.services = services
        self.clock = clock
        self.default_language = default_language
        self.waiting = waiting
        self.acceptor = Acceptor(database, clock, services.lifecycle.idle_window)
        self._locks: dict[int, asyncio.Lock] = {}
        self._lock_users: defaultdict[int, int] = defaultdict(int)

    async def process(self, inbound: Inbound) -> TurnResult:
        """Accept and answer one inbound message."""
        message_id, conversation_id, duplicate = await self.accept(inbound)
        if duplicate:
            return TurnResult(message_id, conversation_id, duplicate=True)
        return await self.handle(message_id, conversation_id)

    async def accept(self, inbound: Inbound) -> tuple[int, int, bool]:
        """Persist the inbound message; returns (message id, conversation id, duplicate)."""
        accepted = await self.acceptor.accept(inbound)
        return accepted.message_id, accepted.conversation_id, accepted.duplicate

    async def handle(self, message_id: int, conversation_id: int | None = None) -> TurnResult:
        """Answer a stored inbound message once; a processed one yields no new replies.

        Messages of one conversation are answered one at a time, in the order `handle` was
        called. The language and the NLU parse are worked out before the transaction, so
        no database connection or row lock is held while the NLU service answers."""
        if conversation_id is None:
            async with self.database.sessions() as session:
                conversation_id = (await session.execute(
                    select(Message.conversation_id).where(Message.id == message_id)
                )).scalar_one()
        async with self._conversation_lock(conversation_id):
            async with self.database.sessions() as session:
                seen = (await session.execute(
                    select(Message.text, Message.payload, Message.processed_at,
                           Conversation.state, Conversation.language)
                    .join(Conversation, Conversation.id == Message.conversation_id)
                    .where(Message.id == message_id))).one()
            if seen.processed_at is not None:
                return TurnResult(message_id, conversation_id, duplicate=True)
            state = seen.state or {}
            lang, understood = await self._read(seen.text, seen.payload, state, seen.language)
            async with self.database.transaction() as session:
                message = (await session.execute(
                    select(Message).where(Message.id == message_id).with_for_update()
                )).scalar_one()
                if message.processed_at is not None:
                    return TurnResult(message.id, conversation_id, duplicate=True)
                conversation = (await session.execute(
                    select(Conversation).where(Conversation.id == conversation_id)
                )).unique().scalar_one()
                current = conversation.state or {}
                if conversation.language != seen.language or \
                        current.get("buttons") != state.get("buttons") or \
                        current.get("language_hint") != state.get("language_hint"):
                    # Another replica answered in between: read the message again.
                    lang, understood = await self._read(message.text, message.payload,
                                                        current, conversation.language)
                return await self._answer(session, conversation, message, lang, understood)

    @asynccontextmanager
    async def _conversation_lock(self, conversation_id: int) -> AsyncIterator[None]:
        """One turn at a time per conversation; the lock is dropped when nobody waits."""
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._lock_users[conversation_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._lock_users[conversation_id] -= 1
            if not self._lock_users[conversation_id]:
                del self._lock_users[conversation_id], self._locks[conversation_id]

    async def _answer(self, session: AsyncSession, conversation: Conversation,
                      message: Message, lang: str, understood: Understood) -> TurnResult:
        now = self.clock.now()
        state: dict[str, Any] = copy.deepcopy(conversation.state or {})
        conversation.language = conversation.customer.language = message.language = lang
        choice, parse, nlu_down = understood
        if parse is not None:
            message.intent, message.confidence = parse.intent.name, parse.intent.confidence
        turn = Turn(session=session, services=self.services, customer=conversation.customer,
                    conversation=conversation, message=message, text=message.text,
                    parse=parse, lang=lang, now=now, state=state, choice=choice,
                    attachments=list(message.payload.get("attachments", [])))
        refuse_attachments(turn)
        handled = answer_kind(turn)
        if conversation.mode == "human" and self.waiting is not None:
            handled = await self.waiting.respond(turn)
        # In human mode the bot stays silent: the message waits for a person.
        if conversation.mode != "human" and not handled:
            if state.pop("welcome_back", False) and turn.intent != "greet":
                turn.say("welcome_back")
            if nlu_down and not state.get("form"):
                turn.say("nlu_down", buttons=turn.yes_no())
                state["offer"] = "human_handoff"
            else:
                await self.policy.respond(turn)
            if turn.ticket and conversation.mode == "human" and self.waiting is not None:
                await self.waiting.after_handoff(turn)
        state["buttons"] = [b.payload for b in turn.replies[-1].buttons] if turn.replies else []
        conversation.state = state
        message.processed_at = now
        for reply in turn.replies:
            await self._queue(session, conversation, reply, now)
        return TurnResult(message.id, conversation.id, replies=tuple(turn.replies),
                          intent=message.intent, confidence=message.confidence, language=lang,
                          ticket=turn.ticket)

    async def _read(self, text: str, payload: dict[str, Any], state: dict[str, Any],
                    language: str | None) -> tuple[str, Understood]:
        """The message's language and what it asks, given the conversation so far."""
        default = state.get("language_hint") or self.default_language
        lang = self.languages.detect(text, language, default=default)
        return lang, await self._understand(text, payload, state)

    async def _understand(self, text: str, payload: dict[str, Any],
                          state: dict[str, Any]) -> Understood:
        """Return (button choice, parse result, NLU down) for a message."""
        button: str | None = payload.get("button")
        offered = state.get("buttons") or []
        stripped = text.strip()
        if button is None and stripped.isdigit() and 1 <= int(stripped) <= len(offered):
            button = offered[int(stripped) - 1]
        if button and button.startswith("/"):
            return None, ParseResult(text, IntentScore(button[1:], 1.0)), False
        if button and button.startswith("="):
            return button, None, False
        try:
            return None, await self.nlu.parse(text), False
        except NluUnavailableError:
            return None, None, True

    async def _queue(self, session: AsyncSession, conversation: Conversation, reply: Reply,
                     now: Any) -> None:
        await queue_reply(session, conversation, reply, now)
