"""What a channel is to the core: an inbound side that makes `Inbound` messages (in the
channel's own module) and a sender that delivers `Reply`s. Only text is required of a
sender; buttons and media fall back to text where a platform lacks them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.conversation import Reply


class DeliveryError(Exception):
    """Sending failed; `retry_after` (seconds) is the platform's own wish when it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None,
                 permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


@dataclass(frozen=True)
class Delivery:
    """One reply to deliver, with what the sender needs to choose how."""

    recipient: str
    reply: Reply
    conversation_id: int
    last_inbound_at: datetime | None
    now: datetime


class Sender(Protocol):
    """Delivers replies on one channel; returns the platform's message id(s)."""

    @property
    def channel(self) -> str: ...

    async def send(self, delivery: Delivery) -> str: ...
