"""What an action sees and does in one turn, and the Action protocol every action follows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import BusinessCalendar
from bot.catalogue import Catalogue
from bot.config import AttachmentLimits, CompanySettings
from bot.conversation import Button, Reply
from bot.knowledge import Article, KnowledgeBase
from bot.storage.models import Conversation, Customer, Message
from bot.tickets import TicketDesk
from nlu.client import ParseResult


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
    search_min_score: float = 1.5
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

    def say_article(self, article: Article) -> None:
        """Send an article's chat-sized summary and the link to the full text."""
        link = self.t("read_more", url=self.services.knowledge.link(article))
        self.say_text(f"{article.summary}\n{link}")

    def yes_no(self) -> tuple[Button, ...]:
        return (Button(self.t("button_yes"), "/affirm"), Button(self.t("button_no"), "/deny"))

    def day_name(self, moment: datetime) -> str:
        """A date in the customer's language, e.g. `maandag 30 november 2026`."""
        return format_date(moment.date(), format="full", locale=self.lang)

    def when(self, moment: datetime) -> str:
        """Date and GMT time in the customer's language, e.g. `Montag, 30. November 2026, 06:00`."""
        return f"{self.day_name(moment)}, {moment:%H:%M}"


class Action(Protocol):
    """An action answers one intent; it has a name and one `run`."""

    @property
    def name(self) -> str: ...

    async def run(self, turn: Turn) -> None: ...

