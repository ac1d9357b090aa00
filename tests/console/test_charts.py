"""The dashboard's charts read well: text of at least 12 px, whole numbers on count axes,
plural forms that agree ("1 answer"), and the supervisor's language."""

from __future__ import annotations

import re
from datetime import date, timedelta

from console.charts import breaches_chart, csat_chart, handoff_intents_chart
from console.dashboard_cards import FigureTexts, cards
from console.handoff_metrics import IntentHandoffRate
from console.metrics import BreachesPerDay, CsatSummary, DashboardFigures, Rate

TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")
SIZES = re.compile(r"font-size: (\d+(?:\.\d+)?)px")


def test_every_chart_text_is_at_least_12_px() -> None:
    days = [date(2026, 11, 2) + timedelta(days=n) for n in range(3)]
    for svg in (csat_chart(CsatSummary([0, 0, 1, 0, 0])),
                breaches_chart(BreachesPerDay(days, [0, 1, 0], [1, 0, 0])),
                handoff_intents_chart([IntentHandoffRate("mail_setup", Rate(1, 3))])):
        sizes = [float(size) for size in SIZES.findall(svg)]
        assert sizes and min(sizes) >= 12


def test_count_axes_have_whole_numbers_only() -> None:
    svg = csat_chart(CsatSummary([0, 0, 0, 1, 0]))
    numbers = [text for text in TEXT.findall(svg) if re.fullmatch(r"[\d.,\u2212-]+", text)]
    assert numbers and all(re.fullmatch(r"\d+", number) for number in numbers), numbers


def test_one_answer_is_singular_and_titles_follow_the_language() -> None:
    english = TEXT.findall(csat_chart(CsatSummary([0, 0, 0, 1, 0])))
    assert "CSAT: average 4.00 from 1 answer" in english
    assert "CSAT: average 4.50 from 2 answers" in TEXT.findall(
        csat_chart(CsatSummary([0, 0, 0, 1, 1])))
    dutch = TEXT.findall(csat_chart(CsatSummary([0, 0, 0, 1, 0]), FigureTexts("nl")))
    assert "CSAT: gemiddeld 4,00 uit 1 antwoord" in dutch


def test_the_figure_cards_use_plural_forms_and_local_numbers() -> None:
    figures = DashboardFigures(
        conversations=1234, tickets=1, handoff=Rate(1, 1), fallback=Rate(0, 10),
        median_first_response=2.5, first_response_within=Rate(1, 1),
        first_response_breaches=0, resolution_breaches=0, csat=CsatSummary([0, 0, 0, 0, 1]))
    english = {label: (value, detail) for label, value, detail in cards(figures, "en")}
    assert english["Conversations"] == ("1,234", "1 ticket")
    assert english["CSAT"][1] == "1 answer"
    assert english["Handoff rate"][1] == "1 of 1 conversation"
    german = {label: (value, detail) for label, value, detail in cards(figures, "de")}
    assert german["Gespräche"] == ("1.234", "1 Ticket")
    assert german["Median erste Antwort"][0] == "2,5 Min."
