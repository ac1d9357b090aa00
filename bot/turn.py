"""What an action sees and does in one turn, and the Action protocol every action follows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import phonenumbers
from babel.dates import format_date
from phonenumbers import timezone as phone_timezones
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import BusinessCalendar
from bot.catalogue import Catalogue
from bot.config import AttachmentLimits, CompanySettings
from bot.conversation import Button, Reply
from bot.knowledge import KnowledgeBase
from bot.storage.models import Conversation, Customer, Message
from bot.tickets import TicketDesk
from nlu.client import ParseResult

DEFAULT_TIMEZONE = "Europe/Amsterdam"
_GMT = ZoneInfo("UTC")


@dataclass(frozen=True)
class Lifecycle:
    """Time limits and attachment limits of conversations (from the settings)."""

    idle_window: timedelta = timedelta(hours=24)
    csat_expiry: timedelta = timedelta(days=3)
    attachment_limits: Mapping[str, AttachmentLimits] = field(default_factory=dict)


@dataclass(frozen=True)
class Services:
    """The long-lived parts actions use; built once by the composition root."""

    catalogue: Catalogue
    knowledge: KnowledgeBase
    calendar: BusinessCalendar
    desk: TicketDesk
    company: CompanySettings
    confidence_threshold: float = 0.55
    digression_threshold: float = 0.80
    search_min_score: float = 8.0  # BM25 over sections (bot/kb_sections.py)
    lifecycle: Lifecycle = field(default_factory=Lifecycle)


@dataclass
class Turn:
    """One inbound message being answered: context in, replies and state changes out."""

    session: AsyncSession
    services: Services
    customer: Customer
    conversation: Conversation
    message: Message
    text: str
    parse: ParseResult | None
    lang: str
    now: datetime
    state: dict[str, Any]
    choice: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    ticket: str | None = None

    @property
    def intent(self) -> str | None:
        return self.parse.intent.name if self.parse else None

    @property
    def confidence(self) -> float:
        return self.parse.intent.confidence if self.parse else 0.0

    def t(self, key: str, **values: object) -> str:
        """The catalogue text for `key` in the conversation's language."""
        return self.services.catalogue.text(self.lang, key, **values)

    def say(self, key: str, *, buttons: tuple[Button, ...] = (), **values: object) -> None:
        self.replies.append(Reply(self.t(key, **values), buttons))

    def say_text(self, text: str, buttons: tuple[Button, ...] = ()) -> None:
        self.replies.append(Reply(text, buttons))

    def yes_no(self) -> tuple[Button, ...]:
        return (Button(self.t("button_yes"), "/affirm"), Button(self.t("button_no"), "/deny"))

    @property
    def timezone(self) -> ZoneInfo:
        """The customer's time zone, from their country: the phone number they gave or
        write from (WhatsApp), else a country noted in the conversation, else Amsterdam."""
        for number in (self.customer.phone, self._channel_number()):
            zone = _zone_of_number(number)
            if zone:
                return ZoneInfo(zone)
        country = self.state.get("country")
        zone = _zone_of_country(country) if isinstance(country, str) else None
        return ZoneInfo(zone or DEFAULT_TIMEZONE)

    def _channel_number(self) -> str | None:
        if self.customer.channel != "whatsapp":
            return None
        number = self.customer.external_id.removeprefix("whatsapp:")
        return number if number.startswith("+") else f"+{number}"

    def day_name(self, moment: datetime) -> str:
        """The customer's local date in their language, e.g. `maandag 30 november 2026`."""
        return format_date(moment.astimezone(self.timezone).date(), format="full",
                           locale=self.lang)

    def time_of_day(self, moment: datetime) -> str:
        """The customer's local time with GMT beside it, e.g. `07:00 (06:00 GMT)`; just
        `06:00 GMT` where local time is GMT."""
        local, gmt = moment.astimezone(self.timezone), moment.astimezone(_GMT)
        if local.utcoffset() == timedelta(0):
            return f"{gmt:%H:%M} GMT"
        return f"{local:%H:%M} ({gmt:%H:%M} GMT)"

    def when(self, moment: datetime) -> str:
        """Local date and time in the customer's language with GMT beside it, e.g.
        `Montag, 30. November 2026, 07:00 (06:00 GMT)`."""
        return f"{self.day_name(moment)}, {self.time_of_day(moment)}"


def _zone_of_number(number: str | None) -> str | None:
    """The first time zone of a phone number's region, or None if it cannot tell."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return None
    zones = [z for z in phone_timezones.time_zones_for_number(parsed) if not z.startswith("Etc/")]
    return zones[0] if zones else None


def _zone_of_country(country: str) -> str | None:
    """The first time zone of an ISO country code (via an example number of the region)."""
    example = phonenumbers.example_number(country.upper())
    return _zone_of_number(phonenumbers.format_number(
        example, phonenumbers.PhoneNumberFormat.E164)) if example else None


class Action(Protocol):
    """An action answers one intent; it has a name and one `run`."""

    @property
    def name(self) -> str: ...

    async def run(self, turn: Turn) -> None: ...

