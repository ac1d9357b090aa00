"""The conversation engine: answers a stored inbound message, the same way for every channel.

`answer(message_id)` detects the language, parses the message with the NLU service, runs
the dialogue policy and writes the replies to the outbox in one transaction, idempotently:
an answered message yields no second set of replies. Storing the message is the intake's
job (`bot/intake.py`).
"""

from __future__ import annotations

import asyncio
import copy
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.attachments import refuse_attachments
from bot.clock import Clock
from bot.conversation import CHOICE_PREFIX, INTENT_PREFIX, TurnResult
from bot.domain import ConversationMode
from bot.language_switch import confirm_language_request
from bot.loops import break_loops
from bot.message_kinds import answer_kind
from bot.oncall import OnCallPager
from bot.outbound import queue_reply
from bot.policy import DialoguePolicy
from bot.storage.database import Database
from bot.storage.models import Conversation, Message
from bot.turn import Services, Turn
from nlu.client import IntentScore, ParseResult
from nlu.errors import NluUnavailableError
from nlu.language import LanguageIdentifier


class Parser(Protocol):
    """What the engine needs of the NLU client."""

    async def parse(self, text: str) -> ParseResult: ...


class Waiting(Protocol):
    """Answers a customer while the conversation is with people (see actions/waiting.py)."""

    async def respond(self, turn: Turn) -> bool: ...

    async def after_handoff(self, turn: Turn) -> None: ...


@dataclass(frozen=True)
class Reading:
    """What one message says, given the conversation so far: its language, a button
    choice (`=value`), the parse (from the NLU service or a `/intent` button), whether the
    NLU service was down, and the NLU's own parse, kept so a second reading reuses it."""

    lang: str
    choice: str | None
    parse: ParseResult | None
    nlu_down: bool
    parsed: ParseResult | None


class Engine:
    """Turns stored inbound messages into stored replies in the outbox."""

    def __init__(self, database: Database, nlu: Parser, languages: LanguageIdentifier,
                 policy: DialoguePolicy, services: Services, clock: Clock,
                 default_language: str = "en", waiting: Waiting | None = None,
                 oncall: OnCallPager | None = None) -> None:
        self.database = database
        self.nlu = nlu
        self.languages = languages
        self.policy = policy
        self.services = services
        self.clock = clock
        self.default_language = default_language
        self.waiting = waiting
        self.oncall = oncall
        self._locks: dict[int, asyncio.Lock] = {}
        self._lock_users: defaultdict[int, int] = defaultdict(int)

    async def answer(self, message_id: int, conversation_id: int | None = None) -> TurnResult:
        """Answer a stored inbound message once; an answered one yields no new replies.

        Messages of one conversation are answered one at a time, in the order `answer` was
        called. The language and the NLU parse are worked out before the transaction, so
        no database connection or row lock is held while the NLU service answers; the NLU
        service is asked at most once per message."""
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
            reading = await self._read(seen.text, seen.payload, state, seen.language)
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
                    reading = await self._read(message.text, message.payload, current,
                                               conversation.language, reading.parsed)
                return await self._answer(session, conversation, message, reading)

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
                      message: Message, reading: Reading) -> TurnResult:
        now = self.clock.now()
        state: dict[str, Any] = copy.deepcopy(conversation.state or {})
        lang = reading.lang
        conversation.language = conversation.customer.language = message.language = lang
        parse = reading.parse
        if parse is not None:
            message.intent, message.confidence = parse.intent.name, parse.intent.confidence
        turn = Turn(session=session, services=self.services, customer=conversation.customer,
                    conversation=conversation, message=message, text=message.text,
                    parse=parse, lang=lang, now=now, state=state, choice=reading.choice,
                    attachments=list(message.payload.get("attachments", [])))
        refuse_attachments(turn)
        handled = answer_kind(turn)
        if conversation.mode == ConversationMode.HUMAN and self.waiting is not None:
            handled = await self.waiting.respond(turn)
        # In human mode the bot stays silent: the message waits for a person.
        if conversation.mode != ConversationMode.HUMAN and not handled:
            if state.pop("welcome_back", False) and turn.intent != "greet":
                turn.say("welcome_back")
            if reading.nlu_down and not state.get("form"):
                turn.say("nlu_down", buttons=turn.yes_no())
                state["offer"] = "human_handoff"
            elif not confirm_language_request(turn):
                await self.policy.respond(turn)
            if turn.ticket and conversation.mode == ConversationMode.HUMAN \
                    and self.waiting is not None:
                await self.waiting.after_handoff(turn)
            break_loops(turn)
        state["buttons"] = [b.payload for b in turn.replies[-1].buttons] if turn.replies else []
        conversation.state = state
        message.processed_at = now
        for reply in turn.replies:
            await queue_reply(session, conversation, reply, now)
        if turn.ticket and self.oncall is not None:
            await self.oncall.page(session, turn.ticket, now)
        return TurnResult(message.id, conversation.id, replies=tuple(turn.replies),
                          intent=message.intent, confidence=message.confidence, language=lang,
                          ticket=turn.ticket)

    async def _read(self, text: str, payload: dict[str, Any], state: dict[str, Any],
                    language: str | None, parsed: ParseResult | None = None) -> Reading:
        """The message's language and what it asks, given the conversation so far;
        `parsed` is the NLU's parse of an earlier reading, used instead of asking again."""
        default = state.get("language_hint") or self.default_language
        lang = self.languages.detect(text, language, default=default,
                                     pressed="button" in payload)
        button: str | None = payload.get("button")
        offered = state.get("buttons") or []
        stripped = text.strip()
        if button is None and stripped.isdigit() and 1 <= int(stripped) <= len(offered):
            button = offered[int(stripped) - 1]
        if button and button.startswith(INTENT_PREFIX):
            intent = IntentScore(button.removeprefix(INTENT_PREFIX), 1.0)
            return Reading(lang, None, ParseResult(text, intent), False, parsed)
        if button and button.startswith(CHOICE_PREFIX):
            return Reading(lang, button, None, False, parsed)
        if parsed is None:
            try:
                parsed = await self.nlu.parse(text)
            except NluUnavailableError:
                return Reading(lang, None, None, True, None)
        return Reading(lang, None, parsed, False, parsed)
