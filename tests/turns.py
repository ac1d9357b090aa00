"""A single turn without engine or database, for testing what extractors read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Conversation, Customer, Message
from bot.turn import Services, Turn
from nlu.client import Entity, IntentScore, ParseResult


def turn_saying(text: str, *, lang: str = "en", channel: str = "test",
                external_id: str = "visitor-1", phone: str | None = None,
                entities: dict[str, str] | None = None,
                attachments: list[dict[str, Any]] | None = None) -> Turn:
    """A turn in which the customer says `text`; `entities` are what the NLU model found."""
    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    customer = Customer(channel=channel, external_id=external_id, phone=phone,
                        created_at=now)
    conversation = Conversation(channel=channel, external_chat_id=external_id,
                                customer=customer, created_at=now, last_message_at=now)
    found = tuple(Entity(name, value, text.find(value), text.find(value) + len(value))
                  for name, value in (entities or {}).items())
    parse = ParseResult(text, IntentScore("out_of_scope", 0.3), entities=found)
    return Turn(session=cast(AsyncSession, None), services=cast(Services, None),
                customer=customer, conversation=conversation,
                message=Message(channel=channel, sender="customer", text=text),
                text=text, parse=parse, lang=lang, now=now, state={},
                attachments=attachments or [])
