"""What happened, told to whoever listens: the core publishes events, the composition root
subscribes the outbox, the console's live hub, the channels and the metrics to them.

Listeners run in the publisher's event loop: a plain function at once, a coroutine
function as a task of its own, so a slow listener never holds up answering. The core
never knows who listens.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from bot.conversation import TurnResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MessageAccepted:
    """An inbound customer message was stored (a duplicate delivery is not one)."""

    channel: str
    message_id: int
    conversation_id: int


@dataclass(frozen=True)
class TurnAnswered:
    """A stored message was answered; its replies are in the outbox."""

    result: TurnResult


@dataclass(frozen=True)
class RepliesQueued:
    """Messages were written to the outbox outside a turn (an agent's reply, a timeout
    offer, a page to the on-call agent): the outbox should look now."""


@dataclass(frozen=True)
class TicketChanged:
    """Something people work on changed (a claim, a reply, a requeue); consoles refresh."""

    ticket_id: int | None = None


@dataclass(frozen=True)
class PresenceChanged:
    """A person joined or left a customer's conversation; channels that can show it in
    the chat (the widget's header) do so. `name` is empty when the person left."""

    channel: str
    chat_id: str
    name: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AgentTyping:
    """The person answering a customer's conversation started (`on`) or stopped typing;
    channels that can show it in the chat (the widget's typing dots with the name) do so.
    A console repeats `on` every few seconds while the agent types, so a channel may let
    the indicator lapse when no repeat comes."""

    channel: str
    chat_id: str
    name: str
    on: bool


@dataclass(frozen=True)
class MessagesSeen:
    """The person answering a customer's conversation has seen the customer's messages up
    to `message_id` (sent at `at`); channels that show delivery states mark them seen."""

    channel: str
    chat_id: str
    message_id: int
    at: datetime


Event = (MessageAccepted | TurnAnswered | RepliesQueued | TicketChanged | PresenceChanged
         | AgentTyping | MessagesSeen)
E = TypeVar("E", MessageAccepted, TurnAnswered, RepliesQueued, TicketChanged,
            PresenceChanged, AgentTyping, MessagesSeen)
Listener = Callable[[E], Awaitable[None] | None]


class Events:
    """Typed publish and subscribe inside one process (the bus carries what must reach
    other replicas)."""

    def __init__(self) -> None:
        self._listeners: defaultdict[type[Any], list[Callable[[Any], Any]]] = \
            defaultdict(list)
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(self, kind: type[E], listener: Listener[E]) -> None:
        self._listeners[kind].append(listener)

    def publish(self, event: Event) -> None:
        for listener in self._listeners[type(event)]:
            try:
                outcome = listener(event)
            except Exception:
                log.exception("listener %r failed on %s", listener, type(event).__name__)
                continue
            if inspect.isawaitable(outcome):
                task = asyncio.ensure_future(self._guarded(outcome, event))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the listeners still running (at shutdown and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @staticmethod
    async def _guarded(outcome: Awaitable[None], event: Event) -> None:
        try:
            await outcome
        except Exception:
            log.exception("listener failed on %s", type(event).__name__)
