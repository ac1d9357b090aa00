"""Policy answers from the knowledge base, outage notices and small talk, in three
languages, with the real NLU model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import update

from bot.clock import parse_instant
from bot.config import CompanySettings
from bot.storage.models import Announcement
from tests.conversation import Customer, text_of

_FACTS = {fact["fact"]: fact for fact in yaml.safe_load(
    (Path(__file__).parents[1] / "bot" / "policy_facts.yml").read_text(encoding="utf-8"))}
_VALUES = CompanySettings().placeholders()


@pytest.mark.parametrize(("message", "intent", "expected"), [
    ("wat kost een uur hulp van jullie technici?", "support_costs", "EUR 95"),
    ("Ich habe mein Gerät bei einem Händler gekauft, wer hilft mir?", "reseller_support",
     "/kb/de/reseller-support"),
    ("how fast do you usually answer an email?", "response_times", "2"),
    ("hoe stel ik mijn mail opnieuw in op mijn nieuwe laptop", "mail_setup", "/kb/nl/"),
    ("Gibt es ein neues Firmware-Update für meinen Router?", "software_updates", "/kb/de/"),
    ("do you offer a maintenance contract with priority support?", "service_contract",
     "/kb/en/"),
])
async def test_policy_questions_are_answered_from_the_article(
    customer: Customer, message: str, intent: str, expected: str,
) -> None:
    result = await customer.says(message)
    assert result.intent == intent
    assert expected in text_of(result)


@pytest.mark.parametrize(("fact", "lang"), [
    ("software-assurance", "en"), ("reseller-model-2-delay", "de"), ("priority-order", "nl"),
    ("quote-two-days", "en"), ("training-after-online", "de"), ("mail-service-free-fix", "nl"),
    ("reseller-three-models", "en"), ("personal-mail-24h", "nl"),
])
async def test_a_precise_question_gets_the_section_that_answers_it(
    customer: Customer, fact: str, lang: str,
) -> None:
    entry: dict[str, Any] = _FACTS[fact]
    text = text_of(await customer.says(entry["questions"][lang]))
    assert any(phrase.format(**_VALUES) in text for phrase in entry["says"][lang]), text
    articles = {section.split("#")[0] for section in [entry["section"], *entry["or_from"]]}
    assert any(f"/kb/{lang}/{article}" in text for article in articles), text


async def test_questions_out_of_hours_mention_the_emergency_line(customer: Customer) -> None:
    customer.clock._at = parse_instant("2026-12-25T09:00:00Z")  # Christmas Day
    result = await customer.says("how can I reach your support by phone?")
    assert "+31 20 555 0199" in text_of(result)


async def test_outage_status_reports_current_notices(customer: Customer) -> None:
    quiet = await customer.says("is er op dit moment een storing?")
    assert quiet.intent == "outage_status"
    async with customer.engine.database.transaction() as session:
        session.add(Announcement(kind="outage", text="Mail server EU-2 is down",
                                 created_by="anna", started_at=customer.clock.now()))
    during = await customer.says("Gibt es gerade eine Störung beim Mailserver?")
    assert "Mail server EU-2 is down" in text_of(during)
    async with customer.engine.database.transaction() as session:
        await session.execute(update(Announcement).values(ended_at=customer.clock.now()))
    after = await customer.says("any outage right now?")
    assert "Mail server EU-2" not in text_of(after)


async def test_small_talk_and_out_of_scope(customer: Customer) -> None:
    assert (await customer.says("goedemorgen!")).intent == "greet"
    refusal = await customer.says("can you recommend a good pizza place nearby?")
    assert refusal.intent == "out_of_scope" or "?" in text_of(refusal)
    thanks = await customer.says("thanks a lot for your help")
    assert thanks.intent == "thank"
