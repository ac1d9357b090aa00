"""What a channel is to the core: an inbound side that makes `Inbound` messages (in the
channel's own module) and a sender that delivers `Reply`s. Only text is required of a
sender; buttons and media fall back to text where a platform lacks them.

A `Channel` is built when the app is assembled (so it can add its routes), then started
with a `ChannelContext` once the database and the intake exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from aiohttp import web

from bot.conversation import Reply

if TYPE_CHECKING:
    from bot.bus import EventBus
    from bot.clock import Clock
    from bot.config import Settings
    from bot.intake import Intake
    from bot.storage.database import Database


class ChannelStartError(Exception):
    """A channel cannot start with its settings (a token the platform rejects); the
    message names the setting to fix and never holds a secret."""


class DeliveryError(Exception):
    """Sending failed; `retry_after` (seconds) is the platform's own wish when it gave one.

    `parts_sent` counts the chunks of a long reply that did reach the platform before the
    failure (including those of earlier attempts), so a retry sends only the rest;
    `sent_ids` are their platform ids.
    """

    def __init__(self, message: str, *, retry_after: float | None = None,
                 permanent: bool = False, parts_sent: int | None = None,
                 sent_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent
        self.parts_sent = parts_sent
        self.sent_ids = sent_ids


def outcome_unknown(platform: str, error: Exception, parts_sent: int,
                    sent_ids: list[str]) -> DeliveryError:
    """A send the platform may have carried out without our hearing so (the request went
    out, no answer came within the send timeout): it is not repeated, so a customer never
    gets a reply twice, and its row is failed with this reason for people to see."""
    return DeliveryError(
        f"{platform} did not confirm the send ({type(error).__name__}: {error}); the "
        f"message may have arrived, so it is not sent again", permanent=True,
        parts_sent=parts_sent, sent_ids=tuple(sent_ids))


@dataclass(frozen=True)
class Delivery:
    """One reply to deliver, with what the sender needs to choose how."""

    recipient: str
    reply: Reply
    conversation_id: int
    last_inbound_at: datetime | None
    now: datetime
    message_id: int = 0
    sender: str = "bot"
    parts_sent: int = 0
    sent_ids: tuple[str, ...] = ()


class Sender(Protocol):
    """Delivers replies on one channel; returns the platform's message id(s)."""

    @property
    def channel(self) -> str: ...

    async def send(self, delivery: Delivery) -> str: ...


@dataclass(frozen=True)
class ChannelContext:
    """What a running channel may use of the app."""

    settings: Settings
    intake: Intake
    database: Database
    clock: Clock
    bus: EventBus


@runtime_checkable
class ShowsPresence(Protocol):
    """A channel that can show in the chat who is talking (the widget's header)."""

    async def show_presence(self, chat_id: str, name: str) -> None: ...


@runtime_checkable
class ShowsTyping(Protocol):
    """A channel that can show in the chat that a person is typing (the widget sends
    `{"type": "typing", "on": true, "from": "agent", "name": ...}`)."""

    async def show_typing(self, chat_id: str, name: str, on: bool) -> None: ...


@runtime_checkable
class ShowsSeen(Protocol):
    """A channel that can mark the customer's messages as seen by a person (the widget
    sends `{"type": "seen", "up_to": message id, "at": ISO time}`)."""

    async def show_seen(self, chat_id: str, message_id: int, at: datetime) -> None: ...


class Channel(Sender, Protocol):
    """A channel as the app runs it: routes, a lifecycle and a sender."""

    def add_routes(self, app: web.Application) -> None: ...

    async def start(self, context: ChannelContext) -> None: ...

    async def stop(self) -> None: ...
