"""Phrasings real customers use that the model once missed: a plain question whether
anyone is there today, and near misses that deserve the polite out-of-scope answer rather
than a clarification question or the offer of a colleague (nlu/data/nlu.yml)."""

from __future__ import annotations

import pytest

from bot.clock import parse_instant
from tests.conversation import Customer, text_of

CHRISTMAS_MORNING = "2026-12-25T09:00:00Z"


@pytest.mark.parametrize("text", [
    "is anyone available today?",
    "is er vandaag iemand beschikbaar?",
    "ist heute jemand da?",
])
async def test_asking_whether_anyone_is_there_today_is_about_opening_hours(
        customer: Customer, text: str) -> None:
    customer.clock._at = parse_instant(CHRISTMAS_MORNING)
    result = await customer.says(text)
    assert result.intent == "support_hours"
    clarify = customer.engine.services.catalogue.text(result.language, "clarify")
    assert clarify not in text_of(result)


@pytest.mark.parametrize(("text", "language"), [
    ("do you sponsor our football club?", "en"),
    ("which smartphone should I buy?", "en"),
    ("can you write my cover letter for a job at a bank", "en"),
    ("welke smartphone moet ik kopen?", "nl"),
    ("ik wil graag bij jullie komen werken, hoe solliciteer ik?", "nl"),
    ("kun je mijn scheikunde huiswerk maken", "nl"),
    ("welches Handy soll ich kaufen?", "de"),
    ("wie viel Gewinn macht eure Firma", "de"),
    ("schreib mir ein Programm in C für die Uni", "de"),
])
async def test_near_misses_get_the_polite_out_of_scope_answer(
        customer: Customer, text: str, language: str) -> None:
    result = await customer.says(text)
    assert result.intent == "out_of_scope"
    catalogue = customer.engine.services.catalogue
    assert text_of(result) == catalogue.text(language, "out_of_scope")
    assert not result.replies[-1].buttons  # no clarification topics, no offer of a person
